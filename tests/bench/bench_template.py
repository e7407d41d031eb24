"""Benchmark: lint and build a generated SAM template (200 functions, 400 routes by default).

Run by hand (not collected by pytest):

    .venv/bin/python tests/bench/bench_template.py [--repeat N] [--functions 200 | --sizes 50,100,200,400]

The template has one AWS::Serverless::Api with Cors and an API key, and per function two
`Type: Api` events (GET and POST on its own path) plus Globals.Function environment.  Each
size is linted (`apigwc lint`, in process, the SAM translator included) and built (every
target) and the best of N wall times is kept.  Goal: lint under 2 s at 200 functions / 400
routes, time growing linearly with the number of routes (the per-route column stays flat).

"cold" is the first lint of a template, the one a user waits for: the SAM translator runs
(best of N, each with an empty translation cache).  aws-sam-translator deep-copies the
whole OpenAPI body about four times per event; template/samcopy.py makes those copies in
time that grows with the routes, with the same output, and skips the translator's walk over
every path item when an editor is created if that walk would do nothing (what is still
square in the routes is small: the key table of `paths` per copy and one test per path
item per editor).  apigwc caches the translation by content (template/expand.py), so every later run
of an unchanged template is "lint".  APIGWC_SAM_FAST=0 measures the plain translator.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "compiler"))


def template(functions: int) -> str:
    lines = [
        "Transform: AWS::Serverless-2016-10-31",
        "Globals:",
        "  Function:",
        "    Runtime: python3.12",
        "    Timeout: 10",
        "    Environment:",
        "      Variables:",
        "        STAGE: !Ref Stage",
        "Parameters:",
        "  Stage: {Type: String, Default: dev}",
        "Resources:",
        "  Api:",
        "    Type: AWS::Serverless::Api",
        "    Properties:",
        "      StageName: !Ref Stage",
        "      Cors: \"'*'\"",
        "      Auth: {ApiKeyRequired: true}",
    ]
    for i in range(functions):
        lines += [
            f"  Fn{i}:",
            "    Type: AWS::Serverless::Function",
            "    Properties:",
            "      Handler: app.handler",
            "      CodeUri: .",
            "      Events:",
            f"        Get: {{Type: Api, Properties: {{RestApiId: !Ref Api, Path: '/items{i}/{{id}}', Method: get}}}}",
            f"        Post: {{Type: Api, Properties: {{RestApiId: !Ref Api, Path: /items{i}, Method: post}}}}",
        ]
    return "\n".join(lines) + "\n"


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--functions", type=int, default=200)
    ap.add_argument("--sizes", help="comma-separated function counts (default: a quarter, half and all of --functions)")
    args = ap.parse_args()
    import os

    from apigwc.config import Config
    from apigwc.pipeline import build_artifacts
    from apigwc.targets.base import EmitOptions
    from apigwc.template import compile_template, lint_template

    print(f"{'functions':>9s} {'routes':>7s} {'cold':>7s} {'lint':>7s} {'build':>7s} {'lint/route':>11s}")
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["APIGWC_CACHE_DIR"] = str(Path(tmp) / "cache")
        (Path(tmp) / "app.py").write_text("def handler(event, context):\n    return {}\n")
        # warm up imports (the translator, jsonschema) so the first size is not charged for them
        warm = Path(tmp) / "warm.yaml"
        warm.write_text(template(2))
        lint_template(warm, "warm.yaml", Config())
        sizes = [int(x) for x in args.sizes.split(",")] if args.sizes else []
        for n in sorted(set(sizes) or {max(1, args.functions // 4), args.functions // 2, args.functions}):
            path = Path(tmp) / f"template-{n}.yaml"
            path.write_text(template(n))
            colds = []
            for i in range(args.repeat):  # each time with a translation cache of its own, empty
                os.environ["APIGWC_CACHE_DIR"] = str(Path(tmp) / f"cache-{n}-{i}")
                start = time.perf_counter()
                results = lint_template(path, path.name, Config())
                colds.append(time.perf_counter() - start)
            cold = min(colds)
            assert not isinstance(results, str) and not any(r.has_errors for r in results), [
                d for r in results for d in r.diagnostics if d.severity.name == "ERROR"
            ][:3]
            routes = sum(len([m for m in p if m != "options"]) for p in results[1].sources.main.data["paths"].values())
            lint = best(lambda path=path: lint_template(path, path.name, Config()), args.repeat)

            def build(path: Path = path) -> None:
                compiled = compile_template(path, path.name, Config())
                for c in compiled.apis.values():
                    build_artifacts(c, EmitOptions())

            built = best(build, args.repeat)
            print(f"{n:9d} {routes:7d} {cold:6.2f}s {lint:6.2f}s {built:6.2f}s {lint / routes * 1000:9.2f}ms")
    print("goal: lint < 2 s at 200 functions / 400 routes; the lint/route column flat (linear growth)")


if __name__ == "__main__":
    main()
