"""Targets: what a gateway model compiles to.

`TARGETS` is the explicit registry (``--target`` choices); each target turns a
`gateway.Gateway` into an `Artifact` (relative path -> text) without doing I/O.
Targets dispatch on gateway node types through a ``{NodeType: handler}`` dict, and a
meta-test checks that every node type is handled or reported with an AGW9xx code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..diagnostics import Code
from ..target_codes import TARGET_CODES

if TYPE_CHECKING:
    from .base import Artifact, CfnStyle, EmitOptions, OutputFormat, Target

#: what `apigwc build` writes, in order
BUILD_TARGETS: tuple[str, ...] = ("cfn", "openapi", "deploy", "local")


def _registry() -> dict[str, "Target"]:
    from .cfn import CfnTarget
    from .deploy import DeployTarget
    from .local_bundle import LocalTarget
    from .openapi import OpenApiTarget

    return {"cfn": CfnTarget(), "openapi": OpenApiTarget(), "deploy": DeployTarget(), "local": LocalTarget()}


def __getattr__(name: str) -> Any:
    """`TARGETS` and the option types load on first use: ``apigwc lint`` never imports a target."""
    if name == "TARGETS":
        registry = _registry()
        globals()["TARGETS"] = registry
        return registry
    if name in ("Artifact", "CfnStyle", "EmitOptions", "OutputFormat", "Target"):
        from . import base

        return getattr(base, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def target_codes() -> tuple[Code, ...]:
    """Every AGW9xx code the targets can emit (declared in `apigwc.target_codes`, checked against `TARGETS` by a test)."""
    return TARGET_CODES


__all__ = ["TARGETS", "BUILD_TARGETS", "Artifact", "CfnStyle", "EmitOptions", "OutputFormat", "Target", "target_codes"]
