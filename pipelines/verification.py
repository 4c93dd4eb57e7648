"""The verification loop: a coordinator's returned gap list, validated and stored.

A returned workbook is matched back to the period's candidates by its hidden ``ID Baris`` (a
keyed NIK pseudonym). It is refused whole, with every problem named in Bahasa Indonesia, when
it is for another period, carries an unknown Hasil Verifikasi, has rows that are not in the
list, or has edited locked columns (name, masked NIK). Results are stored in
``bpjs.verification`` with who and when; the next run withdraws candidates verified as
``Meninggal``, ``Pindah domisili``, ``Menolak`` or ``Sudah terdaftar`` with that reason, and
ranks candidates verified ``Valid`` first. A person's latest result counts, whichever period's
list it was returned on: someone verified as deceased in October is not listed in November.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date, datetime, time
from pathlib import Path

import polars as pl
import psycopg

from pipelines.db import log_processing, no_row_data
from pipelines.nik import mask as mask_nik
from pipelines.nik import mask_long_digits
from pipelines.pseudonym import pseudonym_column
from pipelines.reports import BULAN, EXCEL_TEXT_MAX, READ_BACK, VERIFIKASI, periode_label

WITHDRAWING = {"Sudah terdaftar", "Pindah domisili", "Meninggal", "Menolak"}
# a choice typed rather than picked ("valid", "sudah  terdaftar": Excel's list validation lets a
# typed value through whatever its case) is the choice
_CHOICES = {v.casefold(): v for v in VERIFIKASI}
HEADER_ROW = 6  # 1-based row of the table header in the gap list


class VerificationError(Exception):
    """A returned gap list that cannot be applied; ``problems`` are in Bahasa Indonesia."""

    def __init__(self, file: str, problems: list[str]):
        self.file, self.problems = file, problems
        super().__init__(f"{file}: {len(problems)} masalah: " + "; ".join(problems[:5]))


def _cell_text(value) -> str | None:
    """A cell the coordinator types in (*Hasil Verifikasi*, *Catatan*) as the text they saw:
    Excel turns a typed "2/1/2026" into a date and "08123" into a number."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, datetime):
        return value.strftime("%d-%m-%Y" if value.time() == time() else "%d-%m-%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d-%m-%Y")
    if isinstance(value, time):  # a typed "08.30" or "8:30" (stored as 08:30:00 before)
        return value.strftime("%H:%M" if not value.second else "%H:%M:%S")
    if isinstance(value, bool):  # a typed "benar"/"true": Excel's own words for it
        return "BENAR" if value else "SALAH"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_returned(path: Path, period: str, candidates: pl.DataFrame, key: bytes) -> pl.DataFrame:
    """Validated rows (NIK, hasil, catatan, kode_kel) of a returned gap list; raises VerificationError."""
    return _read_returned(path, period, candidates, key)[0]


