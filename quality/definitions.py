"""The GX suites as Dagster asset checks, all blocking: a failure stops the submission.

Each check receives its asset's value (loaded by the IO manager; the run's partition for a
partitioned asset) through a parameter named after the asset.
"""

import dagster as dg
import polars as pl

from dagster_project.resources import LindungiSettings
from quality.expectations import SuiteResult, suite_for, validate


def suite_check(r: SuiteResult, asset_key: str | None = None, check_name: str | None = None) -> dg.AssetCheckResult:
    """A suite's result as a Dagster check result, at ERROR severity: counts only, never values."""
    return dg.AssetCheckResult(
        asset_key=asset_key, check_name=check_name, passed=r.success, severity=dg.AssetCheckSeverity.ERROR,
        metadata={"rows": r.rows, "expectations": len(r.results), "failed": len(r.failed),
                  "results": dg.MetadataValue.md(r.markdown())},
    )


def suite_check_result(asset: str, df: pl.DataFrame, settings: LindungiSettings,
                       check_name: str | None = None) -> dg.AssetCheckResult:
    rules = settings.rules()
    return suite_check(validate(df, asset, suite_for(asset, min_age=rules.min_age, max_age=rules.max_age,
                                                     iuran=rules.monthly_contribution)), check_name=check_name)


@dg.asset_check(asset="welfare_links", blocking=True, description="GX suite: one link per record, methods, scores")
def welfare_links_expectations(settings: LindungiSettings, welfare_links: pl.DataFrame) -> dg.AssetCheckResult:
    return suite_check_result("welfare_links", welfare_links, settings)


@dg.asset_check(asset="participant_links", blocking=True, description="GX suite: one link per record, methods, scores")
def participant_links_expectations(settings: LindungiSettings, participant_links: pl.DataFrame) -> dg.AssetCheckResult:
    return suite_check_result("participant_links", participant_links, settings)


def asset_checks() -> list:
    # The ingest assets evaluate their suites (the extract as read and the accepted rows) inside
    # the asset, through check_specs, since the raw extract is not an asset; so does the
    # partitioned enrollment_candidates (see assets/candidates.py) and bpjs_submission (the
    # table in PostgreSQL, through GX's SQL datasource). They gate the submission the same way.
    return [welfare_links_expectations, participant_links_expectations]
