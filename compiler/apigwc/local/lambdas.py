"""Local Lambda functions: Python handlers that stand in for the functions an API invokes.

``x-apigwc.local.lambdas`` (or ``apigwc serve --lambda NAME=module:callable``) maps a
function name to a handler; `Handlers` imports it and calls it the way the Python
runtime of AWS Lambda does: ``handler(event, context)`` with a JSON event and a
`LambdaContext`, the result serialized to JSON, an exception turned into the runtime's
``{"errorMessage", "errorType", "stackTrace"}`` [Doc].

* Each call runs on a daemon worker thread (`_Workers`), never on the event loop: a
  handler that blocks or loops forever costs a thread, not the server, and never holds
  up the process's exit.  Python cannot stop a thread, so a handler that runs past its
  time limit keeps running in the background; its result is discarded [Inf].
* Nothing a handler does escapes: exceptions, ``sys.exit()``, results that are not JSON,
  imports that fail, all become an `Invocation` with ``error`` set, worded like the
  Lambda Python runtime [Obs].
* Module state is shared by every call (one warm execution environment), and calls may
  run concurrently [Inf; Lambda would start one environment per concurrent request].

docs/local-lambda.md lists every choice.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import queue
import re
import sys
import threading
import time
import traceback
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

from .. import gateway as gw
from ..intrinsics import Intrinsic, fill_variables
from ..runtime.context import LOCAL_ACCOUNT_ID, LOCAL_AWS_VARIABLES, LOCAL_PARTITION, LOCAL_REGION

#: A function's time limit when ``lambdaTimeoutSeconds`` is not set: Lambda's default
#: function timeout, 3 seconds [Doc].
DEFAULT_TIMEOUT_SECONDS = 3.0
#: How long importing a handler's module may take: Lambda's init phase limit [Doc].
INIT_TIMEOUT_SECONDS = 10.0
#: ``context.memory_limit_in_mb``: Lambda's default memory size [Doc].
DEFAULT_MEMORY_MB = 128
#: The largest result a synchronous invocation may return: 6 MB [Doc].
MAX_RESPONSE_BYTES = 6 * 1024 * 1024

_FUNCTION = re.compile(
    r"^(?:arn:[^:]+:lambda:[^:]+:)?(?:[0-9]{12}:)?(?:function:)?(?P<name>[A-Za-z0-9_.-]+)(?::(?P<qualifier>[A-Za-z0-9_$-]+))?$"
)
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True, slots=True)
class Invocation:
    """What one call of a handler gave: a result, or an error in the Lambda runtime's shape."""

    #: the handler's return value after a JSON round trip (what Lambda returns), when it succeeded
    result: Any = None
    #: ``{"errorMessage": str, "errorType": str, "stackTrace": [str]}`` when it raised, exited or timed out
    error: dict | None = None
    latency_ms: float = 0.0
    #: lines for the execution log
    log: tuple[str, ...] = ()

    @property
    def failed(self) -> bool:
        return self.error is not None

    @property
    def error_message(self) -> str | None:
        """The ``errorMessage`` of a failed call (None when it succeeded)."""
        return None if self.error is None else str(self.error.get("errorMessage", ""))


class LambdaContext:
    """The ``context`` argument of a handler, with the attributes of the Lambda Python runtime's [Doc].

    ``memory_limit_in_mb`` is a string, as in the runtime, which reads it from an
    environment variable [Obs].  ``get_remaining_time_in_millis()`` counts down from the
    function's time limit once the handler starts.
    """

    def __init__(
        self,
        function_name: str,
        *,
        qualifier: str | None = None,
        aws_request_id: str | None = None,
        memory_limit_in_mb: int = DEFAULT_MEMORY_MB,
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
    ) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        arn = f"arn:{LOCAL_PARTITION}:lambda:{LOCAL_REGION}:{LOCAL_ACCOUNT_ID}:function:{function_name}"
        self.invoked_function_arn = f"{arn}:{qualifier}" if qualifier else arn
        self.memory_limit_in_mb = str(memory_limit_in_mb)
        self.aws_request_id = aws_request_id or str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = f"{time.strftime('%Y/%m/%d', time.gmtime())}/[$LATEST]{uuid.uuid4().hex}"
        self.identity = None
        self.client_context = None
        self._deadline = time.monotonic() + timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before the function's time limit (0 once it has passed)."""
        return max(0, int((self._deadline - time.monotonic()) * 1000))

    def log(self, message: str) -> None:
        """Write to the function's log (here: the server's stdout)."""
        sys.stdout.write(message)

    def _start(self, limit: float) -> None:
        self._deadline = time.monotonic() + limit

    def __repr__(self) -> str:
        return f"LambdaContext(function_name={self.function_name!r}, aws_request_id={self.aws_request_id!r})"


