use super::*;
use crate::storage::shared::row::contacts_json;
use proptest::prelude::*;
use rusqlite::Connection;

fn value() -> impl Strategy<Value = DocValue> {
    prop_oneof![
        "(\\PC|[\"\\\\\u{0}-\u{1f}\u{7f}]){0,300}".prop_map(DocValue::Text),
        any::<i64>().prop_map(DocValue::Id),
    ]
}

fn record_doc() -> impl Strategy<Value = RecordDoc> {
    proptest::collection::btree_map(any::<i64>(), proptest::collection::vec(value(), 1..4), 0..20).prop_map(|entries| {
        let mut doc = RecordDoc::default();
        for (field, values) in entries {
            doc.set(field, values);
        }
        doc
    })
}

fn detail() -> impl Strategy<Value = Option<String>> {
    proptest::option::of("(\\PC|[\"\\\\\u{0}-\u{1f}]){0,20}")
}

fn contact() -> impl Strategy<Value = Contact> {
    (1u8..=9, detail(), detail(), detail(), detail()).prop_map(|(slot, title, name, phone, email)| Contact {
        slot,
        title,
        name,
        phone,
        email,
    })
}

fn sql_text(conn: &Connection, sql: &str, blob: &[u8]) -> String {
    conn.query_row(sql, [blob], |r| r.get(0)).unwrap()
}

proptest! {
    #[test]
    fn a_document_reads_back_as_written_and_as_sqlite_reads_it(doc in record_doc()) {
        let blob = super::doc(&doc);
        prop_assert_eq!(from_slice::<RecordDoc>(&blob).unwrap(), doc.clone());
        // SQLite's rendering of the blob is the document's JSON text.
        let conn = Connection::open_in_memory().unwrap();
        let text = sql_text(&conn, "SELECT json(?1)", &blob);
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        let expected: serde_json::Value = serde_json::from_str(&doc.to_json()).unwrap();
        prop_assert_eq!(value, expected);
        // And SQLite's own JSONB of that text (escaped texts as TEXTJ) reads the same.
        let theirs: Vec<u8> = conn.query_row("SELECT jsonb(?1)", [doc.to_json()], |r| r.get(0)).unwrap();
        prop_assert_eq!(from_slice::<RecordDoc>(&theirs).unwrap(), doc);
    }

    #[test]
    fn contacts_read_back_as_written_and_as_sqlite_reads_them(list in proptest::collection::vec(contact(), 0..5)) {
        let expected = parse_contacts(contacts_json(&list).as_deref()).unwrap();
        let Some(blob) = super::contacts(&list) else {
            prop_assert!(list.is_empty());
            return Ok(());
        };
        prop_assert_eq!(read_contacts(ValueRef::Blob(&blob)).unwrap(), expected.clone());
        let conn = Connection::open_in_memory().unwrap();
        let text = sql_text(&conn, "SELECT json(?1)", &blob);
        prop_assert_eq!(parse_contacts(Some(&text)).unwrap(), expected);
    }

    #[test]
    fn no_bytes_make_the_reader_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        let _ = from_slice::<RecordDoc>(&bytes);
        let _ = read_contacts(ValueRef::Blob(&bytes));
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    // 1,000 arrays, each holding the next.
    let mut blob = vec![0x0b];
    for _ in 0..1_000 {
        let size = blob.len();
        let mut outer = Vec::with_capacity(size + 9);
        header(&mut outer, ARRAY, size);
        outer.extend_from_slice(&blob);
        blob = outer;
    }
    let mut doc = vec![];
    header(&mut doc, OBJECT, blob.len() + 2);
    doc.extend_from_slice(&[0x17, b'1']);
    doc.extend_from_slice(&blob);
    assert!(
        from_slice::<RecordDoc>(&doc)
            .unwrap_err()
            .to_string()
            .contains("too deep")
    );
}

#[test]
fn sizes_of_every_header_width_read_back() {
    for len in [0, 11, 12, 255, 256, 65_535, 65_536] {
        let mut doc = RecordDoc::default();
        doc.set(7, vec![DocValue::Text("x".repeat(len))]);
        let blob = super::doc(&doc);
        assert_eq!(from_slice::<RecordDoc>(&blob).unwrap(), doc, "{len}");
        let conn = Connection::open_in_memory().unwrap();
        assert_eq!(sql_text(&conn, "SELECT json_extract(?1, '$.\"7\"')", &blob).len(), len);
    }
}

#[test]
fn sqlite_edits_of_a_document_read_back() {
    let mut doc = RecordDoc::default();
    doc.set(1, vec![DocValue::Id(5), DocValue::Id(6)]);
    doc.set(3, vec![DocValue::Text("Bucharest".into())]);
    let conn = Connection::open_in_memory().unwrap();
    let edited: Vec<u8> = conn
        .query_row(
            "SELECT jsonb_set(jsonb_remove(?1, '$.\"1\"'), '$.\"3\"', json(?2), '$.\"2\"', jsonb(?3))",
            rusqlite::params![super::doc(&doc), r#""a \"quoted\"\nline""#, "[0x1F, 7]"],
            |r| r.get(0),
        )
        .unwrap();
    let read = from_slice::<RecordDoc>(&edited).unwrap();
    assert_eq!(read.get(1), []);
    assert_eq!(read.get(2), [DocValue::Id(31), DocValue::Id(7)]);
    assert_eq!(read.get(3), [DocValue::Text("a \"quoted\"\nline".into())]);
}

#[test]
fn a_typical_record_is_smaller_than_its_json_text() {
    let mut doc = RecordDoc::default();
    doc.set(1, vec![DocValue::Id(5), DocValue::Id(6)]);
    for (field, text) in [
        (3, "Bucharest"),
        (4, "5 Main Street"),
        (7, "lead4@example.com"),
        (10, "36200000004"),
    ] {
        doc.set(field, vec![DocValue::Text(text.into())]);
    }
    assert_eq!(doc.to_json().len(), 90);
    assert_eq!(super::doc(&doc).len(), 74);
}
