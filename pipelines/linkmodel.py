"""The linkage model: comparisons declared as data, Fellegi-Sunter m/u estimated each run.

A blocked pair (record, resident) is compared on seven comparisons; each comparison puts the
pair in one of its levels (``COMPARISONS``). A level's match weight is log2(m/u):

- m = P(level | the pair is the same person), u = P(level | it is not);
- a ``missing`` level (either side has no value) carries no evidence: weight 0;
- the prior is per record (:func:`record_prior`): the record's person is among the N residents
  with probability pi (estimated), and then any one of them alike, so each candidate's prior
  odds are pi / (N (1 - pi)), however many candidates blocking found;
- a pair's odds are ``2^(prior + sum of weights + TF adjustments)``; the score is the probability
  that the resident is the record's person given *every* candidate the blocking found for the
  record, at most one of which can be: ``odds_i / (1 + sum_j odds_j)`` (:func:`probability_among`).
  A record with one strong candidate scores as the pair alone would; a record with two plausible
  candidates (a namesake born the same day, a twin) shares the probability between them. The
  score is calibrated: among links scored 0.90-0.99, about that share is right (docs/linkage.md).

Estimation, each run, on that run's blocked pairs (:func:`estimate`):

1. **Labelled pairs.** A record whose claimed NIK equals a resident's NIK is, almost always,
   that resident: those pairs are free labels. m of every comparison comes from them, each
   measured on the pairs whose *other* anchors agree (the name's m on pairs whose claimed NIK
   is equal and birth date equal or missing, the date's m on pairs whose NIK and name agree, the NIK's own m on
   pairs whose name and birth date agree (``ANCHORS``), which is where its damaged levels are sampled), so a
   KK head's NIK written on his wife's record does not pollute them. An extract without usable
   claimed NIKs labels nothing: those comparisons keep their start weights (``MIN_LABELLED``).
   (A comparison declared ``labelled_m=False`` would take its m from the EM; none is.)
2. **EM** (expectation-maximisation) over the comparison patterns of all blocked pairs, started
   from the declared starting weights: it estimates u of every level among the blocked non-matches (the population the weights
   are applied to, so the dependence between the NIK and the birth date it encodes is measured,
   not assumed away), and lambda. Pseudo-counts keep rare levels finite.
3. **u over random pairs, and the prior per record.** Name and birth date are nearly
   independent of each other and of the household among strangers: their final u is measured
   over random record-resident pairs (``u_population="random"``, Splink's "u by random
   sampling"), since the EM's u is among *blocked* strangers, who were picked for agreeing on
   something, and a per-pair prior over blocked pairs counted that agreement twice (links scored
   0.90-0.99 were 61% right). The NIK (which encodes the birth date and kecamatan) and the
   household fields (KK, address, kelurahan: a family member shares all three) keep the u
   measured among blocked strangers, who include exactly those family members and same-day
   births. pi is then estimated by EM over the records. An extract without labels keeps the
   EM's per-pair prior (with start weights, random-pair u has no m to go with).
4. **Term frequencies.** An exact name or birth date is stronger evidence when the value is
   rare: the weight is adjusted by log2(sum(f^2) / f_value) over the residents' values
   (clipped), so "MUHAMMAD" or a 01-01 placeholder date counts less than a rare name.

The trained model is plain data (:meth:`LinkModel.to_json`): saved per run and shown in the
Dagster UI. Nothing here imports Dagster.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import json
from pathlib import Path

import numpy as np
import polars as pl

from pipelines.files import aside


@dataclass(frozen=True)
class Level:
    name: str
    start_weight: float           # log2(m/u) before estimation (and when estimation is off)
    evidence: str | None = None   # what a coordinator reads, in Bahasa Indonesia


@dataclass(frozen=True)
class Comparison:
    name: str
    description: str
    levels: tuple[Level, ...]     # most to least similar; "missing" is the null level
    labelled_m: bool = True       # m from labelled pairs (False: from EM)
    tf_column: str | None = None  # resident column whose value frequency adjusts "exact"
    tf_word: str = ""             # what a rare/common value is called in the evidence ("nama")
    # u over the blocked non-matches no blocking rule forced to agree on this field ("unforced"),
    # over random (record, resident) pairs ("random": a field independent of the others among
    # strangers, whose final weight then says how much rarer the level is between a record and
    # any resident, which the per-record prior assumes; see ``record_prior``),
    # or over those whose birth dates are equal ("dob_exact"): the NIK's repair levels exist
    # only inside the NIK blocks, whose strangers share the birth date the NIK encodes; the NIK's
    # m is measured on pairs whose birth dates agree too, so its weight is the evidence a NIK
    # level adds to an equal birth date, not the same evidence counted twice
    u_population: str = "unforced"
    # levels whose u is measured over all blocked non-matches whatever ``u_population`` says
    # (the KK head's NIK: those pairs come from the family, not from the NIK's digits)
    u_all_levels: tuple[str, ...] = ()
    # levels whose pairs blocking finds every one of (a rule that is the level's definition):
    # their u over random pairs is exact, their non-matches among the records x residents pairs
    # (see ``estimate``'s ``random_pairs``)
    u_random_levels: tuple[str, ...] = ()
    # levels whose u is also counted among strangers alone: the pairs born the same day whose
    # names differ, scaled to the random pairs; the higher of the two weights is kept (see
    # ``estimate``)
    u_stranger_levels: tuple[str, ...] = ()

    def level_names(self) -> list[str]:
        return [lv.name for lv in self.levels]

    @property
    def tf_adjustment(self) -> str | None:
        """The column ``with_tf`` adds: the log2 TF adjustment of an exact agreement."""
        return f"{self.tf_column}_tf" if self.tf_column else None


MISSING = "missing"


@dataclass(frozen=True)
class BlockingRule:
    """A blocking rule: which pairs get compared at all. ``fields`` are the comparisons whose
    values the rule forces to (nearly) agree: a pair found through the rule says nothing about
    how often strangers agree on them, so estimation leaves such pairs out of those fields' u.
    An attribute rule is an exact join on ``keys`` (record column, resident column), restricted
    to the records in ``records`` ("all", "no_nik": fewer than 12 NIK digits and no pair from
    a birth date + phonetic name rule, "unsettled": fewer than 12 NIK digits and no resident
    of the same birth date and phonetic name keys, "no_kel");
    a NIK rule (``keys`` empty) is integer arithmetic in ``pipelines.linkage.nik_pairs``."""
    name: str
    description: str
    fields: tuple[str, ...]
    keys: tuple[tuple[str, str], ...] = ()
    records: str = "all"


# The NIK encodes the birth date and sex (day + 40 for women), so every NIK rule forces those too.
_NIK_FIELDS = ("nik", "dob", "sex")
BLOCKING_RULES: tuple[BlockingRule, ...] = (
    BlockingRule("nik", "the claimed NIK itself", _NIK_FIELDS),
    BlockingRule("nik_sub", "NIK one digit away (one substitution) with the same initial or phonetic first "
                 "name (for a NIK no resident holds, also the record's last name as the resident's first); "
                 "for a NIK that disagrees with its own birth date, one date digit away with the "
                 "record's birth date; for 17 digits, one digit deleted, with the same initial",
                 _NIK_FIELDS + ("name",)),
    BlockingRule("nik_swap", "NIK with two adjacent digits swapped", _NIK_FIELDS),
    BlockingRule("nik_trunc", "12-15 digits that are a resident NIK's prefix, or 15 that are a resident NIK with "
                 "one digit dropped", _NIK_FIELDS),
    BlockingRule("nik_family", "the family (KK) of the claimed NIK's owner, or the family whose KK number the "
                 "claimed NIK is (in a family of more than 50, the members sharing the record's birth date or a "
                 "phonetic name key)", ("kk",)),
    BlockingRule("dob_kel", "birth date + kelurahan", ("dob", "kel"), (("s_dob", "r_dob"), ("s_kel", "r_kel"))),
    BlockingRule("dob_first", "birth date + phonetic first name", ("dob", "name"),
                 (("s_dob", "r_dob"), ("s_fk", "r_fk"))),
    BlockingRule("dob_last", "birth date + phonetic last name", ("dob", "name"),
                 (("s_dob", "r_dob"), ("s_lk", "r_lk"))),
    BlockingRule("dob_initial", "birth date + initial, for records without a kelurahan", ("dob", "name"),
                 (("s_dob", "r_dob"), ("s_ini", "r_ini")), records="no_kel"),
    BlockingRule("dob_swapped", "birth date + the record's phonetic last name as the resident's first "
                 "(names written in the other order)", ("dob", "name"), (("s_dob", "r_dob"), ("s_lk", "r_fk"))),
    # the other direction: a family name written first on the record (SIMANJUNTAK AGUSTINA
    # MAGDALENA for AGUSTINA MAGDALENA SIMANJUNTAK); for two-word names the rule above finds it
    BlockingRule("dob_swapped_back", "birth date + the record's phonetic first name as the resident's last "
                 "(a family name written first)", ("dob", "name"), (("s_dob", "r_dob"), ("s_fk", "r_lk"))),
    BlockingRule("name", "phonetic first + last name", ("name",), (("s_fk", "r_fk"), ("s_lk", "r_lk"))),
    BlockingRule("kk", "KK number", ("kk",), (("s_kk", "r_kk"),)),
    BlockingRule("dob_no_nik", "birth date alone, for records without a usable NIK whose phonetic name keys "
                 "found no one born that day", ("dob",),
                 (("s_dob", "r_dob"),), records="no_nik"),
    # The first + last name block of a common name is over the cap (MAX_BLOCK) and skipped: a
    # record without a usable NIK whose date is a year off, or a placeholder day, was compared
    # with no one, even with an exact name (an independent generator's 200k world: the median
    # such block ~80 residents). Split by the birth year, and by the month and day, the name's
    # residents fit (that world: welfare links missed 816 -> 625, roster 1,208 -> 1,072, with
    # the serial-0000 NIK read as truncated). Only for the records the birth date + name rules
    # found no one for: for every record they added namesakes alone where the date had found
    # the person, 10% more pairs, and in a 1M world without any NIK roster recall fell 0.9571 ->
    # 0.9518; so, 0.9592, and 1% of the pairs.
    BlockingRule("name_year", "phonetic first + last name + birth year, for records without a usable NIK "
                 "whose phonetic name keys found no one born that day", ("name", "dob"),
                 (("s_fk", "r_fk"), ("s_lk", "r_lk"), ("s_year", "r_year")), records="no_nik"),
    BlockingRule("name_md", "phonetic first + last name + birth month and day, for the same records",
                 ("name", "dob"),
                 (("s_fk", "r_fk"), ("s_lk", "r_lk"), ("s_md", "r_md")), records="no_nik"),
    # A record without a usable NIK whose date is damaged (a placeholder, a year off) and whose
    # name is damaged too (one of its words misspelt beyond the phonetic key, or written in the
    # other order) was compared with no one: the rules above need the whole name, or the whole
    # date, and a placeholder date usually finds some stranger, which shuts name_year and name_md
    # off. One phonetic name key with half the date, or the two keys swapped, for every such
    # record (an independent generator's two 150k worlds: ~41% of the links missed were never
    # compared with their resident).
    BlockingRule("first_md", "phonetic first name + birth month and day, for records without a usable NIK "
                 "that no resident of their birth date and phonetic name keys matches",
                 ("name", "dob"), (("s_fk", "r_fk"), ("s_md", "r_md")), records="unsettled"),
    BlockingRule("last_md", "phonetic last name + birth month and day, for the same records",
                 ("name", "dob"), (("s_lk", "r_lk"), ("s_md", "r_md")), records="unsettled"),
    BlockingRule("first_year", "phonetic first name + birth year, for the same records",
                 ("name", "dob"), (("s_fk", "r_fk"), ("s_year", "r_year")), records="unsettled"),
    BlockingRule("last_year", "phonetic last name + birth year, for the same records",
                 ("name", "dob"), (("s_lk", "r_lk"), ("s_year", "r_year")), records="unsettled"),
    BlockingRule("name_swapped", "the record's phonetic last name as the resident's first and its first as "
                 "the resident's last, for the same records", ("name",),
                 (("s_lk", "r_fk"), ("s_fk", "r_lk")), records="unsettled"),
)
RULE_BITS = {rule.name: 1 << i for i, rule in enumerate(BLOCKING_RULES)}
# the pairs' ``rules``: a bit set of the rules that found the pair
RULES_TYPE = pl.UInt32
assert max(RULE_BITS.values()) < 1 << 32, "the pairs' rules are a UInt32 bit set: widen it for more rules"
# The prior is per stratum of blocked pairs: a pair found through the NIK is far more likely a
# match than one found through a birth date or a name alone, and the rules that found a pair
# already forced some agreement (a name block brings namesakes). First match wins.
STRATA: tuple[tuple[str, int], ...] = (
    ("nik", sum(RULE_BITS[r.name] for r in BLOCKING_RULES if "nik" in r.fields)),
    ("attributes", -1),
)


def stratum_expr(values: dict[str, float] | None = None) -> pl.Expr:
    """The stratum of a pair, from its ``rules`` mask (first match in ``STRATA`` wins), or the
    stratum's number in ``values`` (a float straight from the mask, no stratum names per pair)."""
    def out(name: str) -> pl.Expr:
        return pl.lit(name) if values is None else pl.lit(values[name], pl.Float64)

    e = out(STRATA[-1][0])
    for name, bits in reversed(STRATA[:-1]):
        e = pl.when((pl.col("rules").cast(pl.Int64) & bits) != 0).then(out(name)).otherwise(e)
    return e


