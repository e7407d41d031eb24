"""The local bundle: the lowered gateway as data, what ``apigwc serve FOLDER`` reads.

``apigwc build`` writes ``output/<api>/local/`` and ``apigwc emit --target local SPEC -o
DIR`` writes ``DIR``; both hold ``gateway.json``::

    {"format": "apigwc-local-bundle", "version": 1, "apigwc": "0.1.0", "api": "petstore",
     "baseDir": "../../../specs", "gateway": {...}}

This module owns the format, both ways: `to_data` / `from_data` for the document and
`load_bundle` for a folder on disk.  The ``gateway`` object is `gateway.Gateway`
field by field, derived from the dataclasses and their type hints (nothing is listed by
hand, so a field added to the model is carried without a change here):

* a node is a JSON object with its fields in declaration order, named in camelCase
  (``timeout_in_millis`` -> ``timeoutInMillis``); every field is written, defaults too;
* enums are their values, tuples are arrays, mappings are objects in the model's order;
* a `Value` is a string or the intrinsic as written (``{"Fn::Sub": ...}``);
* a slot that may hold one of several node types (``LambdaPermission.source``) tags the
  object with ``"$type"`` (the class name);
* ``pointer`` (the node's JSON pointer in the spec) and ``Model.generated`` are kept,
  although they take no part in equality: the server's messages can point at the spec;
* ``Gateway.source`` is the spec's file name; the spec's folder is ``baseDir``, relative
  to the bundle folder (POSIX), against which handler modules and
  ``x-apigwc.local.pythonPath``/``jwks`` paths resolve.

Decoding is strict (a missing, unknown or ill-typed field is an error that names it),
and `VERSION` changes whenever the model does (tests pin the model's shape): an apigwc
reads exactly its own version and asks for a rebuild or an upgrade otherwise.
docs/local-bundle.md describes the format.
"""

from __future__ import annotations

import collections.abc
import enum
import json
import os
import re
import types
import typing
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any, Callable

from . import gateway as gw
from . import package_version
from .intrinsics import Intrinsic, is_intrinsic

FORMAT = "apigwc-local-bundle"
#: the format version this apigwc writes and reads
VERSION = 1
#: the file of a bundle folder
FILE = "gateway.json"

_HEADER = ("format", "version", "apigwc", "api", "baseDir", "gateway")


class BundleError(ValueError):
    """A document that is not a bundle this apigwc reads; the message says why (and where)."""


class _Malformed(Exception):
    """A decoding error below some field; each enclosing level adds its part of the path."""

    def __init__(self, problem: str) -> None:
        self.problem = problem
        self.parts: list[str] = []

    def at(self, part: str) -> "_Malformed":
        self.parts.insert(0, part)
        return self

    def message(self, root: str) -> str:
        return f"{root}{''.join(self.parts)}: {self.problem}"


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + "..."


def _expected(what: str, value: Any) -> _Malformed:
    return _Malformed(f"expected {what}, found {_describe(value)}")


# ----------------------------------------------------------------------------------------
# Codecs: an (encode, decode) pair per type hint, derived once from the model

Encode = Callable[[Any], Any]
Decode = Callable[[Any], Any]


def _identity(value: Any) -> Any:
    return value


def _camel(name: str) -> str:
    return re.sub(r"_([a-z0-9])", lambda m: m.group(1).upper(), name)


def _scalar(kind: type, what: str) -> Decode:
    def decode(value: Any) -> Any:
        if type(value) is kind or (kind is float and type(value) is int):
            return value
        raise _expected(what, value)

    return decode


_SCALARS: dict[Any, tuple[Encode, Decode]] = {
    Any: (_identity, _identity),  # gateway.Json: JSON as written (schemas, policies)
    str: (_identity, _scalar(str, "a string")),
    bool: (_identity, _scalar(bool, "true or false")),
    int: (_identity, _scalar(int, "an integer")),
    float: (_identity, _scalar(float, "a number")),
}


def _enum_codec(cls: type[enum.Enum]) -> tuple[Encode, Decode]:
    members = {m.value: m for m in cls}
    what = "one of " + ", ".join(json.dumps(v) for v in members)

    def decode(value: Any) -> Any:
        if type(value) is str and value in members:
            return members[value]
        raise _expected(what, value)

    return (lambda member: member.value), decode


def _tuple_codec(item: tuple[Encode, Decode]) -> tuple[Encode, Decode]:
    enc, dec = item

    def decode(value: Any) -> tuple:
        if type(value) is not list:
            raise _expected("an array", value)
        out = []
        for i, v in enumerate(value):
            try:
                out.append(dec(v))
            except _Malformed as exc:
                raise exc.at(f"[{i}]")
        return tuple(out)

    return (lambda seq: [enc(v) for v in seq]), decode


