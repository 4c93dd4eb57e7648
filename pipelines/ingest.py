"""Cleaning the three source extracts into accepted rows, flags and a quarantine.

CONTRACT §5: a bad row never stops the run. In ``penduduk`` a row without a valid, unique NIK
is quarantined; any other damaged field of a row with a valid NIK is *flagged* and the row kept
(the person exists but cannot be judged eligible until fixed). A row repeated exactly is kept
once, its copies quarantined; different rows sharing a NIK are all quarantined. In ``dtsen`` and
``peserta_bpjstk`` an invalid NIK is not a reason to reject: it is treated as missing. For every
file, rows read = accepted + quarantined (``IngestResult.stats`` records it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import polars as pl

from pipelines import schema
from pipelines.dates import today_wita, with_parsed_date
from pipelines.frames import per_distinct
from pipelines.names import normalized_names
from pipelines.nik import (NIK_PROBLEMS, ascii_digits, mask_long_digits_expr, nik_birth_parts, nik_date_matches,
                           with_nik_columns)
from pipelines.readers import RawExtract
from pipelines.regions import kabkota_codes, kecamatan_codes
from pipelines.rules import PROGRAMS
from pipelines.siak import (CONTROL, DIRECTION_MARKS, DISABILITY, DISABILITY_WORD_MARKS, MARITAL, NO_DISABILITY,
                            NO_VALUE, NO_VALUE_WRITTEN, OCCUPATIONS, SEX, SOFT_HYPHEN, label_key, occupation_lookup,
                            without_invisible, without_text_marker, without_zero_fraction)

QUARANTINE_REASONS = {
    **{k: f"invalid NIK: {v}" for k, v in NIK_PROBLEMS.items()},
    "duplicate_row": "exact copy of an earlier row (the first is kept)",
    "duplicate_nik": "several different rows share this NIK; nothing says which is right",
    "duplicate_id": "several different rows share this record id",
    "missing_id": "the record id is empty",
    "no_identity": "the record has no NIK, name or birth date to know its person by (a total or footer row?)",
    "row_malformed": "the row could not be split into the header's fields",
}


@dataclass
class IngestResult:
    accepted: pl.DataFrame
    quarantine: pl.DataFrame
    stats: dict

    @property
    def balanced(self) -> bool:
        return self.stats["rows_read"] == self.stats["accepted"] + self.stats["quarantined"]


# --- shared pieces ----------------------------------------------------------------------------

# A region code as it may be written: ASCII digits, also in thousands groups as a spreadsheet in
# an Indonesian locale shows a number (NO_KEL 1001 as "1.001"), after a leading "'" and spaces.
# Anything else (a letter, a sign, an exponent) makes it no code: its digits alone moved the
# resident to another kab/kota ("7A" was kab 07, "6A" province 06, "7e1" Balikpapan).
CODE_TEXT = r"^'?([0-9]+|[0-9]{1,3}(?:[.,][0-9]{3})+)$"
# KODE_KEL of a welfare record: also in the Kemendagri form's groups ("64.74.01.1001", some
# joined: "6474.01.1001"), or a number's thousands ("6.472.011.001", "6,472,011,001": as NO_KEL's
# are read, CODE_TEXT; the comma was kode_kel_invalid). Not in other groups: BPS's
# 2.2.3.3 ("64.74.011.001", kecamatan 011 and desa 001) is another code, and its digits were
# read as Kemendagri's kecamatan 01 and kelurahan 1001 (DOMAIN.md: join on Kemendagri codes)
KODE_KEL_TEXT = r"^'?(?:[0-9]{2}[ .\-]?[0-9]{2}[ .\-]?[0-9]{2}[ .\-]?[0-9]{4}|[0-9]{1,3}(?:[.,][0-9]{3})+)$"


def _code_text(col: str, pattern: str = CODE_TEXT) -> pl.Expr:
    """The code's text when it is one (``pattern``), stripped; null when empty or not a code."""
    t = without_zero_fraction(without_invisible(pl.col(col))).str.replace_all(_NOT_TEXT, " ").str.strip_chars()
    return pl.when(t.str.contains(pattern)).then(t)


def _digits(col: str, width: int, *, code: bool = True) -> pl.Expr:
    # ASCII digits, as a NIK's: a region code written with another script's digit, or with any
    # other character in it, is no code (and flagged), never the digits around that character.
    # RT and RW (``code=False``) are read by their digits ("RT 01"): they place no one in a region
    d = ascii_digits(_code_text(col) if code else without_zero_fraction(pl.col(col)))
    # zeros before a code wider than its width are padding (a sheet's "0000" format: NO_KEC 0001
    # was no code, and every resident lost their kelurahan: an input review)
    d = pl.when(d.str.len_chars() > width).then(d.str.strip_chars_start("0").str.zfill(width)).otherwise(d)
    return pl.when(d.str.len_chars().is_between(1, width)).then(d.str.zfill(width)).otherwise(None)


def _unreadable_code(col: str) -> pl.Expr:
    """Whether ``col`` holds text that is no region code (a letter or a sign in it)."""
    return _text(col).is_not_null() & _code_text(col).is_null()


# Characters that are spaces for a text field: control characters (siak.CONTROL) and the
# invisible ones, the marks of writing direction too (siak.DIRECTION_MARKS)
_NOT_TEXT = rf"[{CONTROL}\u00a0\u200b\ufeff{DIRECTION_MARKS}]"


# a run of them and of white space is one space (one pass: replacing them with spaces and then
# collapsing runs of white space was two, 30% more of a text column's cleaning)
_SPACE_RUN = rf"(?:{_NOT_TEXT}|\s)+"


def _text(col: str) -> pl.Expr:
    # a soft hyphen is nothing (a space would split the word it sits in): a literal pass, ~7 ms
    # of 200k names
    s = (pl.col(col).str.replace_all(SOFT_HYPHEN, "", literal=True).str.replace_all(_SPACE_RUN, " ")
         .str.strip_chars())
    # nothing, or what an export writes for no value (siak.NO_VALUE: NULL, nan, #N/A): null.
    # (Not when(s == "")...otherwise(s): that computes s twice)
    return s.replace(_NOTHING, None)


_NOTHING = ["", *NO_VALUE_WRITTEN]


def _label(col: str) -> pl.Expr:
    """A coded field's label (``label_key``), null when it is what an export writes for no
    value (siak.NO_VALUE: NULL, #N/A), as :func:`_text` reads a text field."""
    return label_key(pl.col(col)).replace(_NO_VALUE, None)


_NO_VALUE = list(NO_VALUE)


def _code_label(col: str) -> pl.Expr:
    """A coded field's label (:func:`_label`: null for NULL, #N/A), null also when only dashes
    or dots are written, as :func:`_written` reads a code or a decile (the roster's codes, an
    occupation): SEGMEN "NULL" or "-" was kept and shown beside segmen_unknown, PROGRAM "NULL"
    an unknown programme."""
    key = _label(col)
    return pl.when(~key.str.contains(r"^[-.]*$")).then(key)


