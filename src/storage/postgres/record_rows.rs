//! Rows of record writes collected as column arrays, then sent as one UNNEST
//! statement per table, however many records a request writes.

use super::PgResult;
use crate::domain::record::{Contact, Disposition};
use crate::domain::resolve::{Cell, SchemaIds};
use deadpool_postgres::Transaction;

#[derive(Default)]
pub struct ValueRows<'a> {
    record: Vec<i64>,
    field: Vec<i64>,
    ordinal: Vec<i32>,
    text: Vec<&'a str>,
    value_id: Vec<Option<i64>>,
}

impl<'a> ValueRows<'a> {
    pub fn push(&mut self, record: i64, cells: &'a [Cell], ids: &SchemaIds) {
        for cell in cells {
            for (ordinal, (text, value)) in cell.values.iter().enumerate() {
                self.record.push(record);
                self.field.push(ids.field(cell.field));
                self.ordinal.push(ordinal as i32);
                self.text.push(text);
                self.value_id.push(ids.value(*value));
            }
        }
    }

    pub async fn insert(&self, tx: &Transaction<'_>) -> PgResult<()> {
        if self.record.is_empty() {
            return Ok(());
        }
        let statement = tx
            .prepare_cached(
                "INSERT INTO record_values (record_id, field_id, ordinal, value, value_id)
                 SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::int[], $4::text[], $5::bigint[])",
            )
            .await?;
        tx.execute(
            &statement,
            &[&self.record, &self.field, &self.ordinal, &self.text, &self.value_id],
        )
        .await?;
        Ok(())
    }
}

/// A write's contacts with one entry per slot: a later mention of a slot fills in
/// what it gives over the earlier one, as consecutive upserts would.
pub fn merge_contacts(contacts: &[Contact]) -> Vec<Contact> {
    let mut merged: Vec<Contact> = Vec::new();
    for c in contacts {
        let Some(m) = merged.iter_mut().find(|m| m.slot == c.slot) else {
            merged.push(c.clone());
            continue;
        };
        for (into, from) in [
            (&mut m.title, &c.title),
            (&mut m.name, &c.name),
            (&mut m.phone, &c.phone),
            (&mut m.email, &c.email),
        ] {
            if from.is_some() {
                into.clone_from(from);
            }
        }
    }
    merged
}

#[derive(Default)]
pub struct ContactRows<'a> {
    record: Vec<i64>,
    slot: Vec<i16>,
    title: Vec<Option<&'a str>>,
    name: Vec<Option<&'a str>>,
    phone: Vec<Option<&'a str>>,
    email: Vec<Option<&'a str>>,
}

impl<'a> ContactRows<'a> {
    /// `contacts` must hold each slot once (see [`merge_contacts`]).
    pub fn push(&mut self, record: i64, contacts: &'a [Contact]) {
        for c in contacts {
            self.record.push(record);
            self.slot.push(i16::from(c.slot));
            self.title.push(c.title.as_deref());
            self.name.push(c.name.as_deref());
            self.phone.push(c.phone.as_deref());
            self.email.push(c.email.as_deref());
        }
    }

    /// Creates the slots, or fills in the given parts of existing ones.
    pub async fn upsert(&self, tx: &Transaction<'_>) -> PgResult<()> {
        if self.record.is_empty() {
            return Ok(());
        }
        let statement = tx
            .prepare_cached(
                "INSERT INTO contacts (record_id, slot, title, name, phone, email)
                 SELECT * FROM unnest($1::bigint[], $2::smallint[], $3::text[], $4::text[], $5::text[], $6::text[])
                 ON CONFLICT (record_id, slot) DO UPDATE SET
                   title = COALESCE(excluded.title, contacts.title), name = COALESCE(excluded.name, contacts.name),
                   phone = COALESCE(excluded.phone, contacts.phone), email = COALESCE(excluded.email, contacts.email)",
            )
            .await?;
        tx.execute(
            &statement,
            &[
                &self.record,
                &self.slot,
                &self.title,
                &self.name,
                &self.phone,
                &self.email,
            ],
        )
        .await?;
        Ok(())
    }
}

#[derive(Default)]
pub struct DispositionRows<'a> {
    record: Vec<i64>,
    disposition: Vec<i64>,
    user: Vec<&'a str>,
    next_calldate: Vec<Option<&'a str>>,
    description: Vec<Option<&'a str>>,
}

impl<'a> DispositionRows<'a> {
    pub fn push(&mut self, record: i64, d: &'a Disposition) {
        self.record.push(record);
        self.disposition.push(d.disposition_id);
        self.user.push(&d.user_id);
        self.next_calldate.push(d.next_calldate.as_deref());
        self.description.push(d.description.as_deref());
    }

    /// Inserts in the order pushed, so the latest disposition has the highest id.
    pub async fn insert(&self, tx: &Transaction<'_>, now: &str) -> PgResult<()> {
        if self.record.is_empty() {
            return Ok(());
        }
        let statement = tx
            .prepare_cached(
                "INSERT INTO dispositions (record_id, disposition_id, user_id, next_calldate, description, created_at)
                 SELECT r, d, u, n, x, $6 FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[])
                   WITH ORDINALITY AS t(r, d, u, n, x, i) ORDER BY i",
            )
            .await?;
        tx.execute(
            &statement,
            &[
                &self.record,
                &self.disposition,
                &self.user,
                &self.next_calldate,
                &self.description,
                &now,
            ],
        )
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slot_named_twice_merges_into_one_row() {
        let contact = |slot, name: Option<&str>, phone: Option<&str>| Contact {
            slot,
            title: None,
            name: name.map(Into::into),
            phone: phone.map(Into::into),
            email: None,
        };
        let merged = merge_contacts(&[
            contact(1, Some("Peter"), Some("111")),
            contact(2, None, Some("222")),
            contact(1, None, Some("333")),
        ]);
        assert_eq!(
            merged,
            vec![contact(1, Some("Peter"), Some("333")), contact(2, None, Some("222"))]
        );
    }
}
