"""The malformed-file corpus (tests/corpus/<case>/<source>.<ext>): one directory per way an
extract arrives broken, each with its exact outcome. Either the run stops with one line naming
the file and what was expected, or every row is accounted for: read = accepted + quarantined,
with the reason of each quarantined row and the flags of each weakened one."""

import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from pipelines.ingest import clean_dtsen, clean_penduduk
from pipelines.readers import InputError, read_extract

CORPUS = Path(__file__).parent / "corpus"
LINDUNGI = str(Path(sys.executable).with_name("lindungi"))

# case -> the file's outcome. "stop": a fragment of the one-line message. Otherwise the accepted
# lines with their flags, and the quarantined lines with their reason codes.
STOP = {
    "missing_required_column": "missing required column TGL_LHR",
    "header_only": "header only, no data rows",
    "not_a_csv": "not a valid CSV file",
    "unreadable_encoding": "unreadable encoding (UTF-16)",
    "not_a_parquet": "not a valid Parquet file",
    "not_an_xlsx": "not a valid XLSX file",
    # one opened quote swallows every later line into one field: rows can no longer be told apart
    "unclosed_quote": "line 3: a quoted field opened here is never closed",
}
TWO_CLEAN = ({2: [], 3: []}, {})
ACCOUNTED = {
    "utf8_bom": TWO_CLEAN,
    "utf8_plain": TWO_CLEAN,
    "windows_1252": TWO_CLEAN,
    "semicolon": TWO_CLEAN,
    "tab": TWO_CLEAN,
    "pipe": TWO_CLEAN,
    # the first record spans lines 2-3 (a quoted newline in the name); the next starts on line 4
    "quoted_newline": ({2: [], 4: []}, {}),
    "title_rows_before_header": ({5: [], 6: []}, {}),
    "xlsx_serial_dates_numeric_codes": ({4: [], 5: []}, {}),
    # (RUDI's NIK was issued in kecamatan 02, and he lives in 01; his KK is Excel's 6.47402E+15)
    "excel_damaged_nik": ({2: [], 4: ["nik_region_not_address", "kk_invalid"]}, {3: "nik_excel_damaged"}),
    "invisible_chars_in_nik_and_kk": TWO_CLEAN,
    # NUL and other control characters inside names, an occupation and an address (a damaged
    # export): read as a text file, the characters become spaces; PostgreSQL refuses a NUL
    "control_characters_in_fields": TWO_CLEAN,
    # codes as a float column written by pandas or a spreadsheet: 64.0, 1001.0, 8.0 (Perdagangan)
    "pandas_float_codes": TWO_CLEAN,
    "welfare_float_codes": ({2: [], 3: [], 4: [], 5: ["desil_invalid"]}, {}),
    "duplicate_rows_and_niks": ({2: []}, {3: "duplicate_row", 4: "duplicate_nik", 5: "duplicate_nik"}),
    "impossible_and_future_dates": ({2: ["tgl_lhr_invalid"], 3: ["tgl_lhr_future"], 4: ["tgl_lhr_missing"]}, {}),
    "ragged_row": ({2: [], 4: []}, {3: "row_malformed"}),
    "welfare_bad_niks_kept": ({2: [], 3: ["nik_unusable"]}, {4: "duplicate_id", 5: "duplicate_id", 6: "missing_id"}),
}


def _source(case: Path) -> str:
    return next(p.stem for p in case.iterdir() if p.stem in ("penduduk", "dtsen", "peserta_bpjstk"))


def test_every_corpus_case_has_an_expected_outcome():
    cases = {p.name for p in CORPUS.iterdir() if p.is_dir()}
    assert cases == set(STOP) | set(ACCOUNTED)


@pytest.mark.parametrize("case", sorted(STOP))
def test_unusable_file_stops_with_one_line(case):
    folder = CORPUS / case
    with pytest.raises(InputError) as exc:
        read_extract(folder, _source(folder))
    message = str(exc.value)
    name = next(p.name for p in folder.iterdir())
    assert message.startswith(f"{name}: ") and STOP[case] in message and "\n" not in message


