//! Auto-PTR (issue 10 item 1): an A/AAAA write that asks for it (`"ptr": true`) also writes the
//! PTR of its address, pointing at the record's name, in the most specific live reverse zone of
//! the forward zone's tenant holding the address that the caller may write (replacing a PTR
//! already there, which the caller must also be allowed to delete). Every A/AAAA delete (no parameter
//! needed) removes the PTR records of its address that point at the record's name, and only
//! those: another host's PTR at the same address stays.
//!
//! The zone is chosen, and the PTR authorised, before the forward record is written, so a caller
//! with no such zone is refused (422 `no_reverse_zone`) with nothing changed. The two zones are
//! two changes (each atomic, each audited): a PTR write that fails after the forward write (the
//! reverse zone changed in between) is reported as that error, the forward change standing.

use std::net::IpAddr;

use crate::error::{Error, ErrorKind, Result};
use crate::ids::{RecordId, ZoneId};
use crate::rbac::Permission;
use crate::record::{Record, RecordContent, RecordName, RecordType};
use crate::reverse;
use crate::service::queries::PageQuery;
use crate::service::records::{RecordCreate, RecordUpdate};
use crate::service::reverse_zones::{Holding, Ptr, PtrCreate};
use crate::service::{OpContext, ScaiDns};
use crate::zone::Zone;
use crate::zone::precondition::IfMatch;

/// The PTR an auto-PTR write made, and its zone.
#[derive(Debug, Clone)]
pub struct AutoPtr {
    /// The PTR.
    pub ptr: Ptr,
    /// The reverse zone after the write.
    pub zone: Zone,
}

/// A forward record write and the PTR it made.
#[derive(Debug, Clone)]
pub struct WrittenWithPtr {
    /// The forward zone after the write.
    pub zone: Zone,
    /// The forward record.
    pub record: Record,
    /// The PTR.
    pub ptr: AutoPtr,
}

impl ScaiDns {
    /// `record_create` of an A/AAAA record, then its PTR (see the module docs).
    pub async fn record_create_with_ptr(
        &self,
        ctx: &OpContext,
        zone_id: ZoneId,
        input: RecordCreate,
        if_match: &IfMatch,
    ) -> Result<WrittenWithPtr> {
        let zone = self
            .writable_zone(ctx, Permission::RECORDS_CREATE, zone_id)
            .await?;
        let rtype: RecordType = input.rtype.parse()?;
        let ip = address_of(rtype, &input.content, &zone)?;
        let name = RecordName::parse(&input.name, &zone.name)?;
        let target = self.ptr_zone_for(ctx, &zone, ip, &name).await?;
        let ttl = input.ttl;
        let (zone, record) = self.record_create(ctx, zone_id, input, if_match).await?;
        let ptr = self.write_auto_ptr(ctx, &target, ip, &record, ttl).await?;
        Ok(WrittenWithPtr { zone, record, ptr })
    }

    /// `record_update` of an A/AAAA record, then the PTR of its (new) address; when the
    /// address changed, the old address's PTR is removed if it pointed at the record.
    pub async fn record_update_with_ptr(
        &self,
        ctx: &OpContext,
        zone_id: ZoneId,
        id: RecordId,
        input: RecordUpdate,
        if_match: &IfMatch,
    ) -> Result<WrittenWithPtr> {
        let (zone, before) = self.record_get(ctx, zone_id, id).await?;
        let old_ip = address_of(before.rtype(), before.content.as_str(), &zone)?;
        let new_ip = match &input.content {
            Some(content) => address_of(before.rtype(), content, &zone)?,
            None => old_ip,
        };
        let target = self.ptr_zone_for(ctx, &zone, new_ip, &before.name).await?;
        let ttl = input.ttl;
        let (zone, record) = self
            .record_update(ctx, zone_id, id, input, if_match)
            .await?;
        // The new PTR first: a failure leaves the old one, never no PTR at all.
        let ptr = self
            .write_auto_ptr(ctx, &target, new_ip, &record, ttl)
            .await?;
        if old_ip != new_ip {
            self.remove_auto_ptr(ctx, &zone, old_ip, &before).await;
        }
        Ok(WrittenWithPtr { zone, record, ptr })
    }

    /// `record_delete`, then, for an A/AAAA record, the removal of the PTR of its address when
    /// it points at the record's name (in a reverse zone the caller may write). Answers the
    /// forward zone and whether a PTR was removed.
    pub async fn record_delete_with_ptr(
        &self,
        ctx: &OpContext,
        zone_id: ZoneId,
        id: RecordId,
        if_match: &IfMatch,
    ) -> Result<(Zone, bool)> {
        // Read only to learn the address: a caller that may delete but not read the record
        // deletes it as before, and its PTR stays.
        let before = self
            .record_get(ctx, zone_id, id)
            .await
            .ok()
            .filter(|(_, r)| matches!(r.rtype(), RecordType::A | RecordType::AAAA));
        let zone = self.record_delete(ctx, zone_id, id, if_match).await?;
        let Some((forward, record)) = before else {
            return Ok((zone, false));
        };
        let ip = address_of(record.rtype(), record.content.as_str(), &forward)?;
        Ok((zone, self.remove_auto_ptr(ctx, &forward, ip, &record).await))
    }

