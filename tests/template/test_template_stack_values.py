"""The stack a template is emitted as keeps the template's references and every property of
what it replaces (`apigwc.targets.stack`, `pipeline.compile_stack`).

Values: a `!Ref Stage`, a `!Sub` with `${Env}`, a `!If [IsProd, ...]` that an API takes are
resolved for the local checks and written back as those intrinsics into the stack; where the
gateway model needs a concrete value, AGW909 names it.  Properties: each property of a
replaced resource is modeled, carried verbatim, or reported (AGW910), by `PROPERTY_FATE`,
which is checked against the CloudFormation resource schemas cfn-lint ships.  cfn-lint judges
every stack.
"""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest

from apigwc.config import Config
from apigwc.intrinsics import Resolved
from apigwc.pipeline import compile_stack
from apigwc.targets.base import OutputFormat, serialize
from apigwc.targets.stack import CARRY, MODEL, OVERRIDE, PROPERTY_FATE, SAM_API_FATE
from apigwc.template import LocalValues
from apigwc.template.run import compile_template


@pytest.fixture(scope="module")
def cfn_lint():
    from support import cfn_lint_runner

    run = cfn_lint_runner()
    return lambda stack: sorted(m for m in run(serialize(stack, OutputFormat.yaml))[1] if m.startswith("E"))


def write(folder: Path, text: str) -> Path:
    path = folder / "template.yaml"
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def stack_of(path: Path, **params: str):
    result = compile_stack(path, path.name, Config(), "explicit", LocalValues(params=params))
    assert not isinstance(result, str) and result.stack is not None, result
    assert result.errors == [], [(d.code, d.message) for d in result.errors]
    return result


def located(result, code: str) -> list[str]:
    return [f"{d.span.line}:{d.span.col} {d.message}" for d in result.diagnostics if d.code == code]


PARAMETERS = """
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage: {Type: String, Default: dev}
  Env: {Type: String, Default: staging, AllowedValues: [staging, prod]}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Logs:
    Type: AWS::Logs::LogGroup
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: !Ref Stage
      Variables:
        env: !Ref Env
        backend: !If [IsProd, api.example.com, staging.example.com]
        region: !Sub '${AWS::Region}-${AWS::AccountId}'
        literal: dev
      AccessLogSetting:
        DestinationArn: !GetAtt Logs.Arn
        Format: $context.requestId
      MethodSettings:
        - ResourcePath: /*
          HttpMethod: '*'
          LoggingLevel: !If [IsProd, ERROR, INFO]
      DefinitionBody:
        openapi: 3.0.1
        info: {title: !Sub 'pets-${Env}', version: '1'}
        paths:
          /items:
            get:
              responses: {'200': {description: ok}}
              x-amazon-apigateway-integration:
                type: http_proxy
                httpMethod: GET
                uri: !Sub 'https://${Env}.example.com/items'
"""


def test_parameters_stay_references_in_the_stack_and_local_runs_keep_their_values(tmp_path, cfn_lint):
    path = write(tmp_path, PARAMETERS)
    result = stack_of(path, Stage="prod")  # --param Stage=prod: the local value; the stack keeps the Ref
    stack = result.stack
    stages = {lid: r["Properties"] for lid, r in stack["Resources"].items() if r["Type"] == "AWS::ApiGateway::Stage"}
    assert stages["ApiStageProd"]["StageName"] == {"Ref": "Stage"}
    assert stages["ApiStageProd"]["Variables"] == {
        "backend": {"Fn::If": ["IsProd", "api.example.com", "staging.example.com"]},
        "env": {"Ref": "Env"},
        "literal": "dev",
        "region": {"Fn::Sub": "${AWS::Region}-${AWS::AccountId}"},
    }
    assert stages["ApiStageProd"]["AccessLogSetting"] == {
        "DestinationArn": {"Fn::GetAtt": ["Logs", "Arn"]},
        "Format": "$context.requestId",
    }
    assert stages["ApiStageProd"]["MethodSettings"] == [
        {"HttpMethod": "*", "LoggingLevel": {"Fn::If": ["IsProd", "ERROR", "INFO"]}, "ResourcePath": "/*"}
    ]
    method = stack["Resources"]["ApiMethodItemsGet"]["Properties"]
    assert method["Integration"]["Uri"] == {"Fn::Sub": "https://${Env}.example.com/items"}
    assert stack["Resources"]["Api"]["Properties"]["Name"] == {"Fn::Sub": "pets-${Env}"}
    assert located(result, "AGW909") == [] and located(result, "AGW910") == []
    assert cfn_lint(stack) == []
    # the local gateway (serve, invoke, lint) has the values, as plain strings
    local = compile_template(path, path.name, Config(), LocalValues(params={"Stage": "prod"}))
    gateway = local.apis["Api"].gateway
    assert [(s.name, type(s.name)) for s in gateway.stages if s.name != "Stage"] == [("prod", str)]
    stage = gateway.stage("prod")
    assert stage.variables == {
        "backend": "staging.example.com",
        "env": "staging",
        "literal": "dev",
        "region": "us-east-1-123456789012",
    }
    assert not any(isinstance(v, Resolved) for v in stage.variables.values())
    assert gateway.method("/items", "GET").integration.uri == "https://staging.example.com/items"
    assert type(gateway.method("/items", "GET").integration.uri) is str


