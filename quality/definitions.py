"""The GX suites as Dagster asset checks, all blocking: a failure stops the submission.

Each check receives its asset's value (loaded by the IO manager; the run's partition for a
partitioned asset) through a parameter named after the asset.
"""

import dagster as dg
import polars as pl

from dagster_project.resources import LindungiSettings
from quality.expectations import suite_for, validate


def suite_check_result(asset: str, df: pl.DataFrame, settings: LindungiSettings,
                       check_name: str | None = None) -> dg.AssetCheckResult:
    rules = settings.rules()
    r = validate(df, asset, suite_for(asset, min_age=rules.min_age, max_age=rules.max_age,
                                      iuran=rules.monthly_contribution))
    return dg.AssetCheckResult(
        check_name=check_name, passed=r.success, severity=dg.AssetCheckSeverity.ERROR,
        metadata={"rows": r.rows, "expectations": len(r.results), "failed": len(r.failed),
                  "results": dg.MetadataValue.md(r.markdown())},
    )


@dg.asset_check(asset="residents", blocking=True, description="GX suite: NIK present, 16 digits, unique")
def residents_expectations(settings: LindungiSettings, residents: pl.DataFrame) -> dg.AssetCheckResult:
    return suite_check_result("residents", residents, settings)


@dg.asset_check(asset="welfare_links", blocking=True, description="GX suite: one link per record, methods, scores")
def welfare_links_expectations(settings: LindungiSettings, welfare_links: pl.DataFrame) -> dg.AssetCheckResult:
    return suite_check_result("welfare_links", welfare_links, settings)


@dg.asset_check(asset="participant_links", blocking=True, description="GX suite: one link per record, methods, scores")
def participant_links_expectations(settings: LindungiSettings, participant_links: pl.DataFrame) -> dg.AssetCheckResult:
    return suite_check_result("participant_links", participant_links, settings)


def asset_checks() -> list:
    # enrollment_candidates is partitioned: its asset evaluates the suite itself through
    # check_specs (see assets/candidates.py), which gates the submission the same way.
    return [residents_expectations, welfare_links_expectations, participant_links_expectations]
