"""The output folder: ``output/<api-name>/`` written atomically, or compared (``--check``).

A build never leaves a half-written folder: files go into a temporary folder next to the
target, which then replaces the target in one step (``renameat2(RENAME_EXCHANGE)`` on
Linux; elsewhere two renames, with the previous folder kept aside until the new one is
in place).  Leftovers of a build that was killed are cleaned up, or restored, by the
next one.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import tempfile
import uuid
from pathlib import Path
from typing import Mapping

from .gateway import Gateway


def output_name(gateway: Gateway) -> str:
    """The folder name of an API's build: its slug (`Gateway.slug`: "Pet Store" -> "pet-store")."""
    return gateway.slug


def _temp_prefix(name: str) -> str:
    return f".{name}.tmp-"


def _old_prefix(name: str) -> str:
    return f".{name}.old-"


def _recover(root: Path, name: str) -> None:
    """Undo what a killed build left behind: restore an orphaned previous folder, drop temps."""
    final = root / name
    olds = sorted(p for p in root.glob(_old_prefix(name) + "*") if p.is_dir())
    if olds and not final.exists():
        os.rename(olds[-1], final)
        olds = olds[:-1]
    for leftover in [*olds, *(p for p in root.glob(_temp_prefix(name) + "*") if p.is_dir())]:
        shutil.rmtree(leftover, ignore_errors=True)


def write_file(path: Path, text: str) -> None:
    """Write one file (UTF-8, ``\\n`` line ends)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2); False if the platform cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    rc = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return rc == 0


def write_outputs(root: Path, name: str, files: Mapping[str, str]) -> Path:
    """Replace ``root/name`` with exactly ``files`` (relative path -> text); returns the folder."""
    root.mkdir(parents=True, exist_ok=True)
    _recover(root, name)
    final = root / name
    tmp = Path(tempfile.mkdtemp(prefix=_temp_prefix(name), dir=root))
    try:
        for rel in sorted(files):
            write_file(tmp / rel, files[rel])
        os.chmod(tmp, 0o755)
        if not final.exists():
            os.rename(tmp, final)
        elif _exchange(tmp, final):
            shutil.rmtree(tmp)  # now holds the previous output
        else:
            old = root / (_old_prefix(name) + uuid.uuid4().hex[:8])
            os.rename(final, old)
            os.rename(tmp, final)
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final


def stale_files(folder: Path, files: Mapping[str, str]) -> list[str]:
    """Relative paths under ``folder`` that differ from ``files`` (missing, changed or extra)."""
    out = []
    for rel in sorted(files):
        path = folder / rel
        try:
            current = path.read_bytes()
        except OSError:
            out.append(rel)
            continue
        if current != files[rel].encode("utf-8"):
            out.append(rel)
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            rel = path.relative_to(folder).as_posix()
            if path.is_file() and rel not in files:
                out.append(rel)
    return out
