-- VCC Live's `customised` flag of a field ("Add field and values" takes it, "Get project
-- parameters" shows it), kept as given.
ALTER TABLE fields ADD COLUMN customised INTEGER NOT NULL DEFAULT 0;
