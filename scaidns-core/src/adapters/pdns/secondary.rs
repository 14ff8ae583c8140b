//! Secondary zones in PowerDNS: a `Slave` zone with `masters`, its TSIG key through the TSIG
//! key API and bound to the zone as `slave_tsig_key_ids` (PowerDNS stores that as the
//! zone's `AXFR-MASTER-TSIG` metadata, which the metadata endpoint cannot write), and its
//! transfer state from the zone's `serial` and `last_check`.
//!
//! PowerDNS must run with `secondary=yes` for the zone to be transferred at all.

use chrono::{DateTime, Utc};
use reqwest::Method;
use serde::{Deserialize, Serialize};

use super::{PowerDnsBackend, zone_id};
use crate::name::ZoneName;
use crate::ports::backend::{BackendError, BackendErrorKind, SecondarySpec};
use crate::zone::secondary::{TransferState, TsigKey};

/// `POST /zones` and `PUT /zones/{id}` body of a secondary zone (no rrsets, no nameservers).
#[derive(Debug, Serialize)]
struct SecondaryZone<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    kind: &'static str,
    masters: &'a [String],
    account: &'a str,
    slave_tsig_key_ids: Vec<String>,
}

/// A TSIG key as PowerDNS takes and returns it. Not `Debug`: it carries the secret.
#[derive(Serialize, Deserialize)]
struct PdnsTsigKey {
    name: String,
    algorithm: String,
    #[serde(default)]
    key: String,
}

/// The keys a zone is bound to.
#[derive(Debug, Deserialize)]
struct ZoneKeys {
    #[serde(default)]
    slave_tsig_key_ids: Vec<String>,
}

/// What the transfer state is read from.
#[derive(Debug, Deserialize)]
struct SecondaryZoneState {
    #[serde(default)]
    serial: u32,
    #[serde(default)]
    last_check: i64,
}

impl PowerDnsBackend {
    pub(super) async fn put_secondary_zone(
        &self,
        spec: &SecondarySpec,
    ) -> Result<(), BackendError> {
        let _guard = self.lock(&spec.name).await;
        let key_ids = match &spec.source.tsig {
            Some(key) => vec![self.ensure_tsig_key(&spec.name, key).await?],
            None => Vec::new(),
        };
        let body = SecondaryZone {
            name: Some(spec.name.fqdn()),
            kind: "Slave",
            masters: &spec.source.primaries,
            account: &spec.account,
            slave_tsig_key_ids: key_ids,
        };
        let url = self.client.url(&["zones"], &[("rrsets", "false")]);
        match self.client.send(Method::POST, url, Some(&body)).await {
            Ok(_) => {}
            Err(e) if e.kind == BackendErrorKind::Conflict => {
                let url = self.client.url(&["zones", &zone_id(&spec.name)], &[]);
                let body = SecondaryZone { name: None, ..body };
                self.client.send(Method::PUT, url, Some(&body)).await?;
            }
            Err(e) => return Err(e),
        }
        // The first transfer would otherwise wait for PowerDNS's next refresh cycle.
        if let Err(e) = self.retrieve_now(&spec.name).await {
            tracing::warn!(zone = %spec.name, error = %e, "could not ask PowerDNS for a first transfer");
        }
        Ok(())
    }

    /// Creates or replaces the zone's key under its per-zone name ([`TsigKey::wire_name`]).
    /// The name is this zone's alone (one live zone per name), so replacing it takes nothing
    /// from another zone, whatever name another tenant gave its own key.
    async fn ensure_tsig_key(
        &self,
        zone: &ZoneName,
        key: &TsigKey,
    ) -> Result<String, BackendError> {
        let id = key.wire_name(zone);
        if id.len() > 254 {
            return Err(BackendError::new(
                BackendErrorKind::Rejected,
                format!(
                    "the TSIG key name {id} (the given name, _scaidns and the zone) is longer than a DNS name may be; choose a shorter key name"
                ),
            ));
        }
        let body = PdnsTsigKey {
            name: id.clone(),
            algorithm: key.algorithm.clone(),
            key: key.secret.clone(),
        };
        let url = self.client.url(&["tsigkeys"], &[]);
        match self.client.send(Method::POST, url, Some(&body)).await {
            Ok(_) => return Ok(id),
            Err(e) if e.kind == BackendErrorKind::Conflict => {}
            Err(e) => return Err(e),
        }
        let url = self.client.url(&["tsigkeys", &id], &[]);
        self.client.send(Method::PUT, url, Some(&body)).await?;
        Ok(id)
    }

    /// Deletes the keys made for `zone` (bound to it, under its per-zone names), before the
    /// zone itself goes; a key of any other name is left alone.
    pub(super) async fn delete_zone_tsig_keys(&self, zone: &ZoneName) -> Result<(), BackendError> {
        let url = self
            .client
            .url(&["zones", &zone_id(zone)], &[("rrsets", "false")]);
        let found: ZoneKeys = match self.client.get(url).await {
            Ok(found) => found,
            Err(e) if e.kind == BackendErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e),
        };
        for id in found
            .slave_tsig_key_ids
            .iter()
            // Ids escape `_` as `=5F` (PowerDNS's apiNameToId); the URL takes the id as is.
            .filter(|id| {
                TsigKey::is_wire_name_of(&id.replace("=5F", "_").replace("=5f", "_"), zone)
            })
        {
            let url = self.client.url(&["tsigkeys", id], &[]);
            match self.client.send::<()>(Method::DELETE, url, None).await {
                Err(e) if e.kind != BackendErrorKind::NotFound => return Err(e),
                _ => {}
            }
        }
        Ok(())
    }

    pub(super) async fn read_transfer_state(
        &self,
        zone: &ZoneName,
    ) -> Result<Option<TransferState>, BackendError> {
        let url = self
            .client
            .url(&["zones", &zone_id(zone)], &[("rrsets", "false")]);
        let found: SecondaryZoneState = match self.client.get(url).await {
            Ok(found) => found,
            Err(e) if e.kind == BackendErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        let transferred = found.serial != 0;
        Ok(Some(TransferState {
            serial: transferred.then_some(found.serial),
            last_transfer_at: (found.last_check > 0)
                .then(|| DateTime::<Utc>::from_timestamp(found.last_check, 0))
                .flatten(),
            // PowerDNS does not say why a transfer failed; only that none succeeded.
            last_error: (!transferred).then(|| {
                "no transfer has succeeded yet: the primaries did not answer, refused the \
                 transfer, or rejected the TSIG key"
                    .to_owned()
            }),
        }))
    }

    pub(super) async fn retrieve_now(&self, zone: &ZoneName) -> Result<(), BackendError> {
        let url = self
            .client
            .url(&["zones", &zone_id(zone), "axfr-retrieve"], &[]);
        self.client
            .send::<()>(Method::PUT, url, None)
            .await
            .map(drop)
    }
}
