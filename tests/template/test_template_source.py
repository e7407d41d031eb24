"""Templates as a source: recognition, short-form tags, values, positions and bad input.

Every test builds a real template in a temporary folder and goes through the real
loader, the real SAM translator and the real lint pipeline.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from apigwc.config import Config
from apigwc.diagnostics import Diagnostics
from apigwc.source import parse_document
from apigwc.template import LocalValues, lint_template, open_template, parse_param_flags, read_parameters_file
from apigwc.template.load import is_template
from apigwc.template.values import Resolver, Unknown


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def findings(results, code: str | None = None) -> list[str]:
    out = []
    for r in results:
        for d in r.diagnostics:
            if code is None or d.code == code:
                out.append(f"{Path(d.span.file).name}:{d.span.line}:{d.span.col} {d.code} {d.message}")
    return out


# -- loading -------------------------------------------------------------------------------


def test_every_short_form_tag_becomes_its_long_form() -> None:
    text = textwrap.dedent(
        """
        AWSTemplateFormatVersion: '2010-09-09'
        Resources:
          X:
            Type: AWS::SNS::Topic
            Properties:
              A: !Ref P
              B: !Sub '${AWS::Region}-x'
              C: !GetAtt Fn.Arn
              D: !GetAtt [Fn, Arn]
              E: !Join ['', ['arn:', !Ref AWS::Region]]
              F: !If [Cond, a, !Ref AWS::NoValue]
              G: !Select [0, !Split [',', 'a,b']]
              H: !FindInMap [M, K, V]
              I: !Base64 text
              J: !Cidr [10.0.0.0/16, 2, 8]
              K: !ImportValue Export
              L: !GetAZs ''
              M: !Equals [a, b]
              N: !And [!Condition C1, !Or [!Not [!Condition C2], !Condition C3]]
              O: !Transform {Name: AWS::Include, Parameters: {Location: x.yaml}}
              Q: !If [IsLocal, http://localhost:8080, !Ref "AWS::NoValue"]
        """
    )
    diags = Diagnostics()
    doc = parse_document(Path("t.yaml"), "t.yaml", text, diags)
    assert list(diags) == []
    props = doc.data["Resources"]["X"]["Properties"]
    assert props == {
        "A": {"Ref": "P"},
        "B": {"Fn::Sub": "${AWS::Region}-x"},
        "C": {"Fn::GetAtt": ["Fn", "Arn"]},
        "D": {"Fn::GetAtt": ["Fn", "Arn"]},
        "E": {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Region"}]]},
        "F": {"Fn::If": ["Cond", "a", {"Ref": "AWS::NoValue"}]},
        "G": {"Fn::Select": [0, {"Fn::Split": [",", "a,b"]}]},
        "H": {"Fn::FindInMap": ["M", "K", "V"]},
        "I": {"Fn::Base64": "text"},
        "J": {"Fn::Cidr": ["10.0.0.0/16", 2, 8]},
        "K": {"Fn::ImportValue": "Export"},
        "L": {"Fn::GetAZs": ""},
        "M": {"Fn::Equals": ["a", "b"]},
        "N": {"Fn::And": [{"Condition": "C1"}, {"Fn::Or": [{"Fn::Not": [{"Condition": "C2"}]}, {"Condition": "C3"}]}]},
        "O": {"Fn::Transform": {"Name": "AWS::Include", "Parameters": {"Location": "x.yaml"}}},
        "Q": {"Fn::If": ["IsLocal", "http://localhost:8080", {"Ref": "AWS::NoValue"}]},
    }
    assert is_template(doc.data)


@pytest.mark.parametrize(
    "data, expected",
    [
        ({"AWSTemplateFormatVersion": "2010-09-09"}, True),
        ({"Transform": "AWS::Serverless-2016-10-31", "Resources": {}}, True),
        ({"Transform": ["AWS::Serverless-2016-10-31"]}, True),
        ({"Resources": {"A": {"Type": "AWS::ApiGateway::RestApi"}}}, True),
        ({"Resources": {"A": {"Type": "AWS::Serverless::Function"}}}, True),
        ({"Resources": {"A": {"Type": "AWS::SQS::Queue"}}}, False),
        ({"openapi": "3.0.3", "AWSTemplateFormatVersion": "x"}, False),
        ([], False),
    ],
)
def test_a_template_is_recognized_by_its_content(data, expected) -> None:
    assert is_template(data) is expected


def test_json_templates_load_with_positions(tmp_path: Path) -> None:
    body = {
        "swagger": "2.0",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/a": {
                "get": {
                    "responses": {"200": {"description": "ok"}},
                    "x-amazon-apigateway-integration": {"type": "mock", "timeoutInMillis": 10},
                }
            }
        },
    }
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {"Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Body": body}}},
    }
    path = tmp_path / "template.json"
    path.write_text(json.dumps(template, indent=2), encoding="utf-8")
    results = lint_template(path, "template.json", Config(select=("AGW203",)))
    assert findings(results, "AGW203") == [
        "template.json:23:38 AGW203 timeoutInMillis must be between 50 and 29,000 ms, found 10"
    ]


# -- values --------------------------------------------------------------------------------


def resolver(data: dict, **params: str) -> Resolver:
    return Resolver(data, LocalValues(params=dict(params), region="eu-west-1"))


def test_parameters_pseudo_parameters_and_functions_resolve() -> None:
    data = {
        "Parameters": {
            "Stage": {"Type": "String", "Default": "dev"},
            "Names": {"Type": "CommaDelimitedList", "Default": "a,b"},
            "Need": {"Type": "String"},
        },
        "Mappings": {"M": {"dev": {"Size": 3}}},
        "Conditions": {
            "IsDev": {"Fn::Equals": [{"Ref": "Stage"}, "dev"]},
            "NotDev": {"Fn::Not": [{"Condition": "IsDev"}]},
        },
        "Resources": {
            "Fn": {"Type": "AWS::Serverless::Function", "Properties": {"FunctionName": {"Fn::Sub": "${Stage}-fn"}}},
            "Table": {"Type": "AWS::DynamoDB::Table", "Properties": {}},
            "Named": {"Type": "AWS::DynamoDB::Table", "Properties": {"TableName": "named"}},
        },
    }
    r = resolver(data)
    assert (
        r.resolve({"Fn::Sub": "${AWS::Region}:${AWS::AccountId}:${AWS::Partition}:${AWS::URLSuffix}:${AWS::StackName}"})
        == "eu-west-1:123456789012:aws:amazonaws.com:local"
    )
    assert r.resolve({"Fn::Join": ["-", {"Ref": "Names"}]}) == "a-b"
    assert r.resolve({"Fn::Select": [1, {"Fn::Split": [",", "x,y,z"]}]}) == "y"
    assert r.resolve({"Fn::FindInMap": ["M", {"Ref": "Stage"}, "Size"]}) == 3
    assert r.resolve({"Fn::Base64": "hi"}) == "aGk="
    assert r.resolve({"Fn::If": ["NotDev", "prod", "dev"]}) == "dev"
    assert r.resolve(["a", {"Fn::If": ["NotDev", "x", {"Ref": "AWS::NoValue"}]}]) == ["a"]
    assert r.resolve({"Fn::Cidr": ["10.0.0.0/16", 2, 8]}) == ["10.0.0.0/24", "10.0.1.0/24"]
    assert r.resolve({"Fn::GetAZs": ""}) == ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
    # resources of the same template: a function's ARN is that local function, a table's name its TableName or id
    assert (
        r.resolve({"Fn::GetAtt": ["Fn", "Arn"]}, keep_resources=False)
        == "arn:aws:lambda:eu-west-1:123456789012:function:dev-fn"
    )
    assert r.resolve({"Ref": "Table"}, keep_resources=False) == "Table"
    assert r.resolve({"Ref": "Named"}, keep_resources=False) == "named"
    # what cannot be known says which flag sets it
    assert r.resolve({"Ref": "Need"}) == Unknown("parameter Need (no Default)", "--param Need=VALUE")
    assert r.resolve({"Fn::ImportValue": {"Fn::Sub": "${Stage}-Pool"}}) == Unknown(
        "Fn::ImportValue dev-Pool (an export of another stack)", "--param ImportValue:dev-Pool=VALUE"
    )
    assert r.resolve({"Fn::GetAtt": ["Table", "StreamArn"]}, keep_resources=False) == Unknown(
        "!GetAtt Table.StreamArn (known only once deployed)", "--param Table.StreamArn=VALUE"
    )
    given = resolver(data, Need="n", **{"ImportValue:dev-Pool": "pool", "Table.StreamArn": "arn:s", "Stage": "prod"})
    assert given.resolve({"Ref": "Need"}) == "n"
    assert given.resolve({"Fn::ImportValue": {"Fn::Sub": "${Stage}-Pool"}}) is not None
    assert given.resolve({"Fn::ImportValue": "dev-Pool"}) == "pool"
    assert given.resolve({"Fn::GetAtt": ["Table", "StreamArn"]}, keep_resources=False) == "arn:s"
    assert given.resolve({"Fn::If": ["IsDev", "d", "p"]}) == "p"


def test_region_comes_from_the_flag_then_the_environment(monkeypatch) -> None:
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    assert LocalValues().effective_region() == "us-east-1"
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-central-1")
    assert LocalValues().effective_region() == "eu-central-1"
    monkeypatch.setenv("AWS_REGION", "ap-south-1")
    assert LocalValues().effective_region() == "ap-south-1"
    assert LocalValues(region="cn-north-1").effective_region() == "cn-north-1"
    r = Resolver({}, LocalValues(region="cn-north-1"))
    assert r.resolve({"Fn::Sub": "${AWS::Partition} ${AWS::URLSuffix}"}) == "aws-cn amazonaws.com.cn"


def test_parameter_files_in_every_form(tmp_path: Path) -> None:
    overrides = write(tmp_path, "params.txt", "Stage=dev Name='two words' ParameterKey=Other,ParameterValue=o\n")
    assert read_parameters_file(overrides) == {"Stage": "dev", "Name": "two words", "Other": "o"}
    cfn = write(tmp_path, "params.json", '[{"ParameterKey": "Stage", "ParameterValue": "prod"}]')
    assert read_parameters_file(cfn) == {"Stage": "prod"}
    samconfig = write(
        tmp_path,
        "samconfig.toml",
        """
        version = 0.1
        [default.deploy.parameters]
        stack_name = "app"
        parameter_overrides = "Stage=\\"qa\\" Table=t1"
        """,
    )
    assert read_parameters_file(samconfig) == {"Stage": "qa", "Table": "t1"}
    assert parse_param_flags(["A=1", "ImportValue:X=y=z"]) == {"A": "1", "ImportValue:X": "y=z"}
    from apigwc.template import ParametersError

    with pytest.raises(ParametersError, match="is not NAME=VALUE"):
        parse_param_flags(["novalue"])


# -- positions -----------------------------------------------------------------------------

BAD_INTEGRATION = """
  x-amazon-apigateway-integration:
    type: mock
    timeoutInMillis: 10
"""


def test_findings_inside_an_inline_definition_body_land_in_the_template(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "template.yaml",
        """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Api:
            Type: AWS::Serverless::Api
            Properties:
              StageName: dev
              DefinitionBody:
                swagger: "2.0"
                info: {title: t, version: "1"}
                paths:
                  /a:
                    get:
                      responses: {"200": {description: ok}}
                      x-amazon-apigateway-integration:
                        type: mock
                        timeoutInMillis: 10
        """,
    )
    results = lint_template(path, "template.yaml", Config(select=("AGW203",)))
    assert findings(results, "AGW203") == [
        "template.yaml:16:34 AGW203 timeoutInMillis must be between 50 and 29,000 ms, found 10"
    ]


def test_findings_inside_an_include_and_a_definition_uri_land_in_that_file(tmp_path: Path) -> None:
    api = """
        swagger: "2.0"
        info: {title: t, version: "1"}
        paths:
          /a:
            get:
              responses: {"200": {description: ok}}
              x-amazon-apigateway-integration:
                type: mock
                timeoutInMillis: 10
        """
    write(tmp_path, "api/openapi.yaml", api)
    path = write(
        tmp_path,
        "template.yaml",
        """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Included:
            Type: AWS::Serverless::Api
            Properties:
              StageName: dev
              DefinitionBody:
                Fn::Transform:
                  Name: AWS::Include
                  Parameters:
                    Location: ./api/openapi.yaml
          FromUri:
            Type: AWS::Serverless::Api
            Properties:
              StageName: dev
              DefinitionUri: api/openapi.yaml
        """,
    )
    results = lint_template(path, "template.yaml", Config(select=("AGW203",)))
    assert findings(results, "AGW203") == [
        "openapi.yaml:9:26 AGW203 timeoutInMillis must be between 50 and 29,000 ms, found 10",
        "openapi.yaml:9:26 AGW203 timeoutInMillis must be between 50 and 29,000 ms, found 10",
    ]
    assert [r.display for r in results] == ["template.yaml", "template.yaml (FromUri)", "template.yaml (Included)"]


def test_sam_generated_parts_are_reported_at_the_sam_property(tmp_path: Path) -> None:
    write(tmp_path, "app.py", "def handler(event, context):\n    return {}\n")
    path = write(
        tmp_path,
        "template.yaml",
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
                Get:
                  Type: Api
                  Properties:
                    Path: /items
                    Method: get
        """,
    )
    opened = open_template(path, "template.yaml")
    (api,) = opened.apis
    origin = api.origin
    doc, pointer, exact = origin.locate(["paths", "/items", "get", "x-amazon-apigateway-integration"])
    assert (doc.display, pointer, exact) == ("template.yaml", "/Resources/Fn/Properties/Events/Get", False)
    results = lint_template(path, "template.yaml", Config(select=("AGW801",)))
    assert findings(results, "AGW801") == [
        "template.yaml:10:9 AGW801 GET /items has no authorization and requires no API key: anyone can call it"
    ]


