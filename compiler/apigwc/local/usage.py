"""API keys, throttling and quotas: the last two guards of the authorization step (reference §4.2 steps 6-7).

`ApiKeys` checks the API key of a method that requires one; `Throttling` applies the token
buckets and quotas.  Both are `Guard`s (apigwc.runtime.authorization), built once per
`Deployment` and passed in this order after the authorizers::

    Deployment.create(gateway, stage, guards=[..., ApiKeys(gateway, stage), Throttling(gateway, stage)])

What they emulate (docs/local-usage-http.md lists every choice):

* **API key** (only when the method has ``apiKeyRequired``): taken from the ``x-api-key``
  header (``apiKeySource`` HEADER) or from ``$context.identity.apiKey``, where the Lambda
  authorizer guard puts its ``usageIdentifierKey`` (AUTHORIZER) [Doc].  It must be a declared
  key with a value, enabled, and a member of a usage plan attached to this stage, else 403
  INVALID_API_KEY ``{"message":"Forbidden"}`` [Doc/Obs].  On success
  ``$context.identity.apiKey`` and ``apiKeyId`` are set.
* **Throttling** [Doc: "Throttle requests to your REST APIs"]: one token bucket per limit
  (capacity = burst, refilled at rate per second, full at start [Inf]), checked in the
  documented order: the client tier (the usage plan's per-method throttle for this method,
  else the plan's throttle; per API key), the stage tier (the stage's method setting for
  this method, else its ``*/*`` default; one bucket per method), the account tier (10,000
  rps, burst 5,000).  A more specific limit *replaces* the general one of its tier [Inf];
  a request must find a token in every tier, and takes one from each only when all have
  one [Inf].  Exceeded: 429 THROTTLED ``{"message":"Too Many Requests"}``.
* **Quotas** (usage plan ``quota``, per key): ``limit`` requests per UTC day, ISO week
  (from Monday 00:00 UTC) or calendar month [Inf]; ``offset`` requests are subtracted from
  the limit in the initial period [Doc: QuotaSettings.offset].  Exhausted: 429
  QUOTA_EXCEEDED ``{"message":"Limit Exceeded"}``.  Throttled requests are not counted [Inf].

Neither guard keeps private state on the `Exchange`: `Throttling` finds the key's usage
plan again from ``$context.identity.apiKeyId``, which `ApiKeys` writes only for a valid key.
"""

from __future__ import annotations

import calendar
import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from .. import gateway as gw
from ..runtime.errors import GatewayError, ResponseType
from ..runtime.log import Step

if TYPE_CHECKING:
    from ..runtime.exchange import Exchange

#: The header that carries the API key when ``apiKeySource`` is HEADER [Doc].
API_KEY_HEADER = "x-api-key"
#: Account-level throttling per Region [Doc: 10,000 requests per second, burst 5,000].
ACCOUNT_RATE = 10_000.0
ACCOUNT_BURST = 5_000
QUOTA_PERIODS = ("DAY", "WEEK", "MONTH")


def masked(value: str) -> str:
    """An API key for the log: every character but the last four replaced by ``*`` [Inf]."""
    return "*" * max(len(value) - 4, 0) + value[-4:]


def method_keys(method: gw.Method, verb: str) -> tuple[str, ...]:
    """The ``/path/VERB`` keys that name ``method`` in method settings and throttles, most specific first.

    ``/pets/GET``; for an ``ANY`` method also ``/pets/{request verb}``; then ``/pets/*``
    (every verb of the resource) [Inf]; ``*/*`` is each caller's own fallback.
    """
    keys = [f"{method.path}/{method.http_method.value}"]
    if method.http_method is gw.HttpMethod.ANY and verb != "ANY":
        keys.append(f"{method.path}/{verb}")
    keys.append(f"{method.path}/*")
    return tuple(keys)


# ----------------------------------------------------------------------------------------
# API keys


@dataclass(frozen=True, slots=True)
class KeyPlan:
    """An API key and the usage plan it belongs to on the deployment's stage."""

    key: gw.ApiKey
    plan: gw.UsagePlan
    #: the plan's per-method throttles for this stage
    method_throttles: dict[str, gw.Throttle]


