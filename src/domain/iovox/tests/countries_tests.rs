use std::collections::HashSet;

use phonenumber::metadata::DATABASE;

use super::super::{countries, country_by_iso2, country_by_name};

#[test]
fn the_list_is_the_full_iso_3166_1_set() {
    let list = countries();
    assert_eq!(list.len(), 249);
    let codes: HashSet<&str> = list.iter().map(|c| c.iso2).collect();
    assert_eq!(codes.len(), 249);
    let names: HashSet<String> = list.iter().map(|c| c.name.to_lowercase()).collect();
    assert_eq!(names.len(), 249);
    assert!(
        list.iter()
            .all(|c| c.iso2.len() == 2 && c.iso2.bytes().all(|b| b.is_ascii_uppercase()))
    );
}

/// Cross-check against libphonenumber's regions: every geographic region
/// it knows is in the list, except the three without an ISO 3166-1 code.
#[test]
fn every_phone_region_has_a_country() {
    let not_iso = ["001", "AC", "TA", "XK"];
    for meta in DATABASE.iter() {
        let id = meta.id();
        if !not_iso.contains(&id) {
            assert!(country_by_iso2(id).is_some(), "missing {id}");
        }
    }
}

#[test]
fn names_match_case_insensitively_and_return_the_canonical_form() {
    let canonical = |name: &str| country_by_name(name).map(|c| c.name);
    assert_eq!(canonical("United Kingdom"), Some("United Kingdom"));
    assert_eq!(canonical("united KINGDOM"), Some("United Kingdom"));
    assert_eq!(canonical("  hungary "), Some("Hungary"));
    assert_eq!(canonical("CÔTE D'IVOIRE"), Some("Côte d'Ivoire"));
    assert_eq!(canonical("åland islands"), Some("Åland Islands"));
    assert_eq!(country_by_name("United States").map(|c| c.iso2), Some("US"));
    for unknown in ["", "Narnia", "UK", "GB", "United"] {
        assert_eq!(canonical(unknown), None, "{unknown:?}");
    }
}

#[test]
fn codes_match_case_insensitively() {
    assert_eq!(country_by_iso2("gb").map(|c| c.name), Some("United Kingdom"));
    assert_eq!(country_by_iso2("HU").map(|c| c.name), Some("Hungary"));
    assert_eq!(country_by_iso2("XX"), None);
}
