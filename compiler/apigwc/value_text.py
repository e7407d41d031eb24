"""How API Gateway renders a value as text: one home, one function per output.

API Gateway is Java: what it prints is a Java object's text, and which text depends on the
output.  The same value -- the number ``1.0E20``, the Boolean ``true``, a JSON array -- reads
differently in a template, in a parameter mapping, in a gateway response and in the
execution log.  Each output has its own function here, with its evidence; no other module
turns a value into text.

| function               | output                                                             | evidence     |
|------------------------|--------------------------------------------------------------------|--------------|
| `java_text`            | Velocity: ``$x``, ``$x.toString()``, string concatenation (`vtl/`) | [Obs]        |
| `json_text`            | ``$input.json(...)``, a JSON array printed in a template           | [Obs]        |
| `mapping_text`         | a parameter mapping's ``*.body.a.b`` or ``context.x`` value        | [Inf]        |
| `substitution_text`    | ``$context.x`` in gateway responses (and access log formats)       | [Doc], [Inf] |
| `log_value`, `log_map` | the execution log (``Method request headers: {a=1, b=2}``)         | [Obs]        |
| `authorizer_text`      | a Lambda authorizer's ``principalId`` and ``context`` values       | [Doc]        |
| `claim_text`           | ``$context.authorizer.claims.x`` of a Cognito authorizer           | [Obs], [Inf] |
| `proxy_header_text`    | a header value of a Lambda proxy response                          | [Inf]        |

`java_text` is Java's ``String.valueOf`` on the values a template holds:

| Python                | Java class (API Gateway)           | prints as                   |
|-----------------------|------------------------------------|-----------------------------|
| ``str``               | String                             | the text                    |
| ``bool``              | Boolean                            | ``true`` / ``false``        |
| ``int``               | Integer / Long                     | ``42``                      |
| ``float``             | Double                             | ``1.0``, ``1.0E-4``         |
| ``None``              | null                               | ``null``                    |
| ``dict``              | LinkedHashMap (JSON objects, maps) | ``{a=1, b=x}``              |
| ``list``, ``range``   | ArrayList (template lists, ranges) | ``[1, a]``                  |
| `JsonArray`           | json-smart JSONArray (JSON arrays) | ``[1,"a"]`` (JSON text)     |

JSON arrays read from a payload (``$input.path``, ``$util.parseJson``) are json-smart
``JSONArray``s, whose ``toString()`` is JSON; JSON objects are ``LinkedHashMap``s, whose
``toString()`` is Java's ``{key=value, ...}`` [Obs: serverless/serverless#1014,
localstack/localstack#12379].  `JsonArray` lives here because how it prints is what sets it
apart from a list.

This module sits in the foundation layer (it imports nothing of apigwc), so the template
engine (`vtl/`) and the runtime pipeline (`runtime/`) both use it.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any


class JsonArray(list):
    """A JSON array read from a payload: a json-smart JSONArray, which prints as JSON."""

    __slots__ = ()


def java_double(value: float) -> str:
    """Java's ``Double.toString``: 1.0, 0.5, 249.99, 1.0E-4, 1.2345678E7, 1.0E20, NaN, Infinity."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "-0.0" if math.copysign(1.0, value) < 0 else "0.0"
    sign = "-" if value < 0 else ""
    exact = Decimal(repr(abs(value))).as_tuple()  # shortest round-trip digits
    raw = "".join(map(str, exact.digits))
    exponent = len(raw) + exact.exponent - 1  # power of ten of the first digit
    digits = raw.rstrip("0") or "0"
    if 1e-3 <= abs(value) < 1e7:
        if exponent >= 0:
            whole = digits[: exponent + 1].ljust(exponent + 1, "0")
            frac = digits[exponent + 1 :] or "0"
            return f"{sign}{whole}.{frac}"
        return f"{sign}0.{'0' * (-exponent - 1)}{digits}"
    return f"{sign}{digits[0]}.{digits[1:] or '0'}E{exponent}"


def java_text(value: Any) -> str:
    """Java ``String.valueOf(value)`` for a template value: what ``$x`` prints (null prints ``null``).

    Objects of the template engine (``$input``, ``$util``, map entries) print through their
    own ``vtl_text()`` method.
    """
    t = type(value)
    if t is str:
        return value
    if t is bool:
        return "true" if value else "false"
    if t is int:
        return str(value)
    if t is float:
        return java_double(value)
    if value is None:
        return "null"
    if t is dict:
        return "{" + ", ".join(f"{java_text(k)}={java_text(v)}" for k, v in value.items()) + "}"
    if t is JsonArray:
        return json_text(value)
    if t is list or t is range or t is tuple:
        return "[" + ", ".join(java_text(v) for v in value) + "]"
    text = getattr(value, "vtl_text", None)
    if text is not None:
        return text()
    return str(value)


