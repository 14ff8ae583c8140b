//! Tenants and users as ScaiDNS caches them (mastered by the identity provider, or local when
//! none is configured).

mod directory;

pub use directory::{Group, GroupType, Partner, PartnerStatus};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{PartnerId, TenantId, UserId};
use crate::string_enum::string_enum;

string_enum!(
    /// Tenant state.
    TenantStatus {
        /// Normal.
        Active => "active",
        /// Deleted upstream or suspended by an operator: no access.
        Suspended => "suspended",
    }
);

string_enum!(
    /// User state.
    UserStatus {
        /// Normal.
        Active => "active",
        /// Disabled or removed upstream: no access.
        Inactive => "inactive",
    }
);

/// A tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tenant {
    /// Id.
    pub id: TenantId,
    /// Display name.
    pub name: String,
    /// URL-safe unique slug.
    pub slug: String,
    /// Id at the identity provider (`tnt_…`).
    pub scaikey_tenant_id: Option<String>,
    /// State as the identity provider (or tenant creation) says.
    pub status: TenantStatus,
    /// Whether this is the platform operator's own tenant (created by `bootstrap`).
    pub is_platform: bool,
    /// Suspended by a platform admin through the API. Kept apart from `status`, which identity
    /// sync mirrors from the provider, so that a later sync cannot lift the suspension.
    pub suspended_locally: bool,
    /// Its partner.
    pub partner_id: Option<PartnerId>,
    /// Free-form settings (a JSON object; `{}` when none).
    pub settings: serde_json::Value,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl Tenant {
    /// Whether its principals are refused: suspended by the provider or by a platform admin.
    pub fn is_suspended(&self) -> bool {
        self.status == TenantStatus::Suspended || self.suspended_locally
    }

    /// The status callers see: `suspended` when either side suspended it.
    pub fn effective_status(&self) -> TenantStatus {
        if self.is_suspended() {
            TenantStatus::Suspended
        } else {
            TenantStatus::Active
        }
    }
}

/// A user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// Id.
    pub id: UserId,
    /// Primary tenant.
    pub tenant_id: TenantId,
    /// E-mail (lowercase), unique.
    pub email: String,
    /// Given name.
    pub first_name: Option<String>,
    /// Family name.
    pub last_name: Option<String>,
    /// Id at the identity provider (`usr_…`).
    pub scaikey_user_id: Option<String>,
    /// State.
    pub status: UserStatus,
    /// Holds `platform_admin`.
    pub is_platform_admin: bool,
    /// Holds `tenant_admin` in its tenant.
    pub is_tenant_admin: bool,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}
