"""Retention (UU PDP Art. 42-44): a period's candidate lists are erased once its retention
period has ended.

A period ``P`` has expired on ``as_of`` (a month) when ``P`` is ``months`` or more before it
(the rules file's ``retention.months``, 24 by default): with 24 months, 2024-11 is erased from
2026-11 on. What is erased, for every expired period:

- the files under ``--out`` that name people: ``resident_assessment/<P>.parquet``,
  ``enrollment_candidates/<P>.parquet``, ``gap_lists/<P>.parquet`` and the workbooks in
  ``gap_lists/<P>/`` and ``perbaikan_data/<P>/``, the BPJS export files in ``bpjs_export/<P>/``, the returned gap lists in
  ``inbox/verifikasi/<P>/``; and, by the month they were last modified, the BPJS response files
  (every file under ``inbox/bpjs/``: those the sensor filed away in ``processed/`` and ``rejected/``,
  and those it left, with a warning, in the inbox or in a folder inside it; a refused file with
  its ``.error.txt``, whatever the note's month) and the returned
  gap lists outside a period's folder (put straight into ``inbox/verifikasi/`` or into a folder
  that is no period: the sensor leaves them, with a warning);
- in PostgreSQL, the period's rows of ``bpjs.submission_candidate`` and ``bpjs.verification``.

What stays, since it names no one: the coverage figures and page, the linkage of the current
extract (replaced by each run), ``bpjs.submission_batch`` (each expired batch gets its
``erased_at``) and ``bpjs.processing_log``, which records the erasure with its counts (Art. 31).
Rows of ``bpjs.submission_candidate`` are otherwise never deleted: its trigger lets a DELETE
through only inside :func:`erase`'s transaction, which runs as the role ``lindungi_eraser`` when
its login may take it (the pipeline's ``lindungi_writer`` may not delete).
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import psycopg

from pipelines.bpjs_exchange import EXPORT_LOCK
from pipelines.dates import WITA, period_start, today_wita
from pipelines.db import log_processing, take_role
from pipelines.files import REFUSAL_NOTES, WITHOUT_KELURAHAN, refusal_note
from pipelines.nik import mask_file_name, text_digits

# <out>/<asset>/<period>.parquet of the period-partitioned assets that hold people
PERSONAL_ASSETS = ("resident_assessment", "enrollment_candidates", "gap_lists")
# <out>/<folder>/<period>/, written per period, every file in it about people
PERSONAL_FOLDERS = ("gap_lists", WITHOUT_KELURAHAN, "bpjs_export", "inbox/verifikasi")
# BPJS response files, by the month they were last modified, wherever they are under it: those the
# sensor filed away and those it left (no CSV, given up after failed runs, in a folder of their
# own), which were kept for ever
RESPONSES = "inbox/bpjs"
# where coordinators return their lists, a folder per period (PERSONAL_FOLDERS); a file outside
# them is erased by the month it was last modified
RETURNED = "inbox/verifikasi"

_PERIOD_NAME = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")
# the setting the no-delete trigger lets a DELETE through under (migration 007)
ERASING = "SELECT set_config('lindungi.erase', 'retention', true)"


FIRST_YEAR = 2020  # the periods' partitions begin in January (dagster_project.partitions)


def last_expired(as_of: str, months: int, today: date | None = None) -> str:
    """The latest period whose retention has ended on ``as_of``: ``months`` months before it.
    ``as_of`` may not be after this month: counted from a later month (a typo, 2062-11), this
    month's lists, BPJS's answers still to come, would be erased."""
    start = period_start(as_of)
    if start.year < FIRST_YEAR:
        # (no list is older than the partitions; 0001-01 was refused quoting a period "-001-01")
        raise ValueError(f"the retention is counted to a month from {FIRST_YEAR}-01 on, when the periods begin, "
                         f"not {as_of}")
    now = today or today_wita()
    if (start.year, start.month) > (now.year, now.month):
        raise ValueError(f"the retention is counted to this month or an earlier one, not {as_of} "
                         f"(this month is {now:%Y-%m})")
    if months < 1:
        raise ValueError(f"the retention period must be at least one month, not {months}")
    index = start.year * 12 + start.month - 1 - months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


@dataclass
class Plan:
    """What an erasure of the periods up to ``last`` removes."""

    last: str
    files: list[Path] = field(default_factory=list)
    folders: list[Path] = field(default_factory=list)
    candidate_rows: dict[str, dict[str, int]] = field(default_factory=dict)  # period -> status -> rows
    verification_rows: dict[str, int] = field(default_factory=dict)  # period -> rows
    # people whose acceptance by BPJS the erasure removes (no later period holds them) and whom
    # the last roster ingested does not show protected: their card (KPJ) not on it, or on it
    # active but tied by the linkage to no resident or another (an empty or wrong NIK). The
    # acceptance held them; a later period lists them again (while the rules list them). Not those
    # whose card it shows lapsed: listed again with or without the erasure (:func:`_listed_again`)
    accepted_unseen: int = 0
    # "path (reason)" of what an erasure could not remove; long digit runs in the path starred (an
    # answer saved as "hasil <NIK>.csv": the command's output and the job's failure showed it)
    not_erased: list[str] = field(default_factory=list)

    @property
    def periods(self) -> list[str]:
        found = set(self.candidate_rows) | set(self.verification_rows)
        found |= {p.stem for p in self.files if _PERIOD_NAME.fullmatch(p.stem)}
        found |= {p.name for p in self.folders}
        return sorted(found)

    @property
    def rows(self) -> int:
        return sum(sum(s.values()) for s in self.candidate_rows.values()) + sum(self.verification_rows.values())

    def empty(self) -> bool:
        return not (self.files or self.folders or self.rows)

    def summary(self) -> str:
        if self.empty():
            return f"nothing to erase: no list of {self.last} or earlier is left"
        by_status: dict[str, int] = {}
        for statuses in self.candidate_rows.values():
            for status, n in statuses.items():
                by_status[status] = by_status.get(status, 0) + n
        candidates = sum(by_status.values())
        # (no period when only inbox files expire: the line read "periods ; 2 file(s) ...")
        parts = [f"periods {', '.join(self.periods)}"] if self.periods else []
        parts += [f"{len(self.files):,} file(s) and {len(self.folders):,} folder(s) under --out",
                  f"{candidates:,} bpjs.submission_candidate row(s)"
                  + (f" ({', '.join(f'{s} {n:,}' for s, n in sorted(by_status.items()))})" if candidates else ""),
                  f"{sum(self.verification_rows.values()):,} bpjs.verification row(s)"]
        if by_status.get("submitted"):  # (found by fuzzing, with a retention of two months)
            parts.append(f"{by_status['submitted']:,} of them still awaiting BPJS's answer: a response for them can no "
                         "longer be applied, and a later period may list and export them again")
        if self.accepted_unseen:
            # (an upgrade probe: 185 such people were exported again the next month, unsaid; an
            # outside review: one whose card the roster showed with an empty NIK was not counted)
            parts.append(f"{self.accepted_unseen:,} accepted by BPJS whom the last roster ingested does not show "
                         "protected (their card not on it yet, or tied to no resident or to another): a period run "
                         "after the erasure (a later one, or the last one again) lists and exports them again while the "
                         "rules list them, until a roster shows them protected")
        return "; ".join(parts)


def _expired(name: str, last: str) -> bool:
    return bool(_PERIOD_NAME.fullmatch(name)) and name <= last


def _modified(f: Path) -> str:
    """The month (in WITA) a file was last modified."""
    return datetime.fromtimestamp(f.stat().st_mtime, WITA).strftime("%Y-%m")


def _modified_up_to(folder: Path, last: str, *, but_periods: bool = False) -> list[Path]:
    """Files under ``folder`` last modified in a month up to ``last`` (links not followed);
    ``but_periods``: not those in a period's folder, which goes whole with its period. Returned
    lists dropped beside the period folders, and BPJS's answers in a folder inside its inbox, were
    left by the sensors and never erased: people's names and results kept past their retention."""
    if not folder.is_dir():
        return []
    found = []
    for top, dirs, files in os.walk(folder):
        rel = Path(top).relative_to(folder).parts
        if but_periods and rel and _PERIOD_NAME.fullmatch(rel[0]):
            dirs.clear()
            continue
        found += [f for f in (Path(top) / n for n in files) if (month := _modified_or_none(f)) and month <= last]
    return sorted(found)


