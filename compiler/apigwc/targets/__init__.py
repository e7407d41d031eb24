"""Targets: what a gateway model compiles to.

`TARGETS` is the explicit registry (``--target`` choices); each target turns a
`gateway.Gateway` into an `Artifact` (relative path -> text) without doing I/O.
Targets dispatch on gateway node types through a ``{NodeType: handler}`` dict, and a
meta-test checks that every node type is handled or reported with an AGW9xx code.
"""

from __future__ import annotations

from ..diagnostics import Code
from .base import Artifact, CfnStyle, EmitOptions, OutputFormat, Target
from .cfn import CfnTarget
from .deploy import DeployTarget
from .local_bundle import LocalTarget
from .openapi import OpenApiTarget

TARGETS: dict[str, Target] = {
    "cfn": CfnTarget(),
    "openapi": OpenApiTarget(),
    "deploy": DeployTarget(),
    "local": LocalTarget(),
}

#: what `apigwc build` writes, in order
BUILD_TARGETS: tuple[str, ...] = ("cfn", "openapi", "deploy", "local")


def target_codes() -> tuple[Code, ...]:
    """Every AGW9xx code the targets can emit."""
    return tuple(c for t in TARGETS.values() for c in t.codes)


__all__ = ["TARGETS", "BUILD_TARGETS", "Artifact", "CfnStyle", "EmitOptions", "OutputFormat", "Target", "target_codes"]
