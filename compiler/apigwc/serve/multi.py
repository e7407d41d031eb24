"""Several APIs on one port: the first path segment names the API (a template's logical id).

``apigwc serve template.yaml`` with a template holding several REST APIs serves each at
``http://host:port/<LogicalId>/<stage>/...``; each API keeps its own stages, backends,
gateway responses and access log [Inf: on AWS each API has its own host name,
``{api-id}.execute-api.{region}.amazonaws.com``, which a single local port cannot give
without DNS; a path prefix keeps every API reachable with no setup].  A request whose
first segment names no API answers 403 ``{"message":"Missing Authentication Token"}``, what
API Gateway answers for a path that matches nothing [Obs, reference §4.2].
"""

from __future__ import annotations

import json
from typing import Mapping

from .app import GatewayApp, Receive, Scope, Send, lifespan


class ApisApp:
    """An ASGI 3 application that dispatches to one `GatewayApp` per API by path prefix."""

    def __init__(self, apps: Mapping[str, GatewayApp]) -> None:
        self.apps = dict(apps)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        path: str = scope["path"]
        first, _, rest = path.lstrip("/").partition("/")
        app = self.apps.get(first)
        if app is None:
            body = json.dumps({"message": "Missing Authentication Token"}, separators=(",", ":")).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 403,
                    "headers": [
                        (b"Content-Type", b"application/json"),
                        (b"x-amzn-ErrorType", b"MissingAuthenticationTokenException"),
                        (b"Content-Length", str(len(body)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body if scope["method"] != "HEAD" else b""})
            return
        raw = scope.get("raw_path") or path.encode("utf-8")
        prefix = b"/" + first.encode("utf-8")
        inner = dict(scope)
        inner["path"] = "/" + rest
        inner["raw_path"] = raw[len(prefix) :] if raw.startswith(prefix) else ("/" + rest).encode("utf-8")
        inner["root_path"] = scope.get("root_path", "") + "/" + first
        await app(inner, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        await lifespan(receive, send, self.aclose)

    async def aclose(self) -> None:
        for app in self.apps.values():
            await app.aclose()


def load_apis(targets, compile_spec, options):
    """Load and build each (template, selection): {logical id: (served, loaded)}, or the first Failure."""
    from ..policy import Failure
    from ..template.values import SELECTION
    from .server import build, load

    out = {}
    for source, selection in targets:
        token = SELECTION.set(selection)
        try:
            loaded = load(source, compile_spec)
        finally:
            SELECTION.reset(token)
        if isinstance(loaded, Failure):
            return Failure(f"API {selection.api}: {loaded.message}", loaded.details, loaded.status)
        served = build(loaded, options)
        if isinstance(served, Failure):
            return Failure(f"API {selection.api}: {served.message}", served.details, served.status)
        out[selection.api] = (served, loaded)
    return out


def banner_apis(apis, base_url: str) -> str:
    """Each API's banner under its prefix, after a table of where each API is."""
    from .server import banner

    lines = [f"apigwc serve: {len(apis)} APIs, each under its logical id:"]
    width = max(len(n) for n in apis)
    for name in apis:
        lines.append(f"  {name.ljust(width)}  {base_url}/{name}/<stage>/")
    text = "\n".join(lines) + "\n\n"
    for name, (served, loaded) in apis.items():
        text += banner(loaded, served, f"{base_url}/{name}").replace("\nReady. Press Ctrl-C to stop.\n", "\n") + "\n"
    return text + "Ready. Press Ctrl-C to stop.\n"