def test_the_body_style_keeps_the_references_in_the_body(tmp_path, cfn_lint):
    path = write(tmp_path, PARAMETERS)
    result = compile_stack(path, path.name, Config(), "body", LocalValues())
    body = result.stack["Resources"]["Api"]["Properties"]["Body"]
    assert body["paths"]["/items"]["get"]["x-amazon-apigateway-integration"]["uri"] == {
        "Fn::Sub": "https://${Env}.example.com/items"
    }
    assert body["info"]["title"] == {"Fn::Sub": "pets-${Env}"}
    assert result.stack["Resources"]["ApiStageDev"]["Properties"]["StageName"] == {"Ref": "Stage"}
    assert cfn_lint(result.stack) == []


def test_a_value_the_gateway_needs_concrete_is_reported_pinned_where_it_is_written(tmp_path, cfn_lint):
    path = write(
        tmp_path,
        """
        AWSTemplateFormatVersion: '2010-09-09'
        Parameters:
          Burst: {Type: Number, Default: 100}
          Env: {Type: String, Default: staging}
        Conditions:
          IsProd: !Equals [!Ref Env, prod]
        Resources:
          A:
            Type: AWS::Lambda::Function
            Properties: {Runtime: python3.12, Handler: a.h, Role: arn:aws:iam::123456789012:role/r, Code: {ZipFile: x}}
          B:
            Type: AWS::Lambda::Function
            Properties: {Runtime: python3.12, Handler: a.h, Role: arn:aws:iam::123456789012:role/r, Code: {ZipFile: x}}
          Api:
            Type: AWS::ApiGateway::RestApi
            Properties:
              Name: pets
              Body:
                openapi: 3.0.1
                info: {title: pets, version: '1'}
                paths:
                  /items:
                    get:
                      responses: {'200': {description: ok}}
                      x-amazon-apigateway-integration:
                        type: aws_proxy
                        httpMethod: POST
                        uri: !If
                          - IsProd
                          - !Sub 'arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${A.Arn}/invocations'
                          - !Sub 'arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${B.Arn}/invocations'
          Deployment:
            Type: AWS::ApiGateway::Deployment
            Properties: {RestApiId: !Ref Api}
          Live:
            Type: AWS::ApiGateway::Stage
            Properties:
              RestApiId: !Ref Api
              DeploymentId: !Ref Deployment
              StageName: live
              MethodSettings:
                - {ResourcePath: /*, HttpMethod: '*', ThrottlingBurstLimit: !Ref Burst}
        """,
    )
    result = stack_of(path)
    assert located(result, "AGW909") == [
        '28:22 API Api: only the branch of {"Fn::If":["IsProd",{"Fn::Sub":"arn:aws:apigateway:${AWS::Region}:lambda:'
        'path/2015-03-31/functions/${A.Arn}/invocations"},{"Fn::Sub":"arn:aws:apigateway:${AWS::Region}:lambda:'
        'path/2015-03-31/functions/${B.Arn}/invocations"}]} chosen locally is written into the stack (its branches '
        "hold references apigwc cannot carry as one value)",
    ]
    uri = result.stack["Resources"]["ApiMethodItemsGet"]["Properties"]["Integration"]["Uri"]
    assert uri == {"Fn::Sub": "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${B.Arn}/invocations"}
    live = result.stack["Resources"]["Live"]["Properties"]
    # the gateway model holds a number, made from the parameter: written back as the reference
    assert live["MethodSettings"][0]["ThrottlingBurstLimit"] == {"Ref": "Burst"}
    assert cfn_lint(result.stack) == []


# ----------------------------------------------------------------------------------------
# Properties of what the stack replaces


def _schema_properties(kind: str) -> set[str]:
    from cfnlint.schema.manager import PROVIDER_SCHEMA_MANAGER

    schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema("us-east-1", kind).schema
    read_only = {p.rsplit("/", 1)[-1] for p in schema.get("readOnlyProperties", [])}
    return set(schema["properties"]) - read_only


