"""Linkage assets: welfare and roster records linked to residents, one-to-one, with evidence."""


from pathlib import Path

import dagster as dg
import polars as pl

from assets._common import counts_md, progress
from dagster_project.resources import LindungiSettings
from pipelines.linkage import LinkSettings, link_records

GROUP = "linkage"


def _histogram(scores: pl.Series) -> dg.MetadataValue:
    bins = (scores * 10).floor().clip(0, 9).cast(pl.Int32).value_counts().sort(scores.name)
    lines = ["| score | links |", "|---|---|"]
    for b, n in bins.iter_rows():
        lines.append(f"| {b / 10:.1f}-{(b + 1) / 10:.1f} | {n:,} |")
    return dg.MetadataValue.md("\n".join(lines))


def _link_asset(name: str, review_name: str, records_key: str, id_col: str, description: str):
    @dg.multi_asset(
        name=f"link_{records_key}",
        group_name=GROUP,
        ins={"residents": dg.AssetIn("residents"), "records": dg.AssetIn(records_key)},
        outs={
            name: dg.AssetOut(description=description, kinds={"polars", "rapidfuzz"}),
            review_name: dg.AssetOut(description=f"Grey-zone candidate pairs of {records_key} for a person to decide.",
                                     kinds={"polars"}),
        },
    )
    def _asset(context: dg.AssetExecutionContext, settings: LindungiSettings,
               residents: pl.DataFrame, records: pl.DataFrame):
        rules = settings.rules()
        result = link_records(residents, records, id_col,
                              LinkSettings(rules.link_threshold, rules.review_threshold,
                                           rules.link_estimate, rules.link_term_frequency))
        st = result.stats
        model_file = Path(settings.out_dir) / "linkage_models" / context.run_id / f"{name}.json"
        result.model.save(model_file)
        tr = result.model.training
        progress(context, f"{name}: model {tr['method']}"
                          + (f", {tr['em_iterations']} EM iterations" if "em_iterations" in tr else ""))
        progress(context, f"{name}: {st['records']:,} records, {st['candidate_pairs']:,} pairs compared, "
                          + ", ".join(f"{k} {v:,}" for k, v in st["by_method"].items()))
        linked = result.links.filter(pl.col("NIK").is_not_null())
        yield dg.Output(result.links, output_name=name, metadata={
            "dagster/row_count": result.links.height,
            "candidate_pairs": st["candidate_pairs"],
            "links_by_method": counts_md("method", st["by_method"]),
            "score_histogram": _histogram(linked.get_column("score")) if linked.height else "no links",
            "model_weights": dg.MetadataValue.md(result.model.weights_md()),
            "model": dg.MetadataValue.json(result.model.to_json()),
            "model_file": dg.MetadataValue.path(str(model_file)),
        })
        yield dg.Output(result.review, output_name=review_name,
                        metadata={"dagster/row_count": result.review.height})

    return _asset


link_welfare = _link_asset("welfare_links", "welfare_link_review", "welfare_records", "ID_DTSEN",
                           "Each DTSEN record linked to at most one resident (method, score, evidence).")
link_participants = _link_asset("participant_links", "participant_link_review", "participants", "KPJ",
                                "Each roster record linked to at most one resident (method, score, evidence).")