# -- bad input -----------------------------------------------------------------------------


def test_a_template_without_an_api_says_what_it_holds(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "template.yaml",
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n  T:\n    Type: AWS::SNS::Topic\n",
    )
    results = lint_template(path, "template.yaml", Config())
    assert findings(results) == [
        "template.yaml:2:1 AGW030 the template holds no REST API (found: 1 AWS::SNS::Topic, 1 AWS::SQS::Queue)"
    ]


def test_missing_include_s3_body_circular_ref_unknown_type_and_sam_errors(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "template.yaml",
        """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Missing:
            Type: AWS::Serverless::Api
            Properties:
              StageName: dev
              DefinitionBody:
                Fn::Transform: {Name: AWS::Include, Parameters: {Location: ./api.yml}}
          S3:
            Type: AWS::ApiGateway::RestApi
            Properties:
              BodyS3Location: {Bucket: b, Key: api.yaml}
          Typo:
            Type: AWS::Serverless::Functon
        """,
    )
    write(tmp_path, "api.yaml", "swagger: '2.0'\n")
    results = lint_template(path, "template.yaml", Config())
    assert findings(results) == [
        "template.yaml:8:68 AGW032 AWS::Include location './api.yml': no such file",
        "template.yaml:12:7 AGW033 API S3: its OpenAPI body is in S3 (s3://b/api.yaml); apigwc does not read S3",
        "template.yaml:14:11 AGW036 resource Typo: unknown resource type 'AWS::Serverless::Functon'",
    ]
    hints = [d.hint for r in results for d in r.diagnostics]
    assert "did you mean 'api.yaml'?" in hints and "did you mean 'AWS::Serverless::Function'?" in hints
    path.write_text(
        path.read_text().replace("./api.yml", "./api.yaml").replace("Functon", "Function"), encoding="utf-8"
    )
    results = lint_template(path, "template.yaml", Config())
    assert findings(results) == [
        "template.yaml:13:3 AGW034 Resource with id [Typo] is invalid. Only one of 'InlineCode' or 'CodeUri' can be set."
    ]
    cyclic = write(
        tmp_path,
        "cycle.yaml",
        """
        AWSTemplateFormatVersion: '2010-09-09'
        Resources:
          A: {Type: AWS::SNS::Topic, Properties: {TopicName: !GetAtt B.TopicName}}
          B: {Type: AWS::SNS::Topic, Properties: {TopicName: !GetAtt A.TopicName}}
          Api: {Type: AWS::ApiGateway::RestApi, Properties: {Body: {swagger: "2.0"}}}
        """,
    )
    assert findings(lint_template(cyclic, "cycle.yaml", Config())) == [
        "cycle.yaml:3:3 AGW035 circular reference between resources: A -> B -> A"
    ]
    s3 = write(
        tmp_path,
        "s3.yaml",
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Api:\n    Type: AWS::ApiGateway::RestApi\n    Properties:\n      BodyS3Location: {Bucket: b, Key: k.yaml}\n",
    )
    assert findings(lint_template(s3, "s3.yaml", Config())) == [
        "s3.yaml:6:7 AGW033 API Api: its OpenAPI body is in S3 (s3://b/k.yaml); apigwc does not read S3"
    ]


