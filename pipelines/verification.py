"""The verification loop: a coordinator's returned gap list, validated and stored.

A returned workbook is matched back to the period's candidates by its hidden ``ID Baris`` (a
keyed NIK pseudonym). It is refused whole, with every problem named in Bahasa Indonesia, when
it is for another period, carries an unknown Hasil Verifikasi, has rows that are not in the
list, or has edited locked columns (name, masked NIK). Results are stored in
``bpjs.verification`` with who and when; the next run withdraws candidates verified as
``Meninggal``, ``Pindah domisili``, ``Menolak``, ``Bukan pekerja informal`` or ``Sudah terdaftar``
with that reason, and marks candidates verified ``Valid`` (``terverifikasi``): their rank stays
CONTRACT §2's, and the BPJS export sends them ahead of the rest. A person's latest result counts,
whichever period's list it was returned on: someone verified as deceased in October is not
listed in November.
"""

from __future__ import annotations

import hashlib
import io
import re
from datetime import date, datetime, time
from pathlib import Path
from typing import NamedTuple

import polars as pl
import psycopg

from pipelines.db import log_processing, nik_list, no_row_data
from pipelines.files import OTHER_FORMATS, SAVE_AS_XLSX, list_label
from pipelines.nik import mask as mask_nik
from pipelines.nik import mask_file_name, mask_long_digits
from pipelines.pseudonym import pseudonym_column
from pipelines.reports import BIRTH_DATE, BIRTH_YEAR, BULAN, EXCEL_TEXT_MAX, READ_BACK, VERIFIKASI, periode_label
from pipelines.siak import INVISIBLE

WITHDRAWING = {"Sudah terdaftar", "Bukan pekerja informal", "Pindah domisili", "Meninggal", "Menolak"}
# a choice typed rather than picked ("valid", "sudah  terdaftar": Excel's list validation lets a
# typed value through whatever its case) is the choice
def _choice_key(typed: str) -> str:
    """A choice as typed, compared: case, spacing, a hyphen, dash or underscore between words and
    punctuation (``.,;:``) at either end do not count ("Bukan pekerja-informal.", pasted past
    Excel's drop-down, was refused as unknown, the value not quoted back). A cell of punctuation
    alone ("-", a mark for "not visited") is empty. Characters of no width (a zero-width space,
    a BOM, a joiner, a soft hyphen, a mark of writing direction: pasted from a chat or a web
    form) are nothing: a cell that showed "Valid" was refused as unknown, and the coordinator
    could not see what to fix (an outside review)."""
    typed = _INVISIBLE.sub("", typed)
    for dash in "-\u2013\u2014_":
        typed = typed.replace(dash, " ")
    return " ".join(typed.split()).strip(" .,;:").casefold()


_INVISIBLE = re.compile(INVISIBLE)


_CHOICES = {_choice_key(v): v for v in VERIFIKASI}
HEADER_ROW = 6  # 1-based row of the table header in the gap list


class VerificationError(Exception):
    """A returned gap list that cannot be applied; ``problems`` are in Bahasa Indonesia."""

    def __init__(self, file: str, problems: list[str]):
        self.file, self.problems = file, problems
        super().__init__(f"{file}: {len(problems)} masalah: " + "; ".join(problems[:5]))


_CALC_TRUTH = {"=TRUE()": "BENAR", "=FALSE()": "SALAH"}


def _cell_text(value) -> str | None:
    """A cell the coordinator types in (*Hasil Verifikasi*, *Catatan*) as the text they saw:
    Excel turns a typed "2/1/2026" into a date and "08123" into a number."""
    if value is None:
        return value
    if isinstance(value, str):
        # a truth value as LibreOffice Calc saves it: as the formula TRUE() or FALSE() (with its
        # value beside it), where Excel saves the value; the list was refused for a formula
        return _CALC_TRUTH.get(value.upper(), value)
    from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

    if isinstance(value, (ArrayFormula, DataTableFormula)):
        # an array or data-table formula (openpyxl gives an object, not the "=..." text): a
        # formula as any other, where it was stored as the object's repr or taken for a choice
        return "=" + str(getattr(value, "text", None) or "").removeprefix("=")
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


def _saved_as(path: Path) -> str:
    fmt = OTHER_FORMATS.get(path.suffix.lower())
    return f": tersimpan sebagai {fmt}" if fmt else ""