def _written(col: str, nothing: str = "-./:0T") -> pl.Expr:
    """A field as written (:func:`_text`; a birth date, a sex), null when nothing is written but a placeholder
    of ``nothing``'s characters: dashes, dots, slashes, colons or zeros (``-``, ``00-00-0000``,
    ``0000-00-00 00:00:00``), an export's "no date". It was
    flagged a date "tidak valid (tertulis: "-")", and the kelurahan went looking for a wrong
    date where none had been recorded. A code or a decile is nothing written only as a dash or
    a dot (``nothing="-."``: ``0000000000`` is a written code, and invalid)."""
    # (the text computed once: when(s.str.contains(...)).then(s) computed it twice, half of the
    # field's cost, four fields of each extract)
    return _text(col).str.replace(rf"^[{nothing}\s]*$", "").replace("", None)


def _flag(cond: pl.Expr, name: str) -> tuple[str, pl.Expr]:
    return name, cond


def _with_flags(df: pl.DataFrame, *flags: tuple[str, pl.Expr]) -> pl.DataFrame:
    """``df`` with ``flags``: the names of the ``_flag`` conditions that hold, in their order.

    The conditions are folded into one bit mask per row and each distinct mask (a few dozen in
    a whole extract) becomes its list once, joined back. (Building a list per row from one
    nullable string column per flag, ``concat_list(...).list.drop_nulls()``, took 1.2 s of 200k
    residents against 0.04 s.)"""
    if len(flags) > 62:
        raise ValueError("at most 62 flags fit the Int64 mask")
    bits = [pl.when(cond.fill_null(False)).then(pl.lit(1 << i, pl.Int64)).otherwise(pl.lit(0, pl.Int64))
            for i, (_, cond) in enumerate(flags)]
    df = df.with_columns(_flag_mask=pl.sum_horizontal(bits))
    masks = df.get_column("_flag_mask").unique().to_list()
    lists = pl.DataFrame(
        {"_flag_mask": masks, "flags": [[name for i, (name, _) in enumerate(flags) if m >> i & 1] for m in masks]},
        schema={"_flag_mask": pl.Int64, "flags": pl.List(pl.String)})
    return df.join(lists, on="_flag_mask", how="left", maintain_order="left").drop("_flag_mask")


# A KK number is read as a NIK is (``with_nik_columns``: a leading "'", invisible characters and
# the separators typed between digit groups left out): written in Excel's notation, with a
# letter or a sign, or with other than 16 digits, it is damaged. It is no KK then (the linkage
# must not compare a wrong one) and the row is flagged ``kk_invalid``: it became null without a
# word, "6.47401E+15" or "64740312" as an empty one (a conformance review, CONTRACT §5). Its
# date and serial are not tested: a card number with a zero serial is still the family's card.
# Nothing written, no digit at all ("-"), or zeros alone ("0", an export's "no card") is no KK
# and no damage.
KK_DAMAGE = ("nik_excel_damaged", "nik_characters", "nik_length")


def _kk() -> pl.Expr:
    """The KK number from the columns ``_with_kk`` adds: 16 digits, not damaged, not zeros
    alone; else null."""
    return pl.when(~_kk_damaged() & ~_no_card() & (pl.col("_kk").str.len_chars() == 16)).then(pl.col("_kk"))


def _kk_damaged() -> pl.Expr:
    """``kk_invalid``: a KK written but damaged (``KK_DAMAGE``), zeros alone being no card."""
    return (pl.col("_kk_problem").is_in(KK_DAMAGE) & ~_no_card()).fill_null(False)


def _no_card() -> pl.Expr:
    return pl.col("_kk").str.contains("^0+$").fill_null(False)


def _with_kk(df: pl.DataFrame) -> pl.DataFrame:
    """``df`` with NO_KK's digits ``_kk`` and problem code ``_kk_problem``, read once per distinct
    KK: a household shares it (55k distinct of 192k residents), and its tests cost 25 ms of them all."""
    return df.hstack(per_distinct(df, "NO_KK", lambda d: with_nik_columns(
        d, "NO_KK", problem="_kk_problem", digits="_kk")).get_columns())


def _code_and_label(text: pl.Expr, code: str, sep: str = r"\s*[-.:)]\s*|\s+") -> tuple[pl.Expr, pl.Expr]:
    """(code, label) of a ``text`` that writes a code (the regex ``code``; zeros before it are
    padding) with a label, as some reports do: first, after the separator ``sep`` ("08 -
    PERDAGANGAN", "8. PERDAGANGAN", "8 PERDAGANGAN"), or after it in parentheses ("PERDAGANGAN
    (8)"); nulls for any other text. The caller takes the code when the label agrees with it."""
    first, last = rf"^0*({code})(?:{sep})(\S.*)$", rf"^(\S.*?)\s*\(\s*0*({code})\s*\)$"
    return (pl.coalesce(text.str.extract(first, 1), text.str.extract(last, 2)),
            pl.coalesce(text.str.extract(first, 2), text.str.extract(last, 1)))


def _sex(col: str) -> pl.Expr:
    """L or P from the forms people type (`L.`, `LAKI - LAKI`, `LAKI2`, `02`): a value none of
    them leaves the resident unjudged (``sex_unknown``), so only what is no sex at all is."""
    key = (label_key(pl.col(col)).str.replace_all(r"\s*-\s*", "-").str.strip_chars(". ")
           .str.replace(r"^0+([0-9])$", "$1"))
    sex = key.replace_strict(SEX, default=None, return_dtype=pl.String)
    # a code with its label ("1 - LAKI-LAKI", "PEREMPUAN (2)"): the sex both say (any run of
    # separators between them: the key has its dashes' spaces taken out, "1)-LAKI-LAKI")
    code, label = (part.replace_strict(SEX, default=None, return_dtype=pl.String)
                   for part in _code_and_label(key, "[0-9]", sep=r"(?:[-.:)]|\s)+"))
    return pl.coalesce(sex, pl.when(code == label).then(code))


def _split_duplicates(raw: pl.DataFrame, key: str, code: str, raw_cols: list[str]):
    """(kept, quarantined): exact repeats keep their first row; different rows sharing ``key``
    (non-null) are all quarantined with ``code``."""
    # An exact repeat shares its key (or has none), so the window over every raw column, which
    # hashes each row whole, runs on those few rows only (1M residents: 1.8 s over all rows)
    # (each key's rows counted once, into a column: the filters below each counted them again,
    # and a count over 200k NIKs is 30-50 ms)
    df = raw.with_row_index("_row").with_columns(_n=pl.len().over(key))
    maybe = df.filter(pl.col(key).is_null() | (pl.col("_n") > 1))
    copy_rows = maybe.filter(pl.int_range(pl.len()).over(raw_cols) > 0).get_column("_row")
    df = df.with_columns(_is_copy=pl.col("_row").is_in(copy_rows.implode())).drop("_row")
    copies = df.filter(pl.col("_is_copy")).with_columns(reason_code=pl.lit("duplicate_row"))
    rest = df.filter(~pl.col("_is_copy"))
    if copies.height:  # the copies set aside: their keys counted again without them
        rest = rest.with_columns(_n=pl.len().over(key))
    rest = rest.with_columns(_shared=pl.col(key).is_not_null() & (pl.col("_n") > 1))
    shared = rest.filter(pl.col("_shared")).with_columns(reason_code=pl.lit(code))
    kept = rest.filter(~pl.col("_shared"))
    helpers = ["_is_copy", "_n", "_shared"]
    return kept.drop(helpers), pl.concat([copies.drop(helpers, strict=False), shared.drop(helpers)])


