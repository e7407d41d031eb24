"""Evaluate the right side of a parameter mapping for one request.

`apigwc.mapping` parses the expressions (``method.request.header.X``,
``integration.response.body.id``, ``stageVariables.host``, ``context.requestId``,
``'static'``); this module reads their values from an `Exchange` and, for method
response mappings, the endpoint's response.

A value is a tuple of strings (several for ``multivalue*`` sources) or None when the
source has no value (an absent header, a missing JSON field): the mapping is then
skipped, as API Gateway leaves the target unset.

Header names are matched case-insensitively (HTTP header names are; HTTP/2 clients send
them lower-case), query parameter names case-sensitively [Doc] (docs/runtime.md).
"""

from __future__ import annotations

import functools
import json
from typing import TYPE_CHECKING, Callable, Iterator, Mapping

from ..intrinsics import Intrinsic, Value
from ..mapping import Source, Target, parse_source
from ..value_text import mapping_text
from ..vtl.jsonpath import MISSING, JsonPathError, compile_path
from ..vtl.values import from_json
from .context import lookup

if TYPE_CHECKING:
    from .endpoint import EndpointResponse
    from .exchange import Exchange
    from .log import Step


@functools.lru_cache(maxsize=4096)
def source_of(expression: str) -> Source | None:
    """The parsed mapping expression (cached: a deployment evaluates the same ones again and again)."""
    return parse_source(expression)


def apply_mappings(
    ex: "Exchange",
    mappings: Mapping[str, Value],
    target_of: Callable[[str], Target | None],
    *,
    step: "Step",
    ignored: str,
    unset: str,
    endpoint: "EndpointResponse | None" = None,
) -> Iterator[tuple[Target, tuple[str, ...]]]:
    """Each mapping whose target is valid and whose source has a value: (target, values).

    The one loop of request, response and gateway response parameter mappings.  A key
    ``target_of`` rejects is logged with ``ignored``, a source without a value with
    ``unset`` (``str.format`` fields: ``key``, ``name``, ``expression``); API Gateway then
    leaves the target unset.
    """
    for key, expression in mappings.items():
        target = target_of(key)
        if target is None:
            ex.note(step, ignored.format(key=key))
            continue
        values = evaluate(expression, ex, endpoint)
        if values is None:
            ex.note(step, unset.format(key=key, name=target.name, expression=expression))
            continue
        yield target, values


def evaluate(expression: Value, ex: "Exchange", endpoint: "EndpointResponse | None" = None) -> tuple[str, ...] | None:
    """The value(s) of a mapping source, or None when it has none."""
    if isinstance(expression, Intrinsic):
        return None
    source = source_of(expression)
    if source is None:
        return None
    kind = source.kind
    if kind == "static":
        return (source.name,)
    if kind == "method.request":
        return _method_request(source, ex)
    if kind == "integration.response":
        return _integration_response(source, endpoint) if endpoint is not None else None
    if kind == "stageVariables":
        value = ex.stage_variables.get(source.name)
        return None if value is None else (value,)
    if kind == "context":
        found = lookup(ex.context, source.name)
        return None if found is None else (mapping_text(found),)
    return None


def _method_request(source: Source, ex: "Exchange") -> tuple[str, ...] | None:
    where, name = source.location, source.name
    if where == "path":
        value = ex.path_params.get(name)
        return None if value is None else (value,)
    if where == "querystring":
        values = ex.query.get(name)
        return (values[-1],) if values else None
    if where == "multivaluequerystring":
        return ex.query.get(name) or None
    if where == "header":
        value = ex.request.headers.get(name)
        return None if value is None else (value,)
    if where == "multivalueheader":
        return ex.request.headers.get_all(name) or None
    if where == "body":
        return _body(ex.request.body, name)
    return None


def _integration_response(source: Source, endpoint: "EndpointResponse") -> tuple[str, ...] | None:
    where, name = source.location, source.name
    if where == "header":
        value = endpoint.headers.get(name)
        return None if value is None else (value,)
    if where == "multivalueheader":
        return endpoint.headers.get_all(name) or None
    if where == "body":
        return _body(endpoint.body, name)
    return None


def _body(body: bytes, path: str) -> tuple[str, ...] | None:
    """``*.body`` (the whole payload) or ``*.body.JSONPATH`` (a value of the JSON payload)."""
    text = body.decode("utf-8", "replace")
    if not path:
        return (text,)
    try:
        document = from_json(json.loads(text))
        found = compile_path("$." + path).read(document)
    except (ValueError, RecursionError, JsonPathError):
        return None
    if found is MISSING or found is None:
        return None
    return (mapping_text(found),)