def read_returned(path: Path, period: str, candidates: pl.DataFrame, key: bytes) -> pl.DataFrame:
    """Validated rows (NIK, hasil, catatan, kode_kel, and the sheet's row, baris) of a returned
    gap list; raises VerificationError."""
    return _read_returned(path, period, candidates, key)[0]


def _read_returned(path: Path, period: str, candidates: pl.DataFrame, key: bytes
                   ) -> tuple[pl.DataFrame, str, list[int]]:
    """:func:`read_returned`'s rows, the workbook's last editor as Office records it (from the
    same opening of the file), and the rows with a Catatan but no Hasil Verifikasi."""
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    name = mask_file_name(path.name)  # (a NIK in the name a person gave the file: starred)
    try:
        # formulas as written (data_only=False): a file saved without cached values (openpyxl,
        # some converters) read a formula in Hasil Verifikasi as an empty cell, and the result was
        # dropped without a word
        # A workbook renamed .xls (an .xlsx inside: openpyxl refuses the name, not the file) was
        # refused as saved in Excel 97-2003 (a coordinators' review): read from its bytes
        data = path.read_bytes() if path.suffix.lower() not in (".xlsx", ".xlsm") else b""
        wb = load_workbook(io.BytesIO(data) if data.startswith(b"PK\x03\x04") else path, read_only=True,
                           data_only=False)
    except Exception:  # noqa: BLE001
        # what to do, not only what is wrong: a list saved by LibreOffice Calc as its own .ods
        # (it asks at every save), as .xls or as CSV
        raise VerificationError(name, [f"file bukan XLSX yang valid{_saved_as(path)}; buka di Excel atau "
                                       f"LibreOffice, simpan sebagai {SAVE_AS_XLSX}, lalu kirim lagi"]) from None
    if "Daftar Calon Peserta" not in wb.sheetnames:
        raise VerificationError(name, ["lembar 'Daftar Calon Peserta' tidak ada"])
    try:  # read lazily: a sheet damaged on the way (a mail attachment cut short) fails here
        sheet = wb["Daftar Calon Peserta"]
        sheet_path = getattr(sheet, "_worksheet_path", None)
        # every row the sheet holds, not the range its <dimension> declares: a file from another
        # tool declaring A1:S8 lost the results below row 8 without a word
        sheet.reset_dimensions()
        rows = list(sheet.iter_rows(values_only=True))
        # rows as long as the longest (without a declared range, each row ends at its last cell)
        width = max((len(r) for r in rows), default=0)
        rows = [tuple(r) + (None,) * (width - len(r)) for r in rows]
    except Exception:  # noqa: BLE001
        raise VerificationError(name, ["file XLSX rusak (tidak dapat dibaca seluruhnya); "
                                       "buka dan simpan ulang di Excel, lalu kirim lagi"]) from None
    finally:
        wb.close()
    who = wb.properties.lastModifiedBy or "tidak diketahui"
    problems: list[str] = []
    # the table's header row where it is (a row inserted or deleted above it moved it: the file
    # was refused for another period, or for a changed column title), and the title above it
    names = [c for c, _ in READ_BACK]
    header_row = next((i + 1 for i, r in enumerate(rows[:HEADER_SEARCH_ROWS]) if r and _titles(r[:len(names)]) == names),
                      HEADER_ROW)
    title = next((str(r[0]) for r in rows[:header_row - 1] if r and str(r[0] or "").startswith("Periode ")),
                 str(rows[2][0] or "") if len(rows) > 2 else "")
    if f"Periode {periode_label(period)}" not in title:
        # which month it is for, when A3 still says (a month and a year: no personal data)
        m = re.match(r"Periode ((?:{}) [0-9]{{4}})\b".format("|".join(BULAN)), title)
        of = f" (file ini untuk periode {m.group(1)})" if m else ""
        raise VerificationError(name, [f"file ini bukan untuk periode {periode_label(period)}{of}"])
    header = _titles(rows[header_row - 1]) if len(rows) >= header_row else []
    if header[: len(READ_BACK)] != names:
        # where, and what belongs there (not what is there: it may be anything typed)
        at = next(i for i, (c, _) in enumerate(READ_BACK) if i >= len(header) or header[i] != c)
        raise VerificationError(name, [f"judul kolom diubah: kolom {get_column_letter(at + 1)} (baris {header_row}) "
                                       f"seharusnya '{READ_BACK[at][0]}'; gunakan file asli dari koordinator kabupaten/kota"])
    col = {c: i for i, (c, _) in enumerate(READ_BACK)}
    # the list's own kelurahan, as its title names it ("Kelurahan Bontang Kuala (6474011001), ..."):
    # what a result says is said there. The person's kelurahan in the period's latest run was
    # stored, and a move said on a list printed before a re-run placed them elsewhere was tied to
    # where they now live, excluding them there (a re-check of a coordinators' review)
    listed_in = _list_kelurahan(rows[:header_row - 1])
    # a result or a note written once over merged rows (a household that moved) is in the first
    # row only: the others were stored with nothing, without a word
    problems += [f"baris {top}-{bottom}: sel {c} digabung (merge); isi setiap baris sendiri"
                 for c, top, bottom in _merged(path, sheet_path, header_row, [col["Hasil Verifikasi"], col["Catatan"]],
                                               names)]
    known = candidates.with_columns(pseudonym_column(candidates["NIK"], key)).select(
        "pseudonym", "NIK", "NAMA_LGKP", "kode_kel")
    by_id = {r[0]: r[1:] for r in known.iter_rows()}
    out = []
    seen: dict[str, int] = {}  # ID Baris -> the row it was first on
    unknown = 0  # rows of a person not in this period's lists
    unused_notes = []  # rows with a Catatan and no Hasil: nothing to store it with
    for i, row in enumerate(rows[header_row:], start=header_row + 1):
        if row is None or all(v is None for v in row):
            continue
        rid = row[col["ID Baris"]]
        typed = (_cell_text(row[col["Hasil Verifikasi"]]) or "").strip()  # a number there: no choice
        key = _choice_key(typed)
        typed = typed if key else ""  # "-" or "." for "not visited": empty, as the row above the list asks
        hasil = _CHOICES.get(key, typed)
        if rid is None and not typed and row[col["NIK"]] is None and row[col["Nama Lengkap"]] is None:
            # no person and no result: a note typed below the table ("3 warga tidak ditemukan"),
            # which refused the whole file as a row "not in the list"
            continue
        if rid not in by_id:
            # a row typed in, a worker the list missed: said as what it is (a coordinators' review)
            problems.append(f"baris {i}: tidak ada dalam daftar periode ini" + (
                "; baris tambahan? hapus baris itu dan laporkan warga tersebut kepada koordinator kabupaten/kota secara "
                "terpisah" if rid is None else ""))
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
            # the name alone: also a name corrected in the extract and the period run again after
            # this list was made (its new list has the corrected name)
            why = (" (atau nama ini diperbaiki sejak daftar ini dibuat: gunakan daftar terbaru)"
                   if changed == ["Nama Lengkap"] else "")
            problems.append(f"baris {i}: kolom terkunci {' dan '.join(repr(c) for c in changed)} diubah{why}")
        catatan = _cell_text(row[col["Catatan"]])
        if hasil.startswith("="):
            problems.append(f"baris {i}: Hasil Verifikasi berisi rumus; pilih dari daftar")
        elif hasil and hasil not in VERIFIKASI:
            # what was typed is not repeated: it may be a NIK or a name
            problems.append(f"baris {i}: Hasil Verifikasi tidak dikenal; pilih dari daftar ({', '.join(VERIFIKASI)})")
        if (catatan or "").startswith("="):  # stored as the formula's text ("=C7"), not what it showed
            problems.append(f"baris {i}: Catatan berisi rumus; ketik catatannya")
        if hasil:
            out.append((nik, hasil, catatan, listed_in or kode_kel, i))
        elif catatan and catatan.strip():
            unused_notes.append(i)
    if unknown and not seen:
        # not one row of the lists: a row-by-row refusal hid the cause (the file's ID Baris
        # made with another key, the state folder made anew, or the column cleared)
        raise VerificationError(name, [
            f"tidak satu baris pun cocok dengan daftar periode {periode_label(period)} ({unknown:,} baris): "
            "kolom ID Baris kosong atau diubah, atau daftar ini dibuat dengan kunci lain (folder data "
            "Lindungi dibuat ulang); gunakan file asli dari koordinator kabupaten/kota"])
    if problems:
        raise VerificationError(name, problems)
    return pl.DataFrame(out, schema={"NIK": pl.String, "hasil": pl.String, "catatan": pl.String,
                                     "kode_kel": pl.String, "baris": pl.Int64}, orient="row"), who, unused_notes


