"""Schedules and the sensors that chain a scheduled run: ingest, then every region's linkage,
then the period's candidates, submission and reports.

A Dagster job has one partitions definition, so a whole run is three jobs: ``ingest``
(unpartitioned), ``link_regions`` (one run per kab/kota partition) and ``lindungi`` (one run
per monthly partition). ``lindungi run`` starts them in order; in production the schedule starts
the ingest, and two run-status sensors request the rest through the daemon's run queue, where
``deploy/dagster.yaml`` bounds them (one run per region at a time, a cap on runs overall). A
run request carries the period and the ingest run's id in its tags, and its run key makes a
sensor that evaluates twice request it once. ``new_extracts_sensor`` starts the same chain when
new extracts arrive in the input folder between two monthly runs.
"""

from __future__ import annotations

import hashlib
import json
import os

import dagster as dg

from dagster_project.tags import COMMAND_TAG, EXTRACTS_TAG, INGEST_TAG, PERIOD_TAG, REGION_TAG  # noqa: F401


# The month's ingest is due from 02:00 WITA on the 1st. It is not started while a run of the chain is
# queued or running (a mid-month chain of new extracts, a backfill): it would replace the extracts'
# assets under the region and period runs still reading them. So the schedule is evaluated hourly
# from then to the month's end and starts the ingest at the first evaluation with nothing in
# flight, once a month. (A schedule's run key only deduplicates within one tick, so "once" is
# looked up among the schedule's own runs.) Extracts delivered shortly before, which
# ``new_extracts_sensor`` already ingested for the new month, are not ingested again: the whole
# chain again, for nothing that changed.
MONTHLY_CRON = ("0 2-23 1 * *", "0 * 2-31 * *")
SCHEDULE_TAG = "dagster/schedule_name"


def monthly_step(period: str, started: list[str], busy: list[str], ingested: tuple[str, list[str]] = ("", [])
                 ) -> dg.RunRequest | dg.SkipReason:
    """One evaluation of ``monthly_enrollment`` for ``period``: the ingest, unless the schedule
    already started this month's (``started``: its runs, ``job:run id``), another run already
    ingested these extracts for the month (``ingested``: the extracts' fingerprint and those
    runs) or runs of the chain are in flight (``busy``)."""
    fingerprint, same = ingested
    if started:
        return dg.SkipReason(f"the ingest of {period} is started: {started[0]}")
    if same:
        return dg.SkipReason(f"the extracts in the input folder are already ingested for {period}: {same[0]}")
    if busy:
        return dg.SkipReason(f"the ingest of {period} waits for {len(busy)} run(s) of the chain in flight: "
                             f"{', '.join(busy[:5])}; evaluated again in an hour")
    return dg.RunRequest(run_key=period,
                         tags={PERIOD_TAG: period, **({EXTRACTS_TAG: fingerprint} if fingerprint else {})})


def _runs_named(runs) -> list[str]:
    return [f"{r.job_name}:{r.run_id[:8]} ({r.status.value.lower()})" for r in runs]


def ingested_already(instance: dg.DagsterInstance, job_name: str, period: str) -> tuple[str, list[str]]:
    """(fingerprint of the input folder's extracts, the runs of ``job_name`` that ingested them for
    ``period`` and did not fail); ("", []) when the folder is not set or not complete."""
    input_dir = os.environ.get("LINDUNGI_INPUT")
    fingerprint = extracts_fingerprint(input_dir)[0] if input_dir else None
    if not fingerprint:
        return "", []
    runs = instance.get_runs(filters=dg.RunsFilter(job_name=job_name,
                                                   tags={PERIOD_TAG: period, EXTRACTS_TAG: fingerprint}))
    failed = (dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED)
    return fingerprint, _runs_named(r for r in runs if r.status not in failed)


def monthly_schedule(job: dg.UnresolvedAssetJobDefinition) -> dg.ScheduleDefinition:
    """``job`` is the ingest job; the period rides along in the run's tags."""
    name = "monthly_enrollment"

    @dg.schedule(job=job, cron_schedule=list(MONTHLY_CRON), execution_timezone="Asia/Makassar", name=name,
                 description="From the 1st at 02:00 WITA, once no run of the chain is in flight (evaluated "
                             "hourly): ingest, then every region's linkage, then the candidates for the new "
                             "month (the sensors below chain them).")
    def _schedule(context: dg.ScheduleEvaluationContext):
        period = context.scheduled_execution_time.strftime("%Y-%m")
        mine = context.instance.get_runs(filters=dg.RunsFilter(tags={SCHEDULE_TAG: name, PERIOD_TAG: period}),
                                         limit=1)
        started = _runs_named(mine)
        # the rest only matters until the month's ingest is started (most of the hourly ticks)
        if started:
            return monthly_step(period, started, [])
        return monthly_step(period, [], chain_in_flight(context.instance),
                            ingested_already(context.instance, job.name, period))

    return _schedule


