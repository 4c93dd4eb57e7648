"""Indonesian street addresses for linkage, as whole-column polars expressions.

The same house is written ``JL. MULAWARMAN NO. 5``, ``JALAN MULAWARMAN NO 5``,
``Jl. Mulawarman No.05 RT 003 RW 001`` or ``JL MULAWARMAN NO 5 RT.3/RW.1``. The normal form:

- upper case; RT and RW taken out of the text (``RT 003 RW 001``, ``RT.3/RW.1``, ``RT/RW 3/1``)
  into numbers of their own, so they compare with the civil registry's ``NO_RT``/``NO_RW``;
- punctuation to spaces; the usual abbreviations folded to one form: ``JALAN``/``JLN``/``JL`` ->
  ``JL``, ``GANG``/``GG`` -> ``GG``, ``NOMOR``/``NO`` -> ``NO``, ``KOMPLEKS``/``KOMPLEK``/``KOMP``
  -> ``KOMP``, ``PERUMAHAN`` -> ``PERUM``, ``BLK`` -> ``BLOK``; leading zeros of numbers dropped.

Nothing here imports Dagster.
"""

from __future__ import annotations

import polars as pl

# RT/RW written together ("RT/RW 003/001") first, then each alone ("RT.003", "RW 1").
_RT_RW = r"\bRT\s*[./]?\s*RW\s*[.:]?\s*0*(\d{1,3})\s*[/-]\s*0*(\d{1,3})\b"
_RT = r"\bRT\s*[.:]?\s*0*(\d{1,3})\b"
_RW = r"\bRW\s*[.:]?\s*0*(\d{1,3})\b"
_ABBREVIATIONS = (
    (r"\b(JALAN|JLN|JL)\b", "JL"),
    (r"\b(GANG|GG)\b", "GG"),
    (r"\b(NOMOR|NOMER|NMR|NO)\b", "NO"),
    (r"\b(KOMPLEKS|KOMPLEK|KOMPL|KOMP)\b", "KOMP"),
    (r"\b(PERUMAHAN|PERUM)\b", "PERUM"),
    (r"\b(BLOK|BLK)\b", "BLOK"),
)


def rt_rw(col: str | pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """RT and RW numbers (Int16) written inside an address, null when absent."""
    e = (pl.col(col) if isinstance(col, str) else col).str.to_uppercase()
    both_rt = e.str.extract(_RT_RW, 1)
    both_rw = e.str.extract(_RT_RW, 2)
    rt = pl.coalesce(both_rt, e.str.extract(_RT, 1)).cast(pl.Int16, strict=False)
    rw = pl.coalesce(both_rw, e.str.extract(_RW, 1)).cast(pl.Int16, strict=False)
    return rt, rw


def normalize_address(col: str | pl.Expr) -> pl.Expr:
    """The street part of an address in one normal form (RT/RW removed); null when empty."""
    e = (pl.col(col) if isinstance(col, str) else col).str.to_uppercase()
    e = e.str.replace_all(_RT_RW, " ").str.replace_all(_RT, " ").str.replace_all(_RW, " ")
    e = e.str.replace_all(r"[^A-Z0-9]+", " ")
    for pattern, to in _ABBREVIATIONS:
        e = e.str.replace_all(pattern, to)
    e = e.str.replace_all(r"\b0+(\d)", "$1").str.replace_all(r"\s+", " ").str.strip_chars()
    return pl.when(e == "").then(None).otherwise(e)


def number_to_int(col: str) -> pl.Expr:
    """A registry ``NO_RT``/``NO_RW`` text ("003") as Int16."""
    return pl.col(col).str.replace_all(r"\D", "").cast(pl.Int16, strict=False)
