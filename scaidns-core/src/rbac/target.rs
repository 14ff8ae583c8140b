//! What an authorization decision is about ([`Target`]) and what it answers ([`Decision`],
//! [`Denial`]): the vocabulary shared by the resolved [`super::principal::Principal`] and
//! [`super::decision::authorize`].

use crate::ids::{TenantId, ZoneId};
use crate::record::RecordType;

/// What an operation acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target<'a> {
    /// The whole platform (tenants, nameservers).
    Platform,
    /// One tenant (zone creation, users, roles, audit).
    Tenant(TenantId),
    /// One zone, as a whole.
    Domain {
        /// The zone.
        zone: ZoneId,
        /// Its tenant.
        tenant: TenantId,
    },
    /// One record (or RRset) of a zone.
    Record {
        /// The zone.
        zone: ZoneId,
        /// Its tenant.
        tenant: TenantId,
        /// Name relative to the zone, `@` for the apex.
        name: &'a str,
        /// Type.
        rtype: RecordType,
    },
    /// A name of a zone and every name beneath it (a delegation: `NS` below the apex, `DNAME`).
    Subtree {
        /// The zone.
        zone: ZoneId,
        /// Its tenant.
        tenant: TenantId,
        /// Name relative to the zone, `@` for the apex.
        name: &'a str,
    },
}

/// Why a request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denial {
    /// No role or grant gives the permission here.
    NotGranted,
    /// Roles allow it, but the API key's scopes do not include it.
    OutsideKeyScopes,
    /// The API key's principal holds it, but the user who created the key no longer does
    /// ([`crate::rbac::Principal::bounded_by`]).
    BeyondKeyCreator,
}

/// The outcome of [`crate::rbac::authorize`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Go ahead.
    Allowed,
    /// Refuse.
    Denied(Denial),
}

impl Decision {
    /// Whether allowed.
    pub fn is_allowed(self) -> bool {
        self == Decision::Allowed
    }
}
