"""SIAK code tables (Dukcapil): occupation, marital status, disability, sex.

Codes and labels are those of OpenSID's SIAK seeder and a 2014 SIAK dump (DOMAIN.md). Text
exports vary in case and in spacing around ``/``: :func:`label_key` normalises before lookup.
"""

from __future__ import annotations

import polars as pl

OCCUPATIONS: dict[int, str] = {
    1: "BELUM/TIDAK BEKERJA", 2: "MENGURUS RUMAH TANGGA", 3: "PELAJAR/MAHASISWA", 4: "PENSIUNAN",
    5: "PEGAWAI NEGERI SIPIL (PNS)", 6: "TENTARA NASIONAL INDONESIA (TNI)",
    7: "KEPOLISIAN RI (POLRI)", 8: "PERDAGANGAN", 9: "PETANI/PEKEBUN", 10: "PETERNAK",
    11: "NELAYAN/PERIKANAN", 12: "INDUSTRI", 13: "KONSTRUKSI", 14: "TRANSPORTASI",
    15: "KARYAWAN SWASTA", 16: "KARYAWAN BUMN", 17: "KARYAWAN BUMD", 18: "KARYAWAN HONORER",
    19: "BURUH HARIAN LEPAS", 20: "BURUH TANI/PERKEBUNAN", 21: "BURUH NELAYAN/PERIKANAN",
    22: "BURUH PETERNAKAN", 23: "PEMBANTU RUMAH TANGGA", 24: "TUKANG CUKUR", 25: "TUKANG LISTRIK",
    26: "TUKANG BATU", 27: "TUKANG KAYU", 28: "TUKANG SOL SEPATU", 29: "TUKANG LAS/PANDAI BESI",
    30: "TUKANG JAHIT", 31: "TUKANG GIGI", 32: "PENATA RIAS", 33: "PENATA BUSANA",
    34: "PENATA RAMBUT", 35: "MEKANIK", 36: "SENIMAN", 37: "TABIB", 38: "PARAJI",
    39: "PERANCANG BUSANA", 40: "PENTERJEMAH", 41: "IMAM MASJID", 42: "PENDETA", 43: "PASTOR",
    44: "WARTAWAN", 45: "USTADZ/MUBALIGH", 46: "JURU MASAK", 47: "PROMOTOR ACARA",
    48: "ANGGOTA DPR-RI", 49: "ANGGOTA DPD", 50: "ANGGOTA BPK", 51: "PRESIDEN",
    52: "WAKIL PRESIDEN", 53: "ANGGOTA MAHKAMAH KONSTITUSI", 54: "ANGGOTA KABINET/KEMENTERIAN",
    55: "DUTA BESAR", 56: "GUBERNUR", 57: "WAKIL GUBERNUR", 58: "BUPATI", 59: "WAKIL BUPATI",
    60: "WALIKOTA", 61: "WAKIL WALIKOTA", 62: "ANGGOTA DPRD PROVINSI",
    63: "ANGGOTA DPRD KABUPATEN/KOTA", 64: "DOSEN", 65: "GURU", 66: "PILOT", 67: "PENGACARA",
    68: "NOTARIS", 69: "ARSITEK", 70: "AKUNTAN", 71: "KONSULTAN", 72: "DOKTER", 73: "BIDAN",
    74: "PERAWAT", 75: "APOTEKER", 76: "PSIKIATER/PSIKOLOG", 77: "PENYIAR TELEVISI",
    78: "PENYIAR RADIO", 79: "PELAUT", 80: "PENELITI", 81: "SOPIR", 82: "PIALANG",
    83: "PARANORMAL", 84: "PEDAGANG", 85: "PERANGKAT DESA", 86: "KEPALA DESA", 87: "BIARAWATI",
    88: "WIRASWASTA", 89: "LAINNYA",
}
# Labels seen in exports that differ from the canonical one.
OCCUPATION_ALIASES: dict[str, int] = {
    "BELUM BEKERJA": 1, "TIDAK BEKERJA": 1, "PELAJAR": 3, "MAHASISWA": 3, "PNS": 5, "TNI": 6,
    "POLRI": 7, "PETANI": 9, "PEKEBUN": 9, "NELAYAN": 11, "PEDAGANG KELILING": 84,
    "IBU RUMAH TANGGA": 2, "KARYAWAN": 15, "BURUH": 19, "SUPIR": 81, "TUKANG OJEK": None,
    "KEPOLISIAN REPUBLIK INDONESIA": 7,
}

