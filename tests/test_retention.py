"""Retention (UU PDP Art. 42-44): expired periods' lists erased from the files and the real
embedded PostgreSQL; everything else kept."""

import os
import time
from pathlib import Path

import psycopg
import pytest

from dagster_project.cli import main
from pipelines import db
from pipelines.bpjs_exchange import export_pending
from pipelines.retention import erase, last_expired, plan
from pipelines.submission import submit
from tests.test_submission import candidates

NIKS = ["6474011508850001", "6474011508850002", "6474011508850003"]
PERIODS = ["2023-10", "2023-11", "2023-12"]


def test_last_expired_counts_whole_months_back():
    from datetime import date

    assert last_expired("2026-11", 24, today=date(2026, 11, 29)) == "2024-11"
    with pytest.raises(ValueError, match="this month or an earlier one, not 2026-12"):
        last_expired("2026-12", 24, today=date(2026, 11, 29))   # this month's lists would go
    assert last_expired("2026-11", 24) == "2024-11"
    assert last_expired("2026-01", 1) == "2025-12"
    assert last_expired("2026-10", 12) == "2025-10"
    with pytest.raises(ValueError):
        last_expired("2026-11", 0)
    with pytest.raises(ValueError):
        last_expired("2026-1", 24)
    with pytest.raises(ValueError, match="period must be YYYY-MM"):
        last_expired("0000-01", 24)                              # said so, not "year 0 is out of range"
    # found by fuzzing: refused quoting a period the user never typed ("-001-01")
    with pytest.raises(ValueError, match="counted to a month from 2020-01 on, when the periods begin, not 0001-01"):
        last_expired("0001-01", 24)


def test_the_month_is_the_city_s_not_the_host_s(monkeypatch):
    """At 18:00 UTC on 30 November it is 1 December in Bontang (WITA, UTC+8), where the monthly
    runs start at 02:00 and 04:00: the retention's month, the demo's default period and the
    lists' dates count from the city's clock. On a UTC host the retention refused December
    as a later month and kept November's expired lists."""
    from datetime import datetime, timezone

    import pipelines.dates as dates

    monkeypatch.setattr(dates, "_now", lambda: datetime(2026, 11, 30, 18, 0, tzinfo=timezone.utc))
    assert dates.this_month() == "2026-12" and dates.today_wita().isoformat() == "2026-12-01"
    assert last_expired("2026-12", 1) == "2026-11"
    monkeypatch.setattr(dates, "_now", lambda: datetime(2026, 11, 30, 15, 59, tzinfo=timezone.utc))
    with pytest.raises(ValueError, match="this month is 2026-11"):
        last_expired("2026-12", 1)


