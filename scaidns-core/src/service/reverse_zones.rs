//! Reverse zones and PTRs by address (spec §8, issue 10 item 1). A reverse zone is an ordinary
//! zone made from a CIDR block ([`crate::reverse`]): it is created, claimed and validated as a
//! forward zone is. PTRs are ordinary `PTR` records named from the address: every write goes
//! through the bulk change-set path ([`ScaiDns::record_bulk`]), so each PTR is authorised as the
//! single record it is (grants, key narrowing), and a batch is atomic.

use std::net::IpAddr;

use crate::error::{Error, ErrorKind, Result};
use crate::ids::{RecordId, TenantId, ZoneId};
use crate::paging::{Page, PageRequest};
use crate::ports::classless_store::DelegationFilter;
use crate::ports::store::{RecordFilter, ZoneFilter};
use crate::rbac::Permission;
use crate::record::{Record, RecordName, RecordType};
use crate::reverse::{self, CidrPlan, ReverseZonePlan};
use crate::service::queries::{PageQuery, RecordQuery, ZoneQuery};
use crate::service::record_bulk::{BulkList, BulkOutcome, BulkRequest};
use crate::service::records::RecordCreate;
use crate::service::zones::{CreatedZone, ZoneCreate};
use crate::service::{OpContext, ScaiDns};
use crate::zone::precondition::IfMatch;
use crate::zone::{DomainType, Zone, ZoneStatus};

/// Input of `reverse_zone_create`.
#[derive(Debug, Clone, Default)]
pub struct ReverseZoneCreate {
    /// The block (`192.0.2.0/24`).
    pub cidr: String,
    /// Default TTL for records.
    pub default_ttl: Option<i64>,
    /// Free text.
    pub description: Option<String>,
    /// As on a forward zone: `Some(false)` forces validation for callers who may skip it.
    pub skip_validation: Option<bool>,
}

/// What `reverse_zone_create` made.
#[derive(Debug, Clone)]
pub struct CreatedReverseZone {
    /// The zone (and its challenge), as `zone_create` answers.
    pub created: CreatedZone,
    /// The plan it came from.
    pub plan: ReverseZonePlan,
    /// For an RFC 2317 zone: the parent /24 of the caller's tenant that now holds the CNAMEs.
    pub parent_cnames_written_to: Option<Zone>,
    /// Why the parent /24 of the caller's tenant refused the CNAMEs (a name already taken).
    pub parent_cnames_refused: Option<Error>,
}

/// One PTR to write.
#[derive(Debug, Clone, Default)]
pub struct PtrCreate {
    /// The address, any textual form.
    pub ip: String,
    /// The host name it points to.
    pub hostname: String,
    /// TTL; the RRset's or the zone's default when absent.
    pub ttl: Option<i64>,
}

/// A PTR with its address.
#[derive(Debug, Clone)]
pub struct Ptr {
    /// The address.
    pub ip: IpAddr,
    /// The record.
    pub record: Record,
}

/// What `ptr_lookup` found.
#[derive(Debug, Clone)]
pub struct PtrFound {
    /// The PTR.
    pub ptr: Ptr,
    /// Its zone.
    pub zone: Zone,
}

/// Which reverse zones holding an address count.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Holding {
    /// Every zone the caller's zone list shows, soft-deleted ones left out (lookup).
    Visible,
    /// Only the live (not pending, not deleted) zones of this tenant: auto-PTR writes the
    /// forward zone's tenant's own reverse tree, never a zone another tenant holds.
    LiveOf(TenantId),
}

