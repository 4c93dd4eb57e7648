"""The period's candidates delivered: to BPJS (``bpjs_submission``) and to the kelurahan
(``gap_lists``), in one step, side by side.

The submission mostly waits (for PostgreSQL to load the batch, then for GX's suites on the
tables), and the gap lists mostly compress their workbooks in Rust: one after the other they left
a core idle for a second of a 200k run. Here the gap lists are written in a thread while this
step's thread submits. Each is still its own asset, with its own lineage, and either can be
materialized alone (``can_subset``), and the submission's checks can run alone, on what was
submitted. The step takes a ``bpjs_writer`` pool slot, as the submission did alone.
"""

from concurrent.futures import ThreadPoolExecutor

import dagster as dg
import polars as pl

from assets.reporting import GAP_LISTS, gap_lists_output, write_lists
from assets.submission import CHECKS, SUBMISSION, submission_check_events, submission_events
from dagster_project.partitions import period_partitions
from dagster_project.resources import Database, LindungiSettings
from pipelines.db import migrate


def _candidates_known(dsn: str, region: str, candidates: pl.DataFrame) -> float:
    """The share of the region's candidates (NIK and name) the database holds rows of, of any
    period (``pipelines.partitioning.same_population``)."""
    from pipelines.partitioning import same_population
    from pipelines.submission import submitted_people

    mine = candidates.filter(pl.col("kode_kab") == region).select("NIK", "NAMA_LGKP")
    if mine.height == 0:
        return 1.0
    return same_population(mine, submitted_people(dsn, region, mine.get_column("NIK").to_list()), name="NAMA_LGKP")


def _not_much_smaller_than_submitted(context: dg.AssetExecutionContext, settings: LindungiSettings, dsn: str,
                                     resident_assessment: pl.DataFrame,
                                     enrollment_candidates: pl.DataFrame) -> None:
    """Refuse, before anything is written, an extract holding under half the residents a region
    had at its last submission into this database (``pipelines.submission.last_residents``),
    unless the settings allow it: the ingest's own check (``assets.ingest.register_regions``)
    knows this state directory's linkings only, and a trial on a sample from another state
    directory, with $LINDUNGI_DB_URL naming the shared database, withdrew its candidates (a
    re-check)."""
    from assets._common import settle_smaller, smaller_refusal
    from pipelines.partitioning import SAME_POPULATION, SMALLER_EXTRACT, region_sizes
    from pipelines.regions import region_label
    from pipelines.submission import last_residents

    sizes = region_sizes(resident_assessment)
    last = last_residents(dsn, sorted(sizes))
    smaller = [f"{region_label(r)}: {n:,} residents, {last[r][0]:,} at its last submission to this database "
               f"(period {last[r][2]}, {last[r][1]:%Y-%m-%d %H:%M})"
               for r, n in sizes.items() if r in last and n < SMALLER_EXTRACT * last[r][0]
               # (a part of the same population: its candidates nearly all rows of the region's;
               # another population's, a benchmark's next world, almost none)
               and _candidates_known(dsn, r, enrollment_candidates) >= SAME_POPULATION]
    settle_smaller(context, settings, smaller, smaller_refusal(smaller, "nothing was submitted, no gap list written"),
                   "taken as allowed, under half the residents of the last submission: ")


@dg.multi_asset(
    name="deliver_candidates",
    partitions_def=period_partitions,
    pool="bpjs_writer",
    ins={"enrollment_candidates": dg.AssetIn("enrollment_candidates"),
         "resident_assessment": dg.AssetIn("resident_assessment"),
         # the roster's cards: whom BPJS holds is not listed to fix (assets.candidates.residents_to_fix)
         "participants": dg.AssetIn("participants")},
    outs={"bpjs_submission": SUBMISSION, "gap_lists": GAP_LISTS},
    internal_asset_deps={
        "bpjs_submission": {dg.AssetKey("enrollment_candidates"), dg.AssetKey("resident_assessment")},
        "gap_lists": {dg.AssetKey("enrollment_candidates"), dg.AssetKey("resident_assessment"),
                      dg.AssetKey("participants")},
    },
    check_specs=CHECKS,
    can_subset=True,
    description="The period's candidates into bpjs.submission_* and into one gap list per kelurahan, side by "
                "side (both, or the one selected).",
)
def deliver_candidates(context: dg.AssetExecutionContext, settings: LindungiSettings, database: Database,
                       enrollment_candidates: pl.DataFrame, resident_assessment: pl.DataFrame,
                       participants: pl.LazyFrame):
    selected = context.op_execution_context.selected_output_names
    dsn = database.url()
    migrate(dsn)  # once, for both: the submission's tables and the processing log
    if "bpjs_submission" in selected:
        _not_much_smaller_than_submitted(context, settings, dsn, resident_assessment, enrollment_candidates)
    # leaving the pool waits for the lists' thread, also when the submission failed: no file is
    # written after the step has ended
    with ThreadPoolExecutor(1, thread_name_prefix="lindungi-lists") as pool:
        lists = (pool.submit(write_lists, settings, dsn, context.partition_key, context.run_id, enrollment_candidates,
                             resident_assessment, participants) if "gap_lists" in selected else None)
        if "bpjs_submission" in selected:
            yield from submission_events(context, settings, dsn, enrollment_candidates, resident_assessment)
        elif any(k.asset_key == dg.AssetKey("bpjs_submission") for k in context.selected_asset_check_keys):
            yield from submission_check_events(context, settings, dsn, enrollment_candidates)
    if lists is not None:
        yield gap_lists_output(context, settings, lists.result())
