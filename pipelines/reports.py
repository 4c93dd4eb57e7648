"""Coordinator outputs: a gap list per kelurahan (XLSX) and the coverage report (HTML).

What coordinators read is in Bahasa Indonesia. Gap lists mask NIKs (``647401******0001``)
unless a full list is explicitly asked for, and then say so in red on the sheet and on every
printed page; disability is a flag, never its kind. The coverage page carries counts only and
is self-contained (inline CSS and SVG) so it opens offline.

Gap list layout (``pipelines/verification.py`` reads returned files and relies on it): sheet
"Daftar Calon Peserta", the period in cell A3 ("Periode November 2026; ..."), the table header
on row 6 with the columns of ``COLUMNS`` in that order, data from row 7. The last column,
*ID Baris*, is hidden: a keyed pseudonym of the NIK (HMAC-SHA256, ``pipelines/pseudonym.py``),
stable across runs and ranks, that matches a returned row back to its candidate without the
file ever holding a full NIK. The sheet is protected without a password (against slips, not
against intent) with only *Hasil Verifikasi* and *Catatan* editable.

Rupiah are shown with dots whatever the reader's Excel locale ("Rp16.800"): a plain
``#,##0`` would read "Rp16,800" in an English-locale Excel, which in Indonesian means 16.8.
"""

from __future__ import annotations

import html
import os
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import polars as pl

from pipelines.candidates import CARD_ACTIVE, CARD_INACTIVE, CARD_NOT_YET, match_percent
from pipelines.dates import EXCEL_EPOCH, is_period, period_start, today_wita
from pipelines.files import (OTHER_FORMATS, OWN_WORKBOOK, RETURNED_LISTS, WITHOUT_KELURAHAN, aside, as_written, locked,
                             note_written, office_file, sweep_aside, unused_name)
from pipelines.nik import mask_expr as mask_nik_expr
from pipelines.nik import ascii_digits, mask_long_digits_expr, nik_birth_parts
from pipelines.regions import (kabkota_kind, kabkota_name, kecamatan_name, kelurahan_name, province_name,
                               village_kind)
from pipelines.rules import Rules, load_rules

BULAN = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
         "Oktober", "November", "Desember"]
VERIFIKASI = ["Valid", "Sudah terdaftar", "Bukan pekerja informal", "Pindah domisili", "Meninggal", "Tidak ditemukan",
              "Menolak"]
# (header, width). Widths for the printed round as much as the screen: one A4 landscape page wide
# (fit to width), the long texts wrapped in their cells (WRAPPED) rather than widening the sheet.
# At 287 characters of columns Excel printed at ~47%, Calibri 11 at ~5 pt; at 225, ~65%.
COLUMNS = [  # order and names are read back by pipelines/verification.py
    ("No", 5), ("Peringkat", 10), ("Nama Lengkap", 22), ("NIK", 18), ("Umur", 6), ("Jenis Kelamin", 10),
    # (Pekerjaan: the widest word of an informal SIAK label whole, NELAYAN/PERIKANAN; at 14 it was cut
    # mid-word onto three lines, a fifth of a rural list's rows: an outside review. The six it took
    # came from Alamat, Iuran, Hasil Verifikasi and Keterangan BPJS, each still holding its values'
    # widest word, so that the printed columns stay within 230 and the page's scale where it was)
    ("Alamat", 19), ("RT", 5), ("RW", 5), ("Pekerjaan", 20), ("Desil", 6), ("Penyandang Disabilitas", 11),
    ("Iuran per Bulan", 11), ("Tanggal Lahir", 11), ("Hasil Verifikasi", 21), ("Catatan", 18), ("ID Baris", 22),
    ("Keterangan BPJS", 17), ("Verifikasi Sebelumnya", 15),  # "Tidak ditemukan" whole on paper
]
WRAPPED = ("Nama Lengkap", "Alamat", "Pekerjaan", "Keterangan BPJS")
COL = {name: i for i, (name, _) in enumerate(COLUMNS)}
# The columns a returned list is read back by, a prefix of COLUMNS: a column added after them
# (Keterangan BPJS, Verifikasi Sebelumnya, for reading only) leaves lists already out with
# coordinators readable.
READ_BACK = COLUMNS[: COL["ID Baris"] + 1]
SHEET = "Daftar Calon Peserta"
HEADER_ROW = 5  # 0-based (row 6 in Excel)
# "{program}" in the texts below: the programmes the rules require (``Rules.program_words``:
# "JKK + JKM" at the defaults, "JKK + JKM + JHT" with JHT required), the package enrolled. With
# JHT required they said JKK + JKM, and a coordinator marked 'Sudah terdaftar' someone holding JKK
# and JKM without JHT (an outside review)
TITLE = "Daftar Calon Peserta BPJS Ketenagakerjaan ({program})"
NOTE_MASKED = ("NIK disamarkan sesuai UU Pelindungan Data Pribadi (UU PDP) No. 27 Tahun 2022: hanya 6 digit "
               "awal dan 4 digit akhir yang ditampilkan, dan tahun lahir saja (6 digit yang disamarkan adalah "
               "tanggal lahir).")
# Where the NIK is masked the lists show the birth year, not the date: the six digits the mask
# hides are the date (DDMMYY, the day +40 for a woman), and the date and sex beside a masked NIK
# gave it back whole (97% of a list's rows, found by a privacy audit). The column keeps its place,
# and its name in COLUMNS; its title says which it holds (``column_title``).
BIRTH_DATE, BIRTH_YEAR = "Tanggal Lahir", "Tahun Lahir"


def column_title(name: str, full_nik: bool) -> str:
    return BIRTH_YEAR if name == BIRTH_DATE and not full_nik else name


WARNING_FULL = "NIK DITAMPILKAN LENGKAP — DATA PRIBADI, JANGAN DISEBARLUASKAN"
PETUNJUK = [
    "1. Kunjungi calon peserta sesuai urutan pada lembar 'Daftar Calon Peserta' (No 1 didahulukan); yang sudah",
    "   diverifikasi 'Valid' sebelumnya tidak perlu dikunjungi lagi (lihat butir 4).",
    "   'Peringkat' adalah urutan prioritas di antara semua calon peserta dalam data ini (semua kelurahan/desa",
    "   dan kabupaten/kota) pada periode ini, sehingga angka Peringkat di daftar ini tidak berurutan: penyandang",
    "   disabilitas lebih dahulu, lalu desil DTSEN terendah ({tanpa_desil}), lalu kelurahan/desa",
    "   dan nama. Hasil verifikasi tidak mengubah urutan ini, tetapi angka Peringkat dapat bergeser pada daftar",
    # (it said "does not change the Peringkat": one 'Pindah domisili' moved 2,451 others' numbers,
    # and every half-visited copy disagreed with the next list; a coordinators' review)
    "   berikutnya bila ada calon peserta yang keluar dari atau masuk ke daftar.",
    "2. Pada kolom 'Hasil Verifikasi' pilih satu dari daftar pilihan:",
    "   " + ", ".join(VERIFIKASI) + ".",
    # (a coordinators' review: a result cleared and sent again stayed, with nothing said how to mend one)
    "   Untuk mengganti hasil yang sudah dikirim, pilih hasil yang benar lalu kirim kembali; sel yang",
    "   dikosongkan tidak membatalkan hasil yang sudah dikirim.",
    "3. Pilih 'Valid' bila orangnya ada, bekerja di sektor informal dan belum terdaftar {program}.",
    "   'Sudah terdaftar': sudah menjadi peserta {program} (tulis nomor KPJ di 'Catatan' bila ada).",
    "   'Bukan pekerja informal': orangnya ada, tetapi tidak bekerja di sektor informal (misalnya PNS, karyawan,",
    "   pelajar, ibu rumah tangga, tidak bekerja); tulis pekerjaannya di 'Catatan'.",
    "   'Pindah domisili': sudah tidak tinggal di {desa} ini. 'Meninggal': sudah meninggal dunia.",
    "   'Menolak': tidak bersedia didaftarkan. 'Tidak ditemukan': orang atau alamatnya tidak ditemukan saat kunjungan.",
    "   Yang dipilih 'Sudah terdaftar', 'Bukan pekerja informal', 'Pindah domisili', 'Meninggal' atau 'Menolak'",
    "   tidak dicantumkan lagi pada daftar periode berikutnya; yang lain tetap dicantumkan selama belum dikirim",
    "   ke BPJS; yang 'Valid' dikirim ke BPJS lebih dahulu. Yang 'Tidak ditemukan' tetap dapat dikirim ke BPJS",
    "   untuk didaftarkan; setelah dikirim, ia tidak tercantum lagi pada daftar berikutnya, kecuali ditolak BPJS",
    "   (lihat butir 4). Bila kemudian diketahui orangnya sudah pindah atau meninggal, sampaikan kepada",
    "   koordinator {kabkota}.",
    "4. Tulis keterangan tambahan di kolom 'Catatan' (misalnya alamat baru atau nomor KPJ); catatan hanya disimpan",
    "   bila 'Hasil Verifikasi' pada baris yang sama diisi.",
    # (it said to fix the data at the visit and write it in Catatan, which nothing reads: the next
    # export sent BPJS the same date it had rejected; a coordinators' review)
    "   Kolom 'Keterangan BPJS' memuat alasan penolakan BPJS sebelumnya, bila ada: cocokkan datanya dengan KTP",
    "   dan KK saat kunjungan. Yang dikirim ke BPJS adalah data Disdukcapil: bila berbeda (misalnya NIK atau",
    "   tanggal lahir), ajukan perbaikannya ke Disdukcapil dan tulis data yang benar di 'Catatan' untuk",
    "   koordinator {kabkota}; setelah diperbaiki, data yang baru dikirim pada periode berikutnya.",
    "   Bila kolom itu berisi 'Mungkin sudah terdaftar', ada kartu BPJS TK aktif yang datanya mirip",
    "   tetapi tidak pasti milik orang ini: tanyakan kartunya; bila benar miliknya, pilih 'Sudah terdaftar'",
    "   dan tulis nomor KPJ di 'Catatan'.",
    "   Kolom 'Verifikasi Sebelumnya' berisi 'Valid' bila orang itu sudah diverifikasi Valid pada daftar yang",
    "   lalu dan belum didaftarkan BPJS: tidak perlu dikunjungi lagi, kecuali ada perubahan atau kolom",
    "   'Keterangan BPJS' berisi penolakan BPJS (kunjungi untuk memperbaiki datanya). Bila berisi",
    "   'Tidak ditemukan', kunjungan yang lalu tidak menemukan orangnya: kunjungi lagi dan isi hasilnya.",
    "5. Jangan mengubah, menghapus, menambah atau memindahkan baris dan kolom lain, termasuk kolom tersembunyi.",
    "6. Simpan file dalam format .xlsx dengan nama yang sama, lalu kirim kembali ke koordinator {kabkota}.",
    "7. Jaga kerahasiaan data: jangan membagikan file ini selain kepada petugas verifikasi.",
]
# the guide's lines about the sheet of residents to fix, on the lists that have it
PETUNJUK_TO_FIX = [
    "8. Lembar 'Perlu Perbaikan Data' memuat penduduk usia kerja (atau yang umurnya tidak diketahui) yang belum",
    "   dapat dinilai karena data kependudukannya kosong atau tidak sesuai (kolom 'Yang Perlu Diperbaiki',",
    "   misalnya tanggal lahir atau pekerjaan yang tidak memakai kode SIAK). Periksa dan ajukan perbaikannya ke",
    "   Disdukcapil; setelah diperbaiki, mereka dinilai lagi pada periode berikutnya. Lembar ini tidak perlu diisi",
    "   dan tidak dibaca kembali.",
]
TO_FIX_SHEET = "Perlu Perbaikan Data"
PETUNJUK_WITHOUT_KELURAHAN = [
    "1. Lembar 'Perlu Perbaikan Data' memuat penduduk usia kerja (atau yang umurnya tidak diketahui) yang belum",
    "   dapat dinilai sebagai calon peserta {program} dan tidak tercantum di daftar kelurahan/desa mana pun,",
    "   karena kode wilayahnya (NO_KEL, NO_KEC, NO_KAB atau NO_PROP) kosong atau tidak valid; kolom 'Yang Perlu",
    "   Diperbaiki' menyebutkan apa saja yang perlu diperbaiki. Ajukan perbaikannya ke Disdukcapil; setelah",
    "   diperbaiki, mereka dinilai lagi pada periode berikutnya dan, bila memenuhi syarat, tercantum di daftar",
    "   kelurahan/desanya. Lembar ini tidak perlu diisi dan tidak perlu dikirim kembali.",
    "2. Jaga kerahasiaan data: jangan membagikan file ini selain kepada petugas yang mengurus perbaikan data.",
]
TO_FIX_TITLE = "Penduduk yang Datanya Perlu Diperbaiki"
TO_FIX_NOTE = ("Belum dapat dinilai sebagai calon peserta {program} karena data kependudukannya kosong atau tidak "
               "sesuai; setelah diperbaiki di Disdukcapil, dinilai lagi pada periode berikutnya.")
