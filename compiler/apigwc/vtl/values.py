"""Java values as API Gateway's Velocity sees them: how they print, compare, test and answer methods.

API Gateway evaluates templates with Apache Velocity (Java).  A template's values are Java
objects, so what a reference prints is Java's ``toString()``, not Python's ``str()``.
apigwc keeps values as plain Python data and gives them Java behaviour here; how each
prints (Java's ``String.valueOf``, the table of Python types and Java classes, `JsonArray`) is
`apigwc.value_text`, the one home of value-as-text.  Method tables (``METHODS``) hold the Java methods templates
call on these values (``$s.length()``, ``$list.size()``, ``$map.keySet()``...).
"""

from __future__ import annotations

import math
import re
from typing import Any, Callable

from ..bounded_regex import BoundedPattern, RegexTimeout, compile_bounded
from ..java_regex import JavaRegexError
from ..value_text import JsonArray, java_text


class VtlError(Exception):
    """A template failed at run time (bad method call, bad argument...): API Gateway answers 500."""

    #: the `TemplateError` kind it becomes
    kind = "runtime"


class VtlLimit(VtlError):
    """A template hit a bound (a regex past the render's time limit): API Gateway answers 500."""

    kind = "limit"


def from_json(data: Any) -> Any:
    """Turn parsed JSON into template values: arrays become `JsonArray` (they print as JSON)."""
    t = type(data)
    if t is dict:
        return {k: from_json(v) for k, v in data.items()}
    if t is list:
        return JsonArray(from_json(v) for v in data)
    return data


# ----------------------------------------------------------------------------------------
# Truth, equality, arithmetic (Velocity 1.7 rules)


def truthy(value: Any) -> bool:
    """API Gateway's ``#if``: false only for Boolean false.

    Unlike Apache Velocity, a null or undefined reference tests *true* (AWS-recorded:
    ``#if($undefined)yes#end`` and ``#if($!{a.b.c})`` render ``yes``; ``#if(!$null)``
    renders nothing; docs/conformance.md).  Empty strings are true, as in Velocity 1.7.
    """
    return value is not False


def _is_number(v: Any) -> bool:
    t = type(v)
    return t is int or t is float


def equals(a: Any, b: Any) -> bool:
    """Velocity 1.7 ``==``: numbers by value; same class by equals(); else by toString().

    API Gateway: null equals null and the empty string (AWS-recorded: a missing
    ``$input.path`` value is ``== ""``; docs/conformance.md).
    """
    if a is None or b is None:
        return a is b or a == "" or b == ""
    if _is_number(a) and _is_number(b):
        return a == b
    ta, tb = type(a), type(b)
    if ta is tb or (isinstance(a, list) and isinstance(b, list)):
        return a == b
    return java_text(a) == java_text(b)


def compare(op: str, a: Any, b: Any) -> bool:
    """``< <= > >=``: numbers only (Velocity logs an error and yields false otherwise)."""
    if _is_number(a) and _is_number(b):
        if op == "<":
            return a < b
        if op == "<=":
            return a <= b
        if op == ">":
            return a > b
        return a >= b
    raise VtlError(f"cannot compare {type_name(a)} and {type_name(b)} with {op} (numbers only)")


def _java_int(value: int) -> int:
    """Wrap like a Java long so overflow behaves like the service (rare in templates)."""
    if -(2**63) <= value < 2**63:
        return value
    return ((value + 2**63) % 2**64) - 2**63


def arithmetic(op: str, a: Any, b: Any) -> Any:
    """Velocity 1.7 math: integer math on integers (truncating division), doubles otherwise.

    ``+`` with a String on either side concatenates.  Anything else yields null, as Velocity
    does; division by zero yields null too.
    """
    if op == "+" and (type(a) is str or type(b) is str):
        if a is None or b is None:
            return None
        return java_text(a) + java_text(b)
    if not (_is_number(a) and _is_number(b)) or type(a) is bool or type(b) is bool:
        return None
    if op == "+":
        r = a + b
    elif op == "-":
        r = a - b
    elif op == "*":
        r = a * b
    elif op == "/":
        if b == 0:
            return None
        if type(a) is int and type(b) is int:
            q = abs(a) // abs(b)
            r = q if (a >= 0) == (b >= 0) else -q
        else:
            r = a / b
    else:  # %
        if b == 0:
            return None
        if type(a) is int and type(b) is int:
            r = int(math.fmod(a, b))
        else:
            r = math.fmod(a, b)
    return _java_int(r) if type(r) is int else r


