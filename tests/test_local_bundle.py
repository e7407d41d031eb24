"""The local bundle (apigwc.bundle, the local target): its format both ways, loading, and the CLI."""

from __future__ import annotations

import copy
import dataclasses
import enum
import hashlib
import json
import shutil
import typing
from pathlib import Path

import pytest

from apigwc import bundle, package_version
from apigwc import gateway as gw
from apigwc.diagnostics import Diagnostics
from apigwc.pipeline import compile_file
from apigwc.targets import BUILD_TARGETS, TARGETS, EmitOptions
from support import CORPUS, ROOT, SPECS, corpus_files, golden_bundle, tree

CASES = ROOT / "tests" / "cases"
EXAMPLES = sorted(SPECS.glob("*.yaml"))
REAL = corpus_files("real")


def _round_trip(gateway: gw.Gateway) -> None:
    data = bundle.to_data(gateway, base_dir="../specs")
    parsed = json.loads(json.dumps(data))
    back = bundle.from_data(parsed)
    assert back == gateway
    # the fields that take no part in equality (pointer, Model.generated) survive too
    assert bundle.to_data(back, base_dir="../specs") == parsed
    # and the lookups are rebuilt
    for name in ("_resources", "_children", "_methods", "_methods_by_path", "_models"):
        assert getattr(back, name) == getattr(gateway, name), name


# ----------------------------------------------------------------------------------------
# The format, both ways


@pytest.mark.parametrize("spec", EXAMPLES, ids=lambda p: p.stem)
def test_round_trip_on_the_examples(spec):
    _round_trip(compile_file(spec).gateway)


@pytest.mark.skipif(not REAL, reason=f"corpus not found at {CORPUS}")
@pytest.mark.parametrize("path", REAL, ids=lambda p: str(p.relative_to(CORPUS / "real")))
def test_round_trip_on_the_corpus(path):
    compiled = compile_file(path, str(path.relative_to(CORPUS)))
    if not compiled.ok:
        pytest.skip("does not compile (lint errors)")
    _round_trip(compiled.gateway)


def test_the_corpus_exercises_intrinsics_and_tagged_nodes():
    # the round trip above is only as good as what it meets: intrinsics, $type tags, pointers
    texts = [json.dumps(bundle.to_data(compile_file(p).gateway, base_dir=".")) for p in EXAMPLES]
    texts += [json.dumps(bundle.to_data(c.gateway, base_dir=".")) for c in map(compile_file, REAL) if c.ok]
    assert any('"$type": "AuthorizerSource"' in t for t in texts)
    assert any('"$type": "ExecuteApiSource"' in t for t in texts)
    assert any('"pointer": "/paths/' in t for t in texts)
    if REAL:
        assert any('{"Fn::Sub": ' in t for t in texts) and any('{"Ref": ' in t for t in texts)


def test_the_document_header_and_encoding():
    gateway = compile_file(SPECS / "secure-api.yaml", "specs/secure-api.yaml").gateway
    data = bundle.to_data(gateway, base_dir="../../../specs")
    assert list(data) == ["format", "version", "apigwc", "api", "baseDir", "gateway"]
    assert data["format"] == "apigwc-local-bundle" and data["version"] == bundle.VERSION == 1
    assert (data["apigwc"], data["api"], data["baseDir"]) == (package_version(), "notes", "../../../specs")
    g = data["gateway"]
    assert g["source"] == "secure-api.yaml"  # the file name; its folder is baseDir
    assert list(g) == [
        "source",
        "restApi",
        "resources",
        "methods",
        "models",
        "requestValidators",
        "authorizers",
        "gatewayResponses",
        "stages",
        "usagePlans",
        "apiKeys",
        "lambdaPermissions",
        "local",
    ]
    method = g["methods"][0]
    assert method["httpMethod"] in {m.value for m in gw.HttpMethod} and "authorizationType" in method
    assert method["integration"]["timeoutInMillis"] == gateway.methods[0].integration.timeout_in_millis
    permission = next(p for p in g["lambdaPermissions"] if p["source"]["$type"] == "AuthorizerSource")
    assert list(permission["source"]) == ["$type", "authorizer"]


