"""The GX suites as Dagster asset checks, all blocking: a failure stops the submission.

Every suite is evaluated inside its asset's step, through the asset's ``check_specs``: the
ingest assets (the extract as read and the accepted rows; the raw extract is not an asset), the
assembled links (GX runs in the worker while the links are written), the partitioned
``enrollment_candidates`` and ``bpjs_submission`` (the tables in PostgreSQL, through GX's SQL
datasource). A failed check stops the assets downstream as a separate check step would.
"""

import dagster as dg

from dagster_project.resources import LindungiSettings
from quality.expectations import SuiteResult, suite_for


def suite_check(r: SuiteResult, asset_key: str | None = None, check_name: str | None = None,
                where: str = "") -> dg.AssetCheckResult:
    """A suite's result as a Dagster check result: counts only, never values. Failed at ERROR
    severity when a blocking expectation failed; failed at WARN when only expectations that do
    not block did (it showed as a green pass in the UI, "8 of 9 expectations met" beside it: a UI
    review), which stops nothing. ``where``: what the rows came from (a file), said first."""
    failed = [_said(e) for e in sorted(r.failed, key=lambda e: not e["blocking"])]
    return dg.AssetCheckResult(
        asset_key=asset_key, check_name=check_name, passed=r.success and not failed,
        severity=dg.AssetCheckSeverity.ERROR if not r.success else dg.AssetCheckSeverity.WARN,
        # the line the UI shows beside the check (it was empty: the figures were in the metadata
        # only), and `lindungi run`'s error when it stops the run: what was expected, in words (it
        # named the check alone)
        description=(f"{where}: " if where else "")
                    + f"{len(r.results) - len(failed)} of {len(r.results)} expectations met on {r.rows:,} rows"
                    + (f"; not met: {'; '.join(failed[:5])}" + (" …" if len(failed) > 5 else "") if failed else ""),
        metadata={"rows": r.rows, "expectations": len(r.results), "failed": len(r.failed),
                  "results": dg.MetadataValue.md(r.markdown())},
    )


def _said(e: dict) -> str:
    """A failed expectation in words: its description (else its kind and column), and on how
    many rows it failed."""
    what = e["description"] or (f"{e['expectation']}({e['column']})" if e["column"] else e["expectation"])
    n = e["unexpected_count"]
    return what + (f" ({n:,} row{'' if n == 1 else 's'})" if n else "") \
        + ("" if e["blocking"] else " [not blocking]")


def asset_suite(asset: str, settings: LindungiSettings) -> list:
    """The asset's expectations under the run's rules (ages, contribution)."""
    rules = settings.rules()
    return suite_for(asset, min_age=rules.min_age, max_age=rules.max_age, iuran=rules.monthly_contribution)