COMPARISONS: tuple[Comparison, ...] = (
    Comparison("nik", "NIK as written on the record against the resident's NIK", (
        Level("exact", 12.0, "NIK sama"),
        Level("one_substitution", 6.0, "NIK berbeda 1 digit"),
        Level("transposition", 6.0, "NIK dua digit bertukar"),
        # a one-digit difference in the serial (last 4 digits) is weak: people born the same day
        # in the same kecamatan have NIKs that differ only there
        Level("serial_differs", 1.0, "NIK beda di nomor urut"),
        # one digit off in the region part (province, kab/kota, kecamatan) or in the day's +40
        # (the other sex), date and serial the resident's: with an equal birth date, as often the
        # NIK of someone born that day in the next kecamatan, or of the other sex, as a typo of
        # this resident's (see NEIGHBOUR_SAYS_NOTHING)
        Level("same_day_neighbour", 6.0, "NIK beda 1 digit di kode wilayah atau jenis kelamin"),
        Level("truncated", 6.0, "NIK terpotong"),
        # a NIK Excel wrote in scientific notation (6.47401E+15), 6 to 11 digits shown (a
        # kecamatan, no whole birth date), that this resident's NIK gives: the kecamatan agrees. Its weight is
        # how rare that is for any resident (see SHOWN_AGREES), not estimated by the EM
        Level("excel_agrees", 3.0, "NIK rusak oleh Excel (…E+15), digit yang tersisa cocok"),
        # a family member's NIK, or the family's KK number, written as the record's NIK
        Level("family_head", 0.0, "NIK milik anggota keluarga (satu KK) atau nomor KK-nya"),
        # a family member of the claimed NIK's owner when the owner's own pair fits the record
        # (name and birth date agree): the record is the owner's, not this member's
        Level("family_owner_fits", -6.0, "NIK milik anggota keluarga lain yang cocok"),
        # a valid NIK no resident holds, which carries the resident's birth date and is no
        # repair of their NIK: the NIK of someone else born that day (declared, see DECLARED)
        Level("another_person", -20.0, "NIK berbeda: NIK sah orang lain yang lahir pada tanggal yang sama"),
        # a NIK Excel wrote in scientific notation (6.47401E+15) whose shown digits no rounding
        # of the resident's NIK gives: a NIK issued in another kecamatan (declared, see DECLARED)
        Level("excel_elsewhere", -20.0, "NIK rusak oleh Excel (…E+15), digit yang tersisa dari kecamatan lain"),
        Level("different", -3.0, "NIK berbeda"),
        Level(MISSING, 0.0, "NIK kosong/tidak valid"),
    ), u_population="dob_exact", u_all_levels=("family_head", "family_owner_fits"),
       u_random_levels=("family_head",),
       u_stranger_levels=("one_substitution", "transposition", "serial_differs", "same_day_neighbour", "truncated")),
    Comparison("name", "normalised name (titles, BIN/BINTI, MUHAMMAD variants, spelling folded)", (
        Level("exact", 9.0, "nama sama setelah normalisasi"),
        Level("very_similar", 7.0, "nama hampir sama"),
        Level("subset", 5.0, "sebagian nama sama"),
        Level("similar", 3.0, "nama mirip"),
        Level("weak", -4.0, "nama sedikit mirip"),
        Level("different", -8.0, "nama berbeda"),
        Level(MISSING, 0.0),
    ), tf_column="r_name", tf_word="nama", u_population="random"),
    Comparison("dob", "birth date, tolerant to swaps, placeholders, a year off by one and a few days off", (
        Level("exact", 7.0, "tanggal lahir sama"),
        Level("day_month_swapped", 4.0, "tanggal lahir tertukar hari/bulan"),
        Level("year_off_by_one", 4.0, "tahun lahir selisih 1"),
        Level("one_part_slip", 3.0, "tanggal lahir beda satu angka / tahun selisih 2"),
        Level("one_part_differs", 2.0, "tanggal lahir beda satu bagian"),
        Level("placeholder", 0.5, "tanggal lahir pengganti (01-01/01-07/31-12)"),
        # a date a few days off across a month's end (31-01 for 01-02, 25-12-1980 for
        # 04-01-1981): day, month and maybe year differ, yet the dates are close
        Level("within_a_month", 1.0, "tanggal lahir selisih kurang dari sebulan"),
        Level("different", -6.0, "tanggal lahir berbeda"),
        Level(MISSING, 0.0),
    ), tf_column="r_dob", tf_word="tanggal", u_population="random"),
    Comparison("sex", "sex", (
        Level("same", 0.5), Level("different", -4.0, "jenis kelamin berbeda"), Level(MISSING, 0.0),
    )),
    Comparison("kel", "kelurahan code", (
        Level("same", 1.5, "kelurahan sama"), Level("different", -0.5), Level(MISSING, 0.0),
    )),
    Comparison("kk", "family card (KK) number", (
        Level("same", 3.0, "nomor KK sama"),
        # the record's 16th digit 0, the first 15 the resident's: zeroed by Excel, most likely
        Level("first_15_same", 2.0, "nomor KK sama sampai digit ke-15 (digit terakhir 0, dari Excel)"),
        Level("different", -0.5), Level(MISSING, 0.0),
    )),
    Comparison("address", "street address (JL./JALAN, GG./GANG, NO. folded) with RT/RW from the text "
               "against the registry's ALAMAT, NO_RT, NO_RW", (
        Level("exact", 3.0, "alamat sama"),
        Level("street_same", 1.0, "jalan sama"),
        Level("rt_rw_same", 0.5, "RT/RW sama"),
        Level("different", -1.0, "alamat berbeda"),
        Level(MISSING, 0.0),
    )),
)
START_PRIOR = -10.0  # log2 prior odds that a blocked pair is a match, before estimation (every stratum)