@pytest.mark.parametrize("case", sorted(ACCOUNTED))
def test_every_row_accounted_for(case):
    folder = CORPUS / case
    source = _source(folder)
    raw = read_extract(folder, source)
    res = (clean_dtsen if source == "dtsen" else clean_penduduk)(raw)
    accepted, quarantined = ACCOUNTED[case]
    assert dict(zip(res.accepted["line"], res.accepted["flags"].to_list())) == accepted
    assert dict(zip(res.quarantine["line"], res.quarantine["reason_code"])) == quarantined
    assert res.balanced and res.stats["rows_read"] == len(accepted) + len(quarantined)
    assert res.quarantine["reason"].null_count() == 0          # every rejection has its words
    assert set(res.quarantine["file"]) <= {raw.path.name}


def test_clean_corpus_files_read_the_same_people():
    """Encodings, delimiters, BOM, title rows and XLSX with serial dates and numbers that lost
    their zeros: the same two residents, field by field."""
    same = ["NIK", "NO_KK", "NAMA_LGKP", "TGL_LHR", "JENIS_KLMIN", "kode_kel", "NO_RT", "NO_RW"]
    frames = {case: clean_penduduk(read_extract(CORPUS / case, "penduduk")).accepted.select(same).sort("NIK")
              for case in ("utf8_bom", "utf8_plain", "semicolon", "tab", "pipe", "title_rows_before_header",
                           "invisible_chars_in_nik_and_kk", "control_characters_in_fields",
                           "pandas_float_codes")}
    first = frames["utf8_plain"]
    damaged = clean_penduduk(read_extract(CORPUS / "control_characters_in_fields", "penduduk")).accepted
    text = [c for c, t in damaged.schema.items() if t == pl.String]
    assert damaged.select(pl.any_horizontal(pl.col(text).str.contains(r"[\x00-\x1f\x7f]").fill_null(False)).any()).item() \
        is False
    assert sorted(damaged["ALAMAT"]) == ["JL. MERDEKA", "JL. MERDEKA"] and set(damaged["JENIS_PKRJN"]) == {"PEDAGANG"}
    assert first["TGL_LHR"].to_list() == [date(1985, 8, 15), date(1990, 8, 15)]
    for case, df in frames.items():
        assert df.equals(first), case
    xlsx = clean_penduduk(read_extract(CORPUS / "xlsx_serial_dates_numeric_codes", "penduduk")).accepted
    assert xlsx.select("NIK", "TGL_LHR", "kode_kel").sort("NIK").equals(first.select("NIK", "TGL_LHR", "kode_kel"))


@pytest.mark.parametrize("case", ["missing_required_column", "not_a_csv", "unreadable_encoding"])
def test_lindungi_run_stops_with_one_line_and_no_traceback(case, small_world, tmp_path):
    """Through the command a data engineer types: non-zero exit, one line naming the file."""
    world = tmp_path / "world"
    shutil.copytree(small_world, world, ignore=shutil.ignore_patterns("truth", "penduduk.*"))
    bad = next((CORPUS / case).iterdir())
    shutil.copy(bad, world / bad.name)
    env = {**__import__("os").environ, "LINDUNGI_HOME": str(tmp_path / "home")}
    try:
        proc = subprocess.run([LINDUNGI, "run", "--input", str(world), "--period", "2026-11", "--out",
                               str(tmp_path / "o")], capture_output=True, text=True, timeout=300, env=env)
    finally:  # the embedded server starts beside the run's start and stays up, as after any run
        subprocess.run([LINDUNGI, "db", "stop"], capture_output=True, timeout=120, env=env)
    assert proc.returncode != 0
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("lindungi:")]  # the rest is progress
    assert len(errors) == 1 and bad.name in errors[0] and STOP[case] in errors[0], proc.stderr[-1000:]
    assert "Traceback" not in proc.stderr + proc.stdout


def test_an_extract_with_no_acceptable_row_stops_after_quarantining_it(small_world, tmp_path):
    """Every resident's NIK unusable: the ingest quarantines every row (nothing lost), then the
    command stops with one line naming the file and the quarantine, not an error from a later
    step about frames it had nothing to assemble from."""
    world = tmp_path / "world"
    shutil.copytree(small_world, world, ignore=shutil.ignore_patterns("truth", "penduduk.*"))
    raw = pl.read_csv(small_world / "penduduk.csv", infer_schema=False)
    raw.with_columns(NIK=pl.lit("6.47401E+15")).write_csv(world / "penduduk.csv")
    out = tmp_path / "o"
    env = {**__import__("os").environ, "LINDUNGI_HOME": str(tmp_path / "home")}
    try:
        proc = subprocess.run([LINDUNGI, "run", "--input", str(world), "--period", "2026-11", "--out", str(out)],
                              capture_output=True, text=True, timeout=300, env=env)
    finally:
        subprocess.run([LINDUNGI, "db", "stop"], capture_output=True, timeout=120, env=env)
    assert proc.returncode == 1
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("lindungi:")]
    assert errors == [f"lindungi: error: penduduk.csv: no row was accepted, every one is in "
                      f"{out / 'penduduk_quarantine.parquet'} with its reason; nothing to link or submit"], proc.stderr
    # the GX worker, which had checked the extracts, ended as a process does: nothing leaked
    assert "leaked semaphore" not in proc.stderr and "Traceback" not in proc.stderr
    quarantined = pl.read_parquet(out / "penduduk_quarantine.parquet")
    assert quarantined.height == raw.height and set(quarantined["reason_code"]) == {"nik_excel_damaged"}


