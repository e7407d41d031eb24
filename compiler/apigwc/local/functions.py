"""The functions of one API run as Lambda does: worker processes on the Runtime API.

`Functions` is what the local gateway's Lambda integrations and authorizers call (the
same interface as the in-process `lambdas.Handlers`): it finds the configured
function an ARN names, and invokes it on its `apigwc.lambda_runtime.pool.FunctionPool`
(worker processes on the Lambda Runtime API).  Functions come from

* ``x-apigwc.local.functions`` (or a template's functions): `gateway.LocalFunction`
  with a runtime, a handler, a code folder, environment, timeout, memory;
* the older ``x-apigwc.local.lambdas: {Name: module:callable}``: Python functions whose
  code folder is the spec's, with ``pythonPath`` and ``lambdaTimeoutSeconds``;
* ``--lambda NAME=HANDLER``: replaces the handler of a configured function, or adds a
  function: Node.js when ``HANDLER`` names a ``.js``/``.mjs``/``.cjs`` file in the
  spec's folder, else Python.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Callable, Mapping

from .. import gateway as gw
from ..lambda_runtime import service
from ..lambda_runtime.output import print_sink
from ..lambda_runtime.pool import FunctionPool
from ..lambda_runtime.runtimes import FunctionConfig, Launch, Unsupported, handler_problem, launch, missing_entry
from ..runtime.context import LOCAL_REGION
from .lambdas import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_SECONDS, FunctionNames, Invocation, LambdaContext

#: Workers per function when neither ReservedConcurrentExecutions nor --max-workers says.
DEFAULT_MAX_WORKERS = 8
#: The runtime of functions from ``x-apigwc.local.lambdas`` and of ``--lambda`` Python handlers.
DEFAULT_PYTHON = "python3"
_NODE_FILES = (".js", ".mjs", ".cjs")


class Functions(FunctionNames):
    """Function name -> a pool of worker processes, started on first invocation."""

    __slots__ = ("configs", "launches", "pools", "_problems", "sink", "max_workers", "timeout_seconds")

    def __init__(
        self,
        configs: Mapping[str, FunctionConfig],
        problems: list[str],
        *,
        max_workers: int,
        sink: Callable[[str], None],
    ) -> None:
        super().__init__(configs)
        self.configs = dict(configs)
        self.launches: dict[str, Launch | Unsupported] = {name: launch(fn) for name, fn in configs.items()}
        self.pools: dict[str, FunctionPool] = {}
        self._problems = problems
        self.sink = sink
        self.max_workers = max_workers
        #: the longest function timeout (what a caller may wait)
        self.timeout_seconds = max((fn.timeout for fn in configs.values()), default=DEFAULT_TIMEOUT_SECONDS)

    @classmethod
    def create(
        cls,
        settings: gw.LocalSettings | None,
        base_dir: Path,
        overrides: Mapping[str, str] | None = None,
        *,
        max_workers: int | None = None,
        sink: Callable[[str], None] = print_sink,
    ) -> "Functions":
        """The functions of ``x-apigwc.local`` plus ``--lambda`` overrides (which win); never raises."""
        base_dir = Path(base_dir).resolve()
        problems: list[str] = []
        configs: dict[str, FunctionConfig] = {}
        timeout = settings.lambda_timeout_seconds if settings is not None else None
        timeout = float(timeout) if timeout and timeout > 0 else DEFAULT_TIMEOUT_SECONDS
        python_path = tuple(base_dir / p for p in (settings.python_path if settings is not None else ()))
        for name, target in (settings.lambdas if settings is not None else {}).items():
            configs[name] = _python(name, target, base_dir, python_path, timeout, "x-apigwc.local.lambdas")
        for name, fn in (getattr(settings, "functions", None) or {}).items():
            for layer in fn.layers:
                if layer.startswith("arn:"):
                    problems.append(
                        f"{name}: layer {layer} is not on this machine (give its folder in layers); what it provides is missing"
                    )
                elif not _folder(base_dir, layer).is_dir():
                    problems.append(f"{name}: layer folder {_folder(base_dir, layer)} does not exist")
            configs[name] = FunctionConfig(
                name=fn.name,
                runtime=fn.runtime,
                handler=fn.handler,
                code_dir=_folder(base_dir, fn.code_uri),
                environment=dict(fn.environment),
                timeout=float(fn.timeout) if fn.timeout and fn.timeout > 0 else DEFAULT_TIMEOUT_SECONDS,
                memory_size=int(fn.memory_size) if fn.memory_size else DEFAULT_MEMORY_MB,
                layers=tuple(_folder(base_dir, layer) for layer in fn.layers if not layer.startswith("arn:")),
                reserved_concurrency=fn.reserved_concurrency,
                python_path=python_path,
                origin=fn.pointer or "x-apigwc.local.functions",
                region=LOCAL_REGION,
            )
        for name, target in (overrides or {}).items():
            existing = configs.get(name)
            if existing is not None and not (existing.origin == "x-apigwc.local.lambdas"):
                configs[name] = FunctionConfig(**{**_fields(existing), "handler": target, "origin": "--lambda"})
            elif _node_file(base_dir, target) is not None:
                configs[name] = FunctionConfig(
                    name=name,
                    runtime="nodejs20.x",
                    handler=target,
                    code_dir=base_dir,
                    environment={},
                    timeout=timeout,
                    memory_size=DEFAULT_MEMORY_MB,
                    origin="--lambda",
                    region=LOCAL_REGION,
                )
            else:
                configs[name] = _python(name, target, base_dir, python_path, timeout, "--lambda")
        for name, fn in sorted(configs.items()):
            problem = handler_problem(fn.runtime, fn.handler)
            if problem is not None:
                problems.append(f"{name}: {fn.handler!r} ({fn.origin}) {problem}")
        for path in python_path:
            if not path.is_dir():
                problems.append(f"pythonPath {path} is not a folder")
        limit = max_workers if max_workers and max_workers > 0 else DEFAULT_MAX_WORKERS
        return cls(configs, problems, max_workers=limit, sink=sink)

    # -- configuration ---------------------------------------------------------------------

    def names(self) -> tuple[str, ...]:
        return tuple(sorted(self.configs))

    def problems(self) -> list[str]:
        """Configuration problems and functions that cannot run on this machine (their runtime named)."""
        out = list(self._problems)
        for name in sorted(self.launches):
            found = self.launches[name]
            if isinstance(found, Unsupported):
                out.append(f"{name}: {found.reason}")
            elif (missing := missing_entry(self.configs[name])) is not None:
                out.append(f"{name}: {self.configs[name].handler!r}: {missing}")
        return out

    def unsupported(self, name: str) -> str | None:
        """Why function ``name`` cannot run here, or None."""
        found = self.launches.get(name)
        return found.reason if isinstance(found, Unsupported) else None

    def runs_on(self, name: str) -> str | None:
        """What runs function ``name``: "python3.12 on Python 3.11 (/usr/bin/python3.11)"."""
        found = self.launches.get(name)
        return found.description if isinstance(found, Launch) else None

    def context(self, name: str, *, qualifier: str | None = None, aws_request_id: str | None = None) -> LambdaContext:
        """The request id and ARN of one invocation of ``name``."""
        fn = self.configs.get(name)
        timeout = fn.timeout if fn is not None else DEFAULT_TIMEOUT_SECONDS
        return LambdaContext(
            name,
            qualifier=qualifier,
            aws_request_id=aws_request_id,
            timeout_seconds=timeout,
            memory_limit_in_mb=fn.memory_size if fn else DEFAULT_MEMORY_MB,
        )

    # -- calling ---------------------------------------------------------------------------------

    async def invoke(
        self, name: str, event: Any, *, context: LambdaContext, timeout: float | None = None
    ) -> Invocation:
        """Invoke function ``name`` with ``event`` on one of its workers; never raises.

        ``timeout`` is accepted for the in-process interface; a worker's limit is its
        function's timeout.
        """
        fn = self.configs.get(name)
        if fn is None:
            error = {
                "errorMessage": f"No local function is configured for {name}",
                "errorType": "ResourceNotFoundException",
            }
            return Invocation(error=error, rejected=True, log=(f"Lambda function {name} is not configured",))
        found = self.launches[name]
        request_id = context.aws_request_id
        if isinstance(found, Unsupported):
            error = {"errorMessage": found.reason, "errorType": "Runtime.Unsupported"}
            return Invocation(
                error=error, rejected=True, log=(f"Lambda function {name} cannot run locally: {found.reason}",)
            )
        log = [f"Invoking {name} ({fn.runtime} {fn.handler}), request id {request_id}, time limit {fn.timeout:g} s"]
        try:
            payload = json.dumps(event, separators=(",", ":")).encode("utf-8")
        except (TypeError, ValueError) as exc:
            error = {"errorMessage": f"the event is not JSON: {exc}", "errorType": "InvalidRequestContentException"}
            return Invocation(error=error, rejected=True, log=tuple(log))
        pool = self._pool(name, found)
        outcome = await service.call(pool.invoke(payload, request_id=request_id, arn=context.invoked_function_arn))
        if outcome.init_ms is not None:
            log.append(f"Cold start: init took {outcome.init_ms:.0f} ms")
        if outcome.error is not None:
            error = outcome.error
            log.append(f"Function error ({error.get('errorType')}): {error.get('errorMessage')}")
            trace = error.get("stackTrace") or error.get("trace") or ()
            if isinstance(trace, list):
                for frame in trace:
                    log.append("  " + str(frame).rstrip("\n").replace("\n", "\n  "))
            return Invocation(error=error, latency_ms=outcome.duration_ms, log=tuple(log), rejected=outcome.rejected)
        raw = outcome.payload or b""
        try:
            result = json.loads(raw) if raw.strip() else None
        except ValueError:
            result = raw.decode("utf-8", "replace")
            log.append("The function's response is not JSON")
        log.append(f"Function completed in {outcome.duration_ms:.0f} ms")
        return Invocation(result=result, raw=raw, latency_ms=outcome.duration_ms, log=tuple(log))

    def _pool(self, name: str, found: Launch) -> FunctionPool:
        pool = self.pools.get(name)
        if pool is None or pool.closed:
            pool = self.pools[name] = FunctionPool(
                self.configs[name], found, max_workers=self.max_workers, sink=self.sink
            )
            service.POOLS.add(pool)
        return pool

    async def aclose(self) -> None:
        """Stop every worker."""
        flush = getattr(self.sink, "flush", None)
        if flush is not None:
            flush()
        pools = list(self.pools.values())
        self.pools.clear()
        if pools:

            async def close_all() -> None:
                for pool in pools:
                    await pool.close()

            await service.call(close_all())


def _python(
    name: str, target: str, base_dir: Path, python_path: tuple[Path, ...], timeout: float, origin: str
) -> FunctionConfig:
    return FunctionConfig(
        name=name,
        runtime=DEFAULT_PYTHON,
        handler=target if isinstance(target, str) else "",
        code_dir=base_dir,
        environment={},
        timeout=timeout,
        memory_size=DEFAULT_MEMORY_MB,
        python_path=python_path,
        origin=origin,
        region=LOCAL_REGION,
    )


def _folder(base_dir: Path, uri: str) -> Path:
    path = Path(os.path.expanduser(uri))
    return (path if path.is_absolute() else base_dir / path).resolve()


def _node_file(base_dir: Path, target: str) -> Path | None:
    module = target.rpartition(".")[0] if ":" not in target else ""
    while module:  # "file.export", or "file.a.b" with a nested export
        for ext in _NODE_FILES:
            candidate = base_dir / (module + ext)
            if candidate.is_file():
                return candidate
        module = module.rpartition(".")[0]
    return None


def _fields(fn: FunctionConfig) -> dict:
    return {k: getattr(fn, k) for k in FunctionConfig.__dataclass_fields__}
