"""Benchmark: renders per second of a realistic mapping template, API Gateway layer vs raw engine.

The template walks 100 items with ``#foreach`` and escapes two fields each with
``$util.escapeJavaScript``.  Three measurements in the same process:

1. raw airspeed: ``airspeed.Template(t).merge(data)`` with plain Python data and a plain
   ``util`` object (no API Gateway layer, no Java semantics);
2. apigwc engine, plain data: the compiled template with the same plain namespace;
3. apigwc API Gateway layer: a `TemplateRequest` whose JSON body is parsed by ``$input.path``, with
   ``$util``/``$context`` bound per request, exactly what the local gateway does.

Run by hand:  /work/venv/bin/python tests/bench/bench_vtl.py [seconds-per-measurement]
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "compiler"))

import airspeed  # noqa: E402

from apigwc.vtl import TemplateRequest, bind, compile_template, render_compiled  # noqa: E402
from apigwc.vtl.variables import escape_javascript  # noqa: E402

TEMPLATE = """#set($root = $input.path('$'))
{"items": [
#foreach($item in $root.items)
  {"id": "$item.id", "name": "$util.escapeJavaScript($item.name)", "note": "$util.escapeJavaScript($item.note)"}#if($foreach.hasNext),#end

#end
]}"""
RAW_TEMPLATE = TEMPLATE.replace("$input.path('$')", "$data")

ITEMS = [{"id": i, "name": f"item {i} 'quoted'", "note": f'line\nbreak / "{i}" café'} for i in range(100)]
BODY = json.dumps({"items": ITEMS})


class PlainUtil:
    """The raw engine's stand-in for $util: a plain object with the same function."""

    def escapeJavaScript(self, s):  # noqa: N802 - the VTL method name
        return escape_javascript(str(s))


def measure(fn, seconds: float) -> float:
    fn()
    count = 0
    start = time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        fn()
        count += 1
    return count / elapsed


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 2.0
    raw = airspeed.Template(RAW_TEMPLATE)
    util = PlainUtil()
    plain = json.loads(BODY)

    compiled_raw = compile_template(RAW_TEMPLATE)
    compiled = compile_template(TEMPLATE)
    request = TemplateRequest(body=BODY, headers={"Content-Type": ("application/json",)})

    def raw_airspeed() -> str:
        return raw.merge({"data": plain, "util": util})

    def apigwc_plain() -> str:
        out, err = render_compiled(compiled_raw, {"data": plain, "util": util_layer})
        return out

    def apigwc_layer() -> str:
        out, err = render_compiled(compiled, bind(request))
        return out

    util_layer = bind(request)["util"]
    # same work in all three: the layer and the plain run print the same text, airspeed the same items
    assert apigwc_layer() == apigwc_plain(), "the API Gateway layer and the plain run must agree"
    assert raw_airspeed().count('"id": ') == apigwc_layer().count('"id": ') == len(ITEMS)
    results = [
        ("raw airspeed merge (plain data)", measure(raw_airspeed, seconds)),
        ("apigwc engine (plain data)", measure(apigwc_plain, seconds)),
        ("apigwc API Gateway layer (JSON body, $input/$util/$context)", measure(apigwc_layer, seconds)),
    ]
    base = results[0][1]
    print(f"template: #foreach over {len(ITEMS)} items, 2 x $util.escapeJavaScript each; {seconds:g} s per measurement")
    for name, rate in results:
        print(f"  {name:60s} {rate:9.0f} renders/s  ({rate / base:.2f}x raw)")
    print(f"ratio API Gateway layer / raw engine: {results[2][1] / base:.2f}")


if __name__ == "__main__":
    main()
