"""Lowering: IR -> gateway model, checked on small specs run through the real pipeline."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from apigwc import gateway as gw
from apigwc.intrinsics import Intrinsic
from apigwc.logical_ids import allocate_ids, path_words
from apigwc.logical_ids import pascal as camel
from apigwc.lower import lambda_function, lower_api, source_path
from apigwc.pipeline import compile_file

HEAD = """\
openapi: 3.0.3
info: {title: T, version: "1"}
"""

MOCK = "x-amazon-apigateway-integration: {type: mock, requestTemplates: {application/json: '{\"statusCode\": 200}'}, responses: {default: {statusCode: '200'}}}"


def lower(tmp_path: Path, body: str, head: str = HEAD) -> gw.Gateway:
    spec = tmp_path / "spec.yaml"
    spec.write_text(head + textwrap.dedent(body), encoding="utf-8")
    compiled = compile_file(spec, "spec.yaml")
    errors = [f"{d.code} {d.message}" for d in compiled.lint.diagnostics if d.severity.name == "ERROR"]
    assert compiled.gateway is not None, errors
    return compiled.gateway


def op(responses: str = "{'200': {description: ok}}", extra: str = "") -> str:
    return f"{{responses: {responses}, {MOCK}{', ' + extra if extra else ''}}}"


# ----------------------------------------------------------------------------------------
# Resource tree


def test_resource_tree_has_intermediate_and_greedy_resources(tmp_path):
    g = lower(
        tmp_path,
        f"""
        paths:
          /a/b/{{id}}:
            get: {op(extra="parameters: [{name: id, in: path, required: true, schema: {type: string}}]")}
          /files/{{proxy+}}:
            x-amazon-apigateway-any-method: {op(extra="parameters: [{name: proxy, in: path, required: true, schema: {type: string}}]")}
        """,
    )
    assert [(r.path, r.path_part, r.parent, r.kind, r.param) for r in g.resources] == [
        ("/", "", None, gw.ResourceKind.ROOT, None),
        ("/a", "a", "/", gw.ResourceKind.LITERAL, None),
        ("/a/b", "b", "/a", gw.ResourceKind.LITERAL, None),
        ("/a/b/{id}", "{id}", "/a/b", gw.ResourceKind.PARAM, "id"),
        ("/files", "files", "/", gw.ResourceKind.LITERAL, None),
        ("/files/{proxy+}", "{proxy+}", "/files", gw.ResourceKind.GREEDY, "proxy"),
    ]
    assert [r.id for r in g.resources] == [
        "ResourceRoot",
        "ResourceA",
        "ResourceAB",
        "ResourceABId",
        "ResourceFiles",
        "ResourceFilesProxy",
    ]
    assert [(m.id, m.resource_id, m.http_method.value) for m in g.methods] == [
        ("MethodABIdGet", "ResourceABId", "GET"),
        ("MethodFilesProxyAny", "ResourceFilesProxy", "ANY"),
    ]
    assert [c.path for c in g.children("/")] == ["/a", "/files"]
    assert g.resource("/a/b").id == "ResourceAB"
    assert g.method("/files/{proxy+}", "ANY").id == "MethodFilesProxyAny"


def test_resource_order_does_not_depend_on_source_order(tmp_path):
    one = lower(tmp_path, f"paths:\n  /b: {{get: {op()}}}\n  /a: {{get: {op()}}}\n")
    two = lower(tmp_path, f"paths:\n  /a: {{get: {op()}}}\n  /b: {{get: {op()}}}\n")
    assert one == two
    assert [r.path for r in one.resources] == ["/", "/a", "/b"]


def test_colliding_ids_get_hash_suffixes_from_their_own_path(tmp_path):
    g = lower(
        tmp_path, f"paths:\n  /user-info: {{get: {op()}}}\n  /userInfo: {{get: {op()}}}\n  /other: {{get: {op()}}}\n"
    )
    ids = {r.path: r.id for r in g.resources}
    assert ids["/other"] == "ResourceOther"
    assert ids["/user-info"].startswith("ResourceUserInfo") and ids["/userInfo"].startswith("ResourceUserInfo")
    assert ids["/user-info"] != ids["/userInfo"] and len(ids["/user-info"]) == len("ResourceUserInfo") + 6
    # the suffix depends only on the path: adding an unrelated path keeps every id
    g2 = lower(
        tmp_path,
        f"paths:\n  /user-info: {{get: {op()}}}\n  /userInfo: {{get: {op()}}}\n  /other: {{get: {op()}}}\n  /new: {{get: {op()}}}\n",
    )
    assert {r.path: r.id for r in g2.resources if r.path != "/new"} == ids


def test_allocate_ids_and_words():
    assert allocate_ids([("a", "X"), ("b", "Y")]) == {"a": "X", "b": "Y"}
    ids = allocate_ids([("a", "X"), ("b", "X")])
    assert ids["a"] != ids["b"] and all(i.startswith("X") and i.isalnum() for i in ids.values())
    assert (
        allocate_ids([("a", "X")], taken={"X"})["a"].startswith("X")
        and allocate_ids([("a", "X")], taken={"X"})["a"] != "X"
    )
    long = allocate_ids([("k", "A" * 300)])["k"]
    assert len(long) <= 255 and long.isalnum()
    assert camel("user-info") == "UserInfo" and camel("{petId}") == "PetId" and camel("v1.0") == "V10"
    assert path_words("/") == "Root" and path_words("/pets/{petId}") == "PetsPetId"
    assert source_path("/pets/{petId}/photos/{proxy+}") == "pets/*/photos/*" and source_path("/") == ""


# ----------------------------------------------------------------------------------------
# Methods and integrations


def test_integration_defaults_and_upper_casing(tmp_path):
    g = lower(
        tmp_path,
        """
        paths:
          /h:
            get:
              responses: {'200': {description: ok}}
              x-amazon-apigateway-integration:
                type: http_proxy
                httpMethod: get
                uri: https://example.com/h
        """,
    )
    i = g.methods[0].integration
    assert (
        i.type,
        i.http_method,
        i.passthrough_behavior,
        i.timeout_in_millis,
        i.connection_type,
        i.response_transfer_mode,
    ) == (
        gw.IntegrationType.HTTP_PROXY,
        "GET",
        gw.PassthroughBehavior.WHEN_NO_MATCH,
        29000,
        gw.ConnectionType.INTERNET,
        "BUFFERED",
    )
    assert (i.cache_namespace, i.cache_key_parameters, i.content_handling, i.lambda_function) == (None, (), None, None)


def test_integration_responses_keyed_by_status_and_enums_parsed(tmp_path):
    g = lower(
        tmp_path,
        """
        paths:
          /x:
            post:
              responses: {'200': {description: ok}, '400': {description: bad}}
              x-amazon-apigateway-integration:
                type: aws
                httpMethod: POST
                uri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Fn:live/invocations
                passthroughBehavior: when_no_templates
                contentHandling: CONVERT_TO_TEXT
                timeoutInMillis: 5000
                requestTemplates: {application/json: '{}'}
                responses:
                  "Bad.*": {statusCode: '400', contentHandling: CONVERT_TO_TEXT}
                  default: {statusCode: '200'}
        """,
    )
    i = g.methods[0].integration
    assert i.passthrough_behavior is gw.PassthroughBehavior.WHEN_NO_TEMPLATES
    assert i.content_handling is gw.ContentHandling.CONVERT_TO_TEXT and i.timeout_in_millis == 5000
    assert [(r.status_code, r.selection_pattern, r.content_handling) for r in i.responses] == [
        ("200", None, None),
        ("400", "Bad.*", gw.ContentHandling.CONVERT_TO_TEXT),
    ]
    assert i.lambda_function == gw.LambdaFunction(
        arn="arn:aws:lambda:us-east-1:123456789012:function:Fn:live", name="Fn", qualifier="live"
    )


def test_method_request_parameters_models_and_responses(tmp_path):
    g = lower(
        tmp_path,
        """
        paths:
          /pets/{petId}:
            put:
              parameters:
                - {name: q, in: query, required: true, schema: {type: string}}
                - {name: X-H, in: header, schema: {type: string}}
                - {name: c, in: cookie, schema: {type: string}}
              requestBody:
                content:
                  application/json: {schema: {$ref: '#/components/schemas/Pet'}}
              responses:
                '200':
                  description: ok
                  headers: {X-Rate: {schema: {type: integer}}}
                  content: {application/json: {schema: {$ref: '#/components/schemas/Pet'}}}
                '204': {description: none}
                default: {description: other}
              operationId: putPet
              x-amazon-apigateway-integration: {type: mock, responses: {default: {statusCode: '200'}}}
        components:
          schemas:
            Pet: {type: object, properties: {name: {type: string}}}
        """,
    )
    m = g.methods[0]
    # the undeclared {petId} is still a (required) method request parameter
    assert dict(m.request_parameters) == {
        "method.request.header.X-H": False,
        "method.request.path.petId": True,
        "method.request.querystring.q": True,
    }
    assert dict(m.request_models) == {"application/json": "Pet"}
    assert m.operation_name == "putPet"
    # `default` is not a status code: no method response
    assert [(r.status_code, dict(r.response_parameters), dict(r.response_models)) for r in m.method_responses] == [
        ("200", {"method.response.header.X-Rate": False}, {"application/json": "Pet"}),
        ("204", {}, {}),
    ]


def test_authorization_from_operation_security(tmp_path):
    g = lower(
        tmp_path,
        """
        paths:
          /iam: {get: %s}
          /auth: {get: %s}
          /cognito: {get: %s}
          /none: {get: %s}
          /iamext: {get: %s}
        security: [{key: []}]
        components:
          securitySchemes:
            key: {type: apiKey, name: x-api-key, in: header}
            sig: {type: apiKey, name: Authorization, in: header, x-amazon-apigateway-authtype: awsSigv4}
            tok:
              type: apiKey
              name: X-Token
              in: header
              x-amazon-apigateway-authtype: custom
              x-amazon-apigateway-authorizer:
                type: token
                authorizerUri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Auth/invocations
            pool:
              type: apiKey
              name: Authorization
              in: header
              x-amazon-apigateway-authtype: cognito_user_pools
              x-amazon-apigateway-authorizer:
                type: cognito_user_pools
                providerARNs: ['arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc']
        """
        % (
            op(extra="security: [{sig: []}]"),
            op(extra="security: [{tok: [], key: []}]"),
            op(extra="security: [{pool: [read, write]}]"),
            op(),
            op(extra="x-amazon-apigateway-auth: {type: aws_iam}"),
        ),
    )
    got = {
        m.path: (m.authorization_type.value, m.authorizer, m.authorization_scopes, m.api_key_required)
        for m in g.methods
    }
    assert got == {
        "/iam": ("AWS_IAM", None, (), False),
        "/auth": ("CUSTOM", "tok", (), True),
        "/cognito": ("COGNITO_USER_POOLS", "pool", ("read", "write"), False),
        "/none": ("NONE", None, (), False),  # root-level security is ignored
        "/iamext": ("AWS_IAM", None, (), False),
    }
    tok, pool = g.authorizer("tok"), g.authorizer("pool")
    # defaults: identity source from the scheme's header, TTL 300
    assert (tok.id, tok.type, tok.identity_source, tok.result_ttl_in_seconds, tok.auth_type) == (
        "AuthorizerTok",
        gw.AuthorizerType.TOKEN,
        "method.request.header.X-Token",
        300,
        "custom",
    )
    assert tok.lambda_function.name == "Auth"
    assert (pool.identity_source, pool.lambda_function, pool.provider_arns) == (
        "method.request.header.Authorization",
        None,
        ("arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc",),
    )


def test_request_authorizer_identity_sources(tmp_path):
    g = lower(
        tmp_path,
        f"""
        paths:
          /r: {{get: {op(extra="security: [{q: []}]")}}}
        components:
          securitySchemes:
            q:
              type: apiKey
              name: token
              in: query
              x-amazon-apigateway-authorizer:
                type: request
                authorizerUri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Auth/invocations
                authorizerResultTtlInSeconds: 0
            multi:
              type: apiKey
              name: Unused
              in: header
              x-amazon-apigateway-authorizer:
                type: request
                identitySource: "method.request.header.A,  method.request.querystring.b"
                authorizerUri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Auth/invocations
        """,
    )
    assert g.authorizer("q").identity_source == "method.request.querystring.token"
    assert g.authorizer("q").result_ttl_in_seconds == 0
    assert g.authorizer("multi").identity_source == "method.request.header.A, method.request.querystring.b"


# ----------------------------------------------------------------------------------------
# Models


def test_model_refs_rewritten_and_unsupported_keywords_dropped(tmp_path):
    g = lower(
        tmp_path,
        f"""
        paths:
          /p:
            post:
              requestBody:
                content:
                  application/json:
                    schema: {{type: array, items: {{$ref: '#/components/schemas/Pet'}}}}
              responses: {{'200': {{description: ok}}}}
              {MOCK}
        components:
          schemas:
            Pet:
              type: object
              example: {{name: Rex}}
              x-internal: true
              properties:
                name: {{type: string, nullable: true, example: Rex}}
                tag: {{$ref: '#/components/schemas/Tag'}}
                example: {{type: string}}
                kind: {{$ref: '#/components/schemas/Tag/properties/kind'}}
            Tag:
              type: object
              discriminator: {{propertyName: kind}}
              properties:
                kind: {{type: string, enum: [a, b], readOnly: true}}
        """,
    )
    pet, tag = g.model("Pet"), g.model("Tag")
    assert pet.schema == {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "tag": {"$ref": "https://apigateway.amazonaws.com/restapis/{restapi_id}/models/Tag"},
            "example": {"type": "string"},  # a property named like a keyword stays
            "kind": {"type": "string", "enum": ["a", "b"]},  # a ref into a model is inlined
        },
    }
    assert pet.references == ("Tag",) and tag.references == ()
    assert tag.schema == {"type": "object", "properties": {"kind": {"type": "string", "enum": ["a", "b"]}}}
    # the inline request schema became a generated model that references Pet
    (name,) = g.methods[0].request_models.values()
    inline = g.model(name)
    assert name.startswith("MODEL") and name.isalnum() and inline.generated
    assert inline.schema == {"type": "array", "items": {"$ref": gw.model_ref("Pet")}}
    assert inline.references == ("Pet",)
    assert gw.model_ref_name(gw.model_ref("Pet")) == "Pet"
    # built-in models are looked up but not part of the API's own models
    assert g.model("Empty").schema["title"] == "Empty Schema" and "Empty" not in {m.name for m in g.models}


def test_converter_drops_what_draft4_models_reject():
    from apigwc.lower import _SchemaConverter

    refs: set[str] = set()
    out = _SchemaConverter({}).convert(
        {"type": "object", "required": [], "enum": [], "const": 1, "$id": "x", "type2": 1, "items": [{"type": "file"}]},
        refs,
    )
    assert out == {"type": "object", "items": [{}]} and refs == set()


def test_identical_inline_schemas_share_one_generated_model(tmp_path):
    body = "{content: {application/json: {schema: {type: object, properties: {a: {type: string}}}}}}"
    g = lower(
        tmp_path,
        f"""
        paths:
          /a: {{post: {op(extra="requestBody: " + body)}}}
          /b: {{post: {op(extra="requestBody: " + body)}}}
        """,
    )
    assert len(g.models) == 1 and g.methods[0].request_models == g.methods[1].request_models


def test_swagger2_body_and_responses_use_consumes_and_produces(tmp_path):
    g = lower(
        tmp_path,
        f"""
        consumes: [application/json, application/xml]
        produces: [application/json]
        paths:
          /p:
            post:
              parameters: [{{name: body, in: body, schema: {{$ref: '#/definitions/P'}}}}]
              responses: {{'200': {{description: ok, schema: {{$ref: '#/definitions/P'}}}}}}
              {MOCK}
        definitions:
          P: {{type: object}}
        """,
        head='swagger: "2.0"\ninfo: {title: T, version: "1"}\n',
    )
    m = g.methods[0]
    assert dict(m.request_models) == {"application/json": "P", "application/xml": "P"}
    assert dict(m.method_responses[0].response_models) == {"application/json": "P"}


# ----------------------------------------------------------------------------------------
# API settings, validators, gateway responses, stages, plans, keys


def test_rest_api_settings_validators_and_gateway_responses(tmp_path):
    g = lower(
        tmp_path,
        f"""
        servers:
          - url: https://example.com
            x-amazon-apigateway-endpoint-configuration: {{vpcEndpointIds: [vpce-1], disableExecuteApiEndpoint: true}}
        x-amazon-apigateway-binary-media-types: [image/png, "*/*"]
        x-amazon-apigateway-minimum-compression-size: 1024
        x-amazon-apigateway-api-key-source: AUTHORIZER
        x-amazon-apigateway-request-validators:
          body: {{validateRequestBody: true}}
          all: {{validateRequestBody: true, validateRequestParameters: true}}
        x-amazon-apigateway-request-validator: all
        x-amazon-apigateway-gateway-responses:
          DEFAULT_4XX: {{responseTemplates: {{application/json: '{{"m": $context.error.messageString}}'}}}}
          UNAUTHORIZED: {{statusCode: '401'}}
        paths:
          /a: {{get: {op()}}}
          /b: {{get: {op(extra="x-amazon-apigateway-request-validator: body")}}}
        """,
    )
    api = g.rest_api
    assert (api.name, api.endpoint_types, api.vpc_endpoint_ids, api.disable_execute_api_endpoint) == (
        "T",
        (gw.EndpointType.PRIVATE,),
        ("vpce-1",),
        True,
    )
    assert (api.binary_media_types, api.minimum_compression_size, api.api_key_source) == (
        ("image/png", "*/*"),
        1024,
        gw.ApiKeySource.AUTHORIZER,
    )
    assert [(v.id, v.name, v.validate_request_body, v.validate_request_parameters) for v in g.request_validators] == [
        ("RequestValidatorAll", "all", True, True),
        ("RequestValidatorBody", "body", True, False),
    ]
    assert {m.path: m.request_validator for m in g.methods} == {"/a": "all", "/b": "body"}
    assert [(r.id, r.response_type, r.status_code) for r in g.gateway_responses] == [
        ("GatewayResponseDefault4xx", "DEFAULT_4XX", None),
        ("GatewayResponseUnauthorized", "UNAUTHORIZED", "401"),
    ]


def test_default_endpoint_type_is_edge(tmp_path):
    g = lower(tmp_path, f"paths:\n  /a: {{get: {op()}}}\n")
    assert g.rest_api.endpoint_types == (gw.EndpointType.EDGE,) and g.rest_api.api_key_source is gw.ApiKeySource.HEADER


def test_stages_plans_and_keys(tmp_path):
    g = lower(
        tmp_path,
        f"""
        paths:
          /a: {{get: {op(extra="security: [{key: []}]")}}}
        components:
          securitySchemes:
            key: {{type: apiKey, name: x-api-key, in: header}}
        x-apigwc:
          stages:
            prod:
              variables: {{b: "2", a: "1"}}
              throttling: {{burstLimit: 10, rateLimit: 5}}
              methodSettings:
                "*/*": {{metricsEnabled: true, throttling: {{rateLimit: 7}}}}
                "/a/GET": {{cachingEnabled: true, cacheTtlInSeconds: 60}}
              accessLog: {{format: '$context.requestId', destinationArn: 'arn:aws:logs:us-east-1:123456789012:log-group:x'}}
              tracingEnabled: true
          usagePlans:
            gold:
              stages: [prod]
              apiKeys: [alice]
              quota: {{limit: 100, period: DAY}}
              methodThrottle: {{"/a/GET": {{burstLimit: 1, rateLimit: 1}}}}
          apiKeys:
            alice: {{description: Alice}}
        """,
    )
    (stage,) = g.stages
    assert (stage.id, stage.name, dict(stage.variables), stage.tracing_enabled) == (
        "StageProd",
        "prod",
        {"a": "1", "b": "2"},
        True,
    )
    # the stage-level throttle fills what the */* setting leaves open
    assert [
        (
            ms.resource_path,
            ms.http_method,
            ms.key,
            ms.metrics_enabled,
            ms.throttling_burst_limit,
            ms.throttling_rate_limit,
            ms.caching_enabled,
            ms.cache_ttl_in_seconds,
        )
        for ms in stage.method_settings
    ] == [
        ("/*", "*", "*/*", True, 10, 7.0, None, None),
        ("/a", "GET", "/a/GET", None, None, None, True, 60),
    ]
    assert stage.access_log == gw.AccessLogSetting(
        format="$context.requestId", destination_arn="arn:aws:logs:us-east-1:123456789012:log-group:x"
    )
    (plan,) = g.usage_plans
    assert (plan.id, plan.api_keys, plan.quota) == (
        "UsagePlanGold",
        ("alice",),
        gw.Quota(limit=100, offset=0, period="DAY"),
    )
    assert plan.api_stages == (
        gw.UsagePlanStage(stage="prod", throttle={"/a/GET": gw.Throttle(burst_limit=1, rate_limit=1.0)}),
    )
    assert g.api_keys == (
        gw.ApiKey(id="ApiKeyAlice", name="alice", value=None, enabled=True, description="Alice", customer_id=None),
    )
    assert g.usage_plans_of("prod") == (plan,)


# ----------------------------------------------------------------------------------------
# Lambda functions and permissions


def test_lambda_function_from_uri_forms():
    uri = "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:Pets/invocations"
    assert lambda_function(uri) == gw.LambdaFunction(
        arn="arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:Pets", name="Pets", qualifier=None
    )
    sv = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:1:function:${stageVariables.fn}/invocations"
    assert lambda_function(sv).stage_variables == ("fn",) and lambda_function(sv).name is None
    sub = Intrinsic(
        "Fn::Sub",
        "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations",
    )
    assert lambda_function(sub).arn == Intrinsic("Fn::Sub", "${Fn.Arn}")
    sub_vars = Intrinsic(
        "Fn::Sub",
        [
            "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${F}/invocations",
            {"F": {"Ref": "X"}, "Unused": "y"},
        ],
    )
    assert lambda_function(sub_vars).arn == Intrinsic("Fn::Sub", ["${F}", {"F": {"Ref": "X"}}])
    join = Intrinsic(
        "Fn::Join",
        [
            "",
            [
                "arn:aws:apigateway:",
                {"Ref": "AWS::Region"},
                ":lambda:path/2015-03-31/functions/",
                {"Fn::GetAtt": ["Fn", "Arn"]},
                "/invocations",
            ],
        ],
    )
    assert lambda_function(join).arn == Intrinsic("Fn::GetAtt", ["Fn", "Arn"])
    assert lambda_function("arn:aws:apigateway:us-east-1:dynamodb:action/PutItem") is None
    assert lambda_function("https://example.com") is None


def _lambda_uri(fn: str) -> str:
    return f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{fn}/invocations"


def test_permissions_per_method_per_stage_and_for_authorizers(tmp_path):
    integ = lambda fn, extra="": f"{{type: aws_proxy, httpMethod: POST, uri: '{_lambda_uri(fn)}'{extra}}}"
    g = lower(
        tmp_path,
        f"""
        paths:
          /:
            get: {{responses: {{'200': {{description: ok}}}}, x-amazon-apigateway-integration: {integ("arn:aws:lambda:us-east-1:123456789012:function:Root")}}}
          /pets/{{id}}:
            x-amazon-apigateway-any-method:
              parameters: [{{name: id, in: path, required: true, schema: {{type: string}}}}]
              responses: {{'200': {{description: ok}}}}
              security: [{{tok: []}}]
              x-amazon-apigateway-integration: {integ("arn:aws:lambda:us-east-1:123456789012:function:${stageVariables.fn}")}
          /role:
            get: {{responses: {{'200': {{description: ok}}}}, x-amazon-apigateway-integration: {integ("arn:aws:lambda:us-east-1:123456789012:function:Root", ", credentials: 'arn:aws:iam::123456789012:role/r'")}}}
        components:
          securitySchemes:
            tok:
              type: apiKey
              name: Authorization
              in: header
              x-amazon-apigateway-authorizer: {{type: token, authorizerUri: '{_lambda_uri("arn:aws:lambda:us-east-1:123456789012:function:Auth")}'}}
        x-apigwc:
          stages:
            dev: {{variables: {{fn: PetsDev}}}}
            prod: {{variables: {{fn: PetsProd}}}}
        """,
    )
    perms = {p.id: (p.function_name, p.source, p.covers) for p in g.lambda_permissions}
    assert perms == {
        "PermissionAuthorizerTok": (
            "arn:aws:lambda:us-east-1:123456789012:function:Auth",
            gw.AuthorizerSource(authorizer="tok"),
            ("AuthorizerTok",),
        ),
        "PermissionPetsIdAnyDev": (
            "arn:aws:lambda:us-east-1:123456789012:function:PetsDev",
            gw.ExecuteApiSource(stage="dev", http_method="*", path="pets/*"),
            ("MethodPetsIdAny",),
        ),
        "PermissionPetsIdAnyProd": (
            "arn:aws:lambda:us-east-1:123456789012:function:PetsProd",
            gw.ExecuteApiSource(stage="prod", http_method="*", path="pets/*"),
            ("MethodPetsIdAny",),
        ),
        # the root path; /role has credentials, so API Gateway assumes the role instead
        "PermissionRootGet": (
            "arn:aws:lambda:us-east-1:123456789012:function:Root",
            gw.ExecuteApiSource(stage="*", http_method="GET", path=""),
            ("MethodRootGet",),
        ),
    }


def test_a_function_behind_many_methods_gets_one_api_wide_permission(tmp_path):
    uri = _lambda_uri("arn:aws:lambda:us-east-1:123456789012:function:Shared")
    paths = "".join(
        f"  /r{i}: {{get: {{responses: {{'200': {{description: ok}}}}, x-amazon-apigateway-integration: {{type: aws_proxy, httpMethod: POST, uri: '{uri}'}}}}}}\n"
        for i in range(21)
    )
    g = lower(tmp_path, "paths:\n" + paths)
    (perm,) = g.lambda_permissions
    assert (perm.id, perm.source, len(perm.covers)) == (
        "PermissionShared",
        gw.ExecuteApiSource(stage="*", http_method="*", path="*"),
        21,
    )


def test_lowering_is_pure_and_repeatable(tmp_path):
    spec = Path(__file__).resolve().parents[2] / "specs" / "secure-api.yaml"
    a, b = compile_file(spec), compile_file(spec)
    assert a.gateway == b.gateway and a.gateway is not b.gateway
    assert lower_api(a.lint.api) == a.gateway


@pytest.mark.parametrize("path", ["/", "/pets"])
def test_local_settings_carried(tmp_path, path):
    g = lower(
        tmp_path,
        f"""
        paths:
          {path}: {{get: {op()}}}
        x-apigwc:
          local: {{lambdas: {{Fn: 'handlers.x:handler'}}, pythonPath: [src], lambdaTimeoutSeconds: 3}}
        """,
    )
    assert g.local == gw.LocalSettings(
        lambdas={"Fn": "handlers.x:handler"}, jwks={}, endpoints={}, python_path=("src",), lambda_timeout_seconds=3.0
    )


from support import corpus_files  # noqa: E402


@pytest.mark.parametrize("spec", corpus_files("real"), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_lowering_and_emitting_never_crash_even_on_specs_with_errors(spec):
    """The pipeline stops before lowering on errors, but lowering itself must not depend on that."""
    from apigwc.diagnostics import Diagnostics
    from apigwc.pipeline import lint_file
    from apigwc.targets import TARGETS, CfnStyle, EmitOptions

    api = lint_file(spec).api
    if api is None:
        pytest.skip("not an OpenAPI 2.0/3.0 document")
    g = lower_api(api)
    for target in TARGETS.values():
        for style in CfnStyle:
            assert target.emit(g, EmitOptions(cfn_style=style), Diagnostics())


@pytest.mark.parametrize(
    "extra,expected",
    [
        ("", ("EDGE",)),
        ("x-apigwc: {endpointType: REGIONAL}\n", ("REGIONAL",)),
        ("x-apigwc: {endpointType: PRIVATE}\n", ("PRIVATE",)),
    ],
)
def test_endpoint_type_comes_from_x_apigwc(tmp_path, extra, expected):
    from apigwc.diagnostics import Diagnostics
    from apigwc.pipeline import compile_file
    from apigwc.targets import TARGETS
    from apigwc.targets.base import EmitOptions

    spec = tmp_path / "api.yaml"
    spec.write_text(
        'openapi: 3.0.3\ninfo: {title: T, version: "1"}\npaths:\n'
        "  /a: {get: {x-amazon-apigateway-auth: {type: AWS_IAM}, responses: {'200': {description: ok}}, "
        "x-amazon-apigateway-integration: {type: mock, requestTemplates: {application/json: '{\"statusCode\": 200}'}, responses: {default: {statusCode: '200'}}}}}\n"
        + extra
    )
    compiled = compile_file(spec)
    assert tuple(t.value for t in compiled.gateway.rest_api.endpoint_types) == expected
    # the export round-trips the choice
    export = dict(TARGETS["openapi"].emit(compiled.gateway, EmitOptions(), Diagnostics()))["openapi.yaml"]
    again = tmp_path / "again.yaml"
    again.write_text(export)
    assert compile_file(again).gateway.rest_api == compiled.gateway.rest_api
