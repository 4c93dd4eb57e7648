"""Exchange with BPJS Ketenagakerjaan: the collective-registration export and response files.

Status lifecycle of ``bpjs.submission_candidate``: ``pending`` -> ``submitted`` (written to an
export file) -> ``accepted`` (with the KPJ assigned) or ``rejected`` (with BPJS's reason).
The official collective-registration template is not confirmed (DOMAIN.md), so its columns
live in one place: ``EXPORT_COLUMNS``. A response file is validated as a whole and applied in
one transaction, or refused with every problem listed; nothing is applied half-way.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import re
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import psycopg

from pipelines.dates import period_start
from pipelines.db import log_processing, nik_list, no_row_data
from pipelines.files import aside, response_label, unused_name
from pipelines.nik import NIK_PROBLEMS, mask_file_name, nik_problems, text_digits
from pipelines.readers import (DELIMITERS, HEAD_BYTES, LONE_CR_TEXT, InputError, cr_ended, decode_text,
                               row_like_lines)
from pipelines.siak import CONTROL
from pipelines.verification import MOVED, WITHDRAWING

# (export column, SQL expression over bpjs.submission_candidate c). Edit here when BPJS
# publishes its template.
EXPORT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("NIK", "c.nik"),
    ("NAMA_LENGKAP", "c.nama_lgkp"),
    ("TGL_LAHIR", "to_char(c.tgl_lhr, 'DD-MM-YYYY')"),
    ("JENIS_KELAMIN", "c.jenis_klmin"),
    ("ALAMAT", "c.alamat"),
    ("RT", "c.no_rt"),
    ("RW", "c.no_rw"),
    ("KODE_WILAYAH", "c.kode_kel"),
    ("PEKERJAAN", "c.jenis_pkrjn"),
    # the income the row's premium was computed from: its batch's (migration 010)
    ("UPAH_DILAPORKAN", "coalesce((SELECT b.declared_income FROM bpjs.submission_batch b WHERE b.id = c.batch_id), "
                        "%(declared_income)s)::text"),
    # the programmes that premium pays for: its batch's too (migration 011)
    ("PROGRAM", "coalesce((SELECT b.programs FROM bpjs.submission_batch b WHERE b.id = c.batch_id), %(programs)s)"),
    ("IURAN_BULANAN", "c.iuran_bulanan::text"),
    ("BULAN_MULAI", "c.period"),
)
RESPONSE_COLUMNS = ("NIK", "PERIODE", "HASIL", "KPJ", "ALASAN")
RESULTS = {"DITERIMA": "accepted", "DITOLAK": "rejected"}

# one export at a time, of any period: two of one period would both number their file from the
# same folder listing, and two of different periods would each export a person pending in both
EXPORT_LOCK = "SELECT pg_advisory_xact_lock(hashtextextended('lindungi:export', 0))"
# A row of the period is not exported when BPJS already has the person from another period's
# export: still awaiting its response, or accepted since the period's last run of the row's
# region (the row is stale: the next run withdraws it, or lists it again when the roster shows
# the new card lapsed). Someone accepted before that run was judged by it against the roster (a
# lapsed card lets the roster decide), and is exported. The last run, not when the row was first
# listed: a row pending from before the acceptance, listed again unchanged by a run after it
# (its card lapsed), was held at every export and listed at every run, and never sent (found by
# fuzzing). The acceptance's time is answered_at (migration 008): updated_at also moves when a
# later run of that period changes the accepted row's content.
# An acceptance in a later period always holds: a row of an earlier period listed after it (that
# month run again, with a later extract) is no participant who lapsed since, and was sent again.
HELD_ELSEWHERE = """EXISTS (
    SELECT 1 FROM bpjs.submission_candidate o
    WHERE o.nik = c.nik AND o.period <> c.period
      AND (o.status = 'submitted' OR (o.status = 'accepted' AND (o.period > c.period OR o.answered_at >= coalesce(
          (SELECT max(b.created_at) FROM bpjs.submission_batch b
           WHERE b.period = c.period AND b.region = c.region AND b.status = 'committed'), c.created_at)))))"""
# the person's latest Hasil Verifikasi, on any period's list (as ``verification.latest_results``):
# one probe of the primary key (nik, period) per row, newest period first
LATEST_RESULT = """SELECT v.hasil, v.kode_kel, v.period FROM bpjs.verification v WHERE v.nik = c.nik
                   ORDER BY v.period DESC, v.received_at DESC LIMIT 1"""
# the latest result says not to enroll: a kelurahan found them dead, moved, refusing or
# registered after the run listed them. The next run withdraws them; an export before it sent
# them to BPJS (found by fuzzing: a person verified Meninggal was in the next export file). A
# move holds where it was said until a later period's run lists them elsewhere: a run that lists
# them in another kelurahan, or back in it after that, sends them (verification.MOVED)
VERIFIED_OUT = f"""EXISTS (
    SELECT 1 FROM ({LATEST_RESULT}) latest
    WHERE latest.hasil IN ({", ".join(f"'{h}'" for h in sorted(WITHDRAWING))})
      AND (latest.hasil <> '{MOVED}'
           OR latest.kode_kel IS NOT DISTINCT FROM c.kode_kel
              AND NOT EXISTS (SELECT 1 FROM bpjs.submission_candidate o
                              WHERE o.nik = c.nik AND o.period > latest.period AND o.kode_kel <> latest.kode_kel)))"""
# the latest result is Valid: the export sends them ahead of the rest, in rank order, the rank
# staying CONTRACT §2's (the issue behind the verification loop asked that "Valid moves them
# ahead for submission"; putting them first in the rank departed from the contract)
VERIFIED_VALID = f"""EXISTS (SELECT 1 FROM ({LATEST_RESULT}) latest WHERE latest.hasil = 'Valid')"""
# A later period's run (the last of the row's region) no longer lists the person (protected by
# then, moved away, no longer eligible): it is the newer word on who still needs enrolling. A
# month left unexported until the next month had run sent BPJS workers the roster already showed
# protected (found by an audit). A person that run lists (pending, or sent since) is exported as
# before. Only the row's period run again from an extract newer than that run's knows better
# (_later_words). Run again from its own older extract (after a coordinator's correction), the
# month switched the check off, and the export sent people Dukcapil had removed, the roster
# showed protected, or whose NIK Dukcapil had corrected (registered twice: the corrected NIK was
# already in the later month's export), and after the retention the people BPJS had accepted in
# the erased month (an outside review). Every such later run counts, not only the
# newest: one that lists the person again does not undo another that knew them protected (they
# come back in that later period's export, if still unprotected).
# %(later_regions)s, %(later_periods)s: the (region, later period) pairs whose last run decides
# for the row's period, found once per export in Python (_later_words), not per row.
# A later period by whose first day the person is older than its run's max_age (the working age
# of the rules it ran under, logged with its batch since 2026-12; else %(max_age)s, the export's)
# says nothing of them: it lists nobody that old, whatever their protection. December's export
# left out everyone turning 66 in December once January had been run from the same extract
# (a data engineer's review: 49 people after three months were run ahead for planning), and
# those of 61-65 once January had run under a max_age of 60 (its re-check).
DROPPED_LATER = """EXISTS (
    SELECT 1 FROM unnest(%(later_regions)s::text[], %(later_periods)s::text[], %(later_max_ages)s::int[])
        later(region, period, max_age)
    WHERE later.region = c.region
      AND NOT (c.tgl_lhr IS NOT NULL AND coalesce(later.max_age, %(max_age)s::int) IS NOT NULL
               AND c.tgl_lhr <= (later.period || '-01')::date
                                - make_interval(years => coalesce(later.max_age, %(max_age)s::int) + 1))
      AND NOT EXISTS (SELECT 1 FROM bpjs.submission_candidate o
                      WHERE o.nik = c.nik AND o.period = later.period AND o.status <> 'withdrawn'))"""
# Each committed batch, oldest first, with the files its run read ({name: sha256}) and their rows
# ({name: rows_sha256}, since 2026-12): the processing log's submission row names its batch and
# its input files (assets.submission). None for a batch loaded without them (tests, a load
# outside `lindungi run`).
BATCH_EXTRACTS = """
SELECT b.id, b.period, b.region, b.created_at, l.files, l.rows, l.max_age
FROM bpjs.submission_batch b
LEFT JOIN (SELECT DISTINCT ON (counts->>'batch_id') counts->>'batch_id' AS batch, inputs->'files' AS files,
                  inputs->'rows_sha256' AS rows, (inputs->>'max_age')::int AS max_age
           FROM bpjs.processing_log WHERE activity = 'submission' AND counts ? 'batch_id'
           ORDER BY counts->>'batch_id', id) l ON l.batch = b.id::text
