"""Submission asset: the period's candidates into ``bpjs.submission_*`` on PostgreSQL.

Its step is ``assets.delivery.deliver_candidates``, beside the gap lists."""


from collections.abc import Iterator

import dagster as dg
import polars as pl

from assets._common import monthly_check, progress, ticking
from dagster_project.resources import LindungiSettings
from pipelines.dates import period_start
from pipelines.bpjs_exchange import accepted_not_on_roster, held_by_bpjs
from pipelines.nik import mask_file_name
from pipelines.partitioning import region_sizes
from pipelines.readers import input_checksums, input_rows_checksums
from pipelines.verification import verified_exclusions
from quality.definitions import suite_check
from quality.expectations import Pending, suite_columns, suite_for, validate_sql_later
from pipelines.candidates import ELIGIBLE_STILL, withdrawal_reasons
from pipelines.submission import batch_consistency, latest_batches, submit

GROUP = "submission"
# the period's rows still in play; the period is a validated partition key (YYYY-MM), never free
# text. Each query reads only the columns its suite checks (quality.expectations.suite_columns).
SUBMISSION_IN_PLAY = "SELECT {columns} FROM bpjs.submission_candidate WHERE period = '{period}' AND status <> 'withdrawn'"
BATCHES = "SELECT {columns} FROM bpjs.submission_batch WHERE period = '{period}'"


SUBMISSION = dg.AssetOut(
    group_name=GROUP, kinds={"postgres"}, is_required=False,
    description="Candidates loaded into bpjs.submission_candidate, one batch per region, idempotently.")
CHECKS = [  # (monthly_check: partitioned as their asset)
    monthly_check("batch_matches_table", "bpjs_submission", blocking=True,
                  description="each batch's row count and checksum match the table"),
    monthly_check("submission_table_expectations", "bpjs_submission", blocking=True,
                  description="GX suite run in PostgreSQL (SQL datasource) on the period's candidates in play: "
                              "unique NIKs, statuses, contributions"),
    monthly_check("submission_batches_expectations", "bpjs_submission", blocking=True,
                  description="GX suite run in PostgreSQL on the period's batches: all committed, counted and "
                              "checksummed"),
]


def submission_events(context: dg.AssetExecutionContext, settings: LindungiSettings, dsn: str,
                      enrollment_candidates: pl.DataFrame, resident_assessment: pl.DataFrame) -> Iterator:
    """The ``bpjs_submission`` asset, computed in ``assets.delivery.deliver_candidates`` on the
    migrated database ``dsn``: the candidates submitted, then its output and its three checks."""
    period = context.partition_key
    rules = settings.rules()
    _premiums_of_these_rules(enrollment_candidates, rules, period)
    # the folder with long digit runs starred, as error lines show it: the processing log is kept
    # for ever, and a folder named after a person's NIK was stored whole (a privacy audit)
    inputs = {"input_dir": mask_file_name(settings.input_dir), "rules": mask_file_name(rules.source),
              "files": input_checksums(settings.input_dir),
              "rows_sha256": input_rows_checksums(settings.input_dir, lambda: _recorded_rows(context)),
              # each region's residents, which the next run's delivery compares its own with
              # (assets.delivery: an extract of under half of them is refused unless allowed)
              "residents": region_sizes(resident_assessment),
              # the working age it judged by: a later month's run is no word on whom it could not list
              # (pipelines.bpjs_exchange.DROPPED_LATER)
              "max_age": rules.max_age}
    excluded = verified_exclusions(dsn, resident_assessment)
    # every region of the extract gets its batch, one without candidates too: its rows of the
    # period still pending are withdrawn (a region whose last candidates became protected kept
    # them pending, to be exported), and the batch says the run looked at it
    regions = sorted(set(region_sizes(resident_assessment)) | set(enrollment_candidates.get_column("kode_kab")))
    with ticking(f"submission {period}: loading {enrollment_candidates.height:,} candidates of "
                 f"{len(regions)} region(s) ..."):
        batches = submit(dsn, enrollment_candidates, period, regions=regions, run_id=context.run_id, inputs=inputs,
                         rules_source=rules.source, declared_income=rules.declared_income,
                         programs=rules.program_codes,
                         explain=lambda niks: _reasons(withdrawal_reasons(resident_assessment, rules, niks),
                                                       held_by_bpjs(dsn, period, niks=niks), excluded))
    frame = pl.DataFrame(batches) if batches else pl.DataFrame(schema={"region": pl.String})
    for b in batches:
        progress(context, f"submission {period} region {b['region']}: batch {b['batch_id']}, {b['rows']:,} rows, "
                          f"{b['inserted']:,} inserted, {b['updated']:,} updated, {b['withdrawn']:,} withdrawn"
                          + (f" ({b['reranked']:,} moved in rank alone)" if b.get("reranked") else "")
                          + (f"; {b['kept_as_sent']:,} listed otherwise now, kept as sent to BPJS"
                             if b.get("kept_as_sent") else ""))
    # GX checks the tables in PostgreSQL (in `lindungi run`'s worker process) while the batches
    # are checked against the list here
    suites = _start_suites(dsn, period, rules)
    with ticking(f"submission {period}: checking the batches against the list ..."):
        checks = [{"region": b["region"], **batch_consistency(dsn, b["batch_id"], _niks(enrollment_candidates, b["region"]))}
                  for b in batches]
        protected = resident_assessment.filter(pl.col("terlindungi")).get_column("NIK").to_list()
        missing_accepted = accepted_not_on_roster(dsn, protected, period)
    if missing_accepted:
        context.log.warning(f"{missing_accepted} candidates accepted by BPJS earlier are not protected "
                            "in this roster")
    yield dg.Output(frame, output_name="bpjs_submission", metadata={
        "dagster/row_count": int(sum(b["rows"] for b in batches)),
        "inserted": int(sum(b["inserted"] for b in batches)),
        "updated": int(sum(b["updated"] for b in batches)),
        "withdrawn": int(sum(b["withdrawn"] for b in batches)),
        "kept_as_sent": int(sum(b.get("kept_as_sent", 0) for b in batches)),
        "accepted_earlier_not_on_roster": missing_accepted,
        "batches": dg.MetadataValue.json(batches),
    })
    yield from _check_results(context, checks, suites)


