"""Gateway values (strings, ``${AWS::Region}`` variables, CloudFormation intrinsics) as plan values.

API Gateway's import resolves ``${AWS::Region}``, ``${AWS::AccountId}`` and
``${AWS::Partition}`` in strings; explicit calls do not, so the planner turns them into
refs to the executor's AWS context (``aws:region``, ``aws:accountId``, ``aws:partition``:
the client's region, STS ``get_caller_identity``, the region's partition).  Other
``${...}`` (stage variables, VTL) stay literal.

CloudFormation intrinsics have no stack to resolve them here:

* ``Ref: X`` and ``Fn::GetAtt: [R, Attr]`` (and ``${X}`` / ``${R.Attr}`` inside
  ``Fn::Sub``) become plan parameters, given with ``--param X=VALUE`` (the GetAtt
  parameter is named like the CloudFormation target's: ``PetsFunctionArn``);
* ``Fn::Sub`` and ``Fn::Join`` over those are rebuilt as `Join`;
* anything else (``Fn::If``, ``Fn::FindInMap``, ``Fn::ImportValue``, ``Fn::Select``...)
  cannot be deployed by calls: it is recorded as a problem, and ``--via cloudformation``
  is the route for such specs.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import Any, Mapping

from ..intrinsics import Intrinsic, Value, sub_parts
from ..logical_ids import getatt_parameter
from .calls import ACCOUNT, PARTITION, REGION, URL_SUFFIX, Join, Ref, param_var

_AWS_VAR = re.compile(r"\$\{AWS::(Region|AccountId|Partition|URLSuffix)\}")
_PSEUDO_REFS = {
    "AWS::Region": REGION,
    "AWS::AccountId": ACCOUNT,
    "AWS::Partition": PARTITION,
    "AWS::URLSuffix": URL_SUFFIX,
}
_AWS_VARS = {"Region": REGION, "AccountId": ACCOUNT, "Partition": PARTITION, "URLSuffix": URL_SUFFIX}


class ProblemKind(enum.Enum):
    PARAMETER = "parameter"  # needs --param NAME=VALUE
    INTRINSIC = "intrinsic"  # cannot be deployed by calls at all


@dataclass(frozen=True, slots=True)
class Problem:
    """A value the planner could not turn into text by itself."""

    kind: ProblemKind
    #: the parameter name, or the intrinsic function
    name: str
    #: where: "integration uri of GET /pets"
    where: str
    pointer: str


def partition_of(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    if region.startswith("us-iso-"):
        return "aws-iso"
    if region.startswith("us-isob-"):
        return "aws-iso-b"
    return "aws"


def url_suffix_of(region: str) -> str:
    return "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"


def context_variables(region: str, account: str | None) -> dict[str, str]:
    """The executor's AWS context as plan variables."""
    out = {REGION.name: region, PARTITION.name: partition_of(region), URL_SUFFIX.name: url_suffix_of(region)}
    if account is not None:
        out[ACCOUNT.name] = account
    return out


class Values:
    """Turns gateway values into plan values and remembers what it could not resolve."""

    def __init__(self, params: Mapping[str, str] | None = None) -> None:
        self.params = dict(params or {})
        self.problems: list[Problem] = []
        #: parameter names the plan refers to
        self.parameters: set[str] = set()

    def text(self, value: Value | None, where: str = "", pointer: str = "") -> Any:
        """A plan value for a gateway value (None stays None)."""
        if value is None:
            return None
        if isinstance(value, str):
            return self._string(value)
        return self._intrinsic(value.fn, value.args, where, pointer)

    def _string(self, text: str) -> Any:
        parts: list[Any] = []
        pos = 0
        for m in _AWS_VAR.finditer(text):
            parts.append(text[pos : m.start()])
            parts.append(_AWS_VARS[m.group(1)])
            pos = m.end()
        parts.append(text[pos:])
        return Join.of(*parts)

    def _param(self, name: str) -> Any:
        self.parameters.add(name)
        if name in self.params:
            return self.params[name]
        return Ref(param_var(name))

    def _intrinsic(self, fn: str, args: Any, where: str, pointer: str) -> Any:
        if fn == "Ref" and isinstance(args, str):
            if args in _PSEUDO_REFS:
                return _PSEUDO_REFS[args]
            if args.startswith("AWS::"):
                return self._unsupported(f"Ref {args}", where, pointer)
            return self._need(args, where, pointer)
        if fn == "Fn::GetAtt":
            res, attr = _getatt(args)
            if res and attr:
                return self._need(getatt_parameter(res, attr), where, pointer)
        if fn == "Fn::Sub":
            if isinstance(args, str):
                return self._sub(args, {}, where, pointer)
            if isinstance(args, list) and args and isinstance(args[0], str):
                variables = args[1] if len(args) > 1 and isinstance(args[1], dict) else {}
                return self._sub(args[0], variables, where, pointer)
        if (
            fn == "Fn::Join"
            and isinstance(args, list)
            and len(args) == 2
            and isinstance(args[0], str)
            and isinstance(args[1], list)
        ):
            sep, items = args
            parts: list[Any] = []
            for i, item in enumerate(items):
                if i:
                    parts.append(sep)
                parts.append(self._any(item, where, pointer))
            return Join.of(*parts)
        return self._unsupported(fn, where, pointer)

    def _any(self, item: Any, where: str, pointer: str) -> Any:
        if isinstance(item, str):
            return item  # inside intrinsics, strings are literal (no import variables)
        if isinstance(item, dict) and len(item) == 1:
            ((fn, args),) = item.items()
            return self._intrinsic(fn, args, where, pointer)
        return self._unsupported(str(Intrinsic("?", item)), where, pointer)

    def _sub(self, text: str, variables: Mapping[str, Any], where: str, pointer: str) -> Any:
        parts: list[Any] = []
        for literal, name in sub_parts(text):
            parts.append(literal)
            if name is None:
                break
            if name in variables:
                parts.append(self._any(variables[name], where, pointer))
            elif name in _PSEUDO_REFS:
                parts.append(_PSEUDO_REFS[name])
            elif "." in name:
                res, _, attr = name.partition(".")
                parts.append(self._need(getatt_parameter(res, attr), where, pointer))
            else:
                parts.append(self._need(name, where, pointer))
        return Join.of(*parts)

    def _need(self, name: str, where: str, pointer: str) -> Any:
        value = self._param(name)
        if isinstance(value, Ref):
            self.problems.append(Problem(ProblemKind.PARAMETER, name, where, pointer))
        return value

    def _unsupported(self, fn: str, where: str, pointer: str) -> Any:
        self.problems.append(Problem(ProblemKind.INTRINSIC, fn, where, pointer))
        return Ref(f"unsupported:{fn}")


def _getatt(args: Any) -> tuple[str, str]:
    if isinstance(args, str) and "." in args:
        res, _, attr = args.partition(".")
        return res, attr
    if isinstance(args, list) and len(args) == 2 and all(isinstance(a, str) for a in args):
        return args[0], args[1]
    return "", ""
