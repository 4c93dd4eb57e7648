-- The programmes a batch's candidates are enrolled in, and their premiums paid for (the run's
-- rules, protection.required_programs, as the export writes them: 'JKK,JKM', or 'JKK,JKM,JHT'
-- with JHT required): the export writes it beside each row's premium, from the batch that last
-- wrote the row. The export wrote 'JKK,JKM' whatever the rules, and with JHT required BPJS would
-- have registered people again for what they hold, never for JHT (an outside review). Null for
-- the batches before it: their rows are exported with the export's rules' programmes.
ALTER TABLE bpjs.submission_batch ADD COLUMN IF NOT EXISTS programs text
    CHECK (programs ~ '^JKK,JKM(,JHT)?$');
