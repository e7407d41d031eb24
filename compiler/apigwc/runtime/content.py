"""Binary payloads and ``contentHandling`` (reference §4.8).

A payload is binary when its media type matches the API's ``binaryMediaTypes``
(``image/png``, ``image/*``, ``*/*``): the request's Content-Type on the way in, the
first Accept value on the way out [Doc].  ``contentHandling`` converts between binary
and base64 text:

* a binary payload that must become text is base64-encoded **before** any template
  runs (the template then reads the base64 string through ``$input.body``);
* a text payload (a template's output included) that must become binary is
  base64-decoded **last**; a decode failure is a 500 API_CONFIGURATION_ERROR [Doc].

Request: CONVERT_TO_TEXT makes text, CONVERT_TO_BINARY makes binary, unset keeps the
payload as it is.  Response: the same, and unset follows the first Accept value (binary
when it matches ``binaryMediaTypes``) [Doc, reference §4.8].
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Iterable

from ..gateway import ContentHandling


def is_binary(mime: str | None, binary_media_types: Iterable[str]) -> bool:
    """True if a media type matches one of the binary media types (``*`` wildcards per part)."""
    if mime is None:
        return False
    kind, _, sub = mime.partition("/")
    for pattern in binary_media_types:
        p_kind, _, p_sub = pattern.strip().lower().partition("/")
        if (p_kind == "*" or p_kind == kind) and (p_sub == "*" or p_sub == sub):
            return True
    return False


@dataclass(frozen=True, slots=True)
class Conversion:
    """What to do with a payload: base64-encode it first, base64-decode it last, or neither."""

    encode_first: bool = False
    decode_last: bool = False

    def describe(self) -> str:
        if self.encode_first:
            return "base64-encoded (binary to text)"
        if self.decode_last:
            return "base64-decoded (text to binary)"
        return "unchanged"


NONE = Conversion()


def request_conversion(binary: bool, handling: ContentHandling | None) -> Conversion:
    """The conversion of a method request payload for the integration request."""
    if handling is ContentHandling.CONVERT_TO_TEXT and binary:
        return Conversion(encode_first=True)
    if handling is ContentHandling.CONVERT_TO_BINARY and not binary:
        return Conversion(decode_last=True)
    return NONE


def response_conversion(binary: bool, accept_binary: bool, handling: ContentHandling | None) -> Conversion:
    """The conversion of an integration response payload for the method response."""
    wants_binary = handling is ContentHandling.CONVERT_TO_BINARY or (handling is None and accept_binary)
    if binary and not wants_binary:
        return Conversion(encode_first=True)
    if not binary and wants_binary:
        return Conversion(decode_last=True)
    return NONE


def encode(body: bytes) -> bytes:
    return base64.b64encode(body)


def decode(body: bytes) -> bytes | None:
    """Base64-decode a payload (whitespace ignored); None if it is not base64."""
    try:
        return base64.b64decode(b"".join(body.split()), validate=True)
    except (binascii.Error, ValueError):
        return None
