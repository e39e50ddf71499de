//! A project's records as rows of a table: the CSV layout that `dialbase export` and the
//! HTTP export (`?format=csv`) write, and that `dialbase import` reads back. Columns:
//! `numberid`, the attributes [`ATTRIBUTES`], then one column per field in name order;
//! a field with several values holds them joined by `|`.

use super::record::{FormEntry, Record};
use super::schema::ProjectSchema;

/// The record attributes that have a column of their own, in column order.
pub const ATTRIBUTES: [&str; 3] = ["next_calldate", "phone_field", "user_data"];

/// The columns of one project's export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvLayout {
    /// The project's field names, sorted and distinct.
    fields: Vec<String>,
}

impl CsvLayout {
    pub fn new(schema: &ProjectSchema) -> Self {
        let mut fields: Vec<String> = schema.fields.iter().map(|f| f.name.clone()).collect();
        fields.sort_unstable();
        fields.dedup();
        Self { fields }
    }

    pub fn header(&self) -> Vec<&str> {
        let mut header = vec!["numberid"];
        header.extend(ATTRIBUTES);
        header.extend(self.fields.iter().map(String::as_str));
        header
    }

    /// Records as CSV lines (after the header line when `header`), as the CLI export and
    /// the HTTP export write them.
    pub fn lines(&self, records: &[Record], header: bool) -> Result<Vec<u8>, csv::Error> {
        let mut writer = csv::Writer::from_writer(Vec::with_capacity(records.len() * 256));
        if header {
            writer.write_record(self.header())?;
        }
        for record in records {
            writer.write_record(self.row(record))?;
        }
        writer.into_inner().map_err(|e| e.into_error().into())
    }

    /// One record's row; a field the record has no value for is an empty cell.
    pub fn row(&self, record: &Record) -> Vec<String> {
        let mut cells: Vec<Option<&FormEntry>> = vec![None; self.fields.len()];
        for entry in &record.form {
            if let Ok(column) = self.fields.binary_search(&entry.name) {
                cells[column] = Some(entry);
            }
        }
        let mut row = Vec::with_capacity(1 + ATTRIBUTES.len() + cells.len());
        row.push(record.id.to_string());
        row.push(record.next_calldate.clone().unwrap_or_default());
        row.push(record.phone_field.clone().unwrap_or_default());
        row.push(record.user_data.clone().unwrap_or_default());
        row.extend(
            cells
                .into_iter()
                .map(|entry| entry.map(FormEntry::text).unwrap_or_default()),
        );
        row
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::record::FormEntry;
    use crate::domain::schema::{Field, FieldKind};

    fn field(id: i64, name: &str, kind: FieldKind) -> Field {
        Field {
            id,
            name: name.into(),
            label: None,
            kind,
            indexed: false,
            customised: false,
            values: Vec::new(),
        }
    }

    #[test]
    fn columns_are_the_attributes_then_the_fields_by_name() {
        let schema = ProjectSchema::new(vec![
            field(1, "name", FieldKind::Text),
            field(2, "likes", FieldKind::Multiple),
            field(3, "phone1", FieldKind::Text),
        ]);
        let layout = CsvLayout::new(&schema);
        assert_eq!(
            layout.header(),
            [
                "numberid",
                "next_calldate",
                "phone_field",
                "user_data",
                "likes",
                "name",
                "phone1"
            ]
        );
        let record = Record {
            user_data: Some("crm-7".into()),
            next_calldate: Some("2030-01-01 08:00:00".into()),
            form: vec![
                FormEntry::of_texts(1, "name", &["Peter"]),
                FormEntry::of_texts(2, "likes", &["sports", "movies"]),
            ],
            ..Record::blank(7, 1)
        };
        assert_eq!(
            layout.row(&record),
            ["7", "2030-01-01 08:00:00", "", "crm-7", "sports|movies", "Peter", ""]
        );
    }
}
