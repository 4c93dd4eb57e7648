"""Lindungi: find informal workers without BPJS Ketenagakerjaan JKK+JKM protection, and get them enrolled.

The ``lindungi`` command (CONTRACT §3 and its extensions): demo, generate, run, ui, db, export,
response, verification, retention.

Exit codes: 0 success; 1 the run failed (one line says why, no traceback); 2 bad usage.
Progress lines go to stderr; the summary goes to stdout.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import re
import subprocess
import sys
import time
import warnings
from pathlib import Path

# tags of every run `lindungi run` starts: the command, and the extracts it read (the UI's default
# input); a module without Dagster's import
from dagster_project.tags import COMMAND_TAG, INPUT_TAG, OUT_TAG

warnings.filterwarnings("ignore")  # third-party deprecation chatter is not for users


class CliError(Exception):
    """A failure explained in one line."""


class Interrupted(CliError):
    """A run whose step was stopped by Ctrl-C or a stop signal: exit 130, as a Ctrl-C before or
    between the runs (it exited 1 once a step had started: a data engineer's review)."""


def _say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _period(period: str, partition: bool = True) -> str:
    """The ``--period`` given, or CliError when it is not ``YYYY-MM`` or, with ``partition``, not
    one of the month partitions (2020-01 to twelve months ahead): said before any work, where a
    run started the database and made its --out first, and an export of 2019-12 said "no
    pending candidates" (an outside review)."""
    from pipelines.dates import FIRST_PERIOD, last_period, period_in_range, period_start

    try:
        period_start(period)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    if partition and not period_in_range(period):
        # (the months themselves: "outside the partitions (2020-01 to twelve months ahead)" named
        # Dagster's word and no last month: a data engineer's review)
        raise CliError(f"period {period} is outside the months Lindungi runs: {FIRST_PERIOD} to {last_period()} "
                       "(twelve months ahead, to plan the next year)")
    return period


PRIVATE_DIR_MODE = 0o750  # an output folder made by a command (see _writable_dir)


def _writable_dir(path: str, what: str, private: bool = False) -> Path:
    """A directory the command writes into, made now: a path that cannot be one is refused before
    any work (it surfaced as an IO manager's error after the ingest, naming a Dagster step).
    ``private``: an output folder of personal data, made for its owner and group alone (mode
    0750): under the usual umask 022 every file in it was readable by every user of the machine
    (a privacy audit). A folder that exists keeps its mode: its owner chose it."""
    if not path.strip():  # "" is the current folder to Path: every output was written there
        raise CliError(f"{what}: an empty path, expected a directory")
    p = Path(path)
    try:
        if p.exists() and not p.is_dir():
            raise CliError(f"{what} {path}: is a file, not a directory")
        new = not p.exists()
        p.mkdir(parents=True, exist_ok=True)
        if new and private:
            p.chmod(PRIVATE_DIR_MODE)
    except OSError as exc:  # a name too long, a path under /proc, ...
        raise CliError(f"{what} {path}: cannot make the directory ({exc.strerror or exc})") from None
    if not os.access(p, os.W_OK | os.X_OK):
        raise CliError(f"{what} {path}: the directory is not writable")
    return p


def _setup_progress() -> None:
    log = logging.getLogger("lindungi.progress")
    if not log.handlers:
        h = logging.StreamHandler(sys.stderr)
        h.setFormatter(logging.Formatter("%(message)s"))
        log.addHandler(h)
        log.setLevel(logging.INFO)
        log.propagate = False


# The instance lindungi keeps under its state directory: Dagster's SQLite storage layout, through
# storage.PooledSqliteStorage, which keeps its SQLAlchemy engines. No compute logs: Dagster's local
# compute log manager sends each run's stdout and stderr through a file, a `tail -F` and a Python
# watcher process per stream (four processes a run, twelve a `lindungi run`), and a run killed
# with them left its `tail -F` running for good. Every progress line, check and error is in the
# structured event log; stdout and stderr go straight to the terminal. (200k world, alternating:
# medians 9.11 s against 9.38 s, 7 of 8 rounds faster.)
_STORAGE_YAML = """\
# written by lindungi: Dagster's SQLite storage under this directory (dagster_project/storage.py).
# Production uses deploy/dagster.yaml instead.
storage:
  custom:
    module: dagster_project.storage
    class: PooledSqliteStorage
    config:
      base_dir:
        env: DAGSTER_HOME
"""
_NO_COMPUTE_LOGS_YAML = """\
compute_logs:
  module: dagster._core.storage.noop_compute_log_manager
  class: NoOpComputeLogManager
"""
INSTANCE_YAML = _STORAGE_YAML + _NO_COMPUTE_LOGS_YAML + """\
# As in production, for the daemon `lindungi ui` starts (a `lindungi run` goes through no queue
# and is never retried: its own command says how it ended): one run per kab/kota and per
# partition at a time, and a failed run of the chain retried once, whole (without these a
# region's failed run stalled the chain until someone re-executed it, and two runs of one region
# ran side by side: a production-path review). deploy/dagster.yaml's `bpjs_writer` pool is left
# out: a slot held by a killed `lindungi run` would stop the next one.
concurrency:
  runs:
    tag_concurrency_limits:
      - key: lindungi/region
        value:
          applyLimitPerUniqueValue: true
        limit: 1
      - key: dagster/partition
        value:
          applyLimitPerUniqueValue: true
        limit: 1
run_retries:
  enabled: true
  max_retries: 1
telemetry:
  enabled: false
"""
# what lindungi wrote before, rewritten as INSTANCE_YAML; any other dagster.yaml, one of these
# edited too, is left as it is (an edit was undone by the next command: a production-path review)
EARLIER_INSTANCE_YAMLS = (
    "telemetry:\n  enabled: false\n",
    _STORAGE_YAML + "telemetry:\n  enabled: false\n",
    _STORAGE_YAML + _NO_COMPUTE_LOGS_YAML + "telemetry:\n  enabled: false\n",
)


def _state() -> Path:
    """The state directory (``LINDUNGI_HOME``), made now, or a refusal naming it."""
    from pipelines.db import state_dir

    return _writable_dir(str(state_dir()), "state directory (LINDUNGI_HOME)")


def _dagster_home() -> Path:
    home = _state() / "dagster_home"
    home.mkdir(parents=True, exist_ok=True)
    cfg = home / "dagster.yaml"
    text = cfg.read_text() if cfg.exists() else None
    # ours is kept current; a dagster.yaml someone wrote or edited is left as it is
    if text is None or text in EARLIER_INSTANCE_YAMLS:
        cfg.write_text(INSTANCE_YAML)
    os.environ["DAGSTER_HOME"] = str(home)
    return home


def _set_env(input_dir: str | None, out_dir: str, dsn: str | None, rules: str | None, full_nik: bool,
             allow_smaller_extract: bool = False) -> None:
    if input_dir:
        os.environ["LINDUNGI_INPUT"] = str(Path(input_dir).resolve())
    os.environ["LINDUNGI_OUT"] = str(Path(out_dir).resolve())
    if dsn is not None:
        os.environ["LINDUNGI_DB_URL"] = dsn
    # --rules, else the $LINDUNGI_RULES given: the run validated it (load_rules reads the
    # variable) and then ran on the packaged defaults, as this wrote "" over it
    rules = rules or os.environ.get("LINDUNGI_RULES")
    os.environ["LINDUNGI_RULES"] = str(Path(rules).resolve()) if rules else ""
    os.environ["LINDUNGI_FULL_NIK"] = "true" if full_nik else "false"
    os.environ[ALLOW_SMALLER_ENV] = "true" if allow_smaller_extract else "false"


INTERRUPTED = "interrupted (Ctrl-C or a stop signal); run the command again to finish"


def _failure_reason(result) -> str:
    """One line from the first failed step: the exception message, without class or traceback;
    for a step stopped by a blocking check, which check failed on which asset (the step's own
    message names them on its next lines, which the one line left out)."""
    failed_checks = [e for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"
                     and not e.event_specific_data.passed and e.event_specific_data.severity.value == "ERROR"]
    for event in result.all_events:
        if event.is_step_failure and failed_checks and (
                event.step_failure_data.error is None or "blocking asset check" in event.step_failure_data.error.message):
            break
        if event.is_step_failure:
            err = event.step_failure_data.error
            while err is not None and err.cause is not None and err.cls_name in (
                    "DagsterExecutionStepExecutionError", "DagsterUserCodeExecutionError",
                    "DagsterExecutionHandleOutputError", "DagsterExecutionLoadInputError"):
                err = err.cause
            if err is not None and err.cls_name == "DagsterExecutionInterruptedError":
                # Ctrl-C or a stop signal: said as such, not as Dagster's class name
                return f"{event.step_key}: {INTERRUPTED}"
            msg = (err.message if err else "step failed").strip().splitlines()[0]
            msg = re.sub(r"^[\w.]+(Error|Exception|Failure): ", "", msg)
            return f"{event.step_key}: {msg}"
    if failed_checks:
        # with the check's words (the file, what was expected and on how many rows): the check's
        # name alone sent the data engineer to the UI to learn what the file lacked
        return "; ".join(f"blocking check {e.event_specific_data.check_name} failed on "
                         f"{e.event_specific_data.asset_key.to_user_string()}"
                         + (f": {e.event_specific_data.description}" if e.event_specific_data.description else "")
                         for e in failed_checks)
    return "the run failed (see `lindungi ui` for the event log)"


ALLOW_SMALLER_ENV = "LINDUNGI_ALLOW_SMALLER_EXTRACT"  # --allow-smaller-extract, for the run's settings

QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


_INSTANCES: dict[str, object] = {}


def _instance():
    """The Dagster instance of $DAGSTER_HOME, opened once per process (opening it builds its
    storages: ~0.2 s a run when each of the command's runs opened its own)."""
    import dagster as dg

    home = os.environ["DAGSTER_HOME"]
    if home not in _INSTANCES:
        _INSTANCES[home] = dg.DagsterInstance.get()
    return _INSTANCES[home]


# tags naming the `lindungi run` process that starts a run (its region workers' runs too), for
# fail_abandoned_runs
HOST_TAG, PID_TAG = "lindungi/host", "lindungi/pid"


def _owner() -> dict:
    import socket

    return {HOST_TAG: socket.gethostname(), PID_TAG: str(os.getpid())}


def fail_abandoned_runs() -> list[str]:
    """Report failed the runs an earlier `lindungi run` on this host started and never finished
    because its process is gone (killed, or the machine stopped), as Dagster's run monitoring
    reports a run whose worker died. In-process runs have no daemon watching them: they showed
    as started in the UI for good. The run ids."""
    import dagster as dg

    from pipelines.processes import alive

    instance = _instance()
    unfinished = [dg.DagsterRunStatus.NOT_STARTED, dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED]
    runs = instance.get_runs(filters=dg.RunsFilter(statuses=unfinished, tags={HOST_TAG: _owner()[HOST_TAG]}))
    failed = []
    for run in runs:
        try:
            pid = int(run.tags.get(PID_TAG, ""))
        except ValueError:
            continue
        if pid == os.getpid() or alive(pid):
            continue
        instance.report_run_failed(run, message=f"The lindungi process that ran it (pid {pid}) ended before the "
                                                "run did: it was killed, or the machine stopped.")
        failed.append(run.run_id)
    return failed


def _settings_config() -> dict:
    """The run's settings resource as this command set them (``_set_env``), given to each run:
    the definitions' resource was made when they were imported, and a second run in one process
    (the tests, a region worker) took the first's --full-nik and --allow-smaller-extract."""
    from dagster_project.resources import env_flag

    # The input and output folders by the names of their variables, not their values: Dagster
    # reads LINDUNGI_INPUT and LINDUNGI_OUT when the run starts, in its own process (``_set_env``
    # set them, and a region worker inherits them). Their values were kept whole in every run's
    # config in the Dagster history, a folder named after a NIK too (a privacy audit). A run
    # re-executed from the UI reads and writes the UI's folders, as the IO manager's LINDUNGI_OUT
    # already made it write its assets there.
    env = os.environ
    return {"resources": {"settings": {"config": {
        "input_dir": {"env": "LINDUNGI_INPUT"}, "out_dir": {"env": "LINDUNGI_OUT"},
        "rules_path": env.get("LINDUNGI_RULES", ""), "full_nik": env_flag("LINDUNGI_FULL_NIK"),
        "allow_smaller_extract": env_flag(ALLOW_SMALLER_ENV)}}}}


# the module `lindungi ui` serves (dagster dev -m), which names its code location
DEFINITIONS_MODULE = "dagster_project.definitions"


def _execute_tags(tags: dict) -> dict:
    """A command's run's tags: never retried by a daemon on the same instance (`lindungi ui`'s
    run_retries), which would run it again with the UI's input and output folders; and of the
    code location `lindungi ui` serves, whose jobs list their runs and partition statuses by it
    (without it, none of the command's runs was in them: a data engineer's review)."""
    from dagster_project.definitions import repository_tag
    from dagster_project.sensors import NO_RUN_RETRIES

    return {**tags, **NO_RUN_RETRIES, **repository_tag(DEFINITIONS_MODULE)}


def _execute(job_name: str, partition_key: str | None, tags: dict) -> str:
    """One Dagster run of ``job_name`` in this process on the instance; its run id, or CliError."""
    from dagster_project.definitions import defs

    result = defs.resolve_job_def(job_name).execute_in_process(
        instance=_instance(), partition_key=partition_key, raise_on_error=False,
        run_config={**QUIET, **_settings_config()}, tags=_execute_tags(tags))
    if not result.success:
        # the run named: its traceback and events are in the Dagster UI (lindungi ui)
        reason = _failure_reason(result)
        raise (Interrupted if reason.endswith(INTERRUPTED) else CliError)(f"{reason} [run {result.run_id[:8]}]")
    return result.run_id


def _region_worker_start() -> None:
    """A region worker's initializer: it ends with the process that started it, and opens the
    instance and loads the assets as `lindungi run` does (``imports_uncollected``)."""
    from pipelines.processes import exit_with_parent, imports_uncollected

    exit_with_parent()
    with imports_uncollected():
        _instance()
        import dagster_project.definitions  # noqa: F401


def _link_region_worker(region: str, tags: dict, progress: bool
                        ) -> tuple[str, str | None, str | None, bool]:
    """One region's ``link_regions`` run, in a child process or this one; (region, run id,
    failure, whether it was interrupted)."""
    if progress:
        _setup_progress()
    try:
        return region, _execute("link_regions", region, tags), None, False
    except CliError as exc:
        return region, None, str(exc), isinstance(exc, Interrupted)


def region_workers(regions: list[str]) -> int:
    """How many regions ``lindungi run`` links at once: ``LINDUNGI_MAX_CONCURRENT``, else the
    CPU count, except on a machine of two cores or fewer, where it is one. There polars' threads
    already fill both cores within a region, and a region's process of its own costs ~2 s of
    start (Python, Dagster, the instance) and 2-4 s of CPU: one after the other in this process,
    two kab/kota of 100k each took 11.0-12.2 s against 13.0-13.2 s side by side, two of 500k
    43.3 s against 45.3 s at the same peak memory (alternating, quiet machine)."""
    cpus = os.cpu_count() or 1
    return max(1, min(len(regions), int(os.environ.get("LINDUNGI_MAX_CONCURRENT") or (cpus if cpus > 2 else 1))))


def link_regions(regions: list[str], tags: dict) -> dict[str, str]:
    """One ``link_regions`` run per region of the extract: {region: run id}.

    With one worker (:func:`region_workers`) they run in this process, one after the other.
    Otherwise side by side, each in a process of its own, that many at a time: each is an
    ordinary Dagster run of one partition on the same instance, as the daemon's run launcher
    would start them. (In production the sensor ``link_regions_after_ingest`` requests these
    runs and the run queue bounds them; see deploy/.)"""
    from dagster_project.schedules import REGION_TAG

    if len(regions) <= 1:
        return {r: _execute("link_regions", r, {**tags, REGION_TAG: r}) for r in regions}
    workers, region_tags = region_workers(regions), [{**tags, REGION_TAG: r} for r in regions]
    if workers == 1:  # every region tried, as side by side, a failed one named at the end
        done = [_link_region_worker(r, t, False) for r, t in zip(regions, region_tags)]
    else:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        progress = bool(logging.getLogger("lindungi.progress").handlers)
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                 initializer=_region_worker_start) as pool:
            done = list(pool.map(_link_region_worker, regions, region_tags, [progress] * len(regions)))
    failed = [(r, why) for r, _, why, _ in done if why]
    if failed:
        # (interrupted: exit 130, as in the other steps; it exited 1 here: a re-check)
        error = Interrupted if any(stopped for *_, stopped in done) else CliError
        raise error("; ".join(f"region {r}: {why}" for r, why in failed))
    return {r: run_id for r, run_id, _, _ in done}


