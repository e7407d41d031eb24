"""Source loading: bytes -> text -> plain data, plus a source map from JSON Pointers to spans.

Design (why it is fast on big files):

* JSON is parsed with ``json.loads`` (C).  Positions are not computed up front: the
  `_JsonLocator` finds a pointer on demand by scanning the text with the C scanner,
  caching the child offsets of every container it has walked.  Locating a few hundred
  diagnostics in a 13 MB file costs a handful of C-speed passes, not a Python parse.
* YAML is *composed* with ruamel's C parser and the tag-free `BaseResolver` (about 5x
  faster than the round-trip loader), and one Python pass turns the node graph into
  plain data.  The node graph is kept as the source map (`_YamlLocator`).

Data is always JSON-shaped: mapping keys are strings (YAML ``200:`` becomes ``"200"``),
scalars follow the YAML 1.2 core schema (``yes`` stays a string, dates stay strings),
and CloudFormation short-form tags (``!Ref``, ``!Sub``, ``!GetAtt``...) become their
long form objects, which apigwc treats as values (see `apigwc.intrinsics`).

Every problem becomes a diagnostic with a location; nothing here raises for bad input.
"""

from __future__ import annotations

import bisect
import codecs
import json
import os
import re
from dataclasses import dataclass
from json import scanner as _json_scanner
from json.decoder import scanstring as _scanstring
from pathlib import Path
from typing import Any, Iterable, Iterator

from .diagnostics import Code, Diagnostics, Severity, Span
from .nesting import MAX_NESTING, too_deep

# --------------------------------------------------------------------------------------
# Codes emitted by this stage

SYNTAX_ERROR = Code(
    code="AGW001",
    name="syntax-error",
    severity=Severity.ERROR,
    stage="source",
    summary="The file is not valid YAML or JSON.",
    doc="""What it checks: the spec file (and every file a `$ref` reaches) parses as YAML or JSON,
holds exactly one document, and is not nested deeper than the parser can follow.

Why: API Gateway rejects the import with a bare "Invalid OpenAPI input" and no position.

Example:
    paths:
      /pets:
        get:
      responses:   # mis-indented

Severity: error.  API Gateway rejects a file it cannot parse with BadRequestException
"Invalid OpenAPI input." [Obs: localstack's AWS-validated test_apigateway_import snapshot,
test_import_api_bad_file, both ImportRestApi and PutRestApi, YAML and JSON].

Fix: correct the syntax at the reported line and column.""",
)
DUPLICATE_KEY = Code(
    code="AGW002",
    name="duplicate-key",
    severity=Severity.ERROR,
    stage="source",
    summary="A mapping holds the same key twice.",
    doc="""What it checks: no mapping (YAML) or object (JSON) repeats a key.

Why: parsers disagree on which value wins (most keep the last one silently), so the API
you review is not the API that gets deployed.

Example:
    get:
      responses: {...}
      responses: {...}

Severity: error.  [Inf] No recording shows what API Gateway does with a repeated key (its
parsers may keep the last one); the document then means something other than what one reads,
so the error is kept until a recording shows the import succeeds.

Fix: merge the two entries or delete one of them.""",
)
ENCODING_ERROR = Code(
    code="AGW003",
    name="encoding-error",
    severity=Severity.ERROR,
    stage="source",
    summary="The file is not UTF-8 text.",
    doc="""What it checks: the file decodes as UTF-8 (a UTF-8 byte-order mark is accepted).

Why: API Gateway and CloudFormation read OpenAPI bodies as UTF-8.

Example: a file saved as Latin-1 whose description contains "café" (byte 0xE9).

Severity: error.  A body that is not UTF-8 text does not parse, and API Gateway answers
"Invalid OpenAPI input." [Obs: localstack's AWS-validated test_apigateway_import snapshot,
test_import_api_bad_file; Inf for the encoding itself].

Fix: re-save the file as UTF-8.""",
)
EMPTY_DOCUMENT = Code(
    code="AGW004",
    name="empty-document",
    severity=Severity.ERROR,
    stage="source",
    summary="The file holds no document.",
    doc="""What it checks: the file is not empty and not only comments.

Why: there is no API to compile.

Example:
    # Pets API
    # TODO: write the OpenAPI document

Severity: error.  An empty document is not an OpenAPI document: "Invalid OpenAPI input."
[Obs: localstack's AWS-validated test_apigateway_import snapshot, test_import_api_bad_file;
Inf that empty input takes the same path].

Fix: point apigwc at the OpenAPI file, or write one (see specs/ for examples).""",
)
ROOT_NOT_MAPPING = Code(
    code="AGW005",
    name="root-not-mapping",
    severity=Severity.ERROR,
    stage="source",
    summary="The document root is not a mapping.",
    doc="""What it checks: the top level of an OpenAPI document is a mapping (JSON object).

Why: `openapi`/`swagger`, `info` and `paths` must be keys at the root.

Example:
    - openapi: 3.0.3      # a list, not a mapping

Severity: error.  A root that is not a mapping is not an OpenAPI document: "Invalid OpenAPI
input." [Obs: localstack's AWS-validated test_apigateway_import snapshot,
test_import_api_bad_file; Inf that this input takes the same path].

Fix: remove the leading `- ` (or the surrounding `[...]`).""",
)
YAML_ALIAS = Code(
    code="AGW006",
    name="yaml-alias-expansion",
    severity=Severity.ERROR,
    stage="source",
    summary="YAML aliases expand recursively or to an unreasonable size.",
    doc="""What it checks: YAML anchors and aliases (`&a` / `*a`) neither refer to themselves nor
expand to more than 1,000,000 nodes ("billion laughs").

Why: a recursive or exponentially expanding document cannot be turned into JSON, which
is what API Gateway imports; it is also a classic denial-of-service input.

Example:
    a: &a [*a]

Severity: error.  [Inf] YAML parsers used by importers cap alias expansion and refuse such
documents; apigwc also refuses to expand them for its own safety (issue 14).

Fix: replace the recursive alias with a `$ref`, or inline the data.""",
)
YAML_TAG = Code(
    code="AGW007",
    name="yaml-unknown-tag",
    severity=Severity.WARNING,
    stage="source",
    summary="A YAML tag that apigwc does not know is ignored.",
    doc="""What it checks: explicit YAML tags are standard ones (`!!str`, `!!int`...) or
CloudFormation short forms (`!Ref`, `!Sub`, `!GetAtt`, `!Join`, `!If`, ...).

Why: API Gateway imports JSON; a custom tag has no JSON meaning and is dropped.

Example:
    uri: !Env BACKEND_URL

Fix: remove the tag, or use a CloudFormation intrinsic such as `!Sub`.""",
)
REF_ERROR = Code(
    code="AGW008",
    name="unresolvable-ref",
    severity=Severity.ERROR,
    stage="source",
    summary="A `$ref` points to nothing, loops, leaves the spec's folder tree, or is remote.",
    doc="""What it checks: every `$ref` resolves to a node in this file or in a local file inside
the spec's folder tree (or the `ref-root` configured in `[tool.apigwc]`), and chains of
`$ref`s do not loop back on themselves.  apigwc never fetches a URL.

Why: API Gateway import fails on a dangling reference, and a remote reference makes the
build depend on the network.

Example:
    schema:
      $ref: '#/components/schemas/Pett'

Severity: error.  Kept [Inf], with a known gap: API Gateway reports a missing model
reference as an import warning, not an error [Doc: "Errors and warnings from importing your
API": "warnings can be generated for minor issues like a missing model reference"]. apigwc
resolves every $ref before it builds, so a dangling, looping or remote $ref leaves it
nothing to emit; a warning-level fallback (drop the model, as API Gateway does) is follow-up
work.

Fix: correct the reference (the message suggests near names), or copy the remote
document into the repository and reference the local copy.""",
)

