//! Tenants (call centres) and their API users.

use super::ValidationError;

/// Path segments the router owns; a tenant of that name could not be addressed by prefix.
const RESERVED: &[&str] = &["v2", "dialler", "contacts", "healthz", "dialbase", "countries", "rules"];

/// Tenant names are the `[customer]` of the vendors' URLs: a DNS label.
pub fn validate_tenant_name(name: &str) -> Result<(), ValidationError> {
    let label_ok = !name.is_empty()
        && name.len() <= 63
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.starts_with('-')
        && !name.ends_with('-');
    if !label_ok {
        return Err(ValidationError::new(
            "wrong_tenant_name",
            "a tenant name is a DNS label: 1-63 lower-case letters, digits and inner dashes",
        ));
    }
    if RESERVED.contains(&name) {
        return Err(ValidationError::new(
            "wrong_tenant_name",
            format!("'{name}' is reserved"),
        ));
    }
    Ok(())
}

/// User names are sent in HTTP Basic credentials, so they cannot hold a colon.
pub fn validate_user_name(name: &str) -> Result<(), ValidationError> {
    if name.is_empty() || name.len() > 128 || name.contains(':') || name.chars().any(char::is_control) {
        return Err(ValidationError::new(
            "wrong_user_name",
            "a user name is 1-128 printable characters without ':'",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_names_are_dns_labels() {
        assert!(validate_tenant_name("mycc").is_ok());
        assert!(validate_tenant_name("call-centre-2").is_ok());
        for bad in ["", "MyCC", "-cc", "cc-", "my_cc", "v2", "dialler", &"a".repeat(64)] {
            assert!(validate_tenant_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn user_names_fit_basic_auth() {
        assert!(validate_user_name("api").is_ok());
        assert!(validate_user_name("a:b").is_err());
        assert!(validate_user_name("").is_err());
    }
}