def key_plans(gateway: gw.Gateway, stage: str) -> dict[str, KeyPlan]:
    """Key name -> (key, plan) for the keys in a usage plan attached to ``stage``.

    A key may be in only one plan per stage [Doc] (lint AGW507); should two claim it, the
    first plan by name wins.
    """
    out: dict[str, KeyPlan] = {}
    for plan in gateway.usage_plans_of(stage):
        throttles: dict[str, gw.Throttle] = {}
        for api_stage in plan.api_stages:
            if api_stage.stage == stage:
                throttles.update(api_stage.throttle)
        for name in plan.api_keys:
            key = gateway.api_key(name)
            if key is not None and name not in out:
                out[name] = KeyPlan(key, plan, throttles)
    return out


class ApiKeys:
    """The API key check of methods with ``apiKeyRequired`` (a `Guard`; one per `Deployment`)."""

    __slots__ = ("source", "stage", "_by_value", "_plans")

    def __init__(self, gateway: gw.Gateway, stage: str) -> None:
        self.source = gateway.rest_api.api_key_source
        self.stage = stage
        # a key without a value gets none locally: it cannot be presented [Inf]
        self._by_value: dict[str, gw.ApiKey] = {k.value: k for k in gateway.api_keys if k.value}
        self._plans = key_plans(gateway, stage)

    async def check(self, ex: "Exchange", method: gw.Method) -> GatewayError | None:
        if not method.api_key_required:
            return None
        identity = ex.context["identity"]
        if self.source is gw.ApiKeySource.AUTHORIZER:
            value = identity.get("apiKey")
            where = "the authorizer's usageIdentifierKey (apiKeySource AUTHORIZER)"
        else:
            value = ex.request.headers.get(API_KEY_HEADER)
            where = f"the {API_KEY_HEADER} header"
        if not value:
            return _forbidden(f"API key required by {method.label}: none found in {where}")
        key = self._by_value.get(value)
        if key is None:
            return _forbidden(
                f"API Key {masked(value)} not authorized: it is not a key of this API with a value (from {where})"
            )
        if not key.enabled:
            return _forbidden(f"API Key {masked(value)} ({key.name}) not authorized: the key is disabled")
        member = self._plans.get(key.name)
        if member is None:
            return _forbidden(
                f"API Key {masked(value)} ({key.name}) not authorized: it is in no usage plan of stage {self.stage}"
            )
        identity["apiKey"] = value
        identity["apiKeyId"] = key.id
        ex.note(
            Step.AUTHORIZATION, f"API Key {masked(value)} authorized: key {key.name}, usage plan {member.plan.name}"
        )
        return None


def _forbidden(log: str) -> GatewayError:
    return GatewayError(type=ResponseType.INVALID_API_KEY, log=log)


# ----------------------------------------------------------------------------------------
# Token buckets and quotas


@dataclass(frozen=True, slots=True)
class Limit:
    """A throttle as applied: steady rate (requests per second) and burst (bucket capacity)."""

    rate: float
    burst: int
    #: what set it, for the log ("stage prod */*", "usage plan basic, key partner")
    source: str

    @property
    def blocks_all(self) -> bool:
        """A rate or a burst of 0 throttles every request [Obs for both 0: a method is disabled; Inf for one]."""
        return self.rate <= 0 or self.burst <= 0


class TokenBucket:
    """A token bucket: ``capacity`` tokens, refilled continuously at ``rate`` per second; full at creation."""

    __slots__ = ("limit", "tokens", "updated")

    def __init__(self, limit: Limit, now: float) -> None:
        self.limit = limit
        self.tokens = float(max(limit.burst, 0))
        self.updated = now

    def refill(self, now: float) -> float:
        """Add the tokens earned since the last refill (never above capacity); the tokens available."""
        elapsed = now - self.updated
        if elapsed > 0:
            self.tokens = min(float(self.limit.burst), self.tokens + elapsed * max(self.limit.rate, 0.0))
            self.updated = now
        return self.tokens

    def available(self, now: float) -> bool:
        return not self.limit.blocks_all and self.refill(now) >= 1.0

    def take(self) -> None:
        self.tokens -= 1.0


