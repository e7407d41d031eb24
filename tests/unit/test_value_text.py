"""apigwc.value_text: one function per output that prints a value, each with the values that tell them apart."""

from __future__ import annotations

import pytest

from apigwc.value_text import (
    JsonArray,
    authorizer_text,
    claim_text,
    java_double,
    java_text,
    json_text,
    log_map,
    log_value,
    mapping_text,
    proxy_header_text,
    substitution_text,
)

NESTED = {"a": {"b": [1, "x"]}, "c": None}


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1.0, "1.0"),
        (0.5, "0.5"),
        (1e20, "1.0E20"),
        (1e-4, "1.0E-4"),
        (12345678.0, "1.2345678E7"),
        (-0.0, "-0.0"),
        (float("nan"), "NaN"),
        (float("-inf"), "-Infinity"),
    ],
)
def test_java_double_prints_like_java(value, text):
    assert java_double(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("plain", "plain"),
        ('say "hi"', 'say "hi"'),
        ("héllo ☃", "héllo ☃"),
        (True, "true"),
        (False, "false"),
        (None, "null"),
        (42, "42"),
        (1.0, "1.0"),
        (1e20, "1.0E20"),
        (NESTED, "{a={b=[1, x]}, c=null}"),
        ([1.0, None, True], "[1.0, null, true]"),
        (range(3), "[0, 1, 2]"),
        (JsonArray([1, "a", {"k": "v"}]), '[1,"a",{"k":"v"}]'),
        ({"q": 'a "b"'}, '{q=a "b"}'),
    ],
)
def test_java_text_is_string_value_of(value, text):
    assert java_text(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1.0, "1.0"),
        (1e20, "1e+20"),
        (2.5, "2.5"),
        (True, "true"),
        (None, "null"),
        ("héllo ☃", '"héllo ☃"'),
        ('say "hi"', '"say \\"hi\\""'),
        (NESTED, '{"a":{"b":[1,"x"]},"c":null}'),
        (JsonArray([1, None]), "[1,null]"),
        ({"r": range(2)}, '{"r":[0,1]}'),
    ],
)
def test_json_text_is_compact_json(value, text):
    assert json_text(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("plain", "plain"),
        ('say "hi"', 'say "hi"'),
        ("héllo ☃", "héllo ☃"),
        (True, "true"),
        (False, "false"),
        (7, "7"),
        (1.0, "1.0"),
        (1e20, "1e+20"),
        (NESTED, '{"a":{"b":[1,"x"]},"c":null}'),
        ([1.0, "é"], '[1.0,"é"]'),
    ],
)
def test_mapping_text_prints_scalars_as_text_and_structures_as_json(value, text):
    assert mapping_text(value) == text


@pytest.mark.parametrize(
    ("value", "missing", "text"),
    [
        (None, "", ""),
        (None, "-", "-"),
        ("plain", "", "plain"),
        ('say "hi"', "", 'say "hi"'),
        (True, "", "true"),
        (3, "", "3"),
        (1.0, "", "1.0"),
        (1e20, "", "1e+20"),
        (NESTED, "", '{"a":{"b":[1,"x"]},"c":null}'),
        ({"u": "héllo"}, "", '{"u":"h\\u00e9llo"}'),
        (["a", 1], "", '["a",1]'),
    ],
)
def test_substitution_text_prints_missing_for_none_and_json_for_structures(value, missing, text):
    assert substitution_text(value, missing) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("plain", "plain"),
        ("héllo", "héllo"),
        (None, "null"),
        (("a", "b"), "[a, b]"),
        (["x"], "[x]"),
        (5, "5"),
    ],
)
def test_log_value_prints_like_a_java_collection(value, text):
    assert log_value(value) == text


def test_log_map_takes_a_mapping_or_pairs():
    assert log_map({"Accept": "*/*", "X": ("a", "b"), "N": None}) == "{Accept=*/*, X=[a, b], N=null}"
    assert log_map([("a", "1"), ("a", "2")]) == "{a=1, a=2}"
    assert log_map({}) == "{}"


@pytest.mark.parametrize(
    ("value", "text"),
    [("user", "user"), (True, "true"), (False, "false"), (12, "12"), (1.5, "1.5"), (1e20, "1e+20")],
)
def test_authorizer_text_stringifies_scalars(value, text):
    assert authorizer_text(value) == text


def test_claim_text_prints_times_lists_and_objects():
    assert claim_text("exp", 1700000000) == "Tue Nov 14 22:13:20 UTC 2023"
    assert claim_text("custom", 1700000000) == "1700000000"
    assert claim_text("groups", ["a", True, None]) == "[a, true, null]"
    assert claim_text("addr", {"city": "Zürich"}) == '{"city":"Z\\u00fcrich"}'
    assert claim_text("email_verified", False) == "false"


@pytest.mark.parametrize(
    ("value", "text"),
    [("v", "v"), (True, "true"), (3, "3"), (1.0, "1.0"), (1e20, "1e+20"), (None, None), ({"a": 1}, None), ([1], None)],
)
def test_proxy_header_text_takes_scalars_only(value, text):
    assert proxy_header_text(value) == text