COMPARISON_NAMES = [c.name for c in COMPARISONS]
# The anchor levels: a pair in all three (its claimed NIK exact, name and birth date agreeing) is
# the same person with near certainty. Such pairs label the other comparisons' m (``estimate``),
# and a record with one is settled before the attribute blocks (``pipelines.linkage._link``).
ANCHORS: dict[str, tuple[str, ...]] = {"nik": ("exact",), "name": ("exact", "very_similar"), "dob": ("exact", MISSING)}
# The name levels with which a settled record links to its NIK's holder whatever its other
# candidates (``pipelines.linkage._link``). With a name only "very similar", a NIK neighbour whose
# name is the record's exactly is compared with it: a twin's card carrying the other twin's NIK
# (RINI and RINA, one birth date, one house) linked to the NIK's holder without a look at the
# twin whose name it carries (found by review)
SETTLED_BY_NAME: tuple[str, ...] = ("exact",)
TF_ADJUSTMENTS = [c.tf_adjustment for c in COMPARISONS if c.tf_column]
# Levels whose weight is declared (the level's start weight), never estimated. A valid NIK
# that no resident holds and that carries the resident's birth date, no slip from their NIK, is
# the NIK of someone else born that day: a namesake from outside the city holding their own NIK.
# Estimated, the EM took those namesakes (name and date exact) for matches and the level weighed
# what "different" does (-5.0 against -5.8); linked on name and date, they made residents look
# protected. Over six worlds of five generators, of the 730 links with a NIK "different" that
# carried the resident's date and differed in two digits or more, not one was right (the
# roster: Bogor 188, a province world 352 at 1M, Makassar 8, seed 2027 at 1M 6); a typo of one
# digit that blocking found through the name stays "different" (the slip test,
# ``pipelines.linkage._slips_are_different``). At 200k, with the birth date vouched for (see
# ``weight_expr``), five worlds: 362 wrong links gone, 112 right ones made, 24 lost.
# ``excel_elsewhere`` likewise: the visible digits of an Excel-damaged NIK say which kecamatan
# issued it, and a true match's NIK always rounds to them (none of 5,888 right links did not, in
# two worlds); counted as nothing (missing), an outside tester's Bali world linked cards of
# namesakes from elsewhere on name and date (69 roster, 2 welfare links at 200k, all wrong).
DECLARED = {("nik", "another_person"), ("nik", "excel_elsewhere")}
# Declared levels of a NIK the record has lost (Excel kept its first digits only): the EM reads
# them as missing, as the NIK is, so the other NIK levels' u stays their share among the pairs
# whose record has a NIK. Counted in, the Bali world's Excel-damaged welfare cards (6%) drew
# u from "different": its weight went -4.3 -> -3.4 (welfare) and -2.6 -> -1.4 (roster).
READ_AS_MISSING = {("nik", "excel_elsewhere"), ("nik", "excel_agrees")}
# The weight of ``excel_agrees``: log2(1 / u), u the share of the region's residents whose NIK
# the record's shown digits allow, on average over such records (m is 1: Excel rounds the NIK
# it was given), between 0 and SHOWN_AGREES_MAX (under a truncated NIK's start weight: a
# kecamatan is no NIK). It counts nothing beside an equal kelurahan, which lies inside the
# kecamatan, or KK number, which begins with it: they counted it already (:func:`weight_expr`).
SHOWN_AGREES = ("nik", "excel_agrees")
SHOWN_AGREES_MAX = 5.0
TF_CLIP = (-6.0, 3.0)    # bounds of a term-frequency adjustment, log2
PSEUDO_COUNT = 1.0       # per level, in m and u: a level never seen keeps a finite weight
WEIGHT_CLIP = 20.0
# A comparison with fewer labelled pairs than this (records whose claimed NIKs are all missing or
# wrong label nothing) keeps its declared start weights, and the EM estimates the prior with
# them. Letting the EM estimate m as well, unanchored, was tried: on a world without claimed NIKs
# it converged on "born the same day" instead of "the same person" (roster recall 0.44).
MIN_LABELLED = 100
# With too few labels and fewer blocked pairs than this (a handful of records), even the prior
# would be noise: the declared start weights and prior are used and the model says so.
MIN_PAIRS = 1000