def test_a_roster_or_welfare_extract_that_cannot_be_used_stops_the_run(small_world, tmp_path):
    """A roster whose STATUS is written 1/0 (no one's protection can be decided) or whose rows
    are all quarantined (one KPJ on every row), or a welfare extract all quarantined, went on:
    every protected worker became a candidate and was submitted, exit 0 (an adversarial review).
    Now the blocking check stops it, saying the file, what was expected and on how many rows."""
    from pipelines.ingest import clean_dtsen, clean_peserta
    from pipelines.readers import read_extract
    from quality.expectations import suite_for, validate

    world = tmp_path / "world"
    shutil.copytree(small_world, world, ignore=shutil.ignore_patterns("truth"))
    roster = pl.read_csv(small_world / "peserta_bpjstk.csv", infer_schema=False)
    roster.with_columns(KPJ=pl.lit("12345678901")).write_csv(world / "peserta_bpjstk.csv")
    assert not validate(clean_peserta(read_extract(world, "peserta_bpjstk")).accepted, "participants",
                        suite_for("participants")).success
    welfare = pl.read_csv(small_world / "dtsen.csv", infer_schema=False)
    welfare.with_columns(ID_DTSEN=pl.lit(None, pl.String)).write_csv(world / "dtsen.csv")
    assert not validate(clean_dtsen(read_extract(world, "dtsen")).accepted, "welfare_records",
                        suite_for("welfare_records")).success
    shutil.copy(small_world / "dtsen.csv", world / "dtsen.csv")
    roster.with_columns(STATUS=pl.when(pl.col("STATUS") == "AKTIF").then(pl.lit("1")).otherwise(pl.lit("0"))) \
        .write_csv(world / "peserta_bpjstk.csv")
    env = {**__import__("os").environ, "LINDUNGI_HOME": str(tmp_path / "home")}
    try:
        proc = subprocess.run([LINDUNGI, "run", "--input", str(world), "--period", "2026-11", "--out",
                               str(tmp_path / "o")], capture_output=True, text=True, timeout=300, env=env)
    finally:
        subprocess.run([LINDUNGI, "db", "stop"], capture_output=True, timeout=120, env=env)
    assert proc.returncode == 1
    [error] = [ln for ln in proc.stderr.splitlines() if ln.startswith("lindungi:")]
    assert f"peserta_bpjstk.csv ({roster.height:,} rows read, {roster.height:,} accepted" in error
    assert "not met: STATUS read as AKTIF or NONAKTIF in most rows" in error and f"({roster.height:,} rows)" in error
    assert not (tmp_path / "o" / "enrollment_candidates").exists()   # nothing judged, nothing submitted


def test_codes_written_as_decimals_are_the_codes():
    """A float column's whole numbers (pandas writes 1.0 where a column has empty cells) are the
    codes: desil 1.0 is 1, not 10 (its digits), and 10.0 is 10, not invalid; 1.5 is no desil."""
    welfare = clean_dtsen(read_extract(CORPUS / "welfare_float_codes", "dtsen")).accepted.sort("ID_DTSEN")
    assert welfare["DESIL"].to_list() == [1, 10, 2, None]
    assert welfare["KODE_KEL"].to_list() == ["6474011001"] * 4 and welfare["JENIS_KLMIN"].to_list() == ["L", "P", "L", "P"]
    residents = clean_penduduk(read_extract(CORPUS / "pandas_float_codes", "penduduk")).accepted
    assert set(residents["pekerjaan_kode"]) == {8} and residents["disabilitas"].to_list() == [False, False]
