"""The local gateway's backends and guards, assembled for one API.

`LocalGateway.create` reads the API's ``x-apigwc.local`` settings once (Lambda
handlers, JWKS files, AWS endpoints) and gives:

* `LocalGateway.backends`: one `Backend` per integration type — MOCK offline, HTTP and
  HTTP_PROXY through httpx, AWS_PROXY and Lambda custom integrations through the
  functions' worker processes (`functions.Functions`, on `apigwc.lambda_runtime`), other
  AWS service integrations through boto3 against a configured endpoint (else 501);
* `LocalGateway.guards`: the authorization step in the service's order (reference
  §4.2): authorizers (Lambda TOKEN/REQUEST, Cognito), API keys, throttling and quotas.

``apigwc serve`` builds one `Deployment` per stage with them (guards are per stage:
throttling buckets and authorizer caches belong to a stage); ``apigwc invoke`` takes
the backends only and, like the console's Test, runs no authorization.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Callable, Mapping

from .. import gateway as gw
from ..runtime.backends import Backend
from ..runtime.mock import MockBackend
from .authorizers import Authorizers
from .aws_services import AwsServiceBackend
from .functions import Functions
from .http_backend import HttpBackend
from .lambda_backend import LambdaBackend
from .lambdas import Handlers
from .usage import ApiKeys, Throttling, UsageStore

if TYPE_CHECKING:
    from ..runtime.authorization import Guard


class LocalGateway:
    """What the local gateway needs besides the model: handlers, clients and settings."""

    __slots__ = (
        "gateway",
        "base_dir",
        "handlers",
        "http",
        "lambdas",
        "services",
        "jwks",
        "endpoints",
        "backends",
        "usage",
    )

    def __init__(self, gateway: gw.Gateway, base_dir: Path, handlers: Handlers | Functions) -> None:
        self.gateway = gateway
        #: the folder handler modules, ``pythonPath`` and JWKS files are relative to (the spec's)
        self.base_dir = base_dir
        self.handlers = handlers
        local = gateway.local
        #: user pool ARN (or ``*``) -> JWKS file
        self.jwks: dict[str, Path] = {k: base_dir / v for k, v in (local.jwks if local else {}).items()}
        #: AWS service -> endpoint URL
        self.endpoints: dict[str, str] = dict(local.endpoints) if local else {}
        self.http = HttpBackend()
        self.services = AwsServiceBackend(self.endpoints)
        #: AWS_PROXY, and AWS: Lambda custom integrations to the handlers, the rest to ``services``
        self.lambdas = LambdaBackend(handlers, services=self.services)
        #: usage-plan buckets and quotas, shared by every stage: plan limits are per key over
        #: all the stages of the plan, and the account limit is per account [Doc]
        self.usage = UsageStore()
        mock = MockBackend()
        self.backends: dict[gw.IntegrationType, Backend] = {
            gw.IntegrationType.MOCK: mock,
            gw.IntegrationType.HTTP: self.http,
            gw.IntegrationType.HTTP_PROXY: self.http,
            gw.IntegrationType.AWS_PROXY: self.lambdas,
            gw.IntegrationType.AWS: self.lambdas,
        }

    @classmethod
    def create(
        cls,
        gateway: gw.Gateway,
        base_dir: Path,
        lambdas: Mapping[str, str] | None = None,
        *,
        in_process: bool = False,
        max_workers: int | None = None,
        lambda_log: Callable[[str], None] | None = None,
    ) -> "LocalGateway":
        """The local gateway of ``gateway``; ``lambdas`` (``--lambda NAME=HANDLER``) override the spec's.

        Functions run as Lambda runs them, in worker processes on the Runtime API
        (`apigwc.lambda_runtime`); ``in_process`` runs the Python handlers of
        ``x-apigwc.local.lambdas`` on threads of this process instead (`Handlers`).
        ``lambda_log`` receives the functions' output lines (default: stdout).
        """
        if in_process:
            return cls(gateway, base_dir, Handlers.create(gateway.local, base_dir, lambdas or {}))
        extra = {"sink": lambda_log} if lambda_log is not None else {}
        return cls(
            gateway,
            base_dir,
            Functions.create(gateway.local, base_dir, lambdas or {}, max_workers=max_workers, **extra),
        )

    def guards(self, stage: str, *, clock=None) -> list["Guard"]:
        """The authorization step of one stage: authorizers, then API keys, then throttling [reference §4.2]."""
        return [
            Authorizers(self.gateway, self.handlers, jwks=self.jwks),
            ApiKeys(self.gateway, stage),
            Throttling(self.gateway, stage, clock=clock, store=self.usage),
        ]

    async def aclose(self) -> None:
        """Close the HTTP client's connections and stop the Lambda workers."""
        await self.http.aclose()
        close = getattr(self.handlers, "aclose", None)
        if close is not None:
            await close()


async def invoke_once(
    gateway: gw.Gateway,
    base_dir: Path,
    selection,
    stage_variables: Mapping[str, str],
    request,
    *,
    lambdas: Mapping[str, str] | None = None,
    lambda_log: Callable[[str], None] | None = None,
):
    """Run one request through the local gateway's backends, as ``apigwc invoke`` does.

    The backends are the local gateway's (HTTP upstreams, Lambda functions in worker processes,
    AWS endpoints); ``lambdas`` (``--lambda NAME=HANDLER``) override the spec's handlers and
    ``lambda_log`` receives the functions' output.  There are no guards: like the console's
    Test, invoke runs no authorization (the log says so).
    """
    from ..runtime.deployment import Deployment
    from ..runtime.execute import execute

    local = LocalGateway.create(gateway, base_dir, lambdas, lambda_log=lambda_log)
    try:
        deployment = Deployment(gateway, selection, stage_variables=stage_variables, backends=local.backends)
        return await execute(deployment, request)
    finally:
        await local.aclose()
