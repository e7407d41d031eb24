"""The CloudFormation target: the deployment traps it must avoid, and cfn-lint on every template."""

from __future__ import annotations

import fnmatch
import re
import textwrap
from pathlib import Path

import pytest

from apigwc.diagnostics import Diagnostics
from apigwc.pipeline import compile_file, emit_target
from apigwc.targets import CfnStyle, EmitOptions, OutputFormat
from apigwc.targets.base import serialize
from apigwc.targets.cfn import build_template
from support import ROOT, SPECS, corpus_files

EXAMPLES = sorted(SPECS.glob("*.yaml"))
STYLES = [CfnStyle.explicit, CfnStyle.body]


def compile_text(tmp_path: Path, text: str, name: str = "spec.yaml"):
    spec = tmp_path / name
    spec.write_text(textwrap.dedent(text), encoding="utf-8")
    compiled = compile_file(spec, name)
    assert compiled.ok, [f"{d.code} {d.message}" for d in compiled.lint.diagnostics if d.severity.name == "ERROR"]
    return compiled


def template_of(compiled, style: CfnStyle = CfnStyle.explicit, **options) -> tuple[dict, list]:
    diags = Diagnostics()
    tpl = build_template(compiled.gateway, EmitOptions(cfn_style=style, **options), diags)
    return tpl, list(diags)


def of_type(tpl: dict, type_: str) -> dict[str, dict]:
    return {k: v for k, v in tpl["Resources"].items() if v["Type"] == type_}


# ----------------------------------------------------------------------------------------
# cfn-lint, in process, with one shared rule set


@pytest.fixture(scope="module")
def cfn_lint():
    from support import cfn_lint_runner

    run = cfn_lint_runner()
    return lambda text: run(text)[1]


def errors_only(matches: list[str]) -> list[str]:
    return [m for m in matches if m.startswith("E")]


@pytest.mark.parametrize("style", STYLES, ids=lambda s: s.value)
@pytest.mark.parametrize("spec", EXAMPLES, ids=lambda p: p.stem)
def test_example_templates_pass_cfn_lint_without_any_finding(spec, style, cfn_lint):
    compiled = compile_file(spec)
    artifact, _ = emit_target(compiled, "cfn", EmitOptions(cfn_style=style))
    assert cfn_lint(artifact["template.yaml"]) == []


def _qualifying_corpus() -> list[Path]:
    return [p for p in corpus_files("real") if compile_file(p).ok]


CORPUS = _qualifying_corpus()