WHERE b.status = 'committed'
ORDER BY b.created_at, b.id
"""
# the period's pending rows (of one region, or all)
PENDING = """FROM bpjs.submission_candidate c
WHERE c.period = %(period)s AND c.status = 'pending' AND (%(region)s::text IS NULL OR c.region = %(region)s)"""
EXPORT = f"""
SELECT {", ".join(f"{expr} AS {name}" for name, expr in EXPORT_COLUMNS)}
{PENDING}
  AND NOT {HELD_ELSEWHERE} AND NOT {VERIFIED_OUT} AND NOT {DROPPED_LATER}
ORDER BY {VERIFIED_VALID} DESC, c.rank
FOR UPDATE OF c
"""
EXPORT_SKIPPED = f"SELECT count(*) {PENDING} AND {HELD_ELSEWHERE}"
EXPORT_VERIFIED_OUT = f"SELECT count(*) {PENDING} AND NOT {HELD_ELSEWHERE} AND {VERIFIED_OUT}"
EXPORT_DROPPED_LATER = (f"SELECT count(*) {PENDING} AND NOT {HELD_ELSEWHERE} AND NOT {VERIFIED_OUT} "
                        f"AND {DROPPED_LATER}")
MARK_SUBMITTED = """
UPDATE bpjs.submission_candidate SET status = 'submitted', updated_at = now()
WHERE period = %(period)s AND status = 'pending' AND nik = ANY(string_to_array(%(niks)s, ','))
"""
# the export files of a period that committed exports wrote (each logs its file in its transaction)
LOGGED_EXPORTS = "SELECT inputs->>'file' FROM bpjs.processing_log WHERE activity = 'export' AND period = %s"


class ResponseError(Exception):
    """A BPJS response file that cannot be applied; ``problems`` lists each line's problem."""

    def __init__(self, file: str, problems: list[str]):
        self.file, self.problems = file, problems
        super().__init__(f"{file}: {len(problems)} problem(s): " + "; ".join(problems[:5])
                         + (" ..." if len(problems) > 5 else ""))


