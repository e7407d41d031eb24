"""apigwc lint runs on every real and large corpus file without a traceback.

The corpus lives in ../shared/corpus (or $APIGWC_CORPUS).  Findings on the real corpus
were reviewed by hand; docs/corpus-review.md records the reviewed counts, and this test
pins them so a rule change that adds or drops findings is noticed and re-reviewed.
"""

from __future__ import annotations

import collections
import json

import pytest

from apigwc.config import Config
from apigwc.pipeline import lint_file
from support import CORPUS, ROOT, corpus_files

REAL = corpus_files("real")
LARGE = corpus_files("large")
REVIEW = ROOT / "tests" / "corpus-review.json"

pytestmark = pytest.mark.skipif(not REAL, reason=f"corpus not found at {CORPUS}")


def _lint(path):
    return lint_file(path, str(path.relative_to(CORPUS)), Config())


@pytest.mark.parametrize("path", REAL, ids=lambda p: str(p.relative_to(CORPUS / "real")))
def test_real_file_lints_without_internal_errors(path):
    result = _lint(path)
    assert [d.message for d in result.diagnostics if d.code == "AGW000"] == []
    assert all(d.span is not None for d in result.diagnostics), "every diagnostic is located"


@pytest.mark.slow
@pytest.mark.parametrize("path", LARGE, ids=lambda p: p.name)
def test_large_file_lints_without_internal_errors(path):
    result = _lint(path)
    assert [d.message for d in result.diagnostics if d.code == "AGW000"] == []
    assert all(d.span is not None for d in result.diagnostics)


def error_counts() -> dict[str, dict[str, int]]:
    """Reviewed error-level findings per rule per real corpus file."""
    out: dict[str, dict[str, int]] = {}
    for path in REAL:
        counts = collections.Counter(d.code for d in _lint(path).diagnostics if d.severity.label == "error")
        if counts:
            out[str(path.relative_to(CORPUS / "real"))] = dict(sorted(counts.items()))
    return out


def test_error_findings_on_the_real_corpus_match_the_review(golden):
    golden(REVIEW, json.dumps(error_counts(), indent=2, sort_keys=True) + "\n")