def _quarantine(parts: list[pl.DataFrame], raw: RawExtract, raw_cols: list[str]) -> pl.DataFrame:
    """One quarantine frame: the raw fields, file, line, reason_code, reason (and ``raw`` for
    rows that could not be split)."""
    cols = raw_cols + ["file", "line", "reason_code"]
    frames = [p.select(cols).with_columns(raw=pl.lit(None, pl.String)) for p in parts if p.height]
    bad = raw.bad_rows
    if bad.height:
        frames.append(
            bad.select(
                [pl.lit(None, pl.String).alias(c) for c in raw_cols]
                + [pl.col("file"), pl.col("line"), pl.col("reason_code"), pl.col("raw")]
            ).with_columns(reason_code=pl.lit("row_malformed"))
        )
    schema_ = {**{c: pl.String for c in raw_cols}, "file": pl.String, "line": pl.Int64,
               "reason_code": pl.String, "raw": pl.String}
    if not frames:
        q = pl.DataFrame(schema=schema_)
    else:
        q = pl.concat([f.cast(schema_) for f in frames], how="vertical")
    detail = pl.col("reason_code").replace_strict(QUARANTINE_REASONS, default=pl.col("reason_code"))
    if bad.height:
        detail = pl.when(pl.col("reason_code") == "row_malformed").then(
            pl.lit(QUARANTINE_REASONS["row_malformed"] + ": ") + pl.col("_bad_detail")
        ).otherwise(detail)
        q = q.join(bad.select("line", _bad_detail=pl.col("reason")), on="line", how="left")
    return q.with_columns(reason=detail).select(list(schema_) + ["reason"]).sort("line")


def _stats(raw: RawExtract, accepted: pl.DataFrame, quarantine: pl.DataFrame) -> dict:
    by_reason = dict(quarantine.group_by("reason_code").len().sort("reason_code").iter_rows())
    flags = accepted.select(pl.col("flags").explode().drop_nulls().value_counts(sort=True))
    flag_counts = {r["flags"]: r["count"] for r in flags.unnest("flags").iter_rows(named=True)} if flags.height else {}
    return {
        "source": raw.source, "file": raw.path.name, "format": raw.format, "sha256": raw.sha256,
        "rows_sha256": raw.rows_sha256,
        "rows_read": raw.rows_read, "accepted": accepted.height, "quarantined": quarantine.height,
        "quarantined_by_reason": by_reason, "flags": flag_counts,
        "flagged": int((accepted.get_column("flags").list.len() > 0).sum()) if accepted.height else 0,
    }


# --- penduduk ---------------------------------------------------------------------------------

def clean_penduduk(raw: RawExtract, today: date | None = None) -> IngestResult:
    raw_cols = [c for c in raw.frame.columns if c not in ("file", "line")]
    today = today or today_wita()
    df = with_nik_columns(raw.frame, "NIK", problem="_problem", digits="_nik")
    # a row of no NIK, name or birth date is a total or footer line (JUMLAH, "Dicetak oleh ..."),
    # said so as in the welfare and roster extracts, not "nik_missing" (an outside tester)
    # (with the footer's text in the NIK's column, "JUMLAH: 758", the NIK holds letters)
    nobody = (pl.col("_problem").is_in(["nik_missing", "nik_characters"]) & _written("NAMA_LGKP").is_null()
              & _written("TGL_LHR").is_null())
    invalid = df.filter(pl.col("_problem").is_not_null()).with_columns(
        reason_code=pl.when(nobody).then(pl.lit("no_identity")).otherwise(pl.col("_problem")))
    valid = df.filter(pl.col("_problem").is_null())
    kept, dups = _split_duplicates(valid, "_nik", "duplicate_nik", raw_cols)
    accepted = _penduduk_fields(kept, today)
    quarantine = _quarantine([invalid, dups], raw, raw_cols)
    return IngestResult(accepted, quarantine, _stats(raw, accepted, quarantine))


def _by_value(df: pl.DataFrame, derived: dict[str, dict[str, pl.Expr] | Callable[[pl.DataFrame], pl.DataFrame]]
              ) -> pl.DataFrame:
    """``df`` with the columns ``derived`` from each raw column, computed once per distinct value
    of it. Codes, dates and region numbers repeat across a city (a few hundred occupation
    texts and 25k birth dates among 200k residents), and their regexes cost more per row than
    the join back. Each raw column's are expressions by name, or a function adding them to the
    frame of its distinct values. Derived names must differ from the raw column's."""
    parts = [per_distinct(df, col, compute if callable(compute) else lambda d, exprs=compute: d.with_columns(**exprs))
             for col, compute in derived.items()]
    return df.hstack([c for p in parts for c in p.get_columns()])


def _birth_dates(d: pl.DataFrame) -> pl.DataFrame:
    """``_dob``, the birth date parsed, and ``_dob_raw``, as written (``_dob_flags``), of each
    distinct ``TGL_LHR``: the three sources alike."""
    return with_parsed_date(d, "TGL_LHR", "_dob").with_columns(_dob_raw=_written("TGL_LHR"))


# a day of 41-71: a woman's day as her NIK writes it (day + 40), copied as her birth date
_NIK_DAY = r"^(4[1-9]|[56][0-9]|7[01])[-/.](0?[1-9]|1[0-2])[-/.]((?:19|20)[0-9]{2})$"


def _record_birth_dates(d: pl.DataFrame) -> pl.DataFrame:
    """:func:`_birth_dates` of a welfare or roster record, where a day of 41-71 (``58-06-2003``)
    is a woman's NIK day copied as her birth date: the day less 40 (``_dob_nik_day`` says so; flag
    ``tgl_lhr_nik_day``). Such a record without a NIK had no date, and its holder was linked by
    name alone, or not at all (45 records of a linkage review, 40 left in review and 5 unsaid).
    Only a record's date, which serves the linkage alone: a resident's stays invalid, to be fixed
    (CONTRACT §5)."""
    out = _birth_dates(d)
    parts = pl.col("_dob_raw").str.extract_groups(_NIK_DAY)
    decoded = pl.format("{}-{}-{}", parts.struct.field("3"), parts.struct.field("2").str.zfill(2),
                        (parts.struct.field("1").cast(pl.Int32) - 40).cast(pl.String).str.zfill(2)
                        ).str.to_date("%Y-%m-%d", strict=False)
    nik_day = pl.col("_dob").is_null() & decoded.is_not_null()
    return out.with_columns(_dob_nik_day=nik_day, _dob=pl.coalesce("_dob", decoded))


