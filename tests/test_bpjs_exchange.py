"""Status lifecycle against the real embedded PostgreSQL: export, response files, the sensor."""

import csv
import re
from unittest.mock import patch

import polars as pl
import psycopg
import pytest

from pipelines import db
from pipelines.bpjs_exchange import EXPORT_COLUMNS, ResponseError, apply_response, export_pending
from pipelines.files import response_label
from pipelines.submission import submit
from tests.test_submission import candidates

NIKS = ["6474011508850001", "6474011508850002", "6474011508850003"]


@pytest.fixture
def submitted(any_pg_dsn, tmp_path):
    pg_dsn = any_pg_dsn
    db.migrate(pg_dsn)
    submit(pg_dsn, candidates(NIKS), "2026-11")
    path, n = export_pending(pg_dsn, "2026-11", tmp_path)
    return pg_dsn, path, n


def exported(dsn, out, capsys, period="2026-11"):
    """What `lindungi export --period` printed, and the period's statuses after it."""
    from types import SimpleNamespace

    from dagster_project.cli import cmd_export

    cmd_export(SimpleNamespace(period=period, out=str(out), region=None, db=dsn, rules=None))
    said = capsys.readouterr().out
    with psycopg.connect(dsn) as conn:
        return said, dict(conn.execute("SELECT nik, status FROM bpjs.submission_candidate WHERE period = %s", (period,)))


def statuses(dsn):
    with psycopg.connect(dsn) as conn:
        return {r[0]: r[1:] for r in conn.execute(
            "SELECT nik, status, kpj, status_reason FROM bpjs.submission_candidate ORDER BY nik")}


def write_response(path, rows):
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["NIK", "PERIODE", "HASIL", "KPJ", "ALASAN"])
        w.writerows(rows)
    return path


def export_killed_before_commit(dsn, out, monkeypatch):
    """``export_pending`` with its process gone right after it renamed its file into place and
    before COMMIT (only the export's own rename: setting aside goes through os.replace too)."""
    import os

    import pipelines.bpjs_exchange as exchange

    real = os.replace

    def replace_then_die(src, dst):
        real(src, dst)
        if str(dst).endswith(".csv"):
            raise SystemExit("killed")

    monkeypatch.setattr(exchange.os, "replace", replace_then_die)
    try:
        with pytest.raises(SystemExit):
            export_pending(dsn, "2026-11", out)
    finally:
        monkeypatch.setattr(exchange.os, "replace", real)


def test_export_marks_submitted_and_writes_the_template(submitted, tmp_path):
    dsn, path, n = submitted
    assert n == 3 and path == tmp_path / "bpjs_export" / "2026-11" / "export-001.csv"
    rows = list(csv.reader(path.open()))
    assert rows[0] == [c for c, _ in EXPORT_COLUMNS] and len(rows) == 4
    assert rows[1][rows[0].index("TGL_LAHIR")] == "15-08-1985" and rows[1][rows[0].index("PROGRAM")] == "JKK,JKM"
    assert {s[0] for s in statuses(dsn).values()} == {"submitted"}
    assert export_pending(dsn, "2026-11", tmp_path) == (None, 0)          # nothing pending twice


def test_an_export_writes_the_income_each_premium_was_computed_from(any_pg_dsn, tmp_path):
    """An outside review: a run with a declared income of Rp2,000,000 (premium Rp26,800), then
    `lindungi export` without its rules, wrote UPAH_DILAPORKAN 1000000 beside IURAN_BULANAN 26800:
    the income came from the export's rules, the premium from the run. Each row's income is now
    its batch's; rows of a batch that recorded none (before migration 010) take the export's."""
    db.migrate(any_pg_dsn)
    submit(any_pg_dsn, candidates(NIKS[:2]).with_columns(iuran_bulanan=pl.lit(26_800)), "2026-11",
           declared_income=2_000_000)
    submit(any_pg_dsn, candidates(NIKS).with_columns(iuran_bulanan=pl.when(pl.col("NIK") == NIKS[2]).then(16_800)
                                                     .otherwise(26_800)), "2026-11")  # (no income recorded)
    path, n = export_pending(any_pg_dsn, "2026-11", tmp_path, declared_income=1_000_000)
    rows = list(csv.DictReader(path.open()))
    assert [(r["NIK"], r["UPAH_DILAPORKAN"], r["IURAN_BULANAN"]) for r in rows] == [
        (NIKS[0], "2000000", "26800"), (NIKS[1], "2000000", "26800"), (NIKS[2], "1000000", "16800")]


def test_a_run_whose_income_or_programmes_change_and_premium_does_not_moves_its_rows_onto_its_batch(
        any_pg_dsn, tmp_path):
    """A rules review: a run declaring Rp800,000 (JKK at its minimum: the premium Rp16,800 still)
    changed no row, so the rows stayed on the first batch and the export wrote UPAH_DILAPORKAN
    1000000, the income the latest run and the export both no longer declared. The programmes
    likewise (a JHT rate of 0). A row of a batch that recorded neither is not moved by it."""
    db.migrate(any_pg_dsn)
    submit(any_pg_dsn, candidates(NIKS[:2]), "2026-11", declared_income=1_000_000, programs="JKK,JKM")
    again = submit(any_pg_dsn, candidates(NIKS[:2]), "2026-11", declared_income=1_000_000, programs="JKK,JKM")
    assert again[0]["updated"] == 0  # the same terms: nothing changed
    moved = submit(any_pg_dsn, candidates(NIKS[:2]), "2026-11", declared_income=800_000, programs="JKK,JKM,JHT")
    assert moved[0]["updated"] == 2
    path, _ = export_pending(any_pg_dsn, "2026-11", tmp_path)
    rows = list(csv.DictReader(path.open()))
    assert {(r["UPAH_DILAPORKAN"], r["PROGRAM"], r["IURAN_BULANAN"]) for r in rows} == {("800000", "JKK,JKM,JHT", "16800")}
    # rows of a batch without recorded terms (a load before migrations 010 and 011) stay put
    submit(any_pg_dsn, candidates(NIKS[2:4]), "2026-12")
    assert submit(any_pg_dsn, candidates(NIKS[2:4]), "2026-12", declared_income=800_000)[0]["updated"] == 0


def test_an_export_writes_the_programmes_each_premium_pays_for(any_pg_dsn, tmp_path):
    """An outside review: with JHT required the export wrote PROGRAM 'JKK,JKM' whatever the rules: BPJS would register people again for the programmes they hold and never
    for JHT. A row's programmes are its batch's (the run's rules, recorded as its income is);
    rows of a batch that recorded none (before migration 011) take the export's rules'."""
    db.migrate(any_pg_dsn)
    submit(any_pg_dsn, candidates(NIKS[:2]).with_columns(iuran_bulanan=pl.lit(36_800)), "2026-11",
           declared_income=1_000_000, programs="JKK,JKM,JHT")
    submit(any_pg_dsn, candidates(NIKS).with_columns(iuran_bulanan=pl.when(pl.col("NIK") == NIKS[2]).then(16_800)
                                                     .otherwise(36_800)), "2026-11")  # (none recorded)
    path, n = export_pending(any_pg_dsn, "2026-11", tmp_path)
    rows = list(csv.DictReader(path.open()))
    assert [(r["NIK"], r["PROGRAM"], r["IURAN_BULANAN"]) for r in rows] == [
        (NIKS[0], "JKK,JKM,JHT", "36800"), (NIKS[1], "JKK,JKM,JHT", "36800"), (NIKS[2], "JKK,JKM", "16800")]
    # a batch holds only a package a BPU enrolment is
    with psycopg.connect(any_pg_dsn) as conn, pytest.raises(psycopg.errors.CheckViolation):
        conn.execute("UPDATE bpjs.submission_batch SET programs = 'JKK,JKM,JP'")


def test_export_takes_the_programmes_of_its_rules_for_rows_without_them(any_pg_dsn, tmp_path, capsys):
    """`lindungi export --rules` with JHT required, of rows whose batch recorded no programmes."""
    from types import SimpleNamespace

    from dagster_project.cli import cmd_export
    from pipelines.rules import DEFAULT_RULES

    db.migrate(any_pg_dsn)
    submit(any_pg_dsn, candidates(NIKS[:1]), "2026-11")
    rules = tmp_path / "jht.toml"
    rules.write_text(DEFAULT_RULES.read_text(encoding="utf-8").replace(
        'required_programs = ["JKK", "JKM"]', 'required_programs = ["JKK", "JKM", "JHT"]'), encoding="utf-8")
    cmd_export(SimpleNamespace(period="2026-11", out=str(tmp_path), region=None, db=any_pg_dsn, rules=str(rules)))
    [row] = csv.DictReader((tmp_path / "bpjs_export" / "2026-11" / "export-001.csv").open())
    assert row["PROGRAM"] == "JKK,JKM,JHT"


def test_response_round_trip(submitted, tmp_path):
    dsn, _, _ = submitted
    f = write_response(tmp_path / "r.csv", [[NIKS[0], "2026-11", "DITERIMA", "12345678901", ""],
                                            [NIKS[1], "2026-11", "DITOLAK", "", "NIK tidak ditemukan di Dukcapil"]])
    r = apply_response(dsn, f)
    assert (r.accepted, r.rejected) == (1, 1)
    s = statuses(dsn)
    assert s[NIKS[0]] == ("accepted", "12345678901", None)
    assert s[NIKS[1]] == ("rejected", None, "NIK tidak ditemukan di Dukcapil")
    assert s[NIKS[2]][0] == "submitted"


@pytest.mark.parametrize("rows,problem", [
    ([[NIKS[0], "2026-11", "MUNGKIN", "", ""]], "HASIL must be DITERIMA or DITOLAK"),
    ([[NIKS[0], "2026-11", "DITERIMA", "123", ""]], "11-digit KPJ"),
    # digits of another script (full-width, typed with an IME): str.isdigit() took them, and the card,
    # never equal to the roster's ASCII KPJ, held the person as "not on the roster yet" for good
    ([[NIKS[0], "2026-11", "DITERIMA", "\uff11" * 11, ""]], "11-digit KPJ"),
    ([[NIKS[0], "2026-11", "DITOLAK", "", ""]], "needs ALASAN"),
    # a KPJ on a rejected row is the card BPJS says the person holds, or nothing: another
    # person's NIK there was stored in the kpj column unchecked
    ([[NIKS[0], "2026-11", "DITOLAK", NIKS[1], "sudah terdaftar"]], "rejected row's KPJ, when given, must be 11"),
    ([["6474011508859999", "2026-11", "DITERIMA", "12345678901", ""]], "not a submitted candidate"),
    ([[NIKS[0], "2026-10", "DITERIMA", "12345678901", ""]], "not a submitted candidate of period 2026-10"),
    ([[NIKS[0], "2026-11", "DITERIMA", "12345678901", ""]] * 2, "appear twice"),
])
def test_bad_response_is_refused_whole(submitted, tmp_path, rows, problem):
    dsn, _, _ = submitted
    good = [NIKS[2], "2026-11", "DITERIMA", "12345678902", ""]
    f = write_response(tmp_path / "r.csv", [good, *rows])
    before = statuses(dsn)
    with pytest.raises(ResponseError, match=problem):
        apply_response(dsn, f)
    assert statuses(dsn) == before                       # the good row was not applied either


