"""Compile and render API Gateway mapping templates.

Parsing is airspeed's (a maintained Velocity parser; see docs/vtl.md for why).  Its parse
tree is compiled once into Python closures that implement Velocity 1.7 semantics with Java
values (`apigwc.vtl.values`), API Gateway's rendering choices, and hard limits:

* a template larger than 300 KB is rejected;
* a ``#foreach`` runs at most 1,000 iterations;
* a render stops after ``Limits.time_seconds`` (the deadline is checked in every loop
  iteration, macro call and ``#evaluate``, and bounds every regex match: see
  `apigwc.bounded_regex`), or when the output or any string grows past
  ``Limits.output_bytes``; macros nest at most ``Limits.macro_depth`` deep.

Every failure is a `TemplateError` value with a line and column inside the template; no
exception escapes `compile_template` or `render`.
"""

from __future__ import annotations

import functools
import re
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import airspeed

from ..bounded_regex import deadline as regex_deadline
from ..value_text import java_text
from .values import (
    METHODS,
    PROPERTIES,
    VtlError,
    arithmetic,
    compare,
    equals,
    truthy,
    type_name,
)
from .variables import TemplateRequest, bind

#: API Gateway's mapping template size limit [Doc: quotas].
MAX_TEMPLATE_BYTES = 300 * 1024
#: API Gateway's #foreach iteration limit [Doc: quotas].
MAX_FOREACH = 1000


@dataclass(frozen=True, slots=True, kw_only=True)
class Limits:
    """Bounds of one render.  The defaults are what apigwc uses for API Gateway templates."""

    time_seconds: float = 2.0
    output_bytes: int = 10 * 1024 * 1024
    foreach_iterations: int = MAX_FOREACH
    macro_depth: int = 20


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True, slots=True, kw_only=True)
class TemplateError:
    """A template that cannot be parsed or rendered: where (1-based, in the template) and why.

    ``kind`` is "syntax" (never renders), "runtime" (this request failed: API Gateway
    answers 500) or "limit" (a size, iteration or time bound was hit).
    """

    message: str
    line: int
    col: int
    offset: int
    kind: str

    def __str__(self) -> str:
        return f"{self.line}:{self.col}: {self.message}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Rendered:
    """The output of a render plus what the template wrote to ``$context.*Override``."""

    body: str
    request_override: dict[str, dict[str, str]] = field(default_factory=dict)
    response_override: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class Reference:
    """A ``$root.member`` use found while compiling (lint checks ``$util``/``$input`` members)."""

    root: str
    member: str
    call: bool
    offset: int


# ----------------------------------------------------------------------------------------
# Render-time state and control flow


class _Fail(Exception):
    def __init__(self, offset: int, message: str, kind: str = "runtime") -> None:
        self.offset = offset
        self.message = message
        self.kind = kind


class _Break(Exception):
    pass


class _Stop(Exception):
    pass


class _Ctx:
    __slots__ = ("vars", "out", "size", "deadline", "limits", "depth", "macros", "evaluating")

    def __init__(self, variables: dict[str, Any], limits: Limits, macros: dict[str, Any]) -> None:
        self.vars = variables
        self.out: list[str] = []
        self.size = 0
        self.limits = limits
        self.deadline = time.perf_counter() + limits.time_seconds
        self.depth = 0
        self.macros = macros
        self.evaluating = 0


Expr = Callable[[_Ctx], Any]
Stmt = Callable[[_Ctx], None]


def _check_time(ctx: _Ctx, offset: int) -> None:
    if time.perf_counter() > ctx.deadline:
        raise _Fail(offset, f"the template ran longer than {ctx.limits.time_seconds:g} s and was stopped", "limit")


def _check_size(ctx: _Ctx, text: str, offset: int) -> str:
    if len(text) > ctx.limits.output_bytes:
        raise _Fail(offset, f"a string grew past {ctx.limits.output_bytes:,} characters", "limit")
    return text


# ----------------------------------------------------------------------------------------
# Member access


def get_property(obj: Any, name: str) -> Any:
    """``$obj.name``: a map entry, or a Java getter (``$list.empty`` is isEmpty())."""
    t = type(obj)
    if t is dict:
        return obj.get(name)
    if obj is None:
        return None
    getter = getattr(obj, "vtl_get", None)
    if getter is not None:
        try:
            return getter(name)
        except LookupError:
            return None
    props = PROPERTIES.get(t)
    if props is not None and name in props:
        method = METHODS[t].get(props[name])
        return method(obj) if method is not None else None
    return None


def call_method(obj: Any, name: str, args: list[Any]) -> Any:
    """``$obj.name(args)``: a Java method of the value; null if it has no such method."""
    if obj is None:
        return None
    table = METHODS.get(type(obj))
    if table is not None:
        fn = table.get(name)
        if fn is None:
            return None
        try:
            return fn(obj, *args)
        except TypeError:
            raise VtlError(f"{type_name(obj)}.{name}() does not take {len(args)} argument(s)") from None
        except (KeyError, IndexError, ValueError) as exc:
            raise VtlError(f"{type_name(obj)}.{name}(): {exc}") from None
    caller = getattr(obj, "vtl_call", None)
    if caller is not None:
        try:
            return caller(name, args)
        except LookupError:
            return None
    return None


def get_index(obj: Any, key: Any) -> Any:
    """``$obj[key]``: list index or map key (null when absent)."""
    if type(obj) is dict:
        return obj.get(key)
    if isinstance(obj, (list, range)):
        if type(key) is int and 0 <= key < len(obj):
            return obj[key]
        return None
    return None