MARITAL: dict[str, str] = {"1": "BELUM KAWIN", "2": "KAWIN", "3": "CERAI HIDUP", "4": "CERAI MATI",
                           "BK": "BELUM KAWIN", "K": "KAWIN", "CH": "CERAI HIDUP", "CM": "CERAI MATI"}
# What a spreadsheet shows in a cell whose formula failed (Excel's error values, LibreOffice's
# Err:5xx, Google Sheets' #ERROR!), saved into a CSV as text: no value. calamine reads such a
# cell of an XLSX as empty.
EXCEL_ERRORS: tuple[str, ...] = (
    "#N/A", "#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#GETTING_DATA", "#SPILL!",
    "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!", "#PYTHON!", "#ERROR!",
    *(f"ERR:{n}" for n in range(501, 540)))
# What exports write for a value that is not there: a database's NULL, pandas' nan and None
# (a frame turned to text), N/A, and a clerk's "no data" / "not filled in" / "unknown". With the
# spreadsheet errors, in upper case (label_key's): a text field holding one is empty. Each was a
# value (an input review): PNYDNG_CCT "NULL", "nan" or "#N/A" a disability, ranked first; a name
# "NULL" or "#N/A" a resident so called, judged and listed; an occupation "#N/A" unknown with
# its label shown; a KPJ "NULL" a roster card.
NO_VALUE: tuple[str, ...] = (
    *EXCEL_ERRORS, "NULL", "(NULL)", "<NULL>", "[NULL]", "NAN", "NONE", "N/A", "NA", "UNDEFINED",
    "TIDAK ADA DATA", "BELUM DIISI", "TIDAK DIISI", "TIDAK DIKETAHUI", "KOSONG")
# the same in the cases text fields are written in (they are not upper-cased before the test)
NO_VALUE_WRITTEN: tuple[str, ...] = tuple(dict.fromkeys(
    form for v in NO_VALUE for form in (v, v.lower(), v.title(), v.capitalize()))) + ("NaN",)
DISABILITY: dict[str, str] = {"1": "CACAT FISIK", "2": "CACAT NETRA/BUTA", "3": "CACAT RUNGU/WICARA",
                              "4": "CACAT MENTAL/JIWA", "5": "CACAT FISIK DAN MENTAL", "6": "CACAT LAINNYA"}
# "none", as codes and as words: SIAK's own label for code 7 is TIDAK CACAT. A list, not "begins
# with TIDAK": TIDAK DAPAT MELIHAT is a disability. TDK is a form's TIDAK, and NIHIL ("nil") and
# SEHAT ("healthy") are how clerks write none: each made a disability, ranked first (an outside
# review).
NO_DISABILITY = ("", "0", "7", "TIDAK", "TDK", "TIDAK ADA", "TDK ADA", "NIHIL", "SEHAT", "-", "NORMAL", "BUKAN",
                 "TIDAK CACAT", "TDK CACAT", "BUKAN CACAT",
                 "TIDAK ADA CACAT", "BUKAN PENYANDANG CACAT", "TIDAK PENYANDANG CACAT", "TIDAK DISABILITAS",
                 "BUKAN DISABILITAS", "NON DISABILITAS", "NON-DISABILITAS", "TIDAK ADA DISABILITAS",
                 "BUKAN PENYANDANG DISABILITAS", "TIDAK PENYANDANG DISABILITAS",
                 # a form's Y/T (ya/tidak) and the English no; other words clerks write for none;
                 # a web form's unchosen "-- PILIH --" ("choose"). Each was a disability, ranked
                 # first, without a flag (an input review); read by the words of the value
                 # (DISABILITY_WORD_MARKS: TIDAK_CACAT, TIDAK-CACAT and TDK. are TIDAK CACAT and TDK)
                 "T", "N", "NO", "FALSE", "TAK", "TAK ADA", "TIADA", "BELUM ADA", "TIDAK MEMILIKI", "TIDAK PUNYA",
                 "TIDAK ADA KECACATAN", "NON CACAT", "NON DIFABEL", "BUKAN DIFABEL", "TIDAK DIFABEL", "PILIH")
# the marks a disability value's words may be joined or ended by (TIDAK_CACAT, TIDAK-CACAT, TDK.):
# spaces for the test against NO_DISABILITY
DISABILITY_WORD_MARKS = r"[\s_.,\-]+"
SEX: dict[str, str] = {"1": "L", "L": "L", "LK": "L", "LAKI-LAKI": "L", "LAKI LAKI": "L", "LAKI": "L",
                       "LAKI2": "L", "PRIA": "L", "MALE": "L", "M": "L",
                       "2": "P", "P": "P", "PR": "P", "PEREMPUAN": "P", "WANITA": "P", "FEMALE": "P", "F": "P"}


