"""Loading enrollment candidates into ``bpjs.submission_candidate``, idempotently.

One transaction per region (kab/kota) and period, under ``pg_advisory_xact_lock``: COPY into a
staging table, an INSERT of the new rows (ON CONFLICT only when another region's run wrote one
of them meanwhile) and one ``UPDATE ... WHERE ... IS DISTINCT FROM`` of the
changed ones (a row whose content did not change is not touched), withdrawal of pending/submitted candidates
who are no longer in the list (never a delete), and the batch row with its row count and
checksum. A repeated run with the same inputs adds a batch row and changes no candidate row.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable

import polars as pl
import psycopg

from pipelines.db import nik_list, no_row_data

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
# NIKs are digits only, so byte order ("C") is the order of any collation, and it skips the
# locale's comparison function: the checksums of earlier batches stay valid.
STAGE_SUMMARY = """
SELECT count(*), coalesce(md5(string_agg(nik || ':' || content_hash, ',' ORDER BY nik COLLATE "C")), md5(''))
FROM stage
"""
NEW_BATCH = """
INSERT INTO bpjs.submission_batch (period, region, status, row_count, checksum, dagster_run_id, rules_source)
VALUES (%s, %s, 'loading', %s, %s, %s, %s) RETURNING id
"""
# The stage splits three ways by one hash join with the table: new rows (a plain INSERT),
# changed or returning rows (one UPDATE ... WHERE ... IS DISTINCT FROM), and unchanged rows,
# which are not touched. Under the advisory lock no other run writes this region and period.
# Another region's run may still write one of these NIKs for the period meanwhile (a resident
# who moved between extracts): the plain INSERT then fails on the primary key inside its
# savepoint, and INSERT_NEW_GUARDED repeats it with ON CONFLICT DO NOTHING, leaving that row to
# the other region. The guard is not the default because speculative insertion writes an
# extra WAL record per row: a 50,000-row INSERT took 1.1-1.3 s with it, 0.86-1.06 s without.
CLASSIFY = """
CREATE TEMP TABLE stage_existing ON COMMIT DROP AS
SELECT s.nik, c.content_hash IS DISTINCT FROM s.content_hash OR c.region IS DISTINCT FROM s.region
       OR c.status = 'withdrawn' AS changed
FROM stage s JOIN bpjs.submission_candidate c ON c.nik = s.nik AND c.period = s.period
"""
# how many staged rows exist already and how many of those changed: a statement with nothing
# to do is not run (a repeated run of an unchanged list runs neither the INSERT nor the UPDATE)
CLASSIFIED = "SELECT count(*), count(*) FILTER (WHERE changed) FROM stage_existing"
INSERT_NEW = f"""
INSERT INTO bpjs.submission_candidate AS c
    (nik, period, region, status, batch_id, {", ".join(CONTENT)}, content_hash)
SELECT nik, period, region, 'pending', %(batch)s, {", ".join(CONTENT)}, content_hash FROM stage s
WHERE NOT EXISTS (SELECT 1 FROM stage_existing e WHERE e.nik = s.nik)
"""
INSERT_NEW_GUARDED = INSERT_NEW + "ON CONFLICT (nik, period) DO NOTHING\n"
UPDATE_CHANGED = f"""
UPDATE bpjs.submission_candidate AS c SET
    region = s.region, batch_id = %(batch)s,
    {", ".join(f"{c} = s.{c}" for c in CONTENT)},
    content_hash = s.content_hash,
    status = CASE WHEN c.status = 'withdrawn' THEN 'pending' ELSE c.status END,
    status_reason = CASE WHEN c.status = 'withdrawn' THEN NULL ELSE c.status_reason END,
    withdrawn_at = CASE WHEN c.status = 'withdrawn' THEN NULL ELSE c.withdrawn_at END,
    updated_at = now()
