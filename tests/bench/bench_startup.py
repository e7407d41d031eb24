"""Benchmark: what a pre-commit hook pays per commit, against Redocly and Spectral in the same run.

Run by hand (not collected by pytest):

    .venv/bin/python tests/bench/bench_startup.py [--repeat N] [--npm-prefix DIR] [SPECS...]

It times, as subprocesses taking turns (best of N wall times each):
* ``apigwc --help`` and ``apigwc lint SPEC`` for small specs (default: specs/*.yaml), through the
  installed console script, as the hook runs it;
* ``redocly lint`` (@redocly/cli) and ``spectral lint`` (@stoplight/spectral-cli, ruleset
  ``spectral:oas``) on the same files, installed from the npm registry with ``npm install
  --prefix DIR`` (default: a folder under the system temp dir, reused across runs); skipped with
  a note when npm is missing or the install fails;
* ``python -c pass`` as the floor that no Python tool goes under.

The ratios apigwc/Redocly and apigwc/Spectral are printed per file, with the goals of issue 15
(lint of a small spec < 0.25 s, --help < 0.15 s on the machine it was measured on).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


#: as a user's install runs: pip writes bytecode at install time, so no run compiles the sources
#: (PYTHONDONTWRITEBYTECODE in the caller's environment would make every run compile all of them)
ENV = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPATH")}


def best(cmd: list[str], repeat: int, cwd: Path) -> float:
    subprocess.run(
        cmd, cwd=cwd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )  # warm-up: caches, bytecode
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return min(times)


def npm_tools(prefix: Path) -> dict[str, Path]:
    bins = {
        "redocly": prefix / "node_modules" / ".bin" / "redocly",
        "spectral": prefix / "node_modules" / ".bin" / "spectral",
    }
    if all(b.exists() for b in bins.values()):
        return bins
    if shutil.which("npm") is None:
        print("npm not found: Redocly and Spectral are skipped")
        return {}
    prefix.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        [
            "npm",
            "install",
            "--prefix",
            str(prefix),
            "--no-audit",
            "--no-fund",
            "@redocly/cli",
            "@stoplight/spectral-cli",
        ],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        print(f"npm install failed, Redocly and Spectral are skipped:\n{proc.stderr[-2000:]}")
        return {}
    return {k: v for k, v in bins.items() if v.exists()}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--npm-prefix", type=Path, default=Path(tempfile.gettempdir()) / "apigwc-bench-npm")
    ap.add_argument("specs", nargs="*", type=Path)
    args = ap.parse_args()
    specs = [p.resolve() for p in args.specs] or sorted((ROOT / "specs").glob("*.yaml"))
    apigwc = Path(sys.executable).parent / "apigwc"
    if not apigwc.exists():
        sys.exit(f"{apigwc} is missing: run this with the Python of an environment where apigwc is installed")
    tools = npm_tools(args.npm_prefix)
    work = Path(tempfile.mkdtemp(prefix="apigwc-bench-"))
    (work / ".spectral.yaml").write_text("extends: ['spectral:oas']\n")
    env_note = f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}"
    print(f"best of {args.repeat}, {env_note}")
    floor = best([sys.executable, "-c", "pass"], args.repeat, work)
    help_t = best([str(apigwc), "--help"], args.repeat, work)
    print(f"python -c pass      {floor * 1000:6.0f} ms")
    print(f"apigwc --help       {help_t * 1000:6.0f} ms   (goal < 150 ms)")
    print(f"{'spec':28s} {'apigwc':>8s} {'redocly':>8s} {'spectral':>9s} {'a/redocly':>10s} {'a/spectral':>11s}")
    for spec in specs:
        a = best([str(apigwc), "lint", str(spec)], args.repeat, work)
        r = best([str(tools["redocly"]), "lint", str(spec)], args.repeat, work) if "redocly" in tools else None
        s = best([str(tools["spectral"]), "lint", str(spec)], args.repeat, work) if "spectral" in tools else None

        def ms(t):
            return f"{t * 1000:6.0f}ms" if t is not None else "     -  "

        def ratio(t, a=a):
            return f"{a / t:10.2f}" if t else "         -"

        print(f"{spec.name:28s} {ms(a):>8s} {ms(r):>8s} {ms(s):>9s} {ratio(r)} {ratio(s):>11s}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
