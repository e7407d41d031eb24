"""The seam between the pipeline and what answers a request: one `Backend` per integration type.

The pipeline builds an `EndpointRequest` (the integration request after parameter
mappings, templates and overrides) and hands it to the backend registered for the
integration's type in `Deployment.backends`; the backend answers an `EndpointResponse`
or a `GatewayError`.  The default (`offline_backends`) registers `MockBackend`
(apigwc.runtime.mock) and `NotAvailable` for HTTP, HTTP_PROXY, AWS and AWS_PROXY;
``apigwc invoke`` and ``apigwc serve`` register the local gateway's
(`apigwc.local`: HTTP through httpx, Lambda through local handlers, AWS services
through boto3).

A backend for a proxy type (HTTP_PROXY, AWS_PROXY) returns the final response: the
pipeline passes it to the client as is (plus the service headers).  For AWS_PROXY it is
the backend's job to build the Lambda event from the `Exchange` and to turn the Lambda
result into a response, or into a `GatewayError` (a malformed proxy response is 502).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, Awaitable, Mapping, Protocol

from .. import gateway as gw
from .endpoint import EndpointRequest, EndpointResponse
from .errors import GatewayError, ResponseType

if TYPE_CHECKING:
    from .exchange import Exchange


class Backend(Protocol):
    """Calls what an integration points at.

    A backend owns its deadline: it answers within ``request.timeout_seconds`` (the
    integration's ``timeoutInMillis``), or returns `timeout_error` (504
    INTEGRATION_TIMEOUT).  `within_deadline` does that for any awaitable; a backend that
    answers at once (MOCK) does not pay for a timer.  An exception a backend raises is
    caught by the pipeline and answered as INTEGRATION_FAILURE, never propagated.
    """

    async def invoke(self, request: EndpointRequest, ex: "Exchange") -> EndpointResponse | GatewayError:
        """Answer one integration request (``ex`` holds the method request, ``$context`` and the log)."""
        ...


def timeout_error(request: EndpointRequest) -> GatewayError:
    """The answer when the endpoint does not answer in time: 504 ``Endpoint request timed out`` [Doc]."""
    return GatewayError(
        type=ResponseType.INTEGRATION_TIMEOUT,
        log=f"Execution failed due to a timeout error: the endpoint did not answer within {request.integration.timeout_in_millis} ms",
    )


async def within_deadline(
    call: Awaitable[EndpointResponse | GatewayError], request: EndpointRequest
) -> EndpointResponse | GatewayError:
    """Await a backend call, or give up after the integration timeout with `timeout_error`."""
    try:
        async with asyncio.timeout(request.timeout_seconds):
            return await call
    except TimeoutError:
        return timeout_error(request)


@dataclass(frozen=True, slots=True)
class NotAvailable:
    """A backend that says plainly that this integration type has no backend in this deployment."""

    kind: gw.IntegrationType
    instead: str = "create the Deployment with backends=LocalGateway.create(gateway, spec_dir).backends (apigwc.local), as apigwc invoke and apigwc serve do"

    async def invoke(self, request: EndpointRequest, ex: "Exchange") -> EndpointResponse | GatewayError:
        message = f"{self.kind.value} integrations have no backend in this deployment"
        return GatewayError(
            type=ResponseType.API_CONFIGURATION_ERROR,
            message=message,
            log=f"Execution failed: {message}; {self.instead}",
        )


#: What the registry maps: integration type -> backend.
Backends = Mapping[gw.IntegrationType, Backend]
