"""Ingestion assets: the three source extracts into accepted rows and quarantines."""


import dagster as dg

from assets._common import counts_md, preview, progress
from dagster_project.resources import LindungiSettings
from pipelines.ingest import IngestResult, clean_dtsen, clean_penduduk, clean_peserta
from pipelines.readers import read_extract

GROUP = "ingest"


def _outputs(context, result: IngestResult, accepted_key: str, quarantine_key: str, preview_cols: list[str]):
    s = result.stats
    progress(context, f"{s['file']}: read {s['rows_read']:,}, accepted {s['accepted']:,}, "
                      f"quarantined {s['quarantined']:,}")
    yield dg.Output(
        result.accepted, output_name=accepted_key,
        metadata={
            "dagster/row_count": s["accepted"], "rows_read": s["rows_read"], "file": s["file"],
            "format": s["format"], "sha256": s["sha256"],
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


def _source_asset(source: str, accepted_key: str, quarantine_key: str, description: str, clean, preview_cols):
    @dg.multi_asset(
        name=f"ingest_{source}",
        group_name=GROUP,
        outs={
            accepted_key: dg.AssetOut(description=description, kinds={"polars", "parquet"}),
            quarantine_key: dg.AssetOut(
                description=f"Rejected rows of {source}: raw fields, file, line and reason.",
                kinds={"polars", "parquet"}),
        },
        check_specs=[dg.AssetCheckSpec("rows_accounted", asset=accepted_key, blocking=True,
                                       description="rows read = accepted + quarantined")],
    )
    def _asset(context: dg.AssetExecutionContext, settings: LindungiSettings):
        raw = read_extract(settings.input_dir, source)
        result = clean(raw, settings)
        yield from _outputs(context, result, accepted_key, quarantine_key, preview_cols)

    return _asset


ingest_penduduk = _source_asset(
    "penduduk", "residents", "penduduk_quarantine",
    "Accepted residents of the Dukcapil/SIAK extract, cleaned, with flags.",
    lambda raw, s: clean_penduduk(raw),
    ["NIK", "NAMA_LGKP", "TGL_LHR", "JENIS_KLMIN", "JENIS_PKRJN", "kode_kel", "flags"],
)
ingest_dtsen = _source_asset(
    "dtsen", "welfare_records", "dtsen_quarantine",
    "Accepted DTSEN/DTKS welfare records; an invalid NIK is treated as missing.",
    lambda raw, s: clean_dtsen(raw),
    ["ID_DTSEN", "NIK", "NAMA", "TGL_LHR", "KODE_KEL", "DESIL", "flags"],
)
ingest_peserta = _source_asset(
    "peserta_bpjstk", "participants", "peserta_bpjstk_quarantine",
    "Accepted BPJS Ketenagakerjaan roster records, with active JKK+JKM protection derived.",
    lambda raw, s: clean_peserta(raw, s.rules()),
    ["KPJ", "NIK", "NAMA", "SEGMEN", "STATUS", "PROGRAM", "jkk_jkm_aktif"],
)
