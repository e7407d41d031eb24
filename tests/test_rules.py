"""Every diagnostic code has a bad and a good case under tests/rules/<CODE>/.

    tests/rules/AGW201/bad.yaml           a minimal spec that triggers the code
    tests/rules/AGW201/good.yaml          the same spec, fixed
    tests/rules/AGW201/bad.expected.txt   golden: one line per diagnostic of that code
    tests/rules/AGW201/bad-NAME.yaml      optional further bad cases (other branches of the
                                          rule), each with its bad-NAME.expected.txt

The bad case is linted through the real pipeline with only that code selected; its
diagnostics (location, severity, message and hint) are compared with the golden file,
which ``pytest --update-golden`` rewrites through the same code path.  The good case is
linted with every rule on: it must produce nothing of that code and no error of any code.
A new case is a new folder.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from apigwc.codes import all_codes
from apigwc.config import Config
from apigwc.diagnostics import Diagnostic, Severity
from apigwc.pipeline import build_artifacts, compile_file, compile_stack, lint_file
from apigwc.rules import RULES
from apigwc.targets.base import CfnStyle, EmitOptions
from apigwc.template import is_template_file

CASES = Path(__file__).resolve().parent / "rules"
FOLDERS = sorted(p.name for p in CASES.iterdir() if p.is_dir())
#: AGW000 reports a crash inside apigwc; no spec should be able to trigger it.
#: AGW903 needs a template over 1 MB (thousands of methods): tests/test_cfn.py generates that spec.
#: AGW040-AGW043 are about template resources, not specs: tests/test_template_explicit.py pins each one.
UNTESTABLE = {"AGW000", "AGW903", "AGW040", "AGW041", "AGW042", "AGW043"}


def diagnostics(path: Path, config: Config) -> list[Diagnostic]:
    """Lint diagnostics, plus for target codes (AGW9xx) those of a build in both CloudFormation
    styles (of a template: its whole stack, `pipeline.compile_stack`)."""
    compiled = compile_file(path, display=path.name, config=config)
    found = list(compiled.lint.diagnostics)
    if compiled.gateway is not None:
        for style in CfnStyle:
            _, target_diags = build_artifacts(compiled, EmitOptions(cfn_style=style), config)
            found += [d for d in target_diags if d not in found]
    if is_template_file(path):
        for style in CfnStyle:
            stack = compile_stack(path, path.name, config, style.value)
            if not isinstance(stack, str):
                found += [d for d in stack.diagnostics if d not in found]
    return found


def golden_line(d: Diagnostic) -> str:
    """flake8 form, with the hint on the same line so that hints are pinned too."""
    where = f"{d.span.file}:{d.span.line}:{d.span.col}" if d.span else "<unknown>"
    line = f"{where}: {d.code} {d.severity.label} {d.message}"
    return line + (f" -- hint: {d.hint}" if d.hint else "")


def case_file(folder: Path, stem: str) -> Path:
    found = [p for p in (folder / f"{stem}.yaml", folder / f"{stem}.json") if p.exists()]
    assert len(found) == 1, (
        f"{folder.name} needs exactly one {stem}.yaml or {stem}.json, found {[p.name for p in found]}"
    )
    return found[0]


@pytest.mark.parametrize("code", FOLDERS)
def test_bad_case_matches_golden(code: str, golden) -> None:
    folder = CASES / code
    bad = case_file(folder, "bad")
    mine = [d for d in diagnostics(bad, Config(select=(code,))) if d.code == code]
    assert mine, f"{bad.name} produces no {code}"
    assert all(d.span is not None for d in mine), "every diagnostic must have a location"
    golden(folder / "bad.expected.txt", "".join(golden_line(d) + "\n" for d in mine))


EXTRA_BAD = sorted((f, p.stem) for f in FOLDERS for p in (CASES / f).glob("bad-*") if p.suffix in (".yaml", ".json"))


@pytest.mark.parametrize(("code", "stem"), EXTRA_BAD, ids=[f"{c}/{s}" for c, s in EXTRA_BAD])
def test_further_bad_case_matches_golden(code: str, stem: str, golden) -> None:
    folder = CASES / code
    bad = case_file(folder, stem)
    mine = [d for d in diagnostics(bad, Config(select=(code,))) if d.code == code]
    assert mine, f"{bad.name} produces no {code}"
    assert all(d.span is not None for d in mine), "every diagnostic must have a location"
    golden(folder / f"{stem}.expected.txt", "".join(golden_line(d) + "\n" for d in mine))


@pytest.mark.parametrize("code", FOLDERS)
def test_good_case_is_clean(code: str) -> None:
    folder = CASES / code
    good = case_file(folder, "good")
    result = lint_file(good, display=good.name, config=Config())
    name = all_codes()[code].name
    if result.api is not None:
        for where, entries in result.api.suppressions.items():
            assert not {code, name, "ALL"} & set(entries), (
                f"{good.name} suppresses {code} at {where!r}: fix the spec instead"
            )
    found = diagnostics(good, Config()) if all_codes()[code].stage == "target" else result.diagnostics
    assert [golden_line(d) for d in found if d.code == code] == []
    assert [golden_line(d) for d in found if d.severity is Severity.ERROR] == []


# --------------------------------------------------------------------------------------
# Meta tests over the registry


def test_every_code_has_a_case_folder() -> None:
    missing = sorted(set(all_codes()) - UNTESTABLE - set(FOLDERS))
    assert missing == []


def test_every_case_folder_names_a_registered_code() -> None:
    unknown = sorted(set(FOLDERS) - set(all_codes()))
    assert unknown == []
    assert sorted(UNTESTABLE & set(FOLDERS)) == []


def test_every_case_folder_is_complete() -> None:
    incomplete = [
        f
        for f in FOLDERS
        if not (CASES / f / "bad.expected.txt").exists()
        or not any((CASES / f / n).exists() for n in ("bad.yaml", "bad.json"))
        or not any((CASES / f / n).exists() for n in ("good.yaml", "good.json"))
    ]
    assert incomplete == []


@pytest.mark.parametrize("code", sorted(c for c in all_codes() if c not in UNTESTABLE))
def test_docstring_has_the_sections(code: str) -> None:
    doc = all_codes()[code].doc
    missing = [s for s in ("What it checks:", "Why:", "Example", "Fix:") if s not in doc]
    assert missing == [], f"{code} doc lacks {missing}"
    assert all_codes()[code].summary.strip(), f"{code} has no summary"


def test_codes_and_names_are_well_formed_and_unique() -> None:
    codes = all_codes()
    assert [c for c in codes if not re.fullmatch(r"AGW\d{3}", c)] == []
    names = [c.name for c in codes.values()]
    assert [n for n in names if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", n)] == []
    assert sorted({n for n in names if names.count(n) > 1}) == []
    assert all(codes[c].code == c for c in codes)


def test_rules_are_registered_codes_with_default_severities() -> None:
    codes = all_codes()
    for code, r in RULES.items():
        assert codes[code] is r.code
        assert r.code.stage == "rule"
        assert isinstance(r.code.severity, Severity)


@pytest.mark.parametrize(
    "selector,head",
    [
        ("AGW201", "AGW201 lambda-http-method (warning, rule)"),
        ("no-authorization", "AGW801 no-authorization (warning, rule)"),
        ("AGW008", "AGW008 unresolvable-ref (error, source)"),
    ],
)
def test_explain_prints_the_doc(run_cli, selector: str, head: str) -> None:
    proc = run_cli("lint", "--explain", selector)
    assert proc.returncode == 0, proc.stderr
    code = next(c for c in all_codes().values() if head.startswith(c.code + " "))
    assert proc.stdout.splitlines()[0] == head
    assert code.doc in proc.stdout
    assert proc.stderr == ""


def test_explain_unknown_code_is_a_usage_error(run_cli) -> None:
    proc = run_cli("lint", "--explain", "AGW999")
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr == "apigwc: error: unknown rule 'AGW999'; 'apigwc rules' lists them all\n"
