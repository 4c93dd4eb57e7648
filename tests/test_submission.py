"""The submission against the real embedded PostgreSQL: migrations, idempotency, withdrawal."""

from datetime import date
from pathlib import Path

import polars as pl
import psycopg
import pytest

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


def test_migrations_apply_once(any_pg_dsn):
    pg_dsn = any_pg_dsn
    assert db.migrate(pg_dsn) == ["001_bpjs_submission.sql", "002_roles_and_audit.sql", "003_verification.sql",
                                  "004_batch_check_per_statement.sql", "005_cheaper_nik_check.sql",
                                  "006_content_hash_generated.sql", "007_retention.sql",
                                  "008_answered_at.sql", "009_not_informal.sql", "010_batch_declared_income.sql",
                                  "011_batch_programs.sql"]
    assert db.migrate(pg_dsn) == []


def test_two_databases_of_one_server_migrated_at_once_both_succeed(tmp_path):
    """Roles are cluster-wide but the migration lock is an advisory lock, which is per database:
    two databases of a new server migrated at the same moment (two `lindungi run --db` started
    together) both found lindungi_writer missing, both created it, and one run failed on
    pg_authid's unique index."""
    import threading

    admin = db.embedded_start(tmp_path)  # a server of its own: no role of ours exists on it yet
    try:
        with psycopg.connect(admin, autocommit=True) as conn:
            for name in ("mig_a", "mig_b"):
                conn.execute(f"CREATE DATABASE {name}")
        together, outcome = threading.Barrier(2), {}

        def migrate(name):
            together.wait(timeout=60)
            try:
                outcome[name] = len(db.migrate(admin.replace("/lindungi?", f"/{name}?")))
            except Exception as exc:  # noqa: BLE001 - the failure is the test's answer
                outcome[name] = repr(exc)[:200]

        threads = [threading.Thread(target=migrate, args=(n,)) for n in ("mig_a", "mig_b")]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert outcome == {"mig_a": len(db.migration_files()), "mig_b": len(db.migration_files())}
    finally:
        db.embedded_stop(tmp_path)


def test_second_identical_run_changes_nothing(any_pg_dsn):
    pg_dsn = any_pg_dsn
    db.migrate(pg_dsn)
    niks = [f"64740115088500{i:02d}" for i in range(1, 41)]
    first = submit(pg_dsn, candidates(niks), "2026-11")
    assert first[0]["inserted"] == 40 and first[0]["rows"] == 40
    before = table(pg_dsn)
    second = submit(pg_dsn, candidates(niks), "2026-11")
    assert second[0] | {"batch_id": 0} == {**first[0], "batch_id": 0, "inserted": 0}
    assert table(pg_dsn) == before                      # not a single column of a single row changed
    assert all(batch_consistency(pg_dsn, b["batch_id"], niks)["checksum_matches"] for b in first + second)


def test_a_first_load_is_copied_straight_in_and_hashes_as_the_staged_load_does(any_pg_dsn, monkeypatch):
    """A region's first load of a period needs no staging table; a later load of the same list
    goes through one, finds every row unchanged (the table's generated hash and the staging
    table's agree on every kind of value), and its batch has the same count and checksum."""
    from pipelines import submission

    pg_dsn = any_pg_dsn
    db.migrate(pg_dsn)
    niks = [f"64740115088500{i:02d}" for i in range(1, 9)]
    df = candidates(niks).with_columns(
        NAMA_LGKP=pl.Series(["SITTI", "Ñ\u200bO", "A|B", "~", "\\N", "X\nY", "", "M. ALI"]),
        TGL_LHR=pl.Series([date(1961, 1, 1), None, date(2000, 1, 1), date(1999, 12, 31), date(2008, 2, 29),
                           date(1985, 8, 15), date(1970, 1, 1), date(1958, 7, 4)]),
        ALAMAT=pl.Series([None, "JL. A, RT 1", "~", "|", "\\", "\\N", "", "x"]),
        desil=pl.Series([None, 1, 2, 3, 4, 5, 10, None], dtype=pl.Int8),
        pekerjaan_kode=pl.Series([None, 84, 88, 89, 90, 1, 2, 3], dtype=pl.Int16),
        disabilitas=pl.Series([True, False] * 4), evidence=pl.Series([None, "", "a|b", "~", "x", "NULL", "é", "\\"]))
    staged: list[bool] = []
    real = submission._load_staged
    monkeypatch.setattr(submission, "_load_staged", lambda *a, **k: staged.append(True) or real(*a, **k))
    first = submit(pg_dsn, df, "2026-11")[0]
    assert staged == [] and first["inserted"] == 8
    before = table(pg_dsn)
    second = submit(pg_dsn, df, "2026-11")[0]
    assert staged == [True] and (second["inserted"], second["updated"], second["withdrawn"]) == (0, 0, 0)
    assert (second["rows"], second["checksum"]) == (first["rows"], first["checksum"]) and table(pg_dsn) == before
    assert batch_consistency(pg_dsn, first["batch_id"], niks)["checksum_matches"]


