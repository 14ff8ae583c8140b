//! The worker's side of the rollover machine: for each signed zone, apply whatever
//! [`crate::dnssec::rollover::due_steps`] says is due, one step at a time, as the system actor.

use serde_json::json;

use crate::dnssec::rollover::{self as machine, Step};
use crate::error::Result;
use crate::service::{Actor, OpContext, ScaiDns};
use crate::zone::precondition::IfMatch;
use crate::zone::{Zone, ZoneStatus};

/// Bound on steps per zone and run: a rollover never needs more than a few at one instant.
const MAX_STEPS_PER_ZONE: usize = 8;

/// What a rollover pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RolloverReport {
    /// `(zone, action)` for every step applied, e.g. `("example.com", "dnssec.zsk_activated")`.
    pub steps: Vec<(String, String)>,
    /// `(zone, error)` for zones whose step failed (retried on the next run).
    pub failures: Vec<(String, String)>,
}

impl ScaiDns {
    /// Applies every due rollover step of every signed zone.
    pub async fn dnssec_run_rollovers(&self) -> Result<RolloverReport> {
        let mut report = RolloverReport::default();
        for zone_id in self.store().zones_with_dnssec_keys().await? {
            let Some(zone) = self.store().get_zone(zone_id).await? else {
                continue;
            };
            if zone.status != ZoneStatus::Active {
                continue;
            }
            if let Err(e) = self.roll_zone(&zone, &mut report).await {
                tracing::warn!(zone = %zone.name, error = %e, "DNSSEC rollover step failed");
                report
                    .failures
                    .push((zone.name.to_string(), e.message().to_owned()));
            }
        }
        Ok(report)
    }

    async fn roll_zone(&self, zone: &Zone, report: &mut RolloverReport) -> Result<()> {
        for _ in 0..MAX_STEPS_PER_ZONE {
            let ctx = self.system_context(zone);
            let keys = self.store().list_dnssec_keys(zone.id).await?;
            let mut applied = None;
            for step in machine::due_steps(&keys, ctx.now) {
                applied = self.apply_step(&ctx, zone, keys.clone(), step).await?;
                if applied.is_some() {
                    break;
                }
            }
            match applied {
                Some(action) => report.steps.push((zone.name.to_string(), action)),
                None => return Ok(()),
            }
        }
        Ok(())
    }

    /// Applies one step; `None` when it could not proceed yet (a DS not at the parent).
    async fn apply_step(
        &self,
        ctx: &OpContext,
        zone: &Zone,
        keys: Vec<crate::dnssec::DnssecKey>,
        step: Step,
    ) -> Result<Option<String>> {
        let policy = self.settings().dnssec.policy;
        match step {
            Step::ActivateZsk { key } => {
                let mut after = keys.clone();
                let max_ttl = self.max_ttl(zone).await?;
                machine::activate_zsk(&mut after, key, ctx.now, max_ttl, &policy)?;
                self.apply_flags(zone, &keys, &after).await?;
                let tag = after.iter().find(|k| k.id == key).map(|k| k.key_tag);
                let audit = self.step_audit(ctx, zone, "dnssec.zsk_activated", tag);
                self.save_keys(
                    zone,
                    &keys,
                    &after,
                    None,
                    vec![audit],
                    ctx.now,
                    &IfMatch::Any,
                )
                .await?;
                Ok(Some("dnssec.zsk_activated".to_owned()))
            }
            Step::RemoveKey { key } => {
                let mut after = keys.clone();
                machine::remove(&mut after, key);
                self.apply_flags(zone, &keys, &after).await?;
                let tag = keys.iter().find(|k| k.id == key).map(|k| k.key_tag);
                let audit = self.step_audit(ctx, zone, "dnssec.key_removed", tag);
                self.save_keys(
                    zone,
                    &keys,
                    &after,
                    None,
                    vec![audit],
                    ctx.now,
                    &IfMatch::Any,
                )
                .await?;
                Ok(Some("dnssec.key_removed".to_owned()))
            }
            Step::StartZskRollover { .. } => {
                self.start_zsk_rollover(ctx, zone, keys, &IfMatch::Any)
                    .await?;
                Ok(Some("dnssec.rotate_zsk".to_owned()))
            }
            Step::StartKskRollover { .. } => {
                self.start_ksk_rollover(ctx, zone, keys, &IfMatch::Any)
                    .await?;
                Ok(Some("dnssec.rotate_ksk".to_owned()))
            }
            Step::CheckDs { .. } => {
                // No resolvers, or a failed lookup: wait for the next run (or a manual confirm).
                let seen = match self.ds_seen_for(zone, &keys).await {
                    Ok(seen) => seen,
                    Err(e) => {
                        tracing::debug!(zone = %zone.name, error = %e, "DS check skipped");
                        None
                    }
                };
                match seen {
                    Some(id) => {
                        self.confirm_key(ctx, zone, keys, id).await?;
                        Ok(Some("dnssec.confirm_ds".to_owned()))
                    }
                    None => Ok(None),
                }
            }
        }
    }

    fn step_audit(
        &self,
        ctx: &OpContext,
        zone: &Zone,
        action: &str,
        key_tag: Option<u16>,
    ) -> crate::audit::AuditEvent {
        ctx.audit(
            zone.tenant_id,
            action,
            "domain",
            zone.id,
            Some(zone.name.to_string()),
            None,
            Some(json!({"key_tag": key_tag})),
        )
    }

    /// The context of work ScaiDNS does on its own behalf for `zone`.
    pub(crate) fn system_context(&self, zone: &Zone) -> OpContext {
        system_context_for(zone.tenant_id, self.clock().now())
    }
}

/// A context for work ScaiDNS does itself (worker, operator commands, tests) in `tenant` at
/// `now`: the system actor, which may do everything.
pub fn system_context_for(
    tenant: crate::ids::TenantId,
    now: chrono::DateTime<chrono::Utc>,
) -> OpContext {
    OpContext {
        actor: Actor::System,
        tenant_id: tenant,
        request_id: None,
        ip: None,
        user_agent: None,
        now,
        authz: Default::default(),
        plan: None,
    }
}
