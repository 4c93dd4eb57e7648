"""Ingestion assets: the three source extracts into accepted rows and quarantines."""


import dagster as dg

from assets._common import counts_md, preview, progress
from dagster_project.partitions import region_partitions
from dagster_project.resources import LindungiSettings
from pipelines.partitioning import region_sizes
from pipelines.ingest import IngestResult, clean_dtsen, clean_penduduk, clean_peserta
from pipelines.readers import read_extract
from quality.expectations import Pending, SuiteResult, suite_for, validate_later, warm_up

GROUP = "ingest"


def quality_md(stats: dict, suites: list[SuiteResult]) -> str:
    """The asset's quality in one short table: rows, accepted, quarantined by reason, flags by
    kind, expectations passed and failed."""
    lines = ["| | rows |", "|---|---:|", f"| read from {stats['file']} | {stats['rows_read']:,} |",
             f"| accepted | {stats['accepted']:,} |", f"| quarantined | {stats['quarantined']:,} |"]
    lines += [f"| — quarantined: {k} | {v:,} |" for k, v in stats["quarantined_by_reason"].items()]
    lines += [f"| — flagged: {k} | {v:,} |" for k, v in stats["flags"].items()]
    for r in suites:
        passed = sum(x["success"] for x in r.results)
        lines.append(f"| expectations {r.suite}: passed / failed | {passed} / {len(r.results) - passed} |")
    return "\n".join(lines)


def _suite_check(asset_key: str, check_name: str, r: SuiteResult) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        asset_key=asset_key, check_name=check_name, passed=r.success, severity=dg.AssetCheckSeverity.ERROR,
        metadata={"rows": r.rows, "expectations": len(r.results), "failed": len(r.failed),
                  "results": dg.MetadataValue.md(r.markdown())})


def _outputs(context, source: str, extract_checked: Pending, result: IngestResult, accepted_key: str,
             quarantine_key: str, preview_cols: list[str]):
    s = result.stats
    accepted_checked = validate_later(result.accepted, accepted_key, suite_for(accepted_key))
    progress(context, f"{s['file']}: read {s['rows_read']:,}, accepted {s['accepted']:,}, "
                      f"quarantined {s['quarantined']:,}")
    extract_suite, accepted_suite = extract_checked.result(), accepted_checked.result()
    yield dg.Output(
        result.accepted, output_name=accepted_key,
        metadata={
            "dagster/row_count": s["accepted"], "rows_read": s["rows_read"], "file": s["file"],
            "format": s["format"], "sha256": s["sha256"],
            "quality": dg.MetadataValue.md(quality_md(s, [extract_suite, accepted_suite])),
            "flags": counts_md("flag", s["flags"]) if s["flags"] else "none",
            "preview": preview(result.accepted, preview_cols),
        },
    )
    yield dg.Output(
        result.quarantine, output_name=quarantine_key,
        metadata={
            "dagster/row_count": s["quarantined"],
            "by_reason": counts_md("reason", s["quarantined_by_reason"]) if s["quarantined_by_reason"] else "none",
        },
    )
    yield dg.AssetCheckResult(
        asset_key=accepted_key, check_name="rows_accounted", passed=result.balanced,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={"rows_read": s["rows_read"], "accepted": s["accepted"], "quarantined": s["quarantined"]},
    )
    yield _suite_check(accepted_key, f"{source}_extract_expectations", extract_suite)
    yield _suite_check(accepted_key, f"{accepted_key}_expectations", accepted_suite)


def register_regions(context: dg.AssetExecutionContext, residents) -> None:
    """Add the extract's kab/kota to the ``region`` partitions: each becomes a unit of linkage."""
    sizes = region_sizes(residents)
    known = set(context.instance.get_dynamic_partitions(region_partitions.name))
    new = [r for r in sorted(sizes) if r not in known]
    if new:
        context.instance.add_dynamic_partitions(region_partitions.name, new)
    progress(context, "regions: " + ", ".join(f"{r} ({n:,} residents)" for r, n in sizes.items())
             + (f"; new partitions {', '.join(new)}" if new else ""))


def _source_asset(source: str, accepted_key: str, quarantine_key: str, description: str, clean, preview_cols,
                  on_accepted=None, priority: int = 0):
    @dg.multi_asset(
        name=f"ingest_{source}",
        group_name=GROUP,
        # larger extracts first (Dagster's step priority): their reading and cleaning overlap
        # GX's import (in the warm-up thread, or in `lindungi run`'s GX worker process) instead
        # of waiting for it at the first suite; with parallel steps the longest starts first
        op_tags={"dagster/priority": priority},
        outs={
            accepted_key: dg.AssetOut(description=description, kinds={"polars", "parquet"}),
            quarantine_key: dg.AssetOut(
                description=f"Rejected rows of {source}: raw fields, file, line and reason.",
                kinds={"polars", "parquet"}),
        },
        check_specs=[
            dg.AssetCheckSpec("rows_accounted", asset=accepted_key, blocking=True,
                              description="rows read = accepted + quarantined"),
            dg.AssetCheckSpec(f"{source}_extract_expectations", asset=accepted_key, blocking=True,
                              description=f"GX suite on the {source} extract as read: data rows, required columns"),
            dg.AssetCheckSpec(f"{accepted_key}_expectations", asset=accepted_key, blocking=True,
                              description=f"GX suite on {accepted_key}: ids unique, NIKs well formed"),
        ],
    )
    def _asset(context: dg.AssetExecutionContext, settings: LindungiSettings):
        warm_up()  # GX's import overlaps the reading and cleaning below
        raw = read_extract(settings.input_dir, source)
        # under `lindungi run` GX checks the extract as read in its worker process while the
        # extract is cleaned here
        extract_checked = validate_later(raw.frame, f"{source}_extract", suite_for(f"{source}_extract"))
        result = clean(raw, settings)
        if on_accepted is not None:
            on_accepted(context, result.accepted)
        yield from _outputs(context, source, extract_checked, result, accepted_key, quarantine_key, preview_cols)

    return _asset


ingest_penduduk = _source_asset(
    "penduduk", "residents", "penduduk_quarantine",
    "Accepted residents of the Dukcapil/SIAK extract, cleaned, with flags.",
    lambda raw, s: clean_penduduk(raw),
    ["NIK", "NAMA_LGKP", "TGL_LHR", "JENIS_KLMIN", "JENIS_PKRJN", "kode_kel", "flags"],
    on_accepted=register_regions,
    priority=2,
)
ingest_dtsen = _source_asset(
    "dtsen", "welfare_records", "dtsen_quarantine",
    "Accepted DTSEN/DTKS welfare records; an invalid NIK is treated as missing.",
    lambda raw, s: clean_dtsen(raw),
    ["ID_DTSEN", "NIK", "NAMA", "TGL_LHR", "KODE_KEL", "DESIL", "flags"],
    priority=1,
)
ingest_peserta = _source_asset(
    "peserta_bpjstk", "participants", "peserta_bpjstk_quarantine",
    "Accepted BPJS Ketenagakerjaan roster records, with active JKK+JKM protection derived.",
    lambda raw, s: clean_peserta(raw, s.rules()),
    ["KPJ", "NIK", "NAMA", "SEGMEN", "STATUS", "PROGRAM", "jkk_jkm_aktif"],
)
