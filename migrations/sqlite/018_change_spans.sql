-- The change feed stores an import's `add` events as spans (docs/changes.md): a row is
-- `span` events for consecutive records, numbered consecutively; `id` and `record_id`
-- are its last event's. Every row written before holds one event.
ALTER TABLE changes ADD COLUMN span INTEGER NOT NULL DEFAULT 1;
