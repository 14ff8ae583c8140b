//! What the other services use of a zone: the platform nameservers, the zone a caller may
//! see and its records, writing the zone row with its name claim checked and the backend
//! publication, its system records (SOA, NS), and new ownership challenges.

use super::NAMESERVERS_SETTING;
use crate::error::{Error, Result};
use crate::ids::{RecordId, TenantId, ValidationId, ZoneId};
use crate::name::ZoneName;
use crate::ownership::{Validation, ValidationStatus, ValidationType};
use crate::ports::classless_store::DelegationFilter;
use crate::ports::random::RandomRng;
use crate::ports::store::{RecordFilter, ZoneWrite};
use crate::rbac::Permission;
use crate::record::{Record, RecordContent, RecordName, RecordType};
use crate::service::publish::{BackendPublisher, Publication};
use crate::service::{OpContext, ScaiDns};
use crate::zone::claims::{LiveZone, OverlapPolicy, check_claim};
use crate::zone::soa::soa_content;
use crate::zone::{Zone, ZoneStatus};
use rand::Rng;
use std::sync::Arc;

impl ScaiDns {
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
    pub(super) async fn overlap_policy(&self, ctx: &OpContext) -> Result<OverlapPolicy> {
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
        let others: Vec<Zone> = self
            .store()
            .find_overlapping_zones(&zone.name)
            .await?
            .into_iter()
            .filter(|other| other.id != zone.id && other.is_published())
            .collect();
        let live = self.live_claims(zone.tenant_id, &zone.name, others).await?;
        check_claim(zone.tenant_id, &zone.name, &live, overlap)
    }

    /// `live` as claims against a zone `name` of `tenant`, without the other tenants' zones
    /// that lent its range to `tenant` (RFC 2317, `zone::classless`): the one exception to the
    /// overlap rule, granted by the parent's owner. The store applies the same rule inside the
    /// write that makes the zone live.
    pub(crate) async fn live_claims(
        &self,
        tenant: TenantId,
        name: &ZoneName,
        live: Vec<Zone>,
    ) -> Result<Vec<LiveZone>> {
        let block = crate::reverse::zone_block(name);
        let lent = if block.is_some() && live.iter().any(|z| z.tenant_id != tenant) {
            self.store()
                .list_classless_delegations(DelegationFilter {
                    tenant_id: Some(tenant),
                    ..DelegationFilter::default()
                })
                .await?
        } else {
            Vec::new()
        };
        Ok(live
            .into_iter()
            .filter(|z| {
                z.tenant_id == tenant || !lent.iter().any(|d| d.covers(tenant, z.id, block))
            })
            .map(|z| LiveZone {
                tenant_id: z.tenant_id,
                name: z.name,
            })
            .collect())
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

    /// Every record of a zone for a plan made in its writers' turn (`zone_change`), from the
    /// record cache at the zone's generation when it holds them (what the last change this
    /// replica committed left, or a read's), else read from the store and kept. A cached set
    /// is what the store holds at that generation, and a write planned on it commits only if
    /// the zone is still at it.
    pub(crate) async fn records_for_change(
        &self,
        zone: &Zone,
    ) -> Result<std::sync::Arc<crate::service::record_cache::RecordSet>> {
        if let Some(set) = self.record_cache.get_whole(zone.id, zone.generation) {
            return Ok(set);
        }
        let filter = RecordFilter {
            include_system: true,
            ..RecordFilter::default()
        };
        self.cached_records(zone, &filter).await
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

    /// Writes `validations` and `audit` for `zone` without changing its row or generation
    /// (bookkeeping that changes no published state, [`crate::ports::store::ZoneWrite`]); the
    /// write still fails with 409 `generation_mismatch` if the zone changed since `zone` was
    /// read. Caches keyed by generation stay right: nothing they hold changed.
    pub(crate) async fn write_bookkeeping(
        &self,
        zone: Zone,
        validations: Vec<Validation>,
        audit: Vec<crate::audit::AuditEvent>,
    ) -> Result<Zone> {
        let write = ZoneWrite {
            expected_generation: Some(zone.generation),
            zone,
            new_records: Vec::new(),
            upsert_records: Vec::new(),
            delete_records: Vec::new(),
            validations,
            audit,
            changes: Vec::new(),
            comments: Vec::new(),
        };
        let _dropped_when_done = self.zone_write(write.zone.id);
        self.store()
            .write_zone_claiming(
                write,
                OverlapPolicy::Refuse,
                &self.publisher(Publication::Nothing),
            )
            .await
    }

    /// [`ScaiDns::write_zone_row`] with the overlap policy of a zone going live.
    pub(crate) async fn write_zone_row_claiming(
        &self,
        before: Zone,
        zone: Zone,
        validations: Vec<Validation>,
        audit: Vec<crate::audit::AuditEvent>,
        publication: Publication,
        overlap: OverlapPolicy,
    ) -> Result<Zone> {
        let write = row_write(&before, zone, validations, audit);
        let id = write.zone.id;
        let publishes = !matches!(publication, Publication::Nothing);
        let publisher = self.publisher(publication);
        let _dropped_when_done = self.zone_write(id);
        let stored = self.store().write_zone_claiming(write, overlap, &publisher);
        if publishes {
            self.in_publishing_turn(id, stored).await
        } else {
            stored.await
        }
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
            check_count: 0,
            expires_at: now + self.settings().validation.expiry,
            created_at: now,
            updated_at: now,
        }
    }

    /// Refuses a name the tenant already holds (`domain_exists`, among its zones that are not
    /// deleted), or one that another live zone holds ([`check_claim`]). Pending zones of other
    /// tenants are no obstacle: the first to prove ownership wins (interface decision 12).
    pub(super) async fn check_overlaps(
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
                live.push(other);
            }
        }
        let live = self.live_claims(tenant, name, live).await?;
        check_claim(tenant, name, &live, overlap)
    }
}

/// The write of a changed zone row (no records) one generation after `before`.
pub(crate) fn row_write(
    before: &Zone,
    mut zone: Zone,
    validations: Vec<Validation>,
    audit: Vec<crate::audit::AuditEvent>,
) -> ZoneWrite {
    zone.generation = before.generation + 1;
    ZoneWrite {
        zone,
        expected_generation: Some(before.generation),
        new_records: Vec::new(),
        upsert_records: Vec::new(),
        delete_records: Vec::new(),
        validations,
        audit,
        changes: Vec::new(),
        comments: Vec::new(),
    }
}