_LIST_KELURAHAN = re.compile(r"(?:Kelurahan|Desa) (?:[^,]*\(([0-9]{10})\)|([0-9]{10})\b)")


def _list_kelurahan(rows) -> str | None:
    """The kelurahan code a gap list's title row names (``reports._kelurahan``: "Kelurahan
    Kanaan (6474031003)", "Desa 6402012099"), None when no row above the table does."""
    for r in rows:
        m = _LIST_KELURAHAN.match(str(r[0] or "")) if r else None
        if m:
            return m.group(1) or m.group(2)
    return None


def _titles(row) -> list[str]:
    """A header row's titles as ``READ_BACK`` names them: the birth column is titled by what it
    holds (``reports.column_title``: the year where the NIK is masked)."""
    return [BIRTH_DATE if v == BIRTH_YEAR else str(v) if v is not None else "" for v in row]


HEADER_SEARCH_ROWS = 20  # rows the table's header is looked for in (HEADER_ROW as written)
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell ref="\$?([A-Z]+)\$?([0-9]+):\$?([A-Z]+)\$?([0-9]+)"')


def _merged(path: Path, sheet_path: str | None, header_row: int, columns: list[int],
            names: list[str]) -> list[tuple[str, int, int]]:
    """(column title, first row, last row) of each merged range below the header that covers one
    of ``columns`` (0-based) over more than one row. openpyxl's read-only sheets do not say which
    cells are merged, so the sheet's XML is read for them (its last element)."""
    import zipfile

    from openpyxl.utils import column_index_from_string

    if not sheet_path:
        return []
    try:
        with zipfile.ZipFile(path) as z:
            xml = z.read(sheet_path.lstrip("/"))
    except (KeyError, OSError, zipfile.BadZipFile):
        return []
    out = []
    for a, top, b, bottom in _MERGE.findall(xml):
        first, last = column_index_from_string(a.decode()) - 1, column_index_from_string(b.decode()) - 1
        top, bottom = int(top), int(bottom)
        if bottom > top and bottom > header_row:
            out += [(repr(names[c]), max(top, header_row + 1), bottom) for c in columns if first <= c <= last]
    return out


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
    # the file by its name with long digit runs starred (a list saved as "daftar <NIK>.xlsx")
    # beside the results, which the retention erases with them; in the processing log, kept for
    # ever, by its label (list_label) unless named as the lists are: a full NIK or a person's name
    # (daftar SITI AMINAH.xlsx) there could never be erased
    shown = mask_file_name(path.name)
    with psycopg.connect(dsn) as conn, conn.transaction():
        with conn.cursor() as cur:
            cur.executemany(UPSERT, [(n, period, h, c, k, shown, sha, received_by)
                                     for n, h, c, k in rows.select("NIK", "hasil", "catatan", "kode_kel").iter_rows()])
            changed = max(cur.rowcount, 0) if rows.height else 0  # summed over the rows (psycopg 3)
        # "by" is who applied it (the OS account), as in every other log row: the workbook's
        # last editor is a person's full name, kept only beside the results in
        # bpjs.verification, which retention erases (the log stays)
        log_processing(conn, "verification", period, None, {"file": list_label(path.name), "sha256": sha},
                       {"rows": rows.height, "changed": changed}, run_id)
    return changed


