"""A template's Lambda functions, for the local gateway.

Read from the CloudFormation the SAM translator produced (so ``Globals.Function`` is merged
exactly as SAM merges it), with each function's code folder taken from the template as
written: ``CodeUri`` (or SAM CLI's default, the template's folder), ``.aws-sam/build/<Id>``
when ``sam build`` has run (as ``sam local`` prefers it), or ``InlineCode`` / ``Code.ZipFile``
written to a content-addressed cache folder as ``index.py`` / ``index.js`` (Lambda's own
file names for inline code [Doc: AWS::Lambda::Function Code.ZipFile]).

They reach the gateway model as ``x-apigwc.local.functions`` (``ir.LocalFunction``), so
Python, Node.js and ``provided`` functions run as worker processes on the Lambda Runtime API
(``apigwc.lambda_runtime``) with their template Environment, Timeout and MemorySize.
"""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..source import join
from .values import NO_VALUE, Opaque, Resolver, Unknown


@dataclass
class Function:
    """One function as INTERFACES.md's LocalFunction describes it (plain data until the IR type lands)."""

    logical_id: str
    name: str
    runtime: str
    handler: str
    code_uri: str
    environment: dict[str, str]
    timeout: float
    memory_size: int
    layers: tuple[str, ...]
    reserved_concurrency: int | None
    pointer: str

    def to_json(self) -> dict:
        out: dict[str, Any] = {
            "runtime": self.runtime,
            "handler": self.handler,
            "codeUri": self.code_uri,
            "environment": dict(self.environment),
            "timeout": self.timeout,
            "memorySize": self.memory_size,
            "layers": list(self.layers),
        }
        if self.reserved_concurrency is not None:
            out["reservedConcurrency"] = self.reserved_concurrency
        return out


@dataclass
class FunctionSet:
    functions: dict[str, Function] = field(default_factory=dict)

    def by_name(self) -> dict[str, Function]:
        """Functions by every name an integration may use: logical id and FunctionName."""
        out: dict[str, Function] = {}
        for fn in self.functions.values():
            out[fn.logical_id] = fn
            out[fn.name] = fn
        return out


def _inline(code: str, runtime: str) -> str:
    ext = "js" if runtime.startswith("nodejs") else "py"
    digest = hashlib.sha256(f"{runtime}\0{code}".encode()).hexdigest()[:16]
    folder = Path(tempfile.gettempdir()) / "apigwc-inline" / digest
    target = folder / f"index.{ext}"
    if not target.is_file() or target.read_text(encoding="utf-8") != code:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".index.{ext}.tmp"
        tmp.write_text(code, encoding="utf-8")
        tmp.replace(target)
    return str(folder)


def read_functions(
    output: dict,
    original: dict,
    code_uris: dict[str, str],
    template_dir: Path,
    resolver: Resolver,
    report: Callable[[str, str, str], None],
) -> FunctionSet:
    """Every AWS::Lambda::Function of the expanded template.  ``report(pointer, what, flag)`` for unknown values."""
    out = FunctionSet()
    resources = output.get("Resources") if isinstance(output.get("Resources"), dict) else {}
    originals = original.get("Resources") if isinstance(original.get("Resources"), dict) else {}
    for logical, res in resources.items():
        if not isinstance(res, dict) or res.get("Type") != "AWS::Lambda::Function":
            continue
        props = res.get("Properties") if isinstance(res.get("Properties"), dict) else {}
        origin_ptr = join("/Resources", logical)
        orig = originals.get(logical) if isinstance(originals.get(logical), dict) else {}
        orig_props = orig.get("Properties") if isinstance(orig.get("Properties"), dict) else {}
        runtime = resolver.resolve(props.get("Runtime"), keep_resources=False)
        handler = resolver.resolve(props.get("Handler"), keep_resources=False)
        name = resolver.resolve(props.get("FunctionName", logical), keep_resources=False)
        if not isinstance(name, str):
            name = logical
        runtime = runtime if isinstance(runtime, str) else ""
        handler = handler if isinstance(handler, str) else ""
        code = props.get("Code") if isinstance(props.get("Code"), dict) else {}
        built = template_dir / ".aws-sam" / "build" / logical
        if built.is_dir():
            code_uri = str(built)
        elif isinstance(code.get("ZipFile"), str):
            code_uri = _inline(code["ZipFile"], runtime)
        elif logical in code_uris:
            code_uri = str((template_dir / code_uris[logical]).resolve())
        elif isinstance(orig_props.get("Code"), str):  # AWS::Lambda::Function Code: ./folder (sam package form)
            code_uri = str((template_dir / orig_props["Code"]).resolve())
        elif isinstance(orig_props.get("CodeUri"), str):  # SAM CLI reads CodeUri on plain Lambda functions too
            code_uri = str((template_dir / orig_props["CodeUri"]).resolve())
        else:
            code_uri = str(template_dir)
        env: dict[str, str] = {}
        variables = (
            (props.get("Environment") or {}).get("Variables") if isinstance(props.get("Environment"), dict) else None
        )
        orig_vars_ptr = join(origin_ptr, "Properties", "Environment", "Variables")
        for key, raw in (variables or {}).items() if isinstance(variables, dict) else ():
            value = resolver.resolve(raw, keep_resources=False)
            if isinstance(value, Unknown):
                report(join(orig_vars_ptr, key), f"environment variable {key} of {logical}: {value.what}", value.flag)
                continue
            if value is NO_VALUE or isinstance(value, Opaque):
                continue
            env[key] = "true" if value is True else "false" if value is False else str(value)
        timeout = props.get("Timeout", 3)
        memory = props.get("MemorySize", 128)
        reserved = props.get("ReservedConcurrentExecutions")
        layers = []
        for layer in props.get("Layers") or []:
            v = resolver.resolve(layer, keep_resources=False)
            layers.append(v if isinstance(v, str) else str(layer))
        out.functions[logical] = Function(
            logical_id=logical,
            name=name,
            runtime=runtime,
            handler=handler,
            code_uri=code_uri,
            environment=env,
            # a Timeout of 0 (SAM CLI's own test templates use it) runs with Lambda's default 3 s locally, as
            # SAM CLI runs it [Inf: CloudFormation rejects it at deploy, cfn-lint reports it]
            timeout=float(timeout)
            if isinstance(timeout, (int, float)) and not isinstance(timeout, bool) and timeout > 0
            else 3.0,
            memory_size=int(memory) if isinstance(memory, int) and not isinstance(memory, bool) else 128,
            layers=tuple(layers),
            reserved_concurrency=reserved if isinstance(reserved, int) and not isinstance(reserved, bool) else None,
            pointer=origin_ptr,
        )
    return out
