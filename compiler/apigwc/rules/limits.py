"""AGW7xx: AWS import limits and OpenAPI features API Gateway does not support."""

from __future__ import annotations

import json
import re
from typing import Any, Iterator

from .. import ir
from ..diagnostics import Severity
from ..pathtemplate import segments
from ..source import join
from .registry import Finding, rule

#: keywords whose loss changes what a model accepts
_SEMANTIC = {"discriminator": "discriminator is not supported; API Gateway ignores it"}
#: annotations dropped on import (no effect on validation)
_DROPPED = ("example", "examples", "default", "readOnly", "writeOnly", "deprecated", "xml", "externalDocs")


def _walk_schema(node: Any, pointer: str) -> Iterator[tuple[dict, str]]:
    if isinstance(node, dict):
        yield node, pointer
        for k, v in node.items():
            if k in ("properties", "patternProperties", "definitions") and isinstance(v, dict):
                for name, sub in v.items():
                    yield from _walk_schema(sub, join(pointer, k, name))
            elif k in ("items", "additionalProperties", "not") and isinstance(v, dict):
                yield from _walk_schema(v, join(pointer, k))
            elif k in ("allOf", "anyOf", "oneOf") and isinstance(v, list):
                for i, sub in enumerate(v):
                    yield from _walk_schema(sub, join(pointer, k, i))
            elif k == "items" and isinstance(v, list):
                for i, sub in enumerate(v):
                    yield from _walk_schema(sub, join(pointer, k, i))


def _model_schemas(api: ir.Api) -> Iterator[tuple[str, Any, str]]:
    for model in api.models.values():
        yield model.name, model.schema, model.pointer
    for op in api.operations:
        media = [m for r in op.responses for m in r.content]
        if op.request_body:
            media += list(op.request_body.content)
        for m in media:
            if m.schema is not None and m.schema.name is None and m.schema.ref is None:
                yield f"the inline schema of {op.label}", m.schema.schema, m.schema.pointer


@rule("AGW701", name="unsupported-schema-keyword", severity=Severity.WARNING)
def unsupported_schema_keyword(api: ir.Api) -> Iterator[Finding]:
    """A model uses a schema feature API Gateway does not support.

    What it checks: models (and inline body schemas) do not use `discriminator`,
    `exclusiveMinimum`, `oneOf` in OpenAPI 2.0, `format: int32/int64` on `type: number`, or
    `format: decimal`.

    Why: models are JSON Schema draft 4 with API Gateway's limits; these keywords are
    dropped or rejected on import, so request validation does not do what the spec says.

    Example:
        Pet:
          discriminator: {propertyName: kind}

    Fix: validate with draft-4 keywords (`enum`, `required`, `allOf`), or in the backend.
    """
    for owner, schema, pointer in _model_schemas(api):
        for node, ptr in _walk_schema(schema, pointer):
            if "discriminator" in node:
                yield Finding(
                    pointer=join(ptr, "discriminator"),
                    at_key=True,
                    message=f"{owner}: discriminator is not supported by API Gateway models",
                    hint="tell the variants apart with enum on the kind property, or in the backend",
                )
            if "exclusiveMinimum" in node:
                yield Finding(
                    pointer=join(ptr, "exclusiveMinimum"),
                    at_key=True,
                    message=f"{owner}: exclusiveMinimum is not supported by API Gateway models",
                    hint="use minimum with the next allowed value (e.g. minimum: 1 for integers > 0)",
                )
            if api.is_v2 and "oneOf" in node:
                yield Finding(
                    pointer=join(ptr, "oneOf"),
                    at_key=True,
                    message=f"{owner}: oneOf is not supported in OpenAPI 2.0 models",
                    hint="write the spec as OpenAPI 3.0, or validate the variants in the backend",
                )
            if node.get("type") == "number" and node.get("format") in ("int32", "int64"):
                yield Finding(
                    pointer=join(ptr, "format"),
                    message=f"{owner}: format {node['format']} on type number is not supported",
                    hint="use type: integer",
                )
            if node.get("format") == "decimal":
                yield Finding(
                    pointer=join(ptr, "format"),
                    message=f"{owner}: format decimal is not supported",
                    hint="use type: number",
                )


@rule("AGW702", name="dropped-schema-annotation", severity=Severity.INFO)
def dropped_schema_annotation(api: ir.Api) -> Iterator[Finding]:
    """A model uses annotations that API Gateway drops on import.

    What it checks: models do not use `example(s)`, `default`, `readOnly`, `writeOnly`,
    `deprecated`, `xml` or `externalDocs`.

    Why: they are silently dropped from the model (and from exports); harmless for
    validation, but the exported spec and generated SDKs lose them.

    Example:
        name: {type: string, example: Rex}

    Fix: nothing required; keep documentation in `description`.
    """
    for owner, schema, pointer in _model_schemas(api):
        for node, ptr in _walk_schema(schema, pointer):
            for key in _DROPPED:
                if key in node and not (key == "xml" and not isinstance(node[key], dict)):
                    yield Finding(
                        pointer=join(ptr, key),
                        at_key=True,
                        message=f"{owner}: '{key}' is dropped by API Gateway import",
                        hint="nothing to fix for validation; keep the documentation in description if exports need it",
                    )


