"""OpenAPI path templates as API Gateway splits them into resources.

``/pets/{petId}/photos/{proxy+}`` is four resources: the literal ``pets``, the path
parameter ``{petId}``, the literal ``photos`` and the greedy (proxy) parameter
``{proxy+}``.  Shared by lint rules, lowering and the local gateway's router.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

#: Characters API Gateway allows in a resource path part [AWS docs, import limits]:
#: letters, digits and ``_-.,:`` plus the braces of a parameter (and ``+`` of a greedy one).
SEGMENT_CHARS = re.compile(r"^[A-Za-z0-9_\-.,:{}+]*$")
_PARAM = re.compile(r"^\{([^{}+]+)(\+?)\}$")
_BRACES = re.compile(r"\{[^{}]*\}")


class SegmentKind(enum.Enum):
    LITERAL = "literal"
    PARAM = "param"
    GREEDY = "greedy"


@dataclass(frozen=True, slots=True)
class Segment:
    text: str  # as written, e.g. "{petId}"
    kind: SegmentKind
    name: str | None  # parameter name for PARAM/GREEDY

    @property
    def is_variable(self) -> bool:
        return self.kind is not SegmentKind.LITERAL


def segments(path: str) -> list[Segment]:
    """Split a path into segments; '/' has none."""
    parts = path.strip("/").split("/") if path.strip("/") else []
    out = []
    for part in parts:
        m = _PARAM.match(part)
        if m:
            out.append(Segment(part, SegmentKind.GREEDY if m.group(2) else SegmentKind.PARAM, m.group(1)))
        else:
            out.append(Segment(part, SegmentKind.LITERAL, None))
    return out


def parameter_names(path: str) -> list[str]:
    """Names of the `{name}` / `{name+}` placeholders of a path, in order."""
    return [s.name for s in segments(path) if s.name is not None]


def has_partial_parameter(segment: str) -> bool:
    """True for segments such as ``res{id}`` or ``{a}-{b}`` that API Gateway cannot express."""
    return bool(_BRACES.search(segment)) and not _PARAM.match(segment)


def parent(path: str) -> str | None:
    """The parent resource path ('/a/b' -> '/a', '/a' -> '/', '/' -> None)."""
    stripped = path.rstrip("/")
    if not stripped:
        return None
    head = stripped.rsplit("/", 1)[0]
    return head or "/"
