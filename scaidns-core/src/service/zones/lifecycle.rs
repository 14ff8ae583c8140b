//! The end of a zone's life: soft delete (and forgetting its DNSSEC keys), restore, and
//! purge (hard delete), with what each removes from the backend.

use super::zone_audit_view;
use crate::error::{Error, ErrorKind, Result};
use crate::ids::ZoneId;
use crate::rbac::Permission;
use crate::service::publish::{Publication, full_publication};
use crate::service::{OpContext, ScaiDns};
use crate::zone::precondition::IfMatch;
use crate::zone::{Zone, ZoneStatus};

impl ScaiDns {
    /// Soft-deletes a zone: it stops being served and can be restored until purged. A signed
    /// zone needs `force`, since a restored zone would be signed with new keys.
    /// Answers with the zone as written: its publication state tells whether the backend has
    /// stopped serving it.
    /// `if_match` refuses it (412) unless the zone is still at a generation the caller named.
    pub async fn zone_delete(
        &self,
        ctx: &OpContext,
        id: ZoneId,
        force: bool,
        if_match: &IfMatch,
    ) -> Result<Zone> {
        self.lifecycle_write(if_match, || self.zone_delete_once(ctx, id, force, if_match))
            .await
    }

    async fn zone_delete_once(
        &self,
        ctx: &OpContext,
        id: ZoneId,
        force: bool,
        if_match: &IfMatch,
    ) -> Result<Zone> {
        ctx.require(Permission::DOMAINS_DELETE)?;
        let before = self
            .authorized_zone(ctx, Permission::DOMAINS_DELETE, id, false)
            .await?;
        if_match.check(before.generation)?;
        if before.dnssec_enabled && !force {
            return Err(Error::conflict(
                "dnssec_enabled",
                "the zone is DNSSEC-signed: remove the DS at the registrar first, then delete with ?force=true",
            ));
        }
        let mut zone = before.clone();
        zone.status_before_delete = Some(before.status);
        zone.status = ZoneStatus::Deleted;
        zone.deleted_at = Some(ctx.now);
        zone.updated_at = ctx.now;
        // Removing the zone from the backend removes its keys: a restored zone comes back
        // unsigned and is signed again with new keys (interface decision 15).
        zone.dnssec_enabled = false;
        let publication = if before.is_published() {
            Publication::Remove(zone.name.clone())
        } else {
            Publication::Nothing
        };
        let audit = vec![ctx.audit(
            zone.tenant_id,
            "domain.delete",
            "domain",
            zone.id,
            Some(zone.name.to_string()),
            Some(zone_audit_view(&before)),
            Some(zone_audit_view(&zone)),
        )];
        if let Some(recorder) = ctx.planning_into() {
            let write = super::zone_rows::row_write(&before, zone, Vec::new(), audit);
            let after = write.zone.clone();
            recorder.record(Some(before), write, false);
            return Ok(after);
        }
        let signed = before.dnssec_enabled;
        let zone = self
            .write_zone_row(before, zone, Vec::new(), audit, publication)
            .await?;
        if signed {
            self.forget_dnssec_keys(&zone).await;
        }
        Ok(zone)
    }

    /// Drops the key metadata of a zone whose backend keys are gone. A failure leaves rows that
    /// `reconcile` reports as `key_missing`; the zone itself is already consistent.
    pub(crate) async fn forget_dnssec_keys(&self, zone: &Zone) {
        let result = async {
            let keys = self.store().list_dnssec_keys(zone.id).await?;
            let ids: Vec<_> = keys.iter().map(|k| k.id).collect();
            let write = crate::ports::dnssec_key_store::DnssecKeyWrite {
                zone_id: zone.id,
                expected: ids.clone(),
                upsert: Vec::new(),
                delete: ids,
                dnssec_enabled: None,
                now: zone.updated_at,
                audit: Vec::new(),
                if_match: IfMatch::Any,
            };
            let _dropped_when_done = self.zone_write(zone.id);
            self.store().write_dnssec_keys(write).await
        }
        .await;
        if let Err(e) = result {
            tracing::warn!(zone = %zone.name, error = %e, "could not drop the key metadata of a deleted zone");
        }
    }

    /// Removes a zone for good, from the store and the backend (also a soft-deleted one).
    pub async fn zone_purge(&self, ctx: &OpContext, id: ZoneId, if_match: &IfMatch) -> Result<()> {
        self.lifecycle_write(if_match, || self.zone_purge_once(ctx, id, if_match))
            .await
    }

    async fn zone_purge_once(&self, ctx: &OpContext, id: ZoneId, if_match: &IfMatch) -> Result<()> {
        ctx.require(Permission::DOMAINS_DELETE)?;
        let zone = self
            .authorized_zone(ctx, Permission::DOMAINS_DELETE, id, true)
            .await?;
        if_match.check(zone.generation)?;
        self.purge_zone_row(ctx, &zone).await
    }

