//! Zones ("domains" in the API): the model, its status machine and the zone-level rules.
//!
//! A zone is an RFC 1034 §4.2 zone: an apex with its SOA (RFC 1035 §3.3.13) and NS records,
//! and everything below it not delegated away. [`rules`] holds what may coexist at a name
//! (CNAME alone, RFC 1034 §3.6.2 and RFC 2181 §10.1; DNAME, RFC 6672; DS at delegations,
//! RFC 4035 §2.4). Reverse zones are named under `in-addr.arpa.` (RFC 1035 §3.5) and
//! `ip6.arpa.` (RFC 3596 §2.5).

pub mod change_set;
pub mod claims;
pub mod classless;
pub mod comments;
pub mod history;
pub mod precondition;
mod rrset;
pub mod rules;
pub mod secondary;
pub mod soa;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{TenantId, ZoneId};
use crate::name::ZoneName;
use crate::record::ttl::Ttl;
use crate::string_enum::string_enum;
pub use rrset::{RrData, RrSet, RrSetChange};

string_enum!(
    /// What kind of zone this is.
    DomainType {
        /// Forward zone edited through the API.
        Primary => "primary",
        /// Copy transferred from another server.
        Secondary => "secondary",
        /// `*.in-addr.arpa`.
        ReverseIpv4 => "reverse_ipv4",
        /// `*.ip6.arpa`.
        ReverseIpv6 => "reverse_ipv6",
    }
);

string_enum!(
    /// Lifecycle of a zone (spec §2.1).
    ZoneStatus {
        /// Created; waiting for ownership validation; not served.
        PendingValidation => "pending_validation",
        /// Served by the DNS backend.
        Active => "active",
        /// Kept but not served.
        Inactive => "inactive",
        /// Soft-deleted; restorable until purged.
        Deleted => "deleted",
    }
);

string_enum!(
    /// Whether the backend holds what the store says (interface decision 4).
    SyncStatus {
        /// The backend matches the store.
        InSync => "in_sync",
        /// A change is waiting to be published.
        Pending => "pending",
        /// Publishing failed permanently; see `sync_error`.
        Error => "error",
    }
);

/// Publication state of a zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncState {
    /// Current state.
    pub status: SyncStatus,
    /// Last error, when not in sync.
    pub error: Option<String>,
    /// When the backend first matched the store's generation (re-publishing it unchanged
    /// leaves it, see `ScaiDns::sync_outcome`); while pending, when it matched before.
    pub last_synced_at: Option<DateTime<Utc>>,
}

impl SyncState {
    /// In sync as of `at`.
    pub fn synced(at: DateTime<Utc>) -> Self {
        Self {
            status: SyncStatus::InSync,
            error: None,
            last_synced_at: Some(at),
        }
    }
}

/// A managed zone. The store holds its intended state; the backend publishes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Zone {
    /// Id.
    pub id: ZoneId,
    /// Owning tenant.
    pub tenant_id: TenantId,
    /// Apex name.
    pub name: ZoneName,
    /// Zone type.
    pub domain_type: DomainType,
    /// Lifecycle status.
    pub status: ZoneStatus,
    /// Status held before a soft delete, restored by `restore`.
    pub status_before_delete: Option<ZoneStatus>,
    /// TTL for records created without one.
    pub default_ttl: Ttl,
    /// Free text.
    pub description: Option<String>,
    /// Free-form settings object (kept and echoed, not interpreted).
    pub settings: serde_json::Value,
    /// Whether DNSSEC signing is on.
    pub dnssec_enabled: bool,
    /// Optimistic-concurrency counter, bumped by every write to the zone or its records.
    pub generation: i64,
    /// Publication state.
    pub sync: SyncState,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Soft-delete time.
    pub deleted_at: Option<DateTime<Utc>>,
    /// Where a secondary zone transfers from (`None` for every other type).
    #[serde(default)]
    pub secondary: Option<secondary::SecondarySource>,
}

impl Zone {
    /// Whether the backend should serve this zone.
    pub fn is_published(&self) -> bool {
        self.status == ZoneStatus::Active
    }

    /// Whether the zone's records come from a primary elsewhere (read-only here).
    pub fn is_secondary(&self) -> bool {
        self.domain_type == DomainType::Secondary
    }
}