def test_a_response_saved_by_excel_in_windows_1252_applies(submitted, tmp_path):
    """A response file saved from Excel as CSV is Windows-1252, as extracts may be; one that is
    neither that nor UTF-8 is refused naming its line, and lands in rejected/ like any other."""
    dsn, _, _ = submitted
    reason = "Data tidak sesuai – NIK ganda"   # an en dash: 0x96 in Windows-1252, invalid UTF-8
    path = tmp_path / "hasil.csv"
    path.write_bytes(("NIK;PERIODE;HASIL;KPJ;ALASAN\r\n"
                      f"{NIKS[0]};2026-11;DITOLAK;;{reason}\r\n").encode("cp1252"))
    r = apply_response(dsn, path)
    assert (r.accepted, r.rejected) == (0, 1) and statuses(dsn)[NIKS[0]] == ("rejected", None, reason)
    bad = tmp_path / "rusak.csv"
    bad.write_bytes(b"NIK,PERIODE,HASIL,KPJ,ALASAN\n" + f"{NIKS[1]},2026-11,DITOLAK,,".encode() + b"\x81\x8d\n")
    with pytest.raises(ResponseError) as caught:
        apply_response(dsn, bad)
    assert caught.value.problems == ["line 2: unreadable encoding (byte 0x81), expected UTF-8 or Windows-1252"]


def test_a_response_edited_in_excel_reads_as_the_extracts_do(submitted, tmp_path):
    """What Excel leaves in a response file: a NIK and KPJ kept as text with a leading ``'``, a
    NIK with spaces around it, and rows of empty cells at the end (";;;;"), which were each
    refused as a row without HASIL, and the whole file with them."""
    dsn, _, _ = submitted
    path = tmp_path / "hasil.csv"
    path.write_bytes((f"nik;periode;hasil;kpj;alasan\r\n'{NIKS[0]};2026-11;Diterima;'12345678901;\r\n"
                      f" {NIKS[1]} ;2026-11;DITOLAK;;NIK ganda\r\n;;;;\r\n;;;;\r\n").encode())
    r = apply_response(dsn, path)
    assert (r.accepted, r.rejected) == (1, 1)
    s = statuses(dsn)
    assert s[NIKS[0]] == ("accepted", "12345678901", None) and s[NIKS[1]] == ("rejected", None, "NIK ganda")


@pytest.mark.parametrize("ending", ["\r", "\r\n"])
def test_a_response_with_cr_line_ends_or_a_cr_in_a_field_applies(submitted, tmp_path, ending):
    """Excel's "CSV (Macintosh)" ends lines with CR alone, and a CR may sit inside a reason: the
    csv module's "new-line character seen in unquoted field" escaped as the command's error, with
    no line, and the inbox sensor's run failed on it (the file stayed in the inbox). A blank line
    before the header is skipped (it read as a header without columns)."""
    dsn, _, _ = submitted
    path = tmp_path / "hasil.csv"
    # (in a file of CR line ends, a CR ends the line wherever it is)
    inner = " " if ending == "\r" else "\r"
    path.write_bytes(ending.join(["", "NIK,PERIODE,HASIL,KPJ,ALASAN", f"{NIKS[0]},2026-11,DITERIMA,12345678901,",
                                  f"{NIKS[1]},2026-11,DITOLAK,,NIK tidak{inner}ditemukan", ""]).encode())
    r = apply_response(dsn, path)
    assert (r.accepted, r.rejected) == (1, 1)
    assert statuses(dsn)[NIKS[1]] == ("rejected", None, "NIK tidak ditemukan")


def test_a_stray_quote_in_a_response_is_refused_not_swallowing_rows(submitted, tmp_path):
    """A reason's quote never closed on its line made the next rows part of that reason: they
    were not applied, said nothing, and their NIKs and KPJ became the first person's reason (shown
    on next month's gap list)."""
    dsn, _, _ = submitted
    path = tmp_path / "hasil.csv"
    path.write_text("NIK,PERIODE,HASIL,KPJ,ALASAN\n"
                    f'{NIKS[0]},2026-11,DITOLAK,,"Tanggal lahir berbeda\n'
                    f"{NIKS[1]},2026-11,DITERIMA,30000000001,\n"
                    f'{NIKS[2]},2026-11,DITOLAK,,"NIK tidak ditemukan"\n')
    before = statuses(dsn)
    with pytest.raises(ResponseError) as caught:
        apply_response(dsn, path)
    assert caught.value.problems == ['line 2: a quoted field opened here runs over lines that read as rows of their '
                                     'own, expected every " to be closed in its field (a stray quote)']
    assert statuses(dsn) == before
    # a reason of several lines, quoted, is a reason
    path.write_text("NIK,PERIODE,HASIL,KPJ,ALASAN\n" f'{NIKS[0]},2026-11,DITOLAK,,"Tanggal lahir\nberbeda"\n')
    assert apply_response(dsn, path).rejected == 1


def test_a_response_column_given_twice_is_refused(submitted, tmp_path):
    """With a second NIK column (in another case), the rightmost one was read: the acceptance and
    its card went to the other person, exit 0."""
    dsn, _, _ = submitted
    path = tmp_path / "hasil.csv"
    path.write_text(f"NIK,PERIODE,HASIL,KPJ,ALASAN, nik\n{NIKS[0]},2026-11,DITERIMA,12345678901,,{NIKS[1]}\n")
    with pytest.raises(ResponseError) as caught:
        apply_response(dsn, path)
    assert caught.value.problems == ["line 1: column NIK appears 2 times (columns 1, 6), expected once"]


def test_a_reason_cut_at_an_unquoted_comma_is_put_back_together(submitted, tmp_path):
    """Found by an audit: BPJS's reason with a comma BPJS did not quote made a row of more fields
    than the header; the reason was stored cut at the comma without a word. With ALASAN last, the
    extra fields are its text (trailing empty cells dropped); in another order the row cannot be
    placed and is refused."""
    dsn, _, _ = submitted
    f = tmp_path / "r.csv"
    f.write_text("NIK,PERIODE,HASIL,KPJ,ALASAN\n"
                 f"{NIKS[0]},2026-11,DITOLAK,,NIK tidak ditemukan di Dukcapil, mohon perbaiki data,,\n"
                 f"{NIKS[1]},2026-11,DITERIMA,12345678901,,,\n")
    apply_response(dsn, f)
    assert statuses(dsn)[NIKS[0]] == ("rejected", None, "NIK tidak ditemukan di Dukcapil, mohon perbaiki data")
    assert statuses(dsn)[NIKS[1]] == ("accepted", "12345678901", None)
    # a header Excel padded with an empty title: the reason's tail went to the untitled column
    f.write_text("NIK,PERIODE,HASIL,KPJ,ALASAN,\n"
                 f"{NIKS[2]},2026-11,DITOLAK,,NIK tidak ditemukan, mohon perbaiki\n")
    apply_response(dsn, f)
    assert statuses(dsn)[NIKS[2]] == ("rejected", None, "NIK tidak ditemukan, mohon perbaiki")
    f.write_text("NIK,PERIODE,HASIL,ALASAN,KPJ\n"
                 f"{NIKS[2]},2026-11,DITOLAK,NIK tidak ditemukan, mohon perbaiki,12345678902\n")
    with pytest.raises(ResponseError, match="line 2: 6 fields where the header has 5"):
        apply_response(dsn, f)


def test_a_response_reason_of_any_length_is_read(tmp_path):
    """A field over the csv module's 131,072 characters stopped the command with its words."""
    from pipelines.bpjs_exchange import parse_response

    long = tmp_path / "panjang.csv"
    long.write_text("NIK,PERIODE,HASIL,KPJ,ALASAN\n" + f"{NIKS[0]},2026-11,DITOLAK,," + "x" * 200_000 + "\n")
    assert len(parse_response(long)[0]["ALASAN"]) == 200_000


def test_an_unreadable_nik_or_period_is_said_once_per_line_without_the_nik(submitted, tmp_path):
    """A NIK Excel turned into a number, or a period it turned into a date, is named as such (it
    was "not a submitted candidate"), with every problem in line order, and no NIK in them."""
    dsn, _, _ = submitted
    f = write_response(tmp_path / "r.csv", [
        [NIKS[2], "2026-11", "LAIN", "", ""],
        ["6.47401E+15", "2026-11", "DITERIMA", "12345678901", ""],
        [NIKS[1][:15], "2026-11", "DITERIMA", "12345678901", ""],
        [NIKS[0], "Nov-26", "DITERIMA", "12345678902", ""],
        ["", "2026-11", "DITOLAK", "", "kosong"],
        ["SITI AMINAH", "2026-11", "DITOLAK", "", "a name in the NIK column, not quoted back"],
        # a letter beside the digits: read by its digits before, as the extracts no longer are
        [NIKS[2] + "A", "2026-11", "DITERIMA", "12345678903", ""],
    ])
    with pytest.raises(ResponseError) as caught:
        apply_response(dsn, f)
    assert caught.value.problems == [
        "line 2: HASIL must be DITERIMA or DITOLAK",
        "line 3: NIK was damaged by Excel (scientific notation, digits lost); format the column as Text",
        "line 4: NIK does not have 16 digits",
        "line 5: PERIODE was turned into a date by Excel; format the column as Text",
        "line 6: NIK is empty or holds no digit",
        "line 7: NIK is empty or holds no digit",
        "line 8: NIK holds letters or signs besides its digits",
    ]
    assert not any(nik[:12] in str(caught.value) for nik in NIKS) and "AMINAH" not in str(caught.value)