SOURCE_CODES: tuple[Code, ...] = (
    SYNTAX_ERROR,
    DUPLICATE_KEY,
    ENCODING_ERROR,
    EMPTY_DOCUMENT,
    ROOT_NOT_MAPPING,
    YAML_ALIAS,
    YAML_TAG,
    REF_ERROR,
)

#: Aliases may add at most this many nodes by expansion before the file is rejected.
MAX_ALIAS_EXPANSION = 1_000_000

# --------------------------------------------------------------------------------------
# JSON Pointers (RFC 6901)


def escape(token: str) -> str:
    """Escape one reference token."""
    if "~" in token or "/" in token:
        return token.replace("~", "~0").replace("/", "~1")
    return token


def unescape(token: str) -> str:
    """Unescape one reference token."""
    return token.replace("~1", "/").replace("~0", "~")


def join(pointer: str, *tokens: str | int) -> str:
    """Append tokens to a pointer (or to a ``file#pointer`` location)."""
    return pointer + "".join("/" + escape(str(t)) for t in tokens)


def split(pointer: str) -> list[str]:
    """Split a pointer into unescaped tokens.  ``""`` is the root."""
    if not pointer:
        return []
    if not pointer.startswith("/"):
        raise ValueError(f"not a JSON Pointer: {pointer!r}")
    return [unescape(t) for t in pointer[1:].split("/")]


#: what `node_at` answers for a pointer that leads nowhere (a stored value may be None)
MISSING: Any = object()


def node_at(data: Any, tokens: Iterable[str], default: Any = None) -> Any:
    """The value the pointer ``tokens`` (from `split`) reaches under ``data``: map keys and list
    indices; ``default`` when a token leads nowhere."""
    node = data
    for tok in tokens:
        if isinstance(node, dict) and tok in node:
            node = node[tok]
        elif isinstance(node, list) and tok.isdigit() and int(tok) < len(node):
            node = node[int(tok)]
        else:
            return default
    return node


def split_location(location: str) -> tuple[str, str]:
    """Split ``file#/ptr`` into (file, pointer); a bare pointer belongs to the main file ("")."""
    if not location or location.startswith("/"):
        return "", location
    file, _, pointer = location.partition("#")
    return file, pointer


# --------------------------------------------------------------------------------------
# Locators: pointer -> span, computed on demand


class _Lines:
    """Offset -> (line, col) for one text, both 1-based."""

    __slots__ = ("_starts",)

    def __init__(self, text: str) -> None:
        starts = [0]
        find = text.find
        i = find("\n")
        while i != -1:
            starts.append(i + 1)
            i = find("\n", i + 1)
        self._starts = starts

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self._starts, offset) - 1
        return line + 1, offset - self._starts[line] + 1


_WS = re.compile(r"[ \t\n\r]*")
_SCAN_ONCE = _json_scanner.make_scanner(json.JSONDecoder())


