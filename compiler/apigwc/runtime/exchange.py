"""The state of one request while it moves through the pipeline.

An `Exchange` is the one mutable object of a request: each step reads what earlier steps
found (the route, the path parameters, ``$context``) and adds its own.  Steps added by
the local gateway (authorizers, API keys) write ``$context.authorizer`` and
``$context.identity`` here.

What a step may read of the deployment is the frozen `StageView` (the gateway model,
the stage variables, the template store, the clock, the data-trace switch), not the
`Deployment` itself: the steps and the adapters do not depend on how a deployment is
assembled, and the runtime's imports stay one-way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Mapping

from .. import gateway as gw
from ..vtl.variables import UTIL, Input, TemplateRequest
from .context import RequestIds
from .http import Request
from .log import ExecutionLog, LogEntry, Step

if TYPE_CHECKING:
    from .mapping_templates import Templates
    from .router import RouteMatch


@dataclass(frozen=True, slots=True)
class StageView:
    """What the steps of a request read of the deployment that serves it."""

    gateway: gw.Gateway
    #: ``$context.apiId``, and the ``User-Agent`` suffix of HTTP integrations
    api_id: str
    #: the stage's variables, with overrides (``--stage-var``) applied
    stage_variables: Mapping[str, str]
    #: the mapping templates, compiled once per deployment
    templates: "Templates"
    #: seconds since the epoch (tests pass a fixed one)
    clock: Callable[[], float]
    #: log the headers and bodies of each step
    data_trace: bool


class Exchange:
    """One request: what arrived, what the pipeline found, and the execution log."""

    __slots__ = (
        "view",
        "request",
        "verb",
        "ids",
        "started",
        "context",
        "stage_variables",
        "log",
        "route",
        "method",
        "path_params",
        "step",
        "request_override",
        "response_override",
        "_query",
        "_headers",
        "_view",
    )

    def __init__(
        self,
        view: StageView,
        request: Request,
        verb: str,
        ids: RequestIds,
        started: float,
        context: dict[str, Any],
    ) -> None:
        self.view = view
        self.request = request
        #: the verb used for routing and $context.httpMethod (after X-HTTP-Method-Override)
        self.verb = verb
        self.ids = ids
        self.started = started
        self.context = context
        self.stage_variables = view.stage_variables
        self.log = ExecutionLog()
        self.route: "RouteMatch | None" = None
        self.method: gw.Method | None = None
        self.path_params: dict[str, str] = {}
        #: the step running now (errors are logged under it)
        self.step = Step.REQUEST
        #: what the request template set in ``$context.requestOverride`` (the response
        #: template sees it: AWS-recorded, docs/conformance.md)
        self.request_override: dict[str, dict[str, str]] = {}
        #: ``$context.responseOverride`` as the request template left it: the response
        #: template starts from it, and it applies without one [Obs, docs/conformance.md]
        self.response_override: dict[str, Any] = {"header": {}, "status": None}
        self._query: dict[str, tuple[str, ...]] | None = None
        self._headers: dict[str, tuple[str, ...]] | None = None
        self._view: TemplateRequest | None = None

    def note(self, step: Step, message: str) -> None:
        """Add one line to the execution log."""
        self.log.entries.append(LogEntry(step, message))

    @property
    def query(self) -> dict[str, tuple[str, ...]]:
        """Query parameters: name -> every value."""
        if self._query is None:
            self._query = self.request.query_grouped()
        return self._query

    @property
    def headers(self) -> dict[str, tuple[str, ...]]:
        """Request headers: name (as first sent) -> every value."""
        if self._headers is None:
            self._headers = self.request.headers.grouped()
        return self._headers

    def template_variables(self, body: str | bytes) -> dict[str, Any]:
        """A fresh template namespace whose ``$input`` reads ``body`` and the method request parameters.

        Request and response templates both see the method request's path, query string
        and headers through ``$input.params()``; ``$context.requestOverride`` holds what the
        request template set, and ``responseOverride`` what it set there (API Gateway
        carries both to the response template [Obs]).
        """
        context = dict(self.context)
        done = self.request_override
        context["requestOverride"] = {part: dict(done.get(part, {})) for part in ("header", "path", "querystring")}
        seed = self.response_override
        context["responseOverride"] = {**seed, "header": dict(seed.get("header") or {})}
        view = self._view
        if view is None:  # the method request's parameters, the same for every template of the request
            view = self._view = TemplateRequest(path_params=self.path_params, query=self.query, headers=self.headers)
        return {
            "input": Input(view, body),
            "util": UTIL,
            "context": context,
            "stageVariables": dict(self.stage_variables),
        }
