"""JSONPath as API Gateway evaluates it (Jayway JsonPath) for ``$input.path`` / ``$input.json``.

Supported: ``$`` (root), ``.name``, ``['name']`` / ``["name"]``, ``[n]`` (negative counts
from the end), ``[*]`` / ``.*``, ``..name`` / ``..*`` (deep scan), unions ``['a','b']`` /
``[0,2]``, slices ``[start:end:step]``, filters ``[?(@.price < 10 && @.type == 'dog')]``
(``== != < <= > >= =~ /regex/``, ``&&``, ``||``, ``!``, existence ``[?(@.isbn)]``), and the
functions ``length()``/``size()`` at the end of a path.  A path without a leading ``$`` is
read as ``$.`` + path, as Jayway does.

Jayway returns one value for a *definite* path (only names and indexes) and a list for any
other path; a definite path that does not exist is "not found" (`MISSING`), while an
indefinite path that matches nothing is an empty list.  Not supported (an error is
reported): script expressions ``[(@.length-1)]``, the ``in``/``nin``/``subsetof`` filter
operators and functions other than length()/size().
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any, Callable, Iterator

from ..bounded_regex import BoundedPattern, compile_bounded
from ..java_regex import JavaRegexError
from ..value_text import JsonArray


class JsonPathError(ValueError):
    """The expression is not a JSONPath API Gateway accepts."""


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


#: A definite path that leads nowhere (Jayway's PathNotFoundException).
MISSING: Any = _Missing()

Step = Callable[[Any, Any], Iterator[Any]]


@dataclass(frozen=True, slots=True)
class JsonPath:
    """A compiled path: ``steps`` applied in turn; ``definite`` paths return one value."""

    text: str
    steps: tuple[Step, ...]
    definite: bool
    function: str | None = None

    def read(self, document: Any) -> Any:
        """Evaluate against parsed JSON: one value (or `MISSING`) if definite, else a list."""
        current: list[Any] = [document]
        for step in self.steps:
            nxt: list[Any] = []
            for node in current:
                nxt.extend(step(node, document))
            current = nxt
        if self.function is not None:
            if self.definite:
                target = current[0] if current else MISSING
            elif len(current) == 1 and isinstance(current[0], (list, dict)):
                target = current[0]  # Jayway applies the function to the single match ($..book.length())
            else:
                target = JsonArray(current)
            if target is MISSING:
                return MISSING
            if isinstance(target, (list, dict, str)):
                return len(target)
            raise JsonPathError(f"{self.function}() needs an array, object or string")
        if self.definite:
            return current[0] if current else MISSING
        return JsonArray(current)


_NAME = re.compile(r"[^.\[\]()\s'\"*,?]+")
_INT = re.compile(r"-?\d+")


@functools.lru_cache(maxsize=2048)
def compile_path(text: str) -> JsonPath:
    """Parse a JSONPath expression (cached).  Raises `JsonPathError`."""
    if not isinstance(text, str):
        raise JsonPathError(f"a JSONPath must be a string, got {text!r}")
    src = text.strip()
    if not src:
        raise JsonPathError("empty JSONPath")
    if not src.startswith("$"):
        src = "$." + src if not src.startswith("[") else "$" + src
    parser = _Parser(src)
    steps, definite, function = parser.path()
    return JsonPath(text=text, steps=tuple(steps), definite=definite, function=function)


class _Parser:
    def __init__(self, src: str) -> None:
        self.src = src
        self.i = 0

    def error(self, message: str) -> JsonPathError:
        return JsonPathError(f"{message} at position {self.i} in JSONPath {self.src!r}")

    def peek(self, k: int = 0) -> str:
        j = self.i + k
        return self.src[j] if j < len(self.src) else ""

    def ws(self) -> None:
        while self.peek() in (" ", "\t"):
            self.i += 1

    def path(self, inner: bool = False) -> tuple[list[Step], bool, str | None]:
        root = self.peek()
        if root not in ("$", "@"):
            raise self.error("expected $ or @")
        self.i += 1
        steps: list[Step] = []
        definite = True
        function = None
        while self.i < len(self.src):
            c = self.peek()
            if c == ".":
                if self.peek(1) == ".":
                    self.i += 2
                    definite = False
                    if self.peek() == "[":
                        sel, _ = self.bracket()
                        steps.append(_deep(sel))
                    elif self.peek() == "*":
                        self.i += 1
                        steps.append(_deep(_wildcard))
                    else:
                        steps.append(_deep(_child(self.name())))
                    continue
                self.i += 1
                if self.peek() == "*":
                    self.i += 1
                    steps.append(_wildcard)
                    definite = False
                    continue
                name = self.name()
                if self.peek() == "(" and self.peek(1) == ")":
                    if name not in ("length", "size"):
                        raise self.error(f"function {name}() is not supported")
                    self.i += 2
                    function = name
                    if self.i < len(self.src) and not inner:
                        raise self.error("a function must end the path")
                    break
                steps.append(_child(name))
            elif c == "[":
                sel, sel_definite = self.bracket()
                steps.append(sel)
                definite = definite and sel_definite
            elif inner:
                break
            else:
                raise self.error(f"unexpected {c!r}")
        return steps, definite, function

    def name(self) -> str:
        m = _NAME.match(self.src, self.i)
        if m is None:
            raise self.error("expected a property name")
        self.i = m.end()
        return m.group(0)

    def quoted(self) -> str:
        quote = self.peek()
        self.i += 1
        out = []
        while True:
            c = self.peek()
            if c == "":
                raise self.error("unterminated string")
            if c == "\\" and self.peek(1):
                out.append(self.peek(1))
                self.i += 2
                continue
            self.i += 1
            if c == quote:
                return "".join(out)
            out.append(c)

    def bracket(self) -> tuple[Step, bool]:
        self.i += 1  # [
        self.ws()
        c = self.peek()
        if c == "?":
            self.i += 1
            self.ws()
            if self.peek() != "(":
                raise self.error("expected ( after ?")
            self.i += 1
            pred = self.or_expr()
            self.ws()
            if self.peek() != ")":
                raise self.error("expected ) to close the filter")
            self.i += 1
            self.close()
            return _filter(pred), False
        if c == "(":
            raise self.error("script expressions [(...)] are not supported")
        if c == "*":
            self.i += 1
            self.close()
            return _wildcard, False
        if c in ("'", '"'):
            names = [self.quoted()]
            self.ws()
            while self.peek() == ",":
                self.i += 1
                self.ws()
                if self.peek() not in ("'", '"'):
                    raise self.error("expected a quoted name")
                names.append(self.quoted())
                self.ws()
            self.close()
            if len(names) == 1:
                return _child(names[0]), True
            return _union_names(tuple(names)), False
        # indexes, unions of indexes, slices
        m = re.compile(r"(-?\d+|)\s*(:\s*(-?\d+|)\s*(:\s*(-?\d+|))?)?").match(self.src, self.i)
        if m is None or not m.group(0).strip():
            raise self.error("expected an index, a name, * or a filter")
        if m.group(2):
            self.i = m.end()
            self.close()
            parts = [m.group(1), m.group(3), m.group(5)]
            start, end, step = (int(p) if p not in (None, "") else None for p in parts)
            return _slice(start, end, step), False
        indexes = []
        while True:
            self.ws()
            im = _INT.match(self.src, self.i)
            if im is None:
                raise self.error("expected an index")
            indexes.append(int(im.group(0)))
            self.i = im.end()
            self.ws()
            if self.peek() == ",":
                self.i += 1
                continue
            break
        self.close()
        if len(indexes) == 1:
            return _index(indexes[0]), True
        return _union_indexes(tuple(indexes)), False

    def close(self) -> None:
        self.ws()
        if self.peek() != "]":
            raise self.error("expected ]")
        self.i += 1

    # -- filters --------------------------------------------------------------------------

    def or_expr(self) -> Callable[[Any, Any], bool]:
        left = self.and_expr()
        while True:
            self.ws()
            if self.src.startswith("||", self.i):
                self.i += 2
                right = self.and_expr()
                left = (lambda a, b: lambda n, r: a(n, r) or b(n, r))(left, right)
            else:
                return left

    def and_expr(self) -> Callable[[Any, Any], bool]:
        left = self.unary()
        while True:
            self.ws()
            if self.src.startswith("&&", self.i):
                self.i += 2
                right = self.unary()
                left = (lambda a, b: lambda n, r: a(n, r) and b(n, r))(left, right)
            else:
                return left

    def unary(self) -> Callable[[Any, Any], bool]:
        self.ws()
        if self.peek() == "!":
            self.i += 1
            inner = self.unary()
            return lambda n, r: not inner(n, r)
        if self.peek() == "(":
            self.i += 1
            inner = self.or_expr()
            self.ws()
            if self.peek() != ")":
                raise self.error("expected )")
            self.i += 1
            return inner
        left = self.operand()
        self.ws()
        m = re.compile(r"==|!=|<=|>=|<|>|=~").match(self.src, self.i)
        if m is None:
            if left[0] != "path":
                raise self.error("a filter needs a comparison")
            getter = left[1]
            return lambda n, r: getter(n, r) is not MISSING
        op = m.group(0)
        self.i = m.end()
        self.ws()
        if op == "=~":
            rx = self.regex()
            getter = left[1]
            return lambda n, r: isinstance(v := getter(n, r), str) and rx.fullmatch(v) is not None
        right = self.operand()
        lget, rget = left[1], right[1]
        return lambda n, r: _compare(op, lget(n, r), rget(n, r))

    def regex(self) -> BoundedPattern:
        if self.peek() != "/":
            raise self.error("expected /regex/")
        end = self.src.find("/", self.i + 1)
        while end != -1 and self.src[end - 1] == "\\":
            end = self.src.find("/", end + 1)
        if end == -1:
            raise self.error("unterminated /regex/")
        body = self.src[self.i + 1 : end]
        self.i = end + 1
        flags = ""
        while self.peek().isalpha():
            flags += self.peek()
            self.i += 1
        try:
            return compile_bounded(body, "i" in flags)
        except (JavaRegexError, re.error) as exc:
            raise self.error(f"invalid regex: {exc}") from None

    def operand(self) -> tuple[str, Callable[[Any, Any], Any]]:
        self.ws()
        c = self.peek()
        if c in ("@", "$"):
            steps, definite, function = self.path(inner=True)
            sub = JsonPath(text="", steps=tuple(steps), definite=definite, function=function)
            if c == "@":
                return "path", lambda n, r: sub.read(n)
            return "path", lambda n, r: sub.read(r)
        if c in ("'", '"'):
            s = self.quoted()
            return "value", lambda n, r: s
        m = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?").match(self.src, self.i)
        if m:
            self.i = m.end()
            num = float(m.group(0)) if (m.group(1) or m.group(2)) else int(m.group(0))
            return "value", lambda n, r: num
        for word, value in (("true", True), ("false", False), ("null", None)):
            if self.src.startswith(word, self.i):
                self.i += len(word)
                return "value", (lambda v: lambda n, r: v)(value)
        raise self.error("expected a value in the filter")


def _compare(op: str, a: Any, b: Any) -> bool:
    if a is MISSING or b is MISSING:
        return False
    if op == "==":
        return a == b and type(a) is not bool or (type(a) is bool and a is b)
    if op == "!=":
        return not _compare("==", a, b)
    num = (int, float)
    if isinstance(a, num) and isinstance(b, num) and type(a) is not bool and type(b) is not bool:
        return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]
    if isinstance(a, str) and isinstance(b, str):
        return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]
    return False


def _child(name: str) -> Step:
    def step(node: Any, root: Any) -> Iterator[Any]:
        if type(node) is dict and name in node:
            yield node[name]

    return step


def _wildcard(node: Any, root: Any = None) -> Iterator[Any]:
    if type(node) is dict:
        yield from node.values()
    elif isinstance(node, list):
        yield from node


def _index(i: int) -> Step:
    def step(node: Any, root: Any) -> Iterator[Any]:
        if isinstance(node, list) and -len(node) <= i < len(node):
            yield node[i]

    return step


def _union_names(names: tuple[str, ...]) -> Step:
    def step(node: Any, root: Any) -> Iterator[Any]:
        if type(node) is dict:
            for n in names:
                if n in node:
                    yield node[n]

    return step


def _union_indexes(indexes: tuple[int, ...]) -> Step:
    def step(node: Any, root: Any) -> Iterator[Any]:
        if isinstance(node, list):
            for i in indexes:
                if -len(node) <= i < len(node):
                    yield node[i]

    return step


def _slice(start: int | None, end: int | None, step_by: int | None) -> Step:
    def step(node: Any, root: Any) -> Iterator[Any]:
        if isinstance(node, list):
            yield from node[slice(start, end, step_by)]

    return step


def _deep(selector: Step) -> Step:
    def step(node: Any, root: Any) -> Iterator[Any]:
        stack = [node]
        while stack:
            current = stack.pop()
            yield from selector(current, root)
            if type(current) is dict:
                stack.extend(reversed([v for v in current.values() if isinstance(v, (dict, list))]))
            elif isinstance(current, list):
                stack.extend(reversed([v for v in current if isinstance(v, (dict, list))]))

    return step


def _filter(pred: Callable[[Any, Any], bool]) -> Step:
    def step(node: Any, root: Any) -> Iterator[Any]:
        items = node.values() if type(node) is dict else node if isinstance(node, list) else ()
        for item in items:
            if pred(item, root):
                yield item

    return step
