"""The ASGI application of the local gateway: HTTP in, `runtime.execute`, HTTP out.

What belongs to the server rather than to the request pipeline lives here:

* the stage: the first path segment picks the `Deployment` (``/dev/pets`` -> stage
  ``dev``, path ``/pets``); an unknown stage answers 403 ``Missing Authentication Token``
  [Obs, reference §4.2 step 2], uncustomized (no stage, no deployment, no gateway
  responses of the API) [Inf];
* the payload limit: a body over 10 MB answers 413 REQUEST_TOO_LARGE [Doc] without
  reading the rest;
* compression, when the API sets ``minimumCompressionSize`` [Doc, reference §4.8]:
  ``gzip``/``deflate`` request bodies are decompressed before the pipeline, and
  responses at least that large are compressed for clients that accept it.  The payload
  limit holds for the decompressed body too: it is inflated incrementally, in a worker
  thread (zlib releases the GIL), and stops with 413 as soon as it passes 10 MB, so a
  small "zip bomb" costs neither memory nor the event loop [Inf: the limit is on the
  payload the API receives];
* ``HEAD`` answers carry no body; ``Content-Length`` and ``Date`` are the server's.

The app reads its `Served` (one deployment per stage) at every request, so ``--watch``
swaps in a new build between two requests with `GatewayApp.swap`.
"""

from __future__ import annotations

import asyncio
import gzip
import time
import zlib
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Mapping

from ..local import LocalGateway
from ..runtime import Deployment, GatewayError, Headers, Request, ResponseType, execute
from ..runtime.http import HOP_BY_HOP, parse_query, path_segments

#: The payload limit of a REST API: 10 MB [Doc: API Gateway quotas].
MAX_PAYLOAD = 10 * 1024 * 1024