@no_row_data
def export_pending(dsn: str, period: str, out_dir: str | Path, region: str | None = None,
                   declared_income: int = 1_000_000, run_id: str | None = None,
                   programs: str = "JKK,JKM", max_age: int | None = 65) -> tuple[Path | None, int]:
    """Write the period's pending candidates to ``<out>/bpjs_export/<period>/export-<n>.csv`` and
    mark them submitted, in one transaction (the file is renamed into place before commit). Those
    a kelurahan verified ``Valid`` (their latest result) come first, then the rest; each in rank
    order. ``declared_income`` and ``programs`` (``Rules.program_codes``): for rows of batches that
    did not record theirs (before migrations 010 and 011); the others carry the income their
    premium was computed from and the programmes it pays for. ``max_age`` (the rules'): a later
    period's run is no word on those older than it by then (``DROPPED_LATER``)."""
    folder = Path(out_dir) / "bpjs_export" / period
    made_parent = not folder.parent.exists()
    folder.mkdir(parents=True, exist_ok=True)
    with psycopg.connect(dsn) as conn, conn.transaction():
        conn.execute(EXPORT_LOCK)
        logged = {row[0] for row in conn.execute(LOGGED_EXPORTS, (period,))}
        _set_aside_aborted(folder, logged)
        cur = conn.execute(EXPORT, {"period": period, "region": region, "declared_income": declared_income,
                                    "programs": programs, "max_age": max_age, **_later_words(conn, period)})
        rows = cur.fetchall()
        if not rows:
            with contextlib.suppress(OSError):  # not empty: files of earlier exports
                folder.rmdir()  # no folder left for a period with nothing to export (an erased one)
                if made_parent:  # nor a bpjs_export/ this export made for nothing
                    folder.parent.rmdir()
            return None, 0
        path = folder / f"export-{_next_number(folder, logged):03d}.csv"
        tmp = aside(path)
        with tmp.open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow([name for name, _ in EXPORT_COLUMNS])
            w.writerows(rows)
        conn.execute(MARK_SUBMITTED, {"period": period, "niks": nik_list(r[0] for r in rows)})
        log_processing(conn, "export", period, region, {"file": path.name}, {"rows": len(rows)}, run_id)
        os.replace(tmp, path)
    return path, len(rows)


# each person's latest BPJS answer, or wait for one, from periods before the given one, and
# from a later period whom BPJS has (submitted, accepted): an earlier month run again after a
# later one was exported must not list them (the export's HELD_ELSEWHERE holds them the same way)
# (and the period's own acceptances: a month run again once BPJS answered its export listed
# those accepted as candidates still, on the kelurahan's list to visit beside the sheet of those
# BPJS accepted; its own rows awaiting an answer are its list, and stay)
EARLIER_WITH_BPJS = """
SELECT DISTINCT ON (nik) nik, period, status, kpj, status_reason FROM bpjs.submission_candidate
WHERE ((period <> %(period)s AND status IN ('submitted', 'accepted', 'rejected')
        AND (period < %(period)s OR status IN ('submitted', 'accepted')))
       OR (period = %(period)s AND status = 'accepted'))
  AND (%(niks)s::text IS NULL OR nik = ANY(string_to_array(%(niks)s, ',')))
ORDER BY nik, period DESC
"""


@no_row_data
def earlier_answers(dsn: str, period: str, niks: Collection[str] | None = None) -> list[tuple]:
    """Each person's latest answer from BPJS, or wait for one, from periods before ``period``
    (and whom BPJS has from a later period's export, or accepted from this period's own):
    (nik, period, status, kpj, status_reason) rows. ``niks``: only these people are looked up
    (the table holds every region and period a shared database has seen)."""
    if niks is not None and not len(niks):
        return []
    with psycopg.connect(dsn) as conn:
        return conn.execute(EARLIER_WITH_BPJS, {"period": period,
                                                "niks": None if niks is None else nik_list(niks)}).fetchall()


