"""AGW6xx: paths and the resource tree they become."""

from __future__ import annotations

from typing import Iterator

from .. import ir
from ..diagnostics import Severity
from ..pathtemplate import SEGMENT_CHARS, SegmentKind, has_partial_parameter, segments
from ..source import join
from .registry import Finding, rule


@rule("AGW601", name="path-segment-characters", severity=Severity.ERROR)
def path_segment_characters(api: ir.Api) -> Iterator[Finding]:
    """A path segment uses characters API Gateway does not allow.

    What it checks: path segments use only letters, digits and `_ - . , :` (plus the braces
    of `{param}` and the `+` of `{proxy+}`; braces inside a literal segment are AGW604's).

    Why: import fails ("Resource's path part only allow a-zA-Z0-9._- and curly braces at
    the beginning and the end").

    Example:
        /pets/{id}/photo~large:

    Fix: `/pets/{id}/photo-large`.
    """
    for path, ptr in api.paths:
        for seg in segments(path):
            # the characters API Gateway sees in the path part, without the parameter syntax
            text = seg.name if seg.name is not None else seg.text.replace("{", "").replace("}", "")
            bad = sorted({c for c in text if c in "{}+" or not SEGMENT_CHARS.match(c)})
            if bad:
                yield Finding(
                    pointer=ptr,
                    at_key=True,
                    message=f"path segment {seg.text!r} of {path} uses characters API Gateway does not allow: {' '.join(repr(c) for c in bad)}",
                    hint="use letters, digits and - _ . , :",
                )


@rule("AGW602", name="greedy-path-not-last", severity=Severity.ERROR)
def greedy_path_not_last(api: ir.Api) -> Iterator[Finding]:
    """A greedy `{proxy+}` segment is not the last segment of a path.

    What it checks: `{name+}` appears only as the last segment of a path, so no path
    continues below a greedy resource.

    Why: a proxy resource cannot have children; import fails.

    Example:
        /files/{path+}/metadata:

    Fix: put the greedy parameter last (`/files/metadata/{path+}`).
    """
    all_paths = {path for path, _ in api.paths}
    for path, ptr in api.paths:
        segs = segments(path)
        for i, seg in enumerate(segs[:-1]):
            if seg.kind is not SegmentKind.GREEDY:
                continue
            greedy = "/" + "/".join(s.text for s in segs[: i + 1])
            if greedy in all_paths:
                hint = f"{greedy} already receives these requests: serve {path} from its backend"
            else:
                rest = [s.text for s in segs if s is not seg]
                hint = f"put the greedy parameter last: /{'/'.join(rest + [seg.text])}"
            yield Finding(
                pointer=ptr,
                at_key=True,
                message=f"greedy segment {seg.text} must be the last segment of {path}; a {{proxy+}} resource cannot have children",
                hint=hint,
            )
            break


@rule("AGW603", name="conflicting-path-parameters", severity=Severity.ERROR)
def conflicting_path_parameters(api: ir.Api) -> Iterator[Finding]:
    """Two paths use differently named parameters at the same position.

    What it checks: below the same parent, every path uses the same parameter name at a
    given level (`/pets/{id}` and `/pets/{petId}/toys` conflict).

    Why: both become one resource; API Gateway cannot have two sibling variable resources,
    so import fails ("A sibling ({id}) of this resource already has a variable path part").

    Example:
        /pets/{id}: ...
        /pets/{petId}/toys: ...

    Fix: use one name: `/pets/{petId}` and `/pets/{petId}/toys`.
    """
    seen: dict[tuple[str, ...], tuple[str, str]] = {}
    for path, ptr in api.paths:
        segs = segments(path)
        prefix: list[str] = []
        for seg in segs:
            if seg.is_variable:
                key = tuple(prefix)
                first = seen.get(key)
                if first is None:
                    seen[key] = (seg.text, path)
                elif first[0] != seg.text:
                    yield Finding(
                        pointer=ptr,
                        at_key=True,
                        message=f"{path} uses {seg.text} where {first[1]} uses {first[0]}; sibling resources cannot have different variables",
                        hint=f"rename {seg.text} to {first[0]}",
                    )
                    break
            prefix.append(seg.text if not seg.is_variable else "{}")


