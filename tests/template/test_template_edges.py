"""Templates at the edges, through the real CLI: standard input, the project a `$ref` may reach, bad input.

Every test runs ``python -m apigwc`` as a subprocess (the `run_cli` fixture) on a real
template, a corpus project or a copy of one, and checks the exact findings, the exit code
(0 clean, 1 findings, 2 usage or I/O error) and that no traceback is ever printed.
"""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pytest

from support import CORPUS

SAM = CORPUS / "sam"
needs_corpus = pytest.mark.skipif(not SAM.is_dir(), reason="the SAM corpus is not present")


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def lint_json(run_cli, *args: str, cwd: Path, input: str | None = None) -> tuple[int, list[str], str]:
    """``apigwc lint -f json ARGS``: exit code, ``file:line:col CODE severity message`` per finding, stderr."""
    r = run_cli("lint", "-f", "json", *args, cwd=cwd, input=input)
    assert "Traceback" not in r.stderr + r.stdout, r.stderr
    found = (
        [
            f"{d['file']}:{d['line']}:{d['column']} {d['code']} {d['severity']} {d['message']}"
            for d in json.loads(r.stdout)
        ]
        if r.stdout
        else []
    )
    return r.returncode, found, r.stderr


# -- a template on standard input -----------------------------------------------------------


@needs_corpus
def test_a_template_on_stdin_is_linted_as_a_template_named_stdin(run_cli) -> None:
    folder = SAM / "hello-python"
    text = (folder / "template.yaml").read_text(encoding="utf-8")
    code, found, _ = lint_json(run_cli, "-", cwd=folder, input=text)
    # what `apigwc lint template.yaml` finds, at the same lines, under the name stdin (no AGW009)
    assert (code, found) == (
        0,
        [
            "stdin:14:3 AGW805 warning stage 'Prod' has no access log",
            "stdin:23:9 AGW011 warning operation GET /hello declares no responses",
            "stdin:23:9 AGW801 warning GET /hello has no authorization and requires no API key: anyone can call it",
            "stdin:23:9 AGW805 warning stage 'Stage' has no access log",
        ],
    )
    code, from_file, _ = lint_json(run_cli, "template.yaml", cwd=folder)
    assert [f.replace("template.yaml:", "stdin:", 1) for f in from_file] == found


@needs_corpus
def test_stdin_includes_resolve_from_the_current_folder_or_the_stdin_filename(run_cli, tmp_path: Path) -> None:
    folder = SAM / "python-rest-sam"
    text = (folder / "template.yaml").read_text(encoding="utf-8")
    # from the project's folder: the AWS::Include file is found, its findings are located in it
    code, found, _ = lint_json(run_cli, "-", "--select", "AGW011", cwd=folder, input=text)
    assert code == 0 and found and all(f.startswith("src/api/swagger.yaml:") for f in found), found
    # elsewhere: the include is relative to the current folder, and missing there (exit 1, located)
    code, found, _ = lint_json(run_cli, "-", cwd=tmp_path, input=text)
    assert code == 1
    # only the missing include: what the translator then says of RestAPI (no body for its Cors) is a consequence
    assert found == ["stdin:180:23 AGW032 error AWS::Include location './src/api/swagger.yaml': no such file"]
    # --stdin-filename places the template: its name in messages, its folder for relative paths
    code, found, _ = lint_json(
        run_cli, "-", "--stdin-filename", "python-rest-sam/template.yaml", "--select", "AGW011", cwd=SAM, input=text
    )
    assert code == 0 and found and all(f.startswith("python-rest-sam/src/api/swagger.yaml:") for f in found)


