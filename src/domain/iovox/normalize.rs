//! The canonical form of a validated contact's details, as Dialbase stores
//! them.

use super::countries::country_by_name;
use super::detail::Detail;
use super::phone::{guess_country_from_phone, phone_digits};
use super::request::ContactInput;

/// The contact's details ready to store; call after `validate_contacts`.
/// - phone numbers become digits without '+';
/// - home_country / business_country take the canonical getCountries name;
/// - when `<home_country>` is absent and a home_phone is sent, the country
///   guessed from the first home_phone is added (likewise business_country
///   from business_phone), as the vendor documents its "best guess".
///
/// Other values, empty ones included, are kept as sent, in document order
/// (guessed countries last).
pub fn normalized_details(contact: &ContactInput) -> Vec<(Detail, String)> {
    let mut details: Vec<(Detail, String)> = contact
        .details
        .iter()
        .map(|(detail, value)| (*detail, normalized_value(*detail, value)))
        .collect();
    for (country, phone) in [
        (Detail::HomeCountry, Detail::HomePhone),
        (Detail::BusinessCountry, Detail::BusinessPhone),
    ] {
        if contact.sends(country) {
            continue;
        }
        let first_number = contact.values(phone).find(|v| !v.is_empty());
        if let Some(guess) = first_number.and_then(guess_country_from_phone) {
            details.push((country, guess.name.to_owned()));
        }
    }
    details
}

fn normalized_value(detail: Detail, value: &str) -> String {
    match detail {
        _ if detail.is_phone() => phone_digits(value).to_owned(),
        Detail::HomeCountry | Detail::BusinessCountry => {
            country_by_name(value).map_or(value, |country| country.name).to_owned()
        }
        _ => value.to_owned(),
    }
}