def test_migration_006_keeps_the_hashes_and_refuses_a_row_changed_behind_its_batch(pg_server, monkeypatch):
    """Rows loaded before content_hash was generated keep their hash (and their batch its
    checksum); a row whose content no longer matches its stored hash stops the migration, which
    then changes nothing."""
    from pipelines.submission import CREATE_STAGE, STAGE_COLUMNS, _csv, _stage_frame

    all_files = db.migration_files()
    for name, tamper in (("mig006_kept", False), ("mig006_refused", True)):
        with psycopg.connect(pg_server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        dsn = pg_server.replace("/lindungi?", f"/{name}?")
        monkeypatch.setattr(db, "migration_files", lambda: all_files[:5])
        db.migrate(dsn)
        niks = [f"64740115088500{i:02d}" for i in range(1, 6)]
        with psycopg.connect(dsn) as conn:  # loaded as before 006: the hash from the staging table
            conn.execute(CREATE_STAGE)
            with conn.cursor().copy(f"COPY stage ({', '.join(STAGE_COLUMNS)}) FROM STDIN WITH (FORMAT csv, NULL '\\N')") as copy:
                copy.write(_csv(_stage_frame(candidates(niks))))
            batch = conn.execute(
                "INSERT INTO bpjs.submission_batch (period, region, status, row_count, checksum) SELECT '2026-11', "
                "'6474', 'committed', count(*), md5(string_agg(nik || ':' || content_hash, ',' ORDER BY nik "
                "COLLATE \"C\")) FROM stage RETURNING id").fetchone()[0]
            conn.execute("INSERT INTO bpjs.submission_candidate (nik, period, region, batch_id, rank, nama_lgkp, "
                         "tgl_lhr, jenis_klmin, alamat, no_rt, no_rw, kode_kel, jenis_pkrjn, pekerjaan_kode, desil, "
                         "disabilitas, iuran_bulanan, evidence, content_hash) SELECT nik, period, region, %s, rank, "
                         "nama_lgkp, tgl_lhr, jenis_klmin, alamat, no_rt, no_rw, kode_kel, jenis_pkrjn, "
                         "pekerjaan_kode, desil, disabilitas, iuran_bulanan, evidence, content_hash FROM stage",
                         (batch,))
            if tamper:
                conn.execute("UPDATE bpjs.submission_candidate SET nama_lgkp = 'X' WHERE nik = %s", (niks[0],))
            stored = conn.execute("SELECT nik, content_hash FROM bpjs.submission_candidate ORDER BY nik").fetchall()
        monkeypatch.setattr(db, "migration_files", lambda: all_files)
        if tamper:
            with pytest.raises(psycopg.errors.RaiseException, match="1 row"):
                db.migrate(dsn)
            with psycopg.connect(dsn) as conn:
                assert conn.execute("SELECT max(version) FROM public.lindungi_schema_migrations").fetchone()[0] == \
                    "005_cheaper_nik_check.sql"
                assert conn.execute("SELECT nik, content_hash FROM bpjs.submission_candidate ORDER BY nik"
                                    ).fetchall() == stored
            continue
        assert db.migrate(dsn)[0] == "006_content_hash_generated.sql"
        with psycopg.connect(dsn) as conn:
            assert conn.execute("SELECT nik, content_hash FROM bpjs.submission_candidate ORDER BY nik"
                                ).fetchall() == stored
            assert conn.execute("SELECT is_generated FROM information_schema.columns WHERE table_schema = 'bpjs' "
                                "AND table_name = 'submission_candidate' AND column_name = 'content_hash'"
                                ).fetchone()[0] == "ALWAYS"
        assert batch_consistency(dsn, batch, niks)["checksum_matches"]
        assert submit(dsn, candidates(niks), "2026-11")[0]["updated"] == 0  # unchanged, as before


def test_a_row_whose_rank_alone_moved_is_not_updated(any_pg_dsn):
    """A lifecycle review: one of 497 verified out moved everyone after them up one place, and
    489 rows were "updated" (a new batch, a new time), in every region of the run, their people
    unchanged. A rank alone is taken in place: not counted, the row keeps its batch and time;
    the new batch's checksum still matches the table."""
    dsn = any_pg_dsn
    db.migrate(dsn)
    niks = [f"64740115088500{i:02d}" for i in range(1, 11)]
    first = submit(dsn, candidates(niks), "2026-11")[0]
    with psycopg.connect(dsn) as conn:
        before = {r[0]: r[1:] for r in conn.execute("SELECT nik, batch_id, updated_at FROM bpjs.submission_candidate")}
    # the first one leaves; the second one's name is mended
    later = candidates(niks).filter(pl.col("NIK") != niks[0]).with_columns(
        rank=pl.int_range(1, pl.len() + 1),
        NAMA_LGKP=pl.when(pl.col("NIK") == niks[1]).then(pl.lit("ORANG BARU")).otherwise(pl.col("NAMA_LGKP")))
    res = submit(dsn, later, "2026-11")[0]
    assert (res["inserted"], res["updated"], res["withdrawn"], res["reranked"]) == (0, 1, 1, 8)
    with psycopg.connect(dsn) as conn:
        after = {r[0]: r[1:] for r in conn.execute("SELECT nik, rank, batch_id, updated_at FROM bpjs.submission_candidate")}
    assert [after[n][0] for n in niks[1:]] == list(range(1, 10))
    assert {n: after[n][1:] for n in niks[2:]} == {n: before[n] for n in niks[2:]}
    assert after[niks[1]][1] == after[niks[0]][1] == res["batch_id"] != first["batch_id"]
    check = batch_consistency(dsn, res["batch_id"], niks[1:])
    assert check["rows_match"] and check["checksum_matches"] and check["stray_pending"] == 0
    # the same list again: nothing at all
    again = submit(dsn, later, "2026-11")[0]
    assert (again["inserted"], again["updated"], again["withdrawn"], again["reranked"]) == (0, 0, 0, 0)


def test_candidate_who_leaves_is_withdrawn_never_deleted_and_can_return(any_pg_dsn):
    pg_dsn = any_pg_dsn
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


def test_a_region_left_without_candidates_gets_an_empty_batch_that_withdraws_its_rows(any_pg_dsn):
    """Every candidate of a region gone (protected now, or held by BPJS): the run's list has no
    row of the region, which got no batch, so its pending rows stayed pending, to be exported,
    and the period's batch suite failed the run ("the run left a batch")."""
    pg_dsn = any_pg_dsn
    db.migrate(pg_dsn)
    niks = [f"64740115088500{i:02d}" for i in range(1, 4)]
    submit(pg_dsn, candidates(niks), "2026-11")
    none = candidates(niks).head(0)
    res = submit(pg_dsn, none, "2026-11", regions=["6474"])
    assert [(r["region"], r["rows"], r["withdrawn"]) for r in res] == [("6474", 0, 3)]
    assert submit(pg_dsn, none, "2026-12", regions=["6474"])[0]["rows"] == 0      # a first load of nothing
    with psycopg.connect(pg_dsn) as conn:
        assert conn.execute("SELECT status, count(*) FROM bpjs.submission_candidate GROUP BY 1").fetchall() \
            == [("withdrawn", 3)]
        assert conn.execute("SELECT period, row_count, status FROM bpjs.submission_batch ORDER BY id").fetchall() \
            == [("2026-11", 3, "committed"), ("2026-11", 0, "committed"), ("2026-12", 0, "committed")]


def test_texts_arrive_as_written(any_pg_dsn):
    """COPY reads an unquoted \\N as NULL: a name that reads so would have failed the load."""
    pg_dsn = any_pg_dsn
    db.migrate(pg_dsn)
    niks = [f"64740115088500{i:02d}" for i in range(1, 7)]
    df = candidates(niks).with_columns(
        NAMA_LGKP=pl.Series(["\\N", "SITTI AISYAH, S.PD", 'A "B"', "Ñ\u200bO", "", "X\nY"]),
        ALAMAT=pl.Series([None, "JL. A, RT 1", "~", "|", "\\", "\\N"]),
        evidence=pl.Series([None, "", "a|b", "~", "x", "NULL"]),
    )
    submit(pg_dsn, df, "2026-11")
    with psycopg.connect(pg_dsn) as conn:
        rows = conn.execute("SELECT nama_lgkp, alamat, evidence FROM bpjs.submission_candidate ORDER BY nik").fetchall()
    assert rows == list(zip(df["NAMA_LGKP"], df["ALAMAT"], df["evidence"]))


def test_a_database_error_names_no_person(pg_dsn):
    """PostgreSQL's message for a failed row holds the row (NIK, name): Dagster would keep it in
    the event log the UI shows. The error says what failed and where, and chains nothing."""
    db.migrate(pg_dsn)
    df = candidates(["6474011508850001", "6474011508850002"]).with_columns(
        NAMA_LGKP=pl.Series(["SITI AMINAH", None]), TGL_LHR=pl.Series([date(1971, 3, 9), None]))
    with pytest.raises(db.DatabaseError) as caught:
        submit(pg_dsn, df, "2026-11")
    text = str(caught.value)
    assert caught.value.sqlstate == "23502" and "column nama_lgkp" in text and "not-null" in text
    assert not any(s in text for s in ("6474011508850002", "6474011508850001", "SITI", "1971", "DETAIL"))
    assert caught.value.__cause__ is None and caught.value.__context__ is None
    with psycopg.connect(pg_dsn) as conn:
        for sql, message in [("SELECT 'SITI AMINAH'::text::date", 'invalid input syntax for type date: "…" (SQLSTATE 22007)'),
                             ("SELECT '6474011508850002'::text::integer", 'value "…" is out of range for type integer'),
                             ("SELECT 1 WHERE 6474011508850002 / 0 > 1", "division by zero (SQLSTATE 22012)")]:
            with pytest.raises(db.DatabaseError) as caught:
                db.no_row_data(conn.execute)(sql)
            assert str(caught.value).startswith(f"execute: {message}")
            conn.rollback()


def test_the_embedded_servers_own_log_names_no_person(pg_dsn):
    """The error the pipeline raises names no one, but the embedded server wrote the refused
    row to its own log, ``<state>/pgdata/log``, which stays in the state directory: "DETAIL:
    Failing row contains (6474…, …)" and "CONTEXT: COPY …, line 2: "6474…",…" (a resident
    without a name, listed as a candidate, stopped a run so)."""
    import os

    if os.environ.get("LINDUNGI_TEST_DSN"):
        pytest.skip("the embedded server's log only")
    db.migrate(pg_dsn)
    with psycopg.connect(pg_dsn) as conn:
        log = Path(conn.execute("SELECT current_setting('data_directory')").fetchone()[0]) / "log"
    before = log.stat().st_size
    df = candidates(["6474011508850003", "6474014903710004"]).with_columns(
        NAMA_LGKP=pl.Series(["SITI AMINAH", None]), ALAMAT=pl.Series(["JL. MAWAR NO. 7", "JL. MELATI NO. 9"]))
    with pytest.raises(db.DatabaseError):
        submit(pg_dsn, df, "2026-11")
    with psycopg.connect(pg_dsn) as conn, pytest.raises(psycopg.errors.InvalidDatetimeFormat):
        conn.execute("SELECT %s::text::date", ("SITI AMINAH 6474014903710004",))
    with log.open("rb") as f:
        f.seek(before)
        written = f.read().decode("utf-8", "replace")
    assert not any(s in written for s in ("6474011508850003", "6474014903710004", "SITI", "MELATI", "MAWAR"))


def test_regions_are_separate_batches(pg_dsn):
    db.migrate(pg_dsn)
    both = pl.concat([candidates(["6474011508850001"]), candidates(["6472011508850001"], region="6472")])
    res = submit(pg_dsn, both, "2026-11")
    assert [r["region"] for r in res] == ["6472", "6474"]
    # withdrawing in one region does not touch the other
    res = submit(pg_dsn, both.filter(pl.col("kode_kab") == "6474"), "2026-11", regions=["6472", "6474"])
    assert [(r["region"], r["withdrawn"]) for r in res] == [("6472", 1), ("6474", 0)]


@pytest.mark.parametrize("to", ["6409", "6479"])  # loaded before, and after, the region it left
def test_a_resident_who_moved_keeps_the_row_and_its_status(pg_dsn, to):
    """A candidate the run lists in another kab/kota than before: that region takes the row over.
    The region loaded first (by code) used to withdraw it and the other set it back to pending:
    a submitted person went back to pending and was exported twice in the period. A submitted
    row keeps the kab/kota it was sent from (it keeps what was sent: an outside review), and the
    batch of the region that lists the person counts it as it is."""
    db.migrate(pg_dsn)
    niks = ["6474011508850001", "6474011508850002", "6474011508850003"]
    submit(pg_dsn, pl.concat([candidates(niks), candidates(["6409011508850009"], region="6409"),
                              candidates(["6479011508850009"], region="6479")]), "2026-11")
    with psycopg.connect(pg_dsn) as conn:
        conn.execute("UPDATE bpjs.submission_candidate SET status = 'submitted' WHERE nik = %s", (niks[0],))
    moved = pl.concat([candidates(niks[:1], region=to), candidates(niks[1:2], region=to)])
    stay = candidates(niks[2:])
    others = [candidates(["6409011508850009"], region="6409"), candidates(["6479011508850009"], region="6479")]
    res = submit(pg_dsn, pl.concat([moved, stay, *others]), "2026-11")
    assert sum(r["withdrawn"] for r in res) == 0
    assert {r["region"]: (r["updated"], r["kept_as_sent"]) for r in res}[to] == (1, 1)
    with psycopg.connect(pg_dsn) as conn:
        rows = dict((n, (reg, st)) for n, reg, st in conn.execute(
            "SELECT nik, region, status FROM bpjs.submission_candidate WHERE nik LIKE '647401%'"))
    assert rows == {niks[0]: ("6474", "submitted"), niks[1]: (to, "pending"), niks[2]: ("6474", "pending")}
    listed = pl.concat([moved, stay, *others])
    for r in res:
        check = batch_consistency(pg_dsn, r["batch_id"],
                                  listed.filter(pl.col("kode_kab") == r["region"])["NIK"].to_list())
        assert check["rows_match"] and check["checksum_matches"] and check["stray_pending"] == 0


def test_a_submitted_candidate_no_longer_listed_stays_submitted(pg_dsn, tmp_path):
    """A re-run of a period after its export: someone exported and no longer listed (protected
    meanwhile, moved away) is BPJS's to answer. Withdrawn, BPJS's answer was refused and the
    person, still held by nobody, was exported again next month."""
    from pipelines.bpjs_exchange import apply_response, export_pending

    db.migrate(pg_dsn)
    niks = ["6474011508850001", "6474011508850002", "6474011508850003"]
    submit(pg_dsn, candidates(niks), "2026-11")
    export_pending(pg_dsn, "2026-11", tmp_path)
    res = submit(pg_dsn, candidates(niks[1:]), "2026-11")[0]
    assert res["withdrawn"] == 0
    (tmp_path / "r.csv").write_text(f"NIK,PERIODE,HASIL,KPJ,ALASAN\n{niks[0]},2026-11,DITERIMA,12345678901,\n")
    assert apply_response(pg_dsn, tmp_path / "r.csv").accepted == 1
    # a pending candidate who leaves is withdrawn as before
    submit(pg_dsn, candidates(niks[1:], period="2026-12"), "2026-12")
    assert submit(pg_dsn, candidates(niks[2:], period="2026-12"), "2026-12")[0]["withdrawn"] == 1


def test_withdrawal_carries_the_reason(any_pg_dsn):
    pg_dsn = any_pg_dsn
    db.migrate(pg_dsn)
    niks = ["6474011508850001", "6474011508850002"]
    submit(pg_dsn, candidates(niks), "2026-11")
    submit(pg_dsn, candidates(niks[:1]), "2026-11", explain=lambda gone: {n: "sudah terlindungi JKK+JKM" for n in gone})
    with psycopg.connect(pg_dsn) as conn:
        row = conn.execute("SELECT status, status_reason, withdrawn_at IS NOT NULL FROM bpjs.submission_candidate "
                           "WHERE nik = %s", (niks[1],)).fetchone()
    assert row == ("withdrawn", "sudah terlindungi JKK+JKM", True)


def test_every_row_names_an_existing_batch_and_batches_stay(any_pg_dsn):
    """Migration 004 checks batch ids per statement instead of per row (a foreign key's trigger
    cost 400 ms of a 50k load): the guarantee is the same."""
    pg_dsn = any_pg_dsn
    db.migrate(pg_dsn)
    submit(pg_dsn, candidates(["6474011508850001"]), "2026-11")
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        with pytest.raises(psycopg.errors.ForeignKeyViolation):
            conn.execute("UPDATE bpjs.submission_candidate SET batch_id = 999999")
        with pytest.raises(psycopg.errors.ForeignKeyViolation):
            conn.execute("INSERT INTO bpjs.submission_candidate (nik, period, region, batch_id, rank, nama_lgkp, "
                         "kode_kel, disabilitas, iuran_bulanan) VALUES ('6474011508850002', "
                         "'2026-11', '6474', 999999, 2, 'X', '6474011001', false, 16800)")
        with pytest.raises(psycopg.errors.RaiseException, match="never deleted"):
            conn.execute("DELETE FROM bpjs.submission_batch")


def test_roles_least_privilege(any_pg_dsn):
    pg_dsn = any_pg_dsn
    db.migrate(pg_dsn)
    submit(pg_dsn, candidates(["6474011508850001"]), "2026-11")
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute("SET ROLE lindungi_reader")
        assert conn.execute("SELECT count(*) FROM bpjs.submission_candidate").fetchone()[0] == 1
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE bpjs.submission_candidate SET status = 'accepted'")
        conn.execute("RESET ROLE")
        conn.execute("SET ROLE lindungi_writer")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DELETE FROM bpjs.submission_candidate")
        conn.execute("RESET ROLE")
        # even the owner cannot rewrite the processing log or delete a candidate
        with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
            conn.execute("DELETE FROM bpjs.processing_log")
        with pytest.raises(psycopg.errors.RaiseException, match="never deleted"):
            conn.execute("DELETE FROM bpjs.submission_candidate")
        # the pipeline needs no superuser: a plain login granted lindungi_writer submits
        conn.execute("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'lindungi_app') THEN "
                     "CREATE ROLE lindungi_app LOGIN NOSUPERUSER; END IF; END $$")
        conn.execute("GRANT lindungi_writer TO lindungi_app")
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    app = make_conninfo(**{**conninfo_to_dict(pg_dsn), "user": "lindungi_app"})
    with psycopg.connect(app) as conn:
        assert conn.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").fetchone()[0] is False
    res = submit(app, candidates(["6474011508850001", "6474011508850002"]), "2026-11")[0]
    assert (res["inserted"], res["withdrawn"]) == (1, 0)


def _state(dsn):
    with psycopg.connect(dsn) as conn:
        return conn.execute("SELECT nik, status, content_hash FROM bpjs.submission_candidate ORDER BY nik").fetchall()


def test_two_concurrent_runs_end_as_one(pg_dsn, pg_server):
    import threading

    db.migrate(pg_dsn)
    niks = [f"647401150885{i:04d}" for i in range(1, 3001)]
    errors = []

    def run():
        try:
            submit(pg_dsn, candidates(niks), "2026-11")
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with psycopg.connect(pg_dsn) as conn:
        counts = conn.execute("SELECT inserted, updated, withdrawn FROM bpjs.submission_batch ORDER BY id").fetchall()
    assert sorted(counts) == [(0, 0, 0), (3000, 0, 0)]          # the second waited, then changed nothing
    assert len(_state(pg_dsn)) == 3000


def test_a_nik_written_meanwhile_by_another_region_is_left_to_it(pg_dsn):
    """A resident who moved between extracts can be a candidate of two regions' runs at once;
    the runs hold different locks. The second run's load (its first of the period: a COPY
    straight into the table) waits for the first's row on the primary key and fails on it once
    that is committed: it is undone to its savepoint, with no error and no duplicate, and the
    list is loaded through the staging table, which now sees the row committed and takes it
    over as any later run of the period would (its region changed: an update)."""
    import threading
    import time

    db.migrate(pg_dsn)
    moved = "6474011508850001"
    niks = [moved] + [f"64740115088500{i:02d}" for i in range(2, 41)]
    with psycopg.connect(pg_dsn) as other:  # region 6409's run, open with the NIK written
        batch = other.execute(
            "INSERT INTO bpjs.submission_batch (period, region, status, row_count, checksum)"
            " VALUES ('2026-11', '6409', 'loading', 1, md5('')) RETURNING id").fetchone()[0]
        other.execute(
            "INSERT INTO bpjs.submission_candidate (nik, period, region, batch_id, rank, nama_lgkp, kode_kel,"
            " disabilitas, iuran_bulanan) VALUES (%s, '2026-11', '6409', %s, 1, 'ORANG', "
            "'6409011001', false, 16800)", (moved, batch))
        result, errors = [], []

        def run():
            try:
                result.extend(submit(pg_dsn, candidates(niks), "2026-11"))
            except Exception as exc:  # noqa: BLE001
                errors.append(exc)

        t = threading.Thread(target=run)
        t.start()
        deadline = time.monotonic() + 30
        with psycopg.connect(pg_dsn, autocommit=True) as watch:  # 6474's COPY waits on that row
            while not watch.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                                    " AND query LIKE 'COPY bpjs.submission_candidate%'").fetchone()[0]:
                assert time.monotonic() < deadline and t.is_alive(), errors
                time.sleep(0.02)
        other.commit()
        t.join(30)
    assert errors == [] and (result[0]["inserted"], result[0]["updated"], result[0]["rows"]) == (39, 1, 40)
    with psycopg.connect(pg_dsn) as conn:
        regions = dict(conn.execute("SELECT nik, region FROM bpjs.submission_candidate").fetchall())
        batches = conn.execute("SELECT region, status FROM bpjs.submission_batch ORDER BY id").fetchall()
    assert set(regions.values()) == {"6474"} and len(regions) == 40
    assert batches == [("6409", "loading"), ("6474", "committed")]  # the failed COPY left no batch