def held_among(answers: list[tuple], roster_kpjs: Collection[str] | None = None,
               period: str | None = None) -> dict[str, str]:
    """NIK -> why the person is not listed although the rules would list them: BPJS has them
    from an earlier period's export (``answers``, see :func:`earlier_answers`), still awaiting
    its answer, or accepted (from this period's export too) with a card (KPJ) that the roster
    extract does not show yet (it lags behind BPJS). Listed again, they would be exported and
    registered twice. Once the roster shows the card, the roster decides: protected, or lapsed
    and listed again. A rejection holds nobody. Without ``roster_kpjs`` every acceptance holds.

    An acceptance in a period after ``period`` (that month run again later) holds whatever the
    roster shows, as the export's ``HELD_ELSEWHERE`` does: a card lapsed in this month's extract
    is no lapse since BPJS accepted them."""
    # cards compared by their digits: the roster's may carry spaces or dashes the response had not
    kpjs = {text_digits(k) for k in roster_kpjs if k} if roster_kpjs is not None else set()
    held = {}
    for nik, earlier, status, kpj, _ in answers:
        if status == "submitted":
            held[nik] = f"sudah dikirim ke BPJS pada periode {earlier}, menunggu jawaban"
        elif status == "accepted" and (kpj is None or text_digits(kpj) not in kpjs):
            held[nik] = f"sudah diterima BPJS pada periode {earlier}, belum tampak di data peserta"
        elif status == "accepted" and period is not None and earlier > period:
            held[nik] = f"sudah diterima BPJS pada periode {earlier}, sesudah periode ini"
    return held


def held_by_bpjs(dsn: str, period: str, roster_kpjs: Collection[str] | None = None,
                 niks: Collection[str] | None = None) -> dict[str, str]:
    """:func:`held_among` the earlier answers of ``niks`` (or of everyone)."""
    return held_among(earlier_answers(dsn, period, niks), roster_kpjs, period)


# each person's latest acceptance by BPJS, any period: the card the kelurahan hands on
ACCEPTED_CARDS = """
SELECT DISTINCT ON (nik) nik, period, kpj FROM bpjs.submission_candidate
WHERE status = 'accepted' AND nik = ANY(string_to_array(%(niks)s, ','))
ORDER BY nik, period DESC
"""


@no_row_data
def accepted_cards(dsn: str, niks: Collection[str]) -> pl.DataFrame:
    """Of ``niks``, those BPJS accepted from an export of any period: ``nik``, ``period`` (of
    the latest acceptance) and ``kpj``, the card it gave."""
    schema = {"nik": pl.String, "period": pl.String, "kpj": pl.String}
    if not len(niks):
        return pl.DataFrame(schema=schema)
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(ACCEPTED_CARDS, {"niks": nik_list(niks)}).fetchall()
    return pl.DataFrame(rows, schema=schema, orient="row")


SENT_THIS_PERIOD = """
SELECT nik FROM bpjs.submission_candidate WHERE period = %(period)s AND status IN ('submitted', 'accepted')
  AND nik = ANY(string_to_array(%(niks)s, ','))
"""


@no_row_data
def sent_this_period(dsn: str, period: str, niks: Collection[str]) -> set[str]:
    """Of ``niks``, those the period's own export sent to BPJS (submitted, or accepted since):
    BPJS has them, whatever the period's run says of them now (:func:`earlier_answers` looks at
    the other periods)."""
    if not len(niks):
        return set()
    with psycopg.connect(dsn) as conn:
        return {r[0] for r in conn.execute(SENT_THIS_PERIOD, {"period": period, "niks": nik_list(niks)})}


def rejections_among(answers: list[tuple]) -> dict[str, str]:
    """NIK -> BPJS's rejection, for those whose latest answer (``answers``, see
    :func:`earlier_answers`) was a rejection: listed again, they come with the reason, so the
    kelurahan can mend what BPJS refused (a NIK Dukcapil does not know, a wrong birth date)
    before the next export."""
    return {nik: f"ditolak BPJS pada periode {earlier}: {reason or 'tanpa alasan'}"
            for nik, earlier, status, _, reason in answers if status == "rejected"}


def awaiting_among(answers: list[tuple]) -> set[str]:
    """Of ``answers`` (:func:`earlier_answers`), the NIKs whose export still awaits BPJS's answer:
    the backlog the city chases BPJS about (held, as :func:`held_among` holds them)."""
    return {nik for nik, _, status, _, _ in answers if status == "submitted"}


@no_row_data
def held_back(dsn: str, period: str, region: str | None = None) -> int:
    """How many of the period's pending candidates an export leaves out, since BPJS has them from
    another period's export (see ``HELD_ELSEWHERE``)."""
    with psycopg.connect(dsn) as conn:
        return conn.execute(EXPORT_SKIPPED, {"period": period, "region": region}).fetchone()[0]


@no_row_data
def verified_out_back(dsn: str, period: str, region: str | None = None) -> int:
    """How many of the period's pending candidates an export leaves out, since a kelurahan has
    verified them as not to enroll since the run listed them (see ``VERIFIED_OUT``)."""
    with psycopg.connect(dsn) as conn:
        return conn.execute(EXPORT_VERIFIED_OUT, {"period": period, "region": region}).fetchone()[0]