impl ScaiDns {
    /// Creates the zone a CIDR block stands for, through `zone_create` (same claim rules,
    /// validation and audit). An RFC 2317 zone's CNAMEs are written into its parent /24 when
    /// that zone is in the caller's tenant and the caller may write it; otherwise the plan's
    /// `parent_cnames` are for the parent's owner to publish.
    pub async fn reverse_zone_create(
        &self,
        ctx: &OpContext,
        input: ReverseZoneCreate,
    ) -> Result<CreatedReverseZone> {
        let plan = match reverse::plan_cidr(&input.cidr)? {
            CidrPlan::Zone(plan) => plan,
            CidrPlan::NotAligned(zones) => return Err(not_aligned(&input.cidr, &zones)),
        };
        self.refuse_overlap(ctx, &plan).await?;
        let created = self
            .zone_create(
                ctx,
                ZoneCreate {
                    name: plan.zone_name.fqdn().to_owned(),
                    domain_type: Some(plan.domain_type),
                    default_ttl: input.default_ttl,
                    description: input.description,
                    settings: None,
                    skip_validation: input.skip_validation,
                    secondary: Default::default(),
                    template_id: None,
                    template_variables: None,
                },
            )
            .await?;
        let mut parent_cnames_written_to = None;
        let mut parent_cnames_refused = None;
        if let Some(parent) = self.own_parent_zone(ctx, &plan).await? {
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
            let request = BulkRequest {
                creates,
                ..BulkRequest::default()
            };
            // A parent that already holds something at those names keeps it: the zone stands,
            // and the answer says why the CNAMEs were not written. Any other failure (store,
            // backend) is answered as the error it is.
            match self
                .record_bulk(ctx, parent.id, request, &IfMatch::default())
                .await?
            {
                BulkOutcome::Applied(applied) => parent_cnames_written_to = Some(applied.zone),
                BulkOutcome::Rejected(failures) | BulkOutcome::Incomplete(failures) => {
                    parent_cnames_refused = failures.into_iter().next().map(|f| f.error);
                }
            }
        }
        Ok(CreatedReverseZone {
            created,
            plan,
            parent_cnames_written_to,
            parent_cnames_refused,
        })
    }

    /// 409 `zone_overlap` when the plan's block overlaps the block of another tenant's zone
    /// that is not deleted. Octet-aligned blocks nest by name (the claim rules of
    /// `zone_create` cover them), but RFC 2317 siblings (`0-25`, `0-26`, `64-26` under one /24)
    /// do not: without this, another tenant could take addresses inside a block already held.
    async fn refuse_overlap(&self, ctx: &OpContext, plan: &ReverseZonePlan) -> Result<()> {
        let Some(block) = reverse::zone_block(&plan.zone_name) else {
            return Ok(());
        };
        let top = reverse::top_zone_label(block.network());
        let held = self
            .store()
            .list_zones(
                &ZoneFilter {
                    search: Some(top),
                    ..ZoneFilter::default()
                },
                PageRequest::ALL,
            )
            .await?
            .items
            .into_iter()
            .filter(|z| z.tenant_id != ctx.tenant_id && z.status != ZoneStatus::Deleted)
            .filter(|z| {
                reverse::zone_block(&z.name).is_some_and(|other| {
                    other.contains(&block.network()) || block.contains(&other.network())
                })
            })
            .collect::<Vec<Zone>>();
        // The parent /24 that lent this range to the caller's tenant stands aside
        // (`zone::classless`); every other overlapping zone still refuses.
        let lent = if held.is_empty() {
            Vec::new()
        } else {
            self.store()
                .list_classless_delegations(DelegationFilter {
                    tenant_id: Some(ctx.tenant_id),
                    ..DelegationFilter::default()
                })
                .await?
        };
        let held = held.iter().any(|z| {
            !lent
                .iter()
                .any(|d| d.covers(ctx.tenant_id, z.id, Some(block)))
        });
        if held {
            return Err(Error::conflict(
                "zone_overlap",
                format!("{} overlaps a reverse zone of another tenant", plan.cidr),
            )
            .with_field("cidr"));
        }
        Ok(())
    }

    /// The parent /24 of an RFC 2317 plan when it is a zone of the caller's tenant that is
    /// not deleted and that the caller may add records to.
    async fn own_parent_zone(
        &self,
        ctx: &OpContext,
        plan: &ReverseZonePlan,
    ) -> Result<Option<Zone>> {
        let Some(parent) = &plan.parent_zone else {
            return Ok(None);
        };
        let found = self
            .store()
            .list_zones(
                &ZoneFilter {
                    tenant_id: Some(ctx.tenant_id),
                    search: Some(parent.as_str().to_owned()),
                    ..ZoneFilter::default()
                },
                PageRequest::ALL,
            )
            .await?
            .items
            .into_iter()
            .find(|z| z.name == *parent);
        let Some(zone) = found else {
            return Ok(None);
        };
        Ok(self
            .writable_zone(ctx, Permission::RECORDS_CREATE, zone.id)
            .await
            .ok())
    }

