"""The twelve SAM/CloudFormation projects of ../shared/corpus/sam lint with located findings.

Each template goes through the real pipeline (loader, SAM translator, check, rules).  The
APIs found, and the errors each project has, are pinned: a change in what apigwc sees in
a real project shows up here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from apigwc.config import Config
from apigwc.diagnostics import Severity
from apigwc.template import is_template_file, lint_template
from support import CORPUS

SAM = CORPUS / "sam"

#: template -> (its REST APIs, the error codes it has, extra config)
PROJECTS = {
    "hello-python/template.yaml": (["ServerlessRestApi"], set()),
    "hello-nodejs/template.yaml": (["ServerlessRestApi"], set()),
    "hello-java/template.yaml": (["ServerlessRestApi"], set()),
    "hello-go/template.yaml": (["ServerlessRestApi"], set()),
    "samcli-swagger-template/swagger-template.yaml": (["MyApi"], set()),
    "samcli-restapi-body/swagger-rest-api-template.yaml": (["MyApi"], set()),
    # a SAM CLI fixture for local runs: an authorizer chosen by !Ref (AGW038: deploy would fail)
    "samcli-lambda-authorizers/serverless-api-props.yaml": (["TestServerlessRestApi"], set()),
    # the fixture's OpenAPI bodies have real errors: openapi "3.0", path parameters without 'in'
    # (its GET to Lambda is AGW201, a warning: API Gateway accepts it and only the calls fail)
    "samcli-lambda-authorizers/swagger-api.yaml": (["RestApiOpenApi", "RestApiSwagger"], {"AGW010"}),
    "python-rest-sam/template.yaml": (["RestAPI"], set()),
    # its $refs reach ../../shared (the repository root); the corpus copy has no .git to mark that
    # root, so they leave the template's project without --ref-root (tests/template/test_template_edges.py)
    "ecommerce-products/products/template.yaml": (["Api"], {"AGW008"}),
    "s12d/template.yaml": (["SiteAPI"], set()),
    "pattern-mappingtemplate-lambda/template.yaml": (["RestApi"], set()),
    # explicit AWS::ApiGateway::Resource/Method resources, lifted by template/explicit.py
    "pattern-cors-nonproxy/template.yaml": (["ApiGatewayRestApi"], set()),
}

pytestmark = pytest.mark.skipif(not SAM.is_dir(), reason="the SAM corpus is not present")


def test_every_project_is_covered() -> None:
    from apigwc.template.load import mentions_api

    found = sorted(str(p.relative_to(SAM)) for p in SAM.rglob("*.yaml") if is_template_file(p) and mentions_api(p))
    assert found == sorted(PROJECTS)
    # a template without an API (a nested stack of the project) is not one apigwc lints in a folder scan
    dlq = SAM / "ecommerce-products/shared/templates/dlq.yaml"
    assert is_template_file(dlq) and not mentions_api(dlq)


@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_project_lints_with_located_findings(name: str) -> None:
    apis, errors = PROJECTS[name]
    path = SAM / name
    results = lint_template(path, str(path), Config())
    assert not isinstance(results, str)
    assert [r.display.rpartition(" (")[2].rstrip(")") for r in results[1:]] == apis
    diagnostics = [d for r in results for d in r.diagnostics]
    assert not [d for d in diagnostics if d.code == "AGW009"]
    for d in diagnostics:
        assert d.span is not None, d
        assert Path(d.span.file).is_file(), d.span.file
    assert {d.code for d in diagnostics if d.severity is Severity.ERROR} == errors


def test_explicit_resources_lint_at_the_resources_that_wrote_them() -> None:
    """pattern-cors-nonproxy: what the API built from Resource/Method resources really has."""
    path = SAM / "pattern-cors-nonproxy/template.yaml"
    results = lint_template(path, "template.yaml", Config())
    found = [f"{d.span.line}:{d.span.col} {d.code} {d.message}" for r in results for d in r.diagnostics]
    assert found == [
        # no GatewayResponse resources: API Gateway's own 4XX/5XX answers carry no CORS header
        "6:3 AGW405 DEFAULT_4XX gateway responses carry no Access-Control-Allow-Origin header; browsers will hide API Gateway's errors",
        "6:3 AGW405 DEFAULT_5XX gateway responses carry no Access-Control-Allow-Origin header; browsers will hide API Gateway's errors",
        # AuthorizationType: NONE, no ApiKeyRequired
        "22:3 AGW801 GET /helloworld has no authorization and requires no API key: anyone can call it",
        # RequestTemplates for application/json only, PassthroughBehavior unset (WHEN_NO_MATCH)
        "27:7 AGW211 GET /helloworld passes requests with an unmapped Content-Type to the backend untransformed (passthroughBehavior WHEN_NO_MATCH)",
        # both methods have OperationName: 'helloworld'
        "74:22 AGW106 operationId 'helloworld' is already used by GET /helloworld",
        # the stage the Deployment's StageName creates has no AccessLogSetting
        "106:7 AGW805 stage 'prod' has no access log",
    ]
    # the lifted document has no info.version (a RestApi has none): not the template's finding
    assert "AGW011" not in {d.code for r in results for d in r.diagnostics}


def test_ecommerce_lints_clean_with_the_repository_as_ref_root() -> None:
    path = SAM / "ecommerce-products/products/template.yaml"
    results = lint_template(path, str(path), Config(ref_root=(SAM / "ecommerce-products").resolve()))
    assert not [d for r in results for d in r.diagnostics if d.severity is Severity.ERROR]


def test_sam_cors_and_api_key_findings_point_at_the_sam_properties() -> None:
    path = SAM / "python-rest-sam/template.yaml"
    results = lint_template(path, str(path), Config())
    text = path.read_text().splitlines()
    by_line = {}
    for r in results:
        for d in r.diagnostics:
            if d.span.file == str(path):
                by_line.setdefault(text[d.span.line - 1].strip().split(":")[0], set()).add(d.code)
    # every finding in the template itself is on a line that names what caused it
    assert set(by_line) <= {
        "Cors",
        "Auth",
        "ApiKeyRequired",
        "RestAPI",
        "Fn",
        "USER_POOL_ID",
        "APPLICATION_CLIENT_ID",
        "ADMIN_GROUP_NAME",
        "StageName",
        "DestinationArn",
        "AccessLogSetting",
        "Format",
        "TracingEnabled",
    }, by_line