@pytest.mark.parametrize("kind", sorted(PROPERTY_FATE))
def test_every_property_of_a_replaced_type_has_a_fate(kind):
    """The table is CloudFormation's resource schema, property for property (read-only ones aside)."""
    assert set(PROPERTY_FATE[kind]) == _schema_properties(kind)
    for prop, fate in PROPERTY_FATE[kind].items():
        assert fate in (MODEL, CARRY, OVERRIDE) or len(fate) > 40, (prop, fate)  # a reason, said in AGW910


def test_every_sam_api_property_has_a_fate():
    assert set(SAM_API_FATE) == _schema_properties("AWS::Serverless::Api")


def test_every_type_the_cfn_target_writes_for_an_api_is_in_the_table():
    """What replaces an API (the explicit style of every example spec) is what the table covers."""
    from apigwc.diagnostics import Diagnostics
    from apigwc.pipeline import compile_file
    from apigwc.targets import CfnStyle, EmitOptions
    from apigwc.targets.cfn import build_template
    from support import SPECS

    written: set[str] = set()
    for spec in sorted(SPECS.glob("*.yaml")):
        built = build_template(compile_file(spec).gateway, EmitOptions(cfn_style=CfnStyle.explicit), Diagnostics())
        written |= {r["Type"] for r in built["Resources"].values()}
    # (a Lambda permission replaces nothing: SAM's per-event permissions go with the events)
    assert written - {"AWS::Lambda::Permission"} == set(PROPERTY_FATE)


SAM_PROPERTIES = """
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Parameters:
  CertArn: {Type: String, Default: 'arn:aws:acm:us-east-1:123456789012:certificate/abc'}
Globals:
  Api:
    TracingEnabled: true
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      Description: the pets API
      AlwaysDeploy: true
      DisableExecuteApiEndpoint: true
      MinimumCompressionSize: 1024
      CacheClusterEnabled: true
      CacheClusterSize: '0.5'
      CanarySetting:
        PercentTraffic: 10
        StageVariableOverrides: {env: canary}
      Tags: {team: a}
      Domain:
        DomainName: api.example.com
        CertificateArn: !Ref CertArn
        EndpointConfiguration: REGIONAL
        Route53: {HostedZoneId: Z123456}
      DefinitionBody:
        openapi: 3.0.1
        info: {title: t, version: '1'}
        paths:
          /items:
            get:
              responses: {'200': {description: ok}}
              x-amazon-apigateway-integration: {type: http_proxy, httpMethod: GET, uri: 'https://example.com/items'}
"""


def test_sam_api_properties_are_carried_over_and_its_domain_kept(tmp_path, cfn_lint):
    path = write(tmp_path, SAM_PROPERTIES)
    result = stack_of(path)
    resources = result.stack["Resources"]
    api = resources["Api"]["Properties"]
    assert (api["Description"], api["DisableExecuteApiEndpoint"], api["MinimumCompressionSize"]) == (
        "the pets API",
        True,
        1024,
    )
    stage = resources["ApiStageProd"]["Properties"]
    assert stage["CanarySetting"] == {"PercentTraffic": 10, "StageVariableOverrides": {"env": "canary"}}
    assert stage["Tags"] == [{"Key": "team", "Value": "a"}]
    assert (stage["TracingEnabled"], stage["CacheClusterEnabled"], stage["CacheClusterSize"]) == (True, True, "0.5")
    # the custom domain: SAM's DomainName, BasePathMapping and DNS records, pointing at the replacement
    kinds = {r["Type"]: lid for lid, r in resources.items()}
    domain = kinds["AWS::ApiGateway::DomainName"]
    assert resources[domain]["Properties"]["RegionalCertificateArn"] == {"Ref": "CertArn"}  # SAM had resolved it
    mapping = resources[kinds["AWS::ApiGateway::BasePathMapping"]]["Properties"]
    assert mapping == {"DomainName": {"Ref": domain}, "RestApiId": {"Ref": "Api"}, "Stage": {"Ref": "ApiStageProd"}}
    records = resources[kinds["AWS::Route53::RecordSetGroup"]]["Properties"]
    assert records["RecordSets"][0]["AliasTarget"]["DNSName"] == {"Fn::GetAtt": [domain, "RegionalDomainName"]}
    # SAM's deployment described itself by its hash: apigwc's snapshot stands alone
    (deployment,) = [r for r in resources.values() if r["Type"] == "AWS::ApiGateway::Deployment"]
    assert re.fullmatch(r"apigwc snapshot [0-9a-f]{10}", deployment["Properties"]["Description"])
    assert located(result, "AGW910") == [
        "14:7 AWS::Serverless::Api property AlwaysDeploy is not kept in the emitted stack: apigwc's Deployment "
        "is redeployed when the API changes (its logical id holds a hash of the API), not on every deploy"
    ]
    assert located(result, "AGW909") == []
    assert cfn_lint(result.stack) == []