def test_an_unresolvable_value_says_where_and_which_flag(tmp_path: Path) -> None:
    write(tmp_path, "app.py", "def handler(event, context):\n    return {}\n")
    path = write(
        tmp_path,
        "template.yaml",
        """
        Transform: AWS::Serverless-2016-10-31
        Parameters:
          Pool: {Type: String}
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Runtime: python3.12
              Handler: app.handler
              Environment:
                Variables:
                  POOL: !Ref Pool
                  CLIENT: !ImportValue shared-Client
              Events:
                Get: {Type: Api, Properties: {Path: /a, Method: get}}
        """,
    )
    results = lint_template(path, "template.yaml", Config(select=("AGW031",)))
    assert findings(results, "AGW031") == [
        "template.yaml:12:17 AGW031 environment variable POOL of Fn: parameter Pool (no Default); not known locally",
        "template.yaml:13:19 AGW031 environment variable CLIENT of Fn: Fn::ImportValue shared-Client (an export of another stack); not known locally",
    ]
    assert [d.hint for r in results for d in r.diagnostics] == [
        "set it with --param Pool=VALUE",
        "set it with --param ImportValue:shared-Client=VALUE",
    ]
    opened = open_template(path, "template.yaml", LocalValues(params={"Pool": "p1", "ImportValue:shared-Client": "c1"}))
    assert opened.unknowns == []
    assert opened.functions.functions["Fn"].environment == {"POOL": "p1", "CLIENT": "c1"}


