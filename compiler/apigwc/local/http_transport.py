"""A lean HTTP/1.1 transport for httpx: asyncio streams and a keep-alive pool per host.

httpx's default transport (httpcore on anyio) checks every pooled connection's socket on
every request and costs about a millisecond of CPU per call; under the local gateway's
load it capped HTTP_PROXY at a few hundred requests per second.  `PooledTransport` does
what an integration call needs and no more:

* one request at a time per connection, connections kept alive and reused (LIFO) per
  (scheme, host, port); a reused connection the server had closed is retried once on a
  fresh one when nothing of the answer arrived;
* the response read by **h11**, the HTTP/1.1 state machine httpcore itself is built on:
  status line, headers (obsolete line folding unfolded, bare-LF line ends accepted, two
  different ``Content-Length`` values refused as RFC 9112 §6.3 requires), framing by
  ``Content-Length``, ``Transfer-Encoding: chunked`` (trailers read and dropped) or the
  end of the connection, none for HEAD, 1xx, 204 and 304, and whether the connection can
  be reused.  A hand-written parser got the first three wrong;
* the request head written as given (h11 would re-validate and re-case headers that API
  Gateway passes through); h11 is told the request's method and ``Connection`` header,
  which is what it needs to frame the answer;
* the body returned **raw** (a gzip body stays gzip), headers as received (their case kept);
* TLS through the `ssl.SSLContext` it is given (None: plain http only);
* failures raised as httpx's exceptions (`httpx.ConnectError`, `httpx.ReadError`,
  `httpx.RemoteProtocolError`) with the original as the cause, so callers map them the
  same way; a cancelled call (the integration timeout) closes its connection.

Not supported (an integration call does not need them): HTTP/2, proxies, ``Expect:
100-continue``, streaming request bodies.
"""

from __future__ import annotations

import asyncio
import ssl
from collections import defaultdict

import h11
import httpx

#: idle connections kept per host
MAX_IDLE = 32
#: the request extension that hands `PooledTransport.open`'s connection to a request
GIVEN_CONNECTION = "apigwc.connection"
#: the longest status line or header block read
MAX_HEAD = 64 * 1024


class _Connection:
    __slots__ = ("reader", "writer", "used", "protocol")

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        #: it answered a request before (so the server may have closed it while idle)
        self.used = False
        self.protocol = h11.Connection(h11.CLIENT, max_incomplete_event_size=MAX_HEAD)

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

    @staticmethod
    def _key(url: httpx.URL) -> tuple[str, str, int]:
        scheme = url.scheme
        if scheme not in ("http", "https"):
            raise httpx.UnsupportedProtocol(f"Request URL has an unsupported protocol '{scheme}://'.")
        return scheme, url.host, url.port or (443 if scheme == "https" else 80)

    def has_idle(self, url: httpx.URL) -> bool:
        """A kept-alive connection to this URL's origin is ready."""
        return bool(self._idle.get(self._key(url)))

    async def open(self, url: httpx.URL) -> _Connection:
        """A new connection to the URL's origin, for one request to use (extensions[`GIVEN_CONNECTION`])."""
        return await self._connect(self._key(url))

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        key = self._key(request.url)
        body = await request.aread()
        head = _request_head(request, body)
        given = request.extensions.get(GIVEN_CONNECTION)
        if given is not None:  # opened by the caller before its clock started (`open`)
            try:
                return await self._exchange(given, key, request, head, body)
            except _Stale as exc:  # pragma: no cover - a fresh connection is never stale
                raise httpx.RemoteProtocolError(
                    "Server disconnected without sending a response.", request=request
                ) from exc.__cause__
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
        protocol = conn.protocol
        try:
            # h11 follows the exchange: the request's method and Connection header, then its end
            protocol.send(h11.Request(method=request.method, target=b"/", headers=_framing_headers(request)))
            protocol.send(h11.EndOfMessage())
            conn.writer.write(head + body if len(body) < 65536 else head)
            if len(body) >= 65536:
                conn.writer.write(body)
            await conn.writer.drain()
            response: h11.Response | None = None
            parts: list[bytes] = []
            while True:
                event = protocol.next_event()
                if event is h11.NEED_DATA:
                    data = await conn.reader.read(65536)
                    if not data and not received:
                        raise (
                            _Stale()
                            if reused
                            else httpx.RemoteProtocolError(
                                "Server disconnected without sending a response.", request=request
                            )
                        )
                    received = True
                    protocol.receive_data(data)
                elif isinstance(event, h11.Response):
                    response = event
                elif isinstance(event, h11.Data):
                    parts.append(bytes(event.data))
                elif isinstance(event, h11.EndOfMessage):  # its trailers are dropped
                    break
                elif isinstance(event, h11.ConnectionClosed):
                    raise httpx.RemoteProtocolError("Server disconnected without sending a response.", request=request)
                # h11.InformationalResponse (100 Continue, 103 Early Hints): skipped
        except asyncio.CancelledError:
            conn.close()
            raise
        except h11.RemoteProtocolError as exc:
            conn.close()
            raise httpx.RemoteProtocolError(str(exc), request=request) from exc
        except h11.LocalProtocolError as exc:
            conn.close()
            raise httpx.LocalProtocolError(str(exc), request=request) from exc
        except (ConnectionError, OSError, ssl.SSLError) as exc:
            conn.close()
            if reused and not received:
                raise _Stale() from exc
            raise httpx.ReadError(str(exc) or type(exc).__name__, request=request) from exc
        except _Stale:
            conn.close()
            raise
        except httpx.HTTPError:
            conn.close()
            raise
        assert response is not None  # h11 yields the Response before any Data or EndOfMessage
        if protocol.our_state is h11.DONE and protocol.their_state is h11.DONE and len(self._idle[key]) < self.max_idle:
            protocol.start_next_cycle()
            conn.used = True
            self._idle[key].append(conn)
        else:
            conn.close()
        return httpx.Response(
            response.status_code,
            headers=list(response.headers.raw_items()),
            stream=httpx.ByteStream(b"".join(parts)),  # unread: the caller reads it raw with aiter_raw()
            request=request,
            extensions={"http_version": b"HTTP/1.1", "reason_phrase": bytes(response.reason)},
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


def _framing_headers(request: httpx.Request) -> list[tuple[bytes, bytes]]:
    """What h11 needs of the request to frame the response: a Host, and a ``Connection: close`` if asked."""
    headers = [(b"Host", request.url.netloc or b"localhost")]
    for name, value in request.headers.raw:
        if name.lower() == b"connection" and b"close" in value.lower():
            headers.append((b"Connection", b"close"))
    return headers
