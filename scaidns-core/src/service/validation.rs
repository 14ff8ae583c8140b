//! Domain-ownership validation (spec §4): issuing challenges and checking them against the
//! zone's current authoritative servers, bypassing caches so a freshly published TXT record
//! validates within seconds.
//!
//! The DNS side of the check (which servers, how many, how long) is in
//! `super::ownership_probe` (TXT) and `super::delegation_probe` (delegation).

use crate::error::{Error, ErrorKind, Result};
use crate::ids::ZoneId;
use crate::ownership::{Validation, ValidationStatus, ValidationType};
use crate::rbac::Permission;
use crate::service::publish::{Publication, full_publication};
use crate::service::zones::zone_audit_view;
use crate::service::{Actor, OpContext, ScaiDns};
use crate::zone::claims::OverlapPolicy;
use crate::zone::precondition::IfMatch;
use crate::zone::{Zone, ZoneStatus};

/// Outcome of a check.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckResult {
    /// Whether ownership is proven.
    pub is_valid: bool,
    /// Human-readable outcome (the documented messages).
    pub message: String,
    /// The challenge checked.
    pub validation: Validation,
    /// The zone after the check.
    pub zone: Zone,
}

impl ScaiDns {
    /// The zone's latest challenge, in any status (interface decision 14).
    pub async fn validation_get(&self, ctx: &OpContext, zone_id: ZoneId) -> Result<Validation> {
        ctx.require(Permission::DOMAINS_READ)?;
        let zone = self
            .authorized_zone(ctx, Permission::DOMAINS_READ, zone_id, false)
            .await?;
        // The challenge proves control of the whole zone: a grant limited to some records
        // (docs/permissions.md) never shows it, like every other validation operation.
        let read = Permission::DOMAINS_READ;
        if !self
            .principal(ctx)
            .await?
            .record_view(read, zone.id, zone.tenant_id)
            .is_whole()
        {
            return Err(Error::forbidden(
                "permission_denied",
                "the ownership challenge needs domains:read over the whole domain, not a grant limited to records",
            ));
        }
        let latest = self
            .store()
            .latest_validation(zone.id)
            .await?
            .ok_or_else(no_validation)?;
        Ok(self.with_expiry_applied(latest, ctx.now))
    }

    /// Issues a new challenge, cancelling an open one.
    pub async fn validation_create(
        &self,
        ctx: &OpContext,
        zone_id: ZoneId,
        validation_type: Option<ValidationType>,
        if_match: &IfMatch,
    ) -> Result<Validation> {
        self.lifecycle_write(if_match, || {
            self.validation_create_once(ctx, zone_id, validation_type, if_match)
        })
        .await
    }

    async fn validation_create_once(
        &self,
        ctx: &OpContext,
        zone_id: ZoneId,
        validation_type: Option<ValidationType>,
        if_match: &IfMatch,
    ) -> Result<Validation> {
        ctx.require(Permission::DOMAINS_UPDATE)?;
        let zone = self.pending_zone(ctx, zone_id).await?;
        if_match.check(zone.generation)?;
        let validation_type = validation_type.unwrap_or(ValidationType::TxtRecord);
        if validation_type == ValidationType::Nameservers
            && !self.config().validation.allow_delegation
        {
            return Err(Error::invalid(
                "validation_type",
                "nameservers validation is turned off on this platform (VALIDATION_BY_DELEGATION); use txt_record",
            ));
        }
        if validation_type == ValidationType::Nameservers && self.nameservers().await?.is_empty() {
            return Err(Error::invalid(
                "validation_type",
                "nameservers validation needs platform nameservers (PLATFORM_NAMESERVERS), and none are configured",
            ));
        }
        let mut validations = Vec::new();
        if let Some(mut open) = self
            .store()
            .latest_validation(zone.id)
            .await?
            .filter(|v| v.status.is_open())
        {
            open.status = ValidationStatus::Cancelled;
            open.updated_at = ctx.now;
            validations.push(open);
        }
        let fresh = self.new_validation(&zone, validation_type, ctx.now);
        validations.push(fresh.clone());
        let audit = vec![ctx.audit(
            zone.tenant_id,
            "domain.validation.start",
            "domain",
            zone.id,
            Some(zone.name.to_string()),
            None,
            Some(serde_json::json!({
                "validation_id": fresh.id.to_string(),
                "validation_type": fresh.validation_type.as_str(),
                "expires_at": fresh.expires_at,
            })),
        )];
        self.write_zone_row(zone.clone(), zone, validations, audit, Publication::Nothing)
            .await?;
        Ok(fresh)
    }

    /// Cancels the open challenge.
    pub async fn validation_cancel(
        &self,
        ctx: &OpContext,
        zone_id: ZoneId,
        if_match: &IfMatch,
    ) -> Result<()> {
        self.lifecycle_write(if_match, || {
            self.validation_cancel_once(ctx, zone_id, if_match)
        })
        .await
    }

    async fn validation_cancel_once(
        &self,
        ctx: &OpContext,
        zone_id: ZoneId,
        if_match: &IfMatch,
    ) -> Result<()> {
        ctx.require(Permission::DOMAINS_UPDATE)?;
        let zone = self
            .authorized_zone(ctx, Permission::DOMAINS_UPDATE, zone_id, false)
            .await?;
        if_match.check(zone.generation)?;
        let mut open = self
            .store()
            .latest_validation(zone.id)
            .await?
            .filter(|v| v.status.is_open())
            .ok_or_else(no_validation)?;
        open.status = ValidationStatus::Cancelled;
        open.updated_at = ctx.now;
        let audit = vec![ctx.audit(
            zone.tenant_id,
            "domain.validation.cancel",
            "domain",
            zone.id,
            Some(zone.name.to_string()),
            None,
            Some(serde_json::json!({"validation_id": open.id.to_string()})),
        )];
        self.write_zone_row(zone.clone(), zone, vec![open], audit, Publication::Nothing)
            .await
            .map(drop)
    }

