"""The diagnostic codes of the targets (AGW9xx): what a target cannot express.

They are plain data in the foundation layer, apart from the targets, so that the code
catalog and the rule that checks `x-apigwc-ignore` entries (AGW018, below the targets) can
list them without importing the targets themselves (which pull in the gateway model, the
lowering and the planner): a lint of a small spec stays fast, and no import goes upward.
"""

from __future__ import annotations

from .diagnostics import Code, Severity

# ----------------------------------------------------------------------------------------
# The CloudFormation target

BUILTIN_MODEL_NAME = Code(
    code="AGW901",
    name="cfn-builtin-model-name",
    severity=Severity.WARNING,
    stage="target",
    summary="A model named Empty or Error is renamed in explicit CloudFormation templates.",
    doc="""What it checks: no spec model is called `Empty` or `Error` when emitting the
explicit CloudFormation style.

Why: every new REST API already has models named `Empty` and `Error`; an
`AWS::ApiGateway::Model` with either name fails with "Model name already exists for this
REST API" (an import replaces them instead).  apigwc creates the model as `ErrorModel`
(or `EmptyModel`) and points every method at it, so the stack deploys; the model name
seen in exports and SDKs differs from the spec.

Example:
    components: {schemas: {Error: {type: object}}}

Fix: rename the schema (`ApiError`), or use `--cfn-style body`, which keeps the name.""",
)
RESOURCE_LIMIT = Code(
    code="AGW902",
    name="cfn-resource-limit",
    severity=Severity.WARNING,
    stage="target",
    summary="The template has more resources than CloudFormation allows in one stack (500).",
    doc="""What it checks: the explicit template has at most 500 resources.

Why: CloudFormation rejects templates with more than 500 resources; every path segment,
method, model and permission is one.

Example: a spec with 170 paths of two segments each (`/r1/{id}` ... `/r170/{id}`).

Fix: `--cfn-style body` (the whole API is one RestApi resource), or split the API.""",
)
TEMPLATE_SIZE = Code(
    code="AGW903",
    name="cfn-template-size",
    severity=Severity.WARNING,
    stage="target",
    summary="The template is larger than CloudFormation accepts (1 MB from S3, 51,200 bytes inline).",
    doc="""What it checks: the emitted template is at most 1,000,000 bytes (the limit for a
template uploaded to S3); above 51,200 bytes it must be uploaded to S3 (`aws cloudformation
deploy --s3-bucket ...`), which this check mentions as information.

Why: CreateStack / UpdateStack reject larger templates.

Example: a spec with a few thousand methods and mapping templates, in the explicit style.

Fix: YAML is smaller than JSON; the body style is smaller than the explicit one; or split
the API.""",
)
PERMISSION_UNRESOLVED = Code(
    code="AGW904",
    name="lambda-permission-unresolved",
    severity=Severity.WARNING,
    stage="target",
    summary="apigwc cannot tell which Lambda function an integration or authorizer invokes, so it emits no permission.",
    doc="""What it checks: every Lambda integration and Lambda authorizer without `credentials`
gets an `AWS::Lambda::Permission`.

Why: without a resource-based permission (or an invocation role in `credentials`) every
call fails with 500 "Internal server error" ("Invalid permissions on Lambda function").
apigwc derives the function from the invoke URI; a function chosen by a stage variable
that no declared stage defines, or hidden in an intrinsic apigwc cannot read, cannot be
resolved.

Example:
    uri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${stageVariables.fn}/invocations
    # and no x-apigwc.stages defining fn

Fix: declare the stages and their variables, set `credentials` to a role API Gateway may
assume, or add the permission to your own stack.""",
)
RECURSIVE_MODELS = Code(
    code="AGW905",
    name="cfn-recursive-models",
    severity=Severity.WARNING,
    stage="target",
    summary="Models reference each other in a cycle, which explicit CloudFormation cannot order.",
    doc="""What it checks: no model references itself, directly or through other models, in the
explicit CloudFormation style.

Why: CreateModel needs the models a schema references to exist already; CloudFormation
creates resources in dependency order and rejects circular dependencies, so one model of
the cycle is created before the model it references and the stack may fail with "Invalid
model identifier specified".  An import (the body style) creates all models at once.

Example:
    Node: {type: object, properties: {children: {type: array, items: {$ref: '#/components/schemas/Node'}}}}

Fix: `--cfn-style body`.""",
)
UNKNOWN_MAPPING = Code(
    code="AGW906",
    name="cfn-unknown-mapping",
    severity=Severity.ERROR,
    stage="target",
    summary="An Fn::FindInMap in the spec names a Mappings entry the template does not have.",
    doc="""What it checks: intrinsics copied from the spec into the template can be resolved.
Refs and GetAtts to names outside the template become Parameters and Fn::If conditions
become a Parameter plus a Condition, but a Mappings table cannot be invented.

Why: CloudFormation rejects the template ("Mapping named 'X' is not present").

Example:
    uri: {Fn::FindInMap: [Backends, prod, url]}

Severity: error.  CloudFormation refuses the stack: Fn::FindInMap on a missing Mappings key
fails template validation [Doc: CloudFormation Fn::FindInMap; Inf for the message].

Fix: replace the Fn::FindInMap with a Ref to a parameter, or a literal value.""",
)
NOTHING_TO_DEPLOY = Code(
    code="AGW907",
    name="nothing-to-deploy",
    severity=Severity.WARNING,
    stage="target",
    summary="The template or deploy plan creates the API but no stage serves it (no stages declared, or no methods).",
    doc="""What it checks: the API has at least one method and `x-apigwc.stages` declares at
least one stage.  The CloudFormation target and the deploy plan both report it (one
check, `targets.base.report_nothing_to_deploy`); `apigwc build` reports it once.

Why: a Deployment of an API without methods fails ("The REST API doesn't contain any
methods"; `CreateDeployment` answers the same), so neither the template nor the plan
creates one; and without a Stage the API has no invoke URL: the stack or the plan creates
the API, but nothing can call it.  (`apigwc deploy --stage NAME` creates a stage with that
name when the spec declares none.)

Example:
    x-apigwc: {}     # no stages

Fix: `x-apigwc: {stages: {prod: {}}}`.

This code was also AGW923 (`deploy-nothing-to-deploy`) for the deploy plan; AGW923 is
retired: the one fact has one code.""",
)
NOT_EXPRESSIBLE = Code(
    code="AGW908",
    name="cfn-setting-not-expressible",
    severity=Severity.WARNING,
    stage="target",
    summary="A setting has no CloudFormation property and is left out of the template.",
    doc="""What it checks: every setting of the gateway model has a CloudFormation property
in the chosen style.  Not expressible: `tlsConfig.insecureSkipVerification` on
integrations (explicit style: `AWS::ApiGateway::Method` has no TlsConfig),
`x-amazon-apigateway-documentation` (explicit style: apigwc does not emit
DocumentationPart resources) and the
method settings `requireAuthorizationForCacheControl` and
`unauthorizedCacheControlHeaderStrategy` (`AWS::ApiGateway::Stage` has no such
properties).

Why: the deployed API silently differs from the spec.

Example:
    x-amazon-apigateway-integration:
      type: http_proxy
      tlsConfig: {insecureSkipVerification: true}     # explicit style

Fix: for TLS and documentation, use `--cfn-style body`; for the cache-control settings, set them after the
deploy (`aws apigateway update-stage`) or drop them.""",
)

