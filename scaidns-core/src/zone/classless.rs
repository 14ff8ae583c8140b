//! RFC 2317 classless delegations (issue 10): the owner of a live /24 reverse zone lends a range
//! of it (a /25–/32) to another tenant. The delegation is the one exception to the overlap rule
//! ([`crate::zone::claims`]) that only the parent's owner grants: the delegated tenant's
//! classless zone inside the range may go live under the parent's live /24, and nothing else
//! of that tenant may.

use chrono::{DateTime, Utc};
use ipnet::{IpNet, Ipv4Net};

use crate::ids::{ClasslessDelegationId, TenantId, ZoneId};

/// A range of a /24 reverse zone lent to another tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClasslessDelegation {
    /// Its id.
    pub id: ClasslessDelegationId,
    /// The /24 reverse zone the range belongs to.
    pub parent_zone_id: ZoneId,
    /// That zone's tenant (the delegating side).
    pub parent_tenant_id: TenantId,
    /// The tenant the range is lent to.
    pub tenant_id: TenantId,
    /// The range, a /25–/32 inside the parent's /24.
    pub cidr: Ipv4Net,
    /// When it was made.
    pub created_at: DateTime<Utc>,
}

impl ClasslessDelegation {
    /// Whether this delegation lets `tenant` hold a zone whose block is `block`
    /// (`crate::reverse::zone_block` of its name) under the parent zone `parent`: the zone is
    /// the tenant's, the parent is the delegating zone, and the block lies inside the range. A
    /// zone that is no block (a forward name, a name below a single address) has none and is
    /// never covered, so the tenant can make nothing outside its range.
    pub fn covers(&self, tenant: TenantId, parent: ZoneId, block: Option<IpNet>) -> bool {
        self.tenant_id == tenant && self.parent_zone_id == parent && range_covers(self.cidr, block)
    }
}

/// Whether `block` (a zone's, `None` when its name is no block) lies inside `range`.
pub fn range_covers(range: Ipv4Net, block: Option<IpNet>) -> bool {
    match block {
        Some(IpNet::V4(block)) => {
            block.prefix_len() >= range.prefix_len() && range.contains(&block.network())
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn covers_only_the_tenants_blocks_inside_the_range_under_that_parent() {
        let (tenant, other) = (TenantId::new(), TenantId::new());
        let parent = ZoneId::new();
        let d = ClasslessDelegation {
            id: ClasslessDelegationId::new(),
            parent_zone_id: parent,
            parent_tenant_id: other,
            tenant_id: tenant,
            cidr: "192.0.2.64/26".parse().unwrap(),
            created_at: Utc::now(),
        };
        let name = |s: &str| Some(s.parse::<IpNet>().unwrap());
        assert!(d.covers(tenant, parent, name("192.0.2.64/26")));
        assert!(d.covers(tenant, parent, name("192.0.2.96/27")));
        assert!(!d.covers(tenant, parent, name("192.0.2.0/25")));
        assert!(!d.covers(tenant, parent, name("192.0.2.0/25")));
        assert!(!d.covers(tenant, parent, name("192.0.2.0/24")));
        assert!(!d.covers(tenant, parent, None));
        assert!(!d.covers(other, parent, name("192.0.2.64/26")));
        assert!(!d.covers(tenant, ZoneId::new(), name("192.0.2.64/26")));
    }
}
