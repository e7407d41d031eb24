"""``apigwc serve``: load a spec or a local bundle, print what is served, run uvicorn, watch.

`load` turns a spec (linted and lowered) or a bundle folder (``output/<api>/local``)
into a `Loaded`; `build` turns that into a `Served` (one `Deployment` per stage);
`banner` says what will be served and how faithfully; `run` binds the socket itself
(so a busy port is a clear message, and ``--port 0`` picks a free one), serves until
Ctrl-C, and with ``--watch`` rebuilds when a watched file changes, keeping the old build
while the new one has errors.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import os
import signal
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping, Sequence

from .. import gateway as gw
from ..local import LocalGateway
from ..policy import Failure, Loaded, compile_spec, load_source
from ..runtime import Deployment, StageSelection, select_stage
from .app import Access, GatewayApp, Served
from .capabilities import Level, api_notes, route_capabilities

#: how often --watch looks at the files (seconds)
WATCH_INTERVAL = 0.5


@dataclass(frozen=True, slots=True)
class Options:
    """What the command line asked for."""

    stages: tuple[str, ...] = ()
    stage_variables: Mapping[str, str] = field(default_factory=dict)
    lambdas: Mapping[str, str] = field(default_factory=dict)
    #: print each request's execution log with headers and bodies (--log)
    log: bool = False
    #: run x-apigwc.local.lambdas Python handlers on threads of the server (--in-process)
    in_process: bool = False
    #: workers per function at most (--max-workers; None: the default)
    max_workers: int | None = None


def compile_for_serving(spec: Path, config=None):
    """Lint and lower a spec under the shared policy: its `CompileResult`, or a `Failure` with its lint errors."""
    return compile_spec(spec, config, stopped="nothing is served")


def load(source: Path, compile_spec: Callable[[Path], object] = compile_for_serving) -> Loaded | Failure:
    """A spec file (through ``compile_spec``, which lints and lowers) or a bundle folder."""
    return load_source(source, compile_spec)  # type: ignore[arg-type]


def build(loaded: Loaded, options: Options) -> Served | Failure:
    """One deployment per served stage, sharing the backends of one `LocalGateway`."""
    gateway = loaded.gateway
    names = list(options.stages) or [s.name for s in gateway.stages] or [None]
    local = LocalGateway.create(
        gateway, loaded.base_dir, options.lambdas, in_process=options.in_process, max_workers=options.max_workers
    )
    deployments: dict[str, Deployment] = {}
    for name in names:
        selection = select_stage(gateway, name)
        if isinstance(selection, str):
            return Failure(selection)
        deployment = Deployment(
            gateway,
            selection,
            stage_variables=options.stage_variables,
            backends=local.backends,
            guards=local.guards(selection.name),
            data_trace=options.log,
        )
        deployment.templates.precompile(gateway)  # at start, not on the first request
        deployments[selection.name] = deployment
    first = next(iter(deployments.values()))
    unstaged = Deployment(
        dataclasses.replace(gateway, gateway_responses=()),
        StageSelection(first.stage_name, None),
        backends={},
        guards=(),
    )
    return Served(deployments, local, unstaged)


# ----------------------------------------------------------------------------------------
# What is printed


def banner(loaded: Loaded, served: Served, base_url: str) -> str:
    """The stage URLs, the route table with each route's emulation level, and what is not emulated."""
    gateway = loaded.gateway
    lines = [f"apigwc serve: {gw_name(gateway)} from {loaded.origin}"]
    if loaded.warnings:
        lines.append(
            f"  ({loaded.warnings} lint finding{'s' if loaded.warnings != 1 else ''} below error level; run 'apigwc lint' to see them)"
        )
    lines.append("")
    lines.append("Stages:")
    width = max(len(n) for n in served.deployments)
    for name in served.deployments:
        lines.append(f"  {name.ljust(width)}  {base_url}/{name}/")
    functions = served.local.handlers
    runs_on = getattr(functions, "runs_on", None)
    if runs_on is not None and functions.names():
        lines.append("")
        lines.append("Lambda functions (worker processes on the Lambda Runtime API):")
        width = max(len(n) for n in functions.names())
        for name in functions.names():
            fn = functions.configs[name]
            lines.append(f"  {name.ljust(width)}  {fn.runtime} {fn.handler} in {_shown_path(fn.code_dir)}")
    problems = functions.problems()
    if problems:
        lines.append("")
        lines.append("Lambda handlers that cannot be loaded (their routes answer errors):")
        lines.extend(f"  - {p}" for p in problems)
    tables = {name: route_capabilities(served.local, name, d.stage_variables) for name, d in served.deployments.items()}
    distinct = {tuple((c.integration, c.auth, c.level, c.notes) for c in caps) for caps in tables.values()}
    for name, caps in tables.items():
        lines.append("")
        lines.append("Routes (every stage):" if len(distinct) == 1 else f"Routes of stage {name}:")
        lines.extend(_route_table(caps))
        if len(distinct) == 1:
            break
    if loaded.unknown_values:
        lines.append("")
        lines.append("Template values not known locally (left out; set them with --param):")
        lines.extend(f"  - {u}" for u in loaded.unknown_values)
    notes = api_notes(gateway)
    lines.append("")
    lines.append("Not emulated:")
    lines.extend(f"  - {n}" for n in notes)
    lines.append("")
    lines.append("Ready. Press Ctrl-C to stop.")
    return "\n".join(lines) + "\n"