def type_name(value: Any) -> str:
    """The Java class name a user would recognise."""
    t = type(value)
    if value is None:
        return "null"
    return {
        str: "String",
        bool: "Boolean",
        int: "Integer",
        float: "Double",
        dict: "Map",
        list: "List",
        JsonArray: "List",
        range: "List",
    }.get(t, getattr(value, "java_name", t.__name__))


# ----------------------------------------------------------------------------------------
# Java methods on values


def _int_arg(v: Any, what: str) -> int:
    if type(v) is int:
        return v
    if type(v) is float and v.is_integer():
        return int(v)
    raise VtlError(f"{what} expects an integer, got {java_text(v)!r}")


def _str_arg(v: Any, what: str) -> str:
    if type(v) is str:
        return v
    if v is None:
        raise VtlError(f"{what} got null")
    return java_text(v)


def _regex(pattern: str) -> "_TemplatePattern":
    try:
        return _TemplatePattern(compile_bounded(pattern))
    except JavaRegexError as exc:
        raise VtlError(f"invalid regular expression {pattern!r}: {exc}") from None
    except re.error as exc:
        raise VtlError(f"invalid regular expression {pattern!r}: {exc}") from None


class _TemplatePattern:
    """A bounded pattern whose timeout is a template limit (`VtlLimit`)."""

    __slots__ = ("bounded",)

    def __init__(self, bounded: BoundedPattern) -> None:
        self.bounded = bounded

    def fullmatch(self, text: str):
        try:
            return self.bounded.fullmatch(text)
        except RegexTimeout as exc:
            raise VtlLimit(str(exc)) from None

    def sub(self, repl, text: str, count: int = 0) -> str:
        try:
            return self.bounded.sub(repl, text, count)
        except RegexTimeout as exc:
            raise VtlLimit(str(exc)) from None

    def finditer(self, text: str) -> list:
        try:
            return self.bounded.finditer(text)
        except RegexTimeout as exc:
            raise VtlLimit(str(exc)) from None


def _java_replacement(repl: str) -> Callable[[re.Match[str]], str]:
    """Java Matcher.replaceAll replacement syntax: ``$1``, ``${name}``, backslash escapes."""
    parts: list[str | tuple[str]] = []  # literal text, or (group,) references
    buf: list[str] = []
    i, n = 0, len(repl)
    while i < n:
        c = repl[i]
        if c == "\\":
            if i + 1 >= n:
                raise VtlError(f"character to be escaped is missing in replacement {repl!r}")
            buf.append(repl[i + 1])
            i += 2
        elif c == "$":
            if i + 1 < n and repl[i + 1] == "{":
                close = repl.find("}", i + 2)
                if close == -1:
                    raise VtlError(f"named capturing group is missing trailing '}}' in replacement {repl!r}")
                ref, i = repl[i + 2 : close], close + 1
            elif i + 1 < n and repl[i + 1].isdigit():
                ref, i = repl[i + 1], i + 2
                while i < n and repl[i].isdigit():  # Java extends the number while such a group exists
                    ref += repl[i]
                    i += 1
            else:
                raise VtlError(f"Illegal group reference in replacement {repl!r}")
            parts.append("".join(buf))
            buf = []
            parts.append((ref,))
        else:
            buf.append(c)
            i += 1
    parts.append("".join(buf))

    def expand(m: re.Match[str]) -> str:
        out = []
        for p in parts:
            if type(p) is str:
                out.append(p)
                continue
            ref = p[0]
            if not ref.isdigit():
                try:
                    out.append(m.group(ref) or "")
                except IndexError:
                    raise VtlError(f"No group with name {{{ref}}}") from None
                continue
            number, k = int(ref[0]), 1
            while k < len(ref) and number * 10 + int(ref[k]) <= m.re.groups:
                number, k = number * 10 + int(ref[k]), k + 1
            if number > m.re.groups:
                raise VtlError(f"No group {number}")
            out.append(m.group(number) or "")
            out.append(ref[k:])
        return "".join(out)

    return expand


