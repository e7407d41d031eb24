"""Benchmark `apigwc build`: time per stage on generated specs of growing size, and on the corpus.

Run by hand (not collected by pytest):

    PYTHONPATH=compiler python tests/bench/bench_build.py            # generated sizes + corpus large/
    PYTHONPATH=compiler python tests/bench/bench_build.py --quick    # smaller sizes only

Generated specs have N paths and about 2.5 operations per path, every operation with an
integration (Lambda proxy, Lambda custom with templates, HTTP, MOCK), models, an API
key, a TOKEN authorizer, validators and two stages.  Each stage keeps its fastest of ``--repeat`` runs.  The table reports each stage's time
and the time per operation (the stages run with the cyclic garbage collector paused, as
`apigwc.pipeline` runs them); the last column is the build time per operation as a ratio
to the smallest size's (the baseline, run in the same process): ~1.0 all the way down
means the build grows linearly with the spec.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "compiler"))

from apigwc.build import build_api  # noqa: E402
from apigwc.check import check  # noqa: E402
from apigwc.diagnostics import Diagnostics  # noqa: E402
from apigwc.lower import lower_api  # noqa: E402
from apigwc.output import output_name, write_outputs  # noqa: E402
from apigwc.rules import run_rules  # noqa: E402
from apigwc.source import open_sources  # noqa: E402
from apigwc.stages import gc_paused  # noqa: E402
from apigwc.targets import TARGETS, CfnStyle, EmitOptions  # noqa: E402

SIZES = [(100, 250), (250, 625), (500, 1250), (1000, 2500), (2000, 5000)]
QUICK = [(100, 250), (200, 500), (400, 1000)]
LAMBDA = "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:Fn%d/invocations"


def generate(paths: int, operations: int) -> dict:
    """An OpenAPI 3 document with `paths` paths and `operations` operations, all integrated."""
    spec: dict = {
        "openapi": "3.0.3",
        "info": {"title": f"Bench {paths}", "version": "1"},
        "x-amazon-apigateway-request-validators": {
            "all": {"validateRequestBody": True, "validateRequestParameters": True}
        },
        "x-amazon-apigateway-request-validator": "all",
        "paths": {},
        "components": {
            "securitySchemes": {
                "api_key": {"type": "apiKey", "name": "x-api-key", "in": "header"},
                "tok": {
                    "type": "apiKey",
                    "name": "Authorization",
                    "in": "header",
                    "x-amazon-apigateway-authtype": "custom",
                    "x-amazon-apigateway-authorizer": {"type": "token", "authorizerUri": LAMBDA % 0},
                },
            },
            "schemas": {},
        },
        "x-apigwc": {
            "stages": {
                "dev": {
                    "accessLog": {
                        "format": '{"requestId":"$context.requestId"}',
                        "destinationArn": "arn:aws:logs:us-east-1:123456789012:log-group:dev",
                    }
                },
                "prod": {
                    "accessLog": {
                        "format": '{"requestId":"$context.requestId"}',
                        "destinationArn": "arn:aws:logs:us-east-1:123456789012:log-group:prod",
                    }
                },
            },
            "usagePlans": {"basic": {"stages": ["dev", "prod"], "apiKeys": ["k"]}},
            "apiKeys": {"k": {}},
        },
    }
    verbs = ["get", "post", "delete", "put", "patch"]
    made = 0
    for i in range(paths):
        group = i // 20
        model = f"Item{group}"
        spec["components"]["schemas"].setdefault(
            model,
            {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}, "n": {"type": "integer"}}},
        )
        path = f"/group{group}/items{i}/{{id}}"
        item: dict = {"parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}]}
        remaining = operations - made
        per_path = max(1, min(len(verbs), round(remaining / (paths - i))))
        for verb in verbs[:per_path]:
            made += 1
            kind = made % 4
            ref = {"$ref": f"#/components/schemas/{model}"}
            op: dict = {
                "operationId": f"op{made}",
                "security": [{"tok": [], "api_key": []}],
                "responses": {
                    "200": {"description": "ok", "content": {"application/json": {"schema": ref}}},
                    "404": {"description": "no"},
                },
            }
            if verb in ("post", "put", "patch"):
                op["requestBody"] = {"required": True, "content": {"application/json": {"schema": ref}}}
            if kind == 0:
                integ = {"type": "aws_proxy", "httpMethod": "POST", "uri": LAMBDA % (made % 50)}
            elif kind == 1:
                integ = {
                    "type": "aws",
                    "httpMethod": "POST",
                    "uri": LAMBDA % (made % 50),
                    "requestTemplates": {
                        "application/json": '{"id": "$input.params(\'id\')", "body": $input.json(\'$\')}'
                    },
                    "responses": {"Not found.*": {"statusCode": "404"}, "default": {"statusCode": "200"}},
                }
            elif kind == 2:
                integ = {
                    "type": "http",
                    "httpMethod": verb.upper(),
                    "uri": "https://backend.example.com/items/{id}",
                    "requestParameters": {"integration.request.path.id": "method.request.path.id"},
                    "responses": {"404": {"statusCode": "404"}, "default": {"statusCode": "200"}},
                }
            else:
                integ = {
                    "type": "mock",
                    "requestTemplates": {"application/json": '{"statusCode": 200}'},
                    "responses": {
                        "default": {"statusCode": "200", "responseTemplates": {"application/json": '{"id": "x"}'}}
                    },
                }
            op["x-amazon-apigateway-integration"] = integ
            item[verb] = op
        spec["paths"][path] = item
    return spec


def timed(fn, *args):
    gc.collect()
    start = time.perf_counter()
    result = fn(*args)
    return result, time.perf_counter() - start


def stages(path: Path, force: bool = False) -> tuple[dict[str, float], int, str]:
    """Seconds per stage of one build of ``path``; ``force`` lowers even when lint has errors."""
    t: dict[str, float] = {}
    diags = Diagnostics()
    sources, t["load"] = timed(open_sources, path, str(path), diags)
    if sources is None:
        return t, 0, "does not parse"
    version, t["check"] = timed(check, sources, diags)
    if version is None:
        return t, 0, "not OpenAPI 2.0/3.0: a build stops at check"
    api, t["IR"] = timed(build_api, sources, version, diags)
    _, t["rules"] = timed(run_rules, api, diags)
    errors = sum(1 for d in diags if d.severity.name == "ERROR")
    note = f"{errors} lint errors" if errors else ""
    if errors and not force:
        return t, len(api.operations), note
    gateway, t["lower"] = timed(lower_api, api)
    files: dict[str, str] = {}
    for style in (CfnStyle.explicit, CfnStyle.body):
        artifact, t[f"cfn {style.value}"] = timed(
            TARGETS["cfn"].emit, gateway, EmitOptions(cfn_style=style), Diagnostics()
        )
        if style is CfnStyle.explicit:
            files.update(artifact)
    artifact, t["openapi"] = timed(TARGETS["openapi"].emit, gateway, EmitOptions(), Diagnostics())
    files.update(artifact)
    with tempfile.TemporaryDirectory() as out:
        _, t["write"] = timed(write_outputs, Path(out), output_name(gateway), files)
    return t, len(api.operations), note


def best_of(n: int, path: Path, force: bool = False) -> tuple[dict[str, float], int, str]:
    """`stages` run n times; each stage keeps its fastest time (the machine is shared and noisy)."""
    best: dict[str, float] = {}
    for _ in range(max(1, n)):
        with gc_paused():  # as the pipeline runs them (apigwc.pipeline.gc_paused)
            t, ops, note = stages(path, force)
        best = {k: min(v, best.get(k, v)) for k, v in t.items()}
    return best, ops, note


COLUMNS = ["load", "check", "IR", "rules", "lower", "cfn explicit", "cfn body", "openapi", "write"]


def table(rows: list[tuple[str, int, dict[str, float], str]], baseline_per_op: float | None) -> None:
    head = (
        f"{'spec':<34} {'ops':>6} "
        + " ".join(f"{c:>12}" for c in COLUMNS)
        + f" {'build s':>8} {'ms/op':>7} {'ratio':>6}"
    )
    print(head)
    print("-" * len(head))
    for name, ops, t, note in rows:
        # `apigwc build` = everything but the body style (it writes the explicit template)
        build = sum(v for k, v in t.items() if k != "cfn body")
        per_op = build / ops * 1000 if ops else 0.0
        ratio = f"{per_op / baseline_per_op:6.2f}" if baseline_per_op and ops else "     -"
        cells = " ".join(f"{t[c]:12.3f}" if c in t else f"{'-':>12}" for c in COLUMNS)
        print(f"{name:<34} {ops:>6} {cells} {build:8.2f} {per_op:7.2f} {ratio}" + (f"  ({note})" if note else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes only, no corpus")
    parser.add_argument("--repeat", type=int, default=3, help="runs per spec; each stage keeps its fastest (default 3)")
    args = parser.parse_args()
    sizes = QUICK if args.quick else SIZES
    rows = []
    baseline = None
    with tempfile.TemporaryDirectory() as tmp:
        for paths, operations in sizes:
            spec = Path(tmp) / f"generated-{paths}.json"
            spec.write_text(json.dumps(generate(paths, operations)), encoding="utf-8")
            t, ops, note = best_of(args.repeat, spec)
            build = sum(v for k, v in t.items() if k != "cfn body")
            if baseline is None:
                baseline = build / ops * 1000
            rows.append((f"generated {paths} paths", ops, t, note))
    print("Generated specs (every operation has an integration):\n")
    table(rows, baseline)
    if args.quick:
        return
    corpus = ROOT.parent / "shared" / "corpus" / "large"
    if corpus.is_dir():
        rows = []
        for spec in sorted(corpus.iterdir()):
            t, ops, note = best_of(args.repeat, spec, force=True)
            rows.append((spec.name, ops, t, note + (" - lowered anyway" if "lint errors" in note else "")))
        print("\nCorpus large/ (no integrations; lowered even when lint reports errors, which stop a real build):\n")
        table(rows, baseline)


if __name__ == "__main__":
    main()
