"""The local execution of API Gateway requests: one request in, one response and its log out.

    from apigwc.runtime import Deployment, Request, execute
    deployment = Deployment.create(gateway)            # or a message (str) if the stage is unknown
    execution = asyncio.run(execute(deployment, Request.build("GET", "/users?count=5")))
    execution.response.status, execution.response.headers, execution.response.body, execution.log

``apigwc invoke`` runs one request this way; the local gateway (``apigwc serve``) serves
many with the same `Deployment`, passing its own backends and guards.  docs/runtime.md
describes the pipeline and every choice made where AWS is silent.
"""

from .authorization import Guard, NotEmulated
from .backends import Backend, NotAvailable
from .context import RequestIds
from .deployment import LOCAL_STAGE, Deployment, StageSelection, offline_backends, select_stage
from .endpoint import EndpointRequest, EndpointResponse
from .errors import RESPONSE_TYPES, GatewayError, ResponseType
from .exchange import Exchange, StageView
from .execute import Execution, execute
from .http import Headers, Request, Response
from .log import LogEntry, Step
from .mock import MockBackend

__all__ = [
    "Backend",
    "Deployment",
    "EndpointRequest",
    "EndpointResponse",
    "Exchange",
    "Execution",
    "GatewayError",
    "Guard",
    "Headers",
    "LOCAL_STAGE",
    "LogEntry",
    "MockBackend",
    "NotAvailable",
    "NotEmulated",
    "RESPONSE_TYPES",
    "Request",
    "RequestIds",
    "Response",
    "ResponseType",
    "StageSelection",
    "StageView",
    "Step",
    "execute",
    "offline_backends",
    "select_stage",
]