TO_FIX_COLUMNS = [("No", 5), ("Nama Lengkap", 24), ("NIK", 18), ("Tanggal Lahir", 11), ("Umur", 6),
                  ("Jenis Kelamin", 10), ("Alamat", 22), ("RT", 5), ("RW", 5), ("Pekerjaan (tertulis)", 18),
                  ("Yang Perlu Diperbaiki", 40)]
TO_FIX_COL = {name: i for i, (name, _) in enumerate(TO_FIX_COLUMNS)}
TO_FIX_WRAPPED = ("Nama Lengkap", "Alamat", "Yang Perlu Diperbaiki")
# The sheet of those BPJS accepted from an export (``pipelines.candidates.accepted_by_bpjs``): the
# kelurahan tells each their card number (KPJ), with which they or their heirs claim the benefits;
# they were off the list once sent, and the kelurahan never learnt who got a card (a coordinators'
# review). Read only, not read back. The KPJ is shown whole: it is what the sheet is for.
ACCEPTED_SHEET = "Diterima BPJS"
ACCEPTED_TITLE = "Pekerja Rentan yang Sudah Diterima BPJS Ketenagakerjaan ({program})"
ACCEPTED_NOTE = ("Didaftarkan dan diterima BPJS Ketenagakerjaan. Sampaikan nomor KPJ (nomor kartu peserta) kepada "
                 "masing-masing: dengan nomor itu peserta atau ahli warisnya mengajukan klaim {program}.")
ACCEPTED_COLUMNS = [("No", 5), ("Nama Lengkap", 24), ("NIK", 18), ("Tanggal Lahir", 11), ("Jenis Kelamin", 10),
                    ("Alamat", 22), ("RT", 5), ("RW", 5), ("Pekerjaan", 18), ("Nomor KPJ", 14),
                    ("Diterima BPJS", 15), ("Kartu di Data Peserta BPJS", 26)]
ACCEPTED_WRAPPED = ("Nama Lengkap", "Alamat", "Pekerjaan", "Kartu di Data Peserta BPJS")
CARD_WORDS = {
    CARD_ACTIVE: "Aktif ({program})",
    # (the roster lags behind BPJS by a month or more)
    CARD_NOT_YET: "Belum tampak: data peserta BPJS belum diperbarui",
    # a lapsed card protects no one: the person is listed again (``candidates.bpjs_held``)
    CARD_INACTIVE: "Tidak aktif: bila masih memenuhi syarat, tercantum lagi di daftar calon peserta",
}
PETUNJUK_ACCEPTED = [
    "{n}. Lembar '" + ACCEPTED_SHEET + "' memuat pekerja rentan {desa} ini yang sudah didaftarkan dan diterima BPJS",
    "   Ketenagakerjaan, dengan nomor kartu pesertanya (KPJ): sampaikan nomor itu kepada masing-masing. Bila terjadi",
    "   kecelakaan kerja atau peserta meninggal dunia, peserta atau ahli warisnya mengajukan klaim {program} ke BPJS",
    "   Ketenagakerjaan dengan nomor itu. Kolom 'Kartu di Data Peserta BPJS' menunjukkan keadaan kartunya pada data",
    "   peserta terakhir. Yang sudah tidak termasuk pekerja rentan (melewati batas usia, pekerjaannya berubah) atau",
    "   yang datanya sudah dihapus menurut masa simpan tidak tercantum lagi: catat nomor KPJ yang sudah diserahkan.",
    "   Lembar ini tidak perlu diisi dan tidak dibaca kembali.",
]


# --- small helpers ------------------------------------------------------------------------------

# Row heights. Excel fits a row to its wrapped text when the row has no height of its own, but
# LibreOffice Calc (and other programs that open the lists) does not: a wrapped name or address
# overlapped the row below, on screen and on paper, in about a third of a list's rows. A row
# whose wrapped cells need more than one line is given the height of those lines, measured in
# Calibri 11 (the workbook's font) and rounded up, so that Excel shows it as its own fitting did.
# Advance widths of Calibri's characters in 1/2048 em; any other character counts as a wide one.
_CALIBRI = {
    " ": 463, "A": 1185, "B": 1114, "C": 1092, "D": 1260, "E": 1000, "F": 941, "G": 1292, "H": 1276, "I": 516,
    "J": 653, "K": 1064, "L": 861, "M": 1751, "N": 1322, "O": 1356, "P": 1058, "Q": 1378, "R": 1112, "S": 941,
    "T": 998, "U": 1314, "V": 1162, "W": 1822, "X": 1063, "Y": 998, "Z": 959, "a": 981, "b": 1076, "c": 866,
    "d": 1076, "e": 1019, "f": 625, "g": 964, "h": 1076, "i": 470, "j": 490, "k": 931, "l": 470, "m": 1636,
    "n": 1076, "o": 1080, "p": 1076, "q": 1076, "r": 714, "s": 801, "t": 686, "u": 1076, "v": 925, "w": 1464,
    "x": 887, "y": 927, "z": 809, ".": 517, ",": 511, "-": 627, "/": 791, "(": 621, ")": 621, "'": 452,
    '"': 821, ":": 548, ";": 548, "&": 1397, "+": 1020, "*": 1020, "#": 1020, "_": 1020, "@": 1827,
    **{d: 1038 for d in "0123456789"},
}
# a character's width at 11 pt on a 96-dpi screen, in tenths of a pixel, by its Latin-1 byte
# (summed by bytes.translate, a C loop). Excel draws each character a whole number of pixels
# wide; the exact widths sum to within a pixel or two of that over a line, and a text at the
# edge is counted a line more (a row a line too high, never a line cut off)
_PX10 = bytes(min(255, round(_CALIBRI.get(chr(b), 1822) / 2048 * 11 * 96 / 72 * 10)) for b in range(256))
LINE_POINTS = 15  # a line of Calibri 11: Excel's default row height (20 pixels)


def _px10(text: str) -> int:
    """``text``'s width in Calibri 11, in tenths of a pixel."""
    return sum(text.encode("latin-1", "replace").translate(_PX10))


def _room10(width: float) -> float:
    """The width a wrapped line has in a column ``width`` characters wide (Excel's unit: 7
    pixels of Calibri 11, plus 5), less the cell's margins, in tenths of a pixel."""
    return (width * 7 - 1) * 10


