-- Every candidate row names a batch that exists, checked once per statement instead of once per
-- row. The foreign key ran its trigger for each row: 400 ms of a 1.26 s load of 50,000
-- candidates (EXPLAIN ANALYZE: "Trigger for constraint submission_candidate_batch_id_fkey:
-- time=398.937 calls=50000"). A statement-level trigger over the transition table checks them
-- all in one anti-join. Batches are never deleted (trigger below), so the foreign key's other
-- half, a batch vanishing under its rows, cannot happen either.
ALTER TABLE bpjs.submission_candidate DROP CONSTRAINT IF EXISTS submission_candidate_batch_id_fkey;

CREATE OR REPLACE FUNCTION bpjs.check_candidate_batch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM new_rows n
               WHERE NOT EXISTS (SELECT 1 FROM bpjs.submission_batch b WHERE b.id = n.batch_id)) THEN
        RAISE EXCEPTION 'bpjs.submission_candidate: batch_id names no bpjs.submission_batch row'
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END
$$;
DROP TRIGGER IF EXISTS submission_candidate_batch_insert ON bpjs.submission_candidate;
CREATE TRIGGER submission_candidate_batch_insert AFTER INSERT ON bpjs.submission_candidate
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION bpjs.check_candidate_batch();
DROP TRIGGER IF EXISTS submission_candidate_batch_update ON bpjs.submission_candidate;
CREATE TRIGGER submission_candidate_batch_update AFTER UPDATE ON bpjs.submission_candidate
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION bpjs.check_candidate_batch();

DROP TRIGGER IF EXISTS submission_batch_no_delete ON bpjs.submission_batch;
CREATE TRIGGER submission_batch_no_delete BEFORE DELETE ON bpjs.submission_batch
    FOR EACH ROW EXECUTE FUNCTION bpjs.refuse_change('bpjs.submission_batch rows are history, never deleted');
