//! Contact details shared by the dialects: phone numbers, e-mail addresses.

use super::ValidationError;

/// Normalises a dialable number to its digits (VCC Live and jtel store plain digit
/// strings such as `3619997400`); spaces, dashes, dots, brackets and a leading `+` go.
pub fn normalize_phone(text: &str) -> Result<String, ValidationError> {
    let trimmed = text.trim();
    let body = trimmed.strip_prefix('+').unwrap_or(trimmed);
    let mut digits = String::with_capacity(body.len());
    for c in body.chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '-' | '.' | '(' | ')' | '/' => {}
            _ => return Err(wrong_phone(text)),
        }
    }
    if !(3..=20).contains(&digits.len()) {
        return Err(wrong_phone(text));
    }
    Ok(digits)
}

fn wrong_phone(text: &str) -> ValidationError {
    ValidationError::new("wrong_phone_format", format!("'{text}' is not a phone number"))
}

/// A pragmatic address check: one `@`, a non-empty local part, a dotted domain,
/// no white space. Deliverability is the mail server's business.
pub fn validate_email(text: &str) -> Result<(), ValidationError> {
    let bad = || ValidationError::new("wrong_email_format", format!("'{text}' is not an e-mail address"));
    let (local, domain) = text.split_once('@').ok_or_else(bad)?;
    let domain_ok = domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && !domain.contains('@');
    if local.is_empty() || !domain_ok || text.chars().any(char::is_whitespace) {
        return Err(bad());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_normalise_to_digits() {
        assert_eq!(normalize_phone("3619997400").unwrap(), "3619997400");
        assert_eq!(normalize_phone("+36 1 999-7400").unwrap(), "3619997400");
        assert_eq!(normalize_phone("(06) 1.999/7400").unwrap(), "0619997400");
    }

    #[test]
    fn phones_with_letters_or_wrong_length_are_rejected() {
        for bad in ["", "12", "36199974OO", "+", "123456789012345678901"] {
            assert_eq!(normalize_phone(bad).unwrap_err().code, "wrong_phone_format", "{bad}");
        }
    }

    #[test]
    fn email_format() {
        assert!(validate_email("peter.green@gmail.com").is_ok());
        for bad in [
            "peter.green",
            "@gmail.com",
            "peter@gmail",
            "pe ter@gmail.com",
            "a@b@c.com",
            "a@.com",
            "a@b..com",
        ] {
            assert_eq!(validate_email(bad).unwrap_err().code, "wrong_email_format", "{bad}");
        }
    }
}