SLOW_LOAD = """
import sys, polars as pl
sys.path.insert(0, {root!r})
from tests.test_submission import candidates
from pipelines.submission import submit
niks = [f"6474011508{{i:06d}}" for i in range(1, 200001)]
print("go", flush=True)
submit({dsn!r}, candidates(niks), "2026-11")
print("done", flush=True)
"""


@pytest.mark.parametrize("delay", [0.3, 1.0, 2.0])
def test_sigkill_leaves_before_or_after(pg_dsn, delay, tmp_path):
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    db.migrate(pg_dsn)
    submit(pg_dsn, candidates(["6474011508000001"]), "2026-11")
    before = _state(pg_dsn)
    script = tmp_path / "load.py"
    script.write_text(SLOW_LOAD.format(root=str(Path(__file__).resolve().parent.parent), dsn=pg_dsn))
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "go"
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    after = _state(pg_dsn)
    # nothing of the load, or all of it: the 200,000 listed, the first of them the row that was
    # there (the same person, rank and fields). (It expected 200,001 rows, one withdrawn: a load
    # killed after its commit, as on a machine fast enough to load them in 2 s, failed it.)
    assert after == before or (len(after) == 200_000 and all(r[1] == "pending" for r in after)
                               and after[0] == before[0])
    with psycopg.connect(pg_dsn) as conn:    # no half-written batch either
        assert conn.execute("SELECT count(*) FROM bpjs.submission_batch WHERE status <> 'committed'").fetchone()[0] == 0
    res = submit(pg_dsn, candidates(["6474011508000001"]), "2026-11")[0]   # the next run completes normally
    assert res["rows"] == 1


