"""Configuration from ``apigwc.toml``, ``.apigwc.toml`` or ``[tool.apigwc]`` in ``pyproject.toml``, and the command line.

    [tool.apigwc]                                    # in apigwc.toml: the same keys, without this header
    select = ["AGW1", "AGW2", "no-authorization"]   # codes, code prefixes or names; default all
    ignore = ["AGW803"]
    severity = { AGW805 = "error", "no-request-validation" = "info" }
    fail-on = "warning"                              # error (default) | warning | info
    ref-root = "."                                   # $refs may reach files under this folder

    [tool.apigwc.per-file-ignores]                   # globs, relative to the config file's folder
    "specs/legacy/*.yaml" = ["AGW8"]
    "*.json" = ["no-authorization"]                  # a glob without '/' matches the file name anywhere

The file is found by walking up from the spec's folder, as ruff does: in each folder
``apigwc.toml``, then ``.apigwc.toml``, then a ``pyproject.toml`` that has a
``[tool.apigwc]`` table; the nearest wins, and files are not merged.  ``--config`` names
one.  A file that is not valid TOML, or holds an unknown key or a wrong value, is an
error that names the file, line and column (exit 2), never silently skipped: a
malformed ``pyproject.toml`` met on the way up is an error too, since it may hold the
table meant for this spec.  Globs use `fnmatch` (``*`` also crosses ``/``), on the
POSIX path relative to the config file's folder.
"""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable

from .diagnostics import Code, Diagnostic, Severity


class ConfigError(Exception):
    """A configuration problem: a usage error (exit 2), not a finding."""


@dataclass(frozen=True, slots=True)
class Config:
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    severity: dict[str, Severity] = field(default_factory=dict)
    fail_on: Severity = Severity.ERROR
    ref_root: Path | None = None
    source: Path | None = None
    #: (glob, selectors) pairs of ``per-file-ignores``, globs relative to ``source``'s folder
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def merged(
        self,
        *,
        select: Iterable[str] | None = None,
        ignore: Iterable[str] | None = None,
        fail_on: str | None = None,
        ref_root: Path | None = None,
    ) -> "Config":
        """Command-line options override the file (select replaces; ignore extends)."""
        out = self
        if select:
            out = replace(out, select=tuple(select))
        if ignore:
            out = replace(out, ignore=out.ignore + tuple(ignore))
        if fail_on:
            out = replace(out, fail_on=_severity(fail_on, "--fail-on"))
        if ref_root is not None:
            out = replace(out, ref_root=ref_root)
        return out

    def validate(self, codes: dict[str, Code]) -> None:
        """Raise ConfigError for selectors that match no code."""
        groups = [("select", self.select or ()), ("ignore", self.ignore), ("severity", tuple(self.severity))]
        groups += [(f"per-file-ignores.{glob!r}", entries) for glob, entries in self.per_file_ignores]
        for label, entries in groups:
            for entry in entries:
                if not any(matches(entry, c) for c in codes.values()):
                    where = f" in {self.source}" if self.source else ""
                    raise ConfigError(f"{label}{where}: {entry!r} matches no rule code or name (see 'apigwc rules')")

    def apply(self, diag: Diagnostic, code: Code | None) -> Diagnostic | None:
        """Apply select/ignore/severity to one diagnostic; None if it is filtered out."""
        if code is not None and code.stage != "source":  # unreadable input is always reported
            if self.select is not None and not any(matches(s, code) for s in self.select):
                return None
            if any(matches(i, code) for i in self.ignore):
                return None
            if self.per_file_ignores and diag.span is not None and self._ignored_in_file(diag.span.file, code):
                return None
        if code is not None:
            for entry, sev in self.severity.items():
                if matches(entry, code):
                    return replace(diag, severity=sev)
        return diag

    def _ignored_in_file(self, file: str, code: Code) -> bool:
        base = self.source.parent if self.source is not None else Path.cwd()
        path = Path(os.path.abspath(file))
        try:
            rel = path.relative_to(base.resolve()).as_posix()
        except ValueError:
            rel = path.as_posix()
        for glob, entries in self.per_file_ignores:
            target = rel if "/" in glob else path.name
            if fnmatch.fnmatchcase(target, glob) and any(matches(e, code) for e in entries):
                return True
        return False


def matches(entry: str, code: Code) -> bool:
    """A selector matches a code by id, by name, by id prefix (AGW2), or ALL; and by an id or name
    the code had before (`Code.formerly`: ``AGW923`` still means what it meant, now AGW907)."""
    e = entry.strip()
    return (
        e == "ALL"
        or e.upper() == code.code
        or e == code.name
        or any(e.upper() == old or e == old for old in code.formerly)
        or (e.upper().startswith("AGW") and code.code.startswith(e.upper()))
    )


