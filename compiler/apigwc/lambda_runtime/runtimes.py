"""Lambda runtimes on this machine: how to start a worker process for a function.

Each runtime family turns a `FunctionConfig` into a `Launch` (the command, the extra
environment) or a `Unsupported` reason that names the runtime, so a route to a function
that cannot run answers an error saying why (never a silent wrong answer):

* ``python3.x`` (and ``python3``, the runtime of ``x-apigwc.local.lambdas``): the machine's Python runs apigwc's runtime client
  (``bootstraps/python_bootstrap.py``, standard library only) with the function's folder
  first on ``sys.path``, then ``x-apigwc.local.pythonPath`` folders and layers' ``python``
  folders (``PYTHONPATH``).  The interpreter is ``python3.x`` when the machine has that
  exact version, else the one apigwc runs on (its base, outside any virtualenv).
* ``nodejs*.x``: the machine's ``node`` runs ``bootstraps/node_bootstrap.mjs``; layers'
  ``nodejs/node_modules`` go on ``NODE_PATH``.
* ``provided``, ``provided.al2``, ``provided.al2023``: the function's own ``bootstrap``
  executable, run as it is (Go, Rust, C, shell...).
* ``java*``, ``dotnet*``, ``ruby*``: not run (no runtime client here); reported.

Why our own small clients rather than ``awslambdaric``: it needs a C++ build (no wheel
for every Python) and the Node one is not in the machine's node; ours start in tens of
milliseconds and are a hundred lines each.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

BOOTSTRAPS = Path(__file__).resolve().parent / "bootstraps"
PYTHON_BOOTSTRAP = BOOTSTRAPS / "python_bootstrap.py"
NODE_BOOTSTRAP = BOOTSTRAPS / "node_bootstrap.mjs"

_PYTHON = re.compile(r"^python(3(?:\.\d+)?)$")
_NODE = re.compile(r"^nodejs(\d+)\.x$")
PROVIDED = ("provided", "provided.al2", "provided.al2023")
#: runtimes apigwc runs (a family name for messages)
SUPPORTED = "python3.9-python3.13, nodejs18.x-nodejs22.x, provided, provided.al2, provided.al2023"


_IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
#: ``module.function``, ``pkg/module.function``, ``module:attr.path``
_PYTHON_HANDLER = re.compile(rf"^{_IDENT}(?:[./]{_IDENT})*(?::{_IDENT}(?:\.{_IDENT})*|\.{_IDENT})$")
#: ``file.export``, ``dir/file.export``, ``file.a.b``
_NODE_HANDLER = re.compile(r"^[A-Za-z0-9_./@-]+\.[A-Za-z_$][A-Za-z0-9_$.]*$")


@dataclass(frozen=True, slots=True)
class FunctionConfig:
    """What a worker needs to know about a function (from `gateway.LocalFunction`, or the old ``lambdas`` form)."""

    name: str
    runtime: str
    handler: str
    #: the code folder, absolute
    code_dir: Path
    environment: Mapping[str, str]
    timeout: float
    memory_size: int
    layers: tuple[Path, ...] = ()
    reserved_concurrency: int | None = None
    #: extra folders for Python (``x-apigwc.local.pythonPath``)
    python_path: tuple[Path, ...] = ()
    #: where it was configured, for messages
    origin: str = "x-apigwc.local.functions"
    #: ``AWS_REGION``: the local gateway passes its own (runtime.context.LOCAL_REGION)
    region: str = "us-east-1"


@dataclass(frozen=True, slots=True)
class Launch:
    command: tuple[str, ...]
    environment: Mapping[str, str]
    #: ``AWS_EXECUTION_ENV``
    execution_env: str
    #: what runs it, for the banner: "python3.11 (/usr/bin/python3.11)"
    description: str


@dataclass(frozen=True, slots=True)
class Unsupported:
    """Why a function cannot run here; the message names the runtime."""

    reason: str


def launch(fn: FunctionConfig) -> Launch | Unsupported:
    """How to start a worker of ``fn``, or why it cannot be started on this machine."""
    if not fn.code_dir.is_dir():
        return Unsupported(f"the code folder {fn.code_dir} of function {fn.name} does not exist")
    runtime = fn.runtime
    m = _PYTHON.match(runtime)
    if m is not None:
        python = python_for(m.group(1))
        if python is None:
            return Unsupported(f"runtime {runtime}: no python3 on this machine")
        paths = [str(p) for p in fn.python_path]
        for layer in fn.layers:
            for sub in (layer / "python", layer / "python" / "lib" / f"python{m.group(1)}" / "site-packages"):
                if sub.is_dir():
                    paths.append(str(sub))
        env = {"PYTHONUNBUFFERED": "1", "PYTHONDONTWRITEBYTECODE": "1"}
        if paths:
            env["PYTHONPATH"] = os.pathsep.join(paths)
        return Launch(
            (python[0], "-X", "utf8", str(PYTHON_BOOTSTRAP)),
            env,
            f"AWS_Lambda_{runtime}",
            f"{runtime} on Python {python[1]} ({python[0]})",
        )
    m = _NODE.match(runtime)
    if m is not None:
        node = node_version()
        if node is None:
            return Unsupported(f"runtime {runtime}: no node on this machine (install Node.js {m.group(1)})")
        env = {"NODE_OPTIONS": ""}
        modules = [
            str(layer / "nodejs" / "node_modules")
            for layer in fn.layers
            if (layer / "nodejs" / "node_modules").is_dir()
        ]
        if modules:
            env["NODE_PATH"] = os.pathsep.join(modules)
        return Launch(
            (node[0], str(NODE_BOOTSTRAP)), env, f"AWS_Lambda_{runtime}", f"{runtime} on Node.js {node[1]} ({node[0]})"
        )
    if runtime in PROVIDED:
        candidates = [fn.code_dir / "bootstrap", *(layer / "bootstrap" for layer in fn.layers)]
        for bootstrap in candidates:
            if bootstrap.is_file():
                if not os.access(bootstrap, os.X_OK):
                    return Unsupported(f"runtime {runtime}: {bootstrap} is not executable (chmod +x it)")
                return Launch((str(bootstrap),), {}, "", f"{runtime}: {bootstrap}")
        # Lambda's wording for a missing bootstrap (Runtime.InvalidEntrypoint) [Obs]
        return Unsupported(
            f"runtime {runtime}: Couldn't find valid bootstrap(s): [{fn.code_dir / 'bootstrap'}] (build the function first, e.g. sam build)"
        )
    if runtime.startswith("java"):
        return Unsupported(
            f"runtime {runtime} is not run by the local gateway (Java functions need the AWS Lambda Java runtime client); supported: {SUPPORTED}"
        )
    return Unsupported(f"runtime {runtime or '(none)'} is not run by the local gateway; supported: {SUPPORTED}")


def missing_entry(fn: FunctionConfig) -> str | None:
    """A handler whose file is not in the code folder (nor pythonPath, nor a layer): said at start, before any call.

    Lambda reports it on the first invocation (Runtime.ImportModuleError); nothing is
    imported or run here.
    """
    handler = fn.handler
    if fn.runtime.startswith("python"):
        module = handler.partition(":")[0] if ":" in handler else handler.rpartition(".")[0]
        if not module:
            return None
        relative = Path(*module.replace(".", "/").split("/"))
        roots = [fn.code_dir, *fn.python_path, *(layer / "python" for layer in fn.layers)]
        if any(
            (root / relative).with_suffix(".py").is_file()
            or (root / relative / "__init__.py").is_file()
            or (root / relative).is_dir()
            for root in roots
        ):
            return None
        if any(root.joinpath(*relative.parts[:1]).with_suffix(".so").exists() for root in roots):
            return None
        return f"no module '{module.replace('/', '.')}' in {fn.code_dir} (Runtime.ImportModuleError on the first call)"
    if fn.runtime.startswith("nodejs"):
        module = handler.rpartition(".")[0]
        while module and not any((fn.code_dir / (module + ext)).is_file() for ext in (".js", ".mjs", ".cjs")):
            if "." not in module:  # "file.a.b": the export may be nested
                return (
                    f"no file {module}.js, .mjs or .cjs in {fn.code_dir} (Runtime.ImportModuleError on the first call)"
                )
            module = module.rpartition(".")[0]
    return None


@functools.cache
def python_for(version: str) -> tuple[str, str] | None:
    """(interpreter, its version) for a ``python3.x`` runtime: that exact version if installed, else apigwc's own base Python."""
    exact = shutil.which(f"python{version}") if version != "3" else None
    if exact is not None and "/shims/" not in exact:  # pyenv shims are slow shell scripts
        return exact, version
    base = getattr(sys, "_base_executable", None) or sys.executable
    base = os.path.realpath(base)
    if not os.path.exists(base):
        return None
    return base, f"{sys.version_info.major}.{sys.version_info.minor}"


@functools.cache
def node_version() -> tuple[str, str] | None:
    """(node, its version) on this machine, or None."""
    node = shutil.which("node")
    if node is None:
        return None
    try:
        out = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return node, out.lstrip("v")


def handler_problem(runtime: str, handler: str) -> str | None:
    """Why ``handler`` is not a handler string of ``runtime``, or None."""
    if runtime.startswith("python"):
        if not _PYTHON_HANDLER.match(handler):
            return "is not a Python handler: write module.function (e.g. app.lambda_handler) or module:callable"
    elif runtime.startswith("nodejs"):
        if not _NODE_HANDLER.match(handler):
            return "is not a Node.js handler: write file.export (e.g. index.handler or src/app.lambdaHandler)"
    return None
