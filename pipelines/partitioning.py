"""Region partitions: which residents and which records each kab/kota's linker sees.

A region (kab/kota, ``NO_PROP`` + ``NO_KAB``) is the unit of work of the linkage: its residents
and the welfare and roster records that may be theirs are linked on their own, in their own
process, pod or run. The contract's ``welfare_links`` and ``participant_links`` put the regions
back together (``assemble_links``).

**Residents** belong to the region of their address (``kode_kab``). A resident without region
codes (flag ``region_code_missing``) belongs to the region their NIK was issued in when the
extract has that region, else to the extract's largest region.

**Records** go to the regions where their person can live:

1. the region of the resident whose NIK the record carries exactly, and the region of the
   record's own address (a welfare record's ``KODE_KEL``) when the extract has it;
2. when neither is known, every region: a record whose NIK matches no resident (a typo, two
   digits swapped, truncated, or none) and that has no address is compared everywhere, and
   keeps its best link;
3. every region too when the record has no address and the resident whose NIK it carries
   shares no word of their name with it: a typo can make a neighbour's NIK (serials count from
   0001 per kecamatan and birth date), and that neighbour's region need not be the person's;
4. a record with an address but no exact-NIK resident also goes to the regions of the
   residents sharing its KK number, or its birth date and its first or last name word
   (``kin``): DTSEN records where a family lives, Dukcapil where its KK is registered, and a
   family that moved to the next kab/kota has welfare records addressed there. Routed to
   their address alone, such records (a third of the 13% living elsewhere, in a world of two
   neighbouring kab/kota) were never compared with their person and stayed unlinked.

The claimed NIK's prefix routes nothing: it is where the NIK was first issued, not where its
holder lives (migrants in Bontang carry Java NIKs; one whose NIK was issued in one kab/kota of
the extract may live in another). Routed by it, a roster record with a typo in such a NIK was
compared in the region that issued it alone: unlinked, and its resident looked unprotected
where they live. Comparing these records everywhere cost 2-3% more roster pairs in a world of
two 100k kab/kota (docs/partitions.md, Routing). A record linked in two regions keeps the link of the
higher log2 odds, scored again over the candidates of both (``assemble``); a resident lives
in one region, so one-to-one holds across regions as it holds within one.
"""

from __future__ import annotations

import polars as pl

Frame = pl.DataFrame | pl.LazyFrame
# the column ``records_of`` adds, when asked, for the records routed to every region
EVERYWHERE = "_everywhere"


def _lazy(df: Frame) -> pl.LazyFrame:
    return df.lazy() if isinstance(df, pl.DataFrame) else df


def region_sizes(residents: Frame) -> dict[str, int]:
    """Residents per region of the extract, largest first, from the addresses (residents without
    region codes are not counted); from the NIKs' prefixes when no resident has region codes."""
    lf = _lazy(residents)
    out = (lf.select("kode_kab").filter(pl.col("kode_kab").is_not_null())
           .group_by("kode_kab").len().sort(["len", "kode_kab"], descending=[True, False]).collect())
    if out.height == 0:
        out = (lf.select(kode_kab=pl.col("NIK").str.slice(0, 4)).group_by("kode_kab").len()
               .sort(["len", "kode_kab"], descending=[True, False]).collect())
    return dict(out.iter_rows())


def resident_region(regions: list[str]) -> pl.Expr:
    """Each resident's region: ``kode_kab``, else the NIK's region when the extract has it, else
    the largest region (``regions`` is largest first)."""
    prefix = pl.col("NIK").str.slice(0, 4)
    fallback = regions[0] if regions else None
    return (pl.coalesce(pl.col("kode_kab"),
                        pl.when(prefix.is_in(regions)).then(prefix),
                        pl.lit(fallback, pl.String))
            .alias("region"))


def residents_of(residents: Frame, region: str, regions: list[str]) -> pl.DataFrame:
    """The residents a region's linker compares against (predicate pushed into the scan)."""
    return _lazy(residents).filter(resident_region(regions) == region).collect()


def record_regions(records: Frame, residents: Frame, regions: list[str],
                   address_col: str | None) -> pl.LazyFrame:
    """Per record: ``home`` (region of the exact-NIK resident), ``address`` (the record's own
    address region, when the extract has it), ``kin`` (rule 4 of the module docstring) and
    ``stranger`` (the exact-NIK resident's normalised name shares no word with the record's). ``address_col`` is a 10-digit kelurahan
    code column, or None."""
    home = _lazy(residents).select(pl.col("NIK").alias("_nik"), resident_region(regions).alias("home"),
                                   pl.col("nama_norm").alias("_home_name"))
    lf = _lazy(records)
    address = (pl.col(address_col).str.slice(0, 4) if address_col else pl.lit(None, pl.String))
    lf = lf.with_columns(
        _nik=pl.col("NIK"),
        address=pl.when(address.is_in(regions)).then(address),
    )
    shared = (pl.col("nama_norm").str.split(" ").list.set_intersection(pl.col("_home_name").str.split(" "))
              .list.len())
    lf = (lf.join(home, on="_nik", how="left", nulls_equal=False, maintain_order="left")
          .with_columns(stranger=(shared == 0).fill_null(False))
          .drop("_nik", "_home_name"))
    if address_col is None:  # without an address, a record without a home goes everywhere already
        return lf.with_columns(kin=pl.lit(None, pl.List(pl.String)))
    return _with_kin(lf, _lazy(residents), regions)


