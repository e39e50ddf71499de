//! Record rows and their side tables written in bulk: new rows are streamed with binary
//! COPY, changes collected as column arrays and sent as one UNNEST statement, however
//! many records they touch.

use super::PgResult;
use crate::domain::record::Disposition;
use crate::storage::TenantId;
use crate::storage::shared::row::{RecordRow, contacts_json};
use bytes::BytesMut;
use deadpool_postgres::Transaction;
use std::pin::pin;
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::types::{IsNull, ToSql, Type, to_sql_checked};

/// The columns of `records` a write may change, as arrays.
#[derive(Default)]
struct RowColumns {
    id: Vec<i64>,
    user_data: Vec<Option<String>>,
    phone_field: Vec<Option<String>>,
    next_calldate: Vec<Option<i64>>,
    price: Vec<Option<String>>,
    commission: Vec<Option<String>>,
    done_at: Vec<Option<i64>>,
    robinson: Vec<bool>,
    updated_at: Vec<i64>,
    contacts: Vec<Option<String>>,
    data: Vec<String>,
    zones: Vec<Option<String>>,
}

impl RowColumns {
    fn push(&mut self, row: &RecordRow) {
        self.id.push(row.id);
        self.user_data.push(row.user_data.clone());
        self.phone_field.push(row.phone_field.clone());
        self.next_calldate.push(row.next_calldate);
        self.price.push(row.price.clone());
        self.commission.push(row.commission.clone());
        self.done_at.push(row.done_at);
        self.robinson.push(row.robinson);
        self.updated_at.push(row.updated_at);
        self.contacts.push(contacts_json(&row.contacts));
        self.data.push(row.data.to_json());
        self.zones.push(row.zones.clone());
    }
}

/// Writes these rows' writable columns back, one statement for all.
pub async fn update_rows(tx: &Transaction<'_>, tenant: TenantId, rows: &[&RecordRow]) -> PgResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut c = RowColumns::default();
    rows.iter().for_each(|row| c.push(row));
    let statement = tx
        .prepare_cached(
            "UPDATE records r SET user_data = t.user_data, phone_field = t.phone_field,
               next_calldate = t.next_calldate, price = t.price, commission = t.commission, done_at = t.done_at,
               robinson = t.robinson, updated_at = t.updated_at, contacts = t.contacts::jsonb, data = t.data::jsonb,
               zones = t.zones
             FROM unnest($2::bigint[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::text[], $8::bigint[],
                         $9::bool[], $10::bigint[], $11::text[], $12::text[], $13::text[])
               AS t(id, user_data, phone_field, next_calldate, price, commission, done_at, robinson, updated_at,
                    contacts, data, zones)
             WHERE r.tenant_id = $1 AND r.id = t.id",
        )
        .await?;
    tx.execute(
        &statement,
        &[
            &tenant,
            &c.id,
            &c.user_data,
            &c.phone_field,
            &c.next_calldate,
            &c.price,
            &c.commission,
            &c.done_at,
            &c.robinson,
            &c.updated_at,
            &c.contacts,
            &c.data,
            &c.zones,
        ],
    )
    .await?;
    Ok(())
}

/// JSON text sent as JSONB in binary form: version 1, then the text.
#[derive(Debug)]
struct Jsonb<'a>(&'a str);

impl ToSql for Jsonb<'_> {
    fn to_sql(&self, _: &Type, out: &mut BytesMut) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        out.extend_from_slice(&[1]);
        out.extend_from_slice(self.0.as_bytes());
        Ok(IsNull::No)
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::JSONB
    }

    to_sql_checked!();
}

/// Streams rows into a table with binary COPY: new records and their side-table rows.
/// For 10,000-record requests this beat `INSERT ... SELECT FROM unnest(...)` by about a
/// sixth of the request's time (docs/postgres.md).
async fn copy_in<const N: usize>(
    tx: &Transaction<'_>,
    sql: &str,
    types: &[Type; N],
    rows: impl Iterator<Item = [&(dyn ToSql + Sync); N]>,
) -> PgResult<()> {
    let writer = BinaryCopyInWriter::new(tx.copy_in(sql).await?, types);
    let mut writer = pin!(writer);
    for row in rows {
        writer.as_mut().write(&row).await?;
    }
    writer.finish().await?;
    Ok(())
}

