"""The one clean schema every stage agrees on.

Convention: a field that comes from a source extract keeps its source name in capitals
(``NIK``, ``NAMA_LGKP``, ``TGL_LHR``), as the contract's outputs do; a field Lindungi
derives is lowercase (``kode_kel``, ``flags``, ``method``). ``file`` and ``line`` say where
a row came from (line is 1-based, the header being line 1 in a CSV).
"""

from __future__ import annotations

import polars as pl

# --- source extracts: required and optional columns (names after strip + upper) -------------

PENDUDUK_REQUIRED = ("NIK", "NAMA_LGKP", "TGL_LHR", "JENIS_KLMIN", "JENIS_PKRJN",
                     "NO_PROP", "NO_KAB", "NO_KEC", "NO_KEL")
PENDUDUK_OPTIONAL = ("NO_KK", "TMPT_LHR", "STAT_KWN", "PNYDNG_CCT", "ALAMAT", "NO_RT", "NO_RW",
                     "NAMA_LGKP_IBU", "KEL_NAME")

DTSEN_REQUIRED = ("ID_DTSEN", "NIK", "NAMA", "TGL_LHR", "KODE_KEL", "DESIL")
DTSEN_OPTIONAL = ("NO_KK", "JENIS_KLMIN", "ALAMAT")

PESERTA_REQUIRED = ("KPJ", "NIK", "NAMA", "TGL_LHR", "SEGMEN", "STATUS", "PROGRAM")
PESERTA_OPTIONAL = ("BLTH_AKHIR_IURAN",)

SOURCES = {
    "penduduk": (PENDUDUK_REQUIRED, PENDUDUK_OPTIONAL),
    "dtsen": (DTSEN_REQUIRED, DTSEN_OPTIONAL),
    "peserta_bpjstk": (PESERTA_REQUIRED, PESERTA_OPTIONAL),
}

# --- accepted rows -------------------------------------------------------------------------

RESIDENTS = {
    "NIK": pl.String,            # 16 digits, valid, unique
    "NO_KK": pl.String,          # 16 digits or null
    "NAMA_LGKP": pl.String,      # upper-cased, whitespace collapsed, titles kept
    "TMPT_LHR": pl.String,
    "TGL_LHR": pl.Date,          # null when missing or impossible (flagged)
    "JENIS_KLMIN": pl.String,    # "L" / "P" / null (flagged)
    "STAT_KWN": pl.String,       # canonical label or the raw text
    "JENIS_PKRJN": pl.String,    # canonical SIAK label (upper) or the raw local label
    "PNYDNG_CCT": pl.String,     # canonical disability label or null
    "ALAMAT": pl.String,
    "NO_RT": pl.String,          # 3 digits
    "NO_RW": pl.String,          # 3 digits
    "kode_kel": pl.String,       # 10 digits prov+kab+kec+kel (from NO_PROP..NO_KEL)
    "kode_kec": pl.String,       # 6 digits
    "kode_kab": pl.String,       # 4 digits: the region (kab/kota) a resident belongs to
    "pekerjaan_kode": pl.Int16,  # SIAK occupation code 1..89, null for local labels
    "disabilitas": pl.Boolean,
    "nama_norm": pl.String,      # normalised name for matching
    "nama_kel": pl.String,       # the extract's kelurahan name (KEL_NAME), title-cased, or null
    "flags": pl.List(pl.String), # weaknesses that do not reject the row
    # a field that stops the resident from being judged, as written, when it could not be read
    # (flags tgl_lhr_invalid, sex_unknown), else null: the gap lists show it to whoever fixes it,
    # and next month's extract replaces the file the line points to
    "tgl_lhr_raw": pl.String,
    "jenis_klmin_raw": pl.String,
    "file": pl.String,
    "line": pl.Int64,
}

WELFARE_RECORDS = {
    "ID_DTSEN": pl.String,
    "NIK": pl.String,            # valid 16-digit NIK as claimed, else null
    "nik_raw": pl.String,        # digits as given (possibly damaged), null when empty
    "NO_KK": pl.String,
    "NAMA": pl.String,
    "TGL_LHR": pl.Date,
    "JENIS_KLMIN": pl.String,
    "ALAMAT": pl.String,
    "KODE_KEL": pl.String,       # 10 digits or null
    "DESIL": pl.Int8,            # 1..10 or null (flagged)
    "nama_norm": pl.String,
    "flags": pl.List(pl.String),
    "file": pl.String,
    "line": pl.Int64,
}

