//! The service's own query types: what a caller may ask of a list operation. The server and the
//! CLI build these; the service turns them into the store's filters after it has authorized the
//! caller, so narrowing by tenant or by grant (which only the service may decide) never comes
//! from outside.

use chrono::{DateTime, Utc};

use crate::audit::ActorType;
use crate::ids::TenantId;
use crate::paging::PageRequest;
use crate::ports::store::{AuditFilter, RecordFilter, ZoneFilter};
use crate::record::RecordType;
use crate::zone::{DomainType, ZoneStatus};

/// Which page of a list, 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageQuery {
    /// 1-based page.
    pub page: u32,
    /// Items per page.
    pub page_size: u32,
}

impl PageQuery {
    /// Everything in one page, as [`crate::paging::PageRequest::ALL`]: for lists a service
    /// filters itself before paging.
    pub const ALL: Self = Self {
        page: 1,
        page_size: u32::MAX,
    };
}

impl Default for PageQuery {
    fn default() -> Self {
        Self {
            page: 1,
            page_size: 50,
        }
    }
}

impl From<PageQuery> for PageRequest {
    fn from(q: PageQuery) -> Self {
        Self {
            page: q.page,
            page_size: q.page_size,
        }
    }
}

/// What a zone list may be narrowed to.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ZoneQuery {
    /// Restrict to one tenant (honoured for platform-wide readers only).
    pub tenant_id: Option<TenantId>,
    /// Exact status.
    pub status: Option<ZoneStatus>,
    /// Exact type.
    pub domain_type: Option<DomainType>,
    /// DNSSEC flag.
    pub dnssec_enabled: Option<bool>,
    /// Case-insensitive substring of the name.
    pub search: Option<String>,
    /// Include soft-deleted zones.
    pub include_deleted: bool,
}

impl From<ZoneQuery> for ZoneFilter {
    fn from(q: ZoneQuery) -> Self {
        Self {
            tenant_id: q.tenant_id,
            status: q.status,
            domain_type: q.domain_type,
            dnssec_enabled: q.dnssec_enabled,
            search: q.search,
            include_deleted: q.include_deleted,
            ..Self::default()
        }
    }
}

/// What a record list may be narrowed to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordQuery {
    /// Exact type.
    pub rtype: Option<RecordType>,
    /// Case-insensitive substring of the absolute name.
    pub name_contains: Option<String>,
    /// Case-insensitive substring of the name or the content.
    pub query: Option<String>,
    /// Include system records (SOA, apex NS).
    pub include_system: bool,
}

impl From<RecordQuery> for RecordFilter {
    fn from(q: RecordQuery) -> Self {
        Self {
            rtype: q.rtype,
            name_contains: q.name_contains,
            query: q.query,
            include_system: q.include_system,
        }
    }
}

/// What an audit-log list may be narrowed to.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditQuery {
    /// Restrict to one tenant (platform admins only).
    pub tenant_id: Option<TenantId>,
    /// Exact action.
    pub action: Option<String>,
    /// Exact resource type.
    pub resource_type: Option<String>,
    /// Exact resource id.
    pub resource_id: Option<String>,
    /// Exact actor id.
    pub actor_id: Option<String>,
    /// Actor class.
    pub actor_type: Option<ActorType>,
    /// From (inclusive).
    pub since: Option<DateTime<Utc>>,
    /// Until (exclusive).
    pub until: Option<DateTime<Utc>>,
}

impl From<AuditQuery> for AuditFilter {
    fn from(q: AuditQuery) -> Self {
        Self {
            tenant_id: q.tenant_id,
            action: q.action,
            resource_type: q.resource_type,
            resource_id: q.resource_id,
            actor_id: q.actor_id,
            actor_type: q.actor_type,
            since: q.since,
            until: q.until,
        }
    }
}