@no_row_data
def dropped_later_back(dsn: str, period: str, region: str | None = None, max_age: int | None = 65) -> int:
    """How many of the period's pending candidates an export leaves out, since the newest run of
    a later period of their region no longer lists them (see ``DROPPED_LATER``)."""
    with psycopg.connect(dsn) as conn:
        return conn.execute(EXPORT_DROPPED_LATER, {"period": period, "region": region, "max_age": max_age,
                                                   **_later_words(conn, period)}).fetchone()[0]


@no_row_data
def dropped_later_by(dsn: str, period: str, region: str | None = None, max_age: int | None = 65) -> dict[str, int]:
    """:func:`dropped_later_back` per later period whose run leaves them out: {period: count},
    the periods in order (a person two later runs no longer list counts under each). The export
    names them, so that the data engineer knows which month's run decided (a data engineer's
    review: a trial run of a later month had left out every candidate, and nothing said which)."""
    with psycopg.connect(dsn) as conn:
        words = _later_words(conn, period)
        out = {}
        for later in sorted(set(words["later_periods"])):
            pairs = [(r, p, a) for r, p, a in zip(words["later_regions"], words["later_periods"],
                                                  words["later_max_ages"]) if p == later]
            n = conn.execute(EXPORT_DROPPED_LATER, {
                "period": period, "region": region, "max_age": max_age,
                "later_regions": [r for r, _, _ in pairs], "later_periods": [p for _, p, _ in pairs],
                "later_max_ages": [a for _, _, a in pairs]}).fetchone()[0]
            if n:
                out[later] = n
        return out


def _later_words(conn: psycopg.Connection, period: str) -> dict[str, list[str]]:
    """The (region, later period) pairs whose last committed run ``DROPPED_LATER`` takes as the
    newer word for ``period``'s rows of that region: each later period's last run of the region,
    unless the region's last run of ``period`` itself was made from a newer extract.

    An extract is as old as the first run that read each of its files. A file is known by its
    rows (``readers.rows_sha256``): a copy saved again with other line endings is the same file.
    A run logged before the rows were (file sha256 only) is matched to a later one by the file
    sha256 they both name. The period's run is newer than a later one when none of its files is
    older than that run's file of the same source, and one is newer: run again from its own
    extract, or from a copy with the Dukcapil file corrected but the roster of its month, it is
    not. Without recorded files a batch's extract is as old as the batch."""
    runs = conn.execute(BATCH_EXTRACTS).fetchall()
    first_seen: dict[str, object] = {}
    for _, _, _, created, files, rows, _ in runs:
        for name, sha in (files or {}).items():
            ids = [sha] + ([rows[name]] if rows and name in rows else [])
            when = min([first_seen[i] for i in ids if i in first_seen], default=created)
            first_seen.update(dict.fromkeys(ids, when))
    last: dict[tuple[str, str], dict[str, object]] = {}  # (period, region) -> its last run's extract
    max_age: dict[tuple[str, str], int | None] = {}  # (period, region) -> its last run's rules' max_age
    for _, p, region, created, files, rows, age in runs:
        last[(p, region)] = ({Path(name).stem.lower(): first_seen[(rows or {}).get(name, sha)]
                              for name, sha in files.items()} if files else {"": created})
        max_age[(p, region)] = age
    pairs = [(region, p) for (p, region), extract in sorted(last.items())
             if p > period and (own := last.get((period, region))) is not None and not _newer(own, extract)]
    return {"later_regions": [r for r, _ in pairs], "later_periods": [p for _, p in pairs],
            "later_max_ages": [max_age[(p, r)] for r, p in pairs]}


def _newer(extract: dict, than: dict) -> bool:
    """Whether an extract ({source: when its file was first read}) is newer than another: no
    file of a source both have is older, and one is newer; without a source in common, its
    newest file is newer than the other's."""
    common = extract.keys() & than.keys()
    if not common:
        return max(extract.values()) > max(than.values())
    return (all(extract[s] >= than[s] for s in common) and any(extract[s] > than[s] for s in common))


def _next_number(folder: Path, logged: set[str]) -> int:
    """One more than the highest export number of the period, in the processing log or in the
    folder: a file moved away (sent, filed elsewhere) keeps its number, which is never written
    again. An aborted file's number is neither, so it is used again."""
    names = logged | {f.name for f in folder.glob("export-*.csv")}
    numbers = [int(m.group(1)) for name in names if name and (m := re.fullmatch(r"export-(\d+)\.csv", name))]
    return max(numbers, default=0) + 1


def _set_aside_aborted(folder: Path, logged: set[str]) -> list[Path]:
    """Rename the period's export files that no committed export wrote (``logged``: the files the
    processing log names) to ``<name>.aborted``.

    An export renames its file into place just before its transaction commits. Killed in
    between, it leaves a file whose rows are still ``pending`` and go into the next export:
    sent as well, they would be registered twice. Under the export lock no other export
    is between its rename and its commit, so a file missing from the processing log is such a
    file. It is kept, renamed, so that nobody sends it, and its number is used again."""
    aborted = []
    for f in sorted(folder.glob("export-*.csv")):
        if f.name not in logged:
            aborted.append(f.replace(unused_name(f.with_name(f.name + ".aborted"))))
    return aborted


