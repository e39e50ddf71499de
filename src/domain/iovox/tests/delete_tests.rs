//! deleteContacts' checks.

use super::super::validate_delete;

#[test]
fn delete_checks_existence_then_rules_item_by_item() {
    assert_eq!(
        validate_delete(&[Some((1, false)), Some((2, true))], true).unwrap(),
        vec![1, 2]
    );
    assert_eq!(
        validate_delete(&[Some((1, true)), None], false).unwrap_err().message,
        "Contact 1 of 2 is used in Rules or Rule Templates"
    );
    assert_eq!(
        validate_delete(&[Some((1, false)), None], false).unwrap_err().message,
        "Contact ID 2 of 2 does not exist"
    );
}