def test_a_nik_or_a_name_in_periode_is_not_quoted_back(submitted, tmp_path):
    """A row shifted by a column puts a NIK or a name in PERIODE: the refusal (printed, written
    to <file>.error.txt and kept in Dagster's event log by the sensor) used to quote it
    ("got '6474...'")."""
    dsn, _, _ = submitted
    f = write_response(tmp_path / "r.csv", [
        [NIKS[0], NIKS[1], "DITERIMA", "12345678901", ""],
        [NIKS[2], "SITI AMINAH BINTI HASAN", "DITOLAK", "", "x"],
    ])
    with pytest.raises(ResponseError) as caught:
        apply_response(dsn, f)
    assert caught.value.problems == ["line 2: PERIODE must be YYYY-MM (e.g. 2026-11)",
                                     "line 3: PERIODE must be YYYY-MM (e.g. 2026-11)"]
    assert NIKS[1][:12] not in str(caught.value) and "SITI" not in str(caught.value)


def test_a_nul_in_a_response_row_is_a_space(submitted, tmp_path):
    """A damaged export's stray NUL in a reason: read as a space, as in the extracts, not sent on
    to PostgreSQL (which refuses a NUL in text)."""
    dsn, _, _ = submitted
    path = tmp_path / "hasil.csv"
    path.write_bytes(b"NIK,PERIODE,HASIL,KPJ,ALASAN\n" + f"{NIKS[0]},2026-11,DITOLAK,,".encode()
                     + b"NIK\x00 ganda\x01\n")
    r = apply_response(dsn, path)
    assert r.rejected == 1 and statuses(dsn)[NIKS[0]] == ("rejected", None, "NIK ganda")


def test_a_response_spanning_two_periods_is_logged_per_period(submitted, tmp_path):
    """The processing log keeps one row per period a response file touched, with that period's
    counts: the file's first row's period used to take every count."""

    dsn, _, _ = submitted
    december = "6474011508850004"  # (one of November's would not be exported again: BPJS has them)
    submit(dsn, candidates([december], period="2026-12"), "2026-12")
    export_pending(dsn, "2026-12", tmp_path)
    path = write_response(tmp_path / "hasil.csv", [
        [NIKS[0], "2026-11", "DITERIMA", "12345678901", ""], [NIKS[1], "2026-11", "DITOLAK", "", "X"],
        [december, "2026-12", "DITERIMA", "12345678903", ""]])
    apply_response(dsn, path)
    with psycopg.connect(dsn) as conn:
        logged = conn.execute("SELECT period, inputs, counts FROM bpjs.processing_log "
                              "WHERE activity = 'bpjs_response' ORDER BY period").fetchall()
    shown = response_label("hasil.csv")
    assert [(p, i["file"], {k: c[k] for k in ("accepted", "rejected", "already_applied")}) for p, i, c in logged] == [
        ("2026-11", shown, {"accepted": 1, "rejected": 1, "already_applied": 0}),
        ("2026-12", shown, {"accepted": 1, "rejected": 0, "already_applied": 0})]


def test_a_nik_in_a_response_file_s_name_is_starred_where_the_file_is_named(submitted, tmp_path):
    """A response saved as "jawaban <NIK>.csv" reached the processing log whole (append-only, kept
    after the retention: never to be erased), the command's summary and its refusals."""
    dsn, _, _ = submitted
    nik = "6474011508850001"
    path = write_response(tmp_path / f"jawaban {nik}.csv", [[NIKS[0], "2026-11", "DITERIMA", "12345678901", ""]])
    result = apply_response(dsn, path)
    with psycopg.connect(dsn) as conn:
        logged = conn.execute("SELECT inputs FROM bpjs.processing_log WHERE activity = 'bpjs_response'").fetchall()
    assert nik not in str(logged) + result.summary() and "jawaban ****************.csv" in result.summary()
    assert [i["file"] for (i,) in logged] == [response_label(path.name)]
    bad = write_response(tmp_path / f"salah {nik}.csv", [[NIKS[0], "2026-11", "DITERIMA", "", ""]])
    with pytest.raises(ResponseError) as refused:
        apply_response(dsn, bad)
    assert nik not in str(refused.value) and str(refused.value).startswith("salah ****************.csv: ")


def test_a_response_file_named_after_a_person_is_logged_by_its_label(submitted, tmp_path, monkeypatch):
    """A privacy review: bpjs.processing_log, which the retention keeps, named a response file
    as it was saved with only digit runs starred: "hasil SITI AMINAH.csv" kept the name for ever.
    It is logged by its label (``response_label``) now, an export's own name as it is; the
    command's summary, for the person who gave the file, still names it."""
    monkeypatch.setenv("LINDUNGI_HOME", str(tmp_path / "home"))
    dsn, _, _ = submitted
    named = write_response(tmp_path / "hasil SITI AMINAH.csv", [[NIKS[0], "2026-11", "DITERIMA", "12345678901", ""]])
    own = write_response(tmp_path / "export-001.csv", [[NIKS[1], "2026-11", "DITOLAK", "", "NIK ganda"]])
    assert apply_response(dsn, named).summary().startswith("hasil SITI AMINAH.csv: 1 accepted")
    apply_response(dsn, own)
    with psycopg.connect(dsn) as conn:
        logged = [i["file"] for (i,) in conn.execute(
            "SELECT inputs FROM bpjs.processing_log WHERE activity = 'bpjs_response' ORDER BY id")]
    assert re.fullmatch(r"hasil-[0-9a-f]{12}\.csv", logged[0]) and logged[1] == "export-001.csv"
    assert "SITI" not in str(logged) and "AMINAH" not in str(logged)


def test_sensor_picks_up_inbox_files_and_job_applies_them(submitted, tmp_path, monkeypatch):
    import dagster as dg

    from dagster_project.resources import Database
    from dagster_project.sensors import apply_bpjs_response, bpjs_response_sensor
    from pipelines.files import response_label

    dsn, _, _ = submitted
    monkeypatch.setenv("LINDUNGI_OUT", str(tmp_path))
    inbox = tmp_path / "inbox" / "bpjs"
    inbox.mkdir(parents=True)
    write_response(inbox / "ok.csv", [[NIKS[0], "2026-11", "DITERIMA", "12345678901", ""]])
    write_response(inbox / "bad.csv", [[NIKS[1], "2026-11", "??", "", ""]])
    (inbox / "hasil.xlsx").write_bytes(b"PK")  # no CSV: left, and said (it was ignored without a word)
    (inbox / "hasil 6474011508900001.txt").write_text("x")  # named by its label, no NIK
    (inbox / ".DS_Store").write_bytes(b"x")  # a hidden file is not named at every tick
    ctx = dg.build_sensor_context()
    with patch.object(ctx.log, "warning") as warned:
        requests = bpjs_response_sensor(ctx)
    [(said,), _] = warned.call_args
    shown = sorted(response_label(n) for n in ("hasil 6474011508900001.txt", "hasil.xlsx"))
    assert f"no CSV are left where they are: {shown[0]}, {shown[1]} (" in said and "6474011508900001" not in said
    for name in ("hasil 6474011508900001.txt", ".DS_Store"):
        (inbox / name).unlink()
    assert sorted(r.run_config["ops"]["apply_bpjs_response_file"]["config"]["path"].rsplit("/", 1)[1]
                  for r in requests) == sorted([response_label("bad.csv"), response_label("ok.csv")])
    results = {}
    for r in requests:
        res = apply_bpjs_response.execute_in_process(run_config=r.run_config, raise_on_error=False,
                                                     resources={"database": Database(dsn=dsn)})
        results[r.run_config["ops"]["apply_bpjs_response_file"]["config"]["path"].rsplit("/", 1)[1]] = res.success
    assert results == {response_label("ok.csv"): True, response_label("bad.csv"): False}
    assert (inbox / "processed" / "ok.csv").exists() and (inbox / "rejected" / "bad.csv").exists()
    assert "HASIL" in (inbox / "rejected" / "bad.csv.error.txt").read_text()
    assert statuses(dsn)[NIKS[0]][0] == "accepted" and statuses(dsn)[NIKS[1]][0] == "submitted"
    # an answer unzipped into a folder of its own was ignored for good, without a word; the
    # sensor's own processed/ and rejected/ are no such folder
    (inbox / "dari bpjs" / "nov").mkdir(parents=True)
    write_response(inbox / "dari bpjs" / "nov" / "hasil.csv", [[NIKS[1], "2026-11", "DITOLAK", "", "x"]])
    (inbox / "kosong").mkdir()
    (inbox / "__MACOSX").mkdir()                      # what an unzip on a Mac leaves: hidden files
    (inbox / "__MACOSX" / "._hasil.csv").write_text("x")
    (inbox / "._hasil.csv").write_text("x")
    ctx = dg.build_sensor_context()
    with patch.object(ctx.log, "warning") as warned:
        assert isinstance(bpjs_response_sensor(ctx), dg.SkipReason)
    assert [c.args for c in warned.call_args_list] == [
        (f"files in {inbox} that are no CSV are left where they are: {response_label('hasil.xlsx')} (save BPJS's answer as CSV and put "
         "it here, or apply it with lindungi response)",),
        (f"response files in a folder inside {inbox} are left where they are: move them into the inbox itself: "
         "1 folder(s) whose names are not shown (a folder may be named after a person)",)]


def test_an_inbox_file_still_changing_waits_and_a_link_is_filed_away_as_a_link(submitted, tmp_path, monkeypatch):
    """Found by fuzzing: a file still being copied into the inbox was applied half-way (10 of its
    rows, the rest never, without a word); a link's target was filed away wherever it lived."""
    import os
    import time

    import dagster as dg

    from dagster_project.resources import Database
    from dagster_project.sensors import apply_bpjs_response, bpjs_response_sensor
    from pipelines.files import response_label

    dsn, _, _ = submitted
    monkeypatch.setenv("LINDUNGI_OUT", str(tmp_path))
    monkeypatch.setenv("LINDUNGI_INBOX_SETTLE_S", "10")
    inbox = tmp_path / "inbox" / "bpjs"
    inbox.mkdir(parents=True)
    elsewhere = write_response(tmp_path / "hasil.csv", [[NIKS[0], "2026-11", "DITERIMA", "12345678901", ""]])
    (inbox / "hasil.csv").symlink_to(elsewhere)
    old = time.time() - 60
    os.utime(elsewhere, (old, old))
    write_response(inbox / "copying.csv", [[NIKS[1], "2026-11", "DITOLAK", "", "NIK ganda"]])  # just written
    requests = bpjs_response_sensor(dg.build_sensor_context())
    assert [r.run_config["ops"]["apply_bpjs_response_file"]["config"]["path"] for r in requests] == \
        [str(inbox / response_label("hasil.csv"))]  # (a name BPJS gave: by its label)
    assert apply_bpjs_response.execute_in_process(run_config=requests[0].run_config,
                                                  resources={"database": Database(dsn=dsn)}).success
    assert elsewhere.exists() and (inbox / "processed" / "hasil.csv").is_symlink()
    assert statuses(dsn)[NIKS[0]][0] == "accepted" and statuses(dsn)[NIKS[1]][0] == "submitted"
    os.utime(inbox / "copying.csv", (old, old))  # unchanged for a minute: taken
    assert len(bpjs_response_sensor(dg.build_sensor_context())) == 1