class _JsonLocator:
    """Find pointers in JSON text lazily; each container is scanned at most once."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._lines: _Lines | None = None
        # container start offset -> children [(key_or_index, key_start, value_start, value_end)]
        self._children: dict[int, list[tuple[Any, int, int, int]]] = {}
        self._by_key: dict[int, dict[str, tuple[Any, int, int, int]]] = {}

    def _ws(self, pos: int) -> int:
        return _WS.match(self.text, pos).end()  # type: ignore[union-attr]

    def _scan(self, start: int) -> list[tuple[Any, int, int, int]]:
        cached = self._children.get(start)
        if cached is not None:
            return cached
        text = self.text
        out: list[tuple[Any, int, int, int]] = []
        opener = text[start]
        pos = self._ws(start + 1)
        if opener == "{":
            if text[pos] != "}":
                while True:
                    kstart = pos
                    key, pos = _scanstring(text, pos + 1)
                    pos = self._ws(pos) + 1  # ':'
                    vstart = pos = self._ws(pos)
                    _, pos = _SCAN_ONCE(text, pos)
                    out.append((key, kstart, vstart, pos))
                    pos = self._ws(pos)
                    if text[pos] == ",":
                        pos = self._ws(pos + 1)
                        continue
                    break
        elif opener == "[":
            index = 0
            if text[pos] != "]":
                while True:
                    vstart = pos
                    _, pos = _SCAN_ONCE(text, pos)
                    out.append((index, vstart, vstart, pos))
                    index += 1
                    pos = self._ws(pos)
                    if text[pos] == ",":
                        pos = self._ws(pos + 1)
                        continue
                    break
        self._children[start] = out
        return out

    def _index(self, start: int) -> dict[str, tuple[Any, int, int, int]]:
        """Children of the container at ``start`` by key (last duplicate wins, like json.loads)."""
        idx = self._by_key.get(start)
        if idx is None:
            idx = {str(child[0]): child for child in self._scan(start)}
            self._by_key[start] = idx
        return idx

    def find(self, tokens: list[str], at_key: bool) -> tuple[int, int] | None:
        """Return (start, end) offsets of the deepest node on the pointer's path."""
        text = self.text
        start = self._ws(0)
        end = len(text.rstrip())
        kspan: tuple[int, int] | None = None
        for tok in tokens:
            if text[start] not in "{[":
                break
            found = self._index(start).get(tok)
            if found is None:
                break
            _, kstart, start, end = found
            kspan = (kstart, _SCAN_ONCE(text, kstart)[1]) if text[kstart] == '"' else None
        else:
            if at_key and kspan is not None:
                return kspan
        return start, end

    def _span(self, file: str, start: int, end: int) -> Span:
        if self._lines is None:
            self._lines = _Lines(self.text)
        line, col = self._lines.position(start)
        end_line, end_col = self._lines.position(end)
        return Span(file, line, col, end_line, end_col)

    def value_start(self, tokens: list[str]) -> tuple[int, str, int] | None:
        """(offset, style, end) of the string value at the pointer, or None if it is not a string."""
        try:
            found = self.find(tokens, False)
        except (ValueError, IndexError, StopIteration):
            return None
        if found is None or self.text[found[0] : found[0] + 1] != '"':
            return None
        return found[0], "json", found[1]

    def span(self, file: str, tokens: list[str], at_key: bool) -> Span | None:
        try:
            found = self.find(tokens, at_key)
        except (ValueError, IndexError, StopIteration):
            return None
        if found is None:
            return None
        return self._span(file, *found)

    def key_spans(self, file: str, container: list[str], key: str) -> list[Span]:
        """Spans of every occurrence of ``key`` in the object at ``container`` (duplicates included)."""
        try:
            start = self.find(container, False)
            if start is None or self.text[start[0]] != "{":
                return []
            return [
                self._span(file, kstart, _SCAN_ONCE(self.text, kstart)[1])
                for name, kstart, _, _ in self._scan(start[0])
                if name == key
            ]
        except (ValueError, IndexError, StopIteration):
            return []


class _YamlLocator:
    """Find pointers in a composed ruamel node graph."""

    def __init__(self, root: Any, text: str | None = None) -> None:
        self.root = root
        self.text = text
        self._starts: list[int] | None = None
        self._index: dict[int, dict[str, tuple[Any, Any]]] = {}

    def _pairs(self, node: Any) -> dict[str, tuple[Any, Any]]:
        idx = self._index.get(id(node))
        if idx is None:
            idx = {}
            for k, v in node.value:
                if getattr(k, "value", None) == "<<" and k.style == "":
                    merged = v.value if v.id == "sequence" else [v]
                    for m in reversed(merged):
                        if m.id == "mapping":
                            for key, pair in self._pairs(m).items():
                                idx.setdefault(key, pair)
            for k, v in node.value:
                if k.id == "scalar" and not (k.value == "<<" and k.style == ""):
                    idx[str(k.value)] = (k, v)
            self._index[id(node)] = idx
        return idx

    def value_start(self, tokens: list[str]) -> tuple[int, str, int] | None:
        """(offset, style, end) of the scalar at the pointer (offsets into the text)."""
        node = self.root
        for tok in tokens:
            if node.id == "mapping":
                pair = self._pairs(node).get(tok)
                if pair is None:
                    return None
                node = pair[1]
            elif node.id == "sequence":
                try:
                    node = node.value[int(tok)]
                except (ValueError, IndexError):
                    return None
            else:
                return None
        if node.id != "scalar" or self.text is None:
            return None
        lines = self._line_starts()
        s, e = node.start_mark, node.end_mark
        start = lines[s.line] + s.column if s.line < len(lines) else len(self.text)
        end = lines[e.line] + e.column if e.line < len(lines) else len(self.text)
        return start, node.style or "plain", end

    def _line_starts(self) -> list[int]:
        if self._starts is None:
            self._starts = [0] + [m.end() for m in re.finditer("\n", self.text)]
        return self._starts

    def span(self, file: str, tokens: list[str], at_key: bool) -> Span | None:
        node = self.root
        key_node = None
        for tok in tokens:
            if node.id == "mapping":
                pair = self._pairs(node).get(tok)
                if pair is None:
                    break
                key_node, node = pair
            elif node.id == "sequence":
                try:
                    node = node.value[int(tok)]
                except (ValueError, IndexError):
                    break
                key_node = None
            else:
                break
        else:
            if at_key and key_node is not None:
                node = key_node
        s, e = node.start_mark, node.end_mark
        return Span(file, s.line + 1, s.column + 1, e.line + 1, e.column + 1)


