"""The local gateway's backends and guards, assembled for one API.

`LocalGateway.create` reads the API's ``x-apigwc.local`` settings once (Lambda
handlers, JWKS files, AWS endpoints) and gives:

* `LocalGateway.backends`: one `Backend` per integration type — MOCK offline, HTTP and
  HTTP_PROXY through httpx, AWS_PROXY and Lambda custom integrations through local
  Python handlers, other AWS service integrations through boto3 against a configured
  endpoint (else 501);
* `LocalGateway.guards`: the authorization step in the service's order (reference
  §4.2): authorizers (Lambda TOKEN/REQUEST, Cognito), API keys, throttling and quotas.

``apigwc serve`` builds one `Deployment` per stage with them (guards are per stage:
throttling buckets and authorizer caches belong to a stage); ``apigwc invoke`` takes
the backends only and, like the console's Test, runs no authorization.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Mapping

from .. import gateway as gw
from ..runtime.backends import Backend
from ..runtime.mock import MockBackend
from .authorizers import Authorizers
from .aws_services import AwsServiceBackend
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

    def __init__(self, gateway: gw.Gateway, base_dir: Path, handlers: Handlers) -> None:
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
    def create(cls, gateway: gw.Gateway, base_dir: Path, lambdas: Mapping[str, str] | None = None) -> "LocalGateway":
        """The local gateway of ``gateway``; ``lambdas`` (``--lambda NAME=module:callable``) override the spec's."""
        return cls(gateway, base_dir, Handlers.create(gateway.local, base_dir, lambdas or {}))

    def guards(self, stage: str, *, clock=None) -> list["Guard"]:
        """The authorization step of one stage: authorizers, then API keys, then throttling [reference §4.2]."""
        return [
            Authorizers(self.gateway, self.handlers, jwks=self.jwks),
            ApiKeys(self.gateway, stage),
            Throttling(self.gateway, stage, clock=clock, store=self.usage),
        ]

    async def aclose(self) -> None:
        """Close the HTTP client's connections."""
        await self.http.aclose()