    /// Takes back a zone this caller created a moment ago when the rest of the request that
    /// created it was refused (the PowerDNS-compatible API creates a zone, then its RRsets):
    /// one request, one outcome, also for a key that may create zones but not delete them.
    /// Only while the zone is still exactly as created (same tenant, name and generation), so
    /// it never takes away anything written since; otherwise 412 and the zone stays.
    pub async fn zone_create_undo(&self, ctx: &OpContext, created: &Zone) -> Result<()> {
        ctx.require(Permission::DOMAINS_CREATE)?;
        let zone = self.zone_if_visible(ctx, created.id, false).await?;
        self.authorize(
            ctx,
            Permission::DOMAINS_CREATE,
            crate::rbac::Target::Tenant(zone.tenant_id),
        )
        .await?;
        if zone.tenant_id != created.tenant_id || zone.name != created.name {
            return Err(Error::new(
                ErrorKind::NotFound,
                "domain_not_found",
                "Domain not found",
            ));
        }
        let pinned = IfMatch::Generations(vec![created.generation]);
        pinned.check(zone.generation)?;
        self.purge_zone_row(ctx, &zone).await
    }

    /// Purges `zone` (read by the caller, authorised) if it is still at its generation.
    async fn purge_zone_row(&self, ctx: &OpContext, zone: &Zone) -> Result<()> {
        let audit = vec![ctx.audit(
            zone.tenant_id,
            "domain.hard_delete",
            "domain",
            zone.id,
            Some(zone.name.to_string()),
            Some(zone_audit_view(zone)),
            None,
        )];
        if let Some(recorder) = ctx.planning_into() {
            let write = super::zone_rows::row_write(zone, zone.clone(), Vec::new(), audit);
            recorder.record(Some(zone.clone()), write, true);
            return Ok(());
        }
        let publisher = self.publisher(purge_publication(zone));
        let _dropped_when_done = self.zone_write(zone.id);
        let purge = self
            .store()
            .purge_zone(zone.id, zone.generation, audit, &publisher);
        self.in_publishing_turn(zone.id, purge).await
    }

    /// Undoes a soft delete: the zone returns to its previous status and is served again.
    pub async fn zone_restore(
        &self,
        ctx: &OpContext,
        id: ZoneId,
        if_match: &IfMatch,
    ) -> Result<Zone> {
        self.lifecycle_write(if_match, || self.zone_restore_once(ctx, id, if_match))
            .await
    }

    async fn zone_restore_once(
        &self,
        ctx: &OpContext,
        id: ZoneId,
        if_match: &IfMatch,
    ) -> Result<Zone> {
        ctx.require(Permission::DOMAINS_UPDATE)?;
        let before = self
            .authorized_zone(ctx, Permission::DOMAINS_UPDATE, id, true)
            .await?;
        if_match.check(before.generation)?;
        if before.status != ZoneStatus::Deleted {
            return Err(Error::conflict(
                "zone_not_deleted",
                "the zone is not deleted",
            ));
        }
        // Restoring is claiming the name again: what went live meanwhile wins.
        let overlap = self.overlap_policy(ctx).await?;
        self.check_overlaps(before.tenant_id, &before.name, overlap)
            .await?;
        let mut zone = before.clone();
        zone.status = before
            .status_before_delete
            .unwrap_or(ZoneStatus::PendingValidation);
        zone.status_before_delete = None;
        zone.deleted_at = None;
        zone.updated_at = ctx.now;
        let publication = if zone.is_published() {
            let records = self.zone_records(&zone).await?;
            full_publication(&zone, &records)
        } else {
            Publication::Nothing
        };
        let audit = vec![ctx.audit(
            zone.tenant_id,
            "domain.restore",
            "domain",
            zone.id,
            Some(zone.name.to_string()),
            Some(zone_audit_view(&before)),
            Some(zone_audit_view(&zone)),
        )];
        self.write_zone_row_claiming(before, zone, Vec::new(), audit, publication, overlap)
            .await
    }
}

/// What purging `zone` removes from the backend, which knows zones by name only: the zone only
/// when it is the one published. A pending zone never was, and a deleted one was removed when
/// it was deleted; removing "its" name then could take down another zone of that name gone
/// live since (another tenant's, once pending claims stopped blocking), whatever a check made
/// outside the purge's transaction said.
pub(crate) fn purge_publication(zone: &Zone) -> Publication {
    if zone.is_published() {
        Publication::Remove(zone.name.clone())
    } else {
        Publication::Nothing
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    use crate::ids::TenantId;
    use crate::name::ZoneName;
    use crate::record::Ttl;
    use crate::zone::{DomainType, SyncState};

    fn zone(status: ZoneStatus) -> Zone {
        let now = chrono::Utc::now();
        Zone {
            id: ZoneId::new(),
            tenant_id: TenantId::new(),
            name: ZoneName::parse("shared.example").unwrap(),
            domain_type: DomainType::Primary,
            status,
            status_before_delete: None,
            default_ttl: Ttl::new(3600).unwrap(),
            description: None,
            settings: json!({}),
            dnssec_enabled: false,
            generation: 1,
            sync: SyncState::synced(now),
            created_at: now,
            updated_at: now,
            deleted_at: None,
            secondary: None,
        }
    }

    #[test]
    fn only_a_published_zone_is_removed_from_the_backend_when_purged() {
        assert!(matches!(
            purge_publication(&zone(ZoneStatus::Active)),
            Publication::Remove(name) if name.as_str() == "shared.example"
        ));
        for status in [ZoneStatus::PendingValidation, ZoneStatus::Deleted] {
            assert!(matches!(
                purge_publication(&zone(status)),
                Publication::Nothing
            ));
        }
    }
}
