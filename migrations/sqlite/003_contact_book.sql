-- The iovox contact book: per tenant, the project whose records are its iovox contacts
-- (user_data = contact_id, one text field per contact detail).
CREATE TABLE contact_books (
    tenant_id INTEGER PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
    project_id INTEGER NOT NULL UNIQUE REFERENCES projects(id) ON DELETE CASCADE
);

-- Rule Templates, as far as contacts interact with them.
CREATE TABLE rule_templates (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (tenant_id, name)
);

-- A template's fixed ("custom") Rules: each routes to a detail of a contact.
CREATE TABLE rule_template_rules (
    template_id INTEGER NOT NULL REFERENCES rule_templates(id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    record_id INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,
    detail TEXT NOT NULL,
    PRIMARY KEY (template_id, ordinal)
) WITHOUT ROWID;
CREATE INDEX rule_template_rules_by_contact ON rule_template_rules(record_id, detail);

-- The Links a template is attached to; a Link may fix the template's variable Rule to a
-- detail of a contact (both columns set, or neither).
CREATE TABLE rule_template_links (
    template_id INTEGER NOT NULL REFERENCES rule_templates(id) ON DELETE CASCADE,
    link_id TEXT NOT NULL,
    record_id INTEGER REFERENCES records(id) ON DELETE CASCADE,
    detail TEXT,
    PRIMARY KEY (template_id, link_id),
    CHECK ((record_id IS NULL) = (detail IS NULL))
) WITHOUT ROWID;
CREATE INDEX rule_template_links_by_contact ON rule_template_links(record_id, detail) WHERE record_id IS NOT NULL;