def test_a_sam_property_the_translator_rejects_is_reported_located(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "template.yaml",
        """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Api:
            Type: AWS::Serverless::Api
            Properties:
              StageName: dev
              DefinitionUri: ./api.yaml
              Cors: "'*'"
        """,
    )
    write(tmp_path, "api.yaml", "swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths: {}\n")
    results = lint_template(path, "template.yaml", Config())
    assert findings(results) == [
        "template.yaml:8:7 AGW034 Resource with id [Api] is invalid. Cors works only with inline Swagger specified in 'DefinitionBody' property."
    ]


def test_functions_from_the_template(tmp_path: Path) -> None:
    write(tmp_path, "src/app.py", "def handler(event, context):\n    return {}\n")
    (tmp_path / ".aws-sam" / "build" / "Built").mkdir(parents=True)
    path = write(
        tmp_path,
        "template.yaml",
        """
        Transform: AWS::Serverless-2016-10-31
        Globals:
          Function:
            Timeout: 9
            Environment:
              Variables: {SHARED: "1", TABLE: !Ref Table}
        Resources:
          Table: {Type: AWS::DynamoDB::Table, Properties: {TableName: items}}
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Runtime: python3.12
              Handler: app.handler
              CodeUri: src/
              MemorySize: 256
              ReservedConcurrentExecutions: 2
              Layers: [arn:aws:lambda:us-east-1:123456789012:layer:l:1]
              Environment: {Variables: {OWN: x}}
              Events:
                Get: {Type: Api, Properties: {Path: /a, Method: get}}
          Inline:
            Type: AWS::Serverless::Function
            Properties:
              Runtime: python3.12
              Handler: index.handler
              InlineCode: "def handler(event, context):\\n    return {'statusCode': 200}\\n"
          Built:
            Type: AWS::Serverless::Function
            Properties: {Runtime: nodejs20.x, Handler: index.handler, CodeUri: built/}
        """,
    )
    opened = open_template(path, "template.yaml")
    fns = opened.functions.functions
    fn = fns["Fn"]
    assert (fn.runtime, fn.handler, fn.code_uri, fn.timeout, fn.memory_size, fn.reserved_concurrency, fn.layers) == (
        "python3.12",
        "app.handler",
        str(tmp_path / "src"),
        9.0,
        256,
        2,
        ("arn:aws:lambda:us-east-1:123456789012:layer:l:1",),
    )
    assert fn.environment == {"SHARED": "1", "TABLE": "items", "OWN": "x"}
    inline = Path(fns["Inline"].code_uri) / "index.py"
    assert inline.read_text() == "def handler(event, context):\n    return {'statusCode': 200}\n"
    assert fns["Built"].code_uri == str(tmp_path / ".aws-sam" / "build" / "Built")
    # the API's x-apigwc.local.functions (ir.LocalFunction): every runtime, with its template settings
    local = opened.apis[0].document["x-apigwc"]["local"]
    assert "lambdas" not in local and "pythonPath" not in local
    assert local["functions"]["Fn"] == {
        "runtime": "python3.12",
        "handler": "app.handler",
        "codeUri": str(tmp_path / "src"),
        "environment": {"SHARED": "1", "TABLE": "items", "OWN": "x"},
        "timeout": 9.0,
        "memorySize": 256,
        "layers": ["arn:aws:lambda:us-east-1:123456789012:layer:l:1"],
        "reservedConcurrency": 2,
    }
    assert local["functions"]["Built"]["runtime"] == "nodejs20.x"


