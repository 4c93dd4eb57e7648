"""Loading enrollment candidates into ``bpjs.submission_candidate``, idempotently.

One transaction per region (kab/kota) and period, under ``pg_advisory_xact_lock``: COPY into a
staging table, an INSERT of the new rows (ON CONFLICT only when another region's run wrote one
of them meanwhile) and one ``UPDATE ... WHERE ... IS DISTINCT FROM`` of the
changed ones (a row whose content did not change is not touched; one whose rank alone moved takes
its new rank in place, see CHANGED), withdrawal of pending candidates
who are no longer in the list (never a delete), and the batch row with its row count and
checksum. A ``submitted`` row is BPJS's to answer: it is not withdrawn (its response would be
refused, and the person exported again next month), and neither is the row of someone the run
lists in another region (a move between kab/kota keeps the row and its status). A row BPJS has
(``submitted``, ``accepted``, ``rejected``) keeps what was sent, whatever the list now says
(see SENT). A withdrawn row no longer listed takes the reason the run gives now, when it differs
(see REFRESH). A repeated run with the same inputs adds a batch row and changes no candidate row.

A region's first load of a period (no row of that region and period yet: each new month's run)
has nothing to compare, withdraw or update: its candidates are copied straight into the table,
in a savepoint, and only when that meets a row another region wrote meanwhile is the list loaded
through the staging table as above. ``content_hash`` is computed by PostgreSQL from the row
(migration 006) with the staging table's expression.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import polars as pl
import psycopg

from pipelines.db import log_processing, nik_list, no_row_data, take_role

# Staging columns in COPY order; content_hash is computed in SQL from the same fields.
STAGE_COLUMNS = ("nik", "period", "region", "rank", "nama_lgkp", "tgl_lhr", "jenis_klmin", "alamat",
                 "no_rt", "no_rw", "kode_kel", "jenis_pkrjn", "pekerjaan_kode", "desil", "disabilitas",
                 "iuran_bulanan", "evidence")
CONTENT = [c for c in STAGE_COLUMNS if c not in ("nik", "period", "region")]

TEXT_CONTENT = {"nama_lgkp", "jenis_klmin", "alamat", "no_rt", "no_rw", "kode_kel", "jenis_pkrjn", "evidence"}


def _hash_expr() -> str:
    """md5 over the content columns with immutable operators only, so that it can be a generated
    column filled during COPY (a date as days since 2000-01-01: never DateStyle-dependent)."""
    parts = []
    for c in CONTENT:
        v = f"({c} - date '2000-01-01')::text" if c == "tgl_lhr" else (c if c in TEXT_CONTENT else f"{c}::text")
        parts.append(f"coalesce({v}, '~')")
    return "md5(" + " || '|' || ".join(parts) + ")"


CREATE_STAGE = f"""
CREATE TEMP TABLE stage (
    nik text, period text, region text, rank integer, nama_lgkp text, tgl_lhr date,
    jenis_klmin text, alamat text, no_rt text, no_rw text, kode_kel text, jenis_pkrjn text,
    pekerjaan_kode smallint, desil smallint, disabilitas boolean, iuran_bulanan integer,
    evidence text, content_hash text GENERATED ALWAYS AS ({_hash_expr()}) STORED
) ON COMMIT DROP
"""
LOCK = "SELECT pg_advisory_xact_lock(hashtextextended('lindungi:submission:' || %s || ':' || %s, 0))"
# A batch's checksum over rows: the load computes it from the rows it loads, and the batch check
# (batch_consistency) from the table, so both read it from here. NIKs are digits only, so byte
# order ("C") is the order of any collation, and it skips the locale's comparison function: the
# checksums of earlier batches stay valid.
CHECKSUM = """coalesce(md5(string_agg(nik || ':' || content_hash, ',' ORDER BY nik COLLATE "C")), md5(''))"""
STAGE_SUMMARY = f"SELECT count(*), {CHECKSUM} FROM stage"
# A row BPJS has (exported: awaiting its answer, accepted or rejected) keeps what was sent, for
# reconciliation with BPJS: its fields and premium, its kab/kota, and the batch (with its declared
# income) that wrote it. A re-run of December with the rules' declared income doubled rewrote
# the premium of 40 accepted and 11 submitted rows to 26,800 and pointed them at the new batch
# (2,000,000), though BPJS was sent and accepted 16,800 at 1,000,000, and moved a submitted row to
# another kab/kota (an outside review). Its rank, which BPJS is not sent, follows the list in
# place as any row's (RERANK). The list may still hold such a person (the roster lags behind
# BPJS); its batch then counts the row as the table holds it: the checksum is then taken after
# the writes, of the listed rows as they end (LISTED_CHECKSUM), so batch_consistency compares
# like with like.
SENT = "('submitted', 'accepted', 'rejected')"
LISTED_CHECKSUM = f"""
SELECT {CHECKSUM} FROM (
    SELECT c.nik, c.content_hash FROM stage s JOIN bpjs.submission_candidate c ON c.nik = s.nik AND c.period = s.period
) listed
"""
NEW_BATCH = """
INSERT INTO bpjs.submission_batch (period, region, status, row_count, checksum, dagster_run_id, rules_source,
                                   declared_income, programs)
