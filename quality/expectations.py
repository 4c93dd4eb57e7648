"""Great Expectations (GX Core 1.x) suites, declared as data, and the runner.

Suites are lists of :class:`Expectation` (a GX expectation class name and its arguments) per
asset: one for each source extract as read (before cleaning), one for each accepted source
(``residents``, ``welfare_records``, ``participants``), the links, the candidates, and
``submission_table``, which GX checks in PostgreSQL itself through its SQL datasource after the
load. GX is imported lazily (its import costs seconds) and runs in one ephemeral context per
process, on each frame converted to pandas as polars' ``to_pandas`` would (GX cannot take polars
frames; the frame goes over as Arrow IPC, see :func:`validate_later`). Results keep counts
only, never row values: a failed expectation on NIK must not put a NIK in the Dagster UI.
"""

from __future__ import annotations

import importlib
import io
import os
import re
import sys
import threading
import types
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported where used: the GX worker never imports polars (see validate_later)
    import polars as pl


@dataclass(frozen=True)
class Expectation:
    kind: str                   # GX class name, e.g. "ExpectColumnValuesToBeUnique"
    kwargs: dict
    blocking: bool = True       # a failure stops the submission
    description: str = ""


@dataclass
class SuiteResult:
    suite: str
    success: bool               # every blocking expectation passed
    rows: int
    results: list[dict] = field(default_factory=list)

    @property
    def failed(self) -> list[dict]:
        return [r for r in self.results if not r["success"]]

    def markdown(self) -> str:
        lines = ["| expectation | column | blocking | result | unexpected |", "|---|---|---|---|---|"]
        for r in self.results:
            lines.append(f"| {r['expectation']} | {r['column'] or '-'} | {'yes' if r['blocking'] else 'no'} | "
                         f"{'passed' if r['success'] else 'FAILED'} | {r['unexpected_count']:,} |")
        return "\n".join(lines)


def _e(kind: str, blocking: bool = True, description: str = "", **kwargs) -> Expectation:
    return Expectation(kind, kwargs, blocking, description)


# columns an extract must have (pipelines/readers.py stops the run without them): schema's
# *_REQUIRED, written out so that this module imports no polars (the GX worker starts first);
# tests/test_expectations.py holds them equal
REQUIRED = {
    "penduduk": ["NIK", "NAMA_LGKP", "TGL_LHR", "JENIS_KLMIN", "JENIS_PKRJN", "NO_PROP", "NO_KAB", "NO_KEC", "NO_KEL"],
    "dtsen": ["ID_DTSEN", "NIK", "NAMA", "TGL_LHR", "KODE_KEL", "DESIL"],
    "peserta_bpjstk": ["KPJ", "NIK", "NAMA", "TGL_LHR", "SEGMEN", "STATUS", "PROGRAM"],
}
SUBMISSION_STATUSES = ["pending", "submitted", "accepted", "rejected", "withdrawn"]


def _extract(source: str, id_col: str | None) -> list[Expectation]:
    """An extract as read: all text. What is usable at all blocks; what quarantine or flags
    will handle is measured, not blocking (a damaged NIK is expected in real extracts)."""
    out = [_e("ExpectTableRowCountToBeBetween", min_value=1, description="the extract has data rows")]
    out += [_e("ExpectColumnToExist", column=c, description="required column present") for c in REQUIRED[source]]
    out.append(_e("ExpectColumnValuesToMatchRegex", blocking=False, column="NIK",
                  regex=r"^[^0-9]{0,3}[0-9]{16}[^0-9]{0,3}$",
                  description="NIK readable as 16 digits (others are quarantined or treated as missing)"))
    if id_col:
        out.append(_e("ExpectColumnValuesToNotBeNull", blocking=False, column=id_col,
                      description="record id present (rows without are quarantined)"))
    return out


