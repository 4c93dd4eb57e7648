-- The declared income a batch's premiums were computed from (the run's rules,
-- contribution.declared_income): the export writes it beside each row's premium, from the batch
-- that last wrote the row. The export took it from its own rules, and a run made with other rules
-- gave BPJS a file whose income and premium disagreed (UPAH_DILAPORKAN 1000000 beside
-- IURAN_BULANAN 26800; an outside review). Null for the batches before it: their rows are
-- exported with the export's rules' income, as before.
ALTER TABLE bpjs.submission_batch ADD COLUMN IF NOT EXISTS declared_income integer CHECK (declared_income > 0);