def test_two_exports_of_one_period_at_once_each_keep_their_file(pg_dsn, tmp_path, monkeypatch):
    """Two coordinators export one period's two regions at the same moment: each export's rows
    land in a file of their own, none replaced by the other."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    import pipelines.bpjs_exchange as exchange

    db.migrate(pg_dsn)
    niks = {"6474": NIKS, "6409": ["6409011508850001", "6409011508850002"]}
    for region, region_niks in niks.items():
        submit(pg_dsn, candidates(region_niks, region=region), "2026-11")
    # both exports hold their rows and their file number before either writes its file
    both = threading.Barrier(2, timeout=1)
    real = exchange.nik_list

    def after_numbering(values):
        try:
            both.wait()
        except threading.BrokenBarrierError:  # one at a time: the other waits for the first
            pass
        return real(values)

    monkeypatch.setattr(exchange, "nik_list", after_numbering)
    with ThreadPoolExecutor(2) as pool:
        done = list(pool.map(lambda r: export_pending(pg_dsn, "2026-11", tmp_path, region=r), niks))
    paths = sorted(p for p, _ in done)
    assert [p.name for p in paths] == ["export-001.csv", "export-002.csv"]
    exported = [sorted(row[0] for row in list(csv.reader(p.open()))[1:]) for p in paths]
    assert sorted(exported) == sorted(sorted(v) for v in niks.values())
    assert {s[0] for s in statuses(pg_dsn).values()} == {"submitted"}


def test_an_export_killed_between_its_file_and_its_commit_leaves_no_file_to_send(pg_dsn, tmp_path, monkeypatch):
    """An export renames its file into place just before it commits. Killed in between, its rows
    stay pending and go into the next export: the file left behind must not be sent as well. The
    next export renames it ``.aborted`` and writes its rows once, under the same number."""
    db.migrate(pg_dsn)
    submit(pg_dsn, candidates(NIKS), "2026-11")
    export_killed_before_commit(pg_dsn, tmp_path, monkeypatch)
    folder = tmp_path / "bpjs_export" / "2026-11"
    assert [p.name for p in folder.iterdir()] == ["export-001.csv"]
    assert {s[0] for s in statuses(pg_dsn).values()} == {"pending"}   # rolled back

    path, n = export_pending(pg_dsn, "2026-11", tmp_path)
    assert (path.name, n) == ("export-001.csv", 3)
    assert sorted(p.name for p in folder.iterdir()) == ["export-001.csv", "export-001.csv.aborted"]
    assert {s[0] for s in statuses(pg_dsn).values()} == {"submitted"}
    # a committed export's file is never set aside
    submit(pg_dsn, candidates(["6474011508850009"]), "2026-11", regions=["6474"])
    assert export_pending(pg_dsn, "2026-11", tmp_path)[0].name == "export-002.csv"
    assert sorted(p.name for p in folder.iterdir()) == ["export-001.csv", "export-001.csv.aborted", "export-002.csv"]


def test_an_inbox_file_filed_away_never_replaces_an_earlier_one_of_the_same_name(submitted, tmp_path,
                                                                                 monkeypatch):
    """BPJS (and coordinators, whose returned lists are named by kelurahan) send files under the
    same name month after month. Each is kept in processed/ or rejected/, with its own note."""

    from dagster_project.resources import Database
    from dagster_project.sensors import apply_bpjs_response

    dsn, _, _ = submitted
    monkeypatch.setenv("LINDUNGI_OUT", str(tmp_path))
    inbox = tmp_path / "inbox" / "bpjs"
    inbox.mkdir(parents=True)
    sent = [[[NIKS[0], "2026-11", "DITERIMA", "12345678901", ""]], [[NIKS[1], "2026-11", "DITOLAK", "", "X"]],
            [[NIKS[2], "2026-11", "??", "", ""]], [[NIKS[2], "2026-13", "DITERIMA", "12345678902", ""]]]
    contents = []
    for rows in sent:
        write_response(inbox / "hasil.csv", rows)
        contents.append((inbox / "hasil.csv").read_bytes())
        apply_bpjs_response.execute_in_process(
            run_config={"ops": {"apply_bpjs_response_file": {"config": {"path": str(inbox / "hasil.csv")}}}},
            raise_on_error=False, resources={"database": Database(dsn=dsn)})
    processed, rejected = inbox / "processed", inbox / "rejected"
    assert sorted(p.name for p in processed.iterdir()) == ["hasil.2.csv", "hasil.csv"]
    assert [(processed / n).read_bytes() for n in ("hasil.csv", "hasil.2.csv")] == contents[:2]
    assert sorted(p.name for p in rejected.iterdir()) == ["hasil.2.csv", "hasil.2.csv.error.txt", "hasil.csv",
                                                         "hasil.csv.error.txt"]
    assert [(rejected / n).read_bytes() for n in ("hasil.csv", "hasil.2.csv")] == contents[2:]
    notes = [(rejected / f"{n}.error.txt").read_text() for n in ("hasil.csv", "hasil.2.csv")]
    assert "HASIL" in notes[0] and "HASIL" not in notes[1] and notes[1].strip()


def test_two_exports_killed_under_one_number_leave_both_files_aside(pg_dsn, tmp_path, monkeypatch):
    """Each export killed between its file and its commit leaves a file the next export sets
    aside; two such under the same number keep both (the second used to replace the first)."""
    db.migrate(pg_dsn)
    submit(pg_dsn, candidates(NIKS), "2026-11")
    folder = tmp_path / "bpjs_export" / "2026-11"
    written = []
    for _ in range(2):
        export_killed_before_commit(pg_dsn, tmp_path, monkeypatch)
        written.append((folder / "export-001.csv").read_bytes())
    assert export_pending(pg_dsn, "2026-11", tmp_path)[0].name == "export-001.csv"
    assert sorted(p.name for p in folder.iterdir()) == [
        "export-001.csv", "export-001.csv.2.aborted", "export-001.csv.aborted"]
    assert [(folder / n).read_bytes() for n in ("export-001.csv.aborted", "export-001.csv.2.aborted")] == written


def test_an_export_never_takes_the_number_of_one_moved_away(pg_dsn, tmp_path):
    """Exports were numbered by counting the folder's files: with export-001 moved away (sent,
    filed elsewhere), the next export was numbered 002 and replaced the export-002 already
    written. Numbers now follow the processing log as well as the folder."""
    import shutil

    db.migrate(pg_dsn)
    folder = tmp_path / "bpjs_export" / "2026-11"
    written = []
    for nik in NIKS:
        submit(pg_dsn, candidates(NIKS[:NIKS.index(nik) + 1]), "2026-11")
        path, _ = export_pending(pg_dsn, "2026-11", tmp_path)
        written.append((path.name, path.read_bytes()))
        if len(written) == 2:
            sent = tmp_path / "sent"
            sent.mkdir()
            shutil.move(folder / "export-001.csv", sent / "export-001.csv")
    assert [name for name, _ in written] == ["export-001.csv", "export-002.csv", "export-003.csv"]
    assert (folder / "export-002.csv").read_bytes() == written[1][1]   # not replaced
    assert sorted(p.name for p in folder.iterdir()) == ["export-002.csv", "export-003.csv"]


def test_a_response_applied_before_its_file_was_filed_away_applies_again_harmlessly(submitted, tmp_path):
    """The process applying a response file killed after its commit and before it moved the
    file to processed/: the file is still in the inbox. Handled again, it changes nothing and is
    not refused; a row that now contradicts what was applied still is."""
    dsn, _, _ = submitted
    rows = [[NIKS[0], "2026-11", "DITERIMA", "12345678901", ""],
            [NIKS[1], "2026-11", "DITOLAK", "", "NIK tidak ditemukan di Dukcapil"]]
    f = write_response(tmp_path / "r.csv", rows)
    first = apply_response(dsn, f)
    after = statuses(dsn)
    again = apply_response(dsn, f)
    assert (first.accepted, first.rejected, first.already) == (1, 1, 0)
    assert (again.accepted, again.rejected, again.already) == (0, 0, 2)
    assert statuses(dsn) == after
    # with the third candidate now answered too: only that row is applied
    more = write_response(tmp_path / "r2.csv", [*rows, [NIKS[2], "2026-11", "DITERIMA", "12345678903", ""]])
    third = apply_response(dsn, more)
    assert (third.accepted, third.rejected, third.already) == (1, 0, 2)
    # the same candidate with another KPJ is no repeat: refused, nothing applied
    other = write_response(tmp_path / "r3.csv", [[NIKS[0], "2026-11", "DITERIMA", "99999999999", ""]])
    with pytest.raises(ResponseError, match="candidate is accepted, not submitted"):
        apply_response(dsn, other)
    assert statuses(dsn)[NIKS[0]] == ("accepted", "12345678901", None)


def test_a_response_file_whose_run_died_is_tried_again(submitted, tmp_path, monkeypatch):
    """The sensor's run key is the file's (name and mtime), and Dagster never repeats a key: a
    run killed before it handled the file left it in the inbox for good. A file still there after
    a failed run gets another run under a new key, three at most; then it is left to a person."""
    import dagster as dg

    from dagster_project.resources import Database
    from dagster_project.sensors import INBOX_FILE_TAG, apply_bpjs_response, bpjs_response_sensor

    dsn, _, _ = submitted
    monkeypatch.setenv("LINDUNGI_OUT", str(tmp_path))
    inbox = tmp_path / "inbox" / "bpjs"
    inbox.mkdir(parents=True)
    write_response(inbox / "ok.csv", [[NIKS[0], "2026-11", "DITERIMA", "12345678901", ""]])
    with dg.instance_for_test() as instance:
        def tick():
            got = bpjs_response_sensor(dg.build_sensor_context(instance=instance))
            return got if isinstance(got, list) else []

        def killed(request):  # a run of the request that died before it handled the file
            run = instance.create_run_for_job(apply_bpjs_response, run_config=request.run_config,
                                              tags={**request.tags, "dagster/run_key": request.run_key})
            instance.report_run_failed(run)

        first = tick()
        assert [r.run_key.count(":") for r in first] == [1]
        ident = first[0].tags[INBOX_FILE_TAG]
        keys = [first[0].run_key]
        killed(first[0])
        for _ in range(2):
            again = tick()
            assert len(again) == 1 and again[0].run_key not in keys
            keys.append(again[0].run_key)
            killed(again[0])
        assert tick() == [] and (inbox / "ok.csv").exists()     # three failed runs: left to a person
        assert keys == [ident, f"{ident}:retry-1", f"{ident}:retry-2"]
    # a retry's run handles the file as the first would have
    res = apply_bpjs_response.execute_in_process(run_config=first[0].run_config,
                                                 resources={"database": Database(dsn=dsn)})
    assert res.success and (inbox / "processed" / "ok.csv").exists()
    assert statuses(dsn)[NIKS[0]][0] == "accepted"


def test_bpjs_holds_whom_it_has_from_an_earlier_export(submitted, tmp_path):
    """Accepted in November (a KPJ the roster does not show yet) or still awaiting BPJS's answer:
    not listed again in December, where they would be exported and registered twice. A card the
    roster shows lets the roster decide; a rejection holds nobody."""
    from pipelines.bpjs_exchange import held_by_bpjs

    dsn, _, _ = submitted
    apply_response(dsn, write_response(tmp_path / "r.csv", [[NIKS[0], "2026-11", "DITERIMA", "12345678901", ""],
                                                            [NIKS[1], "2026-11", "DITOLAK", "", "data tidak padan"]]))
    held = held_by_bpjs(dsn, "2026-12", roster_kpjs=["99999999999"])
    assert held == {NIKS[0]: "sudah diterima BPJS pada periode 2026-11, belum tampak di data peserta",
                    NIKS[2]: "sudah dikirim ke BPJS pada periode 2026-11, menunggu jawaban"}
    assert set(held_by_bpjs(dsn, "2026-12", roster_kpjs=["12345678901"])) == {NIKS[2]}
    assert set(held_by_bpjs(dsn, "2026-12", roster_kpjs=["1234-5678-901", None])) == {NIKS[2]}  # by its digits
    # its own period: the one accepted, not on its list to visit again; the one awaiting the
    # answer is the month's list (its own row); a card the roster shows lets the roster decide
    assert held_by_bpjs(dsn, "2026-11", roster_kpjs=["99999999999"]) == {
        NIKS[0]: "sudah diterima BPJS pada periode 2026-11, belum tampak di data peserta"}
    assert held_by_bpjs(dsn, "2026-11", roster_kpjs=["12345678901"]) == {}
    assert list(held_by_bpjs(dsn, "2026-12", niks=[NIKS[2], NIKS[1]])) == [NIKS[2]]   # only those asked
    assert held_by_bpjs(dsn, "2026-12", niks=[]) == {}


def verified(dsn, nik, period, hasil, at):
    """A kelurahan's result for ``nik`` on ``period``'s list, received ``at``."""
    with psycopg.connect(dsn) as conn:
        conn.execute("INSERT INTO bpjs.verification (nik, period, hasil, kode_kel, file, file_sha256, received_by, "
                     "received_at) VALUES (%s, %s, %s, '6474011001', 'f.xlsx', 'x', 'kel', %s) "
                     "ON CONFLICT (nik, period) DO UPDATE SET hasil = EXCLUDED.hasil, received_at = EXCLUDED.received_at",
                     (nik, period, hasil, at))


def test_an_export_leaves_out_whom_a_kelurahan_verified_as_not_to_enroll_since_the_run(any_pg_dsn, tmp_path, capsys):
    """Found by fuzzing: a returned list said Meninggal, and the export before the next run sent
    that person to BPJS for enrollment. The latest result on any period's list counts; a later
    Valid (a list returned again) lets them go."""
    from pipelines.bpjs_exchange import verified_out_back

    dsn = any_pg_dsn
    db.migrate(dsn)
    submit(dsn, candidates(NIKS, "2026-11"), "2026-11")
    verified(dsn, NIKS[0], "2026-11", "Meninggal", "2026-11-20")
    verified(dsn, NIKS[1], "2026-10", "Menolak", "2026-10-20")
    verified(dsn, NIKS[1], "2026-11", "Valid", "2026-11-20")      # the latest says Valid: sent
    verified(dsn, NIKS[2], "2026-11", "Tidak ditemukan", "2026-11-20")
    assert verified_out_back(dsn, "2026-11") == 1
    said, status = exported(dsn, tmp_path, capsys)
    assert "exported 2 pending candidates" in said
    assert "left out 1 pending candidate a kelurahan has verified as not to enroll since the run" in said
    assert status == {NIKS[0]: "pending", NIKS[1]: "submitted", NIKS[2]: "submitted"}


def test_an_export_sends_whom_a_kelurahan_verified_valid_first_and_the_rest_in_rank_order(any_pg_dsn, tmp_path):
    """The rank is CONTRACT §2's whatever the kelurahan said; the export sends those whose latest
    result, on any period's list, is Valid ahead of the rest (the issue behind the verification
    loop: "Valid moves them ahead for submission"), each group in rank order. A Valid that a later
    result replaced no longer counts."""
    dsn = any_pg_dsn
    db.migrate(dsn)
    niks = [*NIKS, "6474011508850004", "6474011508850005"]
    submit(dsn, candidates(niks, "2026-11"), "2026-11")           # ranks 1..5 in this order
    verified(dsn, niks[1], "2026-10", "Valid", "2026-10-20")
    verified(dsn, niks[1], "2026-11", "Tidak ditemukan", "2026-11-20")  # Valid no longer: rank order
    verified(dsn, niks[2], "2026-10", "Tidak ditemukan", "2026-10-20")
    verified(dsn, niks[2], "2026-11", "Valid", "2026-11-20")
    verified(dsn, niks[4], "2026-12", "Valid", "2026-12-20")      # on a later period's list
    path, n = export_pending(dsn, "2026-11", tmp_path)
    assert n == 5
    assert [r["NIK"] for r in csv.DictReader(path.open())] == [niks[2], niks[4], niks[0], niks[1], niks[3]]
    with psycopg.connect(dsn) as conn:                             # the rank itself is untouched
        assert conn.execute("SELECT nik FROM bpjs.submission_candidate ORDER BY rank").fetchall() == [
            (nik,) for nik in niks]


def test_an_export_leaves_out_whom_bpjs_has_from_another_period(any_pg_dsn, tmp_path, capsys):
    """Listed in November and in December before either was exported: November's export sends
    them, December's leaves them out (and says so), once BPJS answered as well as before."""
    from pipelines.bpjs_exchange import held_back

    dsn = any_pg_dsn
    db.migrate(dsn)
    submit(dsn, candidates(NIKS, "2026-11"), "2026-11")
    submit(dsn, candidates(NIKS, "2026-12"), "2026-12")
    assert export_pending(dsn, "2026-11", tmp_path, region="6474")[1] == 3
    assert held_back(dsn, "2026-12") == 3
    assert export_pending(dsn, "2026-12", tmp_path) == (None, 0)
    # said as it is: not "no pending candidates" above the line counting the three pending left
    # out (a lifecycle review)
    said, _ = exported(dsn, tmp_path, capsys, period="2026-12")
    assert said.splitlines()[:2] == [
        "nothing exported for 2026-12: every pending candidate is left out, as follows",
        "left out 3 pending candidates: BPJS has them from another period's export (the next "
        "`lindungi run --period 2026-12` withdraws them)"]
    apply_response(dsn, write_response(tmp_path / "r.csv", [[NIKS[0], "2026-11", "DITERIMA", "12345678901", ""],
                                                            [NIKS[1], "2026-11", "DITOLAK", "", "data tidak padan"]]))
    assert held_back(dsn, "2026-12") == 2                      # the rejected one may go
    path, n = export_pending(dsn, "2026-12", tmp_path)
    assert n == 1 and [r["NIK"] for r in csv.DictReader(path.open())] == [NIKS[1]]
    # someone accepted before a later period listed them had lapsed off the roster: sent again
    submit(dsn, candidates([NIKS[0]], "2027-01"), "2027-01")
    assert held_back(dsn, "2027-01") == 0 and export_pending(dsn, "2027-01", tmp_path)[1] == 1