def suite_for(asset: str, *, min_age: int = 18, max_age: int = 65, iuran: int = 16800) -> list[Expectation]:
    """The expectation suite of an asset (parameterised by the rules where they matter)."""
    from pipelines.rules import PROGRAMS, STATUSES  # (imports polars: not at the top, see validate_later)

    # Digits spelled [0-9]: the NIK's are ASCII digits (Python's \d also takes other scripts'),
    # and pandas runs \d over a column with any non-ASCII text in Python, row by row (a raw
    # extract's NIK column at 200k rows: 0.20 s against 0.04 s)
    nik = r"^[0-9]{16}$"
    one = "(" + "|".join(PROGRAMS) + ")"
    PROGRAM_LIST = f"^({one}(,{one})*)?$"
    suites = {
        "penduduk_extract": _extract("penduduk", None),
        "dtsen_extract": _extract("dtsen", "ID_DTSEN"),
        "peserta_bpjstk_extract": _extract("peserta_bpjstk", "KPJ"),
        "residents": [
            _e("ExpectColumnValuesToNotBeNull", column="NIK", description="every resident has a NIK"),
            _e("ExpectColumnValuesToBeUnique", column="NIK", description="NIK unique among accepted residents"),
            _e("ExpectColumnValuesToMatchRegex", column="NIK", regex=nik),
            _e("ExpectColumnValuesToBeInSet", blocking=False, column="JENIS_KLMIN", value_set=["L", "P"]),
            _e("ExpectColumnValuesToMatchRegex", blocking=False, column="kode_kel", regex=r"^[0-9]{10}$"),
        ],
        "welfare_records": [
            # every row quarantined is an empty extract (CONTRACT §5): the run went on and ranked
            # every candidate without a desil
            _e("ExpectTableRowCountToBeBetween", min_value=1,
               description="at least one welfare record accepted (the quarantine holds every row with its reason)"),
            _e("ExpectColumnValuesToNotBeNull", column="ID_DTSEN"),
            _e("ExpectColumnValuesToBeUnique", column="ID_DTSEN", description="one row per welfare record"),
            _e("ExpectColumnValuesToMatchRegex", column="NIK", regex=nik, description="a kept NIK is 16 digits"),
            _e("ExpectColumnValuesToBeBetween", blocking=False, column="DESIL", min_value=1, max_value=10),
            _e("ExpectColumnValuesToMatchRegex", blocking=False, column="KODE_KEL", regex=r"^[0-9]{10}$"),
        ],
        "participants": [
            # a roster all quarantined (one KPJ on every row), or whose STATUS is not understood
            # (written 1/0): no one's protection could be decided, every protected worker became a
            # candidate and was submitted, and the run ended well
            _e("ExpectTableRowCountToBeBetween", min_value=1,
               description="at least one roster record accepted (the quarantine holds every row with its reason)"),
            _e("ExpectColumnValuesToNotBeNull", column="STATUS", mostly=0.5,
               description="STATUS read as AKTIF or NONAKTIF in most rows (else no one's protection can be decided)"),
            _e("ExpectColumnValuesToNotBeNull", column="KPJ"),
            _e("ExpectColumnValuesToBeUnique", column="KPJ", description="one row per participant card"),
            _e("ExpectColumnValuesToMatchRegex", column="NIK", regex=nik, description="a kept NIK is 16 digits"),
            # what protection is decided from, in the period's assessment under its rules
            # (pipelines.candidates.protects): the ingest decides nothing, and guarantees every
            # row's programmes read as a canonical list ("" for none). A null PROGRAM would protect
            # nobody without a word
            _e("ExpectColumnValuesToNotBeNull", column="PROGRAM",
               description="programmes held read for every row (empty when none)"),
            _e("ExpectColumnValuesToMatchRegex", column="PROGRAM", regex=PROGRAM_LIST,
               description="programmes held as a canonical list of JKK, JKM, JHT, JP, JKP"),
            _e("ExpectColumnValuesToBeInSet", blocking=False, column="STATUS", value_set=list(STATUSES)),
        ],
        "welfare_links": _links("ID_DTSEN", nik),
        "participant_links": _links("KPJ", nik),
        "enrollment_candidates": [
            _e("ExpectColumnValuesToBeUnique", column="NIK"),
            _e("ExpectColumnValuesToMatchRegex", column="NIK", regex=nik),
            _e("ExpectColumnValuesToBeBetween", column="umur", min_value=min_age, max_value=max_age,
               description="every candidate is of working age"),
            _e("ExpectColumnValuesToBeBetween", column="iuran_bulanan", min_value=iuran, max_value=iuran,
               description="contributions add up to the rules' premium (JKK + JKM, + JHT when required)"),
            _e("ExpectColumnValuesToBeUnique", column="rank"),
            _e("ExpectColumnValuesToBeBetween", column="desil", min_value=1, max_value=10),
            _e("ExpectColumnValuesToNotBeNull", column="kode_kel"),
        ],
        # bpjs.submission_candidate rows of the period still in play (not withdrawn), in SQL
        "submission_table": [
            _e("ExpectColumnValuesToBeUnique", column="nik", description="one row per NIK and period"),
            _e("ExpectColumnValuesToMatchRegex", column="nik", regex=nik),
            _e("ExpectColumnValuesToBeInSet", column="status", value_set=SUBMISSION_STATUSES),
            _e("ExpectColumnValuesToNotBeNull", column="batch_id", description="every row traces to a batch"),
            # a warning, not a stop: a row sent to BPJS keeps the contribution it was sent with,
            # listed still or not (pipelines/submission.py, SENT), and after the rules'
            # contribution changed every later run of the period stopped here, for good (a rules
            # review); the list's own rows are held to the rules by enrollment_candidates' suite,
            # which stops the run
            _e("ExpectColumnValuesToBeBetween", blocking=False, column="iuran_bulanan", min_value=iuran,
               max_value=iuran, description="contributions add up to JKK + JKM (a row sent earlier keeps its own)"),
            _e("ExpectColumnValuesToNotBeNull", column="content_hash"),
        ],
        # bpjs.submission_batch rows of the period: every batch committed, counted and checksummed
        "submission_batches": [
            _e("ExpectTableRowCountToBeBetween", min_value=1, description="the run left a batch"),
            _e("ExpectColumnValuesToBeInSet", column="status", value_set=["committed"],
               description="no half-written batch"),
            _e("ExpectColumnValuesToBeBetween", column="row_count", min_value=0),
            _e("ExpectColumnValuesToMatchRegex", column="checksum", regex=r"^[0-9a-f]{32}$"),
            _e("ExpectColumnValuesToBeUnique", column="id"),
        ],
    }
    return suites[asset]


