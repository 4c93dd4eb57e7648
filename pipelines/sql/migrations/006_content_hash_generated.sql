-- content_hash becomes a column PostgreSQL computes from the row itself (the same expression the
-- load's staging table has always used: pipelines/submission.py, _hash_expr). Two reasons:
--   * a period's first load can COPY the candidates straight into the table, without a staging
--     table and an INSERT ... SELECT from it (50,000 candidates: ~0.44 s against ~0.71 s);
--   * a row whose content is changed behind its batch's back now changes its hash with it, so
--     the batch's checksum no longer matches (batch_matches_table fails). Before, a changed
--     name with the hash left as it was went unseen.
-- Existing rows keep their values: the new column is filled from the same expression, and the
-- migration stops, changing nothing, if any row's stored hash differs from its content. Adding
-- a stored generated column rewrites the table once, under an exclusive lock: on a large
-- production table, run `lindungi db migrate` outside the hours BPJS reads it.
ALTER TABLE bpjs.submission_candidate ADD COLUMN content_hash_computed text GENERATED ALWAYS AS (md5(
    coalesce(rank::text, '~') || '|' || coalesce(nama_lgkp, '~') || '|'
    || coalesce((tgl_lhr - date '2000-01-01')::text, '~') || '|' || coalesce(jenis_klmin, '~') || '|'
    || coalesce(alamat, '~') || '|' || coalesce(no_rt, '~') || '|' || coalesce(no_rw, '~') || '|'
    || coalesce(kode_kel, '~') || '|' || coalesce(jenis_pkrjn, '~') || '|'
    || coalesce(pekerjaan_kode::text, '~') || '|' || coalesce(desil::text, '~') || '|'
    || coalesce(disabilitas::text, '~') || '|' || coalesce(iuran_bulanan::text, '~') || '|'
    || coalesce(evidence, '~'))) STORED;

DO $$
DECLARE
    differing bigint;
BEGIN
    SELECT count(*) INTO differing FROM bpjs.submission_candidate
    WHERE content_hash IS DISTINCT FROM content_hash_computed;
    IF differing > 0 THEN
        RAISE EXCEPTION 'bpjs.submission_candidate: % row(s) whose content_hash does not match their content (changed outside lindungi?); nothing was migrated', differing
            USING HINT = 'compare each batch with its rows (the batch_matches_table check) before migrating';
    END IF;
END
$$;

ALTER TABLE bpjs.submission_candidate DROP COLUMN content_hash;
ALTER TABLE bpjs.submission_candidate RENAME COLUMN content_hash_computed TO content_hash;
-- the reader role was granted SELECT on the table (not per column): it reads the new column too
