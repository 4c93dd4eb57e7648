"""The Parquet IO manager (dagster_project/io_manager.py): files where CONTRACT §4 puts them, and
frames kept in memory for the next step of the same process only while their file is unchanged."""

from __future__ import annotations

import dagster as dg
import polars as pl
import pytest

from dagster_project import io_manager
from dagster_project.io_manager import PolarsParquetIOManager

SEEN: dict[str, object] = {}


@dg.asset
def upstream() -> pl.DataFrame:
    df = pl.DataFrame({"NIK": ["6474011508850001", "6474011508850002"], "n": [1, 2]})
    SEEN["written"] = df
    return df


@dg.asset
def downstream(upstream: pl.DataFrame) -> pl.DataFrame:
    SEEN["read"] = upstream
    return upstream.select(pl.col("n").sum())


@dg.asset
def lazily(upstream: pl.LazyFrame) -> pl.DataFrame:
    SEEN["lazy"] = upstream
    return upstream.filter(pl.col("n") > 1).collect()


def _run(tmp_path, *assets, selection=None):
    result = dg.materialize([upstream, downstream, lazily], selection=selection or list(assets),
                            resources={"io_manager": PolarsParquetIOManager(base_dir=str(tmp_path))})
    assert result.success


@pytest.fixture(autouse=True)
def _fresh(monkeypatch):
    monkeypatch.setattr(io_manager, "FRAMES", io_manager._Frames())
    SEEN.clear()


def test_a_frame_written_is_handed_to_the_next_step_without_a_read(tmp_path):
    _run(tmp_path, upstream, downstream, lazily)
    assert (tmp_path / "upstream.parquet").exists()
    assert SEEN["read"] is SEEN["written"]
    assert isinstance(SEEN["lazy"], pl.LazyFrame) and SEEN["lazy"].collect().equals(SEEN["written"])


def test_a_file_rewritten_elsewhere_is_read_again(tmp_path):
    _run(tmp_path, upstream)
    changed = pl.DataFrame({"NIK": ["6474011508850003"], "n": [7]})
    changed.write_parquet(tmp_path / "upstream.parquet")  # another process's write, say
    _run(tmp_path, downstream, lazily)
    assert SEEN["read"].equals(changed) and SEEN["lazy"].collect().equals(changed)


def test_nothing_is_kept_without_a_budget(tmp_path, monkeypatch):
    monkeypatch.setenv("LINDUNGI_IO_CACHE_MB", "0")
    _run(tmp_path, upstream, downstream)
    assert SEEN["read"] is not SEEN["written"] and SEEN["read"].equals(SEEN["written"])


def test_the_budget_keeps_the_most_recent_frames(tmp_path, monkeypatch):
    frames = io_manager._Frames()
    big = pl.DataFrame({"x": pl.int_range(0, 100_000, eager=True)})  # 0.8 MB
    monkeypatch.setenv("LINDUNGI_IO_CACHE_MB", str(2.5 * big.estimated_size() / 1024 / 1024))
    paths = []
    for i in range(3):
        p = tmp_path / f"f{i}.parquet"
        big.write_parquet(p)
        frames.put(p, big)
        paths.append(p)
    assert frames.get(paths[0]) is None and frames.get(paths[1]) is big and frames.get(paths[2]) is big


MONTHS = dg.MonthlyPartitionsDefinition(start_date="2026-01", fmt="%Y-%m", end_offset=1)


@dg.asset(partitions_def=MONTHS)
def monthly() -> pl.DataFrame:
    return pl.DataFrame({"n": [1, 2]})


@dg.multi_asset(partitions_def=MONTHS, outs={"judged": dg.AssetOut(is_required=False)},
                check_specs=[dg.AssetCheckSpec("judged_ok", asset="judged")], can_subset=True)
def judged(context, monthly: pl.DataFrame):
    yield dg.AssetCheckResult(check_name="judged_ok", asset_key="judged", passed=monthly.height == 2)


def test_a_check_run_alone_without_a_partition_says_which_partition_it_lacks(tmp_path):
    """A check of a period's asset run alone (GraphQL, the Python API; the UI offers it only with
    a partition) without a partition key was handed every stored partition of its input as a
    dict: 'Type check failed for step input "monthly" - expected type "DataFrame". Description:
    Value of type <class 'dict'> failed type check', which says nothing of the missing period."""
    resources = {"io_manager": PolarsParquetIOManager(base_dir=str(tmp_path))}
    assert dg.materialize([monthly], partition_key="2026-01", resources=resources).success
    defs = dg.Definitions(assets=[monthly, judged], resources=resources)
    job = defs.resolve_implicit_global_asset_job_def().get_subset(
        asset_selection=set(), asset_check_selection={dg.AssetCheckKey(dg.AssetKey("judged"), "judged_ok")})
    with dg.instance_for_test() as instance:
        with_partition = job.execute_in_process(instance=instance, partition_key="2026-01")
        assert [e.passed for e in with_partition.get_asset_check_evaluations()] == [True]
        result = job.execute_in_process(instance=instance, raise_on_error=False)
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure).step_failure_data.error
    messages = []
    while failure is not None:
        messages.append(failure.message)
        failure = failure.cause
    assert any("judged: this run has no partition and monthly is partitioned: choose one partition of the run "
               "(a period, the tag dagster/partition)" in m for m in messages), messages


def test_a_partition_the_asset_does_not_have_is_said_as_such(tmp_path):
    """Found by fuzzing through the API (the UI lists only real partitions): a run launched with
    the tag dagster/partition=2030-01 failed on "one partition per store, got 0"."""
    from dagster_project.partitions import period_partitions

    ctx = dg.build_output_context(asset_key=dg.AssetKey("resident_assessment"), partition_key="2030-01",
                                  asset_partitions_def=period_partitions)
    with pytest.raises(ValueError, match=r"^resident_assessment: the run's partition is not one of its partitions "
                                         r"\(a period YYYY-MM from 2020-01 to twelve months ahead"):
        PolarsParquetIOManager(base_dir=str(tmp_path)).handle_output(ctx, pl.DataFrame({"n": [1]}))
