//! RFC 2317 classless delegations (issue 10): the owner of a live /24 reverse zone lends a range
//! of it (a /25–/32) to another tenant. The parent gets the CNAMEs of RFC 2317 §4 (one per
//! address, into the classless zone `<first>-<length>.<parent>`), the delegation is stored, and
//! from then on the other tenant may create that classless zone (or a smaller one inside the
//! range) under the parent's live /24: the one exception to the overlap rule, which only the
//! parent's owner grants ([`crate::zone::classless`]). No NS records: both zones are served by
//! the platform's nameservers, which answer the CNAME targets themselves (docs/decisions.md).

use std::collections::hash_map::Entry;
use std::collections::{BTreeSet, HashMap};

use ipnet::{IpNet, Ipv4Net};
use serde_json::json;

use crate::error::{Error, ErrorKind, Result};
use crate::ids::{ClasslessDelegationId, RecordId, TenantId, ZoneId};
use crate::paging::PageRequest;
use crate::ports::classless_store::DelegationFilter;
use crate::ports::store::{RecordFilter, ZoneFilter};
use crate::rbac::{Permission, Target};
use crate::record::RecordType;
use crate::reverse::{self, CidrPlan, ReverseZonePlan};
use crate::service::record_bulk::{BulkOutcome, BulkRequest};
use crate::service::records::RecordCreate;
use crate::service::{OpContext, ScaiDns};
use crate::zone::classless::ClasslessDelegation;
use crate::zone::precondition::IfMatch;
use crate::zone::{Zone, ZoneStatus};

/// A delegation with what the parent's owner and the delegated tenant need to know.
#[derive(Debug, Clone)]
pub struct DelegationView {
    /// The delegation.
    pub delegation: ClasslessDelegation,
    /// The parent /24 zone.
    pub parent: Zone,
    /// The classless zone the delegated tenant creates (`64-26.2.0.192.in-addr.arpa`) with
    /// the CNAMEs the parent holds for it.
    pub plan: ReverseZonePlan,
}

impl ScaiDns {
    /// Lends `cidr` (a /25–/32 inside the /24 reverse zone `parent_id`) to `tenant`: writes the
    /// parent's RFC 2317 CNAMEs (one atomic change) and then records the delegation, audited
    /// in both tenants' logs. Needs `domains:update` on the whole parent zone (a grant limited
    /// to some records is not enough) and `records:create` for the CNAMEs.
    pub async fn classless_delegation_create(
        &self,
        ctx: &OpContext,
        parent_id: ZoneId,
        cidr: &str,
        tenant: &str,
    ) -> Result<DelegationView> {
        ctx.require(Permission::DOMAINS_UPDATE)?;
        ctx.require(Permission::RECORDS_CREATE)?;
        let parent = self
            .authorized_zone(ctx, Permission::DOMAINS_UPDATE, parent_id, false)
            .await?;
        let parent_block = delegating_block(&parent)?;
        let plan = range_plan(&parent, parent_block, cidr)?;
        let IpNet::V4(range) = plan.cidr else {
            return Err(Error::internal("a classless plan is IPv4"));
        };
        let tenant = self.delegated_tenant(&parent, tenant).await?;

        let lent = self.delegations_of(parent.id).await?;
        if lent.iter().any(|d| overlaps(d.cidr, range)) {
            return Err(Error::conflict(
                "delegation_overlap",
                format!("{range} overlaps a range of this zone already delegated"),
            )
            .with_field("cidr"));
        }
        self.refuse_range_in_use(&parent, range, tenant).await?;
        self.refuse_range_with_records(&parent, &plan).await?;

        let creates = plan
            .parent_cnames
            .iter()
            .map(|c| RecordCreate {
                name: c.name.clone(),
                rtype: "CNAME".to_owned(),
                content: c.target.clone(),
                ..RecordCreate::default()
            })
            .collect();
        let created = self
            .bulk_or_first_error(
                ctx,
                parent.id,
                BulkRequest {
                    creates,
                    ..BulkRequest::default()
                },
            )
            .await?;
        let delegation = ClasslessDelegation {
            id: ClasslessDelegationId::new(),
            parent_zone_id: parent.id,
            parent_tenant_id: parent.tenant_id,
            tenant_id: tenant,
            cidr: range,
            created_at: ctx.now,
        };
        let view = DelegationView {
            delegation,
            parent: created.0,
            plan,
        };
        let audit = both_logs(
            ctx,
            &view,
            "reverse_zone.delegate",
            None,
            Some(audit_view(&view)),
        );
        if let Err(e) = self
            .store()
            .insert_classless_delegation(&view.delegation, &audit)
            .await
        {
            // The CNAMEs alone lend nothing: take them back rather than leave them dangling.
            let undo = BulkRequest {
                deletes: created.1.iter().map(ToString::to_string).collect(),
                ..BulkRequest::default()
            };
            if let Err(undo_error) = self.bulk_or_first_error(ctx, parent.id, undo).await {
                tracing::warn!(zone = %parent.name, error = %undo_error, "classless CNAMEs left after a failed delegation");
            }
            return Err(e);
        }
        Ok(view)
    }