@rule("AGW604", name="partial-segment-parameter", severity=Severity.ERROR)
def partial_segment_parameter(api: ir.Api) -> Iterator[Finding]:
    """A path parameter is only part of a segment.

    What it checks: a `{param}` is a whole path segment, not part of one (`res{id}`,
    `{a}-{b}`, `{id}.json`).

    Why: API Gateway resources are whole segments; import fails.

    Example:
        /reports/{year}-{month}:

    Fix: `/reports/{year}/{month}`, or one parameter `/reports/{period}` parsed by the backend.
    """
    for path, ptr in api.paths:
        for seg in segments(path):
            if seg.kind is SegmentKind.LITERAL and has_partial_parameter(seg.text):
                yield Finding(
                    pointer=ptr,
                    at_key=True,
                    message=f"segment {seg.text!r} of {path} mixes a parameter with other text",
                    hint="make the parameter a whole segment",
                )


@rule("AGW605", name="empty-path-segment", severity=Severity.ERROR)
def empty_path_segment(api: ir.Api) -> Iterator[Finding]:
    """A path has an empty segment (`//`) or a trailing slash.

    What it checks: paths other than `/` neither end with `/` nor contain `//`.

    Why: a resource path part cannot be empty; import fails.

    Example:
        /pets/:

    Fix: `/pets`.
    """
    for path, ptr in api.paths:
        if path != "/" and (path.endswith("/") or "//" in path):
            yield Finding(
                pointer=ptr,
                at_key=True,
                message=f"path {path!r} has an empty segment",
                hint=f"use {'/' + '/'.join(p for p in path.split('/') if p)!r}",
            )


@rule("AGW606", name="reserved-path", severity=Severity.WARNING)
def reserved_path(api: ir.Api) -> Iterator[Finding]:
    """A path is /ping or /sping, which API Gateway reserves.

    What it checks: no path is `/ping` or `/sping`.

    Why: API Gateway uses them for health checks of custom domain names; on a custom
    domain your method is never called.

    Example:
        /ping: {get: ...}

    Fix: `/health`.
    """
    for path, ptr in api.paths:
        if path in ("/ping", "/sping"):
            yield Finding(
                pointer=ptr,
                at_key=True,
                message=f"{path} is reserved by API Gateway for custom domain health checks",
                hint="use another path, e.g. /health",
            )


@rule("AGW607", name="path-parameter-not-in-path", severity=Severity.WARNING)
def path_parameter_not_in_path(api: ir.Api) -> Iterator[Finding]:
    """A parameter declared `in: path` does not appear in the path.

    What it checks: every `in: path` parameter of an operation names a `{placeholder}` of
    its path.

    Why: API Gateway creates a method request parameter that can never be filled;
    mappings that read it always get nothing, and other tools reject the document.

    Example:
        /pets/{petId}:
          get:
            parameters: [{name: id, in: path, required: true}]

    Fix: rename the parameter to `petId`.
    """
    import re

    for op in api.operations:
        # every {name} of the path, including those inside a segment (AGW604 reports those)
        names = set(re.findall(r"\{([^{}+]+)\+?\}", op.path))
        for p in op.parameters:
            if p.location is ir.ParamLocation.PATH and p.name not in names:
                yield Finding(
                    pointer=join(p.pointer, "name"),
                    message=f"path parameter '{p.name}' does not appear in {op.path}",
                    hint=(
                        "rename it to a placeholder of the path ("
                        + ", ".join("{" + n + "}" for n in sorted(names))
                        + ") or remove it"
                    )
                    if names
                    else "remove it: the path has no placeholders",
                )


@rule("AGW608", name="greedy-root-unserved", severity=Severity.INFO)
def greedy_root_unserved(api: ir.Api) -> Iterator[Finding]:
    """A top-level `/{proxy+}` does not serve `/` itself.

    What it checks: when `/{proxy+}` has methods, `/` has methods too.

    Why: a greedy parameter matches one or more segments, never zero: requests to the
    stage root get 403 "Missing Authentication Token".

    Example:
        /{proxy+}: {x-amazon-apigateway-any-method: ...}

    Fix: add the same method on `/`.
    """
    paths_with_ops = {op.path for op in api.operations}
    for path, ptr in api.paths:
        segs = segments(path)
        if (
            len(segs) == 1
            and segs[0].kind is SegmentKind.GREEDY
            and path in paths_with_ops
            and "/" not in paths_with_ops
        ):
            yield Finding(
                pointer=ptr,
                at_key=True,
                message=f"{path} does not match '/'; requests to the stage root get 403",
                hint="add a method on / as well",
            )
