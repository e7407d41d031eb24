"""The authorization step: where IAM, authorizers, API keys and throttling plug in.

It runs after routing and before request validation (reference §4.2 steps 4-7:
resource policy, authorization, API key, throttling).  A `Guard` looks at the
`Exchange` (method, headers, ``$context``) and either lets the request continue
(returning None, after writing what it found into ``$context.authorizer`` /
``$context.identity``) or stops it with a `GatewayError` (401 UNAUTHORIZED, 403
ACCESS_DENIED or INVALID_API_KEY, 429 THROTTLED...).  `Deployment.guards` runs them in
order; the local gateway passes its own (authorizers, API keys, usage plans).

``apigwc invoke`` emulates none of them, like the console's Test, which also skips
authorizers and API keys: `NotEmulated` says so in the log for each method that has
authorization, so nothing is skipped silently.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from .. import gateway as gw
from .errors import GatewayError
from .log import Step

if TYPE_CHECKING:
    from .exchange import Exchange


class Guard(Protocol):
    """One check of the authorization step."""

    async def check(self, ex: "Exchange", method: gw.Method) -> GatewayError | None:
        """None to let the request continue, or the error to answer."""
        ...


class NotEmulated:
    """Logs the authorization a method asks for and lets the request through."""

    __slots__ = ("where",)

    def __init__(self, where: str = "apigwc invoke") -> None:
        self.where = where

    async def check(self, ex: "Exchange", method: gw.Method) -> GatewayError | None:
        kind = method.authorization_type
        if kind is gw.AuthorizationType.AWS_IAM:
            ex.note(
                Step.AUTHORIZATION,
                f"AWS_IAM authorization is not emulated by {self.where}: the request is not checked for a SigV4 signature",
            )
        elif kind in (gw.AuthorizationType.CUSTOM, gw.AuthorizationType.COGNITO_USER_POOLS):
            authorizer = ex.view.gateway.authorizer(method.authorizer)
            what = f"{authorizer.type.value} authorizer" if authorizer is not None else "authorizer"
            ex.note(
                Step.AUTHORIZATION,
                f"The {what} '{method.authorizer}' is not run by {self.where} (like the console's Test): the request continues unauthenticated",
            )
        else:
            ex.note(Step.AUTHORIZATION, "Authorization: NONE")
        if method.api_key_required:
            ex.note(Step.AUTHORIZATION, f"API key required: not checked by {self.where} (like the console's Test)")
        return None
