-- Dial state for the claim queue (Dialbase's POST /dialbase/v1/projects/{projectid}/claim).
-- done_at: when a dialer released the record without a call-back, in the canonical
-- 'YYYY-MM-DD hh:mm:ss' text form every record time is kept in; a done record is never handed
-- out again until a write gives it a next_calldate. attempts: releases that reported a result.
ALTER TABLE records ADD COLUMN done_at TEXT;
ALTER TABLE records ADD COLUMN attempts BIGINT NOT NULL DEFAULT 0;

-- A claim looks in two places. The queue: unclaimed open records in due order, so a claim
-- stops at the first dialable one instead of stepping over done, claimed or locked ones.
-- PostgreSQL sorts NULLs last in an ascending index, which is the claim order: dated due
-- records first, then unset ones by id.
-- The leases: claimed records by expiry, so expired leases are found without a scan.
DROP INDEX IF EXISTS records_due;
CREATE INDEX records_queue ON records (project_id, next_calldate, id)
    WHERE done_at IS NULL AND claimed_by IS NULL AND NOT locked;
CREATE INDEX records_leases ON records (project_id, claim_expires_at)
    WHERE claimed_by IS NOT NULL AND done_at IS NULL;
-- What records_due served besides (a project's records for pages, counts and searches)
-- keeps an index, in id order: the order pages list records in.
CREATE INDEX records_by_project ON records (project_id, id);
