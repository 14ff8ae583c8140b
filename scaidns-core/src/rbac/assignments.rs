//! Who holds what, as the store keeps it: roles, their assignments to users and groups at a
//! scope ([`RoleScope`]), and access grants on a zone's records.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::pattern::RecordPattern;
use super::permission::PermSet;
use super::target::Target;
use crate::ids::{GrantId, GroupId, RoleAssignmentId, RoleId, TenantId, UserId, ZoneId};
use crate::record::RecordType;

/// A role: a named permission set. System roles are shared by every tenant and immutable;
/// custom roles belong to the tenant that made them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Role {
    /// Id.
    pub id: RoleId,
    /// Owning tenant; `None` for system roles.
    pub tenant_id: Option<TenantId>,
    /// Name, unique among the system roles and the tenant's custom roles.
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// Built in.
    pub is_system: bool,
    /// Permission strings as given (wildcards allowed).
    pub permissions: Vec<String>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl Role {
    /// The expanded permission set.
    pub fn perm_set(&self) -> PermSet {
        PermSet::parse_lenient(&self.permissions)
    }

    /// Whether the role may be held at a scope of `scope_tenant` (`None`: platform scope). A
    /// custom role is its tenant's to change, so it is held only inside that tenant: held at
    /// platform scope or in another tenant, its tenant's admins could widen powers there.
    pub fn may_be_held_in(&self, scope_tenant: Option<TenantId>) -> bool {
        self.tenant_id.is_none_or(|own| scope_tenant == Some(own))
    }
}

/// Who holds an assignment or a grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", content = "id", rename_all = "snake_case")]
pub enum Subject {
    /// A user.
    User(UserId),
    /// A group (every current member).
    Group(GroupId),
}

impl Subject {
    /// `user` or `group`.
    pub fn kind(&self) -> &'static str {
        match self {
            Subject::User(_) => "user",
            Subject::Group(_) => "group",
        }
    }

    /// The id as text.
    pub fn id_string(&self) -> String {
        match self {
            Subject::User(id) => id.to_string(),
            Subject::Group(id) => id.to_string(),
        }
    }
}

/// Where an assignment applies (spec §6.1; `record` scope exists only through grants).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "scope", content = "scope_id", rename_all = "snake_case")]
pub enum RoleScope {
    /// Every tenant.
    Platform,
    /// One tenant.
    Tenant(TenantId),
    /// One zone.
    Domain(ZoneId),
}

impl RoleScope {
    /// `platform`, `tenant` or `domain`.
    pub fn kind(&self) -> &'static str {
        match self {
            RoleScope::Platform => "platform",
            RoleScope::Tenant(_) => "tenant",
            RoleScope::Domain(_) => "domain",
        }
    }

    /// The scope id as text (`None` for platform).
    pub fn id_string(&self) -> Option<String> {
        match self {
            RoleScope::Platform => None,
            RoleScope::Tenant(id) => Some(id.to_string()),
            RoleScope::Domain(id) => Some(id.to_string()),
        }
    }

    /// What an assignment at this scope covers; `tenant` is the zone's tenant of a domain
    /// scope (ignored otherwise).
    pub fn target(self, tenant: TenantId) -> Target<'static> {
        match self {
            RoleScope::Platform => Target::Platform,
            RoleScope::Tenant(t) => Target::Tenant(t),
            RoleScope::Domain(zone) => Target::Domain { zone, tenant },
        }
    }
}

/// A role held by a user or group at a scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleAssignment {
    /// Id.
    pub id: RoleAssignmentId,
    /// The role.
    pub role_id: RoleId,
    /// Its name (denormalised for listing; read from the role).
    pub role_name: String,
    /// Holder.
    pub subject: Subject,
    /// Where it applies.
    pub scope: RoleScope,
    /// Tenant the assignment belongs to (for listing and audit): the scope's tenant, or the
    /// holder's for platform scope.
    pub tenant_id: TenantId,
    /// Who made it.
    pub created_by: Option<UserId>,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// A role on one zone for a user or group, optionally narrowed to some records (spec §7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessGrant {
    /// Id.
    pub id: GrantId,
    /// The zone.
    pub zone_id: ZoneId,
    /// The zone's tenant.
    pub tenant_id: TenantId,
    /// Grantee.
    pub subject: Subject,
    /// The role granted.
    pub role_id: RoleId,
    /// Its name (read from the role).
    pub role_name: String,
    /// Glob over relative record names; `None` = every record.
    pub record_pattern: Option<String>,
    /// Record types; empty = every type.
    pub record_types: Vec<RecordType>,
    /// Stops applying at this instant.
    pub expires_at: Option<DateTime<Utc>>,
    /// Free text.
    pub notes: Option<String>,
    /// Who made it.
    pub created_by: Option<UserId>,
    /// When.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl AccessGrant {
    /// Whether the grant has stopped applying at `now` (it applies up to, not including, its
    /// expiry instant).
    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        self.expires_at.is_some_and(|at| at <= now)
    }

    /// The parsed pattern (`None` for no pattern, or one that no longer parses, which then
    /// matches nothing rather than everything).
    pub fn pattern(&self) -> Option<Option<RecordPattern>> {
        self.record_pattern
            .as_deref()
            .map(|p| RecordPattern::parse(p).ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role(tenant: Option<TenantId>) -> Role {
        Role {
            id: RoleId::new(),
            tenant_id: tenant,
            name: "r".into(),
            description: None,
            is_system: tenant.is_none(),
            permissions: vec!["domains:read".into()],
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn a_custom_role_is_held_only_inside_its_tenant() {
        let (own, other) = (TenantId::new(), TenantId::new());
        let custom = role(Some(own));
        assert!(custom.may_be_held_in(Some(own)));
        assert!(!custom.may_be_held_in(Some(other)));
        assert!(!custom.may_be_held_in(None), "platform scope");
        let system = role(None);
        assert!(system.may_be_held_in(None) && system.may_be_held_in(Some(other)));
    }
}