def _with_kin(lf: pl.LazyFrame, residents: pl.LazyFrame, regions: list[str]) -> pl.LazyFrame:
    """Adds ``kin``: the regions of the residents sharing the record's KK number, or its birth
    date and first or last name word, for records without an exact-NIK resident (rule 4 of the
    module docstring); null otherwise, or when the frames have none of those columns."""
    rec_cols, res_cols = lf.collect_schema().names(), residents.collect_schema().names()
    word = {"_first": pl.col("nama_norm").str.split(" ").list.first(),
            "_last": pl.col("nama_norm").str.split(" ").list.last()}
    keys = []
    if "NO_KK" in rec_cols and "NO_KK" in res_cols:
        keys.append({"NO_KK": pl.col("NO_KK")})
    if {"TGL_LHR", "nama_norm"} <= set(rec_cols) & set(res_cols):
        keys += [{"TGL_LHR": pl.col("TGL_LHR"), w: e} for w, e in word.items()]
    if not keys:
        return lf.with_columns(kin=pl.lit(None, pl.List(pl.String)))
    # the records (their exact-NIK join above included) and the residents' key columns are each
    # computed once here: as one lazy plan, each key's join and the final one computed them again
    # (the independent 1M world's welfare routing: 2.97 s, of it 1.6 s for the three keys)
    records = lf.with_row_index("_row").collect()
    todo = records.lazy().filter(pl.col("home").is_null())
    columns = {name: e for k in keys for name, e in k.items()}
    res = residents.select(_region=resident_region(regions), **columns).collect().lazy()
    # each key's regions once, not each resident's: a placeholder birth date and a common first
    # name are shared by thousands of residents (a stress world of 20 kab/kota, 30% placeholder
    # dates: 7.5 s and +2.8 GB for its welfare records' kin, the run's peak)
    found = pl.concat([todo.select("_row", **k).drop_nulls()
                       .join(res.select("_region", *k).drop_nulls().unique(), on=list(k)).select("_row", "_region")
                       for k in keys])
    kin = found.group_by("_row").agg(kin=pl.col("_region").unique().sort())
    return records.lazy().join(kin, on="_row", how="left", maintain_order="left").drop("_row")


def routed_everywhere() -> pl.Expr:
    """True for the records every region's linker sees (cases 2 and 3 of the module docstring)."""
    known = pl.col("home").is_not_null() | pl.col("address").is_not_null()
    return (pl.col("stranger") & pl.col("address").is_null()) | ~known


def routed_to(region: str) -> pl.Expr:
    """True for the records that ``region``'s linker sees (columns of ``record_regions``): those
    every region sees, and those whose resident, address or kin is there."""
    return (routed_everywhere() | (pl.col("home") == region).fill_null(False)
            | (pl.col("address") == region).fill_null(False)
            | pl.col("kin").list.contains(region).fill_null(False))


def records_of(records: Frame, residents: Frame, region: str, regions: list[str],
               address_col: str | None, everywhere: str | None = None,
               routed: pl.DataFrame | None = None) -> pl.DataFrame:
    """The records ``region``'s linker sees, with their original columns (see module docstring);
    with ``everywhere``, a boolean column of that name too: the record goes to every region.
    ``routed``: ``record_regions`` of these records, collected once for every region."""
    if regions == [region]:  # an extract of one kab/kota (Bontang): every record is its
        lf = _lazy(records)
        return (lf.with_columns(pl.lit(True).alias(everywhere)) if everywhere else lf).collect()
    cols = _lazy(records).collect_schema().names()
    extra = [routed_everywhere().alias(everywhere)] if everywhere else []
    lf = routed.lazy() if routed is not None else record_regions(records, residents, regions, address_col)
    return lf.filter(routed_to(region)).select(*cols, *extra).collect()


