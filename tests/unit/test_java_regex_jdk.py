"""Java regex semantics proven against Java: every probe of java_regex/probes.py through the JDK's
java.util.regex (where javac and java are installed), recorded in java_regex/recorded.json, and
apigwc.java_regex held to the recorded answers on every machine.

Where a JDK is present, the recorded table must equal what the JDK answers now
(``pytest --update-golden`` rewrites it); without one, the table stands in for it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from apigwc.java_regex import check, matches

HERE = Path(__file__).parent / "java_regex"
RECORDED = HERE / "recorded.json"
sys.path.insert(0, str(HERE))
from probes import PROBES  # noqa: E402


def jdk_answers(tmp: Path) -> dict:
    subprocess.run(["javac", "-d", str(tmp), str(HERE / "Probe.java")], check=True, capture_output=True, timeout=300)
    lines = "".join("\t".join([p.encode().hex(), *(s.encode().hex() for s in inputs)]) + "\n" for p, inputs in PROBES)
    out = subprocess.run(
        ["java", "-cp", str(tmp), "Probe"], input=lines, capture_output=True, text=True, check=True, timeout=300
    )
    table = {}
    for (pattern, inputs), line in zip(PROBES, out.stdout.splitlines(), strict=True):
        kind, *rest = line.split("\t")
        if kind == "E":
            table[pattern] = {"error": bytes.fromhex(rest[1]).decode(), "index": int(rest[0])}
        else:
            table[pattern] = {"matches": {s: flag == "1" for s, flag in zip(inputs, rest[0], strict=True)}}
    return table


def render(table: dict) -> str:
    return json.dumps(table, indent=1, ensure_ascii=False) + "\n"


@pytest.mark.skipif(
    shutil.which("javac") is None or shutil.which("java") is None, reason="no JDK: the recorded table stands in"
)
def test_the_recorded_table_is_what_the_jdk_answers(tmp_path, golden):
    golden(RECORDED, render(jdk_answers(tmp_path)))


def recorded() -> dict:
    return json.loads(RECORDED.read_text(encoding="utf-8"))


@pytest.mark.parametrize("pattern", [p for p, _ in PROBES], ids=repr)
def test_apigwc_answers_as_java_does(pattern):
    java = recorded()[pattern]
    error = check(pattern)
    if "error" in java:
        assert error is not None, (
            f"Java rejects {pattern!r}: {java['error']} (index {java['index']}); apigwc accepts it"
        )
        assert error.message == java["error"] or java["error"].startswith(error.message.split(" {")[0]), (
            error.message,
            java["error"],
        )
        return
    assert error is None, f"Java accepts {pattern!r}; apigwc says {error}"
    ours = {text: matches(pattern, text) for text in java["matches"]}
    assert ours == java["matches"]
