"""One deployable stack from a user's template (apigwc.targets.stack), checked by cfn-lint.

The gateway model of each API comes the way the template source makes it: SAM is expanded
by aws-sam-translator (offline: local code and includes inlined first, parameter defaults
applied), each AWS::ApiGateway::RestApi of the result is lifted (apigwc.template.explicit)
and compiled.  The stack is then built from the template as the user wrote it.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
from pathlib import Path

import pytest

from apigwc.config import Config
from apigwc.diagnostics import Diagnostics
from apigwc.pipeline import compile_file
from apigwc.targets import CfnStyle, EmitOptions
from apigwc.targets.base import OutputFormat, serialize
from apigwc.targets.cfn import build_template
from apigwc.targets.stack import emit_stack
from apigwc.template.explicit import lift_rest_api
from support import CORPUS, SPECS

SAM = CORPUS / "sam"
TEMPLATES = [
    "hello-python/template.yaml",
    "hello-nodejs/template.yaml",
    "hello-java/template.yaml",
    "hello-go/template.yaml",
    "samcli-swagger-template/swagger-template.yaml",
    "samcli-restapi-body/swagger-rest-api-template.yaml",
    "samcli-lambda-authorizers/serverless-api-props.yaml",
    "python-rest-sam/template.yaml",
    "ecommerce-products/products/template.yaml",
    "s12d/template.yaml",
    "pattern-mappingtemplate-lambda/template.yaml",
    "pattern-cors-nonproxy/template.yaml",
]
# not here: samcli-lambda-authorizers/swagger-api.yaml, whose OpenAPI bodies have lint errors
# (AGW010 parameters without name/in, openapi "3.0"), so no gateway
# model is compiled for it
pytestmark = pytest.mark.skipif(not SAM.is_dir(), reason="the SAM corpus is not present")


@pytest.fixture(scope="module")
def cfn_lint():
    from support import cfn_lint_runner

    run = cfn_lint_runner()
    return lambda text: run(text)[1]


def load(path: Path) -> dict:
    from cfnlint.decode.decode import decode_str

    data, errors = decode_str(path.read_text(encoding="utf-8"))
    assert not errors, errors
    return json.loads(json.dumps(data, default=str))


def _inline(node, base: Path):
    if isinstance(node, dict):
        transform = node.get("Fn::Transform") if len(node) == 1 else None
        if isinstance(transform, dict) and transform.get("Name") == "AWS::Include":
            return _inline(load(base / transform["Parameters"]["Location"]), base)
        return {k: _inline(v, base) for k, v in node.items()}
    if isinstance(node, list):
        return [_inline(v, base) for v in node]
    return node


def _parameters(node, values: dict):
    if isinstance(node, dict):
        if len(node) == 1 and isinstance(node.get("Ref"), str) and node["Ref"] in values:
            return values[node["Ref"]]
        return {k: _parameters(v, values) for k, v in node.items()}
    if isinstance(node, list):
        return [_parameters(v, values) for v in node]
    return node


def expand(template: dict, base: Path) -> dict:
    """What CloudFormation deploys for a (SAM) template, offline."""
    from samtranslator.translator.transform import transform

    class NoManagedPolicies:
        def load(self) -> dict:
            return {}

    tpl = _inline(copy.deepcopy(template), base)
    values = {k: v["Default"] for k, v in (tpl.get("Parameters") or {}).items() if "Default" in v}
    tpl["Resources"] = _parameters(tpl["Resources"], values)
    for lid, res in tpl["Resources"].items():
        props = res.setdefault("Properties", {})
        if res["Type"] == "AWS::Serverless::Function" and "InlineCode" not in props:
            props["CodeUri"] = f"s3://bucket/{lid}.zip"  # what `sam package` makes of local code
        if res["Type"] == "AWS::Serverless::Api" and isinstance(props.get("DefinitionUri"), str):
            props["DefinitionBody"] = load(base / props.pop("DefinitionUri"))
    if "AWS::Serverless-2016-10-31" not in json.dumps(tpl.get("Transform")):
        return tpl
    return transform(tpl, values, NoManagedPolicies())


def gateways(template: dict, base: Path, tmp_path: Path) -> dict:
    expanded = expand(template, base)
    # the lifted document is compiled where its $refs resolve: beside the first included file,
    # in a copy of the project (the corpus is read-only; ecommerce-products keeps shared/ beside it)
    include = re.search(r'"Location": "([^"]+)"', json.dumps(template))
    wide = (base.parent / "shared").is_dir()
    shutil.copytree(base.parent if wide else base, tmp_path / "project")
    where = tmp_path / "project" / (base.name if wide else "")
    folder = (where / include.group(1)).parent if include else where
    out = {}
    for lid, res in expanded["Resources"].items():
        if res["Type"] != "AWS::ApiGateway::RestApi":
            continue
        lifted = lift_rest_api(expanded["Resources"], lid)
        assert [d.message for d in lifted.problems] == []
        doc = folder / f"{lid}.lifted.json"
        doc.write_text(json.dumps(lifted.document), encoding="utf-8")
        compiled = compile_file(doc, doc.name, Config(ref_root=tmp_path / "project"))
        assert compiled.ok, [(d.code, d.message) for d in compiled.lint.diagnostics if d.severity.name == "ERROR"]
        out[lid] = compiled.gateway
    return out


@pytest.fixture
def region(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")  # aws-sam-translator's ARNs


API_TYPES = ("AWS::Serverless::Api", "AWS::ApiGateway::")
#: cfn-lint's findings on each corpus template as written (shared by both styles)
_OWN_FINDINGS: dict[str, list[str]] = {}


@pytest.mark.parametrize("style", list(CfnStyle), ids=lambda s: s.value)
@pytest.mark.parametrize("name", TEMPLATES)
def test_every_corpus_template_becomes_one_stack_cfn_lint_accepts(name, style, tmp_path, cfn_lint, region):
    path = SAM / name
    template = load(path)
    apis = gateways(template, path.parent, tmp_path)
    assert apis
    stack = emit_stack(template, apis, style)
    text = serialize(stack, OutputFormat.yaml)
    # the stack adds no error: what cfn-lint finds is what it finds in the user's own
    # resources apigwc leaves alone (two SAM CLI fixtures have Lambda functions without a Role)
    untouched = [lid for lid, res in template["Resources"].items() if not res["Type"].startswith(API_TYPES)]
    if name not in _OWN_FINDINGS:
        _OWN_FINDINGS[name] = cfn_lint(path.read_text(encoding="utf-8"))
    own = [
        m for m in _OWN_FINDINGS[name] if m.startswith("E") and any(f" at Resources/{lid}/" in m for lid in untouched)
    ]
    assert sorted(m for m in cfn_lint(text) if m.startswith("E")) == sorted(own)
    if name.startswith(("hello-", "python-rest", "s12d", "pattern-", "ecommerce", "samcli-lambda")):
        assert own == []

    # every resource that is not part of an API is byte-identical (a function loses only its Api events)
    for lid, res in template["Resources"].items():
        if res["Type"].startswith(API_TYPES):
            continue
        expected = copy.deepcopy(res)
        events = (expected.get("Properties") or {}).get("Events")
        if isinstance(events, dict):
            for event in [e for e, v in events.items() if v.get("Type") == "Api"]:
                del events[event]
            if not events:
                del expected["Properties"]["Events"]
        assert serialize(stack["Resources"][lid], OutputFormat.json) == serialize(expected, OutputFormat.json), lid
    for section in ("Parameters", "Mappings", "Conditions"):
        for key, value in (template.get(section) or {}).items():
            assert stack[section][key] == value
    # each API is one RestApi under its own logical id, with a deployment and its stages
    for api_id, gateway in apis.items():
        assert stack["Resources"][api_id]["Type"] == "AWS::ApiGateway::RestApi"
        stages = {
            r["Properties"]["StageName"]
            for r in stack["Resources"].values()
            if r["Type"] == "AWS::ApiGateway::Stage" and r["Properties"]["RestApiId"] == {"Ref": api_id}
        }
        assert stages == {s.name for s in gateway.stages}
    assert not any(r["Type"] == "AWS::Serverless::Api" for r in stack["Resources"].values())
    sam_left = any(r["Type"].startswith("AWS::Serverless::") for r in stack["Resources"].values())
    assert ("Transform" in stack) == (
        sam_left or "Transform" in template and "Serverless" not in json.dumps(template["Transform"])
    )


def test_the_implicit_api_stack_in_full(tmp_path, region):
    """hello-python: the SAM event becomes explicit resources, a permission and nothing else changes."""
    path = SAM / "hello-python" / "template.yaml"
    template = load(path)
    stack = emit_stack(template, gateways(template, path.parent, tmp_path), "explicit")
    resources = stack["Resources"]
    deployment = next(lid for lid in resources if lid.startswith("ServerlessRestApiDeployment"))
    assert re.fullmatch(r"ServerlessRestApiDeployment[0-9a-f]{10}", deployment)
    assert sorted(resources) == sorted(
        [
            "HelloWorldFunction",
            "ServerlessRestApi",
            deployment,
            "ServerlessRestApiMethodHelloGet",
            "ServerlessRestApiPermissionHelloGet",
            "ServerlessRestApiResourceHello",
            "ServerlessRestApiStageProd",
            # SAM's deployment also makes a stage named "Stage" (its StageName), as on AWS
            "ServerlessRestApiStageStage",
        ]
    )
    assert "Events" not in resources["HelloWorldFunction"]["Properties"]
    method = resources["ServerlessRestApiMethodHelloGet"]["Properties"]
    assert method["Integration"]["Uri"] == {
        "Fn::Sub": "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${HelloWorldFunction.Arn}/invocations"
    }
    assert method["ResourceId"] == {"Ref": "ServerlessRestApiResourceHello"} and method["RestApiId"] == {
        "Ref": "ServerlessRestApi"
    }
    assert resources["ServerlessRestApiPermissionHelloGet"]["Properties"] == {
        "Action": "lambda:InvokeFunction",
        "FunctionName": {"Fn::Sub": "${HelloWorldFunction.Arn}"},
        "Principal": "apigateway.amazonaws.com",
        "SourceArn": {
            "Fn::Sub": "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${ServerlessRestApi}/*/GET/hello"
        },
    }
    assert stack["Transform"] == "AWS::Serverless-2016-10-31"  # the function is still SAM
    assert stack["Outputs"]["HelloWorldApi"] == template["Outputs"]["HelloWorldApi"]
    assert stack["Outputs"]["ServerlessRestApiStageProdInvokeUrl"]["Value"] == {
        "Fn::Sub": "https://${ServerlessRestApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/${ServerlessRestApiStageProd}/"
    }


def test_explicit_resources_keep_their_logical_ids_and_references_follow(tmp_path, region):
    path = SAM / "pattern-cors-nonproxy" / "template.yaml"
    template = load(path)
    stack = emit_stack(template, gateways(template, path.parent, tmp_path), "explicit")
    resources = stack["Resources"]
    kinds = {lid: r["Type"] for lid, r in resources.items() if r["Type"].startswith("AWS::ApiGateway::")}
    deployment = next(lid for lid, t in kinds.items() if t == "AWS::ApiGateway::Deployment")
    assert deployment.startswith("ApiGatewayRestApiDeployment") and deployment != "Deployment"
    assert kinds == {
        "ApiGatewayRestApi": "AWS::ApiGateway::RestApi",
        "ApiGatewayResource": "AWS::ApiGateway::Resource",
        "ApiGatewayGetMethod": "AWS::ApiGateway::Method",
        "ApiGatewayOptionsMethod": "AWS::ApiGateway::Method",
        deployment: "AWS::ApiGateway::Deployment",
        "ApiGatewayRestApiStageProd": "AWS::ApiGateway::Stage",
    }
    assert resources["ApiGatewayGetMethod"]["Properties"]["ResourceId"] == {"Ref": "ApiGatewayResource"}
    assert resources[deployment]["DependsOn"] == ["ApiGatewayGetMethod", "ApiGatewayOptionsMethod"]
    assert resources["MyFunctionPermission"] == template["Resources"]["MyFunctionPermission"]
    # the body style: the whole API is the RestApi's Body; the user's methods and resources are gone
    body = emit_stack(template, gateways(template, path.parent, tmp_path / "body"), "body")["Resources"]
    kinds = {lid: r["Type"] for lid, r in body.items() if r["Type"].startswith("AWS::ApiGateway::")}
    assert sorted(kinds.values()) == [
        "AWS::ApiGateway::Deployment",
        "AWS::ApiGateway::RestApi",
        "AWS::ApiGateway::Stage",
    ]
    assert sorted(body["ApiGatewayRestApi"]["Properties"]["Body"]["paths"]["/helloworld"]) == ["get", "options"]


def test_literal_arns_of_template_functions_become_references_and_other_names_stay(tmp_path):
    """What local resolution made of !GetAtt Fn.Arn is written back as a reference."""
    spec = tmp_path / "api.yaml"
    spec.write_text(
        """openapi: 3.0.1