def run_pipeline(input_dir: str, period: str, out_dir: str, db: str | None = None, rules: str | None = None,
                 full_nik: bool = False, allow_smaller_extract: bool = False) -> dict:
    """Materialize every asset for ``period``; return a summary dict. Raises CliError.
    ``allow_smaller_extract``: a kab/kota of under half the residents its last linking had is
    taken (``assets.ingest.SMALLER_EXTRACT``), not refused."""
    from quality.expectations import start_worker, stop_worker

    # GX imported in a process of its own, beside Dagster's start and the ingest; started first,
    # before this process imports polars
    start_worker()
    try:
        return _run_started(input_dir, period, out_dir, db, rules, full_nik, allow_smaller_extract)
    except BaseException:
        # a run refused or failed: the command ends now, not once GX's import in the worker is
        # done (a period outside the partitions took 4.3 s to be refused, 1.4 s of it the refusal)
        stop_worker()
        raise


def _run_started(input_dir: str, period: str, out_dir: str, db: str | None, rules: str | None,
                 full_nik: bool, allow_smaller_extract: bool = False) -> dict:
    """``run_pipeline`` once the GX worker is started."""
    from pipelines.db import checked_executor_name
    from pipelines.pseudonym import key_from_env
    from pipelines.rules import load_rules

    _period(period)
    _inputs_checked(lambda: load_rules(rules), key_from_env, lambda: _extracts_found(input_dir), checked_executor_name)
    _writable_dir(out_dir, "--out", private=True)
    with _one_run_at_a_time(out_dir):
        return _run_alone(input_dir, period, out_dir, db, rules, full_nik, allow_smaller_extract)


RUN_LOCK, OUT_LOCK = "run.lock", ".lindungi-run.lock"