def _mapping_codec(item: tuple[Encode, Decode]) -> tuple[Encode, Decode]:
    enc, dec = item

    def decode(value: Any) -> dict:
        if type(value) is not dict:
            raise _expected("an object", value)
        out = {}
        for k, v in value.items():
            try:
                out[k] = dec(v)
            except _Malformed as exc:
                raise exc.at(f"[{json.dumps(k, ensure_ascii=False)}]")
        return out

    return (lambda mapping: {k: enc(v) for k, v in mapping.items()}), decode


def _node_codec(cls: type) -> tuple[Encode, Decode]:
    """A node slot: encoded through `ENCODERS` (the local target's handlers), decoded through `DECODERS`."""
    return (lambda node: ENCODERS[type(node)](node)), (lambda value: DECODERS[cls](value))


def _tagged_codec(classes: tuple[type, ...]) -> tuple[Encode, Decode]:
    """A slot that holds one of several node types: the object carries ``"$type"``."""
    by_name = {c.__name__: c for c in classes}
    what = "one of " + ", ".join(json.dumps(n) for n in by_name)

    def encode(node: Any) -> dict:
        return {"$type": type(node).__name__, **ENCODERS[type(node)](node)}

    def decode(value: Any) -> Any:
        if type(value) is not dict:
            raise _expected("an object", value)
        tag = value.get("$type")
        if type(tag) is not str or tag not in by_name:
            raise _expected(what, tag).at(".$type")
        return DECODERS[by_name[tag]]({k: v for k, v in value.items() if k != "$type"})

    return encode, decode


def _union_codec(hint: Any) -> tuple[Encode, Decode]:
    members = [a for a in typing.get_args(hint) if a is not type(None)]
    optional = len(members) < len(typing.get_args(hint))
    if len(members) == 1:
        enc, dec = _codec(members[0])
    elif set(members) == {str, Intrinsic}:  # gateway.Value

        def enc(value: Any) -> Any:
            return value.to_json() if type(value) is Intrinsic else value

        def dec(value: Any) -> Any:
            if type(value) is str:
                return value
            if is_intrinsic(value):
                return Intrinsic.of(value)
            raise _expected("a string or a CloudFormation intrinsic", value)

    elif all(m in gw.NODE_TYPES for m in members):
        enc, dec = _tagged_codec(tuple(members))
    else:
        raise TypeError(f"the local bundle cannot encode {hint}")
    if not optional:
        return enc, dec
    return (lambda v: None if v is None else enc(v)), (lambda v: None if v is None else dec(v))


def _codec(hint: Any) -> tuple[Encode, Decode]:
    if hint in _SCALARS:
        return _SCALARS[hint]
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return _enum_codec(hint)
    if hint in gw.NODE_TYPES:
        return _node_codec(hint)
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        return _union_codec(hint)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return _tuple_codec(_codec(args[0]))
    if origin in (collections.abc.Mapping, dict) and args and args[0] is str:
        return _mapping_codec(_codec(args[1]))
    raise TypeError(f"the local bundle cannot encode {hint}")


def _fields(cls: type) -> list[tuple[str, str, Encode, Decode]]:
    """(field name, JSON key, encode, decode) for every field of a node; lookups (``_x``) are left out."""
    hints = typing.get_type_hints(cls)
    out = []
    for f in fields(cls):
        if f.name.startswith("_"):
            continue
        out.append((f.name, _camel(f.name), *_codec(hints[f.name])))
    keys = [key for _, key, _, _ in out]
    assert len(set(keys)) == len(keys), f"{cls.__name__}: two fields share a JSON key"
    return out


def _object_codec(cls: type, build: Callable[..., Any]) -> tuple[Callable[[Any], dict], Decode]:
    table = _fields(cls)
    keys = {key for _, key, _, _ in table}

    def encode(node: Any) -> dict:
        return {key: enc(getattr(node, name)) for name, key, enc, _ in table}

    def decode(value: Any) -> Any:
        if type(value) is not dict:
            raise _expected("an object", value)
        parts = {}
        for name, key, _, dec in table:
            if key not in value:
                raise _Malformed(f"missing field '{key}'")
            try:
                parts[name] = dec(value[key])
            except _Malformed as exc:
                raise exc.at(f".{key}")
        if len(value) != len(table):
            unknown = sorted(k for k in value if k not in keys)
            raise _Malformed(f"unknown field '{unknown[0]}'")
        return build(**parts)

    return encode, decode


ENCODERS: dict[type, Callable[[Any], dict]] = {}
DECODERS: dict[type, Decode] = {}
for _cls in gw.NODE_TYPES:
    ENCODERS[_cls], DECODERS[_cls] = _object_codec(_cls, _cls)
_encode_gateway, _decode_gateway = _object_codec(gw.Gateway, gw.Gateway.create)


# ----------------------------------------------------------------------------------------
# The document


