"""The test helpers' own policy: under CI a missing corpus fails the run instead of skipping it."""

from __future__ import annotations

import pytest

import support


def test_a_missing_corpus_is_an_empty_list_on_a_workstation(tmp_path, monkeypatch):
    monkeypatch.setattr(support, "CORPUS", tmp_path / "nowhere")
    monkeypatch.delenv("CI", raising=False)
    assert support.corpus_files("real") == []


def test_a_missing_corpus_fails_under_ci(tmp_path, monkeypatch):
    monkeypatch.setattr(support, "CORPUS", tmp_path / "nowhere")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="the corpus is missing at .*nowhere/real and CI is set"):
        support.corpus_files("real")


def test_a_present_corpus_lists_its_specs(tmp_path, monkeypatch):
    (tmp_path / "real" / "a").mkdir(parents=True)
    (tmp_path / "real" / "a" / "api.yaml").write_text("openapi: 3.0.3\n")
    (tmp_path / "real" / "a" / "notes.txt").write_text("not a spec\n")
    monkeypatch.setattr(support, "CORPUS", tmp_path)
    monkeypatch.setenv("CI", "true")
    assert support.corpus_files("real") == [tmp_path / "real" / "a" / "api.yaml"]