def start_weights() -> dict[str, dict[str, float]]:
    return {c.name: {lv.name: lv.start_weight for lv in c.levels} for c in COMPARISONS}


def evidence_text() -> dict[str, dict[str, str]]:
    return {c.name: {lv.name: lv.evidence for lv in c.levels if lv.evidence} for c in COMPARISONS}


@dataclass
class LinkModel:
    """Weights per comparison level (log2), the prior, and how they were obtained."""
    prior: dict[str, float]        # log2 prior odds per stratum of blocked pairs (one value when per record)
    weights: dict[str, dict[str, float]]
    m: dict[str, dict[str, float]] = field(default_factory=dict)
    u: dict[str, dict[str, float]] = field(default_factory=dict)
    training: dict = field(default_factory=dict)
    tf: bool = True
    # log2 prior odds per candidate of the records routed to this region by their NIK's resident
    # or their address, in one region of several, when they have a prior of their own
    # (:func:`record_prior`); ``prior`` is then the records' routed everywhere
    here_prior: float | None = None

    @classmethod
    def start(cls, tf: bool = True) -> LinkModel:
        return cls({name: START_PRIOR for name, _ in STRATA}, start_weights(), training={"method": "declared starting weights"}, tf=tf)

    def to_json(self) -> dict:
        r = lambda x: round(float(x), 6)  # noqa: E731
        return {
            "prior_log2_odds": {k: r(v) for k, v in self.prior.items()},
            **({"here_prior_log2_odds": r(self.here_prior)} if self.here_prior is not None else {}),
            "lambda": {k: r(2 ** v / (1 + 2 ** v)) for k, v in self.prior.items()},
            "strata": {name: [b.name for b in BLOCKING_RULES if RULE_BITS[b.name] & bits] if bits != -1
                       else "all other pairs" for name, bits in STRATA},
            "comparisons": [
                {"name": c.name, "description": c.description,
                 "tf_adjusted": bool(self.tf and c.tf_column),
                 "levels": [{"level": lv.name, "weight_log2": r(self.weights[c.name][lv.name]),
                             **({"weight_log2_where_names_agree":
                                 r(self.weights[when_names_agree(c.name)][lv.name])}
                                if lv.name in self.weights.get(when_names_agree(c.name), {}) else {}),
                             **({"m": r(self.m[c.name][lv.name]), "u": r(self.u[c.name][lv.name])}
                                if c.name in self.m and lv.name in self.m[c.name] else {}),
                             "start_weight_log2": lv.start_weight,
                             **({"evidence": lv.evidence} if lv.evidence else {})}
                            for lv in c.levels]}
                for c in COMPARISONS],
            "term_frequency_clip_log2": list(TF_CLIP) if self.tf else None,
            "training": self.training,
        }

    def save(self, path: str | Path) -> None:
        """The trained model as JSON (one file per run and source)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = aside(path)
        tmp.write_text(json.dumps(self.to_json(), indent=1, ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)

    def weights_md(self) -> str:
        """A markdown table of the weights (for the Dagster UI)."""
        lines = ["| comparison | level | m | u | weight (log2) |", "|---|---|---:|---:|---:|"]
        for c in COMPARISONS:
            for lv in c.levels:
                m = self.m.get(c.name, {}).get(lv.name)
                u = self.u.get(c.name, {}).get(lv.name)
                lines.append(f"| {c.name} | {lv.name} | {'' if m is None else f'{m:.4f}'} | "
                             f"{'' if u is None else f'{u:.5f}'} | {self.weights[c.name][lv.name]:+.2f} |")
            for lv, w in self.weights.get(when_names_agree(c.name), {}).items():
                lines.append(f"| {c.name}, the names agreeing | {lv} | | | {w:+.2f} |")
        rp = self.training.get("record_prior")
        if rp:
            lines.append(f"| prior | log2 odds a given resident is the record's person ({rp['in_population']:.1%} of "
                         f"records are among {rp['residents']:,} residents) | | | {rp['log2_odds_per_candidate']:+.2f} |")
            if "routed_here" in rp:
                h = rp["routed_here"]
                lines.append(f"| prior | the same for the {h['records']:,} records routed here by their NIK's resident or "
                             f"address ({h['in_population']:.1%}) | | | {h['log2_odds_per_candidate']:+.2f} |")
        else:
            for k, v in self.prior.items():
                lines.append(f"| prior | log2 odds a pair found through {k} matches | | | {v:+.2f} |")
        return "\n".join(lines)


# --- term frequencies ---------------------------------------------------------------------------

def with_tf(r: pl.DataFrame) -> pl.DataFrame:
    """Adds ``<col>_tf``: the log2 term-frequency adjustment of an exact agreement on each
    TF-adjusted resident column, log2(sum(f^2) / f_value), clipped to ``TF_CLIP``."""
    cols = []
    n = max(r.height, 1)
    for c in COMPARISONS:
        if not c.tf_column:
            continue
        # sum(f^2) as sum(count^2) / n^2: an integer sum, whatever order the group-by gives the
        # values in (a float sum of f^2 moved in its last bit from run to run)
        counts = r.get_column(c.tf_column).drop_nulls().value_counts().get_column("count").cast(pl.Int64)
        sum_f2 = float((counts * counts).sum()) / (n * n) or 1.0 / n
        freq = pl.len().over(c.tf_column) / n
        cols.append(pl.when(pl.col(c.tf_column).is_not_null())
                    .then(((sum_f2 / freq).log(2)).clip(*TF_CLIP)).otherwise(0.0)
                    .cast(pl.Float32).alias(c.tf_adjustment))
    return r.with_columns(cols)


# name levels that, with the resident's NIK exactly (and the sex not differing), make a
# disagreeing birth date the record's error (see weight_expr). The exact name only: a sister's
# record carrying her brother's NIK (DWI PUTRI / DWI PUTRA SANTOSO, very similar) went to the
# brother's review instead of linking to her (found by review)
VOUCHING_NAMES = ("exact",)

# The household's comparisons, weighed again where the names agree. Their u is measured among
# all blocked strangers, of whom most sharing a kelurahan or an address are the record's
# person's family (blocked through the KK or the family's NIK); a stranger whose name agrees
# with the record's is a namesake, who seldom lives in the same kelurahan, let alone the house.
# Where the names agree, a comparison's weight uses u among the strangers whose names agree
# (P(kel | name, non-match), the chain rule beside the name's own u), where that is higher.
HOUSEHOLD = ("kel", "address")
# the name levels that count as agreeing here (not "subset": one word of the other name, measured
# neither way; pipelines.linkage.NAMES_AGREE, for the NIK's household level, counts it)
HOUSEHOLD_NAMES = ("exact", "very_similar", "similar")


def when_names_agree(comparison: str) -> str:
    """The key in ``LinkModel.weights`` of a household comparison's weights where the names agree."""
    return f"{comparison}|names_agree"