def _penduduk_fields(df: pl.DataFrame, today: date) -> pl.DataFrame:
    occ = occupation_lookup()
    prefixes = kecamatan_codes()
    # (a dash alone is nothing written, as in a code: it was occupation_unknown, "not a SIAK
    # code" on the kelurahan's list, where an empty one is "pekerjaan kosong")
    job_raw = _code_label("JENIS_PKRJN")
    by_label = job_raw.replace_strict(occ, default=None, return_dtype=pl.Int16)
    # a code and its label together (_code_and_label): the code when the label is that code's (a
    # code and another's label stays unknown), and zeros before a code ("008") padding. Each was
    # an unknown occupation, the resident unjudged until fixed (an outside review).
    coded, label = _code_and_label(job_raw, r"\d{1,2}")
    coded = coded.cast(pl.Int16, strict=False)
    job_code = (
        pl.when(job_raw.str.contains(r"^0*\d{1,2}$"))
        .then(job_raw.cast(pl.Int16, strict=False))
        .when(by_label.is_not_null()).then(by_label)
        .when(coded == label.replace_strict(occ, default=None, return_dtype=pl.Int16)).then(coded)
    )
    job_code = pl.when(job_code.is_between(1, 89)).then(job_code).otherwise(None)
    # a code with a leading zero (07, 01) is the code
    dis_raw = _label("PNYDNG_CCT").fill_null("").str.replace(r"^0+([0-9])$", "$1")
    # a code with its label, as for the occupation: "7 - TIDAK CACAT" was a disability (its text
    # is no word for none), ranked first; the code when the label is that code's
    dis_code, dis_label = _code_and_label(dis_raw, "[0-9]")
    # (the label's words as a none word's are read: 7 - TIDAK_CACAT)
    none_label = dis_label.str.replace_all(DISABILITY_WORD_MARKS, " ").str.strip_chars().is_in(list(NO_DISABILITY))
    dis_raw = pl.when((dis_code.is_in(["0", "7"]) & none_label)
                      | (dis_code.replace_strict(DISABILITY, default=None, return_dtype=pl.String) == dis_label)
                      ).then(dis_code).otherwise(dis_raw)
    # none when its words are a word for none (TIDAK_CACAT, TDK.), also each side of a "/"
    # (NORMAL/SEHAT); what an export writes for no value is "" already (_label)
    dis_words = (dis_raw.str.split("/").list.eval(pl.element().str.replace_all(DISABILITY_WORD_MARKS, " ")
                                                  .str.strip_chars()))
    no_disability = (dis_raw.is_in(list(NO_DISABILITY))
                     | dis_words.list.eval(pl.element().is_in(list(NO_DISABILITY))).list.all())
    out = _by_value(df, {
        "JENIS_PKRJN": {
            "pekerjaan_kode": job_code,
            "_job_raw": job_raw,
            "_job_label": pl.when(job_code.is_not_null())
            .then(job_code.replace_strict(OCCUPATIONS, default=None, return_dtype=pl.String)).otherwise(job_raw),
        },
        "TGL_LHR": _birth_dates,
        # (a dash or zeros alone is nothing written, as for the date: not "unknown sex (tertulis '-')")
        "JENIS_KLMIN": {"_sex": _sex("JENIS_KLMIN"), "_sex_raw": _written("JENIS_KLMIN")},
        "STAT_KWN": {"_marital": _label("STAT_KWN").pipe(
            lambda e: e.replace_strict(MARITAL, default=e, return_dtype=pl.String))},
        "PNYDNG_CCT": {"_disability": pl.when(no_disability).then(None)
                       .otherwise(dis_raw.replace_strict(DISABILITY, default=dis_raw, return_dtype=pl.String)),
                       # a number that is no SIAK code (8, 99): kept as written, a disability, and
                       # flagged; no one can tell what the export's code meant
                       "_disability_unknown": dis_raw.str.contains(r"^[0-9]+$") & ~no_disability
                       & ~dis_raw.is_in(list(DISABILITY))},
        "NO_RT": {"_rt": _digits("NO_RT", 3, code=False)},
        "NO_RW": {"_rw": _digits("NO_RW", 3, code=False)},
        "NO_PROP": {"_prop": _digits("NO_PROP", 2), "_prop_bad": _unreadable_code("NO_PROP")},
        "NO_KAB": {"_kab": _digits("NO_KAB", 2), "_kab_full": _digits("NO_KAB", 4),
                   "_kab_bad": _unreadable_code("NO_KAB")},
        "NO_KEC": {"_kec": _digits("NO_KEC", 2), "_kec_full": _digits("NO_KEC", 6),
                   "_kec_bad": _unreadable_code("NO_KEC")},
        "NO_KEL": {"_kel": _digits("NO_KEL", 4), "_kel_full": _digits("NO_KEL", 10),
                   "_kel_bad": _unreadable_code("NO_KEL")},
        # (a household shares its address, a city a few dozen birthplaces)
        "TMPT_LHR": {"_tmpt_lhr": _text("TMPT_LHR")},
        "ALAMAT": {"_alamat": _text("ALAMAT")},
        # the extract's own kelurahan name (optional KEL_NAME), for the gap lists and the coverage
        # of a city the packaged name table does not hold; a long digit run in it starred (a NIK
        # typed into one resident's KEL_NAME reached the published coverage page and a list's title)
        **({"KEL_NAME": {"_nama_kel": mask_long_digits_expr(_text("KEL_NAME")).str.to_titlecase()}}
           if "KEL_NAME" in df.columns else {}),
    })
    # A code written in full, its parents' codes before it (NO_KEL 6474011001 for 1001), is the
    # code when those agree with the other columns: every such resident's region was missing,
    # and the run ended without a candidate or a gap list (exit 0).
    for code, parents in (("_kab", ["_prop"]), ("_kec", ["_prop", "_kab"]), ("_kel", ["_prop", "_kab", "_kec"])):
        full = pl.col(f"{code}_full")
        out = out.with_columns(pl.coalesce(code, pl.when(full.str.starts_with(pl.concat_str(parents)))
                                           .then(full.str.slice(2 * len(parents)))).alias(code))
    # A code written but not readable, or a kab/kota the Kemendagri table does not have (00, 99,
    # 0000): the resident has no region until it is fixed (region_code_invalid), and belongs to
    # their NIK's region as one without codes does. Each had become a kab/kota of its own: a
    # partition, a batch and a gap list (0000000000.xlsx) of one person.
    unreadable = pl.any_horizontal("_prop_bad", "_kab_bad", "_kec_bad", "_kel_bad")
    unknown = (pl.col("_prop") + pl.col("_kab")).is_in(kabkota_codes()).not_().fill_null(False)
    # a kelurahan's own code begins with 1 (kelurahan), 2 (desa) or 3 (desa adat): NO_KEL "1" or
    # "01" (zeros put before it) was kelurahan 0001, which no region has, its residents judged
    # and listed for it without a flag (an input review)
    no_kel = ~pl.col("_kel").str.slice(0, 1).is_in(["1", "2", "3"]).fill_null(True)
    out = out.with_columns(_region_invalid=unreadable | unknown | no_kel)
    if out.get_column("_region_invalid").any():  # (rare: the codes are not copied otherwise)
        out = out.with_columns([pl.when(pl.col("_region_invalid")).then(None).otherwise(pl.col(c)).alias(c)
                                for c in ("_prop", "_kab", "_kec", "_kel")])
    out = _with_kk(out).with_columns(
        NIK=pl.col("_nik"),
        NO_KK=_kk(),
        NAMA_LGKP=_text("NAMA_LGKP").str.to_uppercase(),
        TMPT_LHR=pl.col("_tmpt_lhr"),
        TGL_LHR=pl.col("_dob"),
        JENIS_KLMIN=pl.col("_sex"),
        tgl_lhr_raw=pl.when(pl.col("_dob").is_null()).then(pl.col("_dob_raw")),
        jenis_klmin_raw=pl.when(pl.col("_sex").is_null()).then(pl.col("_sex_raw")),
        STAT_KWN=pl.col("_marital"),
        JENIS_PKRJN=pl.col("_job_label"),
        PNYDNG_CCT=pl.col("_disability"),
        disabilitas=pl.col("_disability").is_not_null(),
        ALAMAT=pl.col("_alamat"),
        NO_RT=pl.col("_rt"),
        NO_RW=pl.col("_rw"),
        kode_kab=pl.col("_prop") + pl.col("_kab"),
        kode_kec=pl.col("_prop") + pl.col("_kab") + pl.col("_kec"),
        kode_kel=pl.col("_prop") + pl.col("_kab") + pl.col("_kec") + pl.col("_kel"),
        nama_kel=pl.col("_nama_kel") if "KEL_NAME" in df.columns else pl.lit(None, pl.String),
    )
    out = out.with_columns(normalized_names(out, "NAMA_LGKP"))
    dob = pl.col("TGL_LHR")
    out = out.pipe(
        _with_flags,
        *_dob_flags(today),
        # empty is one of the contract's forms (the NIK tells the sex); a value none of its forms
        # is damaged: not judged until fixed (CONTRACT §5, "an unknown sex")
        _flag(pl.col("_sex_raw").is_null(), "sex_missing"),
        _flag(pl.col("_sex_raw").is_not_null() & pl.col("JENIS_KLMIN").is_null(), "sex_unknown"),
        _flag(pl.col("_job_raw").is_null(), "occupation_missing"),
        # every label without a SIAK code, TUKANG PIJAT too: which of them count as informal work
        # is the rules' informal_label_prefixes, judged in pipelines.candidates.assess
        _flag(pl.col("_job_raw").is_not_null() & pl.col("pekerjaan_kode").is_null(), "occupation_unknown"),
        _flag(pl.col("kode_kel").is_null() & ~pl.col("_region_invalid"), "region_code_missing"),
        _flag(pl.col("_region_invalid"), "region_code_invalid"),
        # a kecamatan of a known kab/kota that the Kemendagri table (2024) does not have: a typo
        # (kecamatan 09 of Bontang made a gap list 6474091001.xlsx) or one created since. Judged
        # all the same, as a NIK of an unknown region is: not judging it would leave a whole new
        # kecamatan out until the table caught up
        _flag(pl.col("kode_kec").is_not_null() & ~pl.col("kode_kec").is_in(prefixes), "region_code_unknown"),
        # no name left (empty, `-`, a title alone): not judged until fixed; a candidate without
        # one stopped the run at the submission (nama_lgkp is NOT NULL), and BPJS registers by it
        _flag(pl.col("nama_norm").is_null(), "nama_missing"),
        _flag(dob.is_not_null() & ~nik_date_matches("NIK", dob), "nik_date_mismatch"),
        _flag(pl.col("JENIS_KLMIN").is_not_null() & (nik_birth_parts("NIK")[3] != pl.col("JENIS_KLMIN")),
              "nik_sex_mismatch"),
        _flag(~pl.col("NIK").str.slice(0, 6).is_in(prefixes), "nik_region_unknown"),
        # the NIK's region is its kecamatan (6 digits, CONTRACT §1): compared with the address's
        # kecamatan, or its kab/kota where the kecamatan is not known (at kab/kota level alone,
        # a resident who moved within the city went unflagged: 3,118 of an outside tester's)
        _flag(pl.when(pl.col("kode_kec").is_not_null())
              .then(pl.col("NIK").str.slice(0, 6) != pl.col("kode_kec"))
              .otherwise(pl.col("kode_kab").is_not_null() & (pl.col("NIK").str.slice(0, 4) != pl.col("kode_kab"))),
              "nik_region_not_address"),
        # (judged all the same: the KK is optional, and only the linkage reads it)
        _flag(_kk_damaged(), "kk_invalid"),
        # (judged all the same, ranked as a disability: the code may be a local one for a kind)
        _flag(pl.col("_disability_unknown"), "disability_unknown"),
    )
    return schema.conform(out, schema.RESIDENTS)


