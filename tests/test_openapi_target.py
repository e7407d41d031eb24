"""The OpenAPI target: the export's shape, and the round trip export -> lower == lower."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from apigwc.pipeline import compile_file, emit_target
from apigwc.targets import EmitOptions, OutputFormat
from apigwc.targets.openapi import export_document
from support import SPECS, corpus_files

EXAMPLES = sorted(SPECS.glob("*.yaml"))


def _round_trip(spec: Path, tmp_path: Path, fmt: OutputFormat = OutputFormat.yaml):
    compiled = compile_file(spec)
    assert compiled.ok
    artifact, diags = emit_target(compiled, "openapi", EmitOptions(format=fmt))
    ((name, text),) = artifact.items()
    exported = tmp_path / name
    exported.write_text(text, encoding="utf-8")
    again = compile_file(exported)
    errors = [f"{d.code} {d.message}" for d in again.lint.diagnostics if d.severity.name == "ERROR"]
    assert again.ok, errors
    return compiled.gateway, again.gateway, diags


@pytest.mark.parametrize("fmt", list(OutputFormat), ids=lambda f: f.value)
@pytest.mark.parametrize("spec", EXAMPLES, ids=lambda p: p.stem)
def test_lowering_the_export_gives_the_same_gateway(spec, fmt, tmp_path):
    before, after, diags = _round_trip(spec, tmp_path, fmt)
    assert diags == []
    assert after == before
    # the comparison is meaningful: one changed method makes the gateways differ
    first = replace(after.methods[0], operation_name="changed")
    assert replace(after, methods=(first, *after.methods[1:])) != before


@pytest.mark.slow
@pytest.mark.parametrize(
    "spec", [p for p in corpus_files("real") if compile_file(p).ok], ids=lambda p: f"{p.parent.name}/{p.name}"
)
def test_corpus_round_trip(spec, tmp_path):
    before, after, _ = _round_trip(spec, tmp_path)
    assert after == before


def test_export_shape_matches_the_service_export():
    doc = export_document(compile_file(SPECS / "petstore-lambda.yaml").gateway)
    assert list(doc) == ["openapi", "info", "paths", "components", "x-amazon-apigateway-request-validators", "x-apigwc"]
    get = doc["paths"]["/pets/{petId}"]["get"]
    assert get == {
        "operationId": "getPet",
        "parameters": [{"name": "petId", "in": "path", "required": True, "schema": {"type": "string"}}],
        "responses": {
            "200": {
                "description": "200 response",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}},
            },
            "404": {"description": "404 response", "content": {}},
        },
        "security": [{"api_key": []}],
        "x-amazon-apigateway-request-validator": "all",
        "x-amazon-apigateway-integration": {
            "type": "aws_proxy",
            "httpMethod": "POST",
            "uri": "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:PetsFunction/invocations",
            "passthroughBehavior": "when_no_match",
            "timeoutInMillis": 10000,
        },
    }
    assert doc["components"]["securitySchemes"] == {"api_key": {"type": "apiKey", "name": "x-api-key", "in": "header"}}
    assert doc["components"]["schemas"]["Pets"] == {"type": "array", "items": {"$ref": "#/components/schemas/Pet"}}


def test_export_of_iam_and_authorizers():
    doc = export_document(compile_file(SPECS / "http-backend.yaml").gateway)
    assert doc["paths"]["/legacy/{proxy+}"]["x-amazon-apigateway-any-method"]["security"] == [{"sigv4": []}]
    assert doc["components"]["securitySchemes"]["sigv4"]["x-amazon-apigateway-authtype"] == "awsSigv4"
    doc = export_document(compile_file(SPECS / "secure-api.yaml").gateway)
    assert doc["paths"]["/notes"]["post"]["security"] == [{"bearer": [], "api_key": []}]
    assert doc["components"]["securitySchemes"]["bearer"] == {
        "type": "apiKey",
        "name": "Authorization",
        "in": "header",
        "x-amazon-apigateway-authtype": "custom",
        "x-amazon-apigateway-authorizer": {
            "type": "token",
            "authorizerUri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:TokenAuthorizer/invocations",
            "identitySource": "method.request.header.Authorization",
            "identityValidationExpression": "^Bearer [-0-9a-zA-Z._]+$",
            "authorizerResultTtlInSeconds": 300,
        },
    }


def test_swagger2_spec_exports_as_openapi3_and_round_trips(tmp_path):
    before, after, _ = _round_trip(SPECS / "http-backend.yaml", tmp_path)
    assert after == before
    text = (tmp_path / "openapi.yaml").read_text()
    assert text.startswith('openapi: "3.0.1"\n')
