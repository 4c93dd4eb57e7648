"""The submission as a data engineer meets it: `lindungi run` in a subprocess on the embedded
PostgreSQL, repeated, with a roster in which candidates gained coverage, killed with SIGKILL at
different moments, and twice at once; each followed by a look at bpjs.submission_candidate."""

import csv
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from tests.test_pipeline import PERIOD, _fresh_db

LINDUNGI = str(Path(sys.executable).with_name("lindungi"))
GAINED = 5  # candidates who become protected in world B


@pytest.fixture(autouse=True)
def _no_subreaper(monkeypatch):
    """`lindungi ui` called in this process (dagster dev stood in for) made pytest Linux's child
    subreaper for the rest of the session (``cli._adopt_orphans``): an embedded server a later
    test killed was then this process's zombie, never reaped, and `lindungi db start` waited 30 s
    for init to reap it and failed (tests/test_cli_db.py, run after this module)."""
    from dagster_project import cli

    monkeypatch.setattr(cli, "_adopt_orphans", lambda: None)


def _run(env: dict, world: Path, out: Path, dsn: str, **kw) -> subprocess.Popen:
    return subprocess.Popen([LINDUNGI, "run", "--input", str(world), "--period", PERIOD, "--out", str(out),
                             "--db", dsn], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, **kw)


def _finish(proc: subprocess.Popen) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=600)
    return proc.returncode, out, err


def _ok(env, world, out, dsn) -> str:
    """A ``lindungi run`` that succeeds; its console (stdout, then stderr)."""
    code, stdout, stderr = _finish(_run(env, world, out, dsn))
    assert code == 0, stderr[-3000:]
    return stdout + stderr


def _state(dsn: str) -> list[tuple]:
    """What BPJS and the city act on: every candidate row's identity, status and content."""
    with psycopg.connect(dsn) as conn:
        return conn.execute("SELECT nik, period, status, status_reason, rank, content_hash "
                            "FROM bpjs.submission_candidate ORDER BY nik, period").fetchall()


def _table_hash(dsn: str) -> str:
    """Every column of every row, timestamps and batch ids included."""
    with psycopg.connect(dsn) as conn:
        rows = conn.execute("SELECT c::text FROM bpjs.submission_candidate c ORDER BY nik, period").fetchall()
    return hashlib.sha256("\n".join(r[0] for r in rows).encode()).hexdigest()


@pytest.fixture(scope="module")
def worlds(small_world, tmp_path_factory, pg_server):
    """World A (the small world) and world B: A with a roster in which GAINED candidates of A now
    hold active JKK + JKM. The candidates are read from a first run of A on a fresh database;
    B then runs over it, undisturbed: ``state_a`` and ``state_b`` are what each left in
    bpjs.submission_candidate (``_state``), for the tests that compare a run against them, and
    the database ``after_a`` is A's as its run left it, for the tests to copy (``_fresh_db``'s
    ``like``) whose own run follows one of A's."""
    base = tmp_path_factory.mktemp("cli")
    env = {**os.environ, "LINDUNGI_HOME": str(base / "home")}
    probe, after_a = "cli_probe", "cli_after_a"
    dsn = _fresh_db(pg_server, probe)
    _ok(env, small_world, base / "out-probe", dsn)
    state_a = _state(dsn)
    _fresh_db(pg_server, after_a, like=probe)
    with psycopg.connect(dsn) as conn:
        gained = conn.execute("SELECT nik, nama_lgkp, tgl_lhr FROM bpjs.submission_candidate "
                              "ORDER BY rank LIMIT %s", (GAINED,)).fetchall()
    world_b = base / "world-b"
    shutil.copytree(small_world, world_b, ignore=shutil.ignore_patterns("truth"))
    with (world_b / "peserta_bpjstk.csv").open("a", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        for i, (nik, nama, tgl) in enumerate(gained):
            w.writerow([f"2{i:010d}", nik, nama, tgl.strftime("%d-%m-%Y"), "BPU", "AKTIF", "JKK,JKM",
                        PERIOD, ""])
    _ok(env, world_b, base / "out-probe", dsn)
    return {"a": small_world, "b": world_b, "env": env, "base": base, "gained": [g[0] for g in gained],
            "state_a": state_a, "state_b": _state(dsn), "after_a": after_a}


def test_repeated_run_changes_no_row(worlds, pg_server, small_world_people):
    dsn = _fresh_db(pg_server, "cli_repeat")
    console = _ok(worlds["env"], worlds["a"], worlds["base"] / "out-r", dsn)
    assert small_world_people(console) == (0, 0), "(NIKs, full names) on the console"
    before = _table_hash(dsn)
    _ok(worlds["env"], worlds["a"], worlds["base"] / "out-r", dsn)
    assert _table_hash(dsn) == before
    with psycopg.connect(dsn) as conn:
        last = conn.execute("SELECT inserted, updated, withdrawn FROM bpjs.submission_batch "
                            "ORDER BY id DESC LIMIT 1").fetchone()
    assert last == (0, 0, 0)


def test_roster_gaining_coverage_withdraws_never_deletes(worlds):
    # A's run on a fresh database, then B's over it (the fixture's)
    before, after = worlds["state_a"], {r[0]: r for r in worlds["state_b"]}
    # nobody deleted (B's roster, five records more, re-estimates the linkage's model: a record at
    # the link threshold may move to review, and its resident join the list)
    assert {r[0] for r in before} <= set(after) and len(after) - len(before) <= 2
    for nik in worlds["gained"]:
        assert after[nik][2:4] == ("withdrawn", "sudah terlindungi JKK+JKM")
    others = [r for r in before if r[0] not in worlds["gained"]]
    assert all(after[r[0]][2] == "pending" for r in others)


def _advisory_lock_held(admin_dsn: str, dbname: str) -> bool:
    with psycopg.connect(admin_dsn) as conn:
        return conn.execute("SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database "
                            "WHERE l.locktype = 'advisory' AND l.granted AND d.datname = %s",
                            (dbname,)).fetchone()[0] > 0


def _waiting_for_a_row_lock(admin_dsn: str, dbname: str) -> bool:
    with psycopg.connect(admin_dsn) as conn:
        return conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'",
                            (dbname,)).fetchone()[0] > 0


