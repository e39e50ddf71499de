-- Dial state for the claim queue (Dialbase's POST /dialbase/v1/projects/{projectid}/claim).
-- done_at: when a dialer released the record without a call-back; a done record is never handed
-- out again until a write gives it a next_calldate. attempts: releases that reported a result.
ALTER TABLE records ADD COLUMN done_at TEXT;
ALTER TABLE records ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;

-- The queue of open records of a project in due order. Done records leave the index, so a
-- worked-through campaign costs a claim nothing to skip.
DROP INDEX records_due;
CREATE INDEX records_dialable ON records(project_id, next_calldate, id) WHERE done_at IS NULL;
