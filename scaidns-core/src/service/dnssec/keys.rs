//! The effects behind the DNSSEC operations: creating keys in the backend and storing them in
//! one sequence ([`ScaiDns::add_keys_and_save`]), applying a key set's new flags to the backend,
//! and asking the parent for the zone's DS.

use chrono::{DateTime, Utc};
use serde_json::json;

use super::backend::dnssec_backend_error;
use super::{ds_matches, waits_for_ds};
use crate::audit::AuditEvent;
use crate::dnssec::rollover as machine;
use crate::dnssec::{Algorithm, DnssecKey, DsRecord, KeyRole, KeyState, NewKey};
use crate::error::{Error, ErrorKind, Result};
use crate::ids::DnssecKeyId;
use crate::ports::backend::BackendErrorKind;
use crate::ports::dnssec_key_store::DnssecKeyWrite;
use crate::ports::resolver::LookupAnswer;
use crate::record::RecordType;
use crate::service::{OpContext, ScaiDns};
use crate::zone::Zone;
use crate::zone::precondition::IfMatch;

/// The keys of a zone before a change that adds keys, and what the change does with them.
pub(super) struct KeyAddition<'a> {
    /// The zone's keys as read (what the store must still hold when the result is saved).
    pub before: &'a [DnssecKey],
    /// Role and starting state of each key to create, in order.
    pub new: &'a [(KeyRole, KeyState)],
    /// Algorithm of the new keys.
    pub algorithm: Algorithm,
    /// New value of the zone's `dnssec_enabled`, if it changes.
    pub dnssec_enabled: Option<bool>,
    /// The caller's `If-Match`, checked where the new key set commits.
    pub if_match: &'a IfMatch,
}

impl ScaiDns {
    /// Creates the keys `change.new` names in the backend, lets `place` build the zone's new key
    /// set from them (with its audit entry), and stores that set. Backend keys made on the way
    /// are removed again when any later part fails, so a refused step leaves no orphan keys.
    pub(super) async fn add_keys_and_save(
        &self,
        zone: &Zone,
        change: KeyAddition<'_>,
        now: DateTime<Utc>,
        place: impl FnOnce(Vec<DnssecKey>) -> Result<(Vec<DnssecKey>, AuditEvent)>,
    ) -> Result<()> {
        let mut created = Vec::with_capacity(change.new.len());
        for &(role, state) in change.new {
            match self
                .create_key(zone, role, change.algorithm, state, now)
                .await
            {
                Ok(key) => created.push(key),
                Err(e) => {
                    self.discard_keys(zone, &created).await;
                    return Err(e);
                }
            }
        }
        let (after, audit) = match place(created.clone()) {
            Ok(placed) => placed,
            Err(e) => {
                self.discard_keys(zone, &created).await;
                return Err(e);
            }
        };
        if let Err(e) = self
            .save_keys(
                zone,
                change.before,
                &after,
                change.dnssec_enabled,
                vec![audit],
                now,
                change.if_match,
            )
            .await
        {
            self.discard_keys(zone, &created).await;
            return Err(e);
        }
        Ok(())
    }

    /// Creates a key in the backend with the flags `state` needs.
    async fn create_key(
        &self,
        zone: &Zone,
        role: KeyRole,
        algorithm: Algorithm,
        state: KeyState,
        now: DateTime<Utc>,
    ) -> Result<DnssecKey> {
        let (active, published) = crate::dnssec::key::backend_flags(role, state);
        let new = NewKey {
            role,
            algorithm: algorithm.number(),
            bits: algorithm.bits(),
            active,
            published,
        };
        let made = self
            .require_dnssec_keys()?
            .add_key(&zone.name, &new)
            .await
            .map_err(|e| dnssec_backend_error(&e))?;
        Ok(DnssecKey::from_backend(zone.id, role, &made, state, now))
    }

    /// Best-effort removal of keys just created, after a later step failed.
    async fn discard_keys(&self, zone: &Zone, keys: &[DnssecKey]) {
        // Keys were only created through the port, so without it there is nothing to remove.
        let Some(backend) = self.dnssec_key_backend() else {
            return;
        };
        for key in keys {
            if let Err(e) = backend.remove_key(&zone.name, key.backend_id).await {
                tracing::warn!(zone = %zone.name, key = key.backend_id, error = %e, "could not remove an orphaned DNSSEC key; reconcile will report it");
            }
        }
    }

    /// Removes every key the backend holds for the zone (and the stored ones it may have lost).
    pub(super) async fn remove_all_backend_keys(
        &self,
        zone: &Zone,
        stored: &[DnssecKey],
    ) -> Result<()> {
        let backend = self.require_dnssec_keys()?;
        let mut ids: Vec<u32> = backend
            .list_keys(&zone.name)
            .await
            .map_err(|e| dnssec_backend_error(&e))?
            .into_iter()
            .map(|k| k.id)
            .collect();
        ids.extend(stored.iter().map(|k| k.backend_id));
        ids.sort_unstable();
        ids.dedup();
        for id in ids {
            match backend.remove_key(&zone.name, id).await {
                Ok(()) => {}
                Err(e) if e.kind == BackendErrorKind::NotFound => {}
                Err(e) => return Err(dnssec_backend_error(&e)),
            }
        }
        Ok(())
    }

