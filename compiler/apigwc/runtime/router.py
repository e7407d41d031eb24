"""Route a request to a resource and a method, as API Gateway does.

The resource tree of a `gateway.Gateway` is turned once into nested dicts; matching a
request is then a walk over its decoded path segments:

* at each level a literal child wins over a ``{param}`` child, which wins over a
  ``{proxy+}`` child [Doc]; when a branch cannot consume the rest of the path the walk
  backtracks and tries the next candidate (so ``/a/b/x`` reaches ``/a/{proxy+}`` when
  ``/a/b`` has no child ``x``) [Inf];
* ``{proxy+}`` takes one or more segments, joined with "/" (``a/b/c``): it never
  serves its parent path [Doc];
* the method is chosen on the resource found: the exact verb, else ``ANY`` [Doc].  A
  resource without either does not send the walk elsewhere: the answer is 403
  MISSING_AUTHENTICATION_TOKEN, like an unknown path [Doc/Inf];
* path parameters are URL-decoded [Doc]; literals compare case-sensitively; empty
  segments (a trailing ``/``) are ignored [Inf].
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, NamedTuple

from .. import gateway as gw
from .http import path_segments

#: The verbs API Gateway serves; ``ANY`` stands for each of them [Doc].
VERBS = frozenset(("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"))

#: The header that replaces the request's verb before routing [Doc per reference §4.2].
METHOD_OVERRIDE_HEADER = "X-HTTP-Method-Override"


@dataclass(slots=True)
class _Node:
    resource: gw.Resource
    literals: dict[str, "_Node"] = field(default_factory=dict)
    params: list["_Node"] = field(default_factory=list)
    greedy: list["_Node"] = field(default_factory=list)
    methods: dict[str, gw.Method] = field(default_factory=dict)
    verbs: tuple[str, ...] = ()


class RouteMatch(NamedTuple):
    """The resource a path reached, its path parameters, and the method that serves the verb."""

    resource: gw.Resource
    path_params: Mapping[str, str]
    method: gw.Method | None
    #: the verbs the resource has (for the log when ``method`` is None)
    verbs: tuple[str, ...]
    #: a greedy parameter as the Lambda proxy event carries it: the rest of the raw path,
    #: still percent-encoded, empty segments kept (AWS-recorded, docs/conformance.md)
    raw_greedy: Mapping[str, str] = {}


class Router:
    """The resource tree of one API, built once."""

    __slots__ = ("root",)

    def __init__(self, gateway: gw.Gateway) -> None:
        nodes: dict[str, _Node] = {r.path: _Node(r) for r in gateway.resources}
        for r in gateway.resources:
            if r.parent is None:
                continue
            parent = nodes.get(r.parent)
            if parent is None:
                continue
            node = nodes[r.path]
            if r.kind is gw.ResourceKind.LITERAL:
                parent.literals[r.path_part] = node
            elif r.kind is gw.ResourceKind.PARAM:
                parent.params.append(node)
            elif r.kind is gw.ResourceKind.GREEDY:
                parent.greedy.append(node)
        for m in gateway.methods:
            node = nodes.get(m.path)
            if node is not None:
                node.methods[m.http_method.value] = m
        for node in nodes.values():
            node.verbs = tuple(sorted(node.methods))
        self.root = nodes.get("/") or _Node(
            gw.Resource(id="ResourceRoot", path="/", path_part="", parent=None, kind=gw.ResourceKind.ROOT)
        )

    def match(self, verb: str, raw_path: str) -> RouteMatch | None:
        """The resource and method for a request, or None when no resource has this path."""
        found = _walk(self.root, path_segments(raw_path), 0, {})
        if found is None:
            return None
        node, params = found
        method = node.methods.get(verb)
        if method is None and verb in VERBS:
            method = node.methods.get("ANY")
        raw_greedy = {}
        name = node.resource.param
        if node.resource.kind is gw.ResourceKind.GREEDY and name and name in params:
            raw_greedy = {name: _raw_tail(raw_path, params[name])}
        return RouteMatch(
            resource=node.resource, path_params=params, method=method, verbs=node.verbs, raw_greedy=raw_greedy
        )


def _raw_tail(raw_path: str, decoded: str) -> str:
    """The raw path from the segment where the greedy value ``decoded`` starts, without leading or trailing slashes."""
    count = decoded.count("/") + 1  # the greedy value spans this many non-empty segments
    parts = raw_path.split("/")
    nonempty = [k for k, part in enumerate(parts) if part]
    if len(nonempty) < count:
        return decoded
    return "/".join(parts[nonempty[-count] :]).strip("/")


def _walk(node: _Node, segs: tuple[str, ...], i: int, params: dict[str, str]) -> tuple[_Node, dict[str, str]] | None:
    if i == len(segs):
        return node, params
    seg = segs[i]
    child = node.literals.get(seg)
    if child is not None:
        found = _walk(child, segs, i + 1, params)
        if found is not None:
            return found
    for p in node.params:
        found = _walk(p, segs, i + 1, {**params, p.resource.param or "": seg})
        if found is not None:
            return found
    for g in node.greedy:
        return g, {**params, g.resource.param or "": "/".join(segs[i:])}
    return None
