"""A real upstream HTTP server on 127.0.0.1 for the HTTP integration tests (runtime and serve).

`Servers` runs a threaded http.server twice, plain and TLS (a self-signed certificate for
127.0.0.1); `Upstream` echoes what it received as JSON and can be told to sleep,
redirect, challenge, gzip its body or answer a given status.
"""

from __future__ import annotations

import datetime
import gzip
import ipaddress
import json
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

GZIPPED = gzip.compress(b'{"zipped": true}', mtime=0)


class Upstream(BaseHTTPRequestHandler):
    """Echoes the request as JSON; a few paths behave differently (see `_special`)."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:  # quiet
        pass

    def _answer(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        self.send_response_only(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path, _, query = self.path.partition("?")
        if path.startswith("/sleep/"):
            time.sleep(float(path.rsplit("/", 1)[1]))
        if path == "/redirect":
            return self._answer(302, [("Location", "/elsewhere")], b"")
        if path == "/challenge":
            return self._answer(
                401,
                [
                    ("Content-Type", "application/json"),
                    ("WWW-Authenticate", 'Bearer realm="upstream"'),
                    ("Server", "upstream/1.0"),
                    ("Date", "Tue, 14 Nov 2023 22:13:20 GMT"),
                    ("Via", "1.1 cache"),
                    ("X-Upstream", "yes"),
                ],
                b'{"error":"no"}',
            )
        if path == "/gzip":
            return self._answer(200, [("Content-Type", "application/json"), ("Content-Encoding", "gzip")], GZIPPED)
        if path.startswith("/v1/orders/"):
            order = path.rsplit("/", 1)[1]
            if order == "missing":
                return self._answer(404, [("Content-Type", "application/json")], b'{"error":"not found"}')
            document = {
                "id": order,
                "status": "paid",
                "total": 12.5,
                "items": [{"sku": "a", "quantity": 2}],
                "secret": "internal",
            }
            headers = [("Content-Type", "application/json")]
            if self.headers.get("X-Correlation-Id"):
                headers.append(("X-Correlation-Id", self.headers["X-Correlation-Id"]))
            return self._answer(200, headers, json.dumps(document).encode())
        echo = {
            "method": self.command,
            "path": path,
            "query": query,
            "headers": [[k, v] for k, v in self.headers.items()],
            "body": body.decode("latin-1"),
        }
        status = 200
        if path.startswith("/status/"):
            status = int(path.rsplit("/", 1)[1])
        self._answer(status, [("Content-Type", "application/json"), ("X-Echo", "1")], json.dumps(echo).encode())

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _handle


def _self_signed(tmp: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp / "cert.pem", tmp / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


class Servers:
    def __init__(self, tmp: Path) -> None:
        self.plain = ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
        self.tls = ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
        self.cert, key = _self_signed(tmp)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, key)
        self.tls.socket = context.wrap_socket(self.tls.socket, server_side=True)
        for server in (self.plain, self.tls):
            server.daemon_threads = True
            threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.plain.server_address[1]}"

    @property
    def tls_host(self) -> str:
        return f"127.0.0.1:{self.tls.server_address[1]}"

    def trusting(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.cert))

    def stop(self) -> None:
        for server in (self.plain, self.tls):
            server.shutdown()
            server.server_close()
