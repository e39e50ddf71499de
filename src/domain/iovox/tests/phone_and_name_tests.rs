use super::super::{guess_country_from_phone, is_internationalised, is_valid_person_name, phone_digits};

const SEED_NUMBERS: [&str; 4] = ["447772412312", "44123231231", "44123871237", "44123875237"];

#[test]
fn seed_numbers_are_internationalised_with_or_without_plus() {
    for number in SEED_NUMBERS {
        assert!(is_internationalised(number), "{number}");
        assert!(is_internationalised(&format!("+{number}")), "+{number}");
    }
    for number in ["3619997400", "12125550123", "442079460000", "390612345678"] {
        assert!(is_internationalised(number), "{number}");
    }
}

/// Why the rule is "plausible length" rather than libphonenumber's strict
/// validity: three of the seed's own numbers fail the strict check.
#[test]
fn strict_validity_would_reject_the_seed_numbers() {
    let strict = |n: &str| phonenumber::parse(None, format!("+{n}")).unwrap().is_valid();
    assert!(strict("447772412312"));
    for number in &SEED_NUMBERS[1..] {
        assert!(!strict(number), "{number}");
    }
}

#[test]
fn malformed_numbers_are_not_internationalised() {
    let bad = [
        "",
        "+",
        "abc",
        "44 7772 412312",
        "44-7772412312",
        "++447772412312",
        "07772412312",            // national format: 077 is no country code
        "0044772412312",          // international dialling prefix instead of '+'
        "999123456",              // no such country code
        "4412",                   // too short for +44
        "4477724123121234",       // 16 digits: longer than E.164 allows
        "44777241231212",         // 12-digit national number: no UK length
        "１２１２５５５０１２３", // full-width digits
    ];
    for number in bad {
        assert!(!is_internationalised(number), "{number}");
    }
}

#[test]
fn phone_digits_drops_the_plus_only() {
    assert_eq!(phone_digits("+447772412312"), "447772412312");
    assert_eq!(phone_digits("447772412312"), "447772412312");
}

#[test]
fn country_is_guessed_from_the_calling_code_and_region() {
    let guess = |n: &str| guess_country_from_phone(n).map(|c| (c.name, c.iso2));
    for number in SEED_NUMBERS {
        assert_eq!(guess(number), Some(("United Kingdom", "GB")), "{number}");
    }
    assert_eq!(guess("3619997400"), Some(("Hungary", "HU")));
    assert_eq!(guess("+12125550123"), Some(("United States", "US")));
    assert_eq!(guess("14165550123"), Some(("Canada", "CA")));
    assert_eq!(guess("390612345678"), Some(("Italy", "IT")));
    assert_eq!(guess("80012345678"), None, "non-geographic +800");
    assert_eq!(guess("12"), None);
    assert_eq!(guess("not a number"), None);
}

#[test]
fn person_names_allow_letters_of_any_script_and_name_punctuation() {
    let good = [
        "John",
        "Smith",
        "Jean-Luc",
        "O'Brien",
        "O\u{2019}Brien",
        "J. R.",
        "Zoë",
        "Ólafur",
        "Zoe\u{0308}",
        "李",
        "Мария",
        "Mary Ann",
    ];
    for name in good {
        assert!(is_valid_person_name(name), "{name}");
    }
    for name in ["J0hn", "John!", "@", "-", "' .", "John_Smith", "Ann\tLee", ""] {
        assert!(!is_valid_person_name(name), "{name:?}");
    }
}
