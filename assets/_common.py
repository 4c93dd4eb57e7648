"""Helpers shared by the asset modules: progress lines and metadata without personal data."""

from __future__ import annotations

import contextlib
import logging
import os
import re
import threading
import time
import warnings
from collections.abc import Callable
from datetime import datetime, timezone

import dagster as dg
import polars as pl

from dagster_project.partitions import period_partitions
from pipelines.nik import LONG_DIGITS, mask
from pipelines.siak import FIRST_WORD

progress_log = logging.getLogger("lindungi.progress")
# the clock starts with the first process of a command; the processes it starts (one per region)
# inherit it, so their lines count from the same start (CLOCK_MONOTONIC is system-wide)
_START = float(os.environ.setdefault("LINDUNGI_PROGRESS_T0", repr(time.monotonic())))


def stored(settings, asset: str, partition: str | None = None, columns: list[str] | None = None) -> pl.DataFrame:
    """The asset's value as last materialized under ``settings.out_dir`` (a check run alone
    checks the stored value, not one computed again); dg.Failure when nothing is stored."""
    from dagster_project.io_manager import asset_path

    path = asset_path(settings.out_dir, asset, partition)
    if not path.exists():
        what = f"{asset} {partition}" if partition else asset
        raise dg.Failure(f"{what} is not materialized under {settings.out_dir}: materialize it to check it")
    return pl.read_parquet(path, columns=columns)


def latest_record(instance: dg.DagsterInstance, key: str, out_dir: str | os.PathLike,
                  partition: str | None = None) -> dg.EventLogRecord | None:
    """The latest materialization (of one partition) whose file is under ``out_dir`` (the IO
    manager's ``path`` metadata), as its event log record. Of any folder, a `lindungi run` into
    another --out on the same state directory counted: its links passed a folder's stale ones,
    and its ingest refused a folder's fresh ones (an operations review)."""
    under = os.path.realpath(out_dir) + os.sep
    flt = dg.AssetRecordsFilter(asset_key=dg.AssetKey(key), asset_partitions=[partition] if partition else None)
    cursor = None
    while True:
        page = instance.fetch_materializations(flt, limit=100, cursor=cursor)
        for rec in page.records:
            mat = rec.asset_materialization
            path = mat.metadata.get("path") if mat else None
            if path is not None and os.path.realpath(str(path.value)).startswith(under):
                return rec
        if not page.has_more:
            return None
        cursor = page.cursor


def stored_checked(settings, asset: str, partition: str | None = None):
    """The asset's GX suite (under the run's rules), started on its stored value (``stored``).
    A ``quality.expectations.Pending``."""
    from quality.definitions import asset_suite
    from quality.expectations import validate_later

    return validate_later(stored(settings, asset, partition), asset, asset_suite(asset, settings))


def progress(context: dg.AssetExecutionContext | dg.OpExecutionContext, message: str, warn: bool = False) -> None:
    """One progress line: to the Dagster event log (a warning there when ``warn``) and, under
    the CLI, to the terminal."""
    (context.log.warning if warn else context.log.info)(message)
    _line(message)


# A step that runs long says where it is, to the terminal only (from a timer thread: Dagster's
# context is used from the step's own thread), after this many seconds without a line: a 200k
# run prints none, where a 1M run's linking of a region was 16 s of silence, its submission 7 s
# and a 5.8M run's ingest 94 s.
QUIET_S = 5.0
_clock = time.monotonic
_LAST_LINE = [_clock()]
_LINE_LOCK = threading.Lock()


def _line(message: str) -> None:
    with _LINE_LOCK:
        now = _LAST_LINE[0] = _clock()
    progress_log.info("[%6.1fs] %s", now - _START, message)


@contextlib.contextmanager
def ticking(message: str | Callable[[], str], quiet_s: float | None = None):
    """While the block runs, a terminal line ``message (N s)`` each time nothing was said for
    ``quiet_s`` (default QUIET_S): for a long call that cannot say where it is itself,
    as the submission's load (a 1M run's was 7 s without a line), or one whose stages are long
    (``message`` a callable then, asked for the stage at each line). A block shorter than that
    prints nothing. The lines come from a timer thread that wakes once a second or sooner."""
    quiet = QUIET_S if quiet_s is None else quiet_s
    done, start = threading.Event(), _clock()

    def tick() -> None:
        while not done.wait(min(1.0, quiet / 4)):
            with _LINE_LOCK:
                now = _clock()
                if now - _LAST_LINE[0] < quiet:
                    continue
                _LAST_LINE[0] = now
            said = message() if callable(message) else message
            progress_log.info("[%6.1fs] %s (%.0f s)", now - _START, said, now - start)

    timer = threading.Thread(target=tick, name="lindungi-ticking", daemon=True)
    timer.start()
    try:
        yield
    finally:
        done.set()
        timer.join()


