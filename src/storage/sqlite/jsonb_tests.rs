use super::*;
use crate::domain::document::{DocValue, RecordDoc};
use crate::storage::shared::row::{contacts_json, parse_contacts};
use crate::storage::sqlite::packed::tests::{contact, record_doc};
use proptest::prelude::*;
use rusqlite::Connection;

/// SQLite's own JSONB of a JSON text.
fn sqlite_jsonb(json: &str) -> Vec<u8> {
    let conn = Connection::open_in_memory().unwrap();
    conn.query_row("SELECT jsonb(?1)", [json], |r| r.get(0)).unwrap()
}

proptest! {
    #[test]
    fn a_document_sqlite_wrote_reads_as_its_json_text(doc in record_doc()) {
        // Escaped texts come out of SQLite as TEXTJ, numbers as INT.
        prop_assert_eq!(from_slice::<RecordDoc>(&sqlite_jsonb(&doc.to_json())).unwrap(), doc);
    }

    #[test]
    fn contacts_sqlite_wrote_read_as_their_json_text(list in proptest::collection::vec(contact(), 1..5)) {
        let json = contacts_json(&list).unwrap();
        prop_assert_eq!(read_contacts(&sqlite_jsonb(&json)).unwrap(), parse_contacts(Some(&json)).unwrap());
    }

    #[test]
    fn no_bytes_make_the_reader_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        let _ = from_slice::<RecordDoc>(&bytes);
        let _ = read_contacts(&bytes);
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    // 1,000 arrays, each holding the next (8-byte sizes: header 0xfb).
    let mut blob = vec![0x0b];
    for _ in 0..1_000 {
        let mut outer = vec![0xfb];
        outer.extend_from_slice(&(blob.len() as u64).to_be_bytes());
        outer.extend_from_slice(&blob);
        blob = outer;
    }
    let mut doc = vec![0xfc];
    doc.extend_from_slice(&(blob.len() as u64 + 2).to_be_bytes());
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
        assert_eq!(
            from_slice::<RecordDoc>(&sqlite_jsonb(&doc.to_json())).unwrap(),
            doc,
            "{len}"
        );
    }
}