def test_values_and_intrinsics_round_trip_exactly():
    from apigwc.intrinsics import Intrinsic

    gateway = compile_file(SPECS / "users.yaml").gateway
    sub = Intrinsic("Fn::Sub", "arn:aws:apigateway:${AWS::Region}:lambda:path/${Fn.Arn}/invocations")
    join = Intrinsic("Fn::Join", ["", ["a", {"Ref": "B"}]])
    api = dataclasses.replace(
        gateway.rest_api, name=sub, vpc_endpoint_ids=("vpce-1", join), policy={"Version": "2012-10-17"}
    )
    changed = dataclasses.replace(gateway, rest_api=api)
    data = json.loads(json.dumps(bundle.to_data(changed, base_dir=".")))
    assert data["gateway"]["restApi"]["name"] == {"Fn::Sub": sub.args}
    assert data["gateway"]["restApi"]["vpcEndpointIds"] == ["vpce-1", {"Fn::Join": ["", ["a", {"Ref": "B"}]]}]
    back = bundle.from_data(data)
    assert back.rest_api.name == sub and back.rest_api.vpc_endpoint_ids == ("vpce-1", join)
    assert back == changed


#: A digest of the model's shape (every field, its type, every enum's values).  When
#: gateway.py changes, bundles written before cannot be read: bump bundle.VERSION, then
#: update this digest.
PINNED = "1d80fab3faaf4290"


def _model_shape() -> str:
    lines = []
    for cls in (*gw.NODE_TYPES, gw.Gateway):
        hints = typing.get_type_hints(cls)
        lines += [
            f"{cls.__name__}.{f.name}: {hints[f.name]}" for f in dataclasses.fields(cls) if not f.name.startswith("_")
        ]
        for hint in hints.values():
            for e in (hint, *typing.get_args(hint)):
                if isinstance(e, type) and issubclass(e, enum.Enum):
                    lines.append(f"{e.__name__}: {sorted(m.value for m in e)}")
    return "\n".join(sorted(set(lines)))


def test_the_model_shape_is_pinned_to_the_version():
    digest = hashlib.sha256(_model_shape().encode()).hexdigest()[:16]
    assert (bundle.VERSION, digest) == (1, PINNED), (
        "the gateway model changed: bundles written before cannot be read; bump apigwc.bundle.VERSION, "
        f"update PINNED to {digest!r} and the version here, and regenerate the golden bundles (pytest --update-golden)"
    )


# ----------------------------------------------------------------------------------------
# Loading


@pytest.fixture
def built(tmp_path) -> Path:
    """A bundle folder of users.yaml in tmp_path/bundle (its spec copied to tmp_path/spec)."""
    (tmp_path / "spec").mkdir()
    shutil.copy(SPECS / "users.yaml", tmp_path / "spec" / "users.yaml")
    folder = tmp_path / "bundle"
    artifact = TARGETS["local"].emit(
        compile_file(tmp_path / "spec" / "users.yaml").gateway, EmitOptions(bundle_base_dir="../spec"), Diagnostics()
    )
    for rel, text in artifact.items():
        (folder / rel.removeprefix("local/")).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel.removeprefix("local/")).write_text(text)
    return folder


def test_load_bundle(built, tmp_path):
    loaded = bundle.load_bundle(built)
    assert isinstance(loaded, bundle.LoadedBundle)
    assert loaded.folder == built and loaded.base_dir == (tmp_path / "spec").resolve() and loaded.base_dir.is_absolute()
    assert loaded.gateway == compile_file(tmp_path / "spec" / "users.yaml").gateway
    assert loaded.gateway.source == str((tmp_path / "spec" / "users.yaml").resolve())
    assert loaded.gateway.method("/users", "GET") is not None
    assert bundle.is_bundle(built) and not bundle.is_bundle(tmp_path) and not bundle.is_bundle(built / "gateway.json")


def _rewrite(folder: Path, edit) -> Path:
    file = folder / "gateway.json"
    data = json.loads(file.read_text())
    edit(data)
    file.write_text(json.dumps(data))
    return file


def test_load_errors_for_paths(built, tmp_path):
    missing = tmp_path / "nope"
    assert bundle.load_bundle(missing) == f"cannot read '{missing}': no such file or directory"
    file = built / "gateway.json"
    assert bundle.load_bundle(file) == f"'{file}' is not a local bundle: a bundle is a folder holding gateway.json"
    empty = tmp_path / "empty"
    empty.mkdir()
    assert bundle.load_bundle(empty) == (
        f"'{empty}' is not a local bundle: it has no gateway.json "
        "(write one with 'apigwc build SPEC' or 'apigwc emit --target local SPEC -o DIR')"
    )
    build_folder = tmp_path / "out" / "users"
    shutil.copytree(built, build_folder / "local")
    assert (
        bundle.load_bundle(build_folder)
        == f"'{build_folder}' is a build folder; its local bundle is '{build_folder / 'local'}'"
    )


