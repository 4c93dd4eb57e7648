-- Least privilege: the pipeline writes as lindungi_writer (no DELETE anywhere: candidates are
-- withdrawn, never deleted; the processing log is append-only); BPJS and reporting read as
-- lindungi_reader. Roles are cluster-wide, so create them only when missing.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'lindungi_writer') THEN
        CREATE ROLE lindungi_writer NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'lindungi_reader') THEN
        CREATE ROLE lindungi_reader NOLOGIN;
    END IF;
    EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO lindungi_writer', current_database());
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO lindungi_reader', current_database());
END
$$;

GRANT USAGE ON SCHEMA bpjs TO lindungi_writer, lindungi_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA bpjs TO lindungi_reader;
GRANT SELECT, INSERT, UPDATE ON bpjs.submission_batch, bpjs.submission_candidate TO lindungi_writer;
GRANT SELECT, INSERT ON bpjs.processing_log TO lindungi_writer;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA bpjs TO lindungi_writer;

-- The processing log (UU PDP Art. 31) cannot be rewritten and candidates are never deleted,
-- even by the owner's sessions. One trigger function; the message is the trigger's argument.
CREATE OR REPLACE FUNCTION bpjs.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%', TG_ARGV[0];
END
$$;
DROP TRIGGER IF EXISTS processing_log_append_only ON bpjs.processing_log;
CREATE TRIGGER processing_log_append_only BEFORE UPDATE OR DELETE ON bpjs.processing_log
    FOR EACH ROW EXECUTE FUNCTION bpjs.refuse_change('bpjs.processing_log is append-only');
DROP TRIGGER IF EXISTS submission_candidate_no_delete ON bpjs.submission_candidate;
CREATE TRIGGER submission_candidate_no_delete BEFORE DELETE ON bpjs.submission_candidate
    FOR EACH ROW EXECUTE FUNCTION bpjs.refuse_change('bpjs.submission_candidate rows are withdrawn, never deleted');
