-- Every SQLite index entry ends in the row's rowid, which for `records` is its `id`: an
-- index that also names `id` as its last column holds it twice (about 4 bytes of every
-- entry, 8 per record across these three). The rebuilt indexes still serve `ORDER BY id`
-- and the claim's `ORDER BY next_calldate, id` without sorting (docs/storage.md).
DROP INDEX records_by_project;
CREATE INDEX records_by_project ON records (project_id);
DROP INDEX records_by_user_data;
CREATE INDEX records_by_user_data ON records (tenant_id, user_data) WHERE user_data IS NOT NULL;
DROP INDEX records_queue;
CREATE INDEX records_queue ON records (project_id, next_calldate)
    WHERE done_at IS NULL AND claimed_by IS NULL AND locked = 0 AND robinson = 0;
