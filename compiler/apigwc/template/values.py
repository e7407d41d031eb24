"""Values for local runs: parameters, pseudo parameters, conditions and intrinsic functions.

CloudFormation resolves a template's intrinsics when it creates the stack; apigwc resolves
them offline, the same way, from:

* ``--param K=V`` (repeatable) and a parameters file (SAM's ``--parameter-overrides``
  string ``K=V K2=V2`` or ``ParameterKey=K,ParameterValue=V``, a CloudFormation parameters
  JSON file, or ``samconfig.toml``'s ``parameter_overrides``);
* each parameter's ``Default`` (``CommaDelimitedList`` / ``List<...>`` become lists);
* pseudo parameters: ``AWS::Region`` from ``--region``, ``AWS_REGION``,
  ``AWS_DEFAULT_REGION``, else ``us-east-1``; ``AWS::AccountId`` 123456789012 (the account
  id AWS documentation and SAM CLI use for local runs); ``AWS::StackName`` ``local``;
  ``AWS::Partition`` and ``AWS::URLSuffix`` from the region; ``AWS::NoValue`` removes the key;
* resources of the same template: a function's ``Ref`` is its name and its ``Arn`` the
  local function's ARN; a resource with a name property (``TableName``, ``QueueName``...)
  is that name, else its logical id (what SAM CLI does locally).

What cannot be known offline (``Fn::ImportValue``, a parameter without default, an
attribute only a deployed resource has) is an `Unknown` carrying the flag that sets it:
``--param ImportValue:ExportName=V``, ``--param Resource.Attribute=V``, ``--param Name=V``.
"""

from __future__ import annotations

import base64
import dataclasses
import ipaddress
import json
import os
import re
import shlex
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from ..intrinsics import SUB_VARIABLE, Resolved, resolved_number, sub_parts

DEFAULT_ACCOUNT = "123456789012"
DEFAULT_STACK = "local"


class ParametersError(ValueError):
    """A --param or parameters file that cannot be read (a usage error, exit 2)."""


@dataclass(frozen=True)
class Unknown:
    """A value that cannot be known offline: what it is and the flag that sets it."""

    what: str
    flag: str


class _NoValue:
    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE = _NoValue()


@dataclass(frozen=True)
class Opaque:
    """A reference to a deployed resource kept as written (the body keeps its intrinsics)."""

    node: Any


@dataclass(frozen=True)
class Kept:
    """A value an API of the emitted stack took from an intrinsic (see `Resolver.keeping`)."""

    api: str
    #: the intrinsic as written
    intrinsic: Any
    #: its local value: a `Resolved` string (written back as ``intrinsic``), a number or boolean
    #: (kept only where the gateway model carries it as text), or the branch a Fn::If chose
    local: Any
    #: the template pointer near where it is written
    where: str
    branch: bool = False


class Circular(Exception):
    def __init__(self, chain: list[str]) -> None:
        super().__init__(" -> ".join(chain))
        self.chain = chain


@dataclass
class LocalValues:
    """What the user gave for a local run."""

    params: dict[str, str] = field(default_factory=dict)
    region: str | None = None
    #: resolving for the emitted stack: a value an API takes from an intrinsic is a
    #: `Resolved` string that remembers it (see `Resolver.keeping`)
    symbolic: bool = False
    #: an API's OpenAPI export (``emit --target openapi|deploy``): references to the template's own
    #: resources stay as written, where a local run (lint, invoke, serve, the local bundle) gives
    #: each its local value (`Resolver.ref_resource`, `Resolver.get_att`)
    keep_references: bool = False

    def effective_region(self) -> str:
        return self.region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"


@dataclass(frozen=True)
class Selection:
    """What the command line chose for templates: the API (--api) and the values (--param...)."""

    api: str | None = None
    values: LocalValues = field(default_factory=LocalValues)


#: set by the command line for the commands that go through `pipeline.lint_file` / `compile_file`
#: (the default is one frozen Selection, never changed: a command sets a new one).  It lives here,
#: not in `run`, so that reading the flags does not import the template pipeline (the start-up
#: of `apigwc lint spec.yaml`, tests/bench/bench_startup.py)
SELECTION: ContextVar[Selection] = ContextVar("apigwc_template_selection", default=Selection())  # noqa: B039