def _batches(dsn: str) -> int:
    with psycopg.connect(dsn) as conn:
        return conn.execute("SELECT count(*) FROM bpjs.submission_batch").fetchone()[0]


def test_sigkill_at_any_moment_leaves_before_or_after(worlds, pg_server):
    """Kill `lindungi run` (world B over A's state) early (ingest), in the middle of the
    submission transaction (while it holds the region's advisory lock), and just after it
    committed (while the reports are written): the table is exactly A's state or exactly B's,
    and the next run completes normally."""
    env, base = worlds["env"], worlds["base"]
    state_b = [r[:5] for r in worlds["state_b"]]         # B's state, from an undisturbed run

    dsn = _fresh_db(pg_server, "cli_kill", like=worlds["after_a"])  # A's run
    state_a = [r[:5] for r in _state(dsn)]
    assert state_a != state_b

    def kill_when(condition, timeout=240.0) -> str:
        proc = _run(env, worlds["b"], base / "out-k", dsn)
        t0 = time.monotonic()
        while proc.poll() is None and time.monotonic() - t0 < timeout:
            if condition(time.monotonic() - t0):
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                return "killed"
            time.sleep(0.01)
        proc.communicate()
        return "finished"

    batches = _batches(dsn)
    # 1. early: during start-up and ingestion
    assert kill_when(lambda t: t > 2.0) == "killed"
    assert [r[:5] for r in _state(dsn)] == state_a
    # 2. inside the submission transaction, rows half-written: A's rows are held locked here, so
    # the run's UPDATE of them waits inside its transaction, until it is killed there. (Killing as
    # soon as the region's advisory lock was seen raced the COMMIT on a busy machine.)
    with psycopg.connect(dsn) as holder:
        holder.execute("SELECT 1 FROM bpjs.submission_candidate FOR UPDATE")
        outcome = kill_when(lambda t: _advisory_lock_held(pg_server, "cli_kill")
                            and _waiting_for_a_row_lock(pg_server, "cli_kill"))
        holder.rollback()
    assert outcome == "killed", "the run finished before its submission transaction was seen"
    assert [r[:5] for r in _state(dsn)] in (state_a, state_b)
    assert [r[:5] for r in _state(dsn)] == state_a       # killed before COMMIT: rolled back
    with psycopg.connect(dsn) as conn:                    # no half-written batch either
        assert conn.execute("SELECT count(*) FROM bpjs.submission_batch WHERE status <> 'committed'").fetchone()[0] == 0
    assert _batches(dsn) == batches
    # 3. just after the commit, while the coverage and gap lists are written
    assert kill_when(lambda t: _batches(dsn) > batches) == "killed"
    assert [r[:5] for r in _state(dsn)] == state_b
    # the next run completes normally and changes nothing more
    _ok(env, worlds["b"], base / "out-k", dsn)
    assert [r[:5] for r in _state(dsn)] == state_b


def test_two_runs_at_once_end_as_one(worlds, pg_server):
    """Two `lindungi run` of the same period at the same time: the second waits for the region's
    lock and then changes nothing; neither shows a traceback."""
    env, base = worlds["env"], worlds["base"]
    dsn = _fresh_db(pg_server, "cli_twice")
    procs = [_run(env, worlds["a"], base / f"out-t{i}", dsn) for i in range(2)]
    results = [_finish(p) for p in procs]
    for code, _, err in results:
        assert "Traceback" not in err
        assert code == 0 or len([ln for ln in err.strip().splitlines() if ln.startswith("lindungi:")]) == 1
    assert any(code == 0 for code, _, _ in results)
    with psycopg.connect(dsn) as conn:
        batches = sorted(conn.execute("SELECT inserted, updated, withdrawn FROM bpjs.submission_batch").fetchall())
    # as one run of A on a fresh database
    assert [r[:5] for r in _state(dsn)] == [r[:5] for r in worlds["state_a"]]
    assert batches[0] == (0, 0, 0) or len(batches) == 1


