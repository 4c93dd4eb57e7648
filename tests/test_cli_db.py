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
