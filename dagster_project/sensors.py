"""Sensors: BPJS response files dropped into ``<out>/inbox/bpjs/`` are validated and applied.

A file applied goes to ``inbox/bpjs/processed/``; a file refused goes to
``inbox/bpjs/rejected/`` with ``<name>.error.txt`` listing every problem. Nothing is applied
half-way (``pipelines.bpjs_exchange.apply_response`` is one transaction).
"""

import dataclasses
import functools
import os
import shutil
import time
from pathlib import Path

import dagster as dg

from dagster_project.resources import Database, out_dir
from pipelines.bpjs_exchange import ResponseError, apply_response
from pipelines.dates import is_period
from pipelines.files import (OTHER_FORMATS, SAVE_AS_XLSX, list_label, office_file, refusal_note, response_label,
                             unused_name)
from pipelines.nik import mask_file_name, mask_long_digits


# An inbox file's runs are retried by its sensor (``_file_requests``), not by the instance's
# run_retries (deploy/dagster.yaml): Dagster's retry of a refused file's run found the file filed
# away and succeeded, hiding the refusal, and a killed run got Dagster's retry and the sensor's at once.
NO_RUN_RETRIES = {"dagster/max_retries": "0"}


def _file_away(path: Path, folder: str) -> Path:
    """Move an inbox file into ``folder`` beside it; where it went. Files come under the same
    name month after month (a BPJS ``hasil.csv``, a kelurahan's returned list): an earlier one is
    never replaced, the later one is numbered (``hasil.2.csv``, ``hasil.3.csv``)."""
    target = path.parent / folder
    target.mkdir(exist_ok=True)
    dest = unused_name(target / path.name)
    shutil.move(str(path), dest)
    return dest


def _file_id(stat: os.stat_result) -> str:
    """Which file, of those a starred name stands for: its modification time, change time
    (creation time on Windows) and size. A copy made with its time kept (``cp -p``, an unzip,
    Explorer) has the modification time of the one before it, but a change time of its own; an
    inode is 0 on some Windows and network file systems, or new at every look."""
    return f"{stat.st_mtime_ns}-{stat.st_ctime_ns}-{stat.st_size}"


def _stat(p: Path) -> os.stat_result | None:
    """``p.stat()``, or None for a file gone meanwhile (a run filed it away) or a broken link:
    its error names the path, a NIK in it too."""
    try:
        return p.stat()
    except OSError:
        return None


def inbox_ref(p: Path, stat: os.stat_result, shown=mask_file_name) -> dict:
    """How a run names its inbox file: its path with its name as ``shown`` gives it (a long digit
    run starred; a file's label, ``list_label`` or ``response_label``), and ``_file_id``. The path
    went whole into the run's config, its tags and key, its log and the daemon's terminal: a list
    saved under a person's NIK put that NIK in all of them. The run finds the file again by the two
    (:func:`_inbox_file`). (Text: a number of 19 digits does not survive the UI's JavaScript, as
    in a re-execution.)"""
    return {"path": str(p.absolute().with_name(shown(p.name))), "file_id": _file_id(stat)}


def _inbox_file(context: dg.OpExecutionContext, said: dict[str, str], shown=mask_file_name) -> Path:
    """The inbox file a run was started for (``inbox_ref``, or a path given by hand), or Failure
    in the words of ``said`` ("missing", "changed", "alike"); ``shown``: how the run's config
    names a file (``mask_file_name``, or a label: ``list_label``, ``response_label``). A file no
    longer there failed nothing before: the run said "already handled" (or nothing) and ended
    green, for a path mistyped in the launchpad too, or a refused file's run executed again after
    the refusal had filed it away."""
    path, wanted = Path(context.op_config["path"]), context.op_config.get("file_id")
    folder = path.parent
    named = [(p, s) for p in (folder.iterdir() if folder.is_dir() else ())
             # (mask_file_name: the name a run had before the labels; mask_long_digits:
             # the name a run made before kelurahan codes were kept readable)
             if path.name in (p.name, shown(p.name), mask_file_name(p.name), mask_long_digits(p.name))
             and (s := _stat(p)) is not None]
    alike = [p for p, s in named if wanted is None or _file_id(s) == wanted]
    if len(alike) == 1:
        return alike[0]
    why = "alike" if alike else "changed" if named else "missing"
    raise dg.Failure(description=said[why].format(name=path.name, folder=folder, n=len(alike)))


