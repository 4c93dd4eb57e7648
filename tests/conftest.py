"""Shared fixtures: a real embedded PostgreSQL for the session (never a mock), a fresh
database per test that needs one, and small generated worlds."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

# Every process the tests start (`lindungi` subprocesses, Dagster's step and run processes, the
# GX worker) imports this checkout's code: an editable install points at the folder it was made
# from, and a test run in another worktree or clone sharing that venv tested the other folder's
# code in every subprocess (a mutation review's "kills" there were of the wrong code).
ROOT = Path(__file__).resolve().parent.parent
os.environ["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])

# The state directory of every test that does not make its own (most do: LINDUNGI_HOME=tmp_path):
# one of the session's, never the checkout's ./.lindungi nor a developer's $LINDUNGI_HOME. Without
# it a test naming a file by its keyed label (pipelines.files.file_label) made a pseudonym key in
# the checkout's .lindungi, which the next `make demo` then took as its own.
STATE = Path(tempfile.mkdtemp(prefix="lindungi-test-state-"))
os.environ["LINDUNGI_HOME"] = str(STATE)
CHECKOUT_STATE = ROOT / ".lindungi"


def _state_seen(path: Path) -> list[tuple[str, int]]:
    """``path``'s files and their modification times (nothing when it does not exist), but for
    its database's: the demo's server, left running, writes there whatever the tests do."""
    return sorted((str(p), p.stat().st_mtime_ns) for p in path.rglob("*")
                  if "pgdata" not in p.relative_to(path).parts) if path.is_dir() else []


@pytest.fixture(scope="session", autouse=True)
def _checkout_state_untouched():
    """No test writes to the checkout's own state directory (the demo's database, history and
    pseudonym key): every command a test runs has a state directory of the test's."""
    before = _state_seen(CHECKOUT_STATE)
    yield
    after = _state_seen(CHECKOUT_STATE)
    if not (STATE / "pgdata").exists():  # (a server left running there keeps its files)
        shutil.rmtree(STATE, ignore_errors=True)
    assert after == before, f"the tests wrote to {CHECKOUT_STATE}: {sorted(set(after) - set(before))[:5]}"


@pytest.fixture(scope="session", autouse=True)
def _gx_worker_stopped():
    """The GX worker process a run started in this process keeps for later runs, ended with the
    session: left to the interpreter's exit, its pool printed "Exception ignored in ...
    weakref_cb: 'NoneType' object has no attribute 'util'" after the summary."""
    yield
    import sys

    if (q := sys.modules.get("quality.expectations")) is not None:
        q.stop_worker()


@pytest.fixture(scope="session")
def pg_server() -> str:
    """Admin DSN of a PostgreSQL: $LINDUNGI_TEST_DSN, else an embedded server for this session."""
    if os.environ.get("LINDUNGI_TEST_DSN"):
        yield os.environ["LINDUNGI_TEST_DSN"]
        return
    import shutil

    from pipelines import db

    # not under pytest's base folder: each pytest session of the same user sets
    # /tmp/pytest-of-<user> back to 0700, and as root the server runs as the `pgserver` user,
    # which then could no longer reach its data directory: a second session started beside this
    # one (another checkout's suite) crashed this one's server mid-run
    state = Path(tempfile.mkdtemp(prefix="lindungi-test-pg-"))
    try:
        yield db.embedded_start(state)
    finally:
        db.embedded_stop(state)
        shutil.rmtree(state, ignore_errors=True)


def _fresh_database(server: str):
    name = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base, _, query = server.partition("?")
    head = base.rsplit("/", 1)[0]
    yield f"{head}/{name}" + (f"?{query}" if query else "")
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pg_dsn(pg_server) -> str:
    """A fresh, empty database on the session's server."""
    yield from _fresh_database(pg_server)


