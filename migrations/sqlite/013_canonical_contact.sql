-- The canonical contact (docs/fields.md): jtel and iovox read and write the shared contact
-- fields under one stored name each. A field they created under their own name takes the
-- canonical name, unless its project already has a field of that name (then both stay, and
-- jtel and iovox show the canonical one). iovox's names are renamed in contact books only:
-- a VCC project may have a `home_city` of its own. One statement per name, in this order,
-- so that two old names of one canonical name cannot both take it.

-- The projects whose fields change: their schema version goes up (schema caches).
CREATE TEMP TABLE canonical_touched (project_id INTEGER PRIMARY KEY);
INSERT INTO canonical_touched (project_id)
    SELECT DISTINCT f.project_id FROM fields f
    WHERE f.name IN ('Name', 'FirstName', 'Company', 'Email', 'Address', 'City', 'PostalCode', 'Region', 'Country', 'Comment')
       OR (f.name IN ('display_name', 'home_address_1', 'home_city', 'home_postcode', 'home_country', 'mobile_phone', 'home_phone', 'business_phone', 'business_fax') AND f.project_id IN (SELECT project_id FROM contact_books));

UPDATE fields AS f SET name = 'name' WHERE f.name = 'Name'
    AND NOT EXISTS (SELECT 1 FROM fields o WHERE o.project_id = f.project_id AND o.name = 'name');
UPDATE fields AS f SET name = 'first_name' WHERE f.name = 'FirstName'
    AND NOT EXISTS (SELECT 1 FROM fields o WHERE o.project_id = f.project_id AND o.name = 'first_name');
UPDATE fields AS f SET name = 'company' WHERE f.name = 'Company'
    AND NOT EXISTS (SELECT 1 FROM fields o WHERE o.project_id = f.project_id AND o.name = 'company');
UPDATE fields AS f SET name = 'email' WHERE f.name = 'Email'
    AND NOT EXISTS (SELECT 1 FROM fields o WHERE o.project_id = f.project_id AND o.name = 'email');
UPDATE fields AS f SET name = 'address' WHERE f.name = 'Address'
    AND NOT EXISTS (SELECT 1 FROM fields o WHERE o.project_id = f.project_id AND o.name = 'address');
UPDATE fields AS f SET name = 'city' WHERE f.name = 'City'
    AND NOT EXISTS (SELECT 1 FROM fields o WHERE o.project_id = f.project_id AND o.name = 'city');
UPDATE fields AS f SET name = 'postcode' WHERE f.name = 'PostalCode'
    AND NOT EXISTS (SELECT 1 FROM fields o WHERE o.project_id = f.project_id AND o.name = 'postcode');
UPDATE fields AS f SET name = 'region' WHERE f.name = 'Region'
    AND NOT EXISTS (SELECT 1 FROM fields o WHERE o.project_id = f.project_id AND o.name = 'region');
UPDATE fields AS f SET name = 'country' WHERE f.name = 'Country'
    AND NOT EXISTS (SELECT 1 FROM fields o WHERE o.project_id = f.project_id AND o.name = 'country');
UPDATE fields AS f SET name = 'notes' WHERE f.name = 'Comment'
    AND NOT EXISTS (SELECT 1 FROM fields o WHERE o.project_id = f.project_id AND o.name = 'notes');
UPDATE fields AS f SET name = 'name' WHERE f.name = 'display_name' AND f.project_id IN (SELECT project_id FROM contact_books)
    AND NOT EXISTS (SELECT 1 FROM fields o WHERE o.project_id = f.project_id AND o.name = 'name');
UPDATE fields AS f SET name = 'address' WHERE f.name = 'home_address_1' AND f.project_id IN (SELECT project_id FROM contact_books)
    AND NOT EXISTS (SELECT 1 FROM fields o WHERE o.project_id = f.project_id AND o.name = 'address');
UPDATE fields AS f SET name = 'city' WHERE f.name = 'home_city' AND f.project_id IN (SELECT project_id FROM contact_books)
    AND NOT EXISTS (SELECT 1 FROM fields o WHERE o.project_id = f.project_id AND o.name = 'city');
UPDATE fields AS f SET name = 'postcode' WHERE f.name = 'home_postcode' AND f.project_id IN (SELECT project_id FROM contact_books)
    AND NOT EXISTS (SELECT 1 FROM fields o WHERE o.project_id = f.project_id AND o.name = 'postcode');