    /// The ranges the reverse zone `parent_id` lends, oldest first (`domains:read` on it).
    pub async fn classless_delegation_list(
        &self,
        ctx: &OpContext,
        parent_id: ZoneId,
    ) -> Result<Vec<DelegationView>> {
        ctx.require(Permission::DOMAINS_READ)?;
        let parent = self
            .authorized_zone(ctx, Permission::DOMAINS_READ, parent_id, false)
            .await?;
        delegating_block(&parent)?;
        self.delegations_of(parent.id)
            .await?
            .into_iter()
            .map(|delegation| view_of(&parent, delegation))
            .collect()
    }

    /// The ranges lent to the caller's tenant under a parent that vouches for them now (live,
    /// and still its delegating tenant's: the ranges a classless zone may be created in),
    /// oldest first. Needs `domains:read` over the whole tenant: delegations are the tenant's,
    /// not any zone's. The answer names the parent zone as the receiving tenant's audit log
    /// already does, nothing more about the other tenant.
    pub async fn classless_delegations_received(
        &self,
        ctx: &OpContext,
    ) -> Result<Vec<DelegationView>> {
        ctx.require(Permission::DOMAINS_READ)?;
        self.authorize(ctx, Permission::DOMAINS_READ, Target::Tenant(ctx.tenant_id))
            .await?;
        let lent = self
            .store()
            .list_classless_delegations(DelegationFilter {
                tenant_id: Some(ctx.tenant_id),
                ..DelegationFilter::default()
            })
            .await?;
        let mut parents: HashMap<ZoneId, Option<Zone>> = HashMap::new();
        let mut views = Vec::with_capacity(lent.len());
        for d in lent {
            if let Entry::Vacant(slot) = parents.entry(d.parent_zone_id) {
                slot.insert(self.store().get_zone(d.parent_zone_id).await?);
            }
            if let Some(parent) = parents[&d.parent_zone_id].as_ref()
                && vouches(parent, &d)
            {
                views.push(view_of(parent, d)?);
            }
        }
        Ok(views)
    }

    /// Takes a range back: the parent's CNAMEs into it (those still as the delegation wrote
    /// them) are deleted, then the delegation, audited in both tenants' logs; the delegated
    /// tenant's live zones inside the range are soft-deleted, their records kept for it and
    /// unread by the parent's owner (docs/decisions.md).
    pub async fn classless_delegation_revoke(
        &self,
        ctx: &OpContext,
        parent_id: ZoneId,
        delegation_id: ClasslessDelegationId,
    ) -> Result<()> {
        ctx.require(Permission::DOMAINS_UPDATE)?;
        ctx.require(Permission::RECORDS_DELETE)?;
        let parent = self
            .authorized_zone(ctx, Permission::DOMAINS_UPDATE, parent_id, false)
            .await?;
        delegating_block(&parent)?;
        let delegation = self
            .delegations_of(parent.id)
            .await?
            .into_iter()
            .find(|d| d.id == delegation_id)
            .ok_or_else(delegation_not_found)?;
        let view = view_of(&parent, delegation)?;
        let wanted: BTreeSet<(String, String)> = view
            .plan
            .parent_cnames
            .iter()
            .map(|c| (c.name.clone(), c.target.to_ascii_lowercase()))
            .collect();
        let ids: Vec<RecordId> = self
            .store()
            .list_records(
                parent.id,
                &RecordFilter {
                    rtype: Some(RecordType::CNAME),
                    ..RecordFilter::default()
                },
            )
            .await?
            .into_iter()
            .filter(|r| {
                wanted.contains(&(
                    r.name.fqdn().to_owned(),
                    r.content.as_str().to_ascii_lowercase(),
                ))
            })
            .map(|r| r.id)
            .collect();
        if !ids.is_empty() {
            let request = BulkRequest {
                deletes: ids.iter().map(ToString::to_string).collect(),
                ..BulkRequest::default()
            };
            self.bulk_or_first_error(ctx, parent.id, request).await?;
        }
        let audit = both_logs(
            ctx,
            &view,
            "reverse_zone.revoke_delegation",
            Some(audit_view(&view)),
            None,
        );
        self.store()
            .delete_classless_delegation(view.delegation.id, &audit)
            .await?;
        self.take_lent_zones_offline(ctx, &view).await
    }