def wrapped_lines(text: str | None, width: float, bold: bool = False) -> int:
    """How many lines ``text`` takes in a wrapped cell of a column ``width`` characters wide,
    breaking between words as Excel does, and within a word wider than the cell."""
    if not text:
        return 1
    room = _room10(width)
    if not bold and "\n" not in text and _px10(text) <= room:  # (most texts: one sum, no words)
        return 1
    space = _PX10[32]
    lines = 0
    for paragraph in text.split("\n"):
        lines, used = lines + 1, 0
        for word in paragraph.split(" "):
            w = _px10(word) * (107 if bold else 100) // 100
            if used and used + space + w <= room:
                used += space + w
                continue
            if used:
                lines += 1
            over = int(w // room) if w > room else 0  # a word wider than the cell is cut
            lines, used = lines + over, w - over * room
    return lines


def _fit_rows(ws, cells: pl.DataFrame, first: int, widths: dict[str, float]) -> None:
    """Rows from ``first`` whose wrapped cells (``widths``: their columns) need more than one
    line get those lines' height; the others keep the default, which every program fits."""
    need = [1] * cells.height
    for name, width in widths.items():
        if name not in cells.columns:
            continue
        # (a value Excel cannot wrap onto a second line at the widest characters is not measured,
        # unless it has a line break of its own (an address of two lines); a value repeated, an
        # occupation above all, is measured once)
        room, known = _room10(width), {}
        shortest = int(room / _PX10[ord("W")])
        for i, v in enumerate(cells.get_column(name).to_list()):
            if v is not None and (len(v) > shortest or "\n" in v):
                if (n := known.get(v)) is None:
                    n = known[v] = wrapped_lines(v, width)
                if n > need[i]:
                    need[i] = n
    for i, n in enumerate(need):
        if n > 1:
            # in pixels: in points (the same height in the file) closing a list took twice as long
            ws.set_row_height_pixels(first + i, 20 * min(n, 27))  # (Excel's highest row: 409 pt)


def _fit_header(ws, columns: list[tuple[str, float]], full_nik: bool) -> None:
    """The header row as high as its longest wrapped title (bold)."""
    n = max(wrapped_lines(column_title(name, full_nik), width, bold=True) for name, width in columns)
    if n > 1:
        ws.set_row_height_pixels(HEADER_ROW, 20 * n)


def periode_label(period: str) -> str:
    """``2026-11`` -> ``November 2026``."""
    try:
        first = period_start(period)
    except ValueError:
        raise ValueError(f"periode {period!r} tidak valid: harus YYYY-MM") from None
    return f"{BULAN[first.month - 1]} {first.year}"


def _n(v: int | None) -> str:
    """Indonesian thousands separator: 44.015."""
    return "-" if v is None else f"{int(v):,}".replace(",", ".")


def rupiah(n: float | int | None) -> str:
    return "-" if n is None else "Rp" + _n(round(n))


def _pct(v: float | None) -> str:
    return "-" if v is None else f"{v:.1f}".replace(".", ",") + "%"


def _rupiah_num_format(value: int, prefix: str = "Rp") -> str:
    """An Excel number format showing ``value`` as Rp (``prefix``; none for a count) with dots as
    literals, so the display does not depend on the reader's locale (``#,##0`` showed 1,234 in an
    English Excel). One format per digit-group count: ``"Rp"#\\.###\\.##0``."""
    groups = max(1, (len(str(abs(int(value)))) + 2) // 3)
    lead = f'"{prefix}"' if prefix else ""
    if groups == 1:
        return lead + "0"
    return lead + "\\.".join(["#"] + ["###"] * (groups - 2) + ["##0"])


# --- gap lists ----------------------------------------------------------------------------------

def _workers(tasks: int) -> int:
    """How many threads write workbooks: LINDUNGI_REPORT_WORKERS, else the CPU count."""
    want = int(os.environ.get("LINDUNGI_REPORT_WORKERS") or os.cpu_count() or 1)
    return max(1, min(want, tasks))


def write_gap_lists(candidates: pl.DataFrame, period: str, out_dir: Path, *, full_nik: bool = False,
                    key: bytes | None = None,
                    kelurahan: pl.DataFrame | None = None, to_fix: pl.DataFrame | None = None,
                    rules: Rules | None = None, standing: pl.DataFrame | None = None,
                    accepted: pl.DataFrame | None = None) -> list[Path]:
    """One workbook per kelurahan at ``out_dir/gap_lists/<period>/<kode_kel>.xlsx``, candidates in
    rank order; returns the paths, sorted. ``key`` is the pseudonym key for *ID Baris* (default:
    ``pseudonym.load_key()``). The folder's workbooks are cleared first (:func:`clear_gap_lists`:
    removed as written, moved to the inbox when changed since), so a kelurahan with no candidates
    left keeps no stale list. ``kelurahan`` (``kode_kel``, optionally the
    extract's ``nama_kel``: ``pipelines.candidates.kelurahan_of``): every kelurahan of the
    extract, named by the extract where the packaged table does not name it; one without
    candidates gets a list that says so (it got no file, and "nobody to visit" looked like "file
    not sent"). ``to_fix`` (``pipelines.candidates.to_fix``): the residents whose record must be
    fixed before they can be judged, on their kelurahan's *Perlu Perbaikan Data* sheet (no such
    sheet without it). ``rules`` (default: :func:`load_rules`'s): the ranking the guide describes and
    the programmes the texts name. ``standing`` (the period's coverage per kelurahan,
    ``pipelines.candidates.coverage``): each Ringkasan says where its informal workers stand.
    ``accepted`` (``pipelines.candidates.accepted_by_bpjs``): those BPJS accepted, with their
    card, on their kelurahan's *Diterima BPJS* sheet (no such sheet without it)."""
    if "period" in candidates.columns and candidates.height:
        other = set(candidates["period"].drop_nulls().unique()) - {period}
        if other:  # writing another month's people under this month's name would mislead
            raise ValueError(f"kandidat periode {sorted(other)} tidak cocok dengan periode {period}")
    folder = Path(out_dir) / "gap_lists" / period
    folder.mkdir(parents=True, exist_ok=True)
    with locked(folder):
        _clear_gap_lists(out_dir, period)
        sweep_aside(folder)  # also of kelurahan no longer listed
        paths = _write_gap_lists(candidates, period, folder, full_nik, key, kelurahan, to_fix, rules or load_rules(),
                                 standing, accepted)
        note_written(folder, paths)
    return paths


def _without_desil(rules: Rules) -> str:
    """Where the guide says a candidate without a desil ranks (``ranking.no_welfare_desil``): it
    said "after desil 10" whatever the rules said (an outside review)."""
    n = rules.no_welfare_desil
    return "tanpa desil: sesudah desil 10" if n > 10 else f"tanpa desil: setara desil {n}"


def _write_gap_lists(candidates: pl.DataFrame, period: str, folder: Path, full_nik: bool, key: bytes | None,
                     kelurahan: pl.DataFrame | None, to_fix: pl.DataFrame | None, rules: Rules,
                     standing: pl.DataFrame | None = None, accepted: pl.DataFrame | None = None) -> list[Path]:
    from pipelines.pseudonym import load_key, pseudonym_column

    label, program, without_desil = periode_label(period), rules.program_words, _without_desil(rules)
    candidates = (candidates.with_columns(pseudonym_column(candidates["NIK"], key or load_key())) if candidates.height
                  else candidates.with_columns(pseudonym=pl.lit(None, pl.String)))
    tasks = []
    # what a workbook shows is computed for every kelurahan at once, then split: computed per
    # workbook, its twenty-odd small polars queries were most of the Python time of writing it
    # (a province world of 554 kelurahan at 200k residents: 4.6 s of gap lists)
    ordered = candidates.sort("rank")
    groups = {k: rows for (k,), rows in ordered.group_by("kode_kel", maintain_order=True)}
    cells = _per_kelurahan(_list_frame(ordered, full_nik, by="kode_kel", program=program),
                           ordered.get_column("kode_kel"))
    no_cells = _list_frame(ordered.clear(), full_nik, program=program)
    counts = _counts(ordered, "kode_kel", full_nik)
    extract_names = {}
    if kelurahan is not None:  # the others get a list that says there is nobody to visit
        kels = kelurahan.filter(pl.col("kode_kel").is_not_null())
        if "nama_kel" in kels.columns:
            extract_names = dict(zip(kels["kode_kel"], kels["nama_kel"]))
        for k in kels["kode_kel"].unique().sort():
            groups.setdefault(k, candidates.clear())
    stands = ({r["kode_kel"]: r for r in standing.filter(pl.col("kode_kel").is_not_null()).iter_rows(named=True)}
              if standing is not None else {})
    fixes, no_fix = {}, None
    if to_fix is not None:
        fixable = to_fix.filter(pl.col("kode_kel").is_not_null())
        fixes = _per_kelurahan(_to_fix_cells(fixable, full_nik, by="kode_kel"), fixable.get_column("kode_kel"))
        no_fix = _to_fix_cells(to_fix.clear(), full_nik)
        for k in sorted(fixes):
            groups.setdefault(k, candidates.clear())
    cards, no_cards = {}, None
    if accepted is not None:
        placed = accepted.filter(pl.col("kode_kel").is_not_null())
        cards = _per_kelurahan(_accepted_cells(placed, full_nik, program, by="kode_kel"), placed.get_column("kode_kel"))
        no_cards = _accepted_cells(accepted.clear(), full_nik, program)
        for k in sorted(cards):
            groups.setdefault(k, candidates.clear())
    for kode_kel, rows in groups.items():
        place = {
            "kode_kel": kode_kel,
            # the packaged table (Bontang), else the extract's KEL_NAME, else the code
            "nama_kel": kelurahan_name(kode_kel) or extract_names.get(kode_kel) or kode_kel,
            "kode_kec": kode_kel[:6],  # prov + kab + kec of the kelurahan's code
            # the rules' words in the texts: the programmes, where those without a desil rank
            "program": program, "tanpa_desil": without_desil,
        }
        place["nama_kec"] = kecamatan_name(place["kode_kec"])  # None: a code the Kemendagri table lacks
        place["standing"] = stands.get(kode_kel)
        fix = None if to_fix is None else fixes.get(kode_kel, no_fix)
        card = None if accepted is None else cards.get(kode_kel, no_cards)
        tasks.append((folder / f"{kode_kel}.xlsx", rows, cells.get(kode_kel, no_cells),
                      counts.get(kode_kel) or _no_counts(), label, place, full_nik, fix, card))
    # kelurahan are independent: their workbooks are written by a few threads, largest first
    # (the Rust writer releases the GIL while it builds and compresses the file)
    tasks.sort(key=lambda t: -t[1].height)
    with ThreadPoolExecutor(_workers(len(tasks))) as pool:
        for f in [pool.submit(_write_workbook, *t) for t in tasks]:
            f.result()
    return sorted(t[0] for t in tasks)


def _changed_lists(folder: Path) -> tuple[list[Path], list[Path]]:
    """The gap lists of a period's folder as the last run wrote them, and the files changed since
    or put there: a workbook filled in where it lay, or a list saved beside itself in another
    format (LibreOffice Calc's own .ods, asked at every save), which stayed in the folder, not
    applied, without a word."""
    same, changed = as_written(folder)
    return same, changed + sorted(f for f in folder.iterdir() if office_file(f, (*OTHER_FORMATS, ".xlsm")))


def changed_gap_lists(out_dir: Path, but: str) -> dict[str, list[Path]]:
    """{period: files} changed in the gap lists' folders of the periods other than ``but``:
    a December list filled in where it lay, then January run, stayed there unapplied without a
    word, January's list still naming the person it said had died (a re-check of a
    coordinators' review). Only a run of its own period moves it to the inbox."""
    root = Path(out_dir) / "gap_lists"
    if not root.is_dir():
        return {}
    found = {}
    for folder in sorted(root.iterdir()):
        if folder.is_dir() and folder.name != but and re.fullmatch(r"[0-9]{4}-[0-9]{2}", folder.name):
            changed = _changed_lists(folder)[1]
            if changed:
                found[folder.name] = changed
    return found


def clear_gap_lists(out_dir: Path, period: str) -> list[Path]:
    """Make way for the period's gap lists: the workbooks of ``<out>/gap_lists/<period>/`` as the
    last run wrote them are removed (a kelurahan with no candidates left keeps no stale list);
    any other, a list changed since or a file put there, is moved to the verification inbox
    (``<out>/inbox/verifikasi/<period>/``, under a name of its own), where a returned list is
    applied from: a coordinator who filled in a list where it lay and saved it under the same
    name, as its guide asks, lost every result to the next run of the period, without a word
    (a coordinators' review). Where those moved went."""
    folder = Path(out_dir) / "gap_lists" / period
    if not folder.is_dir():
        return []
    with locked(folder):
        return _clear_gap_lists(out_dir, period)


def _clear_gap_lists(out_dir: Path, period: str) -> list[Path]:
    folder = Path(out_dir) / "gap_lists" / period
    same, changed = _changed_lists(folder)
    for old in same:
        old.unlink(missing_ok=True)  # another run of the period may be replacing it too
    inbox = Path(out_dir) / RETURNED_LISTS / period
    moved = []
    for old in changed:
        inbox.mkdir(parents=True, exist_ok=True)
        try:
            moved.append(old.replace(unused_name(inbox / old.name)))
        except FileNotFoundError:  # moved by another run of the period meanwhile
            continue
    return moved


def write_lists_without_kelurahan(nowhere: pl.DataFrame, period: str, out_dir: Path, *,
                                  full_nik: bool = False, rules: Rules | None = None) -> list[Path]:
    """One workbook per kab/kota at ``out_dir/perbaikan_data/<period>/<kode_kab>.xlsx``
    (``files.WITHOUT_KELURAHAN``) of its
    residents to fix who have no kelurahan code (``nowhere``:
    ``candidates.without_kelurahan``, with ``region``), for its staff to have Dukcapil fix them;
    the paths, sorted. They were on no list: only a count on the coverage page and the flags of
    ``residents.parquet``, which no city staff opens. The period's earlier workbooks are
    removed first (a kab/kota with none left keeps no stale list), but for one changed since it
    was written, kept as ``<kode_kab> (diubah).xlsx``."""
    folder = Path(out_dir) / WITHOUT_KELURAHAN / period
    if nowhere.height == 0 and not folder.is_dir():
        return []
    folder.mkdir(parents=True, exist_ok=True)
    with locked(folder):
        # a list changed since it was written (notes typed into it) is kept beside, renamed; other
        # files are no list of ours and are left alone
        same, changed = as_written(folder)
        for old in same:
            old.unlink(missing_ok=True)
        for old in changed:
            if re.fullmatch(OWN_WORKBOOK, old.name):
                old.replace(unused_name(old.with_name(f"{old.stem} (diubah).xlsx")))
        sweep_aside(folder)  # also the half-written file of a killed writer, with nobody left to list
        paths = _write_lists_without_kelurahan(nowhere, period, folder, full_nik,
                                               (rules or load_rules()).program_words)
        note_written(folder, paths)
    return paths


def _write_lists_without_kelurahan(nowhere: pl.DataFrame, period: str, folder: Path, full_nik: bool,
                                   program: str) -> list[Path]:
    label, paths = periode_label(period), []
    for (kab,), rows in nowhere.sort("NAMA_LGKP", "NIK", nulls_last=True).group_by("region", maintain_order=True):
        name = kabkota_name(kab) or kab
        place = {"where": f"{name} ({kab}): penduduk tanpa kode kelurahan", "program": program}
        path = folder / f"{kab}.xlsx"
        _write_fix_workbook(path, rows, label, place, full_nik)
        paths.append(path)
    return sorted(paths)


def _per_kelurahan(cells: pl.DataFrame, kode_kel: pl.Series) -> dict[str, pl.DataFrame]:
    """``cells`` (a row per row of ``kode_kel``) split by kelurahan, in their order."""
    parts = cells.with_columns(kode_kel.alias("_kode_kel")).partition_by(
        "_kode_kel", as_dict=True, include_key=False, maintain_order=True)
    return {k: part for (k,), part in parts.items()}


def _write_fix_workbook(path: Path, fix: pl.DataFrame, label: str, place: dict, full_nik: bool) -> None:
    import rvgsrust_xlsxwriter as xlsx

    tmp = aside(path)
    wb = xlsx.Workbook(str(tmp))
    wb.set_properties(title=f"{TO_FIX_TITLE} — {place['where']} — {label}" + (f" — {WARNING_FULL}" if full_nik else ""))
    f = _Formats(wb)
    _to_fix_sheet(wb.add_worksheet(TO_FIX_SHEET), f, _to_fix_cells(fix, full_nik), label, place, full_nik)
    _guide(wb.add_worksheet("Petunjuk"), f, "Petunjuk", PETUNJUK_WITHOUT_KELURAHAN, full_nik, place, label)
    wb.close()
    tmp.replace(path)


class _Formats:
    """The workbook's cell formats, made once per workbook."""

    def __init__(self, wb):
        self.wb = wb
        self.title = self._add(bold=True, font_size=14)
        self.bold = self._add(bold=True)
        self.warn = self._add(bold=True, font_size=12, font_color="#9C0006", background_color="#FFC7CE")
        self.head = self._add(bold=True, background_color="#DDEBF7", border="thin", text_wrap=True, vertical_align="top")
        self.dmy = self._add(num_format="dd-mm-yyyy")
        # a list's cells stand at the foot of their row, Excel's default, the wrapped ones too: in
        # a row of two or three lines the name and address stood at its top and the number, NIK
        # and age at its foot, a line or two apart (a format for every cell of the row, at the
        # top, made writing the lists a third slower)
        self.wrap = self._add(text_wrap=True)
        # the two columns the coordinator fills: unlocked under sheet protection, shaded to show it;
        # text, wrapped: a NIK or KPJ typed into Catatan (as the Petunjuk asks) was a number to
        # Excel, a NIK kept 15 digits (6,47401E+15) and a telephone number lost its leading 0
        self.fill = self._add(background_color="#FFF2CC", border="thin", unlocked=True, num_format="@",
                              text_wrap=True)
        self._money: dict[str, object] = {}

    def _add(self, **props):
        fmt = self.wb.add_format()
        for name, value in props.items():
            setter = getattr(fmt, f"set_{name}")
            setter() if value is True else setter(value)
        return fmt

    def money(self, value: int, prefix: str = "Rp"):
        fmt = _rupiah_num_format(value, prefix)
        if fmt not in self._money:
            self._money[fmt] = self._add(num_format=fmt)
        return self._money[fmt]


def _write_workbook(path: Path, rows: pl.DataFrame, cells: pl.DataFrame, counts: list, label: str, place: dict,
                    full_nik: bool, fix: pl.DataFrame | None = None, accepted: pl.DataFrame | None = None) -> None:
    """One kelurahan's workbook: its candidates ``rows``, their list's ``cells`` (``_list_frame``),
    the Ringkasan's ``counts`` (``_counts``), the cells of its residents to fix (``fix``:
    ``_to_fix_cells``) and of those BPJS accepted (``accepted``: ``_accepted_cells``); no such
    sheet when None."""
    import rvgsrust_xlsxwriter as xlsx

    tmp = aside(path, swept=True)  # (write_gap_lists swept the folder: a glob of it per file was O(n²))
    wb = xlsx.Workbook(str(tmp))
    wb.set_properties(title=f"{TITLE.format(program=place['program'])} — {place['nama_kel']} — {label}"
                            + (f" — {WARNING_FULL}" if full_nik else ""))
    f = _Formats(wb)
    _list_sheet(wb.add_worksheet(SHEET), f, cells, label, place, full_nik, 0 if fix is None else fix.height)
    summary = wb.add_worksheet("Ringkasan")
    _summary_sheet(summary, f, rows, counts, label, place, None if fix is None else fix.height,
                   None if accepted is None else accepted.height)
    if fix is not None:
        _to_fix_sheet(wb.add_worksheet(TO_FIX_SHEET), f, fix, label, place, full_nik)
    if accepted is not None:
        _accepted_sheet(wb.add_worksheet(ACCEPTED_SHEET), f, accepted, label, place, full_nik)
    guide = PETUNJUK + (PETUNJUK_TO_FIX if fix is not None else [])
    if accepted is not None:
        guide += [line.replace("{n}", str(_next_point(guide))) for line in PETUNJUK_ACCEPTED]
    _guide(wb.add_worksheet("Petunjuk"), f, "Petunjuk pengisian", guide, full_nik, place, label)
    if full_nik:  # said on every sheet, not only the list's: any sheet may be printed or shown alone
        summary.write(1, 0, WARNING_FULL, f.warn)
        summary.set_tab_color("#C00000")
    wb.close()
    tmp.replace(path)


def _next_point(lines: list[str]) -> int:
    """The number after the last numbered point ("8. ...") of a guide's ``lines``."""
    return max(int(m.group(1)) for line in lines if (m := re.match(r"([0-9]+)\. ", line))) + 1


def _guide(ws, f: _Formats, title: str, lines: list[str], full_nik: bool, place: dict, label: str) -> None:
    """A workbook's guide: its lines, printed on A4 one page wide (they ran onto a second page),
    and the full-NIK warning below them on a list that shows NIKs whole. Its lines' {fields} are
    the place's words (``program``, ``tanpa_desil``) and the kind of its kelurahan and kab/kota."""
    ws.set_column_width(0, 110)
    ws.set_paper_size(9)
    ws.set_print_fit_to_pages(1, 0)
    _footer(ws, place, label)
    ws.write(0, 0, title, f.bold)
    # "tidak tinggal di desa ini", "koordinator kabupaten": as the list's place is
    words = {**place, "desa": village_kind(place.get("kode_kel")).lower(),
             "kabkota": kabkota_kind((place.get("kode_kel") or "")[:4])}
    for i, line in enumerate(lines, start=1):
        ws.write(i, 0, line.format(**words))
    if full_nik:
        ws.write(len(lines) + 2, 0, WARNING_FULL, f.warn)
        ws.set_tab_color("#C00000")


def _header_rows(ws, f: _Formats, label: str, place: dict, full_nik: bool, title: str = TITLE) -> None:
    ws.write(0, 0, title.format(program=place["program"]), f.title)
    # (a kab/kota's list of residents without a kelurahan code says so in place of a kelurahan)
    ws.write(1, 0, place.get("where") or f"{_kelurahan(place)}, {_kecamatan(place)}", f.bold)
    # verification.py checks that A3 names the period: keep "Periode <Bulan YYYY>" in this cell
    ws.write(2, 0, f"Periode {label}; dibuat {today_wita().strftime('%d-%m-%Y')}")
    if full_nik:
        ws.write(3, 0, WARNING_FULL, f.warn)
        ws.set_tab_color("#C00000")
        ws.set_header(f"&C&\"Arial,Bold\"&KC00000{WARNING_FULL}")  # on every printed page too
    else:
        ws.write(3, 0, NOTE_MASKED)
    _footer(ws, place, label)


def _kelurahan(place: dict) -> str:
    """"Kelurahan Kanaan (6474031003)", "Desa Muara Leka (6402012002)" (:func:`village_kind`); one
    known by its code alone (no name in the packaged table or the extract's KEL_NAME) "Kelurahan
    6474031099", not the code twice."""
    name, code = place["nama_kel"], place["kode_kel"]
    kind = village_kind(code)
    return f"{kind} {name} ({code})" if name and name != code else f"{kind} {code}"


UNKNOWN_CODE = "kode tidak ada di tabel wilayah Kemendagri"  # a region code the packaged table lacks


def _kecamatan(place: dict) -> str:
    """"Kecamatan Bontang Barat (647403)"; a code the Kemendagri table lacks (the residents'
    ``region_code_unknown``: a new kecamatan, or NO_KEC mistyped) says so, where the list was
    titled "Kecamatan 647409 (647409)"."""
    name, code = place["nama_kec"], place["kode_kec"]
    return f"Kecamatan {name} ({code})" if name else f"Kecamatan {code} ({UNKNOWN_CODE})"


def _footer(ws, place: dict, label: str) -> None:
    """Every printed page names its kelurahan (or kab/kota) and period, and its page number: a
    printed Ringkasan or Petunjuk had none, and pages of several lists mixed on a desk."""
    where = place.get("where") or f"{village_kind(place.get('kode_kel'))} {place['nama_kel']}"
    ws.set_footer("&L" + where.replace("&", "&&") + f" — {label}&RHalaman &P dari &N")


def _list_frame(rows: pl.DataFrame, full_nik: bool, by: str | None = None, program: str = "JKK + JKM") -> pl.DataFrame:
    """The list's cells in ``COLUMNS`` order, one column each; a null is an empty cell. The
    coordinator's two columns are left out (they are formatted blanks). ``by``: the lists of
    several kelurahan at once, numbered within each value of that column."""
    nik = pl.col("NIK") if full_nik else mask_nik_expr("NIK")
    cells = {
        "No": _numbered(by), "Peringkat": pl.col("rank"), "Nama Lengkap": list_text("NAMA_LGKP", full_nik),
        "NIK": nik, "Umur": pl.col("umur"),
        "Jenis Kelamin": _sex_text("JENIS_KLMIN"),
        "Alamat": list_text("ALAMAT", full_nik), "RT": excel_text("NO_RT"), "RW": excel_text("NO_RW"),
        # a local label the rules take (TUKANG …) holds whatever was typed after it, a NIK too
        "Pekerjaan": list_text("JENIS_PKRJN", full_nik),
        "Desil": pl.col("desil"),
        # the flag, never the kind; "Tidak" said, as an empty cell read as "not known" (and filters)
        "Penyandang Disabilitas": pl.when(pl.col("disabilitas")).then(pl.lit("Ya")).otherwise(pl.lit("Tidak")),
        "Iuran per Bulan": pl.col("iuran_bulanan"),
        "Tanggal Lahir": _birth(full_nik),
        "ID Baris": pl.col("pseudonym"),
        "Keterangan BPJS": _bpjs_note(rows, full_nik, program),
        # a person a kelurahan verified Valid before and still listed (BPJS has not had them yet):
        # said, so the round does not visit them first again as if new; and one the last visit did
        # not find (it was blank: the coordinator visited again without knowing)
        "Verifikasi Sebelumnya": pl.coalesce(
            [pl.when(pl.col(c)).then(pl.lit(said)) for c, said in (("terverifikasi", "Valid"),
                                                                     ("tidak_ditemukan", "Tidak ditemukan"))
             if c in rows.columns] or [pl.lit(None, pl.String)]),
    }
    return rows.select(**cells)


def _numbered(by: str | None) -> pl.Expr:
    """1, 2, 3 ... down a list, or within each value of the column ``by``."""
    number = pl.int_range(1, pl.len() + 1)
    return number.over(by) if by else number


def _fix_words(fix: pl.DataFrame, full_nik: bool) -> pl.Expr:
    """*Yang Perlu Diperbaiki* of the sheet to fix. Where the NIK is masked, a birth date written
    as no calendar has it is not quoted when it holds the NIK's day (as written in the NIK, +40 for
    a woman, or not) or its month, as a number or by the month's name: such a date is nearly
    always the date the mask hides with one part mistyped, and quoted beside the mask it gave the
    hidden digits back, two of three parts (``15-13-1990`` beside ``647401******0201``: a
    coordinators' review), or all three (``1953-02-30``, a NIK issued from such a date encodes it).
    The year alone is quoted: the lists show the birth year beside a masked NIK anyway. A date is
    sometimes left unquoted that would have been safe."""
    words = pl.col("perbaikan")
    if full_nik or "tgl_lhr_raw" not in fix.columns:
        return words
    raw = pl.col("tgl_lhr_raw")
    day, month, _, _ = nik_birth_parts("NIK")
    parts = (day, day + 40, month)
    # the written date's numbers (15-13-1990: 15, 13, 1990); written as one run of digits
    # (19901315), the NIK's two-digit parts anywhere in it; not in a run of 12 digits or more,
    # which the sheet stars (a NIK typed into the date)
    numbers = raw.str.extract_all(r"[0-9]+").list.eval(pl.element().cast(pl.Int32, strict=False))
    in_parts = pl.any_horizontal(numbers.list.contains(part) for part in parts)
    digits = ascii_digits(raw)
    in_run = (numbers.list.len() == 1) & digits.str.len_chars().is_between(3, 11) & pl.any_horizontal(
        digits.str.contains(part.cast(pl.String).str.zfill(2), literal=True) for part in parts)
    month_name = month.replace_strict(MONTH_NAMES, default=r"[^\s\S]", return_dtype=pl.String)
    named = raw.str.to_lowercase().str.contains(month_name)
    hides = (in_parts | in_run | named).fill_null(False)
    # said as what it is (it read "tertulis: tanggal yang tidak ada di kalender", which an
    # outside tester took for a missing quotation; and not only dates no calendar has are hidden
    # so: 15-08-85, written as the parser cannot read it, is one)
    return pl.when(hides).then(words.str.replace(r'tertulis: "[^"]*"', UNQUOTED_DATE, literal=False)).otherwise(words)


# a month's name as a birth date may spell it (Indonesian, English, old spellings), by its start
MONTH_NAMES = {1: "jan", 2: "feb|peb", 3: "mar", 4: "apr", 5: "mei|may", 6: "jun", 7: "jul",
               8: "agu|ags|agt|aug", 9: "sep", 10: "okt|oct", 11: "nov|nop", 12: "des|dec"}
UNQUOTED_DATE = "yang tertulis tidak terbaca sebagai tanggal, tidak ditampilkan karena memuat angka NIK yang disamarkan"


def _birth(full_nik: bool) -> pl.Expr:
    return _excel_date("TGL_LHR") if full_nik else pl.col("TGL_LHR").dt.year()


def _excel_date(column: str) -> pl.Expr:
    """A date cell as its Excel serial, under a dd-mm-yyyy format (the writer's own date cells
    would override the format with yyyy-mm-dd); Excel counts a 29-02-1900."""
    c = pl.col(column)
    return (c - pl.lit(EXCEL_EPOCH)).dt.total_days() - (c < pl.lit(date(1900, 3, 1))).cast(pl.Int64)


def _sex_text(column: str) -> pl.Expr:
    return pl.col(column).replace_strict({"L": "Laki-laki", "P": "Perempuan"}, default="-", return_dtype=pl.String)


def _bpjs_note(rows: pl.DataFrame, full_nik: bool, program: str = "JKK + JKM") -> pl.Expr:
    """*Keterangan BPJS*: BPJS's earlier rejection, as written by BPJS (a NIK in its words is
    masked as the list's NIKs are: ``ALASAN`` is BPJS's free text); then, for a candidate with
    an active card in the roster's review list (``mungkin_terdaftar``), that they may be
    registered already."""
    notes = []
    if "catatan_bpjs" in rows.columns:
        note = pl.col("catatan_bpjs").str.replace(r"^ditolak BPJS", "Ditolak BPJS")
        # its month in words, as every other text of the list names it (the data keeps YYYY-MM)
        for period in rows.get_column("catatan_bpjs").str.extract(r"^ditolak BPJS pada periode ([0-9]{4}-[0-9]{2})")\
                .drop_nulls().unique().sort():
            if is_period(period):
                note = note.str.replace(f"^Ditolak BPJS pada periode {period}",
                                        f"Ditolak BPJS pada periode {periode_label(period)}", literal=False)
        if not full_nik:
            # a NIK as the list shows its NIKs, then any other long run of digits starred whole:
            # a NIK BPJS typed in groups ("6474 0317 1187 0001") was shown in full
            note = mask_long_digits_expr(note.str.replace_all(r"([0-9]{6})[0-9]{6}([0-9]{4})", "${1}******${2}"))
        notes.append(note)
    if "mungkin_terdaftar" in rows.columns:
        notes.append(pl.when(pl.col("mungkin_terdaftar").is_not_null()).then(
            pl.lit(f"{MAYBE_REGISTERED.format(program=program)} (kecocokan ") + match_percent()
            + pl.lit("%): periksa kartunya saat kunjungan")))
    if not notes:
        return pl.lit(None, pl.String)
    return pl.concat_str(notes, separator=". ", ignore_nulls=True).replace("", None).str.slice(0, EXCEL_TEXT_MAX)


MAYBE_REGISTERED = "Mungkin sudah terdaftar: ada kartu BPJS TK aktif ({program}) dengan NIK atau data mirip"


EXCEL_TEXT_MAX = 32_767  # characters a cell holds


def excel_text(column: str) -> pl.Expr:
    """A text column as a cell takes it: at most Excel's 32,767 characters. A longer source field
    (a 200,000-character ALAMAT) failed the whole run at the gap lists, after the submission."""
    return pl.col(column).str.slice(0, EXCEL_TEXT_MAX)


def list_text(column: str, full_nik: bool) -> pl.Expr:
    """A free-text cell of a list (name, address): a NIK, KK or telephone number typed into the
    field is masked unless the list shows NIKs in full (a NIK in ALAMAT or NAMA_LGKP reached the
    masked list whole), then cut to a cell's length. ``verification`` reads the name back through
    :func:`pipelines.nik.mask_long_digits`, the same masking."""
    c = pl.col(column)
    return (c if full_nik else mask_long_digits_expr(c)).str.slice(0, EXCEL_TEXT_MAX)


def _list_sheet(ws, f: _Formats, cells: pl.DataFrame, label: str, place: dict, full_nik: bool,
                to_fix: int = 0) -> None:
    """The list to visit and fill in (``cells``: :func:`_list_frame` of its candidates);
    ``to_fix``: how many residents its kelurahan's sheet to fix holds (a list without
    candidates says where they are)."""
    import rvgsrust_xlsxwriter as xlsx

    _header_rows(ws, f, label, place, full_nik)
    # the choices on paper too: a printed list filled in by hand came back in words of its own
    if cells.height:
        ws.write(4, 0, "Hasil Verifikasi: pilih " + ", ".join(VERIFIKASI[:-1]) + f" atau {VERIFIKASI[-1]} "
                       "(lihat lembar 'Petunjuk'); kosongkan bila belum dikunjungi.")
    for c, (name, width) in enumerate(COLUMNS):
        ws.write(HEADER_ROW, c, column_title(name, full_nik), f.head)
        ws.set_column_width(c, width)
    ws.set_column_hidden(COL["ID Baris"])
    first, last = HEADER_ROW + 1, HEADER_ROW + max(cells.height, 1)
    # (in Python: a Series method is a polars query of its own, ~0.1 ms, and a list has hundreds)
    money = sorted({v for v in cells.get_column("Iuran per Bulan").to_list() if v is not None})
    one_money = {"Iuran per Bulan": f.money(money[0])} if len(money) == 1 else {}
    # every text cell is a string cell: a source value starting with "=" stays text, never a formula
    after = COLUMNS[COL["ID Baris"]:]  # written apart: the list's cells stop at Catatan
    listed = cells[[c for c in cells.columns if c not in {name for name, _ in after}]]
    ws.write_dataframe(first, 0, listed, write_header=False,
                       column_formats={**one_money, **{name: f.wrap for name in WRAPPED if name in listed.columns},
                                       **({"Tanggal Lahir": f.dmy} if full_nik else {})})
    for name, _ in after:
        ws.write_dataframe(first, COL[name], cells.get_column(name).to_frame(), write_header=False,
                           column_formats={name: f.wrap} if name in WRAPPED else {})
    if len(money) > 1:  # one number format per digit-group count, so per cell
        for i, v in enumerate(cells["Iuran per Bulan"]):
            if v is not None:
                ws.write(first + i, COL["Iuran per Bulan"], v, f.money(v))
    if cells.height == 0:
        # (it said "no visit needed" above a sheet of residents to fix, and "all verified" of a
        # kelurahan whose people were sent to BPJS; one line of it was cut on paper)
        here = f"{village_kind(place.get('kode_kel')).lower()} ini"
        ws.write(first, 0, f"Tidak ada calon peserta yang perlu dikunjungi di {here} pada periode {label}.",
                 f.bold)
        ws.write(first + 1, 0, f"Pekerja rentan di {here} (bila ada) sudah terlindungi {place['program']}, sudah dikirim "
                               "ke BPJS untuk didaftarkan, atau dikecualikan menurut hasil verifikasi.")
        if to_fix:
            ws.write(first + 2, 0, f"{_n(to_fix)} penduduk perlu diperbaiki datanya: lihat lembar '{TO_FIX_SHEET}'.",
                     f.bold)
    _dashes(ws, cells, first, COL, ("Umur", "Desil"))
    _fit_header(ws, COLUMNS, full_nik)
    _fit_rows(ws, cells, first, {name: width for name, width in COLUMNS if name in WRAPPED})
    if cells.height:  # (nothing to fill in on the line that says there is no one)
        _fill_in(ws, f, first, last)
    # RT, RW and a NIK shown whole are text on purpose (their leading zeros): no green triangle on
    # every row; nor on a number typed into the text cells to fill
    ws.ignore_error_range(first, 0, last, len(COLUMNS) - 1, "number_stored_as_text")
    # every column (the BPJS note and an earlier Valid could not be filtered); the hidden id's
    # filter button is hidden with it
    ws.autofilter(HEADER_ROW, 0, last, len(COLUMNS) - 1)
    ws.freeze_panes(HEADER_ROW + 1, COL["NIK"])  # header and No/Peringkat/Nama stay in view
    _printed(ws)
    # no sorting: Excel refuses to sort a range with locked cells, and the list's order is the
    # visiting order (Petunjuk 1 and 5)
    # (cells are not to be formatted: Text back to General would undo the fill cells' format,
    # and the format painter from a locked cell locks them)
    ws.protect_with_options(xlsx.ProtectionOptions(
        use_autofilter=True, format_columns=True, format_rows=True))


def _fill_in(ws, f: _Formats, first: int, last: int) -> None:
    """The cells a coordinator fills, rows ``first`` to ``last``: shaded and unlocked, and
    *Hasil Verifikasi* a drop-down of its choices."""
    import rvgsrust_xlsxwriter as xlsx

    ws.set_range_format(first, COL["Hasil Verifikasi"], last, COL["Catatan"], f.fill)
    validation = xlsx.DataValidation()
    validation.allow_list_strings(VERIFIKASI)
    validation.set_input_title("Hasil Verifikasi")
    validation.set_input_message("Pilih dari daftar")
    validation.set_error_title("Hasil Verifikasi")
    validation.set_error_message("Pilih salah satu: " + ", ".join(VERIFIKASI))
    ws.add_data_validation(first, COL["Hasil Verifikasi"], last, COL["Hasil Verifikasi"], validation)


def _dashes(ws, cells: pl.DataFrame, first: int, col: dict[str, int], names: tuple[str, ...]) -> None:
    """An unknown value (null) in the columns ``names`` of the sheet's ``cells`` (written from
    row ``first``, at the columns ``col``) as a dash, not an empty cell."""
    for name in names:
        column = cells.get_column(name)
        if column.null_count():  # (a Series method is a query of its own: none for a full column)
            for i in column.is_null().arg_true():
                ws.write(first + i, col[name], "-")


def _printed(ws) -> None:
    """Printed for the door-to-door round: A4 landscape, one page wide, the header row on every page."""
    ws.set_landscape()
    ws.set_paper_size(9)
    ws.set_margins(0.25, 0.25, 0.5, 0.5, 0.3, 0.3)  # inches: left, right, top, bottom, header, footer
    ws.set_print_fit_to_pages(1, 0)
    ws.set_repeat_rows(HEADER_ROW, HEADER_ROW)
    ws.set_print_gridlines(True)  # a row across 18 columns could not be followed on paper


COUNT_TITLES = ("Menurut pekerjaan", "Menurut RW/RT", "Menurut desil DTSEN")


def _no_counts() -> list[tuple[str, list[tuple[str, int]]]]:
    """The Ringkasan breakdowns of a kelurahan without candidates: their titles, no line."""
    return [(title, []) for title in COUNT_TITLES]


def _counts(rows: pl.DataFrame, by: str, full_nik: bool = False
            ) -> dict[str, list[tuple[str, list[tuple[str, int]]]]]:
    """The Ringkasan breakdowns of each value of the column ``by`` (a kelurahan's code). RT
    numbers repeat across RWs, so an RT is counted with its RW."""
    by_job = rows.group_by(by, list_text("JENIS_PKRJN", full_nik).fill_null("-")).len().sort(
        [by, "len", "JENIS_PKRJN"], descending=[False, True, False])
    # RW first, then its RTs, in number order ("RW 002 / RT 004"): sorted as "RT … / RW …" the
    # RWs interleaved
    rw, rt = pl.col("NO_RW").fill_null("-"), pl.col("NO_RT").fill_null("-")
    by_rt = (rows.group_by(by, rw=rw, rt=rt).len()
             .sort([by, pl.col("rw").cast(pl.Int64, strict=False), "rw", pl.col("rt").cast(pl.Int64, strict=False), "rt"],
                   nulls_last=True)
             # (a desa without RWs read "RW - / RT 027": an outside review)
             .select(by, pl.when(pl.col("rw") == "-").then(pl.lit("RT ") + pl.col("rt") + pl.lit(" (tanpa RW)"))
                     .otherwise(pl.lit("RW ") + pl.col("rw") + pl.lit(" / RT ") + pl.col("rt")), "len"))
    by_desil = (rows.group_by(by, "desil").len().sort([by, "desil"], nulls_last=True)
                .select(by, pl.when(pl.col("desil").is_null()).then(pl.lit("Tanpa data DTSEN"))
                        .otherwise(pl.format("Desil {}", "desil")), "len"))
    out: dict[str, list[tuple[str, list[tuple[str, int]]]]] = {}
    for i, frame in enumerate((by_job, by_rt, by_desil)):
        for kel, name, n in frame.iter_rows():
            out.setdefault(kel, _no_counts())[i][1].append((name, n))
    return out


def _summary_sheet(ws, f: _Formats, rows: pl.DataFrame, counts: list, label: str, place: dict,
                   to_fix: int | None = None, accepted: int | None = None) -> None:
    """The Ringkasan of a kelurahan's candidates ``rows``: totals, then ``counts`` (``_counts``);
    ``to_fix``, ``accepted``: how many residents its sheet to fix and its sheet of those BPJS
    accepted hold (None: no such sheet)."""
    ws.set_column_width(0, 52)  # "Data perlu diperbaiki (lembar 'Perlu Perbaikan Data')" was cut at 36
    ws.set_column_width(1, 18)
    ws.set_paper_size(9)
    _footer(ws, place, label)
    monthly = int(rows["iuran_bulanan"].sum())
    ws.write(0, 0, f"Ringkasan {_kelurahan(place)}", f.title)
    totals = [("Periode", label), ("Jumlah calon peserta", rows.height),
              ("Penyandang disabilitas", int(rows["disabilitas"].sum())),
              ("Total iuran per bulan", monthly), ("Total iuran per tahun", monthly * 12)]
    if to_fix is not None:
        totals.append((f"Data perlu diperbaiki (lembar '{TO_FIX_SHEET}')", to_fix))
    if accepted is not None:
        totals.append((f"Sudah diterima BPJS, dengan nomor KPJ (lembar '{ACCEPTED_SHEET}')", accepted))
    stand = place.get("standing")
    if stand:
        # where its informal workers stand, as the coverage page counts them: a list of 87 one month
        # and 3 the next said nothing of the 83 sent to BPJS and the 5 verified out (a
        # coordinators' review)
        desa = village_kind(place.get("kode_kel")).lower()
        totals += [(f"Pekerja rentan di {desa} ini (usia kerja, sektor informal)", stand["pekerja"]),
                   (f"  sudah terlindungi {place['program']} (data peserta BPJS)", stand["terlindungi"]),
                   ("  sudah dikirim ke BPJS, belum tampak di data peserta", stand["didaftarkan"]),
                   ("    di antaranya belum dijawab BPJS", stand["menunggu_bpjs"]),
                   ("  dikecualikan menurut hasil verifikasi", stand["dikecualikan"]),
                   ("  calon peserta di daftar ini", stand["kandidat"])]
    for i, (name, value) in enumerate(totals, start=2):
        ws.write(i, 0, name, f.bold)
        ws.write(i, 1, value, f.money(value) if name.startswith("Total iuran") else
                 f.money(value, "") if isinstance(value, int) else None)
    r = len(totals) + 3
    for title, breakdown in counts:
        ws.write(r, 0, title, f.bold)
        ws.write(r, 1, "Jumlah", f.bold)
        for key, n in breakdown:
            r += 1
            ws.write(r, 0, str(key))
            ws.write(r, 1, n, f.money(n, ""))
        r += 2


def _to_fix_cells(fix: pl.DataFrame, full_nik: bool, by: str | None = None) -> pl.DataFrame:
    """The cells of a sheet to fix (``TO_FIX_COLUMNS``) of the residents ``fix``; ``by``: the
    sheets of several kelurahan at once, numbered within each value of that column."""
    nik = pl.col("NIK") if full_nik else mask_nik_expr("NIK")
    return fix.select(**{
        "No": _numbered(by), "Nama Lengkap": list_text("NAMA_LGKP", full_nik), "NIK": nik,
        # a birth date in the future tells no age (it was shown as -5)
        "Tanggal Lahir": _birth(full_nik), "Umur": pl.when(pl.col("umur") >= 0).then(pl.col("umur")),
        "Jenis Kelamin": _sex_text("JENIS_KLMIN"),
        "Alamat": list_text("ALAMAT", full_nik), "RT": excel_text("NO_RT"), "RW": excel_text("NO_RW"),
        # as typed, where a NIK typed into the field is masked as the name's and the address's are
        "Pekerjaan (tertulis)": list_text("JENIS_PKRJN", full_nik), "Yang Perlu Diperbaiki": _fix_words(fix, full_nik),
    })


def _to_fix_sheet(ws, f: _Formats, cells: pl.DataFrame, label: str, place: dict, full_nik: bool) -> None:
    """The kelurahan's residents whose record must be fixed before they can be judged, with
    what to fix (``cells``: :func:`_to_fix_cells`): read only, not read back."""
    _read_only_sheet(ws, f, cells, label, place, full_nik, title=TO_FIX_TITLE,
                     note=TO_FIX_NOTE.format(program=place["program"]), columns=TO_FIX_COLUMNS,
                     wrapped=TO_FIX_WRAPPED, dashed=("Tanggal Lahir", "Umur"),
                     empty=f"Tidak ada data penduduk yang perlu diperbaiki di "
                           f"{village_kind(place.get('kode_kel')).lower()} ini pada periode {label}.")


def _accepted_cells(accepted: pl.DataFrame, full_nik: bool, program: str, by: str | None = None) -> pl.DataFrame:
    """The cells of a sheet of those BPJS accepted (``ACCEPTED_COLUMNS``; ``accepted``:
    ``pipelines.candidates.accepted_by_bpjs``); ``by``: the sheets of several kelurahan at
    once, numbered within each value of that column."""
    nik = pl.col("NIK") if full_nik else mask_nik_expr("NIK")
    periods = accepted.get_column("diterima").drop_nulls().unique().to_list()
    return accepted.select(**{
        "No": _numbered(by), "Nama Lengkap": list_text("NAMA_LGKP", full_nik), "NIK": nik,
        "Tanggal Lahir": _birth(full_nik), "Jenis Kelamin": _sex_text("JENIS_KLMIN"),
        "Alamat": list_text("ALAMAT", full_nik), "RT": excel_text("NO_RT"), "RW": excel_text("NO_RW"),
        "Pekerjaan": list_text("JENIS_PKRJN", full_nik), "Nomor KPJ": excel_text("kpj"),
        # its month in words, as the lists' other texts name a period ("Periode November 2026")
        "Diterima BPJS": pl.col("diterima").replace_strict(
            {p: f"Periode {periode_label(p)}" if is_period(p) else p for p in periods}, default=None,
            return_dtype=pl.String),
        "Kartu di Data Peserta BPJS": pl.col("kartu").replace_strict(
            {k: v.format(program=program) for k, v in CARD_WORDS.items()}, default=None, return_dtype=pl.String),
    })


def _accepted_sheet(ws, f: _Formats, cells: pl.DataFrame, label: str, place: dict, full_nik: bool) -> None:
    """The kelurahan's informal workers BPJS accepted, with their card (``cells``:
    :func:`_accepted_cells`): read only, not read back."""
    _read_only_sheet(ws, f, cells, label, place, full_nik, title=ACCEPTED_TITLE,
                     note=ACCEPTED_NOTE.format(program=place["program"]), columns=ACCEPTED_COLUMNS,
                     wrapped=ACCEPTED_WRAPPED, dashed=("Tanggal Lahir",),
                     empty=f"Belum ada pekerja rentan {village_kind(place.get('kode_kel')).lower()} ini yang "
                           "diterima BPJS Ketenagakerjaan dari daftar yang dikirim.")


def _read_only_sheet(ws, f: _Formats, cells: pl.DataFrame, label: str, place: dict, full_nik: bool, *,
                     title: str, note: str, columns: list[tuple[str, float]], wrapped: tuple[str, ...],
                     dashed: tuple[str, ...], empty: str) -> None:
    """A sheet of a workbook that is read, not filled in nor read back (the residents to fix,
    those BPJS accepted): the list's header rows under ``title``, ``note``, then ``cells`` under
    ``columns`` ((name, width)), ``wrapped`` ones wrapping, a null of ``dashed`` ones a dash;
    ``empty`` said when there are no cells. Filtered, its header frozen, printed as the list."""
    _header_rows(ws, f, label, place, full_nik, title=title)
    ws.write(4, 0, note)
    for c, (name, width) in enumerate(columns):
        ws.write(HEADER_ROW, c, column_title(name, full_nik), f.head)
        ws.set_column_width(c, width)
    first = HEADER_ROW + 1
    ws.write_dataframe(first, 0, cells, write_header=False,
                       column_formats={**({"Tanggal Lahir": f.dmy} if full_nik else {}),
                                       **{name: f.wrap for name in wrapped}})
    _dashes(ws, cells, first, {name: i for i, (name, _) in enumerate(columns)}, dashed)
    _fit_header(ws, columns, full_nik)
    _fit_rows(ws, cells, first, {name: width for name, width in columns if name in wrapped})
    last = HEADER_ROW + max(cells.height, 1)
    ws.ignore_error_range(first, 0, last, len(columns) - 1, "number_stored_as_text")
    if cells.height == 0:
        ws.write(first, 0, empty, f.bold)
    ws.autofilter(HEADER_ROW, 0, last, len(columns) - 1)
    ws.freeze_panes(HEADER_ROW + 1, 2)
    _printed(ws)


# --- coverage report ----------------------------------------------------------------------------

def coverage_md(coverage: pl.DataFrame, width: int = 20) -> str:
    """The coverage figures as a markdown table with a bar per kelurahan, for the Dagster UI
    (its markdown has no SVG): the same numbers as the HTML page."""
    # each kelurahan's % from its counts: the stored one is rounded to two decimals, and rounding
    # that again to one could move it (24.7455 -> 24.75 -> 24,8)
    cov = _with_names(coverage).with_columns(_pct_expr())
    lines = ["| kelurahan | pekerja rentan | terlindungi | didaftarkan | calon peserta | dikecualikan | "
             "terverifikasi | cakupan | | perlu perbaikan data |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---|---:|"]
    for r in _in_order(cov).iter_rows(named=True):
        pct = r["cakupan_pct"]
        bar = "█" * round(width * (pct or 0) / 100) + "░" * (width - round(width * (pct or 0) / 100))
        lines.append(f"| {r['nama_kel']} | {_n(r['pekerja'])} | {_n(r['terlindungi'])} | {_n(r['didaftarkan'])} | "
                     f"{_n(r['kandidat'])} | {_n(r['dikecualikan'])} | "
                     f"{_n(r.get('terverifikasi') or 0)} | {_pct(pct)} | `{bar}` | {_n(r['perlu_perbaikan'])} |")
    s = coverage_summary(cov)
    lines.append(f"| **Total** | {_n(s['pekerja'])} | {_n(s['terlindungi'])} | {_n(s['didaftarkan'])} | "
                 f"{_n(s['kandidat'])} | {_n(s['dikecualikan'])} | "
                 f"{_n(s['terverifikasi'])} | {_pct(s['cakupan_pct'])} | | {_n(s['perlu_perbaikan'])} |")
    return "\n".join(lines)


def coverage_summary(coverage: pl.DataFrame) -> dict:
    """City totals; ``cakupan_pct`` is None when there are no workers (not 0: nothing to cover)."""
    workers, protected = int(coverage["pekerja"].sum()), int(coverage["terlindungi"].sum())
    return {
        "pekerja": workers, "terlindungi": protected, "kandidat": int(coverage["kandidat"].sum()),
        "terverifikasi": int(coverage["terverifikasi"].sum()) if "terverifikasi" in coverage.columns else 0,
        "didaftarkan": int(coverage["didaftarkan"].sum()) if "didaftarkan" in coverage.columns else 0,
        "menunggu_bpjs": int(coverage["menunggu_bpjs"].sum()) if "menunggu_bpjs" in coverage.columns else 0,
        "dikecualikan": int(coverage["dikecualikan"].sum()) if "dikecualikan" in coverage.columns else 0,
        "perlu_perbaikan": int(coverage["perlu_perbaikan"].sum()) if "perlu_perbaikan" in coverage.columns else 0,
        # not rounded: the pages show it to one decimal, and 24.7455 rounded first to 24.75 showed 24,8
        "cakupan_pct": 100.0 * protected / workers if workers else None,
        "iuran_bulanan": int(coverage["iuran_bulanan"].sum()), "iuran_tahunan": int(coverage["iuran_tahunan"].sum()),
        **{c: int(coverage[c].sum()) if c in coverage.columns else 0
           for c in ("diterima_bpjs", "iuran_diterima_bulanan")},
    }


def _pct_expr() -> pl.Expr:
    return (pl.when(pl.col("pekerja") > 0).then(100.0 * pl.col("terlindungi") / pl.col("pekerja"))
            .otherwise(None).alias("cakupan_pct"))


def coverage_history(folder: Path, period: str) -> pl.DataFrame | None:
    """The stored coverage figures (``<folder>/<period>.parquet``) of the periods before
    ``period``, for the trend; None when there are none. Files written by earlier versions lack
    the columns added since (``perlu_perbaikan``, ``dikecualikan``): they are null there, where
    the months' frames of two versions could not be stacked and the page was not written."""
    # (a copy beside them, "2026-10 (1).parquet", is no month)
    frames = [pl.read_parquet(p) for p in sorted(Path(folder).glob("*.parquet")) if is_period(p.stem) and p.stem < period]
    return pl.concat(frames, how="diagonal_relaxed") if frames else None


def _with_names(coverage: pl.DataFrame) -> pl.DataFrame:
    """Fill missing kelurahan/kecamatan names from the region tables, else show the code. A
    coverage file written before the verified or the registered count existed counts 0 of them."""
    for col in ("terverifikasi", "didaftarkan", "menunggu_bpjs", "dikecualikan", "perlu_perbaikan"):
        if col not in coverage.columns:
            coverage = coverage.with_columns(pl.lit(0, pl.Int64).alias(col))

    def name(col, code, lookup, otherwise):
        return pl.coalesce(pl.col(col), pl.col(code).map_elements(lookup, return_dtype=pl.String), otherwise)
    # a kecamatan code the Kemendagri table lacks (NO_KEC mistyped, or a new kecamatan) says so, as
    # the gap lists' titles do: the page showed "647409 | 647409", an area of its own with no hint
    # (a coordinators' review)
    unknown = f"({UNKNOWN_CODE})"
    named = coverage.with_columns(
        name("nama_kel", "kode_kel", kelurahan_name, pl.col("kode_kel")).alias("nama_kel"),
        name("nama_kec", "kode_kec", kecamatan_name, pl.when(pl.col("kode_kec").is_not_null()).then(pl.lit(unknown)))
        .alias("nama_kec"))
    # and its kelurahan, named by the extract's KEL_NAME as a real one ("Bontang Kuala" twice on
    # the page, one under the mistyped code): said to be of an unknown kecamatan (a re-check)
    return named.with_columns(nama_kel=pl.when(pl.col("nama_kec") == unknown)
                              .then(pl.col("nama_kel") + pl.lit(" (kecamatan tidak dikenal)"))
                              .otherwise(pl.col("nama_kel")))


def _in_order(coverage: pl.DataFrame) -> pl.DataFrame:
    """Kelurahan in code order, each kab/kota's row of residents without a kelurahan code after
    its kelurahan."""
    return coverage.sort("kode_kab", "kode_kel", nulls_last=True)


def _svg_open(w: int, h: int, label: str) -> str:
    """A chart's opening tag: ``w`` × ``h`` at most, scaled down whole to a narrower screen (a
    fixed-size chart made the whole page scroll sideways on a phone, its percentages cut off)."""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
            f'style="max-width:100%;height:auto" aria-label="{html.escape(label)}">')


def _bar_chart(coverage: pl.DataFrame, unit: str = "kelurahan") -> str:
    """Horizontal bars, one per kelurahan, each named; grouped by kecamatan through the code order,
    and under a heading per kab/kota when there are several. A name that two of them share is
    followed by its code: a province's 369 bars showed "Sumber Sari" three times, at 0%, 0% and
    100%, with no way to tell them apart (an outside review). Drawn in HTML, not SVG: scaled down
    to a phone's width, an SVG's names and percentages were 6-8 px; here they keep the page's size
    and only the bars narrow."""
    placed = coverage.filter(pl.col("kode_kel").is_not_null()).sort("kode_kel")
    shared = set(placed.group_by("nama_kel").len().filter(pl.col("len") > 1).get_column("nama_kel").to_list())
    several = placed.get_column("kode_kab").n_unique() > 1
    esc = html.escape
    rows, kab = [], None
    for code, name, pct in placed.select("kode_kel", "nama_kel", "cakupan_pct").iter_rows():
        if several and code[:4] != kab:
            kab = code[:4]
            rows.append(f'<div class="bar-group">{esc(kabkota_name(kab) or kab)} ({esc(kab)})</div>')
        shown = f"{name} ({code})" if name in shared and name != code else name
        rows.append(f'<div class="bar-row"><span class="bar-name">{esc(shown or "-")}</span>'
                    f'<span class="bar-track"><span class="bar" style="width:{min(max(pct or 0.0, 0.0), 100.0):.1f}%">'
                    f'</span></span><span class="bar-pct">{_pct(pct)}</span></div>')
    return f'<div class="bars" role="img" aria-label="Cakupan per {esc(unit)}">{"".join(rows)}</div>'


def _trend_chart(per_period: pl.DataFrame) -> str:
    """A line of city coverage % per period (columns ``period``, ``cakupan_pct``), y axis 0–100."""
    pts = list(per_period.select("period", "cakupan_pct").iter_rows())
    w, h, pad = 560, 220, 45
    step = (w - 2 * pad) / max(len(pts) - 1, 1)

    def y_of(p: float) -> float:
        return h - pad - (h - 2 * pad) * p / 100.0

    parts = [_svg_open(w, h, "Tren cakupan")]
    for tick in (0, 25, 50, 75, 100):
        parts.append(f'<line x1="{pad}" y1="{y_of(tick):.1f}" x2="{w - pad}" y2="{y_of(tick):.1f}" stroke="#ddd"/>'
                     f'<text x="{pad - 6}" y="{y_of(tick) + 4:.1f}" font-size="10" text-anchor="end">{tick}%</text>')
    coords = [(pad + i * step, None if p is None else y_of(p)) for i, (_, p) in enumerate(pts)]
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords if y is not None)
    parts.append(f'<polyline fill="none" stroke="#1565c0" stroke-width="2" points="{line}"/>')
    for (x, y), (period, pct) in zip(coords, pts):
        month, year = periode_label(period).split()
        parts.append(f'<text x="{x:.1f}" y="{h - pad + 16}" font-size="11" text-anchor="middle">'
                     f'{html.escape(month[:3])} {year}</text>')
        if y is not None:
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#1565c0"/>'
                         f'<text x="{x:.1f}" y="{y - 7:.1f}" font-size="11" text-anchor="middle">{_pct(pct)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _trend(coverage: pl.DataFrame, period: str, history: pl.DataFrame | None) -> str:
    # only earlier periods: a history that already holds this period (or a later one) must not
    # double-count it or draw the future
    earlier = None if history is None else _with_names(history).filter(pl.col("period") < period)
    if earlier is None or earlier.height == 0:
        return "<p>Belum ada riwayat periode sebelumnya; tren cakupan tampil mulai periode berikutnya.</p>"
    both = pl.concat([earlier.select(coverage.columns), coverage], how="vertical_relaxed")
    per_period = (both.group_by("period").agg(pl.col("pekerja", "terlindungi").sum())
                  .with_columns(_pct_expr()).sort("period"))
    return _trend_chart(per_period)


