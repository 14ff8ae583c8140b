//! Zone lifecycle: create (pending validation, or active for callers who may skip it), read,
//! update metadata, soft delete, restore, hard delete (spec §2–3, interface decisions 12–15).
//!
//! Create, read, list and update are here; the end of a zone's life (delete, restore, purge) is
//! in `lifecycle`, and what the other services use of a zone (its visible row, claim checks,
//! writes with publication, system records, challenges) in `zone_rows`.

use serde_json::json;

use super::queries::{PageQuery, ZoneQuery};
use crate::error::{Error, Result};
use crate::ids::ZoneId;
use crate::name::{ReverseKind, ZoneName};
use crate::ownership::{Validation, ValidationType};
use crate::ports::store::{Page, ZoneFilter, ZoneWrite};
use crate::rbac::{Permission, Target};
use crate::service::publish::{Publication, full_publication};
use crate::service::zone_change::Planned;
use crate::service::{OpContext, ScaiDns};
use crate::zone::precondition::IfMatch;
use crate::zone::secondary::{SecondaryInput, SecondarySource};
use crate::zone::{DomainType, SyncState, SyncStatus, Zone, ZoneStatus};

mod lifecycle;
mod transfer;
mod zone_rows;

pub(crate) use lifecycle::purge_publication;
pub(crate) use zone_rows::row_write;

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
    /// A template to apply when the zone becomes active (its id as sent).
    pub template_id: Option<String>,
    /// Values of the template's variables.
    pub template_variables: Option<std::collections::BTreeMap<String, String>>,
    /// Primaries and TSIG key of a `secondary` zone (refused for every other type).
    pub secondary: SecondaryInput,
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
        let live = self.settings();
        let default_ttl = live.ttl_policy.check(
            input
                .default_ttl
                .unwrap_or_else(|| i64::from(live.default_zone_ttl)),
            "default_ttl",
        )?;
        let settings = checked_settings(input.settings)?;
        let secondary = self.secondary_source(domain_type, input.secondary)?;
        if let Some(key) = secondary.as_ref().and_then(|s| s.tsig.as_ref()) {
            key.check_wire_name(&name)?;
        }
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
        let bypass = may_skip && input.skip_validation != Some(false);
        let overlap = self.overlap_policy(ctx).await?;
        self.check_overlaps(ctx.tenant_id, &name, overlap).await?;
        // A classless zone inside a range lent to this tenant is proven by the delegation
        // (the live /24's owner vouches for it), even when validation is asked for: it is
        // validation, not a bypass (docs/decisions.md).
        let by_delegation = if bypass {
            None
        } else {
            self.proving_delegation(ctx.tenant_id, &name).await?
        };
        let skip = bypass || by_delegation.is_some();

        let zone_id = ZoneId::new();
        // A template is checked now (visible, variables complete, records valid) and applied
        // when the zone becomes active: at once below when validation is skipped.
        let template = match input.template_id {
            Some(raw) => {
                let id: crate::ids::TemplateId = raw
                    .parse()
                    .map_err(|e: Error| e.with_field("template_id"))?;
                let variables = input.template_variables.unwrap_or_default();
                self.template_check_for_new_zone(ctx, id, zone_id, &name, &variables)
                    .await?;
                Some((id, variables))
            }
            None if input.template_variables.is_some() => {
                return Err(Error::invalid(
                    "template_variables",
                    "template_variables needs a template_id",
                ));
            }
            None => None,
        };

        let now = ctx.now;
        let zone = Zone {
            id: zone_id,
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
            secondary,
        };
        if bypass {
            tracing::warn!(
                zone = %zone.name,
                actor = ctx.actor_id().as_deref().unwrap_or("system"),
                "zone created without ownership validation"
            );
        }
        // A secondary's records, SOA and NS included, are its primary's.
        let records = if zone.is_secondary() {
            Vec::new()
        } else {
            self.system_records(&zone, &self.nameservers().await?)?
        };
        let validation =
            (!skip).then(|| self.new_validation(&zone, ValidationType::TxtRecord, now));
        let publication = if skip {
            full_publication(&zone, &records)
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
            Some(created_view(&zone, by_delegation.as_ref())),
        )];
        let write = ZoneWrite {
            changes: crate::zone::change_set::change_set_of_records(&[], &records),
            comments: Vec::new(),
            zone,
            expected_generation: None,
            new_records: records,
            upsert_records: Vec::new(),
            delete_records: Vec::new(),
            validations: validation.iter().cloned().collect(),
            audit,
        };
        // A plan stops before anything is written: the template is applied only once the
        // zone is stored, so it is not part of the plan (`service::plans`).
        if let Some(recorder) = ctx.planning_into() {
            let zone = write.zone.clone();
            recorder.record(None, write, false);
            return Ok(CreatedZone { zone, validation });
        }
        // The pending template is written before the zone, so that an activation racing this
        // call (the worker validating at once) finds it, and removed again if the zone is not
        // written; purging the zone removes it too.
        if let Some((template_id, variables)) = &template {
            self.set_pending_template(zone_id, *template_id, variables.clone())
                .await?;
        }
        let written = self
            .store()
            .write_zone_claiming(write, overlap, &self.publisher(publication))
            .await;
        let mut zone = match written {
            Ok(zone) => zone,
            Err(e) => {
                if template.is_some()
                    && let Err(cleanup) = self.store().clear_pending_template(zone_id, &[]).await
                {
                    tracing::warn!(error = %cleanup.message(), "pending template of an unwritten zone left behind");
                }
                return Err(e);
            }
        };
        if template.is_some() && zone.status == ZoneStatus::Active {
            self.apply_pending_template(ctx, &zone).await?;
            // The records moved its generation on.
            zone = self.store().get_zone(zone.id).await?.unwrap_or(zone);
        }
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
        // Noted before the read, so that an outcome recorded after a write answered is read
        // back; waited for only once the caller may see the zone.
        let in_flight = self.outcome_in_flight(id);
        let zone = self
            .authorized_zone(ctx, Permission::DOMAINS_READ, id, include_deleted)
            .await?;
        match in_flight {
            None => Ok(zone),
            Some(in_flight) => {
                in_flight.recorded().await;
                self.authorized_zone(ctx, Permission::DOMAINS_READ, id, include_deleted)
                    .await
            }
        }
    }

    /// Zones visible to the caller.
    pub async fn zone_list(
        &self,
        ctx: &OpContext,
        query: ZoneQuery,
        page: PageQuery,
    ) -> Result<Page<Zone>> {
        ctx.require(Permission::DOMAINS_READ)?;
        let mut filter = ZoneFilter::from(query);
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
        self.store().list_zones(&filter, page.into()).await
    }

    /// Updates a zone's description, default TTL or settings, on the zone as it stands in its
    /// turn (see `zone_change`): never refused for a concurrent change unless `if_match` asks.
    pub async fn zone_update(
        &self,
        ctx: &OpContext,
        id: ZoneId,
        input: ZoneUpdate,
        if_match: &IfMatch,
    ) -> Result<Zone> {
        ctx.require(Permission::DOMAINS_UPDATE)?;
        self.authorized_zone(ctx, Permission::DOMAINS_UPDATE, id, false)
            .await?;
        let description = input.description.map(clean_description).transpose()?;
        let default_ttl = input
            .default_ttl
            .map(|ttl| self.settings().ttl_policy.check(ttl, "default_ttl"))
            .transpose()?;
        let settings = input
            .settings
            .map(|s| checked_settings(Some(s)))
            .transpose()?;
        let _dropped_when_done = self.zone_write(id);
        let (zone, ()) = self
            .change_zone(ctx, id, if_match, |before| {
                let mut zone = before.clone();
                if let Some(description) = &description {
                    zone.description.clone_from(description);
                }
                if let Some(ttl) = default_ttl {
                    zone.default_ttl = ttl;
                }
                if let Some(settings) = &settings {
                    zone.settings.clone_from(settings);
                }
                let change = (zone != before).then(|| {
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
                    let write = ZoneWrite {
                        expected_generation: Some(before.generation),
                        new_records: Vec::new(),
                        upsert_records: Vec::new(),
                        delete_records: Vec::new(),
                        validations: Vec::new(),
                        audit,
                        changes: Vec::new(),
                        comments: Vec::new(),
                        zone: Zone {
                            generation: before.generation + 1,
                            ..zone
                        },
                    };
                    (write, Publication::Nothing)
                });
                std::future::ready(Ok(Planned {
                    change,
                    output: (),
                    records_after: None,
                }))
            })
            .await?;
        Ok(zone)
    }
}