# --- dtsen and peserta_bpjstk -------------------------------------------------------------------

def _split_ids(df: pl.DataFrame, id_col: str, raw_cols: list[str], compact: bool = False):
    """Rows without an id, and rows sharing one, set aside. ``compact``: the id is a card's number,
    read without its spaces (a KPJ ``1225 3799179`` is ``12253799179``), Excel's text marker or a
    zero fraction (``'10026912106``, ``10026912105.0``: a column through pandas as floats), and
    duplicates are found as read: two KPJs apart only by a space were both accepted, collided as
    one, and the participants' blocking check stopped the run. A decimal's digits were no card
    BPJS gave: a worker whose card lapsed stayed held as accepted, not yet on the roster."""
    ident = _text(id_col)
    if compact:  # (_text: one space between words, none around)
        ident = without_zero_fraction(without_text_marker(ident).str.replace_all(" ", "")).replace("", None)
    # an export's placeholder for no id (a dash, zeros, dots) is none: a KPJ "-" was a card, and
    # several were all quarantined as duplicate_id, as if two records claimed one card
    ident = pl.when(~ident.str.contains(r"^[-./0]*$")).then(ident)
    df = df.with_columns(_id=ident)
    missing = df.filter(pl.col("_id").is_null()).with_columns(reason_code=pl.lit("missing_id"))
    kept, dups = _split_duplicates(df.filter(pl.col("_id").is_not_null()), "_id", "duplicate_id", raw_cols)
    # a row of an id alone, no NIK, name or birth date: a total or footer line ("JUMLAH", "Total
    # peserta: 1.332" in the id's column) was accepted as a record no one could be linked to
    # (an adversarial review)
    # (computed once: the two filters each computed it, 0.2 s of a 77k-row welfare extract)
    kept = kept.with_columns(_nobody=_written("NIK").is_null() & _written("NAMA").is_null()
                             & _written("TGL_LHR").is_null())
    no_identity = kept.filter(pl.col("_nobody")).drop("_nobody").with_columns(reason_code=pl.lit("no_identity"))
    return kept.filter(~pl.col("_nobody")).drop("_nobody"), [missing, dups, no_identity]