def test_an_export_leaves_out_whom_a_later_period_s_run_no_longer_lists(any_pg_dsn, tmp_path, capsys):
    """Found by an audit: November run, December run (a worker of November's list protected by
    then, so not listed), then November exported late: the export sent BPJS the protected worker.
    The newest later run of the row's region decides: listed there (pending, or sent since) is
    exported; not listed, or withdrawn there, is left out and counted. Another region's later run
    says nothing about this region's rows; November run again after them knows better."""
    from pipelines.bpjs_exchange import dropped_later_back

    dsn = any_pg_dsn
    db.migrate(dsn)
    other = ["6409011508850001", "6409011508850002"]
    submit(dsn, pl.concat([candidates(NIKS, "2026-11"), candidates(other, "2026-11", region="6409")]), "2026-11")
    submit(dsn, candidates(NIKS, "2026-12"), "2026-12")
    submit(dsn, candidates(NIKS[1:], "2026-12"), "2026-12")        # run again: NIKS[0] protected, withdrawn
    submit(dsn, candidates(NIKS[2:], "2027-01"), "2027-01")        # the newest: NIKS[1] not listed either
    assert dropped_later_back(dsn, "2026-11") == 2 and dropped_later_back(dsn, "2026-11", region="6409") == 0
    said, status = exported(dsn, tmp_path, capsys)
    assert "exported 3 pending candidates" in said
    assert "left out 2 pending candidates the run of a later period no longer lists" in said
    assert status == {NIKS[0]: "pending", NIKS[1]: "pending", NIKS[2]: "submitted", other[0]: "submitted",
                      other[1]: "submitted"}
    submit(dsn, candidates(NIKS[:2], "2026-11"), "2026-11")        # November run again, with a newer extract
    assert dropped_later_back(dsn, "2026-11") == 0 and export_pending(dsn, "2026-11", tmp_path)[1] == 2