def test_a_json_template_on_stdin_and_an_openapi_document_on_stdin(run_cli, tmp_path: Path) -> None:
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {
            "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"BodyS3Location": {"Bucket": "b", "Key": "k"}}}
        },
    }
    code, found, _ = lint_json(run_cli, "-", cwd=tmp_path, input=json.dumps(template, indent=1))
    assert (code, found) == (
        1,
        ["stdin:7:5 AGW033 error API Api: its OpenAPI body is in S3 (s3://b/k); apigwc does not read S3"],
    )
    # an OpenAPI document on stdin is still linted as one
    spec = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n"
    code, found, _ = lint_json(run_cli, "-", "--select", "AGW0", cwd=tmp_path, input=spec)
    assert (code, found) == (0, [])
    # and YAML that is neither says it is not OpenAPI (AGW009), as for a file
    code, found, _ = lint_json(run_cli, "-", cwd=tmp_path, input="name: x\n")
    assert code == 1 and [f.split(" ")[1] for f in found] == ["AGW009"]


# -- the project a template's $refs may reach -------------------------------------------------


def _copy_ecommerce(tmp_path: Path) -> Path:
    repo = tmp_path / "aws-serverless-ecommerce-platform"
    shutil.copytree(SAM / "ecommerce-products", repo)
    for p in [repo, *repo.rglob("*")]:
        p.chmod(0o755 if p.is_dir() else 0o644)  # the corpus is read-only
    return repo


@needs_corpus
def test_ecommerce_lints_without_ref_root_in_its_repository(run_cli, tmp_path: Path) -> None:
    """The project's OpenAPI file $refs ../../shared (its repository's root), as its own build resolves."""
    repo = _copy_ecommerce(tmp_path)
    # as a clone of the repository: the folder with .git is the project
    (repo / ".git").mkdir()
    code, found, _ = lint_json(run_cli, "template.yaml", cwd=repo / "products")
    assert code == 0 and not [f for f in found if " error " in f], found
    # without a repository, SAM CLI's samconfig.toml marks the project
    (repo / ".git").rmdir()
    (repo / "samconfig.toml").write_text("version = 0.1\n", encoding="utf-8")
    code, found, _ = lint_json(run_cli, "template.yaml", cwd=repo / "products")
    assert code == 0 and not [f for f in found if " error " in f], found
    # with the project marked at the service folder, ../../shared leaves it: refused, located, with the way out
    (repo / "samconfig.toml").rename(repo / "products" / "samconfig.toml")
    r = run_cli("lint", "template.yaml", "--select", "AGW008", cwd=repo / "products")
    assert r.returncode == 1
    root = (repo / "products").resolve()
    assert r.stdout.splitlines()[0] == (
        "resources/openapi.yaml:25:21: AGW008 error $ref '../../shared/resources/schemas.yaml#/Products' "
        f"leaves the template's project ({root})"
    )
    assert (
        "= hint: a template's $refs may reach its project: the repository (the folder with .git), else the folder "
        "with samconfig.toml, else the template's folder; set ref-root in apigwc.toml or [tool.apigwc] "
        "(or --ref-root) to widen it"
    ) in r.stdout
    # --ref-root widens it
    code, found, _ = lint_json(run_cli, "template.yaml", "--ref-root", "..", cwd=repo / "products")
    assert code == 0 and not [f for f in found if " error " in f], found


@needs_corpus
def test_the_corpus_copy_of_ecommerce_has_no_project_marker_and_says_so(run_cli) -> None:
    # the corpus keeps only some files of the repository (no .git): the template's folder is its project
    code, found, _ = lint_json(run_cli, "products/template.yaml", "--select", "AGW008", cwd=SAM / "ecommerce-products")
    root = (SAM / "ecommerce-products/products").resolve()
    assert code == 1
    assert [f.partition(" AGW008 error ")[0] for f in found] == [
        "products/resources/openapi.yaml:25:21",
        "products/resources/openapi.yaml:37:31",
        "products/resources/openapi.yaml:38:27",
        "products/resources/openapi.yaml:44:23",
    ]
    assert all(f.endswith(f"leaves the template's project ({root})") for f in found)


