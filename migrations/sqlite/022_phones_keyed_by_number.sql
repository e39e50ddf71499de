-- `record_phones` keyed by (phone, tenant_id, record_id): every look-up names both the
-- tenant and the number, so either order serves it, but with the number first nearly
-- every comparison on the way down the B-tree is decided by its first column, which
-- SQLite compares on a fast path (a tenant first is equal in almost every comparison and
-- sends each one to its general record comparison): an import's phone entries take about a
-- third fewer instructions. The tenant-first rule of the keys is PostgreSQL's (Citus).
CREATE TABLE record_phones_v2 (
    phone NOT NULL,
    tenant_id INTEGER NOT NULL,
    record_id INTEGER NOT NULL,
    PRIMARY KEY (phone, tenant_id, record_id)
) WITHOUT ROWID;
INSERT INTO record_phones_v2 (phone, tenant_id, record_id)
    SELECT phone, tenant_id, record_id FROM record_phones ORDER BY phone, tenant_id, record_id;
DROP TABLE record_phones;
ALTER TABLE record_phones_v2 RENAME TO record_phones;
