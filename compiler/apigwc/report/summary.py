"""The build summary: what a gateway model holds, as a resource tree plus counts.

    PetStore -> output/petstore (deploy-plan.json, deploy-plan.txt, local/, openapi.yaml, template.yaml)
    /
    └── pets  GET POST
        └── {petId}  DELETE GET
    3 resources, 4 methods, 3 models, 0 authorizers, 4 Lambda permissions
    integrations: AWS_PROXY 4
    stages: prod

Plain text, deterministic; long trees are cut after `MAX_TREE_LINES` lines.
"""

from __future__ import annotations

from collections import Counter
from typing import Iterable

from ..gateway import Gateway

MAX_TREE_LINES = 40


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def resource_tree(gateway: Gateway, limit: int = MAX_TREE_LINES) -> list[str]:
    """The resource tree, one line per resource with its methods."""
    lines: list[str] = []
    total = len(gateway.resources)

    def verbs(path: str) -> str:
        methods = gateway.methods_of(path)
        return ("  " + " ".join(m.http_method.value for m in methods)) if methods else ""

    def walk(path: str, prefix: str) -> None:
        children = gateway.children(path)
        for i, child in enumerate(children):
            if len(lines) >= limit:
                return
            last = i == len(children) - 1
            lines.append(prefix + ("└── " if last else "├── ") + child.path_part + verbs(child.path))
            walk(child.path, prefix + ("    " if last else "│   "))

    lines.append("/" + verbs("/"))
    walk("/", "")
    if total > len(lines):
        lines.append(f"… {total - len(lines):,} more resources")
    return lines


def render_summary(gateway: Gateway, destination: str, files: Iterable[str]) -> str:
    """The summary printed by ``apigwc build``; the files of a sub-folder show as the folder ("local/")."""
    name = gateway.rest_api.name if isinstance(gateway.rest_api.name, str) else "REST API"
    shown = sorted({f.split("/", 1)[0] + "/" if "/" in f else f for f in files})
    out = [f"{name} -> {destination} ({', '.join(shown)})"]
    out += resource_tree(gateway)
    out.append(
        ", ".join(
            [
                _plural(len(gateway.resources), "resource"),
                _plural(len(gateway.methods), "method"),
                _plural(len(gateway.models), "model"),
                _plural(len(gateway.authorizers), "authorizer"),
                _plural(len(gateway.lambda_permissions), "Lambda permission"),
            ]
        )
    )
    kinds = Counter(m.integration.type.value if m.integration else "none" for m in gateway.methods)
    out.append("integrations: " + (", ".join(f"{k} {n:,}" for k, n in sorted(kinds.items())) or "none"))
    out.append(
        "stages: " + (", ".join(s.name for s in gateway.stages) or "none (declare x-apigwc.stages to deploy one)")
    )
    return "\n".join(out) + "\n"