@contextlib.contextmanager
def _one_run_at_a_time(out_dir: str):
    """Hold the state directory (its Dagster instance) and the output folder for this run alone;
    a run that finds either held says so and waits for it. Two runs at once on one instance
    refused each other's linkage as older than the last ingest, and two on one folder read each
    other's files: a run of a corrected roster submitted the other extract's candidates, under
    its own input files in the processing log. A lock ends with its process, killed too."""
    state = _state()
    with contextlib.ExitStack() as held:
        for path in (state / RUN_LOCK, Path(out_dir) / OUT_LOCK):  # always in this order: no deadlock
            held.enter_context(_locked(path, f"pid {os.getpid()}", lambda who, where=path.parent: _say(
                f"waiting for the `lindungi run` using {where} ({who}) to end ...")))
        yield


def _locked(path: Path, note: str, held):
    """``path`` open and locked for this process alone (flock: released when it ends, killed
    too), with ``note`` in it for whoever finds it locked. Locked by another process:
    ``held(its note)`` first, which raises to give up or returns to wait for it."""
    import fcntl

    f = open(path, "a+")
    try:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            f.seek(0)
            held(f.read().strip() or "another process")
            fcntl.flock(f, fcntl.LOCK_EX)
        f.seek(0)
        f.truncate()
        f.write(note + "\n")
        f.flush()
    except BaseException:
        f.close()
        raise
    return f


def _run_alone(input_dir: str, period: str, out_dir: str, db: str | None, rules: str | None,
               full_nik: bool, allow_smaller_extract: bool = False) -> dict:
    """``_run_started`` once this run holds its state directory and output folder."""
    from pipelines.bpjs_exchange import dropped_later_back
    from pipelines.candidates import protection_words
    from pipelines.processes import imports_uncollected
    from pipelines.readers import find_extract
    from pipelines.reports import changed_gap_lists
    from pipelines.rules import load_rules
    from quality.expectations import warm_sql

    t0 = time.monotonic()
    # progress lines count from here, as the summary's elapsed time does (not from the later
    # import of the assets, ~3 s on)
    os.environ.setdefault("LINDUNGI_PROGRESS_T0", repr(t0))
    with imports_uncollected():
        database = _database(db)
        _set_env(input_dir, out_dir, None, rules, full_nik, allow_smaller_extract)
        _dagster_home()
        from dagster_project.schedules import INGEST_TAG, PERIOD_TAG, extract_regions

        abandoned = fail_abandoned_runs()  # opens the instance (its storages' imports)
        import dagster_project.definitions  # noqa: F401 - the assets, which the runs load
    if abandoned:
        _say(f"marked {len(abandoned)} run(s) of an earlier `lindungi run` that was killed as failed")
    tags = {COMMAND_TAG: "run", **_folder_tags(input_dir, out_dir), **_owner()}
    ingest = _execute("ingest", None, {**tags, PERIOD_TAG: period})
    ingested = time.monotonic()
    regions = extract_regions()  # of the residents just ingested (LINDUNGI_OUT is out_dir)
    if not regions:  # every row quarantined: nothing to link, assess or submit
        quarantine = Path(out_dir) / "penduduk_quarantine.parquet"
        raise CliError(f"{find_extract(input_dir, 'penduduk').name}: no row was accepted, every one is in "
                       f"{quarantine} with its reason; nothing to link or submit")
    region_runs = link_regions(regions, {**tags, INGEST_TAG: ingest})
    linked = time.monotonic()
    dsn = _database_ready(database)  # the period's assets are the first to use it
    os.environ["LINDUNGI_DB_URL"] = dsn
    warm_sql(dsn)  # GX's connection to it, made in the worker while the period's first steps run
    result_id = _execute("lindungi", period, {**tags, INGEST_TAG: ingest})
    done = time.monotonic()
    summary = summarize(out_dir, period, dsn)
    # where the time went, for a data engineer comparing runs (the steps' own times are in the UI)
    summary["stages_s"] = {"start and ingest": round(ingested - t0, 1), "linking": round(linked - ingested, 1),
                           "the period's assets": round(done - linked, 1)}
    summary["left_out"] = _left_out(period)
    summary["moved_to_inbox"], summary["moved_in_other_formats"] = _moved_to_inbox(period)
    summary["changed_lists_elsewhere"] = {p: len(files) for p, files in changed_gap_lists(Path(out_dir), period).items()}
    summary["dropped_later"] = dropped_later_back(dsn, period, max_age=load_rules(rules).max_age)
    summary["full_nik"] = full_nik
    summary["programs"] = protection_words(load_rules(rules))  # as the reasons name them: JKK+JKM
    summary["run_id"] = result_id
    summary["runs"] = {"ingest": ingest, "regions": region_runs, "period": result_id}
    summary["dagster_home"] = os.environ["DAGSTER_HOME"]
    summary["elapsed_s"] = round(time.monotonic() - t0, 1)
    return summary


LAST_RUN_FILE = "last-run.json"  # in the state directory: the folders of its last `lindungi run`


def _folder_tags(input_dir: str, out_dir: str) -> dict:
    """The run's input and output folder tags, long digit runs starred (``mask_file_name``): a
    folder named after a NIK (``/data/6474…0001/``) was kept whole in every run's tags, which the
    UI shows. The folders themselves, which ``lindungi ui`` takes as its defaults, are written to
    the state directory (``LAST_RUN_FILE``), beside the database and the pseudonym key."""
    import json

    from pipelines.nik import mask_file_name

    folders = {"input": str(Path(input_dir).resolve()), "out": str(Path(out_dir).resolve())}
    last = _state() / LAST_RUN_FILE
    tmp = last.with_name(last.name + ".tmp")
    tmp.write_text(json.dumps(folders) + "\n", encoding="utf-8")
    tmp.chmod(0o600)
    os.replace(tmp, last)
    return {INPUT_TAG: mask_file_name(folders["input"]), OUT_TAG: mask_file_name(folders["out"])}


def _extracts_found(input_dir: str) -> None:
    """InputError unless ``input_dir`` holds one extract of each source."""
    from pipelines.readers import InputError, find_extract
    from pipelines.schema import SOURCES

    if not input_dir.strip():  # "" is the current folder to Path
        raise InputError("--input: an empty path, expected the input directory")
    for source in SOURCES:
        find_extract(input_dir, source)


def _inputs_checked(*checks) -> None:
    """Run each check in turn, before any work: a bad rules file, key or input folder (their
    ValueError or InputError) is the command's one-line error."""
    from pipelines.readers import InputError

    try:
        for check in checks:
            check()
    except (ValueError, InputError) as exc:
        raise CliError(str(exc)) from None


def _database(db: str | None):
    """A Future of the migrated database's DSN.

    The connection and migrations run in a thread: nothing before the period's assets uses the
    database, and the embedded server's start (1.5 s, 3 s the first time) overlaps Dagster's
    and the ingest. A DSN given (``--db`` or $LINDUNGI_DB_URL) is waited for here, so a wrong
    one fails at once."""
    from concurrent.futures import ThreadPoolExecutor

    from pipelines import db as dbmod

    def migrated() -> str:
        dsn = dbmod.resolve_dsn(db)
        dbmod.migrate(dsn)
        return dsn

    pool = ThreadPoolExecutor(1, thread_name_prefix="lindungi-db")
    future = pool.submit(migrated)
    pool.shutdown(wait=False)
    # where the DSN came from, for its failure's line: a $LINDUNGI_DB_URL forgotten in the shell
    # failed as "connection refused", with no word of it (a data engineer's review)
    future.source = _dsn_source(db)
    if db or os.environ.get("LINDUNGI_DB_URL"):
        _database_ready(future)
    return future


def _database_ready(database) -> str:
    """The DSN from ``_database``, waiting for it; CliError when the database failed."""
    try:
        return database.result()
    except Exception as exc:  # noqa: BLE001 - connection trouble is one line for the user
        raise CliError(_database_line(exc, getattr(database, "source", None))) from None


def _database_line(exc: BaseException, source: str | None = None) -> str:
    """A database failure as the one line the commands say: "database: " and its first line,
    with any password in it starred (psycopg quotes a DSN it cannot parse), and ``source``, where
    the DSN came from (``--db``, ``$LINDUNGI_DB_URL``), when given."""
    from pipelines.db import redact_password

    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return f"database: {redact_password(first)}" + (f" (the DSN of {source})" if source else "")


def _counted(asset: str, period: str, keys: tuple[str, ...]) -> dict[str, int]:
    """The counts ``keys`` of the materialization of ``asset`` this run just made for ``period``
    (those it recorded; none when its latest materialization is of another period)."""
    import dagster as dg

    event = _instance().get_latest_materialization_event(dg.AssetKey(asset))
    mat = event.asset_materialization if event is not None else None
    if mat is None or mat.partition != period:
        return {}
    return {k: int(mat.metadata[k].value) for k in keys if k in mat.metadata}


def _left_out(period: str) -> dict[str, int]:
    """Whom the period's candidates leave out although the rules alone would list them, from the
    ``enrollment_candidates`` materialization just made: held by BPJS from another period's export
    (or accepted from this period's), verified by a kelurahan as not to enroll. (A progress line
    said so; the summary did not.)"""
    return _counted("enrollment_candidates", period, ("held_by_bpjs", "excluded_by_verification"))


def _moved_to_inbox(period: str) -> tuple[int, int]:
    """How many files the ``gap_lists`` materialization just made found changed in the period's
    folder (a list filled in where it lay) and moved to the verification inbox, not applied, and
    how many of them are in another format than .xlsx: only a progress line said so, and the
    coordinator's corrections waited unseen (a coordinators' review)."""
    keys = ("moved_to_inbox", "moved_in_other_formats")
    counted = _counted("gap_lists", period, keys)
    return tuple(counted.get(k, 0) for k in keys)


