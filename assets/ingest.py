"""Ingestion assets: the three source extracts into accepted rows and quarantines."""


import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import dagster as dg
import polars as pl

from assets._common import counts_md, last_linking, preview, progress, settle_smaller, smaller_refusal, ticking
from dagster_project.partitions import region_partitions
from dagster_project.resources import LindungiSettings
from pipelines.partitioning import SAME_POPULATION, SMALLER_EXTRACT, region_sizes, same_population
from pipelines.ingest import IngestResult, clean_dtsen, clean_penduduk, clean_peserta
from pipelines.readers import find_extract, read_extract
from pipelines.regions import region_label
from quality.definitions import suite_check
from quality.expectations import Pending, SuiteResult, suite_for, validate_later, warm_up

GROUP = "ingest"


def _size(n: int) -> str:
    """A file's size for a progress line: a 15 KB workbook is not "0.0 MB"."""
    return f"{n / 1e6:,.1f} MB" if n >= 100_000 else f"{n / 1e3:,.0f} KB" if n >= 1_000 else f"{n} bytes"


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


def _accepted_checked(ext: "_Extract", result: IngestResult) -> Pending:
    """The accepted rows' suite, started (in ``lindungi run``'s worker process)."""
    return validate_later(result.accepted, ext.accepted_key, suite_for(ext.accepted_key))


def _outputs(context, settings: LindungiSettings, ext: "_Extract", extract_checked: Pending, result: IngestResult,
             accepted_checked: Pending):
    """One extract's selected outputs and checks, from the step's own thread (Dagster's context
    is used from here only)."""
    selected = context.op_execution_context.selected_output_names
    s = result.stats
    if ext.accepted_key not in selected and ext.quarantine_key not in selected:
        _same_extract_as_materialized(context, ext, s)  # its checks alone
    if ext.on_accepted is not None and ext.accepted_key in selected:  # (not for its checks alone)
        ext.on_accepted(context, settings, result.accepted)
    progress(context, f"{s['file']}: read {s['rows_read']:,}, accepted {s['accepted']:,}, "
                      f"quarantined {s['quarantined']:,}")
    extract_suite, accepted_suite = extract_checked.result(), accepted_checked.result()
    if ext.accepted_key in selected or ext.quarantine_key in selected:
        context.log_event(_observation(ext, s))
    if ext.accepted_key in selected:
        yield dg.Output(
            result.accepted, output_name=ext.accepted_key,
            metadata={
                "dagster/row_count": s["accepted"], "rows_read": s["rows_read"], "file": s["file"],
                "format": s["format"], "sha256": s["sha256"], "rows_sha256": s["rows_sha256"],
                "quality": dg.MetadataValue.md(quality_md(s, [extract_suite, accepted_suite])),
                "flags": counts_md("flag", s["flags"]) if s["flags"] else "none",
                "preview": preview(result.accepted, ext.preview_cols),
            },
        )
    if ext.quarantine_key in selected:
        yield dg.Output(
            result.quarantine, output_name=ext.quarantine_key,
            metadata={
                "dagster/row_count": s["quarantined"],
                "by_reason": counts_md("reason", s["quarantined_by_reason"]) if s["quarantined_by_reason"] else "none",
            },
        )
    checks = [
        dg.AssetCheckResult(
            asset_key=ext.accepted_key, check_name="rows_accounted", passed=result.balanced,
            severity=dg.AssetCheckSeverity.ERROR,
            description=f"read {s['rows_read']:,} {'=' if result.balanced else '≠'} accepted {s['accepted']:,} "
                        f"+ quarantined {s['quarantined']:,}",
            metadata={"rows_read": s["rows_read"], "accepted": s["accepted"], "quarantined": s["quarantined"]}),
        suite_check(extract_suite, ext.accepted_key, f"{ext.source}_extract_expectations", where=s["file"]),
        suite_check(accepted_suite, ext.accepted_key, f"{ext.accepted_key}_expectations",
                    where=f"{s['file']} ({s['rows_read']:,} rows read, {s['accepted']:,} accepted, "
                          f"{s['quarantined']:,} quarantined in {ext.quarantine_key})"),
    ]
    wanted = context.selected_asset_check_keys
    yield from (c for c in checks if dg.AssetCheckKey(dg.AssetKey(ext.accepted_key), c.check_name) in wanted)


