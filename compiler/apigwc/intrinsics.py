"""CloudFormation intrinsic functions found inside OpenAPI documents.

Many real specs are fragments of CloudFormation/SAM templates (``DefinitionBody``,
``AWS::Include``): where OpenAPI wants a string they hold ``{"Fn::Sub": ...}``,
``{"Ref": ...}``, ``{"Fn::GetAtt": [...]}``, ``{"Fn::If": [...]}``... apigwc accepts these
as opaque values: the check stage does not report them as schema errors, the IR keeps
them as `Intrinsic` nodes, and the CloudFormation target emits them unchanged.

Strings such as ``"arn:aws:apigateway:${AWS::Region}:lambda:path/..."`` are different:
API Gateway's own import resolves ``${AWS::Region}``, ``${AWS::AccountId}`` and
``${AWS::Partition}`` [AWS docs: "AWS variables for OpenAPI import"]; the CloudFormation
target wraps such strings in ``Fn::Sub``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterator, Mapping

#: Keys that make a single-key mapping a CloudFormation intrinsic function.
INTRINSIC_KEYS = frozenset(
    {
        "Ref",
        "Condition",
        "Fn::And",
        "Fn::Base64",
        "Fn::Cidr",
        "Fn::Equals",
        "Fn::FindInMap",
        "Fn::GetAtt",
        "Fn::GetAZs",
        "Fn::If",
        "Fn::ImportValue",
        "Fn::Join",
        "Fn::Length",
        "Fn::Not",
        "Fn::Or",
        "Fn::Select",
        "Fn::Split",
        "Fn::Sub",
        "Fn::ToJsonString",
        "Fn::Transform",
    }
)

#: ``${AWS::Region}``-style pseudo parameters, resolved by API Gateway import and by ``Fn::Sub``.
AWS_VARIABLE = re.compile(r"\$\{AWS::[A-Za-z]+\}")

#: ``${stageVariables.name}`` inside a string (URIs, connection ids, credentials).
STAGE_VARIABLE = re.compile(r"\$\{stageVariables\.([^}]*)\}")

#: a variable of ``Fn::Sub`` text: ``${Name}``, ``${Resource.Attribute}``, ``${AWS::Region}``;
#: ``${!Literal}`` is the literal text ``${Literal}`` [Doc: Fn::Sub]
SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")


def sub_parts(text: str) -> Iterator[tuple[str, str | None]]:
    """``Fn::Sub`` text as (literal, variable name) pairs: the text before each variable (a
    ``${!x}`` in it already the literal ``${x}``), then the name; the last pair's name is None."""
    literal: list[str] = []
    pos = 0
    for m in SUB_VARIABLE.finditer(text):
        literal.append(text[pos : m.start()])
        pos = m.end()
        name = m.group(1)
        if name.startswith("!"):
            literal.append("${" + name[1:] + "}")
        else:
            yield "".join(literal), name
            literal = []
    literal.append(text[pos:])
    yield "".join(literal), None


@dataclass(frozen=True, slots=True)
class Filled:
    """A string with its variables filled in."""

    text: str
    #: the stage variables that had no value (each became empty text), in order of appearance
    missing: tuple[str, ...] = ()


def fill_variables(
    text: str, stage_variables: Mapping[str, str] | None = None, aws: Mapping[str, str] | None = None
) -> Filled:
    """``${AWS::Region}``-style variables, then ``${stageVariables.x}``, replaced by their values.

    The one home of this substitution (lowering, the integration request, the local Lambda
    and authorizer adapters all call it) with one policy for a variable without a value:

    * a stage variable the stage does not define becomes empty text, as API Gateway does at
      run time [Doc], and its name is listed in `Filled.missing`, so that the caller can
      log it or, like lowering, leave the string unresolved;
    * an ``${AWS::...}`` variable not in ``aws`` stays as written (``aws`` None: all stay).

    ``stage_variables`` None leaves ``${stageVariables.x}`` as written too.  A value is not
    scanned again: a stage variable whose value contains ``${AWS::Region}`` keeps it.
    """
    if aws and "${AWS::" in text:
        text = AWS_VARIABLE.sub(lambda m: aws.get(m.group(0), m.group(0)), text)
    if stage_variables is None or "${stageVariables." not in text:
        return Filled(text)
    missing: list[str] = []

    def value(m: re.Match[str]) -> str:
        found = stage_variables.get(m.group(1))
        if found is None:
            missing.append(m.group(1))
            return ""
        return found

    return Filled(STAGE_VARIABLE.sub(value, text), tuple(missing))


def is_intrinsic(value: Any) -> bool:
    """True for ``{"Ref": ...}``, ``{"Fn::Sub": ...}`` and the other intrinsic functions."""
    return type(value) is dict and len(value) == 1 and next(iter(value)) in INTRINSIC_KEYS


def contains_intrinsic(value: Any) -> bool:
    """True if the value is, or anywhere contains, an intrinsic function."""
    if type(value) is dict:
        if is_intrinsic(value):
            return True
        return any(contains_intrinsic(v) for v in value.values())
    if type(value) is list:
        return any(contains_intrinsic(v) for v in value)
    return False