@dataclass
class ResponseResult:
    file: str
    accepted: int
    rejected: int
    already: int = 0  # rows this file had already applied

    def summary(self) -> str:
        return (f"{self.file}: {self.accepted:,} accepted, {self.rejected:,} rejected"
                + (f", {self.already:,} already applied earlier" if self.already else ""))


APPLY = """
UPDATE bpjs.submission_candidate c
SET status = r.status, kpj = r.kpj, status_reason = r.reason, updated_at = now(), answered_at = now()
FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[], %s::text[]) AS r(nik, period, status, kpj, reason)
WHERE c.nik = r.nik AND c.period = r.period
"""
_CONTROL = re.compile(rf" *[{CONTROL}]+ *")


def parse_response(path: Path) -> list[dict]:
    """The file's rows, read as the extracts are: UTF-8 with or without BOM, else Windows-1252
    (Excel's "CSV" on a Windows machine), lines ended by LF, CRLF or CR alone (Excel's "CSV
    (Macintosh)"). Unreadable text, a column given twice, a quote that swallows rows and any
    other malformed CSV are refused naming their line."""
    name = mask_file_name(path.name)  # (a NIK in the name a person gave the file: starred)
    try:
        text, _ = decode_text(name, path.read_bytes())
    except InputError as exc:
        raise ResponseError(name, [str(exc).removeprefix(f"{name}: ")]) from None
    # a CR without an LF after it ends a line only in a file whose lines all end so; elsewhere it
    # is a character of its field, where the csv module stopped on it (it would be a space there)
    text = LONE_CR_TEXT.sub("\n" if cr_ended(text[:HEAD_BYTES]) else " ", text)
    lines = text.split("\n")
    sample = next((ln for ln in lines if ln.strip()), "")  # the header: blank lines before it are skipped
    delim = max(DELIMITERS, key=sample.count)
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))  # a field of any length
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    header: list[str] | None = None
    rows, problems, end = [], [], 0
    try:
        for rec in reader:
            start, end = end + 1, reader.line_num
            if header is None:
                if any(f.strip() for f in rec):
                    header = [h.strip().upper() for h in rec]
                    titled = max(i for i, h in enumerate(header) if h) + 1  # (empty titles after: Excel's padding)
                    problems += _header_problems(header, end)
                    if problems:
                        raise ResponseError(name, problems)
                continue
            if end > start and row_like_lines(lines[start - 1:end], delim, len(header)) > 1:
                problems.append(f"line {start}: a quoted field opened here runs over lines that read as rows of "
                                'their own, expected every " to be closed in its field (a stray quote)')
                continue
            if not any(_CONTROL.sub(" ", f).strip() for f in rec):
                continue  # a row of empty cells (";;;;"), as Excel saves formatted rows
            if any(f.strip() for f in rec[titled:]):
                rec, problem = _overlong(rec, header, titled, delim, start)
                if problem:
                    problems.append(problem)
                    continue
            # control characters are spaces, as in the extracts (PostgreSQL refuses a NUL in text);
            # a short row's missing fields are empty
            given = dict(zip(header, rec))
            row = {c: _CONTROL.sub(" ", given.get(c, "")).strip() for c in RESPONSE_COLUMNS}
            row["_line"] = end  # the row's last physical line (a quoted field may span lines)
            rows.append(row)
    except csv.Error as exc:
        problems.append(f"line {reader.line_num}: not a valid CSV ({exc}), expected delimited text with "
                        "balanced quotes")
    if header is None:
        raise ResponseError(name, [f"missing column {', '.join(RESPONSE_COLUMNS)}"])
    if problems:
        raise ResponseError(name, problems)
    if not rows:
        raise ResponseError(name, ["no data rows"])
    return rows


def _overlong(rec: list[str], header: list[str], titled: int, delim: str, line: int
              ) -> tuple[list[str], str | None]:
    """A row with text past the header's last titled column. When that column is ALASAN, the text
    is its own, cut at a delimiter BPJS did not quote ("NIK tidak ditemukan, mohon perbaiki"):
    put back together (it was stored cut without a word). Otherwise text under an untitled
    column is left as before, and a row of more fields than the header is refused: its fields
    cannot be placed."""
    if header[titled - 1] == "ALASAN":
        return [*rec[:titled - 1], delim.join(rec[titled - 1:]).strip(delim + " ")], None
    if len(rec) <= len(header):
        return rec, None
    return rec, (f"line {line}: {len(rec)} fields where the header has {len(header)}, expected a field "
                 f"holding the delimiter ({delim!r}) to be quoted")


