"""Deployment as data: a plan is a tuple of frozen `ApiCall`s, run in order.

Each call names a boto3 client (``service``), one of its methods (``operation``), the
keyword arguments (``params``, JSON-shaped) and the values it publishes for later calls
(``outputs``: variable name -> key of the call's result).  A later call takes such a
value through a `Ref` anywhere inside its params; `Join` concatenates text and refs
(a Lambda URI needs the region, a SourceArn the new API's id).

Variable names are stable and readable (``restApi``, ``resource:/pets/{petId}``,
``authorizer:bearer``, ``aws:region``, ``param:PetsFunctionArn``...), so a plan reads
the same every time and can be diffed in review.  The executor (`apigwc.deploy.executor`) resolves
them: from earlier outputs, from the live API it read, from the AWS context (region,
account, partition) and from ``--param NAME=VALUE``.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping


@dataclass(frozen=True, slots=True)
class Ref:
    """The value of a plan variable, known when the call runs."""

    name: str


@dataclass(frozen=True, slots=True)
class Join:
    """Text made of literal parts and `Ref`s."""

    parts: tuple[Any, ...]

    @staticmethod
    def of(*parts: Any) -> "str | Join":
        """Concatenate, merging adjacent strings; a plain string when there is no Ref left."""
        merged: list[Any] = []
        for p in parts:
            if isinstance(p, Join):
                items: tuple[Any, ...] = p.parts
            else:
                items = (p,)
            for item in items:
                if isinstance(item, str) and merged and isinstance(merged[-1], str):
                    merged[-1] += item
                elif item != "":
                    merged.append(item)
        if not merged:
            return ""
        if len(merged) == 1 and isinstance(merged[0], str):
            return merged[0]
        return Join(tuple(merged))


#: Variables the executor provides from its AWS context
REGION = Ref("aws:region")
ACCOUNT = Ref("aws:accountId")
PARTITION = Ref("aws:partition")
URL_SUFFIX = Ref("aws:urlSuffix")
REST_API = Ref("restApi")
DEPLOYMENT = Ref("deployment")


def resource_var(path: str) -> str:
    return f"resource:{path}"


def authorizer_var(name: str) -> str:
    return f"authorizer:{name}"


def validator_var(name: str) -> str:
    return f"validator:{name}"


def api_key_var(name: str) -> str:
    return f"apiKey:{name}"


def usage_plan_var(name: str) -> str:
    return f"usagePlan:{name}"


def param_var(name: str) -> str:
    return f"param:{name}"


#: Operations that change nothing (reads); every other operation mutates.
_READ_PREFIXES = ("get_", "list_", "describe_")


@dataclass(frozen=True, slots=True, kw_only=True)
class ApiCall:
    """One boto3 call: ``boto3.client(service).<operation>(**params)``."""

    service: str
    operation: str
    params: Mapping[str, Any]
    #: variable -> key of the result (``{"restApi": "id"}``)
    outputs: Mapping[str, str] = field(default_factory=dict)
    #: what the call acts on, for progress and errors: ``GET /pets``, ``model Pet``
    target: str = ""

    @property
    def mutating(self) -> bool:
        return not self.operation.startswith(_READ_PREFIXES)

    def refs(self) -> set[str]:
        """Names of the variables the call reads."""
        return set(_refs(self.params))

    @property
    def label(self) -> str:
        return f"{self.operation} on {self.target}" if self.target else self.operation


#: A plan: the calls, in the order they run.
Plan = tuple[ApiCall, ...]


def _refs(value: Any) -> Iterator[str]:
    if isinstance(value, Ref):
        yield value.name
    elif isinstance(value, Join):
        for p in value.parts:
            yield from _refs(p)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _refs(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _refs(v)


class Unresolved(KeyError):
    """A plan variable has no value yet."""


def resolve(value: Any, variables: Mapping[str, str]) -> Any:
    """Replace every `Ref` and `Join` by text; raises `Unresolved` for an unknown variable."""
    if isinstance(value, Ref):
        try:
            return variables[value.name]
        except KeyError:
            raise Unresolved(value.name) from None
    if isinstance(value, Join):
        return "".join(resolve(p, variables) for p in value.parts)
    if isinstance(value, dict):
        return {k: resolve(v, variables) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [resolve(v, variables) for v in value]
    return value


def partial(value: Any, variables: Mapping[str, str]) -> Any:
    """Resolve the refs whose variables are known; keep the others symbolic."""
    if isinstance(value, Ref):
        return variables.get(value.name, value)
    if isinstance(value, Join):
        return Join.of(*(partial(p, variables) for p in value.parts))
    if isinstance(value, dict):
        return {k: partial(v, variables) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [partial(v, variables) for v in value]
    return value


# ----------------------------------------------------------------------------------------
# Serialization: JSON (deploy-plan.json) and a short text listing (deploy-plan.txt)


def to_data(value: Any) -> Any:
    """Plan values as JSON data: ``{"$ref": name}`` and ``{"$join": [...]}``."""
    if isinstance(value, Ref):
        return {"$ref": value.name}
    if isinstance(value, Join):
        return {"$join": [to_data(p) for p in value.parts]}
    if isinstance(value, dict):
        return {k: to_data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_data(v) for v in value]
    return value


def from_data(value: Any) -> Any:
    """The inverse of `to_data`."""
    if isinstance(value, dict):
        if value.keys() == {"$ref"}:
            return Ref(value["$ref"])
        if value.keys() == {"$join"}:
            return Join(tuple(from_data(p) for p in value["$join"]))
        return {k: from_data(v) for k, v in value.items()}
    if isinstance(value, list):
        return [from_data(v) for v in value]
    return value


def plan_to_json(plan: Plan, about: Mapping[str, Any]) -> str:
    """deploy-plan.json: ``about`` (api, stages, parameters) and every call."""
    data = {
        **about,
        "calls": [
            {
                "service": c.service,
                "operation": c.operation,
                "target": c.target,
                "params": to_data(dict(c.params)),
                **({"outputs": dict(c.outputs)} if c.outputs else {}),
            }
            for c in plan
        ],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def plan_from_json(text: str) -> Plan:
    data = json.loads(text)
    return tuple(
        ApiCall(
            service=c["service"],
            operation=c["operation"],
            target=c.get("target", ""),
            params=from_data(c["params"]),
            outputs=c.get("outputs", {}),
        )
        for c in data["calls"]
    )


def call_line(call: ApiCall) -> str:
    """``lambda add_permission  GET /pets  -> $x``: one line of a listing."""
    line = f"{call.service} {call.operation}"
    if call.target:
        line += f"  {call.target}"
    if call.outputs:
        line += "  -> " + ", ".join("$" + v for v in call.outputs)
    return line


def plan_summary(plan: Plan) -> str:
    """``33 calls (apigateway 29, lambda 3, sts 1)``."""
    counts = Counter(c.service for c in plan)
    summary = ", ".join(f"{s} {n}" for s, n in sorted(counts.items()))
    return f"{len(plan)} call{'s' if len(plan) != 1 else ''}" + (f" ({summary})" if plan else "")


def plan_text(plan: Plan, title: str, comment: str = "") -> str:
    """The short text listing: a summary line, then one numbered line per call."""
    out = [f"# {title}: {plan_summary(plan)}"]
    if comment:
        out.append(f"# {comment}")
    width = len(str(len(plan)))
    for i, call in enumerate(plan, 1):
        out.append(f"{i:>{width}}. {call_line(call)}")
    return "\n".join(out) + "\n"
