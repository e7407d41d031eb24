"""A template's outputs through the CLI: `emit --target cfn`, `build` and `deploy` write or
deploy one stack (`apigwc.targets.stack`), the user's template with its APIs replaced.

cfn-lint judges every stack: it must add no error to what cfn-lint already finds in the
user's own resources that apigwc leaves untouched (as tests/test_stack.py decides it).  The
deploy goes to moto's server on 127.0.0.1 through the CloudFormation change-set route.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from support import CORPUS

SAM = CORPUS / "sam"
#: every SAM corpus template with an API that compiles -> the extra flags it needs
PROJECTS = {
    "hello-python/template.yaml": (),
    "hello-nodejs/template.yaml": (),
    "hello-java/template.yaml": (),
    "hello-go/template.yaml": (),
    "samcli-swagger-template/swagger-template.yaml": (),
    "samcli-restapi-body/swagger-rest-api-template.yaml": (),
    "samcli-lambda-authorizers/serverless-api-props.yaml": (),
    "python-rest-sam/template.yaml": (),
    # its $refs reach ../../shared: the corpus copy has no .git marking the repository, so the flag names it
    "ecommerce-products/products/template.yaml": ("--ref-root", str(SAM / "ecommerce-products")),
    "s12d/template.yaml": (),
    "pattern-mappingtemplate-lambda/template.yaml": (),
    "pattern-cors-nonproxy/template.yaml": (),
}
API_TYPES = ("AWS::Serverless::Api", "AWS::ApiGateway::")

pytestmark = pytest.mark.skipif(not SAM.is_dir(), reason="the SAM corpus is not present")


@pytest.fixture(scope="module")
def cfn_lint():
    from support import cfn_lint_runner

    lint = cfn_lint_runner()

    def run(text: str) -> tuple[dict, list[str]]:
        template, found = lint(text)
        return json.loads(json.dumps(template, default=str)), sorted(m for m in found if m.startswith("E"))

    return run


def _own_errors(cfn_lint, path: Path) -> list[str]:
    """cfn-lint's errors on the user's resources that are not part of an API (apigwc leaves them as written)."""
    template, errors = cfn_lint(path.read_text(encoding="utf-8"))
    untouched = [lid for lid, res in template["Resources"].items() if not res["Type"].startswith(API_TYPES)]
    return [m for m in errors if any(f" at Resources/{lid}/" in m for lid in untouched)]


def test_every_corpus_template_with_an_api_is_covered() -> None:
    from apigwc.template import is_template_file
    from apigwc.template.load import mentions_api

    found = {str(p.relative_to(SAM)) for p in SAM.rglob("*.yaml") if is_template_file(p) and mentions_api(p)}
    # the one left out has lint errors in its OpenAPI bodies: see the test below
    assert found - set(PROJECTS) == {"samcli-lambda-authorizers/swagger-api.yaml"}


@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_emit_cfn_of_a_template_is_one_stack_cfn_lint_accepts(name, run_cli, cfn_lint, tmp_path) -> None:
    path = SAM / name
    out = tmp_path / "stack.yaml"
    r = run_cli("emit", "--target", "cfn", str(path), "-o", str(out), *PROJECTS[name])
    assert r.returncode == 0, r.stderr
    assert r.stderr.endswith(f"apigwc: wrote {out}\n")
    stack, errors = cfn_lint(out.read_text(encoding="utf-8"))
    assert errors == _own_errors(cfn_lint, path)
    original, _ = cfn_lint(path.read_text(encoding="utf-8"))
    # every API became a RestApi under its own logical id; no SAM API is left; the rest is there
    assert not any(res["Type"] == "AWS::Serverless::Api" for res in stack["Resources"].values())
    for lid, res in original["Resources"].items():
        if res["Type"] == "AWS::Serverless::Api":
            assert stack["Resources"][lid]["Type"] == "AWS::ApiGateway::RestApi"
        elif not res["Type"].startswith(API_TYPES):
            assert stack["Resources"][lid]["Type"] == res["Type"], lid


def test_the_body_style_and_json_through_the_cli(run_cli, cfn_lint) -> None:
    path = SAM / "python-rest-sam/template.yaml"
    r = run_cli("emit", "--target", "cfn", "--cfn-style", "body", "--format", "json", str(path))
    assert r.returncode == 0, r.stderr
    stack = json.loads(r.stdout)
    api = stack["Resources"]["RestAPI"]
    assert api["Type"] == "AWS::ApiGateway::RestApi" and api["Properties"]["Body"]["paths"]
    assert not [lid for lid, res in stack["Resources"].items() if res["Type"] == "AWS::ApiGateway::Method"]
    assert cfn_lint(r.stdout)[1] == []


def test_the_implicit_api_keeps_the_stack_name_it_is_given_when_deployed(run_cli) -> None:
    """SAM names its implicit API after the stack (info.title: !Ref AWS::StackName): not after a local value,
    but the reference SAM wrote."""
    r = run_cli("emit", "--target", "cfn", "--format", "json", str(SAM / "hello-python/template.yaml"))
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["Resources"]["ServerlessRestApi"]["Properties"]["Name"] == {"Ref": "AWS::StackName"}


def test_a_template_whose_api_has_errors_writes_nothing(run_cli, tmp_path) -> None:
    path = SAM / "samcli-lambda-authorizers/swagger-api.yaml"
    out = tmp_path / "stack.yaml"
    r = run_cli("emit", "--target", "cfn", str(path), "-o", str(out))
    assert r.returncode == 1
    assert f"{path}:75:17: AGW010 error parameter #1 is missing required key 'in'" in r.stderr
    assert r.stderr.rstrip().endswith(
        f"apigwc: {path}: 7 errors; nothing was written (run 'apigwc lint {path}' for every finding)"
    )
    assert not out.exists()
    r = run_cli("emit", "--target", "cfn", str(SAM / "hello-python/template.yaml"), "--lambda-params")
    assert r.returncode == 2 and "--lambda-params: a template's functions are resources of the stack" in r.stderr


def test_api_chooses_which_api_the_stack_replaces(run_cli, tmp_path) -> None:
    path = tmp_path / "template.yaml"
    api = "    Type: AWS::Serverless::Api\n    Properties:\n      StageName: live\n      DefinitionBody:\n        openapi: 3.0.1\n        info: {title: t, version: '1'}\n        paths:\n          /a:\n            get:\n              responses: {'200': {description: ok}}\n              x-amazon-apigateway-integration: {type: mock, requestTemplates: {application/json: '{\"statusCode\": 200}'}, responses: {default: {statusCode: '200'}}}\n"
    path.write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  One:\n" + api + "  Two:\n" + api, encoding="utf-8"
    )
    r = run_cli("emit", "--target", "cfn", "--format", "json", str(path))
    assert r.returncode == 0, r.stderr
    types = {lid: res["Type"] for lid, res in json.loads(r.stdout)["Resources"].items() if lid in ("One", "Two")}
    assert types == {"One": "AWS::ApiGateway::RestApi", "Two": "AWS::ApiGateway::RestApi"}
    r = run_cli("emit", "--target", "cfn", "--format", "json", "--api", "Two", str(path))
    assert r.returncode == 0, r.stderr
    types = {lid: res["Type"] for lid, res in json.loads(r.stdout)["Resources"].items() if lid in ("One", "Two")}
    assert types == {"One": "AWS::Serverless::Api", "Two": "AWS::ApiGateway::RestApi"}
    r = run_cli("emit", "--target", "cfn", "--api", "Three", str(path))
    assert (
        r.returncode == 2
        and "--api Three: the template has no REST API with that logical id (its APIs: One, Two)" in r.stderr
    )


def test_build_writes_the_stack_beside_each_apis_folder(run_cli, tmp_path) -> None:
    path = SAM / "pattern-cors-nonproxy/template.yaml"
    out = tmp_path / "out"
    r = run_cli("build", str(path), "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in out.iterdir()) == ["ApiGatewayRestApi", "apigwc-pattern-cors-nonproxy"]
    # the API's folder has every target but CloudFormation: the stack is the template that deploys
    assert sorted(p.name for p in (out / "ApiGatewayRestApi").iterdir()) == [
        "deploy-plan.json",
        "deploy-plan.txt",
        "local",
        "openapi.yaml",
    ]
    assert [p.name for p in (out / "apigwc-pattern-cors-nonproxy").iterdir()] == ["template.yaml"]
    emitted = run_cli("emit", "--target", "cfn", str(path))
    assert (out / "apigwc-pattern-cors-nonproxy" / "template.yaml").read_text(encoding="utf-8") == emitted.stdout
    assert (
        f"{path} -> {out / 'apigwc-pattern-cors-nonproxy'} (template.yaml: the whole stack, with ApiGatewayRestApi replaced)"
        in r.stdout
    )
    r = run_cli("build", "--check", str(path), "--out", str(out))
    assert r.returncode == 0, r.stderr
    (out / "apigwc-pattern-cors-nonproxy" / "template.yaml").write_text("changed\n", encoding="utf-8")
    r = run_cli("build", "--check", str(path), "--out", str(out))
    assert r.returncode == 1
    assert (
        f"apigwc: {out / 'apigwc-pattern-cors-nonproxy'} is stale (template.yaml); run 'apigwc build {path}'"
        in r.stderr
    )


# ----------------------------------------------------------------------------------------
# deploy: the change-set route, on moto's server (127.0.0.1)


@pytest.fixture
def aws(moto_server, monkeypatch):
    import urllib.request

    from test_deploy import CREDENTIALS

    for k, v in CREDENTIALS.items():
        monkeypatch.setenv(k, v)
    if moto_server.server is None:
        moto_server.start()
    urllib.request.urlopen(urllib.request.Request(moto_server.url + "/moto-api/reset", method="POST")).read()
    return moto_server


@pytest.fixture(scope="module")
def moto_server():
    from test_deploy import MotoServer

    server = MotoServer()
    server.start()
    yield server
    server.stop()


def test_deploy_of_a_template_is_a_change_set_of_its_whole_stack(aws, run_cli) -> None:
    import boto3

    from test_deploy import CREDENTIALS

    path = SAM / "pattern-cors-nonproxy/template.yaml"
    cfn = boto3.client("cloudformation", endpoint_url=aws.url, region_name="us-east-1")
    args = ("deploy", str(path), "--endpoint-url", aws.url, "--region", "us-east-1")
    r = run_cli(*args, "--stage", "prod", "--dry-run", env=CREDENTIALS)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert re.fullmatch(
        r"change set apigwc-\d{14}-[0-9a-f]{6} \(create stack apigwc-pattern-cors-nonproxy\): \d+ changes", lines[0]
    )
    stack = json.loads(
        run_cli("emit", "--target", "cfn", "--format", "json", str(path), "--region", "us-east-1").stdout
    )
    # one Add per resource of the stack `emit --target cfn` writes: the API replaced, the function kept
    assert sorted((line.split()[0], line.split()[1], line.split()[2]) for line in lines[2:-1]) == sorted(
        ("Add", lid, res["Type"]) for lid, res in stack["Resources"].items()
    )
    assert ("Add", "MyFunction", "AWS::Serverless::Function") in {tuple(line.split()[:3]) for line in lines[2:-1]}
    assert lines[-1] == "dry run: the change set was deleted; nothing was changed"
    assert [s["StackName"] for s in cfn.list_stacks()["StackSummaries"] if s["StackStatus"] != "DELETE_COMPLETE"] == []
    # not on a terminal and no --yes: the change set is deleted again
    r = run_cli(*args, "--stage", "prod", env=CREDENTIALS)
    assert r.returncode == 2 and r.stderr.endswith(
        "apigwc: error: not on a terminal: pass --yes to execute the change set\n"
    )
    assert [s["StackName"] for s in cfn.list_stacks()["StackSummaries"] if s["StackStatus"] != "DELETE_COMPLETE"] == []
    # usage errors: a stage no API has, the calls route, a named stack
    r = run_cli(*args, "--stage", "dev", "--dry-run", env=CREDENTIALS)
    assert r.returncode == 2 and "stage 'dev' is not a stage of any API in the template (stages: prod)" in r.stderr
    r = run_cli(*args, "--stage", "prod", "--via", "calls", env=CREDENTIALS)
    assert r.returncode == 2 and "a template deploys as one CloudFormation stack" in r.stderr
    r = run_cli(*args, "--stage", "prod", "--dry-run", "--stack-name", "cors", env=CREDENTIALS)
    assert r.returncode == 0 and "(create stack cors)" in r.stdout.splitlines()[0], r.stderr


def test_deploy_sends_the_stack_with_its_parameters_and_carried_resources(aws, run_cli, tmp_path) -> None:
    """`deploy --param Stage=prod`: the change set holds what `emit` writes, the SAM Domain's resources too."""
    from test_deploy import CREDENTIALS

    path = tmp_path / "template.yaml"
    path.write_text(
        """AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage: {Type: String, Default: dev}
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: !Ref Stage
      Tags: {team: a}
      Domain:
        DomainName: api.example.com
        CertificateArn: arn:aws:acm:us-east-1:123456789012:certificate/abc
        EndpointConfiguration: REGIONAL
      DefinitionBody:
        openapi: 3.0.1
        info: {title: t, version: '1'}
        paths:
          /a:
            get:
              responses: {'200': {description: ok}}
              x-amazon-apigateway-integration: {type: http_proxy, httpMethod: GET, uri: 'https://example.com/a'}
""",
        encoding="utf-8",
    )
    common = (str(path), "--param", "Stage=prod", "--region", "us-east-1")
    r = run_cli("deploy", *common, "--stage", "prod", "--endpoint-url", aws.url, "--dry-run", env=CREDENTIALS)
    assert r.returncode == 0, r.stderr
    changes = {tuple(line.split()[:3]) for line in r.stdout.splitlines()[2:-1]}
    stack = json.loads(run_cli("emit", "--target", "cfn", "--format", "json", *common).stdout)
    assert changes == {("Add", lid, res["Type"]) for lid, res in stack["Resources"].items()}
    assert {"AWS::ApiGateway::DomainName", "AWS::ApiGateway::BasePathMapping"} <= {t for _, _, t in changes}
    assert stack["Resources"]["ApiStageProd"]["Properties"]["StageName"] == {"Ref": "Stage"}
    assert stack["Resources"]["ApiStageProd"]["Properties"]["Tags"] == [{"Key": "team", "Value": "a"}]
