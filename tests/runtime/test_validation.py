"""Request validation: required parameters (present, not blank) and the body against its draft-4 model."""

from __future__ import annotations

import pytest

from runtime_helpers import api, call, messages  # noqa: F401 - api is a fixture

SPEC = """
x-amazon-apigateway-request-validators:
  all: {validateRequestParameters: true, validateRequestBody: true}
  params: {validateRequestParameters: true, validateRequestBody: false}
  body: {validateRequestParameters: false, validateRequestBody: true}
x-amazon-apigateway-request-validator: all
paths:
  /pets/{petId}:
    post:
      parameters:
        - {name: petId, in: path, required: true, schema: {type: string}}
        - {name: q, in: query, required: true, schema: {type: integer}}
        - {name: X-Tenant, in: header, required: true, schema: {type: string}}
        - {name: opt, in: query, schema: {type: string}}
      requestBody:
        required: true
        content:
          application/json: {schema: {$ref: '#/components/schemas/Pet'}}
      responses: {'200': {description: ok}}
      x-amazon-apigateway-integration: {type: mock, requestTemplates: {application/json: '{"statusCode": 200}'}, responses: {default: {statusCode: '200'}}}
    put:
      x-amazon-apigateway-request-validator: params
      parameters:
        - {name: petId, in: path, required: true, schema: {type: string}}
        - {name: q, in: query, required: true, schema: {type: integer}}
      requestBody:
        content:
          application/json: {schema: {$ref: '#/components/schemas/Pet'}}
      responses: {'200': {description: ok}}
      x-amazon-apigateway-integration: {type: mock, requestTemplates: {application/json: '{"statusCode": 200}'}, responses: {default: {statusCode: '200'}}}
    patch:
      x-amazon-apigateway-request-validator: body
      parameters:
        - {name: petId, in: path, required: true, schema: {type: string}}
        - {name: q, in: query, required: true, schema: {type: integer}}
      requestBody:
        content:
          application/json: {schema: {$ref: '#/components/schemas/Pet'}}
      responses: {'200': {description: ok}}
      x-amazon-apigateway-integration: {type: mock, passthroughBehavior: when_no_match, requestTemplates: {application/json: '{"statusCode": 200}'}, responses: {default: {statusCode: '200'}}}
components:
  schemas:
    Tag:
      type: object
      required: [name]
      properties: {name: {type: string, pattern: '^[a-z]+$'}}
    Pet:
      type: object
      required: [name, kind]
      additionalProperties: false
      properties:
        name: {type: string, minLength: 1, maxLength: 5}
        kind: {type: string, enum: [dog, cat]}
        age: {type: integer, minimum: 0, maximum: 30}
        tags: {type: array, items: {$ref: '#/components/schemas/Tag'}, maxItems: 1, uniqueItems: true}
"""

OK_BODY = '{"name": "Rex", "kind": "dog"}'
HEADERS = [("X-Tenant", "t1"), ("Content-Type", "application/json")]


@pytest.mark.parametrize(
    "target, headers, missing",
    [
        ("/pets/1", [("Content-Type", "application/json")], "[X-Tenant, q]"),
        ("/pets/1?q=", HEADERS, "[q]"),  # present but empty counts as missing
        ("/pets/1?q=%20", HEADERS, "[q]"),  # blank too
        ("/pets/1?q=x", [("X-Tenant", " "), ("Content-Type", "application/json")], "[X-Tenant]"),
    ],
)
def test_missing_required_parameters(api, target, headers, missing) -> None:
    result = call(api(SPEC), "POST", target, headers, OK_BODY)
    assert result.response.status == 400
    assert result.response.text == '{"message":"Missing required request parameters: ' + missing + '"}'
    assert result.response.headers.get("x-amzn-ErrorType") == "BadRequestException"
    assert messages(result, "validation") == [
        f"Request validation failed: Missing required request parameters: {missing}"
    ]


