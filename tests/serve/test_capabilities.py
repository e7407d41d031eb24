"""The capability report: every route rated full, partial (what is not emulated) or none (why)."""

from __future__ import annotations

import textwrap
from pathlib import Path

from apigwc.policy import Failure
from apigwc.serve.capabilities import Level, api_notes, route_capabilities
from apigwc.serve.server import Options, banner, build, load

LAMBDA = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:{}/invocations"

SPEC = f"""
openapi: 3.0.3
info: {{title: Caps, version: "1"}}
x-amazon-apigateway-policy:
  Version: "2012-10-17"
  Statement: [{{Effect: Allow, Principal: "*", Action: "execute-api:Invoke", Resource: "execute-api:/*"}}]
components:
  securitySchemes:
    pool:
      type: apiKey
      name: Authorization
      in: header
      x-amazon-apigateway-authtype: cognito_user_pools
      x-amazon-apigateway-authorizer:
        type: cognito_user_pools
        providerARNs: ["arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc"]
    sigv4: {{type: apiKey, name: Authorization, in: header, x-amazon-apigateway-authtype: awsSigv4}}
x-apigwc:
  stages:
    dev:
      cacheClusterEnabled: true
      cacheClusterSize: "0.5"
      methodSettings:
        "/cached/GET": {{cachingEnabled: true}}
  local:
    lambdas: {{Mapped: "handlers_here:handler"}}
    endpoints: {{sqs: "http://127.0.0.1:4566"}}
paths:
  /mapped:
    get:
      x-amazon-apigateway-integration: {{type: aws_proxy, httpMethod: POST, uri: "{LAMBDA.format("Mapped")}"}}
      responses: {{"200": {{description: ok}}}}
  /unmapped:
    get:
      x-amazon-apigateway-integration: {{type: aws_proxy, httpMethod: POST, uri: "{LAMBDA.format("Other")}"}}
      responses: {{"200": {{description: ok}}}}
  /table:
    post:
      x-amazon-apigateway-integration:
        type: aws
        httpMethod: POST
        uri: arn:aws:apigateway:us-east-1:dynamodb:action/PutItem
        credentials: arn:aws:iam::123456789012:role/api
        responses: {{default: {{statusCode: "200"}}}}
      responses: {{"200": {{description: ok}}}}
  /queue:
    post:
      x-amazon-apigateway-integration:
        type: aws
        httpMethod: POST
        uri: arn:aws:apigateway:us-east-1:sqs:path/123456789012/q
        credentials: arn:aws:iam::123456789012:role/api
        responses: {{default: {{statusCode: "200"}}}}
      responses: {{"200": {{description: ok}}}}
  /private:
    get:
      security: [{{pool: []}}]
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: GET
        uri: http://backend.internal:8080/x
        connectionType: VPC_LINK
        connectionId: abc123
      responses: {{"200": {{description: ok}}}}
  /signed:
    get:
      security: [{{sigv4: []}}]
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: {{application/json: '{{"statusCode": 200}}'}}
        responses: {{default: {{statusCode: "200"}}}}
      responses: {{"200": {{description: ok}}}}
  /cached:
    get:
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: {{application/json: '{{"statusCode": 200}}'}}
        responses: {{default: {{statusCode: "200"}}}}
      responses: {{"200": {{description: ok}}}}
"""


def test_every_route_is_rated_and_every_gap_named(tmp_path: Path) -> None:
    spec = tmp_path / "caps.yaml"
    spec.write_text(textwrap.dedent(SPEC), encoding="utf-8")
    (tmp_path / "handlers_here.py").write_text("def handler(event, context):\n    return {'statusCode': 200}\n")
    loaded = load(spec)
    assert not isinstance(loaded, Failure), loaded.details
    served = build(loaded, Options())
    caps = {
        c.method.label: (c.integration, c.auth, c.level, c.notes) for c in route_capabilities(served.local, "dev", {})
    }
    assert caps == {
        "GET /cached": (
            "MOCK",
            "NONE",
            Level.PARTIAL,
            ("response caching is not emulated (every request reaches the integration)",),
        ),
        "GET /mapped": ("AWS_PROXY Mapped", "NONE", Level.FULL, ()),
        "GET /private": (
            "HTTP_PROXY",
            "Cognito pool",
            Level.NONE,
            (
                "no JWKS file for the Cognito user pool: set x-apigwc.local.jwks (every token is refused)",
                "VPC link not emulated: the URI is called directly",
            ),
        ),
        "POST /queue": (
            "AWS sqs",
            "NONE",
            Level.PARTIAL,
            ("sqs is called through boto3 at http://127.0.0.1:4566, not AWS",),
        ),
        "GET /signed": ("MOCK", "IAM", Level.PARTIAL, ("AWS_IAM: the SigV4 signature is not checked",)),
        "POST /table": (
            "AWS dynamodb",
            "NONE",
            Level.NONE,
            (
                "AWS service integration (dynamodb): answers 501 unless x-apigwc.local.endpoints.dynamodb names an endpoint",
            ),
        ),
        "GET /unmapped": (
            "AWS_PROXY Other",
            "NONE",
            Level.NONE,
            (
                "no local handler for the Lambda function Other: configure it in x-apigwc.local.functions or x-apigwc.local.lambdas, or with --lambda NAME=HANDLER",
            ),
        ),
    }
    assert (
        api_notes(loaded.gateway)[0]
        == "the resource policy (x-amazon-apigateway-policy) is not evaluated: every caller is allowed"
    )
    text = banner(loaded, served, "http://127.0.0.1:3000")
    assert "  none     GET /unmapped: no local handler for the Lambda function Other" in text
    assert "  partial  GET /signed: AWS_IAM: the SigV4 signature is not checked" in text
