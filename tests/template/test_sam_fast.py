"""The translator's per-event body copies made by template/samcopy.py give what the plain translator gives.

Every template here is translated twice from the same input, once by aws-sam-translator as
installed and once inside ``samcopy.fast_copies()``, and the two CloudFormation outputs must
be the same JSON text: the same resources, the same Python 2.7 key order in every object
(the translator's final JSON keeps it) and so the same Deployment logical id, whose hash is
taken over ``str(body)``.  The fast run must also have shared path items, so a test cannot
pass by never taking the fast path.
"""

from __future__ import annotations

import copy
import json
import os
import sys
from pathlib import Path

import pytest

from apigwc.diagnostics import Diagnostics
from apigwc.template import samcopy
from apigwc.template.expand import Expanded, _translate_once, expand, inline_includes, sam_input_of
from apigwc.template.load import load_template
from support import CORPUS, ROOT

pytest.importorskip("samtranslator")
sys.path.insert(0, str(ROOT / "tests" / "bench"))
import bench_template  # noqa: E402

SAM = CORPUS / "sam"
CORPUS_TEMPLATES = sorted(
    p for p in SAM.rglob("*.yaml") if "Transform" in p.read_text(encoding="utf-8", errors="replace")
)

#: How to accept a new aws-sam-translator release (the message of the CI failure below).
REVIEW = (
    "aws-sam-translator {version} (source sha256 {digest}) is not one template/samcopy.py was verified "
    "against ({known}), so lint would silently use the plain, slower translator.  To review it: diff the "
    "sources samcopy.fingerprint() reads (samcopy._modules()) against the known version, re-check the "
    "argument in samcopy's docstring, run this file outside CI with the entry added to samcopy.KNOWN_SOURCES, "
    "then move the pin in pyproject.toml's `test` extra; or keep the pin at the known version"
)


def _installed() -> tuple[str, str]:
    import samtranslator

    return samtranslator.__version__, samcopy.fingerprint()


# Outside CI a different translator only skips these tests; under CI (where the `test` extra pins the
# verified version) it fails, so CI cannot silently lose the fast path.
pytestmark = pytest.mark.skipif(
    not samcopy.available() and not os.environ.get("CI"),
    reason="the installed aws-sam-translator is not a known one (see REVIEW in this file)",
)


def test_the_installed_translator_is_a_verified_one() -> None:
    version, digest = _installed()
    assert os.environ.get("APIGWC_SAM_FAST", "1") != "0", "APIGWC_SAM_FAST=0 turns the fast path off: unset it"
    assert samcopy.KNOWN_SOURCES.get(version) == digest, REVIEW.format(
        version=version, digest=digest, known=", ".join(sorted(samcopy.KNOWN_SOURCES))
    )


def sam_input(path: Path) -> dict:
    diags = Diagnostics()
    template = load_template(path, path.name, diags)
    assert template is not None, [d.message for d in diags]
    prepared = inline_includes(template, template.data, "", diags, {})
    return sam_input_of(template, prepared, Expanded(prepared=prepared, output=prepared), diags)


def translate(data: dict, fast: bool, parameters: dict | None = None) -> tuple[str, samcopy.Stats | None]:
    """The translator's output as JSON text (key order kept), or the error it raised."""
    data = copy.deepcopy(data)
    try:
        if not fast:
            return json.dumps(_translate_once(data, parameters or {}, "us-east-1")), None
        with samcopy.fast_copies() as stats:
            return json.dumps(_translate_once(data, parameters or {}, "us-east-1")), stats
    except Exception as exc:  # noqa: BLE001 - the error itself is compared
        return f"{type(exc).__name__}: {getattr(exc, 'message', exc)}", None


def assert_same(path: Path, parameters: dict | None = None) -> samcopy.Stats | None:
    data = sam_input(path)
    slow, _ = translate(data, fast=False, parameters=parameters)
    fast, stats = translate(data, fast=True, parameters=parameters)
    assert fast == slow
    return stats


def deployments(text: str) -> list[str]:
    return sorted(name for name, res in json.loads(text)["Resources"].items() if res["Type"].endswith("Deployment"))


@pytest.mark.skipif(not SAM.is_dir(), reason="the SAM corpus is not present")
@pytest.mark.parametrize("path", CORPUS_TEMPLATES, ids=lambda p: str(p.relative_to(SAM)))
def test_corpus_template_translates_the_same(path: Path) -> None:
    assert_same(path)


def test_the_corpus_takes_the_fast_path() -> None:
    """The corpus APIs have one or two routes: their events go through the fast copies (nothing to share yet)."""
    if not SAM.is_dir():
        pytest.skip("the SAM corpus is not present")
    copies = [stats.copies for p in CORPUS_TEMPLATES if (stats := assert_same(p)) is not None]
    assert len(CORPUS_TEMPLATES) >= 10 and sum(copies) >= 8