def extract_regions() -> list[str]:
    """The kab/kota of the last ingested residents (largest first)."""
    import polars as pl

    from pipelines.partitioning import region_sizes

    from dagster_project.resources import out_dir

    path = out_dir() / "residents.parquet"
    return list(region_sizes(pl.scan_parquet(path))) if path.exists() else []


def region_requests(ingest_run: dg.DagsterRun, regions: list[str]) -> list[dg.RunRequest]:
    """One ``link_regions`` run per region of ``ingest_run``, for its period: the one in its tags,
    else this month in WITA: an ingest launched in the UI carries none, and its chain goes on to
    this month's period run, submission included (its regions used to be linked and the
    period's run skipped for want of a period)."""
    from pipelines.dates import this_month  # WITA, as the monthly schedule counts months

    period = ingest_run.tags.get(PERIOD_TAG) or this_month()
    tags = {INGEST_TAG: ingest_run.run_id, PERIOD_TAG: period}
    return [dg.RunRequest(run_key=f"{ingest_run.run_id}:{r}", partition_key=r, tags={**tags, REGION_TAG: r})
            for r in regions]


def period_request(region_runs: list[dg.DagsterRun], regions: list[str], ingest_run_id: str,
                   period: str | None) -> dg.RunRequest | dg.SkipReason:
    """The period run once every region of the extract has a successful linkage run of this
    ingest; else why not yet."""
    if not period:  # (the region run's tag: it named the ingest run, whose tags were not read)
        return dg.SkipReason(f"the link_regions run of ingest {ingest_run_id[:8]} has no {PERIOD_TAG} tag: "
                             "no period to run")
    done = {r.tags.get("dagster/partition") for r in region_runs if r.status == dg.DagsterRunStatus.SUCCESS}
    waiting = [r for r in regions if r not in done]
    if waiting:
        return dg.SkipReason(f"waiting for the linkage of {len(waiting)} region(s): {', '.join(waiting[:10])}")
    return dg.RunRequest(run_key=f"{ingest_run_id}:{period}", partition_key=period,
                         tags={INGEST_TAG: ingest_run_id, PERIOD_TAG: period})


def _chained_by_its_command(run: dg.DagsterRun, command: str) -> dg.SkipReason:
    """A run a `lindungi` command started: the command runs its own chain, on its own --out and
    database. The sensors chained `lindungi run`'s ingest too, linking every region again on the
    UI's output folder while the command linked them, then a second period run (an outside
    review)."""
    return dg.SkipReason(f"{run.job_name} run {run.run_id[:8]} was started by `lindungi {command}`, "
                         "which runs its own chain")


def chain_sensor(*, monitored_jobs, request_job, name: str, description: str):
    """``dg.run_status_sensor`` for SUCCESS. (A tick that finds no monitored run succeeded shows
    Dagster's own "Sensor function returned an empty result": Dagster calls the function only for
    such a run. A subclass of Dagster's sensor definition that gave those ticks a reason of ours
    was tried and taken back: it overrode Dagster's private evaluation to say it.)"""
    return dg.run_status_sensor(run_status=dg.DagsterRunStatus.SUCCESS, monitored_jobs=monitored_jobs,
                                request_job=request_job, name=name, description=description)


