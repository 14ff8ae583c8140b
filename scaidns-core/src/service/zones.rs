//! Zone lifecycle: create (pending validation, or active for callers who may skip it), read,
//! update metadata, soft delete, restore, hard delete (spec §2–3, interface decisions 12–15).

use std::sync::Arc;

use rand::Rng;
use serde_json::json;

use crate::error::{Error, Result};
use crate::ids::{RecordId, TenantId, ValidationId, ZoneId};
use crate::ownership::{Validation, ValidationStatus, ValidationType};
use crate::ports::random::RandomRng;
use crate::ports::store::{Page, PageRequest, RecordFilter, ZoneFilter, ZoneWrite};
use crate::rbac::{Permission, Target};
use crate::record::{Record, RecordContent, RecordName, RecordType};
use crate::service::publish::{BackendPublisher, Publication, zone_spec};
use crate::service::{OpContext, ScaiDns};
use crate::zone::claims::{LiveZone, OverlapPolicy, check_claim};
use crate::zone::soa::soa_content;
use crate::zone::{DomainType, ReverseKind, SyncState, SyncStatus, Zone, ZoneName, ZoneStatus};

/// Settings key of the platform nameserver list (JSON array of FQDNs).
pub const NAMESERVERS_SETTING: &str = "nameservers";

/// Input of `zone_create`.
#[derive(Debug, Clone, Default)]
pub struct ZoneCreate {
    /// Apex name (any case, IDNA, with or without trailing dot).
    pub name: String,
    /// Type; inferred from the name when absent.
    pub domain_type: Option<DomainType>,
    /// Default TTL for records.
    pub default_ttl: Option<i64>,
    /// Free text.
    pub description: Option<String>,
    /// Settings object.
    pub settings: Option<serde_json::Value>,
    /// `Some(false)` forces validation even for callers who may skip it.
    pub skip_validation: Option<bool>,
}

/// Input of `zone_update`; `None` leaves a field unchanged.
#[derive(Debug, Clone, Default)]
pub struct ZoneUpdate {
    /// New description (`Some(None)` clears it).
    pub description: Option<Option<String>>,
    /// New default TTL.
    pub default_ttl: Option<i64>,
    /// New settings object.
    pub settings: Option<serde_json::Value>,
}

/// Result of `zone_create`.
#[derive(Debug, Clone)]
pub struct CreatedZone {
    /// The zone.
    pub zone: Zone,
    /// Its validation challenge, when it must be validated.
    pub validation: Option<Validation>,
}

impl ScaiDns {
    /// Creates a zone.
    pub async fn zone_create(&self, ctx: &OpContext, input: ZoneCreate) -> Result<CreatedZone> {
        ctx.require(Permission::DOMAINS_CREATE)?;
        self.authorize(
            ctx,
            Permission::DOMAINS_CREATE,
            Target::Tenant(ctx.tenant_id),
        )
        .await?;
        let name = ZoneName::parse(&input.name)?;
        let domain_type = infer_domain_type(&name, input.domain_type)?;
        let default_ttl = self.config().ttl_policy.check(
            input
                .default_ttl
                .unwrap_or_else(|| i64::from(self.config().default_zone_ttl)),
            "default_ttl",
        )?;
        let settings = checked_settings(input.settings)?;
        let may_skip = self
            .is_allowed(
                ctx,
                Permission::VALIDATION_BYPASS,
                Target::Tenant(ctx.tenant_id),
            )
            .await?;
        if input.skip_validation == Some(true) && !may_skip {
            return Err(Error::forbidden(
                "validation_bypass_required",
                "skip_validation needs the validation_bypass role",
            ));
        }
        let skip = may_skip && input.skip_validation != Some(false);
        let overlap = self.overlap_policy(ctx).await?;
        self.check_overlaps(ctx.tenant_id, &name, overlap).await?;

        let now = ctx.now;
        let zone = Zone {
            id: ZoneId::new(),
            tenant_id: ctx.tenant_id,
            name,
            domain_type,
            status: if skip {
                ZoneStatus::Active
            } else {
                ZoneStatus::PendingValidation
            },
            status_before_delete: None,
            default_ttl,
            description: clean_description(input.description)?,
            settings,
            dnssec_enabled: false,
            generation: 1,
            sync: SyncState {
                status: SyncStatus::InSync,
                error: None,
                last_synced_at: None,
            },
            created_at: now,
            updated_at: now,
            deleted_at: None,
        };
        if skip {
            tracing::warn!(zone = %zone.name, actor = ?ctx.actor_id(), "zone created without ownership validation");
        }
        let records = self.system_records(&zone, &self.nameservers().await?)?;
        let validation =
            (!skip).then(|| self.new_validation(&zone, ValidationType::TxtRecord, now));
        let publication = if skip {
            Publication::Full(zone_spec(&zone, &records))
        } else {
            Publication::Nothing
        };
        let audit = vec![ctx.audit(
            zone.tenant_id,
            "domain.create",
            "domain",
            zone.id,
            Some(zone.name.to_string()),
            None,
            Some(zone_audit_view(&zone)),
        )];
        let write = ZoneWrite {
            zone,
            expected_generation: None,
            upsert_records: records,
            delete_records: Vec::new(),
            validations: validation.iter().cloned().collect(),
            audit,
        };
        let zone = self
            .store()
            .write_zone_claiming(write, overlap, &self.publisher(publication))
            .await?;
        Ok(CreatedZone { zone, validation })
    }

