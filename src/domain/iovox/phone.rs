//! What "internationalised" means for a phone number, and country guessing.
//!
//! The vendor's own examples use digits only, country code first, no '+'
//! ("447772412312"). Dialbase accepts that and an optional leading '+',
//! and stores the digits without '+' (see [`phone_digits`]).
//!
//! Why not libphonenumber's strict `is_valid`: the seed's example numbers
//! 44123231231, 44123871237 and 44123875237 are 9-digit UK numbers in the
//! retired 01232 (Belfast) range, which libphonenumber marks invalid. A
//! number therefore counts as internationalised when it parses with a known
//! country calling code and its national number has a length that some
//! number type of that calling code can have (any region sharing it).

use phonenumber::metadata::DATABASE;
use phonenumber::{PhoneNumber, Type};

use super::countries::{Country, country_by_iso2};

/// E.164 caps a number, country code included, at 15 digits.
const MAX_E164_DIGITS: usize = 15;

/// Number types whose lengths count as plausible. `Type::Unknown` (the
/// general descriptor) is left out: its length list is empty in the data.
const TYPES: [Type; 11] = [
    Type::FixedLine,
    Type::Mobile,
    Type::TollFree,
    Type::PremiumRate,
    Type::SharedCost,
    Type::PersonalNumber,
    Type::Voip,
    Type::Pager,
    Type::Uan,
    Type::Voicemail,
    Type::StandardRate,
];

/// Whether `text` is an internationalised number (see the module doc).
pub fn is_internationalised(text: &str) -> bool {
    parse_international(text).is_some()
}

/// The digits of a number without its optional leading '+': the form
/// Dialbase stores and compares.
pub fn phone_digits(text: &str) -> &str {
    text.strip_prefix('+').unwrap_or(text)
}

/// The country a number belongs to: its exact region when libphonenumber
/// knows it, else the main country of its calling code (+44 -> United
/// Kingdom, +1 -> United States). `None` for text that is not
/// internationalised and for non-geographic codes such as +800.
pub fn guess_country_from_phone(number: &str) -> Option<&'static Country> {
    let number = parse_international(number)?;
    let region = match number.country().id() {
        Some(id) => id.as_ref().to_owned(),
        None => main_region(number.code().value())?,
    };
    // Ascension (AC) and Tristan da Cunha (TA) have no ISO 3166-1 code of
    // their own: they belong to Saint Helena, Ascension and Tristan da Cunha.
    let iso2 = match region.as_str() {
        "AC" | "TA" => "SH",
        other => other,
    };
    country_by_iso2(iso2)
}

fn parse_international(text: &str) -> Option<PhoneNumber> {
    let digits = phone_digits(text);
    let well_formed =
        !digits.is_empty() && digits.len() <= MAX_E164_DIGITS && digits.bytes().all(|b| b.is_ascii_digit());
    if !well_formed {
        return None;
    }
    let number = phonenumber::parse(None, format!("+{digits}")).ok()?;
    let code = number.code().value();
    // Rejects numbers libphonenumber rewrote, e.g. by dropping a trunk '0'.
    let national = number.national().to_string();
    let verbatim = format!("{code}{national}") == digits;
    (verbatim && has_plausible_length(code, national.len())).then_some(number)
}

fn has_plausible_length(code: u16, national_len: usize) -> bool {
    let Ok(len) = u16::try_from(national_len) else {
        return false;
    };
    DATABASE.by_code(&code).into_iter().flatten().any(|meta| {
        TYPES
            .iter()
            .filter_map(|&kind| meta.descriptors().get(kind))
            .any(|descriptor| descriptor.possible_length().contains(&len))
    })
}

/// libphonenumber lists the main country of a calling code first.
fn main_region(code: u16) -> Option<String> {
    let regions = DATABASE.region(&code)?;
    let main = regions.first()?;
    (*main != "001").then(|| (*main).to_owned())
}