LABEL_MIN_RESIDENTS = 5  # an occupation label's first word the summary names is carried by at least this
# many residents; the label is cut to this many characters first (the field holds whatever was typed)
LABEL_CHARS = 41


def summarize(out_dir: str, period: str, dsn: str) -> dict:
    import polars as pl
    import psycopg

    from pipelines.candidates import UNJUDGED_FLAGS
    from pipelines.dates import period_start
    from pipelines.nik import starred_and_cut
    from pipelines.partitioning import region_sizes
    from pipelines.siak import FIRST_WORD

    out = Path(out_dir)

    def rows(name: str) -> int:
        p = out / f"{name}.parquet"
        return pl.scan_parquet(p).select(pl.len()).collect().item() if p.exists() else 0

    sources = {}
    for src, acc in (("penduduk", "residents"), ("dtsen", "welfare_records"), ("peserta_bpjstk", "participants")):
        a, q = rows(acc), rows(f"{src}_quarantine")
        sources[src] = {"read": a + q, "accepted": a, "quarantined": q}
    links = {}
    for name in ("welfare_links", "participant_links"):
        df = pl.read_parquet(out / f"{name}.parquet", columns=["method"])
        links[name] = dict(df.group_by("method").len().sort("method").iter_rows())
    cands = pl.read_parquet(out / "enrollment_candidates" / f"{period}.parquet",
                            columns=["iuran_bulanan", "disabilitas", "mungkin_terdaftar"])
    # residents no rule could judge, by the flags that stop it: a whole extract without region
    # codes (NO_KEL in a form not understood) ended with 0 candidates and nothing said why
    # (a resident born after the period's first day is not judged either, with no flag: no data
    # to fix, counted apart; the count and its breakdown disagreed)
    stopped = pl.col("flags").list.eval(pl.element().is_in(list(UNJUDGED_FLAGS))).list.any()
    assessed = pl.scan_parquet(out / "resident_assessment" / f"{period}.parquet")
    unjudged = (assessed.filter(~pl.col("judgeable"))
                .select("flags", "JENIS_PKRJN", "informal",
                        unborn=(pl.col("TGL_LHR") > pl.lit(period_start(period))).fill_null(False) & ~stopped)
                .collect())
    unborn = int(unjudged["unborn"].sum())
    unjudged = unjudged.filter(~pl.col("unborn"))
    why = (unjudged.explode("flags").filter(pl.col("flags").is_in(list(UNJUDGED_FLAGS)))
           .group_by("flags").len().sort(["len", "flags"], descending=[True, False]))
    # the labels SIAK has no code for that most of them carry (OJEK ONLINE, KURIR): the rules'
    # informal_label_prefixes can make one informal work. By their first word, as the prefixes
    # take them ("PENJUAL …" for PENJUAL KUE and PENJUAL SAYUR), one LABEL_MIN_RESIDENTS or more
    # residents carry, digits starred: the field holds whatever was typed, a name or a NIK too.
    # Names a shifted column put there were printed whole (a mother's name, five residents
    # each), and matching them against the residents' names hid PENJUAL BUNGA for a resident
    # called BUNGA (a privacy audit and its re-check). (A label the rules judge, TUKANG PIJAT, is
    # informal already: not judged for another reason; a number is a code SIAK does not have,
    # which no prefix in the rules can take.)
    text = starred_and_cut(pl.col("JENIS_PKRJN").str.strip_chars(), LABEL_CHARS)
    labels = (unjudged.filter(pl.col("flags").list.contains("occupation_unknown") & ~pl.col("informal")
                              & ~pl.col("JENIS_PKRJN").str.contains(r"^[0-9]+$").fill_null(True))
              .select(text=text).with_columns(first=pl.col("text").str.extract(f"^({FIRST_WORD})", 1))
              .group_by("first").agg(pl.len(), more=(pl.col("text") != pl.col("first")).any())
              .select(label=pl.when("more").then(pl.col("first") + " …").otherwise("first"), len="len")
              .filter(pl.col("len") >= LABEL_MIN_RESIDENTS).sort(["len", "label"], descending=[True, False]).head(5))
    # of them, those a fix could make candidates (assets.candidates.residents_to_fix): on their
    # kelurahan's list, or counted in their kab/kota's row without a kelurahan code
    coverage = out / "coverage_by_kelurahan" / f"{period}.parquet"
    to_fix = pl.col("perlu_perbaikan")
    listed, nowhere = (pl.scan_parquet(coverage).select(
        to_fix.filter(pl.col("kode_kel").is_not_null()).sum(), to_fix.filter(pl.col("kode_kel").is_null()).sum()
        .alias("nowhere")).collect().row(0) if coverage.exists() else (0, 0))
    # the premiums already paid for those BPJS accepted (the coverage page's card), beside the
    # candidates' own: the candidates' alone shrank as they were sent while the bill grew
    paid = (pl.scan_parquet(coverage).select(pl.col("diterima_bpjs").sum(), pl.col("iuran_diterima_bulanan").sum())
            .collect().row(0) if coverage.exists() and "diterima_bpjs" in pl.read_parquet_schema(coverage) else (0, 0))
    # the period's rows of this extract's kab/kota, and apart those of kab/kota it does not hold
    # (another city's extract, or an earlier one): a run speaks for its own regions only, and
    # "pending 496" beside "candidates: 403" said nothing of the 93 left as they were
    regions = sorted(region_sizes(assessed.select("kode_kab", "NIK")))
    with psycopg.connect(dsn) as conn:
        counted = conn.execute(
            "SELECT status, region, count(*) FROM bpjs.submission_candidate WHERE period = %s GROUP BY 1, 2",
            (period,)).fetchall()
    # what this run changed: the submission asset's batches (one per region)
    batches = out / "bpjs_submission" / f"{period}.parquet"
    counted_as = ("inserted", "updated", "withdrawn", "reranked", "kept_as_sent")
    changed = (pl.read_parquet(batches).select(pl.col(c).sum() for c in counted_as if c in pl.read_parquet_schema(batches))
               .row(0, named=True) if batches.exists() else {})
    sub, elsewhere = {}, {}
    for status, region, n in counted:
        into = sub if region in regions else elsewhere.setdefault(region, {})
        into[status] = into.get(status, 0) + n
    return {
        "period": period, "sources": sources, "links": links,
        "candidates": cands.height, "with_disability": int(cands["disabilitas"].sum()),
        "possibly_registered": int(cands["mungkin_terdaftar"].is_not_null().sum()),
        "monthly_premium": int(cands["iuran_bulanan"].sum()),
        "accepted_paid": {"workers": int(paid[0] or 0), "monthly_premium": int(paid[1] or 0)},
        "submission": sub, "submission_changed": changed, "submission_elsewhere": elsewhere,
        "out": str(out.resolve()),
        "not_judged": {"residents": unjudged.height, "by_flag": dict(why.iter_rows()), "born_after_period": unborn,
                       "to_fix_listed": int(listed or 0), "to_fix_without_kelurahan": int(nowhere or 0),
                       "unknown_occupations": dict(labels.iter_rows())},
    }