EXPLICIT_PROPERTIES = """
AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Stage: {Type: String, Default: dev}
Resources:
  Cert:
    Type: AWS::ApiGateway::ClientCertificate
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Name: pets
      CloneFrom: abc123
      Version: '3'
      Tags: [{Key: team, Value: a}]
  Items:
    Type: AWS::ApiGateway::Resource
    Properties: {RestApiId: !Ref Api, ParentId: !GetAtt Api.RootResourceId, PathPart: items}
  GetItems:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !Ref Items
      HttpMethod: GET
      AuthorizationType: NONE
      Integration:
        Type: MOCK
        RequestTemplates: {application/json: '{"statusCode": 200}'}
        IntegrationResponses: [{StatusCode: '200'}]
      MethodResponses: [{StatusCode: '200'}]
  Docs:
    Type: AWS::ApiGateway::DocumentationVersion
    Properties: {RestApiId: !Ref Api, DocumentationVersion: v1}
  Deployment:
    Type: AWS::ApiGateway::Deployment
    DependsOn: GetItems
    Properties:
      RestApiId: !Ref Api
      DeploymentCanarySettings: {PercentTraffic: 5}
  Live:
    Type: AWS::ApiGateway::Stage
    Properties:
      RestApiId: !Ref Api
      DeploymentId: !Ref Deployment
      StageName: !Ref Stage
      ClientCertificateId: !Ref Cert
      DocumentationVersion: !Ref Docs
      Tags: [{Key: env, Value: !Ref Stage}]
Outputs:
  Url:
    Value: !Sub 'https://${Api}.execute-api.${AWS::Region}.amazonaws.com/${Live}/'
"""


def test_explicit_resources_keep_what_the_model_does_not_hold(tmp_path, cfn_lint):
    path = write(tmp_path, EXPLICIT_PROPERTIES)
    result = stack_of(path)
    resources = result.stack["Resources"]
    # the stage keeps its logical id (its name is a parameter) and every property the model does not hold
    live = resources["Live"]["Properties"]
    assert live["StageName"] == {"Ref": "Stage"}
    assert (live["ClientCertificateId"], live["DocumentationVersion"]) == ({"Ref": "Cert"}, {"Ref": "Docs"})
    assert live["Tags"] == [{"Key": "env", "Value": {"Ref": "Stage"}}]
    assert live["DeploymentId"]["Ref"].startswith("ApiDeployment")
    assert sorted(lid for lid, r in resources.items() if r["Type"] == "AWS::ApiGateway::Stage") == ["Live"]
    api = resources["Api"]["Properties"]
    assert (api["Tags"], api["Version"], "CloneFrom" in api) == ([{"Key": "team", "Value": "a"}], "3", False)
    assert resources["Docs"] == {
        "Type": "AWS::ApiGateway::DocumentationVersion",
        "Properties": {"RestApiId": {"Ref": "Api"}, "DocumentationVersion": "v1"},
    }
    assert located(result, "AGW910") == [
        "11:7 AWS::ApiGateway::RestApi property CloneFrom is not in the emitted stack: "
        "the routes of the API it clones are not part of the API apigwc compiled",
        "37:7 AWS::ApiGateway::Deployment property DeploymentCanarySettings is not in the emitted stack: "
        "a canary deployment needs the Deployment to create its stage; apigwc writes each stage as an "
        "AWS::ApiGateway::Stage (set CanarySetting on the stage instead)",
    ]
    assert cfn_lint(result.stack) == []


def test_emit_through_the_cli_keeps_the_reference_whatever_the_local_value(run_cli, tmp_path):
    """`--param Stage=prod` names the stage locally (its logical id); the stack keeps `!Ref Stage`.
    (tests/test_stack.py deploys such a stack with the parameter through a change set.)"""
    path = write(tmp_path, PARAMETERS)
    r = run_cli("emit", "--target", "cfn", "--format", "json", str(path), "--param", "Stage=prod")
    assert r.returncode == 0, r.stderr
    stack = json.loads(r.stdout)
    assert stack["Resources"]["ApiStageProd"]["Properties"]["StageName"] == {"Ref": "Stage"}
    assert "AGW909" not in r.stderr


