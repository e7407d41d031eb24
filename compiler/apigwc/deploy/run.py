"""``apigwc deploy``: find the API, read it, plan the calls that converge, run them.

    compile -> desired state (one stage) -> AWS context (region, account) -> read live
            -> diff -> dry run: show | otherwise: execute -> invoke URL

Nothing is called before every value of the plan can be resolved: a spec whose values
need ``--param`` (CloudFormation Refs) or hold intrinsics no call can express stops
with a message listing them, having called nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from .. import gateway as gw
from ..lower import camel
from ..output import output_name
from .create import Desired, desired_state
from .diff import Changes, plan_changes
from .execute import Caller, DeployError, Executor, Pacing, Progress, RetryPolicy, no_progress
from .plan import ApiCall, Plan, partial
from .read import read_live
from .values import ProblemKind, Values, context_variables


@dataclass(frozen=True, slots=True, kw_only=True)
class DeployOptions:
    stage: str
    region: str | None = None
    endpoint_url: str | None = None
    profile: str | None = None
    params: Mapping[str, str] = field(default_factory=dict)
    dry_run: bool = False


@dataclass
class DeployOutcome:
    api_name: str
    stage: str
    plan: Plan
    notes: list[str]
    missing_functions: list[str]
    dry_run: bool
    #: variables known when the deploy ended (the API id among them)
    variables: dict[str, str]
    invoke_url: str | None = None

    @property
    def mutating(self) -> int:
        return sum(1 for c in self.plan if c.mutating)


def stage_for(gateway: gw.Gateway, name: str) -> gw.Stage:
    """The declared stage ``name``; any name when the spec declares none."""
    stage = gateway.stage(name)
    if stage is not None:
        return stage
    if gateway.stages:
        declared = ", ".join(s.name for s in gateway.stages)
        raise DeployError(f"stage '{name}' is not declared in x-apigwc.stages (declared: {declared})", usage=True)
    return gw.Stage(
        id="Stage" + (camel(name) or "X"),
        name=name,
        description=None,
        variables={},
        method_settings=(),
        access_log=None,
        tracing_enabled=False,
        cache_cluster_enabled=False,
        cache_cluster_size=None,
        tags={},
    )


def desired_for(gateway: gw.Gateway, stage: str, params: Mapping[str, str]) -> Desired:
    """The desired state for one stage; raises `DeployError` when a value cannot be resolved."""
    values = Values(params)
    desired = desired_state(gateway, values, output_name(gateway), (stage_for(gateway, stage),))
    needed = sorted({p.name for p in values.problems if p.kind is ProblemKind.PARAMETER})
    intrinsics = [p for p in values.problems if p.kind is ProblemKind.INTRINSIC]
    if intrinsics:
        where = "; ".join(f"{p.name} in {p.where}" for p in intrinsics[:5])
        raise DeployError(
            f"the spec holds CloudFormation intrinsics that deploy calls cannot resolve ({where}); "
            "deploy it with --via cloudformation",
            usage=True,
        )
    if needed:
        flags = " ".join(f"--param {n}=VALUE" for n in needed)
        raise DeployError(
            f"the spec refers to CloudFormation values apigwc cannot know ({', '.join(needed)}); pass {flags}, "
            "or deploy with --via cloudformation",
            usage=True,
        )
    return desired


def invoke_url(api_id: str, region: str, suffix: str, stage: str) -> str:
    return f"https://{api_id}.execute-api.{region}.{suffix}/{stage}/"


def deploy(gateway: gw.Gateway, options: DeployOptions, progress: Progress = no_progress, pacing: Pacing | None = None, retry: RetryPolicy | None = None) -> DeployOutcome:
    """Converge the API and ``options.stage`` to the gateway model (or only plan it: dry run)."""
    from .aws import AwsClients

    desired = desired_for(gateway, options.stage, options.params)
    clients = AwsClients(options.region, options.endpoint_url, options.profile)
    caller = Caller(clients, pacing or Pacing(), retry or RetryPolicy())
    identity = caller.call("sts", "get_caller_identity", {}, "get_caller_identity (the account id)")
    context = context_variables(clients.region, identity.get("Account"))
    functions = tuple(
        sorted({f for p in desired.permissions_for(desired.stages).values() if isinstance(f := partial(p.function, context), str)})
    )

    def converge() -> tuple[Changes, dict[str, str]]:
        live = read_live(caller, desired.tag, options.stage, tuple(desired.api_keys), tuple(desired.usage_plans), functions)
        return plan_changes(desired, live, context), {**context, **live.variables}

    changes, variables = converge()
    outcome = DeployOutcome(
        api_name=desired.name,
        stage=options.stage,
        plan=changes.plan,
        notes=list(changes.notes),
        missing_functions=changes.missing_functions,
        dry_run=options.dry_run,
        variables=variables,
    )
    if not options.dry_run and changes.plan:
        outcome.variables = Executor(caller, variables, progress).run(changes.plan)
        # Read the result back: what the service did not store as sent is applied once
        # more, and what still differs after that is reported (docs/deploy.md, "Verify").
        for attempt in (1, 2):
            again, variables = converge()
            if not again.plan:
                break
            listing = ", ".join(c.label for c in again.plan)
            if attempt == 2:
                outcome.notes.append(f"after a second pass the service still differs from the spec: {listing}; run the deploy again, or see docs/deploy.md")
                break
            outcome.notes.append(f"the service did not store everything as sent; applied again: {listing}")
            outcome.plan = outcome.plan + again.plan
            outcome.variables = Executor(caller, variables, progress).run(again.plan)
        outcome.notes = list(dict.fromkeys(outcome.notes))
    api_id = outcome.variables.get("restApi")
    if api_id and desired.methods:
        outcome.invoke_url = invoke_url(api_id, clients.region, context["aws:urlSuffix"], options.stage)
    return outcome