def print_summary(s: dict, dsn_hint: str) -> None:
    from pipelines.candidates import NO_KELURAHAN
    from pipelines.files import WITHOUT_KELURAHAN

    out = s["out"]
    p = s["period"]
    stages = ", ".join(f"{k} {v}" for k, v in (s.get("stages_s") or {}).items())
    print(f"\nLindungi — period {p}  ({s['elapsed_s']} s{': ' + stages if stages else ''}; run {s['run_id'][:8]})")
    print(f"{'source':<16}{'read':>10}{'accepted':>10}{'quarantined':>13}")
    for src, c in s["sources"].items():
        print(f"{src:<16}{c['read']:>10,}{c['accepted']:>10,}{c['quarantined']:>13,}")
    for name, by in s["links"].items():
        print(f"{name:<18} " + ", ".join(f"{k} {v:,}" for k, v in by.items()))
    print(f"enrollment candidates: {s['candidates']:,} ({s['with_disability']:,} with a disability), "
          f"Rp{s['monthly_premium']:,}/month, Rp{s['monthly_premium'] * 12:,}/year")
    paid = s.get("accepted_paid") or {}
    if paid.get("workers"):
        print(f"  already paid for: {paid['workers']:,} accepted by BPJS from exports, "
              f"Rp{paid['monthly_premium']:,}/month, Rp{paid['monthly_premium'] * 12:,}/year")
    if s.get("possibly_registered"):
        print(f"  possibly registered already: {s['possibly_registered']:,} (an active {s.get('programs', 'JKK+JKM')} "
              "card similar to them stayed in participant_link_review; the gap lists ask the visit to check)")
    unjudged = s.get("not_judged") or {}
    if unjudged.get("residents"):
        most = unjudged["residents"] * 2 > s["sources"]["penduduk"]["accepted"]
        print(("  WARNING: most residents could not be judged" if most else "  not judged")
              + f": {unjudged['residents']:,} residents whose data needs fixing first ("
              + ", ".join(f"{k} {v:,}" for k, v in unjudged["by_flag"].items())
              + "; the flags column of residents.parquet)")
        if unjudged.get("unknown_occupations"):
            print("    occupations SIAK has no code for, most often, by their first word: "
                  + ", ".join(f"{k} {v:,}" for k, v in unjudged["unknown_occupations"].items())
                  + " (the rules' informal_label_prefixes can make one informal work)")
        if unjudged.get("to_fix_listed"):
            print(f"    {unjudged['to_fix_listed']:,} of them could be candidates once fixed: listed for their kelurahan "
                  "(gap lists, sheet 'Perlu Perbaikan Data'; the coverage page's 'Data perlu diperbaiki')")
        if unjudged.get("to_fix_without_kelurahan"):
            print(f"    {unjudged['to_fix_without_kelurahan']:,} more could be, but have no kelurahan code: listed per "
                  f"kab/kota for its staff ({s['out']}/{WITHOUT_KELURAHAN}/{s['period']}/<kode_kab>.xlsx), counted in "
                  f"its row '{NO_KELURAHAN}' of the coverage page")
    if unjudged.get("born_after_period"):
        print(f"  not judged either: {unjudged['born_after_period']:,} residents born after the period began "
              "(the extract is later than the period)")
    left = s.get("left_out") or {}
    if left.get("held_by_bpjs") or left.get("excluded_by_verification"):
        print(f"  not listed: {left.get('held_by_bpjs', 0):,} sent to BPJS in another period's export "
              f"(awaiting its answer or accepted) or accepted from this period's, the roster not showing them yet, "
              f"{left.get('excluded_by_verification', 0):,} verified by a kelurahan as not to enroll")
    if s.get("moved_to_inbox"):
        from pipelines.files import RETURNED_LISTS, SAVE_AS_XLSX

        other = s.get("moved_in_other_formats") or 0
        print(f"  WARNING: {s['moved_to_inbox']:,} workbook(s) in {out}/gap_lists/{p}/ changed since they were "
              f"written (filled in where they lay?) are moved to {out}/{RETURNED_LISTS}/{p}/ and NOT applied: this run "
              f"did not use them; apply each with `lindungi verification FILE --period {p}` (or turn on "
              "verification_sensor), then run the period again"
              + (f"; {other:,} of them in another format than .xlsx: open each and save it as {SAVE_AS_XLSX} "
                 "first" if other else ""))
    for q, n in sorted((s.get("changed_lists_elsewhere") or {}).items()):
        print(f"  WARNING: {n:,} file(s) in {out}/gap_lists/{q}/ changed since they were written (filled in where they "
              f"lay?) and NOT applied: this run did not use their results; apply each with `lindungi verification FILE "
              f"--period {q}` (a .xlsx; save another format as one first), then run again")
    if s.get("dropped_later"):
        # (a month run again from an older extract listed them, and its gap lists and coverage page
        # counted them, without a word that the export would leave them out; an outside review)
        print(f"  the export leaves out {_pending(s['dropped_later'])} of {p}: a later period's run no "
              "longer lists them (protected by then, moved away or no longer eligible) and this extract is not "
              "newer than that run's; the gap lists and coverage page still count them")
    print("bpjs.submission_candidate: " + (", ".join(f"{k} {v:,}" for k, v in sorted(s["submission"].items()))
                                            or f"no row for {s['period']}"))
    changed = s.get("submission_changed")
    if changed:
        print(f"  this run: {changed['inserted'] or 0:,} inserted, {changed['updated'] or 0:,} updated, "
              f"{changed['withdrawn'] or 0:,} withdrawn"
              + (f", {changed['reranked']:,} moved in rank alone" if changed.get("reranked") else "")
              + (f", {changed['kept_as_sent']:,} kept as sent (BPJS has them; the list would change them now)"
                 if changed.get("kept_as_sent") else ""))
    if s.get("submission_elsewhere"):
        print(f"  and rows of {s['period']} of kab/kota this extract does not hold, left as they are (a run of an "
              "extract holding them updates or withdraws them): "
              + "; ".join(f"{region} " + ", ".join(f"{k} {v:,}" for k, v in sorted(by.items()))
                          for region, by in sorted(s["submission_elsewhere"].items())))
    print("outputs:")
    print(f"  {out}/<asset>.parquet and {out}/<asset>/{p}.parquet   (welfare_links, participant_links, "
          "enrollment_candidates, ...)")
    print(f"  {out}/gap_lists/{p}/<kode_kel>.xlsx" + ("   WARNING: full NIKs (--full-nik): personal data, "
                                                         "share with care" if s.get("full_nik") else ""))
    if (s.get("not_judged") or {}).get("to_fix_without_kelurahan"):
        print(f"  {out}/{WITHOUT_KELURAHAN}/{p}/<kode_kab>.xlsx   (residents to fix without a kelurahan code)"
              + ("   WARNING: full NIKs (--full-nik)" if s.get("full_nik") else ""))
    print(f"  {out}/coverage/{p}.html")
    print(f"  PostgreSQL {dsn_hint}: bpjs.submission_batch, bpjs.submission_candidate")
    print("open the Dagster UI on the same storage: lindungi ui")


# --- commands -----------------------------------------------------------------------------------

MAX_RESIDENTS = 20_000_000  # a larger world ran out of memory making its frames (MemoryError)


def _world_size(residents: int, seed: int) -> None:
    """CliError unless a world of ``residents`` can be generated with ``seed``."""
    if not 10 <= residents <= MAX_RESIDENTS:
        raise CliError(f"--residents {residents}: a world has at least 10 residents and at most "
                       f"{MAX_RESIDENTS:,} (the largest kab/kota, Bogor, has ~5.8M)")
    if seed < 0:
        raise CliError(f"--seed {seed}: expected a whole number, 0 or more")


def cmd_generate(args) -> int:
    from pipelines.generate import generate_world

    _world_size(args.residents, args.seed)
    _writable_dir(args.out_dir, "OUT_DIR")
    _no_other_format(Path(args.out_dir), args.format)
    t0 = time.monotonic()
    _say(f"generating {args.residents:,} residents (seed {args.seed}) into {args.out_dir} ...")
    w = generate_world(args.out_dir, residents=args.residents, seed=args.seed, fmt=args.format,
                       note=lambda stage: _say(f"[{time.monotonic() - t0:6.1f}s] {stage}"))
    print(f"wrote {w.residents:,} residents in {w.households:,} households, {w.welfare_records:,} welfare "
          f"records, {w.participants:,} roster records to {args.out_dir} (truth in {args.out_dir}/truth) "
          f"in {time.monotonic() - t0:.1f} s")
    return 0


def _no_other_format(out_dir: Path, fmt: str) -> None:
    """Refuse to generate a world beside extracts of another format: a Parquet world written into
    a folder of CSVs left penduduk.csv beside penduduk.parquet, and the next run stopped on
    "several penduduk extracts" (a docs review). The same format is written over."""
    from pipelines.readers import FORMATS

    other = sorted(p.name for p in out_dir.iterdir() if p.suffix.lower() in FORMATS and p.suffix.lower() != f".{fmt}"
                   and p.stem.lower() in ("penduduk", "dtsen", "peserta_bpjstk")) if out_dir.is_dir() else []
    if other:
        raise CliError(f"OUT_DIR {out_dir} holds {', '.join(other)} already: {fmt} extracts beside them would leave "
                       "two extracts of a source, which `lindungi run` refuses; remove them or choose another folder")


def cmd_run(args) -> int:
    _setup_progress()
    hint = "(--db / LINDUNGI_DB_URL)" if (args.db or os.environ.get("LINDUNGI_DB_URL")) else "(embedded: lindungi db url)"
    s = run_pipeline(args.input, args.period, args.out, args.db, args.rules, args.full_nik,
                     args.allow_smaller_extract)
    print_summary(s, hint)
    return 0


DEMO_RESIDENTS = 192_000  # Bontang's population


def cmd_demo(args) -> int:
    from pipelines.dates import this_month
    from pipelines.db import state_dir
    from pipelines.generate import generate_world

    _setup_progress()
    period = _period(args.period) if args.period else this_month()
    # (before the markers go: a refused size made the next demo generate its world again, and
    # the refusal was an unexpected ValueError: an outside review)
    _world_size(args.residents, args.seed)
    _writable_dir(args.out, "--out", private=True)
    world = state_dir() / "demo-input"
    db = _demo_database(args.db, world) or args.db
    marker = world / f".generated-{args.residents}-{args.seed}"
    if not marker.exists():
        size = "a Bontang-sized world" if args.residents == DEMO_RESIDENTS else "a world"
        _say(f"demo: generating {size} ({args.residents:,} residents, seed {args.seed}) ...")
        t0 = time.monotonic()
        # the markers go first: a generation killed half-way leaves no marker of the world it
        # was overwriting, so that world is never reused half-replaced
        for old in world.glob(".generated-*"):
            old.unlink()
        w = generate_world(world, residents=args.residents, seed=args.seed)
        marker.touch()
        _say(f"demo: {w.residents:,} residents, {w.welfare_records:,} welfare, {w.participants:,} roster records "
             f"in {time.monotonic() - t0:.1f} s")
    else:
        _say(f"demo: reusing the generated world in {world}")
    _say("demo: starting the embedded PostgreSQL and running every asset ...")
    # (into a database of its own beside other extracts' runs: ``_demo_database``)
    s = run_pipeline(str(world), period, args.out, db, allow_smaller_extract=args.allow_smaller_extract)
    print_summary(s, "(embedded: lindungi db url)" if not db else "(--db)" if db == args.db
                  else f"(embedded, database {DEMO_DB_NAME})")
    print(f"input world and ground truth: {world}")
    return 0


