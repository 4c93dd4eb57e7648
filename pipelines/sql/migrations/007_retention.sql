-- Retention (UU PDP Art. 42-44, pipelines/retention.py): an expired period's candidate rows and
-- verification results are erased; its batches stay, marked with when their rows were erased.
ALTER TABLE bpjs.submission_batch ADD COLUMN IF NOT EXISTS erased_at timestamptz;

-- Candidate rows are still withdrawn, never deleted, except by the retention erasure, which sets
-- lindungi.erase = 'retention' for its transaction only.
CREATE OR REPLACE FUNCTION bpjs.refuse_delete_unless_erasing() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('lindungi.erase', true) = 'retention' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION '%', TG_ARGV[0];
END
$$;
DROP TRIGGER IF EXISTS submission_candidate_no_delete ON bpjs.submission_candidate;
CREATE TRIGGER submission_candidate_no_delete BEFORE DELETE ON bpjs.submission_candidate
    FOR EACH ROW EXECUTE FUNCTION bpjs.refuse_delete_unless_erasing(
        'bpjs.submission_candidate rows are withdrawn, never deleted (lindungi retention erases expired periods)');

-- The erasure runs as lindungi_eraser when its login may take that role: the pipeline's own
-- role (lindungi_writer) still cannot delete a row.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'lindungi_eraser') THEN
        CREATE ROLE lindungi_eraser NOLOGIN;
    END IF;
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO lindungi_eraser', current_database());
END
$$;
GRANT USAGE ON SCHEMA bpjs TO lindungi_eraser;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA bpjs TO lindungi_eraser;
GRANT SELECT, DELETE ON bpjs.submission_candidate, bpjs.verification TO lindungi_eraser;
GRANT SELECT, UPDATE (erased_at) ON bpjs.submission_batch TO lindungi_eraser;
GRANT INSERT ON bpjs.processing_log TO lindungi_eraser;