    /// The reverse zones visible to the caller, by name; `search` is a substring of the name
    /// or of the block (`192.0.2`).
    pub async fn reverse_zone_list(
        &self,
        ctx: &OpContext,
        search: Option<&str>,
        page: PageQuery,
    ) -> Result<Page<Zone>> {
        let mut zones = Vec::new();
        for domain_type in [DomainType::ReverseIpv4, DomainType::ReverseIpv6] {
            let query = ZoneQuery {
                domain_type: Some(domain_type),
                ..ZoneQuery::default()
            };
            zones.extend(self.zone_list(ctx, query, PageQuery::ALL).await?.items);
        }
        if let Some(text) = search.map(str::to_ascii_lowercase) {
            zones.retain(|z| {
                z.name.as_str().contains(&text)
                    || reverse::zone_block(&z.name).is_some_and(|b| b.to_string().contains(&text))
            });
        }
        zones.sort_by(|a, b| a.name.as_str().cmp(b.name.as_str()));
        let request = PageRequest::from(page);
        Ok(Page {
            total: zones.len() as u64,
            items: request.slice(&zones).to_vec(),
        })
    }

    /// The PTRs of a reverse zone the caller may read, by address; `search` is a substring of
    /// the address or the host name.
    pub async fn ptr_list(
        &self,
        ctx: &OpContext,
        zone_id: ZoneId,
        search: Option<&str>,
        page: PageQuery,
    ) -> Result<(Zone, Page<Ptr>)> {
        // Sorted by address, which no stored column orders by: the list reads the zone's PTRs.
        let (zone, ptrs) = self.readable_ptrs(ctx, zone_id, None).await?;
        let text = search.map(str::to_ascii_lowercase);
        let mut ptrs: Vec<Ptr> = ptrs
            .into_iter()
            .filter(|p| {
                text.as_deref().is_none_or(|t| {
                    p.ip.to_string().contains(t) || p.record.content.as_str().contains(t)
                })
            })
            .collect();
        ptrs.sort_by(|a, b| a.ip.cmp(&b.ip).then(a.record.id.cmp(&b.record.id)));
        let request = PageRequest::from(page);
        let page = Page {
            total: ptrs.len() as u64,
            items: request.slice(&ptrs).to_vec(),
        };
        Ok((zone, page))
    }

    /// The reverse zone `zone_id` and the PTRs in it the caller may read (grants applied by
    /// `record_list`), only those at `owner` when given: a lookup reads one name, not the zone.
    async fn readable_ptrs(
        &self,
        ctx: &OpContext,
        zone_id: ZoneId,
        owner: Option<&str>,
    ) -> Result<(Zone, Vec<Ptr>)> {
        let (zone, records) = self
            .record_list(
                ctx,
                zone_id,
                RecordQuery {
                    rtype: Some(RecordType::PTR),
                    name_contains: owner.map(str::to_owned),
                    ..RecordQuery::default()
                },
            )
            .await?;
        require_reverse(&zone)?;
        let ptrs = records
            .into_iter()
            .filter(|r| owner.is_none_or(|o| r.name.fqdn() == o))
            .filter_map(|record| {
                let ip = reverse::ip_of_owner(&zone.name, record.name.fqdn())?;
                Some(Ptr { ip, record })
            })
            .collect();
        Ok((zone, ptrs))
    }

