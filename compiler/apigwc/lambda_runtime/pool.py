"""Worker processes on the Lambda Runtime API: one pool per function, one invocation per worker at a time.

Each `Worker` is one execution environment: a process started with Lambda's
environment and ``AWS_LAMBDA_RUNTIME_API`` pointing at its own Runtime API endpoint
(a listening socket on 127.0.0.1, so the server knows which worker calls without
relying on the client), in the function's code folder.  The endpoint serves
[Doc: "Using the Lambda runtime API for custom runtimes"]:

* ``GET /2018-06-01/runtime/invocation/next``: the next event, with the
  ``Lambda-Runtime-Aws-Request-Id``, ``-Deadline-Ms``, ``-Invoked-Function-Arn``,
  ``-Trace-Id``, ``-Client-Context`` and ``-Cognito-Identity`` headers; the first call
  ends the init phase;
* ``POST .../invocation/{id}/response`` and ``.../invocation/{id}/error``;
* ``POST /2018-06-01/runtime/init/error``.

A `FunctionPool` keeps warm workers (module state survives between invocations), starts
one more when every worker is busy (up to ``ReservedConcurrentExecutions``, else the
pool's ``max_workers``), kills a worker past the function timeout, reports a worker
that died as ``Runtime.ExitError`` and starts a fresh one next time, and recycles the
workers when a file under the code folder changes.  Each worker's stdout and stderr go
to the log sink, line by line, prefixed with the function's name, between Lambda's
``START``, ``END`` and ``REPORT`` lines.

Everything here runs on one event loop (`service.loop()`), a background thread of the
process, so callers on any loop (``serve``'s, ``invoke``'s ``asyncio.run``, tests) share
the warm workers and a busy caller loop never delays a worker's Runtime API call.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import signal
import time
import uuid
from collections import deque
from dataclasses import dataclass
from typing import Any, Callable

from . import http11
from .runtimes import FunctionConfig, Launch

#: The largest event a synchronous invoke accepts: 6 MB [Doc: Lambda quotas].
MAX_REQUEST_BYTES = 6 * 1024 * 1024
#: The largest response: Lambda reports the limit as 6291556 bytes [Obs].
MAX_RESPONSE_BYTES = 6291556
#: How long the init phase may take [Doc: 10 seconds].
INIT_LIMIT_SECONDS = 10.0
#: How often a pool looks for changed files under its code folder (seconds).
WATCH_INTERVAL = 0.5
#: Files looked at per code folder (a larger tree is watched partly).
WATCH_MAX_FILES = 5000
_WATCH_SKIP = frozenset(
    ("node_modules", ".git", "__pycache__", ".venv", "venv", ".aws-sam", ".mypy_cache", ".pytest_cache", ".ruff_cache")
)
#: Environment variables of the server passed on to workers (a worker otherwise sees only Lambda's).
PASSED_ENV = (
    "PATH",
    "HOME",
    "LANG",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "SSL_CERT_FILE",
    "SYSTEMROOT",
)
#: Variables Lambda sets that a function's own environment cannot override [Doc: reserved keys].
RESERVED_ENV = frozenset(
    (
        "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV", "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME",
        "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
    )
)  # fmt: skip
#: Go's names of the signals that usually end a runtime, as Lambda prints them ("signal: killed") [Obs].
_SIGNALS = {
    9: "killed",
    11: "segmentation fault",
    6: "aborted",
    15: "terminated",
    7: "bus error",
    8: "floating point exception",
    4: "illegal instruction",
    2: "interrupt",
}


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one invocation gave."""

    #: the function's response payload, when it succeeded
    payload: bytes | None = None
    #: ``{"errorMessage", "errorType", ...}`` for a function error, a timeout, a crash or an init error
    error: dict | None = None
    #: the invoke never reached the function (payload too large, throttled): the service refused it
    rejected: bool = False
    duration_ms: float = 0.0
    init_ms: float | None = None


def _error(kind: str, message: str) -> dict:
    return {"errorMessage": message, "errorType": kind}


def _stamp() -> str:
    now = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now * 1000) % 1000:03d}Z"


