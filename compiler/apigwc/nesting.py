"""How deeply a YAML or JSON text nests, found before any parser sees it.

ruamel.yaml's C composer (ruamel.yaml.clib) builds nested nodes by C recursion without
a depth check: a 60 KB file of 30,000 ``[`` overflows the C stack and the process dies
with a segmentation fault, before Python's recursion limit can turn it into an error.
`too_deep` is a single linear pass over the text that finds the first place where the
nesting passes a bound, so `apigwc.source` can report AGW001 with a position instead.

The scan follows enough of YAML to count what nests, and no more:

* flow collections: ``[`` and ``{`` that open a value (at the start of a value in block
  context; anywhere a value starts inside a flow collection) open a level, ``]``/``}``
  close one.  A ``[`` inside a plain scalar (``see [1]``) does not count;
* quoted scalars (``'it''s'``, ``"a \\" b"``), which may span lines, and comments
  (``#`` after a space) are skipped, as are the lines of block scalars (``|``, ``>``);
* block collections: each line's indentation opens a level when deeper than the
  enclosing line's, and compact indicators on one line (``- - - x``, ``? - x``) each
  open one more.

It may count a level too many in odd corners (an over-estimate is a bound, not a
verdict: `MAX_NESTING` is far above any real spec's depth), and never counts too few
for the constructs above.  JSON is YAML flow syntax, so the same scan covers it.
"""

from __future__ import annotations

from typing import NamedTuple

#: the deepest nesting apigwc reads; real OpenAPI documents nest a few dozen levels
MAX_NESTING = 256


class TooDeep(NamedTuple):
    """Where the nesting first passed the bound (1-based line and column)."""

    line: int
    col: int
    depth: int


def too_deep(text: str, limit: int = MAX_NESTING) -> TooDeep | None:
    """The first place ``text`` nests deeper than ``limit``, or None."""
    flow = 0
    quote: str | None = None
    indents: list[int] = []
    block_scalar_parent: int | None = None  # skip lines indented deeper than this
    block = 0
    for number, line in enumerate(text.split("\n"), 1):
        n = len(line)
        stripped = line.lstrip(" ")
        indent = n - len(stripped)
        if block_scalar_parent is not None:
            if not stripped.strip() or indent > block_scalar_parent:
                continue
            block_scalar_parent = None
        i = 0
        boundary = True  # at the start of a value: a quote or a flow indicator starts something
        if quote is None and flow == 0:
            if not stripped.strip() or stripped.startswith("#"):
                continue
            while indents and indents[-1] > indent:
                indents.pop()
            if not indents or indents[-1] < indent:
                indents.append(indent)
            block = len(indents)
            i = indent
            if block > limit:
                return TooDeep(number, i + 1, block)
            while i < n and line[i] in "-?" and (i + 1 == n or line[i + 1] in " \t"):
                block += 1
                if block > limit:
                    return TooDeep(number, i + 1, block)
                i += 1
                while i < n and line[i] in " \t":
                    i += 1
        while i < n:
            c = line[i]
            if quote == "'":
                if c == "'":
                    if i + 1 < n and line[i + 1] == "'":
                        i += 2
                        continue
                    quote = None
                    boundary = False
            elif quote == '"':
                if c == "\\":
                    i += 2
                    continue
                if c == '"':
                    quote = None
                    boundary = False
            elif c in " \t":
                pass
            elif c == "#" and (i == 0 or line[i - 1] in " \t"):
                break
            elif boundary and c in "'\"":
                quote = c
            elif c in "[{" and (boundary or flow):
                flow += 1
                boundary = True
                if block + flow > limit:
                    return TooDeep(number, i + 1, block + flow)
            elif c in "]}" and flow:
                flow -= 1
                boundary = False
            elif (
                (c == "," and flow)
                or (c == ":" and (flow or _spaced(line, i)))
                or (c in "-?" and boundary and _spaced(line, i))
            ):
                boundary = True  # a separator or an indicator: a value starts next
            elif c in "|>" and boundary and not flow:
                block_scalar_parent = indent
                break
            else:
                boundary = False
            i += 1
    return None


def _spaced(line: str, i: int) -> bool:
    """The character at ``i`` ends the line or is followed by a space (what makes ``-``, ``?``, ``:`` indicators)."""
    return i + 1 == len(line) or line[i + 1] in " \t"