def _initials(name: str | None) -> str:
    return " ".join(p[0] + "." for p in (name or "").split() if p) or "-"


# A raw field whose flag says it was not understood holds whatever was typed there, often a
# value from another column (a name or a NIK in JENIS_PKRJN, a name in SEGMEN): it is not shown.
_NOT_UNDERSTOOD = {"occupation_unknown": "JENIS_PKRJN", "sex_unknown": "JENIS_KLMIN",
                   "segmen_unknown": "SEGMEN", "status_unknown": "STATUS", "program_unknown": "PROGRAM"}
# a run of 12 or more digits in any other cell (a NIK given as ID_DTSEN or KPJ) is masked as a
# NIK is, also when typed in groups (it was shown in full); a KPJ is shown by its ends
_LONG_DIGITS = re.compile(LONG_DIGITS)
# a record id holding no digit at all is no id: a name from the next column of a shifted row
_RECORD_IDS = ("ID_DTSEN",)
_FIRST_WORD = re.compile(FIRST_WORD)


def preview(df: pl.DataFrame, columns: list[str], n: int = 5) -> dg.MetadataValue:
    """A markdown preview of the first rows with NIKs masked and names reduced to initials; a
    field flagged as not understood is left out, and a long digit run elsewhere is masked."""
    head = df.head(n)
    shown = [c for c in columns if c in df.columns]
    flags = head.get_column("flags").to_list() if "flags" in head.columns else [None] * head.height
    # labels typed without a SIAK code (a frame without the code column: none, the flags decide)
    uncoded = (head.get_column("pekerjaan_kode").is_null().to_list() if "pekerjaan_kode" in head.columns
               else [False] * head.height)
    rows = []
    for rec, row_flags, typed in zip(head.select(shown).iter_rows(named=True), flags, uncoded):
        hidden = {_NOT_UNDERSTOOD[f] for f in (row_flags or []) if f in _NOT_UNDERSTOOD}
        out = []
        for c, v in rec.items():
            if c in hidden and v is not None:
                # first: a field flagged as not understood holds whatever was typed there (an
                # occupation "<a NIK> PEDAGANG" was shown by its first word, the NIK whole, in the
                # residents' preview: a privacy audit)
                v = "(tidak dikenal)"
            elif c in ("NIK", "NO_KK"):
                v = mask(v)
            elif c in ("NAMA_LGKP", "NAMA"):
                v = _initials(v)
            elif c == "JENIS_PKRJN" and v is not None and typed and (m := _FIRST_WORD.match(str(v).strip())) \
                    and m.end() < len(str(v).strip()):
                # a label without a SIAK code is whatever was typed ("TUKANG PIJAT <a name>", taken
                # as informal work by the rules' prefixes; a privacy audit, TUKANG_PIJAT_<a name>
                # and TUKANG/<a name> its re-check): its first word
                v = _LONG_DIGITS.sub(lambda d: mask(d.group()), m.group()) + " …"
            elif c == "TGL_LHR" and v is not None:
                # the year only: the six digits a masked NIK hides are the birth date, which beside
                # it (and the sex) gave the NIK back whole (a privacy audit)
                v = f"{v.year}-**-**" if hasattr(v, "year") else "(tidak dikenal)"
            elif c in _RECORD_IDS and v is not None and not re.search("[0-9]", str(v)):
                v = "(tidak dikenal)"
            elif c in ("KPJ", *_RECORD_IDS) and v is not None:
                # a participant card or a welfare record names one person as a NIK does: its ends
                # only (an ID_DTSEN shown whole showed a name typed beside a digit, "DTSEN 2 SRI
                # AMELIA ...": a privacy audit), a long digit run in it too (one holding a NIK was
                # shown with the NIK starred and the name and the birth date beside it: another)
                v = str(v)[:2] + "*" * max(len(str(v)) - 4, 1) + str(v)[-2:] if len(str(v)) > 4 else "*" * len(str(v))
            elif v is not None:
                v = _LONG_DIGITS.sub(lambda m: mask(m.group()), str(v))
            out.append("" if v is None else str(v).replace("|", "/"))
        rows.append("| " + " | ".join(out) + " |")
    table = "\n".join(["| " + " | ".join(shown) + " |", "|" + "---|" * len(shown), *rows])
    return dg.MetadataValue.md(table)


