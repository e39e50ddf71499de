-- The change feed stores an insert's `add` events as spans (docs/changes.md): a row is
-- `span` events for consecutive records of a project; `id` and `record_id` are its last
-- event's. Every row written before holds one event. The trigger function that writes
-- spans is replaced at start-up (storage/postgres/change_feed.sql).
ALTER TABLE changes ADD COLUMN span BIGINT NOT NULL DEFAULT 1;