# A NIK one digit off in its region part, or in the day's +40, counts nothing (at most) beside an
# equal birth date: its date part is that date again, and where kecamatan codes run 01, 02, ... and
# most serials are 0001, people born the same day in neighbouring kecamatans, or a man and a woman
# born that day in one, hold NIKs one digit apart. Taking them for matches (their dates agree),
# the EM gave the level what a typo earns (+6.8): an outside tester's Bali world linked roster
# cards of people not in the extract to a resident born that day with an unrelated name (I WAYAN
# SUDIRTA to I MADE WIRYAWAN; 1,364 at 1M, 402 residents never listed). Of the same-day pairs one
# region digit apart in three worlds 16-49% were right, every one with a name that agrees, none
# wrong with an equal name: the name decides. (With only the region slips apart, the EM at 5.8M
# residents found the other one-digit slips all matches, +16.8, and linked 2,028 cards of men from
# outside to a woman born that day with another name: the sex slips belong here too.) With the
# dates disagreeing the record contradicts its own NIK's date, a typo somewhere, and the level
# weighs what it was estimated to (counted as nothing there too, 103 right links of a Bogor world
# were lost).
NEIGHBOUR_SAYS_NOTHING = ("exact",)   # birth-date levels beside which a same-day neighbour counts <= 0


def neighbour_says_nothing() -> pl.Expr:
    """The pairs whose NIK level ``same_day_neighbour`` counts at most 0 (see above): the score
    clips its weight there, and the link's method is then not a NIK repair."""
    return (pl.col("nik") == "same_day_neighbour") & pl.col("dob").is_in(NEIGHBOUR_SAYS_NOTHING)


def weight_expr(model: LinkModel) -> pl.Expr:
    """The match weight of a compared pair (levels in columns named after the comparisons).

    Numbers throughout, for millions of pairs: the stratum's prior straight from the ``rules``
    mask, and each level's weight gathered by the level's position in its Enum (mapping the
    levels as strings took 0.5 s for the 5.2M welfare pairs of 1M residents, this 0.25 s)."""
    w = stratum_expr(model.prior)
    for c in COMPARISONS:
        names = c.level_names()
        weights = pl.Series([model.weights[c.name][lv] for lv in names], dtype=pl.Float64)
        level = pl.col(c.name).cast(pl.Enum(names)).to_physical()
        term = pl.lit(weights).gather(level)
        if c.name == "nik":
            term = pl.when(neighbour_says_nothing()).then(term.clip(upper_bound=0.0)).otherwise(term)
            # the kecamatan an Excel-damaged NIK shows, where the kelurahan (inside it) or the
            # KK number (which begins with it) agrees and counted it already
            said = (pl.col("kel") == "same") | pl.col("kk").is_in(["same", "first_15_same"])
            term = pl.when((pl.col("nik") == SHOWN_AGREES[1]) & said).then(0.0).otherwise(term)
        if c.name == "dob":
            # A birth date that disagrees counts nothing against a pair whose claimed NIK is the
            # resident's and whose names are the same (the record's date is what is wrong: a date
            # written again after a move, a clerk's slip). The date's weight is measured
            # between a record and any resident born that day (u over random pairs), as if the
            # NIK and the name said nothing of it; a stranger holding the resident's NIK and
            # name is next to impossible. Counted, it left such a record in the review list
            # (an outside tester's province world: 276 welfare records at 1M, every one right).
            vouched = ((pl.col("nik") == "exact") & pl.col("name").is_in(VOUCHING_NAMES)
                       & (pl.col("sex") != "different"))
            term = pl.when(vouched).then(term.clip(lower_bound=0.0)).otherwise(term)
        given = model.weights.get(when_names_agree(c.name))
        if given:
            raised = pl.Series([given.get(lv, model.weights[c.name][lv]) for lv in names], dtype=pl.Float64)
            term = pl.when(pl.col("name").is_in(HOUSEHOLD_NAMES)).then(pl.lit(raised).gather(level)).otherwise(term)
        w = w + term
        if model.tf and c.tf_column:
            w = w + pl.when(pl.col(c.name) == "exact").then(pl.col(c.tf_adjustment)).otherwise(0.0)
    return w