def _split(s: str, pattern: str, limit: int = 0) -> list[str]:
    """Java String.split: a regex separator; trailing empty strings dropped when limit is 0."""
    if s == "":
        return [""]
    rx = _regex(pattern)
    out: list[str] = []
    pos = 0
    for m in rx.finditer(s):
        if limit > 0 and len(out) == limit - 1:
            break
        if m.end() == 0:  # a zero-width match at the start makes no leading empty string
            continue
        out.append(s[pos : m.start()])
        pos = m.end()
    out.append(s[pos:])
    if limit == 0:
        while len(out) > 1 and out[-1] == "":
            out.pop()
        if out == [""] and pos:
            return []
    return out


def _substring(s: str, begin: Any, end: Any = None) -> str:
    b = _int_arg(begin, "substring")
    e = len(s) if end is None else _int_arg(end, "substring")
    if b < 0 or e > len(s) or b > e:
        raise VtlError(f"String index out of range: begin {b}, end {e}, length {len(s)}")
    return s[b:e]


def _char_at(s: str, i: Any) -> str:
    i = _int_arg(i, "charAt")
    if not 0 <= i < len(s):
        raise VtlError(f"String index out of range: {i}")
    return s[i]


def _index_of(s: str, sub: Any, start: Any = 0) -> int:
    return s.find(_str_arg(sub, "indexOf"), max(0, _int_arg(start, "indexOf")))


def _last_index_of(s: str, sub: Any) -> int:
    return s.rfind(_str_arg(sub, "lastIndexOf"))


def _replace_all(s: str, pattern: Any, repl: Any) -> str:
    return _regex(_str_arg(pattern, "replaceAll")).sub(_java_replacement(_str_arg(repl, "replaceAll")), s)


def _replace_first(s: str, pattern: Any, repl: Any) -> str:
    return _regex(_str_arg(pattern, "replaceFirst")).sub(_java_replacement(_str_arg(repl, "replaceFirst")), s, count=1)


def _java_trim(s: str) -> str:
    start, end = 0, len(s)
    while start < end and s[start] <= " ":
        start += 1
    while end > start and s[end - 1] <= " ":
        end -= 1
    return s[start:end]


STRING_METHODS: dict[str, Callable[..., Any]] = {
    "length": lambda s: len(s.encode("utf-16-le")) // 2,
    "isEmpty": lambda s: len(s) == 0,
    "toString": lambda s: s,
    "trim": _java_trim,
    "toLowerCase": lambda s: s.lower(),
    "toUpperCase": lambda s: s.upper(),
    "contains": lambda s, x: _str_arg(x, "contains") in s,
    "startsWith": lambda s, x, off=0: s.startswith(_str_arg(x, "startsWith"), _int_arg(off, "startsWith")),
    "endsWith": lambda s, x: s.endswith(_str_arg(x, "endsWith")),
    "equals": lambda s, x: type(x) is str and s == x,
    "equalsIgnoreCase": lambda s, x: type(x) is str and s.lower() == x.lower(),
    "indexOf": _index_of,
    "lastIndexOf": _last_index_of,
    "substring": _substring,
    "charAt": _char_at,
    "concat": lambda s, x: s + _str_arg(x, "concat"),
    "replace": lambda s, a, b: s.replace(_str_arg(a, "replace"), _str_arg(b, "replace")),
    "replaceAll": _replace_all,
    "replaceFirst": _replace_first,
    "matches": lambda s, p: _regex(_str_arg(p, "matches")).fullmatch(s) is not None,
    "split": lambda s, p, limit=0: _split(s, _str_arg(p, "split"), _int_arg(limit, "split")),
    "hashCode": lambda s: _java_string_hash(s),
    "compareTo": lambda s, x: _java_compare(s, _str_arg(x, "compareTo")),
}


def _java_string_hash(s: str) -> int:
    h = 0
    for unit in memoryview(s.encode("utf-16-le")).cast("H"):
        h = (31 * h + unit) & 0xFFFFFFFF
    return h - 2**32 if h >= 2**31 else h


def _java_compare(a: str, b: str) -> int:
    for x, y in zip(a, b):
        if x != y:
            return ord(x) - ord(y)
    return len(a) - len(b)


def _list_get(lst: Any, i: Any) -> Any:
    i = _int_arg(i, "get")
    if not 0 <= i < len(lst):
        raise VtlError(f"Index {i} out of bounds for length {len(lst)}")
    return lst[i]


def _list_add(lst: Any, *args: Any) -> Any:
    if isinstance(lst, range):
        raise VtlError("cannot add to a range; copy it into a list first")
    if len(args) == 2:
        lst.insert(_int_arg(args[0], "add"), args[1])
        return None
    lst.append(args[0])
    return True