/// Inserts new rows of the project, their ids taken already.
pub async fn insert_rows(tx: &Transaction<'_>, tenant: TenantId, project: i64, rows: &[RecordRow]) -> PgResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let json: Vec<(Option<String>, String)> = rows
        .iter()
        .map(|row| (contacts_json(&row.contacts), row.data.to_json()))
        .collect();
    let jsonb: Vec<(Option<Jsonb>, Jsonb)> = json
        .iter()
        .map(|(contacts, data)| (contacts.as_deref().map(Jsonb), Jsonb(data)))
        .collect();
    let (int8, text) = (Type::INT8, Type::TEXT);
    let types = [
        int8.clone(),
        int8.clone(),
        int8.clone(),
        text.clone(),
        text.clone(),
        int8.clone(),
        text.clone(),
        text,
        int8.clone(),
        Type::BOOL,
        int8.clone(),
        int8,
        Type::JSONB,
        Type::JSONB,
        Type::TEXT,
    ];
    let values = rows
        .iter()
        .zip(&jsonb)
        .map(|(row, (contacts, data))| -> [&(dyn ToSql + Sync); 15] {
            [
                &row.id,
                &tenant,
                &project,
                &row.user_data,
                &row.phone_field,
                &row.next_calldate,
                &row.price,
                &row.commission,
                &row.done_at,
                &row.robinson,
                &row.created_at,
                &row.updated_at,
                contacts,
                data,
                &row.zones,
            ]
        });
    let sql = "COPY records (id, tenant_id, project_id, user_data, phone_field, next_calldate, price, commission,
                             done_at, robinson, created_at, updated_at, contacts, data, zones) FROM STDIN BINARY";
    copy_in(tx, sql, &types, values).await
}

/// Notes zone sets the project's records have (claims look at each of them).
pub async fn register_zones<'a>(
    tx: &Transaction<'_>,
    tenant: TenantId,
    project: i64,
    zones: impl IntoIterator<Item = &'a Option<String>>,
) -> PgResult<()> {
    let mut zones: Vec<&str> = zones.into_iter().filter_map(Option::as_deref).collect();
    zones.sort_unstable();
    zones.dedup();
    if zones.is_empty() {
        return Ok(());
    }
    let statement = tx
        .prepare_cached(
            "INSERT INTO project_zones (tenant_id, project_id, zones) SELECT $1, $2, unnest($3::text[])
             ON CONFLICT DO NOTHING",
        )
        .await?;
    tx.execute(&statement, &[&tenant, &project, &zones]).await?;
    Ok(())
}

/// `n` new record ids, ascending: taken from the identity sequence before the insert, so
/// that a request's records get ids in input order and side rows can go in with them.
pub async fn take_ids(tx: &Transaction<'_>, n: usize) -> PgResult<Vec<i64>> {
    let statement = tx
        .prepare_cached("SELECT nextval('records_id_seq') FROM generate_series(1, $1::bigint)")
        .await?;
    let rows = tx.query(&statement, &[&(n as i64)]).await?;
    let mut ids: Vec<i64> = rows.iter().map(|r| r.get(0)).collect();
    ids.sort_unstable();
    Ok(ids)
}

/// What changes in `record_phones` and `record_terms`: rows that go and rows that come.
#[derive(Default)]
pub struct SideChanges {
    phones_gone: (Vec<String>, Vec<i64>),
    phones_new: (Vec<String>, Vec<i64>),
    terms_gone: (Vec<i64>, Vec<String>, Vec<i64>),
    terms_new: (Vec<i64>, Vec<String>, Vec<i64>),
}

impl SideChanges {
    pub fn phones(&mut self, record: i64, gone: Vec<String>, new: Vec<String>) {
        for (phones, into) in [(gone, &mut self.phones_gone), (new, &mut self.phones_new)] {
            into.1.extend(std::iter::repeat_n(record, phones.len()));
            into.0.extend(phones);
        }
    }

    pub fn terms(&mut self, record: i64, gone: Vec<(i64, String)>, new: Vec<(i64, String)>) {
        for (terms, into) in [(gone, &mut self.terms_gone), (new, &mut self.terms_new)] {
            for (field, term) in terms {
                into.0.push(field);
                into.1.push(term);
                into.2.push(record);
            }
        }
    }