# Control characters, as a regex character range: a text field reads them as spaces (a NUL from a
# damaged export would also be refused by PostgreSQL). One range for the extracts' labels and text
# (here and pipelines.ingest) and the BPJS response files (pipelines.bpjs_exchange).
CONTROL = r"\x00-\x1f\x7f"


def without_zero_fraction(e: pl.Expr) -> pl.Expr:
    """A whole number written as a decimal (``8.0``, ``1001,0``: a code column that went through
    pandas or a spreadsheet as a float, with empty cells) as the number (``8``, ``1001``); any
    other text unchanged. Taking the digits of ``1.0`` read desil 1 as 10."""
    return e.str.replace(r"^\s*([0-9]+)[.,]0+\s*$", "${1}")


# Characters of no width (zero-width space and joiners, word joiner, byte-order mark), which a
# copy from a web form or a spreadsheet leaves in a cell: nothing in a label
ZERO_WIDTH = "\u200b-\u200d\u2060\ufeff"
# A soft hyphen: where a word may break, invisible unless it does (a name copied from a
# hyphenated document). Nothing anywhere, free text too: MUHAM\u00adMAD is one word
SOFT_HYPHEN = "\u00ad"
# The marks and embeddings that set a text's writing direction (LRM, RLM, LRE..RLO, LRI..PDI):
# no Indonesian name or address has one, and a right-to-left override copied into a name shows
# the rest of it backwards in the gap list's cell (found by fuzzing)
DIRECTION_MARKS = "\u200e\u200f\u202a-\u202e\u2066-\u2069"


# the three above as one regex class: what a label, a code, a header's name or a typed choice
# reads as nothing (polars here; Python's ``re`` for a header name or a returned list's choice)
INVISIBLE = f"[{ZERO_WIDTH}{DIRECTION_MARKS}{SOFT_HYPHEN}]"


def without_invisible(e: pl.Expr) -> pl.Expr:
    """``e`` without zero-width characters, marks of writing direction and soft hyphens: how a label, a code,
    a date or a programme list is read (one inside ``14-06-1985``, ``JK\u200eK`` or NO_KEL
    ``10\u200e05`` made a valid value invalid: an insured worker a candidate, a resident
    unjudged; found by fuzzing)."""
    return e.str.replace_all(INVISIBLE, "")


def without_text_marker(e: pl.Expr) -> pl.Expr:
    """``e`` without a leading ``'``: Excel's mark for "keep this as text", which some exports
    write before every value that looks like a number (``'08``, ``'1``, ``'15-08-1985``). It was
    read as part of the value: ``'0`` in ``PNYDNG_CCT`` made a disability (ranked first, and
    "Penyandang Disabilitas: Ya" on the gap list), ``'08`` an unknown occupation, ``'1`` an
    unknown sex (an outside review). NIKs, KKs and region codes already read it so."""
    return e.str.replace(r"^\s*'", "")


def label_key(e: pl.Expr) -> pl.Expr:
    """Upper case, one space between words, none around '/'; control characters are spaces and
    zero-width characters nothing (``PNYDNG_CCT`` ``\u200bTIDAK`` read as a disability, an
    occupation with one inside as unknown); a leading ``'`` nothing (:func:`without_text_marker`);
    a code written as a decimal (``8.0``) is the code."""
    return (without_zero_fraction(without_text_marker(without_invisible(e))).str.to_uppercase()
            .str.replace_all(rf"[\s{CONTROL}]*/[\s{CONTROL}]*", "/")
            .str.replace_all(rf"[\s{CONTROL}]+", " ").str.strip_chars())


def occupation_lookup() -> dict[str, int]:
    table = {label: code for code, label in OCCUPATIONS.items()}
    # a label written without its abbreviation ("PEGAWAI NEGERI SIPIL", "KEPOLISIAN RI"): an
    # outside tester's extract had 3,800 of 5,190 residents "not judged" so, listed to fix
    table.update({label.rsplit(" (", 1)[0]: code for code, label in OCCUPATIONS.items() if label.endswith(")")})
    table.update({k: v for k, v in OCCUPATION_ALIASES.items() if v is not None})
    return table


# an occupation label's first word: up to a space or a mark between words. What a label typed
# without a SIAK code is shown by (TUKANG PIJAT <a name>, TUKANG_PIJAT_<a name>, TUKANG/<a name>:
# the previews and the run's summary; a privacy audit and its re-check), as the rules' prefixes
# take labels by their start
FIRST_WORD = r"[^\s/_,.;:|\\-]+"