UPDATE fields AS f SET name = 'country' WHERE f.name = 'home_country' AND f.project_id IN (SELECT project_id FROM contact_books)
    AND NOT EXISTS (SELECT 1 FROM fields o WHERE o.project_id = f.project_id AND o.name = 'country');

-- iovox's phone details are the phone fields themselves (mobile_phone is phone1, home_phone
-- phone2, business_phone phone3, business_fax phone4), every number of a detail in order;
-- before, each had a field of its own and its first number was copied into the phone field.
CREATE TEMP TABLE canonical_phones (project_id INTEGER, old_id INTEGER, new_id INTEGER);
UPDATE fields AS f SET name = 'phone1' WHERE f.name = 'mobile_phone' AND f.project_id IN (SELECT project_id FROM contact_books)
    AND NOT EXISTS (SELECT 1 FROM fields o WHERE o.project_id = f.project_id AND o.name = 'phone1');
INSERT INTO canonical_phones (project_id, old_id, new_id)
    SELECT o.project_id, o.id, n.id FROM fields o JOIN fields n ON n.project_id = o.project_id AND n.name = 'phone1'
    WHERE o.name = 'mobile_phone' AND o.project_id IN (SELECT project_id FROM contact_books);
UPDATE fields AS f SET name = 'phone2' WHERE f.name = 'home_phone' AND f.project_id IN (SELECT project_id FROM contact_books)
    AND NOT EXISTS (SELECT 1 FROM fields o WHERE o.project_id = f.project_id AND o.name = 'phone2');
INSERT INTO canonical_phones (project_id, old_id, new_id)
    SELECT o.project_id, o.id, n.id FROM fields o JOIN fields n ON n.project_id = o.project_id AND n.name = 'phone2'
    WHERE o.name = 'home_phone' AND o.project_id IN (SELECT project_id FROM contact_books);
UPDATE fields AS f SET name = 'phone3' WHERE f.name = 'business_phone' AND f.project_id IN (SELECT project_id FROM contact_books)
    AND NOT EXISTS (SELECT 1 FROM fields o WHERE o.project_id = f.project_id AND o.name = 'phone3');
INSERT INTO canonical_phones (project_id, old_id, new_id)
    SELECT o.project_id, o.id, n.id FROM fields o JOIN fields n ON n.project_id = o.project_id AND n.name = 'phone3'
    WHERE o.name = 'business_phone' AND o.project_id IN (SELECT project_id FROM contact_books);
UPDATE fields AS f SET name = 'phone4' WHERE f.name = 'business_fax' AND f.project_id IN (SELECT project_id FROM contact_books)
    AND NOT EXISTS (SELECT 1 FROM fields o WHERE o.project_id = f.project_id AND o.name = 'phone4');
INSERT INTO canonical_phones (project_id, old_id, new_id)
    SELECT o.project_id, o.id, n.id FROM fields o JOIN fields n ON n.project_id = o.project_id AND n.name = 'phone4'
    WHERE o.name = 'business_fax' AND o.project_id IN (SELECT project_id FROM contact_books);

-- The detail's numbers replace the copy of its first one.
UPDATE records SET data = json_remove(json_set(records.data, '$."' || p.new_id || '"', records.data -> ('$."' || p.old_id || '"')),
                                      '$."' || p.old_id || '"')
FROM canonical_phones p
WHERE records.project_id = p.project_id AND json_type(records.data, '$."' || p.old_id || '"') IS NOT NULL;
INSERT OR IGNORE INTO record_phones (tenant_id, phone, record_id)
    SELECT r.tenant_id, j.value, r.id FROM canonical_phones p JOIN records r ON r.project_id = p.project_id,
        json_each(r.data, '$."' || p.new_id || '"') j
    WHERE j.type = 'text';
UPDATE records SET robinson = 1
WHERE robinson = 0 AND project_id IN (SELECT project_id FROM canonical_phones)
  AND EXISTS (SELECT 1 FROM record_phones rp JOIN robinson l ON l.tenant_id = rp.tenant_id AND l.phone = rp.phone
              WHERE rp.tenant_id = records.tenant_id AND rp.record_id = records.id);
DELETE FROM fields WHERE id IN (SELECT old_id FROM canonical_phones);

UPDATE projects SET schema_version = schema_version + 1 WHERE id IN (SELECT project_id FROM canonical_touched);
DROP TABLE canonical_touched;
DROP TABLE canonical_phones;