def _checked_columns(expectations: list[Expectation]) -> list[str]:
    """The columns a suite's expectations name, sorted."""
    return sorted({e.kwargs["column"] for e in expectations if "column" in e.kwargs})


def suite_columns(expectations: list[Expectation]) -> str:
    """The columns a suite reads, as a SELECT list for the query GX validates in the database.
    GX fetches the query's whole result once (psycopg2's cursors are client-side), so
    ``SELECT *`` shipped every name and address of the period to it: 285 ms in PostgreSQL for
    the 1M world's submission with all columns, 100 ms with these. (Frames get the same
    treatment in :func:`validate_later`.)"""
    return ", ".join(_checked_columns(expectations)) or "1 AS _row"


def _links(id_col: str, nik: str) -> list[Expectation]:
    from pipelines.schema import LINK_METHODS  # (imports polars: not at the top, see above)

    return [
        _e("ExpectColumnValuesToBeUnique", column=id_col, description="each record links to at most one resident"),
        _e("ExpectColumnValuesToBeInSet", column="method", value_set=list(LINK_METHODS)),
        _e("ExpectColumnValuesToBeBetween", column="score", min_value=0, max_value=1),
        _e("ExpectColumnValuesToMatchRegex", column="NIK", regex=nik),
    ]


_CONTEXT_LOCK = threading.Lock()


def warm_up() -> None:
    """Import GX and build its context in a background thread, once per process.

    ``import great_expectations`` costs about 4-6 s here, all of it Python holding the GIL,
    while the ingest around it is mostly polars work that releases the GIL: started before the
    extracts are read, the import is done by the time the first suite runs. ``validate`` waits
    for it (or builds the context itself if the thread failed). Nothing to do when the suites
    run in a worker process (:func:`start_worker`)."""
    if _WORKER is not None or _build_context.cache_info().currsize or _CONTEXT_LOCK.locked():
        return
    threading.Thread(target=_warm, name="gx-warm-up", daemon=True).start()


def _warm() -> None:
    try:
        _context()
    except Exception:  # noqa: BLE001 - validate() builds it again and raises there
        pass


