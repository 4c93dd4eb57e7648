"""The local instance's storage (dagster_project/storage.py): Dagster's SQLite files, written
through engines that are kept, and the dagster.yaml that ``lindungi`` writes for it."""

from __future__ import annotations

import dagster as dg
import pytest

from dagster_project import storage
from dagster_project.cli import EARLIER_INSTANCE_YAMLS, INSTANCE_YAML, _dagster_home, _execute_tags


@dg.asset(check_specs=[dg.AssetCheckSpec("rows_positive", asset="first")])
def first(context):
    context.log.info("a log line is an event too")
    yield dg.MaterializeResult(metadata={"rows": 3})
    yield dg.AssetCheckResult(passed=True, check_name="rows_positive")


@dg.asset(deps=[first])
def second():
    return dg.MaterializeResult(metadata={"rows": 2})


JOB = dg.Definitions(assets=[first, second],
                     jobs=[dg.define_asset_job("both", selection="*")]).resolve_job_def("both")


@pytest.fixture
def instance(tmp_path, monkeypatch):
    monkeypatch.setenv("LINDUNGI_HOME", str(tmp_path))
    _dagster_home()  # sets DAGSTER_HOME and writes the instance's dagster.yaml
    with dg.DagsterInstance.get() as inst:
        yield inst


def _counting_engines(monkeypatch) -> list[str]:
    """The URLs of the engines made from now on: ours (storage.py) and those Dagster's SQLite
    event log makes itself (its ``has_table``, say)."""
    from dagster._core.storage.event_log.sqlite import sqlite_event_log

    made: list[str] = []
    for module in (storage, sqlite_event_log):
        real = module.create_engine

        def counting(url, real=real, **kw):
            made.append(str(url))
            return real(url, **kw)

        monkeypatch.setattr(module, "create_engine", counting)
    return made


def test_lindungi_instance_uses_the_pooled_storage(instance):
    assert isinstance(instance.run_storage, storage.PooledSqliteRunStorage)
    assert isinstance(instance.event_log_storage, storage.PooledSqliteEventLogStorage)


def test_a_run_makes_an_engine_per_database_not_per_event(instance, monkeypatch):
    made = _counting_engines(monkeypatch)
    first_run = JOB.execute_in_process(instance=instance)
    assert first_run.success
    events = instance.get_records_for_run(first_run.run_id).records
    assert len(events) > 20
    second_run = JOB.execute_in_process(instance=instance)
    # one engine per database the runs wrote: each run's own shard, and the index at most once
    # (the instance may have opened it already); not one per event
    names = [u.rsplit("/", 1)[-1] for u in made]
    # and once per state directory, the empty run database the runs' databases are copied from
    assert [n for n in names if n.startswith(".event-log-shard-")] == names[:1]
    names = names[1:]
    assert [n for n in names if n != "index.db"] == [f"{first_run.run_id}.db", f"{second_run.run_id}.db"]
    # the index: the kept engine, and Dagster's own for each table asked about the first time
    # (``has_table``; none during the second run)
    asked = {"asset_event_tags", "dynamic_partitions", "concurrency_limits", "concurrency_slots",
             "pending_steps", "asset_check_executions"}
    assert names.count("index.db") <= 1 + len(asked)
    made.clear()
    assert JOB.execute_in_process(instance=instance).success
    assert [u.rsplit("/", 1)[-1] for u in made] == [f"{instance.get_runs(limit=1)[0].run_id}.db"]


def test_a_table_is_asked_about_once_and_a_missing_one_again(instance, monkeypatch):
    from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage

    asked: list[str] = []
    real = SqliteEventLogStorage.has_table

    def counting(self, name):
        asked.append(name)
        return real(self, name)

    monkeypatch.setattr(SqliteEventLogStorage, "has_table", counting)
    events = instance.event_log_storage
    assert events.has_table("dynamic_partitions") and events.has_table("dynamic_partitions")
    assert not events.has_table("no_such_table") and not events.has_table("no_such_table")
    assert asked == ["dynamic_partitions", "no_such_table", "no_such_table"]
    asked.clear()
    instance.wipe()  # forgets what it saw: the tables it empties are asked about again, once
    assert "dynamic_partitions" in asked
    asked.clear()
    assert events.has_table("dynamic_partitions") and asked == []