def _scalar_offset(text: str, start: int, end: int, style: str, value_offset: int) -> int:
    """The text offset of character ``value_offset`` of the string scalar starting at ``start``.

    Walks the scalar's source the way the parser decoded it: JSON and YAML double-quoted
    escapes, YAML '' in single quotes, line folding in flow scalars, and the indentation of
    block scalars (``|`` / ``>``), whose content starts on the line after the indicator.
    """
    if style in ("|", ">"):
        nl = text.find("\n", start)
        if nl == -1:
            return start
        pos = nl + 1
        lines: list[tuple[int, str]] = []
        while pos < end or (pos == end and pos < len(text) and not lines):
            eol = text.find("\n", pos)
            eol = len(text) if eol == -1 or eol > end else eol
            lines.append((pos, text[pos:eol]))
            if eol >= end:
                break
            pos = eol + 1
        indent = next((len(l) - len(l.lstrip(" ")) for _, l in lines if l.strip()), 0)
        remaining = value_offset
        for line_start, line in lines:
            content = line[indent:] if len(line) > indent else ""
            if remaining <= len(content):
                return line_start + min(indent, len(line)) + remaining
            remaining -= len(content) + 1
        return end
    quote = {"json": '"', '"': '"', "'": "'"}.get(style)
    pos = start + (1 if quote else 0)
    produced = 0
    n = len(text)
    while pos < n and produced < value_offset:
        c = text[pos]
        if quote is not None and c == quote:
            if quote == "'" and text.startswith("''", pos):
                pos += 2
                produced += 1
                continue
            break
        if c == "\\" and quote == '"':
            nxt = text[pos + 1 : pos + 2]
            if nxt == "\n" and style != "json":  # escaped line break: produces nothing
                pos += 2
                while pos < n and text[pos] in " \t":
                    pos += 1
                continue
            pos += {"u": 6, "x": 4, "U": 10}.get(nxt, 2)
            produced += 1
            continue
        if c == "\n" and style != "json":  # folded line break: one character, indentation dropped
            pos += 1
            while pos < n and text[pos] in " \t":
                pos += 1
            produced += 1
            continue
        pos += 1
        produced += 1
    return pos


# --------------------------------------------------------------------------------------
# YAML: compose with the C parser, convert nodes to plain data


def _compose(text: str) -> Any:
    """Compose one YAML document into a node graph (C parser when available)."""
    from ruamel.yaml.resolver import BaseResolver

    try:
        from ruamel.yaml.cyaml import CParser
    except ImportError:  # pragma: no cover - ruamel.yaml.clib is a declared dependency
        from ruamel.yaml import YAML

        return YAML(typ="safe", pure=True).compose(text)

    class _Composer(CParser, BaseResolver):  # type: ignore[misc,valid-type]
        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            BaseResolver.__init__(self, loadumper=self)

    return _Composer(text).get_single_node()


def _compose_pure(text: str) -> Any:
    """Compose with ruamel's pure-Python parser (YAML 1.2 core schema tags; the converter reads them)."""
    from ruamel.yaml import YAML

    return YAML(typ="safe", pure=True).compose(text)


_PLAIN_NULL = frozenset(("", "~", "null", "Null", "NULL"))
_PLAIN_TRUE = frozenset(("true", "True", "TRUE"))
_PLAIN_FALSE = frozenset(("false", "False", "FALSE"))
_INT = re.compile(r"[-+]?[0-9]+\Z")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
_PLAIN_FIRST = frozenset("0123456789+-.~nNtTfF")

#: CloudFormation short-form tags and the long-form key they stand for.
CFN_TAGS = {
    "!Ref": "Ref",
    "!Condition": "Condition",
    **{
        f"!{name}": f"Fn::{name}"
        for name in (
            "And Base64 Cidr Equals FindInMap GetAtt GetAZs If ImportValue Join Length "
            "Not Or Select Split Sub ToJsonString Transform"
        ).split()
    },
}
_STD = "tag:yaml.org,2002:"


class _AliasBomb(Exception):
    def __init__(self, node: Any) -> None:
        self.node = node


class _RecursiveAlias(Exception):
    def __init__(self, node: Any) -> None:
        self.node = node


