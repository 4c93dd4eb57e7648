"""Benchmark: how Lindungi scales with the size of a kab/kota, stage by stage.

    .venv/bin/python bench/scale.py [--sizes 200000 1000000 5800000] [--seed 505] [--parallel]
                                    [--format csv|parquet|xlsx]

For each size it generates a world (a seed the tests and the linker's tuning never used), then

1. **stages**: runs the pipeline's stages in a child process straight on ``pipelines/`` (no
   Dagster), printing each stage's wall time, the pairs the linkers compared, and the process's
   resident memory after the stage and at its peak;
2. **end to end**: ``lindungi run`` under ``/usr/bin/time -v`` (the whole Dagster job, database
   and reports included): wall time and peak memory, as a data engineer would see them. ``time
   -v`` reports the largest single process; the sum over the command's whole process tree (the
   GX worker, region workers, PostgreSQL) is sampled every 0.2 s beside it (``tree peak MB``), as
   a container's memory limit would count it.

``--format`` writes the generated extracts as CSV (default), Parquet or XLSX.

``--parallel`` adds the partition claim in figures: one extract spanning two kab/kota of the
first size each (``generate_regions``), through ``lindungi run`` with the two region partitions
linked one after the other (``LINDUNGI_MAX_CONCURRENT=1``) and then side by side (2), printed
with the speed-up of the whole run and of the linkage stage alone. Everything is printed side by side at the end, with the scaling
factor between consecutive sizes (1.0 per doubling would be linear).

The targets (issue #7, this 2-core machine): 1M residents in ≤ 120 s and ≤ 4 GB peak; 5.8M in
≤ 15 min.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PERIOD = "2026-11"


def _rss_mb() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 2**20


def _peak_mb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def stages(world: str) -> list[dict]:
    """Run the stages on ``world`` in this process; one dict per stage. Called in a child."""
    from pipelines.candidates import assess, coverage, enrollment_candidates
    from pipelines.ingest import clean_dtsen, clean_penduduk, clean_peserta
    from pipelines.linkage import LinkSettings, link_records
    from pipelines.readers import read_extract
    from pipelines.rules import load_rules

    rules = load_rules(None)
    out: list[dict] = []
    t_all = time.monotonic()

    def stage(name: str, fn, extra=None):
        t0 = time.monotonic()
        value = fn()
        row = {"stage": name, "s": round(time.monotonic() - t0, 2), "rss_mb": _rss_mb(), "peak_mb": _peak_mb()}
        if extra:
            row.update(extra(value))
        out.append(row)
        print(f"  [{time.monotonic() - t_all:7.1f} s] {name:<22} {row['s']:>7.2f} s  rss {row['rss_mb']:>6,} MB"
              f"  peak {row['peak_mb']:>6,} MB" + "".join(f"  {k} {v:,}" for k, v in row.items()
                                                        if k not in ("stage", "s", "rss_mb", "peak_mb")),
              file=sys.stderr, flush=True)
        return value

    residents = stage("ingest penduduk", lambda: clean_penduduk(read_extract(world, "penduduk")).accepted,
                      lambda v: {"rows": v.height})
    welfare = stage("ingest dtsen", lambda: clean_dtsen(read_extract(world, "dtsen")).accepted,
                    lambda v: {"rows": v.height})
    roster = stage("ingest peserta_bpjstk", lambda: clean_peserta(read_extract(world, "peserta_bpjstk")).accepted,
                   lambda v: {"rows": v.height})
    settings = LinkSettings(rules.link_threshold, rules.review_threshold)
    wl = stage("link welfare", lambda: link_records(residents, welfare, "ID_DTSEN", settings),
               lambda v: {"pairs": v.stats["candidate_pairs"]})
    pl_ = stage("link roster", lambda: link_records(residents, roster, "KPJ", settings),
                lambda v: {"pairs": v.stats["candidate_pairs"]})
    assessed = stage("assess", lambda: assess(residents, welfare, wl.links, roster, pl_.links, rules, PERIOD),
                     lambda v: {"rows": v.height})
    cands = stage("candidates", lambda: enrollment_candidates(assessed, rules, PERIOD),
                  lambda v: {"rows": v.height})
    stage("coverage", lambda: coverage(assessed, cands, rules, PERIOD), lambda v: {"rows": v.height})
    return out


def _tree_rss_kb(root: int) -> int:
    """The resident memory of ``root`` and every process under it (``/proc``), in KB."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            status = Path(f"/proc/{d}/status").read_text()
        except OSError:
            continue
        ppid = int(re.search(r"PPid:\s+(\d+)", status).group(1))
        m = re.search(r"VmRSS:\s+(\d+)", status)
        children.setdefault(ppid, []).append(int(d))
        rss[int(d)] = int(m.group(1)) if m else 0
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, []))
    return total