def test_the_demo_generates_once_and_never_reuses_a_world_half_replaced(pg_server, tmp_path):
    """`lindungi demo` (the README's first command) generates its world once per size and seed
    and runs every asset; a generation killed half-way over an earlier world leaves no marker
    of that world, so the next demo generates it again instead of reusing a mixture."""
    env = {**os.environ, "LINDUNGI_HOME": str(tmp_path / "home")}
    dsn = _fresh_db(pg_server, "cli_demo")
    demo = [LINDUNGI, "demo", "--seed", "3", "--period", PERIOD, "--out", str(tmp_path / "out"), "--db", dsn]

    def run(residents: int) -> subprocess.CompletedProcess:
        return subprocess.run([*demo, "--residents", str(residents)], env=env, capture_output=True, text=True,
                              timeout=600)

    first = run(2000)
    assert first.returncode == 0, first.stderr[-3000:]
    assert "generating" in first.stderr and "enrollment candidates" in first.stdout
    again = run(2000)
    assert again.returncode == 0 and "reusing" in again.stderr
    # a bigger world's generation, killed once it is writing over the first
    world = tmp_path / "home" / "demo-input"
    before = (world / "penduduk.csv").stat().st_mtime_ns
    # (200k: its first file is written ~8 s on, its last ~0.5 s after, where the watch below looks
    # every 10 ms)
    big = subprocess.Popen([*demo, "--residents", "200000"], env=env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, start_new_session=True)
    t0 = time.monotonic()
    while (world / "penduduk.csv").stat().st_mtime_ns == before and big.poll() is None and time.monotonic() - t0 < 120:
        time.sleep(0.01)
    os.killpg(big.pid, signal.SIGKILL)
    big.wait()
    assert not list(world.glob(".generated-*"))
    third = run(2000)
    assert third.returncode == 0, third.stderr[-3000:]
    assert "generating" in third.stderr and "reusing" not in third.stderr
    assert third.stdout.split("enrollment candidates")[1].splitlines()[0] == \
        first.stdout.split("enrollment candidates")[1].splitlines()[0]


