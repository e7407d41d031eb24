"""The values that cross the seam between the pipeline and a backend.

`EndpointRequest` is the integration request (after parameter mappings, templates and
overrides); `EndpointResponse` is what the backend answered, before integration
response mapping.  A leaf of the runtime: `apigwc.runtime.backends` declares the
`Backend` protocol over them, and the local adapters (apigwc.local) build and read them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from .. import gateway as gw
from .http import EMPTY_HEADERS, Headers


@dataclass(frozen=True, slots=True, kw_only=True)
class EndpointRequest:
    """The integration request: what API Gateway sends to the backend."""

    integration: gw.Integration
    #: the verb the backend is called with (``integrationHttpMethod``; the request's verb for ``ANY``)
    http_method: str
    #: the integration URI with ``${stageVariables.x}`` and ``{x}`` path placeholders filled, no query
    uri: str | None
    #: ``uri`` plus the integration request's query string
    url: str | None
    #: ``integration.request.path.*`` values (after ``$context.requestOverride.path``)
    path: Mapping[str, str] = field(default_factory=dict)
    query: tuple[tuple[str, str], ...] = ()
    headers: Headers = EMPTY_HEADERS
    body: bytes = b""
    timeout_seconds: float = gw.DEFAULT_TIMEOUT_MILLIS / 1000
    #: credentials and connection id with ``${stageVariables.x}`` filled
    credentials: str | None = None
    connection_id: str | None = None
    #: the request template used (its content type), None when the payload passed through
    template: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class EndpointResponse:
    """What the backend answered, before integration response mapping."""

    status: int
    headers: Headers = EMPTY_HEADERS
    body: bytes = b""
    #: Lambda custom (AWS) integrations: the function's ``errorMessage`` (None when it
    #: succeeded); integration responses are selected by it instead of the status
    error_message: str | None = None
    #: for the log's "Integration latency"
    latency_ms: float = 0.0
