"""The engine's API: errors as values, overrides, caching, limits that cannot hang."""

from __future__ import annotations

import time

from apigwc.value_text import JsonArray, java_double, java_text
from apigwc.vtl import Limits, TemplateError, TemplateRequest, bind, compile_template, render, render_compiled


def test_errors_are_values_with_positions() -> None:
    result = render("ok\n  $util.parseJson('{')")
    assert result == TemplateError(
        message="$util.parseJson: not valid JSON (Expecting property name enclosed in double quotes: line 1 column 2 (char 1))",
        line=2,
        col=3,
        offset=5,
        kind="runtime",
    )


def test_compile_is_cached_and_reusable() -> None:
    first = compile_template("$input.params('a')")
    assert compile_template("$input.params('a')") is first
    out = [render_compiled(first, bind(TemplateRequest(query={"a": (v,)})))[0] for v in ("1", "2")]
    assert out == ["1", "2"]


def test_overrides_are_returned_as_strings() -> None:
    result = render(
        "#set($context.responseOverride.status = 201)#set($context.responseOverride.header.Location = \"/p/$input.params('id')\")"
    )
    assert result.response_override == {"status": "201", "header": {"Location": "/p/"}}
    assert result.request_override == {}


def test_setting_into_a_null_path_is_an_error() -> None:
    result = render("#set($nope.x = 1)")
    assert isinstance(result, TemplateError)
    assert (result.kind, result.message) == ("runtime", "cannot set $nope.x: $nope is null")


def test_runaway_template_stops_within_the_time_bound() -> None:
    start = time.perf_counter()
    result = render("#foreach($a in [1..1000])#foreach($b in [1..1000])$a#end#end", limits=Limits(time_seconds=0.1))
    assert isinstance(result, TemplateError) and result.kind == "limit"
    assert time.perf_counter() - start < 2.0


def test_java_rendering_of_values() -> None:
    assert [java_double(v) for v in (0.1, 100.0, 1e7, 123456789.0, -0.0)] == [
        "0.1",
        "100.0",
        "1.0E7",
        "1.23456789E8",
        "-0.0",
    ]
    assert (
        java_text({"a": None, "b": [True, 1.5], "c": JsonArray([{"k": "v"}])})
        == '{a=null, b=[true, 1.5], c=[{"k":"v"}]}'
    )


def test_stop_keeps_output_and_break_at_top_level_stops() -> None:
    assert render("a#stop b").body == "a"
    assert render("a#break b").body == "a"


def test_input_body_override_keeps_the_request_parameters() -> None:
    """A response template reads the integration's body through $input and still sees the method request's parameters."""
    from apigwc.vtl.variables import UTIL, Input

    request = TemplateRequest(path_params={"id": "7"}, query={"q": ("a",)}, body='{"from": "client"}')
    template = compile_template("$input.params('id') $input.params('q') $input.json('$.from') $input.body")
    for body, expected in (
        (None, '7 a "client" {"from": "client"}'),
        (b'{"from": "backend"}', '7 a "backend" {"from": "backend"}'),
    ):
        output, error = render_compiled(
            template, {"input": Input(request, body), "util": UTIL, "context": {}, "stageVariables": {}}
        )
        assert (output, error) == (expected, None)