INGESTED = ("residents", "welfare_records", "participants")


def _recorded_rows(context: dg.AssetExecutionContext) -> dict[str, str]:
    """{file sha256: rows_sha256} as the ingest's last materializations recorded them: a step in
    a process of its own (the multiprocess or Kubernetes executor) does not read the files again
    to know their rows."""
    recorded = {}
    for key in INGESTED:
        event = context.instance.get_latest_materialization_event(dg.AssetKey(key))
        meta = event.asset_materialization.metadata if event and event.asset_materialization else {}
        if "sha256" in meta and "rows_sha256" in meta:
            recorded[meta["sha256"].value] = meta["rows_sha256"].value
    return recorded


def _premiums_of_these_rules(candidates: pl.DataFrame, rules, period: str) -> None:
    """Refuse candidates whose premium another rules file computed: the batch records this
    step's rules' declared income and programmes, which the export writes beside each row's
    premium. bpjs_submission materialized alone after a rules change put 687 rows of Rp81,800
    (JKK + JKM + JHT at Rp2,500,000) on a batch of Rp1,000,000 and JKK,JKM, and the export sent
    them so (a rules review)."""
    other = candidates.filter(pl.col("iuran_bulanan") != rules.monthly_contribution)
    if other.height:
        found = sorted(set(other.get_column("iuran_bulanan").to_list()))
        raise dg.Failure(
            f"enrollment_candidates {period}: {other.height:,} candidate(s) carry a monthly premium of "
            + ", ".join(f"Rp{p:,}" for p in found[:3])
            + f", these rules' ({rules.source}) is Rp{rules.monthly_contribution:,}: the candidates were made with "
              "other rules; materialize resident_assessment and enrollment_candidates with these rules, then the "
              "submission")


def _reasons(by_rules: dict[str, str], held: dict[str, str], excluded: dict[str, str]) -> dict[str, str]:
    """Why each withdrawn NIK left the list: a coordinator's verification, else BPJS having the
    person from an earlier export (where the rules alone would still list them), else the rules."""
    return {nik: excluded.get(nik) or (held.get(nik) if reason == ELIGIBLE_STILL else None) or reason
            for nik, reason in by_rules.items()}


def submission_check_events(context: dg.AssetExecutionContext, settings: LindungiSettings, dsn: str,
                            enrollment_candidates: pl.DataFrame) -> Iterator:
    """The selected checks of ``bpjs_submission`` alone (the UI's "Execute" on a check), on what
    was submitted: each region's latest committed batch of the period against the candidate list,
    and the suites on the tables. Nothing is submitted. A region of the list without a batch
    fails ``batch_matches_table``; so does a list whose people are no longer those submitted."""
    period = context.partition_key
    suites = _start_suites(dsn, period, settings.rules())
    latest = latest_batches(dsn, period)
    checks = [{"region": r, **batch_consistency(dsn, latest[r], _niks(enrollment_candidates, r))} if r in latest
              else {"region": r, "batch_id": None, "rows_match": False, "checksum_matches": False,
                    "stray_pending": None}
              for r in sorted(enrollment_candidates.get_column("kode_kab").unique().to_list())]
    yield from _check_results(context, checks, suites)


def _niks(candidates: pl.DataFrame, region: str) -> list[str]:
    return candidates.filter(pl.col("kode_kab") == region).get_column("NIK").to_list()


def _start_suites(dsn: str, period: str, rules) -> tuple[Pending, Pending]:
    """The GX suites on the period's rows in play and on its batches, started (in `lindungi
    run`'s worker process)."""
    period_start(period)  # a YYYY-MM partition key, or ValueError: it is formatted into the SQL below
    table_suite = suite_for("submission_table", iuran=rules.monthly_contribution)
    batches_suite = suite_for("submission_batches")
    return (validate_sql_later(dsn, SUBMISSION_IN_PLAY.format(columns=suite_columns(table_suite), period=period),
                               "submission_table", table_suite),
            validate_sql_later(dsn, BATCHES.format(columns=suite_columns(batches_suite), period=period),
                               "submission_batches", batches_suite))


def _check_results(context: dg.AssetExecutionContext, checks: list[dict], suites: tuple[Pending, Pending]) -> Iterator:
    """The selected ones of the three checks; both suites are waited for whatever is selected."""
    selected = {k.name for k in context.selected_asset_check_keys}
    off = sum(not (c["rows_match"] and c["checksum_matches"] and c["stray_pending"] == 0) for c in checks)
    if "batch_matches_table" in selected:
        yield dg.AssetCheckResult(asset_key="bpjs_submission", check_name="batch_matches_table", passed=off == 0,
                                  description=f"{len(checks) - off} of {len(checks)} batch(es) match the table "
                                              "(rows, checksum, no stray pending row)",
                                  metadata={"batches": dg.MetadataValue.json(checks)})
    for name, pending in zip(("submission_table_expectations", "submission_batches_expectations"), suites):
        result = pending.result()  # waited for even when not selected: no suite outlives the step
        if name in selected:
            yield suite_check(result, asset_key="bpjs_submission", check_name=name)
