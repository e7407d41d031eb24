"""HTTP messages as the gateway sees them: a frozen `Request` in, a frozen `Response` out.

Headers and query strings are multi-valued and keep the order and spelling the client
used; header lookups ignore case (HTTP), query lookups do not (API Gateway treats query
names case-sensitively).  Bodies are bytes.  Nothing here knows about API Gateway: the
ASGI server of ``apigwc serve`` and ``apigwc invoke`` both build a `Request` and read a
`Response`.
"""

from __future__ import annotations

import http
from dataclasses import dataclass, field
from typing import Iterable, Iterator
from urllib.parse import unquote, unquote_plus

#: Hop-by-hop headers (RFC 9110 §7.6.1, plus the legacy Keep-Alive and Proxy-Connection):
#: they describe one connection, so no hop passes them on.  The one list every adapter
#: and the server use.
HOP_BY_HOP = frozenset(
    ("connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade")
)


class Headers:
    """An immutable, ordered multi-map of header names to values; lookups ignore case."""

    __slots__ = ("_items", "_index")

    def __init__(self, items: Iterable[tuple[str, str]] = ()) -> None:
        self._items: tuple[tuple[str, str], ...] = tuple(items)
        self._index: dict[str, list[str]] | None = None

    def _lookup(self) -> dict[str, list[str]]:
        index = self._index
        if index is None:
            index = {}
            for name, value in self._items:
                index.setdefault(name.lower(), []).append(value)
            self._index = index
        return index

    def get(self, name: str, default: str | None = None) -> str | None:
        """The last value of a header (API Gateway's single-value view), or ``default``."""
        values = self._lookup().get(name.lower())
        return values[-1] if values else default

    def get_all(self, name: str) -> tuple[str, ...]:
        """Every value of a header, in the order received."""
        return tuple(self._lookup().get(name.lower(), ()))

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._lookup()

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __bool__(self) -> bool:
        return bool(self._items)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Headers):
            return self._items == other._items
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._items)

    def __repr__(self) -> str:
        return f"Headers({list(self._items)!r})"

    def items(self) -> tuple[tuple[str, str], ...]:
        return self._items

    def grouped(self) -> dict[str, tuple[str, ...]]:
        """Name (as first spelled) -> every value: the multi-value view templates see."""
        out: dict[str, list[str]] = {}
        spelled: dict[str, str] = {}
        for name, value in self._items:
            key = spelled.setdefault(name.lower(), name)
            out.setdefault(key, []).append(value)
        return {k: tuple(v) for k, v in out.items()}


EMPTY_HEADERS = Headers()


def parse_query(query: str) -> tuple[tuple[str, str], ...]:
    """Split a raw query string into decoded (name, value) pairs, in order.

    ``&`` and ``;`` both separate pairs (API Gateway splits on a plain ``;`` [Doc: REST API
    important notes]); ``+`` is a space and ``%XX`` escapes are decoded; a name without
    ``=`` has the value "".  Pairs with an empty name are dropped.
    """
    out: list[tuple[str, str]] = []
    if not query:
        return ()
    for part in query.replace(";", "&").split("&"):
        if not part:
            continue
        name, _, value = part.partition("=")
        name = unquote_plus(name)
        if name:
            out.append((name, unquote_plus(value)))
    return tuple(out)


def path_segments(raw_path: str) -> tuple[str, ...]:
    """The decoded segments of a raw request path; empty segments (``//``, a trailing ``/``) are dropped."""
    if "%" not in raw_path:
        return tuple(s for s in raw_path.split("/") if s)
    return tuple(unquote(s) for s in raw_path.split("/") if s)


@dataclass(frozen=True, slots=True, kw_only=True)
class Request:
    """One HTTP request to a stage, without the stage prefix: ``GET /users?count=5``."""

    method: str
    #: the raw (percent-encoded) path, starting with "/", without the query string
    path: str
    #: decoded (name, value) pairs in the order sent; repeated names repeat
    query: tuple[tuple[str, str], ...] = ()
    headers: Headers = field(default=EMPTY_HEADERS)
    body: bytes = b""
    #: the immediate TCP peer ($context.identity.sourceIp)
    source_ip: str = "127.0.0.1"

    @classmethod
    def build(
        cls,
        method: str,
        target: str,
        headers: Iterable[tuple[str, str]] = (),
        body: bytes = b"",
        source_ip: str = "127.0.0.1",
    ) -> "Request":
        """A request from a method and a target such as ``/users?count=5``."""
        path, _, query = target.partition("?")
        return cls(
            method=method.upper(),
            path=path or "/",
            query=parse_query(query),
            headers=headers if isinstance(headers, Headers) else Headers(headers),
            body=body,
            source_ip=source_ip,
        )

    def query_values(self, name: str) -> tuple[str, ...]:
        """Every value of a query parameter (names are case-sensitive)."""
        return tuple(v for k, v in self.query if k == name)

    def query_grouped(self) -> dict[str, tuple[str, ...]]:
        """Name -> every value, in order of first appearance."""
        out: dict[str, list[str]] = {}
        for k, v in self.query:
            out.setdefault(k, []).append(v)
        return {k: tuple(v) for k, v in out.items()}


@dataclass(frozen=True, slots=True, kw_only=True)
class Response:
    """One HTTP response: status, headers (ordered, multi-valued) and body bytes."""

    status: int
    headers: Headers = field(default=EMPTY_HEADERS)
    body: bytes = b""

    @property
    def reason(self) -> str:
        return reason_phrase(self.status)

    @property
    def text(self) -> str:
        """The body decoded as UTF-8 (invalid bytes replaced)."""
        return self.body.decode("utf-8", "replace")


def reason_phrase(status: int) -> str:
    """``200`` -> ``OK``; "" for a status without a standard phrase."""
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""


def media_type(value: str | None) -> str | None:
    """The MIME part of a Content-Type or Accept item, lower-cased: ``application/json; charset=UTF-8`` -> ``application/json``."""
    if value is None:
        return None
    mime = value.split(";", 1)[0].strip().lower()
    return mime or None


def first_accept(value: str | None) -> str | None:
    """The first media type of an Accept header (API Gateway uses only the first)."""
    if value is None:
        return None
    return media_type(value.split(",", 1)[0])
