"""Configuration from ``[tool.apigwc]`` in ``pyproject.toml`` and from the command line.

    [tool.apigwc]
    select = ["AGW1", "AGW2", "no-authorization"]   # codes, code prefixes or names; default all
    ignore = ["AGW803"]
    severity = { AGW805 = "error", "no-request-validation" = "info" }
    fail-on = "warning"                              # error (default) | warning | info
    ref-root = "."                                   # $refs may reach files under this folder

The file is found by walking up from the spec's folder; ``--config`` names one.
"""

from __future__ import annotations

import tomllib
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
        for label, entries in (
            ("select", self.select or ()),
            ("ignore", self.ignore),
            ("severity", tuple(self.severity)),
        ):
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
        if code is not None:
            for entry, sev in self.severity.items():
                if matches(entry, code):
                    return replace(diag, severity=sev)
        return diag


def matches(entry: str, code: Code) -> bool:
    """A selector matches a code by id, by name, by id prefix (AGW2), or ALL."""
    e = entry.strip()
    return (
        e == "ALL"
        or e.upper() == code.code
        or e == code.name
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


def find_pyproject(start: Path) -> Path | None:
    """The nearest pyproject.toml with a [tool.apigwc] table, walking up from ``start``."""
    here = start.resolve()
    for folder in (here, *here.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            try:
                data = tomllib.loads(candidate.read_text("utf-8"))
            except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
                continue
            if "apigwc" in data.get("tool", {}):
                return candidate
    return None


def load_config(path: Path | None) -> Config:
    """Read ``[tool.apigwc]`` from a pyproject.toml (or return the defaults)."""
    if path is None:
        return Config()
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    table = data.get("tool", {}).get("apigwc", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.apigwc] must be a table")
    known = {"select", "ignore", "severity", "fail-on", "ref-root"}
    unknown = sorted(set(table) - known)
    if unknown:
        raise ConfigError(
            f"{path}: unknown key(s) in [tool.apigwc]: {', '.join(unknown)} (known: {', '.join(sorted(known))})"
        )
    severity_table = table.get("severity", {})
    if not isinstance(severity_table, dict):
        raise ConfigError(f'{path}: [tool.apigwc].severity must be a table of code = "level"')
    ref_root = table.get("ref-root")
    if ref_root is not None and not isinstance(ref_root, str):
        raise ConfigError(f"{path}: [tool.apigwc].ref-root must be a path string")
    return Config(
        select=_strings(table["select"], f"{path}: select") if "select" in table else None,
        ignore=_strings(table.get("ignore", []), f"{path}: ignore"),
        severity={k: _severity(v, f"{path}: severity.{k}") for k, v in severity_table.items()},
        fail_on=_severity(table.get("fail-on", "error"), f"{path}: fail-on"),
        ref_root=(path.parent / ref_root).resolve() if ref_root else None,
        source=path,
    )
