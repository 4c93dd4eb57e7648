"""Coordinator outputs: gap lists per kelurahan (XLSX) and the coverage report (HTML).

The gap lists' step is ``assets.delivery.deliver_candidates``, beside the submission."""


from pathlib import Path

import dagster as dg
import polars as pl

from assets._common import progress
from dagster_project.partitions import period_partitions
from dagster_project.resources import LindungiSettings
from pipelines.db import log_activity
from pipelines.files import OTHER_FORMATS, SAVE_AS_XLSX
from pipelines.nik import mask_file_name

GROUP = "reporting"


GAP_LISTS = dg.AssetOut(
    group_name=GROUP, kinds={"excel"}, is_required=False,
    description="One gap list per kelurahan at `<out>/gap_lists/<period>/<kode_kel>.xlsx`, NIK masked.")


def write_lists(settings: LindungiSettings, dsn: str, period: str, run_id: str,
                enrollment_candidates: pl.DataFrame, resident_assessment: pl.DataFrame,
                participants: pl.LazyFrame) -> tuple[list[Path], list[Path], list[Path]]:
    """The ``gap_lists`` asset's files, one for every kelurahan of the extract (those without a
    candidate say so), and one per kab/kota of its residents to fix who have no kelurahan code
    (``<out>/perbaikan_data/<period>/``), and their line in the processing log (in the migrated
    database ``dsn``); the two lists of paths, and the workbooks found changed in the period's
    folder and moved to the verification inbox (``pipelines.reports.clear_gap_lists``).

    No Dagster calls: ``assets.delivery.deliver_candidates`` runs this in a thread of its own,
    beside the submission."""
    from pipelines.reports import clear_gap_lists, write_gap_lists, write_lists_without_kelurahan

    from assets.candidates import accepted_of, coverage_of, residents_to_fix
    from pipelines.candidates import kelurahan_of, without_kelurahan
    from pipelines.verification import verified_exclusions

    rules = settings.rules()
    excluded = verified_exclusions(dsn, resident_assessment)  # (once, for the sheets to fix and the standing)
    fix = residents_to_fix(dsn, resident_assessment, rules, period, participants, excluded)
    # whom BPJS accepted, with their card, for the kelurahan to hand on (a coordinators' review)
    accepted = accepted_of(dsn, resident_assessment, participants, rules)
    # each kelurahan's standing for its Ringkasan: a list of 87 one month and 3 the next said
    # nothing of the 83 sent to BPJS and the 5 verified out (a coordinators' review)
    standing = coverage_of(dsn, resident_assessment, enrollment_candidates, participants, rules, period,
                           excluded, fix, accepted)
    moved = clear_gap_lists(Path(settings.out_dir), period)
    paths = write_gap_lists(enrollment_candidates, period, Path(settings.out_dir), full_nik=settings.full_nik,
                            kelurahan=kelurahan_of(resident_assessment), to_fix=fix, rules=rules, standing=standing,
                            accepted=accepted)
    unplaced = write_lists_without_kelurahan(without_kelurahan(fix, resident_assessment), period,
                                             Path(settings.out_dir), full_nik=settings.full_nik, rules=rules)
    # every coordinator file that leaves the pipeline is logged: who, which files, how many rows
    regions = sorted(enrollment_candidates.get_column("kode_kab").drop_nulls().unique().to_list())
    log_activity(dsn, "gap_list_export", period, ",".join(regions) or None,
                 # (long digit runs starred, as the submission's input folder: the log is kept for ever)
                 {"files": [p.name for p in paths], "folder": mask_file_name(str(Path(settings.out_dir) / "gap_lists")),
                  "full_nik": settings.full_nik,
                  **({"without_kelurahan": [str(p.relative_to(settings.out_dir)) for p in unplaced]} if unplaced else {})},
                 {"rows": enrollment_candidates.height, "files": len(paths) + len(unplaced),
                  "to_fix_rows": fix.height, "accepted_rows": accepted.height, "moved_to_inbox": len(moved)},
                 run_id=run_id)
    return paths, unplaced, moved


def gap_lists_output(context: dg.AssetExecutionContext, settings: LindungiSettings,
                     written: tuple[list[Path], list[Path]]) -> dg.Output:
    paths, unplaced, moved = written
    progress(context, f"gap lists {context.partition_key}: {len(paths)} workbooks"
             + (f"; {len(unplaced)} of residents to fix without a kelurahan code (per kab/kota): "
                f"{unplaced[0].parent}" if unplaced else ""))
    if moved:
        # a coordinator's filled-in list saved where it lay is applied from the inbox, not lost
        progress(context, f"gap lists {context.partition_key}: {len(moved)} workbook(s) found in the folder changed "
                          f"since they were written, or put there: moved to {moved[0].parent} for the verification "
                          f"sensor (or apply one now: lindungi verification FILE --period {context.partition_key})",
                 warn=True)
    other = [p for p in moved if p.suffix.lower() in OTHER_FORMATS]
    if other:
        progress(context, f"gap lists {context.partition_key}: {len(other)} of them saved in another format "
                          f"({', '.join(sorted({p.suffix.lower() for p in other}))}), which is not read: open each "
                          f"and save it as {SAVE_AS_XLSX} in the same folder", warn=True)
    out = pl.DataFrame({"kode_kel": [p.stem for p in paths], "path": [str(p) for p in paths]},
                       schema={"kode_kel": pl.String, "path": pl.String})
    return dg.Output(out, output_name="gap_lists", metadata={
        "dagster/row_count": out.height,
        "folder": dg.MetadataValue.path(str(Path(settings.out_dir) / "gap_lists" / context.partition_key)),
        **({"without_kelurahan": dg.MetadataValue.path(str(unplaced[0].parent))} if unplaced else {}),
        **({"moved_to_inbox": len(moved)} if moved else {}),
        **({"moved_in_other_formats": len(other)} if other else {})})


@dg.asset(
    group_name=GROUP, partitions_def=period_partitions, kinds={"html"},
    description="Coverage report per region at `<out>/coverage/<period>.html`, with charts.",
)
def coverage_report(context: dg.AssetExecutionContext, settings: LindungiSettings,
                    coverage_by_kelurahan: pl.DataFrame) -> pl.DataFrame:
    from pipelines.reports import coverage_history, write_coverage_report

    out_dir = Path(settings.out_dir)
    path = write_coverage_report(coverage_by_kelurahan, context.partition_key, out_dir,
                                 history=coverage_history(out_dir / "coverage_by_kelurahan", context.partition_key),
                                 rules=settings.rules())
    progress(context, f"coverage report: {path}")
    # (not "path": the IO manager's entry of that name, the one-row Parquet it stores, replaced
    # it, and the UI pointed at that file instead of the page: a UI review)
    context.add_output_metadata({"report": dg.MetadataValue.path(str(path))})
    return pl.DataFrame({"path": [str(path)]})
