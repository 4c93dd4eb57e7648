"""The one Definitions object, loaded by ``lindungi run``, ``lindungi ui`` and ``dagster dev``.

Settings come from environment variables (set by the CLI from its flags):
LINDUNGI_INPUT (input directory), LINDUNGI_OUT (output directory), LINDUNGI_DB_URL (empty:
embedded PostgreSQL), LINDUNGI_RULES (rules file), LINDUNGI_FULL_NIK.
"""

from __future__ import annotations

import os

import dagster as dg

from assets import candidates, ingest, linkage, reporting, submission
from dagster_project.io_manager import PolarsParquetIOManager
from dagster_project.partitions import period_partitions
from dagster_project.resources import Database, LindungiSettings
from dagster_project.schedules import monthly_schedule
from dagster_project.sensors import (
    apply_bpjs_response,
    apply_verification,
    bpjs_response_sensor,
    verification_sensor,
)
from pipelines.db import state_dir

DEFAULTS = {
    "LINDUNGI_INPUT": str(state_dir() / "demo-input"),
    "LINDUNGI_OUT": os.path.abspath("lindungi-data"),
    "LINDUNGI_DB_URL": "",
    "LINDUNGI_RULES": "",
    "LINDUNGI_FULL_NIK": "false",
}
for _k, _v in DEFAULTS.items():
    os.environ.setdefault(_k, _v)

all_assets = dg.load_assets_from_modules([ingest, linkage, candidates, submission, reporting])

lindungi_job = dg.define_asset_job(
    "lindungi", selection=dg.AssetSelection.all(), partitions_def=period_partitions,
    description="Every asset for one period: ingest, link, candidates, submission, reports.",
)


def _asset_checks() -> list:
    try:
        from quality.definitions import asset_checks
    except ImportError:  # quality suites not installed in this build
        return []
    return asset_checks()


defs = dg.Definitions(
    assets=all_assets,
    asset_checks=_asset_checks(),
    jobs=[lindungi_job, apply_bpjs_response, apply_verification],
    schedules=[monthly_schedule(lindungi_job)],
    sensors=[bpjs_response_sensor, verification_sensor],
    resources={
        "io_manager": PolarsParquetIOManager(base_dir=dg.EnvVar("LINDUNGI_OUT")),
        "settings": LindungiSettings(
            input_dir=dg.EnvVar("LINDUNGI_INPUT"), out_dir=dg.EnvVar("LINDUNGI_OUT"),
            rules_path=dg.EnvVar("LINDUNGI_RULES"),
            full_nik=os.environ.get("LINDUNGI_FULL_NIK", "false").lower() in ("1", "true", "yes"),
        ),
        "database": Database(dsn=dg.EnvVar("LINDUNGI_DB_URL")),
    },
)
