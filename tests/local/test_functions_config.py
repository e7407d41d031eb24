"""``x-apigwc.local.functions``: schema (AGW017), the gateway model, the OpenAPI export, the bundle, and `Functions.create`."""

from __future__ import annotations

from pathlib import Path

from apigwc import bundle
from apigwc import gateway as gw
from apigwc.local.functions import Functions
from apigwc.pipeline import compile_file

SPEC = """openapi: 3.0.1
info: {title: fns, version: "1"}
x-apigwc:
  local:
    pythonPath: [lib]
    lambdatimeoutSeconds: 1
    functions:
      Pets: {runtime: nodejs20.x, handler: src/app.handler, codeUri: pets, environment: {TABLE: pets, RETRIES: 3, DEBUG: true}, timeout: 10, memorySize: 512, layers: [layers/common], reservedConcurrency: 2}
      Tiny: {runtime: python3.12, handler: app.lambda_handler}
    lambdas: {Old: "handlers.pets:handler", Sam: app.lambda_handler}
paths: {}
"""


def compile_text(tmp_path: Path, text: str):
    path = tmp_path / "api.yaml"
    path.write_text(text, encoding="utf-8")
    return compile_file(path, path.name)


def test_functions_in_the_model_export_and_bundle(tmp_path: Path) -> None:
    compiled = compile_text(tmp_path, SPEC.replace("    lambdatimeoutSeconds: 1\n", ""))
    errors = [d.message for d in compiled.lint.diagnostics if d.severity.name == "ERROR"]
    assert errors == []
    local = compiled.gateway.local
    assert local.functions == {
        "Pets": gw.LocalFunction(
            name="Pets",
            runtime="nodejs20.x",
            handler="src/app.handler",
            code_uri="pets",
            environment={"DEBUG": "true", "RETRIES": "3", "TABLE": "pets"},
            timeout=10.0,
            memory_size=512,
            layers=("layers/common",),
            reserved_concurrency=2,
            pointer="/x-apigwc/local/functions/Pets",
        ),
        "Tiny": gw.LocalFunction(
            name="Tiny",
            runtime="python3.12",
            handler="app.lambda_handler",
            code_uri=".",
            environment={},
            timeout=3.0,
            memory_size=128,
            layers=(),
            reserved_concurrency=None,
            pointer="/x-apigwc/local/functions/Tiny",
        ),
    }
    assert list(local.functions) == ["Pets", "Tiny"]
    # the bundle carries them as they are
    data = bundle.to_data(compiled.gateway, base_dir=".")
    assert bundle._decode_gateway(data["gateway"]).local == local
    # the OpenAPI export writes them back
    from apigwc.targets.openapi import _local

    exported = _local(local, None)
    assert exported["functions"]["Pets"] == {
        "runtime": "nodejs20.x",
        "handler": "src/app.handler",
        "codeUri": "pets",
        "environment": {"DEBUG": "true", "RETRIES": "3", "TABLE": "pets"},
        "timeout": 10,
        "memorySize": 512,
        "layers": ["layers/common"],
        "reservedConcurrency": 2,
    }
    assert exported["functions"]["Tiny"] == {
        "runtime": "python3.12",
        "handler": "app.lambda_handler",
        "codeUri": ".",
        "timeout": 3,
        "memorySize": 128,
    }


