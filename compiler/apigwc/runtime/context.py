"""``$context`` for one request: ids, times, the stage, the resource and the caller.

The same keys as `apigwc.vtl.variables.base_context` (what ``apigwc vtl render`` shows),
filled from the request, the deployment and the route.  Values that do not apply locally
(``identity.caller``, ``identity.accountId``, ``authorizer.claims``...) are null; the
authorization step (the local gateway's authorizers and API keys) fills its own.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import os
import random
import time
from typing import Any, Callable, NamedTuple

from .. import gateway as gw
from ..vtl.variables import context_variables
from .http import Request

#: The account id of every local API (the one the VTL engine uses too).
LOCAL_ACCOUNT_ID = "123456789012"
#: The region and partition of every local API (``${AWS::Region}`` in URIs).
LOCAL_REGION = "us-east-1"
LOCAL_PARTITION = "aws"
#: What API Gateway's import puts for ``${AWS::...}`` variables [Doc], locally.
LOCAL_AWS_VARIABLES = {
    "${AWS::Region}": LOCAL_REGION,
    "${AWS::AccountId}": LOCAL_ACCOUNT_ID,
    "${AWS::Partition}": LOCAL_PARTITION,
}
LOCAL_DEPLOYMENT_ID = "local"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"


class RequestIds(NamedTuple):
    """The ids API Gateway gives one request (and returns in the service headers)."""

    request_id: str  # x-amzn-RequestId, $context.requestId: a UUID
    extended_request_id: str  # x-amz-apigw-id, $context.extendedRequestId: 16 base64 characters
    trace_id: str  # X-Amzn-Trace-Id: Root=1-<8 hex epoch seconds>-<24 hex>


#: Makes the ids of a request from its start time (epoch seconds); tests pass a fixed one.
IdSource = Callable[[float], RequestIds]
#: The clock (epoch seconds); tests pass a fixed one.
Clock = Callable[[], float]


_RANDOM = random.Random(os.urandom(32))


def random_ids(now: float) -> RequestIds:
    """Fresh ids in the service's formats (unique, not secret: a seeded PRNG is enough)."""
    bits = _RANDOM.getrandbits(312)
    u = f"{bits & ((1 << 128) - 1):032x}"
    # a version-4 UUID, as uuid.uuid4() writes it
    request_id = f"{u[:8]}-{u[8:12]}-4{u[13:16]}-{'89ab'[(bits >> 64) & 3]}{u[17:20]}-{u[20:]}"
    return RequestIds(
        request_id=request_id,
        extended_request_id=base64.b64encode(((bits >> 128) & ((1 << 88) - 1)).to_bytes(11, "big")).decode("ascii"),
        trace_id=f"Root=1-{int(now) & 0xFFFFFFFF:08x}-{bits >> 216:024x}",
    )


def api_id(gateway: gw.Gateway) -> str:
    """A stable, API-Gateway-shaped id (10 lower-case letters and digits) from the API's name."""
    from ..intrinsics import text_of

    number = int.from_bytes(hashlib.sha256(text_of(gateway.rest_api.name).encode("utf-8")).digest()[:8], "big")
    out = []
    for _ in range(10):
        number, digit = divmod(number, 36)
        out.append(_BASE36[digit])
    return "".join(out)


def clf_time(epoch: float) -> str:
    """``$context.requestTime``: ``14/Nov/2023:22:13:20 +0000`` (the Common Log Format, UTC)."""
    return _clf_second(int(epoch))


@functools.lru_cache(maxsize=4)
def _clf_second(second: int) -> str:
    t = time.gmtime(second)
    return f"{t.tm_mday:02d}/{_MONTHS[t.tm_mon - 1]}/{t.tm_year}:{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} +0000"


def request_context(
    *, api: str, stage: str, request: Request, verb: str, ids: RequestIds, now: float
) -> dict[str, Any]:
    """The ``$context`` of a request before routing (``resourcePath``/``resourceId`` are null)."""
    return context_variables(
        account_id=LOCAL_ACCOUNT_ID,
        api_id=api,
        deployment_id=LOCAL_DEPLOYMENT_ID,
        host=request.headers.get("Host") or "localhost",
        http_method=verb,
        source_ip=request.source_ip,
        user_agent=request.headers.get("User-Agent"),
        path=f"/{stage}{request.path}",
        stage=stage,
        request_id=ids.request_id,
        extended_request_id=ids.extended_request_id,
        request_time=clf_time(now),
        request_time_epoch=int(now * 1000),
        resource_id=None,
        resource_path=None,
    )


def lookup(context: dict[str, Any], dotted: str) -> Any:
    """A ``$context`` value by its dotted name (``identity.sourceIp``); None when absent."""
    node: Any = context
    for part in dotted.split("."):
        if type(node) is not dict:
            return None
        node = node.get(part)
    return node