def _system_postgres_bin() -> Path | None:
    """Debian's PostgreSQL server binaries (the newest installed), if any."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                   key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0)
    return found[-1].parent if found else None


@pytest.fixture(scope="session")
def system_pg_server(tmp_path_factory):
    """Admin DSN of a throwaway cluster of the machine's own PostgreSQL (Debian's package, which
    .ci/run installs): the project must work on any PostgreSQL >= 14 given by DSN, not only on
    the embedded one. initdb refuses to run as root, so the cluster belongs to ``postgres``."""
    import shutil
    import subprocess

    bindir = _system_postgres_bin()
    if bindir is None:
        if os.environ.get("CI"):
            pytest.fail("CI: Debian's postgresql is missing (.ci/run installs it)")
        pytest.skip("no system PostgreSQL (apt-get install postgresql)")
    as_user: list[str] = []
    if os.geteuid() == 0:
        as_user = ["runuser", "-u", "postgres", "--"]
    base = Path(tempfile.mkdtemp(prefix="lindungi-syspg-"))
    data, sock = base / "data", base / "sock"
    sock.mkdir()
    if as_user:
        shutil.chown(base, "postgres")
        shutil.chown(sock, "postgres")
    subprocess.run([*as_user, str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
                    "-E", "UTF8", "--locale=C"], check=True, capture_output=True)
    subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-w", "-l", str(base / "log"), "-o",
                    f"-k {sock} -c listen_addresses='' -p 54329 -c fsync=off", "start"],
                   check=True, capture_output=True)
    dsn = f"postgresql://postgres@/postgres?host={sock}&port=54329"
    try:
        with psycopg.connect(dsn) as conn:
            version = conn.execute("SHOW server_version_num").fetchone()[0]
        assert int(version) >= 140000, f"system PostgreSQL {version} is older than 14"
        yield dsn
    finally:
        subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(params=["embedded", "system"])
def any_pg_dsn(request) -> str:
    """A fresh database on the embedded server, then on the machine's own PostgreSQL."""
    server = request.getfixturevalue("pg_server" if request.param == "embedded" else "system_pg_server")
    yield from _fresh_database(server)


@pytest.fixture(scope="session")
def small_world(tmp_path_factory) -> Path:
    """A 3,000-resident generated world (CSV) with ground truth, shared by the session."""
    from pipelines.generate import generate_world

    out = tmp_path_factory.mktemp("world")
    generate_world(out, residents=3000, seed=7)
    return out


@pytest.fixture(scope="session")
def small_world_people(small_world):
    """The small world's personal values, to look for where they must not be: every 16-digit NIK
    and every full name (two words or more, ten characters or more) of its three extracts, and a
    function returning how many of each a text holds."""
    import re

    import polars as pl

    niks, names = set(), set()
    for source, name in (("penduduk", "NAMA_LGKP"), ("dtsen", "NAMA"), ("peserta_bpjstk", "NAMA")):
        raw = pl.read_csv(small_world / f"{source}.csv", infer_schema=False)
        niks |= set(raw.get_column("NIK").drop_nulls().str.replace_all(r"[^0-9]", "").to_list())
        names |= {n for n in raw.get_column(name).drop_nulls().str.to_uppercase().to_list()
                  if len(n) >= 10 and " " in n.strip()}
    niks = {n for n in niks if len(n) == 16}

    def found(text: str) -> tuple[int, int]:
        nik_hits = set(re.findall(r"(?<![0-9])[0-9]{16}(?![0-9])", text)) & niks
        words = re.findall(r"[A-Z][A-Z'.]*", text)
        pairs = set(zip(words, words[1:]))
        name_hits = [n for n in names if tuple(n.split()[:2]) in pairs and n in text]
        return len(nik_hits), len(name_hits)

    assert len(niks) > 2000 and len(names) > 1000
    return found


@contextmanager
def environ(**values: str) -> Iterator[None]:
    """Set environment variables for a block and put back what was there, unset ones unset (a
    fixture that popped LINDUNGI_HOME afterwards took away the one the suite was started with)."""
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@pytest.fixture(autouse=True)
def _environment_put_back():
    """Each test leaves the environment as it found it. `lindungi ui`/`run` called in-process set
    LINDUNGI_DB_URL and the rest for the Dagster processes they start, as a command should; left
    set, a test's `--db postgresql://nowhere/x` sent every later `lindungi` subprocess to a host
    that does not exist (monkeypatch.delenv of an unset variable records nothing to restore)."""
    before = dict(os.environ)
    yield
    if os.environ != before:
        os.environ.clear()
        os.environ.update(before)


@pytest.fixture(autouse=True)
def _inbox_files_taken_at_once(monkeypatch):
    """Inbox sensors take a file once it has gone unchanged for LINDUNGI_INBOX_SETTLE_S (10 s):
    the tests' files are written a moment before the sensor looks, so they are taken at once
    (tests/test_bpjs_exchange.py checks the wait itself)."""
    monkeypatch.setenv("LINDUNGI_INBOX_SETTLE_S", "0")
