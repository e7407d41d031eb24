"""Static checks of one mapping template, for the AGW25x lint rules.

`check_template` parses and compiles a template and reports, each at a character offset
inside the template text: syntax errors, unknown ``$util`` / ``$input`` members, and
directives API Gateway cannot run (``#include``, ``#parse``).
"""

from __future__ import annotations

import difflib
import enum
from dataclasses import dataclass

from .engine import TemplateError, compile_template
from .variables import INPUT_MEMBERS, Util


class IssueKind(enum.Enum):
    SYNTAX = "syntax"
    UNKNOWN_METHOD = "unknown-method"
    UNSUPPORTED_DIRECTIVE = "unsupported-directive"


@dataclass(frozen=True, slots=True, kw_only=True)
class TemplateIssue:
    """One problem in a template: its kind, where (offset into the template) and what."""

    kind: IssueKind
    offset: int
    message: str
    hint: str | None = None


_INPUT_METHODS = ("json", "path", "params")


def _suggest(name: str, choices: tuple[str, ...]) -> str | None:
    same_start = [c for c in choices if c[:4].lower() == name[:4].lower()]
    close = same_start if len(same_start) == 1 else difflib.get_close_matches(name, choices, n=1)
    return f"did you mean {close[0]}?" if close else None


def check_template(text: str) -> list[TemplateIssue]:
    """Every problem `apigwc lint` reports for one template, in template order.

    Templates larger than 300 KB are left to AGW709 (template-too-large).
    """
    compiled = compile_template(text)
    if isinstance(compiled, TemplateError):
        if compiled.kind == "limit":
            return []
        return [TemplateIssue(kind=IssueKind.SYNTAX, offset=compiled.offset, message=compiled.message)]
    issues: list[TemplateIssue] = []
    for ref in compiled.references:
        if ref.root == "util":
            if ref.member not in Util.METHODS:
                issues.append(
                    TemplateIssue(
                        kind=IssueKind.UNKNOWN_METHOD,
                        offset=ref.offset,
                        message=f"$util has no method {ref.member!r}; it renders as nothing",
                        hint=_suggest(ref.member, Util.METHODS) or "$util has " + ", ".join(Util.METHODS),
                    )
                )
            elif not ref.call:
                issues.append(
                    TemplateIssue(
                        kind=IssueKind.UNKNOWN_METHOD,
                        offset=ref.offset,
                        message=f"$util.{ref.member} is a method; without parentheses it renders as nothing",
                        hint=f"call it: $util.{ref.member}(...)",
                    )
                )
        elif ref.root == "input":
            if ref.member not in INPUT_MEMBERS:
                issues.append(
                    TemplateIssue(
                        kind=IssueKind.UNKNOWN_METHOD,
                        offset=ref.offset,
                        message=f"$input has no member {ref.member!r}; it renders as nothing",
                        hint=_suggest(ref.member, INPUT_MEMBERS)
                        or "$input has body, json(x), path(x), params() and params(x)",
                    )
                )
            elif ref.member in _INPUT_METHODS and not ref.call:
                issues.append(
                    TemplateIssue(
                        kind=IssueKind.UNKNOWN_METHOD,
                        offset=ref.offset,
                        message=f"$input.{ref.member} is a method; without parentheses it renders as nothing",
                        hint=f"call it: $input.{ref.member}('$')"
                        if ref.member != "params"
                        else "call it: $input.params() or $input.params('name')",
                    )
                )
    for directive, offset in compiled.directives:
        if directive in ("#include", "#parse"):
            issues.append(
                TemplateIssue(
                    kind=IssueKind.UNSUPPORTED_DIRECTIVE,
                    offset=offset,
                    message=f"{directive} loads another template file, which API Gateway mapping templates cannot do",
                    hint="inline the other template, or use #define in this template",
                )
            )
        elif directive in ("macro", "#evaluate"):
            name = "#macro" if directive == "macro" else directive
            issues.append(
                TemplateIssue(
                    kind=IssueKind.UNSUPPORTED_DIRECTIVE,
                    offset=offset,
                    message=f"API Gateway does not run {name}: "
                    + (
                        "the definition prints nothing and each call prints as written"
                        if name == "#macro"
                        else "it prints as written"
                    ),
                    hint="use #define for a reusable block, or write the part out"
                    if name == "#macro"
                    else "write the template out",
                )
            )
    return sorted(issues, key=lambda i: i.offset)