def test_whom_bpjs_accepted_is_not_listed_again_before_the_roster_shows_them(worlds, pg_server, tmp_path):
    """November's candidates exported and answered; December's run on the same (lagging) roster
    lists again only the one BPJS rejected: the accepted and those still awaiting an answer would
    have been exported and registered a second time."""
    from pipelines.bpjs_exchange import apply_response, export_pending

    dsn = _fresh_db(pg_server, "cli_held", like=worlds["after_a"])  # November's run of A
    out = worlds["base"] / "out-held"
    path, n = export_pending(dsn, PERIOD, out)
    niks = [r["NIK"] for r in csv.DictReader(path.open())]
    response = tmp_path / "hasil.csv"
    with response.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["NIK", "PERIODE", "HASIL", "KPJ", "ALASAN"])
        w.writerows([[niks[0], PERIOD, "DITERIMA", "12345678901", ""], [niks[1], PERIOD, "DITOLAK", "", "X"]])
    apply_response(dsn, response)
    nxt = f"{PERIOD[:4]}-{int(PERIOD[5:]) + 1:02d}" if PERIOD[5:] != "12" else f"{int(PERIOD[:4]) + 1}-01"
    code, stdout, stderr = _finish(subprocess.Popen(
        [LINDUNGI, "run", "--input", str(worlds["a"]), "--period", nxt, "--out", str(out), "--db", dsn],
        env=worlds["env"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    assert code == 0, stderr[-3000:]
    with psycopg.connect(dsn) as conn:
        listed = {r[0] for r in conn.execute("SELECT nik FROM bpjs.submission_candidate WHERE period = %s", (nxt,))}
    assert niks[1] in listed                           # rejected: listed again
    assert not listed & (set(niks) - {niks[1]})        # accepted, or awaiting BPJS's answer
    assert len(listed) >= 1 and n == len(niks)
    # the coverage figures count them as registered, neither protected nor candidates
    import polars as pl

    assessed = pl.read_parquet(out / "resident_assessment" / f"{nxt}.parquet")
    workers = assessed.filter(pl.col("judgeable") & pl.col("working_age") & pl.col("informal")
                              & ~pl.col("terlindungi"))
    held = set(workers["NIK"]) & (set(niks) - {niks[1]})
    cov = pl.read_parquet(out / "coverage_by_kelurahan" / f"{nxt}.parquet")
    assert int(cov["didaftarkan"].sum()) == len(held) > len(niks) // 2
    # of them, all but the accepted one still await BPJS's answer: the backlog the city chases
    assert int(cov["menunggu_bpjs"].sum()) == len(held - {niks[0]}) == len(held) - 1
    page = (out / "coverage" / f"{nxt}.html").read_text(encoding="utf-8")
    figures = f"{len(held):,} ({len(held) - 1:,} belum dijawab BPJS)".replace(",", ".")
    assert f"Sudah dikirim ke BPJS, belum tampak di data peserta<b>{figures}" in page
    # the one BPJS rejected comes with BPJS's reason, in the evidence and on the gap list
    cands = pl.read_parquet(out / "enrollment_candidates" / f"{nxt}.parquet")
    noted = cands.filter(pl.col("catatan_bpjs").is_not_null())
    assert noted.select("NIK", "catatan_bpjs").rows() == [(niks[1], f"ditolak BPJS pada periode {PERIOD}: X")]
    assert noted["evidence"][0].endswith(f"; ditolak BPJS pada periode {PERIOD}: X")
    from openpyxl import load_workbook

    from pipelines.reports import COL, HEADER_ROW, periode_label

    ws = load_workbook(out / "gap_lists" / nxt / f"{noted['kode_kel'][0]}.xlsx")["Daftar Calon Peserta"]
    notes = [r[COL["Keterangan BPJS"]] for r in ws.iter_rows(min_row=HEADER_ROW + 2, values_only=True)]
    # the list names the month in words, as its other texts do (the data keeps YYYY-MM)
    assert [n for n in notes if n] == [f"Ditolak BPJS pada periode {periode_label(PERIOD)}: X"]


def test_a_run_that_leaves_a_region_without_candidates_withdraws_its_rows(worlds, pg_server, tmp_path):
    """Rules under which nobody of the region is a candidate any more (as when the last ones
    became protected): the run ends well, with an empty batch for the region, and its rows of the
    period are withdrawn. The region got no batch before, its rows stayed pending (to be
    exported), and the batch suite failed the run with a reason cut off after its first line."""
    dsn = _fresh_db(pg_server, "cli_empty", like=worlds["after_a"])  # A's run, its candidates pending
    out = worlds["base"] / "out-empty"
    rules = tmp_path / "rules.toml"
    text = (Path(__file__).parents[1] / "pipelines" / "rules.toml").read_text()
    # nobody is of working age (no occupation counting as informal work, as this test had it, is
    # refused now: the rules need at least one informal code)
    rules.write_text(re.sub(r"^min_age = 18", "min_age = 120", text, flags=re.M).replace("max_age = 65", "max_age = 120"))
    code, _, stderr = _finish(subprocess.Popen(
        [LINDUNGI, "run", "--input", str(worlds["a"]), "--period", PERIOD, "--out", str(out), "--db", dsn,
         "--rules", str(rules)], env=worlds["env"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    assert code == 0, stderr[-3000:]
    with psycopg.connect(dsn) as conn:
        assert {r[0] for r in conn.execute("SELECT status FROM bpjs.submission_candidate")} == {"withdrawn"}
        assert conn.execute("SELECT row_count, status FROM bpjs.submission_batch ORDER BY id DESC LIMIT 1"
                            ).fetchone() == (0, "committed")


def test_a_local_label_the_rules_add_makes_candidates(worlds, pg_server, tmp_path):
    """`informal_label_prefixes` is the rules file's place for local labels without a SIAK code.
    One a city added (OJEK, KURIR) counted as informal, but the residents stayed flagged
    `occupation_unknown` by the ingest, which knows only TUKANG, and were never judged."""
    import polars as pl

    dsn = _fresh_db(pg_server, "cli_labels")
    out = worlds["base"] / "out-labels"
    rules = tmp_path / "rules.toml"
    text = (Path(__file__).parents[1] / "pipelines" / "rules.toml").read_text()
    rules.write_text(text.replace('informal_label_prefixes = ["TUKANG"]',
                                  'informal_label_prefixes = ["TUKANG", "OJEK", "KURIR"]'))
    code, _, stderr = _finish(subprocess.Popen(
        [LINDUNGI, "run", "--input", str(worlds["a"]), "--period", PERIOD, "--out", str(out), "--db", dsn,
         "--rules", str(rules)], env=worlds["env"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    assert code == 0, stderr[-3000:]
    assessed = pl.read_parquet(out / "resident_assessment" / f"{PERIOD}.parquet")
    local = assessed.filter(pl.col("JENIS_PKRJN").str.starts_with("OJEK") | pl.col("JENIS_PKRJN").str.starts_with("KURIR"))
    assert local.height and local["informal"].all()
    eligible = local.filter(pl.col("working_age") & ~pl.col("terlindungi") & pl.col("TGL_LHR").is_not_null()
                            & pl.col("kode_kel").is_not_null())
    cands = set(pl.read_parquet(out / "enrollment_candidates" / f"{PERIOD}.parquet")["NIK"])
    assert eligible.height and set(eligible["NIK"]) <= cands


def test_rules_given_by_the_environment_are_the_rules_the_run_uses(worlds, pg_server, tmp_path):
    """README: "pass another with `--rules FILE` or `LINDUNGI_RULES`". The variable's file was
    checked, then the run went on with the packaged defaults (the CLI wrote "" over it)."""
    import polars as pl

    dsn = _fresh_db(pg_server, "cli_rules_env")
    out = worlds["base"] / "out-rules-env"
    rules = tmp_path / "rules.toml"
    text = (Path(__file__).parents[1] / "pipelines" / "rules.toml").read_text()
    assert "max_age = 65" in text
    rules.write_text(text.replace("max_age = 65", "max_age = 40"))
    code, _, stderr = _finish(subprocess.Popen(
        [LINDUNGI, "run", "--input", str(worlds["a"]), "--period", PERIOD, "--out", str(out), "--db", dsn],
        env={**worlds["env"], "LINDUNGI_RULES": str(rules)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True))
    assert code == 0, stderr[-3000:]
    ages = pl.read_parquet(out / "enrollment_candidates" / f"{PERIOD}.parquet")["umur"]
    assert ages.len() and ages.max() <= 40


# A stand-in for `dagster dev`: it handles SIGTERM as it handles SIGINT (Dagster's
# setup_interrupt_handlers), shuts down on KeyboardInterrupt, and says so.
_DEV = """
import signal, sys, time
signal.signal(signal.SIGTERM, signal.getsignal(signal.SIGINT))
try:  # "serving" inside the try: a SIGTERM right after it is still a shutdown (it raced on a busy machine)
    print("serving", flush=True)
    while True:
        time.sleep(0.05)
except KeyboardInterrupt:
    print("shut down", flush=True)
"""
# `lindungi ui` as a background job starts it: SIGINT ignored, as `&` in a script or nohup leaves it
_UI = """
import signal, subprocess, sys
from dagster_project import cli
proc = subprocess.Popen([sys.executable, "-c", sys.argv[1]], stdout=sys.stdout, preexec_fn=cli._interruptible)
sys.exit(cli._serve(proc))
"""


def test_a_terminated_ui_stops_the_dagster_processes_it_started(tmp_path):
    """`kill` of `lindungi ui` left dagster dev and its webserver, daemon and code server serving:
    the signal was not passed on, and dagster dev, started with SIGINT ignored, ignored SIGTERM."""
    ui = subprocess.Popen([sys.executable, "-c", _UI, _DEV], stdout=subprocess.PIPE, text=True,
                          cwd=Path(__file__).resolve().parent.parent,
                          preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    assert ui.stdout.readline().strip() == "serving"
    ui.terminate()
    assert ui.wait(timeout=20) == 0
    assert ui.stdout.read().strip() == "shut down"


def _ui_started(monkeypatch, tmp_path) -> list:
    """``lindungi ui`` with dagster dev replaced by a stand-in that ends at once: the commands it
    would have started."""
    from dagster_project import cli

    started = []
    for name in ("DAGSTER_HOME", "LINDUNGI_INPUT", "LINDUNGI_OUT", "LINDUNGI_DB_URL", "LINDUNGI_RULES",
                 "LINDUNGI_FULL_NIK"):  # the command sets them: put back after the test
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LINDUNGI_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(cli.subprocess, "Popen", lambda cmd, **kw: started.append(cmd))
    monkeypatch.setattr(cli, "_serve", lambda proc: 0)
    return started


def test_the_ui_reads_the_extracts_the_last_run_read(tmp_path, monkeypatch, capsys):
    """After `lindungi run --input W`, `lindungi ui` without --input gave its ingest runs the
    demo's world, <state>/demo-input, which was not there: the UI's first ingest failed (a UI
    review). It takes the last run's input from the state directory's history, and says so
    when the folder it takes is not there."""
    import socket
    import uuid

    import dagster as dg

    from dagster_project.cli import main

    _ui_started(monkeypatch, tmp_path)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    ui = ["ui", "--port", str(port), "--db", "postgresql://nowhere/x"]
    assert main(ui) == 0  # no run yet: the demo's world, not there
    assert os.environ["LINDUNGI_INPUT"] == str((tmp_path / "home" / "demo-input").resolve())
    assert f"warning: {tmp_path / 'home' / 'demo-input'} does not exist" in capsys.readouterr().err
    extracts = tmp_path / "extracts"
    extracts.mkdir()
    with dg.DagsterInstance.get() as instance:  # what `lindungi run --input extracts --out hasil` leaves
        instance.add_run(dg.DagsterRun(job_name="ingest", run_id=str(uuid.uuid4()),
                                       tags={"lindungi/command": "run", "lindungi/input": str(extracts),
                                             "lindungi/out": str(tmp_path / "hasil")}))
    for name in ("LINDUNGI_INPUT", "LINDUNGI_OUT"):
        monkeypatch.delenv(name)  # (the command set them: a new process has none)
    assert main(ui) == 0
    said = capsys.readouterr().err
    assert os.environ["LINDUNGI_INPUT"] == str(extracts) and "warning" not in said
    # and the folder that run wrote, not ./lindungi-data (a data engineer's review: another world's outputs)
    assert os.environ["LINDUNGI_OUT"] == str(tmp_path / "hasil")
    assert f"input: {extracts}; out: {tmp_path / 'hasil'}; database: --db / $LINDUNGI_DB_URL; rules: " in said
    monkeypatch.delenv("LINDUNGI_OUT")
    monkeypatch.setenv("LINDUNGI_INPUT", str(tmp_path))  # given, it wins, and the last run's out is not its own
    assert main(ui) == 0 and os.environ["LINDUNGI_INPUT"] == str(tmp_path)
    assert os.environ["LINDUNGI_OUT"] == str(Path("lindungi-data").resolve())


def test_folders_named_with_a_nik_are_starred_in_runs_tags_and_config(small_world, pg_server, tmp_path, monkeypatch,
                                                                      capsys):
    """An input or output folder named after a NIK (``/data/6474…0001/``) was kept whole in every
    run's ``lindungi/input`` and ``lindungi/out`` tags and in its config's ``settings`` (a privacy
    audit). The tags star the number; the config names the variables the run reads the folders
    from; and `lindungi ui` still opens on the folders themselves, kept in the state directory."""
    import json
    import socket

    import dagster as dg

    from dagster_project.cli import main

    world, out = tmp_path / "data" / "6474012505900001", tmp_path / "hasil" / "3374012505900002"
    shutil.copytree(small_world, world, ignore=shutil.ignore_patterns("truth"))
    env = {**os.environ, "LINDUNGI_HOME": str(tmp_path / "home")}
    _ok(env, world, out, _fresh_db(pg_server, "cli_nik_folders"))
    _ui_started(monkeypatch, tmp_path)  # (its LINDUNGI_HOME is the run's)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    assert main(["ui", "--port", str(port), "--db", "postgresql://nowhere/x"]) == 0
    assert (os.environ["LINDUNGI_INPUT"], os.environ["LINDUNGI_OUT"]) == (str(world), str(out))
    assert "warning" not in capsys.readouterr().err
    with dg.DagsterInstance.get() as instance:
        runs = instance.get_runs()
        assert len(runs) == 3
        for run in runs:
            kept = json.dumps([run.tags, run.run_config])
            assert "6474012505900001" not in kept and "3374012505900002" not in kept, kept
            assert run.tags["lindungi/input"] == str(world.parent / "****************")
            assert run.tags["lindungi/out"] == str(out.parent / "****************")
            assert run.run_config["resources"]["settings"]["config"]["input_dir"] == {"env": "LINDUNGI_INPUT"}


def test_a_ui_on_a_port_in_use_is_refused(tmp_path, monkeypatch, capsys):
    """`lindungi ui --port P` with P taken (another UI, say) printed its address and kept running:
    dagster dev's webserver failed to bind and stayed up without serving, and its daemon ran
    beside the other UI's on the same instance ("multiple daemon processes ... not supported"),
    while the address printed showed the other UI."""
    import socket

    from dagster_project.cli import main

    started = _ui_started(monkeypatch, tmp_path)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["ui", "--port", str(port), "--db", "postgresql://nowhere/x"]) == 1
    assert capsys.readouterr().err.strip().splitlines()[-1] == (
        f"lindungi: error: port {port} on 127.0.0.1 is in use (another `lindungi ui`?): choose another with --port")
    assert not started


def test_a_second_ui_on_one_state_directory_is_refused(tmp_path, monkeypatch, capsys):
    """Two `lindungi ui` on one state directory (on two ports) ran two Dagster daemons on one
    instance, which Dagster does not support: each sensor and queued run handled twice."""
    import fcntl
    import socket

    from dagster_project.cli import main

    started = _ui_started(monkeypatch, tmp_path)
    (tmp_path / "home").mkdir()
    with open(tmp_path / "home" / "ui.lock", "a+") as held, socket.socket() as s:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        held.write("pid 12345, http://127.0.0.1:3000\n")
        held.flush()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        assert main(["ui", "--port", str(port), "--db", "postgresql://nowhere/x"]) == 1
        assert capsys.readouterr().err.strip().splitlines()[-1] == (
            f"lindungi: error: another `lindungi ui` uses the state directory {tmp_path / 'home'} "
            "(pid 12345, http://127.0.0.1:3000): stop it, or set LINDUNGI_HOME to another")
        assert not started
    assert main(["ui", "--port", str(port), "--db", "postgresql://nowhere/x"]) == 0
    assert len(started) == 1


def test_a_steps_failure_is_one_line_without_dagsters_class_path():
    """A step that raises ``dg.Failure`` (the assembly finding a region's links older than the
    last ingest, say) was reported as 'assemble_links: dagster._core.definitions.events.Failure:
    welfare_links: …': the class path stayed in the one line, where an Error's is removed."""
    import dagster as dg

    from dagster_project.cli import _failure_reason

    @dg.op
    def assemble():
        raise dg.Failure("welfare_links: the linkage of region(s) 6409 is older than the last ingest")

    @dg.job
    def one_step():
        assemble()

    result = one_step.execute_in_process(raise_on_error=False)
    assert _failure_reason(result) == "assemble: welfare_links: the linkage of region(s) 6409 is older than the last ingest"


def _holds_open(pid: int, path: Path) -> bool:
    fds = Path(f"/proc/{pid}/fd")
    try:
        return any(os.readlink(fd) == str(path) for fd in fds.iterdir())
    except OSError:
        return False


@pytest.mark.parametrize("held", ["state", "out"])
def test_a_run_waits_for_the_run_using_its_state_directory_or_output_folder(small_world, pg_server, tmp_path, held):
    """Two `lindungi run` at once on one state directory (one Dagster instance) or one output
    folder read each other's files: a run of a corrected roster, started while another run of
    the period went on, submitted the other extract's candidates (exit 0, its own input files in
    the processing log), or stopped on its linkage 'older than the last ingest'. The second
    waits, saying so, and runs once the first is done. (The first is this test, holding a lock.)"""
    import fcntl

    env = {**os.environ, "LINDUNGI_HOME": str(tmp_path / "home")}
    out = tmp_path / "out"
    lock = (tmp_path / "home" / "run.lock") if held == "state" else (out / ".lindungi-run.lock")
    lock.parent.mkdir(parents=True)
    dsn = _fresh_db(pg_server, f"cli_lock_{held}")
    with lock.open("a+") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        proc = _run(env, small_world, out, dsn)
        t0 = time.monotonic()
        while not _holds_open(proc.pid, lock) and proc.poll() is None and time.monotonic() - t0 < 120:
            time.sleep(0.05)
        time.sleep(1.0)
        assert proc.poll() is None and not (out / "residents.parquet").exists(), "the run did not wait"
    code, _, err = _finish(proc)
    assert code == 0, err[-3000:]
    assert "waiting for the `lindungi run` using" in err
    with lock.open("a+") as f:  # released when the run ended: the embedded server does not hold it
        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)


def test_a_progress_line_puts_off_the_ticking_line(monkeypatch):
    """The ticking line comes only after ``quiet_s`` without any line: a step's own progress
    line counts (a 200k run's linking, 2.5 s between its two lines, prints none)."""
    import logging
    import time

    from assets import _common

    lines = []

    class Keep(logging.Handler):
        def emit(self, record):
            lines.append(record.getMessage().split("] ", 1)[1])

    keep, level = Keep(), _common.progress_log.level
    _common.progress_log.setLevel(logging.INFO)
    _common.progress_log.addHandler(keep)
    clock = [1000.0]
    monkeypatch.setattr(_common, "_clock", lambda: clock[0])
    # the last line's time on that clock is put back after the test: left at 1000.25, the next
    # test's real clock (seconds since boot, ~700 on a machine up 12 minutes) stayed "too soon
    # after a line" until the machine had been up 1000 s, and that test waited 20 s for nothing
    monkeypatch.setattr(_common, "_LAST_LINE", [clock[0]])
    try:
        with _common.ticking("linking region 6474: welfare_links comparing ...", quiet_s=0.2):
            _common._line("regions: 6474")  # a step's own progress line, now
            clock[0] += 0.1
            time.sleep(0.3)  # the timer wakes every 0.05 s: too soon after the line, each time
            assert lines == ["regions: 6474"]
            clock[0] += 0.15
            deadline = time.monotonic() + 20
            while len(lines) < 2 and time.monotonic() < deadline:
                time.sleep(0.01)
        assert lines == ["regions: 6474", "linking region 6474: welfare_links comparing ... (0 s)"]
    finally:
        _common.progress_log.removeHandler(keep)
        _common.progress_log.setLevel(level)


def test_a_long_call_says_it_is_still_running_and_a_short_one_says_nothing():
    """``ticking`` prints a line while a call without stages of its own runs long (a 1M run's
    submission was 7 s without a line): its message, asked again at each line when a callable
    (a region's linkers, stage by stage), with the seconds so far. A short call prints nothing."""
    import logging
    import time

    from assets import _common

    lines = []

    class Keep(logging.Handler):
        def emit(self, record):
            lines.append(record.getMessage().split("] ", 1)[1])

    def until(said):  # a line from the timer thread, waited for (not timed)
        deadline = time.monotonic() + 20
        while not any(said in line for line in lines) and time.monotonic() < deadline:
            time.sleep(0.01)

    keep, level = Keep(), _common.progress_log.level
    _common.progress_log.setLevel(logging.INFO)
    _common.progress_log.addHandler(keep)
    try:
        with _common.ticking("submission 2026-11: loading 10 candidates of 1 region(s) ...", quiet_s=0.05):
            until("loading")
        assert lines and all(re.fullmatch(
            r"submission 2026-11: loading 10 candidates of 1 region\(s\) \.\.\. \(\d+ s\)", ln) for ln in lines), lines
        lines.clear()
        stage = ["comparing ..."]
        with _common.ticking(lambda: f"linking region 6474: welfare_links {stage[0]}", quiet_s=0.05):
            until("comparing")
            stage[0] = "estimating the model ..."
            until("estimating")
        assert lines[0].startswith("linking region 6474: welfare_links comparing ... (")
        assert lines[-1].startswith("linking region 6474: welfare_links estimating the model ... (")
        said = len(lines)
        with _common.ticking("gap lists ...", quiet_s=60):
            pass
        assert len(lines) == said
    finally:
        _common.progress_log.removeHandler(keep)
        _common.progress_log.setLevel(level)


def test_the_ingest_says_each_extracts_stage_for_its_ticking_line(small_world, tmp_path):
    """Reading and cleaning an extract say where they are, in the stage the ingest's ticking
    line shows (a 1M penduduk is 13 s of both, without a progress line of its own)."""
    from assets.ingest import EXTRACTS, _read_and_clean
    from dagster_project.resources import LindungiSettings

    settings = LindungiSettings(input_dir=str(small_world), out_dir=str(tmp_path))
    penduduk = next(e for e in EXTRACTS if e.source == "penduduk")
    seen = []

    class Watched(dict):
        def __setitem__(self, key, value):
            seen.append((key, value))
            super().__setitem__(key, value)

    checked, result, accepted = _read_and_clean(penduduk, settings, Watched({"penduduk.csv": "waiting ..."}),
                                                "penduduk.csv")
    rows = result.stats["rows_read"]
    assert seen == [("penduduk.csv", "reading ..."), ("penduduk.csv", f"{rows:,} rows read, cleaning ..."),
                    ("penduduk.csv", f"{rows:,} rows cleaned")]
    assert checked.result().success
    assert accepted.result().suite == "residents" and accepted.result().success


def test_an_interrupted_step_is_said_in_words():
    """Ctrl-C or SIGTERM in a step ended the command with Dagster's class name alone
    ("ingest_extracts: dagster._core.errors.DagsterExecutionInterruptedError")."""
    from types import SimpleNamespace as NS

    from dagster_project.cli import _failure_reason

    error = NS(cls_name="DagsterExecutionInterruptedError", cause=None,
               message="dagster._core.errors.DagsterExecutionInterruptedError\n")
    failure = NS(event_type_value="STEP_FAILURE", is_step_failure=True, step_key="ingest_extracts",
                 step_failure_data=NS(error=error))
    assert _failure_reason(NS(all_events=[failure])) == \
        "ingest_extracts: interrupted (Ctrl-C or a stop signal); run the command again to finish"


def test_a_step_interrupted_ends_the_command_with_exit_130_as_documented(monkeypatch, capsys, tmp_path):
    """A data engineer's review: Ctrl-C before a run exited 130 ("stopped by Ctrl-C", the docs'
    exit codes), but once a step had started the run failed with the interruption and the
    command exited 1, as any failure."""
    from dagster_project import cli

    def interrupted(*args, **kwargs):
        raise cli.Interrupted(f"link_region: {cli.INTERRUPTED} [run 1a2b3c4d]")

    monkeypatch.setattr(cli, "run_pipeline", interrupted)
    assert cli.main(["run", "--input", str(tmp_path), "--period", "2026-11", "--out", str(tmp_path / "o")]) == 130
    assert capsys.readouterr().err == ("lindungi: link_region: interrupted (Ctrl-C or a stop signal); run the "
                                       "command again to finish [run 1a2b3c4d]\n")


def test_a_region_s_linking_interrupted_is_an_interruption_among_several_regions(monkeypatch):
    """Its re-check: with two kab/kota, Ctrl-C during one's linking still exited 1 ("region 6474:
    link_region: interrupted"), the regions' failures gathered as one error."""
    from dagster_project import cli

    def execute(job, region, tags):
        if region == "6474":
            raise cli.Interrupted(f"link_region: {cli.INTERRUPTED} [run 1a2b3c4d]")
        return "run-" + region

    monkeypatch.setattr(cli, "_execute", execute)
    monkeypatch.setenv("LINDUNGI_MAX_CONCURRENT", "1")
    with pytest.raises(cli.Interrupted, match="^region 6474: link_region: interrupted"):
        cli.link_regions(["6474", "6409"], {})


def test_the_ui_s_runs_start_the_embedded_server_again_when_it_stopped(tmp_path, monkeypatch):
    """An operations review: `lindungi ui` pinned its runs to the embedded server's socket
    (LINDUNGI_DB_URL), so a run started from the UI after `lindungi db stop` or a reboot failed at
    its first database step, where `lindungi run` starts the server when it finds it stopped.
    The UI starts it and leaves the DSN unset, so that each run resolves it again; a DSN given
    is passed on."""
    import socket
    from types import SimpleNamespace

    from dagster_project import cli
    from dagster_project.cli import main
    from pipelines import db

    # as _ui_started, but dagster dev stood in for in the command's module alone: initdb runs
    # subprocesses too
    started = []
    for name in ("DAGSTER_HOME", "LINDUNGI_INPUT", "LINDUNGI_OUT", "LINDUNGI_DB_URL", "LINDUNGI_RULES",
                 "LINDUNGI_FULL_NIK"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LINDUNGI_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(cli, "subprocess", SimpleNamespace(Popen=lambda cmd, **kw: started.append(cmd)))
    monkeypatch.setattr(cli, "_serve", lambda proc: 0)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    try:
        assert main(["ui", "--port", str(port)]) == 0
        assert len(started) == 1 and not os.environ.get("LINDUNGI_DB_URL")
        db.embedded_stop(tmp_path / "home")
        # what a run started from the UI does, in a process of its own with the UI's environment:
        # the server it finds stopped is started again
        code = ("import os, psycopg; from pipelines import db; "
                "print(psycopg.connect(db.resolve_dsn(os.environ.get('LINDUNGI_DB_URL') or None))"
                ".execute('SELECT 1').fetchone())")
        ran = subprocess.run([sys.executable, "-c", code], env=dict(os.environ), capture_output=True, text=True,
                             cwd=Path(__file__).resolve().parent.parent, timeout=120)
        assert ran.stdout.strip() == "(1,)", ran.stderr[-2000:]
    finally:
        db.embedded_stop(tmp_path / "home")
    assert main(["ui", "--port", str(port), "--db", "postgresql://nowhere/x"]) == 0
    assert os.environ["LINDUNGI_DB_URL"] == "postgresql://nowhere/x"


def test_an_output_folder_a_command_makes_is_its_owner_s_and_group_s(tmp_path):
    """A privacy audit: --out and every personal-data file in it (gap lists, residents.parquet,
    the BPJS export) were readable by every user of the machine under the usual umask. The folder
    a command makes is 0750; one that exists keeps its mode (its owner chose it)."""
    from dagster_project.cli import _writable_dir

    made = _writable_dir(str(tmp_path / "a" / "out"), "--out", private=True)
    assert made.stat().st_mode & 0o777 == 0o750
    kept = tmp_path / "mine"
    kept.mkdir(mode=0o755)
    kept.chmod(0o755)
    assert _writable_dir(str(kept), "--out", private=True).stat().st_mode & 0o777 == 0o755
