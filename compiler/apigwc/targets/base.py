"""What every target shares: the `Target` protocol, `Artifact`, options, and serialization.

A target turns a `gateway.Gateway` into an `Artifact`: a mapping from relative file
path to text.  Targets do no I/O; the pipeline writes artifacts (atomically) or compares
them with what is on disk (``--check``).

Serialization is deterministic: mappings keep the order the target built (targets sort
what has no meaningful order), YAML is written by `to_yaml` below, JSON with two-space
indentation, and every file ends with one newline.  Neither depends on hash seeds.
"""

from __future__ import annotations

import enum
import json
import re
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Protocol

from ..diagnostics import Code, Diagnostics
from ..gateway import Gateway
from ..target_codes import NOTHING_TO_DEPLOY

#: relative path -> text
Artifact = Mapping[str, str]


class OutputFormat(str, enum.Enum):
    yaml = "yaml"
    json = "json"


class CfnStyle(str, enum.Enum):
    explicit = "explicit"  # one AWS::ApiGateway::* resource per node
    body = "body"  # RestApi.Body with the OpenAPI document, Mode overwrite


@dataclass(frozen=True, slots=True, kw_only=True)
class EmitOptions:
    """Options every target receives (each reads the ones it needs)."""

    format: OutputFormat = OutputFormat.yaml
    cfn_style: CfnStyle = CfnStyle.explicit
    #: CloudFormation: turn every literal Lambda function ARN into a template Parameter
    lambda_params: bool = False
    #: local bundle: the spec's folder relative to the folder the bundle is written to
    #: (POSIX; `bundle.base_dir_for` computes it)
    bundle_base_dir: str = "."


class Target(Protocol):
    """A target: its name, its diagnostic codes, and how it handles each gateway node type."""

    name: str
    #: AGW9xx codes this target emits ("target cannot express ...")
    codes: tuple[Code, ...]
    #: gateway node type -> handler; the meta-test checks every node type is handled here
    #: or listed in `unsupported`
    handlers: Mapping[type, Callable[..., Any]]
    #: gateway node types the target cannot express -> the code it reports them with
    unsupported: Mapping[type, Code]
    #: None for a target of files; for a folder target, the sub-folder its files are in
    #: (the build writes it under output/<api>/, ``emit`` needs ``-o DIR``)
    folder: str | None

    def emit(self, gateway: Gateway, options: EmitOptions, diags: Diagnostics) -> Artifact: ...


def primary_file(artifact: Mapping[str, str], fmt: OutputFormat, output: str | None = None) -> str:
    """The file of an artifact that ``apigwc emit`` prints or writes.

    A target with several files (deploy: deploy-plan.json and deploy-plan.txt) gives the
    one whose suffix matches ``--output``, else the JSON one for ``--format json``, else
    the text one.
    """
    if len(artifact) == 1:
        return next(iter(artifact))
    names = sorted(artifact)
    if output is not None:
        for name in names:
            if output.endswith(name[name.rfind(".") :]):
                return name
    wanted = ".json" if fmt is OutputFormat.json else ".txt"
    return next((n for n in names if n.endswith(wanted)), names[0])


def serialize(data: Any, fmt: OutputFormat) -> str:
    """JSON-shaped data as YAML or JSON text ending in one newline."""
    if fmt is OutputFormat.json:
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return to_yaml(data)


# ----------------------------------------------------------------------------------------
# A small, fast, deterministic YAML writer for JSON-shaped data.
#
# Why not a library's emitter: ruamel.yaml's safe dumper, even with its C emitter, spends
# ~30 us per node in its Python representer: 12 s for a 2,000-operation template that this
# writer emits in 0.5 s (measured on the same data; PyYAML's C dumper is no faster).  The
# writer is held to the libraries instead: tests load every document it emits over the
# specs and the whole corpus back with ruamel.yaml (YAML 1.2) and PyYAML (YAML 1.1, as
# CloudFormation and cfn-lint read) and require identical data.
#
# Scalars are written so that both YAML versions read the same value:
# * strings plain only when no YAML 1.1 or 1.2 resolver turns them into something else
#   (booleans yes/no/on/off, numbers incl. sexagesimal 1:20 and 0b/0o/0x, null, dates and
#   timestamps, merge keys); as literal blocks when they span lines; double-quoted (JSON
#   escapes, which YAML reads the same way) otherwise;
# * floats with a '.' and a signed exponent (1.0e-05, not 1e-05, which YAML 1.1 reads as a
#   string), .inf / -.inf / .nan for the values JSON cannot write;
# * literal blocks exact: an indentation indicator when the first non-empty line starts with
#   a space (a template that opens with a blank line and an indented brace keeps its indent),
#   and the chomping indicator for the number of trailing newlines;
# * keys longer than YAML's 1024-character limit for implicit keys as explicit ``? key``.

_PLAIN = re.compile(r"^[A-Za-z_/$(.][^\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff]*\Z")
_AMBIGUOUS = re.compile(
    r"^(?:[-+]?[0-9][0-9_,:.eExXoObB+-]*|[-+]?\.(?:inf|Inf|INF|nan|NaN|NAN)|\.[0-9].*"
    r"|y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF"
    r"|null|Null|NULL|~|=|<<"
    r"|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+).*)\Z"  # YAML 1.1 timestamps: 2001-12-14t21:59:43.10-05:00
)
_BLOCK_SAFE = re.compile(r"^[^\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\r]*\Z")