def chain_sensors(ingest_job, link_regions_job, period_job) -> list[dg.SensorDefinition]:
    @chain_sensor(monitored_jobs=[ingest_job], request_job=link_regions_job, name="link_regions_after_ingest",
                  description="After an ingest: one link_regions run per kab/kota of the extract.")
    def link_regions_after_ingest(context: dg.RunStatusSensorContext):
        if (command := context.dagster_run.tags.get(COMMAND_TAG)) is not None:
            return _chained_by_its_command(context.dagster_run, command)
        regions = extract_regions()
        return region_requests(context.dagster_run, regions) or dg.SkipReason("no residents ingested")

    @chain_sensor(monitored_jobs=[link_regions_job], request_job=period_job, name="period_after_regions",
                  description="When every region of an ingest is linked: the period's run.")
    def period_after_regions(context: dg.RunStatusSensorContext):
        tags = context.dagster_run.tags
        if (command := tags.get(COMMAND_TAG)) is not None:
            return _chained_by_its_command(context.dagster_run, command)
        ingest_run = tags.get(INGEST_TAG)
        if not ingest_run:
            return dg.SkipReason("a link_regions run started by hand (no ingest tag): nothing to chain")
        runs = context.instance.get_runs(filters=dg.RunsFilter(job_name=link_regions_job.name,
                                                               tags={INGEST_TAG: ingest_run}))
        return period_request(list(runs), extract_regions(), ingest_run, tags.get(PERIOD_TAG))

    # Its own sensor, not a second job of the one above: Dagster hands a run-status sensor one
    # run per tick when its function says why it skipped, so every region of a 514-region asset
    # backfill (each a run of the implicit job) would have put a scheduled ingest's chain hours
    # behind them.
    @chain_sensor(monitored_jobs=[dg.define_asset_job(ASSET_JOB)], request_job=link_regions_job,
                  name="link_regions_after_asset_ingest",
                  description="After the three extracts are materialized from the asset graph (a run of "
                              f"{ASSET_JOB}, the ingest in all but name): one link_regions run per kab/kota.")
    def link_regions_after_asset_ingest(context: dg.RunStatusSensorContext):
        run = context.dagster_run
        if (command := run.tags.get(COMMAND_TAG)) is not None:
            return _chained_by_its_command(run, command)
        if (why := not_an_ingest(run)) is not None:
            return dg.SkipReason(why)
        regions = extract_regions()
        return region_requests(run, regions) or dg.SkipReason("no residents ingested")

    return [link_regions_after_ingest, period_after_regions, link_regions_after_asset_ingest]


# The job name of every run Dagster makes from the asset graph: "Materialize", an asset backfill
# (one run per partition, tags dagster/backfill and dagster/partition), `dagster asset
# materialize`, a check run alone. In this code location each such run reads or writes the
# chain's assets (every materializable asset is one of the three jobs'). Only a name: the stand-in
# above is not a job of the Definitions, Dagster matches monitored jobs by name.
ASSET_JOB = "__ASSET_JOB"


def not_an_ingest(run: dg.DagsterRun) -> str | None:
    """Why an asset-graph run is not chained as an ingest, or None when it materialized the three
    extracts' accepted assets (residents, welfare_records, participants), as the ingest job does.
    One extract looked at again is not chained: a look at one extract submits no period."""
    from assets.ingest import EXTRACTS

    done = {k.to_user_string() for k in run.asset_selection or ()}
    missing = [ext.accepted_key for ext in EXTRACTS if ext.accepted_key not in done]
    if not missing:
        return None
    head = f"{run.job_name} run {run.run_id[:8]}"
    if run.asset_selection is None or len(missing) == len(EXTRACTS):
        return f"{head} materialized no extract: not an ingest, nothing to chain"
    return (f"{head} materialized {', '.join(sorted(done & {e.accepted_key for e in EXTRACTS}))} but not "
            f"{', '.join(missing)}: part of the extracts is not chained (materialize all three, or launch the "
            "ingest job)")


# --- new extracts in the input folder -------------------------------------------------------------

def extracts_fingerprint(input_dir: str) -> tuple[str | None, str]:
    """(fingerprint, "") of the input folder's three extracts, by name, size and modification
    time (not their bytes: a 5.8M-resident extract is not hashed every evaluation); (None, why not)
    while an extract is missing or doubled."""
    from pipelines.readers import InputError, find_extract
    from pipelines.schema import SOURCES

    try:
        files = [find_extract(input_dir, source) for source in SOURCES]
    except InputError as exc:
        return None, str(exc)
    stats = [(f.name, f.stat().st_size, f.stat().st_mtime_ns) for f in files]
    return hashlib.sha256(json.dumps(stats).encode()).hexdigest()[:16], ""


