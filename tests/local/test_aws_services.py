"""AWS service integrations (apigwc.local.aws_services) against a real moto server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import logging
import textwrap
import threading
from pathlib import Path
from typing import Any, Iterator

import boto3
import pytest

from apigwc import gateway as gw
from apigwc.local.aws_services import AwsServiceBackend, parse_service_uri, service_of
from apigwc.runtime import Deployment, Execution, Request, execute, offline_backends
from apigwc.runtime.errors import ResponseType
from runtime_helpers import HEAD, IDS, NOW, compile_spec, messages

REGION = "us-east-1"
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing", "region_name": REGION}


class Moto:
    """moto's server (its WSGI app under werkzeug) on a free port of 127.0.0.1."""

    def __init__(self) -> None:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
        from werkzeug.serving import make_server

        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        app = DomainDispatcherApplication(create_backend_app)
        self.server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=MotoRequestHandler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def client(self, service: str) -> Any:
        return boto3.session.Session(**CREDENTIALS).client(service, endpoint_url=self.url)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def moto() -> Iterator[Moto]:
    server = Moto()
    dynamodb = server.client("dynamodb")
    dynamodb.create_table(
        TableName="items",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    server.client("s3").create_bucket(Bucket="files")
    server.client("kinesis").create_stream(StreamName="events", ShardCount=1)
    yield server
    server.stop()


PATHS = """
paths:
  /items/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    put:
      responses: {'200': {description: ok}, '400': {description: bad}}
      x-amazon-apigateway-integration:
        type: aws
        httpMethod: POST
        uri: arn:aws:apigateway:${AWS::Region}:dynamodb:action/PutItem
        requestTemplates:
          application/json: '{"TableName": "items", "Item": {"id": {"S": "$input.params(''id'')"}, "name": {"S": "$input.path(''$.name'')"}}}'
        responses:
          '4\\d\\d': {statusCode: '400'}
          default: {statusCode: '200', responseTemplates: {application/json: '{"stored": "$input.params(''id'')"}'}}
    get:
      responses: {'200': {description: ok}, '400': {description: bad}}
      x-amazon-apigateway-integration:
        type: aws
        httpMethod: POST
        uri: arn:aws:apigateway:${AWS::Region}:dynamodb:action/GetItem
        requestTemplates:
          application/json: '{"TableName": "$stageVariables.table", "Key": {"id": {"S": "$input.params(''id'')"}}}'
        responses:
          '4\\d\\d': {statusCode: '400'}
          default:
            statusCode: '200'
            responseTemplates:
              application/json: |
                #set($item = $input.path('$.Item'))
                {"id": "$item.id.S", "name": "$item.name.S"}
  /table:
    get:
      responses: {'200': {description: ok}}
      x-amazon-apigateway-integration:
        type: aws
        httpMethod: POST
        uri: arn:aws:apigateway:us-east-1:dynamodb:action/DescribeTable
        requestTemplates: {application/json: '{"TableName": "items"}'}
        responses: {default: {statusCode: '200'}}
  /queue:
    post:
      responses: {'200': {description: ok}}
      x-amazon-apigateway-integration:
        type: aws
        httpMethod: POST
        uri: arn:aws:apigateway:us-east-1:sqs:action/SendMessage
        credentials: arn:aws:iam::123456789012:role/apigw-sqs
        requestTemplates:
          application/json: '{"QueueUrl": "$stageVariables.queueUrl", "MessageBody": "$util.escapeJavaScript($input.body)"}'
        responses: {default: {statusCode: '200'}}
  /events:
    post:
      responses: {'200': {description: ok}}
      x-amazon-apigateway-integration:
        type: aws
        httpMethod: POST
        uri: arn:aws:apigateway:us-east-1:kinesis:action/PutRecord
        requestTemplates:
          application/json: '{"StreamName": "events", "PartitionKey": "p", "Data": "$util.base64Encode($input.body)"}'
        responses: {default: {statusCode: '200'}}
  /files/{key}:
    parameters: [{name: key, in: path, required: true, schema: {type: string}}]
    put:
      responses: {'200': {description: ok}}
      x-amazon-apigateway-integration:
        type: aws
        httpMethod: PUT
        uri: arn:aws:apigateway:us-east-1:s3:path/files/{object}
        requestParameters: {integration.request.path.object: method.request.path.key, integration.request.header.Content-Type: "'text/plain'"}
        responses: {default: {statusCode: '200'}}
    get:
      responses: {'200': {description: ok}, '404': {description: missing}}
      x-amazon-apigateway-integration:
        type: aws
        httpMethod: GET
        uri: arn:aws:apigateway:us-east-1:s3:path/files/{object}
        requestParameters: {integration.request.path.object: method.request.path.key}
        responses:
          '404': {statusCode: '404'}
          default: {statusCode: '200'}
  /run:
    post:
      responses: {'200': {description: ok}}
      x-amazon-apigateway-integration:
        type: aws
        httpMethod: POST
        uri: arn:aws:apigateway:us-east-1:states:action/StartExecution
        responses: {default: {statusCode: '200'}}
  /bad:
    post:
      responses: {'200': {description: ok}, '400': {description: bad}}
      x-amazon-apigateway-integration:
        type: aws
        httpMethod: POST
        uri: arn:aws:apigateway:us-east-1:dynamodb:action/GetItem
        responses:
          '4\\d\\d': {statusCode: '400'}
          default: {statusCode: '200'}
"""


@pytest.fixture
def deployment(tmp_path: Path, moto: Moto) -> Deployment:
    queue_url = moto.client("sqs").create_queue(QueueName="inbox")["QueueUrl"]
    local = f"""
x-apigwc:
  stages:
    test:
      variables: {{table: items, queueUrl: "http://localhost/queue"}}
  local:
    endpoints:
      dynamodb: {moto.url}
      sqs: {moto.url}
      s3: {moto.url}
      kinesis: {moto.url}
"""
    gateway = compile_spec(tmp_path / "spec.yaml", HEAD + textwrap.dedent(PATHS) + textwrap.dedent(local))
    backend = AwsServiceBackend(gateway.local.endpoints)
    result = Deployment.create(
        gateway,
        "test",
        stage_variables={"queueUrl": queue_url},
        backends={**offline_backends(), gw.IntegrationType.AWS: backend},
        guards=[],
        ids=lambda now: IDS,
        clock=lambda: NOW,
    )
    assert not isinstance(result, str), result
    return result


def call(
    deployment: Deployment,
    method: str,
    target: str,
    body: bytes | str = b"",
    headers: list[tuple[str, str]] | None = None,
) -> Execution:
    data = body.encode() if isinstance(body, str) else body
    return asyncio.run(
        execute(deployment, Request.build(method, target, headers or [("Content-Type", "application/json")], data))
    )


def test_dynamodb_put_then_get_through_templates(deployment: Deployment, moto: Moto) -> None:
    put = call(deployment, "PUT", "/items/42", '{"name": "Rex"}')
    assert (put.response.status, put.response.text) == (200, '{"stored": "42"}')
    assert f"AWS service call: dynamodb action PutItem at {moto.url} (region us-east-1)" in messages(put, "endpoint")
    stored = moto.client("dynamodb").get_item(TableName="items", Key={"id": {"S": "42"}})["Item"]
    assert stored == {"id": {"S": "42"}, "name": {"S": "Rex"}}
    got = call(deployment, "GET", "/items/42")
    assert got.response.status == 200
    assert json.loads(got.response.body) == {"id": "42", "name": "Rex"}
    assert any(m.startswith('Endpoint response body before transformations: {"Item":') for m in messages(got))


def test_a_service_error_answers_its_status_and_json_error(deployment: Deployment) -> None:
    deployment.stage_variables["table"] = "nope"
    result = call(deployment, "GET", "/items/1")
    assert result.response.status == 400
    body = json.loads(result.response.body)
    assert body["__type"] == "ResourceNotFoundException" and "message" in body
    assert result.error_type is None  # the service's answer, mapped by the integration response


def test_timestamps_are_epoch_seconds(deployment: Deployment) -> None:
    result = call(deployment, "GET", "/table")
    table = json.loads(result.response.body)["Table"]
    assert table["TableName"] == "items"
    assert isinstance(table["CreationDateTime"], float) and table["CreationDateTime"] > 1_600_000_000
    assert result.response.headers.get("Content-Type") == "application/x-amz-json-1.0"


def test_sqs_send_message(deployment: Deployment, moto: Moto) -> None:
    result = call(deployment, "POST", "/queue", '{"order": 7}')
    assert result.response.status == 200
    sent = json.loads(result.response.body)
    assert set(sent) >= {"MessageId", "MD5OfMessageBody"}
    sqs = moto.client("sqs")
    queue = sqs.get_queue_url(QueueName="inbox")["QueueUrl"]
    received = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=1)["Messages"][0]
    assert (received["MessageId"], received["Body"]) == (sent["MessageId"], '{"order": 7}')
    assert (
        "The integration's credentials arn:aws:iam::123456789012:role/apigw-sqs are not assumed locally: the call uses the local credentials"
        in messages(result)
    )


