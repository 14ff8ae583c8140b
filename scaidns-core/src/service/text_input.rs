//! Free text from callers as the service stores it: trimmed, bounded, and e-mail addresses in
//! one case. Shared by every service module that takes names, descriptions or notes.

use crate::error::{Error, Result};

/// Trims; refuses empty or over-long text.
pub(crate) fn required_text(field: &str, value: &str, max: usize) -> Result<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(Error::invalid(field, format!("{field} must not be empty")));
    }
    if v.chars().count() > max {
        return Err(Error::invalid(
            field,
            format!("{field} must be at most {max} characters"),
        ));
    }
    Ok(v.to_owned())
}

/// Trims; empty becomes `None`.
pub(crate) fn optional_text(
    field: &str,
    value: Option<&str>,
    max: usize,
) -> Result<Option<String>> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => required_text(field, v, max).map(Some),
    }
}

/// A deliberately plain check: the identity provider owns real address validation; this only
/// keeps obvious garbage out of a unique column.
pub(crate) fn normalize_email(email: &str) -> Result<String> {
    let e = email.trim().to_lowercase();
    let valid = e.len() <= 254
        && !e.chars().any(char::is_whitespace)
        && e.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains("..")
        });
    if valid {
        Ok(e)
    } else {
        Err(Error::invalid("email", "not a valid e-mail address"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert_eq!(
            normalize_email("  Bob@Example.COM ").unwrap(),
            "bob@example.com"
        );
        for bad in [
            "bob",
            "@x.com",
            "bob@x",
            "bob@@x.com",
            "b ob@x.com",
            "bob@x..com",
        ] {
            assert!(normalize_email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn texts() {
        assert_eq!(required_text("name", "  a ", 3).unwrap(), "a");
        assert!(required_text("name", "   ", 3).is_err());
        assert!(required_text("name", "abcd", 3).is_err());
        assert_eq!(optional_text("notes", Some("  "), 3).unwrap(), None);
        assert_eq!(optional_text("notes", None, 3).unwrap(), None);
    }
}