VALUES (%s, %s, 'loading', %s, %s, %s, %s, %s, %s) RETURNING id
"""
# The stage splits three ways by one hash join with the table: new rows (a plain INSERT),
# changed or returning rows (one UPDATE ... WHERE ... IS DISTINCT FROM), and unchanged rows,
# which are not touched. Under the advisory lock no other run writes this region and period.
# Another region's run may still write one of these NIKs for the period meanwhile (a resident
# who moved between extracts): the plain INSERT then fails on the primary key inside its
# savepoint, and INSERT_NEW_GUARDED repeats it with ON CONFLICT DO NOTHING, leaving that row to
# the other region. The guard is not the default because speculative insertion writes an
# extra WAL record per row: a 50,000-row INSERT took 1.1-1.3 s with it, 0.86-1.06 s without.
# A row's rank is where the whole list puts it, not what it says about the person: one person
# protected, verified out or moved moved everyone after them up one place, and every such row
# was "updated" (its batch, its time), in every region of the run (one verified out of 497:
# 489 updated; a lifecycle review). A row whose rank alone differs takes the new rank, in place
# (RERANK), and is neither counted as updated nor moved to the new batch. The content_hash still
# covers the rank: the batch's checksum, from the staging table (or LISTED_CHECKSUM), is of the
# rows as they end.
_RANKLESS = [c for c in CONTENT if c != "rank"]
CHANGED = f"({', '.join(f'c.{c}' for c in _RANKLESS)}) IS DISTINCT FROM ({', '.join(f's.{c}' for c in _RANKLESS)})"
# A row BPJS has is never ``changed``: ``kept`` says the list would change its content (then
# ``kept_content``: the row hashes otherwise than the staged one) or its kab/kota, which the row
# keeps; reported, not written.
_SENT_ROW = f"c.status IN {SENT}"
# What a row is sent with besides its fields is its batch's: the declared income its premium was
# computed from and the programmes it pays for (the export's UPAH_DILAPORKAN and PROGRAM). A
# run whose rules change them and leave the premium as it was (an income under the JKK minimum's,
# a JHT rate of 0) left the rows on the old batch, and the export wrote the old income (a rules
# review): such a row is changed too, onto the run's batch. Only where both batches recorded them:
# not a row whose batch recorded neither (written before migrations 010 and 011), which the export
# gives its --rules' values, nor by a load that records none (outside `lindungi run`).
_TERMS_MOVED = """coalesce(ob.declared_income <> nb.declared_income OR ob.programs <> nb.programs, false)"""
CLASSIFY = f"""
CREATE TEMP TABLE stage_existing ON COMMIT DROP AS
SELECT s.nik,
       NOT {_SENT_ROW} AND ({CHANGED} OR c.region IS DISTINCT FROM s.region OR c.status = 'withdrawn'
                           OR {_TERMS_MOVED}) AS changed,
       c.rank IS DISTINCT FROM s.rank AS reranked,
       {_SENT_ROW} AND ({CHANGED} OR c.region IS DISTINCT FROM s.region) AS kept,
       {_SENT_ROW} AND {CHANGED} AS kept_content