class _YamlConverter:
    """Turn a composed node graph into JSON-shaped data, reporting problems as it goes."""

    def __init__(self, display: str, diags: Diagnostics) -> None:
        self.display = display
        self.diags = diags
        self.memo: dict[int, Any] = {}
        self.sizes: dict[int, int] = {}
        self.active: set[int] = set()
        self.expanded = 0

    def span(self, node: Any) -> Span:
        s, e = node.start_mark, node.end_mark
        return Span(self.display, s.line + 1, s.column + 1, e.line + 1, e.column + 1)

    def convert(self, node: Any) -> Any:
        nid = id(node)
        if nid in self.memo:
            if node.id != "scalar":
                self.expanded += self.sizes[nid]
                if self.expanded > MAX_ALIAS_EXPANSION:
                    raise _AliasBomb(node)
            return self.memo[nid]
        if nid in self.active:
            raise _RecursiveAlias(node)
        kind = node.id
        if kind == "scalar":
            value = self.scalar(node)
            self.memo[nid] = value
            return value
        self.active.add(nid)
        if kind == "sequence":
            value = [self.convert(child) for child in node.value]
            size = 1 + sum(self.sizes.get(id(c), 1) for c in node.value)
        else:
            value, size = self.mapping(node)
        self.active.discard(nid)
        self.sizes[nid] = size
        tag = node.tag
        if tag in CFN_TAGS:
            value = {CFN_TAGS[tag]: value}
        elif not tag.startswith(_STD):
            self.unknown_tag(node)
        self.memo[nid] = value
        return value

    def mapping(self, node: Any) -> tuple[dict[str, Any], int]:
        out: dict[str, Any] = {}
        size = 1
        seen: dict[str, Any] = {}
        merges: list[Any] = []
        for knode, vnode in node.value:
            if knode.id != "scalar":
                self.diags.add(
                    SYNTAX_ERROR,
                    "mapping keys must be scalars; found a "
                    + ("sequence" if knode.id == "sequence" else "mapping")
                    + " used as a key",
                    span=self.span(knode),
                    hint="OpenAPI documents are JSON: use a string key",
                )
                continue
            key = str(knode.value)
            if key == "<<" and knode.style == "":
                merges.append(vnode)
                continue
            if key in seen:
                first = seen[key].start_mark
                self.diags.add(
                    DUPLICATE_KEY,
                    f"duplicate key {key!r} (first defined at line {first.line + 1}); the last value wins",
                    span=self.span(knode),
                    hint="delete or merge one of the two entries",
                )
            seen[key] = knode
            out[key] = self.convert(vnode)
            size += self.sizes.get(id(vnode), 1)
        if merges:
            merged: dict[str, Any] = {}
            for m in merges:
                for src in m.value if m.id == "sequence" else [m]:
                    value = self.convert(src)
                    if isinstance(value, dict):
                        for k, v in value.items():
                            merged.setdefault(k, v)
                        size += self.sizes.get(id(src), 1)
                    else:
                        self.diags.add(
                            SYNTAX_ERROR,
                            "a YAML merge key (<<) must refer to a mapping or a list of mappings",
                            span=self.span(src),
                        )
            merged.update(out)
            out = merged
        return out, size

    def scalar(self, node: Any) -> Any:
        value: str = node.value
        tag: str = node.tag
        if tag == _STD + "str":
            return value if node.style != "" else self.plain(value)
        if tag in CFN_TAGS:
            long = CFN_TAGS[tag]
            if long == "Fn::GetAtt" and "." in value:
                resource, _, attribute = value.partition(".")
                return {long: [resource, attribute]}
            return {long: value}
        if tag.startswith(_STD):
            kind = tag[len(_STD) :]
            converted = self.plain(value) if kind in ("int", "float", "bool", "null") else value
            return converted
        self.unknown_tag(node)
        return self.plain(value) if node.style == "" else value

    @staticmethod
    def plain(value: str) -> Any:
        """Resolve a plain scalar with the YAML 1.2 core schema."""
        if value and value[0] not in _PLAIN_FIRST:
            return value
        if value in _PLAIN_NULL:
            return None
        if value in _PLAIN_TRUE:
            return True
        if value in _PLAIN_FALSE:
            return False
        if _INT.match(value):
            return int(value)
        if _FLOAT.match(value):
            return float(value)
        lowered = value.lower()
        if lowered in (".inf", "+.inf"):
            return float("inf")
        if lowered == "-.inf":
            return float("-inf")
        if lowered == ".nan":
            return float("nan")
        if value.startswith(("0x", "0o")):
            try:
                return int(value, 16 if value[1] == "x" else 8)
            except ValueError:
                return value
        return value

    def unknown_tag(self, node: Any) -> None:
        self.diags.add(
            YAML_TAG,
            f"unknown YAML tag {node.tag!r} is ignored",
            span=self.span(node),
            hint="remove the tag, or use a CloudFormation intrinsic such as !Sub",
        )


# --------------------------------------------------------------------------------------
# Documents


@dataclass(eq=False)
class Document:
    """One parsed file: its text, its plain data and its source map."""

    path: Path
    display: str
    text: str
    data: Any
    kind: str  # "json" | "yaml"
    locator: Any
    _lines: Any = None

    def span(self, pointer: str, at_key: bool = False, value_offset: int | None = None) -> Span | None:
        """The span of the node at ``pointer`` (or of its deepest existing ancestor).

        With ``value_offset``, the one-character span of that character of the string value
        at ``pointer``: escapes, quoting and YAML block indentation are accounted for.
        """
        try:
            tokens = split(pointer)
        except ValueError:
            return None
        if value_offset is not None:
            found = self.locator.value_start(tokens)
            if found is not None:
                start, style, end = found
                offset = _scalar_offset(self.text, start, end, style, value_offset)
                if self._lines is None:
                    self._lines = _Lines(self.text)
                line, col = self._lines.position(offset)
                return Span(self.display, line, col, line, col + 1)
        return self.locator.span(self.display, tokens, at_key)

    def start_span(self) -> Span:
        return Span(self.display, 1, 1, 1, 1)

    def may_mention(self, word: str) -> bool:
        """Whether ``word`` can occur in the data: a cheap test on the text (a derived document also answers for what was generated)."""
        return word in self.text


def read_text(path: Path, display: str, diags: Diagnostics, raw: bytes | None = None) -> str | None:
    """Read and decode a file (or ``raw``, e.g. standard input) as UTF-8; report decoding problems.  OSError propagates."""
    raw = path.read_bytes() if raw is None else raw
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        diags.add(
            ENCODING_ERROR,
            "the file is UTF-16 or UTF-32 encoded; OpenAPI files for API Gateway must be UTF-8",
            span=Span(display, 1, 1, 1, 1),
            hint="re-save the file as UTF-8",
        )
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        col = len(raw[line_start : exc.start].decode("utf-8", "replace")) + 1
        diags.add(
            ENCODING_ERROR,
            f"byte 0x{raw[exc.start]:02X} is not valid UTF-8",
            span=Span(display, line, col, line, col + 1),
            hint="re-save the file as UTF-8 (API Gateway reads OpenAPI as UTF-8)",
        )
        return None


