"""Benchmark: quality and cost on a world Lindungi's generator did not make, beside its own.

    .venv/bin/python bench/independent.py [--residents 50000] [--seed 11] [--dir DIR] [--skip-own]

The project's worlds (pipelines/generate.py) were written with the linker in view, so their
figures flatter it. bench/independent_world.py was written from the contract and the domain
notes alone, with its own names, households and error rates. This script generates both worlds
at one size, runs `lindungi run` on each in a subprocess under /usr/bin/time (each with a state
directory of its own), scores welfare links, roster links and candidates against each world's
truth, and prints them side by side, then the independent world's missed or wrong links by the
kind of damage the record carries (its NIK, its birth date), worst first.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
PERIOD = "2026-11"
SOURCES = (("welfare_links", "dtsen_truth.csv", "ID_DTSEN"), ("participant_links", "roster_truth.csv", "KPJ"))


def generate(kind: str, world: Path, residents: int, seed: int) -> None:
    if kind == "independent":
        cmd = [sys.executable, str(ROOT / "bench" / "independent_world.py"), str(world), str(residents), str(seed)]
    else:
        cmd = [str(Path(sys.executable).with_name("lindungi")), "generate", str(world), "--residents",
               str(residents), "--seed", str(seed)]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)


def _truth(world: Path, file: str) -> pl.DataFrame:
    return pl.read_csv(world / "truth" / file, infer_schema_length=0).with_columns(
        pl.col("true_nik").replace("", None))


def score_independent(world: Path, out: Path) -> tuple[dict, dict[str, pl.DataFrame]]:
    """The evaluate() figures of an independent world's run, and per source each record's
    outcome (right, missed, wrong) beside its error kinds."""
    from pipelines.evaluate import candidate_quality, link_quality

    result, outcomes = {}, {}
    for name, file, key in SOURCES:
        truth = _truth(world, file)
        links = pl.read_parquet(out / f"{name}.parquet").select(pl.col(key).cast(pl.String), "NIK")
        result[name] = link_quality(links, truth.select(key, NIK="true_nik"), key)
        j = truth.join(links.rename({"NIK": "got"}), on=key, how="left")
        outcomes[name] = j.with_columns(
            outcome=pl.when(pl.col("got") == pl.col("true_nik")).then(pl.lit("right"))
            .when(pl.col("got").is_null() & pl.col("true_nik").is_null()).then(pl.lit("right"))
            .when(pl.col("got").is_null()).then(pl.lit("missed")).otherwise(pl.lit("wrong")))
    residents = pl.read_csv(world / "truth" / "residents_truth.csv", infer_schema_length=0)
    result["enrollment_candidates"] = candidate_quality(
        pl.read_parquet(out / "enrollment_candidates" / f"{PERIOD}.parquet"),
        residents.filter(pl.col("candidate") == "true"))
    return result, outcomes


def by_damage(outcomes: pl.DataFrame, column: str, top: int = 6) -> list[str]:
    g = (outcomes.group_by(column).agg(n=pl.len(), missed=(pl.col("outcome") == "missed").sum(),
                                        wrong=(pl.col("outcome") == "wrong").sum())
         .with_columns(bad=(pl.col("missed") + pl.col("wrong")) / pl.col("n"))
         .sort("bad", descending=True).head(top))
    return [f"    {r[column]:<18} {r['n']:>6,} records, {r['missed']:>4} missed, {r['wrong']:>3} wrong ({r['bad']:.1%})"
            for r in g.iter_rows(named=True)]


def main() -> None:
    from pipeline import lindungi_run

    from pipelines.evaluate import evaluate

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--residents", type=int, default=50_000)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--dir", type=Path, help="keep the worlds and outputs here (default: a temporary folder)")
    ap.add_argument("--skip-own", action="store_true", help="the independent world only")
    args = ap.parse_args()
    base = args.dir or Path(tempfile.mkdtemp(prefix="lindungi-independent-"))
    kinds = ["independent"] + ([] if args.skip_own else ["own"])
    rows, outcomes = {}, {}
    for kind in kinds:
        world, out, home = base / f"world-{kind}", base / f"out-{kind}", base / f"home-{kind}"
        if not (world / "truth").is_dir():
            print(f"[{kind}] generating {args.residents:,} residents (seed {args.seed}) ...", flush=True)
            generate(kind, world, args.residents, args.seed)
        print(f"[{kind}] lindungi run ...", flush=True)
        run = lindungi_run(world, out, home)
        subprocess.run([str(Path(sys.executable).with_name("lindungi")), "db", "stop"],
                       env={**os.environ, "LINDUNGI_HOME": str(home)}, capture_output=True)
        if kind == "independent":
            quality, outcomes = score_independent(world, out)
        else:
            quality = evaluate(out, world, PERIOD)
        rows[kind] = {"run": run, "quality": quality}
        print(f"[{kind}] {run['run_s']} s, {run['peak_rss_mb']} MB", flush=True)
    print(f"\n{args.residents:,} residents, seed {args.seed} ({base})")
    print(f"{'':24}" + "".join(f"{k:>26}" for k in kinds))
    print(f"{'lindungi run':24}" + "".join(f"{rows[k]['run']['run_s']:>17} s {rows[k]['run']['peak_rss_mb']:>5} MB"
                                           for k in kinds))
    for name in ("welfare_links", "participant_links", "enrollment_candidates"):
        cells = []
        for k in kinds:
            q = rows[k]["quality"][name]
            cells.append(f"{q['precision']:.4f} / {q['recall']:.4f} / {q['f1']:.4f}".rjust(26))
        print(f"{name + ' P/R/F1':24}" + "".join(cells))
    for name, _, _ in SOURCES:
        print(f"\nindependent world, {name}: missed or wrong by damage")
        for column in ("nik_err", "dob_err"):
            print(f"  {column}:")
            print("\n".join(by_damage(outcomes[name], column)))


if __name__ == "__main__":
    main()