def test_the_hook_relints_the_template_when_its_included_file_changes(tmp_path: Path, run_cli) -> None:
    write(
        tmp_path,
        "api.yaml",
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses: {'200': {description: ok}}\n      x-amazon-apigateway-integration: {type: mock, timeoutInMillis: 10}\n",
    )
    write(
        tmp_path,
        "template.yaml",
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Api:\n    Type: AWS::Serverless::Api\n    Properties:\n      StageName: live\n      DefinitionBody:\n        Fn::Transform: {Name: AWS::Include, Parameters: {Location: ./api.yaml}}\n",
    )
    write(tmp_path, "other/unrelated.yaml", "a: 1\n")
    r = run_cli("lint", "--skip-non-openapi", "--select", "AGW203", "api.yaml", "other/unrelated.yaml", cwd=tmp_path)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "api.yaml:7:70: AGW203 error timeoutInMillis must be between 50 and 29,000 ms, found 10" in r.stdout
    assert "in 1 of 1 file" in r.stdout
    # `apigwc lint .` finds the template (and not the file it includes, which it lints as part of it)
    r = run_cli("lint", ".", "--select", "AGW203", cwd=tmp_path)
    assert r.returncode == 1 and "in 1 of 1 file" in r.stdout, r.stdout + r.stderr