def _looks_like_json(path: Path, text: str) -> bool:
    if path.suffix.lower() == ".json":
        return True
    head = text.lstrip()[:1]
    return head in ("{", "[")


def parse_document(path: Path, display: str, text: str, diags: Diagnostics) -> Document | None:
    """Parse text into a `Document`; on failure report and return None."""
    if not text.strip():
        diags.add(EMPTY_DOCUMENT, "the file is empty", span=Span(display, 1, 1, 1, 1))
        return None
    deep = too_deep(text)
    if deep is not None:  # before any parser: the C composer would overflow the C stack (apigwc.nesting)
        diags.add(
            SYNTAX_ERROR,
            f"the document nests more than {MAX_NESTING} levels deep here; apigwc does not read deeper documents",
            span=Span(display, deep.line, deep.col, deep.line, deep.col + 1),
            hint="real OpenAPI documents nest a few dozen levels; use $ref for deep structures",
        )
        return None
    if _looks_like_json(path, text):
        doc = _parse_json(path, display, text, diags, strict=path.suffix.lower() == ".json")
        if doc is not None or path.suffix.lower() == ".json":
            return doc
    return _parse_yaml(path, display, text, diags)


def _parse_json(path: Path, display: str, text: str, diags: Diagnostics, strict: bool) -> Document | None:
    duplicates: list[tuple[dict, str]] = []

    def pairs_hook(pairs: list[tuple[str, Any]]) -> dict:
        obj = dict(pairs)
        if len(obj) != len(pairs):
            seen: set[str] = set()
            for k, _ in pairs:
                if k in seen:
                    duplicates.append((obj, k))
                seen.add(k)
        return obj

    try:
        data = json.loads(text, object_pairs_hook=pairs_hook)
    except json.JSONDecodeError as exc:
        if not strict:
            return None
        diags.add(
            SYNTAX_ERROR,
            f"invalid JSON: {exc.msg}",
            span=Span(display, exc.lineno, exc.colno, exc.lineno, exc.colno + 1),
        )
        return None
    except RecursionError:
        diags.add(SYNTAX_ERROR, "the document is nested too deeply to parse", span=Span(display, 1, 1, 1, 1))
        return None
    locator = _JsonLocator(text)
    doc = Document(path, display, text, data, "json", locator)
    if duplicates:
        where = {id(obj): ptr for ptr, obj in _containers(data)}
        reported: set[tuple[int, str]] = set()
        for obj, key in duplicates:
            if (id(obj), key) in reported:
                continue
            reported.add((id(obj), key))
            container = split(where.get(id(obj), ""))
            spans = locator.key_spans(display, container, key)
            if len(spans) < 2:  # pragma: no cover - the scanner sees what json.loads saw
                spans = [doc.span(join(where.get(id(obj), ""), key), at_key=True)] * 2
            for span in spans[1:]:
                diags.add(
                    DUPLICATE_KEY,
                    f"duplicate key {key!r} (first defined at line {spans[0].line}); the last value wins",
                    span=span,
                    hint="delete or merge one of the two entries",
                )
    return doc


