"""The one Definitions object, loaded by ``lindungi run``, ``lindungi ui`` and ``dagster dev``.

Settings come from environment variables (set by the CLI from its flags):
LINDUNGI_INPUT (input directory), LINDUNGI_OUT (output directory), LINDUNGI_DB_URL (empty:
embedded PostgreSQL), LINDUNGI_RULES (rules file), LINDUNGI_FULL_NIK, and LINDUNGI_EXECUTOR,
which chooses how a run's steps execute:

- ``in_process`` (default): one process; what ``lindungi run`` uses on a laptop.
- ``multiprocess``: Dagster's multiprocess executor, independent steps in parallel processes on
  one machine (the period's coverage figures beside its delivery, for one; the three extracts,
  a region's two sources, and the two sources' link assemblies already share a step each, in
  threads); ``LINDUNGI_MAX_CONCURRENT`` caps it (default: the CPU count). Each step then starts
  a process of its own, which costs more than most steps take at a city's size (docs/deployment.md).
- ``k8s``: each step a Kubernetes Job (``dagster_k8s.k8s_job_executor``), for the production
  deployment in ``deploy/`` (needs the ``k8s`` extra).
"""

from __future__ import annotations

import os

import dagster as dg

from assets import candidates, delivery, ingest, linkage, reporting, submission
from dagster_project.io_manager import PolarsParquetIOManager
from dagster_project.partitions import period_partitions, region_partitions
from dagster_project.resources import Database, LindungiSettings, env_flag, out_dir
from dagster_project.retention import retention, retention_schedule
from dagster_project.schedules import chain_sensors, extracts_sensor, monthly_schedule
from dagster_project.sensors import (
    apply_bpjs_response,
    apply_verification,
    bpjs_response_sensor,
    verification_sensor,
)
from pipelines.db import checked_executor_name, state_dir

DEFAULTS = {
    "LINDUNGI_INPUT": str(state_dir() / "demo-input"),
    "LINDUNGI_OUT": str(out_dir()),
    "LINDUNGI_DB_URL": "",
    "LINDUNGI_RULES": "",
    "LINDUNGI_FULL_NIK": "false",
}
for _k, _v in DEFAULTS.items():
    os.environ.setdefault(_k, _v)

# (the input files' external assets are AssetSpecs, which load_assets_from_modules leaves out:
# without them the ingest's deps made bare stand-ins of no description)
all_assets = [*ingest.SOURCES,
              *dg.load_assets_from_modules([ingest, linkage, candidates, submission, reporting, delivery])]



def executor_def() -> dg.ExecutorDefinition:
    """The executor named by LINDUNGI_EXECUTOR (see the module docstring)."""
    name = checked_executor_name()
    if name == "in_process":
        return dg.in_process_executor
    if name == "multiprocess":
        limit = int(os.environ.get("LINDUNGI_MAX_CONCURRENT") or os.cpu_count() or 2)
        return dg.multiprocess_executor.configured({"max_concurrent": limit})
    try:  # k8s
        from dagster_k8s import k8s_job_executor
    except ImportError:
        raise ValueError("LINDUNGI_EXECUTOR=k8s needs dagster-k8s: pip install 'lindungi[k8s]'") from None
    return k8s_job_executor


# The instance's run_retries (deploy/dagster.yaml) restart a failed run of the chain whole:
# Dagster's default retry re-runs only the failed steps, so a run whose worker was killed after
# its last step succeeded was "failed" with nothing to retry, and the chain stopped there (its
# sensor waits for a successful run of every region). Every step is idempotent.
WHOLE_RUN_RETRIES = {"dagster/retry_strategy": "ALL_STEPS"}