def _with_notes(found: list[Path]) -> list[Path]:
    """``found`` and the refusal note beside each of its files (``files.refusal_note``), whatever
    the note's own month: a refused answer "hasil <NIK>.csv" went by the month it was last
    modified, and its "hasil <NIK>.csv.error.txt", written at the refusal, later, stayed with
    the NIK in its name (a privacy audit). A note whose file is kept goes by its own month."""
    notes = {refusal_note(f, s) for f in found for s in REFUSAL_NOTES if not f.name.endswith(REFUSAL_NOTES)}
    return sorted(set(found) | {n for n in notes if n.is_file()})


def _remove_emptied(files: list[Path]) -> None:
    """The folders inside the inboxes (``inbox/bpjs/``, ``inbox/verifikasi/``) that the erased
    ``files`` left empty, up to the inbox itself: their names may be a person's (an answer
    unzipped into ``6474…0001/``), and they were kept for ever."""
    for f in files:
        d = f.parent
        while any(a.parent.name == "inbox" and a.name in ("bpjs", "verifikasi") for a in d.parents):
            try:
                d.rmdir()  # only when empty
            except OSError:
                break
            d = d.parent


def _modified_or_none(f: Path) -> str | None:
    """:func:`_modified` of a regular file (or a link to one); None for anything else."""
    try:
        return _modified(f) if f.is_file() else None
    except OSError:  # removed meanwhile, or a link to nothing
        return None