def test_a_later_month_run_ahead_does_not_leave_out_whom_it_lists_no_more_for_their_age(any_pg_dsn, tmp_path, capsys):
    """A data engineer's review: December run, then January run from the same extract (months
    run ahead for planning). Whoever turns 66 in December is a candidate for December (65 on its
    first day) and for no later month: December's export left them out as "no longer listed by
    a later period's run", which says nothing of them. Someone January no longer lists for any
    other reason (protected) is still left out."""
    from datetime import date

    from pipelines.bpjs_exchange import dropped_later_back

    dsn = any_pg_dsn
    db.migrate(dsn)
    old, protected, stay = "6474011512600001", "6474011508850001", "6474011508850002"
    december = candidates([old, protected, stay], "2026-12").with_columns(
        TGL_LHR=pl.Series([date(1960, 12, 15), date(1985, 8, 15), date(1985, 8, 15)]), umur=pl.Series([65, 41, 41],
                                                                                                    dtype=pl.Int16))
    submit(dsn, december, "2026-12")
    submit(dsn, candidates([stay], "2027-01"), "2027-01")     # 66 on 1 January; the other protected by then
    assert dropped_later_back(dsn, "2026-12", max_age=65) == 1
    assert dropped_later_back(dsn, "2026-12", max_age=None) == 2   # (no working age given: the later run decides)
    assert dropped_later_back(dsn, "2026-12", max_age=66) == 2     # (of working age in January: its word counts)
    said, status = exported(dsn, tmp_path, capsys, period="2026-12")
    assert "exported 2 pending candidates" in said and "left out 1 pending candidate the run of a later" in said
    assert said.rstrip().endswith("that later run's): 1 by the last run of 2027-01")      # which run decided
    assert status == {old: "submitted", protected: "pending", stay: "submitted"}


def test_a_later_month_run_under_a_lower_max_age_is_no_word_on_those_above_it(any_pg_dsn, tmp_path):
    """Its re-check: January run under a max_age of 60 (its rules file) listed nobody of 61-65,
    and December's export, judging January by its own max_age of 65, left out fifteen people
    eligible in December. Each later run is judged by the max_age it ran under (logged with its
    batch); a batch logged without one by the export's."""
    from datetime import date

    from pipelines.bpjs_exchange import dropped_later_back

    dsn = any_pg_dsn
    db.migrate(dsn)
    older, protected = "6474011506630001", "6474011508850001"
    december = candidates([older, protected], "2026-12").with_columns(
        TGL_LHR=pl.Series([date(1963, 6, 15), date(1985, 8, 15)]), umur=pl.Series([63, 41], dtype=pl.Int16))
    submit(dsn, december, "2026-12", inputs={"max_age": 65})
    submit(dsn, candidates([], "2027-01"), "2027-01", regions=["6474"], inputs={"max_age": 60})
    assert dropped_later_back(dsn, "2026-12", max_age=65) == 1      # the protected one only
    path, n = export_pending(dsn, "2026-12", tmp_path, max_age=65)
    assert n == 1 and [r["NIK"] for r in csv.DictReader(path.open())] == [older]


def extract(month, rows=False, **changed):
    """The inputs a `lindungi run` records: its three files' sha256 (the month's own files, or
    ``changed`` ones: penduduk="fixed"), with ``rows`` their rows_sha256 too (logged since
    2026-12)."""
    files = {f"{source}.csv": changed.get(source, f"{source}-{month}") for source in ("penduduk", "dtsen",
                                                                                       "peserta_bpjstk")}
    return {"files": files, **({"rows_sha256": {name: f"rows of {sha}" for name, sha in files.items()}}
                               if rows else {})}


def saved_again(inputs):
    """The same extract's files saved again (CRLF line endings): another sha256, the same rows."""
    return {**inputs, "files": {name: f"{sha} saved again" for name, sha in inputs["files"].items()}}


def test_a_month_run_again_from_its_own_extract_does_not_undo_a_later_month_s_run(any_pg_dsn, tmp_path, capsys):
    """An outside review: December run, January run (five of December's pending people removed by
    Dukcapil, protected, formal, turned 66, or under a NIK Dukcapil corrected, the corrected one
    listed and exported in January). December exported left the five out; December run again from
    its own extract (as after a coordinator's correction) and exported again sent all five, the
    old NIK too: two registrations. A later month's run is the newer word until the month runs
    from a newer extract. Nor does a copy of the extract with only Dukcapil's file changed (the
    roster is December's)."""
    from pipelines.bpjs_exchange import dropped_later_back

    dsn = any_pg_dsn
    db.migrate(dsn)
    stay = [f"64740115088500{i:02d}" for i in range(10, 13)]
    five = [f"64740115088500{i:02d}" for i in range(20, 25)]
    corrected = "6474011508850099"                               # five[4] under the NIK Dukcapil corrected
    submit(dsn, candidates(stay + five, "2026-12"), "2026-12", inputs=extract("2026-12"))
    submit(dsn, candidates(stay + [corrected], "2027-01"), "2027-01",
           inputs=extract("2027-01", dtsen="dtsen-2026-12"))          # the welfare file unchanged
    assert export_pending(dsn, "2027-01", tmp_path)[1] == 4
    said, status = exported(dsn, tmp_path, capsys, period="2026-12")
    assert ("left out 5 pending candidates the run of a later period no longer lists (protected by then, moved "
            "away or no longer eligible; a `lindungi run --period 2026-12` decides them again only from an extract "
            "newer than that later run's)") in said
    assert [n for n in five if status[n] == "pending"] == five
    for inputs in (extract("2026-12"), extract("2026-12", penduduk="penduduk-2026-12-fixed")):
        submit(dsn, candidates(stay + five, "2026-12"), "2026-12", inputs=inputs)     # run again
        assert dropped_later_back(dsn, "2026-12") == 5
        assert export_pending(dsn, "2026-12", tmp_path) == (None, 0)
    # from a newer extract (the welfare file still December's) the month knows better: what it lists goes
    submit(dsn, candidates(stay + five[:1], "2026-12"), "2026-12",
           inputs=extract("2027-02", dtsen="dtsen-2026-12"))
    assert dropped_later_back(dsn, "2026-12") == 0
    path, n = export_pending(dsn, "2026-12", tmp_path)
    assert n == 1 and [r["NIK"] for r in csv.DictReader(path.open())] == five[:1]


def test_a_copy_of_a_month_s_own_extract_saved_again_is_no_newer_extract(any_pg_dsn, tmp_path):
    """A re-check of the outside review above: December's own three files saved again with CRLF
    line endings (another sha256 each, the same rows) counted as newer than January's extract,
    and December's export sent 403 people, 399 of them protected in January's roster. A file is
    known by its rows. A run logged before rows were (its files' sha256 alone) is matched to a
    later one by the sha256 both name: a month first run before the upgrade, run again from its
    own files after it, is not newer either. Its rows changed, it is."""
    from pipelines.bpjs_exchange import dropped_later_back

    dsn = any_pg_dsn
    db.migrate(dsn)
    stay = [f"64740115088500{i:02d}" for i in range(10, 13)]
    five = [f"64740115088500{i:02d}" for i in range(20, 25)]
    for region, logged_before in (("6474", False), ("6409", True)):
        s, f = ([n.replace("6474", region, 1) for n in group] for group in (stay, five))
        december, january = (extract(m, rows=True, penduduk=f"penduduk-{m}-{region}") for m in ("2026-12", "2027-01"))
        first = {"files": december["files"]} if logged_before else december
        submit(dsn, candidates(s + f, "2026-12", region=region), "2026-12", regions=[region], inputs=first)
        submit(dsn, candidates(s, "2027-01", region=region), "2027-01", regions=[region], inputs=january)
        for inputs in (december, saved_again(december)):          # its own files, then a copy saved again
            submit(dsn, candidates(s + f, "2026-12", region=region), "2026-12", regions=[region], inputs=inputs)
            assert dropped_later_back(dsn, "2026-12", region=region) == 5, (region, inputs)
    path, n = export_pending(dsn, "2026-12", tmp_path)                 # whom January lists still, alone
    assert n == 6 and sorted(r["NIK"] for r in csv.DictReader(path.open())) == sorted(
        stay + [x.replace("6474", "6409", 1) for x in stay])
    newer = extract("2027-02", rows=True, penduduk="penduduk-2027-02-6474")
    submit(dsn, candidates(stay + five[:1], "2026-12"), "2026-12", regions=["6474"], inputs=newer)
    assert dropped_later_back(dsn, "2026-12", region="6474") == 0
    path, n = export_pending(dsn, "2026-12", tmp_path)
    assert n == 1 and [r["NIK"] for r in csv.DictReader(path.open())] == five[:1]


def test_a_month_run_again_after_the_retention_does_not_export_whom_later_months_knew_protected(
        pg_dsn, tmp_path):
    """An outside review: November exported and accepted, then erased by the retention; December
    run again from its own extract (its roster older than the acceptances) listed November's
    accepted people again, and the export sent them, although January's and February's runs had
    them protected."""
    from pipelines.retention import erase, plan

    dsn = pg_dsn
    db.migrate(dsn)
    accepted = NIKS[:2]
    submit(dsn, candidates(NIKS, "2026-11"), "2026-11", inputs=extract("2026-11"))
    export_pending(dsn, "2026-11", tmp_path)
    apply_response(dsn, write_response(tmp_path / "r.csv", [[n, "2026-11", "DITERIMA", f"1234567890{i}", ""]
                                                            for i, n in enumerate(accepted)]))
    submit(dsn, candidates(NIKS[2:], "2026-12"), "2026-12", inputs=extract("2026-12"))   # held: awaiting, accepted
    for month in ("2027-01", "2027-02"):                         # protected by then: not listed
        submit(dsn, candidates(NIKS[2:], month), month, inputs=extract(month))
    (tmp_path / "out").mkdir()
    erase(plan(tmp_path / "out", dsn, "2026-11"), dsn, months=2, as_of="2027-01")
    submit(dsn, candidates(NIKS, "2026-12"), "2026-12", inputs=extract("2026-12"))       # no acceptance holds now
    path, n = export_pending(dsn, "2026-12", tmp_path)
    assert n == 1 and [r["NIK"] for r in csv.DictReader(path.open())] == NIKS[2:]