def _same_extract_as_materialized(context, ext: "_Extract", stats: dict) -> None:
    """A check run alone evaluates the extract read now: only when it is the file the asset was
    materialized from (same SHA-256, or the same rows: a copy saved again with other line
    endings) is that the asset's check. Otherwise the run says so."""
    event = context.instance.get_latest_materialization_event(dg.AssetKey(ext.accepted_key))
    meta = event.asset_materialization.metadata if event and event.asset_materialization else {}
    then, rows = meta.get("sha256"), meta.get("rows_sha256")
    if (then is None or then.value != stats["sha256"]) and (rows is None or rows.value != stats["rows_sha256"]):
        raise dg.Failure(f"{ext.accepted_key}: {stats['file']} is not the file {ext.accepted_key} was materialized "
                         f"from (SHA-256 {stats['sha256'][:12]}…" + (f", then {then.value[:12]}…" if then else "")
                         + f"): materialize {ext.accepted_key} to check it")


def _residents_before(instance: dg.DagsterInstance) -> pl.DataFrame | None:
    """The residents (NIK, name, kab/kota) of the latest ``residents`` materialization, read from
    its file before this ingest replaces it; None when there is none or the file is gone."""
    event = instance.get_latest_materialization_event(dg.AssetKey("residents"))
    mat = event.asset_materialization if event else None
    path = mat.metadata.get("path") if mat else None
    try:
        return pl.read_parquet(str(path.value), columns=["NIK", "nama_norm", "kode_kab"]) if path else None
    except (OSError, pl.exceptions.PolarsError):
        return None


def not_much_smaller(instance: dg.DagsterInstance, sizes: dict[str, int], residents: pl.DataFrame | None = None
                     ) -> tuple[list[str], list[str]]:
    """Of the extract's kab/kota (``sizes``: residents per region code), those holding under
    ``SMALLER_EXTRACT`` of the residents their last linking had (:func:`last_linking`), each
    said as "6474 Kota Bontang: 2,994 residents, 199,152 at its last linking (2026-12-02 13:05
    UTC)": those that are a part of the last extract's population (:func:`same_population`, or
    unknown: its file is gone), and apart those of another population."""
    same, other = [], []
    before = None
    for region, n in sizes.items():
        last = last_linking(instance, ("region_welfare_links", "region_participant_links"), region)
        had = int(last[0]["residents"].value) if last else 0
        if n >= SMALLER_EXTRACT * had:
            continue
        said = f"{region_label(region)}: {n:,} residents, {had:,} at its last linking ({last[1]})"
        if before is None:
            before = _residents_before(instance)
        if residents is not None and before is not None:
            share = same_population(residents.filter(pl.col("kode_kab") == region),
                                    before.filter(pl.col("kode_kab") == region))
            if share < SAME_POPULATION:
                other.append(f"{said}, {share:.0%} of them in it: another population")
                continue
        same.append(said)
    return same, other


def register_regions(context: dg.AssetExecutionContext, settings: LindungiSettings, residents) -> None:
    """Add the extract's kab/kota to the ``region`` partitions: each becomes a unit of linkage.
    A kab/kota much smaller than at its last linking stops the ingest (``not_much_smaller``)
    unless the settings allow it, before anything is written."""
    sizes = region_sizes(residents)
    smaller, other = not_much_smaller(context.instance, sizes, residents)
    settle_smaller(context, settings, smaller, smaller_refusal(smaller),
                   "taken as allowed, under half the residents of the last run: ")
    if other:
        progress(context, "taken, under half the residents of the last run but not a part of its extract: "
                          + "; ".join(other), warn=True)
    known = set(context.instance.get_dynamic_partitions(region_partitions.name))
    new = [r for r in sorted(sizes) if r not in known]
    if new:
        context.instance.add_dynamic_partitions(region_partitions.name, new)
    progress(context, "regions: " + ", ".join(f"{region_label(r)} ({n:,} residents)" for r, n in sizes.items())
             + (f"; new partitions {', '.join(new)}" if new else ""))


