"""Coordinator outputs: gap lists per kelurahan (XLSX) and the coverage report (HTML)."""


from pathlib import Path

import dagster as dg
import polars as pl

from assets._common import progress
from dagster_project.partitions import period_partitions
from dagster_project.resources import Database, LindungiSettings
from pipelines.db import log_activity, migrate
from pipelines.regions import BONTANG_KELURAHAN

GROUP = "reporting"


@dg.asset(
    group_name=GROUP, partitions_def=period_partitions, kinds={"excel"},
    description="One gap list per kelurahan at <out>/gap_lists/<period>/<kode_kel>.xlsx, NIK masked.",
)
def gap_lists(context: dg.AssetExecutionContext, settings: LindungiSettings, database: Database,
              enrollment_candidates: pl.DataFrame) -> pl.DataFrame:
    from pipelines.reports import write_gap_lists

    paths = write_gap_lists(enrollment_candidates, context.partition_key, Path(settings.out_dir),
                            full_nik=settings.full_nik, kelurahan_names=BONTANG_KELURAHAN)
    progress(context, f"gap lists {context.partition_key}: {len(paths)} workbooks")
    # every coordinator file that leaves the pipeline is logged: who, which files, how many rows
    dsn = database.url()
    migrate(dsn)
    regions = sorted(enrollment_candidates.get_column("kode_kab").drop_nulls().unique().to_list())
    log_activity(dsn, "gap_list_export", context.partition_key, ",".join(regions) or None,
                 {"files": [p.name for p in paths], "folder": str(Path(settings.out_dir) / "gap_lists"),
                  "full_nik": settings.full_nik},
                 {"rows": enrollment_candidates.height, "files": len(paths)}, run_id=context.run_id)
    out = pl.DataFrame({"kode_kel": [p.stem for p in paths], "path": [str(p) for p in paths]},
                       schema={"kode_kel": pl.String, "path": pl.String})
    context.add_output_metadata({"dagster/row_count": out.height,
                                 "folder": dg.MetadataValue.path(str(Path(settings.out_dir) / "gap_lists" / context.partition_key))})
    return out


@dg.asset(
    group_name=GROUP, partitions_def=period_partitions, kinds={"html"},
    description="Coverage report per region at <out>/coverage/<period>.html, with charts.",
)
def coverage_report(context: dg.AssetExecutionContext, settings: LindungiSettings,
                    coverage_by_kelurahan: pl.DataFrame) -> pl.DataFrame:
    from pipelines.reports import write_coverage_report

    out_dir = Path(settings.out_dir)
    history_files = sorted((out_dir / "coverage_by_kelurahan").glob("*.parquet"))
    history = [pl.read_parquet(p) for p in history_files if p.stem < context.partition_key]
    path = write_coverage_report(coverage_by_kelurahan, context.partition_key, out_dir,
                                 history=pl.concat(history) if history else None)
    progress(context, f"coverage report: {path}")
    context.add_output_metadata({"path": dg.MetadataValue.path(str(path))})
    return pl.DataFrame({"path": [str(path)]})