def _containers(data: Any, pointer: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(data, dict):
        yield pointer, data
        for k, v in data.items():
            if isinstance(v, (dict, list)):
                yield from _containers(v, join(pointer, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            if isinstance(v, (dict, list)):
                yield from _containers(v, join(pointer, i))


def _parse_yaml(path: Path, display: str, text: str, diags: Diagnostics) -> Document | None:
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        try:
            root = _compose(text)
        except MarkedYAMLError as exc:
            # libyaml (YAML 1.1) rejects ':' inside a plain scalar in a flow collection, e.g.
            # CloudFormation's `!If [IsLocal, http://localhost:8080, !Ref AWS::NoValue]`, which
            # YAML 1.2 and CloudFormation accept: parse such files with ruamel's pure parser.
            if "found unexpected ':'" not in str(exc):
                raise
            root = _compose_pure(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        hint = None
        if "expected a single document" in str(exc) or "but found another document" in str(exc):
            problem = "the file holds more than one YAML document; an OpenAPI file holds exactly one"
        else:
            problem, hint = _yaml_problem(exc, problem, text)
        diags.add(SYNTAX_ERROR, f"invalid YAML: {problem}", span=Span(display, line, col, line, col + 1), hint=hint)
        return None
    except (YAMLError, RecursionError, ValueError) as exc:
        diags.add(SYNTAX_ERROR, f"invalid YAML: {exc}", span=Span(display, 1, 1, 1, 1))
        return None
    if root is None:
        diags.add(EMPTY_DOCUMENT, "the file holds no YAML document (only comments?)", span=Span(display, 1, 1, 1, 1))
        return None
    converter = _YamlConverter(display, diags)
    try:
        data = converter.convert(root)
    except _AliasBomb as exc:
        diags.add(
            YAML_ALIAS,
            f"the aliases of this anchor take the document past {MAX_ALIAS_EXPANSION:,} nodes; "
            "refusing to expand it (alias bomb?)",
            span=converter.span(exc.node),
            hint="use $ref instead of deeply nested YAML aliases",
        )
        return None
    except _RecursiveAlias as exc:
        diags.add(
            YAML_ALIAS,
            "a YAML alias refers to a node that contains it (recursive alias)",
            span=converter.span(exc.node),
            hint="use $ref for recursive structures",
        )
        return None
    except RecursionError:
        diags.add(SYNTAX_ERROR, "the document is nested too deeply to parse", span=Span(display, 1, 1, 1, 1))
        return None
    return Document(path, display, text, data, "yaml", _YamlLocator(root, text))


def _yaml_problem(exc: Any, problem: str, text: str) -> tuple[str, str | None]:
    """The parser's problem with the place it was parsing (ruamel's context), and a hint."""
    pm, cm = exc.problem_mark, exc.context_mark
    if exc.context and cm is not None and (pm is None or (cm.line, cm.column) != (pm.line, pm.column)):
        problem = f"{problem} ({exc.context} that starts at line {cm.line + 1}, column {cm.column + 1})"
    hint = None
    if pm is not None and 0 <= pm.index < len(text) and text[pm.index] == "\t":
        hint = "YAML does not allow tabs for indentation: use spaces"
    elif "expected key" in problem or "mapping values are not allowed" in problem:
        hint = (
            "check the indentation: the keys of one mapping start in the same column (quote values that contain ': ')"
        )
    elif "end of stream" in problem and exc.context and "quoted scalar" in exc.context:
        hint = "close the quote"
    return problem, hint


def load_document(path: Path, display: str, diags: Diagnostics, raw: bytes | None = None) -> Document | None:
    """Read and parse one file (its bytes are ``raw`` when given).  Raises OSError when the file cannot be read."""
    text = read_text(path, display, diags, raw)
    if text is None:
        return None
    return parse_document(path, display, text, diags)


# --------------------------------------------------------------------------------------
# The spec and the files its $refs reach


@dataclass(frozen=True, slots=True)
class Resolved:
    """The target of a `$ref`: its location (``ptr`` or ``file#ptr``) and its value."""

    location: str
    value: Any


class Sources:
    """The spec file plus every local file its `$ref`s reach, with one source map over all."""

    def __init__(
        self,
        main: Document,
        diags: Diagnostics,
        ref_root: Path | None = None,
        also_under: tuple[Path, ...] = (),
        root_hint: str | None = None,
        root_name: str = "the spec's folder tree",
    ) -> None:
        self.main = main
        self.diags = diags
        self.base_dir = main.path.parent
        self.ref_root = (ref_root or self.base_dir).resolve()
        #: further folders local $refs may reach (a template's project and the files it names)
        self.also_under = tuple(p.resolve() for p in also_under)
        #: how to widen the folders when a $ref leaves them (the default speaks of a spec and ref-root)
        self.root_name = root_name
        self.root_hint = (
            root_hint or "move the file under the spec's folder, or set ref-root in [tool.apigwc] (or --ref-root)"
        )
        self._docs: dict[str, Document | None] = {"": main}
        self._cache: dict[str, Resolved | None] = {}
        #: where a bare "$ref: Pet" points (swagger-parser's "simple refs", which API Gateway's
        #: importer accepts): "#/definitions/" for OpenAPI 2.0, "#/components/schemas/" for 3.0
        self.simple_ref_base: str | None = None

    # -- files ---------------------------------------------------------------------------

    def document(self, file: str) -> Document | None:
        """The document for a location's file part ("" is the main file)."""
        return self._docs.get(file)

    def documents(self) -> list[Document]:
        return [d for d in self._docs.values() if d is not None]

    def file_key(self, doc: Document) -> str:
        """The file part of locations in ``doc`` ("" for the main file)."""
        for key, d in self._docs.items():
            if d is doc:
                return key
        raise KeyError(doc.display)

    def _file_key(self, path: Path) -> str:
        rel = os.path.relpath(path, self.base_dir)
        return Path(rel).as_posix()

    def _load(self, path: Path, at: str) -> tuple[str, Document | None]:
        key = self._file_key(path)
        if key in self._docs:
            return key, self._docs[key]
        display = os.path.normpath(os.path.join(os.path.dirname(self.main.display), key))
        doc: Document | None = None
        try:
            doc = load_document(path, display, self.diags)
        except OSError as exc:
            self.diags.add(
                REF_ERROR,
                f"cannot read referenced file {key!r}: {exc.strerror or exc}",
                pointer=at,
            )
        self._docs[key] = doc
        return key, doc

    # -- locations -----------------------------------------------------------------------

    def locate(self, location: str, at_key: bool = False, value_offset: int | None = None) -> Span | None:
        file, pointer = split_location(location)
        doc = self._docs.get(file)
        if doc is None:
            return None
        return doc.span(pointer, at_key, value_offset)

    def value_at(self, location: str) -> tuple[bool, Any]:
        """(found, value) of the node at a location."""
        file, pointer = split_location(location)
        doc = self._docs.get(file)
        if doc is None:
            return False, None
        node = doc.data
        try:
            for tok in split(pointer):
                if isinstance(node, dict):
                    if tok not in node:
                        return False, None
                    node = node[tok]
                elif isinstance(node, list):
                    node = node[int(tok)]
                else:
                    return False, None
        except (ValueError, IndexError):
            return False, None
        return True, node

    # -- $ref ----------------------------------------------------------------------------

    def resolve(self, ref: Any, at: str) -> Resolved | None:
        """Resolve one `$ref` string found at location ``at`` (the object holding it).

        Follows chains of `$ref`s; reports dangling, looping, remote and out-of-tree
        references (once each) and returns None for them.
        """
        chain: list[str] = []
        current_ref, current_at = ref, at
        while True:
            target = self._target(current_ref, current_at)
            if target is None:
                return None
            if target in chain or target == at:
                self._report_once(
                    "cycle:" + target,
                    "$ref cycle: " + " -> ".join([*chain, target]) + " never reaches a value",
                    at,
                    "make one of the references point at a real definition",
                )
                return None
            cached = self._cache.get(target)
            if cached is not None:
                return cached
            found, value = self.value_at(target)
            if not found:
                self._report_missing(current_ref, current_at, target)
                return None
            chain.append(target)
            if isinstance(value, dict) and "$ref" in value:
                current_ref, current_at = value["$ref"], target
                continue
            resolved = Resolved(target, value)
            for loc in chain:
                self._cache[loc] = resolved
            return resolved

    def deref(self, value: Any, at: str) -> tuple[Any, str] | None:
        """If ``value`` is a `$ref` object, resolve it; return (value, location), or None if dangling."""
        if isinstance(value, dict) and "$ref" in value:
            resolved = self.resolve(value["$ref"], at)
            if resolved is None:
                return None
            return resolved.value, resolved.location
        return value, at

    def _target(self, ref: Any, at: str) -> str | None:
        ref_at = join(at, "$ref")
        if not isinstance(ref, str):
            self._report_once("type:" + ref_at, f"$ref must be a string, found {type(ref).__name__}", ref_at)
            return None
        base_file, _ = split_location(at)
        if self.simple_ref_base and re.fullmatch(r"[A-Za-z0-9_-]+", ref):
            ref = self.simple_ref_base + ref
        uri, hash_, fragment = ref.partition("#")
        if fragment and not fragment.startswith("/"):
            self._report_once(
                "frag:" + ref_at,
                f"$ref {ref!r} has a fragment that is not a JSON Pointer",
                ref_at,
                "write it as '#/components/schemas/Name'",
            )
            return None
        if not uri:
            return (base_file + "#" + fragment) if base_file else fragment
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", uri):
            self._report_once(
                "remote:" + ref_at,
                f"remote $ref {ref!r} is not fetched (apigwc never uses the network)",
                ref_at,
                "download the document into the repository and reference the local copy",
            )
            return None
        base_doc = self._docs.get(base_file)
        base_dir = base_doc.path.parent if base_doc is not None else self.base_dir
        path = (base_dir / uri).resolve()
        if not any(path.is_relative_to(root) for root in (self.ref_root, *self.also_under)):
            where = " or ".join(str(root) for root in (self.ref_root, *self.also_under))
            self._report_once(
                "root:" + ref_at, f"$ref {ref!r} leaves {self.root_name} ({where})", ref_at, self.root_hint
            )
            return None
        if not path.is_file():
            self._report_once("missing:" + ref_at, f"$ref {ref!r}: no such file", ref_at, _near_file(uri, path))
            return None
        key, doc = self._load(path, ref_at)
        if doc is None:
            return None
        if key == "":
            return fragment
        return key + "#" + fragment

    def _report_missing(self, ref: str, at: str, target: str) -> None:
        import difflib

        file, pointer = split_location(target)
        tokens = split(pointer) if pointer.startswith("/") or not pointer else []
        # find the deepest existing parent to suggest siblings
        parent_tokens = tokens[:-1]
        parent_loc = (file + "#" if file else "") + "".join("/" + escape(t) for t in parent_tokens)
        found, parent = self.value_at(parent_loc)
        hint = None
        if found and isinstance(parent, dict) and tokens:
            close = difflib.get_close_matches(tokens[-1], [str(k) for k in parent], n=3)
            if close:
                hint = "did you mean " + " or ".join(repr(c) for c in close) + "?"
        self._report_once("missing:" + join(at, "$ref"), f"$ref {ref!r} points to nothing", join(at, "$ref"), hint)

    def _report_once(self, key: str, message: str, pointer: str, hint: str | None = None) -> None:
        if key in self._cache:
            return
        self._cache[key] = None
        self.diags.add(REF_ERROR, message, pointer=pointer, hint=hint)


def near_sibling(path: Path) -> str | None:
    """The name of the file beside the missing ``path`` that its name is closest to, if any."""
    import difflib

    try:
        siblings = sorted(p.name for p in path.parent.iterdir() if p.is_file())
    except OSError:
        return None
    close = difflib.get_close_matches(path.name, siblings, n=1)
    return close[0] if close else None


def _near_file(uri: str, path: Path) -> str | None:
    """'did you mean ...?' for a $ref to a missing file, from the files beside where it should be."""
    near = near_sibling(path)
    if near is None:
        return None
    head = uri.rsplit("/", 1)[0] + "/" if "/" in uri else ""
    return f"did you mean '{head}{near}'?"


def open_sources(
    path: Path, display: str, diags: Diagnostics, ref_root: Path | None = None, raw: bytes | None = None
) -> Sources | None:
    """Load a spec file (``raw``: its bytes, read elsewhere, e.g. from standard input; ``path`` then
    only places it, for its relative ``$ref``s).  Returns None (with diagnostics) if it is not a usable document.

    Raises OSError if the file itself cannot be read: that is an I/O error (exit 2), not a finding.
    """
    doc = load_document(path, display, diags, raw)
    if doc is None:
        return None
    if not isinstance(doc.data, dict):
        kind = {list: "a sequence", str: "a string", int: "a number", float: "a number", bool: "a boolean"}.get(
            type(doc.data), "empty"
        )
        diags.add(
            ROOT_NOT_MAPPING,
            f"the document root must be a mapping (OpenAPI: 'openapi' or 'swagger', 'info' and 'paths'; "
            f"a CloudFormation or SAM template: 'Resources'); found {kind}",
            span=doc.span(""),
            hint="remove the leading '- ' (or the surrounding [...])" if isinstance(doc.data, list) else None,
        )
        return None
    return Sources(doc, diags, ref_root)
