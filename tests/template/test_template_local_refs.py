"""References to the template's own resources in a local run (issue 11, "Values for local runs").

``Ref`` / ``Fn::GetAtt`` of a resource of the same template take the value CloudFormation's
resource reference documents for its type, made from the resource's name property or its
logical id with the local region and account; the emitted stack and the OpenAPI export keep
them as written (tests/template/test_template_stack_values.py pins the stack).
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from apigwc.config import Config
from apigwc.template import LocalValues, lint_template, open_template
from apigwc.template.values import RETURNS, Resolver, Unknown
from support import CORPUS

S12D = CORPUS / "sam" / "s12d"
needs_corpus = pytest.mark.skipif(not S12D.is_dir(), reason="the SAM corpus is not present")

P = "arn:aws"
R = "eu-west-1:123456789012"

# (type, name property value or None, Ref, {attribute: value}); with no name property the logical id "Res" names it
CASES = [
    ("AWS::DynamoDB::Table", None, "Res", {"Arn": f"{P}:dynamodb:{R}:table/Res"}),
    ("AWS::DynamoDB::Table", "links", "links", {"Arn": f"{P}:dynamodb:{R}:table/links"}),
    ("AWS::Serverless::SimpleTable", None, "Res", {"Arn": f"{P}:dynamodb:{R}:table/Res"}),
    ("AWS::Lambda::Function", "fn", "fn", {"Arn": f"{P}:lambda:{R}:function:fn"}),
    ("AWS::Serverless::Function", None, "Res", {"Arn": f"{P}:lambda:{R}:function:Res"}),
    (
        "AWS::SQS::Queue",
        "jobs",
        "https://sqs.eu-west-1.amazonaws.com/123456789012/jobs",
        {
            "Arn": f"{P}:sqs:{R}:jobs",
            "QueueName": "jobs",
            "QueueUrl": "https://sqs.eu-west-1.amazonaws.com/123456789012/jobs",
        },
    ),
    (
        "AWS::SNS::Topic",
        None,
        f"{P}:sns:{R}:Res",
        {"TopicArn": f"{P}:sns:{R}:Res", "TopicName": "Res"},
    ),
    (
        "AWS::S3::Bucket",
        None,
        "res",
        {
            "Arn": f"{P}:s3:::res",
            "DomainName": "res.s3.amazonaws.com",
            "RegionalDomainName": "res.s3.eu-west-1.amazonaws.com",
        },
    ),
    (
        "AWS::StepFunctions::StateMachine",
        "flow",
        f"{P}:states:{R}:stateMachine:flow",
        {"Arn": f"{P}:states:{R}:stateMachine:flow", "Name": "flow"},
    ),
    ("AWS::Serverless::StateMachine", "flow", f"{P}:states:{R}:stateMachine:flow", {"Name": "flow"}),
    ("AWS::IAM::Role", None, "Res", {"Arn": f"{P}:iam::123456789012:role/Res"}),
    ("AWS::Logs::LogGroup", "/aws/x", "/aws/x", {"Arn": f"{P}:logs:{R}:log-group:/aws/x:*"}),
    ("AWS::Events::EventBus", "bus", "bus", {"Arn": f"{P}:events:{R}:event-bus/bus", "Name": "bus"}),
    ("AWS::Kinesis::Stream", None, "Res", {"Arn": f"{P}:kinesis:{R}:stream/Res"}),
]


@pytest.mark.parametrize("kind,named,ref,attributes", CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_ref_and_get_att_of_each_resource_type_locally(kind, named, ref, attributes) -> None:
    prop = RETURNS[kind].name_property
    res = {"Type": kind, "Properties": {prop: named} if named else {}}
    r = Resolver({"Resources": {"Res": res}}, LocalValues(region="eu-west-1"))
    assert r.resolve({"Ref": "Res"}, keep_resources=False) == ref
    for attribute, value in attributes.items():
        assert r.resolve({"Fn::GetAtt": ["Res", attribute]}, keep_resources=False) == value
        assert r.resolve({"Fn::Sub": "<${Res." + attribute + "}>"}, keep_resources=False) == f"<{value}>"
    assert r.stand_ins == {}
    # an attribute only a deployed resource has stays unknown, naming its flag
    assert r.resolve({"Fn::GetAtt": ["Res", "NoSuchAttribute"]}, keep_resources=False) == Unknown(
        "!GetAtt Res.NoSuchAttribute (known only once deployed)", "--param Res.NoSuchAttribute=VALUE"
    )


def test_every_covered_type_is_tested() -> None:
    assert set(RETURNS) == {c[0] for c in CASES}


def test_the_name_follows_parameters_partition_and_the_role_path() -> None:
    data = {
        "Parameters": {"Stage": {"Type": "String", "Default": "dev"}},
        "Resources": {
            "Table": {"Type": "AWS::DynamoDB::Table", "Properties": {"TableName": {"Fn::Sub": "${Stage}-links"}}},
            "Role": {"Type": "AWS::IAM::Role", "Properties": {"Path": "/service/"}},
        },
    }
    r = Resolver(data, LocalValues(region="cn-north-1", params={"AWS::AccountId": "111122223333"}))
    assert r.resolve({"Ref": "Table"}, keep_resources=False) == "dev-links"
    assert r.resolve({"Fn::GetAtt": "Table.Arn"}, keep_resources=False) == (
        "arn:aws-cn:dynamodb:cn-north-1:111122223333:table/dev-links"
    )
    assert (
        r.resolve({"Fn::GetAtt": "Role.Arn"}, keep_resources=False) == "arn:aws-cn:iam::111122223333:role/service/Role"
    )
    # --param Name=VALUE sets a resource's Ref
    given = Resolver(data, LocalValues(params={"Table": "real-table"}))
    assert given.resolve({"Ref": "Table"}, keep_resources=False) == "real-table"


def test_a_body_gets_local_values_but_the_emitted_stack_and_the_openapi_export_keep_the_intrinsic() -> None:
    data = {"Resources": {"Table": {"Type": "AWS::DynamoDB::Table", "Properties": {}}}}
    body = {
        "t": {"Fn::Sub": '{"TableName": "${Table}", "Key": "$input.params(\'id\')"}'},
        "a": {"Fn::GetAtt": "Table.Arn"},
    }
    local = Resolver(data, LocalValues(region="eu-west-1")).resolve_in_place(body)
    assert local == {
        "t": '{"TableName": "Table", "Key": "$input.params(\'id\')"}',
        "a": "arn:aws:dynamodb:eu-west-1:123456789012:table/Table",
    }
    for values in (LocalValues(symbolic=True), LocalValues(keep_references=True)):
        assert Resolver(data, values).resolve_in_place(body) == body


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


TEMPLATE = """
Resources:
  Thing:
    Type: Custom::Thing
    Properties: {ServiceToken: arn:aws:lambda:us-east-1:123456789012:function:maker}
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Body:
        openapi: 3.0.1
        info: {title: t, version: '1'}
        paths:
          /t:
            get:
              responses: {'200': {description: ok}}
              x-amazon-apigateway-integration:
                type: mock
                requestTemplates:
                  application/json: !Sub '{"statusCode": 200, "thing": "${Thing}"}'
                responses: {default: {statusCode: '200'}}