def _list_set(lst: Any, i: Any, v: Any) -> Any:
    old = _list_get(lst, i)
    lst[_int_arg(i, "set")] = v
    return old


def _list_remove(lst: Any, x: Any) -> Any:
    if type(x) is int:
        old = _list_get(lst, x)
        del lst[x]
        return old
    if x in lst:
        lst.remove(x)
        return True
    return False


LIST_METHODS: dict[str, Callable[..., Any]] = {
    "size": len,
    "isEmpty": lambda lst: len(lst) == 0,
    "get": _list_get,
    "contains": lambda lst, x: any(equals(x, v) for v in lst),
    "indexOf": lambda lst, x: next((i for i, v in enumerate(lst) if equals(x, v)), -1),
    "add": _list_add,
    "set": _list_set,
    "remove": _list_remove,
    "addAll": lambda lst, other: lst.extend(other) or True,
    "clear": lambda lst: lst.clear(),
    "subList": lambda lst, a, b: list(lst[_int_arg(a, "subList") : _int_arg(b, "subList")]),
    "toString": java_text,
}


class MapEntry:
    """A Map.Entry from ``$map.entrySet()``: ``$e.key`` and ``$e.value``."""

    __slots__ = ("key", "value")
    java_name = "Map.Entry"

    def __init__(self, key: Any, value: Any) -> None:
        self.key = key
        self.value = value

    def vtl_text(self) -> str:
        return f"{java_text(self.key)}={java_text(self.value)}"

    def vtl_get(self, name: str) -> Any:
        if name == "key":
            return self.key
        if name == "value":
            return self.value
        return None

    def vtl_call(self, name: str, args: list[Any]) -> Any:
        if name in ("getKey", "getValue") and not args:
            return self.key if name == "getKey" else self.value
        if name == "toString":
            return self.vtl_text()
        raise LookupError(name)


def _map_put(m: dict, k: Any, v: Any) -> Any:
    old = m.get(k)
    m[k] = v
    return old


MAP_METHODS: dict[str, Callable[..., Any]] = {
    "size": len,
    "isEmpty": lambda m: len(m) == 0,
    "get": lambda m, k: m.get(k),
    "getOrDefault": lambda m, k, d: m.get(k, d),
    "containsKey": lambda m, k: k in m,
    "containsValue": lambda m, v: any(equals(v, x) for x in m.values()),
    "keySet": lambda m: list(m.keys()),
    "values": lambda m: list(m.values()),
    "entrySet": lambda m: [MapEntry(k, v) for k, v in m.items()],
    "put": _map_put,
    "putAll": lambda m, other: m.update(other),
    "remove": lambda m, k: m.pop(k, None),
    "clear": lambda m: m.clear(),
    "toString": java_text,
}

NUMBER_METHODS: dict[str, Callable[..., Any]] = {
    "intValue": lambda n: int(n),
    "longValue": lambda n: int(n),
    "doubleValue": lambda n: float(n),
    "floatValue": lambda n: float(n),
    "toString": java_text,
    "equals": lambda n, x: _is_number(x) and type(x) is type(n) and n == x,
    "compareTo": lambda n, x: (n > x) - (n < x),
}

BOOLEAN_METHODS: dict[str, Callable[..., Any]] = {
    "toString": java_text,
    "booleanValue": lambda b: b,
    "equals": lambda b, x: type(x) is bool and b == x,
}

#: Java methods by Python type.  Objects with ``vtl_call`` (``$input``, ``$util``...) answer their own.
METHODS: dict[type, dict[str, Callable[..., Any]]] = {
    str: STRING_METHODS,
    dict: MAP_METHODS,
    list: LIST_METHODS,
    JsonArray: LIST_METHODS,
    range: LIST_METHODS,
    int: NUMBER_METHODS,
    float: NUMBER_METHODS,
    bool: BOOLEAN_METHODS,
}

#: ``$x.name`` without parentheses on a non-map: Velocity tries getName() then isName().
PROPERTIES: dict[type, dict[str, str]] = {
    str: {"empty": "isEmpty", "bytes": "getBytes"},
    list: {"empty": "isEmpty"},
    JsonArray: {"empty": "isEmpty"},
    range: {"empty": "isEmpty"},
}