def plan(out_dir: str | Path, dsn: str | None, last: str, rules=None) -> Plan:
    """What erasing every period up to ``last`` (inclusive) would remove; nothing is removed.
    ``rules``: whom the roster protects (default: the packaged rules)."""
    period_start(last)
    out = Path(out_dir)
    if not out.is_dir():  # the rows would go and the files, elsewhere, stay
        raise ValueError(f"{out}: no such directory (the --out the runs wrote to)")
    p = Plan(last)
    for asset in PERSONAL_ASSETS:
        folder = out / asset
        if folder.is_dir():
            p.files += sorted(f for f in folder.glob("*.parquet") if f.is_file() and _expired(f.stem, last))
    for name in PERSONAL_FOLDERS:
        folder = out / name
        if folder.is_dir():
            # an empty folder names no one (and is not erased again and again)
            p.folders += sorted(d for d in folder.iterdir() if d.is_dir() and _expired(d.name, last)
                                and any(f.is_file() for f in d.rglob("*")))
    p.files += _with_notes(_modified_up_to(out / RESPONSES, last))
    p.files += _with_notes(_modified_up_to(out / RETURNED, last, but_periods=True))
    if dsn is not None:
        with psycopg.connect(dsn) as conn:
            for period, status, n in conn.execute(
                    "SELECT period, status, count(*) FROM bpjs.submission_candidate WHERE period <= %s "
                    "GROUP BY period, status", (last,)):
                p.candidate_rows.setdefault(period, {})[status] = n
            p.verification_rows = dict(conn.execute(
                "SELECT period, count(*) FROM bpjs.verification WHERE period <= %s GROUP BY period", (last,)))
            # people (not rows) whose acceptance is erased and no later, kept period holds
            accepted = dict(conn.execute(
                "SELECT nik, max(kpj) FROM bpjs.submission_candidate c WHERE period <= %s AND status = 'accepted' "
                "AND NOT EXISTS (SELECT 1 FROM bpjs.submission_candidate k WHERE k.nik = c.nik AND k.period > %s "
                "AND k.status IN ('accepted', 'submitted')) GROUP BY nik", (last, last)))
        if accepted:
            p.accepted_unseen = _listed_again(out, accepted, rules)
    return p


def _listed_again(out: Path, accepted: dict[str, str | None], rules=None) -> int:
    """Of ``accepted`` (NIK -> the KPJ BPJS gave), how many the last roster ingested does not show
    protected, as the run judges them: protected is a resident the linkage ties
    (``participant_links.parquet``) to a card with active JKK+JKM (``participants.parquet``).
    Only the acceptance held the others (``bpjs_exchange.held_among``): a card not on the roster
    yet, or on it active but tied to nobody (its NIK empty or wrong). A card the roster shows
    lapsed is not counted: the roster decides it with or without the acceptance. Cards are
    compared by their digits, as the hold compares them. Everyone without a roster; without its
    links, an active card is taken as its holder's (the linkage is not known). A card protects as
    the period's assessment judges it (``candidates.protects`` under ``rules``, default the
    packaged ones), or by its ``jkk_jkm_aktif`` in a roster an earlier version ingested."""
    import polars as pl

    from pipelines.candidates import protects
    from pipelines.rules import load_rules

    roster = out / "participants.parquet"
    if not roster.is_file():
        return len(accepted)
    columns = pl.read_parquet_schema(roster)
    judged = ["STATUS", "PROGRAM"] if "STATUS" in columns and "PROGRAM" in columns else ["jkk_jkm_aktif"]
    cards = pl.read_parquet(roster, columns=["KPJ", *judged]).filter(pl.col("KPJ").is_not_null())
    aktif = (protects(rules or load_rules()) if judged[0] == "STATUS" else pl.col("jkk_jkm_aktif").fill_null(False))
    active = {text_digits(k) for k in cards.filter(aktif).get_column("KPJ").to_list()}
    lapsed = {text_digits(k) for k in cards.filter(~aktif).get_column("KPJ").to_list()} - active
    links = out / "participant_links.parquet"
    protected = None
    if links.is_file():
        protected = set(pl.read_parquet(links, columns=["KPJ", "NIK"]).filter(pl.col("NIK").is_not_null())
                        .join(cards.filter(aktif).select("KPJ"), on="KPJ").get_column("NIK").to_list())
    again = 0
    for nik, kpj in accepted.items():
        card = text_digits(kpj) if kpj else None
        if (nik in protected) if protected is not None else card in active:
            continue
        again += card not in lapsed
    return again