def period_start(period: str, now: float) -> float:
    """The start (epoch seconds, UTC) of the quota period that contains ``now`` [Inf: UTC boundaries].

    DAY: 00:00 UTC; WEEK: Monday 00:00 UTC (ISO weeks); MONTH: the 1st, 00:00 UTC.
    """
    t = time.gmtime(now)
    day = calendar.timegm((t.tm_year, t.tm_mon, t.tm_mday, 0, 0, 0))
    if period == "DAY":
        return float(day)
    if period == "WEEK":
        return float(day - t.tm_wday * 86_400)
    if period == "MONTH":
        return float(calendar.timegm((t.tm_year, t.tm_mon, 1, 0, 0, 0)))
    raise ValueError(f"unknown quota period {period!r}")


class QuotaCounter:
    """Requests counted in the current period of one key's quota."""

    __slots__ = ("quota", "initial", "period", "used")

    def __init__(self, quota: gw.Quota, started: float) -> None:
        self.quota = quota
        #: the initial period (when the counter's owner started): ``offset`` is subtracted there [Doc]
        self.initial = period_start(quota.period, started)
        self.period = self.initial
        self.used = 0

    def remaining(self, now: float) -> int:
        start = period_start(self.quota.period, now)
        if start != self.period:
            self.period, self.used = start, 0
        limit = self.quota.limit - (self.quota.offset if self.period == self.initial else 0)
        return limit - self.used


class UsageStore:
    """The buckets and quota counters a `Throttling` guard uses.

    Each `Throttling` has its own by default.  Usage-plan limits are per key and aggregated
    over every stage of the plan [Doc]: a server that serves several stages of one API can
    pass one store to each stage's `Throttling` so that the plan buckets and quotas are shared.
    """

    __slots__ = ("buckets", "quotas")

    def __init__(self) -> None:
        self.buckets: dict[tuple[str, ...], TokenBucket] = {}
        self.quotas: dict[tuple[str, str], QuotaCounter] = {}