_MODEL_NAME = re.compile(r"^[A-Za-z0-9]+$")


@rule("AGW703", name="model-name", severity=Severity.ERROR)
def model_name(api: ir.Api) -> Iterator[Finding]:
    """A model name is not alphanumeric.

    What it checks: names of `definitions` / `components.schemas` use only letters and
    digits.

    Why: API Gateway model names must be alphanumeric; import fails ("Model name must be
    alphanumeric").

    Example:
        components: {schemas: {Pet-Response: ...}}

    Fix: `PetResponse`.
    """
    for model in api.models.values():
        if not _MODEL_NAME.match(model.name):
            yield Finding(
                pointer=model.pointer,
                at_key=True,
                message=f"model name {model.name!r} must be alphanumeric",
                hint=f"rename it to {re.sub(r'[^A-Za-z0-9]', '', model.name) or 'Model'!r} (and its $refs)",
            )


@rule("AGW704", name="response-ref-unsupported", severity=Severity.WARNING)
def response_ref_unsupported(api: ir.Api) -> Iterator[Finding]:
    """A response is a `$ref` to a shared response object.

    What it checks: operation responses are written inline, not as `$ref` to
    `#/responses/X` (2.0) or `#/components/responses/X` (3.0).

    Why: API Gateway's importer does not resolve response references ("A root-level
    response $ref is not supported"), so the method response and its headers and model
    are missing.

    Example:
        responses:
          "404": {$ref: "#/components/responses/NotFound"}

    Fix: inline the response (apigwc's OpenAPI target does this for you).
    """
    for op in api.operations:
        for resp in op.responses:
            if resp.via_ref:
                yield Finding(
                    pointer=join(resp.pointer, "$ref"),
                    message=f"response {resp.status} of {op.label} is a $ref ({resp.via_ref}); API Gateway import does not resolve response references",
                    hint="inline the response object",
                )


@rule("AGW705", name="model-too-large", severity=Severity.ERROR)
def model_too_large(api: ir.Api) -> Iterator[Finding]:
    """A model is larger than 400 KB.

    What it checks: each model's JSON is at most 400 KB.

    Why: API Gateway rejects larger models.

    Example: a generated schema with thousands of enum values.

    Fix: split the model, or validate in the backend.
    """
    for model in api.models.values():
        size = len(json.dumps(model.schema, separators=(",", ":")).encode())
        if size > 400 * 1024:
            yield Finding(
                pointer=model.pointer,
                at_key=True,
                message=f"model {model.name} is {size / 1024:.1f} KB; API Gateway models are limited to 400 KB",
                hint="split the model into smaller ones joined with $ref, or validate in the backend",
            )


@rule("AGW706", name="unsupported-parameter-location", severity=Severity.WARNING)
def unsupported_parameter_location(api: ir.Api) -> Iterator[Finding]:
    """A parameter is in a cookie or a form field, which API Gateway does not map.

    What it checks: parameters are `in: path`, `query` or `header` (or `body` in 2.0).

    Why: API Gateway has no method request parameters for cookies or form fields: they are
    not validated, and cannot be mapped or used as cache keys.

    Example:
        parameters: [{name: session, in: cookie}]

    Fix: read the Cookie header (`in: header, name: Cookie`) or parse the body in a template.
    """
    for op in api.operations:
        for p in op.parameters:
            if p.location in (ir.ParamLocation.COOKIE, ir.ParamLocation.FORM_DATA):
                yield Finding(
                    pointer=join(p.pointer, "in"),
                    message=f"{p.location_raw} parameter '{p.name}' of {op.label} is not supported by API Gateway",
                    hint="declare the Cookie header instead: {name: Cookie, in: header}"
                    if p.location is ir.ParamLocation.COOKIE
                    else "read form fields from the body in a mapping template ($input.body)",
                )


_JSONISH = re.compile(r"^application/([a-z0-9.+-]*\+)?json$|^application/x-amz-json-1\.[01]$")


def is_json_media_type(media_type: str) -> bool:
    """True for application/json, application/*+json, the x-amz-json types and */*."""
    return media_type == "*/*" or bool(_JSONISH.match(media_type.split(";")[0].strip().lower()))


@rule("AGW707", name="non-json-model", severity=Severity.WARNING)
def non_json_model(api: ir.Api) -> Iterator[Finding]:
    """A schema is attached to a media type that is not JSON.

    What it checks: request and response schemas are attached to JSON media types.

    Why: API Gateway models are JSON Schemas; for other media types the body is not
    validated, and an API whose only models are non-JSON cannot be exported ("Only found
    non-JSON body models for ...").

    Example:
        content:
          application/xml: {schema: {$ref: "#/components/schemas/Pet"}}

    Fix: attach the schema to application/json, or drop it for non-JSON bodies.
    """
    for op in api.operations:
        media = [(m, f"response {r.status}") for r in op.responses for m in r.content]
        if op.request_body:
            media += [(m, "request body") for m in op.request_body.content]
        for m, where in media:
            if m.schema is not None and not is_json_media_type(m.media_type):
                yield Finding(
                    pointer=m.pointer,
                    at_key=True,
                    message=f"the {where} of {op.label} attaches a schema to {m.media_type}; API Gateway models are JSON only",
                    hint="attach the schema to application/json, or drop it for this media type",
                )