def probability(weight: pl.Expr) -> pl.Expr:
    """The pair's probability taken alone."""
    return 1.0 / (1.0 + (2.0 ** -weight))


def probability_among(weight: pl.Expr, record: str) -> pl.Expr:
    """The probability that the pair is the match, given all the record's candidate pairs (at
    most one is the match): 2^w_i / (1 + sum_j 2^w_j). A weight is a sum of clipped level
    weights (|w| < 200), so 2^w stays far inside float64's range."""
    odds = 2.0 ** weight.clip(-1000.0, 1000.0)
    return odds / (1.0 + odds.sum().over(record))


def log2_sum_odds(log2_odds: pl.Expr) -> pl.Expr:
    """log2 of the sum of odds given as log2 odds, in an aggregation. A pair's weight is a sum
    of clipped level weights (|w| < 200), so 2^w and sums of millions of them stay far inside
    float64's range, without taking the largest out first (which made the assembly's group-by
    over 2.9M region links 1.3 s instead of 0.4 s)."""
    return (2.0 ** log2_odds).sum().log(2)


def record_prior(levels: pl.DataFrame, model: LinkModel, n_records: int, n_residents: int, *,
                 everywhere: np.ndarray | None = None, max_iter: int = 200, tol: float = 1e-7) -> LinkModel:
    """The model with a prior per record instead of per blocked pair.

    Each record's person is among the extract's residents with probability pi, and then is any
    one of them alike: a candidate's prior odds are pi / (n_residents (1 - pi)), whatever the
    number of candidates blocking found for the record. With weights whose u is measured over
    random pairs this is the Fellegi-Sunter posterior at the record level, and
    :func:`probability_among` turns it into the probability that the candidate is the person.
    pi is estimated by EM over the records (a record without candidates counts as outside):
    pi = mean over records of P(one of its candidates is the person).

    ``everywhere`` (a bool per record, by ``s_key`` - 1) marks the records that one region of
    several sees because they may live in any (``pipelines.partitioning``). The others, routed
    here by their NIK's resident or their address, mostly live here, and get a pi of their own
    (``here_prior``; shrunk towards the pooled one by ``SHRINK_RECORDS`` records' worth): with
    one pi for all, Bontang in an extract of ten kab/kota had pi 0.33 instead of 0.90 (two
    thirds of the roster records it saw were routed everywhere), 4 bits off every candidate,
    and roster records with their exact NIK and a shortened name fell under the threshold. The
    records routed everywhere keep the pooled pi: measured on their own, theirs fell to 0.04
    in a region of ten, which lost 1,083 right links of that world to spare 39 wrong ones,
    while with the pooled one their links scored 0.90-0.95 were 86% right and 0.95-0.99 97%.
    """
    if n_records == 0 or n_residents == 0 or levels.height == 0:
        return model
    bare = LinkModel({k: 0.0 for k in model.prior}, model.weights, tf=model.tf)
    # the sum of a record's likelihood ratios: a weight without prior is a sum of clipped level
    # weights (|w| < 200), so 2^w stays far inside float64's range
    # (summed in the pairs' order, by the in-memory group-by: the streaming engine's sums moved
    # in their last bits from run to run, see linkage._odds; and the records in s_key order,
    # as the EM sums over them)
    per_record = (levels.select("s_key", w=weight_expr(bare)).group_by("s_key", maintain_order=True)
                  .agg(lr=(2.0 ** pl.col("w")).sum()).sort("s_key"))
    with np.errstate(divide="ignore"):
        log2_l = np.log2(per_record.get_column("lr").to_numpy())
    pi, it = _pi_em(log2_l, n_records, n_residents, max_iter=max_iter, tol=tol)
    c = _per_candidate(pi, n_residents)
    training = dict(model.training)
    training["method"] = training.get("method", "") + "; prior per record (EM over records)"
    training["pair_prior_log2_odds"] = {k: round(v, 4) for k, v in model.prior.items()}  # the EM's, per stratum
    training["record_prior"] = {"in_population": round(pi, 6), "residents": n_residents, "records": n_records,
                                "log2_odds_per_candidate": round(c, 4), "em_iterations": it}
    here_prior = None
    n_here = n_records - int(everywhere.sum()) if everywhere is not None else 0
    if 0 < n_here < n_records:
        here = ~everywhere[per_record.get_column("s_key").to_numpy().astype(np.int64) - 1]
        pi_here, it_here = _pi_em(log2_l[here], n_here, n_residents, shrink=SHRINK_RECORDS, towards=pi,
                                  max_iter=max_iter, tol=tol)
        here_prior = _per_candidate(pi_here, n_residents)
        training["method"] += ", one of their own for the records routed here"
        training["record_prior"]["routed_here"] = {
            "in_population": round(pi_here, 6), "records": n_here,
            "log2_odds_per_candidate": round(here_prior, 4), "em_iterations": it_here}
    return LinkModel({k: c for k in model.prior}, model.weights, m=model.m, u=model.u, training=training,
                     tf=model.tf, here_prior=here_prior)


# How many records' worth the pooled pi weighs in the pi of the records routed here (record_prior)
SHRINK_RECORDS = 10.0


def _per_candidate(pi: float, n_residents: int) -> float:
    """A candidate's log2 prior odds when the record's person is among ``n_residents`` with
    probability ``pi``, any one of them alike."""
    return float(np.log2(pi / (n_residents * (1 - pi))))


def _pi_em(log2_l: np.ndarray, n_records: int, n_residents: int, *, shrink: float = 0.0, towards: float = 0.0,
           max_iter: int, tol: float) -> tuple[float, int]:
    """pi of :func:`record_prior` by EM over records whose summed likelihood ratios are
    ``log2_l`` (``n_records`` counts those without candidates too), with ``shrink`` records'
    worth at pi ``towards``; (pi, iterations)."""
    pi, it = 0.5, 0
    for it in range(1, max_iter + 1):
        c = _per_candidate(pi, n_residents)
        got = float((1.0 / (1.0 + np.exp2(-np.clip(c + log2_l, -60, 60)))).sum())
        new = min(max((got + shrink * towards) / (n_records + shrink), 1e-4), 1 - 1e-4)
        done = abs(new - pi) < tol
        pi = new
        if done:
            break
    return pi, it


# --- estimation ---------------------------------------------------------------------------------

PAIR_WEIGHT = "pair_weight"  # how many blocked pairs a compared pair stands for (a sample's pairs)

def _codes(patterns: pl.DataFrame) -> dict[str, np.ndarray]:
    out = {}
    for c in COMPARISONS:
        names = c.level_names()
        out[c.name] = (patterns.get_column(c.name)
                       .replace_strict({n: i for i, n in enumerate(names)}, return_dtype=pl.Int32).to_numpy())
    return out


