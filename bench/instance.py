"""Benchmark: Dagster's bookkeeping per run on the local instance, stock SQLite storage against
``dagster_project.storage`` (the same files, with its SQLAlchemy engines kept).

    .venv/bin/python bench/instance.py [--steps 10] [--runs 5] [--rounds 2]

A job of ``--steps`` chained assets that do nothing but what every Lindungi step does to the event
log (a log line, a materialization with metadata, an asset check) is run ``--runs`` times in one
instance of each kind, on a fresh DAGSTER_HOME each; the kinds alternate for ``--rounds`` rounds,
each in a process of its own (the machine's speed drifts). Printed: the instance's creation, the
median run, the events a run writes, and the ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

STOCK_YAML = "telemetry:\n  enabled: false\n"


def one(kind: str, steps: int, runs: int) -> dict:
    """In this process: an instance of ``kind`` and ``runs`` runs of the job."""
    import dagster as dg

    from dagster_project.cli import INSTANCE_YAML

    home = tempfile.mkdtemp(prefix=f"lindungi-bench-{kind}-")
    os.environ["DAGSTER_HOME"] = home
    Path(home, "dagster.yaml").write_text(INSTANCE_YAML if kind == "pooled" else STOCK_YAML)

    def step(i: int):
        @dg.asset(name=f"step_{i}", deps=[f"step_{i - 1}"] if i else [],
                  check_specs=[dg.AssetCheckSpec("rows", asset=f"step_{i}")])
        def _asset(context):
            context.log.info("progress line")
            yield dg.MaterializeResult(metadata={"rows": dg.MetadataValue.int(i)})
            yield dg.AssetCheckResult(passed=True, check_name="rows")
        return _asset

    job = dg.Definitions(assets=[step(i) for i in range(steps)],
                         jobs=[dg.define_asset_job("bench", selection="*")]).resolve_job_def("bench")
    t = time.perf_counter()
    instance = dg.DagsterInstance.get()
    created = time.perf_counter() - t
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        result = job.execute_in_process(instance=instance)
        times.append(time.perf_counter() - t)
        assert result.success
    events = len(instance.get_records_for_run(result.run_id).records)
    instance.dispose()
    shutil.rmtree(home, ignore_errors=True)
    return {"kind": kind, "instance_s": created, "runs_s": times, "events": events,
            "storage": type(instance.event_log_storage).__name__}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--one", choices=["stock", "pooled"], help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.steps, args.runs)))
        return
    results: dict[str, list[dict]] = {"stock": [], "pooled": []}
    for r in range(args.rounds):
        for kind in results:
            print(f"[round {r + 1}/{args.rounds}] {kind}: {args.runs} runs of {args.steps} steps ...",
                  file=sys.stderr, flush=True)
            out = subprocess.run([sys.executable, __file__, "--one", kind, "--steps", str(args.steps),
                                  "--runs", str(args.runs)], capture_output=True, text=True, check=True)
            results[kind].append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(f"\n{'storage':<30}{'instance':>10}{'median run':>12}{'runs (s)':>40}{'events/run':>12}")
    med = {}
    for kind, rs in results.items():
        for res in rs:
            med.setdefault(kind, []).append(statistics.median(res["runs_s"]))
            print(f"{res['storage']:<30}{res['instance_s']:>9.2f}s{statistics.median(res['runs_s']):>11.3f}s"
                  f"{' '.join(f'{x:.2f}' for x in res['runs_s']):>40}{res['events']:>12}")
    ratio = statistics.median(med["pooled"]) / statistics.median(med["stock"])
    per_event = [(statistics.median(med[k]) / results[k][0]["events"]) * 1000 for k in ("stock", "pooled")]
    print(f"\npooled / stock, median run: {ratio:.2f}  "
          f"({per_event[0]:.1f} → {per_event[1]:.1f} ms of a run per event it writes)")


if __name__ == "__main__":
    main()