def _table(df: pl.DataFrame, code: str, name: str, total: dict | None = None, caption: str = "") -> str:
    """A figures table: a caption naming it (read out by screen readers before the figures), the
    header cells scoped to their columns and each row's name to its row."""
    esc = html.escape
    out = [f"<table>{f'<caption>{esc(caption)}</caption>' if caption else ''}<thead><tr><th>Kode</th><th>Nama</th><th>Pekerja rentan</th><th>Terlindungi</th>"
           "<th>Didaftarkan</th><th>Calon peserta</th><th>Dikecualikan</th><th>Terverifikasi</th><th>Cakupan</th>"
           "<th>Iuran per bulan</th><th>Iuran per tahun</th><th>Data perlu diperbaiki</th></tr></thead><tbody>"]
    rows = list(df.iter_rows(named=True))
    if total is not None:
        rows.append({code: "", name: "Total", **total})
    for r in rows:
        out.append(f"<tr><td>{esc(r[code] or '')}</td><th scope=\"row\">{esc(r[name] or '-')}</th><td>{_n(r['pekerja'])}</td>"
                   f"<td>{_n(r['terlindungi'])}</td><td>{_n(r.get('didaftarkan') or 0)}</td><td>{_n(r['kandidat'])}</td>"
                   f"<td>{_n(r.get('dikecualikan') or 0)}</td>"
                   f"<td>{_n(r.get('terverifikasi') or 0)}</td><td>{_pct(r['cakupan_pct'])}</td>"
                   f"<td>{rupiah(r['iuran_bulanan'])}</td><td>{rupiah(r['iuran_tahunan'])}</td>"
                   f"<td>{_n(r.get('perlu_perbaikan') or 0)}</td></tr>")
    # in a box that scrolls sideways on a narrow screen: eleven columns (twelve now) were wider than the page at
    # 1300 px, and the whole page scrolled, the yearly budget out of sight
    return '<div class="scroll">' + "".join(out) + "</tbody></table></div>"