def test_nik_lists_travel_as_one_text_of_digits():
    """The NIK lists of the checks and the export go to PostgreSQL as one comma-joined text;
    a value that is not digits (a comma would split it) is refused, not sent."""
    from pipelines.db import nik_list

    assert nik_list([]) == "" and nik_list(iter(["6474011508850001", "6474011508850002"])) == \
        "6474011508850001,6474011508850002"
    for bad in (["6474,011508850001"], ["647401150885000A"], ["6474011508850001 "], ["٦٤٧٤"]):
        with pytest.raises(ValueError):
            nik_list(bad)


def test_batch_consistency_notices_a_listed_nik_the_batch_does_not_hold(pg_dsn):
    """(beside test_submission.py::test_a_row_whose_rank_alone_moved_is_not_updated) rows_match
    compares the batch, the table and the list: a candidate of the list the load left out is
    a mismatch even where the batch and the table agree."""
    db.migrate(pg_dsn)
    niks = [f"64740115088500{i:02d}" for i in range(1, 4)]
    batch = submit(pg_dsn, candidates(niks), "2026-11")[0]["batch_id"]
    assert batch_consistency(pg_dsn, batch, niks)["rows_match"]
    assert not batch_consistency(pg_dsn, batch, niks + ["6474011508850099"])["rows_match"]