FROM stage s JOIN bpjs.submission_candidate c ON c.nik = s.nik AND c.period = s.period
LEFT JOIN bpjs.submission_batch ob ON ob.id = c.batch_id
LEFT JOIN bpjs.submission_batch nb ON nb.id = %(batch)s
"""
# how many staged rows exist already, how many of those changed, how many moved in rank alone,
# how many BPJS has that the list would change, and how many of those in content: a statement
# with nothing to do is not run (a repeated run of an unchanged list runs neither the INSERT nor
# the UPDATEs)
CLASSIFIED = ("SELECT count(*), count(*) FILTER (WHERE changed), count(*) FILTER (WHERE reranked AND NOT changed), "
              "count(*) FILTER (WHERE kept), count(*) FILTER (WHERE kept_content) FROM stage_existing")
INSERT_NEW = f"""
INSERT INTO bpjs.submission_candidate AS c
    (nik, period, region, status, batch_id, {", ".join(CONTENT)})
SELECT nik, period, region, 'pending', %(batch)s, {", ".join(CONTENT)} FROM stage s
WHERE NOT EXISTS (SELECT 1 FROM stage_existing e WHERE e.nik = s.nik)
"""
INSERT_NEW_GUARDED = INSERT_NEW + "ON CONFLICT (nik, period) DO NOTHING\n"
UPDATE_CHANGED = f"""
UPDATE bpjs.submission_candidate AS c SET
    region = s.region, batch_id = %(batch)s,
    {", ".join(f"{c} = s.{c}" for c in CONTENT)},
    status = CASE WHEN c.status = 'withdrawn' THEN 'pending' ELSE c.status END,
    status_reason = CASE WHEN c.status = 'withdrawn' THEN NULL ELSE c.status_reason END,
    withdrawn_at = CASE WHEN c.status = 'withdrawn' THEN NULL ELSE c.withdrawn_at END,
    updated_at = now()
FROM stage s JOIN stage_existing e ON e.nik = s.nik AND e.changed
WHERE c.nik = s.nik AND c.period = s.period
"""
RERANK = """
UPDATE bpjs.submission_candidate AS c SET rank = s.rank
FROM stage s JOIN stage_existing e ON e.nik = s.nik AND e.reranked AND NOT e.changed
WHERE c.nik = s.nik AND c.period = s.period
"""
# The first load of a region and period: the candidates straight into the table, the batch's
# count and checksum from the rows written (all of the region's rows of the period are this
# batch's), through the (period, region, status) index.
ANY_ROW = "SELECT EXISTS (SELECT 1 FROM bpjs.submission_candidate WHERE period = %s AND region = %s)"
DIRECT_COLUMNS = ("nik", "period", "region", "batch_id", *CONTENT)
WRITTEN_SUMMARY = f"SELECT count(*), {CHECKSUM} FROM bpjs.submission_candidate WHERE period = %s AND region = %s"
CLOSE_FIRST_BATCH = """
UPDATE bpjs.submission_batch SET status = 'committed', row_count = %s, checksum = %s, inserted = %s
WHERE id = %s
"""
# the region's rows of the period the list no longer holds that the run speaks for: pending ones
# (withdrawn now) and withdrawn ones (their reason brought up to date)
LEAVING = """
SELECT c.nik, c.status, c.status_reason FROM bpjs.submission_candidate AS c
WHERE c.period = %(period)s AND c.region = %(region)s AND c.status IN ('pending', 'withdrawn')
  AND NOT EXISTS (SELECT 1 FROM stage s WHERE s.nik = c.nik)
"""
CREATE_LEAVING = "CREATE TEMP TABLE leaving (nik text PRIMARY KEY, reason text NOT NULL) ON COMMIT DROP"
# (of this region: the lock is the region's, and another region's run may take a pending row
# over meanwhile, a person who moved; the row it then holds, re-read by the UPDATE, is not ours)
WITHDRAW = """
UPDATE bpjs.submission_candidate AS c
SET status = 'withdrawn', status_reason = l.reason, withdrawn_at = now(), updated_at = now(),
    batch_id = %(batch)s
FROM leaving l
WHERE c.nik = l.nik AND c.period = %(period)s AND c.region = %(region)s AND c.status = 'pending'
"""
# A withdrawn row kept its first reason for good: only pending rows were withdrawn. 2027-01's
# rows withdrawn as "sudah dikirim ke BPJS pada periode 2026-12, menunggu jawaban" still said so
# after BPJS accepted them, and a re-run said "0 updated" (an outside review). The reason the
# run gives now replaces one that differs: an update (counted, on the new batch), the withdrawal
# time kept. Only reasons the run explains: a run told none keeps the known ones.
REFRESH = """
UPDATE bpjs.submission_candidate AS c
SET status_reason = l.reason, updated_at = now(), batch_id = %(batch)s
FROM leaving l
WHERE c.nik = l.nik AND c.period = %(period)s AND c.region = %(region)s AND c.status = 'withdrawn'
  AND c.status_reason IS DISTINCT FROM l.reason