_WORKER = None  # a one-process pool running the suites, when start_worker() was called
_WORKER_READY = None  # the worker's first task, done once the worker has run its initializer (GX's import)


def start_worker() -> None:
    """Run this process's suites in a process of its own, started now, which imports GX and
    builds its context at once.

    In one process GX's import is seconds of Python holding the GIL, which it took from
    Dagster's start and the first steps even from a thread (``lindungi run`` at 200k
    residents: Dagster's instance took 5.5 s to open beside it, ~1 s alone). In its own
    process it runs on the other core. The frames go to it as Arrow IPC bytes, and it never
    imports polars; the results come back as :class:`SuiteResult`. Should the process not
    start or die, the suites run here again."""
    global _WORKER, _WORKER_READY
    if _WORKER is not None or _build_context.cache_info().currsize:
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    _WORKER = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"), initializer=_warm_worker)
    _WORKER_READY = _WORKER.submit(int)  # the pool starts its process on the first task


def _warm_worker() -> None:
    from pipelines.processes import exit_with_parent, imports_uncollected

    exit_with_parent()  # a killed `lindungi run` leaves no worker behind
    # Ctrl-C reaches the whole foreground process group: the run stops its worker itself (and a
    # worker still importing GX printed a page of KeyboardInterrupt traceback under the error)
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _yield_cpu()
    # GX's import without the cyclic collector, which rescanned its growing heap again and
    # again (3.0-4.3 s of CPU against 3.9-5.0 s), and what it left frozen: the process's exit
    # is fast, which the run's exit waits for (200k run: 1.8 s -> 0.5 s from the summary to the
    # end of the command), and so are its collections while it runs the suites
    with imports_uncollected():
        _warm()


# The worker's scheduling priority relative to the run (the nice increment, 19 = lowest). Its
# work is off the run's critical path but where the run waits for a result, and then the run's
# process is idle: until then it gives way. GX's import (3-5 s of CPU) otherwise takes a core
# from Dagster's start and the ingest's polars threads on a 2-core machine. `lindungi run` at
# 200k, alternating: 15.5 / 14.9 / 14.9 s against 17.9 / 16.7 / 15.9 s at the same priority,
# and less CPU in all (21-22 s of user time against 23-26 s). Since GX's import got cheaper
# (the collector off) and starts sooner, it matters less: in a slow hour, nice 0, 5 and 19
# gave medians of 18.06, 17.77 and 18.07 s over 9, 6 and 9 alternating rounds, within the
# noise; the run's start is ~0.3 s sooner at 19, and the ingest waits a little longer for the
# suites' results.
WORKER_NICENESS = 19


def _yield_cpu() -> None:
    try:
        os.nice(WORKER_NICENESS)
    except (AttributeError, OSError):  # no nice() on Windows: the worker runs as the run does
        pass


class Pending:
    """A suite started in the worker process (when there is one) while the caller goes on;
    :meth:`result` waits for it. Without a worker, or should it die, the suite runs in this
    process when the result is asked for."""

    def __init__(self, fn, *args):
        self._fn, self._args, self._future = fn, args, None
        if _WORKER is not None:
            from concurrent.futures.process import BrokenProcessPool

            try:
                self._future = _WORKER.submit(fn, *args)
            except (BrokenProcessPool, RuntimeError):  # broken, or shut down at exit
                _forget_worker()

    def result(self) -> SuiteResult:
        if self._future is not None:
            from concurrent.futures.process import BrokenProcessPool

            try:
                return self._future.result()
            except BrokenProcessPool:
                _forget_worker()
        return self._fn(*self._args)


def stop_worker() -> None:
    """End the worker process, and run any later suite in this process. While it is still
    importing GX (seconds, which the command's exit would wait for) it is killed; once GX is
    imported it is shut down (after the suite it may be running), so that it ends as a process
    does: a semaphore made in it at GX's import is released then, where a killed worker left it
    to the resource tracker, which warned about a "leaked semaphore" under the command's error."""
    global _WORKER
    pool, _WORKER = _WORKER, None
    if pool is None:
        return
    if _WORKER_READY is None or not _WORKER_READY.done():
        for process in list((pool._processes or {}).values()):
            process.kill()
        pool.shutdown(wait=False, cancel_futures=True)
    else:
        pool.shutdown(wait=True, cancel_futures=True)