def counts_md(title: str, counts: dict) -> dg.MetadataValue:
    lines = [f"| {title} | rows |", "|---|---|"] + [f"| {k} | {v:,} |" for k, v in counts.items()]
    return dg.MetadataValue.md("\n".join(lines))


def monthly_check(name: str, asset: str, **kw) -> dg.AssetCheckSpec:
    """A check of a monthly asset, partitioned as its asset is: without partitions its result was
    recorded for no month, beside a planned execution for the run's month that never came, shown
    as skipped (a UI review). Dagster 1.13 marks partitions on a check as a preview; the version is
    pinned, and `test_every_asset_check_ran_and_passed` holds each result to its month."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=dg.PreviewWarning, message=".*partitions_def on an AssetCheckSpec")
        return dg.AssetCheckSpec(name, asset=asset, partitions_def=period_partitions, **kw)


def monthly_asset(name: str, group: str, description: str, check: str, check_description: str,
                  blocking: bool = False):
    """A monthly asset (a polars frame) with one check (``monthly_check``), declared so the check
    can run alone (the UI's "Execute" on it), on the stored value: the body tells which by
    whether ``name`` is among ``context.op_execution_context.selected_output_names``."""
    return dg.multi_asset(
        name=name, partitions_def=period_partitions,
        outs={name: dg.AssetOut(group_name=group, kinds={"polars", "parquet"}, is_required=False,
                                description=description)},
        check_specs=[monthly_check(check, name, blocking=blocking, description=check_description)],
        can_subset=True)


def last_linking(instance: dg.DagsterInstance, keys: tuple[str, ...], region: str) -> tuple[dict, str] | None:
    """The metadata of the latest linking of ``region`` among the region assets ``keys``
    (``region_welfare_links``, ``region_participant_links``), in any output folder (the
    submission tables are the state directory's), and when it was, as "2026-12-02 13:05 UTC";
    None when there is none. A linking of a region not in its extract (no ``residents``) does
    not count."""
    last = None
    for key in keys:
        page = instance.fetch_materializations(
            dg.AssetRecordsFilter(asset_key=dg.AssetKey(key), asset_partitions=[region]), limit=5)
        for rec in page.records:
            meta = rec.asset_materialization.metadata if rec.asset_materialization else {}
            if "residents" in meta:
                if last is None or rec.storage_id > last[0]:
                    last = (rec.storage_id, meta, rec.timestamp)
                break
    if last is None:
        return None
    # (when, not the linking run's id: the summary had shown another, the command's run)
    return last[1], datetime.fromtimestamp(last[2], tz=timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def smaller_refusal(smaller: list[str], kept: str = "nothing was written",
                    what: str = "penduduk: under half the residents of the last run") -> str:
    """The refusal of an extract much smaller than before (``smaller``: each kab/kota's words;
    ``kept``: what the refusal kept from being written; ``what``: of which extract)."""
    return (f"{what}, in " + "; ".join(smaller)
            + ". A sample or a partial extract (one kecamatan, a file cut short) would withdraw the period's "
              f"candidates it lacks and leave them out of earlier months' exports; {kept}. If the "
              "extract is right, run again with --allow-smaller-extract (the run's settings: "
              "allow_smaller_extract; LINDUNGI_ALLOW_SMALLER_EXTRACT=true)")


def settle_smaller(context, settings, smaller: list[str], refusal: str, taken: str) -> None:
    """An extract much smaller than before (``smaller``: each kab/kota's words, none: nothing to
    say): ``refusal`` as the step's failure, unless the settings allow it; then a warning,
    ``taken`` before the words. The ingest's residents, a region's records and the delivery's
    residents against the database are checked alike."""
    if smaller and not settings.allow_smaller_extract:
        raise dg.Failure(refusal)
    if smaller:
        progress(context, taken + "; ".join(smaller), warn=True)