def end_to_end(world: Path, out: Path, home: Path) -> dict:
    import threading

    env = {**os.environ, "LINDUNGI_HOME": str(home)}
    lindungi = str(Path(sys.executable).with_name("lindungi"))
    # (worlds of several sizes share a state directory: a smaller one after a larger is no sample)
    cmd = ["/usr/bin/time", "-v", lindungi, "run", "--input", str(world), "--period", PERIOD, "--out", str(out),
           "--allow-smaller-extract"]
    child = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    tree_peak = [0]

    def sample() -> None:
        while child.poll() is None:
            tree_peak[0] = max(tree_peak[0], _tree_rss_kb(child.pid))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = child.communicate()
    sampler.join()
    proc = subprocess.CompletedProcess(cmd, child.returncode, stdout, stderr)
    if proc.returncode != 0:
        tail = proc.stderr.strip().splitlines()[-3:]
        raise SystemExit(f"lindungi run on {world} failed: {' | '.join(tail)}")
    wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", proc.stderr)
    h, m, s = (float(x) if x else 0.0 for x in wall.groups())
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr).group(1))
    return {"run_s": round(h * 3600 + m * 60 + s, 1), "peak_mb": rss // 1024, "tree_peak_mb": tree_peak[0] // 1024}


def _stop_db(home: Path) -> None:
    subprocess.run([str(Path(sys.executable).with_name("lindungi")), "db", "stop"],
                   env={**os.environ, "LINDUNGI_HOME": str(home)}, capture_output=True)


def run_size(n: int, seed: int, work: Path, fmt: str = "csv") -> dict:
    from pipelines.generate import generate_world

    world = work / f"world-{n}"
    t0 = time.monotonic()
    generate_world(world, residents=n, seed=seed, fmt=fmt)
    gen_s = round(time.monotonic() - t0, 1)
    print(f"  generated in {gen_s} s; stages (pipelines/ only, one process):", flush=True)
    child = subprocess.run([sys.executable, __file__, "--_stages", str(world)], capture_output=True, text=True)
    sys.stderr.write(child.stderr)
    if child.returncode != 0:
        raise SystemExit(f"stages failed at {n:,}")
    st = json.loads(child.stdout.strip().splitlines()[-1])
    print("  end to end (lindungi run, Dagster + PostgreSQL + reports):", flush=True)
    home = work / "home"
    e2e = end_to_end(world, work / f"out-{n}", home)
    _stop_db(home)
    print(f"    {e2e['run_s']} s, peak {e2e['peak_mb']:,} MB (the process tree {e2e['tree_peak_mb']:,} MB)", flush=True)
    return {"residents": n, "generate_s": gen_s, "stages": st, **e2e,
            "pairs": sum(s.get("pairs", 0) for s in st), "stage_peak_mb": max(s["peak_mb"] for s in st)}


def _link_stage_s(home: Path) -> float:
    """Wall time of the link_regions runs of the one ``lindungi run`` under ``home``: first start
    to last end (the Dagster instance records them)."""
    code = ("import dagster as dg, json; i = dg.DagsterInstance.get(); "
            "rs = i.get_run_records(filters=dg.RunsFilter(job_name='link_regions')); "
            "print(json.dumps([min(r.start_time for r in rs), max(r.end_time for r in rs)]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "DAGSTER_HOME": str(home / "dagster_home")})
    t0, t1 = json.loads(out.stdout.strip().splitlines()[-1])
    return round(t1 - t0, 1)


def parallel(n: int, seed: int, work: Path) -> dict:
    """One extract of two kab/kota (two partitions of the region linkage): ``lindungi run`` with
    the regions one after the other (LINDUNGI_MAX_CONCURRENT=1), then side by side (2)."""
    from pipelines.generate import generate_regions

    world = work / "two-regions"
    generate_regions(world, [("6474", n), ("6409", n)], seed=seed + 1)
    out = {}
    for kind, limit in (("sequential", "1"), ("parallel", "2")):
        os.environ["LINDUNGI_MAX_CONCURRENT"] = limit
        home = work / f"two-home-{kind}"
        e2e = end_to_end(world, work / f"two-out-{kind}", home)
        out[kind] = {**e2e, "link_s": _link_stage_s(home)}
        _stop_db(home)
        print(f"    regions {kind}: lindungi run {e2e['run_s']} s (linkage {out[kind]['link_s']} s), "
              f"peak {e2e['peak_mb']:,} MB (the process tree {e2e['tree_peak_mb']:,} MB)", flush=True)
    os.environ.pop("LINDUNGI_MAX_CONCURRENT", None)
    seq, par = out["sequential"], out["parallel"]
    return {"residents_each": n, "sequential_s": seq["run_s"], "parallel_s": par["run_s"],
            "speedup": round(seq["run_s"] / par["run_s"], 2), "link_sequential_s": seq["link_s"],
            "link_parallel_s": par["link_s"], "link_speedup": round(seq["link_s"] / par["link_s"], 2)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[200_000, 1_000_000])
    ap.add_argument("--seed", type=int, default=505)
    ap.add_argument("--parallel", action="store_true", help="also an extract of two kab/kota, regions side by side against one after the other")
    ap.add_argument("--format", choices=("csv", "parquet", "xlsx"), default="csv",
                    help="the generated extracts' format (the stages read them as lindungi run does)")
    ap.add_argument("--_stages", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args._stages:
        print(json.dumps(stages(args._stages)))
        return
    results, par = [], None
    with tempfile.TemporaryDirectory(prefix="lindungi-scale-") as tmp:
        for n in args.sizes:
            print(f"== {n:,} residents (seed {args.seed})", flush=True)
            results.append(run_size(n, args.seed, Path(tmp), args.format))
            for p in Path(tmp).glob(f"*-{n}"):  # keep the disk small between sizes
                subprocess.run(["rm", "-rf", str(p)])
        if args.parallel:
            print(f"== one extract of two kab/kota, {args.sizes[0]:,} residents each: regions one after the other, "
                  "then side by side", flush=True)
            par = parallel(args.sizes[0], args.seed, Path(tmp))
    names = [s["stage"] for s in results[0]["stages"]]
    print("\nstage (s)              " + "".join(f"{r['residents']:>12,}" for r in results))
    for name in names:
        print(f"{name:<23}" + "".join(f"{next(s['s'] for s in r['stages'] if s['stage'] == name):>12.2f}"
                                      for r in results))
    print(f"{'pairs compared':<23}" + "".join(f"{r['pairs']:>12,}" for r in results))
    print(f"{'stages peak MB':<23}" + "".join(f"{r['stage_peak_mb']:>12,}" for r in results))
    print(f"{'lindungi run s':<23}" + "".join(f"{r['run_s']:>12.1f}" for r in results))
    print(f"{'lindungi run peak MB':<23}" + "".join(f"{r['peak_mb']:>12,}" for r in results))
    print(f"{'tree peak MB':<23}" + "".join(f"{r['tree_peak_mb']:>12,}" for r in results))
    for a, b in zip(results, results[1:]):
        k = b["residents"] / a["residents"]
        print(f"{a['residents']:,} -> {b['residents']:,} (x{k:.1f}): time x{b['run_s'] / a['run_s']:.2f}, "
              f"pairs x{b['pairs'] / max(a['pairs'], 1):.2f}, peak x{b['peak_mb'] / a['peak_mb']:.2f}")
    if par:
        print(f"one extract, two kab/kota of {par['residents_each']:,} each: lindungi run with the regions one "
              f"after the other {par['sequential_s']} s, side by side {par['parallel_s']} s (x{par['speedup']}); "
              f"the linkage alone {par['link_sequential_s']} s vs {par['link_parallel_s']} s (x{par['link_speedup']})")
    print(json.dumps({"sizes": results, "parallel": par}))


if __name__ == "__main__":
    main()