def exit_reason(code: int | None) -> str:
    """How Lambda words a runtime's exit: ``exit status 1``, ``signal: killed`` [Obs]."""
    if code is None:
        return "Runtime exited without providing a reason"
    if code < 0:
        return f"Runtime exited with error: signal: {_SIGNALS.get(-code, f'signal {-code}')}"
    if code == 0:
        return "Runtime exited without providing a reason"
    return f"Runtime exited with error: exit status {code}"


class _Job:
    __slots__ = (
        "request_id",
        "event",
        "arn",
        "trace_id",
        "client_context",
        "identity",
        "done",
        "started",
        "deadline_ms",
        "timer",
    )

    def __init__(
        self,
        request_id: str,
        event: bytes,
        arn: str,
        trace_id: str,
        client_context: str | None,
        identity: str | None,
        done: asyncio.Future,
    ) -> None:
        self.request_id = request_id
        self.event = event
        self.arn = arn
        self.trace_id = trace_id
        self.client_context = client_context
        self.identity = identity
        self.done = done
        self.started = 0.0
        self.deadline_ms = 0
        #: the function timeout, armed when the worker takes the event
        self.timer: asyncio.TimerHandle | None = None

    def expire(self) -> None:
        """The function timeout passed: the invocation's outcome is None (timed out)."""
        if not self.done.done():
            self.done.set_result(None)


