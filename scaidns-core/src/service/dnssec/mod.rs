//! DNSSEC operations (spec §10, interface decision 23): status, enable, disable, ZSK and KSK
//! rotation, and the DS hand-off to the parent.
//!
//! PowerDNS signs; ScaiDNS creates separate KSK and ZSK through the cryptokeys API (a zone's
//! `dnssec: true` alone would make one CSK) and keeps their public metadata and rollover state.
//! Every operation changes the backend first and then stores the keys with their audit entries;
//! a step whose store write fails is found again by the worker (the keys in the store still say
//! it is due), and `reconcile` reports keys the backend holds that the store does not know.
//! DNSSEC calls need the backend: unlike record writes they are not queued when it is down.

mod backend;
mod keys;
mod rollover;

use chrono::Duration;
use serde_json::json;

use crate::dnssec::KeyRole;
use crate::dnssec::key::zone_status;
use crate::dnssec::rollover::{self as machine, RolloverPolicy};
use crate::dnssec::{Algorithm, DnssecKey, DnssecStatus, DsRecord, KeyState};
use crate::error::{Error, Result};
use crate::ids::ZoneId;
use crate::rbac::Permission;
use crate::service::{OpContext, ScaiDns};
use crate::zone::precondition::IfMatch;
use crate::zone::{Zone, ZoneStatus};
use keys::KeyAddition;

pub use rollover::RolloverReport;
pub use rollover::system_context_for;

/// DNSSEC settings of the platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DnssecConfig {
    /// Algorithm used when `enable` names none (`DNSSEC_DEFAULT_ALGORITHM`, 13).
    pub default_algorithm: Algorithm,
    /// Lifetimes and waits.
    pub policy: RolloverPolicy,
}

impl Default for DnssecConfig {
    fn default() -> Self {
        Self {
            default_algorithm: Algorithm::EcdsaP256Sha256,
            policy: RolloverPolicy::default(),
        }
    }
}

/// A zone's DNSSEC state as the API shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct DnssecState {
    /// The zone.
    pub zone: Zone,
    /// Status derived from the keys.
    pub status: DnssecStatus,
    /// The zone's keys, oldest first.
    pub keys: Vec<DnssecKey>,
}

impl DnssecState {
    fn new(zone: Zone, keys: Vec<DnssecKey>) -> Self {
        Self {
            zone,
            status: zone_status(&keys),
            keys,
        }
    }

    /// Whether the zone is signed.
    pub fn enabled(&self) -> bool {
        !self.keys.is_empty()
    }

    /// Algorithm of the signing keys.
    pub fn algorithm(&self) -> Option<u8> {
        self.keys
            .iter()
            .find(|k| k.is_signing())
            .map(|k| k.algorithm)
    }

    /// Key-signing keys.
    pub fn ksks(&self) -> impl Iterator<Item = &DnssecKey> {
        self.keys.iter().filter(|k| k.is_ksk())
    }

    /// Zone-signing keys.
    pub fn zsks(&self) -> impl Iterator<Item = &DnssecKey> {
        self.keys.iter().filter(|k| !k.is_ksk())
    }

    /// The DS records the parent should hold now: those of every KSK that is not leaving.
    pub fn ds_records(&self) -> Vec<DsRecord> {
        self.ksks()
            .filter(|k| k.state != KeyState::Retired)
            .flat_map(|k| k.ds.iter().cloned())
            .collect()
    }
}

impl ScaiDns {
    /// The zone's DNSSEC state.
    pub async fn dnssec_get(&self, ctx: &OpContext, zone_id: ZoneId) -> Result<DnssecState> {
        ctx.require(Permission::DNSSEC_READ)?;
        let zone = self
            .dnssec_zone(ctx, Permission::DNSSEC_READ, zone_id)
            .await?;
        let keys = self.store().list_dnssec_keys(zone.id).await?;
        Ok(DnssecState::new(zone, keys))
    }