def test_parameters_are_not_type_checked_and_header_names_ignore_case(api) -> None:
    result = call(
        api(SPEC), "POST", "/pets/1?q=not-a-number", [("x-tenant", "t"), ("Content-Type", "application/json")], OK_BODY
    )
    assert result.response.status == 200, messages(result)
    assert "Request validation succeeded (body matches model Pet)" in messages(result, "validation")


@pytest.mark.parametrize(
    "body, detail",
    [
        ('{"kind": "dog"}', '[object has missing required properties (["name"])]'),
        ("{}", '[object has missing required properties (["kind","name"])]'),
        (
            '{"name": "Rex", "kind": "cow"}',
            '[instance value ("cow") not found in enum (possible values: ["dog","cat"])]',
        ),
        ('{"name": "", "kind": "dog"}', '[string "" is too short (length: 0, required minimum: 1)]'),
        ('{"name": "Rexxxx", "kind": "dog"}', '[string "Rexxxx" is too long (length: 6, maximum allowed: 5)]'),
        (
            '{"name": 7, "kind": "dog"}',
            '[instance type (integer) does not match any allowed primitive type (allowed: ["string"])]',
        ),
        (
            '{"name": "R", "kind": "dog", "age": -1}',
            "[numeric instance is lower than the required minimum (minimum: 0, found: -1)]",
        ),
        (
            '{"name": "R", "kind": "dog", "age": 31}',
            "[numeric instance is greater than the required maximum (maximum: 30, found: 31)]",
        ),
        (
            '{"name": "R", "kind": "dog", "x": 1, "y": 2}',
            '[object instance has properties which are not allowed by the schema: ["x","y"]]',
        ),
        # through a model reference
        (
            '{"name": "R", "kind": "dog", "tags": [{"name": "A"}]}',
            '[ECMA 262 regex "^[a-z]+$" does not match input string "A"]',
        ),
        (
            '{"name": "R", "kind": "dog", "tags": [{"name": "a"}, {"name": "a"}]}',
            "[array must not contain duplicate elements]",
        ),
        ("[1]", '[instance type (array) does not match any allowed primitive type (allowed: ["object"])]'),
        ("", "[the request body is empty, and the model requires a JSON document]"),
        (
            "{nope",
            "[the request body is not JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)]",
        ),
    ],
)
def test_invalid_body(api, body, detail) -> None:
    result = call(api(SPEC), "POST", "/pets/1?q=1", HEADERS, body)
    assert (result.response.status, result.response.text) == (400, '{"message":"Invalid request body"}')
    assert messages(result, "validation") == [
        f"Request body does not match model schema for content type application/json: {detail}"
    ]
    assert result.response.headers.get("x-amzn-ErrorType") == "BadRequestException"


def test_max_items_and_min_items_are_not_validated(api) -> None:
    body = '{"name": "R", "kind": "dog", "tags": [{"name": "a"}, {"name": "b"}]}'
    assert call(api(SPEC), "POST", "/pets/1?q=1", HEADERS, body).response.status == 200


def test_validator_kinds(api) -> None:
    deployment = api(SPEC)
    # params only: an invalid body goes through
    assert call(deployment, "PUT", "/pets/1?q=1", [("Content-Type", "application/json")], "{}").response.status == 200
    assert call(deployment, "PUT", "/pets/1", [("Content-Type", "application/json")], OK_BODY).response.status == 400
    # body only: a missing query parameter goes through
    assert call(deployment, "PATCH", "/pets/1", [("Content-Type", "application/json")], OK_BODY).response.status == 200
    assert call(deployment, "PATCH", "/pets/1?q=1", [("Content-Type", "application/json")], "{}").response.status == 400


def test_no_model_for_the_content_type_means_no_body_validation(api) -> None:
    # (the payload passes through to the MOCK, which reads its statusCode)
    result = call(
        api(SPEC), "PATCH", "/pets/1", [("Content-Type", "text/plain")], '{"statusCode": 200, "not": "a pet"}'
    )
    assert result.response.status == 200
    assert messages(result, "validation") == ["No model for Content-Type text/plain: the body is not validated"]
