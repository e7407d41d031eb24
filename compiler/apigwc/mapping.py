"""Parameter-mapping expressions: ``requestParameters`` and ``responseParameters``.

API Gateway maps values with expressions such as::

    integration.request.header.x-user  <-  method.request.header.Authorization
    method.response.header.Location    <-  integration.response.body.id
    integration.request.path.proxy     <-  method.request.path.proxy
    integration.request.querystring.v  <-  'static'

This module parses both sides; lint rules, lowering and the local gateway share it.
[AWS docs: "API request and response data mapping reference"]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Names of mapped parameters: letters, digits and ``._$-`` [AWS mapping reference].
NAME = re.compile(r"^[a-zA-Z0-9._$-]+$")

REQUEST_TARGET_LOCATIONS = ("path", "querystring", "header", "multivaluequerystring", "multivalueheader")
METHOD_REQUEST_LOCATIONS = ("path", "querystring", "multivaluequerystring", "header", "multivalueheader")
RESPONSE_SOURCE_LOCATIONS = ("header", "multivalueheader")


@dataclass(frozen=True, slots=True)
class Target:
    """The left side: where a mapped value goes."""

    location: str  # path | querystring | header | multivalue* (request); header (response)
    name: str


@dataclass(frozen=True, slots=True)
class Source:
    """The right side: where a mapped value comes from.

    kind is one of ``method.request``, ``integration.response``, ``stageVariables``,
    ``context``, ``static``.  For ``*.body`` sources ``location`` is ``body`` and
    ``name`` holds the JSONPath (without ``$.``) or "" for the whole body.
    """

    kind: str
    location: str
    name: str
    text: str


def parse_request_target(key: str) -> Target | None:
    """``integration.request.{path|querystring|header}.NAME`` -> Target."""
    prefix = "integration.request."
    if not key.startswith(prefix):
        return None
    location, _, name = key[len(prefix) :].partition(".")
    if location not in REQUEST_TARGET_LOCATIONS or not name or not NAME.match(name):
        return None
    return Target(location, name)


def parse_response_target(key: str) -> Target | None:
    """``method.response.header.NAME`` -> Target (only headers can be mapped)."""
    prefix = "method.response.header."
    if not key.startswith(prefix):
        return None
    name = key[len(prefix) :]
    if not name or not NAME.match(name):
        return None
    return Target("header", name)


def parse_gateway_response_target(key: str) -> Target | None:
    """``gatewayresponse.{header|path|querystring}.NAME`` -> Target."""
    prefix = "gatewayresponse."
    if not key.startswith(prefix):
        return None
    location, _, name = key[len(prefix) :].partition(".")
    if location not in ("header", "path", "querystring") or not name:
        return None
    return Target(location, name)


def parse_source(expr: str) -> Source | None:
    """Parse the right side of a mapping; None if it is not a valid expression."""
    text = expr.strip()
    if len(text) >= 2 and text[0] == "'" and text[-1] == "'":
        return Source("static", "", text[1:-1], expr)
    for kind, locations in (
        ("method.request", METHOD_REQUEST_LOCATIONS),
        ("integration.response", RESPONSE_SOURCE_LOCATIONS),
    ):
        prefix = kind + "."
        if not text.startswith(prefix):
            continue
        rest = text[len(prefix) :]
        if rest == "body":
            return Source(kind, "body", "", expr)
        if rest.startswith("body."):
            return Source(kind, "body", rest[len("body.") :], expr)
        location, _, name = rest.partition(".")
        if location in locations and name and NAME.match(name):
            return Source(kind, location, name, expr)
        return None
    if text.startswith("stageVariables."):
        name = text[len("stageVariables.") :]
        return Source("stageVariables", "", name, expr) if name and re.match(r"^[A-Za-z0-9_]+$", name) else None
    if text.startswith("context."):
        name = text[len("context.") :]
        return Source("context", "", name, expr) if name and re.match(r"^[A-Za-z0-9_.$-]+$", name) else None
    return None


def method_request_key(location: str, name: str) -> str:
    """The Method ``requestParameters`` key for a declared parameter."""
    return f"method.request.{location}.{name}"


#: OpenAPI parameter location -> method.request location
OPENAPI_TO_METHOD_REQUEST = {"path": "path", "query": "querystring", "header": "header"}