def test_load_errors_for_the_document(built):
    file = built / "gateway.json"
    file.write_text("{not json")
    assert (
        bundle.load_bundle(built)
        == f"'{file}' is not JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"
    )
    file.write_bytes(b'{"format": "\xff"}')
    assert bundle.load_bundle(built) == f"'{file}' is not UTF-8 text (byte 12)"
    file.write_text("[]")
    assert (
        bundle.load_bundle(built) == f"'{file}' is not an apigwc local bundle: expected a JSON object, found an array"
    )
    file.write_text('{"openapi": "3.0.3"}')
    assert (
        bundle.load_bundle(built)
        == f"'{file}' is not an apigwc local bundle: no format, expected \"apigwc-local-bundle\""
    )
    file.write_text('{"format": "sam-bundle", "version": 1}')
    assert (
        bundle.load_bundle(built)
        == f'\'{file}\' is not an apigwc local bundle: format "sam-bundle", expected "apigwc-local-bundle"'
    )


def test_a_newer_or_older_version_names_both_versions(built, monkeypatch):
    file = _rewrite(built, lambda d: d.update(version=2, apigwc="9.0.0"))
    assert bundle.load_bundle(built) == (
        f"'{file}' is a version 2 bundle (written by apigwc 9.0.0), but apigwc {package_version()} reads version 1: "
        "upgrade apigwc, or rebuild the bundle with this one ('apigwc build SPEC')"
    )
    _rewrite(built, lambda d: d.update(version=1, apigwc="0.0.1"))
    monkeypatch.setattr(bundle, "VERSION", 3)
    assert bundle.load_bundle(built) == (
        f"'{file}' is a version 1 bundle (written by apigwc 0.0.1), but apigwc {package_version()} reads version 3: "
        "rebuild the bundle ('apigwc build SPEC')"
    )


def _set(path: str, value):
    """An edit that sets data[...path...] (dots and [i]) to value, or deletes it (value is DELETE)."""

    def edit(data):
        keys = [int(k) if k.isdigit() else k for k in path.replace("[", ".").replace("]", "").split(".")]
        node = data
        for k in keys[:-1]:
            node = node[k]
        if value is DELETE:
            del node[keys[-1]]
        else:
            node[keys[-1]] = value

    return edit


DELETE = object()

MALFORMED = [
    ("version", "1", 'version: expected a positive integer, found "1"'),
    ("version", True, "version: expected a positive integer, found true"),
    ("baseDir", None, "baseDir: expected a string, found null"),
    ("extra", 1, "unknown field 'extra'"),
    ("gateway", DELETE, "missing field 'gateway'"),
    ("gateway", [], "gateway: expected an object, found an array"),
    (
        "gateway.methods[0].integration.timeoutInMillis",
        "x",
        'gateway.methods[0].integration.timeoutInMillis: expected an integer, found "x"',
    ),
    (
        "gateway.methods[0].integration.timeoutInMillis",
        1.5,
        "gateway.methods[0].integration.timeoutInMillis: expected an integer, found 1.5",
    ),
    (
        "gateway.methods[1].httpMethod",
        "FETCH",
        'gateway.methods[1].httpMethod: expected one of "GET", "PUT", "POST", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY", found "FETCH"',
    ),
    ("gateway.methods[0].apiKeyRequired", 0, "gateway.methods[0].apiKeyRequired: expected true or false, found 0"),
    (
        "gateway.methods[0].requestParameters",
        [],
        "gateway.methods[0].requestParameters: expected an object, found an array",
    ),
    (
        "gateway.methods[0].requestParameters",
        {"method.request.querystring.count": "yes"},
        'gateway.methods[0].requestParameters["method.request.querystring.count"]: expected true or false, found "yes"',
    ),
    (
        "gateway.methods[0].methodResponses",
        {},
        "gateway.methods[0].methodResponses: expected an array, found an object",
    ),
    (
        "gateway.methods[0].integration.uri",
        {"Fn::Nope": 1},
        "gateway.methods[0].integration.uri: expected a string or a CloudFormation intrinsic, found an object",
    ),
    ("gateway.methods[0].pointer", DELETE, "gateway.methods[0]: missing field 'pointer'"),
    ("gateway.methods[0].colour", "red", "gateway.methods[0]: unknown field 'colour'"),
    (
        "gateway.resources[0].kind",
        "ROOT",
        'gateway.resources[0].kind: expected one of "root", "literal", "param", "greedy", found "ROOT"',
    ),
    ("gateway.restApi", None, "gateway.restApi: expected an object, found null"),
    (
        "gateway.restApi.minimumCompressionSize",
        "a" * 60,
        'gateway.restApi.minimumCompressionSize: expected an integer, found "' + "a" * 36 + "...",
    ),
]