    /// Signs the zone with a new KSK and ZSK of `algorithm` (default from the configuration).
    pub async fn dnssec_enable(
        &self,
        ctx: &OpContext,
        zone_id: ZoneId,
        algorithm: Option<i64>,
        if_match: &IfMatch,
    ) -> Result<DnssecState> {
        ctx.require(Permission::DNSSEC_ENABLE)?;
        let zone = self
            .dnssec_zone(ctx, Permission::DNSSEC_ENABLE, zone_id)
            .await?;
        if_match.check(zone.generation)?;
        if zone.is_secondary() {
            // Signing belongs with the content: the primary signs and the transfer carries
            // the signatures (docs/decisions.md, issue 10 item 3).
            return Err(Error::conflict(
                "zone_is_secondary",
                "a secondary zone is signed by its primary: enable DNSSEC there",
            ));
        }
        let algorithm = match algorithm {
            Some(n) => Algorithm::from_number(n, "algorithm")?,
            None => self.config().dnssec.default_algorithm,
        };
        if !self.store().list_dnssec_keys(zone.id).await?.is_empty() {
            return Err(Error::conflict(
                "dnssec_already_enabled",
                "DNSSEC is already enabled for this domain",
            ));
        }
        if let Some(recorder) = ctx.planning_into() {
            // The backend makes the keys: their tags are not known before it does.
            let audit = enable_audit(ctx, &zone, algorithm, None);
            return Ok(planned_signing(recorder, ctx, zone, true, audit));
        }
        let policy = self.settings().dnssec.policy;
        let change = KeyAddition {
            before: &[],
            new: &[
                (KeyRole::Ksk, KeyState::Active),
                (KeyRole::Zsk, KeyState::Active),
            ],
            algorithm,
            dnssec_enabled: Some(true),
            if_match,
        };
        self.add_keys_and_save(&zone, change, ctx.now, |created| {
            let [mut ksk, mut zsk] = <[DnssecKey; 2]>::try_from(created)
                .map_err(|_| Error::internal("enabling DNSSEC did not create two keys"))?;
            machine::enable(&mut ksk, &mut zsk, ctx.now, &policy);
            let audit = enable_audit(ctx, &zone, algorithm, Some((&ksk, &zsk)));
            Ok((vec![ksk, zsk], audit))
        })
        .await?;
        self.dnssec_state(zone.id).await
    }

    /// Removes every key: the zone is served unsigned. Refused while a DS is still published at
    /// the parent (validating resolvers would then fail the zone) unless `force`.
    pub async fn dnssec_disable(
        &self,
        ctx: &OpContext,
        zone_id: ZoneId,
        force: bool,
        if_match: &IfMatch,
    ) -> Result<DnssecState> {
        ctx.require(Permission::DNSSEC_DISABLE)?;
        let zone = self
            .dnssec_zone(ctx, Permission::DNSSEC_DISABLE, zone_id)
            .await?;
        if_match.check(zone.generation)?;
        let keys = self.signed_keys(&zone).await?;
        if !force {
            self.refuse_while_ds_published(&zone, &keys).await?;
        }
        // The DS lookup takes a while, and the backend's keys cannot be put back: a zone write
        // that landed meanwhile is refused here, before they are removed (and again at the
        // commit, for one landing after this). A plan predicts the same answer.
        if let Some(now) = self.store().get_zone(zone.id).await? {
            if_match.check(now.generation)?;
        }
        let audit = ctx.audit(
            zone.tenant_id,
            "dnssec.disable",
            "domain",
            zone.id,
            Some(zone.name.to_string()),
            Some(json!({"key_tags": keys.iter().map(|k| k.key_tag).collect::<Vec<_>>()})),
            Some(json!({"force": force})),
        );
        if let Some(recorder) = ctx.planning_into() {
            return Ok(planned_signing(recorder, ctx, zone, false, audit));
        }
        self.remove_all_backend_keys(&zone, &keys).await?;
        self.save_keys(
            &zone,
            &keys,
            &[],
            Some(false),
            vec![audit],
            ctx.now,
            if_match,
        )
        .await?;
        self.dnssec_state(zone.id).await
    }

