"""Optional dependencies: which extra a command needs, and the message when it is missing.

The core install (lint, rules, build, emit, vtl) needs no server and no AWS SDK; the
local gateway (``invoke``, ``serve``) comes with ``apigwc[serve]``, ``deploy`` with
``apigwc[deploy]``, everything with ``apigwc[all]``.  `missing` looks modules up with
`importlib.util.find_spec` (no import: it costs nothing when they are there).
"""

from __future__ import annotations

import importlib.util

#: the modules each extra brings (pyproject.toml's [project.optional-dependencies] install them)
EXTRAS: dict[str, tuple[str, ...]] = {
    "serve": ("uvicorn", "httpx", "h11"),
    "deploy": ("boto3", "botocore"),
    "sam": ("samtranslator", "boto3"),
}


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # ValueError: a module entry that is None (blocked)
        return False


def missing(extra: str, modules: tuple[str, ...] = ()) -> str | None:
    """The message for a command whose extra is not installed, or None when it is."""
    absent = [m for m in modules or EXTRAS[extra] if not _installed(m)]
    if not absent:
        return None
    return (
        f"this command needs {', '.join(absent)}, which the core install leaves out; "
        f"install it with: pip install 'apigwc[{extra}]' (or 'apigwc[all]')"
    )