def _header_problems(header: list[str], line: int) -> list[str]:
    """A missing column, or one given twice (in any case or spacing): with two NIK columns the
    rightmost one was read, and the acceptance went to the other person."""
    missing = [c for c in RESPONSE_COLUMNS if c not in header]
    twice = [c for c in RESPONSE_COLUMNS if header.count(c) > 1]
    return ([f"missing column {', '.join(missing)}"] if missing else []) + [
        f"line {line}: column {c} appears {header.count(c)} times (columns "
        + ", ".join(str(i + 1) for i, h in enumerate(header) if h == c) + "), expected once" for c in twice]


# A KPJ as a response file must give it: 11 ASCII digits (str.isdigit takes full-width '１', and
# such a card never equals the roster's)
_KPJ = re.compile(r"[0-9]{11}")


# A response NIK's problems (``pipelines.nik``'s codes, found as the extracts find them) that
# leave no 16 digits to read: refused. A NIK with 16 digits and an impossible date is read,
# and must then match a submitted candidate.
_UNREADABLE_NIK = ("nik_missing", "nik_excel_damaged", "nik_characters", "nik_length")


def _read_keys(row: dict, nik_problem: str | None) -> str | None:
    """Read a response row's NIK and PERIODE in place as the extracts read theirs (a leading
    ``'``, spaces or invisible characters around the digits); the row's problem when one cannot
    be read, without the value itself (a NIK is personal data). ``nik_problem``: the NIK's
    problem code (``pipelines.nik.nik_problems``)."""
    if nik_problem in _UNREADABLE_NIK:
        return (f"line {row['_line']}: {NIK_PROBLEMS[nik_problem]}"
                + ("; format the column as Text" if nik_problem == "nik_excel_damaged" else ""))
    row["NIK"] = text_digits(row["NIK"])
    try:
        period_start(row["PERIODE"])
    except ValueError:
        # the value is not quoted (period_start's error does): a shifted or mistyped row puts a
        # NIK or a name there
        if re.fullmatch(r"[A-Za-z]{3}-[0-9]{2}|[0-9]{1,2}[/-][0-9]{1,2}[/-][0-9]{2,4}", row["PERIODE"]):
            return f"line {row['_line']}: PERIODE was turned into a date by Excel; format the column as Text"
        return f"line {row['_line']}: PERIODE must be YYYY-MM (e.g. 2026-11)"
    return None


def _line_of(problem: str) -> int:
    m = re.match(r"line ([0-9]+):", problem)
    return int(m[1]) if m else 0


@no_row_data
def apply_response(dsn: str, path: str | Path, run_id: str | None = None) -> ResponseResult:
    """Validate a BPJS response file against the submitted candidates and apply it.

    A row the candidate already reflects exactly (status, KPJ and reason) is counted as already
    applied, not refused: a file applied once and then left in the inbox (its process killed
    between the commit and moving the file to ``processed/``) is handled again harmlessly."""
    path = Path(path)
    # the file as messages name it: long digit runs starred; the processing log (kept for ever,
    # beyond the retention) by its label, unless it is named as the exports are: BPJS's answer
    # saved under a person's name (hasil SITI AMINAH.csv) went into the log with that name
    name, logged = mask_file_name(path.name), response_label(path.name)
    rows = parse_response(path)
    unread = {r["_line"]: p for r, code in zip(rows, nik_problems([r["NIK"] for r in rows]))
              if (p := _read_keys(r, code))}
    problems = list(unread.values())
    # what each row sets: (status, KPJ, reason), read once for the checks and for the UPDATE
    sets = [(RESULTS.get(r["HASIL"].upper()), r["KPJ"].removeprefix("'") or None, r["ALASAN"] or None)
            for r in rows]
    for r, (status, kpj, reason) in zip(rows, sets):
        if status is None:
            problems.append(f"line {r['_line']}: HASIL must be DITERIMA or DITOLAK")
        elif status == "accepted" and not (kpj and _KPJ.fullmatch(kpj)):
            problems.append(f"line {r['_line']}: an accepted row needs an 11-digit KPJ")
        elif status == "rejected" and not reason:
            problems.append(f"line {r['_line']}: a rejected row needs ALASAN")
        if status == "rejected" and kpj and not _KPJ.fullmatch(kpj):
            # BPJS may name the card someone already holds; anything else there (another person's
            # NIK, a name from a shifted row) was stored unchecked in the kpj column
            problems.append(f"line {r['_line']}: a rejected row's KPJ, when given, must be 11 digits")
    with psycopg.connect(dsn) as conn, conn.transaction():
        keys = [(r["NIK"], r["PERIODE"]) for r in rows]
        found = {
            (nik, period): (status, kpj, reason) for nik, period, status, kpj, reason in conn.execute(
                "SELECT nik, period, status, kpj, status_reason FROM bpjs.submission_candidate "
                "WHERE (nik, period) IN (SELECT * FROM unnest(%s::text[], %s::text[])) FOR UPDATE",
                ([k[0] for k in keys], [k[1] for k in keys])).fetchall()
        }
        erased = _erased_among(conn, {k for r, k in zip(rows, keys) if r["_line"] not in unread and k not in found})
        of_erased: dict[str, int] = {}  # erased period -> the file's rows of it
        seen = set()
        done = set()  # rows this file already applied (the file applied before, and not filed away)
        for r, key, row_sets in zip(rows, keys, sets):
            if r["_line"] in unread:  # its problem is said: no NIK to look up
                continue
            if key in seen:
                problems.append(f"line {r['_line']}: the same NIK and period appear twice")
            seen.add(key)
            if key not in found and key[1] in erased:
                of_erased[key[1]] = of_erased.get(key[1], 0) + 1
            elif key not in found:
                problems.append(f"line {r['_line']}: not a submitted candidate of period {key[1] or '?'}")
            elif found[key] == row_sets:
                done.add(key)
            elif found[key][0] != "submitted":
                problems.append(f"line {r['_line']}: candidate is {found[key][0]}, not submitted")
        problems += _kpj_taken(conn, rows, keys, sets, unread)
        # one line per erased period, first: a line per row ("not a submitted candidate", 850 of
        # them) read as if those people had never been sent (an outside review)
        problems[:0] = [f"period {period} was erased by the retention (UU PDP): its candidates are gone and BPJS's "
                        f"responses for it can no longer be applied ({n:,} row(s) of this file)"
                        + ("; remove them to apply the file's other rows" if n < len(rows) else "")
                        for period, n in sorted(of_erased.items())]
        if problems:
            raise ResponseError(name, sorted(problems, key=_line_of))
        # the processing log keeps one row per period the file touches, with that period's counts
        counts = {period: {"accepted": 0, "rejected": 0, "already_applied": 0} for _, period in keys}
        changes = []
        for (nik, period), (status, kpj, reason) in zip(keys, sets):
            if (nik, period) in done:
                counts[period]["already_applied"] += 1
                continue
            changes.append((nik, period, status, kpj, reason))
            counts[period][status] += 1
        # one statement for the file: a round trip per row took 9.3 s for a 200k world's 33,799
        if changes:
            conn.execute(APPLY, [list(column) for column in zip(*changes)])
        for period, c in counts.items():
            log_processing(conn, "bpjs_response", period, None, {"file": logged}, c, run_id)
    total = {k: sum(c[k] for c in counts.values()) for k in ("accepted", "rejected")}
    return ResponseResult(name, total["accepted"], total["rejected"], len(done))


