"""Linkage assets: welfare and roster records linked to residents, one-to-one, with evidence.

The work is done per kab/kota (``region`` partitions, ``pipelines.partitioning``): each region's
residents against the records routed to it, with a model estimated on that region's pairs. The
contract's ``welfare_links`` and ``participant_links`` then put the regions of the extract
together, one row per record, after checking that every region was linked after the last
ingest.
"""


from pathlib import Path

import dagster as dg
import polars as pl

from assets._common import counts_md, progress
from dagster_project.partitions import region_partitions
from dagster_project.resources import LindungiSettings
from pipelines import schema
from pipelines.linkage import LinkSettings, link_records
from pipelines.partitioning import assemble_links, assemble_review, records_of, region_sizes, residents_of

GROUP = "linkage"
REVIEW_SCHEMA = {"NIK": pl.String, "score": pl.Float64, "evidence": pl.String}


def _histogram(scores: pl.Series) -> dg.MetadataValue:
    bins = (scores * 10).floor().clip(0, 9).cast(pl.Int32).value_counts().sort(scores.name)
    lines = ["| score | links |", "|---|---|"]
    for b, n in bins.iter_rows():
        lines.append(f"| {b / 10:.1f}-{(b + 1) / 10:.1f} | {n:,} |")
    return dg.MetadataValue.md("\n".join(lines))


def _region_link_asset(name: str, review_name: str, records_key: str, id_col: str,
                       address_col: str | None, links_schema: dict):
    @dg.multi_asset(
        name=f"link_{records_key}_by_region",
        group_name=GROUP,
        partitions_def=region_partitions,
        ins={"residents": dg.AssetIn("residents"), "records": dg.AssetIn(records_key)},
        outs={
            f"region_{name}": dg.AssetOut(
                description=f"{records_key} linked to one kab/kota's residents: the records routed to the "
                            "region (exact NIK, address, NIK prefix, else every region), one row each.",
                kinds={"polars", "rapidfuzz"}),
            f"region_{review_name}": dg.AssetOut(
                description=f"Grey-zone candidate pairs of {records_key} within one kab/kota.", kinds={"polars"}),
        },
    )
    def _asset(context: dg.AssetExecutionContext, settings: LindungiSettings,
               residents: pl.LazyFrame, records: pl.LazyFrame):
        region = context.partition_key
        sizes = region_sizes(residents)
        if region not in sizes:
            # a partition of an earlier extract: nothing of this extract lives there
            progress(context, f"{name} region {region}: not in this extract, nothing to link")
            yield dg.Output(pl.DataFrame(schema=links_schema), output_name=f"region_{name}",
                            metadata={"dagster/row_count": 0, "in_extract": False})
            yield dg.Output(pl.DataFrame(schema={id_col: pl.String, **REVIEW_SCHEMA}),
                            output_name=f"region_{review_name}", metadata={"dagster/row_count": 0})
            return
        regions = list(sizes)
        r = residents_of(residents, region, regions)
        s = records_of(records, residents, region, regions, address_col)
        rules = settings.rules()
        result = link_records(r, s, id_col, LinkSettings(rules.link_threshold, rules.review_threshold,
                                                         rules.link_estimate, rules.link_term_frequency))
        st = result.stats
        model_file = Path(settings.out_dir) / "linkage_models" / region / context.run_id / f"{name}.json"
        result.model.save(model_file)
        tr = result.model.training
        progress(context, f"{name} region {region}: {r.height:,} residents, {st['records']:,} records, "
                          f"{st['candidate_pairs']:,} pairs compared, model {tr['method']}"
                          + (f" ({tr['em_iterations']} EM iterations)" if "em_iterations" in tr else ""))
        linked = result.links.filter(pl.col("NIK").is_not_null())
        yield dg.Output(result.links, output_name=f"region_{name}", metadata={
            "dagster/row_count": result.links.height,
            "residents": r.height,
            "candidate_pairs": st["candidate_pairs"],
            "links_by_method": counts_md("method", st["by_method"]),
            "score_histogram": _histogram(linked.get_column("score")) if linked.height else "no links",
            "model_weights": dg.MetadataValue.md(result.model.weights_md()),
            "model": dg.MetadataValue.json(result.model.to_json()),
            "model_file": dg.MetadataValue.path(str(model_file)),
        })
        yield dg.Output(result.review, output_name=f"region_{review_name}",
                        metadata={"dagster/row_count": result.review.height})

    return _asset