    /// Soft-deletes the receiving tenant's live zones inside a revoked range: the range is the
    /// parent's again, so its owner may use or lend it at once, while the zones keep their
    /// records for their tenant (restore brings one back only under a new delegation: the
    /// claim check refuses it otherwise). Read after the delegation is gone, so a zone made
    /// live under it just before is found too.
    async fn take_lent_zones_offline(&self, ctx: &OpContext, view: &DelegationView) -> Result<()> {
        let d = &view.delegation;
        let zones = self
            .store()
            .list_zones(
                &ZoneFilter {
                    tenant_id: Some(d.tenant_id),
                    search: Some(view.parent.name.as_str().to_owned()),
                    ..ZoneFilter::default()
                },
                PageRequest::ALL,
            )
            .await?
            .items;
        for before in zones.into_iter().filter(|z| {
            z.is_published()
                && d.covers(z.tenant_id, d.parent_zone_id, reverse::zone_block(&z.name))
        }) {
            let mut zone = before.clone();
            zone.status_before_delete = Some(before.status);
            zone.status = ZoneStatus::Deleted;
            zone.deleted_at = Some(ctx.now);
            zone.updated_at = ctx.now;
            zone.dnssec_enabled = false;
            let mut after = crate::service::zones::zone_audit_view(&zone);
            after["deleted_because"] = json!({
                "reason": "classless_delegation_revoked",
                "delegation_id": d.id.to_string(),
            });
            let audit = vec![ctx.audit(
                zone.tenant_id,
                "domain.delete",
                "domain",
                zone.id,
                Some(zone.name.to_string()),
                Some(crate::service::zones::zone_audit_view(&before)),
                Some(after),
            )];
            let publication = crate::service::publish::Publication::Remove(zone.name.clone());
            let signed = before.dnssec_enabled;
            let zone = self
                .write_zone_row(before, zone, Vec::new(), audit, publication)
                .await?;
            if signed {
                self.forget_dnssec_keys(&zone).await;
            }
        }
        Ok(())
    }

    /// The live delegation that proves `tenant` owns the zone `name` (RFC 2317): a range lent
    /// to `tenant`, covering the zone's block, by a parent /24 that is live now (a deleted or
    /// pending parent proves nothing). Such a zone needs no TXT challenge, which could not
    /// succeed anyway: the parent names no servers for the child. The store re-checks the
    /// delegation inside the write that makes the zone live, so a revocation racing the create
    /// refuses it (`zone_overlap`) rather than letting it through.
    pub(crate) async fn proving_delegation(
        &self,
        tenant: TenantId,
        name: &crate::name::ZoneName,
    ) -> Result<Option<ClasslessDelegation>> {
        let block = reverse::zone_block(name);
        if block.is_none() {
            return Ok(None);
        }
        let lent = self
            .store()
            .list_classless_delegations(DelegationFilter {
                tenant_id: Some(tenant),
                ..DelegationFilter::default()
            })
            .await?;
        for d in lent {
            if !d.covers(tenant, d.parent_zone_id, block) {
                continue;
            }
            let parent = self.store().get_zone(d.parent_zone_id).await?;
            if parent.is_some_and(|p| {
                vouches(&p, &d) && name.as_str().ends_with(&format!(".{}", p.name.as_str()))
            }) {
                return Ok(Some(d));
            }
        }
        Ok(None)
    }