# ----------------------------------------------------------------------------------------
# The compiler: airspeed parse tree -> closures

A = airspeed
_LEADING_NEWLINE = re.compile(r"[ \t]*\r?\n")
_BLOCK_COMMENT_TAIL = re.compile(r"\*#([ \t]*\r?\n)\Z")
_TRAILING_BACKSLASHES = re.compile(r"(\\+)\Z")
_MALFORMED_DIRECTIVE = re.compile(r"\{?(if|elseif|foreach|set|macro|define|evaluate|include|parse)\}?\s*\(")
_HYPHEN_TAIL = re.compile(r"(?:-[A-Za-z0-9_]+)+")
_BREAK_TEXT = re.compile(r"(break\b|\{break\})")
_PRECEDENCE = {
    "||": 1, "or": 1,
    "&&": 2, "and": 2,
    "==": 3, "!=": 3, "eq": 3, "ne": 3,
    "<": 4, ">": 4, "<=": 4, ">=": 4, "lt": 4, "gt": 4, "le": 4, "ge": 4,
    "+": 5, "-": 5,
    "*": 6, "/": 6, "%": 6,
}  # fmt: skip
_ALIASES = {"or": "||", "and": "&&", "eq": "==", "ne": "!=", "lt": "<", "gt": ">", "le": "<=", "ge": ">="}