def to_data(gateway: gw.Gateway, *, base_dir: str) -> dict:
    """The bundle document of a gateway; ``base_dir`` is the spec's folder relative to the bundle folder (POSIX)."""
    data = _encode_gateway(gateway)
    data["source"] = Path(gateway.source).name
    return {
        "format": FORMAT,
        "version": VERSION,
        "apigwc": package_version(),
        "api": gateway.slug,
        "baseDir": base_dir,
        "gateway": data,
    }


def _check_header(data: Any) -> None:
    if type(data) is not dict:
        raise BundleError(f"not an apigwc local bundle: expected a JSON object, found {_describe(data)}")
    fmt = data.get("format")
    if fmt != FORMAT:
        found = "no format" if fmt is None else f"format {_describe(fmt)}"
        raise BundleError(f'not an apigwc local bundle: {found}, expected "{FORMAT}"')
    version = data.get("version")
    if type(version) is not int or version < 1:
        raise BundleError(f"malformed: version: expected a positive integer, found {_describe(version)}")
    built_by = data.get("apigwc")
    by = f" (written by apigwc {built_by})" if type(built_by) is str else ""
    if version > VERSION:
        raise BundleError(
            f"a version {version} bundle{by}, but apigwc {package_version()} reads version {VERSION}: "
            "upgrade apigwc, or rebuild the bundle with this one ('apigwc build SPEC')"
        )
    if version < VERSION:
        raise BundleError(
            f"a version {version} bundle{by}, but apigwc {package_version()} reads version {VERSION}: "
            "rebuild the bundle ('apigwc build SPEC')"
        )
    for key in ("apigwc", "api", "baseDir"):
        if type(data.get(key)) is not str:
            raise BundleError(f"malformed: {key}: expected a string, found {_describe(data.get(key))}")
    unknown = sorted(k for k in data if k not in _HEADER)
    if unknown:
        raise BundleError(f"malformed: unknown field '{unknown[0]}'")
    if "gateway" not in data:
        raise BundleError("malformed: missing field 'gateway'")


def from_data(data: Any) -> gw.Gateway:
    """The gateway of a bundle document (parsed JSON); raises `BundleError` naming what is wrong."""
    _check_header(data)
    try:
        return _decode_gateway(data["gateway"])
    except _Malformed as exc:
        raise BundleError("malformed: " + exc.message("gateway")) from None
    except (TypeError, ValueError) as exc:  # a node's own check; not expected from a bundle apigwc wrote
        raise BundleError(f"malformed: gateway: {exc}") from None


# ----------------------------------------------------------------------------------------
# The folder


@dataclass(frozen=True, slots=True)
class LoadedBundle:
    gateway: gw.Gateway
    #: absolute: the spec's folder, against which handler modules and the paths of
    #: ``x-apigwc.local`` (pythonPath, jwks) resolve
    base_dir: Path
    #: the bundle folder, as given
    folder: Path


def is_bundle(path: Path) -> bool:
    """True if ``path`` is a folder holding ``gateway.json`` (`load_bundle` says what is wrong with it, if anything)."""
    return path.is_dir() and (path / FILE).is_file()


def load_bundle(folder: Path) -> LoadedBundle | str:
    """Read a bundle folder; a str is the error message (never raises for a bad bundle)."""
    file = folder / FILE
    if not folder.exists():
        return f"cannot read '{folder}': no such file or directory"
    if not folder.is_dir():
        return f"'{folder}' is not a local bundle: a bundle is a folder holding {FILE}"
    if not file.is_file():
        if (folder / "local" / FILE).is_file():
            return f"'{folder}' is a build folder; its local bundle is '{folder / 'local'}'"
        return (
            f"'{folder}' is not a local bundle: it has no {FILE} "
            "(write one with 'apigwc build SPEC' or 'apigwc emit --target local SPEC -o DIR')"
        )
    try:
        text = file.read_bytes().decode("utf-8")
    except OSError as exc:
        return f"cannot read '{file}': {exc.strerror or exc}"
    except UnicodeDecodeError as exc:
        return f"'{file}' is not UTF-8 text (byte {exc.start})"
    try:
        data = json.loads(text)
    except ValueError as exc:
        return f"'{file}' is not JSON: {exc}"
    try:
        gateway = from_data(data)
    except BundleError as exc:
        return f"'{file}' is {exc}"
    base_dir = (folder / data["baseDir"]).resolve()
    return LoadedBundle(
        gateway=replace(gateway, source=str(base_dir / gateway.source)), base_dir=base_dir, folder=folder
    )


def base_dir_for(spec: Path, folder: Path) -> str:
    """``baseDir`` of a bundle written to ``folder`` from ``spec``: the spec's folder relative to it, POSIX."""
    spec_dir = os.path.realpath(spec.parent)
    try:
        return Path(os.path.relpath(spec_dir, os.path.realpath(folder))).as_posix()
    except ValueError:  # another drive (Windows): no relative path
        return Path(spec_dir).as_posix()