def _plain_ok(s: str) -> bool:
    return (
        bool(_PLAIN.match(s))
        and not _AMBIGUOUS.match(s)
        and ": " not in s
        and " #" not in s
        and not s.endswith((":", " ", "\t"))
        and not s.startswith("...")  # a document end marker at the start of a line
        and "\t" not in s
    )


_NON_PRINTABLE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")


def _quoted(s: str) -> str:
    """A double-quoted scalar: JSON's escapes (which YAML shares), non-printables escaped too."""
    return _NON_PRINTABLE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", json.dumps(s, ensure_ascii=False))


_RENDERED: dict[str, str] = {}


def _scalar(value: Any) -> str:
    if type(value) is str:
        # keys and many values repeat (Type, Properties, Ref, RestApi...): render each once
        text = _RENDERED.get(value)
        if text is None:
            text = value if _plain_ok(value) else _quoted(value)
            if len(_RENDERED) < 65536:
                _RENDERED[value] = text
        return text
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, str):
        return value if _plain_ok(value) else _quoted(value)
    raise TypeError(f"cannot write {type(value).__name__} as YAML")


def _float(value: float) -> str:
    """A float both YAML 1.1 and 1.2 read back as the same float."""
    if value != value:
        return ".nan"
    if value in (float("inf"), float("-inf")):
        return ".inf" if value > 0 else "-.inf"
    text = repr(value)  # the shortest text that reads back as this float
    mantissa, e, exponent = text.partition("e")
    if "." not in mantissa:
        mantissa += ".0"
    if e and exponent[0] not in "+-":
        exponent = "+" + exponent
    return mantissa + (f"e{exponent}" if e else "")


def _block(s: str, indent: str) -> list[str] | None:
    """The lines of a literal block scalar for a multi-line string, or None if one cannot hold it."""
    if not _BLOCK_SAFE.match(s) or not s.strip():
        return None
    body = s.rstrip("\n")
    trailing = len(s) - len(body)
    lines = body.split("\n")
    if any(line.endswith((" ", "\t")) or (line and not line.strip()) for line in lines):
        return None  # trailing or whitespace-only lines are easy to lose in editors; quote instead
    first = next(line for line in lines if line)
    if first.startswith("\t"):
        return None  # a tab cannot start an indented block line
    # the content sits two spaces in from its parent; say so when its own first line is indented,
    # or a reader would take that line's spaces for the block's indentation
    indicator = "2" if first.startswith(" ") else ""
    chomp = "-" if trailing == 0 else ("" if trailing == 1 else "+")
    out = ["|" + indicator + chomp]
    out.extend(indent + line if line else "" for line in lines)
    out.extend([""] * (trailing - 1))
    return out


#: the longest implicit ("simple") key YAML allows is 1024 characters; keep a margin
_MAX_SIMPLE_KEY = 1000


def _write(value: Any, prefix: str, indent: str, out: list[str]) -> None:
    """Append ``value``; ``prefix`` starts its first line ("", "key:" or "- "), ``indent`` the rest."""
    after_key = prefix.endswith(":")
    if isinstance(value, dict) or isinstance(value, list):
        if not value:
            empty = "{}" if isinstance(value, dict) else "[]"
            out.append(prefix + (" " if after_key else "") + empty)
            return
        if after_key:
            out.append(prefix)
            first = indent
        else:
            first = prefix
        if isinstance(value, dict):
            for i, (k, v) in enumerate(value.items()):
                if not isinstance(k, str):
                    raise TypeError("mapping keys must be strings")
                key = _scalar(k)
                lead = first if i == 0 else indent
                if len(key) > _MAX_SIMPLE_KEY:  # YAML caps implicit keys at 1024 characters: an explicit key
                    out.append(lead + "? " + key)
                    _write(v, indent + ":", indent + "  ", out)
                else:
                    _write(v, lead + key + ":", indent + "  ", out)
        else:
            for i, item in enumerate(value):
                _write(item, (first if i == 0 else indent) + "- ", indent + "  ", out)
        return
    if isinstance(value, str) and "\n" in value:
        block = _block(value, indent)
        if block is not None:
            out.append(prefix + (" " if after_key else "") + block[0])
            out.extend(block[1:])
            return
    out.append(prefix + (" " if after_key else "") + _scalar(value))


def to_yaml(data: Any) -> str:
    """JSON-shaped data (dicts, lists, str, int, float, bool, None) as block-style YAML."""
    out: list[str] = []
    _write(data, "", "", out)
    return "\n".join(out) + "\n"


def report_nothing_to_deploy(gateway: Gateway, diags: Diagnostics, output: str) -> bool:
    """AGW907 when ``output`` (``the template``, ``the plan``) would deploy nothing; True when it deploys.

    An API without methods cannot be deployed (``CreateDeployment`` fails with "The REST
    API doesn't contain any methods" [Doc]), so the output has no Deployment and no Stage;
    an API without declared stages is created but nothing serves it.  The CloudFormation
    target and the deploy plan both call this: one check, one code.
    """
    pointer = gateway.rest_api.pointer
    if not gateway.methods:
        diags.add(
            NOTHING_TO_DEPLOY,
            'the API has no methods: a Deployment would fail ("The REST API doesn\'t contain any methods"), '
            f"so {output} has no Deployment and no Stage",
            pointer=pointer,
        )
        return False
    if not gateway.stages:
        diags.add(
            NOTHING_TO_DEPLOY,
            f"no stages are declared: {output} creates the API but no stage serves it",
            pointer=pointer,
            hint="declare x-apigwc: {stages: {prod: {}}}",
        )
        return False
    return True