def _region_title(coverage: pl.DataFrame) -> str:
    """The kab/kota's name; of several, their province's and how many ("Provinsi Kalimantan Timur,
    7 kabupaten/kota"), where it said "Semua wilayah" (an outside review)."""
    kabs = sorted(coverage["kode_kab"].drop_nulls().unique().to_list())
    if len(kabs) == 1:
        return kabkota_name(kabs[0]) or kabs[0]
    provinces = {k[:2] for k in kabs}
    where = (f"Provinsi {province_name(next(iter(provinces))) or next(iter(provinces))}" if len(provinces) == 1
             else f"{len(provinces)} provinsi")
    return f"{where}, {len(kabs)} kabupaten/kota"


_CSS = """
body{font-family:system-ui,Arial,sans-serif;margin:2em;color:#222}
h1,h2,p,.note,.cards{max-width:72em}
h1{font-size:1.5em} h2{font-size:1.2em;margin-top:1.6em}
.cards{display:flex;flex-wrap:wrap;gap:1em;margin:1em 0}
.card{border:1px solid #ccc;border-radius:6px;padding:.8em 1.2em;min-width:12em}
.card b{display:block;font-size:1.4em}
table{border-collapse:collapse;margin:1em 0;font-size:.92em}
.scroll{overflow-x:auto}
@media print{.scroll{overflow:visible} body{max-width:none;margin:0} .card,tr,svg{break-inside:avoid}}
@page{size:A4 landscape;margin:1cm}
th,td{border:1px solid #ccc;padding:.3em .5em;text-align:right}
td:nth-child(2),th:nth-child(2),td:first-child,th:first-child{text-align:left}
th{background:#f0f4f8} tbody th{background:none;font-weight:normal}
tr:last-child td,tr:last-child th{font-weight:600} caption{text-align:left;font-weight:600;padding:.3em 0}
.note{color:#555;font-size:.9em}
.bars{max-width:46em;margin:1em 0}
.bar-row{display:flex;align-items:center;gap:.5em;margin:.25em 0}
.bar-group{font-weight:bold;margin:1em 0 .3em}
.bar-name{flex:0 0 12em;text-align:right;overflow-wrap:anywhere}
.bar-track{flex:1 1 auto;background:#eee;height:1em;min-width:4em}
.bar{display:block;height:100%;background:#2e7d32;print-color-adjust:exact;-webkit-print-color-adjust:exact}
.bar-pct{flex:0 0 4em}
@media (max-width:600px){body{margin:1em} .bar-name{flex-basis:8em}}
"""


