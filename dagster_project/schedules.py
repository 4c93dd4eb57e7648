"""Schedules: the whole pipeline monthly, for the month that starts."""

from __future__ import annotations

import dagster as dg


def monthly_schedule(job: dg.UnresolvedAssetJobDefinition) -> dg.ScheduleDefinition:
    @dg.schedule(job=job, cron_schedule="0 2 1 * *", execution_timezone="Asia/Makassar",
                 name="monthly_enrollment", description="On the 1st at 02:00 WITA: candidates for the new month.")
    def _schedule(context: dg.ScheduleEvaluationContext):
        period = context.scheduled_execution_time.strftime("%Y-%m")
        return dg.RunRequest(run_key=period, partition_key=period)

    return _schedule
