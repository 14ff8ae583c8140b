//! Typed identifiers for every entity, so that a zone id can never be passed where a record id
//! is expected. Ids are UUIDs rendered without prefixes (interface decision 8).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! typed_id {
    ($($(#[$meta:meta])* $name:ident),* $(,)?) => {$(
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
                Uuid::parse_str(s.trim()).map(Self).map_err(|_| {
                    crate::error::Error::not_found(concat!(stringify!($name), " is not a valid id"))
                })
            }
        }
    )*};
}

typed_id!(
    /// A tenant: the owner of zones, keys and users.
    TenantId,
    /// A user (cached from the identity provider, or local).
    UserId,
    /// A group of users inside a tenant.
    GroupId,
    /// A DNS zone ("domain" in the API).
    ZoneId,
    /// One resource record.
    RecordId,
    /// An ownership-validation challenge.
    ValidationId,
    /// An API key.
    ApiKeyId,
    /// One audit-log entry.
    AuditEventId,
    /// DNSSEC key metadata kept by ScaiDNS.
    DnssecKeyId,
    /// A role (system or custom).
    RoleId,
    /// A role assignment.
    RoleAssignmentId,
    /// An access grant on a zone.
    GrantId,
    /// A background job.
    JobId,
    /// A partner (the organisation above tenants, cached from the identity provider).
    PartnerId,
);