def _share(codes: np.ndarray, weight: np.ndarray, n_levels: int, missing: int) -> np.ndarray:
    """Share of each non-missing level in ``weight`` (with pseudo-counts); missing gets 1."""
    counts = np.bincount(codes, weights=weight, minlength=n_levels).astype(float)
    counts[missing] = 0.0
    counts = counts + PSEUDO_COUNT
    counts[missing] = 0.0
    share = counts / counts.sum()
    share[missing] = 1.0
    return share


def estimate(levels: pl.DataFrame, *, max_iter: int = 50, tol: float = 1e-6, tf: bool = True,
             random_u: Callable[[], dict[str, dict[str, float]]] | None = None,
             random_pairs: int | None = None, shown_u: Callable[[], float | None] | None = None) -> LinkModel:
    """m, u and the prior from this run's compared pairs (columns named after the comparisons).

    Works on the distinct comparison patterns with their counts (a few hundred rows whatever
    the number of pairs), so the EM costs milliseconds. ``random_u`` measures u per level over
    random record-resident pairs, for the comparisons whose ``u_population`` is "random"; it is
    called only when one of them has its m from labelled pairs, and then replaces their EM u in
    their final weights; ``shown_u`` gives the u of ``excel_agrees`` (see ``SHOWN_AGREES``), when
    such pairs are among ``levels``;
    :func:`record_prior` then gives the prior that goes with such weights.
    """
    keys = COMPARISON_NAMES + (["rules"] if "rules" in levels.columns else [])
    # a pair counts once, or as the blocked pairs it stands for in a sample (``PAIR_WEIGHT``,
    # null: once). The patterns in a fixed order (by their levels) and their counts exact: the
    # EM's sums run over them in this order, and the streaming group-by's order (and its float
    # sums of the weights, added up in whichever order its threads finish) changed from run to
    # run and moved every weight in its last bits. So the pairs are counted per pattern and
    # weight (integers), and then weighted.
    weighted = PAIR_WEIGHT in levels.columns
    by = keys + ([PAIR_WEIGHT] if weighted else [])
    pats = (levels.lazy().group_by(by).agg(pl.len()).collect()  # streaming engine: see linkage._union
            .sort(by, nulls_last=True))
    if weighted:
        pats = pats.group_by(keys, maintain_order=True).agg(
            (pl.col("len") * pl.col(PAIR_WEIGHT).fill_null(1.0)).sum())
    if pats.height == 0:
        return LinkModel.start(tf)
    n = pats.get_column("len").to_numpy().astype(float)
    codes = _codes(pats)
    rules = pats.get_column("rules").to_numpy().astype(np.int64) if "rules" in keys else np.zeros(len(n), np.int64)
    # which patterns may inform each comparison's u: no blocking rule forced that field
    free = {}
    for c in COMPARISONS:
        forced = sum(RULE_BITS[b.name] for b in BLOCKING_RULES if c.name in b.fields)
        free[c.name] = ((rules & forced) == 0).astype(float)
    meta = {c.name: (len(c.levels), c.level_names().index(MISSING)) for c in COMPARISONS}
    names_of = {c.name: c.level_names() for c in COMPARISONS}
    idx = {c.name: {lv: i for i, lv in enumerate(c.level_names())} for c in COMPARISONS}
    for k, lv in READ_AS_MISSING:
        codes[k] = np.where(codes[k] == idx[k][lv], idx[k][MISSING], codes[k])
    for c in COMPARISONS:
        if c.u_population == "dob_exact":
            free[c.name] = (codes["dob"] == idx["dob"]["exact"]).astype(float)

    # 1. m from labelled pairs: a pair on which the anchor comparisons other than c agree
    # (claimed NIK equal, name equal or nearly, birth date equal) is a match with near certainty,
    # and its level on c is a sample of m_c. Leaving c's own agreement out of its labels keeps
    # them unbiased for c (a KK head's NIK on his wife's record does not pollute the name's m).
    agree = {k: np.isin(codes[k], [idx[k][lv] for lv in levels]) for k, levels in ANCHORS.items()}
    m: dict[str, np.ndarray] = {}
    labelled = {}
    for c in COMPARISONS:
        if not c.labelled_m:
            continue
        mask = np.logical_and.reduce([a for k, a in agree.items() if k != c.name])
        labelled[c.name] = int((n * mask).sum())
        if labelled[c.name] >= MIN_LABELLED:
            m[c.name] = _share(codes[c.name], n * mask, *meta[c.name])
    if min(labelled.get(k, 0) for k in agree) < MIN_LABELLED and n.sum() < MIN_PAIRS:
        model = LinkModel.start(tf)
        model.training = {"method": "declared starting weights: too few labelled pairs, and too few pairs for the prior",
                          "pairs": int(n.sum()), "labelled_pairs": labelled,
                          "min_labelled": MIN_LABELLED, "min_pairs": MIN_PAIRS}
        return model
    # without labels (no claimed NIK equals a resident's) a comparison keeps its start weights
    fixed = [c.name for c in COMPARISONS if c.labelled_m and c.name not in m]

    # 2. EM: u of every comparison (and m of any unlabelled one) and lambda, started from the
    # declared weights
    w0 = start_weights()
    weights = {c.name: np.array([w0[c.name][lv] for lv in c.level_names()]) for c in COMPARISONS}
    stratum = np.full(len(n), len(STRATA) - 1)
    for i in reversed(range(len(STRATA) - 1)):
        stratum[(rules & STRATA[i][1]) != 0] = i
    prior = np.full(len(STRATA), START_PRIOR)
    u: dict[str, np.ndarray] = {}
    delta = None
    converged = False
    it = 0
    for it in range(1, max_iter + 1):
        logit = prior[stratum] + sum(weights[c.name][codes[c.name]] for c in COMPARISONS)
        p = 1.0 / (1.0 + np.exp2(-np.clip(logit, -60, 60)))
        lam = np.clip(np.bincount(stratum, n * p, len(STRATA)) / np.maximum(np.bincount(stratum, n, len(STRATA)), 1),
                      1e-9, 1 - 1e-9)
        new = {}
        for c in COMPARISONS:
            if not c.labelled_m:
                m[c.name] = _share(codes[c.name], n * p, *meta[c.name])
            u[c.name] = _share(codes[c.name], n * (1 - p) * free[c.name], *meta[c.name])
            if c.u_all_levels:
                u_all = _share(codes[c.name], n * (1 - p), *meta[c.name])
                for lv in c.u_all_levels:
                    u[c.name][idx[c.name][lv]] = u_all[idx[c.name][lv]]
            new[c.name] = (weights[c.name] if c.name in fixed
                           else np.clip(np.log2(m[c.name] / u[c.name]), -WEIGHT_CLIP, WEIGHT_CLIP))
            for k, lv in DECLARED:
                if k == c.name:
                    new[k][idx[k][lv]] = w0[k][lv]
        new_prior = np.log2(lam / (1 - lam))
        delta = max(float(np.abs(new_prior - prior).max()), *(float(np.abs(new[k] - weights[k]).max()) for k in new))
        weights, prior = new, new_prior
        if delta < tol:
            converged = True
            break
    for k in fixed:  # the m a start weight implies, with the estimated u (reported, not used)
        m[k] = np.minimum(u[k] * np.exp2(weights[k]), 1.0)
    # u over random pairs for the comparisons that declare it, once their m is measured: the
    # EM's u above is among *blocked* strangers, who were picked for agreeing on something
    random_for = [c.name for c in COMPARISONS if c.u_population == "random" and c.name not in fixed] if random_u else []
    measured = random_u() if random_for else {}
    random_for = [k for k in random_for if k in measured]
    for k in random_for:
        u[k] = np.array([measured[k][lv] if lv != MISSING else 1.0 for lv in names_of[k]])
        weights[k] = np.clip(np.log2(m[k] / u[k]), -WEIGHT_CLIP, WEIGHT_CLIP)
    if random_for and random_pairs:
        for c in COMPARISONS:
            for lv in c.u_random_levels:
                if c.name in m:
                    at = codes[c.name] == idx[c.name][lv]
                    u[c.name][idx[c.name][lv]] = max(float((n * (1 - p))[at].sum()), PSEUDO_COUNT) / random_pairs
                    weights[c.name] = np.clip(np.log2(m[c.name] / u[c.name]), -WEIGHT_CLIP, WEIGHT_CLIP)
    # The NIK's repair levels by their strangers alone: the EM's u of a level is its share among
    # the pairs it judges non-matches, and where a damaged NIK and a damaged name come together
    # it judged the true pairs non-matches too. The weight of a NIK one digit off then swung
    # from run to run and world to world (roster: -3.3, -1.2, +9.1 over worlds of 1x, 2x and
    # 3x the damage), and a protected worker whose card had a typo in its NIK and a variant of
    # the name went unlinked and became a candidate: the most frequent false candidate (28 of
    # 38 at 200k, seed 2027). Strangers are counted where no true pair is, among the pairs born
    # the same day whose names differ (divided by how often strangers' names differ), per
    # random pair born the same day. Only ever raised: where the EM found the level strong
    # (harsher damage) its weight stands. (An approximation: the blocked strangers of a NIK one
    # digit off also share an initial or a phonetic first name, which the random pairs do not,
    # so their u is low by about that share; the cap at half the exact NIK's odds bounds it, and
    # across four worlds of 1x-3x damage and an independent generator's the links' precision
    # did not move while their recall rose.)
    raised = []
    if random_for and random_pairs and {"name", "dob"} <= set(random_for):
        same_day = codes["dob"] == idx["dob"]["exact"]
        names_differ = codes["name"] == idx["name"]["different"]
        u_differ = max(float(u["name"][idx["name"]["different"]]), 1e-9)
        u_same_day = max(float(u["dob"][idx["dob"]["exact"]]), 1e-12)
        for c in COMPARISONS:
            if c.name not in m or c.name in fixed:
                continue
            for lv in c.u_stranger_levels:
                i = idx[c.name][lv]
                strangers = float(n[(codes[c.name] == i) & same_day & names_differ].sum()) / u_differ
                u_lv = max(strangers, PSEUDO_COUNT) / (random_pairs * u_same_day)
                w = float(np.clip(np.log2(m[c.name][i] / u_lv), -WEIGHT_CLIP, WEIGHT_CLIP))
                # less than the exact level's, at most half its odds (a small world counts next to
                # no strangers, and a NIK one digit off is never the evidence an exact one is)
                w = min(w, float(weights[c.name][0]) - 1.0)  # (levels run most to least similar)
                if w > weights[c.name][i]:
                    # (u as the weight kept says: the model file's m, u and weight agree)
                    weights[c.name][i], u[c.name][i] = w, m[c.name][i] / 2.0 ** w
                    raised.append(f"{c.name}.{lv}")
    # the household's weights where the names agree (see HOUSEHOLD), only ever raised
    given: dict[str, dict[str, float]] = {}
    agree = np.isin(codes["name"], [idx["name"][lv] for lv in HOUSEHOLD_NAMES])
    for k in HOUSEHOLD:
        if k not in m or k in fixed:
            continue
        u_given = _share(codes[k], n * (1 - p) * free[k] * agree, *meta[k])
        w_given = np.clip(np.log2(m[k] / u_given), -WEIGHT_CLIP, WEIGHT_CLIP)
        raised_lv = {lv: float(w_given[i]) for lv, i in idx[k].items()
                     if lv != MISSING and w_given[i] > weights[k][i]}
        if raised_lv:
            given[when_names_agree(k)] = raised_lv
    for k, lv in DECLARED:  # (m as the weight says, with the u estimated: the model file's m,
        i = idx[k][lv]        # u and weight agree, and stay probabilities)
        weights[k][i] = w0[k][lv]
        if k in m and k in u:
            m[k][i] = u[k][i] * 2.0 ** w0[k][lv]
    k, lv = SHOWN_AGREES
    share = shown_u() if shown_u is not None and k in m and k in u else None
    if share:
        i = idx[k][lv]
        weights[k][i] = float(np.clip(-np.log2(share), 0.0, SHOWN_AGREES_MAX))
        u[k][i], m[k][i] = 2.0 ** -weights[k][i], 1.0
    elif k in m and k in u:  # nothing to measure: the start weight, as a declared level's
        i = idx[k][lv]
        weights[k][i], m[k][i] = w0[k][lv], u[k][i] * 2.0 ** w0[k][lv]
    as_dict = lambda a, k: {lv: float(a[i]) for i, lv in enumerate(names_of[k])}  # noqa: E731
    wd = {k: as_dict(v, k) for k, v in weights.items()}
    for k in wd:
        wd[k][MISSING] = 0.0
    wd.update(given)
    return LinkModel(
        prior={name: float(prior[i]) for i, (name, _) in enumerate(STRATA)}, weights=wd,
        m={k: {lv: v for lv, v in as_dict(a, k).items() if lv != MISSING} for k, a in m.items()},
        u={k: {lv: v for lv, v in as_dict(a, k).items() if lv != MISSING} for k, a in u.items()},
        training={"method": ("m from labelled pairs (the other anchors agree) + EM over blocked pairs for u and the prior"
                             if not fixed else
                             "EM over blocked pairs for the prior; declared start weights for "
                             + ", ".join(fixed) + " (too few labelled pairs)"),
                  "start_weights_for": fixed,
                  "u_from_random_pairs": random_for,
                  "u_among_strangers": raised,
                  **({"excel_shown_share": share} if share else {}),
                  "pairs": int(n.sum()), "patterns": pats.height,
                  "pairs_by_stratum": {name: int(n[stratum == i].sum()) for i, (name, _) in enumerate(STRATA)},
                  "u_pairs": {k: int((n * v).sum()) for k, v in free.items()},
                  "labelled_pairs": labelled, "em_iterations": it, "converged": converged,
                  "last_change": None if delta is None else round(delta, 6),
                  "expected_matches": round(float((n * p).sum()), 1)},
        tf=tf,
    )