def test_an_included_file_outside_the_template_folder_may_ref_beside_itself_only(run_cli, tmp_path: Path) -> None:
    # the template names ../api/openapi.yaml: that file's folder is part of the project, a folder beyond is not
    write(
        tmp_path,
        "service/template.yaml",
        """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Api:
            Type: AWS::Serverless::Api
            Properties:
              StageName: dev
              DefinitionUri: ../api/openapi.yaml
        """,
    )
    write(
        tmp_path,
        "api/openapi.yaml",
        """
        openapi: 3.0.3
        info: {title: t, version: '1'}
        paths:
          /a:
            get:
              responses:
                '200':
                  description: ok
                  content:
                    application/json:
                      schema: {$ref: 'schemas.yaml#/A'}
                '400':
                  description: bad
                  content:
                    application/json:
                      schema: {$ref: '../secrets/keys.yaml#/B'}
              x-amazon-apigateway-integration: {type: mock, requestTemplates: {application/json: '{"statusCode": 200}'}}
        """,
    )
    write(tmp_path, "api/schemas.yaml", "A: {type: object}\n")
    write(tmp_path, "secrets/keys.yaml", "B: {type: object}\n")
    code, found, _ = lint_json(run_cli, "template.yaml", "--select", "AGW008", cwd=tmp_path / "service")
    service, api = (tmp_path / "service").resolve(), (tmp_path / "api").resolve()
    assert (code, found) == (
        1,
        [
            f"../api/openapi.yaml:16:30 AGW008 error $ref '../secrets/keys.yaml#/B' leaves the template's project "
            f"({service} or {api})"
        ],
    )


# -- bad input, through the CLI: located, never a traceback ------------------------------------

