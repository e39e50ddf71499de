-- How many records hold each indexed term: a search for one exact term (`?city=London`)
-- reads its total here instead of counting a sixth of the project's index entries on
-- every page request. The code that changes record_terms keeps it (storage/sqlite/terms.rs:
-- a batch writes each term's count once; triggers cost a fifth of an import).
CREATE TABLE term_counts (
    tenant_id INTEGER NOT NULL,
    field_id INTEGER NOT NULL,
    term TEXT NOT NULL,
    records INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, field_id, term)
) WITHOUT ROWID;

INSERT INTO term_counts (tenant_id, field_id, term, records)
SELECT tenant_id, field_id, term, count(*) FROM record_terms GROUP BY tenant_id, field_id, term;
