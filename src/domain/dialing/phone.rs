//! Numbers as people write them -> E.164 digits, the key for time-zone
//! lookup.

/// E.164 caps a number, country code included, at 15 digits.
const MAX_E164_DIGITS: usize = 15;

/// Visual separators people put into numbers; none of them changes the number.
fn is_separator(c: char) -> bool {
    c.is_whitespace() || matches!(c, '-' | '.' | '(' | ')' | '/')
}

/// E.164 digits without '+', e.g. "3619997400", from a number as written.
///
/// `default_country` is an ISO 3166 alpha-2 code ("HU", any case). Rules:
/// separators (spaces, dashes, dots, parentheses, slashes) are dropped;
/// "+..." or "00..." is international and kept digit for digit; otherwise,
/// with a default country, the text is parsed by libphonenumber as that
/// country's number (which drops a trunk prefix such as Hungary's "06" and
/// also accepts a national number that already starts with the country
/// code); without one, the digits are taken as international already.
///
/// None when there are no digits or the result is not a plausible E.164
/// number (1-15 digits, no leading zero). Parsed numbers need not be valid
/// by libphonenumber's stricter rules: old or unusual ranges still get a
/// time zone.
pub fn to_e164(raw: &str, default_country: Option<&str>) -> Option<String> {
    // Most stored numbers are digits already: only a number with separators is copied.
    let cleaned: std::borrow::Cow<str> = if raw.chars().any(is_separator) {
        raw.chars().filter(|&c| !is_separator(c)).collect::<String>().into()
    } else {
        raw.into()
    };
    let international = cleaned.strip_prefix('+').or_else(|| cleaned.strip_prefix("00"));
    match (international, default_country) {
        (Some(digits), _) => plausible_e164(digits),
        (None, Some(country)) => parse_national(&cleaned, country),
        (None, None) => plausible_e164(&cleaned),
    }
}

/// `digits` itself when it can be an E.164 number: only ASCII digits, 1-15
/// of them, and not starting with 0 (no country code does).
fn plausible_e164(digits: &str) -> Option<String> {
    let plausible = (1..=MAX_E164_DIGITS).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0');
    plausible.then(|| digits.to_owned())
}

/// libphonenumber's reading of `national` as a number of `country`.
fn parse_national(national: &str, country: &str) -> Option<String> {
    if !national.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    let country: phonenumber::country::Id = country.trim().to_ascii_uppercase().parse().ok()?;
    let number = phonenumber::parse(Some(country), national).ok()?;
    // `national()` keeps significant leading zeros (Italy's "06...").
    plausible_e164(&format!("{}{}", number.code().value(), number.national()))
}

/// Every digit string a stored number may be written as when it is the same number as
/// `raw` (E.164 compared, with `default_country` for national numbers): the E.164 digits,
/// with `00` in front, and for a number of the default country its national forms (with
/// and without the trunk prefix: Hungary's `06 1 999 7400` is `0619997400` and
/// `19997400`). Records keep numbers as digits; a duplicate check looks all of these up.
pub fn number_variants(raw: &str, default_country: Option<&str>) -> Vec<String> {
    let Some(e164) = to_e164(raw, default_country) else {
        return Vec::new();
    };
    let mut variants = vec![format!("00{e164}"), e164.clone()];
    let metadata = default_country
        .map(|c| c.trim().to_ascii_uppercase())
        .and_then(|c| phonenumber::metadata::DATABASE.by_id(c.as_str()));
    if let Some(metadata) = metadata
        && let Some(national) = e164.strip_prefix(&metadata.country_code().to_string())
        && !national.is_empty()
    {
        if let Some(prefix) = metadata.national_prefix() {
            variants.push(format!("{prefix}{national}"));
        }
        variants.push(national.to_string());
    }
    variants.sort();
    variants.dedup();
    variants
}