info: {title: t, version: '1'}
paths:
  /a:
    get:
      responses: {'200': {description: ok}}
      x-amazon-apigateway-integration:
        type: aws_proxy
        httpMethod: POST
        uri: arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:named-fn:live/invocations
  /b:
    get:
      responses: {'200': {description: ok}}
      x-amazon-apigateway-integration:
        type: aws_proxy
        httpMethod: POST
        uri: arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:elsewhere/invocations
x-apigwc: {stages: {prod: {}}}
""",
        encoding="utf-8",
    )
    gateway = compile_file(spec).gateway
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {
            "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "t"}},
            "Fn": {
                "Type": "AWS::Lambda::Function",
                "Properties": {
                    "FunctionName": "named-fn",
                    "Runtime": "python3.12",
                    "Handler": "a.b",
                    "Role": "arn:aws:iam::123456789012:role/r",
                    "Code": {"ZipFile": "x"},
                },
            },
        },
    }
    stack = emit_stack(template, {"Api": gateway}, "explicit")
    resources = stack["Resources"]
    assert resources["ApiMethodAGet"]["Properties"]["Integration"]["Uri"] == {
        "Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}:live/invocations"
    }
    assert resources["ApiMethodBGet"]["Properties"]["Integration"]["Uri"] == (
        "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:elsewhere/invocations"
    )
    assert resources["ApiPermissionAGet"]["Properties"]["FunctionName"] == {"Fn::Sub": "${Fn.Arn}:live"}
    assert resources["Fn"] == template["Resources"]["Fn"]
    assert "Parameters" not in stack  # nothing outside the stack is referenced


def test_example_specs_as_a_stack_with_user_resources_pass_cfn_lint(cfn_lint):
    """Each example API placed in a template next to a queue and an output that refers to the API."""
    for spec in sorted(SPECS.glob("*.yaml")):
        gateway = compile_file(spec).gateway
        template = {
            "AWSTemplateFormatVersion": "2010-09-09",
            "Resources": {"Queue": {"Type": "AWS::SQS::Queue"}},
            "Outputs": {"ApiId": {"Value": {"Ref": "Api"}}},
        }
        for style in CfnStyle:
            stack = emit_stack(template, {"Api": gateway}, style)
            assert [m for m in cfn_lint(serialize(stack, OutputFormat.yaml)) if m.startswith("E")] == [], spec.name
            alone = build_template(gateway, EmitOptions(cfn_style=style), Diagnostics())
            assert len(stack["Resources"]) == len(alone["Resources"]) + 1
            assert stack["Outputs"]["ApiId"] == {"Value": {"Ref": "Api"}}


# ----------------------------------------------------------------------------------------
# deploy_stack: the change-set route against moto on 127.0.0.1 (change sets yes; moto cannot
# execute stacks with SAM or API Gateway resources, as tests/test_deploy.py notes)


@pytest.fixture(scope="module")
def moto():
    import io
    from urllib.parse import parse_qs

    from test_deploy import MotoServer

    class Recording(MotoServer):
        """Also keeps the form of every CloudFormation CreateChangeSet request."""

        change_sets: list[dict] = []

        def _wsgi(self, environ, start_response):
            if environ["REQUEST_METHOD"] == "POST":
                body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
                environ["wsgi.input"] = io.BytesIO(body)
                form = parse_qs(body.decode("utf-8"))
                if form.get("Action") == ["CreateChangeSet"]:
                    self.change_sets.append(form)
            return super()._wsgi(environ, start_response)

    server = Recording()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def aws(moto, monkeypatch):
    import urllib.request

    from test_deploy import CREDENTIALS

    for k, v in CREDENTIALS.items():
        monkeypatch.setenv(k, v)
    urllib.request.urlopen(urllib.request.Request(moto.url + "/moto-api/reset", method="POST")).read()
    return moto


def test_deploy_stack_creates_a_change_set_of_the_whole_template_and_discards_it(aws, tmp_path):
    import boto3

    from apigwc.deploy.cloudformation import deploy_stack, render_changes
    from apigwc.deploy.run import DeployOptions

    path = SAM / "hello-python" / "template.yaml"
    template = load(path)
    apis = gateways(template, path.parent, tmp_path)
    job = deploy_stack(
        template, apis, DeployOptions(stage="Prod", endpoint_url=aws.url, region="us-east-1"), "hello", poll=0.01
    )
    assert job.capabilities == ["CAPABILITY_AUTO_EXPAND", "CAPABILITY_IAM"]  # the SAM transform, the function's role
    assert job.output_keys == ["ServerlessRestApiStageProdInvokeUrl"]
    assert job.template == emit_stack(template, apis, "explicit")
    change_set = job.create_change_set()
    lines = render_changes(change_set).splitlines()
    assert re.fullmatch(r"change set apigwc-\d{14}-[0-9a-f]{6} \(create stack hello\): 8 changes", lines[0])
    assert sorted((line.split()[0], line.split()[1], line.split()[2]) for line in lines[2:]) == sorted(
        ("Add", lid, res["Type"]) for lid, res in job.template["Resources"].items()
    )
    cfn = boto3.client("cloudformation", endpoint_url=aws.url, region_name="us-east-1")
    sent = aws.change_sets[-1]
    assert (sent["Capabilities.member.1"], sent["Capabilities.member.2"], sent["ChangeSetType"]) == (
        ["CAPABILITY_AUTO_EXPAND"],
        ["CAPABILITY_IAM"],
        ["CREATE"],
    )
    assert sent["TemplateBody"] == [job.body]
    job.discard(change_set)
    assert [s["StackName"] for s in cfn.list_stacks()["StackSummaries"] if s["StackStatus"] != "DELETE_COMPLETE"] == []


def test_deploy_stack_refuses_an_unknown_stage_and_missing_parameters(aws, tmp_path):
    from apigwc.deploy.cloudformation import deploy_stack
    from apigwc.deploy.executor import DeployError
    from apigwc.deploy.run import DeployOptions

    path = SAM / "pattern-cors-nonproxy" / "template.yaml"
    template = load(path)
    apis = gateways(template, path.parent, tmp_path)
    with pytest.raises(DeployError) as exc:
        deploy_stack(template, apis, DeployOptions(stage="dev", endpoint_url=aws.url, region="us-east-1"), "cors")
    assert str(exc.value) == "stage 'dev' is not a stage of any API in the template (stages: prod)"
    template["Parameters"] = {"Owner": {"Type": "String"}}
    with pytest.raises(DeployError) as exc:
        deploy_stack(template, apis, DeployOptions(stage="prod", endpoint_url=aws.url, region="us-east-1"), "cors")
    assert str(exc.value) == "the template needs values for Owner: pass --param Owner=VALUE"
    job = deploy_stack(
        template,
        apis,
        DeployOptions(stage="prod", endpoint_url=aws.url, region="us-east-1", params={"Owner": "me"}),
        "cors",
    )
    assert job.parameters == [{"ParameterKey": "Owner", "ParameterValue": "me"}]
    assert job.capabilities == ["CAPABILITY_AUTO_EXPAND", "CAPABILITY_IAM"]
    assert job.output_keys == ["ApiGatewayRestApiStageProdInvokeUrl"]
    assert job.create_change_set().kind == "CREATE"


def test_two_apis_in_one_stack_and_the_targets_findings_per_api(tmp_path, cfn_lint):
    from apigwc.targets.stack import emit_stack_with_diagnostics

    users = compile_file(SPECS / "users.yaml").gateway
    spec = tmp_path / "nostage.yaml"
    spec.write_text(
        "openapi: 3.0.1\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses: {'200': {description: ok}}\n"
        "      x-amazon-apigateway-integration: {type: mock, requestTemplates: {application/json: '{\"statusCode\": 200}'}, responses: {default: {statusCode: '200'}}}\n",
        encoding="utf-8",
    )
    nostage = compile_file(spec).gateway
    template = {"Resources": {"Queue": {"Type": "AWS::SQS::Queue"}}}
    stack, found = emit_stack_with_diagnostics(template, {"Users": users, "Other": nostage}, "explicit")
    assert [(d.code, d.pointer) for d in found["Other"]] == [("AGW907", "")]
    assert list(found["Users"]) == []
    assert {lid for lid, r in stack["Resources"].items() if r["Type"] == "AWS::ApiGateway::RestApi"} == {
        "Users",
        "Other",
    }
    assert [m for m in cfn_lint(serialize(stack, OutputFormat.yaml)) if m.startswith("E")] == []


def test_names_sam_generates_for_remaining_functions_stay_references(tmp_path):
    """An integration through a function's alias (AutoPublishAlias) refers to SAM's <Fn>Alias<name>."""
    spec = tmp_path / "api.yaml"
    spec.write_text(
        """openapi: 3.0.1