def _erased_among(conn: psycopg.Connection, keys: set[tuple[str, str]]) -> set[str]:
    """Of the periods of ``keys`` (a response's rows with no candidate), those the retention
    erased (it marks their batches, as ``lindungi verification`` reads it)."""
    periods = sorted({period for _, period in keys})
    if not periods:
        return set()
    return {p for (p,) in conn.execute("SELECT period FROM bpjs.submission_batch WHERE period = ANY(%s) "
                                       "GROUP BY period HAVING bool_or(erased_at IS NOT NULL)", (periods,))}


def _kpj_taken(conn: psycopg.Connection, rows: list[dict], keys: list[tuple], sets: list[tuple],
               unread: dict) -> list[str]:
    """Problems of accepted rows whose KPJ, a participant's own card number (CONTRACT §1), is
    another person's: given to another NIK earlier in the file, or accepted for another NIK
    before. Once the roster shows that card, the roster would decide for the wrong person. (The
    KPJ is not in the message: it names a person as a NIK does.)"""
    cards: dict[str, list[tuple[str, int]]] = {}  # KPJ -> (NIK, line) of the file's accepted rows
    problems = []
    for r, (nik, _), (status, kpj, _) in zip(rows, keys, sets):
        if status == "accepted" and r["_line"] not in unread and kpj and _KPJ.fullmatch(kpj):
            holders = cards.setdefault(kpj, [])
            if holders and holders[0][0] != nik:
                problems.append(f"line {r['_line']}: its KPJ is given to another NIK on line {holders[0][1]}")
            holders.append((nik, r["_line"]))
    if cards:
        held = conn.execute(
            "SELECT DISTINCT ON (k) k, nik, period FROM (SELECT regexp_replace(kpj, '[^0-9]', '', 'g') AS k, nik, "
            "period FROM bpjs.submission_candidate WHERE status = 'accepted' AND kpj IS NOT NULL) a "
            "WHERE k = ANY(%s) ORDER BY k, period", (list(cards),)).fetchall()
        for kpj, owner, period in held:
            problems += [f"line {line}: its KPJ was accepted for another NIK in period {period}"
                         for nik, line in cards[kpj] if nik != owner]
    return problems


@no_row_data
def accepted_not_on_roster(dsn: str, protected_niks: list[str], before_period: str) -> int:
    """How many candidates BPJS accepted in earlier periods are still not protected in the
    current roster (they were expected on it)."""
    with psycopg.connect(dsn) as conn:
        return conn.execute(
            "SELECT count(DISTINCT nik) FROM bpjs.submission_candidate "
            "WHERE status = 'accepted' AND period < %s AND NOT (nik = ANY(string_to_array(%s, ',')))",
            (before_period, nik_list(protected_niks))).fetchone()[0]