def test_explicit_resources_go_through_the_lifting_contract(tmp_path: Path, monkeypatch) -> None:
    """The INTERFACES.md contract with template/explicit.py: document + origins, problems located by template pointers."""
    from dataclasses import dataclass, field

    import apigwc.template.run as run
    from apigwc.diagnostics import Diagnostics as Collected
    from apigwc.template.explicit import NOT_LIFTED

    @dataclass(frozen=True)
    class Lifted:
        document: dict
        origins: dict = field(default_factory=dict)
        problems: tuple = ()

    seen = []

    def lift(resources, api_id):
        seen.append((api_id, sorted(resources)))
        problem = Collected().add(NOT_LIFTED, "a Method without Integration", pointer="/Resources/Get/Properties")
        doc = {
            "openapi": "3.0.1",
            "info": {"title": "t", "version": "1"},
            "paths": {
                "/a": {
                    "get": {
                        "responses": {"200": {"description": "ok"}},
                        "x-amazon-apigateway-integration": {"type": "mock", "timeoutInMillis": 10},
                    }
                }
            },
        }
        return Lifted(
            doc,
            {
                "/paths/~1a/get": "/Resources/Get",
                "/paths/~1a/get/x-amazon-apigateway-integration/timeoutInMillis": "/Resources/Get/Properties/Integration/TimeoutInMillis",
            },
            (problem,),
        )

    monkeypatch.setattr(run, "lift_rest_api", lift)
    path = write(
        tmp_path,
        "template.yaml",
        """
        AWSTemplateFormatVersion: '2010-09-09'
        Resources:
          Api:
            Type: AWS::ApiGateway::RestApi
            Properties: {Name: pets}
          Get:
            Type: AWS::ApiGateway::Method
            Properties:
              RestApiId: !Ref Api
              HttpMethod: GET
              Integration:
                Type: MOCK
                TimeoutInMillis: 10
        """,
    )
    results = lint_template(path, "template.yaml", Config(select=("AGW203", "AGW042")))
    assert seen == [("Api", ["Api", "Get"])]
    assert findings(results) == [
        "template.yaml:9:7 AGW042 a Method without Integration",
        "template.yaml:13:26 AGW203 timeoutInMillis must be between 50 and 29,000 ms, found 10",
    ]


