"""Request validation (reference §1.7): required parameters and the body against its model.

A method's request validator (``x-amazon-apigateway-request-validator``) turns on:

* **parameters**: every required method request parameter (path, query string,
  header) must be present and not blank (``?q=`` counts as missing) [Doc].  There is no
  type check.  Failure: 400 BAD_REQUEST_PARAMETERS
  ``{"message": "Missing required request parameters: [a, b]"}`` [Doc], names in the
  order of the method's parameters (header, path, query string; then by name) [Inf];
* **body**: the payload must be JSON valid against the JSON Schema draft 4 model mapped
  to the request's content type (``$default`` when none is) [Doc].  Without a model for
  the content type the body is not validated [Doc].  ``minItems``/``maxItems`` are not
  checked: "The maxItems and minItems tags are not included in simple request
  validation" [Doc: REST API import notes]; ``format`` is not checked [Inf].  Failure:
  400 BAD_REQUEST_BODY ``{"message": "Invalid request body"}`` [Doc], and
  ``$context.error.validationErrorString`` lists the problems the way the service's
  validator words them (``[object has missing required properties (["name"])]``) [Obs].

jsonschema-rs decides validity (fast); jsonschema words the problems when it fails.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

import jsonschema
import jsonschema_rs

from .. import gateway as gw
from .errors import GatewayError, ResponseType
from .http import media_type
from .log import Step

if TYPE_CHECKING:
    from .exchange import Exchange

DEFAULT_CONTENT_TYPE = "application/json"
#: The requestModels key that applies to every content type without its own model [Doc].
DEFAULT_MODEL_KEY = "$default"
#: Keywords the service leaves out of request validation [Doc].
IGNORED_KEYWORDS = frozenset(("minItems", "maxItems"))
_DEFINITION_PREFIX = "apigwc-model-"


class _ModelValidator:
    __slots__ = ("name", "schema", "_fast", "_full")

    def __init__(self, name: str, schema: dict[str, Any]) -> None:
        self.name = name
        self.schema = schema
        try:
            self._fast: Any = jsonschema_rs.Draft4Validator(schema, validate_formats=False)
        except Exception:  # noqa: BLE001 - a pattern Rust's regex engine rejects: use jsonschema alone
            self._fast = None
        self._full: Any = None

    def problems(self, instance: Any) -> list[str]:
        """The service-style messages for an invalid instance; [] when it is valid."""
        if self._fast is not None and self._fast.is_valid(instance):
            return []
        if self._full is None:
            self._full = jsonschema.Draft4Validator(self.schema)
        messages = list(dict.fromkeys(_message(e) for e in self._full.iter_errors(instance)))
        if not messages and self._fast is not None:
            messages = [str(e).split("\n", 1)[0] for e in self._fast.iter_errors(instance)]
        return messages


class Validators:
    """Request validation for one API; model schemas are prepared once, on first use."""

    __slots__ = ("gateway", "_models", "_required")

    def __init__(self, gateway: gw.Gateway) -> None:
        self.gateway = gateway
        self._models: dict[str, _ModelValidator | None] = {}
        self._required: dict[str, tuple[tuple[str, str], ...]] = {}

    def check(self, ex: "Exchange", method: gw.Method) -> GatewayError | None:
        """Validate the method request in ``ex``; the error to answer, or None."""
        validator = self.gateway.request_validator(method.request_validator)
        if validator is None:
            return None
        if validator.validate_request_parameters:
            required = self._required.get(method.id)
            if required is None:
                required = self._required[method.id] = required_parameters(method)
            missing = missing_parameters(ex, method, required)
            if missing:
                message = f"Missing required request parameters: [{', '.join(missing)}]"
                return GatewayError(
                    type=ResponseType.BAD_REQUEST_PARAMETERS,
                    message=message,
                    log=f"Request validation failed: {message}",
                    validation_error=message,
                )
        if validator.validate_request_body:
            return self._check_body(ex, method)
        ex.note(Step.VALIDATION, f"Request validation succeeded (validator {validator.name})")
        return None

    def _check_body(self, ex: "Exchange", method: gw.Method) -> GatewayError | None:
        mime = media_type(ex.request.headers.get("Content-Type")) or DEFAULT_CONTENT_TYPE
        name = _model_for(method.request_models, mime)
        if name is None:
            ex.note(Step.VALIDATION, f"No model for Content-Type {mime}: the body is not validated")
            return None
        model = self._validator(name)
        if model is None:
            ex.note(Step.VALIDATION, f"Model {name} is not defined: the body is not validated")
            return None
        problems = body_problems(ex.request.body, model)
        if not problems:
            ex.note(Step.VALIDATION, f"Request validation succeeded (body matches model {name})")
            return None
        detail = "[" + ", ".join(problems) + "]"
        return GatewayError(
            type=ResponseType.BAD_REQUEST_BODY,
            log=f"Request body does not match model schema for content type {mime}: {detail}",
            validation_error=detail,
        )

    def _validator(self, name: str) -> _ModelValidator | None:
        if name not in self._models:
            schema = standalone_schema(self.gateway, name)
            self._models[name] = _ModelValidator(name, schema) if schema is not None else None
        return self._models[name]


def required_parameters(method: gw.Method) -> tuple[tuple[str, str], ...]:
    """(location, name) of a method's required request parameters, in the method's order."""
    out = []
    for key, required in method.request_parameters.items():
        if required:
            where, _, name = key.removeprefix("method.request.").partition(".")
            out.append((where, name))
    return tuple(out)


def missing_parameters(
    ex: "Exchange", method: gw.Method, required: tuple[tuple[str, str], ...] | None = None
) -> list[str]:
    """Names of the required method request parameters that are absent or blank."""
    missing: list[str] = []
    for where, name in required if required is not None else required_parameters(method):
        if where == "path":
            values: tuple[str, ...] = (ex.path_params.get(name, ""),)
        elif where == "querystring":
            values = ex.query.get(name, ())
        elif where == "header":
            values = ex.request.headers.get_all(name)
        else:
            continue
        if not any(v.strip() for v in values):
            missing.append(name)
    return missing


def _model_for(models: dict[str, str] | Any, mime: str) -> str | None:
    for key, name in models.items():
        if key.lower() == mime:
            return name
    return models.get(DEFAULT_MODEL_KEY)


def body_problems(body: bytes, model: _ModelValidator) -> list[str]:
    """Why a payload does not satisfy a model ([] if it does)."""
    text = body.decode("utf-8", "replace")
    if not text.strip():
        return ["the request body is empty, and the model requires a JSON document"]
    try:
        instance = json.loads(text)
    except (ValueError, RecursionError) as exc:
        return [f"the request body is not JSON: {exc}"]
    return model.problems(instance)


def standalone_schema(gateway: gw.Gateway, name: str) -> dict[str, Any] | None:
    """A model's schema with every model it references inlined under ``definitions``.

    Model references (``https://apigateway.amazonaws.com/restapis/{id}/models/X``)
    become ``#/definitions/apigwc-model-X``; ``minItems``/``maxItems`` are dropped
    (`IGNORED_KEYWORDS`).
    """
    root = gateway.model(name)
    if root is None:
        return None
    definitions: dict[str, Any] = {}
    pending = list(root.references)
    while pending:
        ref = pending.pop()
        key = _DEFINITION_PREFIX + ref
        if key in definitions:
            continue
        model = gateway.model(ref)
        definitions[key] = _rewrite(model.schema) if model is not None else {}
        if model is not None:
            pending.extend(model.references)
    schema = _rewrite(root.schema)
    if not isinstance(schema, dict):
        return {}
    if definitions:
        own = schema.get("definitions")
        schema["definitions"] = {**(own if isinstance(own, dict) else {}), **definitions}
    return schema


def _rewrite(node: Any, key: str | None = None) -> Any:
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            if k in IGNORED_KEYWORDS and key not in ("properties", "patternProperties", "definitions"):
                continue
            if k == "$ref" and isinstance(v, str):
                ref_name = gw.model_ref_name(v)
                out[k] = f"#/definitions/{_DEFINITION_PREFIX}{ref_name}" if ref_name is not None else v
                continue
            out[k] = _rewrite(v, k)
        return out
    if isinstance(node, list):
        return [_rewrite(v) for v in node]
    return node


# ----------------------------------------------------------------------------------------
# Messages in the words of the service's validator (json-schema-validator) [Obs]


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if value.is_integer() else "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _number(value: Any) -> str:
    return _json(value)


def _message(error: jsonschema.ValidationError) -> str:
    keyword = error.validator
    expected: Any = error.validator_value
    instance: Any = error.instance
    if keyword == "required" and isinstance(instance, dict):
        missing = sorted(p for p in expected if p not in instance)
        return f"object has missing required properties ({_json(missing)})"
    if keyword == "additionalProperties" and isinstance(instance, dict):
        schema = error.schema if isinstance(error.schema, dict) else {}
        allowed = set(schema.get("properties", {}))
        patterns = list(schema.get("patternProperties", {}))
        extra = sorted(k for k in instance if k not in allowed and not any(re.search(p, k) for p in patterns))
        return f"object instance has properties which are not allowed by the schema: {_json(extra)}"
    if keyword == "type":
        allowed = sorted(expected if isinstance(expected, list) else [expected])
        return f"instance type ({_type_name(instance)}) does not match any allowed primitive type (allowed: {_json(allowed)})"
    if keyword == "enum":
        return f"instance value ({_json(instance)}) not found in enum (possible values: {_json(expected)})"
    if keyword == "minLength":
        return f"string {_json(instance)} is too short (length: {len(instance)}, required minimum: {expected})"
    if keyword == "maxLength":
        return f"string {_json(instance)} is too long (length: {len(instance)}, maximum allowed: {expected})"
    if keyword == "pattern":
        return f"ECMA 262 regex {_json(expected)} does not match input string {_json(instance)}"
    if keyword == "minimum":
        if isinstance(error.schema, dict) and error.schema.get("exclusiveMinimum") is True:
            return f"numeric instance is not strictly greater than the required minimum {_number(expected)}"
        return f"numeric instance is lower than the required minimum (minimum: {_number(expected)}, found: {_number(instance)})"
    if keyword == "maximum":
        if isinstance(error.schema, dict) and error.schema.get("exclusiveMaximum") is True:
            return f"numeric instance is not strictly lower than the required maximum {_number(expected)}"
        return f"numeric instance is greater than the required maximum (maximum: {_number(expected)}, found: {_number(instance)})"
    if keyword == "multipleOf":
        return f"remainder of division is not zero ({_number(instance)} / {_number(expected)})"
    if keyword == "uniqueItems":
        return "array must not contain duplicate elements"
    if keyword == "minProperties":
        return f"object has too few properties (found {len(instance)} but schema requires at least {expected})"
    if keyword == "maxProperties":
        return f"object has too many properties (found {len(instance)} but schema requires at most {expected})"
    if keyword == "anyOf":
        return f"instance failed to match at least one required schema among {len(expected)}"
    if keyword in ("oneOf", "allOf"):
        failing = {e.schema_path[0] for e in error.context if e.schema_path}
        matched = len(expected) - len(failing)
        if keyword == "oneOf":
            return f"instance failed to match exactly one schema (matched {matched} out of {len(expected)})"
        return f"instance failed to match all required schemas (matched only {matched} out of {len(expected)})"
    if keyword == "not":
        return "instance matched a schema which it should not have"
    return error.message