def _read_returned(path: Path, period: str, candidates: pl.DataFrame, key: bytes) -> tuple[pl.DataFrame, str]:
    """:func:`read_returned`'s rows, and the workbook's last editor as Office records it (from the
    same opening of the file)."""
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    name = path.name
    try:
        # formulas as written (data_only=False): a file saved without cached values (openpyxl,
        # some converters) read a formula in Hasil Verifikasi as an empty cell, and the result was
        # dropped without a word
        wb = load_workbook(path, read_only=True, data_only=False)
    except Exception:  # noqa: BLE001
        raise VerificationError(name, ["file bukan XLSX yang valid"]) from None
    if "Daftar Calon Peserta" not in wb.sheetnames:
        raise VerificationError(name, ["lembar 'Daftar Calon Peserta' tidak ada"])
    try:  # read lazily: a sheet damaged on the way (a mail attachment cut short) fails here
        rows = list(wb["Daftar Calon Peserta"].iter_rows(values_only=True))
    except Exception:  # noqa: BLE001
        raise VerificationError(name, ["file XLSX rusak (tidak dapat dibaca seluruhnya); "
                                       "buka dan simpan ulang di Excel, lalu kirim lagi"]) from None
    finally:
        wb.close()
    who = wb.properties.lastModifiedBy or "tidak diketahui"
    problems: list[str] = []
    title = str(rows[2][0] or "") if len(rows) > 2 else ""
    if f"Periode {periode_label(period)}" not in title:
        # which month it is for, when A3 still says (a month and a year: no personal data)
        m = re.match(r"Periode ((?:{}) [0-9]{{4}})\b".format("|".join(BULAN)), title)
        of = f" (file ini untuk periode {m.group(1)})" if m else ""
        raise VerificationError(name, [f"file ini bukan untuk periode {periode_label(period)}{of}"])
    header = [str(v) if v is not None else "" for v in rows[HEADER_ROW - 1]] if len(rows) >= HEADER_ROW else []
    if header[: len(READ_BACK)] != [c for c, _ in READ_BACK]:
        # where, and what belongs there (not what is there: it may be anything typed)
        at = next(i for i, (c, _) in enumerate(READ_BACK) if i >= len(header) or header[i] != c)
        raise VerificationError(name, [f"judul kolom diubah: kolom {get_column_letter(at + 1)} (baris {HEADER_ROW}) "
                                       f"seharusnya '{READ_BACK[at][0]}'; gunakan file asli dari koordinator kota"])
    col = {c: i for i, (c, _) in enumerate(READ_BACK)}
    known = candidates.with_columns(pseudonym_column(candidates["NIK"], key)).select(
        "pseudonym", "NIK", "NAMA_LGKP", "kode_kel")
    by_id = {r[0]: r[1:] for r in known.iter_rows()}
    out = []
    seen: dict[str, int] = {}  # ID Baris -> the row it was first on
    unknown = 0  # rows of a person not in this period's lists
    for i, row in enumerate(rows[HEADER_ROW:], start=HEADER_ROW + 1):
        if row is None or all(v is None for v in row):
            continue
        rid = row[col["ID Baris"]]
        typed = (_cell_text(row[col["Hasil Verifikasi"]]) or "").strip()  # a number there: no choice
        hasil = _CHOICES.get(" ".join(typed.split()).casefold(), typed)
        if rid is None and not typed and row[col["NIK"]] is None and row[col["Nama Lengkap"]] is None:
            # no person and no result: a note typed below the table ("3 warga tidak ditemukan"),
            # which refused the whole file as a row "not in the list"
            continue
        if rid not in by_id:
            problems.append(f"baris {i}: tidak ada dalam daftar periode ini")
            unknown += 1
            continue
        if rid in seen:  # a row copied: two results for one person, the later one won
            problems.append(f"baris {i}: baris ganda (orang yang sama dengan baris {seen[rid]})")
            continue
        seen[rid] = i
        nik, nama, kode_kel = by_id[rid]
        changed = [c for c, same in (("Nama Lengkap", row[col["Nama Lengkap"]] in (nama[:EXCEL_TEXT_MAX],
                                                                       mask_long_digits(nama)[:EXCEL_TEXT_MAX])),
                                     ("NIK", row[col["NIK"]] in (mask_nik(nik), nik))) if not same]
        if changed:
            problems.append(f"baris {i}: kolom terkunci {' dan '.join(repr(c) for c in changed)} diubah")
        if hasil.startswith("="):
            problems.append(f"baris {i}: Hasil Verifikasi berisi rumus; pilih dari daftar")
        elif hasil and hasil not in VERIFIKASI:
            # what was typed is not repeated: it may be a NIK or a name
            problems.append(f"baris {i}: Hasil Verifikasi tidak dikenal; pilih dari daftar ({', '.join(VERIFIKASI)})")
        if hasil:
            out.append((nik, hasil, _cell_text(row[col["Catatan"]]), kode_kel))
    if unknown and not seen:
        # not one row of the lists: a row-by-row refusal hid the cause (the file's ID Baris
        # made with another key, the state folder made anew, or the column cleared)
        raise VerificationError(name, [
            f"tidak satu baris pun cocok dengan daftar periode {periode_label(period)} ({unknown:,} baris): "
            "kolom ID Baris kosong atau diubah, atau daftar ini dibuat dengan kunci lain (folder data "
            "Lindungi dibuat ulang); gunakan file asli dari koordinator kota"])
    if problems:
        raise VerificationError(name, problems)
    return pl.DataFrame(out, schema={"NIK": pl.String, "hasil": pl.String, "catatan": pl.String,
                                     "kode_kel": pl.String}, orient="row"), who


UPSERT = """
INSERT INTO bpjs.verification (nik, period, hasil, catatan, kode_kel, file, file_sha256, received_by)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s)
ON CONFLICT (nik, period) DO UPDATE SET hasil = EXCLUDED.hasil, catatan = EXCLUDED.catatan,
    file = EXCLUDED.file, file_sha256 = EXCLUDED.file_sha256, received_by = EXCLUDED.received_by,
    received_at = now()
WHERE (bpjs.verification.hasil, bpjs.verification.catatan) IS DISTINCT FROM (EXCLUDED.hasil, EXCLUDED.catatan)
"""