def _shown_path(path: Path) -> str:
    """A folder relative to the working directory when it is under it, else absolute."""
    try:
        return str(path.relative_to(Path.cwd().resolve())) + "/"
    except ValueError:
        return str(path) + "/"


def gw_name(gateway: gw.Gateway) -> str:
    from ..intrinsics import text_of

    return text_of(gateway.rest_api.name) or "API"


def _route_table(caps) -> list[str]:
    if not caps:
        return ["  (no methods: every request answers 403 Missing Authentication Token)"]
    rows = [("METHOD", "PATH", "INTEGRATION", "AUTH", "EMULATED")]
    rows += [(c.method.http_method.value, c.method.path, c.integration, c.auth, c.level.value) for c in caps]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    out = ["  " + "  ".join(r[i].ljust(widths[i]) for i in range(4)) + "  " + r[4] for r in rows]
    for c in caps:
        if c.level is not Level.FULL:
            for note in c.notes:
                out.append(f"  {c.level.value:7}  {c.method.label}: {note}")
    return out


class LineWriter:
    """Writes lines to a stream in batches: one write and flush per 50 ms at most, not per request.

    Called from the event loop (the access log); `flush` writes what is pending (the
    server calls it at shutdown).
    """

    __slots__ = ("stream", "pending", "scheduled")

    def __init__(self, stream) -> None:
        self.stream = stream
        self.pending: list[str] = []
        self.scheduled = False

    def __call__(self, line: str) -> None:
        self.pending.append(line)
        if not self.scheduled:
            self.scheduled = True
            asyncio.get_running_loop().call_later(0.05, self.flush)

    def flush(self) -> None:
        self.scheduled = False
        if self.pending:
            text = "\n".join(self.pending) + "\n"
            self.pending.clear()
            self.stream.write(text)
            self.stream.flush()


@functools.lru_cache(maxsize=2)
def _clock_text(second: int) -> str:
    return time.strftime("%H:%M:%S", time.localtime(second))


def access_line(a: Access) -> str:
    """One access-log line: time, client, request, status, size, latency, request id.

    When the stage declares an access log format (``x-apigwc.stages.<name>.accessLog``),
    the line after it is that format with ``$context`` filled, as CloudWatch would get it.
    """
    when = _clock_text(int(time.time()))
    error = f" {a.error_type}" if a.error_type else ""
    line = f"{when} {a.source_ip} {a.method} {a.target} -> {a.status}{error} ({a.size} B, {a.millis:.0f} ms) {a.request_id}"
    stage = a.deployment.stage if a.deployment is not None else None
    if stage is not None and stage.access_log is not None and a.context is not None:
        from ..runtime.gateway_responses import substitute

        line += f"\n         access log {stage.name}: " + substitute(
            stage.access_log.format, a.context, a.deployment.stage_variables, missing="-"
        )
    if a.log:
        line += "\n" + "\n".join(f"         {e.message}" for e in a.log)
    return line


# ----------------------------------------------------------------------------------------
# Serving


