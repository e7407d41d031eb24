"""Offline verification of RS256 JSON Web Tokens against a JWKS file (Cognito user pool tokens).

Pure Python, no dependency: base64url (RFC 7515), RSASSA-PKCS1-v1_5 with SHA-256
(RFC 8017 §8.2.2: ``pow(signature, e, n)`` and a comparison with the expected
encoding ``00 01 FF.. 00 DigestInfo(SHA-256) hash``), and the claim checks a Cognito
user pool authorizer makes (``exp``, ``iss``, ``token_use``) [Doc: "Verifying a JSON
Web Token", Amazon Cognito developer guide].  Only RS256 is accepted, which is what
Cognito signs with [Doc]; ``alg: none`` and HMAC tokens are refused.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

#: DER of ``DigestInfo`` for SHA-256 without the hash (RFC 8017 §9.2 note 1).
SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")


class JwtError(ValueError):
    """The token is not acceptable; the message says why (for the execution log)."""


class JwksError(ValueError):
    """The JWKS file cannot be used."""


@dataclass(frozen=True, slots=True)
class RsaKey:
    """One RSA public key of a JWKS."""

    kid: str
    n: int
    e: int


@dataclass(frozen=True, slots=True)
class Token:
    """A JWT split into its parts, not yet verified."""

    header: Mapping[str, Any]
    claims: Mapping[str, Any]
    signing_input: bytes
    signature: bytes


def b64url_decode(text: str) -> bytes:
    """Base64url without padding (RFC 7515 §2); raises ValueError on bad input."""
    if not isinstance(text, str) or any(c in text for c in "+/= \t\r\n"):
        raise ValueError("not base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"not base64url: {exc}") from None


def b64url_encode(data: bytes) -> str:
    """Base64url without padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_int(text: Any) -> int:
    return int.from_bytes(b64url_decode(text), "big")


def parse_jwks(data: Any) -> dict[str, RsaKey]:
    """The RSA keys of a JWKS document (``{"keys": [...]}``), by ``kid``."""
    if not isinstance(data, dict) or not isinstance(data.get("keys"), list):
        raise JwksError('not a JWKS: expected {"keys": [...]}')
    keys: dict[str, RsaKey] = {}
    for item in data["keys"]:
        if not isinstance(item, dict) or item.get("kty") != "RSA" or not isinstance(item.get("kid"), str):
            continue
        if item.get("use") not in (None, "sig"):
            continue
        try:
            keys[item["kid"]] = RsaKey(item["kid"], _b64url_int(item.get("n")), _b64url_int(item.get("e")))
        except ValueError as exc:
            raise JwksError(f"key {item['kid']}: {exc}") from None
    if not keys:
        raise JwksError("the JWKS has no RSA signing key")
    return keys


class JwksFile:
    """A JWKS file, read when first needed and again when it changes (its modification time)."""

    __slots__ = ("path", "_stamp", "_keys")

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._stamp: tuple[int, int] | None = None
        self._keys: dict[str, RsaKey] = {}

    def keys(self) -> dict[str, RsaKey]:
        """The keys by ``kid``; raises JwksError when the file is missing or not a JWKS."""
        try:
            st = os.stat(self.path)
        except OSError as exc:
            raise JwksError(f"cannot read {self.path}: {exc.strerror}") from None
        stamp = (st.st_mtime_ns, st.st_size)
        if stamp != self._stamp:
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise JwksError(f"cannot read {self.path}: {exc}") from None
            self._keys = parse_jwks(data)
            self._stamp = stamp
        return self._keys


def decode(token: str) -> Token:
    """Split and decode a compact JWS (three base64url parts); nothing is verified."""
    parts = token.split(".")
    if len(parts) != 3:
        raise JwtError("not a JWT (expected three dot-separated parts)")
    try:
        header = json.loads(b64url_decode(parts[0]))
        claims = json.loads(b64url_decode(parts[1]))
        signature = b64url_decode(parts[2])
    except (ValueError, UnicodeDecodeError) as exc:
        raise JwtError(f"not a JWT ({exc})") from None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise JwtError("not a JWT (header and payload must be JSON objects)")
    return Token(header, claims, f"{parts[0]}.{parts[1]}".encode("ascii"), signature)


def rs256_verify(signing_input: bytes, signature: bytes, key: RsaKey) -> bool:
    """RSASSA-PKCS1-v1_5 verification with SHA-256 (RFC 8017 §8.2.2)."""
    k = (key.n.bit_length() + 7) // 8
    digest = SHA256_DIGEST_INFO + hashlib.sha256(signing_input).digest()
    if len(signature) != k or k < len(digest) + 11:
        return False
    s = int.from_bytes(signature, "big")
    if s >= key.n:
        return False
    em = pow(s, key.e, key.n).to_bytes(k, "big")
    expected = b"\x00\x01" + b"\xff" * (k - len(digest) - 3) + b"\x00" + digest
    return hmac.compare_digest(em, expected)


def verify(token: str, keys: Mapping[str, RsaKey], *, now: float, issuer: str | None = None) -> dict[str, Any]:
    """The claims of a token signed with RS256 by one of ``keys``, unexpired, from ``issuer``.

    Raises JwtError naming the first problem: the format, ``alg``, an unknown ``kid``,
    the signature, ``exp`` (required) and ``nbf``, ``iss``.
    """
    parsed = decode(token)
    alg = parsed.header.get("alg")
    if alg != "RS256":
        raise JwtError(f"alg {alg!r} is not RS256")
    kid = parsed.header.get("kid")
    key = keys.get(kid) if isinstance(kid, str) else None
    if key is None:
        raise JwtError(f"no key with kid {kid!r} in the JWKS")
    if not rs256_verify(parsed.signing_input, parsed.signature, key):
        raise JwtError("invalid signature")
    claims = dict(parsed.claims)
    exp = claims.get("exp")
    if not isinstance(exp, (int, float)) or isinstance(exp, bool):
        raise JwtError("no exp claim")
    if now >= exp:
        raise JwtError(f"the token expired at {int(exp)} (now {int(now)})")
    nbf = claims.get("nbf")
    if isinstance(nbf, (int, float)) and not isinstance(nbf, bool) and now < nbf:
        raise JwtError(f"the token is not valid before {int(nbf)}")
    if issuer is not None and claims.get("iss") != issuer:
        raise JwtError(f"iss {claims.get('iss')!r} is not {issuer!r}")
    return claims
