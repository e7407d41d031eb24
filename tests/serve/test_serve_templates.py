"""``apigwc serve <template>``: real servers on 127.0.0.1 answering like the deployed API.

The corpus projects' Python routes are called through a real ``apigwc serve`` process;
the parts SAM generates (CORS preflight, API keys and usage plans, authorizers, gateway
responses, models) are checked against the CloudFormation that aws-sam-translator
produces for the same template.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import textwrap
from pathlib import Path

import pytest
from serve_helpers import serve, service_headers_ok  # noqa: F401 - a fixture

from apigwc.template import open_template
from support import CORPUS

SAM = CORPUS / "sam"
needs_corpus = pytest.mark.skipif(not SAM.is_dir(), reason="the SAM corpus is not present")


@needs_corpus
def test_hello_python_answers_like_sam_local(serve) -> None:
    s = serve(SAM / "hello-python/template.yaml")
    assert set(s.stages) == {"Prod", "Stage"}  # SAM's implicit API: Prod, plus the Deployment's "Stage" stage
    for stage in ("Prod", "Stage"):
        r = s.request("GET", stage, "/hello")
        assert (r.status_code, r.json()) == (200, {"message": "hello world"})
        # the function sets no header: API Gateway's own, Content-Type application/json, no CORS (no Cors)
        service_headers_ok(r, content_type="application/json")
        assert "Access-Control-Allow-Origin" not in r.headers
    r = s.request("GET", "Prod", "/nothing")
    assert (r.status_code, r.json()) == (403, {"message": "Missing Authentication Token"})
    service_headers_ok(r, content_type="application/json", error_type="MissingAuthenticationTokenException")
    r = s.request("POST", "Prod", "/hello")  # the event is GET only
    assert (r.status_code, r.json()) == (403, {"message": "Missing Authentication Token"})


@needs_corpus
def test_inline_definition_body_with_sam_cors_answers_the_translators_preflight(serve) -> None:
    path = SAM / "samcli-swagger-template/swagger-template.yaml"
    s = serve(path)
    r = s.request("GET", "dev", "/anyandall")
    assert (r.status_code, r.json()) == (200, {"hello": "world"})
    service_headers_ok(r, content_type="application/json")
    # SAM's Cors makes the preflight only: a proxy answer carries what the function sets (nothing here)
    assert "Access-Control-Allow-Origin" not in r.headers
    r = s.request("DELETE", "dev", "/anyandall")  # ANY
    assert (r.status_code, r.json()) == (200, {"hello": "world"})
    # Globals.Api.BinaryMediaTypes image~1png (image/png): an isBase64Encoded answer is decoded to bytes
    # only when the request's Accept names a binary media type; otherwise the base64 text is the body
    gif = base64.b64decode("R0lGODdhAQABAJEAAAAAAP///wAAAAAAACH5BAkAAAIALAAAAAABAAEAAAICRAEAOw==")
    r = s.request("GET", "dev", "/base64response", headers={"Accept": "image/png"})
    assert (r.status_code, r.headers["Content-Type"], r.content) == (200, "image/gif", gif)
    service_headers_ok(r, content_type="image/gif")
    r = s.request("GET", "dev", "/base64response", headers={"Accept": "image/gif"})
    assert (r.status_code, r.content) == (200, base64.b64encode(gif))
    r = s.request("GET", "dev", "/nondecodedbase64response", headers={"Accept": "image/png"})
    assert (r.status_code, r.content) == (200, base64.b64encode(gif))  # isBase64Encoded false: text as given
    r = s.request("POST", "dev", "/echoeventbody", content=b'{"a": 1}')
    assert (
        r.status_code == 200
        and r.json()["body"] == '{"a": 1}'
        and r.json()["stageVariables"] == {"VarName": "varValue"}
    )
    # the proxy event's header names are as the client sent them (uvicorn lower-cases them for ASGI)
    r = s.request("POST", "dev", "/echoeventbody", content=b"{}", headers={"X-Mixed-Case": "1", "content-type": "a/b"})
    assert {k: v for k, v in r.json()["headers"].items() if k in ("X-Mixed-Case", "content-type")} == {
        "X-Mixed-Case": "1",
        "content-type": "a/b",
    }
    # SAM CLI's binary fixture: the handler reads event["headers"]["Content-Type"]; an image/png body
    # comes base64-encoded (a binary media type), and goes back as bytes to an Accept of image/png
    png = b"\x89PNG\r\n\x1a\n\x00\x01\xff"
    r = s.request(
        "POST", "dev", "/echobase64eventbody", content=png, headers={"Content-Type": "image/png", "Accept": "image/png"}
    )
    assert (r.status_code, r.headers["Content-Type"], r.content) == (200, "image/png", png)
    service_headers_ok(r, content_type="image/png")
    # the preflight SAM generated from Cors: the headers the translator's OPTIONS integration sets
    options = _translated_body(path, "MyApi")["paths"]["/anyandall"]["options"]
    params = options["x-amazon-apigateway-integration"]["responses"]["default"]["responseParameters"]
    expected = {k.rpartition(".")[2].lower(): v.strip("'") if v.count("'") == 2 else v[1:-1] for k, v in params.items()}
    r = s.request(
        "OPTIONS",
        "dev",
        "/anyandall",
        headers={"Origin": "https://example.com", "Access-Control-Request-Method": "GET"},
    )
    assert r.status_code == 200
    assert {k: r.headers[k] for k in expected} == expected
    service_headers_ok(r, mock=True, content_type="application/json")
    assert expected["access-control-allow-origin"] == "*'"  # the template's own typo ("'*''"), as deployed
    # a route whose function is not in the template says so
    assert "no local handler for the Lambda function ${WhatFunction.Arn}" in s.output
    r = s.request("GET", "dev", "/nofunctionfound")
    assert (r.status_code, r.json()) == (500, {"message": "Internal server error"})
    service_headers_ok(r, content_type="application/json", error_type="InternalServerErrorException")


@needs_corpus
def test_plain_cloudformation_rest_api_body(serve) -> None:
    s = serve(SAM / "samcli-restapi-body/swagger-rest-api-template.yaml")
    assert set(s.stages) == {"local"}  # no AWS::ApiGateway::Stage in the template
    r = s.request("GET", "local", "/anyandall")
    assert (r.status_code, r.json()) == (200, {"hello": "world"})
    service_headers_ok(r, content_type="application/json")


@needs_corpus
def test_sam_auth_token_authorizer_runs_the_template_function(serve) -> None:
    s = serve(SAM / "samcli-lambda-authorizers/serverless-api-props.yaml")
    r = s.request("GET", "api", "/requestauthorizer", headers={"header": "anything"})
    assert (r.status_code, r.json()) == (200, {"message": "from authorizer"})
    service_headers_ok(r, content_type="application/json")
    r = s.request("GET", "api", "/requestauthorizer")
    assert (r.status_code, r.json()) == (401, {"message": "Unauthorized"})
    service_headers_ok(r, content_type="application/json", error_type="UnauthorizedException")


@needs_corpus
def test_non_proxy_lambda_with_a_response_template(serve) -> None:
    s = serve(SAM / "pattern-mappingtemplate-lambda/template.yaml")
    r = s.request("GET", "dev", "/")
    # the function answers {"statuscode": 200, "body": "error1"}; the template's VTL turns "error" into 400
    assert (r.status_code, r.json()) == (400, {"statuscode": 650, "body": "changed"})
    # an integration response's status, not API Gateway's error: no x-amzn-ErrorType
    service_headers_ok(r, content_type="application/json")


@needs_corpus
def test_api_key_required_by_sam_auth_answers_403_without_a_key(serve) -> None:
    s = serve(SAM / "python-rest-sam/template.yaml")
    r = s.request("GET", "Prod", "/locations")
    # the body's Lambda authorizer runs first: no Authorization header is 401
    assert (r.status_code, r.json()) == (401, {"message": "Unauthorized"})
    service_headers_ok(r, content_type="application/json", error_type="UnauthorizedException")
    assert r.headers["Access-Control-Allow-Origin"] == "*"  # the body's DEFAULT_4XX gateway response
    # SAM's AddApiKeyRequiredToCorsPreflight defaults to true: the preflight needs the key too, as deployed
    assert _translated_body(SAM / "python-rest-sam/template.yaml", "RestAPI")["paths"]["/locations"]["options"][
        "security"
    ] == [{"api_key": []}]
    r = s.request("OPTIONS", "Prod", "/locations")
    assert (r.status_code, r.json()) == (403, {"message": "Forbidden"})
    service_headers_ok(r, content_type="application/json", error_type="ForbiddenException")
    # what the template needs but cannot be known locally: where, and the flag that sets it
    assert "Template values not known locally (left out; set them with --param):" in s.output
    assert (
        f"  - {SAM / 'python-rest-sam/template.yaml'}:102:13: environment variable USER_POOL_ID of AuthorizerFunction: "
        "Fn::ImportValue serverless-api-cognito-UserPool (an export of another stack); not known locally "
        "(set it with --param ImportValue:serverless-api-cognito-UserPool=VALUE)"
    ) in s.lines


@needs_corpus
def test_hello_java_serves_and_names_the_runtime_it_cannot_run(serve) -> None:
    # deployed, GET /hello answers the Java function's JSON; offline there is no Java runtime client (issue 12)
    s = serve(SAM / "hello-java/template.yaml")
    assert set(s.stages) == {"Prod", "Stage"}
    assert re.search(r"^  GET     /hello  AWS_PROXY HelloWorldFunction  NONE  none$", s.output, re.M)
    assert "  - HelloWorldFunction: runtime java21 is not run by the local gateway" in s.output
    r = s.request("GET", "Prod", "/hello")
    assert (r.status_code, r.json()) == (500, {"message": "Internal server error"})
    service_headers_ok(r, content_type="application/json", error_type="InternalServerErrorException")


@needs_corpus
def test_hello_go_serves_and_says_the_bootstrap_must_be_built(serve) -> None:
    # provided.al2023 runs the project's bootstrap as is; the corpus has its Go source, not the binary `make` builds
    # (building it needs the aws-lambda-go module from the Go proxy, outside what CI reaches)
    s = serve(SAM / "hello-go/template.yaml")
    assert re.search(r"^  HelloWorldFunction\s+provided\.al2023 bootstrap in \S+hello-world/$", s.output, re.M)
    assert "Couldn't find valid bootstrap(s)" in s.output and "(build the function first, e.g. sam build)" in s.output
    r = s.request("GET", "Prod", "/hello")
    assert (r.status_code, r.json()) == (500, {"message": "Internal server error"})
    service_headers_ok(r, content_type="application/json", error_type="InternalServerErrorException")


@needs_corpus
def test_s12d_cors_preflight_cognito_and_what_needs_aws(serve) -> None:
    """s12d: DynamoDB service integrations behind a Cognito authorizer, MOCK preflights chosen by Fn::If."""
    s = serve(SAM / "s12d/template.yaml", "--param", "CustomDomain=links.example.com")
    # the only Node.js function is fed by Kinesis, not by a route: declared, with its template settings
    assert re.search(r"^  LoggingProcessor\s+nodejs16\.x app\.handler in \S+src/analytics/$", s.output, re.M)
    # the preflight: the MOCK's header mappings, Access-Control-Allow-Origin from Fn::If [IsLocal, '*', the domain]
    for path in ("/app", "/app/abc"):
        r = s.request(
            "OPTIONS",
            "Prod",
            path,
            headers={"Origin": "https://links.example.com", "Access-Control-Request-Method": "GET"},
        )
        assert (r.status_code, r.content) == (200, b"")
        assert r.headers["Access-Control-Allow-Origin"] == "https://links.example.com"
        assert r.headers["Access-Control-Allow-Headers"] == "authorization, content-type"
        service_headers_ok(r, mock=True, content_type="application/json")
    assert r.headers["Access-Control-Allow-Methods"] == "PUT, DELETE, OPTIONS"
    # the Cognito authorizer (identity source Authorization): no token is 401 before anything runs
    for method, path in (("GET", "/app"), ("POST", "/app"), ("PUT", "/app/abc"), ("DELETE", "/app/abc")):
        r = s.request(method, "Prod", path)
        assert (r.status_code, r.json()) == (401, {"message": "Unauthorized"}), (method, path)
        service_headers_ok(r, content_type="application/json", error_type="UnauthorizedException")
    # what only AWS can answer is said at start: DynamoDB without an endpoint, Cognito without its keys
    assert "  none     GET /{linkId}: AWS service integration (dynamodb): answers 501 unless" in s.output
    assert "  none     GET /app: no JWKS file for the Cognito user pool" in s.output


@needs_corpus
def test_a_template_whose_apis_have_errors_is_not_served(run_cli) -> None:
    # samcli-lambda-authorizers/swagger-api.yaml: both bodies break the OpenAPI schema (lint pins them)
    r = run_cli("serve", "samcli-lambda-authorizers/swagger-api.yaml", "--port", "0", cwd=SAM)
    assert r.returncode == 1 and "Traceback" not in r.stdout + r.stderr
    assert (
        "samcli-lambda-authorizers/swagger-api.yaml:109:18: AGW010 error 'openapi' '3.0' does not match the pattern "
        "^3\\.0\\.\\d(-.+)?$" in r.stdout + r.stderr
    )
    assert "nothing is served" in r.stderr


@needs_corpus
@pytest.mark.skipif(shutil.which("node") is None, reason="node is not on this machine")
def test_hello_nodejs_answers_through_a_node_worker_process(serve) -> None:
    s = serve(SAM / "hello-nodejs/template.yaml")
    assert re.search(r"^  HelloWorldFunction\s+nodejs22\.x app\.lambdaHandler in \S+hello-world/$", s.output, re.M)
    r = s.request("GET", "Prod", "/hello")
    assert (r.status_code, r.json()) == (200, {"message": "hello world"})
    service_headers_ok(r, content_type="application/json")
    # Lambda's log lines, from the Node.js worker
    s.wait_for("REPORT RequestId: ")


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not on this machine")
def test_template_functions_run_with_their_environment_and_timeout(serve, tmp_path: Path) -> None:
    (tmp_path / "py").mkdir()
    (tmp_path / "py" / "app.py").write_text(
        textwrap.dedent(
            """
            import json, os, time

            TABLE = os.environ["TABLE"]  # read at import, as handlers do: fails without the template's variables


            def handler(event, context):
                if event["path"] == "/slow":
                    time.sleep(5)
                body = {"table": TABLE, "stage": os.environ["STAGE"], "memory": os.environ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"]}
                return {"statusCode": 200, "body": json.dumps(body)}
            """
        ),
        encoding="utf-8",
    )
    (tmp_path / "js").mkdir()
    (tmp_path / "js" / "index.js").write_text(
        "exports.handler = async () => ({statusCode: 200, body: JSON.stringify({table: process.env.TABLE})});\n",
        encoding="utf-8",
    )
    (tmp_path / "template.yaml").write_text(
        textwrap.dedent(
            """
            Transform: AWS::Serverless-2016-10-31
            Parameters:
              Stage: {Type: String, Default: dev}
            Globals:
              Function:
                Environment:
                  Variables:
                    STAGE: !Ref Stage
            Resources:
              Table:
                Type: AWS::DynamoDB::Table
                Properties:
                  TableName: notes-table
                  AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
                  KeySchema: [{AttributeName: id, KeyType: HASH}]
                  BillingMode: PAY_PER_REQUEST
              PyFn:
                Type: AWS::Serverless::Function
                Properties:
                  Runtime: python3.12
                  Handler: app.handler
                  CodeUri: py/
                  Timeout: 1
                  MemorySize: 256
                  Environment:
                    Variables:
                      TABLE: !Ref Table
                  Events:
                    Get: {Type: Api, Properties: {Path: /py, Method: get}}
                    Slow: {Type: Api, Properties: {Path: /slow, Method: get}}
              JsFn:
                Type: AWS::Serverless::Function
                Properties:
                  Runtime: nodejs20.x
                  Handler: index.handler
                  CodeUri: js/
                  Environment:
                    Variables:
                      TABLE: !Ref Table
                  Events:
                    Get: {Type: Api, Properties: {Path: /js, Method: get}}
            """
        ),
        encoding="utf-8",
    )
    s = serve("template.yaml", "--param", "Stage=test", cwd=tmp_path)
    r = s.request("GET", "Prod", "/py")
    assert (r.status_code, r.json()) == (200, {"table": "notes-table", "stage": "test", "memory": "256"})
    r = s.request("GET", "Prod", "/js")
    assert (r.status_code, r.json()) == (200, {"table": "notes-table"})
    # the template's Timeout (1 s) kills the worker: Lambda's error, API Gateway's 502
    r = s.request("GET", "Prod", "/slow")
    assert (r.status_code, r.json()) == (502, {"message": "Internal server error"})
    s.wait_for("Task timed out after 1.00 seconds")


@needs_corpus
def test_ecommerce_serves_in_its_repository_without_flags(serve, tmp_path: Path) -> None:
    # a clone of the repository (.git at its root): the $refs to ../../shared reach inside the project
    repo = tmp_path / "repo"
    shutil.copytree(SAM / "ecommerce-products", repo)
    for p in [repo, *repo.rglob("*")]:
        p.chmod(0o755 if p.is_dir() else 0o644)
    (repo / ".git").mkdir()
    s = serve(
        "template.yaml",
        "--param",
        "EventBusName=bus",
        "--param",
        "EventBusArn=arn:aws:events:::bus",
        cwd=repo / "products",
    )
    assert set(s.stages) == {"prod", "Stage"}
    assert "  POST    /backend/validate  AWS_PROXY ValidateFunction  IAM   partial" in s.output
    assert "AWS_IAM: the SigV4 signature is not checked" in s.output
    # the function runs with its template environment; its packages (aws-lambda-powertools, from
    # requirements.txt) are installed by the project's build, not here: Lambda's import error, API
    # Gateway's 502, as a deployed function without them answers
    r = s.request("POST", "prod", "/backend/validate", json={"products": []})
    assert (r.status_code, r.json()) == (502, {"message": "Internal server error"})
    service_headers_ok(r, content_type="application/json", error_type="InternalServerErrorException")
    s.wait_for("Runtime.ImportModuleError: Unable to import module 'main': No module named 'aws_lambda_powertools'")


def _translated_body(path: Path, api: str) -> dict:
    """The OpenAPI body aws-sam-translator produced for ``api`` (what CloudFormation deploys)."""
    from apigwc.diagnostics import Diagnostics
    from apigwc.template.expand import expand
    from apigwc.template.load import load_template

    template = load_template(path, str(path), Diagnostics())
    assert template is not None
    expanded = expand(template, {}, "us-east-1", Diagnostics())
    return expanded.output["Resources"][api]["Properties"]["Body"]


# -- SAM-generated parts against the translator -----------------------------------------------

GENERATED = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: live
      Variables:
        Greeting: !Sub "hello-${AWS::Region}"
      Cors:
        AllowOrigin: "'https://app.example.com'"
        AllowHeaders: "'Content-Type,X-Api-Key,Authorization'"
      GatewayResponses:
        UNAUTHORIZED:
          StatusCode: 401
          ResponseParameters:
            Headers:
              WWW-Authenticate: "'Bearer'"
          ResponseTemplates:
            application/json: '{"error": "who are you"}'
      Models:
        Item:
          type: object
          required: [name]
          properties:
            name: {type: string}
      Auth:
        ApiKeyRequired: true
        UsagePlan:
          CreateUsagePlan: PER_API
          Quota: {Limit: 100, Period: DAY}
        DefaultAuthorizer: Token
        AddDefaultAuthorizerToCorsPreflight: false
        AddApiKeyRequiredToCorsPreflight: false
        Authorizers:
          Token:
            FunctionArn: !GetAtt AuthFn.Arn
            Identity: {Header: Authorization}
  ItemsFn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: .
      Environment:
        Variables:
          TABLE: !Ref Table
      Events:
        Post:
          Type: Api
          Properties:
            RestApiId: !Ref Api
            Path: /items
            Method: post
            RequestModel: {Model: Item, Required: true, ValidateBody: true}
  AuthFn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.authorize
      CodeUri: .
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: items-table
"""

APP = """
import json
import os


def handler(event, context):
    return {"statusCode": 201, "body": json.dumps({"table": os.environ.get("TABLE"), "stage": event["stageVariables"], "got": json.loads(event["body"])})}


def authorize(event, context):
    effect = "Allow" if event["authorizationToken"] == "good" else "Deny"
    return {"principalId": "me", "policyDocument": {"Version": "2012-10-17", "Statement": [{"Action": "execute-api:Invoke", "Effect": effect, "Resource": event["methodArn"]}]}}
"""


def test_sam_generated_parts_answer_as_the_translator_defines_them(serve, tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text(GENERATED, encoding="utf-8")
    (tmp_path / "app.py").write_text(textwrap.dedent(APP), encoding="utf-8")
    opened = open_template(tmp_path / "template.yaml", "template.yaml")
    key_ids = [k for k, v in opened.apis[0].document["x-apigwc"].get("apiKeys", {}).items()]
    assert key_ids == ["ApiApiKey"]  # SAM's PER_API usage plan creates one key (AWS generates its value)
    assert [u[1] for u in opened.unknowns] == [
        "API key ApiApiKey has no value known locally (API Gateway generates one)"
    ]
    body = _translated_body(tmp_path / "template.yaml", "Api")
    key = "k" * 24
    s = serve("template.yaml", "--param", f"ApiApiKey.Value={key}", cwd=tmp_path)
    good = {"x-api-key": key, "Authorization": "good", "Content-Type": "application/json"}

    # the route from the function event; its environment is resolved (a table's name) for the function
    # runners of the Lambda runtimes issue: the in-process Python runner shares the server's environment
    assert opened.functions.functions["ItemsFn"].environment == {"TABLE": "items-table"}
    r = s.request("POST", "live", "/items", headers=good, content=b'{"name": "n"}')
    assert r.status_code == 201
    assert r.json()["stage"] == {"Greeting": "hello-us-east-1"} and r.json()["got"] == {"name": "n"}

    # API key required (Auth.ApiKeyRequired) and the key of SAM's usage plan
    assert body["paths"]["/items"]["post"]["security"] == [{"Token": []}, {"api_key": []}]
    r = s.request("POST", "live", "/items", headers={**good, "x-api-key": "wrong" * 5}, content=b'{"name": "n"}')
    assert (r.status_code, r.json()) == (403, {"message": "Forbidden"})

    # the authorizer (Auth.Authorizers.Token, the default authorizer): a Deny policy is 403, no token 401
    assert body["securityDefinitions"]["Token"]["x-amazon-apigateway-authorizer"]["type"] == "token"
    r = s.request("POST", "live", "/items", headers={**good, "Authorization": "bad"}, content=b'{"name": "n"}')
    assert (r.status_code, r.json()) == (
        403,
        {"Message": "User is not authorized to access this resource with an explicit deny"},
    )
    # GatewayResponses.UNAUTHORIZED: the translator's status, header and template
    generated = body["x-amazon-apigateway-gateway-responses"]["UNAUTHORIZED"]
    r = s.request(
        "POST",
        "live",
        "/items",
        headers={k: v for k, v in good.items() if k != "Authorization"},
        content=b'{"name": "n"}',
    )
    assert r.status_code == int(generated["statusCode"]) == 401
    assert (
        r.headers["WWW-Authenticate"]
        == generated["responseParameters"]["gatewayresponse.header.WWW-Authenticate"].strip("'")
        == "Bearer"
    )
    assert r.json() == json.loads(generated["responseTemplates"]["application/json"])

    # Models + RequestModel: the body is validated against the model SAM added
    assert body["definitions"]["item"]["required"] == ["name"]
    r = s.request("POST", "live", "/items", headers=good, content=b'{"other": 1}')
    assert (r.status_code, r.json()) == (400, {"message": "Invalid request body"})

    # Cors: the preflight SAM added, without key or authorizer (AddApiKeyRequiredToCorsPreflight: false)
    params = body["paths"]["/items"]["options"]["x-amazon-apigateway-integration"]["responses"]["default"][
        "responseParameters"
    ]
    r = s.request(
        "OPTIONS",
        "live",
        "/items",
        headers={"Origin": "https://app.example.com", "Access-Control-Request-Method": "POST"},
    )
    assert r.status_code == 200
    for name, value in params.items():
        assert r.headers[name.rpartition(".")[2]] == value.strip("'")


def test_a_template_with_several_apis_serves_each_under_its_logical_id(serve, tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(
        "def handler(event, context):\n    return {'statusCode': 200, 'body': event['resource']}\n", encoding="utf-8"
    )
    (tmp_path / "template.yaml").write_text(
        textwrap.dedent(
            """
            Transform: AWS::Serverless-2016-10-31
            Resources:
              Fn:
                Type: AWS::Serverless::Function
                Properties:
                  Runtime: python3.12
                  Handler: app.handler
                  CodeUri: .
                  Events:
                    A: {Type: Api, Properties: {Path: /a, Method: get}}
                    B: {Type: Api, Properties: {Path: /b, Method: get, RestApiId: !Ref Other}}
              Other:
                Type: AWS::Serverless::Api
                Properties:
                  StageName: v1
            """
        ),
        encoding="utf-8",
    )
    s = serve("template.yaml", cwd=tmp_path)
    where = dict(re.findall(r"^  (\S+)\s+(http://127\.0\.0\.1:\d+/\S+)/<stage>/$", s.output, re.M))
    assert set(where) == {"Other", "ServerlessRestApi"}
    assert s.client.get(where["Other"] + "/v1/b").text == "/b"
    assert s.client.get(where["ServerlessRestApi"] + "/Prod/a").text == "/a"
    r = s.client.get(where["Other"] + "/v1/a")
    assert (r.status_code, r.json()) == (403, {"message": "Missing Authentication Token"})
    r = s.client.get(where["Other"].rpartition("/")[0] + "/Nope/v1/b")
    assert (r.status_code, r.json()) == (403, {"message": "Missing Authentication Token"})
    # --api serves one API without a prefix
    one = serve("template.yaml", "--api", "Other", cwd=tmp_path)
    assert one.request("GET", "v1", "/b").text == "/b"


def test_watch_reloads_when_the_included_openapi_file_changes(serve, tmp_path: Path) -> None:
    api = textwrap.dedent(
        """
        openapi: 3.0.3
        info: {title: t, version: "1"}
        paths:
          /a:
            get:
              responses: {"200": {description: ok}}
              x-amazon-apigateway-integration:
                type: mock
                requestTemplates: {application/json: '{"statusCode": 200}'}
                responses: {default: {statusCode: "200", responseTemplates: {application/json: '"PATH"'}}}
        """
    )
    (tmp_path / "api.yaml").write_text(api.replace("PATH", "first"), encoding="utf-8")
    (tmp_path / "template.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Api:\n    Type: AWS::Serverless::Api\n    Properties:\n"
        "      StageName: live\n      DefinitionBody:\n        Fn::Transform: {Name: AWS::Include, Parameters: {Location: ./api.yaml}}\n",
        encoding="utf-8",
    )
    s = serve("template.yaml", "--watch", cwd=tmp_path)
    assert s.request("GET", "live", "/a").json() == "first"
    (tmp_path / "api.yaml").write_text(api.replace("PATH", "second"), encoding="utf-8")
    s.wait_for("api.yaml changed; reloaded")
    assert s.request("GET", "live", "/a").json() == "second"


@needs_corpus
def test_explicit_resources_with_a_non_proxy_lambda_and_a_mock_preflight(serve) -> None:
    s = serve(SAM / "pattern-cors-nonproxy/template.yaml")
    r = s.request("GET", "prod", "/helloworld")
    # AWS integration without a response template: the function's result passes through as the body
    assert r.status_code == 200
    assert r.json() == {"statusCode": 200, "body": json.dumps({"message": "Hello from Lambda!"})}
    service_headers_ok(r, content_type="application/json")
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert r.headers["Access-Control-Allow-Methods"] == "POST,GET,OPTIONS"
    # the MOCK preflight: the integration response's header mappings, no body
    r = s.request(
        "OPTIONS",
        "prod",
        "/helloworld",
        headers={"Origin": "https://example.com", "Access-Control-Request-Method": "GET"},
    )
    assert r.status_code == 200
    assert r.headers["Access-Control-Allow-Methods"] == "POST,GET,OPTIONS"
    assert (
        r.headers["Access-Control-Allow-Headers"]
        == "Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token"
    )
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert r.content == b""
    service_headers_ok(r, mock=True, content_type="application/json")
    # POST has no method: API Gateway's 403 for a missing route
    r = s.request("POST", "prod", "/helloworld")
    assert r.status_code == 403
    assert r.json() == {"message": "Missing Authentication Token"}