def _with_region(parts: dict[str, Frame]) -> pl.DataFrame:
    """The regions' frames as one, each row tagged with its ``region`` (in code order). A column
    some regions lack is null there: regions linked before and after an upgrade that added one
    (the odds) are put together as the older ones were. Lazy frames (scans) are read straight
    into the one frame, without a frame per region beside it."""
    if not parts:
        raise ValueError("no region frames to assemble")
    return pl.concat([_lazy(df).with_columns(region=pl.lit(r, pl.String)) for r, df in sorted(parts.items())],
                     how="diagonal_relaxed").collect()


# What a region's links carry for the assembly (``pipelines.linkage.LinkResult.odds``), as log2
# odds: over all the record's candidates there (log2 of the sum of their odds), and of its link;
# and its review pairs, of the pair
ODDS_COLUMNS = ("log2_odds_all", "log2_odds_link")
REVIEW_ODDS = "log2_odds"
ELSEWHERE = "; kandidat lain di kab/kota lain juga cocok"


def _among_all(weight: str) -> pl.Expr:
    """A pair's score among the candidates of every region (``log2_odds_sum``): 2^w / (1 + sum),
    the score's definition (``linkmodel.probability_among``) over the record's whole extract."""
    w = pl.col(weight)
    return 1.0 / (2.0 ** -w + 2.0 ** (pl.col("log2_odds_sum") - w))


