-- When BPJS's answer (lindungi response) was applied to the row. The export leaves out whom BPJS
-- accepted in another period after the row being exported was listed (HELD_ELSEWHERE in
-- pipelines/bpjs_exchange.py), and it read that time from updated_at, which every later
-- change of the accepted row's content also sets (a run of its period again, with a newer
-- extract, moving its rank). A participant who had lapsed off the roster and was listed again
-- was then left out of every export ("the next run withdraws them"; none did). Rows answered
-- before this migration take their updated_at, the best time known.
ALTER TABLE bpjs.submission_candidate ADD COLUMN IF NOT EXISTS answered_at timestamptz;
UPDATE bpjs.submission_candidate SET answered_at = updated_at
WHERE status IN ('accepted', 'rejected') AND answered_at IS NULL;