    /// Runs the DNS check now. On success the zone becomes active and is published. A write
    /// that lands during the check makes it run again rather than fail.
    pub async fn validation_check(&self, ctx: &OpContext, zone_id: ZoneId) -> Result<CheckResult> {
        self.lifecycle_write(&IfMatch::Any, || self.validation_check_once(ctx, zone_id))
            .await
    }

    async fn validation_check_once(&self, ctx: &OpContext, zone_id: ZoneId) -> Result<CheckResult> {
        ctx.require(Permission::DOMAINS_UPDATE)?;
        let zone = self.pending_zone(ctx, zone_id).await?;
        let latest = self
            .store()
            .latest_validation(zone.id)
            .await?
            .ok_or_else(no_validation)?;
        let mut validation = self.with_expiry_applied(latest, ctx.now);
        match validation.status {
            ValidationStatus::Expired => {
                return Err(Error::conflict(
                    "validation_expired",
                    "the challenge has expired; create a new one",
                ));
            }
            status if !status.is_open() => return Err(no_validation()),
            _ => {}
        }
        // Proving control of a name does not take it from a zone that went live first, nor a
        // name space another tenant serves: refused before querying DNS, and again when the
        // write below makes the zone live.
        self.check_live_claim(&zone, OverlapPolicy::Refuse).await?;

        let (is_valid, message) = match validation.validation_type {
            ValidationType::TxtRecord => self.probe(&zone.name, &validation.expected_value()).await,
            ValidationType::Nameservers => self.probe_delegation(&zone.name).await?,
        };
        if let Some(observer) = self.observer() {
            observer.validation_check(if is_valid { "valid" } else { "invalid" });
        }
        // A background re-check runs every minute for up to 72 hours: its failure is recorded
        // only when the outcome changes (first failure, another reason); the challenge keeps
        // the count and the time of the last check. A person's check is always recorded.
        let same_failure_again = matches!(ctx.actor, Actor::System)
            && !is_valid
            && validation.status == ValidationStatus::Failed
            && validation.last_message.as_deref() == Some(message.as_str());
        validation.check_count = validation.check_count.saturating_add(1);
        validation.status = if is_valid {
            ValidationStatus::Validated
        } else {
            ValidationStatus::Failed
        };
        validation.last_message = Some(message.clone());
        validation.checked_at = Some(ctx.now);
        validation.updated_at = ctx.now;

        let mut next = zone.clone();
        let mut audit = Vec::new();
        let publication = if is_valid {
            next.status = ZoneStatus::Active;
            next.updated_at = ctx.now;
            audit.push(ctx.audit(
                zone.tenant_id,
                "domain.validation.success",
                "domain",
                zone.id,
                Some(zone.name.to_string()),
                Some(zone_audit_view(&zone)),
                Some(zone_audit_view(&next)),
            ));
            full_publication(&next, &self.zone_records(&zone).await?)
        } else {
            if !same_failure_again {
                audit.push(ctx.audit(
                    zone.tenant_id,
                    "domain.validation.failure",
                    "domain",
                    zone.id,
                    Some(zone.name.to_string()),
                    None,
                    Some(serde_json::json!({
                        "validation_id": validation.id.to_string(),
                        "is_valid": false,
                        "message": message,
                        "check_count": validation.check_count,
                    })),
                ));
            }
            Publication::Nothing
        };
        tracing::info!(zone = %zone.name, valid = is_valid, "validation check");
        let zone = if is_valid {
            self.write_zone_row(zone, next, vec![validation.clone()], audit, publication)
                .await?
        } else {
            // A failed check changes no published state (the zone stays pending, its row as it
            // was): only the challenge and the audit are written, at the zone's generation, so
            // the zone's ETag survives the minute-by-minute background re-checks.
            self.write_bookkeeping(zone, vec![validation.clone()], audit)
                .await?
        };
        if is_valid {
            // The template the zone was created with, now that it is live (issue 10 item 2).
            self.apply_pending_template(ctx, &zone).await?;
        }
        Ok(CheckResult {
            is_valid,
            message,
            validation,
            zone,
        })
    }

    /// Marks an open challenge past its expiry as expired (applied lazily on read and check;
    /// the worker also sweeps them).
    fn with_expiry_applied(
        &self,
        mut v: Validation,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Validation {
        if v.status.is_open() && now >= v.expires_at {
            v.status = ValidationStatus::Expired;
        }
        v
    }

    async fn pending_zone(&self, ctx: &OpContext, zone_id: ZoneId) -> Result<Zone> {
        let zone = self
            .authorized_zone(ctx, Permission::DOMAINS_UPDATE, zone_id, false)
            .await?;
        if zone.status != ZoneStatus::PendingValidation {
            return Err(Error::conflict(
                "zone_not_pending",
                format!("the zone is {} and needs no validation", zone.status),
            ));
        }
        Ok(zone)
    }
}

fn no_validation() -> Error {
    Error::new(
        ErrorKind::NotFound,
        "no_validation",
        "the zone has no open validation challenge",
    )
}