class Worker:
    """One execution environment: a process, its Runtime API endpoint, its state."""

    def __init__(self, pool: "FunctionPool", launch: Launch) -> None:
        self.pool = pool
        self.launch = launch
        self.generation = pool.generation
        self.loop = asyncio.get_running_loop()
        self.ready: asyncio.Future[dict | None] = self.loop.create_future()
        self.exited: asyncio.Future[int | None] = self.loop.create_future()
        self.process: asyncio.subprocess.Process | None = None
        self.server: asyncio.AbstractServer | None = None
        self.waiter: asyncio.Future[_Job] | None = None
        self.queued: _Job | None = None
        self.job: _Job | None = None
        self.initialized = False
        self.init_ms: float | None = None
        self.spawned = time.perf_counter()
        self.log_stream = f"{time.strftime('%Y/%m/%d', time.gmtime())}/[$LATEST]{uuid.uuid4().hex}"
        self._tasks: list[asyncio.Task] = []
        self._writers: set[asyncio.StreamWriter] = set()
        self._status_fd: int | None = None

    # -- lifecycle ----------------------------------------------------------------------------

    async def start(self) -> None:
        """Open the Runtime API endpoint and start the process; a failure to start is an init error."""
        self.server = await asyncio.start_server(self._connection, "127.0.0.1", 0, limit=http11.MAX_HEAD)
        port = self.server.sockets[0].getsockname()[1]
        fn = self.pool.fn
        env = {k: os.environ[k] for k in PASSED_ENV if k in os.environ}
        env.update(self.launch.environment)
        env.update({k: v for k, v in fn.environment.items() if k not in RESERVED_ENV})
        env.update(
            {
                "_HANDLER": fn.handler,
                "AWS_REGION": fn.region,
                "AWS_DEFAULT_REGION": fn.region,
                "AWS_LAMBDA_FUNCTION_NAME": fn.name,
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(fn.memory_size),
                "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
                "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
                "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{fn.name}",
                "AWS_LAMBDA_LOG_STREAM_NAME": self.log_stream,
                "AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{port}",
                "LAMBDA_TASK_ROOT": str(fn.code_dir),
                "LAMBDA_RUNTIME_DIR": str(self.launch.command[-1].rsplit("/", 1)[0])
                if self.launch.execution_env
                else str(fn.code_dir),
                "TZ": ":UTC",
            }
        )
        if self.launch.execution_env:
            env["AWS_EXECUTION_ENV"] = self.launch.execution_env
        env.setdefault("LANG", "en_US.UTF-8")
        try:
            self.process = await asyncio.create_subprocess_exec(
                *self.launch.command,
                cwd=str(fn.code_dir),
                env=env,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                limit=1 << 20,  # an output line up to 1 MB is printed whole
                start_new_session=True,  # its own process group: a timeout kills the runtime and its children
            )
        except OSError as exc:
            self._close_server()
            self.ready.set_result(
                _error("Runtime.InvalidEntrypoint", f"cannot start {self.launch.command[0]}: {exc.strerror or exc}")
            )
            self.exited.set_result(None)
            return
        self._tasks = [
            asyncio.ensure_future(self._pump(self.process.stdout)),
            asyncio.ensure_future(self._pump(self.process.stderr)),
            asyncio.ensure_future(self._wait()),
        ]

    @property
    def alive(self) -> bool:
        return not self.exited.done()

    def kill(self) -> None:
        """SIGKILL the worker's process group (the runtime and whatever it started)."""
        if self.process is not None and self.process.returncode is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except OSError:
                pass

    async def _wait(self) -> None:
        assert self.process is not None
        code = await self.process.wait()
        for task in self._tasks[:2]:  # the last lines of output first
            try:
                await asyncio.wait_for(task, 1.0)
            except (TimeoutError, asyncio.CancelledError):
                pass
        self.kill()  # children left behind by the runtime
        self._close_server()
        if self._status_fd is not None:
            os.close(self._status_fd)
            self._status_fd = None
        reason = exit_reason(code)
        if not self.ready.done():
            self.ready.set_result(_error("Runtime.ExitError", f"RequestId: {{id}} Error: {reason}"))
        job = self.job or self.queued
        if job is not None and not job.done.done():
            job.done.set_result(
                Outcome(error=_error("Runtime.ExitError", f"RequestId: {job.request_id} Error: {reason}"))
            )
        if self.waiter is not None and not self.waiter.done():
            self.waiter.cancel()
        self.exited.set_result(code)
        self.pool._gone(self)

    def _close_server(self) -> None:
        if self.server is not None:
            self.server.close()
        for writer in list(self._writers):
            writer.close()

    async def _pump(self, stream: asyncio.StreamReader | None) -> None:
        if stream is None:
            return
        sink = self.pool.sink
        prefix = f"[{self.pool.fn.name}] "
        while True:
            try:
                line = await stream.readline()
            except ValueError:  # a line over the stream limit: take what is there
                line = await stream.read(65536)
            if not line:
                return
            sink(prefix + line.rstrip(b"\r\n").decode("utf-8", "replace"))

    # -- work -----------------------------------------------------------------------------------

    def deliver(self, job: _Job) -> None:
        """Hand one invocation to the worker: to its waiting ``/next``, or the next one it makes."""
        self.job = job
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(job)
        else:
            self.queued = job

    # -- the Runtime API ------------------------------------------------------------------------

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            while True:
                request = await http11.read_request(reader, MAX_RESPONSE_BYTES)
                if request is None:
                    return
                status, body, headers = await self._route(*request)
                closing = request[2].get("connection", "").lower() == "close"
                if closing:
                    headers = {**(headers or {}), "Connection": "close"}
                writer.write(http11.response(status, body, headers))
                await writer.drain()
                if closing:
                    return
        except (http11.BadRequest, ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            return
        finally:
            self._writers.discard(writer)
            writer.close()

    async def _route(
        self, method: str, target: str, headers: dict[str, str], body: bytes, too_large: bool
    ) -> tuple[int, bytes, dict[str, str] | None]:
        path = target.split("?", 1)[0]
        if path == "/2018-06-01/runtime/invocation/next" and method == "GET":
            return await self._next()
        if path == "/2018-06-01/runtime/init/error" and method == "POST":
            if self.initialized:
                return 403, b'{"errorMessage":"Invalid state transition","errorType":"InvalidStateTransition"}', None
            error = _posted_error(body, headers)
            if not self.ready.done():
                self.ready.set_result(error)
            return 202, b'{"status":"OK"}', None
        parts = path.split("/")
        if (
            len(parts) == 6
            and parts[:4] == ["", "2018-06-01", "runtime", "invocation"]
            and method == "POST"
            and parts[5] in ("response", "error")
        ):
            job = self.job
            if job is None or job.request_id != parts[4] or job.done.done():
                return 400, b'{"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"}', None
            duration = (time.perf_counter() - job.started) * 1000
            if parts[5] == "error":
                job.done.set_result(Outcome(error=_posted_error(body, headers), duration_ms=duration))
            elif too_large:
                # the runtime's POST is refused; the caller gets the limit error [Obs]
                job.done.set_result(
                    Outcome(
                        error=_error(
                            "Function.ResponseSizeTooLarge",
                            f"Response payload size exceeded maximum allowed payload size ({MAX_RESPONSE_BYTES} bytes).",
                        ),
                        duration_ms=duration,
                    )
                )
                return (
                    413,
                    json.dumps(
                        _error(
                            "RequestEntityTooLarge",
                            f"Exceeded maximum allowed payload size ({MAX_RESPONSE_BYTES} bytes).",
                        )
                    ).encode(),
                    None,
                )
            else:
                job.done.set_result(Outcome(payload=body, duration_ms=duration))
            return 202, b'{"status":"OK"}', None
        return 404, json.dumps(_error("InvalidRequest", f"{method} {path} is not a Runtime API route")).encode(), None

    async def _next(self) -> tuple[int, bytes, dict[str, str]]:
        if not self.initialized:
            self.initialized = True
            self.init_ms = (time.perf_counter() - self.spawned) * 1000
            if not self.ready.done():
                self.ready.set_result(None)
        job = self.queued
        self.queued = None
        if job is None:
            self.waiter = self.loop.create_future()
            job = await self.waiter
            self.waiter = None
        job.started = time.perf_counter()
        job.deadline_ms = int(time.time() * 1000 + self.pool.fn.timeout * 1000)
        job.timer = self.loop.call_later(self.pool.fn.timeout, job.expire)  # the timeout counts from here
        self.pool.sink(f"START RequestId: {job.request_id} Version: $LATEST")
        headers = {
            "Lambda-Runtime-Aws-Request-Id": job.request_id,
            "Lambda-Runtime-Deadline-Ms": str(job.deadline_ms),
            "Lambda-Runtime-Invoked-Function-Arn": job.arn,
            "Lambda-Runtime-Trace-Id": job.trace_id,
        }
        if job.client_context is not None:
            headers["Lambda-Runtime-Client-Context"] = job.client_context
        if job.identity is not None:
            headers["Lambda-Runtime-Cognito-Identity"] = job.identity
        return 200, job.event, headers

    def max_memory_mb(self) -> int | None:
        """The process's peak resident memory (VmHWM), in MB, as REPORT's Max Memory Used (Linux; None elsewhere)."""
        if self.process is None:
            return None
        try:
            if self._status_fd is None:
                self._status_fd = os.open(f"/proc/{self.process.pid}/status", os.O_RDONLY)
            text = os.pread(self._status_fd, 4096, 0)
        except OSError:
            return None
        at = text.find(b"VmHWM:")
        if at < 0:
            return None
        return math.ceil(int(text[at + 6 : text.index(b"kB", at)]) / 1024)


def _posted_error(body: bytes, headers: dict[str, str]) -> dict:
    """The error a runtime posted: its JSON object, or its text under the header's error type."""
    kind = headers.get("lambda-runtime-function-error-type") or "Unhandled"
    try:
        data = json.loads(body) if body else None
    except ValueError:
        data = None
    if isinstance(data, dict):
        data.setdefault("errorType", kind)
        data.setdefault("errorMessage", "")
        return data
    return {"errorMessage": body.decode("utf-8", "replace"), "errorType": kind}


class FunctionPool:
    """The warm workers of one function and the invocations waiting for one."""

    def __init__(self, fn: FunctionConfig, launch: Launch, *, max_workers: int, sink: Callable[[str], None]) -> None:
        self.fn = fn
        self.launch = launch
        #: ReservedConcurrentExecutions caps the pool, else ``max_workers``; more concurrent calls wait for a worker [Inf]
        self.max_workers = max(
            1, max_workers if not fn.reserved_concurrency else min(max_workers, fn.reserved_concurrency)
        )
        self.sink = sink
        self.generation = 0
        self.workers: set[Worker] = set()
        self.idle: list[Worker] = []
        self.waiters: deque[asyncio.Future[Worker]] = deque()
        self.closed = False
        self._watcher: asyncio.Task | None = None
        self._stamp: Any = None

    # -- invoking -------------------------------------------------------------------------------

    async def invoke(
        self, event: bytes, *, request_id: str, arn: str, client_context: str | None = None, identity: str | None = None
    ) -> Outcome:
        """Run one invocation on a worker; never raises (every failure is an `Outcome` error)."""
        fn = self.fn
        if len(event) > MAX_REQUEST_BYTES:
            # the service refuses it before any worker [Doc limit; Obs wording]
            return Outcome(
                error=_error(
                    "RequestEntityTooLargeException",
                    f"Request must be smaller than {MAX_REQUEST_BYTES} bytes for the InvokeFunction operation",
                ),
                rejected=True,
            )
        if fn.reserved_concurrency == 0:
            return Outcome(error=_error("TooManyRequestsException", "Rate Exceeded."), rejected=True)
        worker = await self._acquire()
        loop = asyncio.get_running_loop()
        trace = f"Root=1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]};Parent={uuid.uuid4().hex[:16]};Sampled=0;Lineage=1:{uuid.uuid4().hex[:8]}:0"
        job = _Job(request_id, event, arn, trace, client_context, identity, loop.create_future())
        cold = not worker.initialized
        worker.deliver(job)
        init_ms = None
        if cold:
            try:
                init_error = await asyncio.wait_for(asyncio.shield(worker.ready), INIT_LIMIT_SECONDS)
            except TimeoutError:
                init_error = _error(
                    "Sandbox.Timedout",
                    f"{_stamp()} {request_id} Task timed out after {INIT_LIMIT_SECONDS:.2f} seconds (the init phase)",
                )
            if init_error is not None:
                worker.kill()
                message = str(init_error.get("errorMessage", "")).replace("{id}", request_id)
                error = {**init_error, "errorMessage": message}
                self.sink(
                    f"INIT_REPORT Init Duration: {(time.perf_counter() - worker.spawned) * 1000:.2f} ms\tPhase: init\tStatus: error\tError Type: {error.get('errorType')}"
                )
                if not job.done.done():
                    job.done.set_result(Outcome(error=error))
                await worker.exited
                return Outcome(error=error, init_ms=worker.init_ms)
            init_ms = worker.init_ms
        outcome: Outcome | None = await job.done  # None: the timer of `_next` fired first
        if job.timer is not None:
            job.timer.cancel()
        duration = (time.perf_counter() - job.started) * 1000 if job.started else 0.0
        status = ""
        if outcome is None:
            worker.kill()
            # Lambda's wording; the newer runtimes' error type [Obs]
            message = f"{_stamp()} {request_id} Task timed out after {fn.timeout:.2f} seconds"
            self.sink(f"[{fn.name}] {message}")
            outcome = Outcome(error=_error("Sandbox.Timedout", message))
            status = "\tStatus: timeout"
        elif outcome.error is not None and outcome.error.get("errorType") == "Runtime.ExitError":
            status = "\tStatus: error\tError Type: Runtime.ExitError"
        memory = worker.max_memory_mb() if worker.alive else None
        self.sink(f"END RequestId: {request_id}")
        report = f"REPORT RequestId: {request_id}\tDuration: {duration:.2f} ms\tBilled Duration: {max(1, math.ceil(duration))} ms\tMemory Size: {fn.memory_size} MB"
        if memory is not None:
            report += f"\tMax Memory Used: {memory} MB"
        if init_ms is not None:
            report += f"\tInit Duration: {init_ms:.2f} ms"
        self.sink(report + status)
        if outcome.error is not None and outcome.error.get("errorType") in ("Sandbox.Timedout", "Runtime.ExitError"):
            await worker.exited  # gone from the pool before the caller hears of it
        else:
            self._release(worker)
        return Outcome(payload=outcome.payload, error=outcome.error, duration_ms=duration, init_ms=init_ms)

    async def _acquire(self) -> Worker:
        while self.idle:
            worker = self.idle.pop()  # the most recently used: the warmest
            if worker.alive and worker.generation == self.generation:
                return worker
            self._retire(worker)
        if len(self.workers) < self.max_workers:
            return await self._spawn()
        waiter: asyncio.Future[Worker] = asyncio.get_running_loop().create_future()
        self.waiters.append(waiter)
        return await waiter

    async def _spawn(self) -> Worker:
        worker = Worker(self, self.launch)
        self.workers.add(worker)
        await worker.start()
        if self._watcher is None and not self.closed:
            self._watcher = asyncio.ensure_future(self._watch())
        return worker

    def _release(self, worker: Worker) -> None:
        worker.job = None
        if not worker.alive or worker.generation != self.generation or self.closed:
            self._retire(worker)
            self._serve_waiter()
            return
        while self.waiters:
            waiter = self.waiters.popleft()
            if not waiter.done():
                waiter.set_result(worker)
                return
        self.idle.append(worker)

    def _serve_waiter(self) -> None:
        """A worker left: start one for the first caller still waiting, if any."""
        while self.waiters and not self.closed and len(self.workers) < self.max_workers:
            waiter = self.waiters.popleft()
            if waiter.done():
                continue

            async def hand_over(w: asyncio.Future[Worker] = waiter) -> None:
                worker = await self._spawn()
                if w.done():
                    self._release(worker)
                else:
                    w.set_result(worker)

            asyncio.ensure_future(hand_over())
            return

    def _retire(self, worker: Worker) -> None:
        worker.kill()
        self.workers.discard(worker)
        if worker in self.idle:
            self.idle.remove(worker)

    def _gone(self, worker: Worker) -> None:
        """A worker's process ended (crash, timeout kill, recycle)."""
        self.workers.discard(worker)
        if worker in self.idle:
            self.idle.remove(worker)
        self._serve_waiter()

    # -- edit and go ----------------------------------------------------------------------------

    async def _watch(self) -> None:
        self._stamp = await _shared_stamp(self.fn.code_dir)
        while not self.closed:
            await asyncio.sleep(WATCH_INTERVAL)
            if not self.workers:
                continue
            stamp = await _shared_stamp(self.fn.code_dir)
            if stamp != self._stamp:
                self._stamp = stamp
                self.recycle(f"code changed under {self.fn.code_dir}")

    def recycle(self, why: str) -> None:
        """Start fresh workers from now on: idle ones stop now, busy ones after their invocation."""
        self.generation += 1
        for worker in list(self.idle):
            self._retire(worker)
        self.sink(f"[{self.fn.name}] {why}: workers recycled")

    async def close(self) -> None:
        self.closed = True
        if self._watcher is not None:
            self._watcher.cancel()
        workers = list(self.workers)
        for worker in workers:
            worker.kill()
        for worker in workers:
            try:
                await asyncio.wait_for(asyncio.shield(worker.exited), 5)
            except TimeoutError:
                pass
        for waiter in self.waiters:
            if not waiter.done():
                waiter.cancel()

    def kill_all(self) -> None:
        """At interpreter exit, from any thread: kill every worker."""
        for worker in list(self.workers):
            worker.kill()


#: folder -> (when, its stamp): functions sharing a code folder walk it once per interval
_STAMPS: dict[str, tuple[float, tuple]] = {}


async def _shared_stamp(folder) -> tuple:
    key = str(folder)
    now = time.monotonic()
    cached = _STAMPS.get(key)
    if cached is not None and now - cached[0] < WATCH_INTERVAL * 0.8:
        return cached[1]
    stamp = await asyncio.to_thread(folder_stamp, folder)
    _STAMPS[key] = (time.monotonic(), stamp)
    return stamp


def folder_stamp(folder) -> tuple:
    """What changes when a file under ``folder`` is added, removed or written (dependency folders skipped)."""
    stamp = []
    count = 0
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in _WATCH_SKIP)
        for name in sorted(files):
            if name.endswith((".pyc", ".pyo")):
                continue
            try:
                st = os.stat(os.path.join(root, name))
            except OSError:
                continue
            stamp.append((root, name, st.st_mtime_ns, st.st_size))
            count += 1
            if count >= WATCH_MAX_FILES:
                return tuple(stamp)
    return tuple(stamp)
