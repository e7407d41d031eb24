"""Run a plan: resolve refs, pace, retry, report progress; or only show it (dry run).

`Caller` makes one boto3 call the way every deploy call is made:

* **pacing**: client-side token buckets for API Gateway's per-account control-plane
  limits (reference §5.3): 10 rps (burst 40) for all operations together,
  CreateDeployment 1 per 5 s, CreateRestApi 1 per 3 s, Create/DeleteResource 5 rps,
  GetResources 5 per 2 s, UpdateUsagePlan 1 per 20 s;
* **retries**: ``TooManyRequestsException`` (429) and ``ConflictException`` (409, "try
  again later": a concurrent modification) are retried with exponential backoff and
  jitter, honouring ``Retry-After``; a connection that fails is retried twice; anything
  else stops the deploy at once with a message naming the call
  (``put_integration on GET /pets failed: BadRequestException: ...``).

botocore's own retries are off (`aws.client_config`), so every retry is this module's
and shows in the progress.

`Executor` runs a plan with a `Caller`, collecting outputs into the variables later
calls read.  The dry run is `apigwc.deploy.run.render_plan`: it calls nothing.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Protocol

from ..planner.calls import ApiCall, Plan, Unresolved, resolve


class DeployError(Exception):
    """A call failed and was not retried (or ran out of retries); the message names it."""

    def __init__(self, message: str, *, connection: bool = False, usage: bool = False) -> None:
        super().__init__(message)
        #: the endpoint could not be reached (an I/O error)
        self.connection = connection
        #: the request itself is wrong (a flag, an undeclared stage, a missing --param)
        self.usage = usage


# ----------------------------------------------------------------------------------------
# Pacing


class RateLimit:
    """A token bucket: ``rate`` calls per second, at most ``burst`` at once."""

    def __init__(self, rate: float, burst: float, clock: Callable[[], float]) -> None:
        self.rate = rate
        self.burst = burst
        self.tokens = burst
        self.clock = clock
        self.stamp = clock()

    def wait_time(self) -> float:
        """Seconds until one token is available (0 if one is now); does not take it."""
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1 - 1e-9:  # tolerate float rounding of the refill
            return 0.0
        return (1 - self.tokens) / self.rate

    def take(self) -> None:
        self.tokens = max(0.0, self.tokens - 1)


#: API Gateway's control-plane limits per account (reference §5.3): (rate per s, burst)
APIGATEWAY_ALL = (10.0, 40.0)
APIGATEWAY_LIMITS: Mapping[str, tuple[float, float]] = {
    "create_rest_api": (1 / 3, 1),
    "import_rest_api": (1 / 3, 1),
    "put_rest_api": (1.0, 1),
    "create_deployment": (1 / 5, 1),
    "create_resource": (5.0, 5),
    "delete_resource": (5.0, 5),
    "get_resources": (2.5, 5),
    "delete_rest_api": (1 / 30, 1),
    "update_usage_plan": (1 / 20, 1),
}


class Pacing:
    """Waits before a call so that the account's rate limits are not exceeded."""

    def __init__(
        self, clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self.clock = clock
        self.sleep = sleep
        self.buckets: dict[str, RateLimit] = {}

    def _bucket(self, key: str, limit: tuple[float, float]) -> RateLimit:
        if key not in self.buckets:
            self.buckets[key] = RateLimit(limit[0], limit[1], self.clock)
        return self.buckets[key]

    def before(self, service: str, operation: str) -> float:
        """Block until the call may go; returns the seconds waited."""
        if service != "apigateway":
            return 0.0
        buckets = [self._bucket("apigateway", APIGATEWAY_ALL)]
        if operation in APIGATEWAY_LIMITS:
            buckets.append(self._bucket(operation, APIGATEWAY_LIMITS[operation]))
        waited = 0.0
        while True:
            delay = max(b.wait_time() for b in buckets)
            if delay <= 0:
                break
            self.sleep(delay)
            waited += delay
        for b in buckets:
            b.take()
        return waited


class NoPacing(Pacing):
    def before(self, service: str, operation: str) -> float:
        return 0.0


# ----------------------------------------------------------------------------------------
# Retries


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 6
    base: float = 1.0
    cap: float = 20.0
    connection_attempts: int = 3

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """Backoff before attempt ``attempt + 1`` (full jitter), at least ``Retry-After``."""
        backoff = min(self.cap, self.base * 2 ** (attempt - 1))
        wait = backoff / 2 + random.uniform(0, backoff / 2)
        return max(wait, retry_after or 0.0)


#: error codes worth retrying: throttling, and conflicts from concurrent modifications
THROTTLING = frozenset(("TooManyRequestsException", "ThrottlingException", "Throttling", "TooManyRequests"))


def _retryable(code: str, message: str) -> bool:
    if code in THROTTLING:
        return True
    if code == "ConflictException":
        # "Unable to complete operation due to concurrent modification. Please try again
        # later." is transient; "... already exists" is not
        return "already exists" not in message.lower()
    return False


# ----------------------------------------------------------------------------------------
# Progress


@dataclass(frozen=True, slots=True)
class Event:
    """What the executor reports: ``start``, ``retry``, ``done``."""

    kind: str
    call: ApiCall
    index: int
    total: int
    detail: str = ""


class Progress(Protocol):
    def __call__(self, event: Event) -> None: ...


def no_progress(event: Event) -> None:
    return None


class Clients(Protocol):
    def client(self, service: str, region: str | None = None) -> Any: ...


# ----------------------------------------------------------------------------------------


@dataclass
class Caller:
    """Makes calls with pacing and retries; counts what it did."""

    clients: Clients
    pacing: Pacing = field(default_factory=Pacing)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    sleep: Callable[[float], None] = time.sleep
    #: every call made (operation names), reads included
    made: list[str] = field(default_factory=list)

    def call(
        self,
        service: str,
        operation: str,
        params: Mapping[str, Any],
        label: str,
        region: str | None = None,
        on_retry: Callable[[str], None] | None = None,
    ) -> dict:
        """One call; raises `DeployError` naming ``label`` when it fails for good."""
        from botocore.exceptions import BotoCoreError, ClientError, HTTPClientError
        from botocore.exceptions import ConnectionError as BotoConnectionError

        client = self.clients.client(service, region)
        method = getattr(client, operation)
        attempt = 0
        connection_failures = 0
        while True:
            attempt += 1
            self.pacing.before(service, operation)
            try:
                self.made.append(operation)
                result = method(**params)
                result.pop("ResponseMetadata", None)
                return result
            except ClientError as exc:
                err = exc.response.get("Error", {})
                code = str(err.get("Code") or exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or "Error")
                message = str(err.get("Message") or exc).strip()
                if _retryable(code, message) and attempt < self.retry.attempts:
                    delay = self.retry.delay(attempt, _retry_after(exc.response))
                    if on_retry:
                        on_retry(
                            f"{code}: {message}; retrying in {delay:.1f} s (attempt {attempt + 1} of {self.retry.attempts})"
                        )
                    self.sleep(delay)
                    continue
                raise DeployError(f"{label} failed: {code}: {_one_line(message)}") from None
            except (BotoConnectionError, HTTPClientError) as exc:
                connection_failures += 1
                if connection_failures < self.retry.connection_attempts:
                    delay = self.retry.delay(connection_failures, None) / 2
                    if on_retry:
                        on_retry(f"{_one_line(str(exc))}; retrying in {delay:.1f} s")
                    self.sleep(delay)
                    continue
                raise DeployError(
                    f"{label} failed: cannot reach the endpoint: {_one_line(str(exc))}", connection=True
                ) from None
            except BotoCoreError as exc:
                raise DeployError(f"{label} failed: {_one_line(str(exc))}") from None


def _retry_after(response: Mapping[str, Any]) -> float | None:
    headers = response.get("ResponseMetadata", {}).get("HTTPHeaders", {}) or {}
    value = headers.get("retry-after")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _one_line(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 400 else text[:400] + "…"


class Executor:
    """Runs a plan in order; outputs of each call become variables for the later ones."""

    def __init__(self, caller: Caller, variables: Mapping[str, str], progress: Progress = no_progress) -> None:
        self.caller = caller
        self.variables = dict(variables)
        self.progress = progress

    def run(self, plan: Plan) -> dict[str, str]:
        total = len(plan)
        for index, call in enumerate(plan, 1):
            self.progress(Event("start", call, index, total))
            try:
                params = resolve(dict(call.params), self.variables)
            except Unresolved as exc:  # a bug in the planner: a ref nothing defines
                raise DeployError(f"{call.label} failed: no value for ${exc.args[0]}") from None
            result = self.caller.call(
                call.service,
                call.operation,
                params,
                call.label,
                region=function_region(params.get("FunctionName")) if call.service == "lambda" else None,
                on_retry=lambda detail, c=call, i=index: self.progress(Event("retry", c, i, total, detail)),
            )
            for var, key in call.outputs.items():
                self.variables[var] = str(result[key])
            self.progress(Event("done", call, index, total))
        return self.variables


def function_region(name: Any) -> str | None:
    """Lambda calls go to the function's region when FunctionName is a full ARN."""
    parts = name.split(":") if isinstance(name, str) else []
    return parts[3] if len(parts) > 4 and parts[0] == "arn" and parts[3] else None


# ----------------------------------------------------------------------------------------
# Showing progress: a bar on a terminal, one line per call otherwise


class LineProgress:
    """One line per call (``[ 3/27] put_method GET /pets``), retries included; for logs and CI."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream

    def __call__(self, event: Event) -> None:
        width = len(str(event.total))
        head = f"[{event.index:>{width}}/{event.total}]"
        if event.kind == "start":
            self.stream.write(f"{head} {event.call.service} {event.call.label}\n")
        elif event.kind == "retry":
            self.stream.write(f"{head} {event.call.label}: {event.detail}\n")
        self.stream.flush()


class BarProgress:
    """A rich progress bar naming the call under way (when the output is a terminal)."""

    def __init__(self, console: Any) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
        from rich.progress import Progress as RichProgress

        self.bar = RichProgress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self.task = None
        self.console = console

    def __enter__(self) -> "BarProgress":
        self.bar.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.bar.__exit__(*exc)

    def __call__(self, event: Event) -> None:
        if self.task is None:
            self.task = self.bar.add_task("deploying", total=event.total)
        if event.kind == "start":
            self.bar.update(self.task, description=f"{event.call.service} {event.call.label}")
        elif event.kind == "retry":
            self.console.print(f"{event.call.label}: {event.detail}")
        elif event.kind == "done":
            self.bar.update(self.task, completed=event.index)