    /// One zone visible to the caller. Soft-deleted zones are hidden unless `include_deleted`.
    pub async fn zone_get(
        &self,
        ctx: &OpContext,
        id: ZoneId,
        include_deleted: bool,
    ) -> Result<Zone> {
        ctx.require(Permission::DOMAINS_READ)?;
        self.authorized_zone(ctx, Permission::DOMAINS_READ, id, include_deleted)
            .await
    }

    /// Zones visible to the caller.
    pub async fn zone_list(
        &self,
        ctx: &OpContext,
        mut filter: ZoneFilter,
        page: PageRequest,
    ) -> Result<Page<Zone>> {
        ctx.require(Permission::DOMAINS_READ)?;
        let principal = self.principal(ctx).await?;
        let read = Permission::DOMAINS_READ;
        if principal.covers_all_tenants(read) {
            // Platform-wide readers keep the tenant filter they asked for.
        } else if principal.covers_tenant(read, ctx.tenant_id) {
            filter.tenant_id = Some(ctx.tenant_id);
        } else {
            // Only what domain-scope roles and live grants reach.
            let zones = principal.zones_with(read);
            filter.ids = Some(match filter.ids.take() {
                Some(asked) => asked.into_iter().filter(|z| zones.contains(z)).collect(),
                None => zones,
            });
        }
        if filter.status == Some(ZoneStatus::Deleted) {
            filter.include_deleted = true;
        }
        self.store().list_zones(&filter, page).await
    }

    /// Updates a zone's description, default TTL or settings.
    pub async fn zone_update(
        &self,
        ctx: &OpContext,
        id: ZoneId,
        input: ZoneUpdate,
    ) -> Result<Zone> {
        ctx.require(Permission::DOMAINS_UPDATE)?;
        let before = self
            .authorized_zone(ctx, Permission::DOMAINS_UPDATE, id, false)
            .await?;
        let mut zone = before.clone();
        if let Some(description) = input.description {
            zone.description = clean_description(description)?;
        }
        if let Some(ttl) = input.default_ttl {
            zone.default_ttl = self.config().ttl_policy.check(ttl, "default_ttl")?;
        }
        if let Some(settings) = input.settings {
            zone.settings = checked_settings(Some(settings))?;
        }
        if zone == before {
            return Ok(zone);
        }
        zone.updated_at = ctx.now;
        let audit = vec![ctx.audit(
            zone.tenant_id,
            "domain.update",
            "domain",
            zone.id,
            Some(zone.name.to_string()),
            Some(zone_audit_view(&before)),
            Some(zone_audit_view(&zone)),
        )];
        self.write_zone_row(before, zone, Vec::new(), audit, Publication::Nothing)
            .await
    }