# ----------------------------------------------------------------------------------------
# Worker threads


class _Workers:
    """Daemon threads that run handler calls; one more is started whenever none is idle.

    Daemon threads because a handler stuck in a loop must not keep the process alive
    (`concurrent.futures` joins its threads at exit).
    """

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._idle = 0
        self._started = 0

    def submit(self, job: Callable[[], None]) -> None:
        with self._lock:
            if self._idle:
                self._idle -= 1
            else:
                self._started += 1
                threading.Thread(target=self._run, name=f"apigwc-lambda-{self._started}", daemon=True).start()
        self._jobs.put(job)

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            try:
                job()
            except BaseException:  # noqa: BLE001 - jobs report their own outcome; a worker never dies
                pass
            with self._lock:
                self._idle += 1


_WORKERS = _Workers()


async def _in_thread(fn: Callable[[], Any]) -> tuple[bool, Any]:
    """Run ``fn`` on a worker thread: (True, its value) or (False, the exception it raised)."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[tuple[bool, Any]] = loop.create_future()

    def deliver(outcome: tuple[bool, Any]) -> None:
        if not future.done():  # cancelled when the caller gave up (a timeout)
            future.set_result(outcome)

    def job() -> None:
        try:
            outcome: tuple[bool, Any] = (True, fn())
        except BaseException as exc:  # noqa: BLE001 - SystemExit and KeyboardInterrupt included
            outcome = (False, exc)
        try:
            loop.call_soon_threadsafe(deliver, outcome)
        except RuntimeError:  # the event loop is closed: nobody is waiting any more
            pass

    _WORKERS.submit(job)
    return await future


# ----------------------------------------------------------------------------------------
# Handlers


@dataclass(frozen=True, slots=True)
class HandlerRef:
    """One configured handler: ``module:callable`` for a function name."""

    function: str
    #: as written: ``handlers.pets:handler`` (or Lambda's ``handlers/pets.handler`` style ``pets.handler``)
    target: str
    module: str
    attribute: str
    #: where it was configured: ``x-apigwc.local.lambdas`` or ``--lambda``
    origin: str


def parse_target(target: str) -> tuple[str, str] | None:
    """``module.path:callable`` (or Lambda's ``module.callable``) -> (module, attribute path), or None."""
    text = target.strip()
    if ":" in text:
        module, _, attribute = text.partition(":")
    else:
        module, _, attribute = text.rpartition(".")
    module, attribute = module.strip(), attribute.strip()
    if not module or not attribute:
        return None
    if not all(_IDENTIFIER.match(p) for p in module.split(".")) or not all(
        _IDENTIFIER.match(p) for p in attribute.split(".")
    ):
        return None
    return module, attribute


class _Entry:
    __slots__ = ("ref", "lock", "fn")

    def __init__(self, ref: HandlerRef) -> None:
        self.ref = ref
        self.lock = threading.Lock()
        self.fn: Callable[..., Any] | None = None


class _LoadError(Exception):
    def __init__(self, error: dict) -> None:
        super().__init__(error["errorMessage"])
        self.error = error


class Handlers:
    """The local handlers of one API: function name -> ``module:callable``, imported on first use."""

    __slots__ = ("_entries", "_index", "_problems", "_checked", "timeout_seconds", "paths")

    def __init__(
        self, refs: Mapping[str, HandlerRef], *, timeout_seconds: float, paths: tuple[Path, ...], problems: list[str]
    ) -> None:
        self._entries = {name: _Entry(ref) for name, ref in refs.items()}
        #: lookup form -> configured name (``name``, ``name:alias`` and ARNs given as keys)
        self._index: dict[str, str] = {}
        for name in refs:
            self._index.setdefault(name, name)
        for name in refs:
            m = _FUNCTION.match(name)
            if m is not None and m.group("name") != name:
                short = m.group("name") + (f":{m.group('qualifier')}" if m.group("qualifier") else "")
                self._index.setdefault(short, name)
        self._problems = problems
        self._checked = False
        #: the handler time limit (``lambdaTimeoutSeconds``, else Lambda's default 3 s)
        self.timeout_seconds = timeout_seconds
        #: the folders added to ``sys.path``
        self.paths = paths

    @classmethod
    def create(
        cls, settings: gw.LocalSettings | None, base_dir: Path, overrides: Mapping[str, str] | None = None
    ) -> "Handlers":
        """The handlers of ``x-apigwc.local`` plus ``--lambda`` overrides (which win); never raises.

        ``base_dir`` (the spec's folder) and each ``pythonPath`` entry (relative to it) are
        put at the front of ``sys.path``, as Lambda puts the function's folder first.
        """
        problems: list[str] = []
        configured: dict[str, tuple[str, str]] = {}
        for name, target in (settings.lambdas if settings is not None else {}).items():
            configured[name] = (target, "x-apigwc.local.lambdas")
        for name, target in (overrides or {}).items():
            configured[name] = (target, "--lambda")
        refs: dict[str, HandlerRef] = {}
        for name, (target, origin) in configured.items():
            parsed = parse_target(target) if isinstance(target, str) else None
            if parsed is None:
                problems.append(
                    f"{name}: {target!r} ({origin}) is not a handler: write module:callable, e.g. handlers.pets:handler"
                )
                continue
            refs[name] = HandlerRef(function=name, target=target, module=parsed[0], attribute=parsed[1], origin=origin)
        paths = [Path(base_dir)]
        for entry in settings.python_path if settings is not None else ():
            paths.append(Path(base_dir) / entry)
        resolved: list[Path] = []
        for path in paths:
            try:
                path = path.resolve()
            except OSError:
                pass
            if not path.is_dir():
                problems.append(f"pythonPath {path} is not a folder")
                continue
            resolved.append(path)
        for path in reversed(resolved):
            if str(path) not in sys.path:
                sys.path.insert(0, str(path))
        timeout = settings.lambda_timeout_seconds if settings is not None else None
        if timeout is None or timeout <= 0:
            timeout = DEFAULT_TIMEOUT_SECONDS
        return cls(refs, timeout_seconds=float(timeout), paths=tuple(resolved), problems=problems)

    # -- configuration ---------------------------------------------------------------------

    def names(self) -> tuple[str, ...]:
        """The configured function names (keys of the mapping), sorted."""
        return tuple(sorted(self._entries))

    def ref(self, name: str) -> HandlerRef | None:
        """The handler configured for a function name."""
        entry = self._entries.get(name)
        return entry.ref if entry is not None else None

    def problems(self) -> list[str]:
        """Configuration problems and handlers that cannot be imported, with the reason.

        The first call imports every handler's module (running its top-level code), so a
        server can report broken handlers at start; later calls return the same list.
        """
        if not self._checked:
            self._checked = True
            for name in sorted(self._entries):
                try:
                    self._load(self._entries[name])
                except _LoadError as exc:
                    ref = self._entries[name].ref
                    self._problems.append(
                        f"{name}: {ref.target} ({ref.origin}): {exc.error['errorType']}: {exc.error['errorMessage']}"
                    )
        return list(self._problems)

    # -- which function ----------------------------------------------------------------------

    def resolve(self, fn: gw.LambdaFunction | None, stage_variables: Mapping[str, str]) -> str | None:
        """The configured name for the function an integration or authorizer invokes, or None.

        The ARN's ``${stageVariables.x}`` are filled (a function name or an alias from the
        stage); then the mapping is searched for the full ARN, ``name:qualifier`` and the
        bare name, in that order.  An ARN that is a CloudFormation intrinsic is looked up by
        the logical id it names (``!GetAtt PetsFunction.Arn`` -> ``PetsFunction``) [Inf].
        """
        for candidate in self._candidates(fn, stage_variables):
            name = self._index.get(candidate)
            if name is not None:
                return name
        return None

    def describe(self, fn: gw.LambdaFunction | None, stage_variables: Mapping[str, str]) -> str:
        """The function as the messages name it: its name, or its (filled) ARN."""
        if fn is None:
            return "(no Lambda function in the URI)"
        if isinstance(fn.arn, Intrinsic):
            names = intrinsic_names(fn.arn)
            return names[0] if names else str(fn.arn)
        filled = _fill(fn.arn, stage_variables)
        m = _FUNCTION.match(filled)
        if m is None:
            return filled
        return m.group("name") + (f":{m.group('qualifier')}" if m.group("qualifier") else "")

    def suggested_key(self, fn: gw.LambdaFunction | None, stage_variables: Mapping[str, str]) -> str:
        """The mapping key to suggest when no handler is configured: the bare function name."""
        described = self.describe(fn, stage_variables)
        return described.split(":", 1)[0] if not described.startswith(("arn:", "{", "(")) else described

    def qualifier(self, fn: gw.LambdaFunction | None, stage_variables: Mapping[str, str]) -> str | None:
        """The alias or version the integration invokes (for ``invoked_function_arn``)."""
        if fn is None or isinstance(fn.arn, Intrinsic):
            return None
        m = _FUNCTION.match(_fill(fn.arn, stage_variables))
        return m.group("qualifier") if m is not None else None

    def _candidates(self, fn: gw.LambdaFunction | None, stage_variables: Mapping[str, str]) -> list[str]:
        if fn is None:
            return []
        if isinstance(fn.arn, Intrinsic):
            return intrinsic_names(fn.arn)
        filled = _fill(fn.arn, stage_variables)
        out = [filled]
        m = _FUNCTION.match(filled)
        if m is not None:
            name, qualifier = m.group("name"), m.group("qualifier")
            if qualifier:
                out.append(f"{name}:{qualifier}")
            out.append(name)
        elif fn.name:
            out.append(fn.name)
        return out

    def context(self, name: str, *, qualifier: str | None = None, aws_request_id: str | None = None) -> LambdaContext:
        """A fresh `LambdaContext` for one call of function ``name``."""
        return LambdaContext(
            name, qualifier=qualifier, aws_request_id=aws_request_id, timeout_seconds=self.timeout_seconds
        )

    # -- calling -------------------------------------------------------------------------------

    async def invoke(
        self, name: str, event: Any, *, context: LambdaContext, timeout: float | None = None
    ) -> Invocation:
        """Call the handler of ``name`` with ``event`` on a worker thread, within the time limit.

        ``timeout`` defaults to the handler limit (`timeout_seconds`).  Never raises
        (cancellation by the caller's own deadline aside): every failure is an
        `Invocation` whose ``error`` has the Lambda runtime's shape.
        """
        started = time.perf_counter()
        limit = self.timeout_seconds if timeout is None else timeout
        entry = self._entries.get(name)
        if entry is None:
            error = _runtime_error("Runtime.HandlerNotFound", f"No local handler is configured for the function {name}")
            return Invocation(error=error, log=(f"Lambda function {name} has no local handler",))
        ref = entry.ref
        log = [f"Invoking {name} ({ref.target}), request id {context.aws_request_id}, time limit {limit:g} s"]
        fn = entry.fn
        if fn is None:
            try:
                async with asyncio.timeout(INIT_TIMEOUT_SECONDS):
                    ok, loaded = await _in_thread(lambda: self._load(entry))
            except TimeoutError:
                ok, loaded = (
                    False,
                    _LoadError(
                        _runtime_error(
                            "Runtime.ImportModuleError",
                            f"Unable to import module '{ref.module}': the import did not finish within {INIT_TIMEOUT_SECONDS:g} seconds",
                        )
                    ),
                )
            if not ok:
                error = loaded.error if isinstance(loaded, _LoadError) else _exception_error(loaded, context)
                log.append(f"Function error ({error['errorType']}): {error['errorMessage']}")
                return Invocation(error=error, latency_ms=_ms(started), log=tuple(log))
            fn = loaded

        def call() -> Any:
            payload = json.loads(json.dumps(event))  # the handler gets plain JSON values, as in Lambda
            context._start(limit)
            result = fn(payload, context)
            return _marshal(result)

        try:
            async with asyncio.timeout(limit):
                ok, value = await _in_thread(call)
        except TimeoutError:
            context._start(0)
            stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()) + f".{int(time.time() * 1000) % 1000:03d}Z"
            # Lambda's wording [Obs]; "Sandbox.Timedout" is the newer runtimes' error type [Obs]
            error = {
                "errorMessage": f"{stamp} {context.aws_request_id} Task timed out after {limit:.2f} seconds",
                "errorType": "Sandbox.Timedout",
                "stackTrace": [],
            }
            log.append(
                f"Function error (Sandbox.Timedout): {error['errorMessage']}; the handler keeps running in the background (Python cannot stop a thread), its result will be discarded"
            )
            return Invocation(error=error, latency_ms=_ms(started), log=tuple(log))
        latency = _ms(started)
        if ok:
            log.append(f"Function completed in {latency:.0f} ms")
            return Invocation(result=value, latency_ms=latency, log=tuple(log))
        error = value.error if isinstance(value, _MarshalError) else _exception_error(value, context)
        log.append(f"Function error ({error['errorType']}): {error['errorMessage']}")
        for frame in error.get("stackTrace") or ():
            log.append("  " + frame.rstrip("\n").replace("\n", "\n  "))
        return Invocation(error=error, latency_ms=latency, log=tuple(log))

    def _load(self, entry: _Entry) -> Callable[..., Any]:
        """Import the handler (once; a failure is retried on the next call)."""
        with entry.lock:
            if entry.fn is not None:
                return entry.fn
            ref = entry.ref
            try:
                module = importlib.import_module(ref.module)
            except SyntaxError as exc:
                raise _LoadError(
                    _runtime_error("Runtime.UserCodeSyntaxError", f"Syntax error in module '{ref.module}': {exc}")
                ) from None
            except BaseException as exc:  # noqa: BLE001 - ImportError, or anything the module's code raised (SystemExit too)
                raise _LoadError(
                    _runtime_error("Runtime.ImportModuleError", f"Unable to import module '{ref.module}': {exc}")
                ) from None
            target: Any = module
            for part in ref.attribute.split("."):
                target = getattr(target, part, None)
                if target is None:
                    break
            if target is None or not callable(target):
                what = "missing on" if target is None else "is not callable in"
                raise _LoadError(
                    _runtime_error("Runtime.HandlerNotFound", f"Handler '{ref.attribute}' {what} module '{ref.module}'")
                )
            entry.fn = target
            return target