def test_kinesis_blob_parameters_arrive_base64_and_are_decoded(deployment: Deployment, moto: Moto) -> None:
    result = call(deployment, "POST", "/events", '{"e": 1}')
    assert result.response.status == 200
    shard = json.loads(result.response.body)["ShardId"]
    kinesis = moto.client("kinesis")
    iterator = kinesis.get_shard_iterator(StreamName="events", ShardId=shard, ShardIteratorType="TRIM_HORIZON")[
        "ShardIterator"
    ]
    assert [r["Data"] for r in kinesis.get_records(ShardIterator=iterator)["Records"]] == [b'{"e": 1}']


def test_s3_path_integration_is_a_signed_request(deployment: Deployment, moto: Moto) -> None:
    put = call(deployment, "PUT", "/files/notes.txt", "hello", [("Content-Type", "application/json")])
    assert put.response.status == 200
    obj = moto.client("s3").get_object(Bucket="files", Key="notes.txt")
    assert (obj["Body"].read(), obj["ContentType"]) == (b"hello", "text/plain")
    got = call(deployment, "GET", "/files/notes.txt")
    assert (got.response.status, got.response.body) == (200, b"hello")
    missing = call(deployment, "GET", "/files/none.txt")
    assert missing.response.status == 404 and b"NoSuchKey" in missing.response.body