def same_files_as_ingested(instance: dg.DagsterInstance, input_dir: str) -> bool:
    """Whether each extract in the folder is, byte for byte, the file the last ingest read (the
    SHA-256 on its accepted asset's latest materialization, against ``input_checksums``'). Hashed
    only once the folder's fingerprint changed: the same files copied in again (a re-delivery, a
    sync that rewrites modification times) started the whole chain again, and each of its period
    runs added an empty batch to every region (a production-path review: 12 batches where 4 had
    been made)."""
    from assets.ingest import EXTRACTS
    from pipelines.readers import InputError, find_extract, input_checksums

    try:
        now = input_checksums(input_dir)
        for ext in EXTRACTS:
            event = instance.get_latest_materialization_event(dg.AssetKey(ext.accepted_key))
            meta = event.asset_materialization.metadata if event and event.asset_materialization else {}
            if "sha256" not in meta or now[find_extract(input_dir, ext.source).name] != meta["sha256"].value:
                return False
    except (InputError, OSError):
        return False
    return True


def extracts_step(cursor: str | None, fingerprint: str) -> tuple[bool, str, str]:
    """One evaluation of ``new_extracts_sensor``: (request an ingest?, the next cursor, why).

    The first evaluation takes the extracts found as the baseline (the schedule or `lindungi
    run` ingests them); changed extracts are ingested once they have stayed unchanged for one
    evaluation (a copy of a large file still under way is not read half-written), and once."""
    state = json.loads(cursor) if cursor else None
    if state is None:
        return False, json.dumps({"seen": fingerprint, "ingested": fingerprint}), \
            "extracts found when the sensor started: taken as already ingested"
    if fingerprint == state["ingested"]:
        return False, json.dumps({**state, "seen": fingerprint}), "extracts unchanged"
    if fingerprint != state["seen"]:
        return False, json.dumps({**state, "seen": fingerprint}), \
            "extracts changed: ingested once they stay unchanged until the next evaluation"
    return True, json.dumps({"seen": fingerprint, "ingested": fingerprint}), "new extracts"


CHAIN_JOBS = ("ingest", "link_regions", "lindungi")


def chain_in_flight(instance: dg.DagsterInstance) -> list[str]:
    """The chain's runs queued or running (``job:run id`` prefixes): its three jobs' and the
    asset graph's (``ASSET_JOB``: an asset backfill of regions or months, a "Materialize"), which
    read the extracts' assets as the jobs' runs do; they were not counted, and the month's ingest
    replaced the extracts under a backfill's region runs."""
    statuses = [dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.NOT_STARTED, dg.DagsterRunStatus.STARTING,
                dg.DagsterRunStatus.STARTED]
    return [f"{r.job_name}:{r.run_id[:8]}" for r in instance.get_runs(filters=dg.RunsFilter(statuses=statuses))
            if r.job_name in CHAIN_JOBS or r.job_name == ASSET_JOB]


def extracts_sensor(ingest_job) -> dg.SensorDefinition:
    @dg.sensor(job=ingest_job, minimum_interval_seconds=300, name="new_extracts_sensor",
               description="When new extracts arrive in the input folder (LINDUNGI_INPUT) between two "
                           "monthly runs: the ingest, for the current month (WITA), and the chain after it.")
    def _sensor(context: dg.SensorEvaluationContext):
        from pipelines.dates import this_month  # WITA, as the monthly schedule counts months

        input_dir = os.environ.get("LINDUNGI_INPUT")
        if not input_dir:
            return dg.SkipReason("LINDUNGI_INPUT is not set: no input folder to watch (lindungi ui --input DIR)")
        fingerprint, why = extracts_fingerprint(input_dir)
        if fingerprint is None:
            return dg.SkipReason(why)
        request, cursor, why = extracts_step(context.cursor, fingerprint)
        period = this_month()
        if request and same_files_as_ingested(context.instance, input_dir):
            context.update_cursor(cursor)
            return dg.SkipReason("the extracts were written again with the content last ingested (the same "
                                 "SHA-256): nothing new to ingest")
        if request and (same := ingested_already(context.instance, ingest_job.name, period)[1]):
            # the monthly schedule's ingest read them (they came shortly before it)
            context.update_cursor(cursor)
            return dg.SkipReason(f"new extracts already ingested for {period}: {same[0]}")
        if request and (busy := chain_in_flight(context.instance)):
            # the ingest would replace the extracts' assets under runs still reading them: the
            # new extracts wait (the cursor unchanged, a later evaluation requests them)
            return dg.SkipReason(f"new extracts wait for {len(busy)} run(s) in flight: {', '.join(busy[:5])}")
        context.update_cursor(cursor)
        if not request:
            return dg.SkipReason(why)
        return dg.RunRequest(run_key=f"extracts:{fingerprint}:{period}",
                             tags={PERIOD_TAG: period, EXTRACTS_TAG: fingerprint})

    return _sensor
