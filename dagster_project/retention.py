"""Retention as a Dagster job: ``erase_expired_lists`` (what ``lindungi retention`` does) and a
monthly schedule for it, so a deployment that runs the enrollment on schedule also erases the
lists whose retention period has ended (UU PDP Art. 42-44; ``pipelines/retention.py``)."""

import dagster as dg

from dagster_project.resources import Database, LindungiSettings


@dg.op(config_schema={"as_of": dg.Field(str, is_required=False,
                                        description="YYYY-MM (default: the month the run starts in)")},
       description="Erase the candidate lists (files and rows) of periods past the rules' retention.months.")
def erase_expired_lists(context: dg.OpExecutionContext, settings: LindungiSettings, database: Database) -> None:
    from pipelines.dates import this_month
    from pipelines.db import migrate
    from pipelines.retention import erase_expired

    dsn = database.url()
    migrate(dsn)
    as_of = context.op_config.get("as_of") or this_month()
    rules = settings.rules()
    line, done = erase_expired(settings.out_dir, dsn, months=rules.retention_months, as_of=as_of,
                               run_id=context.run_id, rules=rules)
    context.log.info(line)
    for event in erasure_observations(done, as_of):
        context.log_event(event)
    if done is not None and done.not_erased:  # the run fails, after noting what was erased
        raise dg.Failure(description=f"{len(done.not_erased)} file(s) or folder(s) could not be erased",
                         metadata={"not_erased": dg.MetadataValue.md("\n".join(f"- {x}" for x in done.not_erased[:50]))})


def erasure_observations(done, as_of: str) -> list[dg.AssetObservation]:
    """One observation per asset partition whose stored value the erasure ``done`` (a
    ``pipelines.retention.Plan``, or None) removed. Dagster's open-source storages cannot wipe a
    partition's history: the asset's page showed the period materialized with its file gone, and
    nothing said why."""
    from pipelines.retention import erased_partitions

    note = (f"erased by the retention as of {as_of} (UU PDP Art. 42-44); materialize the period again "
            "to have it back")
    return [dg.AssetObservation(asset_key=asset, partition=period, metadata={"erased": note})
            for asset, periods in (erased_partitions(done).items() if done else ()) for period in periods]


@dg.job(description="Erase candidate lists whose retention period has ended (UU PDP Art. 42-44).")
def retention():
    erase_expired_lists()


@dg.schedule(job=retention, cron_schedule="0 4 1 * *", execution_timezone="Asia/Makassar",
             name="monthly_retention",
             description="On the 1st at 04:00 WITA, after the enrollment: erase the lists past their retention.")
def retention_schedule(context: dg.ScheduleEvaluationContext):
    """The month is the tick's, in WITA, whenever its run starts. (A run's own default is this
    month in WITA too: it was the host's, and a run pod on UTC, as Kubernetes' usually are,
    saw 20:00 on the last day of the month before and kept the lists that had just expired
    for another month.)"""
    month = context.scheduled_execution_time.strftime("%Y-%m")
    return dg.RunRequest(run_key=month,
                         run_config={"ops": {"erase_expired_lists": {"config": {"as_of": month}}}})
