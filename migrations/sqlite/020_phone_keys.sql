-- `record_phones` keys a number of 1-18 digits as the integer of `1` and its digits
-- (storage/sqlite/phone_key.rs): six bytes instead of about twelve in every entry. The
-- column has no declared type, so that SQLite keeps integers and the texts of other
-- numbers as they are given (TEXT would turn the integers back into text).
CREATE TABLE record_phones_v2 (
    tenant_id INTEGER NOT NULL,
    phone NOT NULL,
    record_id INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, phone, record_id)
) WITHOUT ROWID;
INSERT INTO record_phones_v2 (tenant_id, phone, record_id)
    SELECT tenant_id,
           CASE WHEN length(phone) BETWEEN 1 AND 18 AND phone NOT GLOB '*[^0-9]*'
                THEN CAST('1' || phone AS INTEGER) ELSE phone END,
           record_id
    FROM record_phones ORDER BY 1, 2, 3;
DROP TABLE record_phones;
ALTER TABLE record_phones_v2 RENAME TO record_phones;