@pytest.mark.slow
@pytest.mark.parametrize("style", STYLES, ids=lambda s: s.value)
@pytest.mark.parametrize("spec", CORPUS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_corpus_templates_pass_cfn_lint(spec, style, cfn_lint):
    compiled = compile_file(spec)
    artifact, _ = emit_target(compiled, "cfn", EmitOptions(cfn_style=style))
    assert errors_only(cfn_lint(artifact["template.yaml"])) == []


def test_the_corpus_has_specs_that_qualify():
    if not corpus_files("real"):
        pytest.skip("corpus not present")
    assert len(CORPUS) >= 40


def test_json_templates_pass_cfn_lint(cfn_lint):
    compiled = compile_file(SPECS / "secure-api.yaml")
    artifact, _ = emit_target(compiled, "cfn", EmitOptions(format=OutputFormat.json))
    assert list(artifact) == ["template.json"]
    assert cfn_lint(artifact["template.json"]) == []


# ----------------------------------------------------------------------------------------
# Trap: a Deployment created before its Methods, or never re-created


@pytest.mark.parametrize("spec", EXAMPLES, ids=lambda p: p.stem)
def test_deployment_depends_on_every_method_and_gateway_response(spec):
    compiled = compile_file(spec)
    tpl, _ = template_of(compiled)
    ((dep_id, dep),) = of_type(tpl, "AWS::ApiGateway::Deployment").items()
    methods = of_type(tpl, "AWS::ApiGateway::Method")
    responses = of_type(tpl, "AWS::ApiGateway::GatewayResponse")
    assert methods and dep["DependsOn"] == sorted([*methods, *responses])
    assert re.fullmatch(r"Deployment[0-9a-f]{10}", dep_id)
    for stage in of_type(tpl, "AWS::ApiGateway::Stage").values():
        assert stage["Properties"]["DeploymentId"] == {"Ref": dep_id}
    # the stage is a separate resource, never Deployment.StageName (pitfall: "stage already exists")
    assert "StageName" not in dep["Properties"] and "StageDescription" not in dep["Properties"]


def _deployment_id(tpl: dict) -> str:
    (dep_id,) = of_type(tpl, "AWS::ApiGateway::Deployment")
    return dep_id


@pytest.mark.parametrize("style", STYLES, ids=lambda s: s.value)
def test_a_changed_api_gets_a_new_deployment_and_an_unchanged_one_keeps_it(tmp_path, style):
    original = (SPECS / "petstore-lambda.yaml").read_text(encoding="utf-8")
    base = _deployment_id(template_of(compile_text(tmp_path, original), style)[0])
    again = _deployment_id(template_of(compile_text(tmp_path, original), style)[0])
    assert base == again
    changed_method = original.replace("timeoutInMillis: 10000", "timeoutInMillis: 9000")
    changed_model = original.replace("name: {type: string, minLength: 1}", "name: {type: string, minLength: 2}")
    changed_stage = original.replace("tracingEnabled: true", "tracingEnabled: false")
    assert changed_method != original and changed_model != original and changed_stage != original
    assert _deployment_id(template_of(compile_text(tmp_path, changed_method), style)[0]) != base
    assert _deployment_id(template_of(compile_text(tmp_path, changed_model), style)[0]) != base
    # stage settings are not part of the snapshot: changing them does not redeploy
    assert _deployment_id(template_of(compile_text(tmp_path, changed_stage), style)[0]) == base


# ----------------------------------------------------------------------------------------
# Trap: merge mode keeps deleted routes; swallowed import warnings; Body and Methods mixed


def test_body_style_overwrites_and_fails_on_warnings():
    tpl, _ = template_of(compile_file(SPECS / "petstore-lambda.yaml"), CfnStyle.body)
    api = tpl["Resources"]["RestApi"]["Properties"]
    assert (api["Mode"], api["FailOnWarnings"]) == ("overwrite", True)
    assert (
        api["Body"]["openapi"] == "3.0.1" and "/pets/{petId}" in api["Body"]["paths"] and "x-apigwc" not in api["Body"]
    )
    # never both styles for one API
    for kind in ("Resource", "Method", "Model", "RequestValidator", "Authorizer", "GatewayResponse"):
        assert of_type(tpl, f"AWS::ApiGateway::{kind}") == {}


def test_explicit_style_has_no_body_and_no_mode():
    tpl, _ = template_of(compile_file(SPECS / "petstore-lambda.yaml"))
    api = tpl["Resources"]["RestApi"]["Properties"]
    assert not {"Body", "BodyS3Location", "Mode", "FailOnWarnings"} & set(api)
    assert len(of_type(tpl, "AWS::ApiGateway::Method")) == 4


# ----------------------------------------------------------------------------------------
# Trap: a Lambda without a permission turns every call into a 500


def _covers(source_arn: dict, stage: str, verb: str, path: str) -> bool:
    text = source_arn["Fn::Sub"]
    prefix = "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${RestApi}/"
    assert text.startswith(prefix)
    concrete = "/".join("x" if seg.startswith("{") else seg for seg in path.strip("/").split("/") if seg)
    return fnmatch.fnmatchcase(f"{stage}/{verb}/{concrete}", text[len(prefix) :])


@pytest.mark.parametrize("style", STYLES, ids=lambda s: s.value)
@pytest.mark.parametrize("spec", ["petstore-lambda.yaml", "secure-api.yaml"])
def test_every_lambda_integration_and_authorizer_has_a_permission(spec, style):
    compiled = compile_file(SPECS / spec)
    tpl, diags = template_of(compiled, style)
    perms = list(of_type(tpl, "AWS::Lambda::Permission").values())
    assert all(
        p["Properties"]["Action"] == "lambda:InvokeFunction"
        and p["Properties"]["Principal"] == "apigateway.amazonaws.com"
        for p in perms
    )
    lambda_methods = [m for m in compiled.gateway.methods if m.integration and m.integration.lambda_function]
    assert lambda_methods
    for m in lambda_methods:
        fn = m.integration.lambda_function.name
        verb = "GET" if m.http_method.value == "ANY" else m.http_method.value
        matching = [
            p
            for p in perms
            if fn in str(p["Properties"]["FunctionName"])
            and _covers(p["Properties"]["SourceArn"], "prod", verb, m.path)
        ]
        assert matching, f"no permission lets API Gateway invoke {fn} for {m.label}"
    for a in compiled.gateway.authorizers:
        arns = [
            p["Properties"]["SourceArn"]["Fn::Sub"]
            for p in perms
            if a.lambda_function.name in str(p["Properties"]["FunctionName"])
        ]
        expected = "authorizers/*" if style is CfnStyle.body else "authorizers/${" + a.id + "}"
        assert [x.rsplit("/", 2)[-2] + "/" + x.rsplit("/", 1)[-1] for x in arns] == [expected]
    assert not [d for d in diags if d.code == "AGW904"]


def test_a_stage_variable_function_gets_one_permission_per_stage(tmp_path):
    compiled = compile_text(
        tmp_path,
        """
        openapi: 3.0.3
        info: {title: T, version: "1"}
        paths:
          /a:
            get:
              responses: {'200': {description: ok}}
              x-amazon-apigateway-integration:
                type: aws_proxy
                httpMethod: POST
                uri: arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:${stageVariables.fn}/invocations
        x-apigwc:
          stages:
            dev: {variables: {fn: ADev}}
            prod: {variables: {fn: AProd}}
        """,
    )
    tpl, diags = template_of(compiled)
    perms = of_type(tpl, "AWS::Lambda::Permission")
    assert {
        k: (v["Properties"]["FunctionName"], v["Properties"]["SourceArn"]["Fn::Sub"].split("}/", 1)[1])
        for k, v in perms.items()
    } == {
        "PermissionAGetDev": (
            {"Fn::Sub": "arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:ADev"},
            "dev/GET/a",
        ),
        "PermissionAGetProd": (
            {"Fn::Sub": "arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:AProd"},
            "prod/GET/a",
        ),
    }
    # the uri keeps the stage variable literal inside Fn::Sub
    uri = tpl["Resources"]["MethodAGet"]["Properties"]["Integration"]["Uri"]["Fn::Sub"]
    assert uri.endswith("function:${!stageVariables.fn}/invocations") and "${AWS::Region}" in uri
    assert diags == []


def test_an_unresolvable_function_is_reported_not_skipped(tmp_path):
    compiled = compile_text(
        tmp_path,
        """
        openapi: 3.0.3
        info: {title: T, version: "1"}
        paths:
          /a:
            get:
              responses: {'200': {description: ok}}
              x-amazon-apigateway-integration:
                type: aws_proxy
                httpMethod: POST
                uri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:${stageVariables.fn}/invocations
        """,
    )
    artifact, diags = emit_target(compiled, "cfn", EmitOptions())
    assert [(d.code, d.message, d.span.line) for d in diags if d.code == "AGW904"] == [
        (
            "AGW904",
            "cannot tell which Lambda function GET /a invokes, so the template grants API Gateway no permission to call it",
            8,
        )
    ]


# ----------------------------------------------------------------------------------------
# Intrinsics and import variables


INTRINSICS_SPEC = """
openapi: 3.0.3
info: {title: T, version: "1"}
paths:
  /a:
    get:
      responses:
        '200':
          description: ok
          headers: {Access-Control-Allow-Origin: {schema: {type: string}}}
      x-amazon-apigateway-integration:
        type: aws_proxy
        httpMethod: POST
        uri:
          Fn::Sub: arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${PetsFunction.Arn}/invocations
        credentials: {"Fn::GetAtt": [ApiRole, Arn]}
  /b:
    get:
      responses:
        '200':
          description: ok
          headers: {Access-Control-Allow-Origin: {schema: {type: string}}}
      x-amazon-apigateway-integration:
        type: http
        httpMethod: GET
        uri: {"Fn::Sub": "https://${BackendHost}/b"}
        responses:
          default:
            statusCode: '200'
            responseParameters:
              method.response.header.Access-Control-Allow-Origin: {"Fn::If": [IsLocal, "'*'", {"Fn::Sub": ["'https://${d}'", {d: {Ref: Domain}}]}]}
  /c:
    get:
      responses: {'200': {description: ok}}
      x-amazon-apigateway-integration:
        type: aws_proxy
        httpMethod: POST
        uri: arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${lambdaArn}/invocations
x-apigwc:
  stages:
    prod: {}
"""


@pytest.mark.parametrize("style", STYLES, ids=lambda s: s.value)
def test_intrinsics_pass_through_and_outside_names_become_parameters(tmp_path, style, cfn_lint):
    compiled = compile_text(tmp_path, INTRINSICS_SPEC)
    tpl, diags = template_of(compiled, style)
    assert tpl["Parameters"] == {
        "ApiRoleArn": {"Type": "String", "Description": "ApiRole.Arn, referenced by the OpenAPI spec"},
        "BackendHost": {"Type": "String", "Description": "BackendHost, referenced by the OpenAPI spec"},
        "Domain": {"Type": "String", "Description": "Domain, referenced by the OpenAPI spec"},
        "IsLocalValue": {
            "Type": "String",
            "Description": "'true' to enable condition IsLocal, referenced by the OpenAPI spec",
            "AllowedValues": ["true", "false"],
            "Default": "false",
        },
        "PetsFunctionArn": {"Type": "String", "Description": "PetsFunction.Arn, referenced by the OpenAPI spec"},
        "lambdaArn": {"Type": "String", "Description": "lambdaArn, referenced by the OpenAPI spec"},
        "region": {"Type": "String", "Description": "region, referenced by the OpenAPI spec"},
    }
    assert tpl["Conditions"] == {"IsLocal": {"Fn::Equals": [{"Ref": "IsLocalValue"}, "true"]}}
    if style is CfnStyle.explicit:
        a = tpl["Resources"]["MethodAGet"]["Properties"]["Integration"]
        assert a["Uri"] == {
            "Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${PetsFunctionArn}/invocations"
        }
        assert a["Credentials"] == {"Ref": "ApiRoleArn"}
        b = tpl["Resources"]["MethodBGet"]["Properties"]["Integration"]
        assert b["IntegrationResponses"][0]["ResponseParameters"][
            "method.response.header.Access-Control-Allow-Origin"
        ] == {"Fn::If": ["IsLocal", "'*'", {"Fn::Sub": ["'https://${d}'", {"d": {"Ref": "Domain"}}]}]}
        c = tpl["Resources"]["MethodCGet"]["Properties"]["Integration"]
        assert c["Uri"] == {
            "Fn::Sub": "arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${lambdaArn}/invocations"
        }
    else:
        paths = tpl["Resources"]["RestApi"]["Properties"]["Body"]["paths"]
        assert paths["/a"]["get"]["x-amazon-apigateway-integration"]["credentials"] == {"Ref": "ApiRoleArn"}
    # /a invokes through its credentials (a role), /b is HTTP: only /c needs a permission
    perms = of_type(tpl, "AWS::Lambda::Permission")
    assert {k: p["Properties"]["FunctionName"] for k, p in perms.items()} == {"PermissionCGet": {"Ref": "lambdaArn"}}
    assert errors_only(cfn_lint(serialize(tpl, OutputFormat.yaml))) == []
    assert diags == []


def test_import_variables_become_fn_sub_with_other_placeholders_escaped(tmp_path):
    from apigwc.targets.cfn import cfn_value

    assert cfn_value("arn:aws:apigateway:${AWS::Region}:x/${stageVariables.v}/{id}") == {
        "Fn::Sub": "arn:aws:apigateway:${AWS::Region}:x/${!stageVariables.v}/{id}"
    }
    assert cfn_value("https://${stageVariables.host}/a") == "https://${stageVariables.host}/a"
    assert cfn_value("#set($x = ${y})") == "#set($x = ${y})"  # VTL is never a Sub
    assert cfn_value("${fn}", arn=True) == {"Ref": "fn"}
    assert cfn_value("arn:${p}:x:${stageVariables.s}", arn=True) == {"Fn::Sub": "arn:${p}:x:${!stageVariables.s}"}


def test_lambda_params_option_turns_function_arns_into_parameters(cfn_lint):
    compiled = compile_file(SPECS / "secure-api.yaml")
    tpl, _ = template_of(compiled, lambda_params=True)
    assert tpl["Parameters"] == {
        "NotesFunctionArn": {
            "Type": "String",
            "Description": "ARN of the Lambda function the API invokes (NotesFunction)",
            "Default": "arn:aws:lambda:us-east-1:123456789012:function:NotesFunction",
        },
        "TokenAuthorizerArn": {
            "Type": "String",
            "Description": "ARN of the Lambda function the API invokes (TokenAuthorizer)",
            "Default": "arn:aws:lambda:us-east-1:123456789012:function:TokenAuthorizer",
        },
    }
    uri = tpl["Resources"]["MethodNotesGet"]["Properties"]["Integration"]["Uri"]
    assert uri == {
        "Fn::Sub": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${NotesFunctionArn}/invocations"
    }
    assert tpl["Resources"]["PermissionNotesGet"]["Properties"]["FunctionName"] == {"Ref": "NotesFunctionArn"}
    assert cfn_lint(serialize(tpl, OutputFormat.yaml)) == []
    # the body style uses the same parameters inside RestApi.Body
    body, _ = template_of(compiled, CfnStyle.body, lambda_params=True)
    integ = body["Resources"]["RestApi"]["Properties"]["Body"]["paths"]["/notes"]["get"][
        "x-amazon-apigateway-integration"
    ]
    assert integ["uri"] == uri and body["Parameters"] == tpl["Parameters"]


# ----------------------------------------------------------------------------------------
# Stages, keys, plans, outputs


def test_stage_usage_plan_and_key_resources():
    tpl, _ = template_of(compile_file(SPECS / "petstore-lambda.yaml"))
    r = tpl["Resources"]
    assert r["ApiKeyPartner"]["Properties"]["Enabled"] is True
    assert r["UsagePlanBasic"]["Properties"]["ApiStages"] == [
        {"ApiId": {"Ref": "RestApi"}, "Stage": {"Ref": "StageProd"}}
    ]
    assert r["UsagePlanKeyBasicPartner"]["Properties"] == {
        "KeyId": {"Ref": "ApiKeyPartner"},
        "KeyType": "API_KEY",
        "UsagePlanId": {"Ref": "UsagePlanBasic"},
    }
    assert r["StageProd"]["Properties"]["MethodSettings"] == [
        {
            "HttpMethod": "*",
            "LoggingLevel": "ERROR",
            "MetricsEnabled": True,
            "ResourcePath": "/*",
            "ThrottlingBurstLimit": 100,
            "ThrottlingRateLimit": 50.0,
        }
    ]
    assert tpl["Outputs"]["StageProdInvokeUrl"]["Value"] == {
        "Fn::Sub": "https://${RestApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/${StageProd}/"
    }


def test_method_setting_paths_are_escaped():
    tpl, _ = template_of(compile_file(SPECS / "http-backend.yaml"))
    settings = tpl["Resources"]["StageProd"]["Properties"]["MethodSettings"]
    assert settings == [
        {
            "CachingEnabled": False,
            "HttpMethod": "GET",
            "ResourcePath": "/~1orders~1{orderId}",
            "ThrottlingBurstLimit": 200,
            "ThrottlingRateLimit": 100.0,
        }
    ]


# ----------------------------------------------------------------------------------------
# What CloudFormation cannot express is reported (AGW9xx)


def test_a_model_named_error_is_renamed_and_referenced_by_ref():
    case = ROOT / "tests" / "rules" / "AGW901" / "bad.yaml"
    compiled = compile_file(case, "bad.yaml")
    artifact, diags = emit_target(compiled, "cfn", EmitOptions())
    assert [(d.code, d.span.file, d.span.line, d.message) for d in diags] == [
        (
            "AGW901",
            "bad.yaml",
            20,
            "model 'Error' clashes with API Gateway's built-in 'Error' model; the template creates it as 'ErrorModel'",
        )
    ]
    tpl, _ = template_of(compiled)
    assert tpl["Resources"]["ModelError"]["Properties"]["Name"] == "ErrorModel"
    get = tpl["Resources"]["MethodAGet"]["Properties"]
    assert get["MethodResponses"][0]["ResponseModels"] == {"application/json": {"Ref": "ModelError"}}
    # the body style keeps the name: the import replaces the built-in model
    _, body_diags = emit_target(compiled, "cfn", EmitOptions(cfn_style=CfnStyle.body))
    assert body_diags == []


def test_recursive_models_are_reported_and_still_lint(tmp_path, cfn_lint):
    compiled = compile_text(
        tmp_path,
        """
        openapi: 3.0.3
        info: {title: T, version: "1"}
        paths:
          /n:
            post:
              requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/Node'}}}}
              responses: {'200': {description: ok}}
              x-amazon-apigateway-integration: {type: mock, responses: {default: {statusCode: '200'}}}
        components:
          schemas:
            Node:
              type: object
              properties:
                children: {type: array, items: {$ref: '#/components/schemas/Node'}}
        x-apigwc: {stages: {prod: {}}}
        """,
    )
    artifact, diags = emit_target(compiled, "cfn", EmitOptions())
    assert [(d.code, d.message) for d in diags] == [
        (
            "AGW905",
            "model 'Node' references 'Node' in a cycle; CloudFormation cannot create the models of a cycle in an order CreateModel accepts",
        )
    ]
    tpl, _ = template_of(compiled)
    items = tpl["Resources"]["ModelNode"]["Properties"]["Schema"]["properties"]["children"]["items"]
    assert items == {"$ref": {"Fn::Sub": "https://apigateway.amazonaws.com/restapis/${RestApi}/models/Node"}}
    assert cfn_lint(artifact["template.yaml"]) == []


def test_nothing_to_deploy_is_reported(tmp_path):
    compiled = compile_text(
        tmp_path,
        """
        openapi: 3.0.3
        info: {title: T, version: "1"}
        paths:
          /a: {get: {responses: {'200': {description: ok}}, x-amazon-apigateway-integration: {type: mock}}}
        """,
    )
    tpl, diags = template_of(compiled)
    assert [(d.code, d.message) for d in diags] == [
        ("AGW907", "no stages are declared: the template creates the API but no stage serves it")
    ]
    assert of_type(tpl, "AWS::ApiGateway::Deployment") == {} and of_type(tpl, "AWS::ApiGateway::Stage") == {}


def test_tls_setting_is_reported_in_explicit_style_and_kept_in_body(tmp_path):
    compiled = compile_text(
        tmp_path,
        """
        openapi: 3.0.3
        info: {title: T, version: "1"}
        paths:
          /a:
            get:
              responses: {'200': {description: ok}}
              x-amazon-apigateway-integration:
                type: http_proxy
                httpMethod: GET
                uri: https://example.com/a
                tlsConfig: {insecureSkipVerification: true}
        x-apigwc: {stages: {prod: {}}}
        """,
    )
    _, diags = template_of(compiled)
    assert [d.code for d in diags] == ["AGW908"]
    tpl, body_diags = template_of(compiled, CfnStyle.body)
    assert body_diags == []
    integ = tpl["Resources"]["RestApi"]["Properties"]["Body"]["paths"]["/a"]["get"]["x-amazon-apigateway-integration"]
    assert integ["tlsConfig"] == {"insecureSkipVerification": True}


def test_too_many_resources_for_one_stack_is_reported(tmp_path):
    paths = "".join(
        f"  /r{i}/{{id}}:\n    get: {{responses: {{'200': {{description: ok}}}}, x-amazon-apigateway-integration: {{type: mock}}}}\n"
        for i in range(170)
    )
    compiled = compile_text(
        tmp_path,
        'openapi: 3.0.3\ninfo: {title: T, version: "1"}\npaths:\n' + paths + "x-apigwc: {stages: {prod: {}}}\n",
    )
    tpl, diags = template_of(compiled)
    assert len(tpl["Resources"]) > 500
    assert [(d.code, d.message) for d in diags] == [
        ("AGW902", f"the template has {len(tpl['Resources'])} resources; CloudFormation allows 500 per stack")
    ]
    _, body_diags = template_of(compiled, CfnStyle.body)
    assert body_diags == []


def test_target_findings_can_be_suppressed_in_the_spec(tmp_path):
    compiled = compile_text(
        tmp_path,
        """
        openapi: 3.0.3
        info: {title: T, version: "1"}
        paths:
          /a:
            get:
              responses: {'500': {description: e, content: {application/json: {schema: {$ref: '#/components/schemas/Error'}}}}}
              x-amazon-apigateway-integration: {type: mock, responses: {default: {statusCode: '500'}}}
        components:
          schemas:
            Error:
              x-apigwc-ignore: [cfn-builtin-model-name]
              type: object
        x-apigwc: {stages: {prod: {}}}
        """,
    )
    _, diags = emit_target(compiled, "cfn", EmitOptions())
    assert diags == []
    # the suppression is apigwc's, not a schema keyword: the model does not carry it
    assert compiled.gateway.model("Error").schema == {"type": "object"}


def test_documentation_is_kept_in_the_body_and_reported_in_explicit_style(tmp_path, cfn_lint):
    compiled = compile_text(
        tmp_path,
        """
        openapi: 3.0.3
        info: {title: T, version: "1"}
        x-amazon-apigateway-documentation:
          version: "1"
          documentationParts:
            - location: {type: API}
              properties: {description: The API}
        paths:
          /a: {get: {responses: {'200': {description: ok}}, x-amazon-apigateway-integration: {type: mock}}}
        x-apigwc: {stages: {prod: {}}}
        """,
    )
    _, diags = emit_target(compiled, "cfn", EmitOptions())
    assert [(d.code, d.span.line, d.message) for d in diags] == [
        (
            "AGW908",
            4,
            "x-amazon-apigateway-documentation is not emitted in the explicit style (no AWS::ApiGateway::DocumentationPart resources)",
        )
    ]
    artifact, body_diags = emit_target(compiled, "cfn", EmitOptions(cfn_style=CfnStyle.body))
    tpl, _ = template_of(compiled, CfnStyle.body)
    assert body_diags == []
    assert tpl["Resources"]["RestApi"]["Properties"]["Body"]["x-amazon-apigateway-documentation"] == {
        "version": "1",
        "documentationParts": [{"location": {"type": "API"}, "properties": {"description": "The API"}}],
    }
    assert cfn_lint(artifact["template.yaml"]) == []
