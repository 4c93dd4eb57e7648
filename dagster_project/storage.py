"""The local Dagster instance's storage: Dagster's SQLite storage, keeping its SQLAlchemy engines.

``lindungi run``, ``demo`` and ``ui`` keep Dagster's history in SQLite under the state directory
(``dagster_home/history``: ``runs.db``, one event-log database per run and an ``index.db``;
``dagster_home/schedules``), the layout of Dagster's own ``storage: sqlite``. Dagster's SQLite run
and event-log storages build a new SQLAlchemy engine for every statement they run (``NullPool``,
``create_engine`` inside each connection), so each of the ~240 events of a ``lindungi run`` paid
an engine, a dialect initialisation and an uncached statement compile. These subclasses keep one
engine per database instead, so a statement is compiled once and a connection is reused from the
engine's pool. A ten-step job that only logs, materializes and checks took 1.57 s a run with the
stock storage and 0.57 s with these (``bench/instance.py``, 97 events a run). They also read
Dagster's alembic scripts once per process (:func:`reuse_alembic_scripts`), ask the index about
a table once rather than through a new engine each time, and make a run's database by copying
an empty one Dagster made (2.7 ms against 35-40 ms).

The files, tables and transactions are Dagster's own: nothing else changes, and the same history
opens with Dagster's stock storage. An idle pooled SQLite connection holds no lock, so other
processes (``lindungi ui``'s webserver and daemon) read and write the same files as before.
Production runs on PostgreSQL (``deploy/dagster.yaml``), where ``dagster-postgres`` pools already.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections import OrderedDict
from contextlib import contextmanager
from typing import Iterator

from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    INDEX_SHARD_NAME,
    SQLITE_BUSY_TIMEOUT_SECONDS,
    SqliteEventLogStorage,
)
from dagster._core.storage.runs.sqlite.sqlite_run_storage import SqliteRunStorage
from dagster._core.storage.schedules.sqlite.sqlite_schedule_storage import SqliteScheduleStorage
from dagster._core.storage.sqlite_storage import (
    DagsterSqliteStorage,
    _event_logs_directory,
    _runs_directory,
    _schedule_directory,
)
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool

# Run shards whose engines stay open. Writing a run touches its own shard and the index; the UI
# reads many runs one after another, and each kept engine holds a file open.
KEPT_SHARDS = 8


def _engine_for(url: str, **kwargs) -> Engine:
    """A pooled engine whose connections commit without an fsync each (``synchronous=NORMAL``).

    Dagster's SQLite databases are in WAL mode, where NORMAL stays consistent through any crash
    and only a power loss or OS crash can roll back the last commits: a run's history, not the
    submission (PostgreSQL). Each event is its own commit, and FULL waited for the disk every
    time (0.6 ms here, ~400 commits a ``lindungi run``)."""
    engine = create_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _normal_sync(dbapi_conn, _record):
        dbapi_conn.execute("PRAGMA synchronous=NORMAL")

    return engine


_SCRIPTS: dict[tuple, object] = {}
_SCRIPTS_LOCK = threading.Lock()


def reuse_alembic_scripts() -> None:
    """Load each storage's alembic migration scripts once per process.

    Dagster's SQLite storages check a database's alembic revision whenever they open it, and
    stamp a new database with the head revision; each check and each stamp built a new
    ``ScriptDirectory`` (``ScriptDirectory.from_config``), which reads and runs every revision
    script again (~90 files). A ``lindungi run`` did that 13 times, three of them for each of its
    runs' new event-log databases. The scripts do not change while a process runs, so the
    directory is kept, keyed by its location; a stamp still runs alembic's ``env.py`` against the
    database it stamps. Installed by the storages below, once; alembic's own behaviour is
    otherwise unchanged."""
    from alembic.script import ScriptDirectory

    if getattr(ScriptDirectory.from_config, "_lindungi_kept", False):
        return
    load = ScriptDirectory.from_config.__func__

    def from_config(cls, config):
        key = (cls, config.get_main_option("script_location"), config.get_main_option("version_locations"))
        with _SCRIPTS_LOCK:
            if key not in _SCRIPTS:
                _SCRIPTS[key] = load(cls, config)
            return _SCRIPTS[key]

    from_config._lindungi_kept = True
    ScriptDirectory.from_config = classmethod(from_config)


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    """Dagster's SQLite event log, with one engine per shard (the index and recent runs)."""

    def __init__(self, base_dir: str, inst_data=None):
        reuse_alembic_scripts()
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._tables: set[str] = set()  # tables the index database was seen to have
        self._template: str | None = None
        super().__init__(base_dir, inst_data)

    @classmethod
    def from_config_value(cls, inst_data, config_value):
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str) -> Engine:
        """The shard's engine (under ``_db_lock``); its database is created the first time."""
        engine = self._engines.get(shard)
        if engine is not None:
            self._engines.move_to_end(shard)
            return engine
        if shard != INDEX_SHARD_NAME and shard not in self._initialized_dbs:
            self._copy_template(shard)
        engine = _engine_for(self.conn_string_for_shard(shard),
                             connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS})
        if shard not in self._initialized_dbs:
            self._initdb(engine)  # a copied database is at alembic's head: only checked
            self._initialized_dbs.add(shard)
        self._engines[shard] = engine
        while len(self._engines) > KEPT_SHARDS + 1:  # + the index, the most used
            oldest = next(s for s in self._engines if s != INDEX_SHARD_NAME)
            self._engines.pop(oldest).dispose()
        return engine

    def _copy_template(self, shard: str) -> None:
        """A new run's database, copied from an empty one that Dagster made (:meth:`_template_file`).

        Dagster makes each run's database itself: its tables and indexes, WAL mode and the
        alembic stamp, 35-40 ms a run here (three runs a ``lindungi run``), where a copy of the
        same empty database takes 0.3 ms. The copy is linked into place, so it never replaces a
        database another process made meanwhile; on any trouble Dagster makes it as before."""
        path = self.path_for_shard(shard)
        if os.path.exists(path):
            return
        try:
            template = self._template_file()
            fd, tmp = tempfile.mkstemp(prefix=f".{shard}.", suffix=".tmp", dir=self._base_dir)
            os.close(fd)
            try:
                shutil.copyfile(template, tmp)
                os.link(tmp, path)
            finally:
                os.unlink(tmp)
        except Exception:  # noqa: BLE001
            # made meanwhile (FileExistsError), no hard links here, or no template: Dagster makes
            # the database below as it always did
            pass

    def _template_file(self) -> str:
        """An empty run database as Dagster makes one (``_initdb``), kept beside the run
        databases' folder once per Dagster release (its tables and alembic head are the
        release's), with its write-ahead log folded in."""
        if self._template is None:
            import dagster

            folder = os.path.dirname(self._base_dir)
            path = os.path.join(folder, f".event-log-shard-{dagster.__version__}.sqlite")
            if not os.path.exists(path):
                fd, tmp = tempfile.mkstemp(prefix=".event-log-shard-", suffix=".tmp", dir=folder)
                os.close(fd)
                try:
                    engine = create_engine(f"sqlite:///{tmp}", poolclass=NullPool)
                    try:
                        self._initdb(engine)
                    finally:
                        engine.dispose()  # the last connection closed: SQLite checkpoints the log
                    if os.path.exists(f"{tmp}-wal"):
                        raise OSError("the template's write-ahead log was left behind")
                    os.replace(tmp, path)
                finally:
                    for leftover in (tmp, f"{tmp}-wal", f"{tmp}-shm"):
                        if os.path.exists(leftover):
                            os.unlink(leftover)
            self._template = path
        return self._template

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:
            with self._engine(shard).connect() as conn:
                with conn.begin():
                    yield conn

    def has_table(self, table_name: str) -> bool:
        """Whether the index database has the table (Dagster's guard before it uses a table a
        migration added), asked once per table: Dagster's SQLite storage asks SQLite through a new
        engine every time, 73 times a ``lindungi run`` (~0.1 s) for the same few tables. Tables
        are added by migrations and never dropped, so a table found stays found; a missing one
        is asked again. Not through ``_connect``: callers hold the index connection (and its
        lock) already."""
        if table_name in self._tables:
            return True
        found = super().has_table(table_name)
        if found:
            self._tables.add(table_name)
        return found

    def _dispose_engines(self) -> None:
        with self._db_lock:
            while self._engines:
                self._engines.popitem()[1].dispose()

    def wipe(self) -> None:
        self._dispose_engines()  # before the shard files are deleted
        self._tables.clear()
        super().wipe()

    def dispose(self) -> None:
        super().dispose()
        self._dispose_engines()