"""
CLOSE_BATCH = """
UPDATE bpjs.submission_batch SET status = 'committed', inserted = %s, updated = %s, withdrawn = %s, checksum = %s
WHERE id = %s
"""
WITHDRAW_REASON = "tidak lagi memenuhi syarat"
# Explains why NIKs left the list: {nik: reason in Bahasa Indonesia}; missing ones get the default.
Explain = Callable[[list[str]], dict[str, str]]


# each region's residents at its last submission, logged since 2026-12 (``inputs.residents``)
LAST_RESIDENTS = """
SELECT DISTINCT ON (region) region, (inputs->'residents'->>region)::bigint, logged_at, period
FROM bpjs.processing_log
WHERE activity = 'submission' AND region = ANY(%s) AND inputs->'residents' ? region
ORDER BY region, id DESC
"""


@no_row_data
def last_residents(dsn: str, regions: list[str]) -> dict[str, tuple[int, object, str]]:
    """Each of ``regions``' residents at its last submission into the database ``dsn``, by any
    run on any state directory: {region: (residents, when logged, its period)}; a region not
    submitted since the count was logged is missing."""
    if not regions:
        return {}
    with psycopg.connect(dsn) as conn:
        return {r: (n, when, p) for r, n, when, p in conn.execute(LAST_RESIDENTS, (regions,))}


@no_row_data
def submitted_people(dsn: str, region: str, niks: list[str]) -> pl.DataFrame:
    """Of ``niks``, those with rows of ``region`` in the submission, of any period, with the name
    each was submitted under (``NIK``, ``NAMA_LGKP``)."""
    with psycopg.connect(dsn) as conn:
        rows = conn.execute("SELECT DISTINCT nik, nama_lgkp FROM bpjs.submission_candidate WHERE region = %s "
                            "AND nik = ANY(string_to_array(%s, ','))", (region, nik_list(niks))).fetchall()
    return pl.DataFrame(rows, schema={"NIK": pl.String, "NAMA_LGKP": pl.String}, orient="row")


def _stage_frame(candidates: pl.DataFrame) -> pl.DataFrame:
    return candidates.select(
        nik=pl.col("NIK"), period=pl.col("period"), region=pl.col("kode_kab"), rank=pl.col("rank"),
        nama_lgkp=pl.col("NAMA_LGKP"), tgl_lhr=pl.col("TGL_LHR"), jenis_klmin=pl.col("JENIS_KLMIN"),
        alamat=pl.col("ALAMAT"), no_rt=pl.col("NO_RT"), no_rw=pl.col("NO_RW"), kode_kel=pl.col("kode_kel"),
        jenis_pkrjn=pl.col("JENIS_PKRJN"), pekerjaan_kode=pl.col("pekerjaan_kode"), desil=pl.col("desil"),
        disabilitas=pl.col("disabilitas"), iuran_bulanan=pl.col("iuran_bulanan"), evidence=pl.col("evidence"),
    )


def _csv(frame: pl.DataFrame) -> bytes:
    buf = io.BytesIO()
    # every text quoted: a text that reads \N stays text instead of becoming the NULL marker
    frame.write_csv(buf, include_header=False, null_value="\\N", date_format="%Y-%m-%d", quote_style="non_numeric")
    return buf.getvalue()


def submit_region(conn: psycopg.Connection, candidates: pl.DataFrame, period: str, region: str,
                  run_id: str | None = None, inputs: dict | None = None,
                  rules_source: str | None = None, explain: Explain | None = None,
                  declared_income: int | None = None, programs: str | None = None) -> dict:
    """Load one region's candidates for one period in one transaction; return the counts.
    ``rules_source``, ``declared_income`` and ``programs`` (the income the premiums were computed
    from, and the programmes they pay for, ``Rules.program_codes``, which the export writes beside
    them) are recorded on the batch.

    The transaction runs as ``lindungi_writer`` when the connecting user may take that role
    (migration 002), so the load needs no superuser privilege and cannot delete a row."""
    here = pl.col("kode_kab") == region
    stage = _stage_frame(candidates.filter(here))
    elsewhere = candidates.filter(~here).get_column("NIK")  # listed by another region of the run
    with conn.transaction():
        take_role(conn, "lindungi_writer")
        conn.execute(LOCK, (region, period))
        # the joins and sorts below (170k rows at 1M residents) spilled to disk at the default
        # 4 MB and took merge joins; for this transaction only
        conn.execute("SET LOCAL work_mem = '128MB'")
        counts = None
        about = (run_id, rules_source, declared_income, programs)  # the batch's (NEW_BATCH)
        if not conn.execute(ANY_ROW, (period, region)).fetchone()[0]:
            counts = _first_load(conn, stage, period, region, about)
        if counts is None:
            counts = _load_staged(conn, stage, period, region, about, explain, elsewhere)
        log_processing(conn, "submission", period, region, inputs or {}, counts, run_id)
    return counts


def _first_load(conn: psycopg.Connection, stage: pl.DataFrame, period: str, region: str, about: tuple
                ) -> dict | None:
    """The region's first load of the period: the candidates copied straight into the table (under
    the caller's lock and transaction). None, with nothing written, when one of them is a row of
    the period already (another region's run wrote it: a resident who moved between extracts);
    the caller then loads through the staging table, which takes such a committed row over as
    any later run of the period would. ``about``: the batch's run id, rules source, declared
    income and programmes."""
    try:
        with conn.transaction():  # a savepoint: a failed COPY leaves neither rows nor a batch
            batch = conn.execute(NEW_BATCH, (period, region, stage.height, "", *about)).fetchone()[0]
            with conn.cursor().copy(
                f"COPY bpjs.submission_candidate ({', '.join(DIRECT_COLUMNS)}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
            ) as copy:
                copy.write(_csv(stage.with_columns(batch_id=pl.lit(batch)).select(DIRECT_COLUMNS)))
    except psycopg.errors.UniqueViolation:
        return None
    row_count, checksum = conn.execute(WRITTEN_SUMMARY, (period, region)).fetchone()
    conn.execute(CLOSE_FIRST_BATCH, (row_count, checksum, row_count, batch))
    return {"batch_id": batch, "rows": row_count, "inserted": row_count, "updated": 0, "withdrawn": 0,
            "reranked": 0, "kept_as_sent": 0, "checksum": checksum}


def _load_staged(conn: psycopg.Connection, stage: pl.DataFrame, period: str, region: str, about: tuple,
                 explain: Explain | None, elsewhere: pl.Series | None = None) -> dict:
    """The list compared with the region's rows of the period through a staging table: new rows
    inserted, changed ones updated (not those BPJS has: they keep what was sent), those no longer
    listed withdrawn and the reasons of those withdrawn before brought up to date (under the
    caller's lock and transaction)."""
    conn.execute(CREATE_STAGE)
    with conn.cursor().copy(
        f"COPY stage ({', '.join(STAGE_COLUMNS)}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
    ) as copy:
        copy.write(_csv(stage))
    # no ANALYZE (0.18 s of a 50k load): a never-analysed table is estimated from its page
    # count, which is all the hash joins below need
    row_count, checksum = conn.execute(STAGE_SUMMARY).fetchone()
    batch = conn.execute(NEW_BATCH, (period, region, row_count, checksum, *about)).fetchone()[0]
    conn.execute(CLASSIFY, {"batch": batch})
    existing, changed, reranked, kept, kept_content = conn.execute(CLASSIFIED).fetchone()
    inserted = updated = 0
    if existing < row_count:
        try:
            with conn.transaction():  # a savepoint
                inserted = conn.execute(INSERT_NEW, {"batch": batch}).rowcount
        except psycopg.errors.UniqueViolation:
            inserted = conn.execute(INSERT_NEW_GUARDED, {"batch": batch}).rowcount
    if changed:
        updated = conn.execute(UPDATE_CHANGED, {"batch": batch}).rowcount
    if reranked:
        reranked = conn.execute(RERANK).rowcount
    rows = conn.execute(LEAVING, {"period": period, "region": region}).fetchall()
    if rows and elsewhere is not None and elsewhere.len():
        # moved to a region of this run: that region's load takes the row over (region, content),
        # whichever of the two loads first; withdrawn here, it came back as pending there
        moved = set(elsewhere.filter(elsewhere.is_in([r[0] for r in rows])).to_list())
        rows = [r for r in rows if r[0] not in moved]
    leaving = [nik for nik, status, _ in rows if status == "pending"]
    # withdrawn before: only a run that explains takes a look (one told nothing keeps the reasons)
    withdrawn_before = {nik: reason for nik, status, reason in rows if status == "withdrawn"} if explain else {}
    withdrawn = 0
    if leaving or withdrawn_before:
        reasons = explain(leaving + list(withdrawn_before)) if explain else {}
        refreshed = [(nik, reasons[nik]) for nik, reason in withdrawn_before.items()
                     if reasons.get(nik) and reasons[nik] != reason]
        if leaving or refreshed:
            conn.execute(CREATE_LEAVING)
            with conn.cursor().copy("COPY leaving (nik, reason) FROM STDIN") as copy:
                for nik in leaving:
                    copy.write_row((nik, reasons.get(nik) or WITHDRAW_REASON))
                for row in refreshed:
                    copy.write_row(row)
        if refreshed:
            updated += conn.execute(REFRESH, {"batch": batch, "period": period, "region": region}).rowcount
        if leaving:
            withdrawn = conn.execute(WITHDRAW, {"batch": batch, "period": period, "region": region}).rowcount
    if kept_content:  # the list's rows as they end, the ones BPJS has with what was sent
        checksum = conn.execute(LISTED_CHECKSUM).fetchone()[0]
    conn.execute(CLOSE_BATCH, (inserted, updated, withdrawn, checksum, batch))
    return {"batch_id": batch, "rows": row_count, "inserted": inserted, "updated": updated,
            "withdrawn": withdrawn, "reranked": reranked, "kept_as_sent": kept, "checksum": checksum}


@no_row_data
def submit(dsn: str, candidates: pl.DataFrame, period: str, regions: list[str] | None = None,
           run_id: str | None = None, inputs: dict | None = None, rules_source: str | None = None,
           explain: Explain | None = None, declared_income: int | None = None,
           programs: str | None = None) -> list[dict]:
    """Submit every region present in ``regions`` (default: those of the candidates)."""
    regions = sorted(regions if regions is not None else candidates.get_column("kode_kab").unique().to_list())
    out = []
    with psycopg.connect(dsn) as conn:
        for region in regions:
            counts = submit_region(conn, candidates, period, region, run_id, inputs, rules_source, explain,
                                   declared_income, programs)
            out.append({"region": region, **counts})
    return out


@no_row_data
def latest_batches(dsn: str, period: str) -> dict[str, int]:
    """Each region's latest committed batch of ``period``: {region: batch id}."""
    with psycopg.connect(dsn) as conn:
        return dict(conn.execute(
            "SELECT DISTINCT ON (region) region, id FROM bpjs.submission_batch "
            "WHERE period = %s AND status = 'committed' ORDER BY region, id DESC", (period,)).fetchall())


@no_row_data
def batch_consistency(dsn: str, batch_id: int, niks: list[str]) -> dict:
    """Recompute a batch's row count and checksum from the table rows of the NIKs that were
    submitted (the candidate list), and count pending rows that should not be there.

    The listed rows are looked up by NIK and period, in whichever kab/kota they are: a row BPJS
    has stays in the kab/kota it was sent from when the list now places the person in another
    (it keeps what was sent), and that region's batch counts it as it is. The stray pending rows
    are the batch's region's."""
    listed = nik_list(niks)
    with psycopg.connect(dsn) as conn:
        period, region, row_count, checksum = conn.execute(
            "SELECT period, region, row_count, checksum FROM bpjs.submission_batch WHERE id = %s", (batch_id,)
        ).fetchone()
        actual_rows, actual_sum = conn.execute(
            f"""SELECT count(*), {CHECKSUM}
               FROM bpjs.submission_candidate
               WHERE period = %s AND nik = ANY(string_to_array(%s, ','))""",
            (period, listed),
        ).fetchone()
        stray = conn.execute(
            """SELECT count(*) FROM bpjs.submission_candidate
               WHERE period = %s AND region = %s AND status = 'pending'
                 AND NOT (nik = ANY(string_to_array(%s, ',')))""",
            (period, region, listed),
        ).fetchone()[0]
    return {"batch_id": batch_id, "row_count": row_count, "actual_rows": actual_rows,
            "rows_match": row_count == actual_rows == len(niks), "checksum_matches": checksum == actual_sum,
            "stray_pending": stray}