@dataclass(frozen=True)
class _Extract:
    source: str                # the file's stem: penduduk, dtsen, peserta_bpjstk
    title: str                 # what the file is, for its asset's description
    accepted_key: str
    quarantine_key: str
    description: str
    clean: Callable            # (RawExtract, LindungiSettings) -> IngestResult
    preview_cols: list[str]
    on_accepted: Callable | None = None


EXTRACTS = (
    _Extract("penduduk", "Dukcapil/SIAK population", "residents", "penduduk_quarantine",
             "Accepted residents of the Dukcapil/SIAK extract, cleaned, with flags.",
             lambda raw, s: clean_penduduk(raw),
             ["NIK", "NAMA_LGKP", "TGL_LHR", "JENIS_KLMIN", "JENIS_PKRJN", "kode_kel", "flags"],
             on_accepted=register_regions),
    _Extract("dtsen", "DTSEN/DTKS welfare registry", "welfare_records", "dtsen_quarantine",
             "Accepted DTSEN/DTKS welfare records; an invalid NIK is treated as missing.",
             lambda raw, s: clean_dtsen(raw),
             ["ID_DTSEN", "NIK", "NAMA", "TGL_LHR", "KODE_KEL", "DESIL", "flags"]),
    _Extract("peserta_bpjstk", "BPJS Ketenagakerjaan participant roster", "participants", "peserta_bpjstk_quarantine",
             "Accepted BPJS Ketenagakerjaan roster records: STATUS and the programmes held, as read "
             "(protection is the period's rules' to decide, in resident_assessment).",
             lambda raw, s: clean_peserta(raw),
             ["KPJ", "NIK", "NAMA", "SEGMEN", "STATUS", "PROGRAM", "BLTH_AKHIR_IURAN"]),
)

# The three extracts are read and cleaned side by side, a thread each: much of the cleaning is
# Python-bound (names, NIK checks) and leaves the second core idle while polars' parts of the
# others fill it (200k world: 3.4-3.5 s one after the other, 2.5-2.6 s side by side). Cleaning
# peaks at ~10x the file's size, so above this many bytes of extracts they run one at a time
# (LINDUNGI_INGEST_CONCURRENT_MAX_BYTES; the 5.8M world's are 1.6 GB, and its residents alone
# peaked at 12.3 GB).
CONCURRENT_MAX_BYTES = 1_000_000_000


def _checks(ext: _Extract) -> list[dg.AssetCheckSpec]:
    return [
        dg.AssetCheckSpec("rows_accounted", asset=ext.accepted_key, blocking=True,
                          description="rows read = accepted + quarantined"),
        dg.AssetCheckSpec(f"{ext.source}_extract_expectations", asset=ext.accepted_key, blocking=True,
                          description=f"GX suite on the {ext.source} extract as read: data rows, required columns"),
        dg.AssetCheckSpec(f"{ext.accepted_key}_expectations", asset=ext.accepted_key, blocking=True,
                          description=f"GX suite on {ext.accepted_key}: ids unique, NIKs well formed"),
    ]


# The three input files, as external assets: what the ingest reads, drawn upstream of what it
# writes (``penduduk`` -> ``residents`` and ``penduduk_quarantine``), so the UI's lineage starts
# at the files and a quarantine is no island beside the graph. Dagster does not materialize
# them: each ingest records an observation of the file it read (name, format, SHA-256 and rows),
# which the UI shows on the file's own asset page.
SOURCES = [
    dg.AssetSpec(ext.source, group_name=GROUP, kinds={"file"},
                 description=f"The {ext.title} extract as delivered: `{ext.source}.csv`, `.xlsx` or `.parquet` in "
                             "the input folder (`lindungi run --input`, `LINDUNGI_INPUT`). Read by the ingest, "
                             "which records each file it read as an observation here.")
    for ext in EXTRACTS
]


def _observation(ext: _Extract, stats: dict) -> dg.AssetObservation:
    """The file the ingest read, on its external asset (no personal data: counts and the hash)."""
    return dg.AssetObservation(asset_key=ext.source, metadata={
        "file": stats["file"], "format": stats["format"], "sha256": stats["sha256"],
        "rows_sha256": stats["rows_sha256"], "rows_read": stats["rows_read"], "accepted": stats["accepted"], "quarantined": stats["quarantined"]})


