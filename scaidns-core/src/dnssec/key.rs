//! What ScaiDNS keeps about each DNSSEC key (never the private key), the DS records handed to
//! registrars, and the zone status (spec §10.2) derived from the keys.

use base64::Engine;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::dnssec::{BackendKey, KeyRole};
use crate::ids::{DnssecKeyId, ZoneId};
use crate::string_enum::string_enum;

string_enum!(
    /// Where a key is in its life.
    KeyState {
        /// A new KSK of a double-DS rollover: exists in the backend, neither published nor
        /// signing, until its DS is seen at the parent.
        DsPending => "ds_pending",
        /// A new ZSK of a pre-publish rollover: its DNSKEY is published, it does not sign yet.
        Published => "published",
        /// Published and signing.
        Active => "active",
        /// Leaving: a ZSK stays published without signing, a KSK keeps signing the DNSKEY
        /// set, until `retire_at`, when it is removed.
        Retired => "retired",
    }
);

string_enum!(
    /// A zone's DNSSEC status (spec §10.2).
    DnssecStatus {
        /// Unsigned.
        Disabled => "disabled",
        /// Signed; waiting for the DS to appear at the parent.
        PendingDs => "pending_ds",
        /// Signed and the DS is at the parent.
        Active => "active",
        /// A new KSK waits for its DS at the parent.
        RotatingKsk => "rotating_ksk",
        /// A ZSK rollover is under way.
        RotatingZsk => "rotating_zsk",
    }
);

/// One DS record (RFC 4034 §5) in presentation form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DsRecord {
    /// Key tag of the DNSKEY it points at.
    pub key_tag: u16,
    /// Algorithm of that key.
    pub algorithm: u8,
    /// 2 (SHA-256, RFC 4509) or 4 (SHA-384, RFC 6605).
    pub digest_type: u8,
    /// Lowercase hex digest.
    pub digest: String,
}

impl DsRecord {
    /// Parses `<tag> <alg> <digest type> <hex>`; `None` when malformed.
    pub fn parse(text: &str) -> Option<Self> {
        let mut parts = text.split_whitespace();
        let key_tag = parts.next()?.parse().ok()?;
        let algorithm = parts.next()?.parse().ok()?;
        let digest_type = parts.next()?.parse().ok()?;
        let digest: String = parts.collect::<String>().to_ascii_lowercase();
        if digest.is_empty() || !digest.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        Some(Self {
            key_tag,
            algorithm,
            digest_type,
            digest,
        })
    }

    /// Whether this digest type is one ScaiDNS hands out (SHA-256, SHA-384; SHA-1 is not
    /// recommended by RFC 8624 §3.3).
    pub fn is_offered(&self) -> bool {
        matches!(self.digest_type, 2 | 4)
    }
}

impl std::fmt::Display for DsRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {} {} {}",
            self.key_tag, self.algorithm, self.digest_type, self.digest
        )
    }
}

/// The key tag of a DNSKEY in presentation form (`<flags> <protocol> <alg> <base64>`),
/// computed as RFC 4034 Appendix B says; `None` when the text is malformed.
pub fn key_tag(dnskey: &str) -> Option<u16> {
    let mut parts = dnskey.split_whitespace();
    let flags: u16 = parts.next()?.parse().ok()?;
    let protocol: u8 = parts.next()?.parse().ok()?;
    let algorithm: u8 = parts.next()?.parse().ok()?;
    let key: String = parts.collect();
    let public = base64::engine::general_purpose::STANDARD
        .decode(key.as_bytes())
        .ok()?;
    let mut rdata = Vec::with_capacity(4 + public.len());
    rdata.extend_from_slice(&flags.to_be_bytes());
    rdata.push(protocol);
    rdata.push(algorithm);
    rdata.extend_from_slice(&public);
    let mut acc: u32 = 0;
    for (i, byte) in rdata.iter().enumerate() {
        acc += if i % 2 == 0 {
            u32::from(*byte) << 8
        } else {
            u32::from(*byte)
        };
    }
    acc += (acc >> 16) & 0xFFFF;
    u16::try_from(acc & 0xFFFF).ok()
}