def test_benchmark_template_translates_the_same(tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(bench_template.template(40))
    stats = assert_same(path)
    assert stats is not None and stats.copies == 4 * 80 and stats.shared > 80 * 70
    # the two editors made per event (each copies the body twice) had nothing for __init__'s walk to do
    assert stats.walks_skipped == 2 * 80


# One template per SAM feature that edits the body per event, in one API each time so the
# body grows with shared and changed path items.  Several methods on one path make path
# items whose key order a copy changes (they are copied every time, never shared).
FEATURES = {
    "implicit": """
Resources:
{functions}
""",
    "cors-auth-keys": """
Globals:
  Api:
    Cors: {{AllowMethods: "'GET,POST'", AllowOrigin: "'*'", MaxAge: "'600'"}}
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      Auth:
        ApiKeyRequired: true
        UsagePlan: {{CreateUsagePlan: PER_API, Quota: {{Limit: 100, Period: DAY}}}}
        DefaultAuthorizer: Token
        AddDefaultAuthorizerToCorsPreflight: false
        Authorizers:
          Token:
            FunctionArn: !GetAtt Auth.Arn
            Identity: {{Header: X-Token, ReauthorizeEvery: 0}}
          Request:
            FunctionPayloadType: REQUEST
            FunctionArn: !GetAtt Auth.Arn
            Identity: {{Headers: [X-Id], QueryStrings: [q]}}
          Pool:
            UserPoolArn: arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_x
            AuthorizationScopes: [read]
  Auth:
    Type: AWS::Serverless::Function
    Properties: {{Handler: app.handler, Runtime: python3.12, CodeUri: .}}
{functions}
""",
    "responses-models-parameters": """
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v1
      OpenApiVersion: "3.0.1"
      BinaryMediaTypes: [image~1png]
      MethodSettings: [{{ResourcePath: "/*", HttpMethod: "*", ThrottlingRateLimit: 10}}]
      GatewayResponses:
        DEFAULT_4XX:
          ResponseParameters: {{Headers: {{Access-Control-Allow-Origin: "'*'"}}}}
        UNAUTHORIZED:
          StatusCode: 401
          ResponseTemplates: {{application/json: '{{"message": "no"}}'}}
      Models:
        Item: {{type: object, required: [id], properties: {{id: {{type: string}}}}}}
      Auth:
        ResourcePolicy: {{IpRangeWhitelist: [10.0.0.0/8]}}
{functions}
""",
    "conditions": """
Parameters:
  On: {{Type: String, Default: "yes"}}
Conditions:
  Enabled: !Equals [!Ref On, "yes"]
Resources:
{functions}
""",
}


def event(feature: str, i: int, method: str, path: str) -> str:
    props = f"Path: '{path}', Method: {method}"
    if feature == "cors-auth-keys":
        props += ", RestApiId: !Ref Api"
        auth = [
            "",
            ", Auth: {Authorizer: NONE, ApiKeyRequired: false}",
            ", Auth: {Authorizer: Request}",
            ", Auth: {Authorizer: Pool, AuthorizationScopes: [write]}",
        ][i % 4]
        props += auth
    elif feature == "responses-models-parameters":
        props += ", RestApiId: !Ref Api, TimeoutInMillis: 5000"
        if method == "post":
            props += ", RequestModel: {Model: Item, Required: true, ValidateBody: true}"
        props += (
            ", RequestParameters: [method.request.header.X-A,"
            " {method.request.querystring.q: {Required: true, Caching: true}}]"
        )
    return "{Type: Api, Properties: {" + props + "}}"


def feature_template(feature: str, functions: int) -> str:
    lines = []
    for i in range(functions):
        lines += [f"  Fn{i}:", "    Type: AWS::Serverless::Function"]
        if feature == "conditions" and i % 3 == 0:
            lines.append("    Condition: Enabled")
        lines += [
            "    Properties:",
            "      Handler: app.handler",
            "      Runtime: python3.12",
            "      CodeUri: .",
            "      Events:",
        ]
        # a path item of its own, and a shared one with several methods
        lines.append(f"        Own: {event(feature, i, 'get', f'/items{i}/{{id}}')}")
        method = ["post", "put", "delete", "patch", "any"][i % 5]
        lines.append(f"        Shared: {event(feature, i, method, f'/group{i // 5}')}")
    text = "Transform: AWS::Serverless-2016-10-31\n" + FEATURES[feature].format(functions="\n".join(lines))
    return text


@pytest.mark.parametrize("feature", sorted(FEATURES))
def test_feature_template_translates_the_same(feature: str, tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("def handler(event, context):\n    return {}\n")
    path = tmp_path / "template.yaml"
    path.write_text(feature_template(feature, 25))
    stats = assert_same(path)
    assert stats is not None and stats.shared > 0, "the fast path did not run"
    assert deployments(translate(sam_input(path), fast=True)[0])
    if feature == "conditions":  # conditional path items ({"Fn::If": ...}): __init__'s walk runs for them
        assert stats.walks_skipped < stats.copies // 2


INVALID = {
    # the same method twice on a path: the translator stops at the second event
    "duplicate": "Fn1: {{Type: AWS::Serverless::Function, Properties: {{Handler: a.b, Runtime: python3.12, "
    "CodeUri: ., Events: {{A: {{Type: Api, Properties: {{Path: /x, Method: get}}}}, "
    "B: {{Type: Api, Properties: {{Path: /x, Method: get}}}}}}}}}}",
    # a RequestModel naming no model, after the integration was added to the body
    "model": "Api: {{Type: AWS::Serverless::Api, Properties: {{StageName: p, Models: {{A: {{type: object}}}}}}}}\n"
    "  Fn1: {{Type: AWS::Serverless::Function, Properties: {{Handler: a.b, Runtime: python3.12, CodeUri: ., "
    "Events: {{A: {{Type: Api, Properties: {{RestApiId: !Ref Api, Path: /x, Method: post, "
    "RequestModel: {{Model: Missing}}}}}}}}}}}}",
}


@pytest.mark.parametrize("name", sorted(INVALID))
def test_a_rejected_template_reports_the_plain_translators_message(name: str, tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "template.yaml"
    path.write_text("Transform: AWS::Serverless-2016-10-31\nResources:\n  " + INVALID[name].format() + "\n")
    monkeypatch.setenv("APIGWC_CACHE_DIR", "")
    messages = {}
    for fast in ("0", "1"):
        monkeypatch.setenv("APIGWC_SAM_FAST", fast)
        diags = Diagnostics()
        template = load_template(path, path.name, diags)
        result = expand(template, {}, "us-east-1", diags)
        assert not result.ok
        messages[fast] = [(d.code, d.message, d.span.line if d.span else None) for d in diags]
    assert messages["1"] == messages["0"] and messages["0"]


def test_fresh_tables_are_the_ones_py27keys_builds(tmp_path: Path) -> None:
    """samcopy._fresh_table against Py27Keys itself, on generated sequences and on real paths."""
    import random

    from samtranslator.utils.py27hash_fix import Py27Keys, Py27UniStr

    rng = random.Random(11)
    sequences = []
    for n in [0, 1, 5, 6, 7, 20, 21, 85, 86, 300, 1400]:
        words = {"/" + "".join(rng.choices("abcdefgh{}/_-", k=rng.randint(1, 12))) for _ in range(n * 2)}
        sequence = sorted(words)[:n]
        rng.shuffle(sequence)
        sequences.append([Py27UniStr(w) if rng.random() < 0.5 else w for w in sequence])
    sequences.append([f"/items{i}" for i in range(400)] + [f"/items{i}/{{id}}" for i in range(400)])
    for sequence in sequences:
        keys = Py27Keys()
        for key in sequence:
            keys.add(key)
        order, size, fill, mask = samcopy._fresh_table(sequence, {})
        assert [(slot, sequence[i]) for slot, i in order] == list(keys.keyorder.items())
        assert (size, fill, mask) == (keys.size, keys.fill, keys.mask)
        assert [type(sequence[i]) for _, i in order] == [type(k) for k in keys.keyorder.values()]


def test_skipping_the_copies_changes_the_deployment_id(tmp_path: Path) -> None:
    """Why the copies are made, not skipped: a copy re-inserts keys into a fresh Python 2.7 table."""
    from samtranslator.swagger import swagger

    path = tmp_path / "template.yaml"
    path.write_text(bench_template.template(10))
    data = sam_input(path)
    plain, _ = translate(data, fast=False)
    saved = swagger._deepcopy
    swagger._deepcopy = lambda doc: doc
    try:
        skipped, _ = translate(data, fast=False)
    finally:
        swagger._deepcopy = saved
    assert deployments(skipped) != deployments(plain)
    fast, _ = translate(data, fast=True)
    assert deployments(fast) == deployments(plain)


def test_the_patch_is_undone_after_the_block() -> None:
    from samtranslator.model.eventsources import push
    from samtranslator.swagger import swagger
    from samtranslator.utils.py27hash_fix import Py27Dict

    def patched() -> tuple:
        editor = swagger.SwaggerEditor
        return (
            swagger._deepcopy,
            push.Api.__dict__["_add_swagger_integration"],
            Py27Dict.__dict__["__setitem__"],
            editor.__dict__["__init__"],
            editor.__dict__.get("iter_on_path"),
        )

    before = patched()
    with samcopy.fast_copies():
        during = patched()
        assert during[0] is not before[0] and during[3] is not before[3] and during[4] is not None
    assert patched() == before


def test_a_translation_in_another_thread_sees_the_plain_translator(tmp_path: Path) -> None:
    import threading

    path = tmp_path / "template.yaml"
    path.write_text(bench_template.template(8))
    data = sam_input(path)
    plain, _ = translate(data, fast=False)
    seen = []
    with samcopy.fast_copies() as stats:
        worker = threading.Thread(target=lambda: seen.append(translate(data, fast=False)[0]))
        worker.start()
        worker.join()
    assert seen == [plain] and stats.copies == 0


def test_only_a_known_translator_source_takes_the_fast_path(monkeypatch) -> None:
    import samtranslator

    assert samcopy.available()
    monkeypatch.setenv("APIGWC_SAM_FAST", "0")
    assert not samcopy.available()
    monkeypatch.delenv("APIGWC_SAM_FAST")
    monkeypatch.setitem(samcopy.KNOWN_SOURCES, samtranslator.__version__, "0" * 64)
    assert not samcopy.available()