def json_text(value: Any) -> str:
    """Compact JSON text of a value: json-smart's ``toJSONString`` for payload data.

    What ``$input.json('$.a')`` returns and what a `JsonArray` prints; non-ASCII text stays
    as it is (json-smart does not escape it).  A whole float keeps its ``.0`` (``1.0``).
    """
    if type(value) is float:
        if value.is_integer() and abs(value) < 1e16:
            return repr(value)
        return json.dumps(value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=_json_default)


def _json_default(value: Any) -> Any:
    if isinstance(value, range):
        return list(value)
    return java_text(value)


def mapping_text(value: Any) -> str:
    """A value a parameter mapping reads: ``*.body.JSONPATH`` of a payload, or ``context.x``.

    A string is its own text, a Boolean ``true``/``false``, a number its shortest decimal
    text (``1.0``, ``1e+20``), an object or array compact JSON (`json_text`).  The caller
    maps a missing or null value to no value at all.  [Inf: AWS documents that the mapping
    takes the value at the JSONPath or of the context variable, not how a value that is not
    a string prints.]
    """
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return json_text(value)


def substitution_text(value: Any, missing: str = "") -> str:
    """A ``$context.x`` or ``$stageVariables.x`` value substituted into a gateway response or log format.

    A value that is not there prints ``missing`` (nothing in a gateway response, ``-`` in an
    access log [Doc: "Customize access logs": null values are logged as -]); a Boolean is
    ``true``/``false``; a map or list is compact JSON with non-ASCII escaped [Inf: gateway
    response templates are not VTL, the variables are substituted as text [Doc]; how a map
    such as ``$context.authorizer`` prints is not documented]; anything else its own text.
    """
    if value is None:
        return missing
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def log_value(value: object) -> str:
    """One value in the execution log: a string as it is, a list as ``[a, b]``, null as ``null``.

    The console's Test prints Java collections [Obs: the API Gateway console's execution log,
    ``Method request headers: {Accept=*/*, Host=...}``]; the values are header, query and
    path strings, or lists of them.
    """
    if type(value) is str:
        return value
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return "null" if value is None else str(value)


def log_map(values: Mapping[str, object] | Iterable[tuple[str, object]]) -> str:
    """``{a=1, b=x}``: how the service prints parameter and header maps in its execution log [Obs]."""
    pairs = values.items() if type(values) is dict or isinstance(values, Mapping) else values
    return "{" + ", ".join(f"{k}={log_value(v)}" for k, v in pairs) + "}"


def authorizer_text(value: Any) -> str:
    """A Lambda authorizer's ``principalId`` or ``context`` value, as ``$context.authorizer.<key>`` shows it.

    The values are strings, numbers or booleans, and API Gateway stringifies them [Doc:
    "Output from an API Gateway Lambda authorizer"]: a Boolean ``true``/``false``, a number its
    decimal text.
    """
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


_DATE_CLAIMS = frozenset(("exp", "iat", "auth_time", "nbf"))
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def claim_text(name: str, value: Any) -> str:
    """A Cognito claim as ``$context.authorizer.claims.<name>`` shows it (a string).

    Times (``exp``, ``iat``, ``auth_time``) read as Java prints a date,
    ``Tue Nov 14 22:13:20 UTC 2023`` [Obs]; lists as Java prints them, ``[a, b]`` [Inf];
    booleans ``true``/``false``; objects as compact JSON [Inf].
    """
    if name in _DATE_CLAIMS and isinstance(value, (int, float)) and not isinstance(value, bool):
        t = time.gmtime(int(value))
        return f"{_DAYS[t.tm_wday]} {_MONTHS[t.tm_mon - 1]} {t.tm_mday:02d} {t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} UTC {t.tm_year}"
    if isinstance(value, list):
        return "[" + ", ".join(claim_text("", v) for v in value) + "]"
    if isinstance(value, dict):
        return json.dumps(value, separators=(",", ":"))
    if value is None:
        return "null"
    return authorizer_text(value)


def proxy_header_text(value: Any) -> str | None:
    """A header value of a Lambda proxy response: a string as it is, a number or Boolean as text [Inf].

    None when the value is not a scalar (the caller reports a malformed response).
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return str(value)
    return None
