use super::super::{Detail, IovoxError};

fn text(err: IovoxError) -> (u16, String) {
    (err.status, err.message)
}

fn bad(message: &str) -> (u16, String) {
    (400, message.to_owned())
}

#[test]
fn request_level_rows_have_exact_texts() {
    assert_eq!(text(IovoxError::api_version_empty()), bad("API Version Empty"));
    assert_eq!(text(IovoxError::api_version_invalid()), bad("API Version Invalid"));
    assert_eq!(
        text(IovoxError::request_method("PUT", "GET")),
        bad("Request Method must be PUT. GET attempted")
    );
    assert_eq!(
        text(IovoxError::request_method("POST", "DELETE")),
        bad("Request Method must be POST. DELETE attempted")
    );
    assert_eq!(text(IovoxError::xml_empty()), bad("XML Empty"));
    assert_eq!(
        text(IovoxError::xml_parse("Opening and ending tag mismatch", 3, 14)),
        bad("XML parse error. Opening and ending tag mismatch at line 3, column 14")
    );
    assert_eq!(text(IovoxError::request_empty()), bad("Request Empty"));
    assert_eq!(
        text(IovoxError::duplicate_contact_id()),
        bad("Duplicate Contact ID Received")
    );
    assert_eq!(
        text(IovoxError::combination_duplicated()),
        bad("Display Name and Phone Number Combination duplicated")
    );
    assert_eq!(
        text(IovoxError::too_many_contacts(10_000)),
        bad("Too many contacts. At most 10000 contacts per request")
    );
    assert_eq!(
        text(IovoxError::internal_server_error()),
        (500, "Internal Server Error".to_owned())
    );
}

#[test]
fn per_contact_rows_have_exact_texts() {
    let cases = [
        (IovoxError::contact_id_empty(1, 3), "Contact ID 1 of 3 Empty"),
        (
            IovoxError::contact_id_not_found(2, 3),
            "Contact ID 2 of 3 does not exist",
        ),
        (IovoxError::display_name_empty(3, 3), "Display Name 3 of 3 Empty"),
        (
            IovoxError::phone_not_internationalised(Detail::HomePhone, 1, 2),
            "Home Phone 1 of 2 is not internationalised",
        ),
        (
            IovoxError::phone_not_internationalised(Detail::BusinessPhone, 1, 2),
            "Business Phone 1 of 2 is not internationalised",
        ),
        (
            IovoxError::phone_not_internationalised(Detail::BusinessFax, 2, 2),
            "Business Fax 2 of 2 is not internationalised",
        ),
        (
            IovoxError::phone_not_internationalised(Detail::MobilePhone, 2, 5),
            "Mobile Phone 2 of 5 is not internationalised",
        ),
        (
            IovoxError::detail_invalid(Detail::FirstName, 1, 1),
            "First Name 1 of 1 Invalid",
        ),
        (
            IovoxError::detail_invalid(Detail::LastName, 1, 1),
            "Last Name 1 of 1 Invalid",
        ),
        (
            IovoxError::combination_exists(4, 7),
            "Display Name and Phone Number Combination 4 of 7 already exists",
        ),
        (
            IovoxError::detail_invalid(Detail::HomeCountry, 2, 9),
            "Home Country 2 of 9 Invalid",
        ),
        (
            IovoxError::detail_invalid(Detail::BusinessCountry, 9, 9),
            "Business Country 9 of 9 Invalid",
        ),
        (
            IovoxError::empty_fields_used_in_rules(1, 2),
            "Contact 1 of 2 has empty fields that are used in Rules or Rule Templates",
        ),
    ];
    for (err, expected) in cases {
        assert_eq!(text(err), bad(expected));
    }
}

#[test]
fn display_shows_status_and_message() {
    assert_eq!(IovoxError::xml_empty().to_string(), "400 XML Empty");
}