def _touch(path: Path, text: str = "x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.fixture
def history(pg_dsn, tmp_path):
    """Three periods of lists: rows (one period exported), verification results, files."""
    db.migrate(pg_dsn)
    out = tmp_path / "out"
    for period in PERIODS:
        submit(pg_dsn, candidates(NIKS, period), period)
        for asset in ("resident_assessment", "enrollment_candidates", "gap_lists", "coverage_by_kelurahan"):
            _touch(out / asset / f"{period}.parquet")
        _touch(out / "gap_lists" / period / "6474011001.xlsx")
        _touch(out / "inbox" / "verifikasi" / period / "6474011001.xlsx")
        _touch(out / "coverage" / f"{period}.html")
    export_pending(pg_dsn, "2023-11", out)
    with psycopg.connect(pg_dsn) as conn:
        for period in PERIODS:
            conn.execute("INSERT INTO bpjs.verification (nik, period, hasil, kode_kel, file, file_sha256, received_by) "
                         "VALUES (%s, %s, 'Valid', '6474011001', 'f.xlsx', 'x', 'kel')", (NIKS[0], period))
    old = _touch(out / "inbox" / "bpjs" / "processed" / "hasil-lama.csv")
    os.utime(old, (time.mktime((2023, 11, 20, 0, 0, 0, 0, 0, -1)),) * 2)
    _touch(out / "inbox" / "bpjs" / "processed" / "hasil-baru.csv")
    return pg_dsn, out


def _rows(dsn):
    with psycopg.connect(dsn) as conn:
        return {
            "candidates": dict(conn.execute("SELECT period, count(*) FROM bpjs.submission_candidate GROUP BY 1")),
            "verification": dict(conn.execute("SELECT period, count(*) FROM bpjs.verification GROUP BY 1")),
            "erased": dict(conn.execute("SELECT period, erased_at IS NOT NULL FROM bpjs.submission_batch")),
            "log": conn.execute("SELECT period, inputs, counts FROM bpjs.processing_log "
                                "WHERE activity = 'retention'").fetchall(),
        }


def test_erase_removes_the_expired_periods_lists_and_keeps_the_rest(history):
    dsn, out = history
    todo = plan(out, dsn, "2023-11")
    assert todo.periods == ["2023-10", "2023-11"]
    assert todo.candidate_rows == {"2023-10": {"pending": 3}, "2023-11": {"submitted": 3}}
    assert _rows(dsn)["candidates"] == {p: 3 for p in PERIODS}      # a plan erases nothing

    done = erase(todo, dsn, months=24, as_of="2025-11")
    assert done.rows == 6 + 2
    after = _rows(dsn)
    assert after["candidates"] == {"2023-12": 3} and after["verification"] == {"2023-12": 1}
    assert after["erased"] == {"2023-10": True, "2023-11": True, "2023-12": False}
    [(period, inputs, counts)] = after["log"]
    assert period == "2023-11" and inputs == {"retention_months": 24, "as_of": "2025-11", "by": db.operator()}
    assert counts["submission_candidate"] == 6 and counts["verification"] == 2 and counts["batches"] == 2

    left = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert left == sorted([
        *(f"{a}/{p}.parquet" for a in ("resident_assessment", "enrollment_candidates", "gap_lists")
          for p in ["2023-12"]),
        *(f"coverage_by_kelurahan/{p}.parquet" for p in PERIODS),   # figures name no one
        *(f"coverage/{p}.html" for p in PERIODS),
        "gap_lists/2023-12/6474011001.xlsx", "inbox/verifikasi/2023-12/6474011001.xlsx",
        "inbox/bpjs/processed/hasil-baru.csv",
    ])
    assert not (out / "bpjs_export" / "2023-11").exists()
    assert plan(out, dsn, "2023-11").empty()                        # twice: nothing more


def test_files_left_in_the_inboxes_are_erased_by_the_month_last_modified(history):
    """A list dropped straight into inbox/verifikasi/ or into a folder that is no period is left
    by the sensor (with a warning), and was never erased: names and verification results kept
    past their retention. It goes by the month it was last modified, as filed responses do."""
    dsn, out = history
    inbox = out / "inbox" / "verifikasi"
    old_month = time.mktime((2023, 11, 20, 0, 0, 0, 0, 0, -1))
    stale = [_touch(inbox / "6474011001.xlsx"), _touch(inbox / "foo" / "6474011002.xlsx"),
             _touch(inbox / "2023-13" / "sub" / "6474011003.xlsx")]
    fresh = [_touch(inbox / "6474011004.xlsx"), _touch(inbox / "bar" / "6474011005.xlsx")]
    for f in stale:
        os.utime(f, (old_month,) * 2)
    # a period's folder goes with its period, whatever its files' dates
    kept = _touch(inbox / "2023-12" / "diproses" / "6474011006.xlsx")
    os.utime(kept, (old_month,) * 2)
    (inbox / "link.xlsx").symlink_to(fresh[0])
    # BPJS's answers left in its inbox (no CSV, or given up after failed runs) go the same way
    # ... and in a folder inside the inbox (an answer unzipped), which the sensor leaves with a warning
    for left in (_touch(out / "inbox" / "bpjs" / "hasil-lama.xlsx"), _touch(out / "inbox" / "bpjs" / "zip" / "a" / "h.csv")):
        os.utime(left, (old_month,) * 2)
        stale.append(left)
    fresh += [_touch(out / "inbox" / "bpjs" / "hasil-baru.xlsx"), _touch(out / "inbox" / "bpjs" / "zip" / "h2.csv")]
    # a kab/kota's list of residents to fix without a kelurahan code goes with its period
    unplaced = _touch(out / "perbaikan_data" / "2023-11" / "6474.xlsx")
    todo = plan(out, dsn, "2023-11")
    assert set(stale) <= set(todo.files) and not ({*fresh, kept, inbox / "link.xlsx"} & set(todo.files))
    assert unplaced.parent in todo.folders
    erase(todo, dsn, months=24, as_of="2025-11")
    assert not any(f.exists() for f in (*stale, unplaced)) and all(f.exists() for f in (*fresh, kept))
    # the folders they left empty go too (a name may be a person's); not those still holding a file
    assert not (inbox / "foo").exists() and not (inbox / "2023-13").exists()
    assert not (out / "inbox" / "bpjs" / "zip" / "a").exists() and (out / "inbox" / "bpjs" / "zip").is_dir()
    assert (inbox / "bar").is_dir() and inbox.is_dir() and (out / "inbox" / "bpjs").is_dir()
    assert plan(out, dsn, "2023-11").empty()


def test_the_line_reads_properly_when_only_inbox_files_expire():
    """An erasure of inbox files alone (no period's lists or rows left) began "erased periods ;
    2 file(s) ..." (a privacy review); it names no periods then."""
    from pipelines.retention import Plan

    todo = Plan("2023-11", files=[Path("out/inbox/bpjs/hasil-lama.xlsx"), Path("out/inbox/verifikasi/foo/x.xlsx")])
    assert todo.summary() == ("2 file(s) and 0 folder(s) under --out; 0 bpjs.submission_candidate row(s); "
                              "0 bpjs.verification row(s)")
    assert Plan("2023-11", files=[Path("out/gap_lists/2023-10.parquet")]).summary().startswith("periods 2023-10; 1 file(s)")


def test_a_refused_answer_s_note_goes_with_it(history):
    """A privacy audit: a refused BPJS answer "hasil <NIK>.csv" went by the month it was last
    modified, and the note the sensor wrote beside it at the refusal, later, "hasil
    <NIK>.csv.error.txt", stayed with the NIK in its name. The note goes with its file; a note
    whose file is kept, or whose file is gone, goes by its own month."""
    from pipelines.files import refusal_note

    dsn, out = history
    rejected = out / "inbox" / "bpjs" / "rejected"
    old_month, later = (time.mktime((y, m, 20, 0, 0, 0, 0, 0, -1)) for y, m in ((2023, 10), (2024, 6)))
    answer = _touch(rejected / "hasil 6474012505900001.csv")
    note = refusal_note(answer, ".error.txt")
    _touch(note, "baris 2: HASIL tidak dikenal\n")
    assert note.name == answer.name + ".error.txt"      # no more than the refused file's own name
    os.utime(answer, (old_month,) * 2)
    os.utime(note, (later,) * 2)                         # written at the refusal, months later
    kept = _touch(rejected / "hasil-baru 6474012505900002.csv")
    kept_note = _touch(refusal_note(kept, ".error.txt"))
    orphan = _touch(rejected / "hasil 6474012505900003.csv.error.txt")
    os.utime(kept_note, (old_month,) * 2)
    os.utime(orphan, (old_month,) * 2)
    todo = plan(out, dsn, "2023-11")
    assert {answer, note, kept_note, orphan} <= set(todo.files) and kept not in todo.files
    erase(todo, dsn, months=24, as_of="2025-11")
    assert [p.name for p in rejected.iterdir()] == [kept.name]


def test_what_cannot_be_erased_is_said_and_the_rest_is_erased(history, monkeypatch, capsys):
    """Found by fuzzing: a folder that could not be removed (immutable) stopped the erasure with
    Python's PermissionError after the rows were gone, the folders after it were never tried, and
    the processing log had counted every planned folder as erased."""
    import shutil

    import pipelines.retention as retention
    from dagster_project.cli import main

    dsn, out = history
    stuck = out / "bpjs_export" / "2023-11"
    real = shutil.rmtree

    def rmtree(path, *a, **k):
        if Path(path) == stuck:
            raise PermissionError(1, "Operation not permitted", str(path))
        return real(path, *a, **k)

    monkeypatch.setattr(retention.shutil, "rmtree", rmtree)
    monkeypatch.setenv("LINDUNGI_HOME", str(out.parent / "home"))
    assert main(["retention", "--out", str(out), "--db", dsn, "--as-of", "2025-11"]) == 1
    said = capsys.readouterr()
    assert f"NOT erased, 1 file(s) or folder(s) that could not be removed: {stuck} (Operation not permitted)" \
        in said.out and "could not be erased (above)" in said.err
    assert stuck.exists() and not (out / "inbox" / "verifikasi" / "2023-11").exists()   # the others went
    [(_, _, counts)] = _rows(dsn)["log"]
    planned = len(plan(out, dsn, "2023-11").folders)   # (the stuck one still there)
    assert counts["not_erased"] == 1 and planned == 1


def test_a_path_that_cannot_be_erased_is_said_with_its_nik_starred(history, monkeypatch):
    """An answer saved as "hasil <NIK>.csv" that could not be removed was named whole in the
    command's output and the retention job's failure."""
    import pipelines.retention as retention

    dsn, out = history
    stuck = out / "inbox" / "bpjs" / "processed" / "hasil 6474011508850001.csv"
    stuck.parent.mkdir(parents=True, exist_ok=True)
    stuck.write_text("x")
    os.utime(stuck, (time.mktime((2023, 11, 20, 0, 0, 0, 0, 0, -1)),) * 2)
    real = Path.unlink

    def unlink(path, *a, **k):
        if path == stuck:
            raise PermissionError(1, "Operation not permitted", str(path))
        return real(path, *a, **k)

    monkeypatch.setattr(retention.Path, "unlink", unlink)
    done = erase(plan(out, dsn, "2023-11"), dsn, months=24, as_of="2025-11")
    assert done.not_erased == [f"{stuck.parent}/hasil ****************.csv (Operation not permitted)"]


def test_the_plan_says_whom_bpjs_accepted_and_no_roster_shows_yet(history):
    """Erased, an accepted row no longer holds its person back: one whose card the last roster
    does not show yet is listed and exported again by a later period (an upgrade probe: 185
    people sent to BPJS twice, where the plan warned of the submitted ones alone)."""
    import polars as pl

    from pipelines.bpjs_exchange import apply_response

    dsn, out = history
    response = out.parent / "hasil.csv"
    response.write_text("NIK,PERIODE,HASIL,KPJ,ALASAN\n" + "".join(
        f"{nik},2023-11,DITERIMA,{kpj},\n" for nik, kpj in zip(NIKS[:2], ("12345678901", "12345678902"))))
    apply_response(dsn, response)
    # the roster writes a card with a dash: read by its digits, as the hold reads it
    # (no participant_links.parquet: an active card is taken as its holder's; a roster an earlier
    # version ingested, with the protection it decided)
    pl.DataFrame({"KPJ": ["1234567890-1", "99999999999"], "jkk_jkm_aktif": [True, True]}).write_parquet(
        out / "participants.parquet")
    todo = plan(out, dsn, "2023-11")
    assert todo.accepted_unseen == 1
    said = ("1 accepted by BPJS whom the last roster ingested does not show protected (their card not on it yet, or "
            "tied to no resident or to another): a period run after the erasure (a later one, or the last one "
            "again) lists and exports them again while the rules list "
            "them, until a roster shows them protected")
    assert said in todo.summary()
    # said after the erasure too, and logged (it was on the dry run alone)
    done = erase(todo, dsn, months=24, as_of="2025-11")
    assert said in done.summary() and _rows(dsn)["log"][-1][2]["accepted_unseen"] == 1


def test_the_plan_counts_whom_bpjs_accepted_and_the_roster_shows_tied_to_nobody(history):
    """An outside review: someone accepted whose card the roster showed AKTIF with an empty NIK
    (the linkage tied it to nobody) was held by the acceptance alone, as outputs.md says, and
    listed again after the erasure; the plan counted only cards missing from the roster. Counted
    as the run judges: protected is a resident the linkage ties to an active card. A card shown
    lapsed is listed again with or without the erasure, and is not counted."""
    import polars as pl

    from pipelines.bpjs_exchange import apply_response

    dsn, out = history
    cards = ["12345678901", "12345678902", "12345678903"]
    response = out.parent / "hasil.csv"
    response.write_text("NIK,PERIODE,HASIL,KPJ,ALASAN\n"
                        + "".join(f"{nik},2023-11,DITERIMA,{kpj},\n" for nik, kpj in zip(NIKS, cards)))
    apply_response(dsn, response)
    # the roster as the ingest keeps it (STATUS and PROGRAM, judged by the rules)
    pl.DataFrame({"KPJ": cards, "STATUS": ["AKTIF", "AKTIF", "NONAKTIF"],
                  "PROGRAM": ["JKK,JKM", "JKK,JKM,JHT", "JKK,JKM"]}).write_parquet(out / "participants.parquet")
    # NIKS[0] tied to their card (protected); NIKS[1]'s card has an empty NIK, tied to nobody
    pl.DataFrame({"KPJ": cards, "NIK": [NIKS[0], None, NIKS[2]]}).write_parquet(out / "participant_links.parquet")
    todo = plan(out, dsn, "2023-11")
    assert todo.accepted_unseen == 1
    assert "1 accepted by BPJS whom the last roster ingested does not show protected" in todo.summary()


def test_rows_are_still_never_deleted_outside_the_erasure(history):
    dsn, _ = history
    with psycopg.connect(dsn) as conn, pytest.raises(psycopg.errors.RaiseException, match="never deleted"):
        conn.execute("DELETE FROM bpjs.submission_candidate WHERE period = '2023-10'")
    assert _rows(dsn)["candidates"]["2023-10"] == 3


def test_the_command_previews_then_erases(history, capsys):
    dsn, out = history
    args = ["retention", "--out", str(out), "--db", dsn, "--as-of", "2025-12"]
    assert main([*args, "--dry-run"]) == 0
    said = capsys.readouterr().out
    assert "lists of 2023-12 and earlier; would erase periods 2023-10, 2023-11, 2023-12" in said
    assert "9 bpjs.submission_candidate row(s) (pending 6, submitted 3)" in said
    # those still awaiting BPJS's answer are said apart (found by fuzzing: a two-month retention
    # erased them, their answers could no longer be applied, and the next export sent them again)
    assert "3 of them still awaiting BPJS's answer: a response" in said
    assert _rows(dsn)["candidates"] == {p: 3 for p in PERIODS}

    assert main(args) == 0
    assert "erased periods 2023-10, 2023-11, 2023-12" in capsys.readouterr().out
    assert _rows(dsn)["candidates"] == {}
    assert main(args) == 0
    assert "nothing to erase" in capsys.readouterr().out


def test_the_command_notes_the_erased_partitions_in_the_dagster_history(history, tmp_path, monkeypatch):
    """The asset pages showed an erased period materialized, its file gone and nothing said
    why: the command notes each erased partition in the state directory's Dagster history."""
    import dagster as dg

    from dagster_project.cli import _dagster_home

    dsn, out = history
    monkeypatch.setenv("LINDUNGI_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("DAGSTER_HOME", "")
    home = _dagster_home()
    assert main(["retention", "--out", str(out), "--db", dsn, "--as-of", "2025-11"]) == 0
    instance = dg.DagsterInstance.from_config(str(home))
    records = instance.fetch_observations(dg.AssetKey("enrollment_candidates"), limit=10).records
    assert [(r.partition_key, "retention" in r.asset_observation.metadata["erased"].value) for r in records] == [
        ("2023-11", True), ("2023-10", True)]


def test_the_command_takes_the_months_from_the_rules_file(history, tmp_path, capsys):
    dsn, out = history
    rules = tmp_path / "rules.toml"
    text = (Path(db.__file__).with_name("rules.toml")).read_text().replace("months = 24", "months = 1000")
    rules.write_text(text)
    assert main(["retention", "--out", str(out), "--db", dsn, "--as-of", "2025-12", "--rules", str(rules)]) == 0
    assert "nothing to erase" in capsys.readouterr().out
    rules.write_text(text.replace("months = 1000", "months = 0"))
    assert main(["retention", "--out", str(out), "--db", dsn, "--rules", str(rules)]) == 1
    assert "retention.months must be a whole number from 1" in capsys.readouterr().err


def test_the_dagster_job_erases_as_the_command_does(history):
    from dagster_project.resources import Database, LindungiSettings
    from dagster_project.retention import retention

    dsn, out = history
    result = retention.execute_in_process(
        resources={"settings": LindungiSettings(input_dir=str(out), out_dir=str(out)),
                   "database": Database(dsn=dsn)},
        run_config={"ops": {"erase_expired_lists": {"config": {"as_of": "2025-10"}}}})
    assert result.success
    assert _rows(dsn)["candidates"] == {"2023-11": 3, "2023-12": 3}
    # the asset pages say why an erased period's file is gone (the history cannot be wiped)
    observed = {(e.asset_key.to_user_string(), e.partition) for e in result.get_asset_observation_events()}
    assert observed == {(a, "2023-10") for a in ("resident_assessment", "enrollment_candidates", "gap_lists")}


def test_the_schedule_erases_as_of_the_tick_s_month_in_wita():
    """The 1st at 04:00 WITA is 20:00 UTC on the last day of the month before: the run's month
    comes from the tick, not from the clock of the pod that runs it (UTC)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    import dagster as dg

    from dagster_project.retention import retention_schedule

    tick = datetime(2026, 12, 1, 4, 0, tzinfo=ZoneInfo("Asia/Makassar"))
    with dg.instance_for_test() as instance:
        data = retention_schedule.evaluate_tick(
            dg.build_schedule_context(instance=instance, scheduled_execution_time=tick))
    [request] = data.run_requests
    assert request.run_config == {"ops": {"erase_expired_lists": {"config": {"as_of": "2026-12"}}}}
    assert request.run_key == "2026-12"


def test_a_login_granted_only_the_eraser_role_erases(history):
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    dsn, out = history
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'lindungi_retention_app') "
                     "THEN CREATE ROLE lindungi_retention_app LOGIN NOSUPERUSER; END IF; END $$")
        conn.execute("GRANT lindungi_eraser TO lindungi_retention_app")
    app = make_conninfo(**{**conninfo_to_dict(dsn), "user": "lindungi_retention_app"})
    erase(plan(out, app, "2023-10"), app, months=24, as_of="2025-10")
    assert _rows(dsn)["candidates"] == {"2023-11": 3, "2023-12": 3}


def test_nothing_is_erased_without_the_out_directory_or_from_a_later_month(history, tmp_path, capsys):
    """The Dagster job, given an --out that does not exist, erased the rows and left the files
    (elsewhere) in place; a later --as-of erased this month's lists."""
    from dagster_project.resources import Database, LindungiSettings
    from dagster_project.retention import retention

    dsn, out = history
    result = retention.execute_in_process(
        resources={"settings": LindungiSettings(input_dir=str(out), out_dir=str(tmp_path / "elsewhere")),
                   "database": Database(dsn=dsn)},
        run_config={"ops": {"erase_expired_lists": {"config": {"as_of": "2025-12"}}}}, raise_on_error=False)
    assert not result.success
    assert main(["retention", "--out", str(out), "--db", dsn, "--as-of", "2999-01"]) == 1
    assert "this month or an earlier one, not 2999-01" in capsys.readouterr().err
    assert _rows(dsn)["candidates"] == {p: 3 for p in PERIODS}


def test_an_export_with_nothing_to_export_leaves_no_folder(history):
    """An export of an erased period left an empty folder, which each retention run then
    counted and logged as erased again."""
    dsn, out = history
    erase(plan(out, dsn, "2023-12"), dsn, months=24, as_of="2025-12")
    assert export_pending(dsn, "2023-10", out) == (None, 0)
    assert not (out / "bpjs_export" / "2023-10").exists()
    # nor a bpjs_export/ of its own under a new --out (found by fuzzing)
    assert export_pending(dsn, "2023-10", out / "new") == (None, 0) and not (out / "new" / "bpjs_export").exists()
    (out / "bpjs_export" / "2023-11").mkdir(parents=True)      # an empty folder names no one
    assert plan(out, dsn, "2023-12").empty()
    assert _rows(dsn)["log"][0][2]["periods"] == PERIODS


def test_a_list_returned_for_an_erased_period_is_refused_as_erased(history, tmp_path):
    """Found by fuzzing: a list of a period the retention had erased was refused as "belum ada
    daftar calon peserta" (no list yet), which sent the coordinator looking for a run."""
    from pipelines.verification import VerificationError, apply_returned

    dsn, out = history
    erase(plan(out, dsn, "2023-11"), dsn, months=24, as_of="2025-11")
    returned = _touch(tmp_path / "6474011001.xlsx")
    with pytest.raises(VerificationError) as caught:
        apply_returned(dsn, returned, "2023-11", out)
    assert caught.value.problems == ["daftar calon peserta periode 2023-11 sudah dihapus karena masa simpannya "
                                     "berakhir (UU PDP); hasil verifikasinya tidak dapat disimpan lagi"]
    with pytest.raises(VerificationError) as caught:
        apply_returned(dsn, returned, "2024-05", out)
    # where it looked (a wrong --out read as a period without a list: a coordinators' review)
    assert caught.value.problems == [f"belum ada daftar calon peserta untuk periode 2024-05 di folder {out.resolve()} "
                                     "(folder keluaran `lindungi run` periode itu: --out)"]


def test_a_response_for_an_erased_period_is_refused_as_erased_in_one_line(history, capsys):
    """An outside review: BPJS's answers for a period the retention had erased were refused with
    a line per row ("line N: not a submitted candidate of period 2026-11", 850 of them), which
    read as if those people had never been sent. One line says the period was erased, as
    `lindungi verification` says it; the command fails as for any other refusal."""
    dsn, out = history                                      # 2023-11 exported: its rows submitted
    erase(plan(out, dsn, "2023-11"), dsn, months=24, as_of="2025-11")
    answers = out.parent / "hasil.csv"
    answers.write_text("NIK,PERIODE,HASIL,KPJ,ALASAN\n"
                       + "".join(f"{nik},2023-11,DITERIMA,1234567890{i},\n" for i, nik in enumerate(NIKS)))
    assert main(["response", str(answers), "--db", dsn]) == 1
    said = capsys.readouterr()
    assert said.out == "" and said.err.splitlines() == [
        "lindungi: error: hasil.csv: 1 problem(s): period 2023-11 was erased by the retention (UU PDP): its "
        "candidates are gone and BPJS's responses for it can no longer be applied (3 row(s) of this file)"]
    # beside a row of a kept period: the file is refused whole, saying how to apply the rest
    with answers.open("a") as f:
        f.write(f"{NIKS[0]},2023-12,DITOLAK,,data tidak padan\n")
    assert main(["response", str(answers), "--db", dsn]) == 1
    err = capsys.readouterr().err
    assert ("(3 row(s) of this file); remove them to apply the file's other rows; line 5: candidate is pending, "
            "not submitted") in err and "not a submitted candidate" not in err