class Throttling:
    """Token buckets (usage plan, stage, account) and usage-plan quotas (a `Guard`; one per `Deployment`)."""

    __slots__ = (
        "stage",
        "clock",
        "started",
        "store",
        "_plans_by_key_id",
        "_settings",
        "_default",
        "_account",
        "_tiers",
    )

    def __init__(
        self,
        gateway: gw.Gateway,
        stage: str,
        *,
        clock: Callable[[], float] | None = None,
        store: UsageStore | None = None,
    ) -> None:
        self.stage = stage
        self.clock: Callable[[], float] = clock or time.time
        self.started = self.clock()
        self.store = store if store is not None else UsageStore()
        self._plans_by_key_id = {kp.key.id: kp for kp in key_plans(gateway, stage).values()}
        declared = gateway.stage(stage)
        settings = declared.method_settings if declared is not None else ()
        # "/path/VERB" -> method setting with a throttle; */* apart (it fills what a method setting leaves unset)
        self._settings: dict[str, gw.MethodSetting] = {}
        self._default: gw.MethodSetting | None = None
        for ms in settings:
            if ms.throttling_burst_limit is None and ms.throttling_rate_limit is None:
                continue
            if ms.resource_path == "/*" and ms.http_method == "*":
                self._default = ms
            else:
                self._settings[f"{ms.resource_path}/{ms.http_method}"] = ms
        self._account = Limit(ACCOUNT_RATE, ACCOUNT_BURST, "account level")
        #: (method id, verb, key id) -> the tiers of `tiers`
        self._tiers: dict[tuple[str, str, str | None], tuple[tuple[tuple[str, ...], Limit], ...]] = {}

    # -- the limits of one request -------------------------------------------------------

    def client_limit(self, member: KeyPlan, method: gw.Method, verb: str) -> tuple[tuple[str, ...], Limit] | None:
        """The usage plan's limit for this key and method: its per-method throttle, else the plan's throttle."""
        plan, key = member.plan, member.key
        for name in (*method_keys(method, verb), "*/*"):
            throttle = member.method_throttles.get(name)
            if throttle is not None:
                limit = _limit(
                    throttle.rate_limit,
                    throttle.burst_limit,
                    self._account,
                    f"usage plan {plan.name} method throttle {name}, key {key.name}",
                )
                return ("plan-method", plan.id, key.id, name), limit
        if plan.throttle is not None:
            limit = _limit(
                plan.throttle.rate_limit,
                plan.throttle.burst_limit,
                self._account,
                f"usage plan {plan.name}, key {key.name}",
            )
            return ("plan", plan.id, key.id), limit
        return None

    def stage_limit(self, method: gw.Method, verb: str) -> tuple[tuple[str, ...], Limit] | None:
        """The stage's method setting for this method, else its ``*/*`` default (per method either way [Doc])."""
        default = self._default
        fallback = self._account
        if default is not None:
            fallback = _limit(
                default.throttling_rate_limit, default.throttling_burst_limit, self._account, f"stage {self.stage} */*"
            )
        for name in method_keys(method, verb):
            ms = self._settings.get(name)
            if ms is not None:
                limit = _limit(
                    ms.throttling_rate_limit,
                    ms.throttling_burst_limit,
                    fallback,
                    f"stage {self.stage} method setting {name}",
                )
                return ("stage", self.stage, name), limit
        if default is not None:
            # "default per-method limits": each method has its own bucket [Doc]
            return ("stage", self.stage, f"{method.path}/{method.http_method.value}", "*/*"), fallback
        return None

    # -- the guard -----------------------------------------------------------------------

    def tiers(self, method: gw.Method, verb: str, member: KeyPlan | None) -> tuple[tuple[tuple[str, ...], Limit], ...]:
        """The buckets one request draws from, most specific first (computed once per method, verb and key)."""
        cache_key = (method.id, verb, member.key.id if member is not None else None)
        found = self._tiers.get(cache_key)
        if found is None:
            tiers: list[tuple[tuple[str, ...], Limit]] = []
            if member is not None:
                client = self.client_limit(member, method, verb)
                if client is not None:
                    tiers.append(client)
            server = self.stage_limit(method, verb)
            if server is not None:
                tiers.append(server)
            tiers.append((("account",), self._account))
            found = self._tiers[cache_key] = tuple(tiers)
        return found

    async def check(self, ex: "Exchange", method: gw.Method) -> GatewayError | None:
        now = self.clock()
        member = None
        if method.api_key_required:
            key_id = ex.context["identity"].get("apiKeyId")
            member = self._plans_by_key_id.get(key_id) if key_id else None
        tiers = self.tiers(method, ex.verb, member)

        buckets = self.store.buckets
        chosen: list[TokenBucket] = []
        for name, limit in tiers:
            bucket = buckets.get(name)
            if bucket is None or (bucket.limit is not limit and bucket.limit != limit):
                bucket = buckets[name] = TokenBucket(limit, now)
            if not bucket.available(now):
                why = "rate or burst is 0" if limit.blocks_all else f"{bucket.tokens:.2f} tokens left"
                return GatewayError(
                    type=ResponseType.THROTTLED,
                    log=f"Request throttled by {limit.source} (rate {_num(limit.rate)}/s, burst {limit.burst}): {why}",
                )
            chosen.append(bucket)

        counter = None
        if member is not None and member.plan.quota is not None:
            quota = member.plan.quota
            counter = self.store.quotas.get((member.plan.id, member.key.id))
            if counter is None or counter.quota != quota:
                counter = self.store.quotas[(member.plan.id, member.key.id)] = QuotaCounter(quota, self.started)
            if counter.remaining(now) <= 0:
                return GatewayError(
                    type=ResponseType.QUOTA_EXCEEDED,
                    log=f"Quota exceeded for key {member.key.name}: usage plan {member.plan.name} allows {quota.limit} requests per {quota.period}",
                )

        for bucket in chosen:
            bucket.take()
        parts = [
            f"{b.limit.source} (rate {_num(b.limit.rate)}/s, burst {b.limit.burst}): {b.tokens:.2f} tokens left"
            for b in chosen
        ]
        if counter is not None:
            counter.used += 1
            parts.append(f"quota {counter.quota.limit}/{counter.quota.period}: {counter.remaining(now)} left")
        ex.note(Step.AUTHORIZATION, "Throttling passed: " + "; ".join(parts))
        return None


def _limit(rate: float | None, burst: int | None, fallback: Limit, source: str) -> Limit:
    """A limit from a throttle; an unset value is taken from ``fallback`` (the next tier's) [Inf]."""
    return Limit(
        rate=float(rate) if rate is not None else fallback.rate,
        burst=int(burst) if burst is not None else fallback.burst,
        source=source,
    )


def _num(value: float) -> str:
    return str(int(value)) if math.isfinite(value) and value == int(value) else str(value)