def test_a_withdrawn_rows_reason_is_brought_up_to_date(any_pg_dsn):
    """An outside review, month after month: 45 rows of 2027-01 were withdrawn as "sudah dikirim
    ke BPJS pada periode 2026-12, menunggu jawaban"; BPJS then accepted 40 of them for 2026-12,
    and a re-run of 2027-01 said "0 updated" and left every row awaiting an answer that had come.
    Only pending rows were withdrawn, so a withdrawn row kept its first reason for good. A re-run
    now brings the reason up to date (an update of the row, counted and on the new batch; its
    withdrawal time stays), and changes nothing when the reason did not change."""
    dsn = any_pg_dsn
    db.migrate(dsn)
    niks = [f"64740115088500{i:02d}" for i in range(1, 5)]
    period = "2027-01"
    why = {niks[2]: "sudah dikirim ke BPJS pada periode 2026-12, menunggu jawaban",
           niks[3]: "sudah terlindungi JKK+JKM"}

    def explain(gone):
        return {n: why[n] for n in gone if n in why}

    submit(dsn, candidates(niks, period=period), period)
    listed = candidates(niks[:2], period=period)
    first = submit(dsn, listed, period, explain=explain)[0]
    assert (first["updated"], first["withdrawn"]) == (0, 2)
    columns = "nik, status, status_reason, batch_id, withdrawn_at, updated_at, content_hash"
    with psycopg.connect(dsn) as conn:
        before = {r[0]: r[1:] for r in conn.execute(f"SELECT {columns} FROM bpjs.submission_candidate")}
    why[niks[2]] = "sudah diterima BPJS pada periode 2026-12, belum tampak di data peserta"
    res = submit(dsn, listed, period, explain=explain)[0]
    assert (res["inserted"], res["updated"], res["withdrawn"]) == (0, 1, 0)
    with psycopg.connect(dsn) as conn:
        after = {r[0]: r[1:] for r in conn.execute(f"SELECT {columns} FROM bpjs.submission_candidate")}
        figures = conn.execute("SELECT inserted, updated, withdrawn FROM bpjs.submission_batch WHERE id = %s",
                               (res["batch_id"],)).fetchone()
    assert figures == (0, 1, 0)
    assert after[niks[2]][:4] == ("withdrawn", why[niks[2]], res["batch_id"], before[niks[2]][3])
    assert after[niks[2]][4] > before[niks[2]][4] and after[niks[2]][5] == before[niks[2]][5]
    assert {n: after[n] for n in niks if n != niks[2]} == {n: before[n] for n in niks if n != niks[2]}
    check = batch_consistency(dsn, res["batch_id"], niks[:2])
    assert check["rows_match"] and check["checksum_matches"] and check["stray_pending"] == 0
    # the same again: nothing; and a run that is told no reason (no explain) keeps the known ones
    again = submit(dsn, listed, period, explain=explain)[0]
    assert (again["inserted"], again["updated"], again["withdrawn"]) == (0, 0, 0)
    assert submit(dsn, listed, period)[0]["updated"] == 0
    with psycopg.connect(dsn) as conn:
        assert {r[0]: r[1:] for r in conn.execute(f"SELECT {columns} FROM bpjs.submission_candidate")} == after
    # a withdrawn row listed again still returns to pending, its reason cleared
    back = submit(dsn, candidates(niks, period=period), period, explain=explain)[0]
    assert (back["updated"], back["withdrawn"]) == (2, 0)
    with psycopg.connect(dsn) as conn:
        assert conn.execute("SELECT count(*) FROM bpjs.submission_candidate WHERE status = 'pending' "
                            "AND status_reason IS NULL").fetchone()[0] == 4