def _forget_worker() -> None:
    global _WORKER
    _WORKER = None


def _context():
    with _CONTEXT_LOCK:  # one build, whichever thread comes first
        return _build_context()


# Modules GX imports at the top of expectation and metric modules Lindungi never runs (the
# KL-divergence and KS-test expectations), and uses only inside them. Loading them (scipy's
# compiled libraries above all) was over a third of building GX's context: 7.0-8.2 s before,
# 4.1-5.6 s after, alternating in a slow hour. They are imported on first use instead.
DEFERRED_IMPORTS = ("scipy.stats", "altair")


class _Deferred(types.ModuleType):
    """Stands in ``sys.modules`` for a module until something reads an attribute of it; then
    the real module is imported and every attribute is read from it."""

    def __getattr__(self, attr: str):
        real = self.__dict__.get("_real")
        if real is None:
            if sys.modules.get(self.__name__) is self:
                del sys.modules[self.__name__]
            real = self.__dict__["_real"] = importlib.import_module(self.__name__)
        return getattr(real, attr)


def _defer_imports() -> None:
    for name in DEFERRED_IMPORTS:
        if name not in sys.modules:
            sys.modules[name] = _Deferred(name)


@lru_cache(maxsize=1)
def _build_context():
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    _defer_imports()
    import great_expectations as gx
    from great_expectations.execution_engine import pandas_execution_engine

    # GX fingerprints every DataFrame it is handed by hashing all of its values, twice a suite,
    # for a batch marker nothing reads: 1.8 s of a 3.0 s suite on 1M residents. The threshold
    # is the frame size under which it does so.
    pandas_execution_engine.HASH_THRESHOLD = 0

    ctx = gx.get_context(mode="ephemeral")
    try:  # no progress bars in logs
        from great_expectations.data_context.types.base import ProgressBarsConfig

        ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    except Exception:  # noqa: BLE001 - cosmetic only
        pass
    batch_def = ctx.data_sources.add_pandas("lindungi").add_dataframe_asset("frame") \
        .add_batch_definition_whole_dataframe("whole")
    return gx, ctx, batch_def


def _suite(gx, name: str, expectations: list[Expectation]):
    """The GX suite, and the key each expectation's result is matched back by."""
    suite = gx.ExpectationSuite(name=f"{name}-{id(expectations)}")
    for e in expectations:
        suite.add_expectation(getattr(gx.expectations, e.kind)(**e.kwargs))
    return suite, [_key(re.sub(r"(?<!^)(?=[A-Z])", "_", e.kind).lower(), e.kwargs) for e in expectations]


def _key(kind: str, kwargs: dict) -> tuple:
    return kind, kwargs.get("column"), repr(kwargs.get("value_set") or kwargs.get("regex") or "")


def validate(df: pl.DataFrame, name: str, expectations: list[Expectation]) -> SuiteResult:
    return validate_later(df, name, expectations).result()


def validate_later(df: pl.DataFrame, name: str, expectations: list[Expectation]) -> Pending:
    """:func:`validate`, started now: in ``lindungi run``'s worker process the suite runs
    beside the caller's next work (the cleaning of the extract it was read from, say)."""
    import polars as pl

    cols = [c for c in _checked_columns(expectations) if c in df.columns]
    # a column that only has to exist is handed over as a zero-copy Int8 placeholder of the same
    # length: converting 1M raw text values to pandas objects for ExpectColumnToExist cost
    # seconds and checked nothing more (a missing column stays missing, so the expectation fails)
    valued = {e.kwargs["column"] for e in expectations if "column" in e.kwargs and e.kind != "ExpectColumnToExist"}
    exprs = [pl.col(c) if c in valued else pl.repeat(0, pl.len(), dtype=pl.Int8).alias(c) for c in cols]
    # a frame without any checked column still has its rows (row-count expectations)
    frame = df.select(exprs) if cols else df.select(pl.lit(0).alias("_row"))
    # handed over as Arrow IPC bytes, written by polars and read by pyarrow (which pandas
    # imports anyway): the worker never imports polars (0.3 s of CPU of its start, while it
    # imports GX beside the ingest), and this process does not import pyarrow for it (only a
    # Parquet extract's reader does)
    ipc = io.BytesIO()
    frame.write_ipc(ipc, compat_level=pl.CompatLevel.oldest())  # (large strings, as to_pandas reads them)
    return Pending(_validate_frame, ipc.getvalue(), name, expectations, df.height)