Scope = Mapping[str, Any]
Receive = Callable[[], Awaitable[dict]]
Send = Callable[[dict], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Served:
    """One build of an API as the server serves it: a deployment per stage, and its backends."""

    deployments: Mapping[str, Deployment]
    local: LocalGateway
    #: answers requests that name no stage of the API: no stage means no deployment, so
    #: none of the API's gateway response customizations apply [Inf]
    unstaged: Deployment


@dataclass(frozen=True, slots=True)
class Access:
    """One served request, for the access log."""

    source_ip: str
    method: str
    target: str
    status: int
    size: int
    millis: float
    request_id: str
    error_type: str | None
    #: the stage's deployment (None when no stage matched) and the request's final ``$context``
    deployment: Deployment | None = None
    context: Mapping[str, Any] | None = None
    #: the execution log, when the server prints it (``apigwc serve --log``)
    log: tuple = ()


class GatewayApp:
    """An ASGI 3 application serving every stage of one API."""

    def __init__(
        self, served: Served, on_access: Callable[[Access], None] | None = None, *, with_log: bool = False
    ) -> None:
        self.served = served
        self.on_access = on_access
        #: pass each request's execution log to ``on_access``
        self.with_log = with_log
        self._retired: list[LocalGateway] = []

    def swap(self, served: Served) -> None:
        """Serve a new build from the next request on (the old build's clients close at shutdown)."""
        self._retired.append(self.served.local)
        self.served = served

    async def aclose(self) -> None:
        for local in (*self._retired, self.served.local):
            await local.aclose()
        self._retired.clear()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            await self._http(scope, receive, send)
        elif kind == "lifespan":
            await self._lifespan(receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        await lifespan(receive, send, self.aclose)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        served = self.served
        raw_path = (scope.get("raw_path") or scope["path"].encode("utf-8")).decode("latin-1")
        raw_path = raw_path.partition("?")[0]
        query = scope.get("query_string", b"").decode("latin-1")
        pairs = scope["headers"]
        sent = (scope.get("extensions") or {}).get("apigwc.header_names")  # the names as sent (protocol.py)
        if sent is not None and len(sent) == len(pairs):
            pairs = [(name, v) for name, (_, v) in zip(sent, pairs)]
        headers = Headers((k.decode("latin-1"), v.decode("utf-8", "surrogateescape")) for k, v in pairs)
        client = scope.get("client")
        source_ip = client[0] if client else "127.0.0.1"
        method = scope["method"]

        stage, path = _split_stage(raw_path)
        deployment = served.deployments.get(stage) if stage is not None else None
        staged = deployment
        refused: GatewayError | None = None
        if deployment is None:
            deployment = served.unstaged
            refused = GatewayError(
                type=ResponseType.MISSING_AUTHENTICATION_TOKEN,
                log=f"No stage {stage!r} in this API (stages: {', '.join(served.deployments)})"
                if stage
                else "The path names no stage",
            )
            path = raw_path or "/"
        body, too_large = await _read_body(receive, headers)
        if too_large and refused is None:
            refused = GatewayError(
                type=ResponseType.REQUEST_TOO_LARGE, log=f"Request payload over the {MAX_PAYLOAD}-byte limit"
            )
        compression = deployment.gateway.rest_api.minimum_compression_size
        if refused is None and compression is not None and body:
            decoded = await asyncio.to_thread(_decompress, headers, body)
            if decoded is None:
                refused = GatewayError(
                    type=ResponseType.BAD_REQUEST_BODY,
                    log=f"The request body is not valid {headers.get('Content-Encoding')} data",
                )
            elif decoded is _TOO_LARGE:
                body = b""
                refused = GatewayError(
                    type=ResponseType.REQUEST_TOO_LARGE,
                    log=f"Request payload over the {MAX_PAYLOAD}-byte limit once decompressed ({headers.get('Content-Encoding')})",
                )
            else:
                body, headers = decoded

        request = Request(
            method=method,
            path=path,
            query=parse_query(query) if query else (),
            headers=headers,
            body=body,
            source_ip=source_ip,
        )
        execution = await execute(deployment, request, refused=refused)
        response = execution.response
        out_body = response.body
        out_headers = [(n, v) for n, v in response.headers if n.lower() not in _SERVER_HEADERS]
        if compression is not None:
            out_body, out_headers = _compress(headers, out_body, out_headers, compression)
        if response.status in _NO_BODY:
            out_body = b""  # HTTP forbids a body here: a template's output is dropped [Inf]
        else:
            out_headers.append(("Content-Length", str(len(out_body))))
        if method == "HEAD":
            out_body = b""
        await send(
            {
                "type": "http.response.start",
                "status": response.status,
                "headers": [(n.encode("latin-1"), v.encode("utf-8", "surrogateescape")) for n, v in out_headers],
            }
        )
        await send({"type": "http.response.body", "body": out_body})
        if self.on_access is not None:
            target = raw_path + (f"?{query}" if query else "")
            error = execution.error_type.value if execution.error_type is not None else None
            self.on_access(
                Access(
                    source_ip,
                    method,
                    target,
                    response.status,
                    len(out_body),
                    (time.perf_counter() - started) * 1000,
                    execution.request_id,
                    error,
                    staged,
                    execution.context,
                    execution.log if self.with_log else (),
                )
            )


#: statuses whose responses have no body (RFC 9110)
_NO_BODY = frozenset((204, 304))

#: set by the server, never by an integration: the hop-by-hop headers, the framing and the server's own
_SERVER_HEADERS = HOP_BY_HOP | {"content-length", "date", "server"}


def _split_stage(raw_path: str) -> tuple[str | None, str]:
    """``/dev/pets/1`` -> (``dev``, ``/pets/1``); ``/dev`` -> (``dev``, ``/``); ``/`` -> (None, ``/``)."""
    rest = raw_path.lstrip("/")
    if not rest:
        return None, "/"
    first, _, tail = rest.partition("/")
    decoded = path_segments(first)  # a percent-encoded stage name is decoded, as for any segment
    stage = decoded[0] if decoded else first
    return stage, "/" + tail


async def _read_body(receive: Receive, headers: Headers) -> tuple[bytes, bool]:
    """The request body, or (what was read, True) once it passes `MAX_PAYLOAD`."""
    declared = headers.get("Content-Length")
    if declared is not None and declared.strip().isdigit() and int(declared) > MAX_PAYLOAD:
        return b"", True
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_PAYLOAD:
            return b"", True
        if chunk:
            chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks), False


#: `_decompress`'s answer for a body that inflates past `MAX_PAYLOAD`
_TOO_LARGE = object()

#: how much compressed input is fed to zlib at a time
_INFLATE_STEP = 64 * 1024


def _decompress(headers: Headers, body: bytes, limit: int = MAX_PAYLOAD):
    """A ``gzip``/``deflate`` body decoded (and its Content-Encoding dropped).

    None if it does not decode; `_TOO_LARGE` as soon as the output passes ``limit`` (the
    output is produced at most ``limit + 1`` bytes at a time, never more).  Blocking: the
    app calls it in a worker thread.
    """
    encoding = (headers.get("Content-Encoding") or "").strip().lower()
    if encoding in ("", "identity"):
        return body, headers
    if encoding == "gzip":
        wbits = 16 + zlib.MAX_WBITS
    elif encoding == "deflate":
        wbits = zlib.MAX_WBITS
    else:
        return body, headers
    decoded = _inflate(body, wbits, limit)
    if decoded is None or decoded is _TOO_LARGE:
        return decoded
    return decoded, Headers((n, v) for n, v in headers if n.lower() not in ("content-encoding", "content-length"))


def _inflate(data: bytes, wbits: int, limit: int):
    """The inflated bytes, None when ``data`` is not a whole stream, `_TOO_LARGE` past ``limit``."""
    out: list[bytes] = []
    size = 0
    try:
        while True:
            inflater = zlib.decompressobj(wbits)
            pos = 0
            while not inflater.eof:
                chunk = inflater.unconsumed_tail
                if not chunk:
                    if pos >= len(data):
                        return None  # truncated
                    chunk = data[pos : pos + _INFLATE_STEP]
                    pos += _INFLATE_STEP
                piece = inflater.decompress(chunk, limit + 1 - size)  # never 0 (0 means unbounded)
                size += len(piece)
                if size > limit:
                    return _TOO_LARGE
                out.append(piece)
            rest = inflater.unused_data + data[pos:]
            if not rest:
                return b"".join(out)
            if wbits == zlib.MAX_WBITS:
                return None  # bytes after a deflate stream
            data = rest  # gzip: another member follows, as gzip.decompress reads it
    except zlib.error:
        return None


def _compress(
    request_headers: Headers, body: bytes, headers: list[tuple[str, str]], minimum: int
) -> tuple[bytes, list[tuple[str, str]]]:
    """Compress a response of at least ``minimum`` bytes for a client that accepts gzip or deflate [Doc]."""
    if len(body) < minimum or any(n.lower() == "content-encoding" for n, _ in headers):
        return body, headers
    accepted = {
        part.split(";")[0].strip().lower() for part in (request_headers.get("Accept-Encoding") or "").split(",")
    }
    if "gzip" in accepted:
        return gzip.compress(body, mtime=0), [*headers, ("Content-Encoding", "gzip")]
    if "deflate" in accepted:
        return zlib.compress(body), [*headers, ("Content-Encoding", "deflate")]
    return body, headers


async def lifespan(receive: Receive, send: Send, close: Callable[[], Awaitable[None]]) -> None:
    """ASGI lifespan: nothing to start; ``close`` at shutdown (the workers and connections it holds)."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await close()
            await send({"type": "lifespan.shutdown.complete"})
            return