/// A DNSSEC key as ScaiDNS tracks it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DnssecKey {
    /// Id.
    pub id: DnssecKeyId,
    /// Zone.
    pub zone_id: ZoneId,
    /// KSK or ZSK.
    pub role: KeyRole,
    /// The backend's id of the key (PowerDNS cryptokey id).
    pub backend_id: u32,
    /// Algorithm number.
    pub algorithm: u8,
    /// Key size in bits.
    pub bits: u32,
    /// Key tag (RFC 4034 Appendix B).
    pub key_tag: u16,
    /// DNSKEY RDATA in presentation form (public key only).
    pub dnskey: String,
    /// DS records of a KSK (SHA-256 and SHA-384); empty for a ZSK.
    pub ds: Vec<DsRecord>,
    /// Lifecycle state.
    pub state: KeyState,
    /// When the DS was seen at the parent (KSK).
    pub ds_confirmed_at: Option<DateTime<Utc>>,
    /// When the DNSKEY was first published.
    pub published_at: Option<DateTime<Utc>>,
    /// When the key started signing.
    pub activated_at: Option<DateTime<Utc>>,
    /// When a pre-published ZSK starts signing.
    pub activate_at: Option<DateTime<Utc>>,
    /// When a retired key is removed.
    pub retire_at: Option<DateTime<Utc>>,
    /// End of the key's lifetime: its rollover starts then.
    pub expires_at: Option<DateTime<Utc>>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl DnssecKey {
    /// Metadata of a key the backend just created, in `state`.
    pub fn from_backend(
        zone_id: ZoneId,
        role: KeyRole,
        key: &BackendKey,
        state: KeyState,
        now: DateTime<Utc>,
    ) -> Self {
        let ds = key
            .ds
            .iter()
            .filter_map(|d| DsRecord::parse(d))
            .filter(DsRecord::is_offered)
            .collect::<Vec<_>>();
        let key_tag = key_tag(&key.dnskey)
            .or_else(|| ds.first().map(|d| d.key_tag))
            .unwrap_or_default();
        let mut made = Self {
            id: DnssecKeyId::new(),
            zone_id,
            role,
            backend_id: key.id,
            algorithm: key.algorithm,
            bits: key.bits,
            key_tag,
            dnskey: key.dnskey.clone(),
            ds: if role == KeyRole::Zsk { Vec::new() } else { ds },
            state,
            ds_confirmed_at: None,
            published_at: None,
            activated_at: None,
            activate_at: None,
            retire_at: None,
            expires_at: None,
            created_at: now,
            updated_at: now,
        };
        made.mark_flags(now);
        made
    }

    /// `(active, published)` as the backend must hold them in this state.
    pub fn backend_flags(&self) -> (bool, bool) {
        backend_flags(self.role, self.state)
    }

    /// Whether the key signs (is "active" in the API's key object).
    pub fn is_signing(&self) -> bool {
        self.backend_flags().0
    }

    /// Whether this key is a key-signing key (a CSK counts as one: it carries the DS).
    pub fn is_ksk(&self) -> bool {
        self.role != KeyRole::Zsk
    }

    /// Records first publication and activation times implied by the current state.
    pub(crate) fn mark_flags(&mut self, now: DateTime<Utc>) {
        let (active, published) = self.backend_flags();
        if published && self.published_at.is_none() {
            self.published_at = Some(now);
        }
        if active && self.activated_at.is_none() {
            self.activated_at = Some(now);
        }
    }
}

/// `(active, published)` of a key of `role` in `state`.
pub fn backend_flags(role: KeyRole, state: KeyState) -> (bool, bool) {
    match (state, role) {
        (KeyState::DsPending, _) => (false, false),
        (KeyState::Published, _) | (KeyState::Retired, KeyRole::Zsk) => (false, true),
        (KeyState::Active, _) | (KeyState::Retired, _) => (true, true),
    }
}

/// The zone's DNSSEC status, derived from its keys.
pub fn zone_status(keys: &[DnssecKey]) -> DnssecStatus {
    if keys.is_empty() {
        return DnssecStatus::Disabled;
    }
    if keys
        .iter()
        .any(|k| k.is_ksk() && k.state == KeyState::DsPending)
    {
        return DnssecStatus::RotatingKsk;
    }
    let unconfirmed = keys
        .iter()
        .filter(|k| k.is_ksk() && k.state == KeyState::Active)
        .all(|k| k.ds_confirmed_at.is_none());
    if unconfirmed {
        return DnssecStatus::PendingDs;
    }
    if keys
        .iter()
        .any(|k| !k.is_ksk() && matches!(k.state, KeyState::Published | KeyState::Retired))
    {
        return DnssecStatus::RotatingZsk;
    }
    DnssecStatus::Active
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_tag_matches_rfc_4034_example() {
        // The DNSKEY of RFC 4034 §5.4's example (DS key tag 60485).
        let dnskey = "256 3 5 AQOeiiR0GOMYkDshWoSKz9XzfwJr1AYtsmx3TGkJaNXVbfi/2pHm822aJ5iI9BMzNXxeYCmZDRD99WYwYqUSdjMmmAphXdvxegXd/M5+X7OrzKBaMbCVdFLUUh6DhweJBjEVv5f2wwjM9XzcnOf+EPbtG9DMBmADjFDc2w/rljwvFw==";
        assert_eq!(key_tag(dnskey), Some(60485));
        assert_eq!(key_tag("256 3 x"), None);
    }

    #[test]
    fn ds_parse_and_digest_filter() {
        let ds = DsRecord::parse(
            "60485 5 2 D4B7D520E7BB5F0F67674A0CCEB1E3E0614B93C4F9E99B83 83F6A1E4469DA50A",
        )
        .unwrap();
        assert_eq!(ds.key_tag, 60485);
        assert_eq!(ds.digest_type, 2);
        assert!(ds.digest.starts_with("d4b7d520"));
        assert!(!ds.digest.contains(' '));
        assert!(ds.is_offered());
        assert!(!DsRecord::parse("1 13 1 abcd").unwrap().is_offered());
        assert!(DsRecord::parse("1 13 2 xyz").is_none());
        assert!(DsRecord::parse("1 13").is_none());
    }
}