    /// Writes PTRs by address in one atomic change; `list` names the request's list of items
    /// in errors (`None`: a single PTR, whose fields are named alone). An address that already has a PTR is 409
    /// `ptr_exists` unless `replace`, which swaps it in the same change.
    pub async fn ptr_create(
        &self,
        ctx: &OpContext,
        zone_id: ZoneId,
        items: Vec<PtrCreate>,
        replace: bool,
        list: Option<&str>,
    ) -> Result<(Zone, Vec<Ptr>)> {
        ctx.require(Permission::RECORDS_CREATE)?;
        if items.is_empty() {
            return Err(Error::invalid(
                list.unwrap_or("ptrs"),
                "give at least one PTR",
            ));
        }
        let max = self.config().bulk_max_items;
        if items.len() > max {
            return Err(Error::new(
                ErrorKind::TooLarge,
                "too_many_items",
                format!("at most {max} PTRs in one request (BULK_MAX_ITEMS)"),
            ));
        }
        let zone = self
            .writable_zone(ctx, Permission::RECORDS_CREATE, zone_id)
            .await?;
        require_reverse(&zone)?;
        let existing = self.stored_ptrs(&zone, None).await?;
        let mut request = BulkRequest::default();
        let mut owners: Vec<String> = Vec::with_capacity(items.len());
        for (i, item) in items.into_iter().enumerate() {
            let at = |name: &str| match list {
                Some(list) => format!("{list}[{i}].{name}"),
                None => name.to_owned(),
            };
            let ip = reverse::parse_ip(&item.ip, &at("ip"))?;
            let owner = owner_in(&zone, ip, &at("ip"))?;
            // Authorised before anything about the address is said: a caller whose grants do
            // not reach this PTR learns nothing of one already there.
            let name = RecordName::from_fqdn(&owner, &zone.name)?;
            self.authorize_record(
                ctx,
                Permission::RECORDS_CREATE,
                &zone,
                &name,
                RecordType::PTR,
            )
            .await
            .map_err(|e| e.with_field(at("ip")))?;
            if owners.contains(&owner) {
                return Err(Error::invalid(
                    at("ip"),
                    format!("{ip} is given twice in this request"),
                ));
            }
            let taken: Vec<&Record> = existing.iter().filter(|r| r.name.fqdn() == owner).collect();
            if !taken.is_empty() && !replace {
                let error = Error::conflict(
                    "ptr_exists",
                    format!("{ip} already has a PTR; send \"replace\": true to replace it"),
                )
                .with_field(at("ip"))
                .with_conflicts(taken.iter().map(|r| r.id.to_string()).collect());
                // Name only the records in the way that the caller may read.
                return Err(self
                    .readable_conflicts(ctx, &zone, &existing, error)
                    .await?);
            }
            request
                .deletes
                .extend(taken.iter().map(|r| r.id.to_string()));
            request.creates.push(RecordCreate {
                name: owner.clone(),
                rtype: "PTR".to_owned(),
                content: item.hostname,
                ttl: item.ttl,
                disabled: None,
            });
            owners.push(owner);
        }
        let applied = match self
            .record_bulk(ctx, zone.id, request, &IfMatch::default())
            .await?
        {
            BulkOutcome::Applied(applied) => applied,
            BulkOutcome::Rejected(failures) | BulkOutcome::Incomplete(failures) => {
                let first = failures
                    .into_iter()
                    .next()
                    .ok_or_else(|| Error::internal("bulk refused with no reason"))?;
                return Err(match (first.list, list) {
                    (BulkList::Create, Some(list)) => {
                        first.error.in_field(&format!("{list}[{}]", first.index))
                    }
                    _ => first.error,
                });
            }
        };
        let ptrs = applied
            .created
            .into_iter()
            .filter_map(|record| {
                let ip = reverse::ip_of_owner(&applied.zone.name, record.name.fqdn())?;
                Some(Ptr { ip, record })
            })
            .collect();
        Ok((applied.zone, ptrs))
    }

    /// Deletes the PTR (every PTR record) of an address; 404 `ptr_not_found` when none.
    pub async fn ptr_delete(&self, ctx: &OpContext, zone_id: ZoneId, ip: &str) -> Result<Zone> {
        ctx.require(Permission::RECORDS_DELETE)?;
        let zone = self
            .writable_zone(ctx, Permission::RECORDS_DELETE, zone_id)
            .await?;
        require_reverse(&zone)?;
        let ip = reverse::parse_ip(ip, "ip")?;
        let owner = owner_in(&zone, ip, "ip")?;
        let ids: Vec<RecordId> = self
            .stored_ptrs(&zone, Some(&owner))
            .await?
            .into_iter()
            .map(|r| r.id)
            .collect();
        self.ptr_records_delete(ctx, &zone, ip, &ids).await
    }

    /// Deletes these PTR records of `ip` (ids of the zone's PTRs) in one change through the
    /// bulk path; 404 `ptr_not_found` when there are none.
    pub(crate) async fn ptr_records_delete(
        &self,
        ctx: &OpContext,
        zone: &Zone,
        ip: IpAddr,
        ids: &[RecordId],
    ) -> Result<Zone> {
        if ids.is_empty() {
            return Err(ptr_not_found(ip));
        }
        let request = BulkRequest {
            deletes: ids.iter().map(ToString::to_string).collect(),
            ..BulkRequest::default()
        };
        match self
            .record_bulk(ctx, zone.id, request, &IfMatch::default())
            .await?
        {
            BulkOutcome::Applied(applied) => Ok(applied.zone),
            // A PTR outside the caller's grants is as unknown as in the list.
            BulkOutcome::Rejected(f) | BulkOutcome::Incomplete(f) => Err(f
                .into_iter()
                .next()
                .map_or_else(|| ptr_not_found(ip), |f| f.error)),
        }
    }

