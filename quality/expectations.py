"""Great Expectations (GX Core 1.x) suites, declared as data, and the runner.

Suites are lists of :class:`Expectation` (a GX expectation class name and its arguments) per
asset. GX is imported lazily (its import costs seconds) and runs in one ephemeral context per
process on ``df.to_pandas()`` (GX cannot take polars frames). Results keep counts only, never
row values: a failed expectation on NIK must not put a NIK in the Dagster UI.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache

import polars as pl

METHODS = ["nik_exact", "nik_repaired", "fuzzy", "none"]


@dataclass(frozen=True)
class Expectation:
    kind: str                   # GX class name, e.g. "ExpectColumnValuesToBeUnique"
    kwargs: dict
    blocking: bool = True       # a failure stops the submission
    description: str = ""


@dataclass
class SuiteResult:
    suite: str
    success: bool               # every blocking expectation passed
    rows: int
    results: list[dict] = field(default_factory=list)

    @property
    def failed(self) -> list[dict]:
        return [r for r in self.results if not r["success"]]

    def markdown(self) -> str:
        lines = ["| expectation | column | blocking | result | unexpected |", "|---|---|---|---|---|"]
        for r in self.results:
            lines.append(f"| {r['expectation']} | {r['column'] or '-'} | {'yes' if r['blocking'] else 'no'} | "
                         f"{'passed' if r['success'] else 'FAILED'} | {r['unexpected_count']:,} |")
        return "\n".join(lines)


def _e(kind: str, blocking: bool = True, description: str = "", **kwargs) -> Expectation:
    return Expectation(kind, kwargs, blocking, description)


def suite_for(asset: str, *, min_age: int = 18, max_age: int = 65, iuran: int = 16800) -> list[Expectation]:
    """The expectation suite of an asset (parameterised by the rules where they matter)."""
    nik = r"^\d{16}$"
    suites = {
        "residents": [
            _e("ExpectColumnValuesToNotBeNull", column="NIK", description="every resident has a NIK"),
            _e("ExpectColumnValuesToBeUnique", column="NIK", description="NIK unique among accepted residents"),
            _e("ExpectColumnValuesToMatchRegex", column="NIK", regex=nik),
            _e("ExpectColumnValuesToBeInSet", blocking=False, column="JENIS_KLMIN", value_set=["L", "P"]),
            _e("ExpectColumnValuesToMatchRegex", blocking=False, column="kode_kel", regex=r"^\d{10}$"),
        ],
        "welfare_links": _links("ID_DTSEN", nik),
        "participant_links": _links("KPJ", nik),
        "enrollment_candidates": [
            _e("ExpectColumnValuesToBeUnique", column="NIK"),
            _e("ExpectColumnValuesToMatchRegex", column="NIK", regex=nik),
            _e("ExpectColumnValuesToBeBetween", column="umur", min_value=min_age, max_value=max_age,
               description="every candidate is of working age"),
            _e("ExpectColumnValuesToBeBetween", column="iuran_bulanan", min_value=iuran, max_value=iuran,
               description="contributions add up to JKK + JKM"),
            _e("ExpectColumnValuesToBeUnique", column="rank"),
            _e("ExpectColumnValuesToBeBetween", column="desil", min_value=1, max_value=10),
            _e("ExpectColumnValuesToNotBeNull", column="kode_kel"),
        ],
    }
    return suites[asset]


def _links(id_col: str, nik: str) -> list[Expectation]:
    return [
        _e("ExpectColumnValuesToBeUnique", column=id_col, description="each record links to at most one resident"),
        _e("ExpectColumnValuesToBeInSet", column="method", value_set=METHODS),
        _e("ExpectColumnValuesToBeBetween", column="score", min_value=0, max_value=1),
        _e("ExpectColumnValuesToMatchRegex", column="NIK", regex=nik),
    ]


@lru_cache(maxsize=1)
def _context():
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx

    ctx = gx.get_context(mode="ephemeral")
    try:  # no progress bars in logs
        from great_expectations.data_context.types.base import ProgressBarsConfig

        ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    except Exception:  # noqa: BLE001 - cosmetic only
        pass
    batch_def = ctx.data_sources.add_pandas("lindungi").add_dataframe_asset("frame") \
        .add_batch_definition_whole_dataframe("whole")
    return gx, ctx, batch_def


def validate(df: pl.DataFrame, name: str, expectations: list[Expectation]) -> SuiteResult:
    gx, ctx, batch_def = _context()
    suite = gx.ExpectationSuite(name=f"{name}-{id(expectations)}")
    for e in expectations:
        suite.add_expectation(getattr(gx.expectations, e.kind)(**e.kwargs))
    cols = sorted({e.kwargs["column"] for e in expectations if "column" in e.kwargs} & set(df.columns))
    batch = batch_def.get_batch(batch_parameters={"dataframe": df.select(cols).to_pandas()})
    res = batch.validate(suite, result_format="BASIC")
    results = []
    for e, r in zip(expectations, res.results):
        results.append({
            "expectation": e.kind, "column": e.kwargs.get("column"), "blocking": e.blocking,
            "success": bool(r.success), "unexpected_count": int((r.result or {}).get("unexpected_count") or 0),
            "description": e.description,
        })
    ok = all(r["success"] for r in results if r["blocking"])
    return SuiteResult(name, ok, df.height, results)