@pytest.mark.parametrize("path,value,message", MALFORMED, ids=[m[0] + ("-" + str(i)) for i, m in enumerate(MALFORMED)])
def test_a_malformed_document_names_the_field(built, path, value, message):
    file = _rewrite(built, _set(path, value))
    assert bundle.load_bundle(built) == f"'{file}' is malformed: {message}"


def test_a_malformed_tagged_node_names_the_tag():
    gateway = compile_file(SPECS / "secure-api.yaml").gateway
    data = json.loads(json.dumps(bundle.to_data(gateway, base_dir=".")))
    broken = copy.deepcopy(data)
    i = next(
        i for i, p in enumerate(broken["gateway"]["lambdaPermissions"]) if p["source"]["$type"] == "AuthorizerSource"
    )
    broken["gateway"]["lambdaPermissions"][i]["source"]["$type"] = "Nope"
    with pytest.raises(bundle.BundleError) as err:
        bundle.from_data(broken)
    assert str(err.value) == (
        f'malformed: gateway.lambdaPermissions[{i}].source.$type: expected one of "ExecuteApiSource", "AuthorizerSource", found "Nope"'
    )
    broken["gateway"]["lambdaPermissions"][i]["source"]["$type"] = []
    with pytest.raises(bundle.BundleError, match=r"\.source\.\$type: expected one of .*, found an array$"):
        bundle.from_data(broken)
    del broken["gateway"]["lambdaPermissions"][i]["source"]["$type"]
    with pytest.raises(bundle.BundleError, match=r"\.source\.\$type: expected one of .*, found null$"):
        bundle.from_data(broken)


# ----------------------------------------------------------------------------------------
# The target and the CLI


def test_the_target_is_registered_and_built():
    assert TARGETS["local"].name == "local" and TARGETS["local"].folder == "local"
    assert BUILD_TARGETS[-1] == "local"
    assert TARGETS["local"].handlers is bundle.ENCODERS


def test_the_target_dispatches_through_its_handlers():
    gateway = compile_file(SPECS / "users.yaml").gateway
    saved = bundle.ENCODERS.pop(gw.Method)
    try:
        with pytest.raises(KeyError):
            TARGETS["local"].emit(gateway, EmitOptions(), Diagnostics())
    finally:
        bundle.ENCODERS[gw.Method] = saved


