"""Start ``apigwc serve`` for real: a subprocess on 127.0.0.1, a free port, stopped with Ctrl-C.

Test modules import `Served` and the `serve` fixture from here, as they import the shared
constants from support.py.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from support import ROOT, cli_env

_STAGE_LINE = re.compile(r"^  (\S+)\s+(http://127\.0\.0\.1:\d+/\S+/)$")


class Served:
    """A running ``apigwc serve``: its stage URLs, its output so far, a client."""

    def __init__(self, args: tuple[str, ...], cwd: Path, env: dict | None = None) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "apigwc", "serve", *args, "--port", "0"],
            cwd=cwd,
            env=cli_env(env),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        self.lines: list[str] = []
        self.errors: list[str] = []
        self._ready = threading.Event()
        threading.Thread(target=self._read, args=(self.proc.stdout, self.lines), daemon=True).start()
        threading.Thread(target=self._read, args=(self.proc.stderr, self.errors), daemon=True).start()
        if not self._ready.wait(60) or self.proc.poll() is not None:
            self.stop()
            raise AssertionError("apigwc serve did not start:\n" + "\n".join(self.lines + self.errors))
        self.stages = {m.group(1): m.group(2) for m in map(_STAGE_LINE.match, self.lines) if m}
        self.client = httpx.Client(timeout=30)

    def _read(self, stream, into: list[str]) -> None:
        for line in stream:
            into.append(line.rstrip("\n"))
            if line.startswith("Ready."):
                self._ready.set()
        self._ready.set()

    def url(self, stage: str, path: str) -> str:
        return self.stages[stage].rstrip("/") + path

    def request(self, method: str, stage: str, path: str, **kwargs) -> httpx.Response:
        return self.client.request(method, self.url(stage, path), **kwargs)

    def wait_for(self, text: str, timeout: float = 20, stream: str = "stdout") -> str:
        """The first output line containing ``text`` (waiting for it)."""
        lines = self.lines if stream == "stdout" else self.errors
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            for line in list(lines):
                if text in line:
                    return line
            time.sleep(0.05)
        raise AssertionError(f"no line with {text!r} in:\n" + "\n".join(lines))

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def stop(self) -> int:
        """Ctrl-C, then the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if hasattr(self, "client"):
            self.client.close()
        return self.proc.returncode


@pytest.fixture
def serve():
    """``serve(*args, cwd=ROOT) -> Served``; every server is stopped (and must stop cleanly) at the end."""
    started: list[Served] = []

    def start(*args: str, cwd: Path = ROOT, env: dict | None = None) -> Served:
        s = Served(tuple(str(a) for a in args), cwd, env)
        started.append(s)
        return s

    yield start
    for s in started:
        code = s.stop()
        assert code == 0, f"apigwc serve exited {code}:\n" + "\n".join(s.lines + s.errors)
        assert "apigwc serve: stopped" in s.lines
        assert not any("Traceback" in line for line in s.errors), "\n".join(s.errors)


_REQUEST_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def service_headers_ok(
    r: httpx.Response, *, mock: bool = False, content_type: str | None = None, error_type: str | None = None
) -> None:
    """The headers API Gateway adds to every answer: the request id, ``x-amz-apigw-id``, the trace
    header (not on a MOCK answer), ``Content-Type`` (``application/json`` unless the answer set
    one), and ``x-amzn-ErrorType`` on its own error answers only
    (/work/shared/reference/aws-rest-semantics.md 4.1; docs/conformance.md)."""
    assert _REQUEST_ID.fullmatch(r.headers["x-amzn-RequestId"]), r.headers
    assert r.headers["x-amz-apigw-id"]
    if mock:  # recorded on AWS: a MOCK integration's answer has no trace header (docs/conformance.md)
        assert "X-Amzn-Trace-Id" not in r.headers
    else:
        assert r.headers["X-Amzn-Trace-Id"].startswith("Root=1-")
    if content_type is not None:
        assert r.headers["Content-Type"] == content_type
    if error_type is None:
        assert "x-amzn-ErrorType" not in r.headers
    else:
        assert r.headers["x-amzn-ErrorType"] == error_type
