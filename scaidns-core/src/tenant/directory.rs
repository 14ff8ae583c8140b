//! Partners and groups as ScaiDNS caches them from the identity provider (or keeps locally when
//! none is configured). Users and tenants live in the parent module.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{GroupId, PartnerId, TenantId};
use crate::string_enum::string_enum;

string_enum!(
    /// Kind of group, as ScaiKey names them.
    GroupType {
        /// Grants access (the default).
        Security => "SECURITY",
        /// Mailing only; still usable for role assignments.
        DistributionList => "DISTRIBUTION_LIST",
    }
);

string_enum!(
    /// Partner state.
    PartnerStatus {
        /// Normal.
        Active => "active",
        /// Suspended upstream.
        Suspended => "suspended",
        /// Deleted upstream: kept, soft-deleted.
        Deleted => "deleted",
    }
);

/// A group of users inside a tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    /// Id.
    pub id: GroupId,
    /// Owning tenant.
    pub tenant_id: TenantId,
    /// Name, unique inside the tenant.
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// Kind.
    pub group_type: GroupType,
    /// Id at the identity provider (`grp_…`); none for local groups.
    pub scaikey_group_id: Option<String>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

/// A partner: the organisation above tenants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Partner {
    /// Id.
    pub id: PartnerId,
    /// Display name.
    pub name: String,
    /// Slug at the identity provider, if any.
    pub slug: Option<String>,
    /// Id at the identity provider (`prt_…`).
    pub scaikey_partner_id: String,
    /// State.
    pub status: PartnerStatus,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}