def test_stage_and_api_properties_become_x_apigwc_as_the_translator_writes_them(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "template.yaml",
        """
        Transform: AWS::Serverless-2016-10-31
        Globals:
          Api:
            BinaryMediaTypes: [image~1png]
        Resources:
          Api:
            Type: AWS::Serverless::Api
            Properties:
              StageName: v1
              OpenApiVersion: "3.0.1"
              EndpointConfiguration: REGIONAL
              TracingEnabled: true
              Variables: {Backend: !Sub "https://${AWS::Region}.example.com"}
              AccessLogSetting:
                DestinationArn: arn:aws:logs:us-east-1:123456789012:log-group:api
                Format: '{"requestId":"$context.requestId"}'
              MethodSettings:
                - {HttpMethod: "*", ResourcePath: "/*", ThrottlingRateLimit: 20, ThrottlingBurstLimit: 10, LoggingLevel: INFO}
                - {HttpMethod: GET, ResourcePath: "/~1items", ThrottlingRateLimit: 5}
              DefinitionBody:
                openapi: 3.0.1
                info: {title: t, version: "1"}
                paths: {}
        """,
    )
    (api,) = open_template(path, "template.yaml", LocalValues(region="eu-west-1")).apis
    x = api.document["x-apigwc"]
    assert x["endpointType"] == "REGIONAL"
    assert x["stages"] == {
        "v1": {
            "variables": {"Backend": "https://eu-west-1.example.com"},
            "methodSettings": {
                "*/*": {"throttling": {"burstLimit": 10, "rateLimit": 20}, "loggingLevel": "INFO"},
                "/items/GET": {"throttling": {"rateLimit": 5}},
            },
            "tracingEnabled": True,
            "accessLog": {
                "format": '{"requestId":"$context.requestId"}',
                "destinationArn": "arn:aws:logs:us-east-1:123456789012:log-group:api",
            },
        }
    }  # OpenApiVersion set: no extra "Stage" stage
    assert api.document["x-amazon-apigateway-binary-media-types"] == ["image/png"]
    origin = api.origin
    assert (
        origin.locate(["x-apigwc", "stages", "v1", "methodSettings", "*/*"])[1]
        == "/Resources/Api/Properties/MethodSettings"
    )
    assert origin.locate(["x-amazon-apigateway-binary-media-types"])[1] == "/Globals/Api/BinaryMediaTypes"


