//! Typed identifiers for every entity, so that a zone id can never be passed where a record id
//! is expected. Ids are UUIDs rendered without prefixes (interface decision 8).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! typed_id {
    ($($(#[$meta:meta])* $name:ident => $code:literal, $what:literal;)*) => {$(
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// A new random (time-ordered) id.
            #[must_use]
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            /// Wraps an existing UUID.
            #[must_use]
            pub const fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            /// The underlying UUID.
            #[must_use]
            pub const fn as_uuid(&self) -> &Uuid {
                &self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({})"), self.0)
            }
        }

        impl FromStr for $name {
            type Err = crate::error::Error;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                // A malformed id names nothing, exactly like an unknown one.
                Uuid::parse_str(s.trim()).map(Self).map_err(|_| {
                    crate::error::Error::new(
                        crate::error::ErrorKind::NotFound,
                        $code,
                        concat!($what, " not found"),
                    )
                })
            }
        }
    )*};
}

typed_id!(
    /// A tenant: the owner of zones, keys and users.
    TenantId => "tenant_not_found", "Tenant";
    /// A user (cached from the identity provider, or local).
    UserId => "user_not_found", "User";
    /// A group of users inside a tenant.
    GroupId => "group_not_found", "Group";
    /// A DNS zone ("domain" in the API).
    ZoneId => "domain_not_found", "Domain";
    /// One resource record.
    RecordId => "record_not_found", "Record";
    /// An ownership-validation challenge.
    ValidationId => "no_validation", "Validation";
    /// An API key.
    ApiKeyId => "api_key_not_found", "API key";
    /// One audit-log entry.
    AuditEventId => "audit_log_not_found", "Audit log entry";
    /// DNSSEC key metadata kept by ScaiDNS.
    DnssecKeyId => "dnssec_key_not_found", "DNSSEC key";
    /// A role (system or custom).
    RoleId => "role_not_found", "Role";
    /// A role assignment.
    RoleAssignmentId => "assignment_not_found", "Role assignment";
    /// An access grant on a zone.
    GrantId => "access_grant_not_found", "Access grant";
    /// A background job.
    JobId => "job_not_found", "Job";
    /// A partner (the organisation above tenants, cached from the identity provider).
    PartnerId => "partner_not_found", "Partner";
    /// A record template (system or a tenant's own).
    TemplateId => "template_not_found", "Template";
    /// An RFC 2317 classless delegation of part of a /24 reverse zone to another tenant.
    ClasslessDelegationId => "delegation_not_found", "Classless delegation";
    /// An outbound webhook subscription.
    WebhookSubscriptionId => "webhook_subscription_not_found", "Webhook subscription";
    /// One event of the outbound-webhook outbox.
    WebhookEventId => "webhook_event_not_found", "Webhook event";
    /// One delivery of an event to a subscription.
    WebhookDeliveryId => "webhook_delivery_not_found", "Webhook delivery";
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_ids_are_unknown_ids() {
        let err = "not-a-uuid".parse::<ZoneId>().unwrap_err();
        assert_eq!(
            (err.kind(), err.code(), err.message()),
            (
                crate::ErrorKind::NotFound,
                "domain_not_found",
                "Domain not found"
            )
        );
        let id = ZoneId::new();
        assert_eq!(format!(" {id} ").parse::<ZoneId>().unwrap(), id);
    }
}
