//! First/last name rule ("only alphabetic characters" in the vendor table).

/// Whether a first or last name is acceptable: letters of any script
/// (`char::is_alphabetic`), combining accents (U+0300..U+036F, for
/// decomposed "é"), spaces, hyphens, apostrophes (' and ’) and dots, with
/// at least one letter. So "Jean-Luc", "O'Brien", "J. R.", "Zoë", "Ólafur",
/// "李" pass and "J0hn", "@", "-" fail. Empty text is not a name: it
/// clears the detail and is never checked here.
pub fn is_valid_person_name(name: &str) -> bool {
    let allowed = |c: char| {
        c.is_alphabetic() || ('\u{0300}'..='\u{036F}').contains(&c) || matches!(c, ' ' | '-' | '\'' | '\u{2019}' | '.')
    };
    name.chars().all(allowed) && name.chars().any(char::is_alphabetic)
}