VALUE_PINNED = Code(
    code="AGW909",
    name="stack-value-pinned",
    severity=Severity.WARNING,
    stage="target",
    summary="A value an API takes from a template Parameter, Condition or other intrinsic is written into the stack as its local value.",
    doc="""What it checks: when a template is emitted as one stack (`emit --target cfn`, `build`,
`deploy` of a template), every value an API takes from an intrinsic (`!Ref Stage`,
`!Sub 'https://${Env}.example.com'`, `!If [IsProd, a, b]`, `!GetAtt Fn.Arn`...) is written
back as that intrinsic, so the stack still follows `--parameter-overrides`.  A value that
apigwc needs as a concrete string (a path, a name it derives a logical id from, a Fn::If whose
branches hold references) cannot be: it is written as the value it had locally (a parameter's
Default, or `--param`), and this warning names it.  (Numbers made from a parameter, such as
`ThrottlingBurstLimit: !Ref Burst` or `timeoutInMillis: !Ref Timeout` of a Number parameter,
are written back as the reference.)

Why: a deploy with other parameter values would silently get the local one.

Example:
    Conditions: {IsProd: !Equals [!Ref Env, prod]}
    ...
    x-amazon-apigateway-integration:
      uri: !If [IsProd, !Sub '...${ProdFn.Arn}/invocations', !Sub '...${TestFn.Arn}/invocations']

Fix: write the value literally, or keep the parameter out of the API's paths and numbers;
emit with the `--param` values you deploy with.""",
)
PROPERTY_DROPPED = Code(
    code="AGW910",
    name="stack-property-dropped",
    severity=Severity.WARNING,
    stage="target",
    summary="A property of an API resource the stack replaces is neither modeled nor carried over, so it is left out.",
    doc="""What it checks: when a template is emitted as one stack, apigwc replaces each API's
resources (`AWS::Serverless::Api`, `AWS::ApiGateway::RestApi`, `Stage`, `Method`...) with
its own.  Every property of a replaced resource either is part of the gateway model (and
written again), or is copied verbatim onto the resource that replaces it (tags, a canary
setting, a client certificate, a documentation version...).  What is neither is reported
here, at the property, and left out.

Why: the deployed API would silently lack the setting.

Example:
    MyApi:
      Type: AWS::Serverless::Api
      Properties: {StageName: prod, DisableExecuteApiEndpoint: true, ...}
    # an AWS::ApiGateway::Deployment written by hand with DeploymentCanarySettings

Fix: set the property on a resource apigwc leaves alone, or after the deploy.""",
)

CFN_CODES: tuple[Code, ...] = (
    BUILTIN_MODEL_NAME,
    RESOURCE_LIMIT,
    TEMPLATE_SIZE,
    PERMISSION_UNRESOLVED,
    RECURSIVE_MODELS,
    UNKNOWN_MAPPING,
    NOTHING_TO_DEPLOY,
    NOT_EXPRESSIBLE,
    VALUE_PINNED,
    PROPERTY_DROPPED,
)


# ----------------------------------------------------------------------------------------
# The deploy target

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
DEPLOY_CODES: tuple[Code, ...] = (NEEDS_PARAMETER, INTRINSIC_UNSUPPORTED, DOCUMENTATION_NOT_DEPLOYED)


#: every AGW9xx code, in the order the targets declare them
TARGET_CODES: tuple[Code, ...] = CFN_CODES + DEPLOY_CODES