def _severity(value: Any, where: str) -> Severity:
    if not isinstance(value, str):
        raise ConfigError(f"{where}: severity must be a string (error, warning or info), found {value!r}")
    try:
        return Severity.parse(value)
    except ValueError as exc:
        raise ConfigError(f"{where}: {exc}") from None


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where} must be a list of strings")
    return tuple(value)


#: the names of a config file, in the order they are looked for in each folder
CONFIG_NAMES = ("apigwc.toml", ".apigwc.toml", "pyproject.toml")
_AT = re.compile(r"\(at line (\d+), column (\d+)\)")
KNOWN_KEYS = ("select", "ignore", "severity", "fail-on", "ref-root", "per-file-ignores")


def _parse(path: Path) -> tuple[dict[str, Any], str]:
    """The TOML document and its text; ConfigError with file:line:col when it is not TOML."""
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 (byte {exc.start})") from None
    import tomllib  # here, not at the top: a lint without a config file does not pay for it

    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        at = _AT.search(message)
        where = f"{path}:{at.group(1)}:{at.group(2)}" if at else str(path)
        raise ConfigError(f"{where}: invalid TOML: {_AT.sub('', message).strip()}") from None


def _table(path: Path, data: dict[str, Any]) -> dict[str, Any] | None:
    """The apigwc table of a config file: all of apigwc.toml, or [tool.apigwc] of pyproject.toml."""
    if path.name != "pyproject.toml":
        return data
    tool = data.get("tool", {})
    return tool.get("apigwc") if isinstance(tool, dict) else None


def find_config(start: Path) -> Path | None:
    """The nearest config file for a spec in ``start``, walking up (see the module docstring)."""
    here = start.resolve()
    for folder in (here, *here.parents):
        for name in CONFIG_NAMES:
            candidate = folder / name
            if not candidate.is_file():
                continue
            if name != "pyproject.toml":
                return candidate
            data, _ = _parse(candidate)
            if _table(candidate, data) is not None:
                return candidate
    return None


#: the former name (a pyproject.toml is one of the files it finds)
find_pyproject = find_config


def _position(text: str, key: str) -> str:
    """``:line:col`` of where ``key`` is set (a ``key =`` line, an inline ``key =``, or a table header); '' if not found."""
    k = re.escape(key)
    for pattern in (
        rf"""^[ \t]*(["']?{k}["']?)[ \t]*=""",
        rf"""[{{,][ \t]*(["']?{k}["']?)[ \t]*=""",
        rf"""^[ \t]*(\[[^\]\n]*\b{k}\b[^\]\n]*\])""",
    ):
        m = re.search(pattern, text, re.M)
        if m is not None:
            start = m.start(1)
            line = text.count("\n", 0, start) + 1
            return f":{line}:{start - (text.rfind(chr(10), 0, start) + 1) + 1}"
    return ""


def load_config(path: Path | None) -> Config:
    """Read a config file (``apigwc.toml``, ``.apigwc.toml`` or a ``pyproject.toml``), or return the defaults."""
    if path is None:
        return Config()
    data, text = _parse(path)
    table = _table(path, data)
    header = "[tool.apigwc]" if path.name == "pyproject.toml" else path.name
    if table is None:
        table = {}
    if not isinstance(table, dict):
        raise ConfigError(f"{path}{_position(text, 'apigwc')}: [tool.apigwc] must be a table")

    def at(key: str) -> str:
        return f"{path}{_position(text, key)}"

    unknown = sorted(set(table) - set(KNOWN_KEYS))
    if unknown:
        raise ConfigError(
            f"{at(unknown[0])}: unknown key(s) in {header}: {', '.join(unknown)} (known: {', '.join(sorted(KNOWN_KEYS))})"
        )
    severity_table = table.get("severity", {})
    if not isinstance(severity_table, dict):
        raise ConfigError(f'{at("severity")}: severity must be a table of code = "level"')
    ref_root = table.get("ref-root")
    if ref_root is not None and not isinstance(ref_root, str):
        raise ConfigError(f"{at('ref-root')}: ref-root must be a path string")
    per_file = table.get("per-file-ignores", {})
    if not isinstance(per_file, dict):
        raise ConfigError(f'{at("per-file-ignores")}: per-file-ignores must be a table of "glob" = [codes]')
    return Config(
        select=_strings(table["select"], f"{at('select')}: select") if "select" in table else None,
        ignore=_strings(table.get("ignore", []), f"{at('ignore')}: ignore"),
        severity={k: _severity(v, f"{at(k)}: severity.{k}") for k, v in severity_table.items()},
        fail_on=_severity(table.get("fail-on", "error"), f"{at('fail-on')}: fail-on"),
        ref_root=(path.parent / ref_root).resolve() if ref_root else None,
        source=path,
        per_file_ignores=tuple(
            (glob, _strings(v, f"{at(glob)}: per-file-ignores.{glob!r}")) for glob, v in per_file.items()
        ),
    )
