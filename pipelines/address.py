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

from pipelines.frames import per_distinct
from pipelines.nik import ascii_digits

# RT/RW written together ("RT/RW 003/001") first, then each alone ("RT.003", "RW 1").
# ASCII word boundaries and classes: a Unicode \b keeps the regex engine off its fast DFA
# (measured: the whole address normalisation 3x slower).
_B = r"(?-u:\b)"
_RT_RW = _B + r"RT *[./]? *RW *[.:]? *0*([0-9]{1,3}) *[/-] *0*([0-9]{1,3})" + _B
_RT = _B + r"RT *[.:]? *0*([0-9]{1,3})" + _B
_RW = _B + r"RW *[.:]? *0*([0-9]{1,3})" + _B
_ABBREVIATIONS = (
    (_B + r"(JALAN|JLN|JL)" + _B, "JL"),
    (_B + r"(GANG|GG)" + _B, "GG"),
    (_B + r"(NOMOR|NOMER|NMR|NO)" + _B, "NO"),
    (_B + r"(KOMPLEKS|KOMPLEK|KOMPL|KOMP)" + _B, "KOMP"),
    (_B + r"(PERUMAHAN|PERUM)" + _B, "PERUM"),
    (_B + r"(BLOK|BLK)" + _B, "BLOK"),
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
    e = e.str.replace_all(r"[^A-Z0-9]+", " ").str.strip_chars()
    # (words separated by one space from here on: the rewrites below change words only)
    for pattern, to in _ABBREVIATIONS:
        e = e.str.replace_all(pattern, to)
    e = e.str.replace_all(_B + r"0+([0-9])", "$1")
    # (not when(e == "").then(None).otherwise(e): that computes the dozen passes above twice)
    return e.replace("", None)


def street_key(normalized: str | pl.Expr) -> pl.Expr:
    """The street without the house number or block (``JL MULAWARMAN NO 5`` -> ``JL MULAWARMAN``,
    ``PERUM PUPUK BLOK A NO 12`` -> ``PERUM PUPUK``), from a normalised address."""
    e = pl.col(normalized) if isinstance(normalized, str) else normalized
    e = e.str.replace_all(_B + r"(NO|BLOK) [A-Z0-9]+" + _B, " ").str.replace_all(r" +", " ").str.strip_chars()
    return e.replace("", None)


def address_columns(frame: pl.DataFrame, prefix: str) -> pl.DataFrame:
    """``<prefix>addr``, ``<prefix>street``, ``<prefix>rt``, ``<prefix>rw`` for each row of
    ``frame``: the normalised address, its street, and the RT/RW (the registry's NO_RT/NO_RW
    when the frame has them, else from the text). Each distinct address is normalised once
    (a household's members share it)."""
    names = [f"{prefix}addr", f"{prefix}street", f"{prefix}rt", f"{prefix}rw"]
    if "ALAMAT" not in frame.columns:
        return pl.DataFrame({n: pl.Series(n, [None] * frame.height, dtype=pl.String if i < 2 else pl.Int16)
                             for i, n in enumerate(names)})
    registry = "NO_RT" in frame.columns and "NO_RW" in frame.columns
    rt, rw = rt_rw("ALAMAT")
    out = per_distinct(frame, "ALAMAT", lambda d: d.with_columns(addr=normalize_address("ALAMAT")).with_columns(
        street=street_key("addr"), *(() if registry else (rt.alias("rt"), rw.alias("rw")))))
    if registry:
        out = out.with_columns(rt=frame.select(number_to_int("NO_RT")).to_series(),
                               rw=frame.select(number_to_int("NO_RW")).to_series())
    return out.select(pl.col("addr").alias(names[0]), pl.col("street").alias(names[1]),
                      pl.col("rt").alias(names[2]), pl.col("rw").alias(names[3]))


def number_to_int(col: str) -> pl.Expr:
    """A registry ``NO_RT``/``NO_RW`` text ("003") as Int16."""
    return ascii_digits(pl.col(col)).cast(pl.Int16, strict=False)