class Applied(NamedTuple):
    rows: int                   # results in the file
    changed: int                # of them new or changed
    unused_notes: tuple[int, ...] = ()  # sheet rows with a Catatan and no Hasil Verifikasi
    superseded: int = 0         # of the results, people with a result on a later period's list (LATEST)
    sent: tuple[int, ...] = ()  # sheet rows saying not to enroll someone BPJS was sent already (SENT)


def stored_line(name: str, applied: Applied) -> str:
    """What applying a returned list did, in Bahasa Indonesia, for the command and the job's log."""
    rows, changed, unused, superseded, sent = applied
    # a note without a result has nothing to be stored with: said, where it went without a word
    notes = (f"; catatan tanpa Hasil Verifikasi tidak disimpan (baris {', '.join(map(str, unused))})"
             if unused else "")
    if rows == 0:  # said, not "0 disimpan": a list sent back before any visit, or the wrong file
        return f"{name}: tidak ada Hasil Verifikasi yang diisi; tidak ada yang disimpan{notes}"
    same = f", {rows - changed:,} sama seperti sebelumnya" if changed < rows else ""
    # a person's latest result is the one of the latest period's list: an earlier month's list
    # returned after a later one was stored, and said so, and no run used it (found by fuzzing)
    later = (f"; {superseded:,} di antaranya tidak berlaku: orang yang sama sudah punya hasil pada daftar "
             "periode yang lebih baru, yang tetap berlaku") if superseded else ""
    # dead, refusing, not an informal worker, or registered already, said of someone BPJS has
    # from an export (UNDOES_NOTHING): stored without a word, the city went on paying (a
    # coordinators' review). No run can undo a registration; the city has to tell BPJS
    sent = (f"; PERHATIAN: {len(sent):,} di antaranya sudah dikirim ke BPJS Ketenagakerjaan (baris "
            f"{', '.join(map(str, sent))}): hasil ini tidak membatalkan pendaftaran yang sudah dikirim atau "
            "diterima; sampaikan kepada BPJS Ketenagakerjaan") if sent else ""
    return f"{name}: {changed:,} hasil verifikasi disimpan{same}{later}{notes}{sent}"


