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


def write_file_atomically(path: Path, text: str) -> None:
    """Write one file (``emit -o FILE``) through a temporary file in the same folder and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


#: the files that mark a folder under OUT as one apigwc build wrote
_BUILD_MARKERS = ("template.yaml", "local/gateway.json")


def orphaned_outputs(root: Path, names: set[str]) -> list[Path]:
    """Folders under ``root`` that an apigwc build wrote but that no given spec builds into any more."""
    if not root.is_dir():
        return []
    return [
        p
        for p in sorted(root.iterdir())
        if p.is_dir()
        and not p.name.startswith(".")
        and p.name not in names
        and all((p / m).is_file() for m in _BUILD_MARKERS)
    ]


def check_folder_output(target: str, output: Path | None) -> str | None:
    """Why ``-o`` cannot take a folder target's output (it replaces the whole folder), or None."""
    from .bundle import is_bundle

    if output is None:
        return f"--target {target} writes a folder: give it with -o DIR"
    if output.exists() and not output.is_dir():
        return f"-o '{output}' is a file, not a folder"
    if output.is_dir() and any(output.iterdir()) and not is_bundle(output):
        return f"-o '{output}' is a folder that holds other files; apigwc replaces the whole folder, so give a new one"
    return None
