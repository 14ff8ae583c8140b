//! DNSSEC keys through the PowerDNS cryptokeys API: the [`DnssecKeyBackend`] side of the
//! adapter. Writes take the same per-zone lock as zone writes, since PowerDNS rectifies the
//! zone when its keys change.

use async_trait::async_trait;
use reqwest::Method;
use tracing::debug;

use super::types;
use super::{PowerDnsBackend, zone_id};
use crate::dnssec::{BackendKey, KeyRole, NewKey};
use crate::name::ZoneName;
use crate::ports::backend::{BackendError, BackendErrorKind};
use crate::ports::dnssec_keys::DnssecKeyBackend;

impl PowerDnsBackend {
    fn key_url(&self, zone: &ZoneName, key_id: Option<u32>) -> reqwest::Url {
        let id = zone_id(zone);
        match key_id {
            Some(key) => self
                .client
                .url(&["zones", &id, "cryptokeys", &key.to_string()], &[]),
            None => self.client.url(&["zones", &id, "cryptokeys"], &[]),
        }
    }
}

#[async_trait]
impl DnssecKeyBackend for PowerDnsBackend {
    async fn list_keys(&self, zone: &ZoneName) -> Result<Vec<BackendKey>, BackendError> {
        let keys: Vec<types::Cryptokey> = self.client.get(self.key_url(zone, None)).await?;
        Ok(keys
            .into_iter()
            .filter_map(|key| backend_key(zone, key))
            .collect())
    }

    async fn add_key(&self, zone: &ZoneName, key: &NewKey) -> Result<BackendKey, BackendError> {
        let _guard = self.lock(zone).await;
        let body = types::NewCryptokey {
            keytype: match key.role {
                KeyRole::Ksk => "ksk",
                KeyRole::Zsk => "zsk",
                KeyRole::Csk => "csk",
            },
            active: key.active,
            published: key.published,
            algorithm: key.algorithm,
            // Only RSA takes a size; PowerDNS refuses a size that does not match a curve.
            bits: key.bits.filter(|_| matches!(key.algorithm, 5 | 7 | 8 | 10)),
        };
        let reply = self
            .client
            .send(Method::POST, self.key_url(zone, None), Some(&body))
            .await?;
        let created: types::Cryptokey = reply.json()?;
        backend_key(zone, created).ok_or_else(|| {
            BackendError::new(
                BackendErrorKind::Unavailable,
                "PowerDNS returned a key of an unknown type",
            )
        })
    }

    async fn set_key_state(
        &self,
        zone: &ZoneName,
        key_id: u32,
        active: bool,
        published: bool,
    ) -> Result<(), BackendError> {
        let _guard = self.lock(zone).await;
        let body = types::CryptokeyState { active, published };
        self.client
            .send(Method::PUT, self.key_url(zone, Some(key_id)), Some(&body))
            .await
            .map(drop)
    }

    async fn remove_key(&self, zone: &ZoneName, key_id: u32) -> Result<(), BackendError> {
        let _guard = self.lock(zone).await;
        self.client
            .send::<()>(Method::DELETE, self.key_url(zone, Some(key_id)), None)
            .await
            .map(drop)
    }
}

/// PowerDNS's `keytype` describes the key's current use, not how it was made: a lone active
/// SEP key is `csk`, and so is an inactive ZSK beside it. A key without the SEP flag (256) is a
/// ZSK whatever the report says; a SEP key is a KSK beside an active ZSK and a CSK alone.
fn backend_key(zone: &ZoneName, key: types::Cryptokey) -> Option<BackendKey> {
    let role = match key.keytype.to_ascii_lowercase().as_str() {
        _ if key.flags == Some(256) => KeyRole::Zsk,
        "ksk" => KeyRole::Ksk,
        "zsk" => KeyRole::Zsk,
        "csk" => KeyRole::Csk,
        other => {
            debug!(zone = %zone, key = key.id, keytype = other, "skipping a key of an unknown type");
            return None;
        }
    };
    let algorithm = types::algorithm_number(&key.algorithm).unwrap_or_else(|| {
        debug!(zone = %zone, key = key.id, algorithm = %key.algorithm, "unknown DNSSEC algorithm mnemonic");
        0
    });
    Some(BackendKey {
        id: key.id,
        role,
        active: key.active,
        published: key.published,
        algorithm,
        bits: key.bits,
        dnskey: key.dnskey,
        // PowerDNS hands out DS for a ZSK it reports as `csk`; a DS belongs to a SEP key only.
        ds: if role == KeyRole::Zsk {
            Vec::new()
        } else {
            key.ds
                .into_iter()
                .filter(|ds| types::ds_digest_wanted(ds))
                .collect()
        },
    })
}
