"""Birth-date parsing for registry extracts, whole columns at a time (polars).

Accepted forms (CONTRACT §1): ``DD-MM-YYYY``, ``YYYY-MM-DD``, ``DD/MM/YYYY``, an Excel serial
number, and dates that arrived typed from Parquet/XLSX (rendered ``YYYY-MM-DD`` or
``YYYY-MM-DD HH:MM:SS`` by the readers). Beyond the contract, a month written as a word, in
Indonesian or English, in full or short, with a four-digit year: ``15 Agustus 1985``,
``15-Agu-1985``, ``15 Agt. 1985``, ``15-Aug-1985`` (a sheet saved as text from an Indonesian
Excel, or typed by hand). A time after the date is dropped, with its zone if it
has one (``1985-08-15T00:00:00+08:00``): the date is the one written, in its own zone; but a
time in UTC (``Z``, ``UTC``, ``GMT``, ``+00:00``, as Spark writes every timestamp) is read in
Indonesian time, at UTC+9, where the local midnight of WIB, WITA and WIT and a UTC midnight all
keep their day: ``1998-09-03T16:00:00Z``, midnight in Bontang, is 4 September. An Excel serial
may carry a time (``31274.5``). Anything else, or an impossible date such as
31-02-1990, parses to null; the caller decides whether that is a flag or a rejection. So does a
date before 1900 (no birth date of a living person): a two-digit year (``01-11-08``, which
strptime reads as the year 8) among them, which is no accepted form.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

import polars as pl

from pipelines.siak import without_invisible, without_text_marker

EXCEL_EPOCH = date(1899, 12, 30)  # Excel's day 0 (after its 1900 leap-year bug)
# Excel serials between 1902-09-26 and 2099-12-31: a bare number outside is not a date. Below
# it, two or three digits: an age or a count typed in the date's column (61 was 1900-03-01, a
# resident of 126 left out as too old, a roster date disagreeing with its holder's; no flag)
_SERIAL_MIN, _SERIAL_MAX = 1_000, 73_415
EARLIEST = date(1900, 1, 1)  # before it, a birth date is a wrong one (or a two-digit year)


# Month words, Indonesian (with the old spellings PEBRUARI, NOPEMBER) and English, full and short.
MONTHS = {
    **{w: 1 for w in ("JANUARI", "JANUARY", "JAN")},
    **{w: 2 for w in ("FEBRUARI", "PEBRUARI", "FEBRUARY", "FEB", "PEB")},
    **{w: 3 for w in ("MARET", "MARCH", "MAR")},
    **{w: 4 for w in ("APRIL", "APR")},
    **{w: 5 for w in ("MEI", "MAY")},
    **{w: 6 for w in ("JUNI", "JUNE", "JUN")},
    **{w: 7 for w in ("JULI", "JULY", "JUL")},
    **{w: 8 for w in ("AGUSTUS", "AUGUST", "AGU", "AGT", "AGS", "AUG")},
    **{w: 9 for w in ("SEPTEMBER", "SEP", "SEPT")},
    **{w: 10 for w in ("OKTOBER", "OCTOBER", "OKT", "OCT")},
    **{w: 11 for w in ("NOVEMBER", "NOPEMBER", "NOV", "NOP")},
    **{w: 12 for w in ("DESEMBER", "DECEMBER", "DES", "DEC")},
}


def _month_word_date(s: pl.Expr) -> pl.Expr:
    """``DD <month word> YYYY`` (separated by spaces, ``-``, ``/`` or ``.``) as a date; null
    for anything else, an unknown word, or an impossible day."""
    parts = s.str.to_uppercase().str.extract_groups(r"^(\d{1,2})[\s./-]+([A-Z]+)\.?[\s./-]+(\d{4})$")
    month = parts.struct.field("2").replace_strict(MONTHS, default=None, return_dtype=pl.String)
    text = parts.struct.field("1").str.zfill(2) + "-" + month.str.zfill(2) + "-" + parts.struct.field("3")
    return text.str.to_date("%d-%m-%Y", strict=False)


def with_parsed_date(frame: pl.DataFrame, col: str, name: str) -> pl.DataFrame:
    """``frame`` with the column ``name``: the birth date written in ``col`` (the forms above),
    as a Date; null when none is.

    Each step is computed once, into a column of its own: as one expression (the forms'
    ``coalesce`` over the text without its time, then the UTC day and the range), polars
    computed the date's text again for each form tried and the parsed date for each later step
    (a city's 52k distinct birth dates: 0.20 s as one expression, 0.06 s so)."""
    steps = ("_date_written", "_date_without_time", "_date_next_day", "_date_parsed")
    written, without_time, next_day, parsed = (pl.col(c) for c in steps)
    return (
        frame.with_columns(without_text_marker(without_invisible(pl.col(col).cast(pl.String))).str.strip_chars()
                           .alias(steps[0]))
        .with_columns(
            written.str.replace(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?(\s*(Z|UTC|GMT|[+-]\d{2}(:?\d{2})?))?$", "")
            .alias(steps[1]),
            # a time in UTC from 15:00 on is the next day in Indonesian time (UTC+9: see the
            # module's first lines), as a typed UTC timestamp is (pipelines.readers._calendar_date)
            written.str.contains(r"[ T](1[5-9]|2[0-3]):\d{2}(:\d{2}(\.\d+)?)?\s*(Z|UTC|GMT|[+-]00(:?00)?)$")
            .alias(steps[2]))
        .with_columns(_first_form(without_time).alias(steps[3]))
        .with_columns(pl.when(next_day).then(parsed + pl.duration(days=1)).otherwise(parsed).alias(steps[3]))
        .with_columns(pl.when(parsed >= pl.lit(EARLIEST)).then(parsed).alias(name))
        .drop(*steps)
    )


def _first_form(s: pl.Expr) -> pl.Expr:
    """The first of the accepted forms the text ``s`` (no time) is written in, as a Date."""
    # (a decimal comma too: a serial with a time, from a sheet in an Indonesian locale)
    serial = s.str.extract(r"^(\d{2,5})(?:[.,]\d+)?$", 1).cast(pl.Int64, strict=False)
    from_serial = (
        # a bare 1900-2100 is a year typed alone (the day and month unknown), not Excel's day
        # 1985 (1905-06-07): not a date
        pl.when(serial.is_between(_SERIAL_MIN, _SERIAL_MAX) & ~serial.is_between(1900, 2100))
        .then(pl.lit(EXCEL_EPOCH) + pl.duration(days=serial))
        .otherwise(None)
        .cast(pl.Date)
    )
    return pl.coalesce(
        s.str.to_date("%d-%m-%Y", strict=False),
        s.str.to_date("%Y-%m-%d", strict=False),
        s.str.to_date("%d/%m/%Y", strict=False),
        s.str.to_date("%Y/%m/%d", strict=False),
        s.str.to_date("%d.%m.%Y", strict=False),
        from_serial,
        _month_word_date(s),
    )


def age_on(dob: str | pl.Expr, day: date) -> pl.Expr:
    """Completed years on ``day`` (a birthday on ``day`` counts as completed)."""
    d = pl.col(dob) if isinstance(dob, str) else dob
    before_birthday = (d.dt.month() > day.month) | (
        (d.dt.month() == day.month) & (d.dt.day() > day.day)
    )
    return (pl.lit(day.year) - d.dt.year() - before_birthday.cast(pl.Int32)).cast(pl.Int16)


_PERIOD = re.compile(r"([0-9]{4})-(0[1-9]|1[0-2])")


def period_start(period: str) -> date:
    """First day of a ``YYYY-MM`` period; ValueError when malformed. Exactly that form: a period
    is a partition key and a folder name (``gap_lists/<period>/``), so ``2026-1`` or
    ``../2026-11`` is refused, not read as a month."""
    m = _PERIOD.fullmatch(period) if isinstance(period, str) else None
    if m is None or m[1] == "0000":
        raise ValueError(f"period must be YYYY-MM (e.g. 2026-11), got {_as_given(period)}")
    return date(int(m[1]), int(m[2]), 1)


def _as_given(value: object) -> str:
    """A wrong period as the refusal quotes it: digits and separators, or a short text (``Nov-26``,
    ``2026-1l``); a longer text is said by its length alone, since it may be anything pasted in its
    place (a name from a shifted column of a script's arguments was quoted: a privacy audit)."""
    if isinstance(value, str) and (len(value) <= 7 or re.fullmatch(r"[0-9\s\-/._:]*", value)):
        return repr(value)
    return f"a text of {len(value)} characters" if isinstance(value, str) else repr(type(value).__name__)


def is_period(name: str) -> bool:
    """Whether ``name`` is a period as :func:`period_start` takes one (a folder named by it)."""
    try:
        period_start(name)
    except ValueError:
        return False
    return True


# The city's clock: WITA, UTC+8, no daylight saving. Dates and months the pipeline writes or
# counts from (the gap lists' "dibuat", the default period, the retention's month, a birth date
# in the future) are the city's, not the run host's: the monthly schedule runs at 02:00 WITA on
# the 1st, which is still the previous day on a UTC host
WITA = timezone(timedelta(hours=8), "WITA")


def _now() -> datetime:
    return datetime.now(timezone.utc)


def today_wita() -> date:
    return _now().astimezone(WITA).date()


def this_month() -> str:
    """This month in WITA, ``YYYY-MM``."""
    return today_wita().strftime("%Y-%m")


# The periods a run can be made for (the month partitions, dagster_project.partitions): from
# FIRST_PERIOD to this month and MONTHS_AHEAD more, so next year's enrollment can be planned
FIRST_PERIOD = "2020-01"
MONTHS_AHEAD = 12


def last_period() -> str:
    """The last month partition, ``MONTHS_AHEAD`` months after this month in WITA (``YYYY-MM``)."""
    now = today_wita()
    return f"{now.year + (now.month - 1 + MONTHS_AHEAD) // 12}-{(now.month - 1 + MONTHS_AHEAD) % 12 + 1:02d}"


def period_in_range(period: str) -> bool:
    """Whether ``period`` (``YYYY-MM``) is one of the month partitions: the CLI refuses one that is
    not before any work (it started the database and made --out first)."""
    return period_start(FIRST_PERIOD) <= period_start(period) <= period_start(last_period())