def _claimed_nik(df: pl.DataFrame) -> pl.DataFrame:
    return with_nik_columns(df, "NIK", problem="_problem", digits="_nik").with_columns(
        nik_raw=pl.col("NIK").str.strip_chars().replace("", None),
    ).with_columns(NIK=pl.when(pl.col("_problem").is_null()).then(pl.col("_nik")).otherwise(None))


def _dob_flags(today: date) -> tuple[tuple[str, pl.Expr], ...]:
    """The birth date (``TGL_LHR`` parsed, ``_dob_raw`` as written) missing, written and not a
    date, or after ``today``; in all three sources (a welfare or roster record's empty one was
    counted as invalid, its future one not flagged)."""
    return (_flag(pl.col("_dob_raw").is_null(), "tgl_lhr_missing"),
            _flag(pl.col("_dob_raw").is_not_null() & pl.col("TGL_LHR").is_null(), "tgl_lhr_invalid"),
            _flag(pl.col("TGL_LHR") > pl.lit(today), "tgl_lhr_future"))


# a decile as written: the number, after the decile's word, before a label of letters
DESIL_TEXT = r"^\s*(?:(?:DESIL(?:\s*KE)?|KE|D)[\s.:\-]*)?([0-9]+)\s*(\(?[A-Z][A-Z\s]*\)?)?\s*$"
# Words that, first after the number, make it a bound or one of several, not a decile: "4 KE
# ATAS" (4 and above), "3 ATAU LEBIH" (3 or more), "4 MAKS" were desil 4 and 3, unflagged
DESIL_BOUNDS = ["KE", "KEATAS", "KEBAWAH", "ATAS", "BAWAH", "LEBIH", "KURANG", "ATAU", "SAMPAI", "HINGGA", "SD",
                "DAN", "MAKS", "MAKSIMAL", "MAKSIMUM", "MIN", "MINIMAL", "MINIMUM", "PLUS", "MAX", "AND", "OR",
                "ABOVE", "BELOW", "OVER", "UNDER", "UP", "TO", "MORE", "LESS"]
# Of them, those a label may also begin with (KURANG MAMPU, poor; BAWAH GARIS KEMISKINAN, below the
# poverty line; LEBIH SEJAHTERA): a bound only when no other word follows them ("4 LEBIH", "4 KE
# ATAS"). Read by its first word alone, "1 (Kurang Mampu)" was desil_invalid, ranked after desil 10
DESIL_LABEL_WORDS = ["ATAS", "BAWAH", "LEBIH", "KURANG", "ABOVE", "BELOW", "OVER", "UNDER", "MORE", "LESS"]


def clean_dtsen(raw: RawExtract, today: date | None = None) -> IngestResult:
    today = today or today_wita()  # (a birth date after it is flagged, as a resident's)
    raw_cols = [c for c in raw.frame.columns if c not in ("file", "line")]
    kept, rejected = _split_ids(raw.frame, "ID_DTSEN", raw_cols)
    # the one number in the field (`3`, `Desil 3`); not the digits of a signed or fractional value:
    # `-1` (an export's "unknown") was desil 1, the poorest, and `0.5` desil 5. Only the decile's
    # own word before it (DESIL, DESIL KE, KE, D) and a label after it (`4 (EMPAT)`): any word or
    # sign read the number beside it, `Kuintil 2` (a quintile: desil 3-4) desil 2, `4%` desil 4,
    # `< 4` desil 4 (an input review); nor a label whose first word makes it a bound (DESIL_BOUNDS)
    desil_text = without_zero_fraction(without_text_marker(pl.col("DESIL"))).str.to_uppercase()
    label_words = desil_text.str.extract(DESIL_TEXT, 2).str.extract_all(r"[A-Z]+")
    first = label_words.list.first()
    bound = first.is_in(DESIL_BOUNDS) & (~first.is_in(DESIL_LABEL_WORDS)
                                         | label_words.list.eval(pl.element().is_in(DESIL_BOUNDS)).list.all())
    desil = pl.when(~bound.fill_null(False)).then(desil_text.str.extract(DESIL_TEXT, 1).cast(pl.Int8, strict=False))
    # (see _digits), of a kab/kota the Kemendagri table has, its kelurahan part beginning with 1
    # (kelurahan), 2 (desa) or 3 (desa adat) as NO_KEL's must: 6472010001 was kept unflagged
    kel = ascii_digits(_code_text("KODE_KEL", KODE_KEL_TEXT))
    kel = pl.when(kel.str.slice(0, 4).is_in(kabkota_codes()) & kel.str.slice(6, 1).is_in(["1", "2", "3"])).then(kel)
    # the date, the sex, the kelurahan and the decile once per distinct value (a city's records
    # share a few thousand birth dates: the date's parse of every row was 0.2 s of 77k records)
    claimed = _by_value(_with_kk(_claimed_nik(kept)), {
        "TGL_LHR": _record_birth_dates,
        "JENIS_KLMIN": {"_sex": _sex("JENIS_KLMIN"), "_sex_raw": _written("JENIS_KLMIN")},
        "ALAMAT": {"_alamat": _text("ALAMAT")},  # (a household's records share it)
        # as written: an empty one is missing, not invalid (3,230 empty kelurahan codes of an
        # outside tester's extract were all "kode_kel_invalid")
        "KODE_KEL": {"_kel": pl.when(kel.str.len_chars() == 10).then(kel).otherwise(None),
                     "_kel_raw": _written("KODE_KEL", nothing="-.")},
        "DESIL": {"_desil": pl.when(desil.is_between(1, 10)).then(desil).otherwise(None),
                  "_desil_raw": _written("DESIL", nothing="-.")},
    })
    out = claimed.with_columns(
        ID_DTSEN=pl.col("_id"),
        NO_KK=_kk(),
        NAMA=_text("NAMA").str.to_uppercase(),
        TGL_LHR=pl.col("_dob"),
        JENIS_KLMIN=pl.col("_sex"),
        ALAMAT=pl.col("_alamat"),
        KODE_KEL=pl.col("_kel"),
        DESIL=pl.col("_desil"),
    ).pipe(lambda d: d.with_columns(normalized_names(d, "NAMA"))).pipe(  # (the name as cleaned: "NULL" none)
        _with_flags,
        _flag(pl.col("_problem").is_not_null(), "nik_unusable"),
        *_dob_flags(today),
        _flag(pl.col("_dob_nik_day"), "tgl_lhr_nik_day"),
        # a sex written and not read (X, LAKI-LAKI (P)) was null, unflagged, as an empty one
        _flag(pl.col("_sex_raw").is_not_null() & pl.col("JENIS_KLMIN").is_null(), "sex_unknown"),
        _flag(pl.col("_desil_raw").is_null(), "desil_missing"),
        _flag(pl.col("_desil_raw").is_not_null() & pl.col("DESIL").is_null(), "desil_invalid"),
        _flag(pl.col("_kel_raw").is_null(), "kode_kel_missing"),
        _flag(pl.col("_kel_raw").is_not_null() & pl.col("KODE_KEL").is_null(), "kode_kel_invalid"),
        # of a known kab/kota, a kecamatan the table does not have (as region_code_unknown): kept
        _flag(~pl.col("KODE_KEL").str.slice(0, 6).is_in(kecamatan_codes()), "kode_kel_unknown"),
        _flag(pl.col("nama_norm").is_null(), "nama_missing"),
        _flag(_kk_damaged(), "kk_invalid"),
    )
    accepted = schema.conform(out, schema.WELFARE_RECORDS)
    quarantine = _quarantine(rejected, raw, raw_cols)
    return IngestResult(accepted, quarantine, _stats(raw, accepted, quarantine))