@rule("AGW708", name="too-many-resources", severity=Severity.WARNING)
def too_many_resources(api: ir.Api) -> Iterator[Finding]:
    """The API has more than 300 resources, or more than 10 authorizers or stages.

    What it checks: resources (one per distinct path prefix) stay within API Gateway's
    default quota of 300 per API; authorizers and stages within 10.

    Why: import or deployment fails until you request a quota increase.

    Example: a spec with 350 distinct paths.

    Fix: request a quota increase, or split the API.
    """
    resources = {"/"}
    for path, _ in api.paths:
        segs = segments(path)
        for i in range(1, len(segs) + 1):
            resources.add("/" + "/".join(s.text for s in segs[:i]))
    if len(resources) > 300:
        yield Finding(
            pointer="/paths",
            at_key=True,
            message=f"the API has {len(resources)} resources; the default quota is 300 per API",
            hint="request a quota increase or split the API",
        )
    authorizers = [s for s in api.security_schemes.values() if s.authorizer is not None]
    if len(authorizers) > 10:
        yield Finding(
            pointer=authorizers[10].pointer,
            at_key=True,
            message=f"the API has {len(authorizers)} authorizers; the quota is 10",
            hint="share one authorizer between schemes, or request a quota increase",
        )
    if len(api.stages) > 10:
        yield Finding(
            pointer="/x-apigwc/stages",
            at_key=True,
            message=f"{len(api.stages)} stages are declared; the quota is 10 per API",
            hint="request a quota increase, or split the stages across APIs",
        )


@rule("AGW709", name="template-too-large", severity=Severity.ERROR)
def template_too_large(api: ir.Api) -> Iterator[Finding]:
    """A mapping template is larger than 300 KB.

    What it checks: request and response mapping templates are at most 300 KB.

    Why: API Gateway rejects larger templates.

    Example: a template that inlines a large lookup table.

    Fix: move the data to the backend or a stage variable.
    """
    for op, integ in api.integrations():
        templates = [(join(integ.pointer, "requestTemplates", k), v) for k, v in integ.request_templates.items()]
        templates += [
            (join(r.pointer, "responseTemplates", k), v)
            for r in integ.responses
            for k, v in r.response_templates.items()
        ]
        for ptr, template in templates:
            if isinstance(template, str) and len(template.encode()) > 300 * 1024:
                yield Finding(
                    pointer=ptr,
                    at_key=True,
                    message=f"a mapping template of {op.label} is {len(template.encode()) / 1024:.1f} KB; the limit is 300 KB",
                    hint="move the data to the backend (or a stage variable) and keep the template small",
                )


@rule("AGW710", name="comment-close-in-description", severity=Severity.WARNING)
def comment_close_in_description(api: ir.Api) -> Iterator[Finding]:
    """A model description contains `*/`.

    What it checks: descriptions inside models do not contain `*/`.

    Why: API Gateway's generated SDKs put descriptions in code comments; `*/` ends the
    comment early and breaks the SDK build.

    Example:
        description: Accepts image/* and text/*/json

    Fix: reword it (`image/ *`).
    """
    for owner, schema, pointer in _model_schemas(api):
        for node, ptr in _walk_schema(schema, pointer):
            d = node.get("description")
            if isinstance(d, str) and "*/" in d:
                yield Finding(
                    pointer=join(ptr, "description"),
                    message=f"{owner}: a description contains '*/', which breaks generated SDKs",
                    hint="reword it, e.g. write 'image/ *' or 'image/<type>'",
                )


@rule("AGW711", name="root-security-ignored", severity=Severity.WARNING)
def root_security_ignored(api: ir.Api) -> Iterator[Finding]:
    """Root-level `security` is ignored by API Gateway.

    What it checks: the document has no root-level `security`, or every operation repeats
    its own `security`.

    Why: API Gateway applies only operation-level security; methods that rely on the
    root default end up with no authorization at all.

    Example:
        security: [{api_key: []}]      # at the root
        paths: {/pets: {get: {...}}}    # no security here

    Fix: put `security` on each operation.
    """
    if not api.root_security:
        return
    relying = [op for op in api.operations if op.security is None]
    if relying:
        labels = ", ".join(op.label for op in relying[:3]) + (
            f" and {len(relying) - 3} more" if len(relying) > 3 else ""
        )
        yield Finding(
            pointer="/security",
            at_key=True,
            message=f"root-level security is ignored by API Gateway; {labels} "
            + ("relies on it and gets" if len(relying) == 1 else "rely on it and get")
            + " no authorization",
            hint="repeat security on each operation",
        )