def erase(plan_: Plan, dsn: str | None, *, months: int, as_of: str, run_id: str | None = None) -> Plan:
    """Erase what ``plan_`` names: the database rows first, in one transaction that also marks the
    batches and logs the erasure, then the files. The rows erased are counted again inside the
    transaction (a run may have written since the plan), and the returned plan has those counts."""
    # The files first, each on its own: one that cannot be removed (read-only, immutable) stopped
    # the erasure half-way with Python's words, after the rows were gone, and the processing log
    # had counted every planned file as erased. What could not be removed is kept in not_erased.
    done = Plan(plan_.last, accepted_unseen=plan_.accepted_unseen)  # (said after the erasure too)
    for f in plan_.files:
        try:
            f.unlink(missing_ok=True)
            done.files.append(f)
        except OSError as exc:
            done.not_erased.append(mask_file_name(f"{f} ({exc.strerror or exc})"))
    _remove_emptied(done.files)
    for d in plan_.folders:
        try:
            shutil.rmtree(d)
            done.folders.append(d)
        except FileNotFoundError:  # removed meanwhile
            done.folders.append(d)
        except OSError as exc:
            done.not_erased.append(mask_file_name(f"{d} ({exc.strerror or exc})"))
    if dsn is not None:
        with psycopg.connect(dsn) as conn, conn.transaction():
            take_role(conn, "lindungi_eraser")  # the role that may delete (migration 007)
            conn.execute(EXPORT_LOCK)  # not while an export marks rows of these periods submitted
            conn.execute(ERASING)
            for period, status in conn.execute(
                    "DELETE FROM bpjs.submission_candidate WHERE period <= %s RETURNING period, status",
                    (plan_.last,)).fetchall():
                statuses = done.candidate_rows.setdefault(period, {})
                statuses[status] = statuses.get(status, 0) + 1
            for (period,) in conn.execute("DELETE FROM bpjs.verification WHERE period <= %s RETURNING period",
                                          (plan_.last,)).fetchall():
                done.verification_rows[period] = done.verification_rows.get(period, 0) + 1
            batches = conn.execute("UPDATE bpjs.submission_batch SET erased_at = now() "
                                   "WHERE period <= %s AND erased_at IS NULL", (plan_.last,)).rowcount
            log_processing(conn, "retention", plan_.last, None, {"retention_months": months, "as_of": as_of},
                           {"periods": done.periods,
                            "submission_candidate": sum(sum(s.values()) for s in done.candidate_rows.values()),
                            "verification": sum(done.verification_rows.values()), "batches": batches,
                            "files": len(done.files), "folders": len(done.folders),
                            "not_erased": len(done.not_erased), "accepted_unseen": done.accepted_unseen}, run_id)
    return done


def erase_expired(out_dir: str | Path, dsn: str | None, *, months: int, as_of: str, dry_run: bool = False,
                  run_id: str | None = None, rules=None) -> tuple[str, Plan | None]:
    """What ``lindungi retention`` and the Dagster job do: plan the erasure of every period
    whose retention has ended on ``as_of``, and unless ``dry_run`` carry it out; the line that
    says what was (or would be) erased, and what was (None when nothing was). ``rules``: whom the
    roster protects (default: the packaged rules)."""
    last = last_expired(as_of, months)
    todo = plan(out_dir, dsn, last, rules)
    head = f"retention {months} months on {as_of}: lists of {last} and earlier"
    if todo.empty():
        return f"{head}; {todo.summary()}", None
    if dry_run:
        return f"{head}; would erase {todo.summary()}", None
    done = erase(todo, dsn, months=months, as_of=as_of, run_id=run_id)
    line = f"{head}; erased {done.summary()}"
    if done.not_erased:
        line += (f"; NOT erased, {len(done.not_erased)} file(s) or folder(s) that could not be removed: "
                 + ", ".join(done.not_erased[:5]) + (" ..." if len(done.not_erased) > 5 else "")
                 + "; make them removable and run the retention again")
    return line, done


def erased_partitions(done: Plan) -> dict[str, list[str]]:
    """asset -> its period partitions whose stored value ``done`` erased (``PERSONAL_ASSETS``)."""
    erased: dict[str, list[str]] = {}
    for f in done.files:
        if f.parent.name in PERSONAL_ASSETS and _PERIOD_NAME.fullmatch(f.stem):
            erased.setdefault(f.parent.name, []).append(f.stem)
    return {asset: sorted(periods) for asset, periods in sorted(erased.items())}