    /// The PTR of `ip` in the most specific reverse zone the caller may read that holds one
    /// it may see. 404 `ptr_not_found` otherwise: another tenant's PTRs are never looked at.
    pub async fn ptr_lookup(&self, ctx: &OpContext, ip: &str) -> Result<PtrFound> {
        ctx.require(Permission::RECORDS_READ)?;
        let ip = reverse::parse_ip(ip, "ip")?;
        for zone in self
            .reverse_zones_holding(ctx, ip, Holding::Visible)
            .await?
        {
            let Some(owner) = reverse::ptr_owner(&zone.name, ip) else {
                continue;
            };
            let Ok((zone, ptrs)) = self.readable_ptrs(ctx, zone.id, Some(&owner)).await else {
                continue;
            };
            if let Some(ptr) = ptrs.into_iter().min_by_key(|p| p.record.id) {
                return Ok(PtrFound { ptr, zone });
            }
        }
        Err(ptr_not_found(ip))
    }

    /// The reverse zones the caller's zone list shows whose block holds `ip`, most specific
    /// first, narrowed by `holding`.
    pub(crate) async fn reverse_zones_holding(
        &self,
        ctx: &OpContext,
        ip: IpAddr,
        holding: Holding,
    ) -> Result<Vec<Zone>> {
        // Every zone that can hold the address shares its top label under the arpa tree.
        let query = ZoneQuery {
            search: Some(reverse::top_zone_label(ip)),
            ..ZoneQuery::default()
        };
        let mut zones: Vec<(u8, Zone)> = self
            .zone_list(ctx, query, PageQuery::ALL)
            .await?
            .items
            .into_iter()
            .filter(|z| match holding {
                Holding::Visible => z.status != ZoneStatus::Deleted,
                Holding::LiveOf(tenant) => {
                    z.tenant_id == tenant
                        && !matches!(
                            z.status,
                            ZoneStatus::Deleted | ZoneStatus::PendingValidation
                        )
                }
            })
            .filter_map(|z| {
                let block = reverse::zone_block(&z.name)?;
                block.contains(&ip).then_some((block.prefix_len(), z))
            })
            .collect();
        zones.sort_by_key(|(len, _)| std::cmp::Reverse(*len));
        Ok(zones.into_iter().map(|(_, z)| z).collect())
    }

    /// The zone's PTR records as stored (after the caller is authorised on the zone), only
    /// those at `owner` (an absolute name) when given: read by name, not the whole zone.
    pub(crate) async fn stored_ptrs(
        &self,
        zone: &Zone,
        owner: Option<&str>,
    ) -> Result<Vec<Record>> {
        let mut records = self
            .store()
            .list_records(
                zone.id,
                &RecordFilter {
                    rtype: Some(RecordType::PTR),
                    name_contains: owner.map(str::to_owned),
                    ..RecordFilter::default()
                },
            )
            .await?;
        // The store matches a substring (`170.…` holds `70.…`): keep the name itself.
        records.retain(|r| owner.is_none_or(|o| r.name.fqdn() == o));
        Ok(records)
    }
}

fn require_reverse(zone: &Zone) -> Result<()> {
    if reverse::zone_block(&zone.name).is_some() {
        Ok(())
    } else {
        Err(Error::new(
            ErrorKind::NotFound,
            "reverse_zone_not_found",
            format!(
                "{} is not a reverse zone made from an address block",
                zone.name.as_str()
            ),
        ))
    }
}

fn owner_in(zone: &Zone, ip: IpAddr, field: &str) -> Result<String> {
    reverse::ptr_owner(&zone.name, ip).ok_or_else(|| {
        let block = reverse::zone_block(&zone.name).map_or_else(String::new, |b| b.to_string());
        Error::new(
            ErrorKind::InvalidInput,
            "ip_outside_zone",
            format!("{ip} is outside {} ({block})", zone.name.as_str()),
        )
        .with_field(field)
    })
}

fn ptr_not_found(ip: IpAddr) -> Error {
    Error::new(
        ErrorKind::NotFound,
        "ptr_not_found",
        format!("no PTR for {ip}"),
    )
}

/// 422 `cidr_not_aligned`, naming the aligned zones to create instead (the server lists them
/// in full beside the message).
pub fn not_aligned(cidr: &str, zones: &[ReverseZonePlan]) -> Error {
    let names: Vec<String> = zones
        .iter()
        .map(|z| format!("{} ({})", z.cidr, z.zone_name.as_str()))
        .collect();
    Error::new(
        ErrorKind::InvalidInput,
        "cidr_not_aligned",
        format!(
            "{} is not on an octet boundary and no single reverse zone covers it: create these instead: {}",
            cidr.trim(),
            names.join(", ")
        ),
    )
    .with_field("cidr")
}