def _latest(instance: dg.DagsterInstance, key: str, partition: str | None = None) -> int | None:
    """Storage id of the latest materialization (of one partition): later events, larger ids."""
    flt = dg.AssetRecordsFilter(asset_key=dg.AssetKey(key), asset_partitions=[partition] if partition else None)
    recs = instance.fetch_materializations(flt, limit=1).records
    return recs[0].storage_id if recs else None


def _assemble_asset(name: str, review_name: str, records_key: str, id_col: str, description: str):
    @dg.multi_asset(
        name=f"assemble_{name}",
        group_name=GROUP,
        ins={
            "residents": dg.AssetIn("residents"), "records": dg.AssetIn(records_key),
            "parts": dg.AssetIn(f"region_{name}", partition_mapping=dg.AllPartitionMapping()),
            "review_parts": dg.AssetIn(f"region_{review_name}", partition_mapping=dg.AllPartitionMapping()),
        },
        outs={
            name: dg.AssetOut(description=description, kinds={"polars", "parquet"}),
            review_name: dg.AssetOut(description=f"Grey-zone candidate pairs of {records_key} for a person "
                                                 "to decide (records left unlinked in every region).",
                                     kinds={"polars"}),
        },
    )
    def _asset(context: dg.AssetExecutionContext, residents: pl.LazyFrame, records: pl.LazyFrame,
               parts: dict, review_parts: dict):
        regions = list(region_sizes(residents))
        inst = context.instance
        ingested = max((x for x in (_latest(inst, "residents"), _latest(inst, records_key)) if x is not None),
                       default=0)
        behind = [r for r in regions
                  if r not in parts or (_latest(inst, f"region_{name}", r) or 0) < ingested]
        if behind:
            raise dg.Failure(
                f"{name}: the linkage of region(s) {', '.join(behind)} is missing or older than the last "
                f"ingest of residents/{records_key}; materialize link_{records_key}_by_region for "
                "those partitions first (lindungi run does it)")
        links = assemble_links({r: parts[r].collect() for r in regions}, id_col)
        review = assemble_review({r: review_parts[r].collect() for r in regions}, links, id_col)
        n_records = records.select(pl.len()).collect().item()
        if links.height != n_records:
            raise dg.Failure(f"{name}: {links.height:,} rows for {n_records:,} {records_key} records: "
                             "a record was routed to no region")
        by_method = dict(links.group_by("method").len().sort("method").iter_rows())
        linked = links.filter(pl.col("NIK").is_not_null())
        progress(context, f"{name}: {links.height:,} records from {len(regions)} region(s), "
                          + ", ".join(f"{k} {v:,}" for k, v in by_method.items()))
        yield dg.Output(links, output_name=name, metadata={
            "dagster/row_count": links.height,
            "regions": dg.MetadataValue.json(regions),
            "links_by_method": counts_md("method", by_method),
            "score_histogram": _histogram(linked.get_column("score")) if linked.height else "no links",
        })
        yield dg.Output(review, output_name=review_name, metadata={"dagster/row_count": review.height})

    return _asset


link_welfare_by_region = _region_link_asset("welfare_links", "welfare_link_review", "welfare_records",
                                            "ID_DTSEN", "KODE_KEL", schema.WELFARE_LINKS)
link_participants_by_region = _region_link_asset("participant_links", "participant_link_review", "participants",
                                                 "KPJ", None, schema.PARTICIPANT_LINKS)
assemble_welfare_links = _assemble_asset(
    "welfare_links", "welfare_link_review", "welfare_records", "ID_DTSEN",
    "Each DTSEN record linked to at most one resident (method, score, evidence), from its regions.")
assemble_participant_links = _assemble_asset(
    "participant_links", "participant_link_review", "participants", "KPJ",
    "Each roster record linked to at most one resident (method, score, evidence), from its regions.")

REGION_ASSETS = ["region_welfare_links", "region_welfare_link_review",
                 "region_participant_links", "region_participant_link_review"]