def _os_errors_starred(fn):
    """An op whose file errors (a list open in Excel on Windows cannot be moved, a file gone
    meanwhile) fail with the path's long numbers starred: Python's message names the path, and
    Dagster keeps a failed step's message in the event log."""
    @functools.wraps(fn)
    def op(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except OSError as exc:
            raise dg.Failure(description=mask_long_digits(f"{type(exc).__name__}: {exc}")) from None
    return op


def _os_error(exc: OSError, path: Path, shown: str) -> dg.Failure:
    """The Failure for an error about an inbox file (a list open in Excel cannot be moved):
    Python's message, the file's name in it as ``shown`` (its label), long digit runs starred."""
    return dg.Failure(description=mask_long_digits(f"{type(exc).__name__}: {exc}".replace(path.name, shown)))


def _refuse(path: Path, folder: str, note_suffix: str, problems: list[str], summary: str, shown: str) -> dg.Failure:
    """Move a refused inbox file aside with its problems next to it; the Failure to raise. The
    problems name the file as it is starred (``mask_file_name``): so in the note beside it, and
    by ``shown`` (its label) in the run."""
    dest = _file_away(path, folder)
    refusal_note(dest, note_suffix).write_text("\n".join(problems) + "\n", encoding="utf-8")
    starred = mask_file_name(path.name)
    said = [p.replace(starred, shown) for p in problems[:50]]
    return dg.Failure(description=summary,
                      metadata={"problems": dg.MetadataValue.md("\n".join(f"- {p}" for p in said))})


# the folders a BPJS answer is filed away into, inside the inbox
FILED_ANSWERS = ("processed", "rejected")


def inbox_dir() -> Path:
    return out_dir() / "inbox" / "bpjs"


# an inbox file as a run's config names it (``inbox_ref``; a path alone when given by hand)
INBOX_FILE_CONFIG = {"path": str, "file_id": dg.Field(str, is_required=False)}
NOT_THERE = {
    "missing": "{name}: not in {folder} (filed away by an earlier run, moved, or never there); put the file in "
               "the inbox again to apply it",
    "changed": "{name}: changed since its run was asked for; the sensor starts a run for it as it is now",
    "alike": "{name}: {n} files in {folder} whose names differ only in a long number: rename them",
}
TIDAK_ADA = {
    "missing": "{name}: tidak ada di {folder} (sudah dipindahkan oleh run sebelumnya, dipindah, atau tidak pernah "
               "ada); taruh lagi file itu di inbox untuk diterapkan",
    "changed": "{name}: berubah sesudah run ini diminta; sensor menjalankan run baru untuk file itu",
    "alike": "{name}: {n} file di {folder} yang namanya hanya berbeda pada sebuah nomor panjang: ganti nama file itu",
}


@dg.op(config_schema=INBOX_FILE_CONFIG, description="Validate and apply one BPJS response file.")
@_os_errors_starred
def apply_bpjs_response_file(context: dg.OpExecutionContext, database: Database) -> None:
    path = _inbox_file(context, NOT_THERE, response_label)
    shown = response_label(path.name)
    try:
        try:
            result = apply_response(database.url(), path, run_id=context.run_id)
        except ResponseError as exc:
            raise _refuse(path, FILED_ANSWERS[1], ".error.txt", exc.problems,
                          f"{shown} refused: {len(exc.problems)} problem(s)", shown) from None
        _file_away(path, FILED_ANSWERS[0])
    except OSError as exc:  # (Python's message names the file)
        raise _os_error(exc, path, shown) from None
    context.log.info(dataclasses.replace(result, file=shown).summary())


@dg.job(description="Apply a BPJS response file to bpjs.submission_candidate.", tags=NO_RUN_RETRIES)
def apply_bpjs_response():
    apply_bpjs_response_file()


def _response_file(p: Path) -> bool:
    """A BPJS answer: a CSV, not a hidden file (an unzip on a Mac leaves ``._hasil.csv`` beside
    it, and ``__MACOSX/._hasil.csv``)."""
    return p.is_file() and p.suffix.lower() == ".csv" and not p.name.startswith(".")


def _folders_holding(folder: Path, filed: tuple[str, ...], wanted) -> list[str]:
    """The names of the folders inside ``folder``, other than the ``filed`` ones a sensor files
    into, with a file ``wanted`` anywhere below them, sorted (to be shown by ``_folders_said``)."""
    return sorted(d.name for d in folder.iterdir()
                  if d.is_dir() and d.name not in filed and any(wanted(p) for p in d.rglob("*")))


def _folders_said(folders: list[tuple[str, str]]) -> str:
    """Folders, each (where: ``""`` or its period's ``2026-11/``, name), as a sensor's warning
    names them: a name without a letter (a period mistyped, ``2026-13``, ``"2026-11 "``, or a
    number) quoted, long digit runs starred; the others counted, by where they are, not named. A
    folder may be named after a person (``2026-11/SITI AMINAH/``), and its name went into the
    sensor's log with only digit runs starred (a privacy review); a label of it would tell the
    person reading the warning no more than a count, as they look for it in the inbox anyway."""
    shown, hidden = [], []
    for where, name in folders:
        if any(c.isalpha() for c in name):
            hidden.append(where)
        else:
            shown.append(repr(where + mask_file_name(name)))
    if not hidden:
        return ", ".join(shown[:10])
    places = " in " + ", ".join(sorted(set(hidden))) if any(hidden) else ""
    counted = (f"{len(hidden):,} {'other ' if shown else ''}folder(s){places} whose names are not shown (a folder may "
               "be named after a person)")
    return f"{', '.join(shown[:10])} and {counted}" if shown else counted


@dg.sensor(job=apply_bpjs_response, minimum_interval_seconds=30,
           description="Picks up BPJS response files in `<out>/inbox/bpjs/`.")
def bpjs_response_sensor(context: dg.SensorEvaluationContext):
    inbox = inbox_dir()
    if not inbox.is_dir():
        return dg.SkipReason(f"no inbox at {inbox}")
    files = sorted(p for p in inbox.iterdir() if _response_file(p))
    # BPJS's answer saved as a workbook or a text file was ignored for good, without a word (not
    # a hidden file or an office lock file: .DS_Store was named at every tick)
    other = sorted(response_label(p.name) for p in inbox.iterdir()
                   if p.is_file() and p.suffix.lower() != ".csv" and not p.name.startswith((".", "~$")))
    if other:
        context.log.warning(f"files in {inbox} that are no CSV are left where they are: " + ", ".join(other[:10])
                            + " (save BPJS's answer as CSV and put it here, or apply it with lindungi response)")
    nested = _folders_holding(inbox, FILED_ANSWERS, _response_file)
    if nested:  # (an answer unzipped into a folder of its own was ignored for good, without a word)
        context.log.warning(f"response files in a folder inside {inbox} are left where they are: move them into "
                            "the inbox itself: " + _folders_said([("", f) for f in nested]))
    if not files:
        return dg.SkipReason("no response files")
    # the path as it is in the inbox, not a link's target: a link was applied and then its target
    # filed away wherever it lived (the city's own gap list moved into diproses/)
    # (a file named after a person, hasil SITI AMINAH.csv, by its label: response_label)
    return _file_requests(context, files, lambda p: response_label(p.name), lambda p, stat: {
        "ops": {"apply_bpjs_response_file": {"config": inbox_ref(p, stat, response_label)}}})


# --- inbox files: one run each, tried again when a run died -----------------------------------

INBOX_FILE_TAG = "lindungi/inbox_file"
# runs of one inbox file that may end without filing it away (a killed or crashed run worker, the
# database down) before the sensor leaves it to a person
INBOX_ATTEMPTS = 3
# seconds an inbox file must have gone unchanged before a run takes it (LINDUNGI_INBOX_SETTLE_S):
# a file still being copied in was applied half-way (10 of 20 rows accepted, the rest never, and
# the copy went on into processed/), or refused as "not a valid XLSX" and completed in ditolak/
INBOX_SETTLE_S = 10.0


def _failed_attempts(context: dg.SensorEvaluationContext, ident: str) -> int:
    """How many runs of the file ``ident`` ended without handling it. A run that handled it
    moved it out of the inbox (applied, or refused with its problems), so a file still there
    after a failed run was never handled: its run was killed, or could not reach the database."""
    try:
        instance = context.instance
    except dg.DagsterInvariantViolationError:  # a sensor context built without an instance (tests)
        return 0
    done = [dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED]
    return len(instance.get_runs(filters=dg.RunsFilter(tags={INBOX_FILE_TAG: ident}, statuses=done)))


def _file_requests(context: dg.SensorEvaluationContext, files: list[Path], name_of, run_config_of):
    """One run request per inbox file. The run key is the file's (``name_of``, a long number
    starred, and ``_file_id``; ``run_config_of`` takes the file and the same stat), and Dagster
    never repeats a key, so a run killed before it handled the file left it in the inbox for
    good: a file still there after a failed run gets another run under the next key,
    ``INBOX_ATTEMPTS`` runs at most, then a warning leaves it to a person. (Applying a file
    twice is harmless: responses already applied are recognised, verification results upserted.)"""
    requests, fresh = [], []
    settle = float(os.environ.get("LINDUNGI_INBOX_SETTLE_S") or INBOX_SETTLE_S)
    now = time.time()
    for p in files:
        stat = _stat(p)
        if stat is None:  # filed away by a run meanwhile
            continue
        if now - stat.st_mtime < settle:  # still being copied in, maybe: taken at a later tick
            fresh.append(name_of(p))
            continue
        ident = f"{name_of(p)}:{_file_id(stat)}"
        attempts = _failed_attempts(context, ident)
        if attempts >= INBOX_ATTEMPTS:
            context.log.warning(f"{name_of(p)}: {attempts} runs failed without handling it; left in "
                                "the inbox for a person (touch the file to try again)")
            continue
        requests.append(dg.RunRequest(run_key=ident if not attempts else f"{ident}:retry-{attempts}",
                                      tags={INBOX_FILE_TAG: ident}, run_config=run_config_of(p, stat)))
    if fresh:
        context.log.info(f"{len(fresh)} inbox file(s) changed less than {settle:g} s ago, taken at a later tick: "
                         + ", ".join(fresh[:10]))
    return requests or dg.SkipReason(f"{len(fresh)} inbox file(s) still changing" if fresh
                                     else "inbox files left to a person after failed runs")


# --- returned gap lists -------------------------------------------------------------------------

# the folders a returned list is filed away into, inside its period's folder
FILED_LISTS = ("diproses", "ditolak")


def verification_inbox() -> Path:
    return out_dir() / "inbox" / "verifikasi"


@dg.op(config_schema={**INBOX_FILE_CONFIG, "period": str}, description="Validate and store one returned gap list.")
@_os_errors_starred
def apply_verification_file(context: dg.OpExecutionContext, database: Database) -> None:
    from pipelines.db import migrate
    from pipelines.verification import VerificationError, apply_returned, stored_line

    path, period = _inbox_file(context, TIDAK_ADA, list_label), context.op_config["period"]
    shown = list_label(path.name)
    try:
        try:
            dsn = database.url()
            migrate(dsn)
            applied = apply_returned(dsn, path, period, out_dir(), run_id=context.run_id)
        except VerificationError as exc:
            raise _refuse(path, FILED_LISTS[1], ".masalah.txt", exc.problems,
                          f"{shown} ditolak: {len(exc.problems)} masalah", shown) from None
        _file_away(path, FILED_LISTS[0])
    except OSError as exc:  # (a list open in Excel cannot be moved: Python's message names it)
        raise _os_error(exc, path, shown) from None
    # in Bahasa Indonesia, as the refusals are: city staff read this run's log in the UI
    context.log.info(stored_line(shown, applied))


@dg.job(description="Store a coordinator's returned gap list (verification results).", tags=NO_RUN_RETRIES)
def apply_verification():
    apply_verification_file()


def _returned_list(p: Path) -> bool:
    """A returned gap list: ".XLSX" as saved by some Windows tools too, and ".xlsm" (the same
    workbook, saved with Excel's or LibreOffice's macro-enabled choice), not Excel's "~$…xlsx"
    owner file beside a list open in Excel (the first stayed in the inbox for good, the second was
    refused into ditolak/), nor a hidden file (``._x.xlsx``, which an unzip on a Mac leaves)."""
    return office_file(p, (".xlsx", ".xlsm"))


def _other_format(p: Path) -> bool:
    """A spreadsheet saved in a format a returned list is not read in (``files.OTHER_FORMATS``)."""
    return office_file(p, OTHER_FORMATS)


@dg.sensor(job=apply_verification, minimum_interval_seconds=30,
           description="Picks up returned gap lists in `<out>/inbox/verifikasi/<period>/`.")
def verification_sensor(context: dg.SensorEvaluationContext):
    inbox = verification_inbox()
    top = list(inbox.iterdir()) if inbox.is_dir() else []  # the inbox listed once, for all below
    periods = [d for d in top if d.is_dir() and is_period(d.name)]
    files = sorted(p for d in periods for p in d.iterdir() if _returned_list(p))
    # a folder that is no period (foo/, 2026-13/, "2026-11 "): its files were refused as lists of
    # a period without candidates, which read like the real one; they are left, and said (a list
    # anywhere below such a folder too: foo/bar/x.xlsx went without a word)
    elsewhere = _folders_holding(inbox, tuple(d.name for d in periods), _returned_list) if top else []
    # a list saved in another format (LibreOffice Calc offers its own .ods at every save; .xls,
    # CSV): ignored for good, without a word. Said, with what to do
    other = sorted(list_label(p.name) for d in [inbox, *periods] for p in (top if d is inbox else d.iterdir())
                   if _other_format(p))
    if other:
        context.log.warning(f"files in {inbox} that are no XLSX are left where they are: " + ", ".join(other[:10])
                            + f" (a returned gap list is read as .xlsx only: open it and save it as {SAVE_AS_XLSX}, "
                              "then put it in the folder of its period)")
    # (a file by its label, a folder named only if its name has no letter: _folders_said)
    loose = sorted(list_label(p.name) for p in top if _returned_list(p))
    if loose:  # (they were ignored for good, without a word)
        context.log.warning(f"returned gap lists straight in {inbox} are left where they are: put each in the "
                            "folder of its period (YYYY-MM): " + ", ".join(loose[:10]))
    if elsewhere:
        context.log.warning("returned gap lists in folders that are no period (YYYY-MM) are left where they are: "
                            + _folders_said([("", f) for f in elsewhere]))
    # a folder inside a period's (a kelurahan's files unzipped into 2026-11/guntung/): left, and
    # said (they were ignored for good, without a word)
    nested = [(f"{d.name}/", name) for d in sorted(periods)
              for name in _folders_holding(d, FILED_LISTS, _returned_list)]
    if nested:
        context.log.warning("returned gap lists in a folder inside a period's folder are left where they are: move "
                            "them into the period's folder itself: " + _folders_said(nested))
    if not files:
        return dg.SkipReason(f"no returned gap lists in {inbox}")
    return _file_requests(context, files, lambda p: f"{p.parent.name}/{list_label(p.name)}", lambda p, stat: {
        "ops": {"apply_verification_file": {"config": {**inbox_ref(p, stat, list_label), "period": p.parent.name}}}})