    /// Soft-deletes a zone: it stops being served and can be restored until purged. A signed
    /// zone needs `force`, since a restored zone would be signed with new keys.
    pub async fn zone_delete(&self, ctx: &OpContext, id: ZoneId, force: bool) -> Result<()> {
        ctx.require(Permission::DOMAINS_DELETE)?;
        let before = self
            .authorized_zone(ctx, Permission::DOMAINS_DELETE, id, false)
            .await?;
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
        let signed = before.dnssec_enabled;
        let zone = self
            .write_zone_row(before, zone, Vec::new(), audit, publication)
            .await?;
        if signed {
            self.forget_dnssec_keys(&zone).await;
        }
        Ok(())
    }

    /// Drops the key metadata of a zone whose backend keys are gone. A failure leaves rows that
    /// `reconcile` reports as `key_missing`; the zone itself is already consistent.
    async fn forget_dnssec_keys(&self, zone: &Zone) {
        let result = async {
            let keys = self.store().list_dnssec_keys(zone.id).await?;
            let ids: Vec<_> = keys.iter().map(|k| k.id).collect();
            let write = crate::ports::lifecycle::DnssecKeyWrite {
                zone_id: zone.id,
                expected: ids.clone(),
                upsert: Vec::new(),
                delete: ids,
                dnssec_enabled: None,
                now: zone.updated_at,
                audit: Vec::new(),
            };
            self.store().write_dnssec_keys(write).await
        }
        .await;
        if let Err(e) = result {
            tracing::warn!(zone = %zone.name, error = %e, "could not drop the key metadata of a deleted zone");
        }
    }

    /// Removes a zone for good, from the store and the backend (also a soft-deleted one).
    pub async fn zone_purge(&self, ctx: &OpContext, id: ZoneId) -> Result<()> {
        ctx.require(Permission::DOMAINS_DELETE)?;
        let zone = self
            .authorized_zone(ctx, Permission::DOMAINS_DELETE, id, true)
            .await?;
        let audit = vec![ctx.audit(
            zone.tenant_id,
            "domain.hard_delete",
            "domain",
            zone.id,
            Some(zone.name.to_string()),
            Some(zone_audit_view(&zone)),
            None,
        )];
        let publisher = self.publisher(purge_publication(&zone));
        self.store()
            .purge_zone(zone.id, zone.generation, audit, &publisher)
            .await
    }