@dataclass(frozen=True, slots=True)
class Intrinsic:
    """An intrinsic function standing where OpenAPI expects a scalar; emitted as is."""

    fn: str
    args: Any

    @classmethod
    def of(cls, value: dict) -> "Intrinsic":
        ((fn, args),) = value.items()
        return cls(fn, args)

    def to_json(self) -> dict:
        return {self.fn: self.args}

    def __str__(self) -> str:  # used in messages
        import json

        return json.dumps(self.to_json(), separators=(",", ":"))

    def referenced_text(self) -> str:
        """The literal text inside the intrinsic, best effort (for lint checks on Fn::Sub strings)."""
        args = self.args
        if self.fn == "Fn::Sub":
            return args if isinstance(args, str) else (args[0] if args and isinstance(args[0], str) else "")
        if self.fn == "Fn::Join" and isinstance(args, list) and len(args) == 2 and isinstance(args[1], list):
            sep = args[0] if isinstance(args[0], str) else ""
            return sep.join(a if isinstance(a, str) else "${}" for a in args[1])
        return ""


#: A value that OpenAPI types as a string but that may be a CloudFormation intrinsic.
Value = str | Intrinsic


def text_of(value: Value | None) -> str:
    """The string itself, or the best-effort literal text of an intrinsic ('' if none)."""
    if value is None:
        return ""
    if isinstance(value, Intrinsic):
        return value.referenced_text()
    return value


class Resolved(str):
    """A string that a template's intrinsic resolved to, remembering the intrinsic as written.

    A template is resolved for local runs: ``!Ref Stage`` is ``dev`` (its Default or
    ``--param Stage=...``).  The stack a template is emitted as must keep the reference
    instead, or a deploy with ``--parameter-overrides Stage=prod`` would silently get
    ``dev``.  So when the template source resolves for the stack (`LocalValues.symbolic`),
    a value made from a Parameter, a pseudo parameter, a Condition or a Mapping is this
    `str` subclass: every stage (check, IR, rules, lowering) sees the plain string, and the
    CloudFormation target writes `intrinsic` back where the value arrives.  A value that
    lowering rebuilt (a path, a number) arrives as a plain `str` and is reported as pinned.

    It is a `str` (not a field beside the value) so that no stage between the source and
    the target has to carry it; copies are the same object.  `written` is the one thing that
    changes: the target sets it when it writes the intrinsic back, and the stack reports each
    value never written back (a stage rebuilt the string: AGW909).
    """

    intrinsic: Any
    written: bool

    def __new__(cls, text: str, intrinsic: Any) -> "Resolved":
        out = super().__new__(cls, text)
        out.intrinsic = intrinsic
        out.written = False
        return out

    def write_back(self) -> Any:
        """The intrinsic, to write where this value arrives (a copy; `written` is set)."""
        import copy

        self.written = True
        return copy.deepcopy(self.intrinsic)

    def __copy__(self) -> "Resolved":
        return self

    def __deepcopy__(self, memo: Any) -> "Resolved":
        return self

    def __reduce__(self) -> Any:
        return (Resolved, (str(self), self.intrinsic))


class _ResolvedNumber:
    """What `Resolved` is for text, for a number made from one: ``ThrottlingBurstLimit: !Ref
    Burst`` is the int 100 for every stage (a parameter's value is text; the model holds a
    number) and the intrinsic where the CloudFormation target writes it.  Writing it back marks
    the `Resolved` text it was made from as written (so it is not reported pinned: AGW909)."""

    source: Resolved

    def write_back(self) -> Any:
        return self.source.write_back()

    def __copy__(self) -> Any:
        return self

    def __deepcopy__(self, memo: Any) -> Any:
        return self


class ResolvedInt(_ResolvedNumber, int):
    """An int made from a `Resolved` text (see `_ResolvedNumber`)."""

    def __reduce__(self) -> Any:
        return (resolved_number, (self.source, int(self)))


class ResolvedFloat(_ResolvedNumber, float):
    """A float made from a `Resolved` text (see `_ResolvedNumber`)."""

    def __reduce__(self) -> Any:
        return (resolved_number, (self.source, float(self)))


def resolved_number(text: Any, number: int | float) -> int | float:
    """``number`` (read from ``text``), remembering the intrinsic when ``text`` is `Resolved`."""
    if not isinstance(text, Resolved) or isinstance(number, bool):
        return number
    out: ResolvedInt | ResolvedFloat = (
        ResolvedInt.__new__(ResolvedInt, number)
        if isinstance(number, int)
        else ResolvedFloat.__new__(ResolvedFloat, number)
    )
    out.source = text
    return out


def written_back(value: Any) -> Any:
    """A `Resolved` text or number as the intrinsic it came from (marked written); else None."""
    if isinstance(value, (Resolved, _ResolvedNumber)):
        return value.write_back()
    return None


def as_float(value: int | float) -> float:
    """``float(value)``, remembering the intrinsic a number made from a template value came from."""
    if isinstance(value, _ResolvedNumber):
        return resolved_number(value.source, float(value))
    return float(value)