def parse_param_flags(items: list[str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items or []:
        if "=" not in item:
            raise ParametersError(f"--param {item!r} is not NAME=VALUE (e.g. --param Stage=dev)")
        k, _, v = item.partition("=")
        if not k.strip():
            raise ParametersError(f"--param {item!r} has no name")
        out[k.strip()] = v
    return out


def parse_overrides(text: str) -> dict[str, str]:
    """SAM's --parameter-overrides string: ``K=V K2='v 2'`` or ``ParameterKey=K,ParameterValue=V``."""
    out: dict[str, str] = {}
    try:
        tokens = shlex.split(text)
    except ValueError as exc:
        raise ParametersError(f"cannot read parameter overrides: {exc}") from None
    for tok in tokens:
        m = re.fullmatch(r"ParameterKey=([^,]+),ParameterValue=(.*)", tok)
        if m:
            out[m.group(1)] = m.group(2)
        elif "=" in tok:
            k, _, v = tok.partition("=")
            out[k] = v
        else:
            raise ParametersError(f"parameter override {tok!r} is not Key=Value")
    return out


def read_parameters_file(path: Path, environment: str = "default") -> dict[str, str]:
    """A parameters file: samconfig.toml, a CloudFormation parameters JSON, or an overrides string."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ParametersError(f"cannot read parameters file '{path}': {exc.strerror or exc}") from None
    if path.suffix == ".toml":
        import tomllib

        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ParametersError(f"{path}: invalid TOML: {exc}") from None
        env = data.get(environment)
        if not isinstance(env, dict):
            raise ParametersError(f"{path}: no [{environment}] environment")
        # a command's own table wins over [env.global.parameters] (SAM CLI's precedence)
        found = None
        for command in ("deploy", "local_start_api", "validate", "build", "global"):
            table = env.get(command, {}).get("parameters", {}) if isinstance(env.get(command), dict) else {}
            if "parameter_overrides" in table:
                found = table["parameter_overrides"]
                break
        if found is None:
            return {}
        return parse_overrides(" ".join(found) if isinstance(found, list) else str(found))
    stripped = text.strip()
    if stripped.startswith(("[", "{")):
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise ParametersError(f"{path}: invalid JSON: {exc.msg} (line {exc.lineno})") from None
        if isinstance(data, dict) and isinstance(data.get("Parameters"), dict):
            return {str(k): str(v) for k, v in data["Parameters"].items()}
        if isinstance(data, list):
            return {
                str(p["ParameterKey"]): str(p.get("ParameterValue", ""))
                for p in data
                if isinstance(p, dict) and "ParameterKey" in p
            }
        if isinstance(data, dict):
            return {str(k): str(v) for k, v in data.items()}
        raise ParametersError(f"{path}: expected a list of {{ParameterKey, ParameterValue}} or a mapping")
    return parse_overrides(stripped)


@dataclass(frozen=True)
class _Returns:
    """What ``Ref`` and ``Fn::GetAtt`` of one resource type return, from its (local) physical name.

    Formats take ``{p}`` partition, ``{r}`` region, ``{a}`` account, ``{n}`` the name, ``{path}`` an IAM path.
    """

    #: the property that names the resource (else CloudFormation generates a name; locally the logical id)
    name_property: str
    #: what Ref returns: "name", "arn" or "url"
    ref: str
    arn: str
    #: other attributes: attribute -> "name", "arn", "url" or a format
    attributes: tuple[tuple[str, str], ...] = ()
    lower: bool = False


_LAMBDA = _Returns("FunctionName", "name", "arn:{p}:lambda:{r}:{a}:function:{n}")
_TABLE = _Returns("TableName", "name", "arn:{p}:dynamodb:{r}:{a}:table/{n}")
_STATES = _Returns("StateMachineName", "arn", "arn:{p}:states:{r}:{a}:stateMachine:{n}", (("Name", "name"),))
#: the Ref / GetAtt return values of each type as the CloudFormation resource reference documents them
#: ("Return values" of each page) [Doc]; docs/templates.md lists them
RETURNS: dict[str, _Returns] = {
    "AWS::Lambda::Function": _LAMBDA,
    "AWS::Serverless::Function": _LAMBDA,
    "AWS::DynamoDB::Table": _TABLE,
    "AWS::Serverless::SimpleTable": _TABLE,
    "AWS::SQS::Queue": _Returns(
        "QueueName", "url", "arn:{p}:sqs:{r}:{a}:{n}", (("QueueName", "name"), ("QueueUrl", "url"))
    ),
    "AWS::SNS::Topic": _Returns(
        "TopicName", "arn", "arn:{p}:sns:{r}:{a}:{n}", (("TopicName", "name"), ("TopicArn", "arn"))
    ),
    "AWS::S3::Bucket": _Returns(
        "BucketName",
        "name",
        "arn:{p}:s3:::{n}",
        (("DomainName", "{n}.s3.amazonaws.com"), ("RegionalDomainName", "{n}.s3.{r}.amazonaws.com")),
        lower=True,
    ),
    "AWS::StepFunctions::StateMachine": _STATES,
    "AWS::Serverless::StateMachine": dataclasses.replace(_STATES, name_property="Name"),
    "AWS::IAM::Role": _Returns("RoleName", "name", "arn:{p}:iam::{a}:role{path}{n}"),
    "AWS::Logs::LogGroup": _Returns("LogGroupName", "name", "arn:{p}:logs:{r}:{a}:log-group:{n}:*"),
    "AWS::Events::EventBus": _Returns("Name", "name", "arn:{p}:events:{r}:{a}:event-bus/{n}", (("Name", "name"),)),
    "AWS::Kinesis::Stream": _Returns("Name", "name", "arn:{p}:kinesis:{r}:{a}:stream/{n}"),
}


class Resolver:
    """Resolve intrinsics of one template.  ``keep_resources``: references to resources stay as written."""

    def __init__(self, data: dict, values: LocalValues) -> None:
        self.data = data
        self.values = values
        self.region = values.effective_region()
        self.partition = (
            "aws-cn" if self.region.startswith("cn-") else "aws-us-gov" if self.region.startswith("us-gov-") else "aws"
        )
        self.account = values.params.get("AWS::AccountId", DEFAULT_ACCOUNT)
        self.stack = values.params.get("AWS::StackName", DEFAULT_STACK)
        raw = data.get("Parameters")
        self.declared: dict[str, Any] = raw if isinstance(raw, dict) else {}
        raw = data.get("Resources")
        self.resources: dict[str, Any] = raw if isinstance(raw, dict) else {}
        raw = data.get("Conditions")
        self.condition_defs: dict[str, Any] = raw if isinstance(raw, dict) else {}
        raw = data.get("Mappings")
        self.mappings: dict[str, Any] = raw if isinstance(raw, dict) else {}
        self._conditions: dict[str, Any] = {}
        self._active: list[str] = []
        self._resolving: list[str] = []
        self._depth = 0
        self._keeping: tuple[str, str] | None = None
        #: resources whose ``Ref`` has no local value apigwc knows (logical id -> type): the logical id stood in
        self.stand_ins: dict[str, str] = {}
        #: every intrinsic resolved while `keeping`, and every Fn::If whose chosen branch took its
        #: place: the stack must write each back, or report it pinned
        self.kept: list[Kept] = []

    @contextmanager
    def keeping(self, api_id: str, where: str) -> Iterator[None]:
        """While resolving what API ``api_id`` puts in the emitted stack (``where``: the template
        pointer it is written at): with `LocalValues.symbolic`, each intrinsic resolved to a
        string is a `Resolved` remembering the intrinsic, listed in `kept`."""
        if not self.values.symbolic:
            yield
            return
        saved, self._keeping = self._keeping, (api_id, where)
        try:
            yield
        finally:
            self._keeping = saved

    @contextmanager
    def near(self, where: str) -> Iterator[None]:
        """While `keeping`: what is resolved now is written at (or under) ``where``."""
        if self._keeping is None:
            yield
            return
        saved, self._keeping = self._keeping, (self._keeping[0], where)
        try:
            yield
        finally:
            self._keeping = saved

    # -- parameters ------------------------------------------------------------------------

    def parameter(self, name: str) -> Any:
        decl = self.declared.get(name)
        kind = decl.get("Type", "String") if isinstance(decl, dict) else "String"
        if name in self.values.params:
            raw: Any = self.values.params[name]
        elif isinstance(decl, dict) and "Default" in decl:
            raw = decl["Default"]
        else:
            return Unknown(f"parameter {name} (no Default)", f"--param {name}=VALUE")
        if isinstance(kind, str) and (kind == "CommaDelimitedList" or kind.startswith("List<")):
            return [s.strip() for s in str(raw).split(",")] if not isinstance(raw, list) else raw
        if isinstance(raw, bool):
            return "true" if raw else "false"
        return str(raw) if isinstance(raw, (int, float)) else raw

    def pseudo(self, name: str) -> Any:
        return {
            "AWS::Region": self.region,
            "AWS::AccountId": self.account,
            "AWS::StackName": self.stack,
            "AWS::StackId": f"arn:{self.partition}:cloudformation:{self.region}:{self.account}:stack/{self.stack}/00000000-0000-0000-0000-000000000000",
            "AWS::Partition": self.partition,
            "AWS::URLSuffix": "amazonaws.com.cn" if self.partition == "aws-cn" else "amazonaws.com",
            "AWS::NoValue": NO_VALUE,
            "AWS::NotificationARNs": [],
        }.get(name, Unknown(f"pseudo parameter {name}", f"--param {name}=VALUE"))

    # -- conditions ------------------------------------------------------------------------

    def condition(self, name: str) -> Any:
        if name in self._conditions:
            return self._conditions[name]
        if name in self._active:
            raise Circular([*self._active[self._active.index(name) :], name])
        if name not in self.condition_defs:
            return Unknown(f"condition {name} (not declared)", "a Conditions entry")
        self._active.append(name)
        saved, self._keeping = self._keeping, None  # a condition's value is no API's value
        try:
            value = self.resolve(self.condition_defs[name], keep_resources=False)
        finally:
            self._active.pop()
            self._keeping = saved
        self._conditions[name] = value
        return value

    # -- resources -------------------------------------------------------------------------

    def _resource(self, name: str) -> dict | None:
        res = self.resources.get(name)
        return res if isinstance(res, dict) else None

    def _physical_name(self, name: str, res: dict, returns: _Returns) -> Any:
        """The resource's name: its name property, else its logical id (what SAM CLI uses locally)."""
        props = res.get("Properties") if isinstance(res.get("Properties"), dict) else {}
        if returns.name_property not in props:
            return name.lower() if returns.lower else name
        if name in self._resolving:
            raise Circular([*self._resolving[self._resolving.index(name) :], name])
        self._resolving.append(name)
        try:
            return self.resolve(props[returns.name_property], keep_resources=False)
        finally:
            self._resolving.pop()

    def _returned(self, name: str, res: dict, returns: _Returns, what: str) -> Any:
        """``what`` ("name", "arn", "url" or a format) of a resource of a type in `RETURNS`."""
        ident = self._physical_name(name, res, returns)
        if isinstance(ident, (Unknown, Opaque)) or what == "name":
            return ident
        if isinstance(ident, (int, float)) and not isinstance(ident, bool):
            ident = str(ident)
        if not isinstance(ident, str):
            return Unknown(f"the name of {name} is not a string", f"--param {name}=VALUE")
        if what == "url":
            return f"https://sqs.{self.region}.{self.pseudo('AWS::URLSuffix')}/{self.account}/{ident}"
        props = res.get("Properties") if isinstance(res.get("Properties"), dict) else {}
        path = props.get("Path") if isinstance(props.get("Path"), str) else "/"
        fmt = returns.arn if what == "arn" else what
        return fmt.format(p=self.partition, r=self.region, a=self.account, n=ident, path=path)

    def ref_resource(self, name: str) -> Any:
        """``Ref`` of a resource of the template: its local value (`RETURNS`); ``--param Name=VALUE`` sets it.

        A type apigwc knows no return value of: its logical id stands in, listed in `stand_ins`."""
        res = self._resource(name)
        assert res is not None
        given = self.values.params.get(name)
        if given is not None:
            return given
        kind = res.get("Type")
        returns = RETURNS.get(kind) if isinstance(kind, str) else None
        if returns is None:
            if not self.values.symbolic:
                self.stand_ins.setdefault(name, kind if isinstance(kind, str) else "resource")
            return name
        return self._returned(name, res, returns, returns.ref)

    def get_att(self, name: str, attribute: str) -> Any:
        override = self.values.params.get(f"{name}.{attribute}")
        if override is not None:
            return override
        res = self._resource(name)
        kind = res.get("Type") if res else None
        flag = f"--param {name}.{attribute}=VALUE"
        if res is None:
            return Unknown(f"!GetAtt {name}.{attribute} (no resource {name})", flag)
        returns = RETURNS.get(kind) if isinstance(kind, str) else None
        if returns is not None:
            what = "arn" if attribute == "Arn" else dict(returns.attributes).get(attribute)
            if what is not None:
                return self._returned(name, res, returns, what)
        return Unknown(f"!GetAtt {name}.{attribute} (known only once deployed)", flag)

    # -- intrinsics ------------------------------------------------------------------------

    def resolve(self, value: Any, keep_resources: bool = True) -> Any:
        """The value with every intrinsic applied; `Unknown`/`Opaque` where that is impossible."""
        if isinstance(value, list):
            out = []
            for item in value:
                r = self.resolve(item, keep_resources)
                if isinstance(r, (Unknown, Opaque)):
                    return r
                if r is not NO_VALUE:
                    out.append(r)
            return out
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((fn, args),) = value.items()
            handler = _FUNCTIONS_TABLE.get(fn)
            if handler is not None:
                self._depth += 1
                try:
                    result = handler(self, args, keep_resources)
                finally:
                    self._depth -= 1
                if isinstance(result, Opaque):
                    return Opaque(value)
                if self._keeping is not None and self._depth == 0 and not isinstance(result, Unknown):
                    if isinstance(result, str):
                        result = Resolved(result, value)
                    self.kept.append(Kept(self._keeping[0], value, result, self._keeping[1]))
                return result
        out_d = {}
        for k, v in value.items():
            r = self.resolve(v, keep_resources)
            if isinstance(r, (Unknown, Opaque)):
                return r
            if r is not NO_VALUE:
                out_d[k] = r
        return out_d

    def _inline_sub(self, text: str, variables: dict) -> Any:
        """``Fn::Sub [text, {V: !GetAtt R.A}]`` -> ``Fn::Sub "text with ${R.A}"`` (the same value; SAM writes
        authorizer URIs this way), with known variables substituted.  None if a variable is neither."""

        def repl(m: "re.Match[str]") -> str:
            name = m.group(1)
            if name not in variables:
                return m.group(0)
            v = variables[name]
            target = v.get("Fn::GetAtt") if isinstance(v, dict) and len(v) == 1 else None
            if isinstance(target, list) and len(target) == 2 and all(isinstance(t, str) for t in target):
                return "${" + ".".join(target) + "}"
            if isinstance(v, dict) and len(v) == 1 and isinstance(v.get("Ref"), str):
                return "${" + v["Ref"] + "}"
            r = self.resolve(v, keep_resources=True)
            if isinstance(r, (str, int, float)) and not isinstance(r, bool):
                return str(r)
            raise LookupError(name)

        try:
            text = SUB_VARIABLE.sub(repl, text)
        except LookupError:
            return None
        single = {"Fn::Sub": text}
        r = self.resolve(single, keep_resources=True)
        return single if isinstance(r, (Unknown, Opaque)) else r

    def resolve_in_place(self, value: Any, key: str | None = None) -> Any:
        """Resolve what can be resolved anywhere inside ``value``; keep the rest as written.

        Used on OpenAPI bodies: positions stay valid because keys are never moved (a
        resolved ``Fn::If`` takes its chosen branch's place, like CloudFormation does).
        References to the template's resources take their local values, except for the emitted
        stack (`LocalValues.symbolic`) and the OpenAPI export (`LocalValues.keep_references`),
        which keep them as written.
        ``key``: the key ``value`` is under; a ``Ref`` to a ``Number`` parameter under one of
        `BODY_NUMBERS` is that number (see there).
        """
        if isinstance(value, list):
            out = []
            for item in value:
                r = self.resolve_in_place(item)
                if r is not NO_VALUE:
                    out.append(r)
            return out
        if not isinstance(value, dict):
            return value
        if len(value) == 1 and next(iter(value)) in _FUNCTIONS_TABLE and next(iter(value)) != "Fn::Transform":
            try:
                r = self.resolve(value, keep_resources=self.values.symbolic or self.values.keep_references)
            except Circular:
                return value
            if key in BODY_NUMBERS and isinstance(r, str) and self._number_parameter(value):
                return _as_number(r)
            if isinstance(r, (Unknown, Opaque)):
                fn, args = next(iter(value.items()))
                if (
                    fn == "Fn::Sub"
                    and isinstance(args, list)
                    and len(args) == 2
                    and isinstance(args[0], str)
                    and isinstance(args[1], dict)
                ):
                    inlined = self._inline_sub(args[0], args[1])
                    if inlined is not None:
                        return inlined
                if fn == "Fn::If" and isinstance(args, list) and len(args) == 3:
                    cond = self.condition(args[0]) if isinstance(args[0], str) else None
                    if cond is True or cond is False:
                        if self._keeping is not None:
                            chosen = args[1] if cond else args[2]
                            self.kept.append(Kept(self._keeping[0], value, chosen, self._keeping[1], branch=True))
                        return self.resolve_in_place(args[1] if cond else args[2])
                return value
            return r
        out_d = {}
        for k, v in value.items():
            r = self.resolve_in_place(v, k)
            if r is not NO_VALUE:
                out_d[k] = r
        return out_d

    def _number_parameter(self, value: Any) -> bool:
        """``{"Ref": P}`` with P a declared parameter of ``Type: Number``."""
        name = value.get("Ref") if isinstance(value, dict) else None
        decl = self.declared.get(name) if isinstance(name, str) else None
        return isinstance(decl, dict) and decl.get("Type") == "Number"


#: Keys of an OpenAPI body whose value API Gateway's import reads as a number.  CloudFormation
#: writes a ``Ref`` to a ``Number`` parameter as text [Doc: CloudFormation "Parameters syntax",
#: Number: "when you use the parameter elsewhere in your template (for example, by using the Ref
#: intrinsic function), the parameter value becomes a string"], and the SAM transform places such
#: a Ref as is (``TimeoutInMillis: !Ref Timeout`` of an Api event becomes the body's
#: ``timeoutInMillis``), so the import takes the numeric text as the number [Inf:
#: aws-sam-translator accepts intrinsics there and writes them into the body; no recorded AWS
#: answer]: here it is the number (remembering the intrinsic for the stack,
#: `intrinsics.resolved_number`), and the check stage sees an integer.  Elsewhere a Number
#: parameter stays text, as CloudFormation makes it.
BODY_NUMBERS = frozenset(
    {
        "timeoutInMillis",
        "authorizerResultTtlInSeconds",
        "x-amazon-apigateway-minimum-compression-size",
        "maxLength",
        "minLength",
        "maxItems",
        "minItems",
        "maxProperties",
        "minProperties",
        "maximum",
        "minimum",
        "multipleOf",
    }
)


def _as_number(text: str) -> Any:
    """A Number parameter's text as an int or float (the text itself if it is neither)."""
    try:
        return resolved_number(text, int(text))
    except ValueError:
        try:
            return resolved_number(text, float(text))
        except ValueError:
            return text


def _ref(r: Resolver, args: Any, keep: bool) -> Any:
    if not isinstance(args, str):
        return Unknown(f"Ref {args!r}", "a Ref to a name")
    if args.startswith("AWS::"):
        return r.pseudo(args)
    if args in r.declared or args in r.values.params:
        if args not in r.resources:
            return r.parameter(args)
    if args in r.resources:
        if keep:
            return Opaque(None)
        return r.ref_resource(args)
    return Unknown(f"Ref {args} (no such parameter or resource)", f"--param {args}=VALUE")


def _get_att(r: Resolver, args: Any, keep: bool) -> Any:
    if isinstance(args, str) and "." in args:
        args = args.split(".", 1)
    if not (isinstance(args, list) and len(args) == 2):
        return Unknown(f"Fn::GetAtt {args!r}", "Fn::GetAtt [Resource, Attribute]")
    name, attr = args
    attr = r.resolve(attr, keep)
    if not isinstance(name, str) or not isinstance(attr, str):
        return Unknown(f"Fn::GetAtt {args!r}", "Fn::GetAtt [Resource, Attribute]")
    if keep and name in r.resources:
        return Opaque(None)
    return r.get_att(name, attr)


def _sub(r: Resolver, args: Any, keep: bool) -> Any:
    if isinstance(args, list) and len(args) == 2 and isinstance(args[0], str) and isinstance(args[1], dict):
        text, variables = args
    elif isinstance(args, str):
        text, variables = args, {}
    else:
        return Unknown(f"Fn::Sub {args!r}", "Fn::Sub 'text' or [text, {vars}]")
    result: list[str] = []
    for literal, name in sub_parts(text):
        result.append(literal)
        if name is None:
            break
        if name in variables:
            v = r.resolve(variables[name], keep)
        elif "." in name and not name.startswith("AWS::"):
            v = _get_att(r, name.split(".", 1), keep)
        else:
            v = _ref(r, name, keep)
        if isinstance(v, (Unknown, Opaque)):
            return v
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            v = str(v)
        if not isinstance(v, str):
            return Unknown(f"${{{name}}} in Fn::Sub is not a string", f"--param {name}=VALUE")
        result.append(v)
    return "".join(result)


def _join(r: Resolver, args: Any, keep: bool) -> Any:
    if not (isinstance(args, list) and len(args) == 2):
        return Unknown(f"Fn::Join {args!r}", "Fn::Join [separator, [values]]")
    sep = r.resolve(args[0], keep)
    items = r.resolve(args[1], keep)
    for v in (sep, items):
        if isinstance(v, (Unknown, Opaque)):
            return v
    if not isinstance(items, list):
        return Unknown("Fn::Join of a value that is not a list", "Fn::Join [separator, [values]]")
    return str(sep).join(str(i) for i in items)


def _select(r: Resolver, args: Any, keep: bool) -> Any:
    if not (isinstance(args, list) and len(args) == 2):
        return Unknown(f"Fn::Select {args!r}", "Fn::Select [index, [values]]")
    index, items = r.resolve(args[0], keep), r.resolve(args[1], keep)
    for v in (index, items):
        if isinstance(v, (Unknown, Opaque)):
            return v
    try:
        return items[int(index)]
    except (ValueError, TypeError, IndexError):
        return Unknown(f"Fn::Select index {index!r} out of range", "Fn::Select [index, [values]]")


def _split(r: Resolver, args: Any, keep: bool) -> Any:
    if not (isinstance(args, list) and len(args) == 2):
        return Unknown(f"Fn::Split {args!r}", "Fn::Split [separator, text]")
    sep, text = r.resolve(args[0], keep), r.resolve(args[1], keep)
    for v in (sep, text):
        if isinstance(v, (Unknown, Opaque)):
            return v
    return str(text).split(str(sep))


def _find_in_map(r: Resolver, args: Any, keep: bool) -> Any:
    if not (isinstance(args, list) and len(args) in (3, 4)):
        return Unknown(f"Fn::FindInMap {args!r}", "Fn::FindInMap [Map, Key, Key]")
    keys = [r.resolve(a, keep) for a in args[:3]]
    for v in keys:
        if isinstance(v, (Unknown, Opaque)):
            return v
    node: Any = r.mappings
    for k in keys:
        if not isinstance(node, dict) or str(k) not in node:
            if len(args) == 4 and isinstance(args[3], dict) and "DefaultValue" in args[3]:
                return r.resolve(args[3]["DefaultValue"], keep)
            return Unknown(f"Fn::FindInMap {keys} (no such entry)", "a Mappings entry")
        node = node[str(k)]
    return r.resolve(node, keep)


def _base64(r: Resolver, args: Any, keep: bool) -> Any:
    v = r.resolve(args, keep)
    if isinstance(v, (Unknown, Opaque)):
        return v
    return base64.b64encode(str(v).encode()).decode()


def _get_azs(r: Resolver, args: Any, keep: bool) -> Any:
    region = r.resolve(args, keep) or r.region
    if isinstance(region, (Unknown, Opaque)):
        return region
    return [f"{region}{z}" for z in "abc"]


def _cidr(r: Resolver, args: Any, keep: bool) -> Any:
    vals = r.resolve(args, keep)
    if isinstance(vals, (Unknown, Opaque)):
        return vals
    try:
        block, count, bits = vals
        net = ipaddress.ip_network(str(block), strict=False)
        prefix = net.max_prefixlen - int(bits)
        return [str(s) for _, s in zip(range(int(count)), net.subnets(new_prefix=prefix))]
    except (ValueError, TypeError):
        return Unknown(f"Fn::Cidr {args!r}", "Fn::Cidr [ipBlock, count, cidrBits]")


def _import_value(r: Resolver, args: Any, keep: bool) -> Any:
    name = r.resolve(args, keep_resources=False)
    if isinstance(name, (Unknown, Opaque)):
        return name
    given = r.values.params.get(f"ImportValue:{name}")
    if given is not None:
        return given
    return Unknown(f"Fn::ImportValue {name} (an export of another stack)", f"--param ImportValue:{name}=VALUE")


def _if(r: Resolver, args: Any, keep: bool) -> Any:
    if not (isinstance(args, list) and len(args) == 3 and isinstance(args[0], str)):
        return Unknown(f"Fn::If {args!r}", "Fn::If [Condition, then, else]")
    cond = r.condition(args[0])
    if isinstance(cond, (Unknown, Opaque)):
        return cond
    return r.resolve(args[1] if cond else args[2], keep)


def _bool(v: Any) -> Any:
    if isinstance(v, bool):
        return v
    if v in ("true", "True"):
        return True
    if v in ("false", "False"):
        return False
    return Unknown(f"condition value {v!r} is not a boolean", "a boolean condition")


def _equals(r: Resolver, args: Any, keep: bool) -> Any:
    if not (isinstance(args, list) and len(args) == 2):
        return Unknown(f"Fn::Equals {args!r}", "Fn::Equals [a, b]")
    a, b = r.resolve(args[0], False), r.resolve(args[1], False)
    for v in (a, b):
        if isinstance(v, (Unknown, Opaque)):
            return v
    norm = lambda v: str(v).lower() if isinstance(v, bool) else str(v) if isinstance(v, (int, float)) else v  # noqa: E731
    return norm(a) == norm(b)


def _logic(kind: str):
    def fn(r: Resolver, args: Any, keep: bool) -> Any:
        if not isinstance(args, list):
            return Unknown(f"Fn::{kind} {args!r}", f"Fn::{kind} [conditions]")
        vals = []
        for a in args:
            v = r.resolve(a, False)
            v = v if isinstance(v, (Unknown, Opaque)) else _bool(v)
            if isinstance(v, (Unknown, Opaque)):
                return v
            vals.append(v)
        if kind == "And":
            return all(vals)
        if kind == "Or":
            return any(vals)
        return not vals[0] if vals else Unknown("Fn::Not []", "Fn::Not [condition]")

    return fn


def _condition(r: Resolver, args: Any, keep: bool) -> Any:
    if not isinstance(args, str):
        return Unknown(f"Condition {args!r}", "Condition: Name")
    return r.condition(args)


def _to_json(r: Resolver, args: Any, keep: bool) -> Any:
    v = r.resolve(args, keep)
    if isinstance(v, (Unknown, Opaque)):
        return v
    return json.dumps(v, separators=(",", ":"))


def _length(r: Resolver, args: Any, keep: bool) -> Any:
    v = r.resolve(args, keep)
    if isinstance(v, (Unknown, Opaque)):
        return v
    return len(v) if isinstance(v, list) else Unknown("Fn::Length of a value that is not a list", "Fn::Length [values]")


def _transform(r: Resolver, args: Any, keep: bool) -> Any:
    return Opaque(None)


_FUNCTIONS_TABLE = {
    "Ref": _ref,
    "Fn::GetAtt": _get_att,
    "Fn::Sub": _sub,
    "Fn::Join": _join,
    "Fn::Select": _select,
    "Fn::Split": _split,
    "Fn::FindInMap": _find_in_map,
    "Fn::Base64": _base64,
    "Fn::GetAZs": _get_azs,
    "Fn::Cidr": _cidr,
    "Fn::ImportValue": _import_value,
    "Fn::If": _if,
    "Fn::Equals": _equals,
    "Fn::And": _logic("And"),
    "Fn::Or": _logic("Or"),
    "Fn::Not": _logic("Not"),
    "Condition": _condition,
    "Fn::ToJsonString": _to_json,
    "Fn::Length": _length,
    "Fn::Transform": _transform,
}


def references(value: Any) -> set[str]:
    """Logical ids a value refers to (Ref, Fn::GetAtt, ${X} / ${X.Attr} in Fn::Sub)."""
    found: set[str] = set()

    def walk(v: Any) -> None:
        if isinstance(v, dict):
            if len(v) == 1:
                ((fn, args),) = v.items()
                if fn == "Ref" and isinstance(args, str) and not args.startswith("AWS::"):
                    found.add(args)
                elif fn == "Fn::GetAtt":
                    if isinstance(args, str):
                        found.add(args.split(".", 1)[0])
                    elif isinstance(args, list) and args and isinstance(args[0], str):
                        found.add(args[0])
                elif fn == "Fn::Sub":
                    text = (
                        args
                        if isinstance(args, str)
                        else args[0]
                        if isinstance(args, list) and args and isinstance(args[0], str)
                        else ""
                    )
                    local = (
                        set(args[1])
                        if isinstance(args, list) and len(args) == 2 and isinstance(args[1], dict)
                        else set()
                    )
                    for _, name in sub_parts(text):
                        if name is not None and not name.startswith("AWS::"):
                            base = name.split(".", 1)[0]
                            if base not in local:
                                found.add(base)
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)

    walk(value)
    return found


def resource_cycle(resources: dict[str, Any]) -> list[str] | None:
    """A cycle of resource references (Ref/GetAtt/Sub/DependsOn), or None."""
    graph: dict[str, set[str]] = {}
    for name, res in resources.items():
        if not isinstance(res, dict):
            continue
        deps = references(res.get("Properties")) & set(resources)
        depends = res.get("DependsOn")
        for d in depends if isinstance(depends, list) else [depends]:
            if isinstance(d, str) and d in resources:
                deps.add(d)
        graph[name] = deps
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(n: str) -> list[str] | None:
        state[n] = 1
        stack.append(n)
        for m in sorted(graph.get(n, ())):
            if state.get(m) == 1:
                return [*stack[stack.index(m) :], m]
            if m not in state:
                found = visit(m)
                if found:
                    return found
        stack.pop()
        state[n] = 2
        return None

    for n in sorted(graph):
        if n not in state:
            found = visit(n)
            if found:
                return found
    return None
