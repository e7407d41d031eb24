"""The variables API Gateway gives a template: ``$input``, ``$util``, ``$context``, ``$stageVariables``.

`TemplateRequest` is what the caller knows about one request (the local gateway builds it from an
HTTP request; ``apigwc vtl render`` from a REQUEST.json file).  `bind` turns it into the
template namespace.  Facts are from the AWS "Variables for data transformations" reference
(reference §3); choices where AWS is silent are in docs/vtl.md.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Mapping

from ..bounded_regex import RegexTimeout
from ..value_text import java_text, json_text
from .jsonpath import MISSING, JsonPathError, compile_path
from .values import VtlError, VtlLimit, from_json


@dataclass(frozen=True, slots=True, kw_only=True)
class TemplateRequest:
    """One method request as a mapping template sees it.

    Query and header values are tuples (multi-value); templates see the last value of a
    repeated name.  ``context`` holds overrides of the generated ``$context`` values, nested
    (``{"identity": {"sourceIp": "..."}}``) or dotted (``{"identity.sourceIp": "..."}``).
    """

    method: str = "POST"
    path: str = "/"
    resource_path: str = "/"
    stage: str = "local"
    path_params: Mapping[str, str] = field(default_factory=dict)
    query: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    headers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    body: str | bytes = ""
    stage_variables: Mapping[str, str] = field(default_factory=dict)
    context: Mapping[str, Any] = field(default_factory=dict)

    @property
    def body_text(self) -> str:
        if isinstance(self.body, bytes):
            return self.body.decode("utf-8", "replace")
        return self.body

    def header(self, name: str) -> str | None:
        """The last value of a header, matched case-insensitively."""
        lowered = name.lower()
        found = None
        for key, values in self.headers.items():
            if key.lower() == lowered and values:
                found = values[-1]
        return found


class Input:
    """``$input``: the payload and the method request parameters.

    ``body`` replaces the request's payload: a response template reads the integration's
    response through ``$input`` and still sees the method request's parameters.
    """

    __slots__ = ("request", "_parsed", "_params", "_body")
    java_name = "$input"

    def __init__(self, request: TemplateRequest, body: str | bytes | None = None) -> None:
        self.request = request
        self._parsed: Any = MISSING
        self._params: dict[str, dict[str, str]] | None = None
        self._body = body

    @property
    def body_text(self) -> str:
        """The payload as text (UTF-8, invalid bytes replaced)."""
        body = self._body
        if body is None:
            return self.request.body_text
        if isinstance(body, bytes):
            return body.decode("utf-8", "replace")
        return body

    def vtl_text(self) -> str:
        return "$input"

    def vtl_get(self, name: str) -> Any:
        if name == "body":
            return self.body()
        raise LookupError(name)

    def body(self) -> str:
        """``$input.body``: the payload as text; an empty payload reads as ``{}`` (AWS-recorded, docs/conformance.md)."""
        return self.body_text or "{}"

    def vtl_call(self, name: str, args: list[Any]) -> Any:
        if name == "json" and len(args) == 1:
            return self.json(args[0])
        if name == "path" and len(args) == 1:
            return self.path(args[0])
        if name == "params" and len(args) <= 1:
            return self.params(args[0]) if args else self.all_params()
        if name == "body" and not args:
            return self.body()
        raise LookupError(name)

    def document(self) -> Any:
        """The payload parsed as JSON; an empty payload reads as ``{}``.

        A payload that is not JSON reads as one string (json-smart's permissive mode, which
        API Gateway's JSONPath uses): ``$input.path('$')`` is then the raw text, which is
        how templates split form posts.
        """
        if self._parsed is MISSING:
            text = self.body_text
            if not text.strip():
                self._parsed = {}
            else:
                try:
                    self._parsed = from_json(json.loads(text))
                except (ValueError, RecursionError):
                    self._parsed = text
        return self._parsed

    def path(self, expression: Any) -> Any:
        """``$input.path(x)``: the value at a JSONPath, as a template value (null if absent)."""
        try:
            found = compile_path(java_text(expression)).read(self.document())
        except JsonPathError as exc:
            raise VtlError(str(exc)) from None
        except RegexTimeout as exc:  # a filter's =~ on the client's data
            raise VtlLimit(str(exc)) from None
        return None if found is MISSING else found

    def json(self, expression: Any) -> str:
        """``$input.json(x)``: the value at a JSONPath as JSON text ("" if absent)."""
        try:
            found = compile_path(java_text(expression)).read(self.document())
        except JsonPathError as exc:
            raise VtlError(str(exc)) from None
        except RegexTimeout as exc:  # a filter's =~ on the client's data
            raise VtlLimit(str(exc)) from None
        if found is MISSING:
            return ""
        return json_text(found)

    def all_params(self) -> dict[str, dict[str, str]]:
        """``$input.params()``: {path: {...}, querystring: {...}, header: {...}}."""
        if self._params is None:
            r = self.request
            self._params = {
                "path": dict(r.path_params),
                "querystring": {k: v[-1] for k, v in r.query.items() if v},
                "header": {k: v[-1] for k, v in r.headers.items() if v},
            }
        return self._params

    def params(self, name: Any) -> str:
        """``$input.params(x)``: path, then query string, then header ("" when absent)."""
        key = java_text(name)
        r = self.request
        if key in r.path_params:
            return r.path_params[key]
        values = r.query.get(key)
        if values:
            return values[-1]
        found = r.header(key)
        return "" if found is None else found


_JS_TABLE = {code: f"\\u{code:04X}" for code in range(32)}
_JS_TABLE.update(
    {
        ord(k): v
        for k, v in {
            "'": "\\'",
            '"': '\\"',
            "\\": "\\\\",
            "/": "\\/",
            "\b": "\\b",
            "\n": "\\n",
            "\t": "\\t",
            "\f": "\\f",
            "\r": "\\r",
        }.items()
    }
)
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _escape_non_ascii(m: re.Match[str]) -> str:
    code = ord(m.group(0))
    if code > 0xFFFF:  # Java strings are UTF-16: one escape per surrogate
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04X}\\u{0xDC00 + (code & 0x3FF):04X}"
    return f"\\u{code:04X}"


def escape_javascript(text: str) -> str:
    """Apache Commons Lang ``StringEscapeUtils.escapeJavaScript``: what ``$util.escapeJavaScript`` does.

    Escapes ``' " \\ /``, the control characters (``\\n`` style, else ``\\u00XX``) and every
    character above 0x7F as ``\\uXXXX`` (upper-case hex, UTF-16 code units).
    """
    out = text.translate(_JS_TABLE)
    if not out.isascii():
        out = _NON_ASCII.sub(_escape_non_ascii, out)
    return out


_URL_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-*_")


def url_encode(text: str) -> str:
    """Java ``URLEncoder.encode(s, "UTF-8")``: form encoding, space as ``+``."""
    out = []
    for ch in text:
        if ch in _URL_SAFE:
            out.append(ch)
        elif ch == " ":
            out.append("+")
        else:
            out.extend(f"%{b:02X}" for b in ch.encode("utf-8", "surrogatepass"))
    return "".join(out)


def url_decode(text: str) -> str:
    """Java ``URLDecoder.decode(s, "UTF-8")``: ``+`` is a space; a bad ``%`` escape is an error."""
    out = bytearray()
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "+":
            out += b" "
            i += 1
        elif c == "%":
            pair = text[i + 1 : i + 3]
            if len(pair) < 2 or any(h not in "0123456789abcdefABCDEF" for h in pair):
                raise VtlError(f"URLDecoder: Illegal hex characters in escape (%) pattern: {text[i : i + 3]!r}")
            out.append(int(pair, 16))
            i += 3
        else:
            out += c.encode("utf-8", "replace")
            i += 1
    return out.decode("utf-8", "replace")


class Util:
    """``$util``: the six documented helper functions."""

    __slots__ = ()
    java_name = "$util"
    METHODS = ("escapeJavaScript", "parseJson", "urlEncode", "urlDecode", "base64Encode", "base64Decode")

    def vtl_text(self) -> str:
        return "$util"

    def vtl_get(self, name: str) -> Any:
        raise LookupError(name)

    def vtl_call(self, name: str, args: list[Any]) -> Any:
        if len(args) != 1 or name not in self.METHODS:
            raise LookupError(name)
        arg = args[0]
        if arg is None:
            if name == "parseJson":
                raise VtlError("$util.parseJson(null): nothing to parse")
            return None
        text = java_text(arg)
        if name == "escapeJavaScript":
            return escape_javascript(text)
        if name == "parseJson":
            try:
                return from_json(json.loads(text))
            except (ValueError, RecursionError) as exc:
                raise VtlError(f"$util.parseJson: not valid JSON ({exc})") from None
        if name == "urlEncode":
            return url_encode(text)
        if name == "urlDecode":
            return url_decode(text)
        if name == "base64Encode":
            return base64.b64encode(text.encode("utf-8", "replace")).decode("ascii")
        try:
            return base64.b64decode(text.encode("ascii", "strict"), validate=True).decode("utf-8", "replace")
        except (binascii.Error, UnicodeEncodeError, ValueError) as exc:
            raise VtlError(f"$util.base64Decode: not valid base64 ({exc})") from None


UTIL = Util()

#: ``$input`` members (for lint): properties and methods.
INPUT_MEMBERS = ("body", "json", "path", "params")


def _clf_time(epoch: float) -> str:
    return time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(epoch))


def context_variables(
    *,
    account_id: str,
    api_id: str,
    deployment_id: str,
    host: str,
    http_method: str,
    source_ip: str,
    user_agent: str | None,
    path: str,
    stage: str,
    request_id: str,
    extended_request_id: str,
    request_time: str,
    request_time_epoch: int,
    resource_id: str | None,
    resource_path: str | None,
) -> dict[str, Any]:
    """The ``$context`` of one request, every key API Gateway defines: the one builder, used by
    the local gateway's pipeline (apigwc.runtime.context) and by ``apigwc vtl render``."""
    return {
        "accountId": account_id,
        "apiId": api_id,
        "authorizer": {"principalId": None, "claims": None},
        "awsEndpointRequestId": None,
        "deploymentId": deployment_id,
        "domainName": host,
        "domainPrefix": host.split(".", 1)[0],
        "error": {"message": None, "messageString": None, "responseType": None, "validationErrorString": None},
        "extendedRequestId": extended_request_id,
        "httpMethod": http_method,
        "identity": {
            "accountId": None,
            "apiKey": None,
            "apiKeyId": None,
            "caller": None,
            "clientCert": None,
            "cognitoAuthenticationProvider": None,
            "cognitoAuthenticationType": None,
            "cognitoIdentityId": None,
            "cognitoIdentityPoolId": None,
            "principalOrgId": None,
            "sourceIp": source_ip,
            "user": None,
            "userAgent": user_agent,
            "userArn": None,
        },
        "path": path,
        "protocol": "HTTP/1.1",
        "requestId": request_id,
        "requestOverride": {"header": {}, "path": {}, "querystring": {}},
        "requestTime": request_time,
        "requestTimeEpoch": request_time_epoch,
        "resourceId": resource_id,
        "resourcePath": resource_path,
        "responseOverride": {"header": {}, "status": None},
        "stage": stage,
        "wafResponseCode": None,
        "webaclArn": None,
    }


def base_context(request: TemplateRequest, now: float | None = None) -> dict[str, Any]:
    """The generated ``$context`` of a local request (before the request's overrides)."""
    now = time.time() if now is None else now
    request_id = str(uuid.uuid4())
    return context_variables(
        account_id="123456789012",
        api_id="local",
        deployment_id="local",
        host=request.header("Host") or "localhost",
        http_method=request.method.upper(),
        source_ip="127.0.0.1",
        user_agent=request.header("User-Agent"),
        path=f"/{request.stage}{request.path}",
        stage=request.stage,
        request_id=request_id,
        extended_request_id=request_id.replace("-", "")[:16] + "=",
        request_time=_clf_time(now),
        request_time_epoch=int(now * 1000),
        resource_id="local",
        resource_path=request.resource_path,
    )


def _merge(target: dict[str, Any], overrides: Mapping[str, Any]) -> None:
    for key, value in overrides.items():
        parts = key.split(".")
        node = target
        for part in parts[:-1]:
            nxt = node.get(part)
            if not isinstance(nxt, dict):
                nxt = {}
                node[part] = nxt
            node = nxt
        last = parts[-1]
        if isinstance(value, Mapping) and isinstance(node.get(last), dict):
            _merge(node[last], value)
        else:
            node[last] = from_json(value) if isinstance(value, (dict, list)) else value


def bind(request: TemplateRequest, now: float | None = None) -> dict[str, Any]:
    """The template namespace for a request: input, util, context, stageVariables."""
    context = base_context(request, now)
    if request.context:
        _merge(context, request.context)
    return {
        "input": Input(request),
        "util": UTIL,
        "context": context,
        "stageVariables": dict(request.stage_variables),
    }


__all__ = [
    "TemplateRequest",
    "Input",
    "Util",
    "UTIL",
    "bind",
    "base_context",
    "escape_javascript",
    "url_encode",
    "url_decode",
]


#: Keys of a REQUEST.json file for ``apigwc vtl render --request``.
REQUEST_KEYS = (
    "body",
    "path",
    "querystring",
    "header",
    "stageVariables",
    "context",
    "httpMethod",
    "resourcePath",
    "requestPath",
    "stage",
)


def request_from_json(data: Any) -> TemplateRequest | str:
    """Build a `TemplateRequest` from a REQUEST.json document; a string explains what is wrong.

    ``{"body": str, "path": {}, "querystring": {}, "header": {}, "stageVariables": {},
    "context": {}}``, every key optional; query and header values may be strings or lists
    of strings (repeated names).  ``httpMethod``, ``resourcePath``, ``requestPath`` and
    ``stage`` set the matching ``$context`` values.
    """
    if not isinstance(data, dict):
        return "the request file must hold a JSON object"
    unknown = [k for k in data if k not in REQUEST_KEYS]
    if unknown:
        return f"unknown key {unknown[0]!r} in the request file; expected some of: {', '.join(REQUEST_KEYS)}"
    body = data.get("body", "")
    if body is None:
        body = ""
    if not isinstance(body, str):
        return "'body' must be a string (the raw payload); use json.dumps for a JSON body"

    def strings(key: str) -> dict[str, str] | str:
        value = data.get(key, {}) or {}
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            return f"'{key}' must be an object of strings"
        return value

    def multi(key: str) -> dict[str, tuple[str, ...]] | str:
        value = data.get(key, {}) or {}
        if not isinstance(value, dict):
            return f"'{key}' must be an object"
        out: dict[str, tuple[str, ...]] = {}
        for name, v in value.items():
            if isinstance(v, str):
                out[name] = (v,)
            elif isinstance(v, list) and all(isinstance(x, str) for x in v):
                out[name] = tuple(v)
            else:
                return f"'{key}.{name}' must be a string or a list of strings"
        return out

    path, stage_vars = strings("path"), strings("stageVariables")
    query, headers = multi("querystring"), multi("header")
    for part in (path, stage_vars, query, headers):
        if isinstance(part, str):
            return part
    context = data.get("context", {}) or {}
    if not isinstance(context, dict):
        return "'context' must be an object"
    for key in ("httpMethod", "resourcePath", "requestPath", "stage"):
        if key in data and not isinstance(data[key], str):
            return f"'{key}' must be a string"
    resource_path = data.get("resourcePath", "/")
    return TemplateRequest(
        method=data.get("httpMethod", "POST"),
        path=data.get("requestPath", resource_path),
        resource_path=resource_path,
        stage=data.get("stage", "local"),
        path_params=path,  # type: ignore[arg-type]
        query=query,  # type: ignore[arg-type]
        headers=headers,  # type: ignore[arg-type]
        body=body,
        stage_variables=stage_vars,  # type: ignore[arg-type]
        context=context,
    )