PARTICIPANTS = {
    "KPJ": pl.String,
    "NIK": pl.String,
    "nik_raw": pl.String,
    "NAMA": pl.String,
    "TGL_LHR": pl.Date,
    "SEGMEN": pl.String,         # PU / BPU / JAKON / PMI
    "STATUS": pl.String,         # AKTIF / NONAKTIF, null when unreadable
    # the programmes held, a canonical comma list ("JKK,JKM,JHT"; "" for none). Who is protected
    # is the period's rules' to say (candidates.protects), not the ingest's
    "PROGRAM": pl.String,
    "BLTH_AKHIR_IURAN": pl.String,  # YYYY-MM or null
    "nama_norm": pl.String,
    "flags": pl.List(pl.String),
    "file": pl.String,
    "line": pl.Int64,
}

# --- links and candidates --------------------------------------------------------------------

LINK_METHODS = ("nik_exact", "nik_repaired", "fuzzy", "none")

WELFARE_LINKS = {
    "ID_DTSEN": pl.String,
    "NIK": pl.String,            # resolved resident NIK, null when none
    "method": pl.String,
    "score": pl.Float64,         # 0..1
    "evidence": pl.String,       # short explanation in Bahasa Indonesia
}

PARTICIPANT_LINKS = {
    "KPJ": pl.String,
    "NIK": pl.String,
    "method": pl.String,
    "score": pl.Float64,
    "evidence": pl.String,
}

ENROLLMENT_CANDIDATES = {
    "period": pl.String,         # YYYY-MM
    "rank": pl.Int64,            # 1..n within the period
    "NIK": pl.String,
    "NAMA_LGKP": pl.String,
    "TGL_LHR": pl.Date,
    "umur": pl.Int16,            # completed years on the first day of the period
    "JENIS_KLMIN": pl.String,
    "ALAMAT": pl.String,
    "NO_RT": pl.String,
    "NO_RW": pl.String,
    "kode_kel": pl.String,
    "kode_kec": pl.String,
    "kode_kab": pl.String,
    "JENIS_PKRJN": pl.String,
    "pekerjaan_kode": pl.Int16,
    "desil": pl.Int8,            # null when no welfare record is linked
    "disabilitas": pl.Boolean,
    "iuran_bulanan": pl.Int64,   # rupiah per month, the programmes required (JKK + JKM, + JHT)
    "evidence": pl.String,       # why this person is a candidate, in Bahasa Indonesia
    "terverifikasi": pl.Boolean, # verified "Valid" door to door by the kelurahan: exported first (rank unchanged)
    "tidak_ditemukan": pl.Boolean, # the kelurahan's latest visit did not find them: visit again
    "catatan_bpjs": pl.String,   # BPJS's earlier rejection of someone listed again, else null
    # the score of a roster record that would protect (candidates.protects) left in review with
    # this person as its best candidate (candidates.possibly_registered), else null
    "mungkin_terdaftar": pl.Float64,
}

COVERAGE = {
    "period": pl.String,
    "kode_kab": pl.String,
    "kode_kec": pl.String,
    "nama_kec": pl.String,
    "kode_kel": pl.String,
    "nama_kel": pl.String,
    "pekerja": pl.Int64,         # residents of working age with an informal occupation
    "terlindungi": pl.Int64,     # of those, protected (active with the programmes required)
    "kandidat": pl.Int64,        # enrollment candidates
    "terverifikasi": pl.Int64,   # of those, verified "Valid" by the kelurahan coordinator
    "didaftarkan": pl.Int64,     # workers not protected yet whom BPJS has (held_by_bpjs)
                                 # (awaiting its answer, or accepted and not in the roster yet)
    "menunggu_bpjs": pl.Int64,   # of those, whose export awaits BPJS's answer
    "dikecualikan": pl.Int64,    # workers a kelurahan verified as not to enroll (Meninggal, Pindah
                                 # domisili, Menolak, Sudah terdaftar, Bukan pekerja informal): pekerja = terlindungi +
                                 # didaftarkan + kandidat + dikecualikan
    "perlu_perbaikan": pl.Int64, # residents not judged whom a fix of their record could list (candidates.to_fix);
                                 # a row without kode_kel holds a kab/kota's who have no kelurahan code
    "cakupan_pct": pl.Float64,   # 100 * terlindungi / pekerja
    "iuran_bulanan": pl.Int64,   # monthly premium budget to enroll every candidate (Rp)
    "iuran_tahunan": pl.Int64,   # yearly (12 x monthly)
    "diterima_bpjs": pl.Int64,   # workers BPJS accepted from an export whose card has not lapsed, of terlindungi
                                 # (active in the roster) or didaftarkan (not there yet): premiums the city pays
    "iuran_diterima_bulanan": pl.Int64,  # their monthly premiums (Rp), at the period's rules
}


def empty(schema: dict) -> pl.DataFrame:
    """An empty frame with the given schema."""
    return pl.DataFrame(schema=schema)


def conform(df: pl.DataFrame, schema: dict) -> pl.DataFrame:
    """Select and cast to a schema's columns, in its order (extra columns dropped)."""
    return df.select([pl.col(c).cast(t) for c, t in schema.items()])
