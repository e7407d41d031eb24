"""Diagnostic codes of the template source (AGW030-AGW039).

A SAM or CloudFormation template is a *source*: these codes say what apigwc could not
read or resolve in it.  Problems inside an API's OpenAPI body are reported by the usual
codes (AGW001-AGW017, rules AGW1xx-AGW5xx) at the template's (or include file's) position.
"""

from __future__ import annotations

from ..diagnostics import Code, Severity

NO_API = Code(
    code="AGW030",
    name="template-no-api",
    severity=Severity.ERROR,
    stage="template",
    summary="The template holds no REST API apigwc can compile.",
    doc="""What it checks: a SAM or CloudFormation template declares at least one REST API:
an `AWS::Serverless::Api`, a function event of `Type: Api` (SAM's implicit
`ServerlessRestApi`), or an `AWS::ApiGateway::RestApi`.  With `--api`, that logical id is
one of them.

Why: there is nothing to lint, build or serve; the message lists what the template holds.

Example:
    Resources:
      Queue:
        Type: AWS::SQS::Queue

Fix: point apigwc at the template that holds the API, or pick an API that exists with
`--api LOGICAL_ID` (the message lists them).""",
)
VALUE_UNKNOWN = Code(
    code="AGW031",
    name="template-value-unknown",
    severity=Severity.INFO,
    stage="template",
    summary="A template value cannot be known locally; the message names the flag that sets it.",
    doc="""What it checks: every value the local gateway needs from the template (stage variables,
function environment variables, parameters without a default) resolves offline.
`Fn::ImportValue`, a parameter without a default, or an attribute of a resource that only
exists once deployed (`!GetAtt Table.StreamArn`) cannot.

Why: apigwc never guesses: a value it cannot know is left out, and this finding says
where it is and how to give it.

Example:
    Environment:
      Variables:
        USER_POOL_ID: !ImportValue cognito-UserPool

Fix: pass the value with `--param` (`--param ImportValue:cognito-UserPool=us-east-1_abc`,
`--param Table.StreamArn=arn:...`, `--param ParameterName=value`) or a parameters file.""",
)
INCLUDE_ERROR = Code(
    code="AGW032",
    name="template-include",
    severity=Severity.ERROR,
    stage="template",
    summary="An `AWS::Include` location or a `DefinitionUri` cannot be read.",
    doc="""What it checks: every `Fn::Transform: {Name: AWS::Include, Parameters: {Location}}` and
every local `DefinitionUri` names a file that exists next to the template.  An `s3://`
location is not read (apigwc never uses the network).

Why: without the included OpenAPI document there is no API to check or serve.

Example:
    DefinitionBody:
      Fn::Transform:
        Name: AWS::Include
        Parameters:
          Location: ./api.yml     # the file is api.yaml

Fix: correct the path (relative to the template), or keep a local copy of the S3 object
in the repository and point at it.""",
)
BODY_S3 = Code(
    code="AGW033",
    name="template-body-s3",
    severity=Severity.ERROR,
    stage="template",
    summary="The API's OpenAPI body is in S3 (`BodyS3Location`, `DefinitionUri: s3://...`).",
    doc="""What it checks: the API's definition is in the template or a local file.

Why: apigwc never reads S3; an API whose body only exists in a bucket cannot be checked or
served.

Example:
    Type: AWS::ApiGateway::RestApi
    Properties:
      BodyS3Location: {Bucket: my-bucket, Key: api.yaml}

Fix: keep the OpenAPI file in the repository and reference it with `DefinitionUri: ./api.yaml`
(SAM uploads it on `sam deploy`) or `AWS::Include` with a local `Location`.""",
)
SAM_ERROR = Code(
    code="AGW034",
    name="template-sam-invalid",
    severity=Severity.ERROR,
    stage="template",
    summary="The SAM translator (aws-sam-translator) rejects the template.",
    doc="""What it checks: the template expands with the official SAM translator, the library that
`sam validate`, `sam deploy` and CloudFormation's `AWS::Serverless` transform use.

Why: CloudFormation would reject the stack with the same message.

Example:
    Events:
      Api:
        Type: Api
        Properties:
          Path: /items        # Method is missing

Fix: as the translator's message says (it is quoted as is).""",
)
CIRCULAR = Code(
    code="AGW035",
    name="template-circular-reference",
    severity=Severity.ERROR,
    stage="template",
    summary="Resources (or conditions) reference each other in a cycle.",
    doc="""What it checks: `Ref`, `Fn::GetAtt`, `Fn::Sub` and `DependsOn` between resources, and
`Condition` between conditions, form no cycle.

Why: CloudFormation rejects the template ("Circular dependency between resources").

Example:
    A: {Type: AWS::SNS::Topic, Properties: {TopicName: !GetAtt B.TopicName}}
    B: {Type: AWS::SNS::Topic, Properties: {TopicName: !GetAtt A.TopicName}}

Fix: break the cycle (often by naming one side with a parameter or `!Sub`).""",
)
UNKNOWN_TYPE = Code(
    code="AGW036",
    name="template-unknown-resource-type",
    severity=Severity.WARNING,
    stage="template",
    summary="A resource type is not one CloudFormation or SAM knows.",
    doc="""What it checks: `AWS::Serverless::*` and `AWS::ApiGateway::*` resource types are ones the
SAM translator and CloudFormation define, and every type has the `Vendor::Service::Resource`
form.

Why: CloudFormation rejects an unknown type ("Unrecognized resource types"); a misspelled
`AWS::Serverless::Functon` also silently drops an API's routes from apigwc's view.

Example:
    Type: AWS::Serverless::Functon

Fix: correct the type (the message suggests the nearest known one).""",
)
SAM_LOCAL_ONLY = Code(
    code="AGW038",
    name="template-sam-local-only",
    severity=Severity.WARNING,
    stage="template",
    summary="The SAM translator rejects the template as written, but accepts it once parameters are resolved (as SAM CLI does locally).",
    doc="""What it checks: the template expands with the official SAM translator as CloudFormation
runs it, where parameter `Ref`s in SAM properties such as an event's `Auth.Authorizer` are
not resolved.  SAM CLI resolves every parameter before it translates, so `sam local` accepts
what a deploy rejects.

Why: the template works locally and fails on `sam deploy`.

Example:
    Auth:
      Authorizer: !Ref AuthOverride

Fix: write the value itself (`Authorizer: Token`), or choose with `Fn::If` on a condition
where SAM allows intrinsics.""",
)

TEMPLATE_CODES: tuple[Code, ...] = (
    NO_API,
    VALUE_UNKNOWN,
    INCLUDE_ERROR,
    BODY_S3,
    SAM_ERROR,
    CIRCULAR,
    UNKNOWN_TYPE,
    SAM_LOCAL_ONLY,
)