STATUS = {"AKTIF": "AKTIF", **dict.fromkeys(
    ["NONAKTIF", "NON AKTIF", "NON-AKTIF", "NON_AKTIF", "TIDAK AKTIF", "TIDAK-AKTIF", "TIDAK_AKTIF", "TDK AKTIF",
     "TDK. AKTIF", "TDK.AKTIF", "INAKTIF", "IN AKTIF", "IN-AKTIF"], "NONAKTIF")}

# The segments by their codes and by their names as BPJS's documents write them, also after
# "peserta" or "pekerja" (participant, worker): a roster of names was all segmen_unknown
SEGMENT_CODES = ("PU", "BPU", "JAKON", "PMI")
SEGMENTS = {**{code: code for code in SEGMENT_CODES},
            **{f"{who}{name}": code for name, code in (("PENERIMA UPAH", "PU"), ("BUKAN PENERIMA UPAH", "BPU"))
               for who in ("", "PESERTA ", "PEKERJA ")},
            "JASA KONSTRUKSI": "JAKON", "PEKERJA MIGRAN INDONESIA": "PMI"}
# a code and a name, the one after the other or in parentheses ("BPU - BUKAN PENERIMA UPAH",
# "Bukan Penerima Upah (BPU)"): the first, the second
_PAIRED = (r"^(.+?)\s*\(\s*(.+?)\s*\)$", r"^(.+?)\s*[-:/]\s*(.+)$")


def _segment(key: pl.Expr) -> pl.Expr:
    """The segment a SEGMEN (``label_key``) names: a code or a name of ``SEGMENTS`` as the whole
    value, never found in it (BUKAN PENERIMA UPAH holds PENERIMA UPAH), or a code and a name
    that agree (``_PAIRED``; ``PU - BUKAN PENERIMA UPAH`` is none); else null."""
    def named(e: pl.Expr) -> pl.Expr:  # (underscores and dashes between its words are spaces)
        return e.str.strip_chars().str.replace_all(r"[\s_\-]+", " ").replace_strict(
            SEGMENTS, default=None, return_dtype=pl.String)

    pairs = [key.str.extract_groups(p) for p in _PAIRED]
    return pl.coalesce(named(key), *(pl.when(named(p.struct.field("1")) == named(p.struct.field("2")))
                                     .then(named(p.struct.field("1"))) for p in pairs))


# a status and a segment beside it, in parentheses after it or apart by a mark, first or last
# (split at the first mark and at the last: NON-AKTIF - BPU), or by a space (AKTIF BPU, split at
# the first and at the last: NON AKTIF BPU)
_BESIDE = (r"^(.+?)\s*\(\s*(.+?)\s*\)$", r"^(.+?)\s*[-:/,]\s*(.+)$", r"^(.+)\s*[-:/,]\s*(.+?)$",
           r"^(\S+)\s+(.+)$", r"^(.+)\s+(\S+)$")


def _status(key: pl.Expr) -> pl.Expr:
    """AKTIF or NONAKTIF from a STATUS (``label_key``): a form of ``STATUS``, alone or with a
    segment beside it (``_BESIDE``, ``_segment``: ``AKTIF (BPU)``, ``BPU - NON AKTIF``), read
    one way however it is split; else null. Any other word beside a status is not read: it may
    say the cover lapsed (``AKTIF S/D 2026-10``, ``AKTIF (MENUNGGAK)``), and read as AKTIF it
    would hide an unprotected worker. Unread, the worker is not counted protected (status_unknown)."""
    def status(e: pl.Expr) -> pl.Expr:
        return e.str.strip_chars().replace_strict(STATUS, default=None, return_dtype=pl.String)

    splits = [key.str.extract_groups(p) for p in _BESIDE]
    read = [pl.when(_segment(split.struct.field(seg).str.strip_chars()).is_not_null())
            .then(status(split.struct.field(st)))
            for split in splits for st, seg in (("1", "2"), ("2", "1"))]
    readings = pl.concat_list(read).list.drop_nulls().list.unique()
    return pl.coalesce(status(key), pl.when(readings.list.len() == 1).then(readings.list.first()))


# The programmes by their full names (as BPJS's own documents write them), for their codes:
# "Jaminan Kecelakaan Kerja, Jaminan Kematian" was no programme held, the worker a candidate
PROGRAM_NAMES = [(r"JAMINAN\s+KECELAKAAN\s+KERJA", "JKK"), (r"JAMINAN\s+KEMATIAN", "JKM"),
                 (r"JAMINAN\s+HARI\s+TUA", "JHT"), (r"JAMINAN\s+PENSIUN", "JP"),
                 (r"JAMINAN\s+KEHILANGAN\s+PEKERJAAN", "JKP")]
# Words beside the programmes that say nothing of them: joining words, the form's own words
# (programme, package, participant, BPJS Ketenagakerjaan), a segment, paid up. Any other word
# may say whether or how they are held (`JKK:Y,JKM:N`, `BUKAN JKK`, `TANPA JKM`, `(NONAKTIF)`,
# `(TUNGGAKAN)`, `(DIHENTIKAN)`, `(KLAIM)`): none is held then, flagged program_unknown, and the
# worker stays a candidate to be checked, as a STATUS with another word beside it stays unread.
# Such words were looked for by a list of them, and each one it lacked left the programmes held
# and the worker protected (INAKTIF, DIHENTIKAN, TERMINATED, KLAIM, PINDAH: three reviews).
PROGRAM_NEUTRAL_WORDS = ["DAN", "AND", "SERTA", "PLUS", "PROGRAM", "PAKET", "PESERTA", "BPJS", "BPJSTK", "TK",
                         "KETENAGAKERJAAN", *SEGMENT_CODES, "LUNAS"]
# programmes Lindungi does not read, beside the ones it does: health (JKN, and JPK before BPJS
# Kesehatan). An unknown programme, flagged, the others held
PROGRAM_OTHERS = ["JKN", "JPK"]