@no_row_data
def store(dsn: str, rows: pl.DataFrame, period: str, path: Path, received_by: str, run_id: str | None = None) -> int:
    """Store the results; how many were new or changed (a list applied again changes none, and
    said it stored them all again)."""
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    with psycopg.connect(dsn) as conn, conn.transaction():
        with conn.cursor() as cur:
            cur.executemany(UPSERT, [(n, period, h, c, k, path.name, sha, received_by) for n, h, c, k in rows.iter_rows()])
            changed = max(cur.rowcount, 0) if rows.height else 0  # summed over the rows (psycopg 3)
        # "by" is who applied it (the OS account), as in every other log row: the workbook's
        # last editor is a person's full name, kept only beside the results in
        # bpjs.verification, which retention erases (the log stays)
        log_processing(conn, "verification", period, None, {"file": path.name, "sha256": sha},
                       {"rows": rows.height, "changed": changed}, run_id)
    return changed


def stored_line(name: str, rows: int, changed: int) -> str:
    """What applying a returned list did, in Bahasa Indonesia, for the command and the job's log."""
    if rows == 0:  # said, not "0 disimpan": a list sent back before any visit, or the wrong file
        return f"{name}: tidak ada Hasil Verifikasi yang diisi; tidak ada yang disimpan"
    same = f", {rows - changed:,} sama seperti sebelumnya" if changed < rows else ""
    return f"{name}: {changed:,} hasil verifikasi disimpan{same}"


def apply_returned(dsn: str, path: Path, period: str, out_dir: Path, run_id: str | None = None) -> tuple[int, int]:
    """Validate a returned gap list against ``period``'s candidates under ``out_dir`` and store
    its results in the migrated database ``dsn``; (results in the file, results new or changed). VerificationError when the
    file cannot be applied (nothing stored). The sensor's job and ``lindungi verification`` both
    run this; only the job moves the file (to ``diproses/`` or ``ditolak/``)."""
    from pipelines.pseudonym import load_key

    cands = Path(out_dir) / "enrollment_candidates" / f"{period}.parquet"
    if not cands.exists():
        raise VerificationError(path.name, [f"belum ada daftar calon peserta untuk periode {period}"])
    rows, who = _read_returned(path, period, _listed(dsn, period, pl.read_parquet(cands)), load_key())
    return rows.height, store(dsn, rows, period, path, who, run_id=run_id)


LISTED = "SELECT nik, nama_lgkp, kode_kel FROM bpjs.submission_candidate WHERE period = %s"


@no_row_data
def _listed(dsn: str, period: str, candidates: pl.DataFrame) -> pl.DataFrame:
    """Everyone a list of ``period`` may hold: the candidates, and those a later run of the period
    withdrew (verified out by the kelurahan, protected or registered since). A list returned
    again after that run (the same file, more visits filled in) was refused whole, each of them
    "not in this period's list"."""
    cols = ("NIK", "NAMA_LGKP", "kode_kel")
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(LISTED, (period,)).fetchall()
    gone = pl.DataFrame(rows, schema=dict.fromkeys(cols, pl.String), orient="row")
    return pl.concat([candidates.select(cols), gone.filter(~pl.col("NIK").is_in(candidates["NIK"].implode()))])


# A person's latest result, whichever period's list it came on: a run of an earlier month after
# a later list came back (a backfill) must not list and export someone verified as deceased since.
LATEST = """
SELECT DISTINCT ON (nik) nik, hasil FROM bpjs.verification
ORDER BY nik, period DESC, received_at DESC
"""


@no_row_data
def latest_results(dsn: str) -> dict[str, str]:
    """NIK -> the latest Hasil Verifikasi returned on any period's list: what a kelurahan knows
    now holds for every period's run, an earlier month run again too."""
    with psycopg.connect(dsn) as conn:
        return dict(conn.execute(LATEST).fetchall())


def verified_exclusions(dsn: str, results: dict[str, str] | None = None) -> dict[str, str]:
    """NIK -> withdrawal reason for candidates a coordinator verified as not to be enrolled."""
    results = latest_results(dsn) if results is None else results
    return {nik: f"hasil verifikasi: {hasil}" for nik, hasil in results.items() if hasil in WITHDRAWING}


def verified_valid(dsn: str, results: dict[str, str] | None = None) -> list[str]:
    """NIKs whose latest result is ``Valid``: they move ahead of unverified candidates."""
    results = latest_results(dsn) if results is None else results
    return sorted(nik for nik, hasil in results.items() if hasil == "Valid")