def assemble(link_parts: dict[str, Frame], review_parts: dict[str, Frame], id_col: str,
             link_threshold: float | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """A source's links and review list from its regions' (:func:`assemble_links`,
    :func:`assemble_review`).

    When the regions' parts carry their odds (``ODDS_COLUMNS``, ``REVIEW_ODDS``) and
    ``link_threshold`` is given, a record compared in several regions is scored again among the
    candidates of all of them, as within one: each region's score saw its own candidates only,
    so a roster record without a NIK or a date whose namesakes live in two kab/kota was linked
    at 0.99 in each, and kept the higher. Its kept link (the highest log2 odds: the highest
    score over all) is scored over all; under the threshold, the record is not linked, and its
    links in the regions go to the review list whatever their score (each alone would be a
    link: two namesakes share about one half each), as a region lists such pairs among its own
    candidates. Its review pairs are scored over all too; one
    that other regions lowered says so."""
    df = _with_region(link_parts)
    if link_threshold is None or "log2_odds_all" not in df.columns:
        links = _best_links(df, id_col).drop("region", *ODDS_COLUMNS, strict=False).sort(id_col)
        return links, assemble_review(review_parts, links, id_col)
    from pipelines.linkmodel import log2_sum_odds  # here: the schedules read this module, not numpy (+0.13 s)

    # per record, beside its best link, log2 of the sum of its candidates' odds over the regions
    # that compared it, when two or more did (in the same group-by: 0.6 s more over 2.9M region
    # links as a group-by of its own)
    odds = pl.col("log2_odds_all")
    best = _best_links(df, id_col, log2_odds_sum=pl.when(odds.count() >= 2).then(log2_sum_odds(odds)))
    across = best.filter(pl.col("log2_odds_sum").is_not_null()).select(id_col, "log2_odds_sum")
    shared = pl.col("log2_odds_sum").is_not_null() & pl.col("NIK").is_not_null()
    best = best.with_columns(score=pl.when(shared).then(_among_all("log2_odds_link").round(6))
                             .otherwise(pl.col("score")))
    gone = shared & (pl.col("score") < link_threshold)
    taken_back = (df.join(best.filter(gone).select(id_col), on=id_col, how="semi").filter(pl.col("NIK").is_not_null())
                  .join(across, on=id_col)
                  .select(id_col, "region", "NIK", "score", "evidence", "log2_odds_sum", w="log2_odds_link",
                          _back=pl.lit(True)))
    links = (best.with_columns(
        NIK=pl.when(gone).then(None).otherwise(pl.col("NIK")),
        method=pl.when(gone).then(pl.lit("none")).otherwise(pl.col("method")),
        evidence=pl.when(gone).then(None).otherwise(pl.col("evidence")),
        score=pl.when(gone).then(0.0).otherwise(pl.col("score")))
        .drop("region", "log2_odds_sum", *ODDS_COLUMNS).sort(id_col))
    unlinked = links.filter(pl.col("NIK").is_null()).select(id_col)
    review = _with_region(review_parts).join(unlinked, on=id_col, how="semi")
    if REVIEW_ODDS in review.columns:
        review = pl.concat([review.rename({REVIEW_ODDS: "w"}).join(across, on=id_col, how="left"), taken_back],
                           how="diagonal_relaxed")
        new = _among_all("w").round(6)
        rescored = pl.col("log2_odds_sum").is_not_null() & pl.col("w").is_not_null()
        review = review.with_columns(
            evidence=pl.when(pl.col("_back").fill_null(False) | (rescored & (new < pl.col("score") - 0.01)))
            .then(pl.col("evidence") + ELSEWHERE).otherwise(pl.col("evidence")),
            score=pl.when(rescored).then(new).otherwise(pl.col("score"))
        ).drop("w", "log2_odds_sum", "_back")
    return links, _best_review(review, id_col)


def assemble_links(parts: dict[str, pl.DataFrame], id_col: str) -> pl.DataFrame:
    """One row per record from the regions' links: a record seen by several regions keeps its
    best link (a link before no link, then the higher log2 odds when the regions kept them,
    then the higher score, then the region code, so the result does not depend on the order
    the regions finished in)."""
    return _best_links(_with_region(parts), id_col).drop("region", *ODDS_COLUMNS, strict=False).sort(id_col)


def _best_links(links: pl.DataFrame, id_col: str, **also: pl.Expr) -> pl.DataFrame:
    """Each record's best region link (see :func:`assemble_links`; with the odds, a link before
    no link, then the highest ``log2_odds_link``), with ``also`` (over the odds columns)
    aggregated over its region links. Only the keys are sorted, and the rows
    chosen are then taken whole: sorting the evidence texts too cost 400 MB more for the 4.2M
    region links of 20 kab/kota."""
    odds = [c for c in ODDS_COLUMNS if c in links.columns]
    keys = links.select(id_col, pl.col("NIK").is_null().alias("_none"), "score", "region", *odds,
                        _row=pl.int_range(pl.len(), dtype=pl.UInt32))
    # with the odds, the link of the highest log2 odds first: the one scored highest over every
    # region (``assemble``), where a region's own rivals lowered a stronger link's score there
    w = [_link_odds(keys, id_col)] if "log2_odds_link" in odds else []
    chosen = (keys.sort([id_col, "_none", *w, "score", "region"],
                        descending=[False, False, *[True] * len(w), True, False])
              .group_by(id_col, maintain_order=True).agg(pl.col("_row").first(), **also))
    return links[chosen.get_column("_row")].hstack(chosen.select(*also))


def _link_odds(keys: pl.DataFrame, id_col: str) -> pl.Expr:
    """The log2 odds the links are ordered by (``_best_links``); for a record one of whose links
    comes from a region linked before the odds were kept, none: its links are ordered by their
    score, as they were then."""
    w = pl.col("log2_odds_link")
    linked = pl.col("_none").not_()
    if keys.select((w.is_null() & linked).any()).item():
        return pl.when((w.is_null() & linked).any().over(id_col)).then(None).otherwise(w)
    return w


def assemble_review(parts: dict[str, pl.DataFrame], links: pl.DataFrame, id_col: str) -> pl.DataFrame:
    """Review pairs from the regions, for records that stayed unlinked everywhere; one pair per
    record (the best). ``links`` comes from ``assemble_links``."""
    unlinked = links.filter(pl.col("NIK").is_null()).select(id_col)
    return _best_review(_with_region(parts).join(unlinked, on=id_col, how="semi"), id_col)


def _best_review(review: pl.DataFrame, id_col: str) -> pl.DataFrame:
    return (review.sort([id_col, "score", "region"], descending=[False, True, False])
            .group_by(id_col, maintain_order=True).first()
            .drop("region", REVIEW_ODDS, strict=False).sort(id_col))


# A kab/kota whose extract holds under this share of the residents its last linking had is
# refused unless allowed (the settings' ``allow_smaller_extract``, `lindungi run
# --allow-smaller-extract`): a data engineer's trial run on a sample of 3,000 residents, into
# another --out on the same state directory, withdrew 32,240 of the period's 32,671 candidates,
# and the earlier month's export then left out 32,252 as no longer listed by a later month. A
# partial extract (one kecamatan, a file cut short) does the same. A month's own change is a few
# percent.
SMALLER_EXTRACT = 0.5


# An extract much smaller than the last is refused only as a part of the same population: when
# at least this share of its people (NIK and name) were in the last one. A sample or a partial
# extract is nearly all of them; another population (a benchmark's next generated world, of
# another size) almost none, and is taken with a warning: a run of a 1M world, then of a 200k
# one on the same state directory, would otherwise be refused.
SAME_POPULATION = 0.5


def same_population(new: pl.DataFrame, before: pl.DataFrame, nik: str = "NIK", name: str = "nama_norm") -> float:
    """The share of ``new``'s people (NIK and name) found among ``before``'s: near 1 for a sample
    or a part of the same extract, near 0 for another population."""
    if new.height == 0:
        return 1.0
    keys = new.select(pl.col(nik).alias("k"), pl.col(name).alias("n")).drop_nulls().unique()
    found = keys.join(before.select(pl.col(nik).alias("k"), pl.col(name).alias("n")).drop_nulls().unique(),
                      on=["k", "n"], how="semi").height
    return found / max(keys.height, 1)