FROM stage s JOIN stage_existing e ON e.nik = s.nik AND e.changed
WHERE c.nik = s.nik AND c.period = s.period
  AND (c.content_hash IS DISTINCT FROM s.content_hash OR c.region IS DISTINCT FROM s.region
       OR c.status = 'withdrawn')
"""
LEAVING = """
SELECT c.nik FROM bpjs.submission_candidate AS c
WHERE c.period = %(period)s AND c.region = %(region)s AND c.status IN ('pending', 'submitted')
  AND NOT EXISTS (SELECT 1 FROM stage s WHERE s.nik = c.nik)
"""
CREATE_LEAVING = "CREATE TEMP TABLE leaving (nik text PRIMARY KEY, reason text NOT NULL) ON COMMIT DROP"
WITHDRAW = """
UPDATE bpjs.submission_candidate AS c
SET status = 'withdrawn', status_reason = l.reason, withdrawn_at = now(), updated_at = now(),
    batch_id = %(batch)s
FROM leaving l
WHERE c.nik = l.nik AND c.period = %(period)s AND c.status IN ('pending', 'submitted')
"""
AS_WRITER = """
SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'lindungi_writer')
       AND pg_has_role(current_user, 'lindungi_writer', 'MEMBER')
"""
CLOSE_BATCH = """
UPDATE bpjs.submission_batch SET status = 'committed', inserted = %s, updated = %s, withdrawn = %s
WHERE id = %s
"""
LOG = """
INSERT INTO bpjs.processing_log (dagster_run_id, activity, period, region, inputs, counts)
VALUES (%s, 'submission', %s, %s, %s, %s)
"""
WITHDRAW_REASON = "tidak lagi memenuhi syarat"
# Explains why NIKs left the list: {nik: reason in Bahasa Indonesia}; missing ones get the default.
Explain = Callable[[list[str]], dict[str, str]]


def _stage_frame(candidates: pl.DataFrame) -> pl.DataFrame:
    return candidates.select(
        nik=pl.col("NIK"), period=pl.col("period"), region=pl.col("kode_kab"), rank=pl.col("rank"),
        nama_lgkp=pl.col("NAMA_LGKP"), tgl_lhr=pl.col("TGL_LHR"), jenis_klmin=pl.col("JENIS_KLMIN"),
        alamat=pl.col("ALAMAT"), no_rt=pl.col("NO_RT"), no_rw=pl.col("NO_RW"), kode_kel=pl.col("kode_kel"),
        jenis_pkrjn=pl.col("JENIS_PKRJN"), pekerjaan_kode=pl.col("pekerjaan_kode"), desil=pl.col("desil"),
        disabilitas=pl.col("disabilitas"), iuran_bulanan=pl.col("iuran_bulanan"), evidence=pl.col("evidence"),
    )


def submit_region(conn: psycopg.Connection, candidates: pl.DataFrame, period: str, region: str,
                  run_id: str | None = None, inputs: dict | None = None,
                  rules_source: str | None = None, explain: Explain | None = None) -> dict:
    """Load one region's candidates for one period in one transaction; return the counts.

    The transaction runs as ``lindungi_writer`` when the connecting user may take that role
    (migration 002), so the load needs no superuser privilege and cannot delete a row."""
    stage = _stage_frame(candidates.filter(pl.col("kode_kab") == region))
    buf = io.BytesIO()
    # every text quoted: a text that reads \N stays text instead of becoming the NULL marker
    stage.write_csv(buf, include_header=False, null_value="\\N", date_format="%Y-%m-%d", quote_style="non_numeric")
    with conn.transaction():
        if conn.execute(AS_WRITER).fetchone()[0]:
            conn.execute("SET LOCAL ROLE lindungi_writer")
        conn.execute(LOCK, (region, period))
        # the joins and sorts below (170k rows at 1M residents) spilled to disk at the default
        # 4 MB and took merge joins; for this transaction only
        conn.execute("SET LOCAL work_mem = '128MB'")
        conn.execute(CREATE_STAGE)
        with conn.cursor().copy(
            f"COPY stage ({', '.join(STAGE_COLUMNS)}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
        ) as copy:
            copy.write(buf.getvalue())
        # no ANALYZE (0.18 s of a 50k load): a never-analysed table is estimated from its page
        # count, which is all the hash joins below need
        row_count, checksum = conn.execute(STAGE_SUMMARY).fetchone()
        batch = conn.execute(NEW_BATCH, (period, region, row_count, checksum, run_id, rules_source)).fetchone()[0]
        conn.execute(CLASSIFY)
        existing, changed = conn.execute(CLASSIFIED).fetchone()
        inserted = updated = 0
        if existing < row_count:
            try:
                with conn.transaction():  # a savepoint
                    inserted = conn.execute(INSERT_NEW, {"batch": batch}).rowcount
            except psycopg.errors.UniqueViolation:
                inserted = conn.execute(INSERT_NEW_GUARDED, {"batch": batch}).rowcount
        if changed:
            updated = conn.execute(UPDATE_CHANGED, {"batch": batch}).rowcount
        leaving = [r[0] for r in conn.execute(LEAVING, {"period": period, "region": region})]
        withdrawn = 0
        if leaving:
            reasons = explain(leaving) if explain else {}
            conn.execute(CREATE_LEAVING)
            with conn.cursor().copy("COPY leaving (nik, reason) FROM STDIN") as copy:
                for nik in leaving:
                    copy.write_row((nik, reasons.get(nik) or WITHDRAW_REASON))
            withdrawn = conn.execute(WITHDRAW, {"batch": batch, "period": period}).rowcount
        conn.execute(CLOSE_BATCH, (inserted, updated, withdrawn, batch))
        counts = {"batch_id": batch, "rows": row_count, "inserted": inserted, "updated": updated,
                  "withdrawn": withdrawn, "checksum": checksum}
        conn.execute(LOG, (run_id, period, region, json.dumps(inputs or {}), json.dumps(counts)))
    return counts


@no_row_data
def submit(dsn: str, candidates: pl.DataFrame, period: str, regions: list[str] | None = None,
           run_id: str | None = None, inputs: dict | None = None, rules_source: str | None = None,
           explain: Explain | None = None) -> list[dict]:
    """Submit every region present in ``regions`` (default: those of the candidates)."""
    regions = sorted(regions if regions is not None else candidates.get_column("kode_kab").unique().to_list())
    out = []
    with psycopg.connect(dsn) as conn:
        for region in regions:
            counts = submit_region(conn, candidates, period, region, run_id, inputs, rules_source, explain)
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
    submitted (the candidate list), and count pending rows that should not be there."""
    listed = nik_list(niks)
    with psycopg.connect(dsn) as conn:
        period, region, row_count, checksum = conn.execute(
            "SELECT period, region, row_count, checksum FROM bpjs.submission_batch WHERE id = %s", (batch_id,)
        ).fetchone()
        actual_rows, actual_sum = conn.execute(
            """SELECT count(*), coalesce(md5(string_agg(nik || ':' || content_hash, ',' ORDER BY nik COLLATE "C")), md5(''))
               FROM bpjs.submission_candidate
               WHERE period = %s AND region = %s AND nik = ANY(string_to_array(%s, ','))""",
            (period, region, listed),
        ).fetchone()
        stray = conn.execute(
            """SELECT count(*) FROM bpjs.submission_candidate
               WHERE period = %s AND region = %s AND status IN ('pending', 'submitted')
                 AND NOT (nik = ANY(string_to_array(%s, ',')))""",
            (period, region, listed),
        ).fetchone()[0]
    return {"batch_id": batch_id, "row_count": row_count, "actual_rows": actual_rows,
            "rows_match": row_count == actual_rows == len(niks), "checksum_matches": checksum == actual_sum,
            "stray_pending": stray}
