"""The verification loop end to end: a returned gap list is validated, stored, and respected
by the next run; each kind of bad returned file is refused whole with a message in Indonesian."""

import csv
import os
import re
import shutil
from pathlib import Path
from unittest.mock import patch

import polars as pl
import psycopg
import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.formula import ArrayFormula

from tests.conftest import environ
from tests.test_pipeline import PERIOD, _fresh_db


@pytest.fixture(scope="module")
def run(small_world, pg_server, tmp_path_factory):
    from dagster_project.cli import run_pipeline

    out, home = tmp_path_factory.mktemp("vout"), tmp_path_factory.mktemp("vhome")
    dsn = _fresh_db(pg_server, "verification")
    with environ(LINDUNGI_HOME=str(home)):
        run_pipeline(str(small_world), PERIOD, str(out), db=dsn)
    return {"out": out, "home": home, "dsn": dsn, "world": small_world}


def _returned(run, edit, name=None) -> Path:
    src = sorted((run["out"] / "gap_lists" / PERIOD).glob("*.xlsx"))[0]
    wb = load_workbook(src)
    ws = wb["Daftar Calon Peserta"]
    edit(ws)
    inbox = run["out"] / "inbox" / "verifikasi" / PERIOD
    inbox.mkdir(parents=True, exist_ok=True)
    path = inbox / (name or src.name)
    wb.save(path)
    return path


def _apply(run, monkeypatch):
    import dagster as dg

    from dagster_project.resources import Database
    from dagster_project.sensors import apply_verification, verification_sensor

    monkeypatch.setenv("LINDUNGI_OUT", str(run["out"]))
    monkeypatch.setenv("LINDUNGI_HOME", str(run["home"]))
    results = []
    for req in verification_sensor(dg.build_sensor_context()):
        res = apply_verification.execute_in_process(run_config=req.run_config, raise_on_error=False,
                                                    resources={"database": Database(dsn=run["dsn"])})
        results.append(res.success)
    return results


@pytest.mark.parametrize("name,edit,problem", [
    ("mungkin", lambda ws: ws.cell(7, 15, "Mungkin"), "baris 7: Hasil Verifikasi tidak dikenal; pilih dari daftar"),
    ("angka", lambda ws: ws.cell(7, 15, 5), "baris 7: Hasil Verifikasi tidak dikenal"),
    # what was typed is not repeated: here a NIK (it was quoted in the refusal and the event log)
    ("nik", lambda ws: ws.cell(7, 15, "6474011508900001"), "baris 7: Hasil Verifikasi tidak dikenal"),
    # saved without cached values (openpyxl): a formula read as an empty cell, dropped in silence
    ("rumus", lambda ws: ws.cell(7, 15, '=IF(1=1,"Meninggal","")'), "baris 7: Hasil Verifikasi berisi rumus"),
    # a row copied with another result: two results for one person, the later one won
    ("ganda", lambda ws: [ws.cell(7, 15, "Valid")] + [ws.cell(40, c, ws.cell(7, c).value) for c in range(1, 18)]
     + [ws.cell(40, 15, "Meninggal")], "baris 40: baris ganda (orang yang sama dengan baris 7)"),
    ("nama", lambda ws: ws.cell(7, 3, "NAMA LAIN"), "baris 7: kolom terkunci 'Nama Lengkap' diubah"),
    ("nik-ubah", lambda ws: ws.cell(8, 4, "6474011508900001"), "baris 8: kolom terkunci 'NIK' diubah"),
    # a column inserted (sheet unprotected): the message names where, so it can be found and removed
    ("kolom", lambda ws: [ws.insert_cols(3), ws.cell(6, 3, "No HP")],
     "judul kolom diubah: kolom C (baris 6) seharusnya 'Nama Lengkap'"),
    ("id", lambda ws: ws.cell(7, 17, "0" * 20), "tidak ada dalam daftar"),
    # a worker the list missed, typed in below it with a note: said as an added row (a
    # coordinators' review)
    ("tambahan", lambda ws: [ws.cell(7, 15, "Valid"), ws.cell(ws.max_row + 1, 3, "WARGA BARU"),
                             ws.cell(ws.max_row, 16, "belum terdaftar")],
     "tidak ada dalam daftar periode ini; baris tambahan? hapus baris itu"),
    # found by fuzzing: a result written once over merged rows (a household that moved) was
    # stored for the first person only, without a word; an array formula (an object in
    # openpyxl) was "not a known choice", and in Catatan stored as the object's repr
    ("gabung", lambda ws: [ws.cell(7, 15, "Pindah domisili"), ws.merge_cells("O7:O9")],
     "baris 7-9: sel 'Hasil Verifikasi' digabung (merge)"),
    ("rumus-array", lambda ws: ws.cell(7, 15, ArrayFormula("O7", '=IF(1=1,"Valid","")')),
     "baris 7: Hasil Verifikasi berisi rumus"),
    ("catatan-rumus", lambda ws: [ws.cell(7, 15, "Valid"), ws.cell(7, 16, ArrayFormula("P7", "=C7"))],
     "baris 7: Catatan berisi rumus"),
    # which month the file is for, as A3 says
    ("periode", lambda ws: ws.cell(3, 1, "Periode Januari 2020; dibuat 01-01-2020"),
     "bukan untuk periode November 2026 (file ini untuk periode Januari 2020)"),
    # not one row of the lists (the ID Baris column cleared, or made with another key): said once,
    # with the likely causes, not as every row "not in this period's list"
    ("semua-id", lambda ws: [setattr(ws.cell(r, 17), "value", None) for r in range(7, ws.max_row + 1)],
     "tidak satu baris pun cocok dengan daftar periode November 2026"),
])
def test_bad_returned_files_are_refused_with_the_reason(run, monkeypatch, name, edit, problem):
    path = _returned(run, edit, name=f"bad-{name}.xlsx")
    assert _apply(run, monkeypatch) == [False]
    refused = path.parent / "ditolak" / path.name
    said = (path.parent / "ditolak" / f"{path.name}.masalah.txt").read_text()
    assert refused.exists() and problem in said and "6474011508900001" not in said
    with psycopg.connect(run["dsn"]) as conn:
        assert conn.execute("SELECT count(*) FROM bpjs.verification").fetchone()[0] == 0


@pytest.mark.parametrize("move", ["insert", "delete"])
def test_a_row_inserted_or_deleted_above_the_table_still_reads_back(run, move):
    """The title and the header were read at fixed rows (A3, row 6): a row inserted above the
    table refused the file as another period's, a row deleted as a changed column title."""
    from pipelines.pseudonym import load_key
    from pipelines.verification import read_returned

    def edit(ws):
        ws.cell(7, 15, "Valid")
        ws.insert_rows(2) if move == "insert" else ws.delete_rows(5)

    path = _returned(run, edit, name=f"moved-{move}.xlsx")
    cands = pl.read_parquet(run["out"] / "enrollment_candidates" / f"{PERIOD}.parquet")
    try:
        assert read_returned(path, PERIOD, cands, load_key(run["home"]))["hasil"].to_list() == ["Valid"]
    finally:
        path.unlink()


