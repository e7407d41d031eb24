"""A lean HTTP/1.1 transport for httpx: asyncio streams and a keep-alive pool per host.

httpx's default transport (httpcore on anyio) checks every pooled connection's socket on
every request and costs about a millisecond of CPU per call; under the local gateway's
load it capped HTTP_PROXY at a few hundred requests per second.  `PooledTransport` does
what an integration call needs and no more:

* one request at a time per connection, connections kept alive and reused (LIFO) per
  (scheme, host, port); a reused connection the server had closed is retried once on a
  fresh one when nothing of the answer arrived;
* the body framed by ``Content-Length``, ``Transfer-Encoding: chunked`` or the end of the
  connection; none for HEAD, 1xx, 204 and 304;
* the body returned **raw** (a gzip body stays gzip), headers as received;
* TLS through the `ssl.SSLContext` it is given (None: plain http only);
* failures raised as httpx's exceptions (`httpx.ConnectError`, `httpx.ReadError`,
  `httpx.RemoteProtocolError`) with the original as the cause, so callers map them the
  same way; a cancelled call (the integration timeout) closes its connection.

Not supported (an integration call does not need them): HTTP/2, proxies, ``Expect:
100-continue``, trailers, streaming request bodies.
"""

from __future__ import annotations

import asyncio
import ssl
from collections import defaultdict

import httpx

#: idle connections kept per host
MAX_IDLE = 32
#: the longest status line or header block read
MAX_HEAD = 64 * 1024

_NO_BODY_STATUS = frozenset((204, 304))


class _Connection:
    __slots__ = ("reader", "writer", "used")

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        #: it answered a request before (so the server may have closed it while idle)
        self.used = False

    def close(self) -> None:
        try:
            self.writer.close()
        except Exception:  # noqa: BLE001 - closing a broken transport must not raise
            pass


class _Stale(Exception):
    """A pooled connection was closed by the server before it answered anything."""


class PooledTransport(httpx.AsyncBaseTransport):
    """An `httpx.AsyncBaseTransport` with a plain keep-alive pool (see the module docstring)."""

    def __init__(self, *, ssl_context: ssl.SSLContext | None = None, max_idle: int = MAX_IDLE) -> None:
        self.ssl_context = ssl_context
        self.max_idle = max_idle
        self._idle: defaultdict[tuple[str, str, int], list[_Connection]] = defaultdict(list)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        scheme = url.scheme
        if scheme not in ("http", "https"):
            raise httpx.UnsupportedProtocol(f"Request URL has an unsupported protocol '{scheme}://'.")
        port = url.port or (443 if scheme == "https" else 80)
        key = (scheme, url.host, port)
        body = await request.aread()
        head = _request_head(request, body)
        idle = self._idle[key]
        while idle:
            conn = idle.pop()
            try:
                return await self._exchange(conn, key, request, head, body)
            except _Stale:
                continue
        conn = await self._connect(key)
        try:
            return await self._exchange(conn, key, request, head, body)
        except _Stale as exc:
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            ) from exc.__cause__

    async def _connect(self, key: tuple[str, str, int]) -> _Connection:
        scheme, host, port = key
        context = None
        if scheme == "https":
            context = self.ssl_context or ssl.create_default_context()
        try:
            reader, writer = await asyncio.open_connection(host, port, ssl=context, limit=MAX_HEAD)
        except (OSError, ssl.SSLError) as exc:
            raise httpx.ConnectError(str(exc) or type(exc).__name__) from exc
        return _Connection(reader, writer)

    async def _exchange(
        self, conn: _Connection, key, request: httpx.Request, head: bytes, body: bytes
    ) -> httpx.Response:
        reused = conn.used
        received = False
        try:
            conn.writer.write(head + body if len(body) < 65536 else head)
            if len(body) >= 65536:
                conn.writer.write(body)
            await conn.writer.drain()
            head = await conn.reader.readuntil(b"\r\n\r\n")
            received = True
            status, reason, headers = _parse_head(head, request)
            while 100 <= status < 200 and status != 101:  # interim answers: skip them
                status, reason, headers = _parse_head(await conn.reader.readuntil(b"\r\n\r\n"), request)
            content, keep = await _read_body(conn.reader, request, status, headers)
        except asyncio.CancelledError:
            conn.close()
            raise
        except (asyncio.IncompleteReadError, ConnectionError, OSError, asyncio.LimitOverrunError, ssl.SSLError) as exc:
            conn.close()
            if reused and not received:
                raise _Stale() from exc
            if isinstance(exc, asyncio.LimitOverrunError):
                raise httpx.RemoteProtocolError("the response head is too long", request=request) from exc
            raise httpx.ReadError(str(exc) or type(exc).__name__, request=request) from exc
        except httpx.HTTPError:
            conn.close()
            raise
        if keep and len(self._idle[key]) < self.max_idle:
            conn.used = True
            self._idle[key].append(conn)
        else:
            conn.close()
        return httpx.Response(
            status,
            headers=headers,
            stream=httpx.ByteStream(content),  # unread: the caller reads it raw with aiter_raw()
            request=request,
            extensions={"http_version": b"HTTP/1.1", "reason_phrase": reason},
        )

    async def aclose(self) -> None:
        for conns in self._idle.values():
            for conn in conns:
                conn.close()
        self._idle.clear()


