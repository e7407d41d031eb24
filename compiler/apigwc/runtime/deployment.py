"""A deployed stage: one gateway model, one stage, and everything built once to serve it.

`Deployment.create` builds the routing tree, the template store, the validators and the
gateway responses once; `apigwc.runtime.execute.execute` then serves any number of
requests with it.  The seams for the local gateway are arguments:

* ``backends``: integration type -> `Backend` (default `offline_backends`: MOCK offline,
  the other types answer that they have no backend; ``apigwc invoke`` and ``apigwc
  serve`` pass `apigwc.local.LocalGateway.backends`);
* ``guards``: the authorization step (default: `NotEmulated`, which only logs);
* ``ids`` and ``clock``: request ids and time (tests pass fixed ones);
* ``data_trace``: log the headers and bodies of each step (what the console's Test
  shows, and what the stage setting ``dataTraceEnabled`` adds to CloudWatch execution
  logs); off, the log keeps one line per step and a request costs less.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Mapping, Sequence

from .. import gateway as gw
from .authorization import Guard, NotEmulated
from .backends import Backend, NotAvailable
from .context import Clock, IdSource, api_id, random_ids
from .exchange import StageView
from .gateway_responses import GatewayResponses
from .mapping_templates import Templates
from .mock import MockBackend
from .router import Router
from .validation import Validators

#: The stage of an API that declares none (x-apigwc.stages).
LOCAL_STAGE = "local"
#: Stage names: letters, digits, ``-`` and ``_``, at most 128 characters [Doc].
STAGE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,128}$")


def offline_backends() -> dict[gw.IntegrationType, Backend]:
    """The default backends of a `Deployment`: MOCK runs offline; the other types say they have no backend.

    ``apigwc invoke`` and ``apigwc serve`` pass the local gateway's instead
    (`apigwc.local.LocalGateway.backends`: HTTP, Lambda handlers, AWS services).
    """
    backends: dict[gw.IntegrationType, Backend] = {t: NotAvailable(t) for t in gw.IntegrationType}
    backends[gw.IntegrationType.MOCK] = MockBackend()
    return backends


@dataclass(frozen=True, slots=True)
class StageSelection:
    """The stage a deployment serves: a declared one, or `LOCAL_STAGE` for an API without stages."""

    name: str
    stage: gw.Stage | None
    #: why this stage, when the caller did not name it and there was a choice
    note: str | None = None


def select_stage(gateway: gw.Gateway, requested: str | None) -> StageSelection | str:
    """The stage to serve, or a message saying why ``requested`` cannot be served."""
    names = [s.name for s in gateway.stages]
    if requested is not None:
        stage = gateway.stage(requested)
        if stage is not None:
            return StageSelection(requested, stage)
        if names:
            return f"the API has no stage {requested!r}; its stages are: {', '.join(names)}"
        if not STAGE_NAME.match(requested):
            return f"{requested!r} is not a valid stage name (letters, digits, '-' and '_', at most 128 characters)"
        return StageSelection(requested, None)
    if not names:
        return StageSelection(LOCAL_STAGE, None)
    note = f"stage {names[0]} (the first of {', '.join(names)}; choose one with --stage)" if len(names) > 1 else None
    return StageSelection(names[0], gateway.stages[0], note)


class Deployment:
    """Everything needed to serve requests to one stage of one API."""

    __slots__ = (
        "gateway",
        "stage",
        "stage_name",
        "stage_variables",
        "api_id",
        "router",
        "templates",
        "validators",
        "gateway_responses",
        "backends",
        "guards",
        "ids",
        "clock",
        "data_trace",
        "view",
    )

    def __init__(
        self,
        gateway: gw.Gateway,
        stage: StageSelection,
        *,
        stage_variables: Mapping[str, str] | None = None,
        backends: Mapping[gw.IntegrationType, Backend] | None = None,
        guards: Sequence[Guard] | None = None,
        ids: IdSource | None = None,
        clock: Clock | None = None,
        data_trace: bool = True,
    ) -> None:
        self.gateway = gateway
        self.stage = stage.stage
        self.stage_name = stage.name
        variables = dict(stage.stage.variables) if stage.stage is not None else {}
        variables.update(stage_variables or {})
        #: the stage's variables, with overrides (``--stage-var``) applied
        self.stage_variables: dict[str, str] = variables
        self.api_id = api_id(gateway)
        self.router = Router(gateway)
        self.templates = Templates()
        self.validators = Validators(gateway)
        self.gateway_responses = GatewayResponses(gateway)
        self.backends: Mapping[gw.IntegrationType, Backend] = (
            dict(backends) if backends is not None else offline_backends()
        )
        self.guards: tuple[Guard, ...] = tuple(guards) if guards is not None else (NotEmulated(),)
        self.ids: IdSource = ids or random_ids
        self.clock: Clock = clock or time.time
        self.data_trace = data_trace
        #: what the steps of a request read (`Exchange.view`)
        self.view = StageView(gateway, self.api_id, variables, self.templates, self.clock, data_trace)

    @classmethod
    def create(
        cls,
        gateway: gw.Gateway,
        stage: str | None = None,
        **options: object,
    ) -> "Deployment | str":
        """A deployment of ``stage`` (None: the declared one, or ``local``), or why there cannot be one."""
        selection = select_stage(gateway, stage)
        if isinstance(selection, str):
            return selection
        return cls(gateway, selection, **options)  # type: ignore[arg-type]
