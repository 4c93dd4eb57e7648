"""Benchmark: loading candidates into bpjs.submission_candidate on the embedded PostgreSQL.

    .venv/bin/python bench/submission.py [--rows 1000000 50000]

For each size, on a fresh database: the first load (rows/s), a repeated no-change load, and a
load where 1% of the candidates changed and 1% left (withdrawn). Printed side by side.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import polars as pl
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipelines import db  # noqa: E402
from pipelines.submission import submit  # noqa: E402


def frame(n: int) -> pl.DataFrame:
    return pl.DataFrame({"i": pl.int_range(0, n, eager=True)}).select(
        period=pl.lit("2026-11"), rank=pl.col("i") + 1,
        NIK=pl.format("6474011508{}", pl.col("i").cast(pl.String).str.zfill(6)),
        NAMA_LGKP=pl.format("ORANG {}", pl.col("i")), TGL_LHR=pl.lit(date(1985, 8, 15)), JENIS_KLMIN=pl.lit("L"),
        ALAMAT=pl.lit("JL. MULAWARMAN"), NO_RT=pl.lit("001"), NO_RW=pl.lit("002"), kode_kel=pl.lit("6474011001"),
        kode_kab=pl.lit("6474"), JENIS_PKRJN=pl.lit("PEDAGANG"), pekerjaan_kode=pl.lit(84, pl.Int16),
        desil=pl.lit(3, pl.Int8), disabilitas=pl.lit(False), iuran_bulanan=pl.lit(16800, pl.Int64),
        evidence=pl.lit("umur 41 tahun"),
    )


def timed(dsn: str, df: pl.DataFrame):
    t = time.perf_counter()
    out = submit(dsn, df, "2026-11")
    return time.perf_counter() - t, out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 50_000])
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="lindungi-bench-") as tmp:
        admin = db.embedded_start(Path(tmp))
        print(f"{'rows':>10} {'first load s':>13} {'rows/s':>10} {'no-change s':>12} {'1% changed+1% left s':>21}")
        for n in args.rows:
            name = f"bench_{n}"
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
                conn.execute(f'CREATE DATABASE "{name}"')
            dsn = admin.replace("/lindungi?", f"/{name}?")
            db.migrate(dsn)
            df = frame(n)
            t1, r1 = timed(dsn, df)
            t2, r2 = timed(dsn, df)
            k = max(n // 100, 1)
            changed = df.head(n - k).with_columns(
                pl.when(pl.col("rank") <= k).then(pl.lit(1)).otherwise(pl.col("desil")).cast(pl.Int8).alias("desil"))
            t3, r3 = timed(dsn, changed)
            assert r1[0]["inserted"] == n and r2[0]["inserted"] + r2[0]["updated"] + r2[0]["withdrawn"] == 0
            assert r3[0]["updated"] == k and r3[0]["withdrawn"] == k
            print(f"{n:>10,} {t1:>13.2f} {n / t1:>10,.0f} {t2:>12.2f} {t3:>21.2f}", flush=True)
        db.embedded_stop(Path(tmp))


if __name__ == "__main__":
    main()