def test_history_is_dagster_s_own_sqlite_layout(instance, tmp_path):
    """Dagster's stock SQLite storage, on the same directory, reads what the pooled one wrote."""
    from dagster._core.storage.sqlite_storage import DagsterSqliteStorage

    runs = [JOB.execute_in_process(instance=instance).run_id for _ in range(2)]
    stock = DagsterSqliteStorage.from_local(str(tmp_path / "dagster_home"))
    assert {r.run_id for r in stock.run_storage.get_runs()} == set(runs)
    for run_id in runs:
        ours = [e.event_log_entry.dagster_event_type for e in instance.get_records_for_run(run_id).records]
        theirs = [e.event_log_entry.dagster_event_type
                  for e in stock.event_log_storage.get_records_for_run(run_id).records]
        assert ours == theirs
    latest = stock.event_log_storage.get_latest_materialization_events([dg.AssetKey("second")])
    assert latest[dg.AssetKey("second")].run_id == runs[-1]


def test_kept_engines_are_bounded_and_wipe_still_works(instance):
    events = instance.event_log_storage
    runs = [JOB.execute_in_process(instance=instance).run_id for _ in range(storage.KEPT_SHARDS + 2)]
    assert len(events._engines) == storage.KEPT_SHARDS + 1
    assert "index" in events._engines and runs[-1] in events._engines and runs[0] not in events._engines
    # an evicted shard opens again when read
    assert len(instance.get_records_for_run(runs[0]).records) > 20
    instance.wipe()
    # the deleted run shards' engines are gone (the index is emptied through a fresh one)
    assert set(events._engines) <= {"index"} and instance.get_runs() == []
    assert JOB.execute_in_process(instance=instance).success
    assert len(instance.get_runs()) == 1


def test_dagster_yaml_is_kept_current_but_a_users_own_is_left(tmp_path, monkeypatch):
    """Each version lindungi wrote is brought up to date; a file someone wrote, or one of ours
    they edited (a production-path review: run_retries added by hand were undone by the next
    command), is left as it is."""
    monkeypatch.setenv("LINDUNGI_HOME", str(tmp_path))
    cfg = tmp_path / "dagster_home" / "dagster.yaml"
    _dagster_home()
    assert cfg.read_text() == INSTANCE_YAML and len(EARLIER_INSTANCE_YAMLS) == 3
    for ours in EARLIER_INSTANCE_YAMLS:
        cfg.write_text(ours)
        _dagster_home()
        assert cfg.read_text() == INSTANCE_YAML
    for own in ("storage:\n  sqlite:\n    base_dir: /somewhere/else\n",
                INSTANCE_YAML.replace("max_retries: 1", "max_retries: 3")):
        cfg.write_text(own)
        _dagster_home()
        assert cfg.read_text() == own


def test_the_local_instance_queues_and_retries_as_production_does_but_not_lindungi_run(tmp_path, monkeypatch):
    """A production-path review: under `lindungi ui`'s daemon two runs of one region ran side by
    side and a failed region run stalled the chain; the local instance has production's per-region
    and per-partition limits and retries. A `lindungi run`'s own runs are never retried by a
    daemon (its command reported how they ended, with its own --input and --out)."""
    monkeypatch.setenv("LINDUNGI_HOME", str(tmp_path))
    home = _dagster_home()
    instance = dg.DagsterInstance.from_config(str(home))
    limits = instance.get_concurrency_config().run_queue_config.tag_concurrency_limits  # (what the daemon queues by)
    assert {(t["key"], t["limit"]) for t in limits} == {("lindungi/region", 1), ("dagster/partition", 1)}
    assert instance.run_retries_enabled and instance.run_retries_max_retries == 1
    # (and of the code location `lindungi ui` serves, as its own runs are: its jobs list them)
    assert _execute_tags({"a": "b"}) == {"a": "b", "dagster/max_retries": "0",
                                         ".dagster/repository": "__repository__@dagster_project.definitions"}