def _contribution_note(rules: Rules) -> str:
    """The monthly contribution as the rules file makes it: the page said "JKK 1% + JKM Rp6.800"
    whatever the rules said."""
    rate = f"{rules.jkk_rate * 100:g}".replace(".", ",")
    # JHT, when the rules require it: part of the package paid
    jht = (f" + JHT ({f'{rules.jht_rate * 100:g}'.replace('.', ',')}% dari penghasilan yang dilaporkan, "
           f"{rupiah(rules.jht)})" if rules.jht_rate is not None and "JHT" in rules.required_programs else "")
    return (f"iuran JKK ({rate}% dari penghasilan yang dilaporkan {rupiah(rules.declared_income)}, "
            f"paling sedikit {rupiah(rules.jkk_minimum)}) + JKM ({rupiah(rules.jkm)}){jht} = "
            f"{rupiah(rules.monthly_contribution)}")


def write_coverage_report(coverage: pl.DataFrame, period: str, out_dir: Path,
                          history: pl.DataFrame | None = None, rules: Rules | None = None) -> Path:
    """A self-contained HTML page at ``out_dir/coverage/<period>.html``. ``history`` holds
    coverage rows (same schema) of earlier periods for the trend chart; rows of this period or
    later in it are ignored; ``rules`` (default: the packaged ones) the contribution the budget
    note explains. Counts only: no personal data."""
    label = periode_label(period)
    rules = rules or load_rules()
    program = rules.program_words  # what "protected" means under the rules, and what is paid
    path = Path(out_dir) / "coverage" / f"{period}.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    coverage = _with_names(coverage).with_columns(_pct_expr())
    s = coverage_summary(coverage)
    sums = pl.col("pekerja", "terlindungi", "didaftarkan", "kandidat", "dikecualikan", "terverifikasi",
                  "iuran_bulanan", "iuran_tahunan", "perlu_perbaikan").sum()
    # (those without a kelurahan code are one row per kab/kota here too, after its kecamatan)
    kec = (coverage.group_by("kode_kab", "kode_kec", "nama_kec").agg(sums).with_columns(_pct_expr())
           .sort("kode_kab", "kode_kec", nulls_last=True))
    # an extract of several kab/kota: each one's figures too (each has its own budget)
    kab = coverage.group_by("kode_kab").agg(sums).with_columns(_pct_expr()).sort("kode_kab")
    kab = kab.with_columns(nama_kab=pl.Series([kabkota_name(k) or k for k in kab["kode_kab"]], dtype=pl.String))
    per_kab = (f"<h2>Per kabupaten/kota</h2>\n{_table(kab, 'kode_kab', 'nama_kab', total=s, caption=f'Cakupan per kabupaten/kota, {label}')}\n"
               if kab.height > 1 else "")
    esc = html.escape
    region = _region_title(coverage)
    # "kelurahan/desa" where the extract holds a desa (a kabupaten's are nearly all desa)
    unit = ("kelurahan/desa" if any(village_kind(k) != "Kelurahan" for k in coverage["kode_kel"].drop_nulls())
            else "kelurahan")
    # said where there are such residents (their own row), in the folder's one name
    unplaced = ("; yang tanpa kode kelurahan ada di file "
                f"{WITHOUT_KELURAHAN}/{esc(period)}/&lt;kode kabupaten/kota&gt;.xlsx untuk staf kabupaten/kota"
                if coverage.filter(pl.col("kode_kel").is_null() & (pl.col("perlu_perbaikan") > 0)).height else "")
    accepted = s["didaftarkan"] - s["menunggu_bpjs"]  # accepted by BPJS, not in the roster yet
    cards = [("Pekerja rentan usia kerja", _n(s["pekerja"])),
             (f"Terlindungi {program}", _n(s["terlindungi"])),
             # one card: "of which" on a card of its own started a new row of cards at 1300 px
             ("Sudah dikirim ke BPJS, belum tampak di data peserta", _n(s["didaftarkan"])
              + (f" ({_n(s['menunggu_bpjs'])} belum dijawab BPJS)" if s["menunggu_bpjs"] else "")),
             ("Calon peserta", _n(s["kandidat"])),
             ("Dikecualikan menurut hasil verifikasi", _n(s["dikecualikan"])),
             (f"Terverifikasi {unit} (Valid)", _n(s["terverifikasi"])),
             ("Cakupan", _pct(s["cakupan_pct"])),
             # with those BPJS accepted and the roster does not show yet: the coverage stayed flat
             # month after month until the roster caught up, whatever the city had enrolled (a
             # coordinators' review)
             *([("Cakupan termasuk yang sudah diterima BPJS",
                 _pct(100.0 * (s["terlindungi"] + accepted) / s["pekerja"]))] if accepted else []),
             ("Data perlu diperbaiki, belum dapat dinilai", _n(s["perlu_perbaikan"])),
             ("Anggaran iuran calon peserta per bulan", rupiah(s["iuran_bulanan"])),
             ("Anggaran iuran calon peserta per tahun", rupiah(s["iuran_tahunan"])),
             # what the city pays already for those BPJS accepted: the candidates' budget alone
             # shrank month by month as they were sent, while the bill grew (a budget officer
             # reading it would ask for too little)
             *([("Sudah diterima BPJS, iurannya ditanggung", _n(s["diterima_bpjs"])),
                ("Iuran yang sudah diterima BPJS per bulan / per tahun",
                 f"{rupiah(s['iuran_diterima_bulanan'])} / {rupiah(12 * s['iuran_diterima_bulanan'])}")]
               if s["diterima_bpjs"] else []),
             # with those awaiting BPJS's answer, at the rules' premium: the month after an export
             # the candidates' budget was a few rows' while hundreds awaited their cards
             *([("Anggaran per tahun, bila yang sudah dikirim ke BPJS dan semua calon peserta terdaftar",
                 rupiah(12 * (s["iuran_diterima_bulanan"] + s["menunggu_bpjs"] * rules.monthly_contribution)
                        + s["iuran_tahunan"]))] if s["diterima_bpjs"] or s["menunggu_bpjs"] else [])]
    page = f"""<!DOCTYPE html>
<html lang="id"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Cakupan {esc(program)} Pekerja Rentan — {esc(region)} — {esc(label)}</title>
<style>{_CSS}</style></head><body>
<h1>Cakupan {esc(program)} Pekerja Rentan — {esc(region)}, periode {esc(label)}</h1>
<p class="note">Dibuat {today_wita().strftime('%d-%m-%Y')}. Pekerja rentan: penduduk usia kerja dengan pekerjaan
sektor informal. Cakupan = terlindungi {esc(program)} aktif dibagi pekerja rentan; cakupan termasuk yang sudah
diterima BPJS juga menghitung yang sudah diterima BPJS tetapi belum tampak di data peserta. Didaftarkan: sudah dikirim ke
BPJS atau sudah diterima BPJS dari periode sebelumnya, tetapi belum tampak aktif di data peserta; mereka
tidak didaftarkan lagi. Belum dijawab BPJS: sudah dikirim, belum ada jawaban diterima atau ditolak. Dikecualikan: hasil verifikasi {unit} Meninggal, Pindah domisili, Menolak, Bukan pekerja informal
atau Sudah terdaftar. Terverifikasi: calon peserta yang hasil verifikasi {unit} terakhirnya Valid; mereka dikirim
ke BPJS lebih dahulu. Pekerja rentan = terlindungi + didaftarkan + calon peserta + dikecualikan. Data perlu
diperbaiki: penduduk yang belum dapat dinilai karena tanggal lahir, pekerjaan, jenis kelamin, nama atau kode
wilayahnya kosong atau tidak sesuai, dan yang bisa menjadi calon peserta setelah diperbaiki (usia kerja atau usia
tidak diketahui, pekerjaan informal atau tidak diketahui, belum terlindungi); mereka belum termasuk pekerja
rentan. Daftar namanya ada di lembar 'Perlu Perbaikan Data' pada file daftar calon peserta tiap {unit}{unplaced}.</p>
<div class="cards">{"".join(f'<div class="card">{esc(k)}<b>{esc(v)}</b></div>' for k, v in cards)}</div>
<h2>Cakupan per {unit}</h2>
{_bar_chart(coverage, unit)}
<h2>Tren cakupan</h2>
{_trend(coverage, period, history)}
{per_kab}<h2>Per kecamatan</h2>
{_table(kec, "kode_kec", "nama_kec", total=s, caption=f"Cakupan per kecamatan, {label}")}
<h2>Per {unit}</h2>
{_table(_in_order(coverage), "kode_kel", "nama_kel", total=s, caption=f"Cakupan per {unit}, {label}")}
<p class="note">Anggaran: {html.escape(_contribution_note(rules))} per calon peserta
per bulan; per tahun = 12 × per bulan. Anggaran iuran calon peserta: hanya calon peserta yang belum didaftarkan.
Iuran yang sudah diterima BPJS: pekerja rentan yang didaftarkan melalui daftar ini dan diterima BPJS, yang kartunya
aktif di data peserta atau belum tampak di sana (kartu yang tidak aktif lagi tidak dihitung: pemiliknya tercantum
lagi sebagai calon peserta), dengan iuran yang sama per orang; mereka termasuk yang terlindungi atau didaftarkan.
Anggaran bila yang sudah dikirim dan semua calon peserta terdaftar: iuran yang sudah diterima BPJS, iuran yang belum
dijawab BPJS, dan anggaran iuran calon peserta. Halaman ini hanya memuat angka agregat, tanpa data pribadi.</p>
</body></html>
"""
    tmp = aside(path)
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(path)
    return path