class PooledSqliteRunStorage(SqliteRunStorage):
    """Dagster's SQLite run storage, with one engine."""

    def __init__(self, conn_string: str, inst_data=None):
        self._engine_lock = threading.Lock()
        self._engine: Engine | None = None
        super().__init__(conn_string, inst_data)

    @classmethod
    def from_config_value(cls, inst_data, config_value):
        return cls.from_local(inst_data=inst_data, **config_value)

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        if self._engine is None:
            with self._engine_lock:
                if self._engine is None:
                    self._engine = _engine_for(self._conn_string)
        with self._engine.connect() as conn:
            with conn.begin():
                yield conn

    def dispose(self) -> None:
        super().dispose()
        if self._engine is not None:
            self._engine.dispose()


class PooledSqliteStorage(DagsterSqliteStorage):
    """``storage: sqlite``'s layout under ``base_dir``, with the pooled run and event-log storages."""

    def __init__(self, base_dir: str, inst_data=None):
        # DagsterSqliteStorage.__init__ builds the stock storages; these are built in its place
        reuse_alembic_scripts()
        self.base_dir = base_dir
        self._run_storage = PooledSqliteRunStorage.from_local(_runs_directory(base_dir))
        self._event_log_storage = PooledSqliteEventLogStorage(_event_logs_directory(base_dir))
        self._schedule_storage = SqliteScheduleStorage.from_local(_schedule_directory(base_dir))
        self._inst_data = inst_data
        super(DagsterSqliteStorage, self).__init__()

    @classmethod
    def from_config_value(cls, inst_data, config_value):
        return cls.from_local(inst_data=inst_data, **config_value)