info: {title: t, version: '1'}
paths:
  /a:
    get:
      responses: {'200': {description: ok}}
      x-amazon-apigateway-integration:
        type: aws_proxy
        httpMethod: POST
        uri: {'Fn::Sub': 'arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${FnAliaslive}/invocations'}
        credentials: {'Fn::GetAtt': [FnRole, Arn]}
x-apigwc: {stages: {prod: {}}}
""",
        encoding="utf-8",
    )
    template = {
        "Transform": "AWS::Serverless-2016-10-31",
        "Globals": {"Function": {"AutoPublishAlias": "live"}},
        "Resources": {
            "Fn": {
                "Type": "AWS::Serverless::Function",
                "Properties": {"Runtime": "python3.12", "Handler": "a.b", "InlineCode": "x"},
            }
        },
    }
    stack = emit_stack(template, {"Api": compile_file(spec).gateway}, "explicit")
    integration = stack["Resources"]["ApiMethodAGet"]["Properties"]["Integration"]
    assert integration["Uri"] == {
        "Fn::Sub": "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${FnAliaslive}/invocations"
    }
    assert integration["Credentials"] == {"Fn::GetAtt": ["FnRole", "Arn"]}
    assert "Parameters" not in stack and stack["Transform"] == "AWS::Serverless-2016-10-31" and "Globals" in stack


def test_a_conditional_api_stays_conditional(cfn_lint):
    gateway = compile_file(SPECS / "users.yaml").gateway
    template = {
        "Parameters": {"Env": {"Type": "String", "Default": "dev"}},
        "Conditions": {"IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]}},
        "Resources": {
            "Api": {
                "Type": "AWS::ApiGateway::RestApi",
                "Condition": "IsProd",
                "DeletionPolicy": "Retain",
                "UpdateReplacePolicy": "Retain",
                "Properties": {"Name": "u"},
            }
        },
    }
    stack = emit_stack(template, {"Api": gateway}, "explicit")
    assert {r.get("Condition") for r in stack["Resources"].values()} == {"IsProd"}
    assert {o.get("Condition") for o in stack["Outputs"].values()} == {"IsProd"}
    assert (stack["Resources"]["Api"]["DeletionPolicy"], stack["Resources"]["Api"]["UpdateReplacePolicy"]) == (
        "Retain",
        "Retain",
    )
    assert [m for m in cfn_lint(serialize(stack, OutputFormat.yaml)) if m.startswith("E")] == []
