"""Explicit AWS::ApiGateway::* resources lifted into an OpenAPI document (apigwc.template.explicit).

Templates are read with cfn-lint's decoder (CloudFormation short-form tags become their
long form), standing in for the template loader; the lifted document then goes through
the real pipeline (check, IR, rules, lowering) and the local gateway.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from pathlib import Path

import pytest

from apigwc.diagnostics import Diagnostics
from apigwc.pipeline import compile_file
from apigwc.runtime import Deployment, Request, RequestIds, execute
from apigwc.targets import EmitOptions
from apigwc.targets.cfn import build_template
from apigwc.template.explicit import lift_rest_api
from support import CORPUS, SPECS, corpus_files

SAM = CORPUS / "sam"
IDS = RequestIds(request_id="r-1", extended_request_id="e-1", trace_id="Root=1-0-0")


def load_template(path: Path) -> dict:
    from cfnlint.decode.decode import decode_str

    data, errors = decode_str(path.read_text(encoding="utf-8"))
    assert not errors, errors
    return json.loads(json.dumps(data))  # plain dicts and strings


def compile_lifted(tmp_path: Path, lifted, name: str = "lifted.json"):
    path = tmp_path / name
    path.write_text(json.dumps(lifted.document, indent=2), encoding="utf-8")
    return compile_file(path, name)


def findings(compiled, lifted) -> list[tuple[str, str | None]]:
    return [(d.code, lifted.template_pointer(d.pointer)) for d in compiled.lint.diagnostics]


def problems(lifted) -> list[tuple[str, str, str]]:
    return [(d.code, d.pointer, d.message) for d in lifted.problems]


# ----------------------------------------------------------------------------------------
# The corpus project with explicit resources (pattern-cors-nonproxy)


@pytest.mark.skipif(not SAM.is_dir(), reason="the SAM corpus is not present")
def test_cors_nonproxy_lints_builds_and_answers_the_preflight_like_the_deployed_api(tmp_path):
    template = load_template(SAM / "pattern-cors-nonproxy" / "template.yaml")
    lifted = lift_rest_api(template["Resources"], "ApiGatewayRestApi")
    assert problems(lifted) == []
    compiled = compile_lifted(tmp_path, lifted)
    # every finding lands on the template property it is about
    assert findings(compiled, lifted) == [
        ("AGW405", "/Resources/ApiGatewayRestApi"),
        ("AGW405", "/Resources/ApiGatewayRestApi"),
        ("AGW805", "/Resources/Deployment/Properties/StageName"),
        ("AGW801", "/Resources/ApiGatewayGetMethod"),
        ("AGW211", "/Resources/ApiGatewayGetMethod/Properties/Integration"),
        ("AGW106", "/Resources/ApiGatewayOptionsMethod/Properties/OperationName"),
    ]
    gateway = compiled.gateway
    assert gateway is not None
    assert gateway.rest_api.name == "cors-api" and gateway.rest_api.description == "API with CORS Support"
    assert [e.value for e in gateway.rest_api.endpoint_types] == ["REGIONAL"]
    assert [(m.label, m.integration.type.value, m.operation_name) for m in gateway.methods] == [
        ("GET /helloworld", "AWS", "helloworld"),
        ("OPTIONS /helloworld", "MOCK", "helloworld"),
    ]
    get = gateway.methods[0].integration
    assert get.uri.to_json() == {
        "Fn::Sub": "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${MyFunction.Arn}/invocations"
    }
    assert get.http_method == "POST" and get.request_templates == {"application/json": '{ "statusCode": 200 }'}
    assert [s.name for s in gateway.stages] == ["prod"]

    deployment = Deployment.create(gateway, "prod", ids=lambda now: IDS, clock=lambda: 1_700_000_000.0)
    assert not isinstance(deployment, str), deployment
    result = asyncio.run(
        execute(deployment, Request.build("OPTIONS", "/helloworld", [("Origin", "https://example.com")], b""))
    )
    assert result.response.status == 200
    assert result.response.body == b""
    assert list(result.response.headers.items()) == [
        ("Content-Type", "application/json"),
        ("Access-Control-Allow-Headers", "Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token"),
        ("Access-Control-Allow-Methods", "POST,GET,OPTIONS"),
        ("Access-Control-Allow-Origin", "*"),
        ("x-amzn-RequestId", "r-1"),
        ("x-amz-apigw-id", "e-1"),
        # a MOCK answer carries no X-Amzn-Trace-Id [Obs: conformance recordings]
    ]


# ----------------------------------------------------------------------------------------
# Round trips: the cfn target's explicit template lifted back gives the same gateway


@pytest.mark.parametrize("spec", sorted(SPECS.glob("*.yaml")), ids=lambda p: p.stem)
def test_an_explicit_template_lifts_back_to_the_same_gateway_model(spec, tmp_path):
    original = compile_file(spec).gateway
    template = build_template(original, EmitOptions(), Diagnostics())
    lifted = lift_rest_api(template["Resources"], "RestApi")
    assert problems(lifted) == []
    compiled = compile_lifted(tmp_path, lifted)
    assert [d for d in compiled.lint.diagnostics if d.severity.name == "ERROR"] == []
    again = compiled.gateway
    # what a template cannot hold: the OpenAPI info.version, and x-apigwc.local (never deployed)
    assert again == dataclasses.replace(
        original, rest_api=dataclasses.replace(original.rest_api, version=None), local=None
    )
    # and emitting the lifted API gives the same template (a fixed point)
    emitted = build_template(again, EmitOptions(), Diagnostics())
    assert {k: v for k, v in emitted.items() if k != "Description"} == {
        k: v for k, v in template.items() if k != "Description"
    }


def _compilable_corpus() -> list[Path]:
    return [p for p in corpus_files("real") if compile_file(p).ok]


@pytest.mark.parametrize("spec", _compilable_corpus(), ids=lambda p: p.name)
def test_every_corpus_api_as_explicit_resources_lifts_and_compiles(spec, tmp_path):
    template = build_template(compile_file(spec).gateway, EmitOptions(), Diagnostics())
    lifted = lift_rest_api(template["Resources"], "RestApi")
    assert problems(lifted) == []
    compiled = compile_lifted(tmp_path, lifted)
    assert compiled.ok, [(d.code, d.message) for d in compiled.lint.diagnostics if d.severity.name == "ERROR"]
    original = compile_file(spec).gateway
    assert [m.label for m in compiled.gateway.methods] == [m.label for m in original.methods]
    assert [r.path for r in compiled.gateway.resources] == [r.path for r in original.resources]


# ----------------------------------------------------------------------------------------
# Every lifted kind, exactly


def _api(**props) -> dict:
    return {"Type": "AWS::ApiGateway::RestApi", "Properties": props}


def _res(parent, part: str, api: str = "Api") -> dict:
    return {
        "Type": "AWS::ApiGateway::Resource",
        "Properties": {"RestApiId": {"Ref": api}, "ParentId": parent, "PathPart": part},
    }


ROOT = {"Fn::GetAtt": ["Api", "RootResourceId"]}
MOCK = {
    "Type": "MOCK",
    "RequestTemplates": {"application/json": '{"statusCode": 200}'},
    "IntegrationResponses": [{"StatusCode": 200}],
}

FULL = {
    "Api": _api(
        Name="Pets",
        Description="pets",
        BinaryMediaTypes=["image/png"],
        MinimumCompressionSize=1024,
        ApiKeySourceType="HEADER",
        EndpointConfiguration={"Types": ["REGIONAL"]},
        DisableExecuteApiEndpoint=True,
        Policy='{"Version": "2012-10-17", "Statement": []}',
    ),
    "Pets": _res(ROOT, "pets"),
    "Pet": _res({"Ref": "Pets"}, "{petId}"),
    "PetModel": {
        "Type": "AWS::ApiGateway::Model",
        "Properties": {
            "RestApiId": {"Ref": "Api"},
            "Name": "Pet",
            "ContentType": "application/json",
            "Schema": {"type": "object"},
        },
    },
    "PetsModel": {
        "Type": "AWS::ApiGateway::Model",
        "Properties": {
            "RestApiId": {"Ref": "Api"},
            "Name": "Pets",
            "Schema": json.dumps(
                {"type": "array", "items": {"$ref": "https://apigateway.amazonaws.com/restapis/abc123/models/Pet"}}
            ),
        },
    },
    "BodyValidator": {
        "Type": "AWS::ApiGateway::RequestValidator",
        "Properties": {
            "RestApiId": {"Ref": "Api"},
            "Name": "body",
            "ValidateRequestBody": True,
            "ValidateRequestParameters": "false",
        },
    },
    "Auth": {
        "Type": "AWS::ApiGateway::Authorizer",
        "Properties": {
            "RestApiId": {"Ref": "Api"},
            "Name": "tok",
            "Type": "TOKEN",
            "IdentitySource": "method.request.header.Authorization",
            "AuthorizerUri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Auth/invocations",
            "AuthorizerResultTtlInSeconds": "60",
            "IdentityValidationExpression": "^Bearer .+$",
        },
    },
    "Pool": {
        "Type": "AWS::ApiGateway::Authorizer",
        "Properties": {
            "RestApiId": {"Ref": "Api"},
            "Name": "pool",
            "Type": "COGNITO_USER_POOLS",
            "IdentitySource": "method.request.header.Authorization",
            "ProviderARNs": ["arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_x"],
        },
    },
    "NotFound": {
        "Type": "AWS::ApiGateway::GatewayResponse",
        "Properties": {
            "RestApiId": {"Ref": "Api"},
            "ResponseType": "RESOURCE_NOT_FOUND",
            "StatusCode": "404",
            "ResponseTemplates": {"application/json": '{"error": "nope"}'},
        },
    },
    "ListPets": {
        "Type": "AWS::ApiGateway::Method",
        "Properties": {
            "RestApiId": {"Ref": "Api"},
            "ResourceId": {"Ref": "Pets"},
            "HttpMethod": "get",
            "AuthorizationType": "CUSTOM",
            "AuthorizerId": {"Ref": "Auth"},
            "ApiKeyRequired": True,
            "RequestParameters": {"method.request.querystring.limit": False, "method.request.header.X-Trace": True},
            "MethodResponses": [
                {
                    "StatusCode": 200,
                    "ResponseModels": {"application/json": "Pets"},
                    "ResponseParameters": {"method.response.header.X-Count": True},
                }
            ],
            "Integration": {**MOCK, "PassthroughBehavior": "NEVER", "TimeoutInMillis": 5000},
        },
    },
    "PutPet": {
        "Type": "AWS::ApiGateway::Method",
        "Properties": {
            "RestApiId": {"Ref": "Api"},
            "ResourceId": {"Ref": "Pet"},
            "HttpMethod": "PUT",
            "AuthorizationType": "COGNITO_USER_POOLS",
            "AuthorizerId": {"Ref": "Pool"},
            "AuthorizationScopes": ["pets/write"],
            "RequestValidatorId": {"Ref": "BodyValidator"},
            "RequestModels": {"application/json": {"Ref": "PetModel"}},
            "MethodResponses": [
                {"StatusCode": "200", "ResponseModels": {"application/json": "Empty"}},
                {"StatusCode": "400"},
            ],
            "Integration": {
                "Type": "AWS",
                "IntegrationHttpMethod": "POST",
                "Uri": {"Fn::Sub": "arn:aws:apigateway:${AWS::Region}:dynamodb:action/PutItem"},
                "Credentials": "arn:aws:iam::123456789012:role/ddb",
                "RequestParameters": {"integration.request.header.X-Id": "method.request.path.petId"},
                "CacheKeyParameters": ["method.request.path.petId"],
                "IntegrationResponses": [
                    {"StatusCode": "200"},
                    {
                        "StatusCode": "400",
                        "SelectionPattern": "4\\d{2}",
                        "ResponseTemplates": {"application/json": "$input.body"},
                    },
                ],
            },
        },
    },
    "Sign": {
        "Type": "AWS::ApiGateway::Method",
        "Properties": {
            "RestApiId": {"Ref": "Api"},
            "ResourceId": ROOT,
            "HttpMethod": "ANY",
            "AuthorizationType": "AWS_IAM",
            "Integration": MOCK,
            "MethodResponses": [{"StatusCode": "200"}],
        },
    },
    "Deployment": {
        "Type": "AWS::ApiGateway::Deployment",
        "Properties": {
            "RestApiId": {"Ref": "Api"},
            "StageName": "dev",
            "StageDescription": {
                "Variables": {"color": "blue"},
                "ThrottlingBurstLimit": 10,
                "ThrottlingRateLimit": "5.5",
                "MetricsEnabled": True,
                "TracingEnabled": True,
            },
        },
    },
    "Prod": {
        "Type": "AWS::ApiGateway::Stage",
        "Properties": {
            "RestApiId": {"Ref": "Api"},
            "StageName": "prod",
            "DeploymentId": {"Ref": "Deployment"},
            "Description": "production",
            "MethodSettings": [
                {
                    "ResourcePath": "/~1pets",
                    "HttpMethod": "GET",
                    "CachingEnabled": True,
                    "CacheTtlInSeconds": 60,
                    "LoggingLevel": "INFO",
                }
            ],
            "AccessLogSetting": {
                "DestinationArn": "arn:aws:logs:us-east-1:123456789012:log-group:api",
                "Format": "$context.requestId",
            },
            "CacheClusterEnabled": True,
            "CacheClusterSize": "0.5",
            "Tags": [{"Key": "team", "Value": "pets"}],
        },
    },
    "Key": {
        "Type": "AWS::ApiGateway::ApiKey",
        "Properties": {"Name": "partner", "Value": "abcdefghijklmnopqrstuvwxyz"},
    },
    "Plan": {
        "Type": "AWS::ApiGateway::UsagePlan",
        "Properties": {
            "UsagePlanName": "gold",
            "ApiStages": [
                {
                    "ApiId": {"Ref": "Api"},
                    "Stage": {"Ref": "Prod"},
                    "Throttle": {"/pets/GET": {"RateLimit": 2, "BurstLimit": 4}},
                },
                {"ApiId": {"Ref": "Other"}, "Stage": "x"},
            ],
            "Throttle": {"BurstLimit": 20, "RateLimit": 10},
            "Quota": {"Limit": 1000, "Period": "MONTH"},
        },
    },
    "PlanKey": {
        "Type": "AWS::ApiGateway::UsagePlanKey",
        "Properties": {"KeyId": {"Ref": "Key"}, "KeyType": "API_KEY", "UsagePlanId": {"Ref": "Plan"}},
    },
    "Other": _api(Name="other"),
    "Queue": {"Type": "AWS::SQS::Queue"},
}


def test_every_kind_of_resource_is_lifted_exactly(tmp_path):
    lifted = lift_rest_api(FULL, "Api")
    assert problems(lifted) == []
    doc = lifted.document
    assert doc["info"] == {"title": "Pets", "description": "pets", "x-apigwc-ignore": "AGW011"}
    assert {k: v for k, v in doc.items() if k.startswith("x-amazon")} == {
        "x-amazon-apigateway-binary-media-types": ["image/png"],
        "x-amazon-apigateway-minimum-compression-size": 1024,
        "x-amazon-apigateway-api-key-source": "HEADER",
        "x-amazon-apigateway-policy": {"Version": "2012-10-17", "Statement": []},
        "x-amazon-apigateway-request-validators": {
            "body": {"validateRequestBody": True, "validateRequestParameters": False}
        },
        "x-amazon-apigateway-gateway-responses": {
            "RESOURCE_NOT_FOUND": {"statusCode": "404", "responseTemplates": {"application/json": '{"error": "nope"}'}}
        },
    }
    assert doc["servers"] == [
        {"url": "/", "x-amazon-apigateway-endpoint-configuration": {"disableExecuteApiEndpoint": True}}
    ]
    assert doc["components"]["schemas"] == {
        "Pet": {"type": "object"},
        "Pets": {"type": "array", "items": {"$ref": "#/components/schemas/Pet"}},
    }
    assert doc["components"]["securitySchemes"] == {
        "tok": {
            "type": "apiKey",
            "name": "Authorization",
            "in": "header",
            "x-amazon-apigateway-authorizer": {
                "type": "token",
                "authorizerUri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Auth/invocations",
                "identitySource": "method.request.header.Authorization",
                "identityValidationExpression": "^Bearer .+$",
                "authorizerResultTtlInSeconds": 60,
            },
        },
        "pool": {
            "type": "apiKey",
            "name": "Authorization",
            "in": "header",
            "x-amazon-apigateway-authorizer": {
                "type": "cognito_user_pools",
                "identitySource": "method.request.header.Authorization",
                "providerARNs": ["arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_x"],
            },
        },
        "api_key": {"type": "apiKey", "name": "x-api-key", "in": "header"},
        "sigv4": {
            "type": "apiKey",
            "name": "Authorization",
            "in": "header",
            "x-amazon-apigateway-authtype": "awsSigv4",
        },
    }
    assert doc["paths"] == {
        "/pets": {
            "get": {
                "parameters": [
                    {"name": "limit", "in": "query", "schema": {"type": "string"}},
                    {"name": "X-Trace", "in": "header", "required": True, "schema": {"type": "string"}},
                ],
                "responses": {
                    "200": {
                        "description": "200 response",
                        "headers": {"X-Count": {"schema": {"type": "string"}}},
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pets"}}},
                    }
                },
                "security": [{"tok": [], "api_key": []}],
                "x-amazon-apigateway-integration": {
                    "type": "mock",
                    "passthroughBehavior": "never",
                    "timeoutInMillis": 5000,
                    "requestTemplates": {"application/json": '{"statusCode": 200}'},
                    "responses": {"default": {"statusCode": "200"}},
                },
            }
        },
        "/pets/{petId}": {
            "put": {
                "parameters": [{"name": "petId", "in": "path", "required": True, "schema": {"type": "string"}}],
                "requestBody": {
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}},
                    "required": True,
                },
                # the built-in Empty model has no schema in the document (the IR keeps defined models only)
                "responses": {
                    "200": {"description": "200 response", "content": {"application/json": {}}},
                    "400": {"description": "400 response"},
                },
                "security": [{"pool": ["pets/write"]}],
                "x-amazon-apigateway-request-validator": "body",
                "x-amazon-apigateway-integration": {
                    "type": "aws",
                    "httpMethod": "POST",
                    # Fn::Sub of import variables only is the string the import resolves
                    "uri": "arn:aws:apigateway:${AWS::Region}:dynamodb:action/PutItem",
                    "credentials": "arn:aws:iam::123456789012:role/ddb",
                    "cacheKeyParameters": ["method.request.path.petId"],
                    "requestParameters": {"integration.request.header.X-Id": "method.request.path.petId"},
                    "responses": {
                        "default": {"statusCode": "200"},
                        "4\\d{2}": {"statusCode": "400", "responseTemplates": {"application/json": "$input.body"}},
                    },
                },
            }
        },
        "/": {
            "x-amazon-apigateway-any-method": {
                "responses": {"200": {"description": "200 response"}},
                "security": [{"sigv4": []}],
                "x-amazon-apigateway-integration": {
                    "type": "mock",
                    "requestTemplates": {"application/json": '{"statusCode": 200}'},
                    "responses": {"default": {"statusCode": "200"}},
                },
            }
        },
    }
    assert doc["x-apigwc"] == {
        "endpointType": "REGIONAL",
        "stages": {
            "dev": {
                "variables": {"color": "blue"},
                "methodSettings": {"*/*": {"throttling": {"burstLimit": 10, "rateLimit": 5.5}, "metricsEnabled": True}},
                "tracingEnabled": True,
            },
            "prod": {
                "description": "production",
                "methodSettings": {
                    "/pets/GET": {"loggingLevel": "INFO", "cachingEnabled": True, "cacheTtlInSeconds": 60}
                },
                "accessLog": {
                    "format": "$context.requestId",
                    "destinationArn": "arn:aws:logs:us-east-1:123456789012:log-group:api",
                },
                "cacheClusterEnabled": True,
                "cacheClusterSize": "0.5",
                "tags": {"team": "pets"},
            },
        },
        "usagePlans": {
            "gold": {
                "throttle": {"burstLimit": 20, "rateLimit": 10},
                "quota": {"limit": 1000, "period": "MONTH"},
                "methodThrottle": {"/pets/GET": {"burstLimit": 4, "rateLimit": 2}},
                "stages": ["prod"],
                "apiKeys": ["partner"],
            }
        },
        # CloudFormation's ApiKey Enabled defaults to false
        "apiKeys": {"partner": {"value": "abcdefghijklmnopqrstuvwxyz", "enabled": False}},
    }
    assert lifted.members == {
        "Api": "rest-api",
        "Auth": "authorizer tok",
        "BodyValidator": "validator body",
        "Deployment": "deployment",
        "Key": "api-key partner",
        "ListPets": "method GET /pets",
        "NotFound": "gateway-response RESOURCE_NOT_FOUND",
        "Pet": "resource /pets/{petId}",
        "PetModel": "model Pet",
        "Pets": "resource /pets",
        "PetsModel": "model Pets",
        "Plan": "usage-plan gold",
        "PlanKey": "usage-plan-key gold partner",
        "Pool": "authorizer pool",
        "Prod": "stage prod",
        "PutPet": "method PUT /pets/{petId}",
        "Sign": "method ANY /",
    }
    # template pointers of what was lifted
    assert lifted.template_pointer(
        "/paths/~1pets~1{petId}/put/x-amazon-apigateway-integration/responses/4\\d{2}/responseTemplates"
    ) == ("/Resources/PutPet/Properties/Integration/IntegrationResponses/1/ResponseTemplates")
    assert lifted.template_pointer("/x-apigwc/usagePlans/gold/apiKeys/0") == "/Resources/PlanKey"
    assert (
        lifted.template_pointer("/components/schemas/Pets/items") == "/Resources/PetsModel"
    )  # a schema given as a JSON string
    assert lifted.template_pointer("/components/schemas/Pet/type") == "/Resources/PetModel/Properties/Schema/type"

    compiled = compile_lifted(tmp_path, lifted)
    assert compiled.ok, [(d.code, d.message) for d in compiled.lint.diagnostics]
    g = compiled.gateway
    assert [
        (m.label, m.authorization_type.value, m.authorizer, m.api_key_required, m.request_validator) for m in g.methods
    ] == [
        ("ANY /", "AWS_IAM", None, False, None),
        ("GET /pets", "CUSTOM", "tok", True, None),
        ("PUT /pets/{petId}", "COGNITO_USER_POOLS", "pool", False, "body"),
    ]
    assert g.methods[1].request_parameters == {
        "method.request.header.X-Trace": True,
        "method.request.querystring.limit": False,
    }
    assert [(a.name, a.type.value, a.result_ttl_in_seconds) for a in g.authorizers] == [
        ("pool", "COGNITO_USER_POOLS", 300),
        ("tok", "TOKEN", 60),
    ]
    assert [(k.name, k.enabled) for k in g.api_keys] == [("partner", False)]
    assert [(p.name, [s.stage for s in p.api_stages], p.api_keys) for p in g.usage_plans] == [
        ("gold", ["prod"], ("partner",))
    ]
    assert [(s.name, s.variables, s.tracing_enabled) for s in g.stages] == [
        ("dev", {"color": "blue"}, True),
        ("prod", {}, False),
    ]
    assert g.rest_api.disable_execute_api_endpoint and g.rest_api.minimum_compression_size == 1024


def test_what_cannot_be_lifted_is_reported_at_the_template_property():
    resources = {
        "Api": _api(Name="a"),
        "Other": _api(Name="b"),
        "A": _res({"Ref": "B"}, "a"),
        "B": _res({"Ref": "A"}, "b"),
        "Lost": _res({"Ref": "Nowhere"}, "lost"),
        "Foreign": _res({"Fn::GetAtt": ["Other", "RootResourceId"]}, "x"),
        "OtherChild": _res({"Fn::GetAtt": ["Other", "RootResourceId"]}, "o", api="Other"),
        "Mixed": _res({"Ref": "OtherChild"}, "m"),
        "Items": _res(ROOT, "items"),
        "Items2": _res(ROOT, "items"),
        "Dynamic": _res(ROOT, {"Fn::ImportValue": "path"}),
        "Get": {
            "Type": "AWS::ApiGateway::Method",
            "Properties": {
                "RestApiId": {"Ref": "Api"},
                "ResourceId": {"Ref": "Items"},
                "HttpMethod": "GET",
                "Integration": MOCK,
            },
        },
        "Get2": {
            "Type": "AWS::ApiGateway::Method",
            "Properties": {
                "RestApiId": {"Ref": "Api"},
                "ResourceId": {"Ref": "Items"},
                "HttpMethod": "get",
                "Integration": MOCK,
            },
        },
        "Bad": {
            "Type": "AWS::ApiGateway::Method",
            "Properties": {"RestApiId": {"Ref": "Api"}, "ResourceId": {"Ref": "Items"}, "HttpMethod": "FETCH"},
        },
        "Models": {
            "Type": "AWS::ApiGateway::Method",
            "Properties": {
                "RestApiId": {"Ref": "Api"},
                "ResourceId": ROOT,
                "HttpMethod": "POST",
                "AuthorizationType": "CUSTOM",
                "AuthorizerId": {"Ref": "Queue"},
                "RequestModels": {"application/json": "Missing"},
            },
        },
        "Queue": {"Type": "AWS::SQS::Queue"},
        "Deployment": {
            "Type": "AWS::ApiGateway::Deployment",
            "Properties": {"RestApiId": {"Ref": "Api"}, "StageName": "prod"},
        },
        "Prod": {
            "Type": "AWS::ApiGateway::Stage",
            "Properties": {"RestApiId": {"Ref": "Api"}, "StageName": "prod", "DeploymentId": {"Ref": "Deployment"}},
        },
        "Broken": {
            "Type": "AWS::ApiGateway::Model",
            "Properties": {"RestApiId": {"Ref": "Api"}, "Name": "Broken", "Schema": "{not json"},
        },
    }
    lifted = lift_rest_api(resources, "Api")
    assert problems(lifted) == [
        (
            "AGW042",
            "/Resources/Broken/Properties/Schema",
            "the Schema of model 'Broken' is not JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",
        ),
        (
            "AGW042",
            "/Resources/Dynamic/Properties/PathPart",
            'PathPart of resource \'Dynamic\' must be one path segment; found {"Fn::ImportValue": "path"}',
        ),
        (
            "AGW041",
            "/Resources/Foreign/Properties/ParentId",
            "resource 'Foreign' belongs to API 'Api' (RestApiId) but its ParentId is the root of API 'Other'",
        ),
        (
            "AGW040",
            "/Resources/Lost/Properties/ParentId",
            "ParentId refers to 'Nowhere', which the template does not define",
        ),
        (
            "AGW041",
            "/Resources/Mixed/Properties/ParentId",
            "resource 'Mixed' belongs to API 'Api' (RestApiId) but its parent 'OtherChild' belongs to 'Other'",
        ),
        ("AGW041", "/Resources/A/Properties/ParentId", "the ParentId chain of resource 'A' is a cycle: A -> B -> A"),
        ("AGW041", "/Resources/B/Properties/ParentId", "the ParentId chain of resource 'B' is a cycle: A -> B -> A"),
        ("AGW043", "/Resources/Items2/Properties/PathPart", "resource 'Items2' and 'Items' both create /items"),
        (
            "AGW042",
            "/Resources/Bad/Properties/HttpMethod",
            "HttpMethod of method 'Bad' must be one of GET, PUT, POST, DELETE, OPTIONS, HEAD, PATCH, ANY; found \"FETCH\"",
        ),
        ("AGW043", "/Resources/Get2/Properties/HttpMethod", "GET /items is also defined by Get"),
        (
            "AGW040",
            "/Resources/Models/Properties/RequestModels/application~1json",
            "model 'Missing' is not defined for this API",
        ),
        (
            "AGW040",
            "/Resources/Models/Properties/AuthorizerId",
            "AuthorizerId refers to 'Queue', a AWS::SQS::Queue, not an AWS::ApiGateway::Authorizer",
        ),
        ("AGW043", "/Resources/Prod/Properties/StageName", "stage 'prod' is also created by 'Deployment'"),
    ]
    assert sorted(lifted.document["paths"]) == ["/", "/items"]
    # the other API lifts on its own, with its own resources only
    other = lift_rest_api(resources, "Other")
    assert problems(other) == [] and sorted(other.document["paths"]) == ["/o"]


def test_a_body_is_merged_with_the_explicit_resources_that_point_at_it(tmp_path):
    body = {
        "openapi": "3.0.1",
        "info": {"title": "from body", "version": "1"},
        "paths": {
            "/a": {
                "get": {
                    "responses": {"200": {"description": "ok"}},
                    "x-amazon-apigateway-integration": {
                        "type": "mock",
                        "responses": {"default": {"statusCode": "200"}},
                    },
                }
            }
        },
    }
    resources = {
        "Api": _api(Body=body, Name="renamed"),
        "A": _res(ROOT, "a"),
        "B": _res(ROOT, "b"),
        "GetB": {
            "Type": "AWS::ApiGateway::Method",
            "Properties": {
                "RestApiId": {"Ref": "Api"},
                "ResourceId": {"Ref": "B"},
                "HttpMethod": "GET",
                "Integration": MOCK,
                "MethodResponses": [{"StatusCode": 200}],
            },
        },
        "RootGet": {
            "Type": "AWS::ApiGateway::Method",
            "Properties": {
                "RestApiId": {"Ref": "Api"},
                "ResourceId": ROOT,
                "HttpMethod": "GET",
                "Integration": MOCK,
                "MethodResponses": [{"StatusCode": 200}],
            },
        },
    }
    lifted = lift_rest_api(resources, "Api")
    assert problems(lifted) == [
        ("AGW043", "/Resources/A/Properties/PathPart", "resource 'A' creates /a, which the API's Body already has")
    ]
    assert list(lifted.document["paths"]) == ["/a", "/b", "/"]
    assert lifted.document["info"] == {"title": "renamed", "version": "1"}
    assert (
        lifted.template_pointer("/paths/~1a/get/responses/200")
        == "/Resources/Api/Properties/Body/paths/~1a/get/responses/200"
    )
    assert lifted.template_pointer("/paths/~1b/get") == "/Resources/GetB"
    assert body["paths"].keys() == {"/a"}  # the template is not changed
    compiled = compile_lifted(tmp_path, lifted)
    assert [m.label for m in compiled.gateway.methods] == ["GET /", "GET /a", "GET /b"]


def test_a_swagger_body_gets_swagger_shaped_additions(tmp_path):
    body = {
        "swagger": "2.0",
        "info": {"title": "t", "version": "1"},
        "paths": {},
        "definitions": {"Pet": {"type": "object"}},
    }
    resources = {
        "Api": _api(Body=body),
        "Pets": _res(ROOT, "pets"),
        "Post": {
            "Type": "AWS::ApiGateway::Method",
            "Properties": {
                "RestApiId": {"Ref": "Api"},
                "ResourceId": {"Ref": "Pets"},
                "HttpMethod": "POST",
                "RequestParameters": {"method.request.querystring.q": True},
                "RequestModels": {"application/json": "Pet"},
                "MethodResponses": [
                    {
                        "StatusCode": 200,
                        "ResponseModels": {"application/json": "Pet"},
                        "ResponseParameters": {"method.response.header.X-A": False},
                    }
                ],
                "Integration": MOCK,
            },
        },
    }
    lifted = lift_rest_api(resources, "Api")
    assert problems(lifted) == []
    assert lifted.document["paths"]["/pets"]["post"] == {
        "parameters": [
            {"name": "q", "in": "query", "required": True, "type": "string"},
            {"in": "body", "name": "body", "required": True, "schema": {"$ref": "#/definitions/Pet"}},
        ],
        "consumes": ["application/json"],
        "responses": {
            "200": {
                "description": "200 response",
                "headers": {"X-A": {"type": "string"}},
                "schema": {"$ref": "#/definitions/Pet"},
            }
        },
        "produces": ["application/json"],
        "x-amazon-apigateway-integration": {
            "type": "mock",
            "requestTemplates": {"application/json": '{"statusCode": 200}'},
            "responses": {"default": {"statusCode": "200"}},
        },
    }
    compiled = compile_lifted(tmp_path, lifted)
    assert compiled.ok, [(d.code, d.message) for d in compiled.lint.diagnostics]
    method = compiled.gateway.methods[0]
    assert (method.request_models, method.method_responses[0].response_models) == (
        {"application/json": "Pet"},
        {"application/json": "Pet"},
    )


GARBAGE = [
    None,
    5,
    True,
    "x",
    [],
    {},
    [1, "a"],
    {"Ref": 3},
    {"Ref": "Nowhere"},
    {"Fn::GetAtt": "Api"},
    {"a": {"b": None}},
]


def _paths(node, path=()):
    yield path
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, (*path, i))


def _replaced(node, path, value):
    if not path:
        return value
    copy = dict(node) if isinstance(node, dict) else list(node)
    copy[path[0]] = _replaced(node[path[0]], path[1:], value)
    return copy


def test_any_malformed_value_is_reported_or_ignored_never_a_crash(tmp_path):
    """Every value of FULL (each property, at any depth) replaced by each garbage value: the lift
    answers with a document (and problems); the document never crashes the pipeline."""
    paths = [p for p in _paths(FULL) if p]
    checked = 0
    for i, path in enumerate(paths):
        for value in GARBAGE:
            resources = _replaced(FULL, path, value)
            lifted = lift_rest_api(resources, "Api")
            assert isinstance(lifted.document, dict)
            assert all(d.pointer.startswith("/Resources/") for d in lifted.problems)
            checked += 1
            if (i + len(str(value))) % 41 == 0:  # a sample goes through the whole pipeline
                compile_lifted(tmp_path, lifted)
    assert checked == len(paths) * len(GARBAGE)


def test_a_body_as_json_text_is_read_and_an_unreadable_one_is_reported():
    body = {"openapi": "3.0.1", "info": {"title": "t", "version": "1"}, "paths": {"/a": {}}}
    lifted = lift_rest_api({"Api": _api(Body=json.dumps(body))}, "Api")
    assert problems(lifted) == [] and list(lifted.document["paths"]) == ["/a"]
    lifted = lift_rest_api(
        {
            "Api": _api(
                Body={"Fn::Transform": {"Name": "AWS::Include", "Parameters": {"Location": "s3://b/k"}}}, Name="n"
            )
        },
        "Api",
    )
    assert problems(lifted) == [
        (
            "AGW042",
            "/Resources/Api/Properties/Body",
            'the Body cannot be read: {"Fn::Transform": {"Name": "AWS::Include", "Parameters": {"Location": "s3://b/k"}}}; the API is lifted without it',
        )
    ]
    assert lifted.document["info"]["title"] == "n"
    lifted = lift_rest_api({"Api": _api(Body="{oops")}, "Api")
    assert problems(lifted) == [
        (
            "AGW042",
            "/Resources/Api/Properties/Body",
            "the Body is not a JSON object: Expecting property name enclosed in double quotes: line 1 column 2 (char 1); the API is lifted without it",
        )
    ]


@pytest.mark.skipif(not SAM.is_dir(), reason="the SAM corpus is not present")
def test_a_real_mistake_in_explicit_resources_is_reported_at_the_template_property(tmp_path):
    """Without MethodResponses the OPTIONS integration response maps to a status the method lacks
    (PutIntegrationResponse fails on AWS): AGW101, at the IntegrationResponses entry."""
    template = load_template(SAM / "pattern-cors-nonproxy" / "template.yaml")
    del template["Resources"]["ApiGatewayOptionsMethod"]["Properties"]["MethodResponses"]
    lifted = lift_rest_api(template["Resources"], "ApiGatewayRestApi")
    compiled = compile_lifted(tmp_path, lifted)
    errors = [
        (d.code, lifted.template_pointer(d.pointer)) for d in compiled.lint.diagnostics if d.severity.name == "ERROR"
    ]
    assert errors == [
        ("AGW101", "/Resources/ApiGatewayOptionsMethod/Properties/Integration/IntegrationResponses/0/StatusCode")
    ]