def test_a_sam_usage_plan_keeps_the_parameters_sam_resolves_itself(tmp_path, cfn_lint):
    """The SAM transform applies parameter defaults to Auth.UsagePlan; the stack writes the intrinsics back."""
    path = write(
        tmp_path,
        """
        AWSTemplateFormatVersion: '2010-09-09'
        Transform: AWS::Serverless-2016-10-31
        Parameters:
          Limit: {Type: Number, Default: 500}
          Env: {Type: String, Default: dev}
        Resources:
          Api:
            Type: AWS::Serverless::Api
            Properties:
              StageName: prod
              Auth:
                ApiKeyRequired: true
                UsagePlan:
                  CreateUsagePlan: PER_API
                  UsagePlanName: !Sub 'plan-${Env}'
                  Quota: {Limit: !Ref Limit, Period: DAY}
                  Throttle: {BurstLimit: 10, RateLimit: 5}
              DefinitionBody:
                openapi: 3.0.1
                info: {title: t, version: '1'}
                paths:
                  /items:
                    get:
                      responses: {'200': {description: ok}}
                      x-amazon-apigateway-integration: {type: http_proxy, httpMethod: GET, uri: 'https://example.com/a'}
        """,
    )
    result = stack_of(path)
    (plan,) = [r["Properties"] for r in result.stack["Resources"].values() if r["Type"] == "AWS::ApiGateway::UsagePlan"]
    assert plan["UsagePlanName"] == {"Fn::Sub": "plan-${Env}"}
    assert plan["Quota"] == {"Limit": {"Ref": "Limit"}, "Period": "DAY"}
    assert plan["Throttle"] == {"BurstLimit": 10, "RateLimit": 5.0}
    assert located(result, "AGW909") == [] and cfn_lint(result.stack) == []
    # locally the plan has the values
    local = compile_template(path, path.name, Config(), LocalValues())
    (local_plan,) = local.apis["Api"].gateway.usage_plans
    assert (local_plan.name, local_plan.quota.limit) == ("plan-dev", 500)


def test_a_property_cloudformation_does_not_have_is_reported_in_a_real_project(run_cli):
    """samcli-restapi-body writes StageName on an AWS::ApiGateway::RestApi (cfn-lint: E3002)."""
    from support import CORPUS

    path = CORPUS / "sam" / "samcli-restapi-body" / "swagger-rest-api-template.yaml"
    if not path.is_file():
        pytest.skip("the SAM corpus is not present")
    result = stack_of(path)
    assert located(result, "AGW910") == [
        "86:7 AWS::ApiGateway::RestApi property StageName is not in the emitted stack: "
        "AWS::ApiGateway::RestApi has no such property in CloudFormation's resource schema"
    ]
    assert "StageName" not in result.stack["Resources"]["MyApi"]["Properties"]


def test_a_number_parameter_stays_a_reference_wherever_an_api_takes_it_as_a_number(tmp_path, cfn_lint):
    """A throttling limit, a usage plan's rate, the body's timeoutInMillis and minimum compression
    size: the gateway model holds numbers, each made from ``!Ref Rate`` and written back as it."""
    path = write(
        tmp_path,
        """
        AWSTemplateFormatVersion: '2010-09-09'
        Transform: AWS::Serverless-2016-10-31
        Parameters:
          Rate: {Type: Number, Default: 50}
        Resources:
          Api:
            Type: AWS::Serverless::Api
            Properties:
              StageName: prod
              MinimumCompressionSize: !Ref Rate
              MethodSettings:
                - {ResourcePath: /*, HttpMethod: '*', ThrottlingRateLimit: !Ref Rate, CacheTtlInSeconds: !Ref Rate}
              Auth:
                ApiKeyRequired: true
                UsagePlan: {CreateUsagePlan: PER_API, Throttle: {RateLimit: !Ref Rate, BurstLimit: 10}}
              DefinitionBody:
                openapi: 3.0.1
                info: {title: t, version: '1'}
                paths:
                  /items:
                    get:
                      responses: {'200': {description: ok}}
                      x-amazon-apigateway-integration:
                        type: http_proxy
                        httpMethod: GET
                        uri: 'https://example.com/a'
                        timeoutInMillis: !Ref Rate
        """,
    )
    result = stack_of(path, Rate="70")
    resources = result.stack["Resources"]
    rate = {"Ref": "Rate"}
    assert resources["Api"]["Properties"]["MinimumCompressionSize"] == rate  # carried as written
    settings = resources["ApiStageProd"]["Properties"]["MethodSettings"][0]
    assert (settings["ThrottlingRateLimit"], settings["CacheTtlInSeconds"]) == (rate, rate)
    assert resources["ApiMethodItemsGet"]["Properties"]["Integration"]["TimeoutInMillis"] == rate
    (plan,) = [r for r in resources.values() if r["Type"] == "AWS::ApiGateway::UsagePlan"]
    assert plan["Properties"]["Throttle"]["RateLimit"] == rate
    assert located(result, "AGW909") == []
    # the local model holds the local value, as numbers
    stage = result.compiled.apis["Api"].gateway.stage("prod")
    (setting,) = stage.method_settings
    assert (setting.throttling_rate_limit, setting.cache_ttl_in_seconds) == (70.0, 70)
    assert cfn_lint(result.stack) == []


