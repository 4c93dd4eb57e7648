"""Linkage assets: welfare and roster records linked to residents, one-to-one, with evidence.

The work is done per kab/kota (``region`` partitions, ``pipelines.partitioning``): each region's
residents against the records routed to it, with a model estimated on that region's pairs. The
contract's ``welfare_links`` and ``participant_links`` then put the regions of the extract
together, one row per record, after checking that every region was linked after the last
ingest.
"""


import os
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import polars as pl

from assets._common import counts_md, latest_record, progress, stored_checked, ticking
from dagster_project.io_manager import asset_path
from dagster_project.partitions import region_partitions
from dagster_project.resources import LindungiSettings
from pipelines import schema
from pipelines.linkage import LinkSettings, extract_blocks, link_sources
from pipelines.partitioning import (EVERYWHERE, assemble, record_regions, records_of,
                                   region_sizes, residents_of)
from pipelines.regions import region_label
from quality.definitions import asset_suite, suite_check
from quality.expectations import validate_later

GROUP = "linkage"
REVIEW_SCHEMA = {"NIK": pl.String, "score": pl.Float64, "evidence": pl.String}


def _histogram(scores: pl.Series) -> dg.MetadataValue:
    bins = (scores * 10).floor().clip(0, 9).cast(pl.Int32).value_counts().sort(scores.name)
    lines = ["| score | links |", "|---|---|"]
    for b, n in bins.iter_rows():
        lines.append(f"| {b / 10:.1f}-{(b + 1) / 10:.1f} | {n:,} |")
    return dg.MetadataValue.md("\n".join(lines))


# The two sources of a region, linked in one step: side by side in threads on the same resident
# side (pipelines.linkage.link_sources). At 200k residents that took 5.4-5.9 s against 6.7-7.6 s
# one after the other; two linkers' pairs are then in memory at once (the 1M world's run peaked at
# 2.6-2.8 GB with it, 2.5 GB without), so above this many residents in the region
# (LINDUNGI_LINK_CONCURRENT_MAX_RESIDENTS) they run one after the other: 5.8M residents in one
# region peaked at 16.7 GB linking one source at a time.
CONCURRENT_MAX_RESIDENTS = 2_000_000


@dataclass(frozen=True)
class _Source:
    name: str            # the links' asset name (region_<name> per region)
    review_name: str
    records_key: str     # the cleaned records' asset
    id_col: str
    address_col: str | None
    links_schema: dict


SOURCES = (
    _Source("welfare_links", "welfare_link_review", "welfare_records", "ID_DTSEN", "KODE_KEL",
            schema.WELFARE_LINKS),
    _Source("participant_links", "participant_link_review", "participants", "KPJ", None,
            schema.PARTICIPANT_LINKS),
)


def _region_outs(src: _Source) -> dict[str, dg.AssetOut]:
    return {
        f"region_{src.name}": dg.AssetOut(
            description=f"{src.records_key} linked to one kab/kota's residents: the records routed to the "
                        "region (exact NIK, address, else every region), one row each.",
            kinds={"polars", "rapidfuzz", "parquet"}, is_required=False),
        f"region_{src.review_name}": dg.AssetOut(
            description=f"Grey-zone candidate pairs of {src.records_key} within one kab/kota.", kinds={"polars", "parquet"},
            is_required=False),
    }


# What every region's linker computes alike for one extract: each record's routing
# (pipelines.partitioning.record_regions, per source) and the extract's oversized blocks
# (pipelines.linkage.extract_blocks). `lindungi run` on a small machine links the regions one
# after the other in its own process, and the next region takes them from here (two kab/kota of
# 500k: 1.8 s of welfare routing, 0.4 s of the roster's and 1.4 s of blocks, each region). Kept
# for one extract, known by its files' size and modification time, and its regions.
_EXTRACT_WIDE: dict[tuple, dict] = {}