DEMO_DB_NAME = "lindungi_demo"  # the demo's own database on the embedded server, beside real runs'


def _demo_database(db: str | None, world: Path) -> str | None:
    """The DSN the demo submits into: None (``run_pipeline``'s own choice) unless the database
    it would use holds submissions of runs from any other input folder than the demo's world,
    whose candidates of the month its generated Bontang would replace (a re-check: a demo into
    a state directory of real runs withdrew 495 of 658). Then, on the embedded server, a
    database of the demo's own (``DEMO_DB_NAME``) on the same server, said; a database given
    (``--db``, $LINDUNGI_DB_URL: a shared one) is refused. A state directory without a database
    yet, and a database without the tables, have no such runs."""
    import psycopg

    from pipelines import db as dbmod
    from pipelines.nik import mask_file_name

    source = _dsn_source(db)
    if source is None and not (dbmod.state_dir() / "pgdata").is_dir():
        return None
    try:
        dsn = dbmod.resolve_dsn(db)
        with psycopg.connect(dsn) as conn:
            if conn.execute("SELECT to_regclass('bpjs.processing_log')").fetchone()[0] is None:
                return None
            others = [r[0] for r in conn.execute(
                "SELECT DISTINCT inputs->>'input_dir' FROM bpjs.processing_log WHERE activity = 'submission' "
                "AND inputs ? 'input_dir' AND inputs->>'input_dir' <> %s",
                (mask_file_name(str(world.resolve())),))]
        if not others:
            return None
        if source is not None:
            raise CliError(f"the database of {source} holds runs of {len(others)} other input folder(s) (e.g. "
                           f"{others[0]}): the demo's generated Bontang would replace their candidates of the "
                           "month. Run the demo without --db or $LINDUNGI_DB_URL (on the embedded server)")
        own = dbmod.embedded_start(database=DEMO_DB_NAME)
    except (ValueError, RuntimeError, psycopg.Error) as exc:
        raise CliError(_database_line(exc, source)) from None
    _say(f"demo: the embedded database holds runs of {len(others)} other input folder(s): the demo submits into "
         f"a database of its own on the same server, {DEMO_DB_NAME} (lindungi db url names the other)")
    return own


def cmd_ui(args) -> int:
    from pipelines import db as dbmod
    from pipelines.rules import load_rules

    # what the schedule, the sensors and the UI's runs will read, checked before the UI starts
    _inputs_checked(lambda: load_rules(args.rules), dbmod.checked_executor_name,
                    *([lambda: _extracts_found(args.input)] if args.input else []))
    lock = _one_ui(args.host, args.port)
    home = _dagster_home()
    # without --input: the extracts the last `lindungi run` on this state directory read (its run
    # in the UI's history says so), before the demo's world: after `lindungi run --input W`, the
    # UI's own ingest read <state>/demo-input, which was not there (a UI review)
    last_input, last_out = _last_run_folders()
    input_dir = (args.input or os.environ.get("LINDUNGI_INPUT") or last_input
                 or str(dbmod.state_dir() / "demo-input"))
    # the output folder of that same run when its input is the one taken: the UI paired the last
    # run's extracts with ./lindungi-data, another world's outputs (a data engineer's review)
    out_dir = (args.out or os.environ.get("LINDUNGI_OUT")
               or (last_out if last_out and not args.input and input_dir == last_input else None) or "lindungi-data")
    dsn = _ui_dsn(args.db)
    _set_env(input_dir, out_dir, dsn, args.rules, False)
    _say(f"input: {Path(input_dir).resolve()}; out: {Path(out_dir).resolve()}; database: "
         + ("--db / $LINDUNGI_DB_URL" if dsn else "embedded (lindungi db url)")
         + f"; rules: {os.environ['LINDUNGI_RULES'] or 'the packaged defaults'}")
    if not Path(input_dir).is_dir():
        _say(f"warning: {Path(input_dir).resolve()} does not exist: the UI's ingest runs and the monthly schedule "
             "will fail until `lindungi ui --input DIR` names the extracts")
    _say(f"Dagster UI on http://{args.host}:{args.port} (DAGSTER_HOME={home}); Ctrl-C to stop")
    cmd = [sys.executable, "-m", "dagster", "dev", "-m", DEFINITIONS_MODULE,
           "-h", args.host, "-p", str(args.port)]
    # Dagster's beta and supersession warnings about its own definitions API are for us, not for
    # whoever opens the UI (they scrolled past the UI's address); PYTHONWARNINGS given wins
    env = {"PYTHONWARNINGS": "ignore", **os.environ}
    with lock:
        _adopt_orphans()
        try:
            return _serve(subprocess.Popen(cmd, env=env, preexec_fn=_interruptible))
        finally:
            _stop_orphans()


def _last_run_folders() -> tuple[str | None, str | None]:
    """The input and output folders of the latest `lindungi run` on this state directory: its
    ``LAST_RUN_FILE``, else (a run of a version before it) the ``INPUT_TAG`` and ``OUT_TAG`` of
    the latest such run in the Dagster history, unless starred (``_folder_tags``) or, for the
    output, missing (a run before it was tagged); None when there is none or neither can be read."""
    import json

    try:
        folders = json.loads((_state() / LAST_RUN_FILE).read_text(encoding="utf-8"))
        return folders.get("input"), folders.get("out")
    except (OSError, ValueError, AttributeError):
        pass
    try:
        import dagster as dg

        runs = _instance().get_runs(filters=dg.RunsFilter(tags={COMMAND_TAG: "run"}), limit=1)
        if not runs:
            return None, None
        return tuple(f if f and "*" not in f else None for f in (runs[0].tags.get(INPUT_TAG), runs[0].tags.get(OUT_TAG)))
    except Exception:  # noqa: BLE001 - a default, never a reason not to start the UI
        return None, None


def _ui_dsn(db: str | None) -> str | None:
    """The DSN the UI's runs are given: ``--db`` or $LINDUNGI_DB_URL; else none, the embedded
    server started now, and by each run again when it finds it stopped (``resolve_dsn``), as
    `lindungi run` does. Pinned to its socket, a run started from the UI after `lindungi db stop`
    or a reboot failed at its first database step, with no word of starting it (an operations
    review)."""
    from pipelines import db as dbmod

    dsn = db or os.environ.get("LINDUNGI_DB_URL")
    if not dsn:
        dbmod.embedded_start()
    return dsn or None


UI_LOCK = "ui.lock"


def _one_ui(host: str, port: int):
    """The state directory held for this UI (the open lock file), once its port is free. Two UIs
    on one state directory ran two Dagster daemons on one instance, which Dagster does not
    support (each sensor tick and queued run handled twice); and on a port in use, dagster dev's
    webserver failed to bind but stayed up, its daemon beside the other UI's, while the address
    printed showed the other UI."""
    import errno
    import socket

    state = _state()

    def refuse(who: str):
        raise CliError(f"another `lindungi ui` uses the state directory {state} ({who}): stop it, "
                       "or set LINDUNGI_HOME to another")

    f = _locked(state / UI_LOCK, f"pid {os.getpid()}, http://{host}:{port}", refuse)
    try:
        family, _, _, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        with socket.socket(family) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the webserver binds
            s.bind(address)
    except OSError as exc:
        f.close()
        if exc.errno == errno.EADDRINUSE:
            raise CliError(f"port {port} on {host} is in use (another `lindungi ui`?): choose another with "
                           "--port") from None
        raise CliError(f"cannot serve on {host}:{port}: {exc.strerror or exc}") from None
    return f


def _interruptible() -> None:
    """(In the child, before exec) SIGINT to its default. Started in the background (``&`` in a
    script, nohup) the child inherits SIGINT ignored, and dagster dev, which handles SIGTERM as it
    handles SIGINT, then ignored SIGTERM too: nothing stopped it but SIGKILL."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _adopt_orphans() -> None:
    """Make this process the one that inherits its descendants when their parent ends (Linux's
    child subreaper), for :func:`_stop_orphans`. dagster dev's webserver and daemon each start a
    code server, which outlived them by up to 45 s (its heartbeat's timeout) when `lindungi ui`
    was stopped, orphaned to init (a docs review)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):  # not Linux: the code servers end on their own, later
        pass


def _stop_orphans(grace_s: float = 5.0) -> None:
    """Stop the Dagster processes left this process's children once dagster dev has ended (its
    code servers, adopted by :func:`_adopt_orphans`): SIGTERM, then SIGKILL after ``grace_s``.
    Only Dagster's: an embedded PostgreSQL a run of the UI started again is adopted too, and
    keeps running, as after any command."""
    import signal

    def children() -> list[int]:
        mine = []
        for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as f:
                        if int(f.read().rsplit(")", 1)[1].split()[1]) != os.getpid():
                            continue
                    with open(f"/proc/{entry}/cmdline", "rb") as f:
                        if b"dagster" in f.read():
                            mine.append(int(entry))
                except (OSError, ValueError, IndexError):
                    continue
        return mine

    def reap() -> None:
        with contextlib.suppress(ChildProcessError):
            while os.waitpid(-1, os.WNOHANG)[0]:
                pass

    left = children()
    for pid in left:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    while left and time.monotonic() < deadline:
        time.sleep(0.1)
        reap()
        left = children()
    for pid in left:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    reap()