class _Compiler:
    def __init__(self, source: str, base: int = 0, macros: dict[str, Any] | None = None) -> None:
        self.source = source
        self.base = base
        self.references: list[Reference] = []
        self.macros: dict[str, Any] = {} if macros is None else macros
        self.directives: list[tuple[str, int]] = []

    def at(self, el: Any) -> int:
        return self.base + el.start

    # -- statements ------------------------------------------------------------------------

    def block(self, el: Any, eat_newline: bool = False) -> Stmt:
        """Compile a block; ``eat_newline`` drops the rest of the opening directive's line."""
        children = list(el.children)
        for child in children:
            if type(child) is A.Text:  # re-read from the original source (see _airspeed_safe)
                child.text = A.Text.ESCAPED_CHAR.sub(_first_group, self.source[child.start : child.end])
        if eat_newline and children and type(children[0]) is A.Text:
            children[0].text = _LEADING_NEWLINE.sub("", children[0].text, count=1)
        stmts: list[Stmt] = []
        i = 0
        while i < len(children):
            child = children[i]
            nxt = children[i + 1] if i + 1 < len(children) else None
            if isinstance(child, A.FallthroughHashText) and isinstance(nxt, A.Text):
                bad = _MALFORMED_DIRECTIVE.match(nxt.text)
                if bad:
                    raise _Fail(
                        self.at(child),
                        f"malformed #{bad.group(1)} directive: check its parentheses and arguments",
                        "syntax",
                    )
                m = _BREAK_TEXT.match(nxt.text)
                if m:
                    stmts.append(self.break_stmt(self.at(child)))
                    rest = nxt.text[m.end() :]
                    if rest:
                        stmts.append(self.text(rest))
                    i += 2
                    continue
            if isinstance(child, A.FormalReference) and stmts and type(children[i - 1]) is A.Text:
                self.halve_backslashes(stmts)
            if isinstance(child, A.FormalReference) and isinstance(nxt, A.Text) and nxt.text.startswith("-"):
                self.hyphenate(child, nxt)
            if (
                isinstance(child, A.SetDirective)
                and child.my_text().endswith("\n")
                and "\n" not in child.my_text()[:-1]
                and stmts
                and isinstance(children[i - 1], A.Text)
            ):
                self.gobble_set_indent(children[i - 1], child, stmts)
            if (
                isinstance(child, A.SetDirective)
                and i >= 2
                and isinstance(children[i - 2], A.SetDirective)
                and type(children[i - 1]) is A.Text
            ):
                self.gobble_between_sets(children[i - 1], stmts)
            stmt = self.statement(child)
            if stmt is not None:
                stmts.append(stmt)
            i += 1
        return _sequence(_merge_text(stmts))

    def hyphenate(self, ref: Any, text: Any) -> None:
        """Velocity 1.7 identifiers may contain hyphens: ``$obj.request-id`` is one property."""
        if ref.my_text().startswith(("${", "$!{")) or ref.expression is None:
            return
        m = _HYPHEN_TAIL.match(text.text)
        if m is None:
            return
        last = ref.expression
        while last.subexpression is not None:
            sub = last.subexpression
            while sub is not None and not isinstance(sub.expression, A.VariableExpression):
                sub = sub.subexpression
            if sub is None:
                return  # ends in [index]
            last = sub.expression
        part = last.part
        if part.parameters is not None or part.index is not None:
            return
        part.name += m.group(0)
        text.text = text.text[m.end() :]

    def gobble_set_indent(self, prev: Any, set_el: Any, stmts: list[Stmt]) -> None:
        """Velocity 1.7 drops the indentation of a #set that is alone on its line."""
        start = self.base + set_el.start
        line_start = self.source.rfind("\n", 0, start - self.base) + 1 + self.base
        indent = self.source[line_start - self.base : start - self.base]
        if not indent or indent.strip(" \t"):
            return
        text = prev.text
        if text.endswith(indent) and getattr(stmts[-1], "text", None) == text:
            stmts[-1] = self.text(text[: -len(indent)])

    def halve_backslashes(self, stmts: list[Stmt]) -> None:
        """``\\\\$email`` prints ``\\foo``: an even run of backslashes before a reference is halved.

        AWS-recorded (Velocity's escaping example, docs/conformance.md).
        """
        text = getattr(stmts[-1], "text", None)
        if not text:
            return
        run = _TRAILING_BACKSLASHES.search(text)
        if run is None or len(run.group(1)) % 2:
            return
        stmts[-1] = self.text(text[: run.start()] + "\\" * (len(run.group(1)) // 2))

    def gobble_between_sets(self, prev: Any, stmts: list[Stmt]) -> None:
        """Spaces and tabs between two ``#set`` directives print nothing.

        AWS-recorded: ``#set($a = 1) #set($b = 2)`` renders nothing between the two
        (airspeed recordings, docs/conformance.md); text before a ``#set`` keeps its
        spaces (Velocity 1.7: ``prefix #set(...)`` prints ``prefix ``).
        """
        text = prev.text
        if text and not text.strip(" \t") and stmts and getattr(stmts[-1], "text", None) == text:
            stmts.pop()

    def text(self, text: str) -> Stmt:
        def stmt(ctx: _Ctx) -> None:
            ctx.out.append(text)
            ctx.size += len(text)

        stmt.text = text  # type: ignore[attr-defined]
        return stmt

    def statement(self, el: Any) -> Stmt | None:
        handler = _STATEMENTS.get(type(el))
        if handler is None:
            raise _Fail(self.at(el), f"unsupported template element {type(el).__name__}", "syntax")
        return handler(self, el)

    def s_text(self, el: Any) -> Stmt:
        return self.text(el.text)

    def s_hash(self, el: Any) -> Stmt:
        return self.text(el.text)

    def s_comment(self, el: Any) -> Stmt | None:
        """A comment prints nothing; a block comment keeps the line end after its ``*#``.

        AWS-recorded: ``Stuff#* ... *#\n and more`` renders ``Stuff\n and more``
        (docs/conformance.md).
        """
        written = self.source[el.start : el.end]
        if written.startswith("#*"):
            tail = _BLOCK_COMMENT_TAIL.search(written)
            if tail is not None:
                return self.text(tail.group(1))
        return None

    def s_reference(self, el: Any) -> Stmt:
        if el.expression is None:
            return self.text(el.my_text())
        part = el.expression.part
        if part.parameters is not None and part.index is None and el.expression.subexpression is None:
            return self.root_call(el)
        expr = self.reference(el)
        offset = self.at(el)

        def stmt(ctx: _Ctx) -> None:
            try:
                value = expr(ctx)
            except VtlError as exc:
                raise _Fail(offset, str(exc), exc.kind) from None
            if value is None:
                return  # API Gateway renders null and missing references as nothing
            text = value if type(value) is str else java_text(value)
            ctx.out.append(text)
            ctx.size += len(text)

        return stmt

    def root_call(self, el: Any) -> Stmt:
        """``$name(...)``: API Gateway prints ``$name`` and then the parentheses as text.

        AWS-recorded: ``#define($hello)hi#end$hello()`` renders ``hi()``.
        """
        name = el.expression.part.name
        written = el.my_text()
        suffix = written[written.index("(") :]
        if written.startswith(("${", "$!{")) and suffix.endswith("}"):
            suffix = suffix[:-1]

        def stmt(ctx: _Ctx) -> None:
            value = ctx.vars.get(name)
            text = ("" if value is None else value if type(value) is str else java_text(value)) + suffix
            ctx.out.append(text)
            ctx.size += len(text)

        return stmt

    def s_if(self, el: Any) -> Stmt:
        branches = [(self.expression(el.condition.calculate.__self__), self.block(el.block))]
        for elseif in el.elseifs:
            branches.append((self.expression(elseif.condition.calculate.__self__), self.block(elseif.block)))
        otherwise = self.else_block(el.else_block) if isinstance(el.else_block, A.ElseBlock) else None
        offset = self.at(el)

        def stmt(ctx: _Ctx) -> None:
            try:
                for cond, body in branches:
                    if truthy(cond(ctx)):
                        body(ctx)
                        return
            except VtlError as exc:
                raise _Fail(offset, str(exc), exc.kind) from None
            if otherwise is not None:
                otherwise(ctx)

        return stmt

    def else_block(self, el: Any) -> Stmt:
        return self.block(el.block, eat_newline=True)

    def s_set(self, el: Any) -> Stmt:
        bracketed = _SET_BRACKETS.match(self.source, el.start)
        if bracketed is not None:
            return self.set_steps(el, bracketed)
        # the left side as written: airspeed parsed a copy whose hyphens became "_" (see _airspeed_safe)
        written = _SET_TARGET.match(self.source, el.start)
        terms = written.group(1).split(".") if written is not None else list(el.terms)
        value = self.expression(el.value)
        offset = self.at(el)
        if len(terms) == 1:
            name = terms[0]

            def stmt(ctx: _Ctx) -> None:
                try:
                    v = value(ctx)
                except VtlError as exc:
                    raise _Fail(offset, str(exc), exc.kind) from None
                if v is not None:  # Velocity 1.7: a null right-hand side leaves the variable as it was
                    ctx.vars[name] = v

            return stmt
        root, path, last = terms[0], terms[1:-1], terms[-1]

        def stmt_path(ctx: _Ctx) -> None:
            try:
                v = value(ctx)
            except VtlError as exc:
                raise _Fail(offset, str(exc), exc.kind) from None
            target = ctx.vars.get(root)
            for name in path:
                target = get_property(target, name)
            if type(target) is dict:
                if v is not None:
                    target[last] = v
                return
            raise _Fail(
                offset,
                f"cannot set ${'.'.join(terms)}: ${'.'.join(terms[:-1])} is {'null' if target is None else 'not a map'}",
            )

        return stmt_path

    def set_steps(self, el: Any, written: re.Match[str]) -> Stmt:
        """``#set($m[$k] = v)``, ``#set($m["$k"].x = v)``, ``#set($list[1] = v)``: assignment through steps.

        AWS-recorded (airspeed snapshot): a map entry is put (an undefined key interpolates
        as ""), a list element is replaced.
        """
        lhs = written.group(1)
        root = re.match(r"[A-Za-z_][A-Za-z0-9_-]*", lhs).group(0)  # type: ignore[union-attr]
        steps: list[tuple[bool, Any]] = []  # (is_index, name or key expression)
        for m in _LHS_STEP.finditer(lhs, len(root)):
            if m.group(1) is not None:
                steps.append((False, m.group(1)))
            else:
                steps.append((True, self.standalone_expression(m.group(2), self.base + written.start(1) + m.start(2))))
        value = self.expression(el.value)
        offset = self.at(el)

        def stmt(ctx: _Ctx) -> None:
            try:
                v = value(ctx)
                target = ctx.vars.get(root)
                for is_index, step in steps[:-1]:
                    target = get_index(target, step(ctx)) if is_index else get_property(target, step)
                is_index, last = steps[-1]
                key = last(ctx) if is_index else last
            except VtlError as exc:
                raise _Fail(offset, str(exc)) from None
            if v is None:
                return
            if type(target) is dict:
                target[key if type(key) is str else java_text(key)] = v
            elif isinstance(target, list) and type(key) is int and -len(target) <= key < len(target):
                target[key] = v
            else:
                raise _Fail(
                    offset, f"cannot set ${lhs}: the target is {'null' if target is None else type_name(target)}"
                )

        return stmt

    def standalone_expression(self, text: str, offset: int) -> Expr:
        """Compile an expression written inside a ``#set`` left side (``$k``, ``"$k"``, ``1``)."""
        try:
            tree = A.Template(_airspeed_safe(f"#set($x = {text})"), "template")
            tree.ensure_compiled()
            set_el = tree.root_element.block.children[0]
        except Exception:  # noqa: BLE001 - airspeed raises several kinds for bad input
            raise _Fail(offset, f"cannot parse the key {text!r}", "syntax") from None
        inner = _Compiler(f"#set($x = {text})", offset - 9, self.macros)
        return inner.expression(set_el.value)

    def s_foreach(self, el: Any) -> Stmt:
        var = el.loop_var_name
        items_expr = self.expression(el.value)
        body = self.block(el.block, eat_newline=True)
        offset = self.at(el)

        def stmt(ctx: _Ctx) -> None:
            try:
                items = items_expr(ctx)
            except VtlError as exc:
                raise _Fail(offset, str(exc), exc.kind) from None
            if type(items) is dict:
                items = list(items.values())
            elif not isinstance(items, (list, range, tuple)):
                return  # Velocity skips a #foreach over null or a non-collection
            total = len(items)
            limit = ctx.limits.foreach_iterations
            if total > limit:
                raise _Fail(
                    offset, f"#foreach over {total:,} items: API Gateway allows at most {limit:,} iterations", "limit"
                )
            variables = ctx.vars
            saved = (
                variables.get(var, _UNSET),
                variables.get("foreach", _UNSET),
                variables.get("velocityCount", _UNSET),
                variables.get("velocityHasNext", _UNSET),
            )
            scope: dict[str, Any] = {"parent": saved[1] if saved[1] is not _UNSET else None}
            variables["foreach"] = scope
            try:
                count = 0
                for item in items:
                    if time.perf_counter() > ctx.deadline:
                        _check_time(ctx, offset)
                    count += 1
                    has_next = count < total
                    scope["count"] = count
                    scope["index"] = count - 1
                    scope["hasNext"] = has_next
                    scope["first"] = count == 1
                    scope["last"] = not has_next
                    variables["velocityCount"] = count
                    variables["velocityHasNext"] = has_next
                    variables[var] = item
                    body(ctx)
                    if ctx.size > ctx.limits.output_bytes:
                        raise _Fail(offset, f"the output grew past {ctx.limits.output_bytes:,} characters", "limit")
            except _Break:
                pass
            finally:
                for key, old in zip((var, "foreach", "velocityCount", "velocityHasNext"), saved):
                    if old is _UNSET:
                        variables.pop(key, None)
                    else:
                        variables[key] = old

        return stmt

    def break_stmt(self, offset: int) -> Stmt:
        def stmt(ctx: _Ctx) -> None:
            raise _Break()

        self.directives.append(("break", offset))
        return stmt

    def s_stop(self, el: Any) -> Stmt:
        def stmt(ctx: _Ctx) -> None:
            raise _Stop()

        return stmt

    def s_macro(self, el: Any) -> None:
        """API Gateway does not run ``#macro``: the definition prints nothing (AWS-recorded)."""
        self.directives.append(("macro", self.at(el)))
        return None

    def s_macro_call(self, el: Any) -> Stmt:
        """A macro call prints as written (AWS-recorded: ``#recur(5)`` renders ``#recur(5)``)."""
        return self.text(el.my_text())

    def s_define(self, el: Any) -> Stmt:
        name = el.function_name
        body = self.block(el.block)

        def stmt(ctx: _Ctx) -> None:
            ctx.vars[name] = _Defined(body, ctx)

        return stmt

    def s_evaluate(self, el: Any) -> Stmt:
        """API Gateway does not run ``#evaluate``: it prints as written, its argument unexpanded (AWS-recorded)."""
        self.directives.append(("#evaluate", self.at(el)))
        return self.text(self.source[el.start : el.end])

    def s_include(self, el: Any) -> Stmt:
        kind = "#include" if isinstance(el, A.IncludeDirective) else "#parse"
        offset = self.at(el)
        self.directives.append((kind, offset))

        def stmt(ctx: _Ctx) -> None:
            raise _Fail(
                offset, f"{kind} cannot load other templates: API Gateway mapping templates have no template files"
            )

        return stmt

    # -- expressions -----------------------------------------------------------------------

    def expression(self, el: Any) -> Expr:
        handler = _EXPRESSIONS.get(type(el))
        if handler is None:
            raise _Fail(self.at(el), f"unsupported expression {type(el).__name__}", "syntax")
        return handler(self, el)

    def e_value(self, el: Any) -> Expr:
        return self.expression(el.expression)

    def e_const(self, el: Any) -> Expr:
        value = el.value
        return lambda ctx: value

    def e_null(self, el: Any) -> Expr:
        return lambda ctx: None

    def e_string(self, el: Any) -> Expr:
        raw = self.source[el.start + 1 : el.end - 1]  # Velocity 1.7 string literals keep backslashes as they are
        value = raw.replace("''", "'")
        return lambda ctx: value

    def e_interpolated(self, el: Any) -> Expr:
        raw = self.source[el.start + 1 : el.end - 1].replace('""', '"')  # a doubled quote is one quote [Obs]
        if "$" not in raw and "#" not in raw:
            return lambda ctx: raw
        try:
            block_el = A.Block(el.filename, _airspeed_safe(raw), 0)
        except A.TemplateSyntaxError as exc:
            raise _Fail(
                self.at(el) + 1 + exc.element.end,
                f"in a string: expected {exc.args[0].split('expected ', 1)[-1]}",
                "syntax",
            ) from None
        if block_el.end != len(raw):
            raise _Fail(self.at(el) + 1 + block_el.end, "cannot parse this part of the string", "syntax")
        inner = _Compiler(raw, self.at(el) + 1, self.macros)
        inner.source = raw
        body = inner.block(block_el)
        self.references.extend(inner.references)
        offset = self.at(el)

        def expr(ctx: _Ctx) -> str:
            saved_out, saved_size = ctx.out, ctx.size
            ctx.out = []
            try:
                body(ctx)
                return _check_size(ctx, "".join(ctx.out), offset)
            finally:
                ctx.out, ctx.size = saved_out, saved_size

        return expr

    def e_array(self, el: Any) -> Expr:
        values = el.values
        if isinstance(values, A.Range):
            return self.range(values)
        if isinstance(values, A.ValueList):
            items = [self.expression(v) for v in values.values]
            return lambda ctx: [f(ctx) for f in items]
        return lambda ctx: []

    def range(self, el: Any) -> Expr:
        low, high = self.expression(el.value1), self.expression(el.value2)

        def expr(ctx: _Ctx) -> Any:
            a, b = low(ctx), high(ctx)
            if type(a) is not int or type(b) is not int:
                raise VtlError(f"a range [a..b] needs integers, got {java_text(a)} and {java_text(b)}")
            return range(a, b + 1) if a <= b else range(a, b - 1, -1)

        return expr

    def e_dict(self, el: Any) -> Expr:
        pairs = [(self.expression(k), self.expression(v)) for k, v in el.local_data.items()]
        return lambda ctx: {k(ctx): v(ctx) for k, v in pairs}

    def e_paren(self, el: Any) -> Expr:
        return self.expression(el.calculate.__self__)

    def e_unary(self, el: Any) -> Expr:
        inner = self.expression(el.value)
        return lambda ctx: not truthy(inner(ctx))

    def e_expression(self, el: Any) -> Expr:
        items = el.expression
        operands = [self.expression(items[0])]
        ops: list[str] = []
        for k in range(1, len(items), 2):
            op = items[k].my_text().strip()
            ops.append(_ALIASES.get(op, op))
            operands.append(self.expression(items[k + 1]))
        if not ops:
            return operands[0]
        pos = [0]

        def climb(min_prec: int) -> Expr:
            left = operands[pos[0]]
            while pos[0] < len(ops) and _PRECEDENCE[ops[pos[0]]] >= min_prec:
                op = ops[pos[0]]
                pos[0] += 1
                right = climb(_PRECEDENCE[op] + 1)
                left = _binary(op, left, right)
            return left

        return climb(1)

    def e_reference(self, el: Any) -> Expr:
        if el.expression is None:
            text = el.my_text()
            return lambda ctx: text
        return self.reference(el)

    def reference(self, el: Any) -> Expr:
        expr = self.variable(el.expression, None, self.at(el))
        alternate = getattr(el, "alternate", None)
        if alternate is not None:
            alt = self.expression(alternate.expression)
            base = expr
            return lambda ctx: v if (v := base(ctx)) is not None else alt(ctx)
        return expr

    def variable(self, el: Any, target: Expr | None, offset: int) -> Expr:
        """Compile a VariableExpression: NameOrCall followed by .member / [index] steps."""
        part = el.part
        name = part.name
        if target is None:
            root = name

            def current(ctx: _Ctx) -> Any:
                return ctx.vars.get(root)

            if part.parameters is not None:
                current = lambda ctx: None  # noqa: E731 - $name(...) at the root calls nothing in Velocity
        else:
            obj = target
            root_name = getattr(target, "root_name", None)
            if root_name in ("util", "input"):
                self.references.append(
                    Reference(
                        root=root_name, member=name, call=part.parameters is not None, offset=self.base + part.start
                    )
                )
            if part.parameters is not None:
                values = part.parameters.values
                args = [self.expression(v) for v in values.values] if isinstance(values, A.ValueList) else []
                current = _call(obj, name, args)
            else:
                current = _prop(obj, name)
        if part.index is not None:
            current = _index(current, self.expression(part.index.index))
        if target is None:
            current.root_name = name  # type: ignore[attr-defined]
        sub = el.subexpression
        while sub is not None:
            if isinstance(sub.expression, A.VariableExpression):
                return self.variable(sub.expression, current, offset)
            current = _index(current, self.expression(sub.expression.index))
            sub = sub.subexpression
        return current


_UNSET = object()


def _first_group(m: re.Match[str]) -> str:
    return m.group(1)


#: The left side of a ``#set``, with Velocity 1.7 identifiers (letters, digits, ``_`` and ``-``).
_SET_TARGET = re.compile(r"#\{?set\}?\s*\(\s*\$([A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z_][A-Za-z0-9_-]*)*)(?=\s*=)")


#: A ``#set`` left side with bracket steps: ``#set($m[$k].x["$y"] = ...)``.
_SET_BRACKETS = re.compile(
    r"#\{?set\}?\s*\(\s*\$([A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z_][A-Za-z0-9_-]*|\[[^\]\n]*\])*\[[^\]\n]*\](?:\.[A-Za-z_][A-Za-z0-9_-]*|\[[^\]\n]*\])*)(?=\s*=)"
)
_LHS_STEP = re.compile(r"\.([A-Za-z_][A-Za-z0-9_-]*)|\[([^\]\n]*)\]")


def _blank_brackets(m: re.Match[str]) -> str:
    """``$m[$k].x`` -> ``$m____.x``: airspeed's #set accepts dotted names only (same length)."""
    start, end = m.span(1)
    lhs = re.sub(r"\[[^\]\n]*\]", lambda b: "_" * len(b.group(0)), m.group(1)).replace("-", "_")
    return m.group(0)[: start - m.start()] + lhs + m.group(0)[end - m.start() :]


def _unhyphenate_set(m: re.Match[str]) -> str:
    start, end = m.span(1)
    return m.group(0)[: start - m.start()] + m.group(1).replace("-", "_") + m.group(0)[end - m.start() :]


def _airspeed_safe(source: str) -> str:
    """The template made parseable by airspeed, at the same offsets.

    * Velocity 1.7 string literals keep backslashes as they are (``"\\d+"`` is a regex), but
      airspeed only accepts a few escapes inside literals.  Each other backslash pair
      becomes ``\\\\`` (same length).
    * Velocity 1.7 identifiers may contain hyphens, and AWS documents
      ``#set($context.requestOverride.header.X-Foo = ...)``; airspeed's ``#set`` does not
      accept them, so the hyphens of a ``#set`` left side become ``_`` (same length).

    The compiler reads literal and text values and ``#set`` left sides from the original
    source by offset, so the output is unchanged.
    """
    if "#" in source and "-" in source and "set" in source:
        source = _SET_TARGET.sub(_unhyphenate_set, source)
    if "[" in source and "set" in source:
        source = _SET_BRACKETS.sub(_blank_brackets, source)
    if '""' in source:
        source = _escape_doubled_quotes(source)
    if "\\" not in source:
        return source
    out = []
    i = 0
    n = len(source)
    while i < n:
        c = source[i]
        if c == "\\" and i + 1 < n:
            nxt = source[i + 1]
            out.append(c + (nxt if nxt in "nrbt\\$\"'#" else "\\"))
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


_ARGUMENTS_OPEN = re.compile(r"#\{?(?:set|if|elseif|foreach)\}?\s*\(")


def _escape_doubled_quotes(source: str) -> str:
    """``""`` inside a double-quoted literal of a directive's arguments becomes ``\\"`` (same length).

    API Gateway reads a doubled quote in a string literal as one quote (AWS-recorded:
    ``#set($d = "{""a"": 2}")`` is ``{"a": 2}``); airspeed would end the literal there.
    `_Compiler.e_interpolated` reads the literal from the original and undoubles it.
    """
    out = list(source)
    n = len(source)
    for m in _ARGUMENTS_OPEN.finditer(source):
        i, depth, quote = m.end(), 1, ""
        while i < n and depth:
            c = source[i]
            if quote:
                if c == quote:
                    if quote == '"' and i + 1 < n and source[i + 1] == '"':
                        out[i] = "\\"
                        i += 2
                        continue
                    quote = ""
            elif c in "\"'":
                quote = c
            elif c == "(":
                depth += 1
            elif c == ")":
                depth -= 1
            i += 1
    return "".join(out)


class _Defined:
    """A ``#define``d block: renders its body each time it is printed."""

    __slots__ = ("body", "ctx")
    java_name = "Block"

    def __init__(self, body: Stmt, ctx: _Ctx) -> None:
        self.body = body
        self.ctx = ctx

    def vtl_text(self) -> str:
        ctx = self.ctx
        saved_out, saved_size = ctx.out, ctx.size
        ctx.out = []
        try:
            self.body(ctx)
            return "".join(ctx.out)
        finally:
            ctx.out, ctx.size = saved_out, saved_size

    def vtl_get(self, name: str) -> Any:
        raise LookupError(name)

    def vtl_call(self, name: str, args: list[Any]) -> Any:
        if name == "toString" and not args:
            return self.vtl_text()
        raise LookupError(name)


def _prop(obj: Expr, name: str) -> Expr:
    def expr(ctx: _Ctx) -> Any:
        o = obj(ctx)
        if type(o) is dict:
            return o.get(name)
        return get_property(o, name)

    return expr


def _call(obj: Expr, name: str, args: list[Expr]) -> Expr:
    def expr(ctx: _Ctx) -> Any:
        o = obj(ctx)
        if o is None:
            return None
        result = call_method(o, name, [a(ctx) for a in args])
        if type(result) is str and len(result) > 65536:
            _check_size(ctx, result, 0)
        return result

    return expr


def _index(obj: Expr, key: Expr) -> Expr:
    return lambda ctx: get_index(obj(ctx), key(ctx))


def _binary(op: str, left: Expr, right: Expr) -> Expr:
    if op == "&&":
        return lambda ctx: truthy(left(ctx)) and truthy(right(ctx))
    if op == "||":
        return lambda ctx: truthy(left(ctx)) or truthy(right(ctx))
    if op == "==":
        return lambda ctx: equals(left(ctx), right(ctx))
    if op == "!=":
        return lambda ctx: not equals(left(ctx), right(ctx))
    if op in ("<", "<=", ">", ">="):
        return lambda ctx: compare(op, left(ctx), right(ctx))

    def expr(ctx: _Ctx) -> Any:
        result = arithmetic(op, left(ctx), right(ctx))
        if type(result) is str and len(result) > ctx.limits.output_bytes:
            raise VtlError(f"a string grew past {ctx.limits.output_bytes:,} characters")
        return result

    return expr


def _sequence(stmts: list[Stmt]) -> Stmt:
    if not stmts:
        return lambda ctx: None
    if len(stmts) == 1:
        return stmts[0]
    if len(stmts) == 2:
        a, b = stmts

        def two(ctx: _Ctx) -> None:
            a(ctx)
            b(ctx)

        return two
    seq = tuple(stmts)

    def run(ctx: _Ctx) -> None:
        for s in seq:
            s(ctx)

    return run


def _merge_text(stmts: list[Stmt]) -> list[Stmt]:
    out: list[Stmt] = []
    for s in stmts:
        text = getattr(s, "text", None)
        prev = getattr(out[-1], "text", None) if out else None
        if text is not None and prev is not None:
            merged = prev + text

            def stmt(ctx: _Ctx, merged: str = merged) -> None:
                ctx.out.append(merged)
                ctx.size += len(merged)

            stmt.text = merged  # type: ignore[attr-defined]
            out[-1] = stmt
        else:
            out.append(s)
    return out


_STATEMENTS: dict[type, Callable[[_Compiler, Any], Stmt | None]] = {
    A.Text: _Compiler.s_text,
    A.FallthroughHashText: _Compiler.s_hash,
    A.Comment: _Compiler.s_comment,
    A.FormalReference: _Compiler.s_reference,
    A.IfDirective: _Compiler.s_if,
    A.SetDirective: _Compiler.s_set,
    A.ForeachDirective: _Compiler.s_foreach,
    A.StopDirective: _Compiler.s_stop,
    A.MacroDefinition: _Compiler.s_macro,
    A.MacroCall: _Compiler.s_macro_call,
    A.DefineDefinition: _Compiler.s_define,
    A.EvaluateDirective: _Compiler.s_evaluate,
    A.IncludeDirective: _Compiler.s_include,
    A.ParseDirective: _Compiler.s_include,
}

_EXPRESSIONS: dict[type, Callable[[_Compiler, Any], Expr]] = {
    A.Value: _Compiler.e_value,
    A.IntegerLiteral: _Compiler.e_const,
    A.FloatingPointLiteral: _Compiler.e_const,
    A.BooleanLiteral: _Compiler.e_const,
    A.NullLiteral: _Compiler.e_null,
    A.StringLiteral: _Compiler.e_string,
    A.InterpolatedStringLiteral: _Compiler.e_interpolated,
    A.ArrayLiteral: _Compiler.e_array,
    A.DictionaryLiteral: _Compiler.e_dict,
    A.ParenthesizedExpression: _Compiler.e_paren,
    A.UnaryOperatorValue: _Compiler.e_unary,
    A.Expression: _Compiler.e_expression,
    A.FormalReference: _Compiler.e_reference,
}


# ----------------------------------------------------------------------------------------
# Public API


@dataclass(frozen=True, slots=True, kw_only=True)
class CompiledTemplate:
    """A parsed and compiled template: render it many times with `render_compiled`."""

    source: str
    body: Stmt
    macros: dict[str, Any]
    references: tuple[Reference, ...]
    directives: tuple[tuple[str, int], ...]

    def run(self, ctx: _Ctx) -> None:
        for name, macro in self.macros.items():
            ctx.macros.setdefault(name, macro)
        self.body(ctx)


def position(source: str, offset: int) -> tuple[int, int]:
    """1-based (line, col) of a character offset in a template."""
    offset = max(0, min(offset, len(source)))
    line = source.count("\n", 0, offset) + 1
    col = offset - (source.rfind("\n", 0, offset) + 1) + 1
    return line, col


def _error(source: str, offset: int, message: str, kind: str) -> TemplateError:
    line, col = position(source, offset)
    return TemplateError(message=message, line=line, col=col, offset=offset, kind=kind)


def compile_template(source: str) -> CompiledTemplate | TemplateError:
    """Parse and compile a template (cached by text).  Returns a `TemplateError` on bad input."""
    return _compile_cached(source)


@functools.lru_cache(maxsize=512)
def _compile_cached(source: str) -> CompiledTemplate | TemplateError:
    size = len(source.encode("utf-8", "surrogatepass"))
    if size > MAX_TEMPLATE_BYTES:
        return _error(
            source,
            0,
            f"the template is {size:,} bytes; API Gateway allows at most {MAX_TEMPLATE_BYTES:,} (300 KB)",
            "limit",
        )
    try:
        tree = A.Template(_airspeed_safe(source), "template")
        tree.ensure_compiled()
    except A.TemplateSyntaxError as exc:
        return _malformed_directive(source, exc.element.end) or _syntax_error(source, exc)
    except RecursionError:
        return _error(source, 0, "the template nests too deeply to parse", "syntax")
    except Exception as exc:  # airspeed raises plain exceptions for a few malformed inputs
        return _error(source, 0, f"cannot parse the template: {exc}", "syntax")
    compiler = _Compiler(source)
    try:
        body = compiler.block(tree.root_element.block)
    except _Fail as fail:
        return _error(source, fail.offset, fail.message, fail.kind)
    except RecursionError:
        return _error(source, 0, "the template nests too deeply to compile", "syntax")
    return CompiledTemplate(
        source=source,
        body=body,
        macros=compiler.macros,
        references=tuple(compiler.references),
        directives=tuple(compiler.directives),
    )


_DIRECTIVE_CLASSES = {
    "if": A.IfDirective,
    "foreach": A.ForeachDirective,
    "set": A.SetDirective,
    "macro": A.MacroDefinition,
    "define": A.DefineDefinition,
    "evaluate": A.EvaluateDirective,
    "include": A.IncludeDirective,
    "parse": A.ParseDirective,
}
_DIRECTIVE_START = re.compile(r"#\{?(if|foreach|set|macro|define|evaluate|include|parse)\}?\s*\(")


def _malformed_directive(source: str, before: int) -> TemplateError | None:
    """A directive airspeed skipped as text makes its #end look stray: report the directive."""
    safe = _airspeed_safe(source)
    for m in _DIRECTIVE_START.finditer(safe, 0, before):
        if m.start() > 0 and safe[m.start() - 1] == "\\":
            continue
        try:
            _DIRECTIVE_CLASSES[m.group(1)]("template", safe, m.start())
        except A.TemplateSyntaxError as exc:
            return _syntax_error(source, exc)
        except A.NoMatch:
            return _error(
                source, m.start(), f"malformed #{m.group(1)} directive: check its parentheses and arguments", "syntax"
            )
        except Exception:  # noqa: BLE001 - airspeed raises plain errors for some inputs
            continue
    return None


def _syntax_error(source: str, exc: Any) -> TemplateError:
    element = exc.element
    offset = element.end
    got = source[offset : offset + 20].split("\n", 1)[0]
    what = re.sub(r"([A-Z])", lambda m: " " + m.group(1).lower(), type(element).__name__).strip()
    expected = exc.args[0].split(": expected ", 1)[-1].split(" in ", 1)[0] if exc.args else "more input"
    found = f"found {got!r}" if got else "found the end of the template"
    return _error(source, offset, f"syntax error in {what}: expected {expected}, {found}", "syntax")


def render_compiled(
    template: CompiledTemplate, variables: dict[str, Any], limits: Limits = DEFAULT_LIMITS
) -> tuple[str, None] | tuple[None, TemplateError]:
    """Render with a prepared namespace.  Returns (output, None) or (None, error)."""
    ctx = _Ctx(variables, limits, dict(template.macros))
    try:
        with regex_deadline(ctx.deadline):  # a pattern match stops at the render's deadline too
            template.body(ctx)
    except (_Stop, _Break):
        pass
    except _Fail as fail:
        return None, _error(template.source, fail.offset, fail.message, fail.kind)
    except RecursionError:
        return None, _error(template.source, 0, "the template recursed too deeply", "limit")
    except VtlError as exc:
        return None, _error(template.source, 0, str(exc), exc.kind)
    if ctx.size > limits.output_bytes:
        return None, _error(
            template.source, len(template.source), f"the output grew past {limits.output_bytes:,} characters", "limit"
        )
    return "".join(ctx.out), None


def render(
    source: str, request: TemplateRequest | None = None, *, limits: Limits = DEFAULT_LIMITS, now: float | None = None
) -> Rendered | TemplateError:
    """Render an API Gateway mapping template for a request.

    Returns the output with any ``$context.requestOverride`` / ``responseOverride`` values
    the template set, or a `TemplateError` (a syntax error, a run-time failure, or a limit).
    """
    compiled = compile_template(source)
    if isinstance(compiled, TemplateError):
        return compiled
    variables = bind(request or TemplateRequest(), now)
    output, error = render_compiled(compiled, variables, limits)
    if error is not None:
        return error
    request_override, response_override = overrides_of(variables)
    return Rendered(body=output or "", request_override=request_override, response_override=response_override)


def overrides_of(variables: dict[str, Any]) -> tuple[dict[str, dict[str, str]], dict[str, Any]]:
    """What a render wrote to ``$context.requestOverride`` and ``$context.responseOverride``.

    Returns ``({"header"|"path"|"querystring": {name: text}}, {"header": {name: text},
    "status": text})``, leaving out what the template did not set.
    """
    context = variables.get("context")
    request_override: dict[str, dict[str, str]] = {}
    response_override: dict[str, Any] = {}
    if type(context) is dict:
        ro = context.get("requestOverride")
        if type(ro) is dict:
            request_override = {
                k: {n: java_text(v) for n, v in m.items()} for k, m in ro.items() if type(m) is dict and m
            }
        so = context.get("responseOverride")
        if type(so) is dict:
            headers = so.get("header")
            if type(headers) is dict and headers:
                response_override["header"] = {n: java_text(v) for n, v in headers.items()}
            if so.get("status") is not None:
                response_override["status"] = java_text(so["status"])
    return request_override, response_override