def _extract_wide(out_dir: str, regions: list[str]) -> dict:
    """This process's extract-wide values of the extract in ``out_dir`` (an empty dict to fill
    when it is another extract than the last, or its files cannot be read)."""
    try:
        key = (tuple(regions), *((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in
                                 (asset_path(out_dir, k) for k in ("residents", *(s.records_key for s in SOURCES)))))
    except OSError:
        return {}
    if key not in _EXTRACT_WIDE:
        _EXTRACT_WIDE.clear()
        _EXTRACT_WIDE[key] = {}
    return _EXTRACT_WIDE[key]


@dg.multi_asset(
    name="link_region",
    group_name=GROUP,
    partitions_def=region_partitions,
    ins={"residents": dg.AssetIn("residents"),
         **{src.records_key: dg.AssetIn(src.records_key) for src in SOURCES}},
    outs={k: v for src in SOURCES for k, v in _region_outs(src).items()},
    internal_asset_deps={f"region_{n}": {dg.AssetKey("residents"), dg.AssetKey(src.records_key)}
                         for src in SOURCES for n in (src.name, src.review_name)},
    can_subset=True,
    description="One kab/kota's welfare and roster records linked to its residents (both sources, or the "
                "one selected).",
)
def link_region(context: dg.AssetExecutionContext, settings: LindungiSettings, residents: pl.LazyFrame,
                welfare_records: pl.LazyFrame, participants: pl.LazyFrame):
    region = context.partition_key
    frames = {"welfare_records": welfare_records, "participants": participants}
    selected = context.op_execution_context.selected_output_names
    sources = [src for src in SOURCES if f"region_{src.name}" in selected or f"region_{src.review_name}" in selected]
    sizes = region_sizes(residents)
    if region not in sizes:
        # a partition of an earlier extract: nothing of this extract lives there
        for src in sources:
            progress(context, f"{src.name} region {region}: not in this extract, nothing to link")
            yield from _outputs(selected, src, pl.DataFrame(schema=src.links_schema),
                                pl.DataFrame(schema={src.id_col: pl.String, **REVIEW_SCHEMA}),
                                {"dagster/row_count": 0, "in_extract": False}, {"dagster/row_count": 0})
        return
    regions = list(sizes)
    r = residents_of(residents, region, regions)
    rules = settings.rules()
    # a record compared in every region skips the blocks too large over the whole extract
    # (pipelines.linkage.attribute_pairs); in a one-region extract they are the region's own
    several = len(regions) > 1
    wide = _extract_wide(settings.out_dir, regions) if several else {}
    if several and "blocks" not in wide:
        wide["blocks"] = extract_blocks(residents)
    routed = {}
    for src in sources:
        if several and src.name not in wide:
            wide[src.name] = record_regions(frames[src.records_key], residents, regions, src.address_col).collect()
        routed[src.name] = records_of(frames[src.records_key], residents, region, regions, src.address_col,
                                      everywhere=EVERYWHERE if several else None, routed=wide.get(src.name))
    _records_not_much_fewer(context, settings, region, r.height, sources, routed)
    progress(context, f"linking region {region}: {r.height:,} residents; "
                      + ", ".join(f"{src.records_key} {routed[src.name].height:,}" for src in sources) + " ...")
    stage = {src.name: "building the pairs ..." for src in sources}  # each linker's stage, as it last said
    with ticking(lambda: f"linking region {region}: " + "; ".join(f"{n} {m}" for n, m in stage.items())):
        results = link_sources(
            r, {src.name: (routed[src.name], src.id_col) for src in sources},
            LinkSettings.from_rules(rules),
            concurrent=r.height <= int(os.environ.get("LINDUNGI_LINK_CONCURRENT_MAX_RESIDENTS")
                                       or CONCURRENT_MAX_RESIDENTS),
            extract_oversized=wide.get("blocks"), odds=several, note=stage.__setitem__)
    for src in sources:
        result = results[src.name]
        st = result.stats
        model_file = Path(settings.out_dir) / "linkage_models" / region / context.run_id / f"{src.name}.json"
        result.model.save(model_file)
        tr = result.model.training
        progress(context, f"{src.name} region {region}: {r.height:,} residents, {st['records']:,} records, "
                          f"{st['candidate_pairs']:,} pairs compared, model {tr['method']}"
                          + (f" ({tr['em_iterations']} EM iterations)" if "em_iterations" in tr else ""))
        linked = result.links.filter(pl.col("NIK").is_not_null())
        # a region of several: each record's odds too, to score it over all its regions (partitioning.assemble)
        links = (result.links.join(result.odds, on=src.id_col, how="left", maintain_order="left")
                 if result.odds is not None else result.links)
        yield from _outputs(selected, src, links, result.review, {
            "dagster/row_count": result.links.height,
            "region": region_label(region),
            "residents": r.height,
            "candidate_pairs": st["candidate_pairs"],
            "links_by_method": counts_md("method", st["by_method"]),
            "score_histogram": _histogram(linked.get_column("score")) if linked.height else "no links",
            "model_weights": dg.MetadataValue.md(result.model.weights_md()),
            "model": dg.MetadataValue.json(result.model.to_json()),
            "model_file": dg.MetadataValue.path(str(model_file)),
        }, {"dagster/row_count": result.review.height})


def _records_not_much_fewer(context: dg.AssetExecutionContext, settings: LindungiSettings, region: str,
                            residents: int, sources: list[_Source], routed: dict[str, pl.DataFrame]) -> None:
    """Refuse, before the region's links are written, a welfare or roster extract giving the
    region under half the records its last linking had (``pipelines.partitioning.SMALLER_EXTRACT``),
    unless the settings allow it. The residents' own check is the ingest's; a roster cut short
    (half its cards) made thousands of protected workers candidates, whom the export then sent
    to BPJS to be registered twice."""
    from assets._common import last_linking, settle_smaller, smaller_refusal
    from pipelines.partitioning import SMALLER_EXTRACT

    smaller = []
    for src in sources:
        last = last_linking(context.instance, (f"region_{src.name}",), region)
        before = int(last[0]["dagster/row_count"].value) if last and "dagster/row_count" in last[0] else 0
        # of the same residents only: another population (a benchmark's next world, of another
        # size) has other records too
        residents_before = int(last[0]["residents"].value) if last else 0
        same_residents = SMALLER_EXTRACT * residents_before <= residents <= residents_before / SMALLER_EXTRACT
        if same_residents and routed[src.name].height < SMALLER_EXTRACT * before:
            smaller.append(f"{region_label(region)}: {src.records_key} {routed[src.name].height:,} records, "
                           f"{before:,} at its last linking ({last[1]})")
    settle_smaller(context, settings, smaller,
                   smaller_refusal(smaller, "no link was written",
                                   what="welfare or roster extract: under half the records of the last run"),
                   "taken as allowed, under half the records of the last run: ")


def _outputs(selected, src: _Source, links: pl.DataFrame, review: pl.DataFrame, links_md: dict, review_md: dict):
    """The selected ones of a source's two region outputs."""
    if f"region_{src.name}" in selected:
        yield dg.Output(links, output_name=f"region_{src.name}", metadata=links_md)
    if f"region_{src.review_name}" in selected:
        yield dg.Output(review, output_name=f"region_{src.review_name}", metadata=review_md)


def _latest(instance: dg.DagsterInstance, key: str, out_dir: str | Path, partition: str | None = None) -> int | None:
    """Storage id of the latest materialization (of one partition) whose file is under
    ``out_dir``: later events, larger ids."""
    record = latest_record(instance, key, out_dir, partition)
    return record.storage_id if record else None


LINK_DESCRIPTIONS = {
    "welfare_links": "Each DTSEN record linked to at most one resident (method, score, evidence), from its regions.",
    "participant_links": "Each roster record linked to at most one resident (method, score, evidence), from its regions.",
}


def _assembled(src: _Source, regions: list[str], parts: dict, review_parts: dict, records: pl.LazyFrame,
               link_threshold: float) -> tuple[pl.DataFrame, pl.DataFrame]:
    """One source's links and review list put together from its regions (no Dagster calls: it
    runs in a thread of its own); a record compared in several is scored over all of them."""
    links, review = assemble({r: parts[r] for r in regions}, {r: review_parts[r] for r in regions},
                             src.id_col, link_threshold)
    n_records = records.select(pl.len()).collect().item()
    if links.height != n_records:
        raise dg.Failure(f"{src.name}: {links.height:,} rows for {n_records:,} {src.records_key} records: "
                         "a record was routed to no region")
    return links, review


def _check_key(src: _Source) -> dg.AssetCheckKey:
    return dg.AssetCheckKey(dg.AssetKey(src.name), f"{src.name}_expectations")


# The two sources' links are put together in one step, side by side in threads, as they are linked
# (link_region). At 200k residents, period runs alone: 0.44-0.65 s, against 0.65-0.83 s for the
# two assembly steps one after the other. Each peaks at ~1.2 GB for 4M region links (a stress
# world of 20 kab/kota whose roster mostly goes to every region: 7.1M region links, and the run's
# peak, 4.07 GB, was the two side by side), so above this many region links of both sources
# (LINDUNGI_ASSEMBLE_CONCURRENT_MAX_ROWS) they are put together one after the other. Ten kab/kota
# of 100k have 1.06M.
ASSEMBLE_CONCURRENT_MAX_ROWS = 3_000_000


@dg.multi_asset(
    name="assemble_links",
    group_name=GROUP,
    ins={
        "residents": dg.AssetIn("residents"),
        **{src.records_key: dg.AssetIn(src.records_key) for src in SOURCES},
        **{f"{src.name}_parts": dg.AssetIn(f"region_{src.name}", partition_mapping=dg.AllPartitionMapping())
           for src in SOURCES},
        **{f"{src.review_name}_parts": dg.AssetIn(f"region_{src.review_name}",
                                                  partition_mapping=dg.AllPartitionMapping())
           for src in SOURCES},
    },
    outs={
        k: v for src in SOURCES for k, v in {
            src.name: dg.AssetOut(description=LINK_DESCRIPTIONS[src.name], kinds={"polars", "parquet"},
                                  is_required=False),
            src.review_name: dg.AssetOut(
                description=f"Grey-zone candidate pairs of {src.records_key} for a person to decide (records "
                            "left unlinked in every region).", kinds={"polars", "parquet"}, is_required=False),
        }.items()
    },
    internal_asset_deps={
        n: {dg.AssetKey("residents"), dg.AssetKey(src.records_key), dg.AssetKey(f"region_{src.name}"),
            dg.AssetKey(f"region_{src.review_name}")}
        for src in SOURCES for n in (src.name, src.review_name)
    },
    check_specs=[dg.AssetCheckSpec(_check_key(src).name, asset=src.name, blocking=True,
                                   description="GX suite: one link per record, methods, scores")
                 for src in SOURCES],
    can_subset=True,
    description="The welfare and roster links (and review lists) put together from the extract's regions "
                "(both sources, or the one selected).",
)
def assemble_links_step(context: dg.AssetExecutionContext, settings: LindungiSettings, residents: pl.LazyFrame,
                        welfare_records: pl.LazyFrame, participants: pl.LazyFrame,
                        welfare_links_parts: dict, welfare_link_review_parts: dict,
                        participant_links_parts: dict, participant_link_review_parts: dict):
    from concurrent.futures import ThreadPoolExecutor

    records = {"welfare_records": welfare_records, "participants": participants}
    parts = {"welfare_links": (welfare_links_parts, welfare_link_review_parts),
             "participant_links": (participant_links_parts, participant_link_review_parts)}
    selected = context.op_execution_context.selected_output_names
    checks = context.selected_asset_check_keys
    # a source is put together for its selected outputs; a check run alone reads the stored links,
    # not links put together again from the regions' parts (which a later linkage may have moved
    # on) (checked: each source with its suite, running in the GX worker)
    sources = [src for src in SOURCES if src.name in selected or src.review_name in selected]
    checked = [(src, stored_checked(settings, src.name)) for src in SOURCES if _check_key(src) in checks
               and src not in sources]
    regions = list(region_sizes(residents))
    inst = context.instance
    unknown = [r for r in regions if r not in inst.get_dynamic_partitions(region_partitions.name)]
    if sources and unknown:
        # the ingest ran in another instance (Dagster's throwaway one when DAGSTER_HOME is unset):
        # "missing or older than the last ingest" below sent the user to link regions this
        # instance cannot run
        where = "a temporary one: DAGSTER_HOME is not set" if inst.is_ephemeral else f"at {inst.root_directory}"
        raise dg.Failure(
            f"{sources[0].name}: region(s) {', '.join(unknown)} of the ingested residents are no partitions of this "
            f"Dagster instance ({where}): "
            "use the instance `lindungi run` and `lindungi ui` use, DAGSTER_HOME=<state directory>/dagster_home "
            "(.lindungi/dagster_home, or under LINDUNGI_HOME), or materialize the ingest in this one first")
    residents_at = _latest(inst, "residents", settings.out_dir)
    for src in sources:
        ingested = max((x for x in (residents_at, _latest(inst, src.records_key, settings.out_dir)) if x is not None), default=0)
        # the region parts this source is put together from: its links always, and its review
        # pairs when the review list is selected (each region output can be materialized alone,
        # so fresh links say nothing of the review pairs beside them)
        needed = [(f"region_{src.name}", parts[src.name][0])]
        if src.review_name in selected:
            needed.append((f"region_{src.review_name}", parts[src.name][1]))
        for key, got in needed:
            behind = [r for r in regions if r not in got or (_latest(inst, key, settings.out_dir, r) or 0) < ingested]
            if behind:
                raise dg.Failure(
                    f"{src.name}: the linkage of region(s) {', '.join(behind)} is missing or older than the last "
                    f"ingest of residents/{src.records_key} ({key}); run the job link_regions (assets "
                    "region_*) for those partitions first (lindungi run does it)")
    # side by side unless the region links are many (see ASSEMBLE_CONCURRENT_MAX_ROWS)
    rows = sum(parts[src.name][0][r].select(pl.len()).collect().item() for src in sources for r in regions)
    together = rows <= int(os.environ.get("LINDUNGI_ASSEMBLE_CONCURRENT_MAX_ROWS") or ASSEMBLE_CONCURRENT_MAX_ROWS)
    with ThreadPoolExecutor(max(1, len(sources) if together else 1), thread_name_prefix="lindungi-assemble") as pool:
        threshold = settings.rules().link_threshold
        futures = {src.name: pool.submit(_assembled, src, regions, *parts[src.name], records[src.records_key],
                                         threshold)
                   for src in sources}
        for src in sources:
            links, review = futures[src.name].result()
            # the suite runs in the GX worker while the links are written and the other source is
            # put together; the checks are reported once every output is written
            if _check_key(src) in checks:
                checked.append((src, validate_later(links, src.name, asset_suite(src.name, settings))))
            by_method = dict(links.group_by("method").len().sort("method").iter_rows())
            linked = links.filter(pl.col("NIK").is_not_null())
            progress(context, f"{src.name}: {links.height:,} records from {len(regions)} region(s), "
                              + ", ".join(f"{k} {v:,}" for k, v in by_method.items()))
            if src.name in selected:
                yield dg.Output(links, output_name=src.name, metadata={
                    "dagster/row_count": links.height,
                    "regions": dg.MetadataValue.json(regions),
                    "links_by_method": counts_md("method", by_method),
                    "score_histogram": _histogram(linked.get_column("score")) if linked.height else "no links",
                })
            if src.review_name in selected:
                yield dg.Output(review, output_name=src.review_name, metadata={"dagster/row_count": review.height})
    for src, pending in checked:
        yield suite_check(pending.result(), src.name, _check_key(src).name)


REGION_ASSETS = ["region_welfare_links", "region_welfare_link_review",
                 "region_participant_links", "region_participant_link_review"]