# ----------------------------------------------------------------------------------------
# A hand-written Deployment's StageDescription, and the parts of a stage's settings

STAGE_DESCRIPTION = """
AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Burst: {Type: Number, Default: 100}
Resources:
  Logs:
    Type: AWS::Logs::LogGroup
  Cert:
    Type: AWS::ApiGateway::ClientCertificate
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Name: pets
      Body:
        openapi: 3.0.1
        info: {title: pets, version: '1'}
        paths:
          /items:
            get:
              responses: {'200': {description: ok}}
              x-amazon-apigateway-integration:
                type: http_proxy
                httpMethod: GET
                uri: 'https://${stageVariables.host}/items'
  Deployment:
    Type: AWS::ApiGateway::Deployment
    Properties:
      RestApiId: !Ref Api
      Description: !Sub 'release of ${AWS::StackName}'
      StageName: prod
      StageDescription:
        Description: the prod stage
        Variables: {host: example.com}
        TracingEnabled: true
        CacheClusterEnabled: true
        CacheClusterSize: '0.5'
        ClientCertificateId: !Ref Cert
        ThrottlingBurstLimit: !Ref Burst
        ThrottlingRateLimit: 50
        LoggingLevel: INFO
        MetricsEnabled: true
        AccessLogSetting: {DestinationArn: !GetAtt Logs.Arn, Format: $context.requestId, Sampling: 5}
        CanarySetting: {PercentTraffic: 10, StageVariableOverrides: {host: canary.example.com}}
        MethodSettings:
          - ResourcePath: /~1items
            HttpMethod: GET
            CachingEnabled: true
            CacheTtlInSeconds: !Ref Burst
            Bogus: 1
        Tags: [{Key: team, Value: a}]
        Colour: blue
"""


def test_a_deployments_stage_description_is_the_stage_it_creates(tmp_path, cfn_lint):
    path = write(tmp_path, STAGE_DESCRIPTION)
    result = stack_of(path)
    resources = result.stack["Resources"]
    # the local stage has what StageDescription declares (a Body-style API: the lift is not used)
    stage = result.compiled.apis["Api"].gateway.stage("prod")
    assert (dict(stage.variables), stage.tracing_enabled, stage.description) == (
        {"host": "example.com"},
        True,
        "the prod stage",
    )
    assert stage.access_log is not None
    assert {(m.resource_path, m.http_method): m.throttling_burst_limit for m in stage.method_settings} == {
        ("/*", "*"): 100,
        ("/items", "GET"): None,
    }
    # the stack's stage carries every setting as written, its references kept
    props = resources["ApiStageProd"]["Properties"]
    assert props == {
        "AccessLogSetting": {"DestinationArn": {"Fn::GetAtt": ["Logs", "Arn"]}, "Format": "$context.requestId"},
        "CacheClusterEnabled": True,
        "CacheClusterSize": "0.5",
        "CanarySetting": {"PercentTraffic": 10, "StageVariableOverrides": {"host": "canary.example.com"}},
        "ClientCertificateId": {"Ref": "Cert"},
        "DeploymentId": props["DeploymentId"],
        "Description": "the prod stage",
        "MethodSettings": [
            {
                "ResourcePath": "/~1items",
                "HttpMethod": "GET",
                "CachingEnabled": True,
                "CacheTtlInSeconds": {"Ref": "Burst"},
            },
            {
                "ResourcePath": "/*",
                "HttpMethod": "*",
                "LoggingLevel": "INFO",
                "MetricsEnabled": True,
                "ThrottlingBurstLimit": {"Ref": "Burst"},
                "ThrottlingRateLimit": 50,
            },
        ],
        "RestApiId": {"Ref": "Api"},
        "StageName": "prod",
        "Tags": [{"Key": "team", "Value": "a"}],
        "TracingEnabled": True,
        "Variables": {"host": "example.com"},
    }
    # the user's description first, then apigwc's snapshot
    deployment = resources[props["DeploymentId"]["Ref"]]["Properties"]
    digest = props["DeploymentId"]["Ref"].removeprefix("ApiDeployment")
    assert deployment["Description"] == {
        "Fn::Join": ["", [{"Fn::Sub": "release of ${AWS::StackName}"}, f" (apigwc snapshot {digest})"]]
    }
    assert "Deployment" not in resources
    # what is no setting CloudFormation knows: left out, said where
    assert located(result, "AGW910") == [
        "41:90 AWS::ApiGateway::Deployment StageDescription property AccessLogSetting has no Sampling in "
        "CloudFormation's resource schema: left out of the stack",
        "48:13 AWS::ApiGateway::Deployment StageDescription property MethodSettings has no Bogus in "
        "CloudFormation's resource schema: left out of the stack",
        "50:9 AWS::ApiGateway::Deployment StageDescription property Colour is not in the emitted stack: "
        "AWS::ApiGateway::Deployment StageDescription has no such property in CloudFormation's resource schema",
    ]
    assert located(result, "AGW909") == []
    assert cfn_lint(result.stack) == []


