"""The deploy target: the boto3 calls that create the API from nothing, as data.

``apigwc emit --target deploy`` and ``apigwc build`` write

* ``deploy-plan.json``: every call (service, operation, target, params, outputs), with
  ``{"$ref": name}`` where a value comes from an earlier call's result or the AWS
  context, and ``{"$join": [...]}`` for text built from such values;
* ``deploy-plan.txt``: one line per call.

The plan covers every declared stage.  ``apigwc deploy SPEC --stage NAME`` plans one
stage against what exists (apigwc.deploy.diff); on an empty account its calls are the
ones listed here for that stage.  docs/deploy.md describes both.
"""

from __future__ import annotations

from .. import gateway as gw
from ..diagnostics import Code, Diagnostics
from ..planner.calls import plan_text, plan_to_json
from ..planner.desired import API_TAG, HANDLERS, desired_state, plan_create
from ..planner.refs import ProblemKind, Values
from ..source import join
from ..target_codes import (
    DEPLOY_CODES,
    DOCUMENTATION_NOT_DEPLOYED,
    INTRINSIC_UNSUPPORTED,
    NEEDS_PARAMETER,
    NOTHING_TO_DEPLOY,
)
from .base import Artifact, EmitOptions, report_nothing_to_deploy


class DeployTarget:
    """``apigwc emit --target deploy``: deploy-plan.json and deploy-plan.txt."""

    name = "deploy"
    folder = None
    #: its own codes, and AGW907 which it shares with the CloudFormation target
    codes = (*DEPLOY_CODES, NOTHING_TO_DEPLOY)
    handlers = HANDLERS
    unsupported: dict[type, Code] = {}

    def emit(self, gateway: gw.Gateway, options: EmitOptions, diags: Diagnostics) -> Artifact:
        values = Values()
        slug = gateway.slug
        desired = desired_state(gateway, values, slug, gateway.stages)
        plan = plan_create(desired)
        reported: set[tuple[str, str]] = set()
        for p in values.problems:
            if (p.name, p.pointer) in reported:
                continue
            reported.add((p.name, p.pointer))
            if p.kind is ProblemKind.PARAMETER:
                diags.add(
                    NEEDS_PARAMETER,
                    f"{p.where} refers to '{p.name}', which only a CloudFormation stack knows; the deploy needs --param {p.name}=VALUE",
                    pointer=p.pointer,
                    at_key=True,
                    hint="pass --param to apigwc deploy, or deploy with --via cloudformation",
                )
            else:
                diags.add(
                    INTRINSIC_UNSUPPORTED,
                    f"{p.where} uses {p.name}, which deploy calls cannot resolve",
                    pointer=p.pointer,
                    at_key=True,
                    hint="deploy with --via cloudformation, or use a literal or a Ref",
                )
        api = gateway.rest_api
        if api.documentation:
            diags.add(
                DOCUMENTATION_NOT_DEPLOYED,
                "x-amazon-apigateway-documentation is not deployed by deploy calls (no DocumentationPart calls)",
                pointer=join(api.pointer, "x-amazon-apigateway-documentation"),
                at_key=True,
                hint="deploy with --via cloudformation --cfn-style body",
            )
        report_nothing_to_deploy(gateway, diags, "the plan")
        about = {
            "api": desired.name,
            "tag": f"{API_TAG}={slug}",
            "stages": [s.name for s in gateway.stages],
            "parameters": sorted(values.parameters),
            "deploymentDescription": desired.deployment_description,
        }
        return {
            "deploy-plan.json": plan_to_json(plan, about),
            "deploy-plan.txt": plan_text(
                plan,
                desired.name,
                "the calls that create the API and its stages from nothing; $name is a value from an earlier call or the AWS context",
            ),
        }
