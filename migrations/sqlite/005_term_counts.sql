-- How many records hold each indexed term, kept by triggers on record_terms: a search
-- for one exact term (`?city=London`) reads its total here instead of counting a
-- sixth of the project's index entries on every page request.
CREATE TABLE term_counts (
    tenant_id INTEGER NOT NULL,
    field_id INTEGER NOT NULL,
    term TEXT NOT NULL,
    records INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, field_id, term)
) WITHOUT ROWID;

INSERT INTO term_counts (tenant_id, field_id, term, records)
SELECT tenant_id, field_id, term, count(*) FROM record_terms GROUP BY tenant_id, field_id, term;

-- INSERT OR IGNORE of an entry already there fires no trigger, so it is not counted twice.
CREATE TRIGGER record_terms_counted AFTER INSERT ON record_terms BEGIN
    INSERT INTO term_counts (tenant_id, field_id, term, records)
    VALUES (NEW.tenant_id, NEW.field_id, NEW.term, 1)
    ON CONFLICT (tenant_id, field_id, term) DO UPDATE SET records = records + 1;
END;

CREATE TRIGGER record_terms_uncounted AFTER DELETE ON record_terms BEGIN
    UPDATE term_counts SET records = records - 1
    WHERE tenant_id = OLD.tenant_id AND field_id = OLD.field_id AND term = OLD.term;
END;