def test_no_endpoint_answers_501_naming_the_service_and_action(deployment: Deployment) -> None:
    result = call(deployment, "POST", "/run", "{}")
    message = (
        "The AWS integration calls states action StartExecution, which apigwc cannot reach locally: "
        "set x-apigwc.local.endpoints.states to the URL of a local states endpoint (LocalStack, moto, ...)"
    )
    assert (result.response.status, json.loads(result.response.body)) == (501, {"message": message})
    assert result.error_type is ResponseType.API_CONFIGURATION_ERROR
    assert f"Execution failed: {message}" in messages(result)


@pytest.mark.parametrize(
    "body, code",
    [
        ("not json", "SerializationException"),
        ("[1, 2]", "SerializationException"),
        ('{"TableName": "items"}', "ValidationException"),  # Key is required: boto3 refuses
    ],
)
def test_bad_parameters_answer_400(deployment: Deployment, body: str, code: str) -> None:
    result = call(deployment, "POST", "/bad", body, [("Content-Type", "text/plain")])
    assert result.response.status == 400
    assert json.loads(result.response.body)["__type"] == code


def test_an_unreachable_endpoint_is_an_integration_failure(tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    gateway = compile_spec(tmp_path / "spec.yaml", HEAD + textwrap.dedent(PATHS))
    backend = AwsServiceBackend({"dynamodb": f"http://127.0.0.1:{port}"})
    deployment = Deployment.create(
        gateway, backends={gw.IntegrationType.AWS: backend}, guards=[], ids=lambda now: IDS, clock=lambda: NOW
    )
    assert not isinstance(deployment, str)
    result = call(deployment, "GET", "/table")
    assert (result.response.status, result.response.text) == (504, '{"message":"Internal server error"}')
    assert any(m.startswith("Execution failed due to a network error: ") for m in messages(result))


def test_service_of_and_uri_parsing(tmp_path: Path) -> None:
    gateway = compile_spec(tmp_path / "spec.yaml", HEAD + textwrap.dedent(PATHS))
    services = {m.label: service_of(m.integration) for m in gateway.methods}
    assert (
        services["PUT /items/{id}"] == "dynamodb"
        and services["POST /run"] == "states"
        and services["GET /files/{key}"] == "s3"
    )
    parsed = parse_service_uri("arn:aws:apigateway:eu-west-1:mybucket.s3:path/a/b")
    assert (parsed.region, parsed.service, parsed.subdomain, parsed.kind, parsed.target) == (
        "eu-west-1",
        "s3",
        "mybucket",
        "path",
        "a/b",
    )
    assert parse_service_uri("arn:aws:lambda:us-east-1:123:function:f") is None
    assert parse_service_uri("https://example.com") is None