def test_functions_create_merges_every_source(tmp_path: Path) -> None:
    compiled = compile_text(tmp_path, SPEC.replace("    lambdatimeoutSeconds: 1\n", "    lambdaTimeoutSeconds: 7\n"))
    (tmp_path / "lib").mkdir()
    (tmp_path / "tool.mjs").write_text("export const go = async () => 1;\n")
    functions = Functions.create(
        compiled.gateway.local, tmp_path, {"Tiny": "other.handler", "Extra": "tool.go", "PyExtra": "mod.fn"}
    )
    configs = functions.configs
    assert (configs["Pets"].code_dir, configs["Pets"].layers) == (tmp_path / "pets", (tmp_path / "layers" / "common",))
    assert (configs["Tiny"].handler, configs["Tiny"].runtime, configs["Tiny"].origin) == (
        "other.handler",
        "python3.12",
        "--lambda",
    )
    assert (configs["Old"].runtime, configs["Old"].code_dir, configs["Old"].timeout, configs["Old"].python_path) == (
        "python3",
        tmp_path,
        7.0,
        (tmp_path / "lib",),
    )
    assert (configs["Extra"].runtime, configs["Extra"].handler) == ("nodejs20.x", "tool.go")
    assert configs["PyExtra"].runtime == "python3"
    assert (
        functions.resolve(
            gw.LambdaFunction(
                arn="arn:aws:lambda:us-east-1:123456789012:function:Pets:live", name="Pets", qualifier="live"
            ),
            {},
        )
        == "Pets"
    )
    missing = "(Runtime.ImportModuleError on the first call)"
    assert functions.problems() == [
        f"Pets: layer folder {tmp_path / 'layers' / 'common'} does not exist",
        f"Old: 'handlers.pets:handler': no module 'handlers.pets' in {tmp_path} {missing}",
        f"Pets: the code folder {tmp_path / 'pets'} of function Pets does not exist",
        f"PyExtra: 'mod.fn': no module 'mod' in {tmp_path} {missing}",
        f"Sam: 'app.lambda_handler': no module 'app' in {tmp_path} {missing}",
        f"Tiny: 'other.handler': no module 'other' in {tmp_path} {missing}",
    ]
    # once the files are there, nothing is said (nothing is imported to know it)
    (tmp_path / "handlers").mkdir()
    (tmp_path / "handlers" / "pets.py").write_text("raise SystemExit('never imported at start')\n")
    (tmp_path / "lib" / "mod.py").write_text("")
    (tmp_path / "app.py").write_text("")
    (tmp_path / "other").mkdir()
    (tmp_path / "pets").mkdir()
    (tmp_path / "layers" / "common").mkdir(parents=True)
    functions = Functions.create(
        compiled.gateway.local,
        tmp_path,
        {"Tiny": "other.handler", "Extra": "tool.go", "PyExtra": "mod.fn", "Nested": "tool.go.deeper"},
    )
    assert functions.problems() == [
        f"Pets: 'src/app.handler': no file src/app.js, .mjs or .cjs in {tmp_path / 'pets'} {missing}"
    ]


def test_malformed_functions_are_agw017(tmp_path: Path) -> None:
    compiled = compile_text(
        tmp_path,
        """openapi: 3.0.1
info: {title: bad, version: "1"}
x-apigwc:
  local:
    functions:
      Fn: {handler: app.handler, timeout: 0, memroySize: 256}
    lambdas: {Worse: "not a handler"}
paths: {}
""",
    )
    found = sorted((d.code, d.span.line, d.message) for d in compiled.lint.diagnostics if d.code == "AGW017")
    assert found == [
        ("AGW017", 6, "'Fn' is missing required key 'runtime'"),
        ("AGW017", 6, "'timeout' must be > 0, found 0"),
        ("AGW017", 6, "unknown key 'memroySize' in 'Fn'"),
        (
            "AGW017",
            7,
            "'Worse' 'not a handler' does not match the pattern ^[A-Za-z_][A-Za-z0-9_./]*[:.][A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*$",
        ),
    ]


def test_a_layer_given_as_an_arn_is_named(tmp_path: Path) -> None:
    fn = gw.LocalFunction(
        name="F",
        runtime="python3.12",
        handler="app.handler",
        code_uri=".",
        environment={},
        timeout=3.0,
        memory_size=128,
        layers=("arn:aws:lambda:us-east-1:123456789012:layer:deps:4",),
        reserved_concurrency=None,
        pointer="/x",
    )
    (tmp_path / "app.py").write_text("")
    settings = gw.LocalSettings(
        lambdas={}, jwks={}, endpoints={}, python_path=(), lambda_timeout_seconds=None, functions={"F": fn}
    )
    functions = Functions.create(settings, tmp_path)
    assert functions.problems() == [
        "F: layer arn:aws:lambda:us-east-1:123456789012:layer:deps:4 is not on this machine (give its folder in layers); what it provides is missing"
    ]
    assert functions.configs["F"].layers == ()