def test_commits_do_not_wait_for_the_disk_each(instance):
    """WAL with synchronous=NORMAL (1): consistent through a crash, no fsync per event."""
    from sqlalchemy import text

    run = JOB.execute_in_process(instance=instance)
    with instance.event_log_storage.run_connection(run.run_id) as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 1
    with instance.run_storage.connect() as conn:
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 1


def test_alembic_scripts_load_once_and_every_database_is_stamped_at_head(instance, tmp_path, monkeypatch):
    """Dagster checks or stamps each database's alembic revision when it opens it; the scripts
    behind those revisions are read once per process, and the stamps are still alembic's head."""
    import sqlite3

    from alembic.script import ScriptDirectory
    from dagster._core.storage.event_log.sqlite import sqlite_event_log
    from dagster._core.storage.sql import get_alembic_config

    loaded: list[str] = []
    real = ScriptDirectory.__init__

    def counting(self, dir, *args, **kwargs):
        loaded.append(str(dir))
        real(self, dir, *args, **kwargs)

    monkeypatch.setattr(ScriptDirectory, "__init__", counting)
    runs = [JOB.execute_in_process(instance=instance).run_id for _ in range(3)]
    assert loaded == []  # three new run databases, each checked and stamped, no script read again
    config = get_alembic_config(sqlite_event_log.__file__)
    assert ScriptDirectory.from_config(config) is ScriptDirectory.from_config(config)
    monkeypatch.setattr(ScriptDirectory, "__init__", real)
    kept = ScriptDirectory.from_config(config)
    monkeypatch.setattr(storage, "_SCRIPTS", {})
    fresh = ScriptDirectory.from_config(config)  # read again from the files
    assert fresh is not kept
    head = fresh.get_current_head()
    home = tmp_path / "dagster_home"
    files = [home / "history" / "runs.db", home / "history" / "runs" / "index.db",
             *(home / "history" / "runs" / f"{r}.db" for r in runs), home / "schedules" / "schedules.db"]
    for f in files:
        with sqlite3.connect(f) as conn:
            assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [(head,)], f.name


def test_a_run_s_database_is_a_copy_of_one_dagster_made(instance, tmp_path, monkeypatch):
    """A new run's database is copied from an empty one Dagster made once (``_initdb``): the same
    tables, indexes and alembic stamp as one Dagster makes for the run, without making it."""
    import sqlite3

    from dagster._core.storage.event_log.schema import SqlEventLogStorageMetadata

    made: list[str] = []
    real = SqlEventLogStorageMetadata.create_all

    def counting(bind, *args, **kwargs):
        made.append(str(bind.url))
        return real(bind, *args, **kwargs)

    monkeypatch.setattr(SqlEventLogStorageMetadata, "create_all", counting)
    runs = [JOB.execute_in_process(instance=instance).run_id for _ in range(3)]
    assert len(made) == 1 and made[0].endswith(".tmp")  # the template, once; no run's database
    history = tmp_path / "dagster_home" / "history"
    templates = list(history.glob(".event-log-shard-*.sqlite"))
    assert len(templates) == 1 and not list(history.rglob("*.tmp"))

    def schema(path) -> list[tuple]:
        with sqlite3.connect(path) as conn:
            return sorted(conn.execute("SELECT type, name, sql FROM sqlite_master").fetchall()) + \
                conn.execute("SELECT version_num FROM alembic_version").fetchall() + \
                conn.execute("PRAGMA journal_mode").fetchall()

    # what Dagster itself makes for a run, with the template out of the way
    own = instance.event_log_storage
    monkeypatch.setattr(own, "_copy_template", lambda shard: None)
    stock_run = JOB.execute_in_process(instance=instance).run_id
    assert made[-1].endswith(f"{stock_run}.db")
    expected = schema(history / "runs" / f"{stock_run}.db")
    for run_id in runs:
        assert schema(history / "runs" / f"{run_id}.db") == expected
        assert len(instance.get_records_for_run(run_id).records) > 20