    /// Starts a ZSK pre-publish rollover: the new ZSK is published now and signs after the
    /// DNSKEY TTL plus the overlap; the worker finishes it.
    pub async fn dnssec_rotate_zsk(
        &self,
        ctx: &OpContext,
        zone_id: ZoneId,
        if_match: &IfMatch,
    ) -> Result<DnssecState> {
        ctx.require(Permission::DNSSEC_ROTATE)?;
        let zone = self
            .dnssec_zone(ctx, Permission::DNSSEC_ROTATE, zone_id)
            .await?;
        if_match.check(zone.generation)?;
        let keys = self.signed_keys(&zone).await?;
        self.start_zsk_rollover(ctx, &zone, keys, if_match).await?;
        self.dnssec_state(zone.id).await
    }

    /// Starts a KSK double-DS rollover: the new KSK's DS is handed out now; the new key
    /// publishes and signs once that DS is seen at the parent.
    pub async fn dnssec_rotate_ksk(
        &self,
        ctx: &OpContext,
        zone_id: ZoneId,
        if_match: &IfMatch,
    ) -> Result<DnssecState> {
        ctx.require(Permission::DNSSEC_ROTATE)?;
        let zone = self
            .dnssec_zone(ctx, Permission::DNSSEC_ROTATE, zone_id)
            .await?;
        if_match.check(zone.generation)?;
        let keys = self.signed_keys(&zone).await?;
        self.start_ksk_rollover(ctx, &zone, keys, if_match).await?;
        self.dnssec_state(zone.id).await
    }

    /// Confirms that the parent publishes the DS of a KSK waiting for it (the one with
    /// `key_tag`, else the newest): the DS is looked up through the configured resolvers and
    /// only a match is accepted.
    pub async fn dnssec_confirm_ds(
        &self,
        ctx: &OpContext,
        zone_id: ZoneId,
        key_tag: Option<i64>,
    ) -> Result<DnssecState> {
        let zone = self.visible_zone(ctx, zone_id, false).await?;
        let keys = self.store().list_dnssec_keys(zone.id).await?;
        let permission = if machine::ksk_rolling(&keys) {
            Permission::DNSSEC_ROTATE
        } else {
            Permission::DNSSEC_ENABLE
        };
        ctx.require(permission)?;
        self.authorize(ctx, permission, crate::service::authz::zone_target(&zone))
            .await?;
        require_active(&zone)?;
        if keys.is_empty() {
            return Err(not_enabled());
        }
        let waiting: Vec<&DnssecKey> = keys.iter().filter(|k| waits_for_ds(k)).collect();
        let key = match key_tag {
            Some(tag) => waiting
                .iter()
                .find(|k| i64::from(k.key_tag) == tag)
                .copied()
                .ok_or_else(|| {
                    Error::invalid(
                        "key_tag",
                        format!("no KSK of this domain with key tag {tag} is waiting for its DS"),
                    )
                })?,
            None => waiting
                .iter()
                .rev()
                .find(|k| k.state == KeyState::DsPending)
                .or_else(|| waiting.last())
                .copied()
                .ok_or_else(|| {
                    Error::conflict(
                        "no_ds_pending",
                        "no KSK of this domain is waiting for its DS to be confirmed",
                    )
                })?,
        };
        let found = self.parent_ds(&zone).await?;
        if !ds_matches(key, &found) {
            return Err(Error::conflict(
                "ds_not_found",
                format!(
                    "No DS record for key tag {} was found at the parent of {}; publish the DS at your registrar and retry",
                    key.key_tag, zone.name
                ),
            ));
        }
        self.confirm_key(ctx, &zone, keys.clone(), key.id).await?;
        self.dnssec_state(zone.id).await
    }