def apply_returned(dsn: str, path: Path, period: str, out_dir: Path, run_id: str | None = None) -> Applied:
    """Validate a returned gap list against ``period``'s candidates under ``out_dir`` and store
    its results in the migrated database ``dsn``. VerificationError when the file cannot be
    applied (nothing stored). The sensor's job and ``lindungi verification`` both run this; only
    the job moves the file (to ``diproses/`` or ``ditolak/``)."""
    from pipelines.pseudonym import load_key

    cands = Path(out_dir) / "enrollment_candidates" / f"{period}.parquet"
    if not cands.exists():
        # a period the retention erased is no period "without a list yet" (found by fuzzing)
        with psycopg.connect(dsn) as conn:
            erased = conn.execute(ERASED, (period,)).fetchone()[0]
        raise VerificationError(mask_file_name(path.name), [
            f"daftar calon peserta periode {period} sudah dihapus karena masa simpannya berakhir (UU PDP); "
            "hasil verifikasinya tidak dapat disimpan lagi" if erased else
            f"belum ada daftar calon peserta untuk periode {period} di folder {Path(out_dir).resolve()} "
            f"(folder keluaran `lindungi run` periode itu: --out)"])
    rows, who, unused = _read_returned(path, period, _listed(dsn, period, pl.read_parquet(cands)), load_key())
    changed = store(dsn, rows, period, path, who, run_id=run_id)
    out = rows.filter(pl.col("hasil").is_in(list(UNDOES_NOTHING)))
    with psycopg.connect(dsn) as conn:
        superseded = conn.execute(SUPERSEDED, (period, nik_list(rows.get_column("NIK")))).fetchone()[0] \
            if rows.height else 0
        sent = dict(conn.execute(SENT, (nik_list(out.get_column("NIK")),)).fetchall()) if out.height else {}
    flagged = [baris for nik, hasil, baris in out.select("NIK", "hasil", "baris").iter_rows()
               if nik in sent and sent[nik] in UNDOES_NOTHING[hasil]]
    return Applied(rows.height, changed, tuple(unused), superseded, tuple(sorted(flagged)))


# the period's lists were erased by the retention (pipelines.retention marks its batches)
ERASED = "SELECT coalesce(bool_or(erased_at IS NOT NULL), false) FROM bpjs.submission_batch WHERE period = %s"
# of a list's people, those with a result on a later period's list: theirs counts (LATEST)
SUPERSEDED = """SELECT count(DISTINCT nik) FROM bpjs.verification
WHERE period > %s AND nik = ANY(string_to_array(%s, ','))"""