    /// Makes the backend hold `after`'s flags for keys in both sets, and removes the keys
    /// `after` no longer has. New keys were created with their flags already.
    pub(super) async fn apply_flags(
        &self,
        zone: &Zone,
        before: &[DnssecKey],
        after: &[DnssecKey],
    ) -> Result<()> {
        for old in before {
            match after.iter().find(|k| k.id == old.id) {
                Some(new) if new.backend_flags() != old.backend_flags() => {
                    let (active, published) = new.backend_flags();
                    self.require_dnssec_keys()?
                        .set_key_state(&zone.name, new.backend_id, active, published)
                        .await
                        .map_err(|e| dnssec_backend_error(&e))?;
                }
                Some(_) => {}
                None => match self
                    .require_dnssec_keys()?
                    .remove_key(&zone.name, old.backend_id)
                    .await
                {
                    Ok(()) => {}
                    Err(e) if e.kind == BackendErrorKind::NotFound => {}
                    Err(e) => return Err(dnssec_backend_error(&e)),
                },
            }
        }
        Ok(())
    }

    /// Stores `after` in place of `before` (which must still be what the store holds), while
    /// the zone still satisfies `if_match`.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn save_keys(
        &self,
        zone: &Zone,
        before: &[DnssecKey],
        after: &[DnssecKey],
        dnssec_enabled: Option<bool>,
        audit: Vec<AuditEvent>,
        now: DateTime<Utc>,
        if_match: &IfMatch,
    ) -> Result<()> {
        let upsert = after
            .iter()
            .filter(|k| !before.contains(k))
            .cloned()
            .collect();
        let delete = before
            .iter()
            .filter(|k| !after.iter().any(|a| a.id == k.id))
            .map(|k| k.id)
            .collect();
        let _dropped_when_done = self.zone_write(zone.id);
        self.store()
            .write_dnssec_keys(DnssecKeyWrite {
                zone_id: zone.id,
                expected: before.iter().map(|k| k.id).collect(),
                upsert,
                delete,
                dnssec_enabled,
                now,
                audit,
                if_match: if_match.clone(),
            })
            .await
    }

    /// Pre-publishes a new ZSK (API `rotate-zsk`, or the worker at the ZSK's expiry).
    pub(super) async fn start_zsk_rollover(
        &self,
        ctx: &OpContext,
        zone: &Zone,
        keys: Vec<DnssecKey>,
        if_match: &IfMatch,
    ) -> Result<()> {
        if machine::zsk_rolling(&keys) {
            return Err(Error::conflict(
                "rollover_in_progress",
                "a ZSK rollover is already in progress",
            ));
        }
        let algorithm = signing_algorithm(&keys)?;
        let dnskey_ttl = self.max_ttl(zone).await?;
        let policy = self.settings().dnssec.policy;
        let change = KeyAddition {
            before: &keys,
            new: &[(KeyRole::Zsk, KeyState::Published)],
            algorithm,
            dnssec_enabled: None,
            if_match,
        };
        self.add_keys_and_save(zone, change, ctx.now, |created| {
            let new = only_key(created)?;
            let mut after = keys.clone();
            machine::start_zsk_rollover(&mut after, new.clone(), ctx.now, dnskey_ttl, &policy)?;
            let old: Vec<u16> = keys
                .iter()
                .filter(|k| !k.is_ksk() && k.state == KeyState::Active)
                .map(|k| k.key_tag)
                .collect();
            let audit = ctx.audit(
                zone.tenant_id,
                "dnssec.rotate_zsk",
                "domain",
                zone.id,
                Some(zone.name.to_string()),
                Some(json!({"zsk": old})),
                Some(
                    json!({"new_zsk": new.key_tag, "activate_at": new_activation(&after, new.id)}),
                ),
            );
            Ok((after, audit))
        })
        .await
    }

    /// Makes a KSK successor waiting for its DS (API `rotate-ksk`, or the worker at expiry).
    pub(super) async fn start_ksk_rollover(
        &self,
        ctx: &OpContext,
        zone: &Zone,
        keys: Vec<DnssecKey>,
        if_match: &IfMatch,
    ) -> Result<()> {
        if machine::ksk_rolling(&keys) {
            return Err(Error::conflict(
                "rollover_in_progress",
                "a KSK rollover is already in progress",
            ));
        }
        let algorithm = signing_algorithm(&keys)?;
        let change = KeyAddition {
            before: &keys,
            new: &[(KeyRole::Ksk, KeyState::DsPending)],
            algorithm,
            dnssec_enabled: None,
            if_match,
        };
        self.add_keys_and_save(zone, change, ctx.now, |created| {
            let new = only_key(created)?;
            let mut after = keys.clone();
            machine::start_ksk_rollover(&mut after, new.clone(), ctx.now)?;
            let audit = ctx.audit(
                zone.tenant_id,
                "dnssec.rotate_ksk",
                "domain",
                zone.id,
                Some(zone.name.to_string()),
                None,
                Some(json!({"new_ksk": new.key_tag, "ds": new.ds.iter().map(ToString::to_string).collect::<Vec<_>>()})),
            );
            Ok((after, audit))
        })
        .await
    }

    /// Records that key `id`'s DS is at the parent; a double-DS successor then publishes and
    /// signs.
    pub(super) async fn confirm_key(
        &self,
        ctx: &OpContext,
        zone: &Zone,
        keys: Vec<DnssecKey>,
        id: DnssecKeyId,
    ) -> Result<()> {
        let mut after = keys.clone();
        machine::confirm_ds(&mut after, id, ctx.now, &self.settings().dnssec.policy)?;
        self.apply_flags(zone, &keys, &after).await?;
        let tag = after.iter().find(|k| k.id == id).map(|k| k.key_tag);
        let audit = ctx.audit(
            zone.tenant_id,
            "dnssec.confirm_ds",
            "domain",
            zone.id,
            Some(zone.name.to_string()),
            None,
            Some(json!({"key_tag": tag})),
        );
        self.save_keys(
            zone,
            &keys,
            &after,
            None,
            vec![audit],
            ctx.now,
            &IfMatch::Any,
        )
        .await
    }

    /// The DS records the parent publishes for the zone, through the configured resolvers.
    pub(super) async fn parent_ds(&self, zone: &Zone) -> Result<Vec<DsRecord>> {
        let resolvers = &self.config().validation.resolvers;
        if resolvers.is_empty() {
            return Err(Error::conflict(
                "ds_check_unavailable",
                "No resolvers are configured (VALIDATION_RESOLVERS), so the DS at the parent cannot be checked",
            ));
        }
        match self
            .resolver()
            .lookup(resolvers, zone.name.fqdn(), RecordType::DS)
            .await
        {
            Ok(LookupAnswer::Records(found)) => {
                Ok(found.iter().filter_map(|d| DsRecord::parse(d)).collect())
            }
            Ok(LookupAnswer::NoData | LookupAnswer::NxDomain) => Ok(Vec::new()),
            Err(e) => Err(Error::new(
                ErrorKind::Upstream,
                "ds_lookup_failed",
                format!("the DS of {} could not be looked up: {e}", zone.name),
            )),
        }
    }

    /// Refuses to unsign a zone whose DS the parent still publishes.
    pub(super) async fn refuse_while_ds_published(
        &self,
        zone: &Zone,
        keys: &[DnssecKey],
    ) -> Result<()> {
        let never_confirmed = keys.iter().all(|k| k.ds_confirmed_at.is_none());
        let found = match self.parent_ds(zone).await {
            Ok(found) => found,
            // Without resolvers a DS that was never confirmed is taken as never published.
            Err(e) if e.code() == "ds_check_unavailable" && never_confirmed => Vec::new(),
            Err(e) => {
                return Err(Error::conflict(
                    "ds_still_published",
                    format!(
                        "{} Remove the DS at the registrar first, or disable with ?force=true.",
                        e.message()
                    ),
                ));
            }
        };
        if found.is_empty() {
            return Ok(());
        }
        let tags: Vec<String> = found.iter().map(|d| d.key_tag.to_string()).collect();
        Err(Error::conflict(
            "ds_still_published",
            format!(
                "The parent of {} still publishes a DS record (key tag {}): validating resolvers would fail the domain once it is unsigned. Remove the DS at the registrar, wait for its TTL, then disable again, or disable with ?force=true.",
                zone.name,
                tags.join(", ")
            ),
        ))
    }

    /// Whether the parent holds a DS for a KSK waiting for it; `Ok(None)` when none waits.
    pub(super) async fn ds_seen_for(
        &self,
        zone: &Zone,
        keys: &[DnssecKey],
    ) -> Result<Option<DnssecKeyId>> {
        let waiting: Vec<&DnssecKey> = keys.iter().filter(|k| waits_for_ds(k)).collect();
        if waiting.is_empty() {
            return Ok(None);
        }
        let found = self.parent_ds(zone).await?;
        // The newest waiting key first: a successor's DS matters more than an old key's.
        Ok(waiting
            .iter()
            .rev()
            .find(|k| ds_matches(k, &found))
            .map(|k| k.id))
    }
}

fn signing_algorithm(keys: &[DnssecKey]) -> Result<Algorithm> {
    let number = keys
        .iter()
        .find(|k| k.is_signing())
        .or_else(|| keys.first())
        .map_or(13, |k| k.algorithm);
    Algorithm::from_number(i64::from(number), "algorithm").map_err(|_| {
        Error::internal(format!(
            "the zone is signed with algorithm {number}, which ScaiDNS does not roll"
        ))
    })
}

fn new_activation(keys: &[DnssecKey], id: DnssecKeyId) -> Option<DateTime<Utc>> {
    keys.iter().find(|k| k.id == id).and_then(|k| k.activate_at)
}

/// The one key a single-key addition created.
fn only_key(created: Vec<DnssecKey>) -> Result<DnssecKey> {
    created
        .into_iter()
        .next()
        .ok_or_else(|| Error::internal("a key addition created no key"))
}
