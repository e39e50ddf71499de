use super::super::to_e164;

#[test]
fn hungarian_national_and_international_forms_agree() {
    let national = to_e164("06 1 999 7400", Some("HU"));
    assert_eq!(national.as_deref(), Some("3619997400"));
    assert_eq!(to_e164("+36 1 999 7400", None), national);
    assert_eq!(to_e164("0036 (1) 999-7400", None), national);
    assert_eq!(
        to_e164("+36/1/999.7400", Some("US")),
        national,
        "international ignores the default country"
    );
    assert_eq!(
        to_e164("06 1 999 7400", Some("hu")),
        national,
        "country code in any case"
    );
}

#[test]
fn national_number_that_starts_with_the_country_code() {
    assert_eq!(to_e164("36 1 999 7400", Some("HU")).as_deref(), Some("3619997400"));
}

#[test]
fn us_national_number() {
    assert_eq!(to_e164("(212) 555-0123", Some("US")).as_deref(), Some("12125550123"));
    assert_eq!(to_e164("212.555.0123", Some("US")).as_deref(), Some("12125550123"));
}

#[test]
fn bare_digits_without_country_are_international() {
    assert_eq!(to_e164("3619997400", None).as_deref(), Some("3619997400"));
    assert_eq!(to_e164("06 1 999 7400", None), None, "no country code starts with 0");
}

#[test]
fn implausible_numbers_are_rejected() {
    assert_eq!(to_e164("", None), None);
    assert_eq!(to_e164(" - ", Some("HU")), None);
    assert_eq!(to_e164("+", None), None);
    assert_eq!(to_e164("call me", Some("HU")), None);
    assert_eq!(to_e164("+1234567890123456", None), None, "16 digits");
    assert_eq!(to_e164("+36 1 999 74x0", None), None);
    assert_eq!(to_e164("06 1 999 7400", Some("XX")), None, "unknown country");
}

#[test]
fn a_hungarian_number_has_its_national_and_international_forms_as_variants() {
    use super::super::number_variants;
    let national = number_variants("06 1 999 7400", Some("HU"));
    let international = number_variants("+36 1 999 7400", Some("hu"));
    assert_eq!(national, international);
    for form in ["3619997400", "003619997400", "0619997400", "19997400"] {
        assert!(national.iter().any(|v| v == form), "{form} in {national:?}");
    }
    assert_eq!(number_variants("3619997400", None), ["003619997400", "3619997400"]);
    assert!(number_variants("no digits", Some("HU")).is_empty());
}
