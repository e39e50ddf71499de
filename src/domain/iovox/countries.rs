//! The country list behind Countries::getCountries and the home_country /
//! business_country checks.

use super::countries_list::COUNTRIES;

/// An ISO 3166-1 country: common English short name and alpha-2 code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Country {
    pub name: &'static str,
    pub iso2: &'static str,
}

/// All 249 ISO 3166-1 countries, sorted by name. Names are the common
/// English forms ("United Kingdom", "United States", "South Korea") rather
/// than the formal ISO ones.
pub fn countries() -> &'static [Country] {
    &COUNTRIES
}

/// Case-insensitive, whitespace-trimmed lookup of a country name as
/// returned by getCountries; the result carries the canonical spelling.
pub fn country_by_name(name: &str) -> Option<&'static Country> {
    let wanted = || name.trim().chars().flat_map(char::to_lowercase);
    COUNTRIES
        .iter()
        .find(|country| country.name.chars().flat_map(char::to_lowercase).eq(wanted()))
}

/// Case-insensitive lookup by ISO 3166-1 alpha-2 code.
pub fn country_by_iso2(iso2: &str) -> Option<&'static Country> {
    COUNTRIES.iter().find(|country| country.iso2.eq_ignore_ascii_case(iso2))
}