# of a list's people, those an export sent BPJS (in any period): awaiting its answer, or accepted
# (accepted first, where both)
SENT = """SELECT DISTINCT ON (nik) nik, status FROM bpjs.submission_candidate
WHERE status IN ('submitted', 'accepted') AND nik = ANY(string_to_array(%s, ','))
ORDER BY nik, status = 'accepted' DESC"""
# the results that undo no registration BPJS has from an export, by the statuses the line warns
# of: dead, refusing or no informal worker, sent or accepted; registered already, while the
# export's registration awaits BPJS (accepted, it is that registration: a re-check of the
# review). A move within the city changes no membership.
UNDOES_NOTHING = {"Meninggal": ("submitted", "accepted"), "Menolak": ("submitted", "accepted"),
                  "Bukan pekerja informal": ("submitted", "accepted"), "Sudah terdaftar": ("submitted",)}


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
SELECT DISTINCT ON (nik) nik, hasil, kode_kel, period FROM bpjs.verification
ORDER BY nik, period DESC, received_at DESC
"""
# of the people a move was said of (nik, the list's period and kelurahan), those a later period's
# run listed in another kelurahan: the move happened, and the result is spent (MOVED)
MOVED_SINCE = """
SELECT DISTINCT r.nik FROM unnest(%s::text[], %s::text[], %s::text[]) AS r(nik, period, kode_kel)
JOIN bpjs.submission_candidate o ON o.nik = r.nik AND o.period > r.period AND o.kode_kel <> r.kode_kel
"""
# of the people a kelurahan said are registered already, those an export got accepted
ACCEPTED = """SELECT DISTINCT nik FROM bpjs.submission_candidate
WHERE status = 'accepted' AND nik = ANY(string_to_array(%s, ','))"""
# 'Pindah domisili' says the person no longer lives in the kelurahan whose list said so: it holds
# while the extract still places them there, until a later period's run has listed them in
# another. Moved within the city in SIAK, they were left off every list for good, the new
# kelurahan's too, and its coverage counted them as its own verification's (a coordinators'
# review); back in the first kelurahan after a month elsewhere, they were left off again (its
# re-check). The other choices say who the person is (dead, refusing, registered, not an
# informal worker), wherever they live.
MOVED = "Pindah domisili"


class Result(NamedTuple):
    hasil: str
    kode_kel: str | None  # the kelurahan of the list it was returned on
    period: str = ""      # the list's period


@no_row_data
def latest_results(dsn: str) -> dict[str, Result]:
    """NIK -> the latest Hasil Verifikasi returned on any period's list, with the list's
    kelurahan: what a kelurahan knows now holds for every period's run, an earlier month run
    again too."""
    with psycopg.connect(dsn) as conn:
        return {nik: Result(hasil, kel, period) for nik, hasil, kel, period in conn.execute(LATEST).fetchall()}


def verified_exclusions(dsn: str, residents: pl.DataFrame, results: dict[str, Result] | None = None
                        ) -> dict[str, str]:
    """NIK -> withdrawal reason for candidates a coordinator verified as not to be enrolled.
    ``residents`` (NIK, kode_kel: the period's assessment) says where each lives now: a
    'Pindah domisili' holds only while they live in the kelurahan that returned it (``MOVED``)."""
    results = latest_results(dsn) if results is None else results
    out = {nik: f"hasil verifikasi: {r.hasil}" for nik, r in results.items() if r.hasil in WITHDRAWING}
    said_moved = {nik: r for nik, r in results.items() if r.hasil == MOVED}
    if said_moved:
        living = residents.filter(pl.col("NIK").is_in(list(said_moved))).select("NIK", "kode_kel")
        for nik, kel in living.iter_rows():
            if kel is not None and kel != said_moved[nik].kode_kel:
                del out[nik]  # moved, as the list said: to another kelurahan, which has not verified them
    here = [nik for nik in said_moved if nik in out]
    registered = [nik for nik, r in results.items() if r.hasil == "Sudah terdaftar"]
    if not (here or registered):
        return out
    with psycopg.connect(dsn) as conn:
        # listed elsewhere since the move was said: it happened; back here, they are here
        spent = conn.execute(MOVED_SINCE, (here, [said_moved[n].period for n in here],
                                           [said_moved[n].kode_kel for n in here])).fetchall() if here else []
        # registered by an export BPJS accepted: that registration, counted as BPJS holding them
        # (didaftarkan), where the kelurahan's word made them "verified out" (a re-check of a
        # coordinators' review). A lapsed card holds no one (assets.candidates._held): listed again
        accepted = conn.execute(ACCEPTED, (nik_list(registered),)).fetchall() if registered else []
    for (nik,) in spent + accepted:
        del out[nik]
    return out


def verified_valid(dsn: str, results: dict[str, Result] | None = None) -> list[str]:
    """NIKs whose latest result is ``Valid``: marked ``terverifikasi``, sent to BPJS first."""
    return latest_with(dsn, "Valid", results)


def latest_with(dsn: str, hasil: str, results: dict[str, Result] | None = None) -> list[str]:
    """NIKs whose latest result is ``hasil`` (one of the choices)."""
    if hasil not in VERIFIKASI:
        raise ValueError(f"no such Hasil Verifikasi: {hasil!r}")
    results = latest_results(dsn) if results is None else results
    return sorted(nik for nik, latest in results.items() if latest.hasil == hasil)
