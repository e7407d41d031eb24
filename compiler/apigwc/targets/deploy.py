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
from ..diagnostics import Code, Diagnostics, Severity
from ..planner.calls import plan_text, plan_to_json
from ..planner.desired import API_TAG, HANDLERS, desired_state, plan_create
from ..planner.refs import ProblemKind, Values
from ..source import join
from .base import Artifact, EmitOptions

NEEDS_PARAMETER = Code(
    code="AGW920",
    name="deploy-needs-parameter",
    severity=Severity.WARNING,
    stage="target",
    summary="A value is a CloudFormation Ref or GetAtt: the deploy needs it as --param NAME=VALUE.",
    doc="""What it checks: every value of the deploy plan can be resolved without a
CloudFormation stack.  `Ref: X`, `Fn::GetAtt: [R, Attr]`, `${X}` and `${R.Attr}` inside
`Fn::Sub` name things that only a stack knows.

Why: deploy calls send text; API Gateway does not resolve intrinsics.  The plan keeps a
parameter in their place (`{"$ref": "param:PetsFunctionArn"}`) and `apigwc deploy` stops
before any call until every parameter has a value.

Example:
    uri: {Fn::Sub: "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${PetsFunction.Arn}/invocations"}

Fix: `apigwc deploy SPEC --stage prod --param PetsFunctionArn=arn:aws:lambda:...`, or
deploy through CloudFormation: `apigwc deploy SPEC --stage prod --via cloudformation`.""",
)
INTRINSIC_UNSUPPORTED = Code(
    code="AGW921",
    name="deploy-intrinsic-unsupported",
    severity=Severity.WARNING,
    stage="target",
    summary="A value uses a CloudFormation intrinsic (Fn::If, Fn::FindInMap...) that deploy calls cannot express.",
    doc="""What it checks: the intrinsics in the spec are ones the deploy planner can rebuild:
`Ref`, `Fn::GetAtt`, `Fn::Sub` and `Fn::Join` (over parameters and `AWS::Region`,
`AWS::AccountId`, `AWS::Partition`, `AWS::URLSuffix`).

Why: `Fn::If`, `Fn::FindInMap`, `Fn::ImportValue`, `Fn::Select` and the other
functions need a stack's conditions, mappings or exports; `apigwc deploy` refuses such a
spec (it calls nothing).

Example:
    uri: {Fn::If: [IsProd, arn:...:function:Prod/invocations, arn:...:function:Dev/invocations]}

Fix: deploy with `--via cloudformation`, or replace the intrinsic with a literal or a `Ref`.""",
)
DOCUMENTATION_NOT_DEPLOYED = Code(
    code="AGW922",
    name="deploy-documentation-not-deployed",
    severity=Severity.WARNING,
    stage="target",
    summary="x-amazon-apigateway-documentation is not deployed by deploy calls.",
    doc="""What it checks: the spec has no `x-amazon-apigateway-documentation`.

Why: the deploy planner does not create DocumentationPart resources, so the deployed API
has no documentation parts.

Example:
    x-amazon-apigateway-documentation: {version: "1", documentationParts: [...]}

Fix: deploy with `--via cloudformation --cfn-style body` (the import creates the parts),
or manage documentation separately.""",
)
NOTHING_TO_DEPLOY = Code(
    code="AGW923",
    name="deploy-nothing-to-deploy",
    severity=Severity.WARNING,
    stage="target",
    summary="The deploy plan creates the API but no stage serves it (no stages declared, or no methods).",
    doc="""What it checks: the API has at least one method and `x-apigwc.stages` declares at
least one stage.

Why: `CreateDeployment` fails on an API without methods, and the plan of `emit --target
deploy` only creates the stages the spec declares.  (`apigwc deploy --stage NAME` creates
a stage with that name when the spec declares none.)

Example:
    x-apigwc: {}     # no stages

Fix: `x-apigwc: {stages: {prod: {}}}`.""",
)

DEPLOY_CODES: tuple[Code, ...] = (NEEDS_PARAMETER, INTRINSIC_UNSUPPORTED, DOCUMENTATION_NOT_DEPLOYED, NOTHING_TO_DEPLOY)


class DeployTarget:
    """``apigwc emit --target deploy``: deploy-plan.json and deploy-plan.txt."""

    name = "deploy"
    folder = None
    codes = DEPLOY_CODES
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
        if not gateway.methods or not gateway.stages:
            diags.add(
                NOTHING_TO_DEPLOY,
                "the API has no methods: the plan creates no deployment and no stage"
                if not gateway.methods
                else "no stages are declared: the plan creates the API but no stage serves it",
                pointer=api.pointer,
                hint="declare x-apigwc: {stages: {prod: {}}}",
            )
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