    async fn delegations_of(&self, parent: ZoneId) -> Result<Vec<ClasslessDelegation>> {
        self.store()
            .list_classless_delegations(DelegationFilter {
                parent_zone_id: Some(parent),
                ..DelegationFilter::default()
            })
            .await
    }

    /// The tenant named by the caller, when it exists, is not suspended and is not the
    /// parent's own. An unknown id and a suspended tenant get the same answer; the answer
    /// tells only whether an id the caller already holds (ids are unguessable) names a tenant
    /// that can receive a range, never anything about it.
    async fn delegated_tenant(&self, parent: &Zone, raw: &str) -> Result<TenantId> {
        let unknown = || {
            Error::new(
                ErrorKind::InvalidInput,
                "tenant_not_found",
                "no tenant that can receive a delegation has this id",
            )
            .with_field("tenant_id")
        };
        let id: TenantId = raw.parse().map_err(|_| unknown())?;
        if id == parent.tenant_id {
            return Err(Error::new(
                ErrorKind::InvalidInput,
                "delegation_to_self",
                "the range is already this tenant's: create the classless zone instead",
            )
            .with_field("tenant_id"));
        }
        match self.store().get_tenant(id).await? {
            Some(t) if !t.is_suspended() => Ok(id),
            _ => Err(unknown()),
        }
    }

    /// 409 `range_in_use` when a zone that is not deleted, of any tenant but the one receiving
    /// the range, holds a block overlapping it (the parent owner's own classless zone, or
    /// another tenant's). Another tenant's zone is not named.
    async fn refuse_range_in_use(
        &self,
        parent: &Zone,
        range: Ipv4Net,
        tenant: TenantId,
    ) -> Result<()> {
        let in_use = self
            .store()
            .list_zones(
                &ZoneFilter {
                    search: Some(parent.name.as_str().to_owned()),
                    ..ZoneFilter::default()
                },
                PageRequest::ALL,
            )
            .await?
            .items
            .into_iter()
            .filter(|z| {
                z.id != parent.id && z.tenant_id != tenant && z.status != ZoneStatus::Deleted
            })
            .any(|z| match reverse::zone_block(&z.name) {
                Some(IpNet::V4(block)) => overlaps(block, range),
                _ => false,
            });
        if in_use {
            return Err(Error::conflict(
                "range_in_use",
                format!("a zone already holds addresses of {range}: delete it first"),
            )
            .with_field("cidr"));
        }
        Ok(())
    }

    /// 409 `range_has_records` when the parent holds anything at the names the CNAMEs need
    /// (PTRs of those addresses, most likely): a CNAME cannot sit beside them, and deleting
    /// them silently would lose the owner's data. `conflicts` lists them.
    async fn refuse_range_with_records(&self, parent: &Zone, plan: &ReverseZonePlan) -> Result<()> {
        let owners: BTreeSet<&str> = plan.parent_cnames.iter().map(|c| c.name.as_str()).collect();
        let taken: Vec<String> = self
            .store()
            .list_records(parent.id, &RecordFilter::default())
            .await?
            .into_iter()
            .filter(|r| owners.contains(r.name.fqdn()))
            .map(|r| r.id.to_string())
            .collect();
        if taken.is_empty() {
            return Ok(());
        }
        Err(Error::conflict(
            "range_has_records",
            format!(
                "{} records of this zone sit at addresses of {}: delete or move them before delegating the range",
                taken.len(),
                plan.cidr
            ),
        )
        .with_field("cidr")
        .with_conflicts(taken))
    }

    /// Runs an all-or-nothing bulk change; the zone afterwards and the created ids, or the
    /// first refusal.
    async fn bulk_or_first_error(
        &self,
        ctx: &OpContext,
        zone: ZoneId,
        request: BulkRequest,
    ) -> Result<(Zone, Vec<RecordId>)> {
        match self
            .record_bulk(ctx, zone, request, &IfMatch::default())
            .await?
        {
            BulkOutcome::Applied(applied) => {
                Ok((applied.zone, applied.created.iter().map(|r| r.id).collect()))
            }
            BulkOutcome::Rejected(f) | BulkOutcome::Incomplete(f) => {
                Err(f.into_iter().next().map_or_else(
                    || Error::internal("bulk refused with no reason"),
                    |f| f.error,
                ))
            }
        }
    }
}

