"""``apigwc deploy --via cloudformation``: a stack from the CloudFormation target, through a change set.

The template is the cfn target's (``apigwc emit --target cfn``), holding every declared
stage.  The stack is ``--stack-name`` or ``apigwc-<api-name>``; it is created (change
set type CREATE) or updated (UPDATE).  The change set is shown as a table before
anything changes, then executed on ``--yes`` (or a "yes" on a terminal) and followed
until the stack settles; a dry run, a refusal or a change set without changes is
deleted again (with the empty stack CloudFormation made for a CREATE change set).

Template Parameters (Refs and GetAtts of the spec, ``--lambda-params``) take their
values from ``--param NAME=VALUE``; one without a value or a default stops the deploy
before anything is created.  The template is passed inline: above 51,200 bytes
CloudFormation wants it in S3, which this route does not do (``aws cloudformation deploy
--s3-bucket`` does).
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any, Callable

from .. import gateway as gw
from ..diagnostics import Diagnostics, Severity
from ..planner.desired import API_TAG
from ..targets.base import EmitOptions, serialize
from .executor import Caller, DeployError, NoPacing, RetryPolicy
from .run import DeployOptions

MAX_INLINE_TEMPLATE = 51_200
_TERMINAL_OK = ("CREATE_COMPLETE", "UPDATE_COMPLETE")
_NO_CHANGES = ("didn't contain changes", "No updates are to be performed", "No changes")


@dataclass
class ResourceChange:
    action: str
    logical_id: str
    type: str
    replacement: str


@dataclass
class ChangeSet:
    name: str
    stack: str
    kind: str  # CREATE or UPDATE
    changes: list[ResourceChange]
    status_reason: str = ""


def render_changes(cs: ChangeSet) -> str:
    """The change set as a table (or a line saying there is nothing to do)."""
    if not cs.changes:
        return f"stack {cs.stack}: up to date, the change set has no changes\n"
    rows = [("Action", "Logical ID", "Type", "Replacement")]
    rows += [(c.action, c.logical_id, c.type, c.replacement or "-") for c in cs.changes]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = [
        f"change set {cs.name} ({'create' if cs.kind == 'CREATE' else 'update'} stack {cs.stack}): {len(cs.changes)} change{'s' if len(cs.changes) != 1 else ''}"
    ]
    for r in rows:
        lines.append("  " + "  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip())
    return "\n".join(lines) + "\n"


_IAM_NAMES = {
    "AWS::IAM::Role": "RoleName",
    "AWS::IAM::User": "UserName",
    "AWS::IAM::Group": "GroupName",
    "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
    "AWS::IAM::InstanceProfile": "InstanceProfileName",
}
#: SAM resources that create an IAM role unless given one [Doc: AWS SAM generated resources]
_SAM_ROLES = {"AWS::Serverless::Function": "Role", "AWS::Serverless::StateMachine": "Role"}


def capabilities(template: dict) -> list[str]:
    """What the change set must acknowledge [Doc: CreateChangeSet Capabilities]: IAM resources
    (named ones need CAPABILITY_NAMED_IAM), and CAPABILITY_AUTO_EXPAND for a transform."""
    needed: set[str] = set()
    if template.get("Transform"):
        needed.add("CAPABILITY_AUTO_EXPAND")
    for res in (template.get("Resources") or {}).values():
        if not isinstance(res, dict):
            continue
        kind, props = res.get("Type"), res.get("Properties") or {}
        if isinstance(kind, str) and kind.startswith("AWS::IAM::"):
            needed.add("CAPABILITY_IAM")
            if _IAM_NAMES.get(kind) in props:
                needed.add("CAPABILITY_NAMED_IAM")
        elif kind in _SAM_ROLES and _SAM_ROLES[kind] not in props:
            needed.add("CAPABILITY_IAM")
    return sorted(needed)


class StackDeploy:
    """One change set for one stack."""

    def __init__(
        self,
        gateway: gw.Gateway,
        options: DeployOptions,
        stack_name: str | None,
        emit_options: EmitOptions,
        poll: float = 2.0,
        timeout: float = 1800.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        from ..targets.cfn import build_template

        diags = Diagnostics()
        template = build_template(gateway, emit_options, diags)
        errors = [d for d in diags if d.severity is Severity.ERROR]
        if errors:
            raise DeployError(f"the CloudFormation template cannot be built: {errors[0].message}", usage=True)
        stage_ids = {s.name: s.id for s in gateway.stages}
        if gateway.stages and options.stage not in stage_ids:
            raise DeployError(
                f"stage '{options.stage}' is not declared in x-apigwc.stages (declared: {', '.join(stage_ids)})",
                usage=True,
            )
        slug = gateway.slug
        self._setup(
            template,
            emit_options,
            options,
            stack_name or f"apigwc-{slug}",
            slug,
            [f"{stage_ids.get(options.stage, '')}InvokeUrl"],
        )
        self.poll = poll
        self.timeout = timeout
        self.sleep = sleep

    @classmethod
    def for_template(
        cls,
        template: dict,
        options: DeployOptions,
        stack_name: str,
        output_keys: list[str],
        emit_options: EmitOptions | None = None,
        poll: float = 2.0,
        timeout: float = 1800.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> "StackDeploy":
        """A change set for a whole template (`apigwc.targets.stack`): ``output_keys`` name the invoke URLs to report."""
        job = cls.__new__(cls)
        job._setup(template, emit_options or EmitOptions(), options, stack_name, stack_name, output_keys)
        job.poll, job.timeout, job.sleep = poll, timeout, sleep
        return job

    def _setup(
        self,
        template: dict,
        emit_options: EmitOptions,
        options: DeployOptions,
        stack: str,
        slug: str,
        output_keys: list[str],
    ) -> None:
        from .aws import AwsClients

        self.template = template
        self.body = serialize(template, emit_options.format)
        if len(self.body.encode("utf-8")) > MAX_INLINE_TEMPLATE:
            raise DeployError(
                f"the template is {len(self.body.encode('utf-8')):,} bytes; CloudFormation takes at most {MAX_INLINE_TEMPLATE:,} inline "
                "and this route does not upload to S3: use 'apigwc emit --target cfn' and 'aws cloudformation deploy --s3-bucket BUCKET'",
                usage=True,
            )
        self.slug = slug
        self.stack = stack
        self.stage = options.stage
        self.output_keys = output_keys
        self.capabilities = capabilities(template)
        self.parameters = self._parameters(dict(options.params))
        self.clients = AwsClients(options.region, options.endpoint_url, options.profile)
        self.caller = Caller(self.clients, NoPacing(), RetryPolicy())

    def _parameters(self, given: dict[str, str]) -> list[dict]:
        declared = self.template.get("Parameters", {})
        unknown = sorted(set(given) - set(declared))
        if unknown:
            raise DeployError(
                f"--param {', '.join(unknown)}: the template has no such parameter (it has: {', '.join(declared) or 'none'})",
                usage=True,
            )
        missing = sorted(n for n, p in declared.items() if n not in given and "Default" not in p)
        if missing:
            raise DeployError(
                f"the template needs values for {', '.join(missing)}: pass "
                + " ".join(f"--param {n}=VALUE" for n in missing),
                usage=True,
            )
        return [{"ParameterKey": n, "ParameterValue": v} for n, v in sorted(given.items())]

    def _cfn(self, operation: str, label: str, **params: Any) -> dict:
        return self.caller.call("cloudformation", operation, params, label)

    def _stack_status(self) -> str | None:
        try:
            stacks = self._cfn("describe_stacks", f"describe_stacks {self.stack}", StackName=self.stack).get(
                "Stacks", []
            )
        except DeployError as exc:
            if "does not exist" in str(exc):
                return None
            raise
        return stacks[0]["StackStatus"] if stacks else None

    def create_change_set(self) -> ChangeSet:
        status = self._stack_status()
        kind = "CREATE" if status in (None, "REVIEW_IN_PROGRESS") else "UPDATE"
        if status is not None and status.endswith("_IN_PROGRESS") and status != "REVIEW_IN_PROGRESS":
            raise DeployError(f"stack {self.stack} is {status}: wait for it to finish, then deploy again")
        if status == "ROLLBACK_COMPLETE":
            raise DeployError(
                f"stack {self.stack} is ROLLBACK_COMPLETE (its creation failed): delete it, then deploy again"
            )
        name = f"apigwc-{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:6]}"
        self._cfn(
            "create_change_set",
            f"create_change_set on stack {self.stack}",
            StackName=self.stack,
            ChangeSetName=name,
            ChangeSetType=kind,
            TemplateBody=self.body,
            Parameters=self.parameters,
            Tags=[{"Key": API_TAG, "Value": self.slug}],
            Description=f"apigwc deploy of {self.slug}",
            **({"Capabilities": self.capabilities} if self.capabilities else {}),
        )
        deadline = time.monotonic() + self.timeout
        while True:
            cs = self._cfn(
                "describe_change_set", f"describe_change_set {name}", StackName=self.stack, ChangeSetName=name
            )
            state = cs.get("Status", "")
            if state == "CREATE_COMPLETE":
                break
            if state == "FAILED":
                reason = cs.get("StatusReason", "")
                if any(s in reason for s in _NO_CHANGES):
                    return ChangeSet(name=name, stack=self.stack, kind=kind, changes=[], status_reason=reason)
                raise DeployError(f"change set {name} on stack {self.stack} failed: {reason}")
            if time.monotonic() > deadline:
                raise DeployError(
                    f"change set {name} on stack {self.stack} is still {state} after {self.timeout:.0f} s"
                )
            self.sleep(self.poll)
        changes = []
        for c in cs.get("Changes", []):
            rc = c.get("ResourceChange", {})
            changes.append(
                ResourceChange(
                    action=rc.get("Action", ""),
                    logical_id=rc.get("LogicalResourceId", ""),
                    type=rc.get("ResourceType", ""),
                    replacement=rc.get("Replacement", "") if rc.get("Action") == "Modify" else "",
                )
            )
        return ChangeSet(name=name, stack=self.stack, kind=kind, changes=changes)

    def discard(self, cs: ChangeSet) -> None:
        """Delete a change set that will not run (and the empty stack a CREATE change set made)."""
        self._cfn("delete_change_set", f"delete_change_set {cs.name}", StackName=self.stack, ChangeSetName=cs.name)
        if cs.kind == "CREATE" and self._stack_status() == "REVIEW_IN_PROGRESS":
            self._cfn("delete_stack", f"delete_stack {self.stack}", StackName=self.stack)

    def execute(self, cs: ChangeSet) -> str:
        """Execute the change set and follow the stack; the summary (with the invoke URL)."""
        self._cfn("execute_change_set", f"execute_change_set {cs.name}", StackName=self.stack, ChangeSetName=cs.name)
        deadline = time.monotonic() + self.timeout
        while True:
            stack = self._cfn("describe_stacks", f"describe_stacks {self.stack}", StackName=self.stack)["Stacks"][0]
            status = stack["StackStatus"]
            if status in _TERMINAL_OK:
                break
            if status.endswith(("_FAILED", "ROLLBACK_COMPLETE")):
                raise DeployError(f"stack {self.stack} is {status}: {self._first_failure()}")
            if time.monotonic() > deadline:
                raise DeployError(f"stack {self.stack} is still {status} after {self.timeout:.0f} s")
            self.sleep(self.poll)
        outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
        out = f"Stack {self.stack}: {status} ({len(cs.changes)} change{'s' if len(cs.changes) != 1 else ''})\n"
        for key in self.output_keys:
            if key in outputs:
                out += f"Invoke URL: {outputs[key]}\n"
        return out

    def _first_failure(self) -> str:
        events = self._cfn("describe_stack_events", f"describe_stack_events {self.stack}", StackName=self.stack).get(
            "StackEvents", []
        )
        for e in reversed(events):
            if e.get("ResourceStatus", "").endswith("_FAILED"):
                return f"{e.get('LogicalResourceId')} ({e.get('ResourceType')}): {e.get('ResourceStatusReason', '')}"
        return "see the stack's events"


def deploy_stack(
    template: dict,
    apis: "dict[str, gw.Gateway]",
    options: DeployOptions,
    stack_name: str,
    style: str = "explicit",
    stack: dict | None = None,
    **job: Any,
) -> StackDeploy:
    """The change-set job for a whole template: `apigwc.targets.stack.emit_stack` of ``apis``
    (or ``stack``, that stack as `pipeline.compile_stack` assembled it).

    The caller drives it as for one API: ``create_change_set()``, show ``render_changes``,
    then ``discard`` or ``execute``.  ``options.stage`` must be a stage of at least one API;
    the invoke URL of that stage of each API is reported after the execution.  ``job``
    passes ``poll``, ``timeout`` and ``sleep`` on.
    """
    from ..targets.stack import emit_stack

    declared = sorted({s.name for g in apis.values() for s in g.stages})
    if declared and options.stage not in declared:
        raise DeployError(
            f"stage '{options.stage}' is not a stage of any API in the template (stages: {', '.join(declared)})",
            usage=True,
        )
    if stack is None:
        stack = emit_stack(template, apis, style)
    keys = [
        f"{api_id}{s.id}InvokeUrl" for api_id, g in sorted(apis.items()) for s in g.stages if s.name == options.stage
    ]
    return StackDeploy.for_template(stack, options, stack_name, keys, **job)
