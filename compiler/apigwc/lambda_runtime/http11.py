"""The HTTP/1.1 subset the Lambda Runtime API needs, on asyncio streams.

A runtime client sends a handful of small requests per invocation on one keep-alive
connection: ``GET .../invocation/next`` and a ``POST`` of the result.  Parsing them here
(request line, headers, a Content-Length or chunked body) costs a few microseconds;
h11 or an ASGI server would put a state machine and an app call on the path of every
invocation for no behaviour the protocol needs (no pipelining, no upgrades, no
trailers), and the warm-invocation budget is a few milliseconds in all.
"""

from __future__ import annotations

import asyncio

#: the largest request head (request line and headers) accepted
MAX_HEAD = 64 * 1024

_REASONS = {
    200: "OK",
    202: "Accepted",
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    413: "Request Entity Too Large",
    500: "Internal Server Error",
}


class BadRequest(Exception):
    """The bytes on the connection are not an HTTP/1.1 request this server reads: close it."""


async def read_request(
    reader: asyncio.StreamReader, max_body: int
) -> tuple[str, str, dict[str, str], bytes, bool] | None:
    """(method, path, headers with lower-case names, body, body too large) or None at the end of the connection.

    A body over ``max_body`` is read and dropped (``True`` in the last slot), so the
    connection stays usable for the next request.
    """
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        if exc.partial.strip():
            raise BadRequest("the connection closed in the middle of a request") from None
        return None
    except asyncio.LimitOverrunError:
        raise BadRequest("request head too large") from None
    lines = head[:-4].decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        raise BadRequest(f"not an HTTP/1.1 request line: {lines[0][:100]!r}")
    method, target = parts[0], parts[1]
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if not sep:
            raise BadRequest(f"not a header: {line[:100]!r}")
        headers[name.strip().lower()] = value.strip()
    too_large = False
    if "chunked" in headers.get("transfer-encoding", "").lower():
        chunks: list[bytes] = []
        size = 0
        while True:
            line = await reader.readuntil(b"\r\n")
            try:
                n = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise BadRequest("bad chunk size") from None
            if n == 0:
                while (await reader.readuntil(b"\r\n")) != b"\r\n":  # trailers
                    pass
                break
            data = await reader.readexactly(n + 2)
            size += n
            if size > max_body:
                too_large = True
            else:
                chunks.append(data[:-2])
        body = b"".join(chunks) if not too_large else b""
    else:
        try:
            length = int(headers.get("content-length") or 0)
        except ValueError:
            raise BadRequest("bad Content-Length") from None
        if length > max_body:
            too_large = True
            left = length
            while left:
                left -= len(await reader.readexactly(min(left, 1 << 20)))
            body = b""
        else:
            body = await reader.readexactly(length) if length else b""
    return method, target, headers, body, too_large


def response(status: int, body: bytes, headers: dict[str, str] | None = None) -> bytes:
    """The bytes of one HTTP/1.1 response with a JSON (or event) body."""
    out = [
        f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    ]
    for name, value in (headers or {}).items():
        out.append(f"{name}: {value}\r\n")
    out.append("\r\n")
    return "".join(out).encode("utf-8") + body
