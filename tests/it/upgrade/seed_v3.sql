-- A version-3 database's rows (migrations 001-003), the same on SQLite and PostgreSQL:
-- text, single and multiple list fields, a text field with two values, contacts,
-- dispositions, a Robinson-listed phone, a locked, a claimed and a done record, and an
-- iovox contact book with a Rule Template; fields jtel and iovox created under their own
-- names (`Company`, `home_city`, `mobile_phone` with two numbers). Times are 'YYYY-MM-DD hh:mm:ss' UTC text.

INSERT INTO tenants (id, name, created_at) VALUES (1, 'mycc', '2019-01-01 00:00:00');
INSERT INTO projects (id, tenant_id, name, created_at) VALUES
    (1, 1, 'Campaign', '2019-01-01 00:00:00'),
    (2, 1, 'Contact book', '2019-01-01 00:00:00');
INSERT INTO fields (id, project_id, name, label, kind) VALUES
    (1, 1, 'name', 'Full name', 'text'),
    (2, 1, 'phone1', NULL, 'text'),
    (3, 1, 'city', NULL, 'simple'),
    (4, 1, 'likes', NULL, 'multiple'),
    (5, 1, 'notes', NULL, 'text'),
    (6, 1, 'phone2', NULL, 'text'),
    (7, 2, 'display_name', NULL, 'text'),
    (8, 2, 'mobile_phone', NULL, 'text'),
    (9, 2, 'phone1', NULL, 'text'),
    (10, 1, 'Company', NULL, 'text'),
    (11, 2, 'home_city', NULL, 'text');
INSERT INTO field_values (id, field_id, name, exportvalue, description, commission, price) VALUES
    (1, 3, 'London', 'LON', 'the capital', NULL, NULL),
    (2, 3, 'Leeds', NULL, NULL, NULL, NULL),
    (3, 4, 'sports', NULL, NULL, NULL, NULL),
    (4, 4, 'movies', NULL, NULL, NULL, NULL),
    (5, 4, 'music', NULL, NULL, NULL, NULL);

INSERT INTO records (id, tenant_id, project_id, user_data, phone_field, next_calldate, price, commission, locked,
                     claimed_by, claim_expires_at, created_at, updated_at, done_at, attempts) VALUES
    (1, 1, 1, 'crm-1', 'phone1', '2020-01-02 03:04:05', '10.5', '2', FALSE, NULL, NULL,
        '2019-12-31 23:59:59', '2020-01-01 00:00:00', NULL, 0),
    (2, 1, 1, NULL, NULL, NULL, NULL, NULL, FALSE, NULL, NULL, '2020-01-01 00:00:02', '2020-01-01 00:00:02', NULL, 0),
    (3, 1, 1, NULL, NULL, NULL, NULL, NULL, TRUE, NULL, NULL, '2020-01-01 00:00:03', '2020-01-01 00:00:03', NULL, 0),
    (4, 1, 1, NULL, NULL, NULL, NULL, NULL, FALSE, 'dialer-1', '2099-01-01 00:00:00',
        '2020-01-01 00:00:04', '2020-01-01 00:00:04', NULL, 1),
    (5, 1, 1, NULL, NULL, NULL, NULL, NULL, FALSE, NULL, NULL, '2020-01-01 00:00:05', '2020-05-05 05:05:05',
        '2020-05-05 05:05:05', 2),
    (6, 1, 1, 'crm-6', NULL, NULL, NULL, NULL, FALSE, NULL, NULL, '2020-01-01 00:00:06', '2020-01-01 00:00:06', NULL, 0),
    (7, 1, 2, 'c-1', NULL, NULL, NULL, NULL, FALSE, NULL, NULL, '2020-01-01 00:00:07', '2020-01-01 00:00:07', NULL, 0);

INSERT INTO record_values (record_id, field_id, ordinal, value, value_id) VALUES
    (1, 1, 0, 'Ann "Quote" Émile', NULL),
    (1, 2, 0, '3611111111', NULL),
    (1, 3, 0, 'London', 1),
    (1, 4, 0, 'movies', 4),
    (1, 4, 1, 'sports', 3),
    (1, 5, 0, 'first', NULL),
    (1, 5, 1, 'second', NULL),
    (1, 6, 0, '3622222222', NULL),
    (2, 1, 0, 'Rob', NULL),
    (2, 2, 0, '3699999999', NULL),
    (2, 3, 0, 'Leeds', 2),
    (3, 1, 0, 'Locked', NULL),
    (3, 2, 0, '3633333333', NULL),
    (4, 1, 0, 'Claimed', NULL),
    (4, 2, 0, '3644444444', NULL),
    (5, 1, 0, 'Done', NULL),
    (5, 2, 0, '3655555555', NULL),
    (6, 1, 0, 'Due', NULL),
    (6, 2, 0, '3666666666', NULL),
    (6, 4, 0, 'music', 5),
    (6, 10, 0, 'Acme', NULL),
    (7, 7, 0, 'Book Person', NULL),
    (7, 8, 0, '447700900001', NULL),
    (7, 8, 1, '447700900002', NULL),
    (7, 9, 0, '447700900001', NULL),
    (7, 11, 0, 'Leeds', NULL);

INSERT INTO contacts (record_id, slot, title, name, phone, email) VALUES
    (1, 1, 'Dr', 'Ann', '3611111111', 'ann@example.com'),
    (1, 2, NULL, NULL, '3622222222', NULL);

INSERT INTO dispositions (id, record_id, disposition_id, user_id, next_calldate, description, created_at) VALUES
    (1, 1, 5, 'agent-1', '2020-01-02 03:04:05', 'call back', '2020-01-01 10:00:00'),
    (2, 1, 6, 'agent-2', NULL, NULL, '2020-01-01 11:00:00'),
    (3, 5, 7, 'dialer-2', NULL, NULL, '2020-05-05 05:05:05');

INSERT INTO robinson (tenant_id, phone, created_at) VALUES
    (1, '3699999999', '2019-06-01 00:00:00'),
    (1, '447700900002', '2019-06-01 00:00:00');

INSERT INTO contact_books (tenant_id, project_id) VALUES (1, 2);
INSERT INTO rule_templates (id, tenant_id, name, created_at) VALUES (1, 1, 'Route A', '2020-01-01 00:00:00');
INSERT INTO rule_template_rules (template_id, ordinal, record_id, detail) VALUES (1, 0, 7, 'mobile_phone');
INSERT INTO rule_template_links (template_id, link_id, record_id, detail) VALUES
    (1, 'L1', 7, 'mobile_phone'),
    (1, 'L2', NULL, NULL);