"""


def test_an_unknown_type_s_ref_is_its_logical_id_with_a_located_info_finding(tmp_path: Path) -> None:
    path = write(tmp_path, "template.yaml", TEMPLATE)
    opened = open_template(path, "template.yaml", LocalValues())
    (api,) = opened.apis
    integration = api.document["paths"]["/t"]["get"]["x-amazon-apigateway-integration"]
    assert integration["requestTemplates"]["application/json"] == '{"statusCode": 200, "thing": "Thing"}'
    results = lint_template(path, "template.yaml", Config(select=("AGW031",)))
    found = [
        (f"{d.span.file}:{d.span.line}:{d.span.col} {d.code} {d.severity.name} {d.message}", d.hint)
        for r in results
        for d in r.diagnostics
    ]
    assert found == [
        (
            "template.yaml:3:11 AGW031 INFO Ref Thing stands in as its logical id (apigwc knows no return value "
            "of a Custom::Thing); not known locally",
            "set it with --param Thing=VALUE",
        )
    ]
    # the flag sets it, and then nothing stands in
    opened = open_template(path, "template.yaml", LocalValues(params={"Thing": "thing-1"}))
    integration = opened.apis[0].document["paths"]["/t"]["get"]["x-amazon-apigateway-integration"]
    assert integration["requestTemplates"]["application/json"] == '{"statusCode": 200, "thing": "thing-1"}'
    assert opened.unknowns == []
    # the emitted stack keeps the reference, and names nothing
    opened = open_template(path, "template.yaml", LocalValues(symbolic=True))
    assert opened.unknowns == []


@needs_corpus
def test_s12d_request_template_carries_the_table_name_through_invoke(run_cli) -> None:
    r = run_cli("invoke", "template.yaml", "/abc", cwd=S12D)
    assert "Traceback" not in r.stdout + r.stderr, r.stderr
    head, _, body = r.stdout.partition("\r\n\r\n") if "\r\n\r\n" in r.stdout else r.stdout.partition("\n\n")
    assert head.splitlines()[0] == "HTTP/1.1 501 Not Implemented"
    assert json.loads(body) == {
        "message": "The AWS integration calls dynamodb action GetItem, which apigwc cannot reach locally: set "
        "x-apigwc.local.endpoints.dynamodb to the URL of a local dynamodb endpoint (LocalStack, moto, ...)"
    }
    assert (
        'Endpoint request body after transformations: {"Key": {"id": {"S": "abc"}}, "TableName": "LinkTable"}'
        in r.stderr.splitlines()
    )
    assert "cannot evaluate locally" not in r.stderr


@needs_corpus
def test_s12d_openapi_export_keeps_the_reference_as_written(run_cli, tmp_path: Path) -> None:
    out = tmp_path / "api.json"
    r = run_cli("emit", "--target", "openapi", "--format", "json", "template.yaml", "-o", str(out), cwd=S12D)
    assert r.returncode == 0, r.stderr
    doc = json.loads(out.read_text(encoding="utf-8"))
    integration = doc["paths"]["/{linkId}"]["get"]["x-amazon-apigateway-integration"]
    assert integration["requestTemplates"]["application/json"] == {
        "Fn::Sub": '{"Key": {"id": {"S": "$input.params().path.linkId"}}, "TableName": "${LinkTable}"}'
    }
    assert integration["credentials"] == {"Fn::GetAtt": ["DDBReadRole", "Arn"]}
