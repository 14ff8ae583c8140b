//! When an identity-provider account may take over a local user row, and when a row may follow
//! the provider to another tenant. One rule for every path that meets a provider user: a bearer
//! token seen for the first time, a webhook, `scaidns sync`.
//!
//! A local row carries roles, group memberships and API keys. Linking it hands all of that to
//! whoever holds the provider account, so it happens only when the row cannot be somebody
//! else's: same tenant, not linked to another provider account yet, and an e-mail the provider
//! has not called unverified. A row never changes tenant because the provider says so: its
//! roles and keys were granted in the old tenant and would arrive in the new one unasked.

use crate::error::Error;
use crate::ids::TenantId;
use crate::tenant::User;

/// Why a provider account was not bound to a local row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkRefusal {
    /// The row with that e-mail belongs to another tenant than the provider account.
    OtherTenant,
    /// The row is already linked to a different provider account.
    LinkedElsewhere,
    /// The provider says the e-mail is not verified.
    EmailUnverified,
    /// The provider did not say which tenant the account is in.
    TenantUnknown,
    /// The linked row is in another tenant than the provider now reports.
    TenantChanged,
}

impl LinkRefusal {
    /// Stable reason for audit entries and logs.
    pub fn reason(self) -> &'static str {
        match self {
            Self::OtherTenant => "other_tenant",
            Self::LinkedElsewhere => "linked_to_another_provider_account",
            Self::EmailUnverified => "email_unverified",
            Self::TenantUnknown => "tenant_unknown",
            Self::TenantChanged => "tenant_changed",
        }
    }

    /// The error a caller sees: 403 `user_conflict`, naming nothing of the other account.
    pub fn error(self) -> Error {
        Error::forbidden("user_conflict", "Another account already uses this e-mail")
    }
}

/// Whether the provider account `subject` of `tenant` (with the provider's `email_verified`)
/// may be bound to `local`, the row found by its e-mail or by `subject`.
///
/// A row already linked to `subject` stays bound, but only in its own tenant: a different
/// `tenant` is [`LinkRefusal::TenantChanged`] (the caller keeps the row where it is and reports
/// it). An unlinked row is linked only in the same tenant and when the provider has not said
/// the e-mail is unverified (`None` is the provider's silence: tokens and directory items often
/// leave the flag out).
pub fn check_link(
    local: &User,
    subject: &str,
    tenant: Option<TenantId>,
    email_verified: Option<bool>,
) -> Result<(), LinkRefusal> {
    match local.scaikey_user_id.as_deref() {
        Some(linked) if linked != subject => return Err(LinkRefusal::LinkedElsewhere),
        Some(_) => {
            return match tenant {
                Some(t) if t != local.tenant_id => Err(LinkRefusal::TenantChanged),
                _ => Ok(()),
            };
        }
        None => {}
    }
    match tenant {
        None => Err(LinkRefusal::TenantUnknown),
        Some(t) if t != local.tenant_id => Err(LinkRefusal::OtherTenant),
        Some(_) if email_verified == Some(false) => Err(LinkRefusal::EmailUnverified),
        Some(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::ids::UserId;
    use crate::tenant::UserStatus;

    fn user(tenant: TenantId, linked: Option<&str>) -> User {
        User {
            id: UserId::new(),
            tenant_id: tenant,
            email: "ada@example.test".into(),
            first_name: None,
            last_name: None,
            scaikey_user_id: linked.map(str::to_owned),
            status: UserStatus::Active,
            is_platform_admin: false,
            is_tenant_admin: false,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn an_unlinked_row_is_linked_only_in_its_own_tenant() {
        let (a, b) = (TenantId::new(), TenantId::new());
        let local = user(a, None);
        assert_eq!(check_link(&local, "usr_1", Some(a), None), Ok(()));
        assert_eq!(check_link(&local, "usr_1", Some(a), Some(true)), Ok(()));
        assert_eq!(
            check_link(&local, "usr_1", Some(b), Some(true)),
            Err(LinkRefusal::OtherTenant)
        );
        assert_eq!(
            check_link(&local, "usr_1", None, Some(true)),
            Err(LinkRefusal::TenantUnknown)
        );
    }

    #[test]
    fn an_unverified_email_never_takes_over_a_row() {
        let a = TenantId::new();
        assert_eq!(
            check_link(&user(a, None), "usr_1", Some(a), Some(false)),
            Err(LinkRefusal::EmailUnverified)
        );
    }

    #[test]
    fn a_row_linked_to_another_account_is_refused() {
        let a = TenantId::new();
        assert_eq!(
            check_link(&user(a, Some("usr_2")), "usr_1", Some(a), Some(true)),
            Err(LinkRefusal::LinkedElsewhere)
        );
    }

    #[test]
    fn a_linked_row_never_follows_the_provider_to_another_tenant() {
        let (a, b) = (TenantId::new(), TenantId::new());
        let local = user(a, Some("usr_1"));
        assert_eq!(check_link(&local, "usr_1", Some(a), None), Ok(()));
        assert_eq!(check_link(&local, "usr_1", None, None), Ok(()));
        assert_eq!(
            check_link(&local, "usr_1", Some(b), None),
            Err(LinkRefusal::TenantChanged)
        );
    }

    #[test]
    fn refusals_name_nothing_of_the_other_account() {
        let e = LinkRefusal::OtherTenant.error();
        assert_eq!(e.code(), "user_conflict");
        assert!(e.conflicts().is_empty());
    }
}
