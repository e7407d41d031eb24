"""The pooled HTTP/1.1 transport (apigwc.local.http_transport) against a raw server on 127.0.0.1.

The server answers each request with bytes chosen by its path, so framing (Content-Length,
chunked, end of connection), interim answers, stale pooled connections and malformed
answers are exact.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest

from apigwc.local.http_transport import PooledTransport

ANSWERS = {
    "/length": b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello",
    "/chunked": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n",
    "/close": b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end",
    "/interim": b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok",
    "/nocontent": b"HTTP/1.1 204 No Content\r\nX-A: 1\r\n\r\n",
    "/gzip": b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 4\r\n\r\n\x1f\x8b\x08\x00",
    "/garbage": b"SMTP ready\r\n\r\n",
    "/badheader": b"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
    "/hangup": b"",
    "/conflicting-length": b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
    "/same-length-twice": b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
    "/folded": b"HTTP/1.1 200 OK\r\nX-Folded: one\r\n  two\r\n\tthree\r\nContent-Length: 2\r\n\r\nok",
    "/lf-only": b"HTTP/1.1 200 OK\nX-Case: Kept\nContent-Length: 7\n\nlf only",
    "/trailers": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Checksum\r\n\r\n4\r\nwith\r\n9\r\n trailers\r\n0\r\nX-Checksum: abc\r\nX-Other: 1\r\n\r\n",
}


class RawServer:
    def __init__(self) -> None:
        self.connections = 0
        self.requests: list[bytes] = []

    async def start(self) -> int:
        self.server = await asyncio.start_server(self.handle, "127.0.0.1", 0)
        return self.server.sockets[0].getsockname()[1]

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                body = await reader.readexactly(length)
                self.requests.append(head + body)
                path = head.split(b" ")[1].decode()
                if path == "/idle-close":  # answer, then close the kept-alive connection
                    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n1")
                    await writer.drain()
                    writer.close()
                    return
                writer.write(ANSWERS.get(path, b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"))
                await writer.drain()
                if path in ("/close", "/hangup", "/garbage"):
                    writer.close()
                    return
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()


def run(coro):
    return asyncio.run(coro)


async def _with_client(fn):
    server = RawServer()
    port = await server.start()
    transport = PooledTransport()
    async with httpx.AsyncClient(transport=transport, base_url=f"http://127.0.0.1:{port}") as client:
        try:
            return await fn(client, server)
        finally:
            server.server.close()


@pytest.mark.parametrize(
    "path, status, body",
    [
        ("/length", 200, b"hello"),
        ("/chunked", 200, b"hello, world"),
        ("/close", 200, b"until the end"),
        ("/interim", 201, b"ok"),
        ("/nocontent", 204, b""),
        ("/gzip", 200, b"\x1f\x8b\x08\x00"),  # raw: not decoded
    ],
)
def test_framing(path: str, status: int, body: bytes) -> None:
    async def go(client, server):
        r = await client.send(client.build_request("GET", path), stream=True)
        raw = b"".join([c async for c in r.aiter_raw()])
        await r.aclose()
        return r.status_code, raw

    assert run(_with_client(go)) == (status, body)


def test_keep_alive_reuses_one_connection_and_retries_a_stale_one() -> None:
    async def go(client, server):
        for _ in range(3):
            assert (await client.get("/length")).content == b"hello"
        reused = server.connections
        # the server closes the connection after answering: the next call takes a new one
        assert (await client.get("/idle-close")).content == b"1"
        await asyncio.sleep(0.05)
        assert (await client.get("/length")).content == b"hello"
        return reused, server.connections

    assert run(_with_client(go)) == (1, 2)


def test_the_request_is_sent_as_given() -> None:
    async def go(client, server):
        await client.post("/length", content=b"payload", headers={"X-A": "1"})
        await client.get("/length")
        return server.requests

    post, get = run(_with_client(go))
    assert post.startswith(b"POST /length HTTP/1.1\r\n")
    assert b"\r\nX-A: 1\r\n" in post and b"\r\nContent-Length: 7\r\n" in post
    assert post.endswith(b"\r\n\r\npayload")
    assert b"Content-Length" not in get


@pytest.mark.parametrize(
    "path, error, text",
    [
        ("/garbage", httpx.RemoteProtocolError, "illegal status line: bytearray(b'SMTP ready')"),
        ("/badheader", httpx.RemoteProtocolError, "illegal header line: bytearray(b'no colon here')"),
        ("/hangup", httpx.RemoteProtocolError, "Server disconnected without sending a response."),
        ("/conflicting-length", httpx.RemoteProtocolError, "conflicting Content-Length headers"),
    ],
)
def test_bad_answers_raise_httpx_errors(path: str, error: type, text: str) -> None:
    async def go(client, server):
        with pytest.raises(error) as caught:
            await client.get(path)
        return str(caught.value)

    assert run(_with_client(go)) == text


def test_a_refused_connection_is_a_connect_error() -> None:
    async def go():
        server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        server.close()
        await server.wait_closed()
        async with httpx.AsyncClient(transport=PooledTransport()) as client:
            with pytest.raises(httpx.ConnectError) as caught:
                await client.get(f"http://127.0.0.1:{port}/")
        return caught.value.__cause__

    assert isinstance(run(go()), ConnectionRefusedError)


def _get(path: str, times: int = 1):
    async def go(client, server):
        out = []
        for _ in range(times):
            r = await client.send(client.build_request("GET", path), stream=True)
            raw = b"".join([c async for c in r.aiter_raw()])
            await r.aclose()
            out.append((r.status_code, r.headers.raw, raw))
        return out, server.connections

    return run(_with_client(go))


def test_the_same_content_length_twice_is_one_length() -> None:
    (answer,), _ = _get("/same-length-twice")
    assert answer[0] == 200 and answer[2] == b"hello"


def test_folded_headers_are_unfolded() -> None:
    (answer,), _ = _get("/folded")
    assert (answer[0], answer[2]) == (200, b"ok")
    assert (b"X-Folded", b"one two three") in answer[1]


def test_lf_only_responses_are_read_with_their_header_case() -> None:
    answers, connections = _get("/lf-only", times=2)
    assert [(s, b) for s, _, b in answers] == [(200, b"lf only")] * 2
    assert (b"X-Case", b"Kept") in answers[0][1]
    assert connections == 1  # framed by its length, so the connection is reused


def test_chunked_trailers_are_read_past_and_the_connection_reused() -> None:
    answers, connections = _get("/trailers", times=3)
    assert [(s, b) for s, _, b in answers] == [(200, b"with trailers")] * 3
    assert all(b"X-Checksum" not in dict(h) for _, h, _ in answers)  # trailers are not headers
    assert connections == 1