def _validate_frame(ipc: bytes, name: str, expectations: list[Expectation], rows: int) -> SuiteResult:
    import pyarrow as pa

    gx, ctx, batch_def = _context()
    suite, ids = _suite(gx, name, expectations)
    # the frame as polars' DataFrame.to_pandas converts it: through Arrow, dates not as objects
    frame = pa.ipc.open_file(pa.BufferReader(ipc)).read_all().to_pandas(date_as_object=False)
    batch = batch_def.get_batch(batch_parameters={"dataframe": frame})
    return _result(name, expectations, ids, batch.validate(suite, result_format="BASIC"), rows)


def validate_sql(dsn: str, query: str, name: str, expectations: list[Expectation]) -> SuiteResult:
    """Run a suite inside PostgreSQL through GX's SQL datasource on the rows of ``query``."""
    return validate_sql_later(dsn, query, name, expectations).result()


def validate_sql_later(dsn: str, query: str, name: str, expectations: list[Expectation]) -> Pending:
    """:func:`validate_sql`, started now (see :func:`validate_later`)."""
    return Pending(_validate_sql, dsn, query, name, expectations)


def warm_sql(dsn: str) -> None:
    """Register the database with GX in the worker process now, when the worker is idle, so
    that the first SQL suite does not pay for it (SQLAlchemy's engine and dialect, GX's
    connection test: ~0.4 s). Nothing to do without a worker: the first suite registers it."""
    if _WORKER is not None:
        Pending(_register_sql, dsn)  # its result is never asked for; a failure shows in the suite


def _register_sql(dsn: str) -> None:
    _sql_source(dsn)  # (the source itself stays in the worker: nothing to send back)


def _sql_source(dsn: str):
    from pipelines.db import sqlalchemy_url

    _, ctx, _ = _context()
    source_name = f"pg-{abs(hash(dsn))}"
    try:
        return ctx.data_sources.get(source_name)
    except Exception:  # noqa: BLE001 - not registered yet in this process
        return ctx.data_sources.add_sql(source_name, connection_string=sqlalchemy_url(dsn))


def _validate_sql(dsn: str, query: str, name: str, expectations: list[Expectation]) -> SuiteResult:
    gx, _, _ = _context()
    source = _sql_source(dsn)
    asset = source.add_query_asset(f"{name}-{len(source.assets)}", query=query)
    batch = asset.add_batch_definition_whole_table("all").get_batch()
    suite, ids = _suite(gx, name, expectations)
    res = batch.validate(suite, result_format="BASIC")
    # the rows checked: a column expectation's element_count, else the table's row count (a
    # table-level expectation first in the suite has no element_count)
    counts = [int(r.result["element_count"]) for r in res.results if r.result and "element_count" in r.result]
    counts += [int(r.result["observed_value"]) for r in res.results
               if r.expectation_config.type == "expect_table_row_count_to_be_between"
               and r.result and r.result.get("observed_value") is not None]
    return _result(name, expectations, ids, res, counts[0] if counts else 0)


def _result(name: str, expectations: list[Expectation], ids: list[str], res, rows: int) -> SuiteResult:
    pending: dict[tuple, list] = {}
    for r in res.results:  # results are matched by kind and arguments, not by position
        cfg = r.expectation_config
        pending.setdefault(_key(cfg.type, dict(cfg.kwargs)), []).append(r)
    results = []
    for e, eid in zip(expectations, ids):
        r = pending[eid].pop(0)
        results.append({
            "expectation": e.kind, "column": e.kwargs.get("column"), "blocking": e.blocking,
            "success": bool(r.success), "unexpected_count": int((r.result or {}).get("unexpected_count") or 0),
            "description": e.description,
        })
    ok = all(r["success"] for r in results if r["blocking"])
    return SuiteResult(name, ok, rows, results)