def test_region_flag_reaches_the_template(tmp_path: Path, run_cli) -> None:
    write(
        tmp_path,
        "template.yaml",
        """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Api:
            Type: AWS::Serverless::Api
            Properties:
              StageName: live
              DefinitionBody:
                openapi: 3.0.1
                info: {title: !Sub "api-${AWS::Region}-${Stage}", version: "1"}
                paths: {}
        Parameters:
          Stage: {Type: String}
        """,
    )
    r = run_cli(
        "emit", "--target", "openapi", "template.yaml", "--region", "eu-north-1", "--param", "Stage=qa", cwd=tmp_path
    )
    assert r.returncode == 0, r.stderr
    assert "title: api-eu-north-1-qa" in r.stdout
    r = run_cli("emit", "--target", "openapi", "template.yaml", "--param", "Stage", cwd=tmp_path)
    assert (r.returncode, r.stderr.strip()) == (
        2,
        "apigwc: error: --param 'Stage' is not NAME=VALUE (e.g. --param Stage=dev)",
    )


def test_a_body_and_explicit_resources_of_one_rest_api_are_merged_as_aws_does(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "template.yaml",
        """
        AWSTemplateFormatVersion: "2010-09-09"
        Resources:
          Api:
            Type: AWS::ApiGateway::RestApi
            Properties:
              Body:
                openapi: 3.0.1
                info: {title: t, version: "1"}
                paths:
                  /a:
                    get:
                      responses: {"200": {description: ok}}
                      x-amazon-apigateway-integration: {type: mock, timeoutInMillis: 20}
          B:
            Type: AWS::ApiGateway::Resource
            Properties: {RestApiId: !Ref Api, ParentId: !GetAtt Api.RootResourceId, PathPart: b}
          BGet:
            Type: AWS::ApiGateway::Method
            Properties:
              RestApiId: !Ref Api
              ResourceId: !Ref B
              HttpMethod: GET
              AuthorizationType: NONE
              Integration: {Type: MOCK, TimeoutInMillis: 10}
        """,
    )
    results = lint_template(path, "template.yaml", Config(select=("AGW203",)))
    # the Body's finding at the Body as written, the explicit method's at its property
    assert findings(results) == [
        "template.yaml:13:78 AGW203 timeoutInMillis must be between 50 and 29,000 ms, found 20",
        "template.yaml:24:50 AGW203 timeoutInMillis must be between 50 and 29,000 ms, found 10",
    ]


def test_a_body_as_json_text_is_read_and_an_unknown_body_is_named(tmp_path: Path) -> None:
    body = '{"openapi": "3.0.1", "info": {"title": "t", "version": "1"}, "paths": {"/a": {"get": {"responses": {"200": {"description": "ok"}}, "x-amazon-apigateway-integration": {"type": "mock", "timeoutInMillis": 10}}}}}'
    text = f"AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Api:\n    Type: AWS::ApiGateway::RestApi\n    Properties:\n      Body: '{body}'\n"
    path = write(tmp_path, "text.yaml", text)
    assert findings(lint_template(path, "text.yaml", Config(select=("AGW203",)))) == [
        "text.yaml:6:13 AGW203 timeoutInMillis must be between 50 and 29,000 ms, found 10",
    ]
    path = write(
        tmp_path,
        "imported.yaml",
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Api:\n    Type: AWS::ApiGateway::RestApi\n    Properties:\n      Body: !ImportValue shared-body\n",
    )
    results = lint_template(path, "imported.yaml", Config())
    assert findings(results, "AGW042") == [
        'imported.yaml:6:7 AGW042 the Body cannot be read: {"Fn::ImportValue": "shared-body"}; the API is lifted without it'
    ]
    assert "AGW009" not in {d.code for r in results for d in r.diagnostics}
