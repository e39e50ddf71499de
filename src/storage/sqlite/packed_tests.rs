use super::*;
use proptest::prelude::*;
use rusqlite::Connection;

// The generators of stored documents, also for `jsonb_tests`.
pub fn value() -> impl Strategy<Value = DocValue> {
    prop_oneof![
        "(\\PC|[\"\\\\\u{0}-\u{1f}\u{7f}]){0,300}".prop_map(DocValue::Text),
        any::<i64>().prop_map(DocValue::Id),
    ]
}

pub fn record_doc() -> impl Strategy<Value = RecordDoc> {
    proptest::collection::btree_map(any::<i64>(), proptest::collection::vec(value(), 1..4), 0..20).prop_map(|entries| {
        let mut doc = RecordDoc::default();
        for (field, values) in entries {
            doc.set(field, values);
        }
        doc
    })
}

pub fn detail() -> impl Strategy<Value = Option<String>> {
    proptest::option::of("(\\PC|[\"\\\\\u{0}-\u{1f}]){0,20}")
}

pub fn contact() -> impl Strategy<Value = Contact> {
    (1u8..=9, detail(), detail(), detail(), detail()).prop_map(|(slot, title, name, phone, email)| Contact {
        slot,
        title,
        name,
        phone,
        email,
    })
}

proptest! {
    #[test]
    fn a_document_reads_back_as_written(doc in record_doc()) {
        let blob = super::doc(&doc);
        prop_assert_eq!(read_doc(ValueRef::Blob(&blob)).unwrap(), doc);
    }

    #[test]
    fn contacts_read_back_as_written(list in proptest::collection::vec(contact(), 0..5)) {
        let expected = crate::storage::shared::row::parse_contacts(
            crate::storage::shared::row::contacts_json(&list).as_deref(),
        ).unwrap();
        let stored = super::contacts(&list);
        prop_assert_eq!(stored.is_none(), list.is_empty());
        let value = stored.as_deref().map_or(ValueRef::Null, ValueRef::Blob);
        prop_assert_eq!(read_contacts(value).unwrap(), expected);
    }

    #[test]
    fn a_patch_gives_what_setting_its_fields_one_by_one_gives(
        doc in record_doc(),
        changes in proptest::collection::vec((any::<i64>(), proptest::collection::vec(value(), 0..3)), 0..6),
        reuse in proptest::collection::vec(any::<prop::sample::Index>(), 0..4),
        text in any::<bool>(),
    ) {
        // Some changes name fields the document holds, some set the values it holds.
        let mut changes = changes;
        let held: Vec<(i64, &[DocValue])> = doc.entries().collect();
        for (i, index) in reuse.iter().enumerate() {
            if let Some((field, values)) = (!held.is_empty()).then(|| index.get(&held)) {
                let values = if i % 2 == 0 { values.to_vec() } else { Vec::new() };
                changes.push((*field, values));
            }
        }
        let mut expected = doc.clone();
        for (field, values) in &changes {
            expected.set(*field, values.clone());
        }
        let (packed, json) = (super::doc(&doc), doc.to_json());
        let stored = if text { ValueRef::Text(json.as_bytes()) } else { ValueRef::Blob(&packed) };
        let patched = Patch::new(&changes).apply(stored).unwrap();
        prop_assert_eq!(patched.is_some(), expected != doc);
        if let Some(patched) = patched {
            prop_assert_eq!(&patched, &super::doc(&expected));
        }
    }

    #[test]
    fn no_bytes_make_the_reader_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        let mut packed = vec![MARKER];
        packed.extend_from_slice(&bytes);
        let _ = read_doc(ValueRef::Blob(&packed));
        let _ = read_contacts(ValueRef::Blob(&packed));
        let _ = Patch::new(&[(1, vec![DocValue::Id(2)])]).apply(ValueRef::Blob(&packed));
    }
}