@dg.multi_asset(
    name="ingest_extracts",
    group_name=GROUP,
    deps=[s.key for s in SOURCES],
    internal_asset_deps={k: {dg.AssetKey(ext.source)} for ext in EXTRACTS for k in (ext.accepted_key, ext.quarantine_key)},
    outs={k: v for ext in EXTRACTS for k, v in {
        ext.accepted_key: dg.AssetOut(description=ext.description, kinds={"polars", "parquet"}, is_required=False),
        ext.quarantine_key: dg.AssetOut(
            description=f"Rejected rows of {ext.source}: raw fields, file, line and reason.",
            kinds={"polars", "parquet"}, is_required=False),
    }.items()},
    check_specs=[c for ext in EXTRACTS for c in _checks(ext)],
    can_subset=True,
    description="The three extracts read, cleaned and checked (all three, or the ones selected).",
)
def ingest_extracts(context: dg.AssetExecutionContext, settings: LindungiSettings):
    warm_up()  # GX's import overlaps the reading and cleaning below
    selected = context.op_execution_context.selected_output_names
    checked = {k.asset_key for k in context.selected_asset_check_keys}
    # an extract is read for its selected outputs or its selected checks (a check can run alone:
    # the extract read and checked again, nothing written)
    extracts = [e for e in EXTRACTS if e.accepted_key in selected or e.quarantine_key in selected
                or dg.AssetKey(e.accepted_key) in checked]
    files = {e.source: find_extract(settings.input_dir, e.source) for e in extracts}
    sizes = {f.name: f.stat().st_size for f in files.values()}
    size = sum(sizes.values())
    progress(context, "reading " + ", ".join(f"{name} ({_size(n)})" for name, n in sizes.items()) + " ...")
    stage = {name: "waiting ..." for name in sizes}  # each extract's stage, for the ticking line
    with ticking(lambda: "; ".join(f"{name} {said}" for name, said in stage.items())):
        if size <= int(os.environ.get("LINDUNGI_INGEST_CONCURRENT_MAX_BYTES") or CONCURRENT_MAX_BYTES) \
                and len(extracts) > 1:
            pool = ThreadPoolExecutor(len(extracts), thread_name_prefix="lindungi-ingest")
            try:
                work = [pool.submit(_read_and_clean, e, settings, stage, files[e.source].name) for e in extracts]
                # in the extracts' order; a bad file stops the step with its own message. Every
                # accepted-rows suite is queued before the first output is written, so the worker
                # checks the smaller extracts while the residents' outputs are written here
                done = [future.result() for future in work]
                for ext, (extract_checked, result, accepted_checked) in zip(extracts, done):
                    yield from _outputs(context, settings, ext, extract_checked, result, accepted_checked)
            finally:
                pool.shutdown(wait=True, cancel_futures=True)
        else:
            for ext in extracts:
                yield from _outputs(context, settings, ext,
                                    *_read_and_clean(ext, settings, stage, files[ext.source].name))


def _read_and_clean(ext: _Extract, settings: LindungiSettings, stage: dict[str, str], name: str
                    ) -> tuple[Pending, IngestResult, Pending]:
    """The extract read, then cleaned while GX checks it as read, then its accepted rows' suite
    started; ``stage``: where it is, by file name (``name``, the ingest's ticking line)."""
    stage[name] = "reading ..."
    raw = read_extract(settings.input_dir, ext.source)
    stage[name] = f"{raw.rows_read:,} rows read, cleaning ..."
    # under `lindungi run` GX checks the extract as read in its worker process while the
    # extract is cleaned here
    extract_checked = validate_later(raw.frame, f"{ext.source}_extract", suite_for(f"{ext.source}_extract"))
    result = ext.clean(raw, settings)
    stage[name] = f"{raw.rows_read:,} rows cleaned"
    # its accepted rows' suite queued now, not once every extract is cleaned: the worker checks
    # a million residents while the welfare extract's cleaning ends on one core (the independent
    # 1M world: penduduk was cleaned 3.5 s before dtsen, and the run then waited for the residents'
    # suite)
    return extract_checked, result, _accepted_checked(ext, result)