def test_a_literal_deployment_description_is_kept_before_the_snapshot(tmp_path, cfn_lint):
    text = STAGE_DESCRIPTION.replace("Description: !Sub 'release of ${AWS::StackName}'", "Description: v2 release")
    result = stack_of(write(tmp_path, text))
    (deployment,) = [r for r in result.stack["Resources"].values() if r["Type"] == "AWS::ApiGateway::Deployment"]
    assert re.fullmatch(r"v2 release \(apigwc snapshot [0-9a-f]{10}\)", deployment["Properties"]["Description"])


def test_a_stage_setting_the_lift_cannot_read_is_carried_whole(tmp_path, cfn_lint):
    """An explicit API (lifted): a method setting's value written with an intrinsic the lift
    does not read is not in the model, and still in the stack's stage, with its siblings."""
    path = write(
        tmp_path,
        """
        AWSTemplateFormatVersion: '2010-09-09'
        Parameters:
          Env: {Type: String, Default: dev}
        Conditions:
          IsProd: !Equals [!Ref Env, prod]
        Resources:
          Api:
            Type: AWS::ApiGateway::RestApi
            Properties: {Name: pets}
          Items:
            Type: AWS::ApiGateway::Resource
            Properties: {RestApiId: !Ref Api, ParentId: !GetAtt Api.RootResourceId, PathPart: items}
          GetItems:
            Type: AWS::ApiGateway::Method
            Properties:
              RestApiId: !Ref Api
              ResourceId: !Ref Items
              HttpMethod: GET
              AuthorizationType: NONE
              Integration:
                Type: MOCK
                RequestTemplates: {application/json: '{"statusCode": 200}'}
                IntegrationResponses: [{StatusCode: '200'}]
              MethodResponses: [{StatusCode: '200'}]
          Deployment:
            Type: AWS::ApiGateway::Deployment
            DependsOn: GetItems
            Properties:
              RestApiId: !Ref Api
              StageName: live
              StageDescription:
                MetricsEnabled: !If [IsProd, true, false]
                MethodSettings:
                  - {ResourcePath: /~1items, HttpMethod: GET, CachingEnabled: !If [IsProd, true, false], CacheTtlInSeconds: 30}
        """,
    )
    result = stack_of(path)
    settings = result.stack["Resources"]["ApiStageLive"]["Properties"]["MethodSettings"]
    condition = {"Fn::If": ["IsProd", True, False]}
    assert settings == [
        {"ResourcePath": "/~1items", "HttpMethod": "GET", "CachingEnabled": condition, "CacheTtlInSeconds": 30},
        {"ResourcePath": "/*", "HttpMethod": "*", "MetricsEnabled": condition},
    ]
    assert located(result, "AGW910") == []
    assert cfn_lint(result.stack) == []


@pytest.mark.parametrize("prop", sorted(__import__("apigwc.targets.stack", fromlist=["STAGE_PARTS"]).STAGE_PARTS))
def test_the_keys_of_a_stage_settings_parts_are_cloudformations(prop):
    from cfnlint.schema.manager import PROVIDER_SCHEMA_MANAGER

    from apigwc.targets.stack import STAGE_PARTS

    schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema("us-east-1", "AWS::ApiGateway::Stage").schema
    node = schema["properties"][prop]
    node = node.get("items", node)
    definition = schema["definitions"][node["$ref"].rsplit("/", 1)[-1]]
    assert set(definition["properties"]) == STAGE_PARTS[prop]


def test_stage_description_fields_are_stage_properties_or_its_shorthand():
    """Every StageDescription field is a Stage property, or a top-level method setting."""
    from cfnlint.schema.manager import PROVIDER_SCHEMA_MANAGER

    from apigwc.template.explicit import STAGE_SHORTHAND

    schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema("us-east-1", "AWS::ApiGateway::Deployment").schema
    fields = set(schema["definitions"]["StageDescription"]["properties"])
    assert fields - set(STAGE_SHORTHAND) <= set(PROPERTY_FATE["AWS::ApiGateway::Stage"])
    assert set(STAGE_SHORTHAND) <= fields