def test_a_run_after_the_acceptance_decides_and_the_export_agrees(any_pg_dsn, tmp_path):
    """Found by fuzzing: listed in November and December, exported in November and accepted
    there; December's row was held at the export as listed before the acceptance. December run
    again afterwards, with the roster showing the new card lapsed, listed them again, unchanged,
    and every export held them ("the next run withdraws them"): pending for ever, counted in
    the budget, never sent. A run after the acceptance has judged it: its export sends them."""
    from pipelines.bpjs_exchange import held_back

    dsn = any_pg_dsn
    db.migrate(dsn)
    submit(dsn, candidates(NIKS, "2026-11"), "2026-11")
    submit(dsn, candidates(NIKS, "2026-12"), "2026-12")
    export_pending(dsn, "2026-11", tmp_path)
    apply_response(dsn, write_response(tmp_path / "r.csv", [[NIKS[0], "2026-11", "DITERIMA", "12345678901", ""]]))
    assert held_back(dsn, "2026-12") == 3                   # accepted since December's run, two awaiting
    submit(dsn, candidates(NIKS, "2026-12"), "2026-12")     # December run again, nothing changed
    assert held_back(dsn, "2026-12") == 2
    path, n = export_pending(dsn, "2026-12", tmp_path)
    assert n == 1 and [r["NIK"] for r in csv.DictReader(path.open())] == [NIKS[0]]


def test_a_rerun_of_the_acceptance_s_period_does_not_hold_a_lapsed_participant(submitted, tmp_path):
    """Accepted in November, lapsed off the roster and listed again in January: January's export
    sends them. A later run of November (a backfill with a newer extract) that only moves the
    accepted row's rank is not a new answer from BPJS: it used to set the row's updated_at, which
    the export read as the acceptance's time, so January's export left them out ("the next run
    withdraws them"), no run withdrew them, and they were never sent again."""
    from pipelines.bpjs_exchange import held_back

    dsn, _, _ = submitted
    apply_response(dsn, write_response(tmp_path / "r.csv", [[NIKS[0], "2026-11", "DITERIMA", "12345678901", ""]]))
    submit(dsn, candidates([NIKS[0]], "2027-01"), "2027-01")
    rerun = candidates(list(reversed(NIKS)), "2026-11")     # the same people, ranks moved
    submit(dsn, rerun, "2026-11")
    with psycopg.connect(dsn) as conn:
        assert conn.execute("SELECT status, rank FROM bpjs.submission_candidate WHERE nik = %s AND period = %s",
                            (NIKS[0], "2026-11")).fetchone() == ("accepted", 3)
    assert held_back(dsn, "2027-01") == 0
    path, n = export_pending(dsn, "2027-01", tmp_path)
    assert n == 1 and [r["NIK"] for r in csv.DictReader(path.open())] == [NIKS[0]]

def test_a_kpj_is_one_participants_card(submitted, tmp_path):
    """An accepted KPJ given to another NIK, in the same file or accepted before, is refused: the
    roster showing that card would decide for the wrong person."""
    dsn, _, _ = submitted
    f = write_response(tmp_path / "r.csv", [[NIKS[0], "2026-11", "DITERIMA", "12345678901", ""],
                                            [NIKS[1], "2026-11", "DITERIMA", "12345678901", ""]])
    with pytest.raises(ResponseError) as caught:
        apply_response(dsn, f)
    assert caught.value.problems == ["line 3: its KPJ is given to another NIK on line 2"]
    apply_response(dsn, write_response(tmp_path / "a.csv", [[NIKS[0], "2026-11", "DITERIMA", "12345678901", ""]]))
    f = write_response(tmp_path / "b.csv", [[NIKS[1], "2026-11", "DITERIMA", "'12345678901", ""],
                                            [NIKS[2], "2026-11", "DITERIMA", "12345678902", ""]])
    with pytest.raises(ResponseError) as caught:
        apply_response(dsn, f)
    assert caught.value.problems == ["line 2: its KPJ was accepted for another NIK in period 2026-11"]
    assert "12345678901" not in str(caught.value)
    # the same person's card again (the file applied twice) is no problem
    assert apply_response(dsn, tmp_path / "a.csv").already == 1


def test_an_export_of_a_region_without_candidates_names_the_period_s_regions(submitted, tmp_path, capsys):
    """`--region 9999` said only "no pending candidates", as for a region whose candidates were
    all exported: a mistyped code looked like work done."""
    from dagster_project.cli import main

    dsn, _, _ = submitted
    region = candidates(NIKS)["kode_kab"][0]
    assert main(["export", "--period", "2026-11", "--region", "9999", "--out", str(tmp_path), "--db", dsn]) == 0
    assert capsys.readouterr().out.strip() == \
        f"no pending candidates of region 9999 for 2026-11 (the period's regions: {region})"
    assert main(["export", "--period", "2026-11", "--region", region, "--out", str(tmp_path), "--db", dsn]) == 0
    assert capsys.readouterr().out.strip() == f"no pending candidates of region {region} for 2026-11"


def test_an_active_card_the_linkage_missed_still_holds_whom_bpjs_accepted():
    """BPJS accepted someone in November with card 12345678901; in January the roster shows that
    card active with JKK+JKM, but with its NIK empty and the name spelt otherwise, so the linkage
    ties it to nobody. The person is not protected in the assessment; still, BPJS has them: not
    listed (and exported) again. The same card shown lapsed lets the roster decide: listed again."""
    import polars as pl

    from assets.candidates import _held
    from pipelines.rules import load_rules

    rules = load_rules()
    answers = [(NIKS[0], "2026-11", "accepted", "12345678901", None)]
    roster = pl.LazyFrame({"KPJ": ["12345678901", "99999999999"], "STATUS": ["AKTIF", "NONAKTIF"],
                           "PROGRAM": ["JKK,JKM", "JKK,JKM"]})
    assert _held(answers, roster, "2027-01", rules) == \
        {NIKS[0]: "sudah diterima BPJS pada periode 2026-11, belum tampak di data peserta"}
    lapsed = pl.LazyFrame({"KPJ": ["12345678901"], "STATUS": ["NONAKTIF"], "PROGRAM": ["JKK,JKM"]})
    assert _held(answers, lapsed, "2027-01", rules) == {}


def test_a_later_acceptance_holds_in_an_earlier_month_whatever_the_card_shows(submitted, tmp_path):
    """October run again after November's export was accepted, with an extract whose roster
    shows the new card lapsed: the run listed the person again (the roster decides a lapsed
    card) while the export held them ("the next run withdraws them", and no run did). A later
    period's acceptance holds in the run as in the export."""
    import polars as pl

    from assets.candidates import _held
    from pipelines.bpjs_exchange import earlier_answers, held_back
    from pipelines.rules import load_rules

    dsn, _, _ = submitted                                   # NIKS exported in 2026-11
    apply_response(dsn, write_response(tmp_path / "r.csv", [[NIKS[0], "2026-11", "DITERIMA", "12345678901", ""]]))
    lapsed = pl.LazyFrame({"KPJ": ["12345678901"], "STATUS": ["NONAKTIF"], "PROGRAM": ["JKK,JKM"]})
    held = _held(earlier_answers(dsn, "2026-10", [NIKS[0]]), lapsed, "2026-10", load_rules())
    assert held == {NIKS[0]: "sudah diterima BPJS pada periode 2026-11, sesudah periode ini"}
    submit(dsn, candidates([NIKS[0]], "2026-10"), "2026-10")
    assert held_back(dsn, "2026-10") == 1                   # the export agrees
    # in a later month the roster decides: lapsed since, listed again
    assert _held(earlier_answers(dsn, "2026-12", [NIKS[0]]), lapsed, "2026-12", load_rules()) == {}


def test_an_earlier_period_run_later_does_not_export_whom_bpjs_accepted_in_a_later_one(submitted, tmp_path):
    """November run again after December's export was answered (a corrected extract arriving
    late): its new rows were listed after December's acceptance, which the export took for a
    participant who had lapsed off the roster since, and sent them to BPJS again (a simulated
    city: 65 of the 68 rows of such an export were people BPJS had accepted a month or two
    before, with cards the roster did not show yet). A later period's acceptance always holds."""
    from pipelines.bpjs_exchange import held_back

    dsn, _, _ = submitted                                   # NIKS exported in 2026-11
    apply_response(dsn, write_response(tmp_path / "r.csv", [[n, "2026-11", "DITOLAK", "", "data tidak padan"]
                                                            for n in NIKS]))
    submit(dsn, candidates(NIKS, "2026-12"), "2026-12")
    export_pending(dsn, "2026-12", tmp_path)
    apply_response(dsn, write_response(tmp_path / "r2.csv", [[NIKS[0], "2026-12", "DITERIMA", "12345678901", ""],
                                                             [NIKS[1], "2026-12", "DITOLAK", "", "data tidak padan"]]))
    submit(dsn, candidates(NIKS + ["6474011508850004"], "2026-10"), "2026-10")   # an earlier month, run now
    # NIKS[0]: accepted in December; NIKS[2]: awaiting December's answer; NIKS[1]: rejected, may go
    assert held_back(dsn, "2026-10") == 2
    path, n = export_pending(dsn, "2026-10", tmp_path)
    assert n == 2 and sorted(r["NIK"] for r in csv.DictReader(path.open())) == [NIKS[1], "6474011508850004"]


def test_a_run_of_an_earlier_month_holds_whom_bpjs_has_from_a_later_one(submitted, tmp_path):
    """The export left such people out saying "the next `lindungi run` withdraws them", and no
    run did: the run looked at earlier periods' answers only, so they stayed pending, listed and
    counted as candidates of that month for good. The run holds them as the export does."""
    from pipelines.bpjs_exchange import held_by_bpjs

    dsn, _, _ = submitted                                   # NIKS exported (submitted) in 2026-11
    apply_response(dsn, write_response(tmp_path / "r.csv", [[NIKS[0], "2026-11", "DITERIMA", "12345678901", ""],
                                                            [NIKS[1], "2026-11", "DITOLAK", "", "NIK salah"]]))
    held = held_by_bpjs(dsn, "2026-10", roster_kpjs=[])     # October run again now
    assert held == {NIKS[0]: "sudah diterima BPJS pada periode 2026-11, belum tampak di data peserta",
                    NIKS[2]: "sudah dikirim ke BPJS pada periode 2026-11, menunggu jawaban"}
    # a later period's rejection holds nobody and is no note for an earlier month
    from pipelines.bpjs_exchange import earlier_answers, rejections_among
    assert rejections_among(earlier_answers(dsn, "2026-10")) == {}