/// The parent's block, when it is a live IPv4 /24 reverse zone: 404 `reverse_zone_not_found`
/// for any other zone, 409 `zone_not_slash_24` for another block, 409 `zone_not_active` while
/// it is not live (a pending /24 proves nothing yet).
fn delegating_block(parent: &Zone) -> Result<Ipv4Net> {
    match reverse::zone_block(&parent.name) {
        None => Err(Error::new(
            ErrorKind::NotFound,
            "reverse_zone_not_found",
            format!(
                "{} is not a reverse zone made from an address block",
                parent.name.as_str()
            ),
        )),
        Some(IpNet::V4(block)) if block.prefix_len() == 24 => {
            if parent.status == ZoneStatus::Active {
                Ok(block)
            } else {
                Err(Error::conflict(
                    "zone_not_active",
                    "only a live /24 zone can delegate a range: validate it first",
                ))
            }
        }
        Some(block) => Err(Error::conflict(
            "zone_not_slash_24",
            format!("{block} is not an IPv4 /24: RFC 2317 delegates ranges of a /24 zone"),
        )),
    }
}

/// The classless zone of `cidr` under the /24 `parent`: 422 (`cidr`) unless a /25–/32 inside it.
fn range_plan(parent: &Zone, parent_block: Ipv4Net, cidr: &str) -> Result<ReverseZonePlan> {
    let outside = || {
        Error::new(
            ErrorKind::InvalidInput,
            "cidr_outside_zone",
            format!("give a /25 to /32 inside {parent_block}"),
        )
        .with_field("cidr")
    };
    match reverse::plan_cidr(cidr)? {
        CidrPlan::Zone(plan) if plan.parent_zone.as_ref() == Some(&parent.name) => Ok(plan),
        _ => Err(outside()),
    }
}

/// Whether `parent` still vouches for `delegation`: live, and still its delegating tenant's (a
/// deleted or pending parent proves nothing).
fn vouches(parent: &Zone, delegation: &ClasslessDelegation) -> bool {
    parent.is_published() && parent.tenant_id == delegation.parent_tenant_id
}

fn view_of(parent: &Zone, delegation: ClasslessDelegation) -> Result<DelegationView> {
    match reverse::plan_cidr(&delegation.cidr.to_string())? {
        CidrPlan::Zone(plan) => Ok(DelegationView {
            delegation,
            parent: parent.clone(),
            plan,
        }),
        CidrPlan::NotAligned(_) => Err(Error::internal("a stored range is a classless block")),
    }
}

fn overlaps(a: Ipv4Net, b: Ipv4Net) -> bool {
    a.contains(&b.network()) || b.contains(&a.network())
}

fn audit_view(view: &DelegationView) -> serde_json::Value {
    json!({
        "id": view.delegation.id.to_string(),
        "cidr": view.delegation.cidr.to_string(),
        "parent_zone_id": view.parent.id.to_string(),
        "parent_zone_name": view.parent.name.as_str(),
        "parent_tenant_id": view.delegation.parent_tenant_id.to_string(),
        "tenant_id": view.delegation.tenant_id.to_string(),
        "zone_name": view.plan.zone_name.as_str(),
    })
}

/// One entry in the parent's tenant's log and one in the delegated tenant's: each side sees
/// the range change hands.
fn both_logs(
    ctx: &OpContext,
    view: &DelegationView,
    action: &str,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> Vec<crate::audit::AuditEvent> {
    [view.delegation.parent_tenant_id, view.delegation.tenant_id]
        .into_iter()
        .map(|tenant| {
            ctx.audit(
                tenant,
                action,
                "classless_delegation",
                view.delegation.id,
                Some(format!(
                    "{} {}",
                    view.parent.name.as_str(),
                    view.delegation.cidr
                )),
                before.clone(),
                after.clone(),
            )
        })
        .collect()
}

fn delegation_not_found() -> Error {
    Error::new(
        ErrorKind::NotFound,
        "delegation_not_found",
        "Classless delegation not found",
    )
}
