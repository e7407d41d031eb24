"""Which install a template needs: plain CloudFormation none, SAM the 'sam' extra (aws-sam-translator, boto3).

The pre-commit hook installs aws-sam-translator (README, pre-commit); these tests run the
real command line with the translator and boto3 made unimportable, as in a core install.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from support import ROOT, cli_env

BODY = """      Body:
        openapi: 3.0.1
        info: {title: T, version: "1"}
        paths:
          /ping:
            get:
              responses: {"200": {description: OK}}
              x-amazon-apigateway-integration:
                type: mock
                requestTemplates: {application/json: '{"statusCode": 200}'}
                responses: {default: {statusCode: "200"}}
"""


def lint_without_the_translator(path: Path) -> subprocess.CompletedProcess:
    code = (
        "import sys; sys.modules['samtranslator'] = None; sys.modules['boto3'] = None; "
        f"sys.argv = ['apigwc', 'lint', {str(path)!r}]; from apigwc.cli import main; main()"
    )
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=cli_env(), capture_output=True, text=True, timeout=60
    )


def test_plain_cloudformation_needs_no_sam_translator(tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Api:\n    Type: AWS::ApiGateway::RestApi\n    Properties:\n"
        + BODY
    )
    r = lint_without_the_translator(path)
    assert r.returncode in (0, 1), r.stderr
    assert "samtranslator" not in r.stdout + r.stderr and "Traceback" not in r.stderr
    assert "AGW009" not in r.stdout  # read as a template, not as a file without 'openapi'


def test_a_sam_template_without_the_translator_says_how_to_install_it(tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    definition = "".join("  " + line + "\n" for line in BODY.splitlines()[1:])
    path.write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Api:\n    Type: AWS::Serverless::Api\n"
        "    Properties:\n      StageName: v1\n      DefinitionBody:\n" + definition
    )
    r = lint_without_the_translator(path)
    assert r.returncode == 1, r.stderr
    assert f"{path}:1:1: " in r.stdout
    assert "a SAM template: this command needs samtranslator, boto3, which the core install leaves out" in r.stdout
    assert "pip install 'apigwc[sam]'" in r.stdout
