use super::super::{parse_zone, zones_for_number};

#[test]
fn manhattan_number_is_in_new_york() {
    assert_eq!(zones_for_number("12125550123"), ["America/New_York"]);
    assert_eq!(zones_for_number("+12125550123"), ["America/New_York"]);
}

#[test]
fn country_wide_us_prefix_spans_chicago_and_new_york() {
    // No prefix of the map names exactly {Chicago, New York}; the country-wide "1" entry
    // (toll-free numbers have no longer prefix) names both.
    let zones = zones_for_number("18005551234");
    assert!(zones.iter().any(|z| z == "America/Chicago"), "{zones:?}");
    assert!(zones.iter().any(|z| z == "America/New_York"), "{zones:?}");
    assert!(zones.len() > 2);
    assert!(
        zones.windows(2).all(|pair| pair[0] < pair[1]),
        "sorted and unique: {zones:?}"
    );
}

#[test]
fn budapest_number_is_in_budapest() {
    assert_eq!(zones_for_number("3619997400"), ["Europe/Budapest"]);
}

#[test]
fn longest_prefix_wins() {
    // 1219 is New York, but its 1219226 block is in Chicago.
    assert_eq!(zones_for_number("12192261234"), ["America/Chicago"]);
    assert_eq!(zones_for_number("12195551234"), ["America/New_York"]);
}

#[test]
fn unknown_prefix_gives_no_zones() {
    assert!(zones_for_number("99912345678").is_empty());
    assert!(zones_for_number("80012345678").is_empty());
    assert!(zones_for_number("").is_empty());
    assert!(zones_for_number("36-1-999").is_empty(), "non-digits are not E.164");
}

#[test]
fn every_zone_of_a_sample_of_prefixes_is_in_the_bundled_database() {
    let unknown: Vec<String> = (1..1000)
        .flat_map(|prefix| zones_for_number(&format!("{prefix}5551234")))
        .filter(|name| parse_zone(name).is_err())
        .collect();
    assert!(unknown.is_empty(), "{unknown:?}");
}

#[test]
fn unknown_zone_name_is_an_error() {
    let err = parse_zone("Mars/Base").unwrap_err();
    assert!(err.contains("Mars/Base"), "{err}");
    assert!(parse_zone("").is_err());
    assert!(parse_zone("Europe/Budapest").is_ok());
}
