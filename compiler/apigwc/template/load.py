"""Load a SAM / CloudFormation template: recognize it, parse it, read its local includes.

The template is parsed by the same loader as an OpenAPI file (`apigwc.source`): YAML with
every CloudFormation short-form tag turned into its long form (``!GetAtt A.B`` and
``!GetAtt [A, B]`` both become ``{"Fn::GetAtt": ["A", "B"]}``) or JSON, with the same
positioned source map.  A template is recognized by its content, never by its name:
`AWSTemplateFormatVersion`, the `AWS::Serverless-2016-10-31` transform, or `Resources`
holding `AWS::Serverless::*` / `AWS::ApiGateway::*` resources.

`AWS::Include` files and local `DefinitionUri` files are parsed on demand and kept in
`Template.files` (by path) so that positions inside them resolve to their own file.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..diagnostics import Diagnostics, Span
from ..source import Document, join, load_document, node_at, split

SAM_TRANSFORM = "AWS::Serverless-2016-10-31"

_HEAD = re.compile(
    rb"AWSTemplateFormatVersion|AWS::Serverless-2016-10-31|[\"']?Type[\"']?\s*:\s*[\"']?AWS::(?:Serverless|ApiGateway)::"
)


def looks_like_template(path: Path) -> bool:
    """Cheap test on the file's bytes (first 256 KB), for folder scans and pre-commit."""
    try:
        with path.open("rb") as fh:
            head = fh.read(262144)
    except OSError:
        return False
    return _looks_like_template(head)


def _looks_like_template(head: bytes) -> bool:
    if _OPENAPI_KEY.search(head[:8192]):
        return False  # an OpenAPI document (its root key comes first in practice): never parsed twice
    return _HEAD.search(head) is not None


_OPENAPI_KEY = re.compile(rb'(?m)^["\']?(openapi|swagger)["\']?[ \t]*:|^\{?\s*"(openapi|swagger)"\s*:')
_API_HINT = re.compile(rb"AWS::Serverless::Api\b|AWS::ApiGateway::RestApi\b|Type[\"']?\s*:\s*[\"']?Api\b(?!:)")


def mentions_api(path: Path) -> bool:
    """Cheap test for folder scans and pre-commit: the template names a REST API or an Api event."""
    try:
        return _API_HINT.search(path.read_bytes()) is not None
    except OSError:
        return False


def transforms(data: dict) -> list[str]:
    raw = data.get("Transform")
    items = raw if isinstance(raw, list) else [raw]
    return [t for t in items if isinstance(t, str)]


def is_template(data: Any) -> bool:
    """True if parsed data is a CloudFormation or SAM template (and not an OpenAPI document)."""
    if not isinstance(data, dict) or "openapi" in data or "swagger" in data:
        return False
    if "AWSTemplateFormatVersion" in data or SAM_TRANSFORM in transforms(data):
        return True
    resources = data.get("Resources")
    if isinstance(resources, dict):
        for res in resources.values():
            kind = res.get("Type") if isinstance(res, dict) else None
            if isinstance(kind, str) and kind.startswith(("AWS::Serverless::", "AWS::ApiGateway::")):
                return True
    return False


@dataclass(eq=False)
class Template:
    """A parsed template plus every local file it includes, by absolute path."""

    doc: Document
    files: dict[Path, Document | None] = field(default_factory=dict)

    @property
    def data(self) -> dict:
        return self.doc.data

    @property
    def path(self) -> Path:
        return self.doc.path

    @property
    def resources(self) -> dict[str, Any]:
        raw = self.data.get("Resources")
        return raw if isinstance(raw, dict) else {}

    def span(self, pointer: str, at_key: bool = False) -> Span:
        return self.doc.span(pointer, at_key) or self.doc.start_span()

    def locate_value(self, value: Any, near: str) -> Span:
        """Where ``value`` (a node such as ``{"Ref": "Stage"}``) is written: its first occurrence
        under the pointer ``near``, else anywhere in the template or an included file, else ``near``."""
        found: list[tuple[Document, str]] = []

        def walk(doc: Document, node: Any, pointer: str) -> None:
            if found:
                return
            if node == value:
                found.append((doc, pointer))
            elif isinstance(node, dict):
                for k, v in node.items():
                    walk(doc, v, join(pointer, k))
            elif isinstance(node, list):
                for i, v in enumerate(node):
                    walk(doc, v, join(pointer, i))

        walk(self.doc, node_at(self.data, split(near)), near)
        for doc in self.documents():
            walk(doc, doc.data, "")
        if found:
            doc, pointer = found[0]
            span = doc.span(pointer)
            if span is not None:
                return span
        return self.span(near)

    def display_of(self, path: Path) -> str:
        rel = os.path.relpath(path, self.path.parent)
        return os.path.normpath(os.path.join(os.path.dirname(self.doc.display), rel))

    def include(self, location: str, diags: Diagnostics) -> Document | None:
        """Parse a local file named relative to the template (None, reported, if unusable)."""
        path = (self.path.parent / location).resolve()
        if path in self.files:
            return self.files[path]
        doc = None
        try:
            doc = load_document(path, self.display_of(path), diags)
        except OSError:
            doc = None
        self.files[path] = doc
        return doc

    def documents(self) -> list[Document]:
        return [self.doc, *(d for d in self.files.values() if d is not None)]


def is_template_file(path: Path) -> bool:
    """Recognize a template by content (cheap byte test, then the parsed keys)."""
    if not path.is_file() or not looks_like_template(path):
        return False
    try:
        doc = load_document(path, str(path), Diagnostics())
    except OSError:
        return False
    return doc is not None and is_template(doc.data)


def is_template_text(raw: bytes) -> bool:
    """Recognize a template read from elsewhere (standard input) by content, as `is_template_file` does a file."""
    if not _looks_like_template(raw[:262144]):
        return False
    try:
        doc = load_document(Path("-"), "-", Diagnostics(), raw)
    except OSError:
        return False
    return doc is not None and is_template(doc.data)


def load_template(path: Path, display: str, diags: Diagnostics, raw: bytes | None = None) -> Template | None:
    """Parse a template file (``raw``: its bytes, read elsewhere, e.g. from standard input; ``path`` then
    only places it: its includes, DefinitionUri and CodeUri resolve from its folder).  None (with
    diagnostics) if it is not usable.  OSError propagates."""
    doc = load_document(path, display, diags, raw)
    if doc is None:
        return None
    return Template(doc)


def included_files(path: Path) -> set[Path]:
    """Local files a template includes (AWS::Include locations, DefinitionUri), resolved; for folder scans."""
    try:
        doc = load_document(path, str(path), Diagnostics())
    except OSError:
        return set()
    found: set[Path] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            spec = node.get("Fn::Transform")
            if isinstance(spec, dict) and spec.get("Name") == "AWS::Include":
                loc = (
                    (spec.get("Parameters") or {}).get("Location") if isinstance(spec.get("Parameters"), dict) else None
                )
                if isinstance(loc, str) and "://" not in loc:
                    found.add((path.parent / loc).resolve())
            uri = node.get("DefinitionUri")
            if isinstance(uri, str) and "://" not in uri:
                found.add((path.parent / uri).resolve())
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    if doc is not None:
        walk(doc.data)
    return found
