"""Linking welfare and roster records to residents, one-to-one, with evidence.

Pipeline: blocking (several keys, each an exact join, so the work stays near-linear) ->
comparison levels per pair (NIK, name, birth date, sex, kelurahan, KK) -> a match weight, the
sum of each level's weight (Fellegi-Sunter log2 Bayes factors, declared in ``WEIGHTS``) plus a
prior -> a probability -> resolution by mutual best score -> a link, a review item
or nothing. Every link carries its evidence in Bahasa Indonesia.

Blocking keys:
- the claimed NIK itself, and its one-digit neighbourhood: the 16 keys with one position
  masked (finds one substitution), the 15 adjacent swaps (a transposition), its prefix when
  truncated (12-15 digits);
- the family of the claimed NIK (a KK head's NIK written on a family member's record);
- birth date; kelurahan + phonetic first name; phonetic first + last name; KK number.

Each record links to at most one resident; a resident may be linked by several records of one
source (two welfare ids, an old PU card and a new BPU card), see :func:`resolve`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from rapidfuzz import fuzz, process
from rapidfuzz.distance import JaroWinkler

from pipelines.names import first_token_key, last_token_key

# Comparison levels and their weights (log2 of m/u). Declared as data so they can be listed,
# tuned and shown; the linkage issue replaces the hand-set values with estimated ones.
WEIGHTS: dict[str, dict[str, float]] = {
    # A one-digit difference in the serial (last 4 digits) is weak: people born the same day in
    # the same kecamatan have NIKs that differ only there.
    "nik": {"exact": 12.0, "one_substitution": 6.0, "transposition": 6.0, "serial_differs": 1.0,
            "truncated": 6.0, "family_head": 0.0, "different": -3.0, "missing": 0.0},
    "name": {"exact": 9.0, "very_similar": 7.0, "subset": 5.0, "similar": 3.0, "weak": -4.0,
             "different": -8.0, "missing": 0.0},
    "dob": {"exact": 7.0, "day_month_swapped": 4.0, "year_off_by_one": 4.0, "one_part_differs": 2.0,
            "placeholder": 0.5, "different": -6.0, "missing": 0.0},
    "sex": {"same": 0.5, "different": -4.0, "missing": 0.0},
    "kel": {"same": 1.5, "different": -0.5, "missing": 0.0},
    "kk": {"same": 3.0, "different": -0.5, "missing": 0.0},
}
# The birth date is encoded in the NIK, so a NIK one digit away and an equal birth date are not
# independent evidence: the NIK levels are set low enough that a weak name cannot carry a pair.
PRIOR = -10.0  # log2 prior odds that a blocked pair is a match

EVIDENCE_ID = {
    ("nik", "exact"): "NIK sama",
    ("nik", "one_substitution"): "NIK berbeda 1 digit",
    ("nik", "transposition"): "NIK dua digit bertukar",
    ("nik", "serial_differs"): "NIK beda di nomor urut",
    ("nik", "truncated"): "NIK terpotong",
    ("nik", "family_head"): "NIK milik kepala keluarga",
    ("nik", "different"): "NIK berbeda",
    ("nik", "missing"): "NIK kosong/tidak valid",
    ("name", "exact"): "nama sama setelah normalisasi",
    ("name", "very_similar"): "nama hampir sama",
    ("name", "subset"): "sebagian nama sama",
    ("name", "similar"): "nama mirip",
    ("name", "weak"): "nama sedikit mirip",
    ("name", "different"): "nama berbeda",
    ("dob", "exact"): "tanggal lahir sama",
    ("dob", "day_month_swapped"): "tanggal lahir tertukar hari/bulan",
    ("dob", "year_off_by_one"): "tahun lahir selisih 1",
    ("dob", "one_part_differs"): "tanggal lahir beda satu bagian",
    ("dob", "placeholder"): "tanggal lahir pengganti (01-01/01-07)",
    ("dob", "different"): "tanggal lahir berbeda",
    ("sex", "different"): "jenis kelamin berbeda",
    ("kel", "same"): "kelurahan sama",
    ("kk", "same"): "nomor KK sama",
}


@dataclass(frozen=True)
class LinkSettings:
    link_threshold: float = 0.90
    review_threshold: float = 0.50


# --- blocking ---------------------------------------------------------------------------------

def _resident_side(residents: pl.DataFrame) -> pl.DataFrame:
    return residents.select(
        r_nik=pl.col("NIK"), r_name=pl.col("nama_norm"), r_dob=pl.col("TGL_LHR"),
        r_sex=pl.col("JENIS_KLMIN"), r_kel=pl.col("kode_kel"), r_kk=pl.col("NO_KK"),
    ).with_columns(r_fk=first_token_key("r_name"), r_lk=last_token_key("r_name"))


def _record_side(records: pl.DataFrame, id_col: str) -> pl.DataFrame:
    cols = records.columns
    none = pl.lit(None, pl.String)
    return records.select(
        s_id=pl.col(id_col),
        s_nik=pl.col("NIK"),
        s_digits=pl.col("nik_raw").str.replace_all(r"\D", ""),
        s_name=pl.col("nama_norm"),
        s_dob=pl.col("TGL_LHR"),
        s_sex=pl.col("JENIS_KLMIN") if "JENIS_KLMIN" in cols else none,
        s_kel=pl.col("KODE_KEL") if "KODE_KEL" in cols else none,
        s_kk=pl.col("NO_KK") if "NO_KK" in cols else none,
    ).with_columns(s_fk=first_token_key("s_name"), s_lk=last_token_key("s_name"))


def _masked(col: str, n: int = 16) -> list[pl.Expr]:
    return [(pl.col(col).str.slice(0, i) + "*" + pl.col(col).str.slice(i + 1)).alias(f"m{i}") for i in range(n)]


def nik_pairs(r: pl.DataFrame, s: pl.DataFrame) -> pl.DataFrame:
    """Pairs from the NIK-based blocking rules: (s_id, r_nik, rules)."""
    pairs: list[pl.DataFrame] = []
    full = s.filter(pl.col("s_digits").str.len_chars() == 16).select("s_id", d="s_digits")

    # 1. exact NIK (the claimed digits, valid or not: a structurally odd NIK can still be exact)
    pairs.append(full.join(r.select("r_nik"), left_on="d", right_on="r_nik").select(
        "s_id", r_nik=pl.col("d"), rule=pl.lit("nik")))
    # 2. one substitution: one position masked on both sides
    rm = r.select("r_nik", *_masked("r_nik")).unpivot(index="r_nik", value_name="key").drop("variable")
    sm = full.select("s_id", *_masked("d")).unpivot(index="s_id", value_name="key").drop("variable")
    pairs.append(sm.join(rm, on="key").select("s_id", "r_nik", rule=pl.lit("nik_sub")))
    # 3. adjacent transposition
    swaps = [(pl.col("d").str.slice(0, i) + pl.col("d").str.slice(i + 1, 1) + pl.col("d").str.slice(i, 1)
              + pl.col("d").str.slice(i + 2)).alias(f"t{i}") for i in range(15)]
    st = full.select("s_id", *swaps).unpivot(index="s_id", value_name="key").drop("variable")
    pairs.append(st.join(r.select("r_nik"), left_on="key", right_on="r_nik").select(
        "s_id", r_nik=pl.col("key"), rule=pl.lit("nik_swap")))
    # 4. truncated: 12-15 digits that are a resident NIK's prefix
    short = s.filter(pl.col("s_digits").str.len_chars().is_between(12, 15)).select(
        "s_id", key="s_digits", n=pl.col("s_digits").str.len_chars())
    if short.height:
        rp = pl.concat([r.select("r_nik", key=pl.col("r_nik").str.slice(0, n), n=pl.lit(n, pl.UInt32))
                        for n in range(12, 16)])
        pairs.append(short.join(rp, on=["key", "n"]).select("s_id", "r_nik", rule=pl.lit("nik_trunc")))
    # 5. the family of the claimed NIK's owner (KK head's NIK on a family member's record)
    owner_kk = full.join(r.select("r_nik", "r_kk"), left_on="d", right_on="r_nik").filter(
        pl.col("r_kk").is_not_null()).select("s_id", kk="r_kk")
    pairs.append(owner_kk.join(r.select("r_nik", kk="r_kk"), on="kk").select(
        "s_id", "r_nik", rule=pl.lit("nik_family")))
    return _union(pairs)


def _union(pairs: list[pl.DataFrame]) -> pl.DataFrame:
    return pl.concat(pairs).group_by("s_id", "r_nik").agg(rules=pl.col("rule").unique().sort())


def attribute_pairs(r: pl.DataFrame, s: pl.DataFrame, max_block: int = 200) -> pl.DataFrame:
    """Pairs from birth date, kelurahan + first name, first + last name and KK blocks. A block
    larger than ``max_block`` residents (a placeholder date, a very common name in one
    kelurahan) is skipped: other keys still reach those pairs, and the work stays bounded."""
    pairs: list[pl.DataFrame] = []
    for rule, s_keys, r_keys in (
        ("dob", ["s_dob"], ["r_dob"]),
        ("kel_name", ["s_kel", "s_fk"], ["r_kel", "r_fk"]),
        ("name", ["s_fk", "s_lk"], ["r_fk", "r_lk"]),
        ("kk", ["s_kk"], ["r_kk"]),
    ):
        left = s.select("s_id", *s_keys).drop_nulls()
        right = r.select("r_nik", *r_keys).drop_nulls()
        right = right.filter(pl.len().over(r_keys) <= max_block)
        pairs.append(left.join(right, left_on=s_keys, right_on=r_keys).select(
            "s_id", "r_nik", rule=pl.lit(rule)))
    return _union(pairs)


# --- comparisons ------------------------------------------------------------------------------

def _nik_level(p: pl.DataFrame) -> pl.Expr:
    d, n = pl.col("s_digits"), pl.col("r_nik")
    return (
        pl.when(d.is_null() | (d == "")).then(pl.lit("missing"))
        .when(d == n).then(pl.lit("exact"))
        .when((d.str.len_chars() == 16) & (d.str.slice(0, 12) == n.str.slice(0, 12))
              & (pl.col("rules").list.contains("nik_swap") | pl.col("rules").list.contains("nik_sub")))
        .then(pl.lit("serial_differs"))
        .when(pl.col("rules").list.contains("nik_swap")).then(pl.lit("transposition"))
        .when(pl.col("rules").list.contains("nik_sub")).then(pl.lit("one_substitution"))
        .when(pl.col("rules").list.contains("nik_trunc")).then(pl.lit("truncated"))
        .when(pl.col("rules").list.contains("nik_family")).then(pl.lit("family_head"))
        .when(d.str.len_chars() == 16).then(pl.lit("different"))
        .otherwise(pl.lit("missing"))
    )


def _dob_level() -> pl.Expr:
    a, b = pl.col("s_dob"), pl.col("r_dob")
    same_d, same_m, same_y = a.dt.day() == b.dt.day(), a.dt.month() == b.dt.month(), a.dt.year() == b.dt.year()
    return (
        pl.when(a.is_null() | b.is_null()).then(pl.lit("missing"))
        .when(a == b).then(pl.lit("exact"))
        .when((a.dt.day() == b.dt.month()) & (a.dt.month() == b.dt.day()) & same_y).then(pl.lit("day_month_swapped"))
        .when(same_d & same_m & ((a.dt.year() - b.dt.year()).abs() == 1)).then(pl.lit("year_off_by_one"))
        .when(same_y & (a.dt.day() == 1) & a.dt.month().is_in([1, 7])).then(pl.lit("placeholder"))
        .when((same_d.cast(pl.Int8) + same_m.cast(pl.Int8) + same_y.cast(pl.Int8)) == 2).then(pl.lit("one_part_differs"))
        .otherwise(pl.lit("different"))
    )


def _eq_level(a: str, b: str, same: str = "same") -> pl.Expr:
    return (pl.when(pl.col(a).is_null() | pl.col(b).is_null()).then(pl.lit("missing"))
            .when(pl.col(a) == pl.col(b)).then(pl.lit(same)).otherwise(pl.lit("different")))


def _name_level(p: pl.DataFrame) -> pl.Series:
    a = p.get_column("s_name").fill_null("").to_list()
    b = p.get_column("r_name").fill_null("").to_list()
    jw = process.cpdist(a, b, scorer=JaroWinkler.normalized_similarity, workers=-1, dtype=np.float32)
    tsort = process.cpdist(a, b, scorer=fuzz.token_sort_ratio, workers=-1, dtype=np.float32) / 100
    tset = process.cpdist(a, b, scorer=fuzz.token_set_ratio, workers=-1, dtype=np.float32) / 100
    f = pl.DataFrame({"jw": jw, "tsort": tsort, "tset": tset,
                      "a": p.get_column("s_name"), "b": p.get_column("r_name")})
    ntok = pl.min_horizontal(pl.col("a").str.count_matches(" ") + 1, pl.col("b").str.count_matches(" ") + 1)
    return f.select(
        pl.when(pl.col("a").is_null() | pl.col("b").is_null()).then(pl.lit("missing"))
        .when(pl.col("a") == pl.col("b")).then(pl.lit("exact"))
        .when((pl.col("tsort") >= 0.93) | (pl.col("jw") >= 0.96)).then(pl.lit("very_similar"))
        .when((pl.col("tset") >= 0.999) & (ntok >= 1)).then(pl.lit("subset"))
        .when(pl.max_horizontal("jw", "tsort") >= 0.88).then(pl.lit("similar"))
        .when(pl.max_horizontal("jw", "tsort") >= 0.75).then(pl.lit("weak"))
        .otherwise(pl.lit("different"))
    ).to_series()


def compare(pairs: pl.DataFrame, r: pl.DataFrame, s: pl.DataFrame) -> pl.DataFrame:
    p = pairs.join(s, on="s_id").join(r, on="r_nik")
    p = p.with_columns(
        nik=_nik_level(p), dob=_dob_level(), sex=_eq_level("s_sex", "r_sex"),
        kel=_eq_level("s_kel", "r_kel"), kk=_eq_level("s_kk", "r_kk"),
    ).with_columns(name=_name_level(p))
    weight = pl.lit(PRIOR)
    for comp, levels in WEIGHTS.items():
        weight = weight + pl.col(comp).replace_strict(levels, return_dtype=pl.Float64)
    return p.with_columns(weight=weight).with_columns(score=1.0 / (1.0 + (2.0 ** -pl.col("weight"))))


# --- decisions --------------------------------------------------------------------------------

def resolve(scored: pl.DataFrame, threshold: float) -> pl.DataFrame:
    """Each record links to at most one resident.

    First, mutual-best pairs above ``threshold`` are accepted round by round, each record and
    resident used once: under competition (twins, namesakes in one KK) every record gets the
    resident that fits it best among those still free. Then a record left without a free
    resident may still link to its best resident above ``threshold`` although that resident is
    already linked: one person can hold two welfare ids or an old PU and a new BPU card
    (DOMAIN.md). Ties break on the NIK, for determinism.
    """
    pool = scored.filter(pl.col("score") >= threshold).select("s_id", "r_nik", "score")
    accepted = []
    rest = pool
    while rest.height:
        best_s = rest.sort(["score", "r_nik"], descending=[True, False]).group_by("s_id", maintain_order=True).first()
        best_r = rest.sort(["score", "s_id"], descending=[True, False]).group_by("r_nik", maintain_order=True).first()
        mutual = best_s.join(best_r.select("s_id", "r_nik"), on=["s_id", "r_nik"])
        if mutual.height == 0:
            break
        accepted.append(mutual)
        rest = rest.join(mutual.select("s_id"), on="s_id", how="anti").join(
            mutual.select("r_nik"), on="r_nik", how="anti")
    taken = pl.concat(accepted).select("s_id") if accepted else pl.DataFrame(schema={"s_id": pl.String})
    second = (pool.join(taken, on="s_id", how="anti")
              .sort(["score", "r_nik"], descending=[True, False]).group_by("s_id", maintain_order=True).first())
    accepted.append(second)
    return pl.concat(accepted).select("s_id", "r_nik", "score")


def evidence_expr() -> pl.Expr:
    parts = []
    for comp in WEIGHTS:
        mapping = {lvl: EVIDENCE_ID[(comp, lvl)] for lvl in WEIGHTS[comp] if (comp, lvl) in EVIDENCE_ID}
        parts.append(pl.col(comp).replace_strict(mapping, default=None, return_dtype=pl.String))
    return pl.concat_str(parts, separator=", ", ignore_nulls=True)


@dataclass
class LinkResult:
    links: pl.DataFrame    # id_col, NIK, method, score, evidence (one row per record)
    review: pl.DataFrame   # grey-zone pairs for a person to decide
    stats: dict


def link_records(residents: pl.DataFrame, records: pl.DataFrame, id_col: str,
                 settings: LinkSettings = LinkSettings()) -> LinkResult:
    r = _resident_side(residents)
    s = _record_side(records, id_col)
    # Stage 1: NIK-based pairs. A record whose claimed NIK is exact and whose name and birth date
    # agree is settled; only the others go through the (larger) attribute blocks.
    first = compare(nik_pairs(r, s), r, s)
    settled = first.filter((pl.col("nik") == "exact") & pl.col("name").is_in(["exact", "very_similar"])
                           & pl.col("dob").is_in(["exact", "missing"])).select("s_id").unique()
    rest = s.join(settled, on="s_id", how="anti")
    more = attribute_pairs(r, rest).join(first.select("s_id", "r_nik"), on=["s_id", "r_nik"], how="anti")
    scored = pl.concat([first, compare(more, r, s)], how="vertical_relaxed") if more.height else first
    pairs = scored
    chosen = resolve(scored, settings.link_threshold)
    detail = chosen.join(scored.select("s_id", "r_nik", "nik", "name", "dob", "sex", "kel", "kk"),
                         on=["s_id", "r_nik"])
    detail = detail.with_columns(
        method=pl.when(pl.col("nik") == "exact").then(pl.lit("nik_exact"))
        .when(pl.col("nik").is_in(["one_substitution", "transposition", "truncated"])).then(pl.lit("nik_repaired"))
        .otherwise(pl.lit("fuzzy")),
        evidence=evidence_expr(),
    )
    links = (
        s.select("s_id")
        .join(detail.select("s_id", "r_nik", "method", "score", "evidence"), on="s_id", how="left")
        .with_columns(
            method=pl.col("method").fill_null("none"),
            score=pl.col("score").fill_null(0.0).round(6),
        )
        .rename({"s_id": id_col, "r_nik": "NIK"})
        .sort(id_col)
    )
    # best remaining candidate of each unlinked record, when in the grey zone
    linked_r = detail.select("r_nik")
    review = (
        scored.join(detail.select("s_id"), on="s_id", how="anti")
        .join(linked_r, on="r_nik", how="anti")
        .filter(pl.col("score").is_between(settings.review_threshold, settings.link_threshold, closed="left"))
        .sort(["score", "r_nik"], descending=[True, False])
        .group_by("s_id", maintain_order=True).first()
        .with_columns(evidence=evidence_expr())
        .select(pl.col("s_id").alias(id_col), pl.col("r_nik").alias("NIK"), pl.col("score").round(6), "evidence")
        .sort(id_col)
    )
    by_method = dict(links.group_by("method").len().sort("method").iter_rows())
    stats = {"records": s.height, "candidate_pairs": pairs.height, "by_method": by_method,
             "review": review.height}
    return LinkResult(links, review, stats)