def test_a_row_bpjs_has_keeps_what_was_sent(pg_dsn, tmp_path):
    """An outside review: 2026-12 run again with declared_income 2,000,000 in the rules rewrote
    the premium of 40 accepted and 11 submitted rows to 26,800 and pointed them at the new batch
    (declared income 2,000,000), though BPJS was sent and accepted 16,800 at 1,000,000; their
    evidence, kelurahan and kab/kota were rewritten too (a submitted row moved to another
    kab/kota). A row BPJS has (submitted, accepted, rejected) keeps what was sent: its fields,
    kab/kota, batch and time; its rank (not sent) follows the list in place, as any row's. Each
    batch still matches the table (its checksum is of the listed rows as the table holds them),
    the rows are not counted as updated, and are reported as kept as sent."""
    from pipelines.bpjs_exchange import apply_response, export_pending

    db.migrate(pg_dsn)
    period = "2026-12"
    niks = [f"64740115088500{i:02d}" for i in range(1, 6)]
    submit(pg_dsn, candidates(niks[:4], period=period), period, declared_income=1_000_000)
    path, exported = export_pending(pg_dsn, period, tmp_path, declared_income=1_000_000)
    assert exported == 4
    (tmp_path / "r.csv").write_text("NIK,PERIODE,HASIL,KPJ,ALASAN\n"
                                    f"{niks[0]},{period},DITERIMA,12345678901,\n"
                                    f"{niks[1]},{period},DITOLAK,,NIK tidak dikenal\n")
    assert apply_response(pg_dsn, tmp_path / "r.csv").accepted == 1
    kept = ("SELECT nik, period, region, status, status_reason, batch_id, nama_lgkp, tgl_lhr, jenis_klmin, alamat, "
            "no_rt, no_rw, kode_kel, jenis_pkrjn, pekerjaan_kode, desil, disabilitas, iuran_bulanan, evidence, kpj, "
            "created_at, updated_at, withdrawn_at, answered_at FROM bpjs.submission_candidate ORDER BY nik")
    with psycopg.connect(pg_dsn) as conn:
        before = {r[0]: r for r in conn.execute(kept).fetchall()}
    # the rules' income doubled (premium 26,800), the evidence reworded, the kelurahan mended, the
    # ranks moved; niks[3] (submitted) now lives in 6409; niks[4] is new
    later = pl.concat([candidates([niks[4], *niks[:3]], period=period), candidates(niks[3:4], period=period,
                                                                                  region="6409")]).with_columns(
        iuran_bulanan=pl.lit(26800), evidence=pl.lit("umur 41 tahun; upah 2.000.000"),
        kode_kel=pl.col("kode_kab") + "011002")
    res = {r["region"]: r for r in submit(pg_dsn, later, period, declared_income=2_000_000)}
    with psycopg.connect(pg_dsn) as conn:
        after = {r[0]: r for r in conn.execute(kept).fetchall()}
        ranks = dict(conn.execute("SELECT nik, rank FROM bpjs.submission_candidate"))
        incomes = dict(conn.execute("SELECT c.nik, b.declared_income FROM bpjs.submission_candidate c "
                                    "JOIN bpjs.submission_batch b ON b.id = c.batch_id"))
    assert {n: after[n] for n in niks[:4]} == {n: before[n] for n in niks[:4]}
    assert ranks == dict(later.select("NIK", "rank").iter_rows())
    assert incomes == {**{n: 1_000_000 for n in niks[:4]}, niks[4]: 2_000_000}
    assert {r: (c["inserted"], c["updated"], c["withdrawn"], c.get("kept_as_sent")) for r, c in res.items()} == \
        {"6409": (0, 0, 0, 1), "6474": (1, 0, 0, 3)}
    for region, c in res.items():
        check = batch_consistency(pg_dsn, c["batch_id"], later.filter(pl.col("kode_kab") == region)["NIK"].to_list())
        assert check["rows_match"] and check["checksum_matches"] and check["stray_pending"] == 0, (region, check)
    # the same run again changes nothing, and says so
    again = {r["region"]: r for r in submit(pg_dsn, later, period, declared_income=2_000_000)}
    assert {r: (c["inserted"], c["updated"], c["withdrawn"], c["reranked"]) for r, c in again.items()} == \
        {"6409": (0, 0, 0, 0), "6474": (0, 0, 0, 0)}
    assert {r: c["checksum"] for r, c in again.items()} == {r: c["checksum"] for r, c in res.items()}
    with psycopg.connect(pg_dsn) as conn:
        assert {r[0]: r for r in conn.execute(kept)} == after