# ----------------------------------------------------------------------------------------
# Results and errors


class _MarshalError(Exception):
    def __init__(self, error: dict) -> None:
        super().__init__(error["errorMessage"])
        self.error = error


def _marshal(result: Any) -> Any:
    """The result as the caller receives it (a JSON round trip), or a Runtime.MarshalError [Obs]."""
    if asyncio.iscoroutine(result):
        result.close()  # the Python runtime does not await coroutines: it fails to serialize one [Obs]
        raise _MarshalError(
            _runtime_error(
                "Runtime.MarshalError", "Unable to marshal response: Object of type coroutine is not JSON serializable"
            )
        )
    try:
        text = json.dumps(result)
    except (TypeError, ValueError) as exc:
        raise _MarshalError(_runtime_error("Runtime.MarshalError", f"Unable to marshal response: {exc}")) from None
    if len(text.encode("utf-8")) > MAX_RESPONSE_BYTES:
        raise _MarshalError(
            _runtime_error(
                "Function.ResponseSizeTooLarge",
                f"Response payload size exceeded maximum allowed payload size ({MAX_RESPONSE_BYTES} bytes).",
            )
        )
    return json.loads(text)


def _runtime_error(kind: str, message: str) -> dict:
    return {"errorMessage": message, "errorType": kind, "stackTrace": []}