# ----------------------------------------------------------------------------------------
# A Number parameter where the body wants a number


NUMBER_IN_BODY = """
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Parameters:
  Timeout: {Type: Number, Default: 5000}
  Ttl: {Type: Number, Default: 300}
  Text: {Type: String, Default: '5000'}
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      DefinitionBody:
        openapi: 3.0.1
        info: {title: t, version: '1'}
        paths:
          /items:
            get:
              security: [{tok: []}]
              responses: {'200': {description: ok}}
              x-amazon-apigateway-integration:
                type: http_proxy
                httpMethod: GET
                uri: 'https://example.com/a'
                timeoutInMillis: !Ref TIMEOUT
        components:
          securitySchemes:
            tok:
              type: apiKey
              name: Authorization
              in: header
              x-amazon-apigateway-authtype: custom
              x-amazon-apigateway-authorizer:
                type: token
                authorizerUri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:auth/invocations
                authorizerResultTtlInSeconds: !Ref Ttl
"""


def test_a_number_parameter_is_a_number_where_the_body_wants_one(tmp_path, cfn_lint):
    """CloudFormation writes ``!Ref Timeout`` as text and API Gateway's import takes it
    (docs/templates.md): no AGW012, a number for local runs, the reference in the stack."""
    path = write(tmp_path, NUMBER_IN_BODY.replace("TIMEOUT", "Timeout"))
    compiled = compile_template(path, path.name, Config(), LocalValues(params={"Timeout": "7000"}))
    api = compiled.apis["Api"]
    assert [d.code for d in api.lint.diagnostics if d.code == "AGW012"] == []
    (method,) = api.gateway.methods
    assert method.integration.timeout_in_millis == 7000
    assert api.gateway.authorizers[0].result_ttl_in_seconds == 300
    result = stack_of(path)
    integration = result.stack["Resources"]["ApiMethodItemsGet"]["Properties"]["Integration"]
    assert integration["TimeoutInMillis"] == {"Ref": "Timeout"}
    (authorizer,) = [r for r in result.stack["Resources"].values() if r["Type"] == "AWS::ApiGateway::Authorizer"]
    assert authorizer["Properties"]["AuthorizerResultTtlInSeconds"] == {"Ref": "Ttl"}
    assert located(result, "AGW909") == []
    assert cfn_lint(result.stack) == []


def test_a_string_parameter_where_the_body_wants_a_number_is_still_reported(tmp_path):
    path = write(tmp_path, NUMBER_IN_BODY.replace("TIMEOUT", "Text"))
    compiled = compile_template(path, path.name, Config(), LocalValues())
    found = [(d.span.line, d.message) for d in compiled.apis["Api"].lint.diagnostics if d.code == "AGW012"]
    assert found == [(24, "'timeoutInMillis' must be an integer, found string '5000'")]


BODY_AND_NAME = """
AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Env: {Type: String, Default: dev}
Resources:
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Name: !Sub 'orders-${Env}'
      Description: Orders, as the template names them
      Body:
        openapi: 3.0.1
        info: {title: BodyTitle, description: the body's words, version: '1'}
        paths:
          /x:
            get:
              responses: {'200': {description: ok}}
              x-amazon-apigateway-integration:
                type: mock
                requestTemplates: {application/json: '{"statusCode": 200}'}
                responses: {default: {statusCode: '200'}}
  Deployment:
    Type: AWS::ApiGateway::Deployment
    Properties: {RestApiId: !Ref Api, StageName: dev}
"""


@pytest.mark.parametrize("style", ["explicit", "body"])
def test_a_rest_apis_name_and_description_win_over_its_bodys_title(tmp_path: Path, style: str, cfn_lint) -> None:
    """CloudFormation imports the Body and then sets the RestApi's own Name and Description on
    it: the stack keeps the user's (references included), not the Body's ``info``."""
    path = write(tmp_path, BODY_AND_NAME)
    result = compile_stack(path, path.name, Config(), style, LocalValues())
    assert not isinstance(result, str) and result.stack is not None, result
    (api,) = [r for r in result.stack["Resources"].values() if r["Type"] == "AWS::ApiGateway::RestApi"]
    assert api["Properties"]["Name"] == {"Fn::Sub": "orders-${Env}"}
    assert api["Properties"]["Description"] == "Orders, as the template names them"
    assert cfn_lint(result.stack) == []