def bind(host: str, port: int) -> socket.socket | str:
    """A listening socket on host:port, or why there cannot be one."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        return f"cannot listen on {host}:{port}: {exc.strerror}"
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        hint = "; choose another with --port (or --port 0 for any free port)" if exc.errno in (98, 48, 10048) else ""
        return f"cannot listen on {host}:{port}: {exc.strerror or exc}{hint}"
    sock.setblocking(False)
    return sock


def run(
    sock: socket.socket,
    app: GatewayApp,
    *,
    reload: Callable[[], tuple[Served, Loaded] | Failure] | None = None,
    files: Sequence[Path] = (),
    access: LineWriter | None = None,
    out: Callable[[str], None] = print,
    err: Callable[[str], None] = lambda s: print(s, file=sys.stderr, flush=True),
    banner: str | None = None,
) -> None:
    """Serve until Ctrl-C or SIGTERM (both stop cleanly: exit 0 and "stopped"); with
    ``reload``, rebuild when one of ``files`` changes.

    ``banner`` (which ends "Ready. Press Ctrl-C to stop.") is printed once uvicorn serves and
    handles both signals itself, so a client that signals as soon as it reads "Ready." gets
    exit 0, and a client that connects then is answered.
    """
    # uvicorn shuts down cleanly on SIGINT and SIGTERM, then re-raises the signal to the
    # handler that was there before: Ctrl-C becomes KeyboardInterrupt, and so does SIGTERM
    # here (without a Python handler it would kill the process with -15).  The handler is
    # in place, and KeyboardInterrupt caught, from before uvicorn starts: a signal that
    # arrives while it is starting stops the server the same way.  Everything is imported
    # before "Ready." (an import interrupted halfway left the process to die with -2).
    server = _server(app)  # imports uvicorn: done before "Ready.", never interrupted halfway
    previous = (
        signal.signal(signal.SIGTERM, _stopped_by_sigterm)
        if threading.current_thread() is threading.main_thread()
        else None
    )
    try:
        _serve(server, sock, app, reload, files, out, err, banner)
    except KeyboardInterrupt:
        pass
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    if access is not None:
        access.flush()
    out("apigwc serve: stopped")


def _stopped_by_sigterm(signum, frame) -> None:
    """SIGTERM: whatever Ctrl-C would do at this moment (the SIGINT handler in place).

    Before the event loop runs, that raises KeyboardInterrupt; while asyncio.run runs,
    its handler cancels the main task and asyncio.run raises KeyboardInterrupt (never
    inside a task); uvicorn, while it serves, has its own handlers for both signals.
    """
    handler = signal.getsignal(signal.SIGINT)
    if callable(handler):
        handler(signal.SIGINT, frame)
    else:
        raise KeyboardInterrupt


def _server(app: GatewayApp):
    import uvicorn

    from .protocol import KEEP_ALIVE_TIMEOUT, GatewayH11Protocol

    # proxy_headers off: $context.identity.sourceIp is the TCP peer, as on AWS, never a
    # client-sent X-Forwarded-For
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        server_header=False,
        proxy_headers=False,
        lifespan="on",
        loop="asyncio",
        http=GatewayH11Protocol,  # closes connections that do not send a request head in time
        timeout_keep_alive=KEEP_ALIVE_TIMEOUT,
    )
    config.load()  # imports the protocol and lifespan modules now, not while serving
    return uvicorn.Server(config)


def _serve(
    server, sock: socket.socket, app: GatewayApp, reload, files: Sequence[Path], out, err, banner: str | None
) -> None:
    from ..lambda_runtime import service

    async def main() -> None:
        service.adopt(asyncio.get_running_loop())  # worker pools on this loop: no thread hop per invocation
        watcher = asyncio.create_task(_watch(app, reload, files, out, err)) if reload is not None else None
        serving = asyncio.create_task(server.serve(sockets=[sock]))
        try:
            if banner is not None:
                while not server.started and not serving.done():
                    await asyncio.sleep(0.005)
                if server.started:
                    out(banner)
            await serving
        finally:
            if watcher is not None:
                watcher.cancel()

    asyncio.run(main())


def _stamp(files: Sequence[Path]) -> tuple:
    stamps = []
    for f in files:
        try:
            st = os.stat(f)
            stamps.append((str(f), st.st_mtime_ns, st.st_size))
        except OSError:
            stamps.append((str(f), None, None))
    return tuple(stamps)


async def _watch(app: GatewayApp, reload, files: Sequence[Path], out, err) -> None:
    """Poll the watched files; on a change, rebuild off the event loop and swap the build in."""
    watched = tuple(files)
    seen = _stamp(watched)
    while True:
        await asyncio.sleep(WATCH_INTERVAL)
        now = _stamp(watched)
        if now == seen:
            continue
        changed = ", ".join(Path(a[0]).name for a, b in zip(now, seen) if a != b) or "a watched file"
        seen = now
        try:
            result = await asyncio.to_thread(reload)
        except Exception as exc:  # noqa: BLE001 - a bug in a rebuild must not end the watch (nor print a traceback)
            from ..pipeline import describe_internal

            err(
                f"apigwc serve: {changed} changed, but the rebuild hit an internal error (a bug in apigwc): {describe_internal(exc)}; still serving the previous build"
            )
            continue
        if isinstance(result, Failure):
            err(f"apigwc serve: {changed} changed, but the new build has errors; still serving the previous build")
            for line in result.details:
                err(line)
            err(f"apigwc serve: {result.message}")
            continue
        served, loaded = result
        retired = app.served.local
        app.swap(served)
        close = getattr(retired.handlers, "aclose", None)
        if close is not None:  # the previous build's workers: the new build starts its own
            asyncio.ensure_future(close())
        if loaded.files != watched:
            watched = loaded.files
            seen = _stamp(watched)
        out(f"apigwc serve: {changed} changed; reloaded")
