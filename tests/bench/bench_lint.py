"""Benchmark: `apigwc lint` against the `openapi-spec-validator` command on the large corpus.

Run by hand (not collected by pytest):

    .venv/bin/python tests/bench/bench_lint.py [--repeat N] [FILES...]

Both commands run as subprocesses in the same session, alternately, and the best of N wall
times is kept for each.  apigwc does far more (API Gateway extension schemas, 80+ rules,
source positions) and must not be slower than the validator alone.  OpenAPI 3.1 files are
rejected by API Gateway, so apigwc stops after the version check on them: their ratio is
listed but says little.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(os.environ.get("APIGWC_CORPUS", ROOT.parent / "shared" / "corpus"))


def timed(cmd: list[str], env: dict) -> tuple[float, int]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start, proc.returncode


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("files", nargs="*", type=Path)
    args = ap.parse_args()
    files = args.files or sorted((CORPUS / "large").iterdir())
    env = dict(os.environ, PYTHONPATH=str(ROOT / "compiler"))
    validator = (
        shutil.which("openapi-spec-validator", path=str(Path(sys.executable).parent)) or "openapi-spec-validator"
    )
    help_times = [timed([sys.executable, "-m", "apigwc", "--help"], env)[0] for _ in range(5)]
    print(f"apigwc --help: best {min(help_times) * 1000:.0f} ms of 5")
    print(f"{'file':34s} {'size':>7s} {'validator':>10s} {'apigwc':>8s} {'ratio':>6s}  note")
    worst = 0.0
    for f in files:
        best_v = best_a = float("inf")
        for _ in range(args.repeat):
            tv, rv = timed([validator, str(f)], env)
            ta, ra = timed([sys.executable, "-m", "apigwc", "lint", "--format", "json", str(f)], env)
            best_v, best_a = min(best_v, tv), min(best_a, ta)
        head = f.read_text(encoding="utf-8")[:2000]
        note = (
            "OpenAPI 3.1: rejected after the version check"
            if '"openapi": "3.1' in head or "openapi: 3.1" in head
            else ""
        )
        ratio = best_a / best_v
        if not note:
            worst = max(worst, ratio)
        print(f"{f.name:34s} {f.stat().st_size / 1e6:6.1f}M {best_v:9.2f}s {best_a:7.2f}s {ratio:6.2f}  {note}")
    print(f"worst apigwc/validator ratio (excluding 3.1 files): {worst:.2f}  (goal: <= 1.00)")


if __name__ == "__main__":
    main()
