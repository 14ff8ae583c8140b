//! API-key scopes (interface decision 18): the one rule that answers every scope question.
//! A key's scopes are permission strings with the same wildcards as roles (`<resource>:*`,
//! `*`, `records:write`); they narrow what the key's user or group holds, never widen it. An
//! empty list narrows nothing; strings that are not permissions (stored by a newer version)
//! allow nothing.

use super::permission::{PermSet, Permission};

/// The permissions a key's scopes let through: `None` when the key has no scopes.
pub fn scope_set<S: AsRef<str>>(scopes: &[S]) -> Option<PermSet> {
    (!scopes.is_empty()).then(|| PermSet::parse_lenient(scopes))
}

/// Whether a key with `scopes` may use `perm` (before any role is looked at).
pub fn scopes_permit<S: AsRef<str>>(scopes: &[S], perm: Permission) -> bool {
    scope_set(scopes).is_none_or(|set| set.contains(perm))
}

/// The first of `wanted` (index and text) that `granted` does not cover: what a key with
/// scopes `granted` may not put on a key it creates.
pub fn first_uncovered<'w, S: AsRef<str>>(
    granted: &[S],
    wanted: &'w [String],
) -> Option<(usize, &'w str)> {
    let granted = scope_set(granted)?;
    wanted
        .iter()
        .enumerate()
        .find(|(_, w)| !granted.covers(PermSet::parse_lenient(&[w.as_str()])))
        .map(|(i, w)| (i, w.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(name: &str) -> Permission {
        Permission::parse(name).unwrap()
    }

    #[test]
    fn one_rule_for_every_scope_question() {
        assert!(scopes_permit(&["records:write"], p("records:delete")));
        assert!(!scopes_permit(&["records:write"], p("records:read")));
        assert!(scopes_permit(&["domains:*"], p("domains:read")));
        assert!(!scopes_permit(&["domains:read"], p("domains:update")));
        assert!(scopes_permit(&["*"], p("platform:admin")));
        assert!(scopes_permit::<&str>(&[], p("platform:admin")));
        // Unknown strings allow nothing, even next to nothing else.
        assert!(!scopes_permit(&["domains:fly"], p("domains:read")));

        let granted = ["api_keys:*", "domains:read"];
        let wanted = |w: &[&str]| w.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            first_uncovered(&granted, &wanted(&["api_keys:read", "domains:read"])),
            None
        );
        assert_eq!(
            first_uncovered(&granted, &wanted(&["domains:read", "domains:*"])),
            Some((1, "domains:*"))
        );
        assert_eq!(
            first_uncovered(&["records:*"], &wanted(&["records:write"])),
            None
        );
        assert_eq!(first_uncovered::<&str>(&[], &wanted(&["*"])), None);
    }
}
