"""``apigwc deploy``: find the API, read it, plan the calls that converge, run them.

    compile -> desired state (one stage) -> AWS context (region, account) -> read live
            -> diff -> dry run: show | otherwise: execute, read back (verify) -> invoke URL

Nothing is called before every value of the plan can be resolved: a spec whose values
need ``--param`` (CloudFormation Refs) or hold intrinsics no call can express stops
with a message listing them, having called nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from .. import gateway as gw
from ..logical_ids import pascal
from ..planner.calls import Plan, call_line, partial, plan_summary
from ..planner.desired import Desired, desired_state
from ..planner.refs import ProblemKind, Values, context_variables
from .diff import Changes, plan_changes
from .executor import Caller, DeployError, Executor, Pacing, Progress, RetryPolicy, no_progress
from .read import read_live


@dataclass(frozen=True, slots=True, kw_only=True)
class DeployOptions:
    stage: str
    region: str | None = None
    endpoint_url: str | None = None
    profile: str | None = None
    params: Mapping[str, str] = field(default_factory=dict)


@dataclass
class DeployOutcome:
    """What a deploy planned and did."""

    api_name: str
    stage: str
    #: the calls planned (then made, unless it was a dry run)
    plan: Plan
    notes: list[str]
    #: functions whose permissions could not be added (they do not exist)
    missing_functions: list[str]
    #: variables known at the end (the API id among them)
    variables: dict[str, str]
    applied: bool = False
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
        id="Stage" + (pascal(name) or "X"),
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
    desired = desired_state(gateway, values, gateway.slug, (stage_for(gateway, stage),))
    needed = sorted({p.name for p in values.problems if p.kind is ProblemKind.PARAMETER})
    intrinsics = [p for p in values.problems if p.kind is ProblemKind.INTRINSIC]
    if intrinsics:
        where = "; ".join(f"{p.name} in {p.where}" for p in intrinsics[:5])
        raise DeployError(
            f"the spec holds CloudFormation intrinsics that deploy calls cannot resolve ({where}); deploy it with --via cloudformation",
            usage=True,
        )
    if needed:
        flags = " ".join(f"--param {n}=VALUE" for n in needed)
        raise DeployError(
            f"the spec refers to CloudFormation values apigwc cannot know ({', '.join(needed)}); pass {flags}, or deploy with --via cloudformation",
            usage=True,
        )
    return desired


def invoke_url(api_id: str, region: str, suffix: str, stage: str) -> str:
    return f"https://{api_id}.execute-api.{region}.{suffix}/{stage}/"


class DeployRun:
    """One deploy of one spec to one stage: `plan` reads and plans, `apply` runs the plan."""

    def __init__(
        self,
        gateway: gw.Gateway,
        options: DeployOptions,
        pacing: Pacing | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        from .aws import AwsClients

        self.options = options
        self.desired = desired_for(gateway, options.stage, options.params)
        self.clients = AwsClients(options.region, options.endpoint_url, options.profile)
        self.caller = Caller(self.clients, pacing or Pacing(), retry or RetryPolicy())
        self.context: dict[str, str] = {}
        self.functions: tuple[str, ...] = ()

    def _converge(self) -> tuple[Changes, dict[str, str]]:
        d = self.desired
        live = read_live(
            self.caller, d.tag, self.options.stage, tuple(d.api_keys), tuple(d.usage_plans), self.functions
        )
        return plan_changes(d, live, self.context), {**self.context, **live.variables}

    def plan(self) -> DeployOutcome:
        """Read what exists and plan the calls (calls nothing that changes anything)."""
        identity = self.caller.call("sts", "get_caller_identity", {}, "get_caller_identity (the account id)")
        self.context = context_variables(self.clients.region, identity.get("Account"))
        d = self.desired
        self.functions = tuple(
            sorted(
                {
                    f
                    for p in d.permissions_for(d.stages).values()
                    if isinstance(f := partial(p.function, self.context), str)
                }
            )
        )
        changes, variables = self._converge()
        outcome = DeployOutcome(
            api_name=d.name,
            stage=self.options.stage,
            plan=changes.plan,
            notes=list(changes.notes),
            missing_functions=changes.missing_functions,
            variables=variables,
        )
        self._url(outcome)
        return outcome

    def apply(self, outcome: DeployOutcome, progress: Progress = no_progress) -> DeployOutcome:
        """Run the planned calls, then read the API back and converge what the service did not take."""
        if outcome.plan:
            outcome.variables = Executor(self.caller, outcome.variables, progress).run(outcome.plan)
            for attempt in (1, 2):
                again, variables = self._converge()
                if not again.plan:
                    break
                listing = ", ".join(c.label for c in again.plan)
                if attempt == 2:
                    outcome.notes.append(
                        f"after a second pass the service still differs from the spec: {listing}; run the deploy again, or see docs/deploy.md"
                    )
                    break
                outcome.notes.append(f"the service did not store everything as sent; applied again: {listing}")
                outcome.plan = outcome.plan + again.plan
                outcome.variables = Executor(self.caller, variables, progress).run(again.plan)
        outcome.notes = list(dict.fromkeys(outcome.notes))
        outcome.applied = True
        self._url(outcome)
        return outcome

    def _url(self, outcome: DeployOutcome) -> None:
        api_id = outcome.variables.get("restApi")
        if api_id and self.desired.methods:
            outcome.invoke_url = invoke_url(
                api_id, self.clients.region, self.context["aws:urlSuffix"], self.options.stage
            )


def deploy(
    gateway: gw.Gateway,
    options: DeployOptions,
    progress: Progress = no_progress,
    pacing: Pacing | None = None,
    retry: RetryPolicy | None = None,
) -> DeployOutcome:
    """Plan and apply in one go (the Python API)."""
    d = DeployRun(gateway, options, pacing, retry)
    return d.apply(d.plan(), progress)


# ----------------------------------------------------------------------------------------
# What the command prints


def render_plan(outcome: DeployOutcome) -> str:
    """The planned calls (``--dry-run``, and before asking for confirmation)."""
    head = f"{outcome.api_name} -> stage {outcome.stage}"
    if not outcome.plan:
        return f"{head}: up to date, nothing to do\n"
    width = len(str(len(outcome.plan)))
    lines = [f"{head}: {plan_summary(outcome.plan)}"]
    lines += [f"  {i:>{width}}. {call_line(c)}" for i, c in enumerate(outcome.plan, 1)]
    return "\n".join(lines) + "\n"


def render_result(outcome: DeployOutcome) -> str:
    """The last lines of a deploy: what was done and the invoke URL."""
    if outcome.mutating:
        out = f"Deployed {outcome.api_name} to stage {outcome.stage}: {outcome.mutating} change{'s' if outcome.mutating != 1 else ''}\n"
    else:
        out = f"{outcome.api_name} is up to date on stage {outcome.stage}: no change made\n"
    if outcome.invoke_url:
        out += f"Invoke URL: {outcome.invoke_url}\n"
    return out