    /// The most specific live reverse zone of the forward zone's tenant holding `ip` where the
    /// caller may create the PTR of `ip` (zone and record authorised as the PTR write will be:
    /// it replaces a PTR already there, so that needs `records:delete` too). Decided before the
    /// forward record is written. 422 `no_reverse_zone` otherwise.
    async fn ptr_zone_for(
        &self,
        ctx: &OpContext,
        forward_zone: &Zone,
        ip: IpAddr,
        forward: &RecordName,
    ) -> Result<Zone> {
        ctx.require(Permission::RECORDS_CREATE)?;
        let holding = Holding::LiveOf(forward_zone.tenant_id);
        for zone in self.reverse_zones_holding(ctx, ip, holding).await? {
            let Some(owner) = reverse::ptr_owner(&zone.name, ip) else {
                continue;
            };
            let Ok(zone) = self
                .writable_zone(ctx, Permission::RECORDS_CREATE, zone.id)
                .await
            else {
                continue;
            };
            let name = RecordName::from_fqdn(&owner, &zone.name)?;
            if self
                .authorize_record(
                    ctx,
                    Permission::RECORDS_CREATE,
                    &zone,
                    &name,
                    RecordType::PTR,
                )
                .await
                .is_err()
            {
                continue;
            }
            if self.ptr_replaceable(ctx, &zone, &owner, &name).await? {
                return Ok(zone);
            }
        }
        Err(Error::new(
            ErrorKind::InvalidInput,
            "no_reverse_zone",
            format!(
                "\"ptr\": true needs a reverse zone holding {ip} that you may write; none is \
                 visible to you (create one with POST /api/v1/reverse-zones/), so {} was not \
                 written",
                forward.as_str()
            ),
        )
        .with_field("ptr"))
    }

    /// Whether the PTR write at `owner` may replace what is there: nothing there, or the
    /// caller may delete it (zone and record, as the bulk change will check).
    async fn ptr_replaceable(
        &self,
        ctx: &OpContext,
        zone: &Zone,
        owner: &str,
        name: &RecordName,
    ) -> Result<bool> {
        let taken = !self.stored_ptrs(zone, Some(owner)).await?.is_empty();
        if !taken {
            return Ok(true);
        }
        Ok(ctx.require(Permission::RECORDS_DELETE).is_ok()
            && self
                .writable_zone(ctx, Permission::RECORDS_DELETE, zone.id)
                .await
                .is_ok()
            && self
                .authorize_record(ctx, Permission::RECORDS_DELETE, zone, name, RecordType::PTR)
                .await
                .is_ok())
    }

    async fn write_auto_ptr(
        &self,
        ctx: &OpContext,
        target: &Zone,
        ip: IpAddr,
        record: &Record,
        ttl: Option<i64>,
    ) -> Result<AutoPtr> {
        let item = PtrCreate {
            ip: ip.to_string(),
            hostname: record.name.fqdn().to_owned(),
            ttl,
        };
        let (zone, ptrs) = self
            .ptr_create(ctx, target.id, vec![item], true, None)
            .await?;
        let ptr = ptrs
            .into_iter()
            .next()
            .ok_or_else(|| Error::internal("no PTR written"))?;
        Ok(AutoPtr { ptr, zone })
    }

    /// Removes the PTR records of `ip` pointing at `record`'s name (and only those: another
    /// host's PTR at the address stays) from the most specific live reverse zone of the
    /// forward zone's tenant that holds one; whether any was removed. Best effort: the forward
    /// change is made, so a failure here is logged, not answered.
    async fn remove_auto_ptr(
        &self,
        ctx: &OpContext,
        forward_zone: &Zone,
        ip: IpAddr,
        record: &Record,
    ) -> bool {
        let holding = Holding::LiveOf(forward_zone.tenant_id);
        let zones = match self.reverse_zones_holding(ctx, ip, holding).await {
            Ok(zones) => zones,
            Err(e) => {
                tracing::warn!(%ip, error = %e.message(), "PTR left in place: zones unreadable");
                return false;
            }
        };
        for zone in zones {
            let Ok((zone, page)) = self.ptr_list(ctx, zone.id, None, PageQuery::ALL).await else {
                continue;
            };
            let ids: Vec<RecordId> = page
                .items
                .iter()
                .filter(|p| {
                    p.ip == ip
                        && p.record
                            .content
                            .as_str()
                            .eq_ignore_ascii_case(record.name.fqdn())
                })
                .map(|p| p.record.id)
                .collect();
            if !ids.is_empty() {
                return match self.ptr_records_delete(ctx, &zone, ip, &ids).await {
                    Ok(_) => true,
                    // Not the caller's to remove: the PTR stays, as any record it may not touch.
                    Err(e) => {
                        tracing::warn!(%ip, zone = %zone.name, error = %e.message(), "PTR left in place");
                        false
                    }
                };
            }
        }
        false
    }
}

/// The address of A/AAAA content; 422 on `ptr` for any other type.
fn address_of(rtype: RecordType, content: &str, zone: &Zone) -> Result<IpAddr> {
    if !matches!(rtype, RecordType::A | RecordType::AAAA) {
        return Err(Error::invalid(
            "ptr",
            format!("\"ptr\" applies to A and AAAA records, not {rtype}"),
        ));
    }
    let parsed = RecordContent::parse(rtype, content, &zone.name)?;
    reverse::parse_ip(parsed.as_str(), "content")
}