def _request_head(request: httpx.Request, body: bytes) -> bytes:
    target = request.url.raw_path or b"/"
    lines = [request.method.encode("ascii") + b" " + target + b" HTTP/1.1"]
    has_length = False
    for name, value in request.headers.raw:
        lower = name.lower()
        if lower == b"content-length":
            has_length = True
        if lower == b"transfer-encoding":
            continue  # the body is sent whole, framed by Content-Length
        lines.append(name + b": " + value)
    if not has_length and (body or request.method not in ("GET", "HEAD", "DELETE", "OPTIONS")):
        lines.append(b"Content-Length: " + str(len(body)).encode("ascii"))
    return b"\r\n".join(lines) + b"\r\n\r\n"


def _parse_head(head: bytes, request: httpx.Request) -> tuple[int, bytes, list[tuple[bytes, bytes]]]:
    """The status, reason phrase and headers of a response head (ending in an empty line)."""
    lines = head[:-4].split(b"\r\n")
    parts = lines[0].split(b" ", 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/") or not parts[1].isdigit():
        raise httpx.RemoteProtocolError(f"not an HTTP response: {lines[0][:80]!r}", request=request)
    headers: list[tuple[bytes, bytes]] = []
    for line in lines[1:]:
        name, sep, value = line.partition(b":")
        if not sep or not name or name != name.strip():
            raise httpx.RemoteProtocolError(f"malformed response header {line[:80]!r}", request=request)
        headers.append((name, value.strip(b" \t")))
    return int(parts[1]), parts[2] if len(parts) > 2 else b"", headers


async def _read_body(
    reader: asyncio.StreamReader, request: httpx.Request, status: int, headers: list[tuple[bytes, bytes]]
) -> tuple[bytes, bool]:
    """The body and whether the connection can be reused."""
    length = None
    chunked = False
    close = False
    for name, value in headers:
        lower = name.lower()
        if lower == b"content-length":
            if not value.isdigit():
                raise httpx.RemoteProtocolError(f"bad Content-Length {value!r}", request=request)
            length = int(value)
        elif lower == b"transfer-encoding":
            chunked = value.lower().split(b",")[-1].strip() == b"chunked"
        elif lower == b"connection":
            close = b"close" in value.lower()
    if request.method == "HEAD" or status in _NO_BODY_STATUS:
        return b"", not close
    if chunked:
        parts = []
        while True:
            size_line = await reader.readuntil(b"\r\n")
            size_text = size_line.split(b";", 1)[0].strip()
            try:
                size = int(size_text, 16)
            except ValueError:
                raise httpx.RemoteProtocolError(f"bad chunk size {size_text[:20]!r}", request=request) from None
            if size == 0:
                while (await reader.readuntil(b"\r\n")) != b"\r\n":  # trailers, ignored
                    pass
                break
            parts.append(await reader.readexactly(size))
            await reader.readexactly(2)
        return b"".join(parts), not close
    if length is not None:
        return await reader.readexactly(length), not close
    return await reader.read(), False  # framed by the end of the connection