def _serve(proc: subprocess.Popen) -> int:
    """Wait for ``dagster dev`` to end, passing it a SIGTERM or SIGHUP this process gets: it then
    stops its webserver, daemon and code server. (``subprocess.call`` passed nothing: a `kill` of
    `lindungi ui` left all four serving, orphaned.) Ctrl-C reaches the whole process group, so
    dagster dev is already stopping: waited for; a second Ctrl-C terminates it, a third kills it."""
    import signal

    def forward(signum, frame):
        proc.send_signal(signal.SIGTERM)

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, forward)
    interrupts = 0
    while True:
        try:
            return proc.wait()
        except KeyboardInterrupt:
            interrupts += 1
            if interrupts == 2:
                proc.terminate()
            elif interrupts > 2:
                proc.kill()


def cmd_db(args) -> int:
    from pipelines import db as dbmod

    if args.db and args.action != "migrate":
        # (`db url --db DSN` printed the embedded server's DSN, the one given ignored: a data
        # engineer's review)
        raise CliError(f"--db is for `lindungi db migrate`; `lindungi db {args.action}` is the embedded server's "
                       "(under $LINDUNGI_HOME)")
    if args.action == "start":
        _state()  # a state directory that cannot be one is named (it was Python's FileExistsError)
        print(dbmod.embedded_start())
    elif args.action == "stop":
        print("stopped" if dbmod.embedded_stop() else "not running")
    elif args.action == "url":
        url = dbmod.embedded_url()
        if url is None:
            # a DSN is the running server's (its socket and port are chosen at its start): one
            # not running is started, so that `psql "$(lindungi db url)"` always connects. It
            # exited 1 instead, where the contract says `url` prints the DSN
            print("the embedded PostgreSQL was not running: starting it ...", file=sys.stderr, flush=True)
            _state()
            url = dbmod.embedded_start()
        print(url)
    elif args.action == "migrate":
        try:
            dsn = dbmod.resolve_dsn(args.db)
        except (ValueError, RuntimeError) as exc:  # a DSN refused by name, or none in a cluster
            raise CliError(_database_line(exc)) from None
        applied = _migrated(dsn, _dsn_source(args.db))
        print("applied: " + (", ".join(applied) if applied else "nothing (up to date)"))
    return 0


def _migrated(dsn: str, source: str | None = None) -> list[str]:
    """``migrate(dsn)``; a connection or permission failure as one line, as `lindungi run`
    says it ("database: ..."), not the driver's exception class; ``source``: where the DSN came
    from (``_dsn_source``)."""
    import psycopg

    from pipelines import db as dbmod

    try:
        return dbmod.migrate(dsn)
    except psycopg.Error as exc:
        raise CliError(_database_line(exc, source)) from None


def _existing_database(db: str | None) -> str:
    """The DSN of a database `lindungi run` has written to, migrated: ``--db``,
    $LINDUNGI_DB_URL, or the embedded server of the state directory, which must exist. The state directory is
    ``./.lindungi`` of the folder a command runs in: from another folder, export made a new,
    empty database and found nothing to export, and a response file was refused row by row as
    "not a submitted candidate"."""
    from pipelines import db as dbmod

    if not (db or os.environ.get("LINDUNGI_DB_URL")) and not (dbmod.state_dir() / "pgdata").is_dir():
        raise CliError(f"no embedded database in {dbmod.state_dir()}: `lindungi run` has not used this state "
                       "directory (it is .lindungi in the folder a command runs in); run this from the folder "
                       "`lindungi run` ran in, or set LINDUNGI_HOME to its .lindungi, or give --db")
    source = _dsn_source(db)
    try:
        dsn = dbmod.resolve_dsn(db)
    except (ValueError, RuntimeError) as exc:  # a DSN refused by name (postgresql+psycopg2://): it names its source
        raise CliError(_database_line(exc)) from None
    _migrated(dsn, source)  # a connection failure in one line, as `lindungi run` says it
    return dsn


def _dsn_source(db: str | None) -> str | None:
    """Where a command's DSN comes from, for its failure's line: ``--db``, ``$LINDUNGI_DB_URL``,
    or None (the embedded server). A $LINDUNGI_DB_URL forgotten in the shell failed every
    database command as "connection refused", with no word of it (a data engineer's review)."""
    return "--db" if db else "$LINDUNGI_DB_URL" if os.environ.get("LINDUNGI_DB_URL") else None


def cmd_export(args) -> int:
    from pipelines.bpjs_exchange import (dropped_later_back, dropped_later_by, export_pending, held_back,
                                         verified_out_back)
    from pipelines.verification import WITHDRAWING
    from pipelines.rules import load_rules

    _period(args.period)
    if args.region is not None and not re.fullmatch(r"[0-9]{4}", args.region):
        raise CliError(f"--region must be a kab/kota code of 4 digits (e.g. 6474), got {args.region!r}")
    # every refusal before the folder is made: a refused export left an empty ./lindungi-data, and
    # a bad rules file surfaced as an unexpected ValueError
    try:
        rules = load_rules(args.rules)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    dsn = _existing_database(args.db)
    _writable_dir(args.out, "--out", private=True)
    path, n = export_pending(dsn, args.period, args.out, region=args.region, declared_income=rules.declared_income,
                             programs=rules.program_codes, max_age=rules.max_age)
    held = held_back(dsn, args.period, args.region)
    out = verified_out_back(dsn, args.period, args.region)
    later = dropped_later_back(dsn, args.period, args.region, rules.max_age)
    if path:
        print(f"exported {_pending(n)} to {path}; they are now 'submitted'")
    elif held or out or later:
        # (it said "no pending candidates" above the lines counting the pending ones left out: a
        # lifecycle review)
        print(f"nothing exported for {args.period}: every pending candidate"
              + (f" of region {args.region}" if args.region else "") + " is left out, as follows")
    else:
        import psycopg

        with psycopg.connect(dsn) as conn:
            regions = [r[0] for r in conn.execute(
                "SELECT DISTINCT region FROM bpjs.submission_candidate WHERE period = %s ORDER BY 1", (args.period,))]
        where = f" of region {args.region}" if args.region else ""
        print(f"no pending candidates{where} for {args.period}"
              + ("" if not args.region or args.region in regions else
                 f" (the period's regions: {', '.join(regions) or 'none: no `lindungi run` of this period'})"))
    if held:
        print(f"left out {_pending(held)}: BPJS has them from another period's export "
              f"(the next `lindungi run --period {args.period}` withdraws them)")
    if out:
        print(f"left out {_pending(out)} a kelurahan has verified as not to enroll since the run "
              f"({', '.join(sorted(WITHDRAWING))}; the next `lindungi run --period {args.period}` withdraws them)")
    if later:
        # (it said the next run "withdraws them if its extract says so too": run again from its own
        # older extract, the month listed them again and the export sent them; an outside review)
        # the later months whose runs decided, each with how many: a trial run of a later month on
        # a sample had left out every candidate, and nothing said which run (a data engineer's review)
        by = dropped_later_by(dsn, args.period, args.region, rules.max_age)
        print(f"left out {_pending(later)} the run of a later period no longer lists (protected by "
              f"then, moved away or no longer eligible; a `lindungi run --period {args.period}` decides them again "
              "only from an extract newer than that later run's): "
              + ", ".join(f"{n:,} by the last run of {p}" for p, n in by.items()))
    return 0


def _pending(n: int) -> str:
    """"1 pending candidate", "2 pending candidates" ("left out 1 pending candidates": a review)."""
    return f"{n:,} pending candidate" + ("" if n == 1 else "s")


def _given_file(name: str) -> Path:
    """The file a command was given, or its one-line refusal (a NIK in its name starred)."""
    from pipelines.nik import mask_file_name

    path = Path(name)
    if path.is_dir():
        raise CliError(f"{mask_file_name(name)}: is a folder, expected a file")
    if not path.is_file():
        raise CliError(f"{mask_file_name(name)}: no such file")
    return path


def cmd_response(args) -> int:
    from pipelines.bpjs_exchange import ResponseError, apply_response

    _given_file(args.file)
    dsn = _existing_database(args.db)
    try:
        r = apply_response(dsn, args.file)
    except ResponseError as exc:
        if len(exc.problems) > 5:  # the error line names the first five: every one is listed above it
            _say("\n".join(f"  {p}" for p in exc.problems))
        raise CliError(str(exc)) from None
    print(r.summary())
    return 0


def cmd_verification(args) -> int:
    """Apply one returned gap list now, as the ``verification_sensor`` does from the inbox (which
    needs ``lindungi ui`` running with the sensor turned on). The file stays where it is."""
    from pipelines.nik import mask_file_name
    from pipelines.pseudonym import key_from_env
    from pipelines.verification import VerificationError, apply_returned, stored_line

    _period(args.period)
    path = _given_file(args.file)
    _inputs_checked(key_from_env)  # (a bad key was an unexpected ValueError: an outside review)
    dsn = _existing_database(args.db)
    try:
        applied = apply_returned(dsn, path, args.period, Path(args.out))
    except VerificationError as exc:
        _say("\n".join(f"  {p}" for p in exc.problems))
        raise CliError(f"{exc.file} ditolak: {len(exc.problems)} masalah (di atas); tidak ada yang disimpan") from None
    # the results count in every period's run (not only the list's): said only when one was stored
    print(f"{stored_line(mask_file_name(path.name), applied)} (periode {args.period})"
          + ("; `lindungi run` berikutnya memakainya, untuk periode mana pun" if applied.changed else ""))
    return 0