# The last month paid: YYYY-MM or YYYY/MM, also as a date (a day, and a time with its zone or
# none: an XLSX date cell, a database's timestamp, an API's 2026-10-31T00:00:00Z), YYYYMM, MM/YYYY
# or MM-YYYY; nothing else in the field. Each with the groups of its year and month. (A zone, or
# a day without its zero, was read by the first seven characters, and then blth_invalid.)
_BLTH_TIME = r"[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?"
BLTH_MONTHS = (
    (r"^([0-9]{4})[-/]([0-9]{2})(?:[-/](?:0?[1-9]|[12][0-9]|3[01])(?:" + _BLTH_TIME
     + r"(?:\s*(?:Z|UTC|GMT|[+-][0-9]{2}(?::?[0-9]{2})?))?)?)?$", 1, 2),
    (r"^([0-9]{4})([0-9]{2})$", 1, 2),
    (r"^([0-9]{2})[-/]([0-9]{4})$", 2, 1))
# a date with a time in UTC from 15:00 on: its day is the next one at UTC+9, as a birth date's
# (pipelines.dates) and a typed UTC timestamp's are; Spark writes Bontang's 1 November as
# 2026-10-31T16:00:00Z, and its month is November
BLTH_UTC_EVENING = (r"^([0-9]{4}[-/][0-9]{2}[-/][0-9]{1,2})[ T](?:1[5-9]|2[0-3]):[0-9]{2}"
                    r"(?::[0-9]{2}(?:\.[0-9]+)?)?\s*(?:Z|UTC|GMT|[+-]00(?::?00)?)$")


def clean_peserta(raw: RawExtract, today: date | None = None) -> IngestResult:
    """The roster's records, cleaned: STATUS read as AKTIF/NONAKTIF (null when unreadable) and
    PROGRAM as the programmes held, a canonical comma list (empty when none). Rule-free: who is
    protected is decided by the period's assessment under the period's rules
    (``pipelines.candidates.protects``). It was decided here, with the rules of the ingest, and a
    period re-materialized alone after a rules change kept the old protection (860 protected
    instead of 1,008 with NONAKTIF protecting; an outside review)."""
    today = today or today_wita()
    raw_cols = [c for c in raw.frame.columns if c not in ("file", "line")]
    kept, rejected = _split_ids(raw.frame, "KPJ", raw_cols, compact=True)
    # the programme names; a number among them (JKK=1;JKM=0, JKK(1),JKM(0)) says something of
    # each that no one can read (held or not, a count): none is held then, and the row is flagged
    # program_unknown. Its names were read and its numbers dropped: JKM=0 protected, unflagged.
    # So with any word but a programme's and those that say nothing of them (PROGRAM_NEUTRAL_WORDS:
    # JKK:Y,JKM:N; BUKAN JKK, JKM; JKK & JKM (NONAKTIF) were flagged, the names still held, and
    # JKM:N protected the worker). Nothing when what is written is no value (NULL, #N/A, a dash)
    program_text = pl.when(_code_label("PROGRAM").is_not_null()).then(
        without_invisible(pl.col("PROGRAM")).str.to_uppercase())
    for words, code in PROGRAM_NAMES:  # a programme by its full name is its code
        program_text = program_text.str.replace_all(words, code)
    program_words = program_text.str.extract_all(r"[A-Z]+")
    readable = [*PROGRAMS, *PROGRAM_OTHERS, *PROGRAM_NEUTRAL_WORDS]
    program_unreadable = (program_text.str.contains(r"[0-9]")
                          | ~program_words.list.eval(pl.element().is_in(readable)).list.all())
    progs = pl.when(~program_unreadable).then(program_words)
    blth = without_text_marker(without_invisible(pl.col("BLTH_AKHIR_IURAN"))).str.strip_chars()
    # the whole value a month (BLTH_MONTHS): read by its first seven characters, 2026-11/2026-12 (two
    # months), 2026-10X or 2026-100 were 2026-10, unflagged (an input review)
    evening_day = blth.str.extract(BLTH_UTC_EVENING, 1).str.replace_all("/", "-").str.to_date("%Y-%m-%d", strict=False)
    blth_next_day = (evening_day + pl.duration(days=1)).dt.strftime("%Y-%m")
    blth_norm = pl.coalesce([blth_next_day,
                             *(blth.str.extract(p, y) + "-" + blth.str.extract(p, m) for p, y, m in BLTH_MONTHS)])
    segmen = _code_label("SEGMEN")
    # the coded fields and the date once per distinct value (as in clean_dtsen)
    claimed = _by_value(_claimed_nik(kept), {
        "TGL_LHR": _record_birth_dates,
        # the segment read, else the value as written (flagged segmen_unknown)
        "SEGMEN": {"_segmen": pl.coalesce(_segment(segmen), segmen)},
        "STATUS": {"_status": _status(_code_label("STATUS"))},
        "PROGRAM": {
            "_progs": progs.list.eval(pl.element().filter(pl.element().is_in(list(PROGRAMS)))).list.unique(),
            "_unknown_prog": progs.list.eval(pl.element().is_in(PROGRAM_OTHERS)).list.any() | program_unreadable,
        },
        "BLTH_AKHIR_IURAN": {
            # a month 01-12 (2026-13 and 2026-00 were months: an adversarial review)
            "_blth": pl.when(blth_norm.str.slice(5, 2).cast(pl.Int8, strict=False).is_between(1, 12)).then(blth_norm),
            "_blth_raw": _written("BLTH_AKHIR_IURAN", nothing="-."),  # as written, for blth_invalid
        },
    })
    out = claimed.with_columns(
        KPJ=pl.col("_id"),
        NAMA=_text("NAMA").str.to_uppercase(),
        TGL_LHR=pl.col("_dob"),
        SEGMEN=pl.col("_segmen"),
        STATUS=pl.col("_status"),
        BLTH_AKHIR_IURAN=pl.col("_blth"),
    ).pipe(lambda d: d.with_columns(normalized_names(d, "NAMA"))).with_columns(  # (the name as cleaned)
        # an empty PROGRAM holds no programme: "" (its list is null), never null
        PROGRAM=pl.concat_str([pl.when(pl.col("_progs").list.contains(p)).then(pl.lit(p)) for p in PROGRAMS],
                              separator=",", ignore_nulls=True).fill_null(""),
    ).pipe(
        _with_flags,
        _flag(pl.col("_problem").is_not_null(), "nik_unusable"),
        *_dob_flags(today),
        _flag(pl.col("_dob_nik_day"), "tgl_lhr_nik_day"),
        _flag(~pl.col("SEGMEN").is_in(SEGMENT_CODES), "segmen_unknown"),
        _flag(pl.col("STATUS").is_null(), "status_unknown"),
        _flag(pl.col("_unknown_prog"), "program_unknown"),
        _flag((pl.col("_progs").list.len().fill_null(0) == 0) & ~pl.col("_unknown_prog").fill_null(False),
              "program_missing"),
        _flag(pl.col("BLTH_AKHIR_IURAN").is_null() & pl.col("_blth_raw").is_not_null(), "blth_invalid"),
    )
    accepted = schema.conform(out, schema.PARTICIPANTS)
    quarantine = _quarantine(rejected, raw, raw_cols)
    return IngestResult(accepted, quarantine, _stats(raw, accepted, quarantine))