    /// A zone on which the caller holds `permission`, which must be active for any DNSSEC
    /// call.
    async fn dnssec_zone(
        &self,
        ctx: &OpContext,
        permission: Permission,
        zone_id: ZoneId,
    ) -> Result<Zone> {
        let zone = self
            .authorized_zone(ctx, permission, zone_id, false)
            .await?;
        require_active(&zone)?;
        Ok(zone)
    }

    async fn signed_keys(&self, zone: &Zone) -> Result<Vec<DnssecKey>> {
        let keys = self.store().list_dnssec_keys(zone.id).await?;
        if keys.is_empty() {
            return Err(not_enabled());
        }
        Ok(keys)
    }

    async fn dnssec_state(&self, zone_id: ZoneId) -> Result<DnssecState> {
        let zone = self
            .store()
            .get_zone(zone_id)
            .await?
            .ok_or_else(|| Error::not_found("Domain not found"))?;
        let keys = self.store().list_dnssec_keys(zone_id).await?;
        Ok(DnssecState::new(zone, keys))
    }

    /// The longest TTL in the zone: how long signatures and DNSKEY sets may stay cached.
    async fn max_ttl(&self, zone: &Zone) -> Result<Duration> {
        let records = self.zone_records(zone).await?;
        let longest = records
            .iter()
            .map(|r| r.ttl.seconds())
            .chain([zone.default_ttl.seconds()])
            .max()
            .unwrap_or_default();
        Ok(Duration::seconds(i64::from(longest)))
    }
}

fn require_active(zone: &Zone) -> Result<()> {
    if zone.status == ZoneStatus::Active {
        Ok(())
    } else {
        Err(Error::conflict(
            "zone_not_active",
            format!("DNSSEC needs an active domain; this one is {}", zone.status),
        ))
    }
}

fn not_enabled() -> Error {
    Error::conflict(
        "dnssec_not_enabled",
        "DNSSEC is not enabled for this domain",
    )
}

/// A KSK whose DS has not been seen at the parent yet.
fn waits_for_ds(key: &DnssecKey) -> bool {
    key.is_ksk()
        && (key.state == KeyState::DsPending
            || (key.state == KeyState::Active && key.ds_confirmed_at.is_none()))
}

/// Whether the parent's DS set holds one of `key`'s DS records (tag, algorithm and digest).
fn ds_matches(key: &DnssecKey, parent: &[DsRecord]) -> bool {
    parent.iter().any(|p| {
        key.ds.iter().any(|d| {
            d.key_tag == p.key_tag
                && d.algorithm == p.algorithm
                && d.digest_type == p.digest_type
                && d.digest.eq_ignore_ascii_case(&p.digest)
        })
    })
}

/// The audit entry of `dnssec_enable`; `keys` (KSK, ZSK) unknown in a plan.
fn enable_audit(
    ctx: &OpContext,
    zone: &Zone,
    algorithm: Algorithm,
    keys: Option<(&DnssecKey, &DnssecKey)>,
) -> crate::audit::AuditEvent {
    let (ksk, zsk) = keys.map_or((None, None), |(k, z)| (Some(k.key_tag), Some(z.key_tag)));
    ctx.audit(
        zone.tenant_id,
        "dnssec.enable",
        "domain",
        zone.id,
        Some(zone.name.to_string()),
        None,
        Some(json!({"algorithm": algorithm.number(), "ksk": ksk, "zsk": zsk})),
    )
}

/// A plan's stop point for signing on or off (`service::plans`): the zone row's flag and
/// generation step, and the audit entry; the backend's keys are not part of a plan.
fn planned_signing(
    recorder: &crate::service::plans::PlanRecorder,
    ctx: &OpContext,
    zone: Zone,
    enabled: bool,
    audit: crate::audit::AuditEvent,
) -> DnssecState {
    let after = Zone {
        dnssec_enabled: enabled,
        updated_at: ctx.now,
        ..zone.clone()
    };
    let write = crate::service::zones::row_write(&zone, after, Vec::new(), vec![audit]);
    let state = DnssecState::new(write.zone.clone(), Vec::new());
    recorder.record(Some(zone), write, false);
    state
}
