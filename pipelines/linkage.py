"""Linking welfare and roster records to residents, one-to-one, with evidence.

Pipeline: blocking (several keys, each an exact join, so the work stays near-linear) ->
comparison levels per pair (NIK, name, birth date, sex, kelurahan, KK, address) -> a match weight, the
sum of each level's weight (Fellegi-Sunter log2 Bayes factors, estimated each run, see
``pipelines.linkmodel``) plus a prior -> a probability -> resolution by mutual best score -> a link, a review item
or nothing. Every link carries its evidence in Bahasa Indonesia.

Blocking keys:
- the claimed NIK itself, and its one-digit neighbourhood: the 16 keys with one position
  masked (finds one substitution, where the initial or the phonetic first name agrees too), the
  15 adjacent swaps (a transposition), its prefix when truncated (12-15 digits), the NIKs one
  deletion away when it has 17 digits;
- the family of the claimed NIK (a KK head's NIK written on a family member's record), or the
  family whose KK number it is;
- birth date with kelurahan, with the phonetic first or last name (or the last as the first, or
  the first as the last),
  or, for records without a kelurahan, with the initial; birth date alone for records without
  a usable NIK whose phonetic name keys found no one born that day; phonetic first + last name;
  KK number.

``pipelines.linkmodel.BLOCKING_RULES`` declares them all.

Each record links to at most one resident; a resident may be linked by several records of one
source (two welfare ids, an old PU card and a new BPU card), see :func:`resolve`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache

import numpy as np
import polars as pl
from rapidfuzz import fuzz, process
from rapidfuzz.distance import JaroWinkler

from pipelines.address import address_columns
from pipelines.linkmodel import (ANCHORS, BLOCKING_RULES, COMPARISON_NAMES, COMPARISONS, MIN_LABELLED, MISSING,
                                 PAIR_WEIGHT, PSEUDO_COUNT, RULE_BITS, RULES_TYPE, SETTLED_BY_NAME, TF_ADJUSTMENTS,
                                 LinkModel, estimate, evidence_text, log2_sum_odds, neighbour_says_nothing,
                                 probability, probability_among, record_prior, weight_expr, with_tf)
from pipelines.names import token_keys, without_balinese_prefix
from pipelines.partitioning import EVERYWHERE, ODDS_COLUMNS, REVIEW_ODDS
from pipelines.regions import kecamatan_table
from pipelines.nik import EXCEL_NOTATION, ascii_digits, excel_range, excel_shown, nik_birth_parts, nik_date_matches

@dataclass(frozen=True)
class LinkSettings:
    link_threshold: float = 0.90
    review_threshold: float = 0.50
    estimate: bool = True          # m/u/prior estimated from this run's pairs (else the start weights)
    term_frequency: bool = True    # exact names and birth dates weighted by their rarity

    @classmethod
    def from_rules(cls, rules) -> LinkSettings:
        """The linkage settings a rules file (``pipelines.rules.Rules``) gives."""
        return cls(rules.link_threshold, rules.review_threshold, rules.link_estimate, rules.link_term_frequency)


# --- blocking ---------------------------------------------------------------------------------

def _with_name_keys(side: pl.DataFrame, p: str) -> pl.DataFrame:
    """``side`` with the blocking keys of its names (column ``{p}name``): the phonetic keys of
    the first and the last word (``{p}fk``, ``{p}lk``) and the initial (``{p}ini``); and of its
    birth date (``{p}dob``) the year and the month-day (``{p}year``, ``{p}md``: the name rules
    split by either)."""
    dob = pl.col(f"{p}dob")
    keyed = side.select(_keyed=without_balinese_prefix(pl.col(f"{p}name")))
    return (side.hstack(token_keys(keyed, "_keyed", f"{p}fk", f"{p}lk"))
            .with_columns(keyed.get_column("_keyed").str.slice(0, 1).alias(f"{p}ini"),
                          dob.dt.year().cast(pl.Int32).alias(f"{p}year"),
                          (dob.dt.month().cast(pl.Int32) * 100 + dob.dt.day().cast(pl.Int32)).alias(f"{p}md")))


def _resident_side(residents: pl.DataFrame) -> pl.DataFrame:
    side = residents.select(
        r_key=pl.col("NIK").cast(pl.Int64), r_nik=pl.col("NIK"), r_name=pl.col("nama_norm"), r_dob=pl.col("TGL_LHR"),
        r_sex=pl.col("JENIS_KLMIN"), r_kel=pl.col("kode_kel"), r_kk=pl.col("NO_KK"),
        r_kkv=pl.col("NO_KK").cast(pl.String).cast(pl.Int64, strict=False),  # (see _kk_level)
    )
    return (side.hstack(address_columns(residents, "r_")).pipe(_with_name_keys, "r_")
            .with_columns(r_tokens=name_tokens_mask(pl.col("r_name")),
                          r_ymd=_ymd("r_dob"), r_days=pl.col("r_dob").cast(pl.Int32))
            .pipe(_with_words, "r_"))


def _record_side(records: pl.DataFrame, id_col: str) -> pl.DataFrame:
    cols = records.columns
    none, raw = pl.lit(None, pl.String), pl.col("nik_raw")
    # the claimed NIK's digits into a column first: _claimed_digits reads them four times
    side = records.with_columns(_digits=ascii_digits(raw)).select(
        s_key=pl.col(id_col).rank("ordinal").cast(pl.UInt32), s_id=pl.col(id_col),
        s_nik=pl.col("NIK"),
        s_digits=_claimed_digits(pl.col("_digits")), _excel=raw.str.contains(EXCEL_NOTATION), _shown=excel_shown(raw),
        s_name=pl.col("nama_norm"),
        s_dob=pl.col("TGL_LHR"),
        s_sex=pl.col("JENIS_KLMIN") if "JENIS_KLMIN" in cols else none,
        s_kel=pl.col("KODE_KEL") if "KODE_KEL" in cols else none,
        s_kk=pl.col("NO_KK") if "NO_KK" in cols else none,
        s_kkv=(pl.col("NO_KK") if "NO_KK" in cols else none).cast(pl.String).cast(pl.Int64, strict=False),
        # routed to every region of the extract (``pipelines.partitioning.EVERYWHERE``)
        s_everywhere=pl.col(EVERYWHERE).fill_null(False) if EVERYWHERE in cols else pl.lit(False),
    )
    # a NIK Excel wrote as 6.47401E+15: the digits it shows, a prefix as a truncated NIK's (its
    # exponent's were read as the NIK's: 15 shown and "15" made 17 digits, one deletion away from
    # a NIK of serial 0001 by chance), and the NIKs they could be, [s_xlo, s_xhi) (16 shown
    # digits are a float's, off by one above 2^53: their first 15 are kept)
    shown = pl.col("_shown")
    side = side.with_columns(s_digits=pl.when("_excel").then(shown.str.slice(0, 15)).otherwise("s_digits"),
                             **dict(zip(("s_xlo", "s_xhi"), excel_range(shown)))).drop("_excel", "_shown")
    digits = pl.col("s_digits").str.len_chars()
    return (side.hstack(address_columns(records, "s_")).pipe(_with_name_keys, "s_")
            .with_columns(s_tokens=name_tokens_mask(pl.col("s_name")),
                          s_ymd=_ymd("s_dob"), s_days=pl.col("s_dob").cast(pl.Int32), s_ndigits=digits.fill_null(0),
                          s_nik_yymmdd=_nik_yymmdd(pl.col("s_digits"), pl.col("s_dob")),
                          # the claimed NIK as an integer when it has 16 digits (as r_key); of one
                          # cut short (12-15), its first 12, region and date (see _nik_level)
                          s_v=pl.when(digits == 16).then(pl.col("s_digits").cast(pl.Int64, strict=False)),
                          s_p12=pl.when(digits.is_between(12, 15))
                          .then(pl.col("s_digits").str.slice(0, 12).cast(pl.Int64, strict=False)))
            .pipe(_with_words, "s_"))


def _claimed_digits(digits: pl.Expr) -> pl.Expr:
    """A claimed NIK's digits as the NIK rules read them. A serial 0000 is no NIK's (DOMAIN.md):
    sixteen digits ending so are twelve padded with zeros, a truncated NIK, read as its prefix
    (compared as 16 digits, the owner's NIK was "different": an independent generator's world,
    57 roster and 36 welfare records missed)."""
    return pl.when((digits.str.len_chars() == 16) & digits.str.ends_with("0000")).then(digits.str.slice(0, 12)) \
        .otherwise(digits)


def _nik_yymmdd(digits: pl.Expr, dob: pl.Expr) -> pl.Expr:
    """For a record without a birth date, the date its claimed NIK encodes (digits 7-12, ddmmyy,
    a woman's day + 40) as the integer yymmdd, when there are 12 digits or more and they are a
    date; null for every other record (see :func:`_dates_for_blank`)."""
    day, month, yy, _ = nik_birth_parts(digits)
    # 12-16 digits: of 17 (a digit too many) the date's place is not known (digits 7-12 read
    # 881011 from 6474_4_011108850011 and the record's person went unlinked: a review)
    ok = dob.is_null() & digits.str.len_chars().is_between(12, 16) & day.is_between(1, 31) & month.is_between(1, 12)
    return pl.when(ok).then(yy * 10_000 + month * 100 + day)


def _ymd(col: str) -> pl.Expr:
    """A date as the integer yyyymmdd: the comparisons take its parts with integer arithmetic,
    for millions of pairs, instead of calendar functions."""
    d = pl.col(col)
    return d.dt.year().cast(pl.Int32) * 10_000 + d.dt.month().cast(pl.Int32) * 100 + d.dt.day().cast(pl.Int32)


# Blocking rules (declared in ``pipelines.linkmodel.BLOCKING_RULES``) are bits in a pair's ``rules``
# mask (a pair found by several rules has several bits): cheap to union, cheap to test.


def has_rule(name: str) -> pl.Expr:
    return (pl.col("rules") & RULE_BITS[name]) != 0


def _rule(name: str) -> pl.Expr:
    return pl.lit(RULE_BITS[name], RULES_TYPE).alias("rule")


_POW = [10 ** (15 - i) for i in range(16)]  # the place value of NIK digit i


def _digit(v: pl.Expr, i: int) -> pl.Expr:
    return (v // _POW[i]) % 10


def _without_digit(v: pl.Expr, i: int) -> pl.Expr:
    """A join key equal for two NIKs that differ at most in digit ``i``: the NIK with that
    digit zeroed, times 16, plus ``i``."""
    return (v - _digit(v, i) * _POW[i]) * 16 + i


NEIGHBOUR_POSITIONS_AT_ONCE = 4  # NIK positions whose masked joins run side by side (_substitution_pairs)


def nik_pairs(r: pl.DataFrame, s: pl.DataFrame, max_family: int = 50) -> pl.DataFrame:
    """Pairs from the NIK-based blocking rules: (s_key, r_key, rules).

    NIKs are compared as 64-bit integers (16 digits fit): a masked position or a swapped pair
    of digits is arithmetic, and the joins are integer joins, several times faster than
    joining 16-character strings.

    The ~60 joins are lazy queries, collected a few at a time: polars runs them side by side
    on its streaming engine instead of one after another, each with a Python round trip
    (200k residents, both sources: 0.96-0.99 s -> 0.69-0.81 s; 1M: 5.8-6.6 s -> 3.8-4.9 s,
    at the same peak memory).
    """
    s = with_held(s, r)
    # claimed NIKs of 12-15 digits (truncated, rule 4), taken while the side is still a frame
    short = s.filter(pl.col("s_ndigits").is_between(12, 15)).select("s_key", key="s_digits", n="s_ndigits")
    # the digits Excel shows of a NIK are rounded (6474011508850006 -> 6.47401150885001E+15):
    # the prefix may also be one less
    rounded = s.filter(pl.col("s_ndigits").is_between(12, 15) & pl.col("s_xlo").is_not_null()).select(
        "s_key", key=(pl.col("s_digits").cast(pl.Int64) - 1).cast(pl.String).str.zfill(pl.col("s_ndigits")),
        n="s_ndigits")
    short = pl.concat([short, rounded])
    long = s.filter(pl.col("s_ndigits") == 17).select("s_key", "s_digits", "s_ini")  # (rule 6)
    r, s = r.lazy(), s.lazy()
    pairs: list[pl.LazyFrame] = []
    ri = r.select("r_key", v="r_key")  # the NIK as an integer already
    claimed = s.filter(pl.col("s_v").is_not_null()).with_columns(v="s_v")  # 16 digits claimed
    full = claimed.select("s_key", "v")

    # 1. exact NIK (the claimed digits, valid or not: a structurally odd NIK can still be exact)
    pairs.append(full.join(ri, on="v").select("s_key", "r_key", _rule("nik")))
    # 2. one substitution (with an initial or a phonetic first name that agrees too)
    pairs.append(_substitution_pairs(r, claimed).select("s_key", "r_key", _rule("nik_sub")))
    v = pl.col("v")
    # 3. adjacent transposition of digits i and i+1 (when they differ)
    swaps = pl.concat([  # one join for the 15 positions: the residents' side is hashed once
        full.filter(_digit(v, i) != _digit(v, i + 1)).select(
            "s_key", v=v + (_digit(v, i + 1) - _digit(v, i)) * (_POW[i] - _POW[i + 1]))
        for i in range(15)]).join(ri, on="v")
    pairs.append(swaps.select("s_key", "r_key", _rule("nik_swap")))
    # 4. truncated: 12-15 digits that are a resident NIK's prefix
    if short.height:
        rp = pl.concat([r.select("r_key", key=pl.col("r_nik").str.slice(0, n), n=pl.lit(n, pl.UInt32))
                        for n in range(12, 16)])
        pairs.append(short.lazy().join(rp, on=["key", "n"]).select("s_key", "r_key", _rule("nik_trunc")))
    # ... or 15 digits with one dropped anywhere before the last (the last is a prefix, above):
    # each NIK one digit inserted away
    dropped_one = s.filter((pl.col("s_ndigits") == 15) & pl.col("s_xlo").is_null()).select(
        "s_key", x=pl.col("s_digits").cast(pl.Int64, strict=False)).drop_nulls()
    pairs.append(dropped_one.join(_INSERTIONS.lazy(), how="cross")
                 .select("s_key", v=pl.col("x") // pl.col("at") * pl.col("at") * 10 + pl.col("d") * pl.col("at")
                         + pl.col("x") % pl.col("at"))
                 .join(ri, on="v").select("s_key", "r_key", _rule("nik_trunc")))
    # 5. the family of the claimed NIK's owner (KK head's NIK on a family member's record), or
    # the family whose KK number the record gives as its NIK
    pairs.append(_family_pairs(r, claimed, max_family).select("s_key", "r_key", _rule("nik_family")))
    # 6. a digit too many (17 digits: a key pressed twice, a digit added): each NIK one deletion
    # away, as a digit typed wrong is one substitution away (read as no NIK, an outside tester's
    # world missed 149 welfare records so), with the same initial as the substitutions have
    if long.height:
        d = pl.col("s_digits")
        dropped = pl.concat([long.lazy().select("s_key", "s_ini", v=(d.str.slice(0, i) + d.str.slice(i + 1))
                                                .cast(pl.Int64)) for i in range(17)]).unique()
        pairs.append(dropped.join(r.select("r_key", "r_ini", v="r_key"), left_on=["v", "s_ini"], right_on=["v", "r_ini"])
                     .select("s_key", "r_key", _rule("nik_sub")))
    return _union(pairs)


# a digit d inserted before the 15-digit number's last ``log10(at)`` digits, for every place but
# the end (a prefix: rule 4): ``x // at * at * 10 + d * at + x % at``
_INSERTIONS = pl.DataFrame({"at": [10 ** k for k in range(1, 16) for _ in range(10)],
                            "d": [d for _ in range(1, 16) for d in range(10)]}, schema={"at": pl.Int64, "d": pl.Int64})


def _family_pairs(r: pl.LazyFrame, claimed: pl.LazyFrame, max_family: int) -> pl.LazyFrame:
    """Rule 5 of :func:`nik_pairs`: (s_key, r_key) of each record and the family (KK) of the
    resident whose NIK it claims, or whose KK number it claims as its NIK.

    A family of at most ``max_family`` members is taken whole. A larger one (a pesantren's or an
    orphanage's KK, a placeholder KK an office wrote for hundreds) only where a member shares the
    record's birth date or its phonetic first or last name, each such part again at most
    ``max_family``: whole, every record claiming one of its members' NIKs paired with all of
    them, the pairs grew with the square of the family (1M residents with KKs of 100-500: 8.8M
    of one region's 9.4M welfare NIK pairs, 2.2M of its 4.9M pairs compared)."""
    fam = (r.select("r_key", "r_dob", "r_fk", "r_lk", kk="r_kk").filter(pl.col("kk").is_not_null())
           .with_columns(size=pl.len().over("kk")))
    rec = claimed.select("s_key", "s_dob", "s_fk", "s_lk", "v")
    # the family whose KK number was written as the NIK (a common slip: the card's other
    # number), as the family of a member's NIK: left "different" (-3), a roster record so written
    # was never compared with its family (the roster has no KK column), a welfare one was
    # weighed down (an outside tester's world: 62 protected workers listed as candidates, 600
    # records missed)
    # (not for a NIK that is a resident's own: NIKs and KK numbers are built alike, region, date
    # and serial, and collide; a review found 246 of 7,840 welfare records paired so with a
    # family not theirs)
    owner_kk = pl.concat([
        rec.join(fam.select("kk", v="r_key"), on="v").drop("v"),
        rec.join(r.select(v="r_key"), on="v", how="anti").join(
            fam.select(pl.col("kk").unique()).with_columns(v=pl.col("kk").cast(pl.Int64, strict=False)), on="v").drop("v"),
    ])
    small = fam.filter(pl.col("size") <= max_family)
    big = fam.filter(pl.col("size") > max_family)
    parts = [owner_kk.join(small.select("r_key", "kk"), on="kk").select("s_key", "r_key")]
    for s_col, r_col in (("s_dob", "r_dob"), ("s_fk", "r_fk"), ("s_lk", "r_lk")):
        members = big.select("r_key", "kk", r_col).drop_nulls().filter(pl.len().over("kk", r_col) <= max_family)
        parts.append(owner_kk.join(members, left_on=["kk", s_col], right_on=["kk", r_col]).select("s_key", "r_key"))
    return pl.concat(parts)


def _substitution_pairs(r: pl.LazyFrame, claimed: pl.LazyFrame) -> pl.LazyFrame:
    """Rule 2 of :func:`nik_pairs`, one substitution: (s_key, r_key) of the records' claimed
    16-digit NIKs (``claimed``, as the integer ``v``) and the residents' NIKs one digit away,
    position i masked on both sides, key = (NIK without digit i) * 16 + i.

    Most one-digit neighbours are strangers: born the same day in the same kecamatan with the
    next serial, or a year or a month apart with the same serial; their number grows with the
    kecamatan's density (9.4M neighbours for 384k welfare records at 1M residents). So a
    neighbour counts only when the name's initial agrees too (the initial is folded into the
    integer key: one join, no explosion), or, for names whose phonetic first key does not start
    with the initial (MUHAMMAD ALI -> AL), when that key agrees, or when the record's last word
    is the resident's first (phonetic keys: a name written surname first, AMIR NURHAYATI for
    NURHAYATI AMIR; an independent generator's 200k world: roster recall 0.9788 -> 0.9791).
    With a different name, a NIK one digit away could never carry a pair to a link anyway
    (see the weights).
    """
    def letter(ini: str) -> pl.Expr:  # A..Z -> 1..26, anything else 0
        code = (pl.col(ini).fill_null("").str.slice(0, 1) + "@").str.head(1).cast(pl.Binary).bin.encode("hex")
        return (code.str.to_integer(base=16, strict=False).fill_null(64) - 64).alias("letter")

    # One join per masked position, not one join of 16 stacked copies: the same pairs (the key
    # carries the position), but the largest frame is one copy of the residents, not sixteen
    # (at 1M residents, 16M rows of keys).
    def masked(df: pl.LazyFrame, keep: str, i: int, *extra: str) -> pl.LazyFrame:
        return df.select(keep, "v", *extra, key=_without_digit(pl.col("v"), i) * 32 + pl.col("letter"))
    # (the sides' own columns beside v: no join needed, v is s_v and r_key themselves)
    # the sides with their initials, computed once for the 32 joins that read them
    first = (claimed.select("s_key", "s_ini", "s_fk", "v").with_columns(letter("s_ini"), hs=pl.lit(None, pl.Int64))
             .collect().lazy())
    # and a name written surname first (AMIR NURHAYATI for NURHAYATI AMIR): keyed by its last
    # word's initial, the pairs kept where that word (its phonetic key, hashed) is the
    # resident's first word; for a record whose NIK no resident holds (a slip makes a NIK no one
    # has, mostly: for every record, 1M residents' welfare NIKs gained 28k pairs, nearly all
    # strangers, and took 0.35 s more; so, 740 pairs and ~0.1 s)
    last = pl.col("s_name").str.extract(r"(\S)\S*$")
    swapped = (claimed.filter(pl.col("s_lk").is_not_null() & (pl.col("s_lk") != pl.col("s_fk")) & ~pl.col("s_held"))
               .select("s_key", "v", s_ini=last, hs=pl.col("s_lk").hash(7).reinterpret(signed=True))
               .with_columns(letter("s_ini")))
    s_side = pl.concat([first, swapped], how="diagonal").collect().lazy()
    r_side = (r.select("r_key", "r_ini", "r_fk", v="r_key")
              .with_columns(letter("r_ini"), hr=pl.col("r_fk").hash(7).reinterpret(signed=True)).collect().lazy())
    odd_s = first.filter(pl.col("s_fk").str.slice(0, 1) != pl.col("s_ini"))
    odd_r = r_side.filter(pl.col("r_fk").str.slice(0, 1) != pl.col("r_ini"))
    # Collected four positions (eight joins) at a time: all sixteen at once held ~30 hash tables
    # together (1M residents, both sources: 1.36 GB at the peak against 1.0-1.1 GB one join at a
    # time); four at a time peaks at 1.0 GB and keeps the speed (200k: 0.69-0.81 s; sixteen at
    # once 0.66-0.76 s; one at a time 0.96-0.99 s).
    neighbours, collected = [], []
    for i in range(16):
        if i and i % NEIGHBOUR_POSITIONS_AT_ONCE == 0:
            collected.append(pl.concat(neighbours).collect().lazy())
            neighbours = []
        neighbours.append(masked(s_side, "s_key", i, "hs").join(masked(r_side, "r_key", i, "hr"), on="key", suffix="_r")
                          .filter((pl.col("v") != pl.col("v_r")) & (pl.col("hs").is_null() | (pl.col("hs") == pl.col("hr"))))
                          .select("s_key", "r_key"))
        neighbours.append(
            masked(odd_s, "s_key", i, "s_fk").with_columns(key=pl.col("key") // 32)
            .join(masked(odd_r, "r_key", i, "r_fk").with_columns(key=pl.col("key") // 32),
                  left_on=["key", "s_fk"], right_on=["key", "r_fk"], suffix="_r")
            .filter(pl.col("v") != pl.col("v_r")).select("s_key", "r_key"))
    # A record whose NIK disagrees with its own birth date has a typo in the date digits (6-11)
    # more often than not: for those few, a neighbour in those digits with the record's birth
    # date counts whatever the name.
    v = pl.col("v")
    bad_date = claimed.filter(~nik_date_matches("s_digits", "s_dob").fill_null(True)).select("s_key", "s_dob", "v")
    r_dates = r.select("r_key", "r_dob", v="r_key")
    by_date = pl.concat([
        bad_date.select("s_key", "s_dob", "v", key=_without_digit(v, i)).join(
            r_dates.select("r_key", "r_dob", "v", key=_without_digit(v, i)),
            left_on=["key", "s_dob"], right_on=["key", "r_dob"], suffix="_r")
        for i in range(6, 12)]).filter(pl.col("v") != pl.col("v_r")).select("s_key", "r_key")
    return pl.concat([*collected, *neighbours, by_date])


def _union(pairs: list[pl.DataFrame | pl.LazyFrame]) -> pl.DataFrame:
    # lazily: a collected query runs on polars' streaming engine, whose group-by is several
    # times faster than the in-memory engine of an eager DataFrame.group_by (8.3M pairs at 1M
    # residents: 6.6 s eager, 1.4 s collected)
    return pl.concat([p.lazy() for p in pairs]).group_by("s_key", "r_key").agg(rules=pl.col("rule").bitwise_or()).collect()


MAX_BLOCK = 50  # residents in an attribute block of a region (see attribute_pairs)
# ... and in a block of the rules for unsettled records (one name key with half the birth date):
# their blocks grow with the region, and at 50 they added 65% to the pairs of an independent
# generator's 1M world (welfare links missed 3,573 -> 2,695); at 20, 18% (-> 3,025); at 10, 6%
# (-> 3,190). In its 150k worlds 20 kept 80% of what 50 gave.
UNSETTLED_MAX_BLOCK = 20
# residents in an attribute block of the whole extract, for a record compared in every region:
# three regions' worth, so that its person is still reached in a region of their own when
# namesakes live in others (see attribute_pairs)
EXTRACT_MAX_BLOCK = 150


def extract_blocks(residents: pl.DataFrame | pl.LazyFrame, max_block: int = EXTRACT_MAX_BLOCK
                   ) -> dict[str, pl.DataFrame]:
    """Per attribute blocking rule, the residents' keys whose block holds more than ``max_block``
    residents of the whole extract (``residents``, every region): a record compared in every
    region (``s_everywhere``) skips them in each region (see :func:`attribute_pairs`)."""
    lf = residents.lazy() if isinstance(residents, pl.DataFrame) else residents
    side = lf.select(r_name=pl.col("nama_norm"), r_dob=pl.col("TGL_LHR"), r_kel=pl.col("kode_kel"),
                     r_kk=pl.col("NO_KK")).collect()
    side = _with_name_keys(side, "r_").lazy()
    # each set of resident keys counted once (13 for 16 rules: a swapped-name rule blocks on the
    # resident's keys of the plain one), the counts side by side in one collect_all (the
    # independent 1M world's two kab/kota, the whole step: 3.2-3.9 s before, 2.0-2.3 s so)
    keys = {rule.name: tuple(k[1] for k in rule.keys) for rule in BLOCKING_RULES if rule.keys}
    distinct = list(dict.fromkeys(keys.values()))
    counted = dict(zip(distinct, pl.collect_all([side.select(k).drop_nulls().group_by(k).len()
                                                 .filter(pl.col("len") > max_block).drop("len") for k in distinct])))
    return {name: counted[k] for name, k in keys.items()}


def _unsettled(s: pl.DataFrame, r: pl.DataFrame) -> pl.DataFrame:
    """The records without a usable NIK that no resident matches on the birth date and both
    phonetic name keys: those whose date or name is damaged (or who are no resident)."""
    nikless = s.filter(pl.col("s_ndigits") < 12)
    keys = [("s_dob", "r_dob"), ("s_fk", "r_fk"), ("s_lk", "r_lk")]
    return nikless.join(r.select(b for _, b in keys).drop_nulls().unique(), how="anti", nulls_equal=False,
                        left_on=[a for a, _ in keys], right_on=[b for _, b in keys])


def attribute_pairs(r: pl.DataFrame, s: pl.DataFrame, max_block: int = MAX_BLOCK,
                    extract_oversized: dict[str, pl.DataFrame] | None = None, labelled: bool = True
                    ) -> pl.DataFrame:
    """Pairs from the attribute blocking rules (``BLOCKING_RULES`` with keys): birth date with
    kelurahan, a phonetic name key or the initial, birth date alone (records without a usable
    NIK whose name keys found no one born that day), first + last name, KK number.

    Every key is narrower than a whole kab/kota, so a block's size does not grow with the
    region: a birth date alone would put ~N/24,000 residents in each block and make the pairs
    grow with N squared (measured: x8.9 pairs for x5 residents). A block larger than
    ``max_block`` residents (a placeholder date in a big kelurahan, a very common name) is
    skipped: other keys still reach those pairs, and the work stays bounded. (The unsettled
    records' rules, one name key with half the date, have blocks that do grow with the region:
    capped at ``UNSETTLED_MAX_BLOCK``.)

    A record routed to every region of the extract (no usable NIK and no address: most of a
    roster's damaged records, and the people who are no resident) also skips, in every region,
    the blocks larger than ``EXTRACT_MAX_BLOCK`` over the whole extract (``extract_oversized``,
    from :func:`extract_blocks`). Capped per region only, each region gave it up to
    ``max_block`` namesakes again, and its work grew with the number of kab/kota: 1M residents
    in 20 kab/kota, a roster of 350k with 45% of its NIKs damaged, 55.7M roster pairs compared
    (13.4M with the extract's cap, roster recall 0.61 -> 0.64, precision 0.995 -> 0.992). The
    cap is three regions' worth: at a region's own (50) its pairs were those of one region of
    them all (6.3M), but a person with namesakes in other regions went unreached (200k
    residents in 6 kab/kota: roster recall 0.78 -> 0.73; at 150, 0.78).

    The rules for the "unsettled" records (no usable NIK, no resident of the same birth date
    and phonetic name keys) run only when the extract is ``labelled``: when its claimed NIKs
    label enough pairs for the model to take its prior per record. Without labels the prior is
    per blocked pair (see ``pipelines.linkmodel``), and the namesakes these rules bring lowered
    it for every record: our 200k world with every claimed NIK erased, roster recall 0.9817 ->
    0.9722 with 47% more pairs.
    """
    pairs: list[pl.DataFrame] = []
    # A record with no usable NIK and a name changed beyond its phonetic keys has only its birth
    # date: for those records alone, the whole birth-date block. Not for every record without a
    # NIK: one whose phonetic name keys found someone born that day has its person in those
    # pairs, and in an extract with no NIKs at all (never matched against Dukcapil) the block
    # made most of the pairs and grew with the square of the region (200k residents, no NIKs:
    # 1.14M of 2.20M pairs; x3.5 for each doubling of the residents).
    named: list[pl.DataFrame] = [s.select("s_key").clear()]  # pairs of birth date + a phonetic name key
    # A record without a kelurahan (the BPJS roster) gets a birth date + initial block instead
    # of birth date + kelurahan.
    no_kel = s.filter(pl.col("s_kel").is_null())
    # the records routed to every region, which also skip the extract's oversized blocks
    everywhere = (s.filter(pl.col("s_everywhere")).select("s_key") if extract_oversized is not None
                  else s.select("s_key").clear())
    subsets = {"all": lambda: s, "no_kel": lambda: no_kel,  # (no_nik once the named pairs exist)
               "no_nik": lambda: s.filter(pl.col("s_ndigits") < 12).join(pl.concat(named), on="s_key", how="anti"),
               "unsettled": cache(lambda: _unsettled(s, r))}  # (found once, for its five rules)
    for rule in BLOCKING_RULES:
        if not rule.keys or (rule.records == "unsettled" and not labelled):
            continue
        s_keys, r_keys = [k[0] for k in rule.keys], [k[1] for k in rule.keys]
        left = subsets[rule.records]().select("s_key", *s_keys).drop_nulls()
        if left.height == 0:
            continue
        right = r.select("r_key", *r_keys).drop_nulls()
        if left.height * 4 < right.height:
            # the blocks some record reaches, whole (each key's residents all or none), before
            # their sizes are counted: a few thousand records' rules counted every resident's
            # (for a rule of most records, most blocks are reached, and the cut would add a join)
            right = right.join(left.select(s_keys).unique(), left_on=r_keys, right_on=s_keys, how="semi")
        cap = min(max_block, UNSETTLED_MAX_BLOCK) if rule.records == "unsettled" else max_block
        right = right.filter(pl.len().over(r_keys) <= cap)
        found = left.join(right, left_on=s_keys, right_on=r_keys)
        if everywhere.height and rule.name in extract_oversized:
            too_big = found.join(everywhere, on="s_key", how="semi").join(
                extract_oversized[rule.name], left_on=s_keys, right_on=r_keys, how="semi")
            found = found.join(too_big.select("s_key", "r_key"), on=["s_key", "r_key"], how="anti")
        pairs.append(found.select("s_key", "r_key", _rule(rule.name)))
        if rule.name in ("dob_first", "dob_last", "dob_swapped", "dob_swapped_back"):
            named.append(pairs[-1].select("s_key"))
    return _union(pairs) if pairs else pl.DataFrame(schema={"s_key": pl.UInt32, "r_key": pl.Int64,
                                                            "rules": RULES_TYPE})


# --- comparisons ------------------------------------------------------------------------------

def _nik_level() -> pl.Expr:
    # on integers: the claimed 16 digits (s_v) and the resident's NIK (r_key); equal prefixes of
    # 12 digits are equal quotients by 10^4
    v, n, digits = pl.col("s_v"), pl.col("r_key"), pl.col("s_ndigits")
    cut = pl.col("s_p12") * 10_000  # a NIK cut short, as 16 digits with its serial 0000
    return (
        pl.when(digits == 0).then(pl.lit("missing"))
        # a NIK Excel wrote as 6.47401E+15 whose shown digits this resident's NIK does not give:
        # someone's from another kecamatan, unless the resident's KK number gives them, or the
        # kelurahan is the resident's (the family's KK number, or a family member's NIK, written
        # as the record's: a review's card was linked before at 0.9996, then not at all)
        .when(~_shown_gives(n))
        .then(pl.when(_shown_gives(pl.col("r_kkv")) | (pl.col("s_kel") == pl.col("r_kel"))).then(pl.lit("missing"))
              .otherwise(pl.lit("excel_elsewhere")))
        .when(_shows_kecamatan()).then(pl.lit("excel_agrees"))
        .when(v == n).then(pl.lit("exact"))
        .when((digits == 16) & (v // 10_000 == n // 10_000)
              & (has_rule("nik_swap") | has_rule("nik_sub")))
        .then(pl.lit("serial_differs"))
        # one digit off where the NIK stays one someone else born that day could hold: the region
        # (to a kecamatan that exists: a code no one is given is no one else's NIK) or the day's
        # +40 (the other sex); the date and the serial the same
        .when((digits == 16) & has_rule("nik_sub") & (v % 10_000 == n % 10_000)
              & (_nik_yymmdd_of(v) == _nik_yymmdd_of(n))
              & ((v // 10**10 == n // 10**10) | (v // 10**10).is_in(_kecamatan_codes().implode())))
        .then(pl.lit("same_day_neighbour"))
        .when(has_rule("nik_swap")).then(pl.lit("transposition"))
        .when(has_rule("nik_sub")).then(pl.lit("one_substitution"))
        .when(has_rule("nik_trunc")).then(pl.lit("truncated"))
        .when(has_rule("nik_family")).then(pl.lit("family_head"))
        # a NIK cut short (12-15 digits, not Excel's) whose region part is two digits or more
        # from this resident's NIK's and whose date part is theirs: the NIK of someone born that
        # day elsewhere, as a whole one would be (a crafted-names review: namesakes' cards with a
        # Bandung NIK cut short linked at 1.0, read as carrying no NIK); one digit apart may be a
        # slip, and a cut NIK of this resident's region is found by its prefix (nik_trunc)
        .when(pl.col("s_xlo").is_null() & (_nik_yymmdd_of(cut) == _nik_yymmdd_of(n))
              & (pl.sum_horizontal((_digit(cut, i) != _digit(n, i)).cast(pl.Int8) for i in range(6)) >= 2))
        .then(pl.lit("another_person"))
        # (a slip of the hand is told apart on these pairs alone: see _slips_are_different); not
        # beside the resident's own KK number and name, where a NIK no resident holds that
        # carries the resident's date is their NIK mistyped, whatever the slip (a crafted-names
        # review: two serial digits swapped apart, name, date, KK, address and kelurahan exact,
        # was -20 and left unlinked). The name too: beside the KK alone, a family member born
        # the same day is no longer ruled out, and the independent world lost a right welfare link
        .when((digits == 16) & ~pl.col("s_held") & (_nik_yymmdd_of(v) == _nik_yymmdd_of(n))
              & ~((pl.col("s_kkv") == pl.col("r_kkv")) & pl.col("name").is_in(["exact", "very_similar"]))
              .fill_null(False))
        .then(pl.lit("another_person"))
        .when(digits == 16).then(pl.lit("different"))
        .otherwise(pl.lit("missing"))
    )


def _shown_gives(nik: pl.Expr) -> pl.Expr:
    """Whether the NIK (an integer) is one the record's Excel-damaged NIK can show
    ([s_xlo, s_xhi), :func:`pipelines.nik.excel_range`); null for a record without one."""
    return nik.is_between(pl.col("s_xlo"), pl.col("s_xhi"), closed="left")


def _shows_kecamatan() -> pl.Expr:
    """A record whose Excel-damaged NIK shows 6 to 11 digits: a kecamatan, no whole birth date
    (12 or more are a truncated NIK's, see nik_pairs; fewer name no kecamatan: Excel drops
    trailing zeros, 647410 shows as 6.4741E+15, and 05-14 agree). Its level ``excel_agrees``."""
    return pl.col("s_xlo").is_not_null() & pl.col("s_ndigits").is_between(6, 11)


@lru_cache(maxsize=1)
def _kecamatan_codes() -> pl.Series:
    """The Kemendagri kecamatan codes (a NIK's first six digits) as integers."""
    return pl.Series([int(code) for code in kecamatan_table()], dtype=pl.Int64)


def _slips_are_different(p: pl.DataFrame) -> pl.DataFrame:
    """The pairs of NIK level ``another_person`` whose NIKs are one slip apart
    (:func:`_one_slip`) put back in ``different``: a typo that blocking did not find as one.
    Computed on those pairs alone (a few in a thousand): on every pair it cost 0.46 s per
    500k pairs."""
    at = p.select(pl.col("nik") == "another_person").to_series()
    if not at.any():
        return p
    rows = pl.int_range(pl.len(), dtype=pl.UInt32)
    slips = (p.select(rows.alias("_i"), "s_v", "r_key").filter(at)
             # (a NIK cut short has no s_v, and no digit of a null differs: not a slip)
             .filter(pl.col("s_v").is_not_null() & _one_slip(pl.col("s_v"), pl.col("r_key"))).get_column("_i"))
    if slips.is_empty():
        return p
    return p.with_columns(nik=pl.when(rows.is_in(slips.implode())).then(pl.lit("different")).otherwise(pl.col("nik")))


def _one_slip(v: pl.Expr, n: pl.Expr) -> pl.Expr:
    """Whether two 16-digit NIKs (integers) differ in one digit, or in two adjacent digits
    swapped: a slip of the hand, whether or not blocking found the pair through it (the NIK
    rules want the initial to agree too, and a name with its first letter mistyped is found
    through the birth date instead)."""
    digit = [(_digit(v, i), _digit(n, i)) for i in range(16)]
    differ = pl.sum_horizontal(*((a != b).cast(pl.Int8) for a, b in digit))
    swapped = pl.any_horizontal(*((a1 == b2) & (a2 == b1) & (a1 != a2) for (a1, b1), (a2, b2) in zip(digit, digit[1:])))
    return (differ <= 1) | ((differ == 2) & swapped)


CLOSE_DATE_DAYS = 31  # the dob level "within_a_month": at most this many days apart (s_days, r_days)


# name levels that agree: where a pair's names agree, a shared household is no reason to doubt
# the date its NIK carries (see _dates_for_blank)
NAMES_AGREE = ("exact", "very_similar", "subset", "similar")
_NIK_RULES_BUT_FAMILY = ("nik", "nik_sub", "nik_swap", "nik_trunc")


def _dates_for_blank(speaks: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """The two birth dates as a pair compares them (``s_ymd``, ``r_ymd``, read by
    :func:`_dob_level`): for a record without one, the date its claimed NIK encodes
    (``s_nik_yymmdd``, in the resident's century), against the date the resident's NIK
    encodes, where ``speaks`` (:func:`_nik_date_speaks`): not where the pair agrees on a
    household field (KK, kelurahan, address) and not on the name, or was found through the
    family of the NIK's owner alone.

    The NIK's weight is what it adds to an equal birth date (its u is measured among strangers
    born the same day), so with the record's date blank the date the NIK carries counted nowhere:
    an exact NIK with a name reduced to one word scored 0.64 (independent 50k world: 63 roster
    records with an exact or repaired NIK and no date unlinked). Read as a written date would be,
    except:

    - in a household that shares KK, kelurahan or address, where among non-matches an exact NIK
      is mostly a family member's, whose NIK date is his own (read there, a welfare record
      carrying a family member's NIK without a date linked to that member: 31 of them); but not
      where the names agree as well, which a family member's do not;
    - in a pair found only through the family of the NIK's owner, where the date is the owner's
      and says nothing of this member;
    - and it is compared with the resident's NIK date, not the registry's birth date, which may
      differ from it (a NIK issued with another date: flagged, not wrong).

    The last three, from an error analysis on an independent generator's 200k world (which
    blanks dates where this project's generator does not): welfare links missed 86 fewer,
    roster 37, 9 and 1 more wrong; no change on this project's worlds. The roster has no
    household fields, so there its records always have the NIK's date."""
    use = pl.col("s_ymd").is_null() & pl.col("s_nik_yymmdd").is_not_null() & speaks
    century = pl.col("r_ymd") // 1_000_000 * 1_000_000
    return (pl.when(use).then(century + pl.col("s_nik_yymmdd")).otherwise(pl.col("s_ymd")),
            pl.when(use).then(century + _nik_yymmdd_of(pl.col("r_key"))).otherwise(pl.col("r_ymd")))


def _nik_date_speaks(name_level: pl.Expr) -> pl.Expr:
    """Pairs for which the date a record's claimed NIK encodes stands for its birth date (see
    :func:`_dates_for_blank`): not a household's (KK, kelurahan or address the same, the names
    not), not a pair found through the family of the NIK's owner alone."""
    household = pl.lit(False)
    for f in ("kk", "kel", "addr"):
        household = household | (pl.col(f"s_{f}") == pl.col(f"r_{f}")).fill_null(False)
    household = household & ~name_level.is_in(NAMES_AGREE)
    family_only = has_rule("nik_family") & ~pl.any_horizontal(has_rule(r) for r in _NIK_RULES_BUT_FAMILY) \
        & (pl.col("s_v") != pl.col("r_key")).fill_null(True)
    return ~household & ~family_only


def _slip_in_date(speaks: pl.Expr) -> pl.Expr:
    """Pairs whose record has no birth date of its own and whose claimed NIK, no resident's,
    is one slip (a digit, or two swapped) from the resident's, the region and the serial the
    resident's: the slip is in the date digits, and the date the NIK encodes (or not: a month
    51) disagrees by that slip alone, which the NIK level counts. Read as a written date, it
    counted a second time: DAYANG ROSITA's 46 06 49 for 46 04 69 (her exact name, no birth
    date) was a "different" date and her active card went unlinked. Such a pair's date is
    scored as agreeing, as a slip in the serial leaves it (:func:`_slip_dates_agree`), after
    the estimation, which reads the dates as compared (read so there too, the NIK levels'
    weights moved and links elsewhere were lost). Not for a NIK a resident holds: a
    namesake's NIK one date digit away (the same serial: 0001 is every day's first) then
    competed with the holder's own, and a card linked at 0.99999 went unlinked."""
    v, n = pl.col("s_v"), pl.col("r_key")
    slip = ((has_rule("nik_sub") | has_rule("nik_swap")) & (v != n)
            & (v // 10**10 == n // 10**10) & (v % 10_000 == n % 10_000))
    return (pl.col("s_ymd").is_null() & ~pl.col("s_held") & slip & speaks).fill_null(False)


def _nik_yymmdd_of(nik: pl.Expr) -> pl.Expr:
    """The date a resident's NIK encodes (an Int64 NIK: digits 7-12 ddmmyy, a woman's day + 40)
    as the integer yymmdd, as ``s_nik_yymmdd`` is."""
    day = nik // 10**8 % 100
    return (nik // 10**4 % 100) * 10_000 + (nik // 10**6 % 100) * 100 + pl.when(day > 40).then(day - 40).otherwise(day)


def _dob_level() -> pl.Expr:
    a, b = pl.col("s_ymd"), pl.col("r_ymd")  # see _ymd; s_days, r_days: the dates as day numbers
    a_d, a_m, a_y, b_d, b_m, b_y = a % 100, a // 100 % 100, a // 10_000, b % 100, b // 100 % 100, b // 10_000
    same_d, same_m, same_y = a_d == b_d, a_m == b_m, a_y == b_y

    def placeholder(d: pl.Expr, m: pl.Expr) -> pl.Expr:  # 01-01, 01-07 or 31-12
        return ((d == 1) & m.is_in([1, 7])) | ((d == 31) & (m == 12))
    return (
        pl.when(a.is_null() | b.is_null()).then(pl.lit("missing"))
        .when(a == b).then(pl.lit("exact"))
        .when((a_d == b_m) & (a_m == b_d) & same_y).then(pl.lit("day_month_swapped"))
        .when(same_d & same_m & ((a_y - b_y).abs() == 1)).then(pl.lit("year_off_by_one"))
        # the dates a register writes when only the year is known: 01-01, 01-07, 31-12, on either
        # side (Dukcapil writes them too: a record with the real date against a resident's 01-07
        # was "different", an outside tester's world missed 87 welfare and 85 roster records so)
        .when(same_y & (placeholder(a_d, a_m) | placeholder(b_d, b_m))).then(pl.lit("placeholder"))
        # a slip of the pen in one part: the year two off, or one of the day's two digits
        # (an independent generator's worlds: 86% and 75% of such pairs were the person, against
        # none of those whose month or year differed otherwise, which "one part differs" mixed)
        .when((same_d & same_m & ((a_y - b_y).abs() == 2))
              | (same_y & same_m & ((a_d % 10 == b_d % 10) | (a_d // 10 == b_d // 10))))
        .then(pl.lit("one_part_slip"))
        .when((same_d.cast(pl.Int8) + same_m.cast(pl.Int8) + same_y.cast(pl.Int8)) == 2).then(pl.lit("one_part_differs"))
        .when((pl.col("s_days") - pl.col("r_days")).abs() <= CLOSE_DATE_DAYS).then(pl.lit("within_a_month"))
        .otherwise(pl.lit("different"))
    )


def _eq_level(a: str, b: str) -> pl.Expr:
    return (pl.when(pl.col(a).is_null() | pl.col(b).is_null()).then(pl.lit("missing"))
            .when(pl.col(a) == pl.col(b)).then(pl.lit("same")).otherwise(pl.lit("different")))


def name_tokens_mask(name: pl.Expr, words_only: bool = False) -> pl.Expr:
    """A name's tokens as a 64-bit set: bit ``hash(token) % 64`` for each. When one name's
    tokens are a subset of another's, so are its bits; the converse is rarely true by chance.
    ``words_only``: of its words of two letters or more alone (an initial's bit left out)."""
    bit = pl.lit(2, pl.UInt64).pow((pl.element().hash() % 64).cast(pl.UInt64))
    if words_only:
        bit = pl.when(pl.element().str.len_chars() > 1).then(bit).otherwise(pl.lit(0, pl.UInt64))
    return name.str.split(" ").list.eval(bit).list.unique().list.sum()


_INITIAL = r"(?:^| )[A-Z](?: |$)"  # a one-letter word of a normalised name


def _initials_subset(a: str, b: str) -> bool:
    """Whether one name's words are a subset of the other's once each one-letter word (an
    initial) that is not a word of the other name stands for a distinct word of it that starts
    with that letter and is not already matched (N ERNAWATI in NORHAYATI ERNAWATI)."""
    ta, tb = a.split(" "), b.split(" ")

    def covered(short: list[str], full: list[str]) -> bool:
        free = list(full)
        for w in short:  # whole words first: an initial takes only a word left over
            if w in free:
                free.remove(w)
            elif len(w) > 1:
                return False
        for w in short:
            if len(w) == 1 and w not in full:
                hit = next((x for x in free if len(x) > 1 and x[0] == w), None)
                if hit is None:
                    return False
                free.remove(hit)
        return True
    return covered(ta, tb) or covered(tb, ta)


def _with_words(side: pl.DataFrame, p: str) -> pl.DataFrame:
    """``side`` with ``{p}words``: of a name (``{p}name``) with a one-letter word, the mask of its
    other words (:func:`name_tokens_mask`, ``words_only``); null for every other name, whose
    words are all its tokens (``{p}tokens``). Computed for those names alone: most names of a
    city have no initial, four in ten of Bali's (I WAYAN ...)."""
    at = side.get_column(f"{p}name").str.contains(_INITIAL).arg_true()
    words = pl.repeat(None, side.height, dtype=pl.UInt64, eager=True).alias(f"{p}words")
    if at.len():
        words = words.scatter(at, side[at].select(_words_mask(pl.col(f"{p}name"))).to_series())
    return side.with_columns(words)


def _words_mask(name: pl.Expr) -> pl.Expr:
    """Of a name with a one-letter word, the mask of its words of two letters or more; null for
    every other name (see :func:`_with_words`)."""
    return pl.when(name.str.contains(_INITIAL)).then(name_tokens_mask(name, words_only=True))


def _words_within(words: pl.Expr, other_tokens: pl.Expr) -> pl.Expr:
    """Whether every word of a name of two letters or more (their mask ``words``) may be a word
    of the other name, whose tokens' mask is ``other_tokens``: false only when one surely is not."""
    return (words & other_tokens) == words


NAME_WEAK = 0.75  # the lowest similarity of a name level (weak): under it, the names are different


def _name_level(p: pl.DataFrame) -> pl.Series:
    # rapidfuzz only where it can change the level: equal names are "exact", missing ones
    # "missing" (most NIK-blocked pairs carry the same name, so this skips most of the work)
    masks = [pl.col(c) if c in p.columns else name_tokens_mask(pl.col(n))
             for c, n in (("s_tokens", "s_name"), ("r_tokens", "r_name"))]
    words = [pl.col(c) if c in p.columns else _words_mask(pl.col(n))
             for c, n in (("s_words", "s_name"), ("r_words", "r_name"))]
    names = p.select(a=pl.col("s_name"), b=pl.col("r_name"), ta=masks[0], tb=masks[1], wa=words[0], wb=words[1])
    todo = names.with_row_index("i").filter(pl.col("a").is_not_null() & pl.col("b").is_not_null()
                                            & (pl.col("a") != pl.col("b")))
    a, b = todo.get_column("a").to_list(), todo.get_column("b").to_list()
    jw = np.zeros(names.height, dtype=np.float32)
    tsort = np.zeros(names.height, dtype=np.float32)
    tset = np.zeros(names.height, dtype=np.float32)
    if a:
        idx = todo.get_column("i").to_numpy()
        # (a score under the lowest level's, 0.75, is no level's: rapidfuzz gives it as 0, and
        # skips the rest of its work once it cannot reach it)
        jw[idx] = process.cpdist(a, b, scorer=JaroWinkler.normalized_similarity, workers=-1, dtype=np.float32,
                                 score_cutoff=NAME_WEAK)
        tsort[idx] = process.cpdist(a, b, scorer=fuzz.token_sort_ratio, workers=-1, dtype=np.float32,
                                    score_cutoff=100 * NAME_WEAK) / 100
        # token_set_ratio is 100 exactly when one name's token set contains the other's (names
        # are single-spaced A-Z, never empty here); short of that it stays below 99.9 unless the
        # names run to hundreds of characters. So it is computed only where the token masks
        # allow a subset, or for such long names (1M residents: 331k of 4.7M welfare name pairs,
        # where token_set_ratio over all of them took 3.0 s).
        ta, tb, both = pl.col("ta"), pl.col("tb"), pl.col("ta") & pl.col("tb")
        maybe = todo.filter((both == ta) | (both == tb)
                            | (pl.col("a").str.len_chars() + pl.col("b").str.len_chars() >= 400))
        if maybe.height:
            tset[maybe.get_column("i").to_numpy()] = process.cpdist(
                maybe.get_column("a").to_list(), maybe.get_column("b").to_list(), scorer=fuzz.token_set_ratio,
                workers=-1, dtype=np.float32) / 100
        # a name written with initials (N. ERNAWATI, BUDI S.) is part of the full name when each
        # initial stands for a word of the other name: a subset, as a dropped word is
        # (only where one name's words of two letters or more are all words of the other, as
        # _initials_subset requires: a test of the masks' bits. In Bali four in ten names begin
        # with the one-letter I (I WAYAN ...), and a third of a region's pairs have an initial:
        # with each tested in Python, the name level of Denpasar's 448k welfare pairs took
        # 1.11 s, 0.62 s so, the levels the same; the region linking of a 200k Bali world
        # 20.3-21.6 s -> 15.3 s)
        wa, wb = pl.col("wa"), pl.col("wb")
        initials = todo.filter((wa.is_not_null() | wb.is_not_null())
                               & (_words_within(pl.coalesce(wa, "ta"), pl.col("tb"))
                                  | _words_within(pl.coalesce(wb, "tb"), pl.col("ta"))))
        if initials.height:
            at = initials.get_column("i").to_numpy()
            tset[at] = np.maximum(tset[at], [float(_initials_subset(x, y))
                                             for x, y in initials.select("a", "b").iter_rows()])
    f = names.with_columns(jw=pl.Series(jw), tsort=pl.Series(tsort), tset=pl.Series(tset))
    return f.select(
        pl.when(pl.col("a").is_null() | pl.col("b").is_null()).then(pl.lit("missing"))
        .when(pl.col("a") == pl.col("b")).then(pl.lit("exact"))
        .when((pl.col("tsort") >= 0.93) | (pl.col("jw") >= 0.96)).then(pl.lit("very_similar"))
        .when(pl.col("tset") >= 0.999).then(pl.lit("subset"))
        .when(pl.max_horizontal("jw", "tsort") >= 0.88).then(pl.lit("similar"))
        .when(pl.max_horizontal("jw", "tsort") >= NAME_WEAK).then(pl.lit("weak"))
        .otherwise(pl.lit("different"))
    ).to_series()


def _other_kelurahan() -> pl.Expr:
    """Both sides have a kelurahan, and they differ: there the address and the KK say nothing
    the kelurahan level does not (see :func:`_kk_level`, :func:`_address_level`)."""
    return (pl.col("s_kel") != pl.col("r_kel")).fill_null(False)


def _kk_level() -> pl.Expr:
    """The KK numbers the same, different, or missing; in another kelurahan a different KK is
    what a move makes (DOMAIN: the KK changes when a family moves), so it says nothing the
    kelurahan level does not: missing there. Counted again, a family that moved lost -4 more on
    its welfare record (an outside tester's world: welfare R 0.9851 -> 0.9884, P 0.9986 ->
    0.9972, the namesakes from outside now weighed on their NIK alone; the independent world
    P 0.9995 -> 0.9996, R 0.9931 -> 0.9935). The same KK in another kelurahan still counts."""
    # as integers (``s_kkv``, ``r_kkv``): string slices cost 0.6-0.9 s per 5M pairs, this 0.2
    a, b = pl.col("s_kkv"), pl.col("r_kkv")
    # a record's KK whose 16th digit is 0 and the first 15 the resident's: Excel keeps 15
    # significant digits and zeroes the 16th (DOMAIN), as whole batches of a welfare extract
    # come; it was a different KK (an outside tester's Makassar world: 628 of its 950 missed
    # welfare records, 41% missed even with name, date and address exact)
    excel = (a % 10 == 0) & (a // 10 == b // 10)
    return (pl.when(a.is_null() | b.is_null()).then(pl.lit("missing"))
            .when(a == b).then(pl.lit("same"))
            .when(excel).then(pl.lit("first_15_same"))
            .when(_other_kelurahan()).then(pl.lit("missing"))
            .otherwise(pl.lit("different")))


def _address_level() -> pl.Expr:
    """The same address (RT/RW not contradicting), the same street (another or no house number,
    or another RT/RW), the same RT and RW only, or different. Whole-column string equality on
    the normal forms: no per-pair scoring."""
    rt_differs = (pl.col("s_rt") != pl.col("r_rt")).fill_null(False) | (pl.col("s_rw") != pl.col("r_rw")).fill_null(False)
    rt_rw_same = (pl.col("s_rt") == pl.col("r_rt")).fill_null(False) & (pl.col("s_rw") == pl.col("r_rw")).fill_null(False)
    # in another kelurahan the address differs whoever the pair is (an RT/RW pair, a street's
    # name recur across kelurahan): what it says the kelurahan level says, counted once there.
    # Counted twice, a family that moved (DOMAIN: 13% live away from their KK's address) lost
    # another -2.7 on a welfare record made where it lives (an outside tester's world: movers'
    # welfare recall 0.82 against 0.99)
    return (
        pl.when(pl.col("s_addr").is_null() | pl.col("r_addr").is_null() | _other_kelurahan()).then(pl.lit("missing"))
        .when((pl.col("s_addr") == pl.col("r_addr")) & ~rt_differs).then(pl.lit("exact"))
        .when((pl.col("s_street") == pl.col("r_street")).fill_null(False)).then(pl.lit("street_same"))
        .when(rt_rw_same).then(pl.lit("rt_rw_same"))
        .otherwise(pl.lit("different"))
    )


# a comparison's levels as an Enum: 4 bytes a pair instead of a string (7 columns, millions of pairs)
LEVEL_TYPES = {c.name: pl.Enum(c.level_names()) for c in COMPARISONS}
# side columns no comparison reads (ids, blocking keys, the forms the integer columns replace)
NOT_COMPARED = ("s_id", "s_nik", "s_fk", "s_lk", "s_ini", "s_digits", "s_dob", "s_everywhere", "s_year", "s_md",
                "r_nik", "r_fk", "r_lk", "r_ini", "r_dob", "r_year", "r_md")
SLIP_IN_DATE = "dob_slip"  # a compared pair's flag: see _slip_in_date
COMPARE_CHUNK = 500_000  # pairs compared at once: the wide joined frame exists one chunk at a time


def with_held(s: pl.DataFrame, r: pl.DataFrame) -> pl.DataFrame:
    """The record side with ``s_held``: a resident (of these) holds the record's claimed NIK
    (the NIK level ``another_person`` is for a NIK no resident holds)."""
    if "s_held" in s.columns:
        return s
    return s.with_columns(s_held=pl.col("s_v").is_in(r.get_column("r_key").implode()).fill_null(False))


def compare(pairs: pl.DataFrame, r: pl.DataFrame, s: pl.DataFrame, chunk: int = COMPARE_CHUNK) -> pl.DataFrame:
    """Each pair's level on every comparison (columns named as in ``COMPARISONS``), with its
    ``rules`` and the term-frequency adjustments; nothing else of the two records is kept."""
    out = []
    s = with_held(s, r)
    # the blocking keys and ids say nothing here: fewer string columns to gather for each pair
    s, r = s.drop(*NOT_COMPARED, strict=False), r.drop(*NOT_COMPARED, strict=False)
    for start in range(0, pairs.height, chunk):
        p = pairs.slice(start, chunk).join(s, on="s_key").join(r, on="r_key")
        p = p.with_columns(name=_name_level(p))
        # the levels as a lazy query: its optimizer computes each repeated part of them once (the
        # NIK's date, a date's day, month and year, in several tests each), where an eager
        # with_columns computes it for every test that reads it (1.07M pairs: 0.64 s -> 0.33 s)
        levels = p.lazy()
        if p.get_column("s_ymd").null_count():  # a record without a birth date: its NIK's may speak
            levels = levels.with_columns(_speaks=_nik_date_speaks(pl.col("name")))
            levels = levels.with_columns(_slip=_slip_in_date(pl.col("_speaks")))
            if p.get_column("s_nik_yymmdd").null_count() < p.height:
                s_ymd, r_ymd = _dates_for_blank(pl.col("_speaks"))
                levels = levels.with_columns(s_ymd=s_ymd, r_ymd=r_ymd)
        else:
            levels = levels.with_columns(_slip=pl.lit(False))
        p = levels.with_columns(
            nik=_nik_level(), dob=_dob_level(), sex=_eq_level("s_sex", "r_sex"),
            kel=_eq_level("s_kel", "r_kel"), kk=_kk_level(), address=_address_level(),
        ).collect().pipe(_slips_are_different)
        out.append(p.select("s_key", "r_key", "rules", *(pl.col(c).cast(t) for c, t in LEVEL_TYPES.items()),
                            *TF_ADJUSTMENTS, pl.col("_slip").alias(SLIP_IN_DATE)))
    if not out:
        return pl.DataFrame(schema={"s_key": pl.UInt32, "r_key": pl.Int64, "rules": RULES_TYPE, **LEVEL_TYPES,
                                    **{t: pl.Float32 for t in TF_ADJUSTMENTS}, SLIP_IN_DATE: pl.Boolean})
    return pl.concat(out)


NIK_DATE = "dob_in_nik"  # a scored pair's written date level where _written_date_slipped, else null
# the birth-date levels of a written date near the resident's: with the resident's own NIK and
# names that agree, the NIK's date is the record's (see _written_date_slipped)
NEAR_DATES = ("day_month_swapped", "year_off_by_one", "one_part_slip", "placeholder", "one_part_differs",
              "within_a_month")


def _written_date_slipped() -> pl.Expr:
    """Pairs whose claimed NIK is the resident's exactly, whose names agree (exact or very
    similar) and whose written birth date is near the resident's (one of ``NEAR_DATES``: a slip,
    a placeholder, a swap, a month or a year off), not the same: the NIK carries the resident's
    date, so the record's written date slipped. The NIK's weight counts what it adds to an equal
    date (its u is measured among strangers born the same day), so where the written date slipped
    the date inside the NIK counted nowhere: GUSTI JAHRI, 2003-05-29, on the resident's own NIK
    (born 2003-05-28) lost to his twin sister of the same name, whom the NIK of a family member
    gave ("NIK milik anggota keluarga", date a slip too), and his active card went unlinked
    (an independent generator's world). Such a pair's date is scored as agreeing after the
    estimation (:func:`_slip_dates_agree`). Not for a date that is "different" (another
    person's: a record carrying a family member's NIK with its own date), nor where the sexes
    differ (a sister's record with her brother's NIK, as ``VOUCHING_NAMES``), nor for names only
    similar or a subset (a father's and son's: tried, right links were lost), nor for a
    repaired NIK: on eight held-out worlds of 150-200k residents welfare missed 49 fewer and
    roster 21, no right link lost, one more wrong (two sisters of one name a month apart, the
    record's date a placeholder and its NIK the other's; docs/benchmarks.md)."""
    return ((pl.col("nik") == "exact") & pl.col("name").is_in(["exact", "very_similar"])
            & pl.col("dob").is_in(NEAR_DATES) & (pl.col("sex") != "different")).fill_null(False)


def _slip_dates_agree(compared: pl.DataFrame) -> pl.DataFrame:
    """The birth dates of the pairs :func:`_slip_in_date` and :func:`_written_date_slipped`
    flag scored as agreeing (after the estimation, which reads them as compared); the flags
    stay, for the evidence (``NIK_DATE``: the written date's level as compared, else null)."""
    compared = compared.with_columns(pl.when(_written_date_slipped()).then(pl.col("dob")).alias(NIK_DATE))
    return compared.with_columns(dob=pl.when(pl.col(SLIP_IN_DATE) | pl.col(NIK_DATE).is_not_null())
                                 .then(pl.lit("exact", LEVEL_TYPES["dob"])).otherwise(pl.col("dob")))


def _owner_fits(compared: pl.DataFrame, settled: pl.DataFrame) -> pl.DataFrame:
    """A family pair (``family_head``) of a settled record, whose claimed NIK's owner fits it
    (name and birth date agree), put in the NIK level ``family_owner_fits``."""
    fits = (pl.col("nik") == "family_head") & pl.col("s_key").is_in(settled.get_column("s_key").implode())
    return compared.with_columns(nik=pl.when(fits).then(pl.lit("family_owner_fits", LEVEL_TYPES["nik"]))
                                 .otherwise(pl.col("nik")))


# The other NIK pairs of settled records (see ``_link``): at most this many are compared, a
# random sample of those records standing in for all of them in the estimation.
SETTLED_SAMPLE_PAIRS = 50_000


def _named_rivals(others: pl.DataFrame, anchored: pl.DataFrame, r: pl.DataFrame, s: pl.DataFrame) -> pl.DataFrame:
    """Of the NIK pairs other than the exact NIK (``others``), those (``s_key``, ``r_key``) of
    the records settled with a name only very similar to their NIK's holder's (``anchored``, its
    name not in ``SETTLED_BY_NAME``) where the resident's name is the record's exactly: a twin's
    card carrying the other twin's NIK (RINI's card, her name, RINA's NIK, one serial digit
    apart). Few, and compared and scored whole."""
    close = anchored.filter(~pl.col("name").is_in(SETTLED_BY_NAME)).select("s_key").unique()
    return (others.select("s_key", "r_key").join(close, on="s_key", how="semi")
            .join(s.select("s_key", "s_name"), on="s_key").join(r.select("r_key", "r_name"), on="r_key")
            .filter(pl.col("s_name") == pl.col("r_name")).select("s_key", "r_key"))


def _settled_sample(others: pl.DataFrame, settled: pl.DataFrame, r: pl.DataFrame, s: pl.DataFrame,
                    seed: int = 0, rivals: pl.DataFrame | None = None) -> tuple[list[pl.DataFrame], dict]:
    """The NIK pairs other than the exact NIK (``others``) compared: all those of unsettled
    records and the ``rivals`` (:func:`_named_rivals`), and those of a random sample of the
    ``settled`` records, weighted; and what was sampled (for the model's ``training``).

    A settled record links to that resident whatever its other candidates are (their pairs
    are not scored, see ``_link``; but for its ``rivals``); nearly all of those are strangers
    whose NIK is one digit away, each an expensive name comparison (200k residents: 550k of the 1.14M pairs
    compared). They still measure how often strangers fall in each level, which the estimation
    needs: left out, the roster's weight of a NIK one digit away went from -3.3 to +7.6 and
    seven times as many roster records were linked wrongly (precision 0.9999 -> 0.9992). So the
    pairs of a random sample of settled records, about ``SETTLED_SAMPLE_PAIRS``, are compared,
    and each stands in the estimation for ``total / sampled`` pairs (``PAIR_WEIGHT``, the
    others count once); a record is sampled whole. At 200k residents the links are the same as
    with every pair compared, the weights within 0.1 (transposition, the rarest level, 4.5
    against 4.6), and 1.14M pairs compared become 0.69M. Deterministic (fixed seed)."""
    whole = others.join(settled, on="s_key", how="anti")
    mine = others.join(settled, on="s_key", how="semi")
    if rivals is not None and rivals.height:
        whole = pl.concat([whole, mine.join(rivals, on=["s_key", "r_key"], how="semi")])
        mine = mine.join(rivals, on=["s_key", "r_key"], how="anti")
    unsettled = compare(whole, r, s)
    sample = mine
    if mine.height > SETTLED_SAMPLE_PAIRS:
        keys = settled.get_column("s_key").sort()
        draw = np.random.default_rng(seed).random(keys.len()) < SETTLED_SAMPLE_PAIRS / mine.height
        sample = mine.join(keys.filter(pl.Series(draw)).to_frame(), on="s_key", how="semi")
    weight = mine.height / sample.height if sample.height else 1.0
    return ([unsettled, compare(sample, r, s).with_columns(pl.lit(weight, pl.Float64).alias(PAIR_WEIGHT))],
            {"settled_records": settled.height, "their_other_nik_pairs": mine.height, "compared": sample.height,
             "weight": round(weight, 4)})


# How the comparisons whose u is measured over random pairs (``u_population="random"``) are
# computed on such pairs: the columns of their exact level, and their level function.
# per comparison: its value columns (record, resident), the level, and the other columns it reads
RANDOM_PAIR_LEVELS = {
    "name": (("s_name", "r_name"), _name_level, ()),
    "dob": (("s_ymd", "r_ymd"), lambda p: _dob_level(), ("s_days", "r_days")),
}
RANDOM_U_PAIRS = 100_000


def random_pair_u(r: pl.DataFrame, s: pl.DataFrame, n_pairs: int = RANDOM_U_PAIRS, seed: int = 0
                  ) -> dict[str, dict[str, float]]:
    """u per level over random (record, resident) pairs, for each comparison whose u is
    declared to be measured there (Splink's "u by random sampling"): how often a record and a
    resident drawn at random fall in the level. The exact level is computed rather than
    sampled: the sum over values of (share among records) x (share among residents), since
    two names drawn at random are equal about once in 50,000 pairs. Pairs with a missing
    value are left out, as in the EM. Deterministic (fixed seed)."""
    wanted = [c for c in COMPARISONS if c.u_population == "random"]
    unknown = [c.name for c in wanted if c.name not in RANDOM_PAIR_LEVELS]
    if unknown:
        raise ValueError(f"comparisons {unknown} declare u over random pairs but RANDOM_PAIR_LEVELS has no level for them")
    if not wanted or r.height == 0 or s.height == 0:
        return {}
    rng = np.random.default_rng(seed)
    # (with the names' token and word masks the sides carry: the name level computes them otherwise)
    read = {col for c in wanted for col in (*RANDOM_PAIR_LEVELS[c.name][0], *RANDOM_PAIR_LEVELS[c.name][2])}
    s_cols = sorted({col for col in read if col.startswith("s_")} | ({"s_tokens", "s_words"} & set(s.columns)))
    r_cols = sorted({col for col in read if col.startswith("r_")} | ({"r_tokens", "r_words"} & set(r.columns)))
    # drawn by position in the sides sorted by their keys, not in the extracts' order: a
    # re-sorted copy of an extract gives the same pairs, so the same model and scores
    p = pl.concat([s.select("s_key", *s_cols).sort("s_key").drop("s_key").gather(rng.integers(0, s.height, n_pairs)),
                   r.select("r_key", *r_cols).sort("r_key").drop("r_key").gather(rng.integers(0, r.height, n_pairs))],
                  how="horizontal")
    out = {}
    for c in wanted:
        (s_col, r_col), level, _ = RANDOM_PAIR_LEVELS[c.name]
        fs = s.get_column(s_col).drop_nulls().value_counts(normalize=True, name="fs")
        fr = r.get_column(r_col).drop_nulls().value_counts(normalize=True, name="fr")
        # summed in the values' order: value_counts and the join give theirs in a threaded order,
        # and the sum moved in its last bit from run to run
        exact = float(fs.join(fr, left_on=s_col, right_on=r_col).sort(s_col)
                      .select(pl.col("fs") * pl.col("fr")).sum().item() or 0.0)
        exact = min(max(exact, 1.0 / max(r.height, 1) / max(s.height, 1)), 0.5)
        counts = dict(p.lazy().select(lv=level(p)).collect().get_column("lv").value_counts().iter_rows())
        others = [lv for lv in c.level_names() if lv not in ("exact", MISSING)]
        total = sum(counts.get(lv, 0) + PSEUDO_COUNT for lv in others)
        out[c.name] = {"exact": exact, **{lv: (1 - exact) * (counts.get(lv, 0) + PSEUDO_COUNT) / total for lv in others}}
    return out


def shown_share(r: pl.DataFrame, s: pl.DataFrame) -> float | None:
    """u of the NIK level ``excel_agrees``: the share of the residents whose NIK the digits an
    Excel-damaged NIK shows allow (6 to 11: a kecamatan, maybe part of the date), on
    average over the records showing such digits that some resident here can hold; None
    without one."""
    shown = s.filter(_shows_kecamatan()).select("s_xlo", "s_xhi")
    if shown.is_empty() or r.is_empty():
        return None
    keys = np.sort(r.get_column("r_key").to_numpy())
    within = (np.searchsorted(keys, shown.get_column("s_xhi").to_numpy())
              - np.searchsorted(keys, shown.get_column("s_xlo").to_numpy()))
    # over the records whose digits some resident here holds: a record of another kab/kota,
    # compared in every region, holds none here and would make the kecamatan look rare
    within = within[within > 0]
    return float(within.mean()) / len(keys) if within.size else None


def score(compared: pl.DataFrame, model: LinkModel, everywhere: pl.Series | None = None) -> pl.DataFrame:
    """Each pair's weight and score: the probability that the resident is the record's person,
    given all the candidates blocking found for that record (``probability_among``). A model
    whose records routed here have a prior of their own (``LinkModel.here_prior``) reads which
    records those are from ``everywhere`` (``s_everywhere`` by ``s_key`` - 1): the others."""
    weight = weight_expr(model)
    if model.here_prior is not None and everywhere is not None:
        pooled = next(iter(model.prior.values()))  # one value per record (record_prior)
        shift = (~everywhere).cast(pl.Float64) * (model.here_prior - pooled)
        weight = weight + pl.lit(shift).gather(pl.col("s_key").cast(pl.Int64) - 1)
    # the weight lazily (each level's weight is read by several tests: the optimizer gathers it
    # once); the score eagerly, whose sums over each record's pairs the lazy engine adds in
    # another order, a last bit apart
    return compared.lazy().with_columns(weight=weight).collect().with_columns(
        score=probability_among(pl.col("weight"), "s_key"), alone=probability(pl.col("weight")))


# --- decisions --------------------------------------------------------------------------------

def resolve(scored: pl.DataFrame, threshold: float) -> pl.DataFrame:
    """Each record links to at most one resident.

    First, mutual-best pairs above ``threshold`` are accepted round by round, each record and
    resident used once: under competition (twins, namesakes in one KK) every record gets the
    resident that fits it best among those still free. Then a record left without a free
    resident may still link to its best resident above ``threshold`` although that resident is
    already linked: one person can hold two welfare ids or an old PU and a new BPU card
    (DOMAIN.md). Ties break on the NIK, for determinism.

    Pairs are keyed by ``s_key`` and ``r_key``, which order as the record id and the NIK do
    (see :func:`_link`); any comparable keys will do.
    """
    pool = scored.filter(pl.col("score") >= threshold).select("s_key", "r_key", "score")
    accepted = []
    rest = pool
    while rest.height:
        best_s = rest.sort(["score", "r_key"], descending=[True, False]).group_by("s_key", maintain_order=True).first()
        best_r = rest.sort(["score", "s_key"], descending=[True, False]).group_by("r_key", maintain_order=True).first()
        mutual = best_s.join(best_r.select("s_key", "r_key"), on=["s_key", "r_key"])
        if mutual.height == 0:
            break
        accepted.append(mutual)
        rest = rest.join(mutual.select("s_key"), on="s_key", how="anti").join(
            mutual.select("r_key"), on="r_key", how="anti")
    taken = pl.concat(accepted).select("s_key") if accepted else pool.select("s_key").clear()
    second = (pool.join(taken, on="s_key", how="anti")
              .sort(["score", "r_key"], descending=[True, False]).group_by("s_key", maintain_order=True).first())
    accepted.append(second)
    return pl.concat(accepted).select("s_key", "r_key", "score")


def evidence_expr(model: LinkModel | None = None) -> pl.Expr:
    """The pair's evidence in Bahasa Indonesia, one phrase per comparison that says something;
    an exact name or birth date that is notably rare or common says so (term frequency). A
    birth date compared for a record without one (``s_no_dob``) is the date its NIK encodes
    (:func:`_dates_for_blank`), and says so: it read "tanggal lahir sama" for a record
    that has no date; one whose NIK slipped in the date digits says that
    (:func:`_slip_in_date`)."""
    texts = evidence_text()
    parts = []
    for c in COMPARISONS:
        text = pl.col(c.name).replace_strict(texts[c.name], default=None, return_dtype=pl.String)
        if c.name == "dob":
            text = (pl.when(pl.col(SLIP_IN_DATE)).then(pl.lit("tanggal lahir kosong, NIK beda di digit tanggal"))
                    .when(pl.col(NIK_DATE).is_not_null())
                    .then(pl.col(NIK_DATE).cast(pl.String).replace_strict(texts["dob"], default=None,
                                                                          return_dtype=pl.String)
                          + pl.lit(" (tanggal pada NIK sama)"))
                    .when(pl.col("s_no_dob")).then(text + pl.lit(" (tanggal pada NIK)")).otherwise(text))
        if model is not None and model.tf and c.tf_column:
            tf, exact = pl.col(c.tf_adjustment), pl.col(c.name) == "exact"
            text = text + (pl.when(exact & (tf >= 1.0)).then(pl.lit(f" ({c.tf_word} jarang)"))
                           .when(exact & (tf <= -1.0)).then(pl.lit(f" ({c.tf_word} umum)"))
                           .otherwise(pl.lit("")))
        parts.append(text)
    return pl.concat_str(parts, separator=", ", ignore_nulls=True)


@dataclass
class LinkResult:
    links: pl.DataFrame    # id_col, NIK, method, score, evidence (one row per record)
    review: pl.DataFrame   # grey-zone pairs for a person to decide
    stats: dict
    model: LinkModel       # the weights used (estimated on this run's pairs unless switched off)
    # with ``odds``: per record with candidates, id_col and ``ODDS_COLUMNS`` (log2 odds), and the
    # review pairs' own (``REVIEW_ODDS``), for putting one record's regions together
    # (``pipelines.partitioning.assemble``)
    odds: pl.DataFrame | None = None


def link_records(residents: pl.DataFrame, records: pl.DataFrame, id_col: str,
                 settings: LinkSettings = LinkSettings()) -> LinkResult:
    """Links each of ``records`` (keyed by ``id_col``) to at most one of ``residents``."""
    r = resident_side(residents)
    return _link(lambda: r, records, id_col, settings)


def resident_side(residents: pl.DataFrame) -> pl.DataFrame:
    """The residents as every linker reads them: keys, address parts, name keys and masks, and
    the term frequencies. It depends on the residents only, so sources linked against the same
    residents share it (:func:`link_sources`); at 1M residents it takes 1.7-1.9 s to build."""
    return with_tf(_resident_side(residents))


def link_sources(residents: pl.DataFrame, sources: dict[str, tuple[pl.DataFrame, str]],
                 settings: LinkSettings = LinkSettings(), concurrent: bool = True,
                 extract_oversized: dict[str, pl.DataFrame] | None = None,
                 odds: bool = False, note: Callable[[str, str], None] | None = None) -> dict[str, LinkResult]:
    """Each source ``{name: (records, id_col)}`` linked to the same residents, as
    :func:`link_records` would link it alone (the same links, review list and model).

    The resident side is built once. With ``concurrent`` the sources are linked side by side, one
    thread each: much of a linker's time is Python-bound (rapidfuzz calls, EM bookkeeping) and
    leaves the second core idle while polars' parts of the other fill it. The resident side is
    then built in a thread of its own beside the sources' record sides, each linker's first step
    (200k residents: 1.3-1.6 s one before the others, 0.8-1.25 s side by side). The caller
    decides whether the memory allows it (two linkers' pairs in memory at once).
    ``extract_oversized``: see :func:`attribute_pairs` (one region of several); ``odds``: see
    :attr:`LinkResult.odds`. ``note(source, message)``: told where each linker is, from its
    thread (stage by stage, for a long run's progress)."""
    def said(name: str) -> Callable[[str], None] | None:
        return (lambda message: note(name, message)) if note else None

    if not concurrent or len(sources) < 2:
        r = resident_side(residents)
        return {name: _link(lambda: r, recs, id_col, settings, extract_oversized, odds, said(name))
                for name, (recs, id_col) in sources.items()}
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(len(sources) + 1, thread_name_prefix="lindungi-link") as pool:
        r = pool.submit(resident_side, residents)
        futures = {name: pool.submit(_link, r.result, recs, id_col, settings, extract_oversized, odds, said(name))
                   for name, (recs, id_col) in sources.items()}
        return {name: f.result() for name, f in futures.items()}


def _link(resident: Callable[[], pl.DataFrame], records: pl.DataFrame, id_col: str,
          settings: LinkSettings, extract_oversized: dict[str, pl.DataFrame] | None = None,
          odds: bool = False, note: Callable[[str], None] | None = None) -> LinkResult:
    """One source linked; ``resident`` gives the resident side (:func:`resident_side`) once the
    record side is built. ``odds``: :attr:`LinkResult.odds` too; ``note``: told each stage."""
    say = note or (lambda message: None)
    # Pairs are keyed by integers: ``r_key`` is the resident's NIK as a number, ``s_key`` the
    # record's rank by id, so both order as the strings do (resolve's ties break as on them). The
    # joins and group-bys over millions of pairs are then integer ones (1M residents: joining
    # 5.2M welfare pairs to both sides took 7.4 s on string keys, 1.9 s on integer keys); the
    # strings come back for the links and the review list only.
    s = _record_side(records, id_col)
    r = resident()
    nik = r.select("r_key", "r_nik")
    s = with_held(s, r)
    # Stage 1: NIK-based pairs. A record whose claimed NIK is exact and whose name and birth date
    # agree (``ANCHORS``) is settled: it links to that resident, its other NIK pairs are compared
    # for a sample of such records only (``_settled_sample``), and only the unsettled records go
    # through the (larger) attribute blocks. But where its name is only very similar to the NIK
    # holder's and exactly another NIK neighbour's (``_named_rivals``), that pair is compared and
    # scored too: a twin's card carrying the other twin's NIK is hers or her twin's
    pairs = nik_pairs(r, s)
    exact = compare(pairs.filter(has_rule("nik")), r, s)
    anchored = exact.filter(pl.all_horizontal(pl.col(k).is_in(levels) for k, levels in ANCHORS.items()))
    settled = anchored.select("s_key").unique()
    others = pairs.filter(~has_rule("nik"))
    others, sampled = _settled_sample(others, settled, r, s, rivals=_named_rivals(others, anchored, r, s))
    first = pl.concat([exact, *others], how="diagonal")
    rest = s.join(settled, on="s_key", how="anti")
    say(f"{first.height:,} pairs by NIK compared; blocking {rest.height:,} records by name and birth date ...")
    more = (attribute_pairs(r, rest, extract_oversized=extract_oversized, labelled=settled.height >= MIN_LABELLED)
            .join(first.select("s_key", "r_key"), on=["s_key", "r_key"], how="anti"))
    say(f"{first.height:,} pairs by NIK compared; comparing {more.height:,} by name and birth date ...")
    compared = pl.concat([first, compare(more, r, s)], how="diagonal") if more.height else first
    # in a fixed order (each pair once): the pairs come out of threaded joins and group-bys in
    # an order that changes from run to run, and the sums over them (the EM's counts, each
    # record's odds in its score, record_prior and _odds) then moved in their last bits
    compared = _owner_fits(compared, settled).sort("s_key", "r_key")
    say(f"{compared.height:,} pairs compared; estimating the model ...")
    everywhere = s.sort("s_key").get_column("s_everywhere")  # by s_key - 1, for the record prior
    if settings.estimate:
        model = estimate(compared, tf=settings.term_frequency, random_u=lambda: random_pair_u(r, s),
                         random_pairs=s.height * r.height, shown_u=lambda: shown_share(r, s))
        compared = _slip_dates_agree(compared)
        if model.training.get("u_from_random_pairs"):
            model = record_prior(compared, model, s.height, r.height, everywhere=everywhere.to_numpy())
        model.training["settled_sample"] = sampled
    else:
        model = LinkModel.start(settings.term_frequency)
        compared = _slip_dates_agree(compared)
    # a settled record links to the resident its NIK, name and birth date name, whatever its
    # other candidates: the pairs of those sampled for the estimation are not scored, as those
    # of the others were never compared (a twin's own card, with a NIK, name and date all the
    # twin's, went to review beside the other twin, one serial digit and one letter away, when
    # its record happened to be sampled, and linked when not)
    pairs_compared = compared.height
    if PAIR_WEIGHT in compared.columns:
        compared = compared.filter(pl.col(PAIR_WEIGHT).is_null()).drop(PAIR_WEIGHT)
    scored = score(compared, model, everywhere)
    chosen = resolve(scored, settings.link_threshold)
    say(f"model estimated; {chosen.height:,} links chosen, writing their evidence ...")
    no_dob = s.select("s_key", s_no_dob=pl.col("s_dob").is_null())  # for evidence_expr
    detail = chosen.join(scored.select("s_key", "r_key", "weight", *COMPARISON_NAMES, *TF_ADJUSTMENTS, SLIP_IN_DATE,
                                      NIK_DATE), on=["s_key", "r_key"]).join(no_dob, on="s_key")
    detail = detail.with_columns(
        method=pl.when(pl.col("nik") == "exact").then(pl.lit("nik_exact"))
        # (a same-day neighbour beside an equal birth date counted nothing: the name and the date
        # linked the pair)
        .when(pl.col("nik").is_in(["one_substitution", "transposition", "same_day_neighbour", "truncated"])
              & ~neighbour_says_nothing())
        .then(pl.lit("nik_repaired"))
        .otherwise(pl.lit("fuzzy")),
        evidence=evidence_expr(model),
    )
    links = (
        s.select("s_key", "s_id")
        .join(detail.select("s_key", "r_key", "method", "score", "evidence"), on="s_key", how="left")
        .join(nik, on="r_key", how="left")
        .with_columns(
            method=pl.col("method").fill_null("none"),
            score=pl.col("score").fill_null(0.0).round(6),
        )
        .select(pl.col("s_id").alias(id_col), pl.col("r_nik").alias("NIK"), "method", "score", "evidence")
        .sort(id_col)
    )
    # best remaining candidate of each unlinked record, when in the grey zone, or when the pair
    # alone would be a link but another candidate is about as good (namesakes born the same day),
    # or when its NIK is the record's exactly: a person checks a NIK that names a resident whose
    # name and date disagree (an outside tester's world: 10 roster records so, their holders
    # listed without "possibly registered already", and 24 welfare records, left unsaid); or when
    # its NIK is "another person's" of the resident's kecamatan and date (two serial digits off,
    # held by no resident) beside the same name and birth date: the resident's NIK mistyped, or
    # a namesake born that day there whom the extract does not hold. Not linked (a stranger's card
    # must not make a resident protected), but said: 240 such roster cards in an outside review,
    # their holders listed without "possibly registered already"
    linked_r = detail.select("r_key")
    strong = pl.col("alone") >= settings.review_threshold
    rivals = strong.sum().over("s_key") - 1
    review = (
        scored.join(detail.select("s_key"), on="s_key", how="anti")
        .with_columns(rivals=pl.when(strong).then(rivals).otherwise(0))
        .join(linked_r, on="r_key", how="anti")
        .join(s.select("s_key", "s_v"), on="s_key", how="left")
        .filter(pl.col("score").is_between(settings.review_threshold, settings.link_threshold, closed="left")
                | ((pl.col("alone") >= settings.link_threshold) & (pl.col("score") < settings.link_threshold))
                | (pl.col("nik") == "exact")
                | ((pl.col("nik") == "another_person") & (pl.col("name") == "exact") & (pl.col("dob") == "exact")
                   & (pl.col("s_v") // 10**10 == pl.col("r_key") // 10**10)))
        .sort(["score", "r_key"], descending=[True, False])
        .group_by("s_key", maintain_order=True).first()
        .join(no_dob, on="s_key")
        .with_columns(evidence=pl.concat_str(
            evidence_expr(model),
            pl.when(pl.col("rivals") > 0).then(pl.format("; {} kandidat lain juga cocok", "rivals")).otherwise(pl.lit("")),
        ))
        .join(s.select("s_key", "s_id"), on="s_key").join(nik, on="r_key")
    )
    by_method = dict(links.group_by("method").len().sort("method").iter_rows())
    stats = {"records": s.height, "candidate_pairs": pairs_compared, "by_method": by_method,
             "review": review.height}
    review_cols = [pl.col("s_id").alias(id_col), pl.col("r_nik").alias("NIK"), pl.col("score").round(6), "evidence"]
    say(f"linked ({links.height - by_method.get('none', 0):,} of {links.height:,} records)")
    return LinkResult(links, review.select(*review_cols, *([pl.col("weight").alias(REVIEW_ODDS)] if odds else []))
                      .sort(id_col), stats, model, _odds(scored, detail, s, id_col) if odds else None)


def _odds(scored: pl.DataFrame, detail: pl.DataFrame, s: pl.DataFrame, id_col: str) -> pl.DataFrame:
    """``LinkResult.odds``: what a record's regions need to put its score together over all of
    them (``pipelines.partitioning.assemble``): a record compared in several kab/kota is one
    person, who is at most one of the candidates of all of them."""
    # clipped as probability_among; summed in the pairs' order (by s_key, r_key: see _link) by the
    # in-memory group-by: the streaming engine's adds up the parts of a group that different
    # threads saw in whichever order they finish, and the sum moved in its last bit
    total = (scored.group_by("s_key", maintain_order=True)
             .agg(log2_odds_all=log2_sum_odds(pl.col("weight").clip(-1000.0, 1000.0))))
    return (s.select("s_key", "s_id").join(total, on="s_key")
            .join(detail.select("s_key", log2_odds_link="weight"), on="s_key", how="left")
            .select(pl.col("s_id").alias(id_col), *ODDS_COLUMNS).sort(id_col))