def test_a_list_whose_sheet_declares_too_few_rows_is_read_whole(run, tmp_path):
    """Found by fuzzing: a workbook from another tool whose <dimension> says A1:S8 had its
    results below row 8 dropped without a word (read-only openpyxl trusts the declaration)."""
    import re
    import zipfile

    from pipelines.pseudonym import load_key
    from pipelines.verification import read_returned

    path = _returned(run, lambda ws: [ws.cell(r, 15, "Valid") for r in range(7, 12)], name="dimension.xlsx")
    declared = tmp_path / "dimension.xlsx"
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(declared, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:S8"', data)
            zout.writestr(item, data)
    path.unlink()
    cands = pl.read_parquet(run["out"] / "enrollment_candidates" / f"{PERIOD}.parquet")
    assert read_returned(declared, PERIOD, cands, load_key(run["home"]))["hasil"].to_list() == ["Valid"] * 5


def test_lists_in_a_folder_that_is_no_period_are_left_and_said(run, monkeypatch):
    """A list in inbox/verifikasi/2026-13/ or foo/ was refused as "no candidates for period
    2026-13" ("2026-11 " read exactly like the real period); it is left where it is, with a warning.
    The warning quotes a folder's name only when it has no letter: one named in words may be a
    person's (SITI AMINAH/), and went into the sensor's log with only digit runs starred (a
    privacy review); those are counted."""
    import dagster as dg

    from dagster_project.sensors import verification_sensor

    monkeypatch.setenv("LINDUNGI_OUT", str(run["out"]))
    src = sorted((run["out"] / "gap_lists" / PERIOD).glob("*.xlsx"))[0]
    placed = []
    loose = run["out"] / "inbox" / "verifikasi" / "loose.xlsx"  # straight in the inbox: ignored for good, unsaid
    loose.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(src, loose)
    for folder in ("2026-13", "2026-11 ", "foo", "bar/baz", "SITI AMINAH"):      # (bar/baz/: deeper, said too)
        d = run["out"] / "inbox" / "verifikasi" / folder
        d.mkdir(parents=True, exist_ok=True)
        placed.append(Path(shutil.copy(src, d / src.name)))
    ctx = dg.build_sensor_context()
    try:
        with patch.object(ctx.log, "warning") as warned:
            got = verification_sensor(ctx)
        assert isinstance(got, dg.SkipReason) and all(p.exists() for p in placed) and loose.exists()
        said = [c.args[0] for c in warned.call_args_list]
        assert said[1] == ("returned gap lists in folders that are no period (YYYY-MM) are left where they are: "
                           "'2026-11 ', '2026-13' and 3 other folder(s) whose names are not shown (a folder may be "
                           "named after a person)")
    finally:
        loose.unlink()
        for p in placed:
            shutil.rmtree(p.parent)
        shutil.rmtree(run["out"] / "inbox" / "verifikasi" / "bar")


def test_lists_in_a_folder_inside_a_period_s_are_left_and_said(run, monkeypatch):
    """A kelurahan's lists unzipped into inbox/verifikasi/2026-11/guntung/ were ignored for good,
    without a word; the sensor's own diproses/ and ditolak/ are no such folder. A folder named in
    words (guntung/, or SITI AMINAH/: a privacy review) is counted, not named."""
    import dagster as dg

    from dagster_project import sensors

    monkeypatch.setenv("LINDUNGI_OUT", str(run["out"]))
    src = sorted((run["out"] / "gap_lists" / PERIOD).glob("*.xlsx"))[0]
    period = run["out"] / "inbox" / "verifikasi" / PERIOD
    placed = []
    for folder in ("guntung", "6474011508900001/sub", "SITI AMINAH", "diproses", "ditolak", "kosong"):
        (period / folder).mkdir(parents=True, exist_ok=True)
        if folder != "kosong":
            placed.append(Path(shutil.copy(src, period / folder / src.name)))
    # what an unzip on a Mac leaves: hidden files, no lists (they were refused into ditolak/)
    (period / "__MACOSX").mkdir()
    placed += [Path(shutil.copy(src, period / "__MACOSX" / f"._{src.name}")),
               Path(shutil.copy(src, period / f"._{src.name}"))]
    ctx = dg.build_sensor_context()
    try:
        with patch.object(ctx.log, "warning") as warned:
            got = sensors.verification_sensor(ctx)
        assert isinstance(got, dg.SkipReason) and all(p.exists() for p in placed)
        assert [c.args for c in warned.call_args_list] == [(
            f"returned gap lists in a folder inside a period's folder are left where they are: move "
            f"them into the period's folder itself: '{PERIOD}/****************' and 2 other folder(s) in {PERIOD}/ "
            "whose names are not shown (a folder may be named after a person)",)]
    finally:
        shutil.rmtree(period)


def test_a_note_without_a_result_is_said_not_stored(run):
    """A Catatan on a row without a Hasil Verifikasi has nothing to be stored with: it went
    without a word. The line the command and the job print says which rows."""
    from pipelines.pseudonym import load_key
    from pipelines.verification import Applied, _read_returned, stored_line

    def fill(ws):
        ws.cell(7, 15, "Valid")
        ws.cell(9, 16, "rumah kosong, kembali minggu depan")

    path = _returned(run, fill, name="notes.xlsx")
    cands = pl.read_parquet(run["out"] / "enrollment_candidates" / f"{PERIOD}.parquet")
    try:
        rows, _, unused = _read_returned(path, PERIOD, cands, load_key(run["home"]))
        assert rows["hasil"].to_list() == ["Valid"] and unused == [9]
    finally:
        path.unlink()
    assert stored_line("a.xlsx", Applied(1, 1, (9,))) == \
        "a.xlsx: 1 hasil verifikasi disimpan; catatan tanpa Hasil Verifikasi tidak disimpan (baris 9)"


def test_a_choice_typed_in_another_case_is_the_choice(run):
    """Excel's list validation lets "valid" or "sudah  TERDAFTAR" through as typed: they are
    the choices, stored as the list spells them; anything else is still refused."""
    from pipelines.pseudonym import load_key
    from pipelines.verification import VerificationError, read_returned

    def fill(ws):
        ws.cell(7, 15, " valid ")
        ws.cell(8, 15, "sudah  TERDAFTAR")
        ws.cell(9, 15, "Bukan pekerja-informal.")   # pasted past the drop-down (was refused, unquoted)
        ws.cell(10, 15, "Tidak\u2013ditemukan")       # an en dash, from a phone or a word processor
        ws.cell(11, 15, " - ")                         # "not visited": empty, as row 5 asks
        # characters of no width, pasted from a chat: the cell shows "Valid" (an outside review)
        ws.cell(12, 15, "\ufeffValid\u200b")
        ws.cell(13, 15, "Meninggal\u2060\u200e")

    path = _returned(run, fill, name="typed.xlsx")
    cands = pl.read_parquet(run["out"] / "enrollment_candidates" / f"{PERIOD}.parquet")
    key, bad = load_key(run["home"]), None
    try:
        assert sorted(read_returned(path, PERIOD, cands, key)["hasil"]) == [
            "Bukan pekerja informal", "Meninggal", "Sudah terdaftar", "Tidak ditemukan", "Valid", "Valid"]
        bad = _returned(run, lambda ws: ws.cell(7, 15, "valid-ish"), name="typed-bad.xlsx")
        with pytest.raises(VerificationError, match="baris 7: Hasil Verifikasi tidak dikenal"):
            read_returned(bad, PERIOD, cands, key)
    finally:
        path.unlink()
        if bad is not None:
            bad.unlink()


def test_a_note_below_the_table_is_no_row_but_a_result_without_a_person_is_refused(run):
    """A coordinator's note typed below the table ("3 warga tidak ditemukan") refused the whole
    file as a row not in the list. A row with no person is skipped; a result typed on such a row
    is still refused, since it belongs to no one."""
    from pipelines.pseudonym import load_key
    from pipelines.verification import VerificationError, read_returned

    def note(ws):
        ws.cell(7, 15, "Valid")
        last = ws.max_row
        ws.cell(last + 2, 1, "Catatan: 3 warga tidak ditemukan di alamat")
        ws.cell(last + 3, 16, "diperiksa oleh lurah")

    cands = pl.read_parquet(run["out"] / "enrollment_candidates" / f"{PERIOD}.parquet")
    key = load_key(run["home"])
    path = _returned(run, note, name="note.xlsx")
    bad = _returned(run, lambda ws: ws.cell(ws.max_row + 2, 15, "Meninggal"), name="orphan.xlsx")
    try:
        assert read_returned(path, PERIOD, cands, key)["hasil"].to_list() == ["Valid"]
        with pytest.raises(VerificationError, match="tidak ada dalam daftar"):
            read_returned(bad, PERIOD, cands, key)
    finally:
        path.unlink()
        bad.unlink()


def test_lindungi_verification_applies_a_returned_list_without_the_ui(run, monkeypatch, capsys):
    """The inbox sensor runs only under `lindungi ui` with the sensor turned on: the command
    applies one file now, or refuses it with the problems in Indonesian, storing nothing."""
    from dagster_project.cli import main

    monkeypatch.setenv("LINDUNGI_HOME", str(run["home"]))
    bad = _returned(run, lambda ws: ws.cell(7, 15, "Mungkin"), name="cli-bad.xlsx")
    good = _returned(run, lambda ws: [ws.cell(7, 15, "Valid"), ws.cell(8, 15, "Menolak")], name="cli-good.xlsx")
    try:
        argv = ["--period", PERIOD, "--out", str(run["out"]), "--db", run["dsn"]]
        assert main(["verification", str(bad), *argv]) == 1
        err = capsys.readouterr().err
        assert "baris 7: Hasil Verifikasi tidak dikenal" in err and "cli-bad.xlsx ditolak: 1 masalah" in err
        with psycopg.connect(run["dsn"]) as conn:
            assert conn.execute("SELECT count(*) FROM bpjs.verification WHERE file = 'cli-bad.xlsx'").fetchone()[0] == 0
        assert main(["verification", str(good), *argv]) == 0
        assert "cli-good.xlsx: 2 hasil verifikasi disimpan" in capsys.readouterr().out
        with psycopg.connect(run["dsn"]) as conn:
            stored = conn.execute("SELECT hasil FROM bpjs.verification WHERE file = 'cli-good.xlsx' ORDER BY hasil")
            assert [r[0] for r in stored] == ["Menolak", "Valid"]
            conn.execute("DELETE FROM bpjs.verification WHERE file = 'cli-good.xlsx'")
    finally:
        bad.unlink()
        good.unlink()


def _in_contract_order(cands: pl.DataFrame) -> bool:
    """The candidates' rank is CONTRACT §2's: disability first, lower desil (none after 10), then
    kelurahan and name, whatever a kelurahan verified."""
    key = cands.sort("rank").select(d=~pl.col("disabilitas"), desil=pl.col("desil").fill_null(11),
                                    k=pl.col("kode_kel"), n=pl.col("NAMA_LGKP"))
    return key.rows() == sorted(key.rows())


def test_returned_list_is_stored_and_respected_by_the_next_run(run, monkeypatch, capsys):
    from dagster_project.cli import run_pipeline

    first = sorted((run["out"] / "gap_lists" / PERIOD).glob("*.xlsx"))[0]
    ws = load_workbook(first)["Daftar Calon Peserta"]
    names = [ws.cell(7, 3).value, ws.cell(8, 3).value]

    def fill(ws):
        ws.cell(7, 15, "Meninggal")
        ws.cell(8, 15, "Valid")
        ws.cell(8, 16, "sudah dikunjungi")

    path = _returned(run, fill)
    assert _apply(run, monkeypatch) == [True]
    assert (path.parent / "diproses" / path.name).exists()
    with psycopg.connect(run["dsn"]) as conn:
        stored = dict(conn.execute("SELECT hasil, catatan FROM bpjs.verification").fetchall())
    assert stored == {"Meninggal": None, "Valid": "sudah dikunjungi"}

    summary = run_pipeline(str(run["world"]), PERIOD, str(run["out"]), db=run["dsn"])
    assert summary["left_out"] == {"held_by_bpjs": 0, "excluded_by_verification": 1}  # said in the summary
    cands = pl.read_parquet(run["out"] / "enrollment_candidates" / f"{PERIOD}.parquet")
    with psycopg.connect(run["dsn"]) as conn:
        dead, valid = (conn.execute("SELECT nik FROM bpjs.verification WHERE hasil = %s", (h,)).fetchone()[0]
                       for h in ("Meninggal", "Valid"))
    assert dead not in set(cands["NIK"]) and valid in set(cands["NIK"])
    assert cands.filter(pl.col("NIK") == valid)["NAMA_LGKP"].item() == names[1]
    with psycopg.connect(run["dsn"]) as conn:
        rows = conn.execute("SELECT c.status, c.status_reason FROM bpjs.submission_candidate c "
                            "JOIN bpjs.verification v USING (nik, period) ORDER BY v.hasil").fetchall()
    assert rows == [("withdrawn", "hasil verifikasi: Meninggal"), ("pending", None)]
    # Valid moves ahead for submission, not in the rank: the rank stays CONTRACT §2's order
    # (disability, desil with none after 10, kelurahan, name), the Valid is said in the evidence
    # and counted as verified in the coverage figures, and the BPJS export sends them first (below)
    assert _in_contract_order(cands)
    row = cands.filter(pl.col("NIK") == valid).row(0, named=True)
    assert row["terverifikasi"] and "diverifikasi Valid oleh kelurahan" in row["evidence"]
    assert row["rank"] > 1 and cands["terverifikasi"].sum() == 1
    import dagster as dg

    from dagster_project.cli import _instance

    shown = _instance().get_latest_materialization_event(dg.AssetKey("enrollment_candidates")).asset_materialization
    assert shown.metadata["verified_valid_exported_first"].value == 1  # not "ranked first": they are not
    cov = pl.read_parquet(run["out"] / "coverage_by_kelurahan" / f"{PERIOD}.parquet")
    assert cov["terverifikasi"].sum() == 1
    # the deceased is counted as excluded by the verification, and every row adds up (it was in no
    # column while still among the workers)
    assert cov["dikecualikan"].sum() == 1 == summary["left_out"]["excluded_by_verification"]
    assert (cov["pekerja"] == cov["terlindungi"] + cov["didaftarkan"] + cov["kandidat"] + cov["dikecualikan"]).all()
    assert "Terverifikasi" in (run["out"] / "coverage" / f"{PERIOD}.html").read_text(encoding="utf-8")
    # a person's latest result holds in later periods too: the deceased is not listed next month
    # (run before this period's export: once exported, BPJS has them and nobody is listed again)
    nxt = f"{PERIOD[:4]}-{int(PERIOD[5:]) + 1:02d}" if PERIOD[5:] != "12" else f"{int(PERIOD[:4]) + 1}-01"
    run_pipeline(str(run["world"]), nxt, str(run["out"]), db=run["dsn"])
    later = pl.read_parquet(run["out"] / "enrollment_candidates" / f"{nxt}.parquet")
    assert dead not in set(later["NIK"]) and later.filter(pl.col("NIK") == valid)["terverifikasi"].item()
    assert _in_contract_order(later)

    from pipelines.bpjs_exchange import export_pending

    path, n = export_pending(run["dsn"], PERIOD, run["out"])
    sent = [line.split(",", 1)[0] for line in path.read_text(encoding="utf-8").splitlines()[1:]]
    assert n == cands.height and sent == [valid, *cands.sort("rank").filter(pl.col("NIK") != valid)["NIK"]]
    # the next month, those exported are BPJS's (the roster does not show them yet): not listed,
    # and the command's summary says how many, with those the kelurahan verified out
    from dagster_project.cli import print_summary

    summary = run_pipeline(str(run["world"]), nxt, str(run["out"]), db=run["dsn"])
    assert summary["left_out"] == {"held_by_bpjs": n, "excluded_by_verification": 1}
    print_summary(summary, "")
    assert f"not listed: {n:,} sent to BPJS in another period's export" in capsys.readouterr().out


def test_every_coordinator_export_is_logged_without_personal_data(run):
    with psycopg.connect(run["dsn"]) as conn:
        rows = conn.execute("SELECT period, region, inputs, counts FROM bpjs.processing_log "
                            "WHERE activity = 'gap_list_export' ORDER BY id").fetchall()
    assert rows, "no gap-list export in the processing log"
    period, region, inputs, counts = rows[0]
    files = sorted((run["out"] / "gap_lists" / PERIOD).glob("*.xlsx"))
    cands = pl.read_parquet(run["out"] / "enrollment_candidates" / f"{PERIOD}.parquet")
    assert period == PERIOD and region == "6474" and inputs["by"] and inputs["full_nik"] is False
    assert counts["files"] == len(files) == len(inputs["files"])
    text = str(rows)
    assert not any(nik in text for nik in cands["NIK"].head(200))


def test_a_note_excel_turned_into_a_date_or_number_is_kept_as_text(run, monkeypatch):
    """Excel makes a typed "2/1/2026" a date and "08123" a number: the Catatan is free text, so
    the returned list is stored with the note as the coordinator saw it, not refused or crashed."""
    from datetime import datetime, time

    def fill(ws):
        ws.cell(9, 15, "Valid")
        ws.cell(9, 16, datetime(2026, 1, 2))
        ws.cell(10, 15, "Pindah domisili")
        ws.cell(10, 16, 8123456789)
        # a typed "8.30" (a time) and "benar" (a boolean): were stored as "08:30:00" and "True"
        ws.cell(11, 15, "Menolak")
        ws.cell(11, 16, time(8, 30))
        ws.cell(12, 15, "Meninggal")
        ws.cell(12, 16, True)

    _returned(run, fill, name="catatan-bukan-teks.xlsx")
    assert _apply(run, monkeypatch) == [True]
    with psycopg.connect(run["dsn"]) as conn:
        stored = dict(conn.execute("SELECT hasil, catatan FROM bpjs.verification "
                                   "WHERE file = 'catatan-bukan-teks.xlsx'").fetchall())
    assert stored == {"Valid": "02-01-2026", "Pindah domisili": "8123456789", "Menolak": "08:30",
                      "Meninggal": "BENAR"}


def test_the_workbooks_last_editor_is_not_written_to_the_processing_log(any_pg_dsn, tmp_path):
    """The returned list's last editor (``lastModifiedBy``: a full name as Office writes it, or a
    resident's) went into bpjs.processing_log, which is append-only and outlives retention; it
    stays beside the results in bpjs.verification only."""
    from pipelines.db import migrate, operator
    from pipelines.verification import store

    migrate(any_pg_dsn)
    f = tmp_path / "6474011001.xlsx"
    f.write_bytes(b"returned")
    rows = pl.DataFrame({"NIK": ["6474012102820001"], "hasil": ["Valid"], "catatan": [None],
                         "kode_kel": ["6474011001"]})
    assert store(any_pg_dsn, rows, PERIOD, f, "SITI AMINAH BINTI HASAN") == 1
    with psycopg.connect(any_pg_dsn) as conn:
        log = conn.execute("SELECT inputs FROM bpjs.processing_log WHERE activity = 'verification'").fetchall()
        who = conn.execute("SELECT received_by FROM bpjs.verification").fetchall()
    assert log[0][0]["by"] == operator() and "SITI" not in str(log)
    assert who == [("SITI AMINAH BINTI HASAN",)]


def test_a_nik_in_a_returned_list_s_name_is_starred_in_the_processing_log(any_pg_dsn, tmp_path):
    """A list saved as "daftar <NIK>.xlsx" was logged by its name, whole, in the append-only log
    the retention keeps: a full NIK there could never be erased (it is logged by its label now)."""
    from pipelines.db import migrate
    from pipelines.files import list_label
    from pipelines.verification import store

    migrate(any_pg_dsn)
    f = tmp_path / "daftar 6474012102820001.xlsx"
    f.write_bytes(b"returned")
    rows = pl.DataFrame({"NIK": ["6474012102820001"], "hasil": ["Valid"], "catatan": [None],
                         "kode_kel": ["6474011001"]})
    store(any_pg_dsn, rows, PERIOD, f, "x")
    with psycopg.connect(any_pg_dsn) as conn:
        [(inputs,)] = conn.execute("SELECT inputs FROM bpjs.processing_log WHERE activity = 'verification'").fetchall()
        files = conn.execute("SELECT file FROM bpjs.verification").fetchall()
    assert files[0][0] == "daftar ****************.xlsx" and inputs["file"] == list_label(f.name)


def test_a_list_named_after_a_person_is_logged_by_its_label(any_pg_dsn, tmp_path, monkeypatch):
    """A privacy review: bpjs.processing_log, which the retention keeps, named a returned list as
    it was saved with only digit runs starred: "daftar SITI AMINAH.xlsx" kept the name for ever.
    It is logged by its label (``list_label``) now; a name the lists are written under stays."""
    from pipelines.db import migrate
    from pipelines.verification import store

    monkeypatch.setenv("LINDUNGI_HOME", str(tmp_path / "home"))
    migrate(any_pg_dsn)
    rows = pl.DataFrame({"NIK": ["6474012102820001"], "hasil": ["Valid"], "catatan": [None],
                         "kode_kel": ["6474011001"]})
    for name in ("6474011001 daftar SITI AMINAH.xlsx", "6474011001_2026-11.xlsx"):
        (tmp_path / name).write_bytes(b"returned")
        store(any_pg_dsn, rows, PERIOD, tmp_path / name, "x")
    with psycopg.connect(any_pg_dsn) as conn:
        logged = [i["file"] for (i,) in conn.execute(
            "SELECT inputs FROM bpjs.processing_log WHERE activity = 'verification' ORDER BY id")]
    assert re.fullmatch(r"6474011001-daftar-[0-9a-f]{12}\.xlsx", logged[0]) and logged[1] == "6474011001_2026-11.xlsx"
    assert "SITI" not in str(logged) and "AMINAH" not in str(logged)


def test_a_later_lists_result_holds_when_an_earlier_month_is_run_again(any_pg_dsn, tmp_path):
    """Verification results counted for their period and later ones only: a January run after
    April's list came back (a backfill) listed and exported someone verified as deceased."""
    from pipelines.db import migrate
    from pipelines.verification import store, verified_exclusions, verified_valid

    migrate(any_pg_dsn)
    f = tmp_path / "6474011001.xlsx"
    f.write_bytes(b"returned")
    rows = pl.DataFrame({"NIK": ["6474012102820001", "6474012102820002"], "hasil": ["Meninggal", "Valid"],
                         "catatan": [None, None], "kode_kel": ["6474011001"] * 2})
    assert store(any_pg_dsn, rows, "2026-04", f, "x") == 2
    # (every period's run reads the same latest results: January's, run again after April's list)
    living = pl.DataFrame({"NIK": rows["NIK"], "kode_kel": rows["kode_kel"]})
    assert verified_exclusions(any_pg_dsn, living) == {"6474012102820001": "hasil verifikasi: Meninggal"}
    assert verified_valid(any_pg_dsn) == ["6474012102820002"]
    # the same list applied again changes nothing, and says so
    assert store(any_pg_dsn, rows, "2026-04", f, "x") == 0


def test_a_move_holds_in_the_kelurahan_that_said_it(any_pg_dsn, tmp_path):
    """A coordinators' review: Bontang Kuala verified a worker 'Pindah domisili'; January's
    extract had him in Tanjung Laut, working age, informal, unprotected, and he was on no list
    for good, Tanjung Laut's coverage counting him as excluded by its own verification. A move
    holds while the extract still has the person where it was said: listed in another
    kelurahan, the runs list and the export sends them there. The other choices say who the
    person is, and hold wherever they live."""
    from pipelines.bpjs_exchange import export_pending, verified_out_back
    from pipelines.db import migrate
    from pipelines.submission import submit
    from pipelines.verification import store, verified_exclusions
    from tests.test_submission import candidates

    migrate(any_pg_dsn)
    moved, dead, stays = "6474012102820001", "6474012102820002", "6474012102820003"
    f = tmp_path / "6474011001.xlsx"
    f.write_bytes(b"returned")
    store(any_pg_dsn, pl.DataFrame({"NIK": [moved, dead, stays], "hasil": ["Pindah domisili", "Meninggal",
                                                                          "Pindah domisili"],
                                    "catatan": [None] * 3, "kode_kel": ["6474011001"] * 3}), "2026-12", f, "x")
    december = pl.DataFrame({"NIK": [moved, dead, stays], "kode_kel": ["6474011001"] * 3})
    january = pl.DataFrame({"NIK": [moved, dead, stays], "kode_kel": ["6474021001", "6474021001", "6474011001"]})
    assert verified_exclusions(any_pg_dsn, december) == {n: f"hasil verifikasi: {h}" for n, h in
                                                         ((moved, "Pindah domisili"), (dead, "Meninggal"),
                                                          (stays, "Pindah domisili"))}
    assert verified_exclusions(any_pg_dsn, january) == {dead: "hasil verifikasi: Meninggal",
                                                        stays: "hasil verifikasi: Pindah domisili"}
    # the export: listed in December where the move was said, left out; listed in January elsewhere, sent
    submit(any_pg_dsn, candidates([moved, dead, stays], "2026-12"), "2026-12")
    assert verified_out_back(any_pg_dsn, "2026-12") == 3 and export_pending(any_pg_dsn, "2026-12", tmp_path)[1] == 0
    listed = candidates([moved, dead], "2027-01").with_columns(kode_kel=pl.lit("6474021001"), kode_kec=pl.lit("647402"))
    submit(any_pg_dsn, listed, "2027-01")
    assert verified_out_back(any_pg_dsn, "2027-01") == 1
    path, n = export_pending(any_pg_dsn, "2027-01", tmp_path)
    assert n == 1 and [r["NIK"] for r in csv.DictReader(path.open())] == [moved]
    # back in the first kelurahan after a month elsewhere (its re-check: left off every list for
    # good): the move happened, and the result is spent; where January did not list them
    # elsewhere, it still holds
    back = "6474012102820004"                      # said moved in December too, listed in B in January
    store(any_pg_dsn, pl.DataFrame({"NIK": [back], "hasil": ["Pindah domisili"], "catatan": [None],
                                    "kode_kel": ["6474011001"]}), "2026-12", f, "x")
    submit(any_pg_dsn, pl.concat([listed, candidates([back], "2027-01").with_columns(
        kode_kel=pl.lit("6474021001"), kode_kec=pl.lit("647402"))]), "2027-01")   # (after January's export)
    february = pl.DataFrame({"NIK": [back, stays], "kode_kel": ["6474011001", "6474011001"]})
    assert verified_exclusions(any_pg_dsn, february) == {dead: "hasil verifikasi: Meninggal",
                                                         stays: "hasil verifikasi: Pindah domisili"}
    submit(any_pg_dsn, candidates([back, stays], "2027-02"), "2027-02")
    assert verified_out_back(any_pg_dsn, "2027-02") == 1
    path, n = export_pending(any_pg_dsn, "2027-02", tmp_path)
    assert n == 1 and [r["NIK"] for r in csv.DictReader(path.open())] == [back]


def test_a_result_is_stored_for_the_kelurahan_whose_list_it_came_on(run, tmp_path):
    """A re-check of a coordinators' review: a list printed for Bontang Kuala, the period then run
    again from a newer extract placing the person in Tanjung Laut, and the printed list returned
    with 'Pindah domisili': the result was stored for Tanjung Laut (the person's kelurahan in the
    latest run), excluding them where they now live. The list's title names its kelurahan."""
    from pipelines.pseudonym import load_key
    from pipelines.verification import _list_kelurahan, read_returned

    path = _returned(run, lambda ws: [ws.cell(7, 15, "Pindah domisili"),
                                      ws.cell(2, 1, "Kelurahan Lain (6474099999), Kecamatan X (647409)")],
                     name="kel-lain.xlsx")
    cands = pl.read_parquet(run["out"] / "enrollment_candidates" / f"{PERIOD}.parquet")
    rows = read_returned(path, PERIOD, cands, load_key(run["home"]))
    path.unlink()
    assert rows.select("hasil", "kode_kel").rows() == [("Pindah domisili", "6474099999")]
    assert _list_kelurahan([("Daftar",), ("Kelurahan 6474091001, Kecamatan 647409 (kode tidak ada …)",)]) == "6474091001"
    assert _list_kelurahan([("Desa Muara Leka (6402012002), Kecamatan X (640201)",)]) == "6402012002"
    assert _list_kelurahan([("Periode November 2026",)]) is None


def test_a_list_returned_again_after_the_next_run_is_not_refused(small_world, pg_server, tmp_path, monkeypatch):
    """A coordinator returns a list, the city applies it and runs the period again (new extracts
    mid-month), and the coordinator sends the same file again with more visits filled in. The
    run withdrew the people the kelurahan verified out, and the list was refused whole: "baris 7:
    tidak ada dalam daftar periode ini", for the kelurahan's own earlier results. Such a person
    is still on the period's list that went out; their row is read back as before."""
    from dagster_project.cli import run_pipeline
    from pipelines.verification import apply_returned

    out, home = tmp_path / "out", tmp_path / "home"
    dsn = _fresh_db(pg_server, "verification_again")
    monkeypatch.setenv("LINDUNGI_HOME", str(home))
    run_pipeline(str(small_world), PERIOD, str(out), db=dsn)
    src = sorted((out / "gap_lists" / PERIOD).glob("*.xlsx"))[0]
    wb = load_workbook(src)
    wb["Daftar Calon Peserta"].cell(7, 15, "Meninggal")
    first = tmp_path / src.name
    wb.save(first)
    assert apply_returned(dsn, first, PERIOD, out) == (1, 1, (), 0, ())
    run_pipeline(str(small_world), PERIOD, str(out), db=dsn)  # withdraws the deceased

    assert apply_returned(dsn, first, PERIOD, out) == (1, 0, (), 0, ())  # the same file again: nothing new
    wb["Daftar Calon Peserta"].cell(8, 15, "Valid")  # more visits, on the same file
    more = tmp_path / f"lagi-{src.name}"
    wb.save(more)
    assert apply_returned(dsn, more, PERIOD, out) == (2, 1, (), 0, ())
    with psycopg.connect(dsn) as conn:
        assert sorted(r[0] for r in conn.execute("SELECT hasil FROM bpjs.verification")) == ["Meninggal", "Valid"]
        # found by fuzzing: a later period's list said Valid for one of them; this earlier list,
        # returned after it, was "stored" and no run used it: now said
        conn.execute("INSERT INTO bpjs.verification (nik, period, hasil, kode_kel, file, file_sha256, received_by) "
                     "SELECT nik, '2099-01', 'Valid', kode_kel, 'f.xlsx', 'x', 'kel' FROM bpjs.verification LIMIT 1")
    assert apply_returned(dsn, more, PERIOD, out) == (2, 0, (), 1, ())


@pytest.mark.parametrize("name", ["6474011001.XLSX", "6474011001.xlsm", "~$6474011001.xlsx"])
def test_the_inbox_takes_an_upper_case_xlsx_and_leaves_excels_lock_file(run, monkeypatch, name):
    """A list saved as "6474011001.XLSX" stayed in the inbox for good (the sensor said there was
    none), and the "~$…xlsx" owner file Excel makes beside a file it has open was taken for a
    returned list and refused into ditolak/."""
    import dagster as dg

    from dagster_project.sensors import verification_sensor

    monkeypatch.setenv("LINDUNGI_OUT", str(run["out"]))
    inbox = run["out"] / "inbox" / "verifikasi" / PERIOD
    inbox.mkdir(parents=True, exist_ok=True)
    path = inbox / name
    path.write_bytes(b"x")
    try:
        got = verification_sensor(dg.build_sensor_context())
        taken = [] if isinstance(got, dg.SkipReason) else [
            r.run_config["ops"]["apply_verification_file"]["config"]["path"] for r in got]
        assert taken == ([str(path.resolve())] if not name.startswith("~$") else [])
    finally:
        path.unlink()


def test_a_list_saved_in_another_format_is_said_with_what_to_do(run, monkeypatch, tmp_path):
    """LibreOffice Calc asks at every save of an .xlsx whether to keep it or use its own .ods (a
    LibreOffice round trip, by an outside tester): such a list in the inbox stayed there for good
    without a word, and `lindungi verification` refused it naming no way out."""
    import dagster as dg

    from dagster_project.sensors import verification_sensor
    from pipelines.pseudonym import load_key
    from pipelines.verification import VerificationError, read_returned

    cands = pl.read_parquet(run["out"] / "enrollment_candidates" / f"{PERIOD}.parquet")
    ods = tmp_path / "6474011001.ods"
    ods.write_bytes(b"PK\x03\x04 not an xlsx")
    with pytest.raises(VerificationError, match=r"file bukan XLSX yang valid: tersimpan sebagai ODS \(format "
                                                r"LibreOffice\); buka di Excel atau LibreOffice, simpan sebagai "
                                                r"\"Excel Workbook \(\*\.xlsx\)\""):
        read_returned(ods, PERIOD, cands, load_key(run["home"]))
    # a workbook only renamed .xls (an .xlsx inside) is read, where it was refused as saved in
    # Excel 97-2003 (a coordinators' review)
    renamed = _returned(run, lambda ws: ws.cell(7, 15, "Valid"), name="renamed.xlsx")
    xls = renamed.rename(tmp_path / "6474011001.xls")
    assert read_returned(xls, PERIOD, cands, load_key(run["home"]))["hasil"].to_list() == ["Valid"]
    monkeypatch.setenv("LINDUNGI_OUT", str(run["out"]))
    inbox = run["out"] / "inbox" / "verifikasi" / PERIOD
    inbox.mkdir(parents=True, exist_ok=True)
    placed = [inbox / "6474011001.ods", inbox / "6474011002.XLS", inbox / ".~lock.6474011001.ods#"]
    for p in placed:
        p.write_bytes(b"x")
    ctx = dg.build_sensor_context()
    try:
        with patch.object(ctx.log, "warning") as warned:
            got = verification_sensor(ctx)
        assert isinstance(got, dg.SkipReason) and all(p.exists() for p in placed)
        said = [c.args[0] for c in warned.call_args_list]
        assert len(said) == 1 and said[0].startswith(
            f"files in {run['out'] / 'inbox' / 'verifikasi'} that are no XLSX are left where they are: "
            "6474011001.ods, 6474011002.XLS (a returned gap list is read as .xlsx only")
    finally:
        for p in placed:
            p.unlink()


def test_a_truth_value_libreoffice_saved_as_a_formula_is_the_value(run, tmp_path):
    """LibreOffice Calc saves a truth value (TRUE typed in a General cell, then saved again) as
    the formula TRUE() with its value; the list was refused for a formula in Catatan. It is
    stored as the value Excel shows, as a truth value Excel saved is."""
    from openpyxl import load_workbook

    from pipelines.pseudonym import load_key
    from pipelines.reports import COL, HEADER_ROW
    from pipelines.verification import read_returned

    src = sorted((run["out"] / "gap_lists" / PERIOD).glob("*.xlsx"))[0]
    path = tmp_path / src.name
    wb = load_workbook(src)
    ws = wb["Daftar Calon Peserta"]
    for i, note in enumerate(("=TRUE()", "=false()")):
        ws.cell(HEADER_ROW + 2 + i, COL["Hasil Verifikasi"] + 1).value = "Valid"
        ws.cell(HEADER_ROW + 2 + i, COL["Catatan"] + 1).value = note
    wb.save(path)
    cands = pl.read_parquet(run["out"] / "enrollment_candidates" / f"{PERIOD}.parquet")
    assert read_returned(path, PERIOD, cands, load_key(run["home"]))["catatan"].to_list() == ["BENAR", "SALAH"]


def test_a_damaged_workbook_is_refused_not_a_crash(run, tmp_path):
    """A list damaged on the way (a mail attachment cut short or corrupted) opens as a ZIP but
    its sheet cannot be read: the command stopped on "ParseError: not well-formed", and the
    sensor's run failed, leaving the file in the inbox without a word to anyone."""
    import zipfile

    from pipelines.pseudonym import load_key
    from pipelines.verification import VerificationError, read_returned

    src = sorted((run["out"] / "gap_lists" / PERIOD).glob("*.xlsx"))[0]
    bad = tmp_path / src.name
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(bad, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item)
            zout.writestr(item, data[: len(data) // 2] if item.filename == "xl/worksheets/sheet1.xml" else data)
    cands = pl.read_parquet(run["out"] / "enrollment_candidates" / f"{PERIOD}.parquet")
    with pytest.raises(VerificationError, match="file XLSX rusak"):
        read_returned(bad, PERIOD, cands, load_key(run["home"]))


def test_the_line_says_when_a_list_came_back_with_nothing_filled_in():
    from pipelines.verification import Applied, stored_line

    assert stored_line("a.xlsx", Applied(0, 0)) == "a.xlsx: tidak ada Hasil Verifikasi yang diisi; tidak ada yang disimpan"
    assert stored_line("a.xlsx", Applied(12, 2)) == "a.xlsx: 2 hasil verifikasi disimpan, 10 sama seperti sebelumnya"
    assert stored_line("a.xlsx", Applied(3, 3)) == "a.xlsx: 3 hasil verifikasi disimpan"
    assert stored_line("a.xlsx", Applied(3, 3, (), 2)) == (
        "a.xlsx: 3 hasil verifikasi disimpan; 2 di antaranya tidak berlaku: orang yang sama sudah punya hasil pada "
        "daftar periode yang lebih baru, yang tetap berlaku")


def test_a_list_saved_under_a_nik_runs_under_the_starred_name_and_a_missing_file_fails(run, monkeypatch):
    """Found by fuzzing through the UI: a list saved as "daftar <NIK>.xlsx" put the NIK whole in
    its run's config, tags and key, its log line and the daemon's terminal; the run finds the
    file by its label now (``list_label``: a keyed digest of its name). And a run whose file is not there (a path mistyped in the
    launchpad, or a refused file's run executed again after it was filed away) ended green
    having done nothing."""
    import dagster as dg

    from dagster_project.resources import Database
    from dagster_project.sensors import apply_verification, verification_sensor

    nik = "6474011508900001"
    path = _returned(run, lambda ws: ws.cell(7, 15, "Valid"), name=f"daftar {nik}.xlsx")
    monkeypatch.setenv("LINDUNGI_OUT", str(run["out"]))
    monkeypatch.setenv("LINDUNGI_HOME", str(run["home"]))
    monkeypatch.setenv("LINDUNGI_INBOX_SETTLE_S", "0")
    [req] = verification_sensor(dg.build_sensor_context())
    assert nik not in repr((req.run_key, req.tags, req.run_config))
    with dg.instance_for_test() as instance:
        res = apply_verification.execute_in_process(run_config=req.run_config, tags=req.tags, instance=instance,
                                                    resources={"database": Database(dsn=run["dsn"])})
        said = [e.message for e in instance.all_logs(res.run_id)]
        assert res.success and not path.exists() and (path.parent / "diproses" / path.name).exists()
        assert any(re.search(r"daftar-[0-9a-f]{12}\.xlsx: ", m) for m in said) and not any(nik in m for m in said)
        # the same run again: its file was filed away
        again = apply_verification.execute_in_process(run_config=req.run_config, instance=instance,
                                                      raise_on_error=False,
                                                      resources={"database": Database(dsn=run["dsn"])})
    assert not again.success
    [failure] = [e for e in again.all_events if e.is_step_failure]
    assert re.search(r"daftar-[0-9a-f]{12}\.xlsx: tidak ada di ", failure.step_failure_data.error.message)


def test_a_list_saved_under_a_person_s_name_runs_under_a_label_without_it(run, monkeypatch):
    """A privacy audit: a returned list saved under a resident's or a coordinator's name ("daftar
    SITI AMINAH.xlsx") put the name in its run's key, tags, config and log, in the sensor's ticks
    and log. They name it by a keyed digest of its name now, with the kelurahan code it begins
    with; the same file still gets one run key, two files alike but for their names two, and a
    refusal's problems in the UI name the label too."""
    import dagster as dg

    from dagster_project.resources import Database
    from dagster_project.sensors import apply_verification, verification_sensor

    monkeypatch.setenv("LINDUNGI_OUT", str(run["out"]))
    monkeypatch.setenv("LINDUNGI_HOME", str(run["home"]))
    path = _returned(run, lambda ws: ws.cell(7, 15, "Valid"), name="6474011001 daftar SITI AMINAH.xlsx")
    bad = path.with_name("ROSMALA DEWI.xlsx")
    bad.write_bytes(b"not a workbook")
    os.utime(bad, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns))
    ctx = dg.build_sensor_context()
    reqs = verification_sensor(ctx)
    assert sorted(verification_sensor(ctx), key=lambda r: r.run_key) == sorted(reqs, key=lambda r: r.run_key)
    by_key = {r.run_key: r for r in reqs}
    assert len(by_key) == 2
    for name in ("SITI", "AMINAH", "ROSMALA", "DEWI"):
        assert name not in repr([(r.run_key, r.tags, r.run_config) for r in reqs])
    [good] = [r for r in reqs if r.run_key.startswith(f"{PERIOD}/6474011001-daftar-")]
    [refused] = [r for r in reqs if r is not good]
    assert re.fullmatch(rf"{PERIOD}/daftar-[0-9a-f]{{12}}\.xlsx:[0-9-]+", refused.run_key)
    with dg.instance_for_test() as instance:
        for req in (good, refused):
            res = apply_verification.execute_in_process(run_config=req.run_config, tags=req.tags, instance=instance,
                                                        raise_on_error=False,
                                                        resources={"database": Database(dsn=run["dsn"])})
            assert res.success == (req is good)
            kept = repr([instance.all_logs(res.run_id), instance.get_run_by_id(res.run_id)])
            for name in ("SITI", "AMINAH", "ROSMALA", "DEWI"):
                assert name not in kept, name
    assert (path.parent / "diproses" / path.name).exists() and (path.parent / "ditolak" / bad.name).exists()
    assert "bukan XLSX" in (path.parent / "ditolak" / (bad.name + ".masalah.txt")).read_text()


def test_someone_bpjs_holds_and_a_kelurahan_verified_out_is_counted_once_alike(small_world, pg_server, tmp_path,
                                                                                 monkeypatch, capsys):
    """Found by an audit of the figures: exported in November, then verified Meninggal, the person
    was "verified out" in the December summary and `didaftarkan` (BPJS holds them) in the coverage
    page of the same run: the summary's counts and the page's did not agree. The kelurahan's
    result comes first, as in the reason of their withdrawn rows: not among the registered, nor
    among those the city chases BPJS about. Applying such results says, by row, that they undo
    no registration: a coordinators' review found them stored without a word, the city paying
    on for a dead person."""
    from dagster_project.cli import main, run_pipeline

    dsn = _fresh_db(pg_server, "held_and_verified_out")
    out, home = tmp_path / "out", tmp_path / "home"
    monkeypatch.setenv("LINDUNGI_HOME", str(home))
    run_pipeline(str(small_world), PERIOD, str(out), db=dsn)
    assert main(["export", "--period", PERIOD, "--out", str(out), "--db", dsn]) == 0
    src = sorted((out / "gap_lists" / PERIOD).glob("*.xlsx"))[0]
    wb = load_workbook(src)
    ws = wb["Daftar Calon Peserta"]
    ws.cell(7, 15, "Meninggal")
    ws.cell(8, 15, "Pindah domisili")    # (a move changes no membership: no warning)
    ws.cell(9, 15, "Valid")
    ws.cell(10, 15, "Sudah terdaftar")   # awaiting BPJS's answer: registered twice
    ws.cell(11, 15, "Sudah terdaftar")   # accepted: the export's own registration, as expected
    wb.save(tmp_path / "kembali.xlsx")
    from pipelines.bpjs_exchange import apply_response
    from pipelines.pseudonym import load_key
    from pipelines.verification import read_returned
    from tests.test_bpjs_exchange import write_response

    cands = pl.read_parquet(out / "enrollment_candidates" / f"{PERIOD}.parquet")
    row_11 = read_returned(tmp_path / "kembali.xlsx", PERIOD, cands, load_key(home)).filter(pl.col("baris") == 11)
    apply_response(dsn, write_response(tmp_path / "r.csv", [[row_11["NIK"][0], PERIOD, "DITERIMA", "12345678901", ""]]))
    capsys.readouterr()
    assert main(["verification", str(tmp_path / "kembali.xlsx"), "--period", PERIOD, "--out", str(out),
                 "--db", dsn]) == 0
    assert capsys.readouterr().out.startswith(
        "kembali.xlsx: 5 hasil verifikasi disimpan; PERHATIAN: 2 di antaranya sudah dikirim ke BPJS "
        "Ketenagakerjaan (baris 7, 10): hasil ini tidak membatalkan pendaftaran yang sudah dikirim atau diterima; "
        "sampaikan kepada BPJS Ketenagakerjaan (periode 2026-11)")
    summary = run_pipeline(str(small_world), "2026-12", str(out), db=dsn)
    cov = pl.read_parquet(out / "coverage_by_kelurahan" / "2026-12.parquet")
    # (all awaiting BPJS's answer but row 11's, accepted)
    assert summary["left_out"]["held_by_bpjs"] == cov["didaftarkan"].sum() == cov["menunggu_bpjs"].sum() + 1 > 1
    # (row 11, Sudah terdaftar of someone the export got accepted, is that registration: held)
    assert summary["left_out"]["excluded_by_verification"] == cov["dikecualikan"].sum() == 3
    # and each list's Ringkasan says so for its kelurahan (a coordinators' review: 87 rows, then 3)
    said = {}
    for path in (out / "gap_lists" / "2026-12").glob("*.xlsx"):
        for name, n in load_workbook(path, read_only=True)["Ringkasan"].iter_rows(max_col=2, values_only=True):
            if name and isinstance(n, int | float):
                said[str(name).strip()] = said.get(str(name).strip(), 0) + n
    assert said["sudah dikirim ke BPJS, belum tampak di data peserta"] == cov["didaftarkan"].sum() > 0
    assert said["dikecualikan menurut hasil verifikasi"] == 3


def test_someone_found_who_does_no_informal_work_has_a_choice_of_their_own(small_world, pg_server, tmp_path,
                                                                              monkeypatch, capsys):
    """From a coordinator's review of the lists: a person found at home who is a civil servant, an
    employee or a pupil fitted no choice; coordinators picked Menolak (refused, which they had
    not) or left the cell empty, and the person was listed again month after month. And someone
    the visit did not find comes back with the list saying so (the column was blank)."""
    from dagster_project.cli import main, print_summary, run_pipeline
    from pipelines.reports import VERIFIKASI

    assert "Bukan pekerja informal" in VERIFIKASI
    dsn = _fresh_db(pg_server, "not_informal")
    out = tmp_path / "out"
    monkeypatch.setenv("LINDUNGI_HOME", str(tmp_path / "home"))
    run_pipeline(str(small_world), PERIOD, str(out), db=dsn)
    src = sorted((out / "gap_lists" / PERIOD).glob("*.xlsx"))[0]
    wb = load_workbook(src)
    wb["Daftar Calon Peserta"].cell(7, 15, "bukan pekerja  INFORMAL")   # typed, not picked
    wb["Daftar Calon Peserta"].cell(7, 16, "PNS")
    wb["Daftar Calon Peserta"].cell(8, 15, "Tidak ditemukan")
    not_found_name = wb["Daftar Calon Peserta"].cell(8, 3).value
    wb.save(tmp_path / "kembali.xlsx")
    assert main(["verification", str(tmp_path / "kembali.xlsx"), "--period", PERIOD, "--out", str(out),
                 "--db", dsn]) == 0
    # another kelurahan's list filled in where it lay: moved to the inbox by the next run, not
    # applied, and the summary says so (a coordinators' review found one progress line only)
    in_place = sorted((out / "gap_lists" / PERIOD).glob("*.xlsx"))[1]
    wb = load_workbook(in_place)
    wb["Daftar Calon Peserta"].cell(7, 15, "Meninggal")
    wb.save(in_place)
    summary = run_pipeline(str(small_world), PERIOD, str(out), db=dsn)
    assert summary["moved_to_inbox"] == 1 and (out / "inbox" / "verifikasi" / PERIOD / in_place.name).exists()
    print_summary(summary, "")
    assert (f"WARNING: 1 workbook(s) in {out.resolve()}/gap_lists/{PERIOD}/ changed since they were written (filled in "
            f"where they lay?) are moved to {out.resolve()}/inbox/verifikasi/{PERIOD}/ and NOT applied: this run did "
            f"not use them; apply each with `lindungi verification FILE --period {PERIOD}`") in capsys.readouterr().out
    with psycopg.connect(dsn) as conn:
        rows = conn.execute("SELECT v.hasil, v.catatan, c.status, c.status_reason FROM bpjs.verification v "
                            "JOIN bpjs.submission_candidate c USING (nik, period) ORDER BY v.hasil").fetchall()
    assert rows == [("Bukan pekerja informal", "PNS", "withdrawn", "hasil verifikasi: Bukan pekerja informal"),
                    ("Tidak ditemukan", None, "pending", None)]
    assert summary["left_out"]["excluded_by_verification"] == 1
    # the one not found is listed again, and the list says the last visit did not find them
    from pipelines.reports import COL, HEADER_ROW

    cands = pl.read_parquet(out / "enrollment_candidates" / f"{PERIOD}.parquet")
    assert cands["tidak_ditemukan"].sum() == 1
    ws = load_workbook(src)["Daftar Calon Peserta"]
    said = {r[COL["Nama Lengkap"]]: r[COL["Verifikasi Sebelumnya"]] for r in ws.iter_rows(min_row=HEADER_ROW + 2,
                                                                                            values_only=True)}
    assert said[not_found_name] == "Tidak ditemukan" and list(said.values()).count("Tidak ditemukan") == 1
    # the next month run after November's lists were filled in where they lay (one saved with an
    # upper-case extension, one as LibreOffice's .ods): said as well, the files left for November
    # (a re-check found no word, and the .XLSX neither moved nor named)
    folder = out / "gap_lists" / PERIOD
    shutil.copy(src, folder / "6474011001 terisi.XLSX")
    (folder / "6474011001.ods").write_bytes(b"PK\x03\x04 ods")
    summary = run_pipeline(str(small_world), "2026-12", str(out), db=dsn)
    assert summary["changed_lists_elsewhere"] == {PERIOD: 2}
    print_summary(summary, "")
    assert (f"WARNING: 2 file(s) in {out.resolve()}/gap_lists/{PERIOD}/ changed since they were written (filled in "
            f"where they lay?) and NOT applied: this run did not use their results; apply each with `lindungi "
            f"verification FILE --period {PERIOD}`") in capsys.readouterr().out
    summary = run_pipeline(str(small_world), PERIOD, str(out), db=dsn)              # November's run moves them
    assert summary["moved_to_inbox"] == 2 and summary["moved_in_other_formats"] == 1
    assert summary["changed_lists_elsewhere"] == {}   # (December's lists as its run wrote them)