    /// The entries of new records (nothing goes, nothing collides): streamed with COPY.
    pub async fn copy_new(&self, tx: &Transaction<'_>, tenant: TenantId) -> PgResult<()> {
        let (phones, terms) = (&self.phones_new, &self.terms_new);
        if !phones.0.is_empty() {
            let sql = "COPY record_phones (tenant_id, phone, record_id) FROM STDIN BINARY";
            let rows = phones
                .0
                .iter()
                .zip(&phones.1)
                .map(|(phone, record)| -> [&(dyn ToSql + Sync); 3] { [&tenant, phone, record] });
            copy_in(tx, sql, &[Type::INT8, Type::TEXT, Type::INT8], rows).await?;
        }
        if !terms.0.is_empty() {
            let sql = "COPY record_terms (tenant_id, field_id, term, record_id) FROM STDIN BINARY";
            let rows = (0..terms.0.len())
                .map(|i| -> [&(dyn ToSql + Sync); 4] { [&tenant, &terms.0[i], &terms.1[i], &terms.2[i]] });
            copy_in(tx, sql, &[Type::INT8, Type::INT8, Type::TEXT, Type::INT8], rows).await?;
        }
        Ok(())
    }

    /// One statement per side table that changes: its deletions and insertions together.
    pub async fn write(&self, tx: &Transaction<'_>, tenant: TenantId) -> PgResult<()> {
        if !self.phones_gone.0.is_empty() || !self.phones_new.0.is_empty() {
            let statement = tx
                .prepare_cached(
                    "WITH gone AS (
                       DELETE FROM record_phones p USING unnest($2::text[], $3::bigint[]) AS g(phone, record_id)
                       WHERE p.tenant_id = $1 AND p.phone = g.phone AND p.record_id = g.record_id)
                     INSERT INTO record_phones (tenant_id, phone, record_id)
                     SELECT $1, phone, record_id FROM unnest($4::text[], $5::bigint[]) AS n(phone, record_id)
                     ON CONFLICT DO NOTHING",
                )
                .await?;
            let (gone, new) = (&self.phones_gone, &self.phones_new);
            tx.execute(&statement, &[&tenant, &gone.0, &gone.1, &new.0, &new.1])
                .await?;
        }
        if !self.terms_gone.0.is_empty() || !self.terms_new.0.is_empty() {
            let statement = tx
                .prepare_cached(
                    "WITH gone AS (
                       DELETE FROM record_terms t
                       USING unnest($2::bigint[], $3::text[], $4::bigint[]) AS g(field_id, term, record_id)
                       WHERE t.tenant_id = $1 AND t.field_id = g.field_id AND t.term = g.term
                         AND t.record_id = g.record_id)
                     INSERT INTO record_terms (tenant_id, field_id, term, record_id)
                     SELECT $1, field_id, term, record_id
                     FROM unnest($5::bigint[], $6::text[], $7::bigint[]) AS n(field_id, term, record_id)
                     ON CONFLICT DO NOTHING",
                )
                .await?;
            let (gone, new) = (&self.terms_gone, &self.terms_new);
            tx.execute(
                &statement,
                &[&tenant, &gone.0, &gone.1, &gone.2, &new.0, &new.1, &new.2],
            )
            .await?;
        }
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
    phone_field: Vec<Option<&'a str>>,
}

impl<'a> DispositionRows<'a> {
    pub fn push(&mut self, record: i64, d: &'a Disposition) {
        self.push_dialed(record, d, None);
    }

    /// A dialer's call result, with the field whose number it dialed.
    pub fn push_dialed(&mut self, record: i64, d: &'a Disposition, phone_field: Option<&'a str>) {
        self.phone_field.push(phone_field);
        self.record.push(record);
        self.disposition.push(d.disposition_id);
        self.user.push(&d.user_id);
        self.next_calldate.push(d.next_calldate.as_deref());
        self.description.push(d.description.as_deref());
    }

    /// Inserts in the order pushed, so the latest disposition has the highest id; then
    /// starts afresh.
    pub async fn insert(&mut self, tx: &Transaction<'_>, tenant: TenantId, now: &str) -> PgResult<()> {
        if self.record.is_empty() {
            return Ok(());
        }
        let statement = tx
            .prepare_cached(
                "INSERT INTO dispositions (tenant_id, record_id, disposition_id, user_id, next_calldate, description,
                                           created_at, phone_field)
                 SELECT $1, r, d, u, n, x, $7, f
                 FROM unnest($2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[], $8::text[])
                   WITH ORDINALITY AS t(r, d, u, n, x, f, i) ORDER BY i",
            )
            .await?;
        tx.execute(
            &statement,
            &[
                &tenant,
                &self.record,
                &self.disposition,
                &self.user,
                &self.next_calldate,
                &self.description,
                &now,
                &self.phone_field,
            ],
        )
        .await?;
        *self = Self::default();
        Ok(())
    }
}