def partition_set_tag(job_name: str) -> dict[str, str]:
    """The tag that makes a run of a partitioned job one of its partition set's (the job's
    partition statuses, re-execution of a partition). Dagster adds it to runs it launches for a
    partition (the launchpad, a sensor's or a job backfill's), not to one given only
    ``dagster/partition`` (``dagster job launch --tags``): that run materialized its month and
    was missing from the job's partition statuses. As a tag of the job, every run carries it."""
    from dagster._core.remote_representation.external_data import partition_set_snap_name_for_job_name

    return {"dagster/partition_set": partition_set_snap_name_for_job_name(job_name)}


def repository_tag(module: str) -> dict[str, str]:
    """The tag naming a run's repository and code location, as Dagster gives the runs it launches
    from ``dagster dev -m <module>`` (`lindungi ui`): the UI finds a job's runs (its Runs tab) and
    its partition statuses by it. A run executed in a process (``execute_in_process``: `lindungi
    run`) has no code location, and was in neither. The label built as Dagster's workspace builds
    it for that module (its code location is named after it), through its private modules."""
    from dagster._core.remote_origin import RemoteRepositoryOrigin
    from dagster._core.storage.tags import REPOSITORY_LABEL_TAG
    from dagster._core.workspace.load import location_origin_from_module_name

    origin = RemoteRepositoryOrigin(location_origin_from_module_name(module, None, None),
                                    defs.get_repository_def().name)
    return {REPOSITORY_LABEL_TAG: origin.get_label()}


# Three jobs, one per kind of partition (a Dagster job has one partitions definition); a full
# run is the three in order (``lindungi run``, or the schedule and sensors in production):
ingest_job = dg.define_asset_job(
    "ingest", selection=dg.AssetSelection.groups("ingest"), executor_def=executor_def(), tags=WHOLE_RUN_RETRIES,
    description="The three extracts read, cleaned and checked; their kab/kota become region partitions.",
)
link_regions_job = dg.define_asset_job(
    "link_regions", selection=dg.AssetSelection.assets(*linkage.REGION_ASSETS),
    partitions_def=region_partitions, executor_def=executor_def(),
    tags={**WHOLE_RUN_RETRIES, **partition_set_tag("link_regions")},
    description="One kab/kota's welfare and roster records linked to its residents (one run per region).",
)
lindungi_job = dg.define_asset_job(
    "lindungi",
    selection=dg.AssetSelection.all() - dg.AssetSelection.groups("ingest")
    - dg.AssetSelection.assets(*linkage.REGION_ASSETS),
    partitions_def=period_partitions, executor_def=executor_def(),
    tags={**WHOLE_RUN_RETRIES, **partition_set_tag("lindungi")},
    description="For one period, from the regions' links: the assembled links, candidates, submission, reports.",
)


defs = dg.Definitions(
    assets=all_assets,
    # also the executor of the runs no job above names: the UI's "Materialize" and asset
    # backfills, `dagster asset materialize`, a check run alone (Dagster's implicit asset job),
    # and the op jobs; without it they ran on Dagster's multiprocess default, whatever
    # LINDUNGI_EXECUTOR said (k8s: steps in the run pod, not Kubernetes Jobs)
    executor=executor_def(),
    jobs=[ingest_job, link_regions_job, lindungi_job, apply_bpjs_response, apply_verification, retention],
    schedules=[monthly_schedule(ingest_job), retention_schedule],
    sensors=[bpjs_response_sensor, verification_sensor, extracts_sensor(ingest_job),
             *chain_sensors(ingest_job, link_regions_job, lindungi_job)],
    resources={
        "io_manager": PolarsParquetIOManager(base_dir=dg.EnvVar("LINDUNGI_OUT")),
        "settings": LindungiSettings(
            input_dir=dg.EnvVar("LINDUNGI_INPUT"), out_dir=dg.EnvVar("LINDUNGI_OUT"),
            rules_path=dg.EnvVar("LINDUNGI_RULES"),
            full_nik=env_flag("LINDUNGI_FULL_NIK"),
            allow_smaller_extract=env_flag("LINDUNGI_ALLOW_SMALLER_EXTRACT"),
        ),
        "database": Database(dsn=dg.EnvVar("LINDUNGI_DB_URL")),
    },
)
