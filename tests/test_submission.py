"""The submission against the real embedded PostgreSQL: migrations, idempotency, withdrawal."""

from datetime import date

import polars as pl
import psycopg

from pipelines import db
from pipelines.submission import batch_consistency, submit


def candidates(niks, period="2026-11", region="6474"):
    n = len(niks)
    return pl.DataFrame({
        "period": [period] * n, "rank": list(range(1, n + 1)), "NIK": niks,
        "NAMA_LGKP": [f"ORANG {i}" for i in range(n)], "TGL_LHR": [date(1985, 8, 15)] * n, "umur": [41] * n,
        "JENIS_KLMIN": ["L"] * n, "ALAMAT": ["JL. A"] * n, "NO_RT": ["001"] * n, "NO_RW": ["002"] * n,
        "kode_kel": [region + "011001"] * n, "kode_kec": [region + "01"] * n, "kode_kab": [region] * n,
        "JENIS_PKRJN": ["PEDAGANG"] * n, "pekerjaan_kode": [84] * n, "desil": [3] * n,
        "disabilitas": [False] * n, "iuran_bulanan": [16800] * n, "evidence": ["umur 41 tahun"] * n,
    }, schema_overrides={"pekerjaan_kode": pl.Int16, "desil": pl.Int8, "umur": pl.Int16})


def table(dsn):
    with psycopg.connect(dsn) as conn:
        return conn.execute("SELECT * FROM bpjs.submission_candidate ORDER BY nik, period").fetchall()


def test_migrations_apply_once(pg_dsn):
    assert db.migrate(pg_dsn) == ["001_bpjs_submission.sql"]
    assert db.migrate(pg_dsn) == []


def test_second_identical_run_changes_nothing(pg_dsn):
    db.migrate(pg_dsn)
    niks = [f"64740115088500{i:02d}" for i in range(1, 41)]
    first = submit(pg_dsn, candidates(niks), "2026-11")
    assert first[0]["inserted"] == 40 and first[0]["rows"] == 40
    before = table(pg_dsn)
    second = submit(pg_dsn, candidates(niks), "2026-11")
    assert second[0] | {"batch_id": 0} == {**first[0], "batch_id": 0, "inserted": 0}
    assert table(pg_dsn) == before                      # not a single column of a single row changed
    assert all(batch_consistency(pg_dsn, b["batch_id"], niks)["checksum_matches"] for b in first + second)


def test_candidate_who_leaves_is_withdrawn_never_deleted_and_can_return(pg_dsn):
    db.migrate(pg_dsn)
    niks = [f"64740115088500{i:02d}" for i in range(1, 11)]
    submit(pg_dsn, candidates(niks), "2026-11")
    res = submit(pg_dsn, candidates(niks[:8]), "2026-11")[0]
    assert res["withdrawn"] == 2
    with psycopg.connect(pg_dsn) as conn:
        rows = dict(conn.execute("SELECT nik, status FROM bpjs.submission_candidate").fetchall())
    assert len(rows) == 10 and [rows[n] for n in niks[8:]] == ["withdrawn", "withdrawn"]
    res = submit(pg_dsn, candidates(niks), "2026-11")[0]
    assert res["updated"] == 2 and res["withdrawn"] == 0
    with psycopg.connect(pg_dsn) as conn:
        assert conn.execute("SELECT count(*) FROM bpjs.submission_candidate WHERE status='pending'").fetchone()[0] == 10


def test_regions_are_separate_batches(pg_dsn):
    db.migrate(pg_dsn)
    both = pl.concat([candidates(["6474011508850001"]), candidates(["6472011508850001"], region="6472")])
    res = submit(pg_dsn, both, "2026-11")
    assert [r["region"] for r in res] == ["6472", "6474"]
    # withdrawing in one region does not touch the other
    res = submit(pg_dsn, both.filter(pl.col("kode_kab") == "6474"), "2026-11", regions=["6472", "6474"])
    assert [(r["region"], r["withdrawn"]) for r in res] == [("6472", 1), ("6474", 0)]