def _exception_error(exc: BaseException, context: LambdaContext) -> dict:
    """The Python runtime's error for an exception a handler raised [Doc: errorMessage, errorType, stackTrace]."""
    if isinstance(exc, SystemExit):
        # the runtime process exits: Lambda reports Runtime.ExitError [Obs]
        code = exc.code
        if code is None or code == 0:
            reason = "Runtime exited without providing a reason"
        else:
            reason = f"Runtime exited with error: exit status {code if isinstance(code, int) else 1}"
        return _runtime_error("Runtime.ExitError", f"RequestId: {context.aws_request_id} Error: {reason}")
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename != __file__]
    try:
        message = str(exc)
    except BaseException:  # noqa: BLE001 - a broken __str__
        message = repr(exc)
    # the python3.12 runtime adds the request id [Obs: localstack's AWS-validated
    # test_lambda_selection_patterns, docs/conformance.md]
    return {
        "errorMessage": message,
        "errorType": type(exc).__name__,
        "requestId": context.aws_request_id,
        "stackTrace": traceback.format_list(frames),
    }


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def _fill(arn: str, stage_variables: Mapping[str, str]) -> str:
    return fill_variables(arn, stage_variables, LOCAL_AWS_VARIABLES).text


_SUB_NAME = re.compile(r"\$\{([A-Za-z0-9]+)(?:\.Arn)?\}")


def intrinsic_names(value: Intrinsic) -> list[str]:
    """Logical ids an intrinsic ARN refers to: ``!GetAtt Fn.Arn``, ``!Ref Fn``, ``!Sub ${Fn.Arn}``."""
    args = value.args
    if value.fn == "Fn::GetAtt":
        if isinstance(args, list) and args and isinstance(args[0], str):
            return [args[0]]
        if isinstance(args, str):
            return [args.split(".", 1)[0]]
    if value.fn == "Ref" and isinstance(args, str):
        return [args]
    text = value.referenced_text() if value.fn in ("Fn::Sub", "Fn::Join") else ""
    return [m.group(1) for m in _SUB_NAME.finditer(text)]