BAD = {
    "no API": (
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n  T:\n    Type: AWS::SNS::Topic\n",
        "t.yaml:2:1: AGW030 error the template holds no REST API (found: 1 AWS::SNS::Topic, 1 AWS::SQS::Queue)",
    ),
    "missing include": (
        """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Api:
            Type: AWS::Serverless::Api
            Properties:
              StageName: dev
              DefinitionBody:
                Fn::Transform: {Name: AWS::Include, Parameters: {Location: ./openapi.yaml}}
        """,
        "t.yaml:8:68: AGW032 error AWS::Include location './openapi.yaml': no such file",
    ),
    "DefinitionUri to a missing file": (
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Api:\n    Type: AWS::Serverless::Api\n"
        "    Properties:\n      StageName: dev\n      DefinitionUri: ./openapi.yaml\n",
        "t.yaml:7:22: AGW032 error DefinitionUri './openapi.yaml': no such file",
    ),
    "BodyS3Location": (
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Api:\n    Type: AWS::ApiGateway::RestApi\n"
        "    Properties:\n      BodyS3Location: {Bucket: b, Key: k.yaml}\n",
        "t.yaml:6:7: AGW033 error API Api: its OpenAPI body is in S3 (s3://b/k.yaml); apigwc does not read S3",
    ),
    "circular Ref": (
        """
        AWSTemplateFormatVersion: '2010-09-09'
        Resources:
          A: {Type: AWS::SNS::Topic, Properties: {TopicName: !Ref B}}
          B: {Type: AWS::SNS::Topic, Properties: {TopicName: !Ref A}}
          Api: {Type: AWS::ApiGateway::RestApi, Properties: {Body: {swagger: '2.0', info: {title: t, version: '1'}, paths: {}}}}
        """,
        "t.yaml:3:3: AGW035 error circular reference between resources: A -> B -> A",
    ),
    "unknown resource type": (
        """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Fn:
            Type: AWS::Serverless::Functon
            Properties: {Runtime: python3.12, Handler: app.handler, Events: {Get: {Type: Api, Properties: {Path: /a, Method: get}}}}
        """,
        "t.yaml:4:11: AGW036 warning resource Fn: unknown resource type 'AWS::Serverless::Functon'",
    ),
    "a SAM property the translator rejects": (
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
                Get: {Type: Api, Properties: {Path: /a, Method: get, Auth: {Authorizer: Missing}}}
        """,
        "t.yaml:10:69: AGW034 error Resource with id [Fn] is invalid. Event with id [Get] is invalid. Unable to set "
        "Authorizer [Missing] on API method [get] for path [/a] because the related API does not define any Authorizers.",
    ),
    "no Resources": (
        "Transform: AWS::Serverless-2016-10-31\nDescription: nothing yet\n",
        "t.yaml:1:1: AGW034 error Structure of the SAM template is invalid. 'Resources' section is required",
    ),
    "YAML syntax error": (
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Api:\n    Type: AWS::ApiGateway::RestApi\n"
        "    Properties:\n      Body: {swagger: '2.0'\n",
        "t.yaml:7:1: AGW001 error invalid YAML: did not find expected ',' or '}' (while parsing a flow mapping that "
        "starts at line 6, column 13)",
    ),
    "valid YAML, not a mapping": (
        "- AWSTemplateFormatVersion: '2010-09-09'\n- Resources: {}\n",
        "t.yaml:1:1: AGW005 error the document root must be a mapping (OpenAPI: 'openapi' or 'swagger', 'info' and "
        "'paths'; a CloudFormation or SAM template: 'Resources'); found a sequence",
    ),
    "duplicate logical id": (
        """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Api:
            Type: AWS::Serverless::Api
            Properties: {StageName: dev, DefinitionBody: {swagger: '2.0', info: {title: t, version: '1'}, paths: {}}}
          Api:
            Type: AWS::SNS::Topic
        """,
        "t.yaml:6:3: AGW002 error duplicate key 'Api' (first defined at line 3); the last value wins",
    ),
    "duplicate key in the body": (
        """
        AWSTemplateFormatVersion: '2010-09-09'
        Resources:
          Api:
            Type: AWS::ApiGateway::RestApi
            Properties:
              Body:
                swagger: '2.0'
                info: {title: t, version: '1'}
                paths: {}
                paths: {}
        """,
        "t.yaml:10:9: AGW002 error duplicate key 'paths' (first defined at line 9); the last value wins",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_templates_answer_located_with_exit_1_in_lint_and_emit(case: str, run_cli, tmp_path: Path) -> None:
    text, first = BAD[case]
    write(tmp_path, "t.yaml", text)
    r = run_cli("lint", "t.yaml", cwd=tmp_path)
    assert r.returncode == 1, r.stdout + r.stderr
    assert first in r.stdout.splitlines()
    assert "Traceback" not in r.stdout + r.stderr
    errors = [line for line in r.stdout.splitlines() if ": AGW" in line and " error " in line]
    # a command that writes (or serves) stops on it: nothing written, the same finding, exit 1
    r = run_cli("emit", "--target", "cfn", "t.yaml", "-o", "stack.yaml", cwd=tmp_path)
    assert r.returncode == 1 and "Traceback" not in r.stdout + r.stderr
    assert errors and errors[0] in r.stdout + r.stderr
    assert "nothing was written" in r.stderr and not (tmp_path / "stack.yaml").exists()


def test_an_unresolvable_intrinsic_is_located_with_the_flag_that_sets_it(run_cli, tmp_path: Path) -> None:
    write(tmp_path, "app.py", "def handler(event, context):\n    return {'statusCode': 200, 'body': 'ok'}\n")
    write(
        tmp_path,
        "t.yaml",
        """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Runtime: python3.12
              Handler: app.handler
              Environment:
                Variables:
                  POOL: !ImportValue shared-UserPool
              Events:
                Get: {Type: Api, Properties: {Path: /a, Method: get}}
        """,
    )
    r = run_cli("lint", "t.yaml", "--select", "AGW031", cwd=tmp_path)
    # an info finding: lint passes (exit 0), and says where and how to set the value
    assert r.returncode == 0 and "Traceback" not in r.stdout + r.stderr
    assert r.stdout.splitlines()[0] == (
        "t.yaml:10:17: AGW031 info environment variable POOL of Fn: Fn::ImportValue shared-UserPool "
        "(an export of another stack); not known locally"
    )
    assert "= hint: set it with --param ImportValue:shared-UserPool=VALUE" in r.stdout
    r = run_cli("lint", "t.yaml", "--select", "AGW031", "--param", "ImportValue:shared-UserPool=pool-1", cwd=tmp_path)
    assert (r.returncode, r.stdout) == (0, "No problems found in 1 file.\n")
