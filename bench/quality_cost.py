"""Benchmark: what the GX suites cost a whole run, by running without them.

    .venv/bin/python bench/quality_cost.py [--residents 200000] [--rounds 3] [--world DIR]

Alternates ``lindungi run`` as shipped with the same run in which every suite returns "passed"
at once and GX is never imported (no worker process either), each on a fresh state directory,
under /usr/bin/time. The difference is the quality layer's share of the run: GX's import in its
worker, the suites, the frames sent to it, the SQL suites' connection. This is a measurement
only: the pipeline always runs its suites.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# run in the child: the suites answer "passed" without GX, then the ordinary CLI
WITHOUT_GX = """
import sys
import quality.expectations as q

def passed(expectations, rows=0):
    return q.SuiteResult("ablation", True, rows, [
        {"expectation": e.kind, "column": e.kwargs.get("column"), "blocking": e.blocking, "success": True,
         "unexpected_count": 0, "description": e.description} for e in expectations])

q._validate_frame = lambda frame, name, expectations, rows: passed(expectations, rows)
q._validate_sql = lambda dsn, query, name, expectations: passed(expectations)
q.start_worker = q.warm_up = lambda *a: None
q.warm_sql = lambda dsn: None
from dagster_project.cli import entry
sys.argv = ["lindungi", *sys.argv[1:]]
entry()
"""


def timed_run(world: Path, work: Path, gx: bool) -> dict:
    home = work / ("home-gx" if gx else "home-nogx")
    shutil.rmtree(home, ignore_errors=True)
    args = ["run", "--input", str(world), "--period", "2026-11", "--out", str(home / "out")]
    cmd = [str(Path(sys.executable).with_name("lindungi")), *args] if gx else [sys.executable, "-c", WITHOUT_GX, *args]
    env = {**os.environ, "LINDUNGI_HOME": str(home)}
    proc = subprocess.run(["/usr/bin/time", "-f", "%e %U %S %M", *cmd], env=env, capture_output=True, text=True,
                          cwd=ROOT)
    subprocess.run([str(Path(sys.executable).with_name("lindungi")), "db", "stop"], env=env, capture_output=True)
    if proc.returncode != 0:
        raise SystemExit(f"lindungi run failed: {proc.stderr.strip().splitlines()[-1]}")
    wall, user, system, rss = re.findall(r"^([\d.]+) ([\d.]+) ([\d.]+) (\d+)$", proc.stderr, re.M)[-1]
    return {"wall": float(wall), "cpu": float(user) + float(system), "peak_gb": int(rss) / 1024 ** 2}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--residents", type=int, default=200_000)
    ap.add_argument("--seed", type=int, default=2027)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--world", type=Path, help="an existing input directory instead of a generated one")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="lindungi-bench-") as tmp:
        work = Path(tmp)
        world = args.world
        if world is None:
            from pipelines.generate import generate_world

            world = work / "world"
            generate_world(world, residents=args.residents, seed=args.seed)
        runs: dict[bool, list[dict]] = {True: [], False: []}
        for i in range(args.rounds):
            for gx in (True, False):
                r = timed_run(world, work, gx)
                runs[gx].append(r)
                print(f"round {i + 1} {'with GX   ' if gx else 'without GX'}: {r['wall']:6.2f} s wall, "
                      f"{r['cpu']:6.2f} s CPU, {r['peak_gb']:.2f} GB", flush=True)
    med = {gx: {k: statistics.median(r[k] for r in rs) for k in ("wall", "cpu", "peak_gb")} for gx, rs in runs.items()}
    print(f"\nmedian of {args.rounds}: with GX {med[True]['wall']:.2f} s ({med[True]['cpu']:.2f} s CPU), "
          f"without {med[False]['wall']:.2f} s ({med[False]['cpu']:.2f} s CPU): the suites cost "
          f"{med[True]['wall'] - med[False]['wall']:.2f} s of wall, {med[True]['cpu'] - med[False]['cpu']:.2f} s of CPU")


if __name__ == "__main__":
    main()
