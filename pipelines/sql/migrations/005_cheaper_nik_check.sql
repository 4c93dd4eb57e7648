-- The same NIK rule as 001 (exactly 16 ASCII digits), written so that PostgreSQL checks it
-- three times faster. Its regex engine expands '[0-9]{16}' into sixteen states per row; a
-- length test and an unbounded '[0-9]+' accept exactly the same strings. Measured on 50,000
-- rows: 0.12 s against 0.035 s, of a first load of about 1.3 s.
ALTER TABLE bpjs.submission_candidate DROP CONSTRAINT IF EXISTS submission_candidate_nik_check;
ALTER TABLE bpjs.submission_candidate
    ADD CONSTRAINT submission_candidate_nik_check CHECK (length(nik) = 16 AND nik ~ '^[0-9]+$');