def test_emit_local_writes_the_folder(run_cli, tmp_path):
    out = tmp_path / "a" / "bundle"
    r = run_cli("emit", "--target", "local", "specs/secure-api.yaml", "-o", str(out))
    assert (r.returncode, r.stdout, r.stderr) == (0, "", f"apigwc: wrote {out}\n")
    assert tree(out) == {
        "README.md": (CASES / "secure-api" / "local" / "README.md").read_bytes(),
        "gateway.json": golden_bundle("secure-api", out),
    }
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["bundle"]  # no temp folder left
    loaded = bundle.load_bundle(out)
    assert loaded.base_dir == SPECS.resolve()
    assert loaded.gateway == compile_file(SPECS / "secure-api.yaml").gateway
    # emitting again replaces the bundle, stray files included
    (out / "stray.txt").write_text("x")
    r = run_cli("emit", "--target", "local", "specs/users.yaml", "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert sorted(tree(out)) == ["README.md", "gateway.json"]
    assert bundle.load_bundle(out).gateway.rest_api.name == "Users"


def test_emit_local_with_relative_paths_from_another_folder(run_cli, tmp_path):
    (tmp_path / "api").mkdir()
    shutil.copy(SPECS / "users.yaml", tmp_path / "api" / "users.yaml")
    r = run_cli("emit", "-t", "local", "api/users.yaml", "-o", "build/local", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert json.loads((tmp_path / "build" / "local" / "gateway.json").read_text())["baseDir"] == "../../api"
    assert bundle.load_bundle(tmp_path / "build" / "local").base_dir == (tmp_path / "api").resolve()


def test_emit_local_usage_errors(run_cli, tmp_path):
    r = run_cli("emit", "--target", "local", "specs/users.yaml")
    assert (r.returncode, r.stdout, r.stderr) == (
        2,
        "",
        "apigwc: error: --target local writes a folder: give it with -o DIR\n",
    )
    blocker = tmp_path / "file"
    blocker.write_text("x")
    r = run_cli("emit", "--target", "local", "specs/users.yaml", "-o", str(blocker))
    assert (r.returncode, r.stderr) == (2, f"apigwc: error: -o '{blocker}' is a file, not a folder\n")
    other = tmp_path / "docs"
    other.mkdir()
    (other / "notes.md").write_text("mine\n")
    r = run_cli("emit", "--target", "local", "specs/users.yaml", "-o", str(other))
    assert (r.returncode, r.stderr) == (
        2,
        f"apigwc: error: -o '{other}' is a folder that holds other files; apigwc replaces the whole folder, so give a new one\n",
    )
    assert tree(other) == {"notes.md": b"mine\n"}
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run_cli("emit", "--target", "local", "specs/users.yaml", "-o", str(empty)).returncode == 0


def test_emit_local_stops_on_lint_errors(run_cli, tmp_path):
    spec = tmp_path / "bad.yaml"
    spec.write_text((SPECS / "users.yaml").read_text().replace("type: mock", "type: mock-ish", 1))
    r = run_cli("emit", "--target", "local", str(spec), "-o", str(tmp_path / "out"))
    assert r.returncode == 1 and "nothing was written" in r.stderr
    assert not (tmp_path / "out").exists()


def test_build_writes_and_checks_the_bundle(run_cli, tmp_path):
    out = tmp_path / "out"
    r = run_cli("build", "specs/users.yaml", "--out", str(out))
    assert r.returncode == 0, r.stderr
    folder = out / "users" / "local"
    assert tree(folder) == {
        "README.md": (CASES / "users" / "local" / "README.md").read_bytes(),
        "gateway.json": golden_bundle("users", folder),
    }
    loaded = bundle.load_bundle(folder)
    assert loaded.base_dir == SPECS.resolve() and loaded.gateway == compile_file(SPECS / "users.yaml").gateway
    assert run_cli("build", "--check", "specs/users.yaml", "--out", str(out)).returncode == 0
    (folder / "gateway.json").write_text(
        (folder / "gateway.json").read_text().replace('"timeoutInMillis": 29000', '"timeoutInMillis": 1000', 1)
    )
    (folder / "handler.py").write_text("")
    r = run_cli("build", "--check", "specs/users.yaml", "--out", str(out))
    assert r.returncode == 1
    assert r.stderr.endswith(
        f"apigwc: {out / 'users'} is stale (local/gateway.json, local/handler.py); run 'apigwc build specs/users.yaml'\n"
    )


def test_the_build_bundle_matches_the_golden_from_the_repository_root():
    # the golden bundles are what `apigwc build specs/<example>.yaml` writes from the repository root
    for example in EXAMPLES:
        assert json.loads((CASES / example.stem / "local" / "gateway.json").read_text())["baseDir"] == "../../../specs"


@pytest.mark.parametrize("spec", ["secure-api", "petstore-lambda"])
def test_emit_is_byte_identical_across_hash_seeds(run_cli, tmp_path, spec):
    runs = []
    for seed in ("0", "4242"):
        out = tmp_path / f"seed{seed}"
        r = run_cli("emit", "--target", "local", f"specs/{spec}.yaml", "-o", str(out), env={"PYTHONHASHSEED": seed})
        assert r.returncode == 0, r.stderr
        runs.append(tree(out))
    assert runs[0] == runs[1]
    text = runs[0]["gateway.json"].decode()
    assert text.endswith("}\n") and not text.endswith("\n\n") and '\n  "format": "apigwc-local-bundle",\n' in text
