"""Logical ids: stable, readable, alphanumeric names for what the gateway model and its targets declare.

The same spec always gives the same ids (``ResourcePetsPetId``, ``MethodPetsGet``,
``AuthorizerBearer``...): an id depends on its own words and on the keys it collides
with, never on order or counters, so a template or a plan diffs cleanly in review and a
CloudFormation update replaces nothing that did not change.  `apigwc.lower` names the
model's parts with these; the targets and the planner name what they add the same way.
"""

from __future__ import annotations

import hashlib
import re
from typing import Iterable

from .pathtemplate import segments

#: Logical-id bases longer than this are cut and get a hash suffix (CloudFormation allows 255).
MAX_ID_BASE = 200

_WORD = re.compile(r"[A-Za-z0-9]+")
_NOT_ALNUM = re.compile(r"[^A-Za-z0-9]")


def pascal(text: str) -> str:
    """``pets`` -> ``Pets``, ``{petId}`` -> ``PetId``, ``user-info`` -> ``UserInfo``."""
    return "".join(w[0].upper() + w[1:] for w in _WORD.findall(text))


def short_hash(text: str, n: int = 6) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:n].upper()


def allocate_ids(entries: Iterable[tuple[str, str]], taken: Iterable[str] = ()) -> dict[str, str]:
    """Give each (key, base) a unique alphanumeric id.

    The id is the base itself unless another key wants the same base (or it is taken):
    then every key of the group gets a short hash of its own key appended, so an id only
    depends on the keys that collide with it, never on order or counters.
    """
    taken_set = set(taken)
    groups: dict[str, list[str]] = {}
    for key, base in entries:
        if len(base) > MAX_ID_BASE:
            base = base[:MAX_ID_BASE] + short_hash(base, 8)
        groups.setdefault(base, [])
        if key not in groups[base]:
            groups[base].append(key)
    out: dict[str, str] = {}
    for base, keys in groups.items():
        if len(keys) == 1 and base not in taken_set:
            out[keys[0]] = base
            continue
        for key in keys:
            out[key] = base + short_hash(key)
    return out


def path_words(path: str) -> str:
    """The id words of a resource path: ``/pets/{petId}`` -> ``PetsPetId``; ``/`` -> ``Root``."""
    return "".join(pascal(s.text) or "X" for s in segments(path)) or "Root"


def getatt_parameter(resource: str, attr: str) -> str:
    """The parameter standing for ``Fn::GetAtt: [resource, attr]`` when ``resource`` is outside
    the template: ``PetsFunction.Arn`` -> ``PetsFunctionArn``.  The cfn target declares it as
    a template Parameter and the deploy plan asks for it with ``--param``; both use this name."""
    return resource + _NOT_ALNUM.sub("", attr)
