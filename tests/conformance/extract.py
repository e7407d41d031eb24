"""Derive conformance case files from AWS recordings (run by hand; the output is committed data).

    python tests/conformance/extract.py airspeed /work/.mirror/localstack+airspeed/repo

``airspeed``: localstack/airspeed records, for each template of its test suite, what a
real API Gateway REST API rendered (tests/test_templating.snapshot.json, keys
``render-result-N`` without ``-cli``; the ``-cli`` keys are Apache Velocity's answers
and are not used).  The test module only says *which* template and context each numbered
render used, so this script runs its ``TestTemplating`` methods with a recorder standing
in for the ``test_render`` fixture and pairs the N-th call with ``render-result-N``.

The recording setup (test_render_on_aws in that module) is reproduced as data in every
case: a MOCK integration whose request template stores the payload in
``$context.requestOverride.path.body`` and whose response template parses it and binds
each context key before the template under test.  The expected output is AWS's recorded
string, never apigwc's.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from pathlib import Path

HERE = Path(__file__).parent
AIRSPEED = "localstack/airspeed"
SNAPSHOT = "tests/test_templating.snapshot.json"
TESTS = "tests/test_templating.py"
MOCK_REQUEST_TEMPLATE = """
            #set($context.requestOverride.path.body = $input.body)
            {
              "statusCode": 200,
            }
            """


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


def response_template(template: str, context: dict) -> str:
    """The response template the recording deployed around ``template`` (test_render_on_aws)."""
    variable_defs = " ".join(f"#set(${var} = $bodyJSON.{var})" for var in context)
    head = "#set($body = $context.requestOverride.path.body)\n#set($bodyJSON = $util.parseJson($body)) %s\n%s"
    return head % (variable_defs, template)


def airspeed_calls(
    source: str, cls_name: str = "TestTemplating", fixture: str = "test_render"
) -> dict[str, list[dict]]:
    """Each method's ``fixture`` calls, in order: template, context, whitespace flag."""
    tree = ast.parse(source)
    cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == cls_name)
    kept = []
    for fn in cls.body:  # drop decorators (pytest marks) and methods using other fixtures
        if isinstance(fn, ast.FunctionDef):
            fn.decorator_list = []
            if [a.arg for a in fn.args.args] != ["self", fixture]:
                continue
        kept.append(fn)
    cls.body = kept
    module = ast.Module(body=[cls], type_ignores=[])
    namespace: dict = {"textwrap": textwrap}
    exec(compile(module, TESTS, "exec"), namespace)  # noqa: S102 - a recorded test module, run to learn its inputs
    out: dict[str, list[dict]] = {}
    for name in dir(namespace[cls_name]):
        if not name.startswith("test_"):
            continue
        calls: list[dict] = []

        def record(
            template,
            context=None,
            skip_cli=False,
            ignore_whitespaces=False,
            expected=None,
            _calls=calls,
        ):
            _calls.append(
                {
                    "template": template,
                    "context": context or {},
                    "ignore_whitespaces": ignore_whitespaces,
                }
            )

        try:
            getattr(namespace[cls_name](), name)(record)
        except Exception:  # a method that needs more than the recorder (objects, callables): not a template case
            continue
        out[name] = calls
    return out


def extract_airspeed(repo: Path) -> list[dict]:
    commit = _git(repo, "rev-parse", "HEAD").strip()
    snapshot = json.loads(_git(repo, "show", f"HEAD:{SNAPSHOT}"))
    calls = airspeed_calls(_git(repo, "show", f"HEAD:{TESTS}"))
    origin = dict.fromkeys(calls, commit)
    # a recording whose test later moved out of TestTemplating: its inputs are in an older version
    wanted = {k.rsplit("::", 1)[1] for k in snapshot if k.startswith(f"{TESTS}::TestTemplating::")}
    for old in _git(repo, "log", "--format=%H", "--", TESTS).split():
        missing = wanted - set(calls)
        if not missing:
            break
        try:
            older = airspeed_calls(_git(repo, "show", f"{old}:{TESTS}"))
        except (
            SyntaxError,
            StopIteration,
            Exception,
        ):  # an old version that does not run standalone
            continue
        for method in sorted(missing & {m for m, c in older.items() if c}):
            calls[method], origin[method] = older[method], old
    # recorded while still in TestTemplating, moved to TestMacros in the same commit
    # (70e02e7) with the same template and no context
    moved = airspeed_calls(_git(repo, "show", f"HEAD:{TESTS}"), "TestMacros", "test_render_locally")
    for method in sorted((wanted - set(calls)) & set(moved)):
        calls[method], origin[method] = moved[method], commit
    cases: list[dict] = []
    seen: set[tuple[str, str, str]] = set()
    for method, recorded in calls.items():
        key = f"{TESTS}::TestTemplating::{method}"
        content = snapshot.get(key, {}).get("recorded-content", {})
        for n, call in enumerate(recorded, 1):
            result_key = f"render-result-{n}"
            if result_key not in content:
                continue
            template = response_template(call["template"], call["context"])
            body = json.dumps(call["context"])
            same = (template, body, json.dumps(content[result_key]))
            if same in seen:  # a recording kept under an older test name as well
                continue
            seen.add(same)
            cases.append(
                {
                    "id": f"{method.removeprefix('test_')}-{n}",
                    "source": {
                        "repo": AIRSPEED,
                        "commit": commit,
                        "file": SNAPSHOT,
                        "key": key,
                        "recorded": result_key,
                        "inputs_from": f"{origin[method]}:{TESTS}",
                    },
                    "integration": "MOCK",
                    "request_template": MOCK_REQUEST_TEMPLATE,
                    "response_template": template,
                    "body": body,
                    "normalize_whitespace": call["ignore_whitespaces"],
                    "expected": content[result_key],
                }
            )
    return cases


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] != "airspeed":
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    cases = extract_airspeed(Path(argv[1]))
    target = HERE / "cases" / "airspeed_templates.json"
    target.write_text(json.dumps(cases, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{len(cases)} cases -> {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