def test_inbox_runs_are_not_retried_by_the_instance_s_run_retries(submitted, tmp_path, monkeypatch):
    """deploy/dagster.yaml retries a failed run once (run_retries). An inbox file's runs are the
    sensor's to retry: Dagster's retry of a refused file's run found the file filed away, said
    "already handled" and succeeded, so the refusal's run group ended green; and a killed run got
    Dagster's retry and the sensor's at once, two runs of one file side by side."""
    import dagster as dg

    from dagster_project.resources import Database
    from dagster_project.sensors import apply_bpjs_response, apply_verification, bpjs_response_sensor

    dsn, _, _ = submitted
    monkeypatch.setenv("LINDUNGI_OUT", str(tmp_path))
    inbox = tmp_path / "inbox" / "bpjs"
    inbox.mkdir(parents=True)
    write_response(inbox / "bad.csv", [[NIKS[1], "2026-11", "??", "", ""]])
    with dg.instance_for_test(overrides={"run_retries": {"enabled": True, "max_retries": 1}}) as instance:
        [request] = bpjs_response_sensor(dg.build_sensor_context(instance=instance))
        res = apply_bpjs_response.execute_in_process(run_config=request.run_config, tags=request.tags,
                                                     instance=instance, raise_on_error=False,
                                                     resources={"database": Database(dsn=dsn)})
        assert not res.success and (inbox / "rejected" / "bad.csv").exists()
        assert instance.get_run_by_id(res.run_id).tags["dagster/will_retry"] == "false"
        # a run killed before it handled its file: the sensor tries again, Dagster does not (the
        # daemon gives a sensor's run its job's tags, as execute_in_process does)
        config = {"path": str(inbox / "gone.csv")}
        for job, op, cfg in ((apply_bpjs_response, "apply_bpjs_response_file", config),
                             (apply_verification, "apply_verification_file", {**config, "period": "2026-11"})):
            run = instance.create_run_for_job(job, run_config={"ops": {op: {"config": cfg}}}, tags=job.run_tags)
            instance.report_run_failed(run)
            assert instance.get_run_by_id(run.run_id).tags["dagster/will_retry"] == "false", job.name


def test_a_response_file_named_with_a_nik_runs_under_the_starred_name(submitted, tmp_path, monkeypatch):
    """Found by fuzzing through the UI: the file's path went whole into its run's config, tags and
    key, the log line and the daemon's terminal."""
    import dagster as dg

    from dagster_project.resources import Database
    from dagster_project.sensors import apply_bpjs_response, bpjs_response_sensor

    dsn, _, _ = submitted
    monkeypatch.setenv("LINDUNGI_OUT", str(tmp_path))
    inbox = tmp_path / "inbox" / "bpjs"
    inbox.mkdir(parents=True)
    named = write_response(inbox / f"hasil {NIKS[0]}.csv", [[NIKS[0], "2026-11", "DITERIMA", "12345678901", ""]])
    [req] = bpjs_response_sensor(dg.build_sensor_context())
    assert NIKS[0] not in repr((req.run_key, req.tags, req.run_config))
    res = apply_bpjs_response.execute_in_process(run_config=req.run_config, resources={"database": Database(dsn=dsn)})
    assert res.success and (inbox / "processed" / named.name).exists()
    assert statuses(dsn)[NIKS[0]][0] == "accepted"


def test_a_response_file_named_after_a_person_runs_under_a_label_without_it(submitted, tmp_path, monkeypatch):
    """A privacy review: a response file saved under a person's name ("hasil SITI AMINAH.csv")
    put the name in its run's key, tags, config and log, with only digit runs starred. They name
    it by a keyed digest of its name now (``response_label``, as a returned list's); the same
    file still gets one run key, two files alike but for their names two, the run finds its file
    again, and a refusal's problems in the UI name the label too. An export's own name stays."""
    import os

    import dagster as dg

    from dagster_project.resources import Database
    from dagster_project.sensors import apply_bpjs_response, bpjs_response_sensor

    dsn, _, _ = submitted
    monkeypatch.setenv("LINDUNGI_OUT", str(tmp_path))
    monkeypatch.setenv("LINDUNGI_HOME", str(tmp_path / "home"))
    inbox = tmp_path / "inbox" / "bpjs"
    inbox.mkdir(parents=True)
    good = write_response(inbox / "hasil SITI AMINAH.csv", [[NIKS[0], "2026-11", "DITERIMA", "12345678901", ""]])
    bad = inbox / "hasil ROSMALA DEWI.csv"
    bad.write_bytes(good.read_bytes().replace(b"DITERIMA", b"DITERIMX"))
    os.utime(bad, ns=(good.stat().st_atime_ns, good.stat().st_mtime_ns))
    own = write_response(inbox / "export-001.csv", [[NIKS[1], "2026-11", "DITOLAK", "", "NIK ganda"]])
    (inbox / "hasil SITI AMINAH.xlsx").write_bytes(b"PK")  # no CSV: said, by its label
    ctx = dg.build_sensor_context()
    with patch.object(ctx.log, "warning") as warned:
        reqs = bpjs_response_sensor(ctx)
    [(said,), _] = warned.call_args
    assert re.search(r"no CSV are left where they are: hasil-[0-9a-f]{12}\.xlsx \(", said) and "SITI" not in said
    assert sorted(bpjs_response_sensor(dg.build_sensor_context()), key=lambda r: r.run_key) == \
        sorted(reqs, key=lambda r: r.run_key)
    by_key = {r.run_key: r for r in reqs}
    assert len(by_key) == 3
    for name in ("SITI", "AMINAH", "ROSMALA", "DEWI"):
        assert name not in repr([(r.run_key, r.tags, r.run_config) for r in reqs])
    assert sum(bool(re.fullmatch(r"hasil-[0-9a-f]{12}\.csv:[0-9-]+", k)) for k in by_key) == 2
    [mine] = [r for r in reqs if r.run_key.startswith("export-001.csv:")]
    with dg.instance_for_test() as instance:
        results = {}
        for req in reqs:
            res = apply_bpjs_response.execute_in_process(run_config=req.run_config, tags=req.tags, instance=instance,
                                                         raise_on_error=False, resources={"database": Database(dsn=dsn)})
            results[req.run_key] = res.success
            kept = repr([instance.all_logs(res.run_id), instance.get_run_by_id(res.run_id)])
            for name in ("SITI", "AMINAH", "ROSMALA", "DEWI"):
                assert name not in kept, name
    assert sorted(results.values()) == [False, True, True] and results[mine.run_key]
    assert (inbox / "processed" / good.name).exists() and (inbox / "rejected" / bad.name).exists()
    assert (inbox / "processed" / own.name).exists()
    assert "HASIL" in (inbox / "rejected" / (bad.name + ".error.txt")).read_text()
    assert statuses(dsn)[NIKS[0]][0] == "accepted" and statuses(dsn)[NIKS[1]][0] == "rejected"


def test_two_inbox_files_whose_names_star_alike_are_told_apart(tmp_path):
    """Found by fuzzing: a second file whose name starred alike, copied with the first's time
    (``cp -p``), got the first's run key, which Dagster never runs twice: left in the inbox for
    good without a word. The key and the run's config carry the file's change time and size too."""
    import os
    import time

    import dagster as dg

    from dagster_project.sensors import NOT_THERE, _inbox_file, inbox_ref

    a, b, literal = (tmp_path / f"hasil {NIKS[0]}.csv", tmp_path / f"hasil {NIKS[1]}.csv",
                     tmp_path / "hasil ****************.csv")
    for p, text in ((a, "x"), (b, "x"), (literal, "xy")):
        p.write_text(text)
        os.utime(p, ns=(1_700_000_000_000_000_000, 1_700_000_000_000_000_000))  # one time for all three
        time.sleep(0.05)  # a copy made later: its change time is its own
    refs = [inbox_ref(p, p.stat()) for p in (a, b, literal)]
    assert {r["path"] for r in refs} == {str(literal)} and len({r["file_id"] for r in refs}) == 3
    assert [_inbox_file(dg.build_op_context(op_config=r), NOT_THERE) for r in refs] == [a, b, literal]
    # the starred name given by hand, without the file's id: which one cannot be told
    with pytest.raises(dg.Failure, match=r"3 files in .* whose names differ only in a long number: rename them"):
        _inbox_file(dg.build_op_context(op_config={"path": str(literal)}), NOT_THERE)
    # changed since its run was asked for: said, not "never there"
    b.write_text("changed")
    with pytest.raises(dg.Failure, match=r"changed since its run was asked for; the sensor starts a run for it"):
        _inbox_file(dg.build_op_context(op_config=refs[1]), NOT_THERE)
    for p in (a, b, literal):
        p.unlink()
    with pytest.raises(dg.Failure, match=r"not in .* \(filed away by an earlier run, moved, or never there\)"):
        _inbox_file(dg.build_op_context(op_config=refs[1]), NOT_THERE)


def test_a_file_error_in_an_inbox_run_names_the_file_starred(submitted, tmp_path, monkeypatch):
    """Python's message for a file that cannot be read or moved (a list open in Excel on Windows)
    names the path, and Dagster keeps a failed step's message: a NIK in the name went whole."""
    import shutil

    import dagster as dg

    from dagster_project.resources import Database
    from dagster_project.sensors import apply_bpjs_response, bpjs_response_sensor

    dsn, _, _ = submitted
    monkeypatch.setenv("LINDUNGI_OUT", str(tmp_path))
    inbox = tmp_path / "inbox" / "bpjs"
    inbox.mkdir(parents=True)
    write_response(inbox / f"hasil {NIKS[0]}.csv", [[NIKS[0], "2026-11", "DITERIMA", "12345678901", ""]])
    [req] = bpjs_response_sensor(dg.build_sensor_context())

    def locked(src, dst):
        raise PermissionError(13, "Permission denied", str(src))

    monkeypatch.setattr(shutil, "move", locked)
    res = apply_bpjs_response.execute_in_process(run_config=req.run_config, raise_on_error=False,
                                                 resources={"database": Database(dsn=dsn)})
    [failure] = [e for e in res.all_events if e.is_step_failure]
    message = failure.step_failure_data.error.message
    assert "PermissionError" in message and NIKS[0] not in message
    assert re.search(r"hasil-[0-9a-f]{12}\.csv", message)  # by its label (response_label)