impl ScaiDns {
    /// The source of a new zone: required and checked for a secondary, refused for the rest.
    fn secondary_source(
        &self,
        domain_type: DomainType,
        input: SecondaryInput,
    ) -> Result<Option<SecondarySource>> {
        if domain_type != DomainType::Secondary {
            if input.is_empty() {
                return Ok(None);
            }
            return Err(Error::invalid(
                "primaries",
                "primaries and TSIG fields are only for domain_type secondary",
            ));
        }
        if !self.backend().supports_secondaries() {
            return Err(Error::invalid(
                "domain_type",
                crate::ports::backend::no_secondaries().message,
            ));
        }
        SecondarySource::parse(input, self.config().secondary_allow_private_primaries).map(Some)
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
        // A secondary copies any zone, forward or reverse.
        Some(DomainType::Secondary) => Ok(DomainType::Secondary),
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

/// A settings object (of a zone or a tenant) as stored: `{}` when none, 422 unless an object
/// of at most 16 KiB.
pub(crate) fn checked_settings(settings: Option<serde_json::Value>) -> Result<serde_json::Value> {
    match settings {
        None | Some(serde_json::Value::Null) => Ok(json!({})),
        Some(v @ serde_json::Value::Object(_)) if v.to_string().len() <= 16 * 1024 => Ok(v),
        Some(serde_json::Value::Object(_)) => {
            Err(Error::invalid("settings", "must be at most 16 KiB"))
        }
        Some(_) => Err(Error::invalid("settings", "must be a JSON object")),
    }
}

/// The zone as audit entries show it.
/// The zone as created, with the delegation that proved it when one did: who vouched for it
/// stays in the log after the delegation is revoked.
fn created_view(
    zone: &Zone,
    delegation: Option<&crate::zone::classless::ClasslessDelegation>,
) -> serde_json::Value {
    let mut view = zone_audit_view(zone);
    if let Some(d) = delegation {
        view["validated_by"] = json!({
            "method": "delegation",
            "delegation_id": d.id.to_string(),
            "parent_zone_id": d.parent_zone_id.to_string(),
            "parent_tenant_id": d.parent_tenant_id.to_string(),
            "cidr": d.cidr.to_string(),
        });
    }
    view
}

pub(crate) fn zone_audit_view(zone: &Zone) -> serde_json::Value {
    let mut view = json!({
        "id": zone.id.to_string(),
        "name": zone.name.as_str(),
        "domain_type": zone.domain_type.as_str(),
        "status": zone.status.as_str(),
        "default_ttl": zone.default_ttl.seconds(),
        "description": zone.description,
        "settings": zone.settings,
        "dnssec_enabled": zone.dnssec_enabled,
    });
    if let Some(source) = &zone.secondary {
        // Never the TSIG secret.
        view["secondary"] = json!({
            "primaries": source.primaries,
            "tsig_key_name": source.tsig.as_ref().map(|k| k.name.as_str()),
            "tsig_algorithm": source.tsig.as_ref().map(|k| k.algorithm.as_str()),
        });
    }
    view
}