def cmd_retention(args) -> int:
    from pipelines.dates import this_month
    from pipelines.retention import erase_expired, last_expired
    from pipelines.rules import load_rules

    as_of = _period(args.as_of, partition=False) if args.as_of is not None else this_month()
    try:
        rules = load_rules(args.rules)
        months = rules.retention_months
        last_expired(as_of, months)  # refused here, before the embedded server is started
    except ValueError as exc:
        raise CliError(str(exc)) from None
    if not Path(args.out).is_dir():
        raise CliError(f"--out {args.out}: no such directory (the one `lindungi run` wrote to)")
    dsn = _existing_database(args.db)
    line, done = erase_expired(args.out, dsn, months=months, as_of=as_of, dry_run=args.dry_run, rules=rules)
    print(line)
    _observe_erasure(done, as_of)
    if done is not None and done.not_erased:  # what was erased is said above and noted
        raise CliError(f"retention: {len(done.not_erased)} file(s) or folder(s) could not be erased (above)")
    return 0


def _observe_erasure(done, as_of: str) -> None:
    """The erased partitions noted in the Dagster history of the state directory, as the
    retention job notes them (``dagster_project.retention.erasure_observations``), when there is one."""
    from pipelines.db import state_dir

    home = state_dir() / "dagster_home"
    if done is None or not (home / "dagster.yaml").exists():
        return
    from dagster_project.retention import erasure_observations

    os.environ["DAGSTER_HOME"] = str(home)
    for event in erasure_observations(done, as_of):
        _instance().report_runless_asset_event(event)


OUT_HELP = "the output folder (default: %(default)s)"
DB_HELP = "PostgreSQL DSN (default: $LINDUNGI_DB_URL, else the embedded server)"
RULES_HELP = "rules TOML file (default: $LINDUNGI_RULES, else the packaged defaults)"
EPILOG = ("exit codes: 0 done, 1 refused or failed (one line on stderr), 2 bad usage, 130 stopped by Ctrl-C. "
          "State (embedded database, Dagster history, pseudonym key): $LINDUNGI_HOME, else ./.lindungi. "
          "Docs: docs/commands.md")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("lindungi")
    except PackageNotFoundError:
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="lindungi", description=__doc__.splitlines()[0], epilog=EPILOG)
    p.add_argument("--version", action="version", version=f"lindungi {_version()}")
    sub = p.add_subparsers(dest="command", required=True)

    def command(name: str, help: str) -> argparse.ArgumentParser:
        # each command's -h with the exit codes, and its own usage on a wrong option (``main``)
        command_parser = sub.add_parser(name, help=help, description=help, epilog=EPILOG)
        command_parser.set_defaults(command_parser=command_parser)
        return command_parser

    d = command("demo", "generate a Bontang-sized world and run the whole pipeline")
    d.add_argument("--residents", type=int, default=DEMO_RESIDENTS, help="residents of the world (default: %(default)s)")
    d.add_argument("--seed", type=int, default=2023, help="the world's random seed (default: %(default)s)")
    d.add_argument("--period", help="YYYY-MM (default: this month)")
    d.add_argument("--out", default="lindungi-data", help=OUT_HELP)
    d.add_argument("--db", help=DB_HELP)
    d.add_argument("--allow-smaller-extract", action="store_true",
                   help="take a world of under half the residents the last run had (as `lindungi run`)")
    d.set_defaults(func=cmd_demo)

    g = command("generate", "write a synthetic input directory plus ground truth")
    g.add_argument("out_dir", help="the folder to write penduduk, dtsen, peserta_bpjstk and truth/ into")
    g.add_argument("--residents", type=int, default=192_000, help="residents of the world (default: %(default)s)")
    g.add_argument("--seed", type=int, default=42, help="the world's random seed (default: %(default)s)")
    g.add_argument("--format", choices=("csv", "parquet", "xlsx"), default="csv",
                   help="the extracts' format (default: %(default)s)")
    g.set_defaults(func=cmd_generate)

    r = command("run", "materialize every asset for an input directory and period")
    r.add_argument("--input", required=True, help="the folder holding penduduk, dtsen and peserta_bpjstk "
                                                  "(.csv, .parquet or .xlsx)")
    r.add_argument("--period", required=True, help="YYYY-MM")
    r.add_argument("--out", default="lindungi-data", help=OUT_HELP)
    r.add_argument("--db", help=DB_HELP)
    r.add_argument("--rules", help=RULES_HELP)
    r.add_argument("--full-nik", action="store_true", help="show full NIKs in gap lists (personal data!)")
    r.add_argument("--allow-smaller-extract", action="store_true",
                   help="take a kab/kota with under half the residents its last run had (refused by default: a "
                        "sample or partial extract withdraws the candidates it lacks)")
    r.set_defaults(func=cmd_run)

    u = command("ui", "open the Dagster UI on the same definitions and storage")
    u.add_argument("--host", default="127.0.0.1", help="the address the UI listens on (default: %(default)s)")
    u.add_argument("--port", type=int, default=3000, help="the UI's port (default: %(default)s)")
    u.add_argument("--input", help="the extracts the UI's ingest runs read (default: $LINDUNGI_INPUT, else the "
                                   "folder the last `lindungi run` read, else the demo's world)")
    u.add_argument("--out", help="where the runs write and the sensors look (default: $LINDUNGI_OUT, else the "
                                 "folder the last `lindungi run` wrote when its input is taken, else lindungi-data)")
    u.add_argument("--db", help=DB_HELP)
    u.add_argument("--rules", help=RULES_HELP)
    u.set_defaults(func=cmd_ui)

    e = command("export", "write the period's pending candidates for BPJS collective registration")
    e.add_argument("--period", required=True, help="YYYY-MM of the candidates")
    e.add_argument("--out", default="lindungi-data", help="where the file goes, under bpjs_export/<period>/ "
                                                          "(default: %(default)s)")
    e.add_argument("--region", help="kab/kota code (default: all)")
    e.add_argument("--db", help=DB_HELP)
    e.add_argument("--rules", help=RULES_HELP + "; its declared income and programmes")
    e.set_defaults(func=cmd_export)

    rs = command("response", "apply a BPJS response file (NIK, PERIODE, HASIL, KPJ, ALASAN)")
    rs.add_argument("file", help="the response CSV")
    rs.add_argument("--db", help=DB_HELP)
    rs.set_defaults(func=cmd_response)

    v = command("verification", "apply a coordinator's returned gap list (Hasil Verifikasi)")
    v.add_argument("file", help="the returned .xlsx")
    v.add_argument("--period", required=True, help="YYYY-MM of the list")
    v.add_argument("--out", default="lindungi-data", help="where `lindungi run` wrote (its candidates) "
                                                          "(default: %(default)s)")
    v.add_argument("--db", help=DB_HELP)
    v.set_defaults(func=cmd_verification)

    rt = command("retention", "erase candidate lists whose retention period has ended (UU PDP)")
    rt.add_argument("--out", default="lindungi-data", help=OUT_HELP)
    rt.add_argument("--db", help=DB_HELP)
    rt.add_argument("--rules", help="rules TOML file; its retention.months (default 24)")
    rt.add_argument("--as-of", help="YYYY-MM the retention is counted to (default: this month)")
    rt.add_argument("--dry-run", action="store_true", help="say what would be erased, erase nothing")
    rt.set_defaults(func=cmd_retention)

    b = command("db", "the embedded PostgreSQL")
    b.add_argument("action", choices=("start", "stop", "url", "migrate"))
    b.add_argument("--db", help="DSN for migrate (default: the embedded server; refused with start, stop and url)")
    b.set_defaults(func=cmd_db)
    return p


def main(argv: list[str] | None = None) -> int:
    args, unknown = build_parser().parse_known_args(argv)
    if unknown:  # the command's own usage, not the top level's list of commands
        args.command_parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    try:
        return args.func(args)
    except Interrupted as exc:
        from pipelines.nik import mask_file_name

        _say(f"lindungi: {mask_file_name(str(exc))}")
        return 130
    except CliError as exc:
        # long digit runs starred wherever they come from: a folder named after a NIK reached
        # the line whole ("<dir>: no dtsen extract", an outside review); a period beside a
        # kelurahan code, as a file's name has it, stays. (Imported here: pipelines.nik imports
        # polars, which a run imports only after its GX worker is started.)
        from pipelines.nik import mask_file_name

        _say(f"lindungi: error: {mask_file_name(str(exc))}")
        return 1
    except KeyboardInterrupt:
        _say("lindungi: interrupted")
        return 130
    except Exception as exc:  # noqa: BLE001 - one line for users; LINDUNGI_DEBUG=1 for the trace
        if os.environ.get("LINDUNGI_DEBUG"):
            raise
        from pipelines.nik import mask_file_name

        first = mask_file_name(str(exc).strip().splitlines()[0]) if str(exc).strip() else ""
        _say(f"lindungi: error: {type(exc).__name__}: {first} (LINDUNGI_DEBUG=1 shows the traceback)")
        return 1


def entry() -> None:
    """The ``lindungi`` console script: ``main``, then exit without the interpreter's final
    garbage collection. After a run the heap holds millions of objects (Dagster, GX, pandas)
    whose collection at exit took ~1.8 s of a 200k run, freeing memory the OS is about to take
    back anyway; ``gc.freeze`` leaves them to it. Handlers registered with ``atexit`` still run."""
    import gc

    rc = main()
    sys.stdout.flush()
    sys.stderr.flush()
    gc.freeze()
    sys.exit(rc)


if __name__ == "__main__":
    entry()