    /// Undoes a soft delete: the zone returns to its previous status and is served again.
    pub async fn zone_restore(&self, ctx: &OpContext, id: ZoneId) -> Result<Zone> {
        ctx.require(Permission::DOMAINS_UPDATE)?;
        let before = self
            .authorized_zone(ctx, Permission::DOMAINS_UPDATE, id, true)
            .await?;
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
            Publication::Full(zone_spec(&zone, &records))
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

    /// The platform nameserver set: the operator's setting, else the configured default.
    pub async fn nameservers(&self) -> Result<Vec<String>> {
        match self.store().get_setting(NAMESERVERS_SETTING).await? {
            Some(json) => serde_json::from_str(&json)
                .map_err(|_| Error::internal("the stored nameserver setting is not a JSON list")),
            None => Ok(self.config().default_nameservers.clone()),
        }
    }

    /// Whether another zone of the same name is live in the backend. The backend knows zones by
    /// name only, so removing or replacing this zone there must then not happen.
    pub(crate) async fn name_published_elsewhere(&self, zone: &Zone) -> Result<bool> {
        Ok(self
            .store()
            .find_overlapping_zones(&zone.name)
            .await?
            .iter()
            .any(|other| other.id != zone.id && other.name == zone.name && other.is_published()))
    }

    /// Platform admins may place a zone inside or above another tenant's live zone when they
    /// create or restore it themselves (interface decision 12); nobody else may. Asked of the
    /// caller's principal, so a platform admin's key scoped to zone work is not one.
    async fn overlap_policy(&self, ctx: &OpContext) -> Result<OverlapPolicy> {
        let admin = self
            .principal(ctx)
            .await?
            .covers_all_tenants(Permission::PLATFORM_ADMIN);
        Ok(if admin {
            OverlapPolicy::AcrossTenants
        } else {
            OverlapPolicy::Refuse
        })
    }

    /// Refuses to make `zone` live while another live zone holds its name or, unless `overlap`
    /// allows it, another tenant's live zone lies above or below it (interface decision 12).
    /// Checked again inside the write that activates it (see [`ZoneStore::write_zone`]); this
    /// early answer spares the work before it, such as an ownership check's DNS queries.
    ///
    /// [`ZoneStore::write_zone`]: crate::ports::store::ZoneStore::write_zone
    pub(crate) async fn check_live_claim(&self, zone: &Zone, overlap: OverlapPolicy) -> Result<()> {
        let live: Vec<LiveZone> = self
            .store()
            .find_overlapping_zones(&zone.name)
            .await?
            .into_iter()
            .filter(|other| other.id != zone.id && other.is_published())
            .map(|other| LiveZone {
                tenant_id: other.tenant_id,
                name: other.name,
            })
            .collect();
        check_claim(zone.tenant_id, &zone.name, &live, overlap)
    }

    /// A zone the caller may know exists (some zone permission reaches it), or 404. It says
    /// nothing about what the caller may do with it: use [`ScaiDns::authorized_zone`].
    pub(crate) async fn visible_zone(
        &self,
        ctx: &OpContext,
        id: ZoneId,
        include_deleted: bool,
    ) -> Result<Zone> {
        self.zone_if_visible(ctx, id, include_deleted).await
    }

    /// Every record of a zone, system records included.
    pub(crate) async fn zone_records(&self, zone: &Zone) -> Result<Vec<Record>> {
        let filter = RecordFilter {
            include_system: true,
            ..RecordFilter::default()
        };
        self.store().list_records(zone.id, &filter).await
    }

    /// Writes a changed zone row (and optional records) guarded by the old generation.
    pub(crate) async fn write_zone_row(
        &self,
        before: Zone,
        zone: Zone,
        validations: Vec<Validation>,
        audit: Vec<crate::audit::AuditEvent>,
        publication: Publication,
    ) -> Result<Zone> {
        self.write_zone_row_claiming(
            before,
            zone,
            validations,
            audit,
            publication,
            OverlapPolicy::Refuse,
        )
        .await
    }

    /// [`ScaiDns::write_zone_row`] with the overlap policy of a zone going live.
    pub(crate) async fn write_zone_row_claiming(
        &self,
        before: Zone,
        mut zone: Zone,
        validations: Vec<Validation>,
        audit: Vec<crate::audit::AuditEvent>,
        publication: Publication,
        overlap: OverlapPolicy,
    ) -> Result<Zone> {
        zone.generation = before.generation + 1;
        let write = ZoneWrite {
            zone,
            expected_generation: Some(before.generation),
            upsert_records: Vec::new(),
            delete_records: Vec::new(),
            validations,
            audit,
        };
        self.store()
            .write_zone_claiming(write, overlap, &self.publisher(publication))
            .await
    }

    pub(crate) fn publisher(&self, publication: Publication) -> BackendPublisher {
        BackendPublisher {
            backend: Arc::clone(self.backend()),
            publication,
        }
    }

    /// SOA and apex NS records for a zone (interface decision 5).
    pub(crate) fn system_records(
        &self,
        zone: &Zone,
        nameservers: &[String],
    ) -> Result<Vec<Record>> {
        let primary = nameservers.first().ok_or_else(|| {
            Error::internal("no platform nameservers are configured (PLATFORM_NAMESERVERS)")
        })?;
        let apex = RecordName::apex(&zone.name);
        let soa = soa_content(&zone.name, primary, 0, self.config().soa_timers);
        let mut contents = vec![RecordContent::parse(RecordType::SOA, &soa, &zone.name)?];
        for ns in nameservers {
            contents.push(RecordContent::parse(RecordType::NS, ns, &zone.name)?);
        }
        Ok(contents
            .into_iter()
            .map(|content| Record {
                id: RecordId::new(),
                zone_id: zone.id,
                name: apex.clone(),
                content,
                ttl: zone.default_ttl,
                disabled: false,
                system: true,
                created_at: zone.created_at,
                updated_at: zone.created_at,
            })
            .collect())
    }

    pub(crate) fn new_validation(
        &self,
        zone: &Zone,
        validation_type: ValidationType,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Validation {
        let mut rng = RandomRng(self.random().as_ref());
        let token: String = (0..32)
            .map(|_| char::from(b"0123456789abcdef"[rng.random_range(0..16)]))
            .collect();
        Validation {
            id: ValidationId::new(),
            zone_id: zone.id,
            validation_type,
            status: ValidationStatus::Pending,
            token,
            last_message: None,
            checked_at: None,
            expires_at: now + self.config().validation.expiry,
            created_at: now,
            updated_at: now,
        }
    }

    /// Refuses a name the tenant already holds (`domain_exists`, among its zones that are not
    /// deleted), or one that another live zone holds ([`check_claim`]). Pending zones of other
    /// tenants are no obstacle: the first to prove ownership wins (interface decision 12).
    async fn check_overlaps(
        &self,
        tenant: TenantId,
        name: &ZoneName,
        overlap: OverlapPolicy,
    ) -> Result<()> {
        let mut live = Vec::new();
        for other in self.store().find_overlapping_zones(name).await? {
            if other.status == ZoneStatus::Deleted {
                continue;
            }
            if other.tenant_id == tenant && other.name == *name {
                return Err(Error::conflict("domain_exists", "Domain already exists")
                    .with_field("name")
                    .with_conflicts(vec![other.id.to_string()]));
            }
            if other.is_published() {
                live.push(LiveZone {
                    tenant_id: other.tenant_id,
                    name: other.name,
                });
            }
        }
        check_claim(tenant, name, &live, overlap)
    }
}

fn infer_domain_type(name: &ZoneName, given: Option<DomainType>) -> Result<DomainType> {
    let inferred = match name.reverse_kind() {
        ReverseKind::Forward => DomainType::Primary,
        ReverseKind::Ipv4 => DomainType::ReverseIpv4,
        ReverseKind::Ipv6 => DomainType::ReverseIpv6,
    };
    match given {
        None => Ok(inferred),
        Some(DomainType::Secondary) => Err(Error::invalid(
            "domain_type",
            "secondary zones are not supported yet; create a primary zone",
        )),
        Some(t) if t == inferred => Ok(t),
        Some(t) => Err(Error::invalid(
            "domain_type",
            format!("{t} does not match the name {name} (expected {inferred})"),
        )),
    }
}

fn clean_description(description: Option<String>) -> Result<Option<String>> {
    match description {
        Some(d) if d.chars().count() > 1000 => Err(Error::invalid(
            "description",
            "must be at most 1000 characters",
        )),
        Some(d) if d.trim().is_empty() => Ok(None),
        other => Ok(other),
    }
}

fn checked_settings(settings: Option<serde_json::Value>) -> Result<serde_json::Value> {
    match settings {
        None | Some(serde_json::Value::Null) => Ok(json!({})),
        Some(v @ serde_json::Value::Object(_)) if v.to_string().len() <= 16 * 1024 => Ok(v),
        Some(serde_json::Value::Object(_)) => {
            Err(Error::invalid("settings", "must be at most 16 KiB"))
        }
        Some(_) => Err(Error::invalid("settings", "must be a JSON object")),
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

/// The zone as audit entries show it.
pub(crate) fn zone_audit_view(zone: &Zone) -> serde_json::Value {
    json!({
        "id": zone.id.to_string(),
        "name": zone.name.as_str(),
        "domain_type": zone.domain_type.as_str(),
        "status": zone.status.as_str(),
        "default_ttl": zone.default_ttl.seconds(),
        "description": zone.description,
        "settings": zone.settings,
        "dnssec_enabled": zone.dnssec_enabled,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Ttl;

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
