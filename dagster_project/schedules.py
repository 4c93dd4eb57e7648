"""Schedules and the sensors that chain a scheduled run: ingest, then every region's linkage,
then the period's candidates, submission and reports.

A Dagster job has one partitions definition, so a whole run is three jobs: ``ingest``
(unpartitioned), ``link_regions`` (one run per kab/kota partition) and ``lindungi`` (one run
per monthly partition). ``lindungi run`` starts them in order; in production the schedule starts
the ingest, and two run-status sensors request the rest through the daemon's run queue, where
``deploy/dagster.yaml`` bounds them (one run per region at a time, a cap on runs overall). A
run request carries the period and the ingest run's id in its tags, and its run key makes a
sensor that evaluates twice request it once.
"""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg

PERIOD_TAG = "lindungi/period"
INGEST_TAG = "lindungi/ingest_run"
REGION_TAG = "lindungi/region"


def monthly_schedule(job: dg.UnresolvedAssetJobDefinition) -> dg.ScheduleDefinition:
    """``job`` is the ingest job; the period rides along in the run's tags."""
    @dg.schedule(job=job, cron_schedule="0 2 1 * *", execution_timezone="Asia/Makassar",
                 name="monthly_enrollment",
                 description="On the 1st at 02:00 WITA: ingest, then every region's linkage, then the "
                             "candidates for the new month (the sensors below chain them).")
    def _schedule(context: dg.ScheduleEvaluationContext):
        period = context.scheduled_execution_time.strftime("%Y-%m")
        return dg.RunRequest(run_key=period, tags={PERIOD_TAG: period})

    return _schedule


def extract_regions() -> list[str]:
    """The kab/kota of the last ingested residents (largest first)."""
    import polars as pl

    from pipelines.partitioning import region_sizes

    path = Path(os.environ.get("LINDUNGI_OUT", "lindungi-data")) / "residents.parquet"
    return list(region_sizes(pl.scan_parquet(path))) if path.exists() else []


def region_requests(ingest_run: dg.DagsterRun, regions: list[str]) -> list[dg.RunRequest]:
    period = ingest_run.tags.get(PERIOD_TAG)
    tags = {INGEST_TAG: ingest_run.run_id, **({PERIOD_TAG: period} if period else {})}
    return [dg.RunRequest(run_key=f"{ingest_run.run_id}:{r}", partition_key=r, tags={**tags, REGION_TAG: r})
            for r in regions]


def period_request(region_runs: list[dg.DagsterRun], regions: list[str], ingest_run_id: str,
                   period: str | None) -> dg.RunRequest | dg.SkipReason:
    """The period run once every region of the extract has a successful linkage run of this
    ingest; else why not yet."""
    if not period:
        return dg.SkipReason(f"ingest run {ingest_run_id[:8]} has no {PERIOD_TAG} tag: no period to run")
    done = {r.tags.get("dagster/partition") for r in region_runs if r.status == dg.DagsterRunStatus.SUCCESS}
    waiting = [r for r in regions if r not in done]
    if waiting:
        return dg.SkipReason(f"waiting for the linkage of {len(waiting)} region(s): {', '.join(waiting[:10])}")
    return dg.RunRequest(run_key=f"{ingest_run_id}:{period}", partition_key=period,
                         tags={INGEST_TAG: ingest_run_id, PERIOD_TAG: period})


def chain_sensors(ingest_job, link_regions_job, period_job) -> list[dg.SensorDefinition]:
    @dg.run_status_sensor(run_status=dg.DagsterRunStatus.SUCCESS, monitored_jobs=[ingest_job],
                          request_job=link_regions_job, name="link_regions_after_ingest",
                          description="After an ingest: one link_regions run per kab/kota of the extract.")
    def link_regions_after_ingest(context: dg.RunStatusSensorContext):
        regions = extract_regions()
        return region_requests(context.dagster_run, regions) or dg.SkipReason("no residents ingested")

    @dg.run_status_sensor(run_status=dg.DagsterRunStatus.SUCCESS, monitored_jobs=[link_regions_job],
                          request_job=period_job, name="period_after_regions",
                          description="When every region of an ingest is linked: the period's run.")
    def period_after_regions(context: dg.RunStatusSensorContext):
        tags = context.dagster_run.tags
        ingest_run = tags.get(INGEST_TAG)
        if not ingest_run:
            return dg.SkipReason("a link_regions run started by hand (no ingest tag): nothing to chain")
        runs = context.instance.get_runs(filters=dg.RunsFilter(job_name=link_regions_job.name,
                                                               tags={INGEST_TAG: ingest_run}))
        return period_request(list(runs), extract_regions(), ingest_run, tags.get(PERIOD_TAG))

    return [link_regions_after_ingest, period_after_regions]
