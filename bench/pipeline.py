"""Benchmark: the whole pipeline on generated worlds, with quality against the ground truth.

    .venv/bin/python bench/pipeline.py [--sizes 20000 192000] [--seed 101] [--regions 10]

Each size runs `lindungi run` in a subprocess under /usr/bin/time (wall time, peak memory) on a
world from a seed the tests do not use, then prints precision/recall/F1 of the links and the
candidates. All sizes are printed side by side at the end. With ``--regions K`` each world is
one extract of K kab/kota of size/K residents each (``generate_regions``: Bontang and K-1 others
of Kalimantan), linked as K region partitions.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PERIOD = "2026-11"


def lindungi_run(world: Path, out: Path, home: Path, period: str = PERIOD) -> dict:
    """``lindungi run`` on ``world`` in a subprocess under /usr/bin/time: wall seconds, peak RSS
    and the stage lines it printed. Also used by bench/linkage.py."""
    env = {**os.environ, "LINDUNGI_HOME": str(home)}
    lindungi = str(Path(sys.executable).with_name("lindungi"))
    # (worlds of several sizes may share a state directory: a smaller one after a larger is no sample)
    cmd = ["/usr/bin/time", "-v", lindungi, "run", "--input", str(world), "--period", period, "--out", str(out),
           "--allow-smaller-extract"]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{world}: lindungi run failed: {proc.stderr.strip().splitlines()[-1]}")
    wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", proc.stderr)
    h, m, s = (float(x) if x else 0.0 for x in wall.groups())
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr).group(1))
    stages = [line for line in proc.stderr.splitlines() if line.startswith("[")]
    return {"run_s": round(h * 3600 + m * 60 + s, 1), "peak_rss_mb": rss // 1024, "stages": stages}


def stop_db(home: Path) -> None:
    subprocess.run([str(Path(sys.executable).with_name("lindungi")), "db", "stop"],
                   env={**os.environ, "LINDUNGI_HOME": str(home)}, capture_output=True)


# kab/kota generate_regions can move a part to (real, with kecamatan 01-03, no migrant origin)
REGIONS = ["6474", "6401", "6403", "6409", "6411", "6501", "6502", "6503", "6504", "6571"]


def run_size(n: int, seed: int, work: Path, regions: int = 1) -> dict:
    from pipelines.evaluate import evaluate
    from pipelines.generate import generate_regions, generate_world

    world, out, home = work / f"world-{n}", work / f"out-{n}", work / "home"
    t0 = time.monotonic()
    if regions > 1:
        generate_regions(world, [(k, n // regions) for k in REGIONS[:regions]], seed=seed)
    else:
        generate_world(world, residents=n, seed=seed)
    gen_s = time.monotonic() - t0
    run = lindungi_run(world, out, home)
    return {"residents": n, "generate_s": round(gen_s, 1), **run,
            "quality": evaluate(out, world, PERIOD)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[20_000, 192_000])
    ap.add_argument("--seed", type=int, default=101)
    ap.add_argument("--regions", type=int, default=1, choices=range(1, len(REGIONS) + 1),
                    help="kab/kota per extract (default 1)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="lindungi-bench-") as tmp:
        results = []
        for n in args.sizes:
            print(f"== {n:,} residents (seed {args.seed}"
                  + (f", {args.regions} kab/kota)" if args.regions > 1 else ")"), flush=True)
            r = run_size(n, args.seed, Path(tmp), args.regions)
            for line in r["stages"]:
                print("  " + line)
            results.append(r)
        stop_db(Path(tmp) / "home")
    print("\nresidents   run s   peak MB   welfare P/R/F1          roster P/R/F1           candidates P/R/F1")
    for r in results:
        q = r["quality"]
        fmt = lambda d: f"{d['precision']:.4f}/{d['recall']:.4f}/{d['f1']:.4f}"  # noqa: E731
        print(f"{r['residents']:>9,} {r['run_s']:>7} {r['peak_rss_mb']:>9,}   {fmt(q['welfare_links'])}   "
              f"{fmt(q['participant_links'])}   {fmt(q['enrollment_candidates'])}")
    print(json.dumps([{k: v for k, v in r.items() if k != "stages"} for r in results]))


if __name__ == "__main__":
    main()