/// The bench's typical record.
fn typical() -> (RecordDoc, Vec<Contact>) {
    let text = |t: &str| vec![DocValue::Text(t.into())];
    let doc = RecordDoc::from_entries(vec![
        (1, vec![DocValue::Id(1), DocValue::Id(6)]),
        (2, vec![DocValue::Id(9)]),
        (3, text("Bucharest")),
        (4, text("11 Main Street")),
        (5, text("58")),
        (6, text("Company 0")),
        (7, text("lead10000@example.com")),
        (8, text("Lead Number 10000")),
        (9, text("imported by dialbase-bench")),
        (10, text("3620001000")),
        (11, text("0000")),
        (12, text("3610001000")),
    ]);
    let contact = Contact {
        slot: 1,
        title: None,
        name: Some("Lead Number 10000".into()),
        phone: Some("3610001000".into()),
        email: Some("lead10000@example.com".into()),
    };
    (doc, vec![contact])
}

#[test]
fn a_typical_record_is_30_bytes_smaller_than_in_jsonb() {
    let (doc, contacts) = typical();
    // SQLite's JSONB of the same record (the writer of earlier versions made 176 and 62).
    let conn = Connection::open_in_memory().unwrap();
    let jsonb_len = |json: String| -> i64 {
        conn.query_row("SELECT length(jsonb(?1))", [json], |r| r.get(0))
            .unwrap()
    };
    let contacts_json = crate::storage::shared::row::contacts_json(&contacts).unwrap();
    assert_eq!((jsonb_len(doc.to_json()), jsonb_len(contacts_json)), (172, 60));
    assert_eq!(
        (super::doc(&doc).len(), super::contacts(&contacts).unwrap().len()),
        (149, 53)
    );
}

#[test]
fn long_texts_ids_lists_and_slots_read_back() {
    let mut doc = RecordDoc::default();
    for (field, len) in [(1, 0), (2, 62), (3, 63), (4, 64), (5, 70_000)] {
        doc.set(field, vec![DocValue::Text("x".repeat(len))]);
    }
    doc.set(
        i64::MAX,
        vec![
            DocValue::Id(i64::MIN),
            DocValue::Id(-1),
            DocValue::Id(31),
            DocValue::Id(32),
        ],
    );
    doc.set(-7, (0..100).map(DocValue::Id).collect());
    assert_eq!(read_doc(ValueRef::Blob(&super::doc(&doc))).unwrap(), doc);
    let contact = |slot| Contact {
        slot,
        title: Some("Dr".into()),
        name: None,
        phone: Some("1".repeat(200)),
        email: None,
    };
    let contacts = vec![contact(1), contact(15), contact(255)];
    let stored = super::contacts(&contacts).unwrap();
    assert_eq!(read_contacts(ValueRef::Blob(&stored)).unwrap(), contacts);
}

#[test]
fn rows_of_earlier_formats_still_read() {
    let (doc, contacts) = typical();
    let conn = Connection::open_in_memory().unwrap();
    let jsonb: Vec<u8> = conn
        .query_row("SELECT jsonb(?1)", [doc.to_json()], |r| r.get(0))
        .unwrap();
    assert_eq!(read_doc(ValueRef::Blob(&jsonb)).unwrap(), doc);
    assert_eq!(read_doc(ValueRef::Text(doc.to_json().as_bytes())).unwrap(), doc);
    let json = crate::storage::shared::row::contacts_json(&contacts).unwrap();
    let jsonb: Vec<u8> = conn.query_row("SELECT jsonb(?1)", [&json], |r| r.get(0)).unwrap();
    assert_eq!(read_contacts(ValueRef::Blob(&jsonb)).unwrap(), contacts);
    assert_eq!(read_contacts(ValueRef::Text(json.as_bytes())).unwrap(), contacts);
}

#[test]
fn damaged_documents_are_errors() {
    for bytes in [
        &[MARKER, 1, 0x04][..],   // a text longer than its bytes
        &[MARKER, 2, 0, 0, 0],    // field ids not ascending (2, then 2 again)
        &[MARKER, 1, 0xfe],       // a list of 63 values or more, its count missing
        &[MARKER, 1, 0x0a, 0x0a], // a list of two: a list inside it
        &[MARKER, 1, 0x02, 0x80], // an empty list, then a truncated field id
    ] {
        assert!(read_doc(ValueRef::Blob(bytes)).is_err(), "{bytes:?}");
    }
    assert!(
        read_contacts(ValueRef::Blob(&[MARKER, 0x01, 0x01])).is_err(),
        "slot 1 twice"
    );
    assert!(
        read_contacts(ValueRef::Blob(&[MARKER, 0x21, 0x05, b'a'])).is_err(),
        "a name longer than its bytes"
    );
}
