//! API keys: the model, secret generation and peppered hashing.
//!
//! A secret is `sdk_live_` followed by 40 base62 characters (~238 bits). Only
//! HMAC-SHA256(pepper, secret) is stored; lookups hash the presented secret and compare the
//! digest in constant time, so neither the table nor a timing side channel reveals a key.

use std::fmt;

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use ipnet::IpNet;
use rand::Rng;
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::ids::{ApiKeyId, TenantId, UserId};
use crate::string_enum::string_enum;

/// Prefix of every secret.
pub const SECRET_PREFIX: &str = "sdk_live_";
/// Characters of the secret kept in clear as `key_prefix` (e.g. `sdk_live_ab`).
pub const DISPLAY_PREFIX_LEN: usize = 11;
const RANDOM_LEN: usize = 40;
const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

string_enum!(
    /// Key state.
    ApiKeyStatus {
        /// Usable.
        Active => "active",
        /// Refused until re-activated.
        Revoked => "revoked",
    }
);

string_enum!(
    /// Whose permissions a key carries.
    PermissionSource {
        /// A user.
        User => "user",
        /// A group.
        Group => "group",
    }
);

/// A freshly generated secret. Shown once; never logged (its `Debug` is redacted).
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKeySecret(String);

impl ApiKeySecret {
    /// Generates a new secret from `rng`.
    pub fn generate(rng: &mut impl Rng) -> Self {
        let random: String = (0..RANDOM_LEN)
            .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
            .collect();
        Self(format!("{SECRET_PREFIX}{random}"))
    }

    /// Wraps a presented secret; `None` unless it has the `sdk_` shape.
    pub fn from_presented(secret: &str) -> Option<Self> {
        let s = secret.trim();
        (s.starts_with("sdk_") && s.len() >= DISPLAY_PREFIX_LEN && s.len() <= 128 && s.is_ascii())
            .then(|| Self(s.to_owned()))
    }

    /// The secret itself, to hand to the caller exactly once.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The displayable prefix.
    pub fn display_prefix(&self) -> String {
        self.0.chars().take(DISPLAY_PREFIX_LEN).collect()
    }

    /// HMAC-SHA256 of the secret keyed with the pepper, hex-encoded.
    pub fn hash(&self, pepper: &Pepper) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(pepper.0.as_bytes())
            .unwrap_or_else(|_| unreachable_hmac());
        mac.update(self.0.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

// HMAC accepts keys of any length, so `new_from_slice` cannot fail.
#[allow(clippy::panic)]
fn unreachable_hmac() -> Hmac<Sha256> {
    panic!("HMAC-SHA256 accepts keys of any length")
}

impl fmt::Debug for ApiKeySecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKeySecret(<redacted>)")
    }
}

/// The server-side pepper mixed into key hashes (`API_KEY_PEPPER`).
#[derive(Clone)]
pub struct Pepper(String);

impl Pepper {
    /// Wraps the configured pepper.
    pub fn new(pepper: impl Into<String>) -> Self {
        Self(pepper.into())
    }
}

impl fmt::Debug for Pepper {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pepper(<redacted>)")
    }
}

/// Constant-time equality of two hex digests.
pub fn digests_equal(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// A stored API key (never the secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKey {
    /// Id.
    pub id: ApiKeyId,
    /// Tenant of the permission source.
    pub tenant_id: TenantId,
    /// Label.
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// First characters of the secret, for recognition.
    pub key_prefix: String,
    /// Peppered hash of the secret.
    pub key_hash: String,
    /// State.
    pub status: ApiKeyStatus,
    /// Whose permissions the key carries.
    pub permission_source: PermissionSource,
    /// User or group id of the source.
    pub permission_source_id: String,
    /// Optional narrowing to these permission strings.
    pub scopes: Vec<String>,
    /// Requests per minute; `None` uses the platform default.
    pub rate_limit: Option<u32>,
    /// Allowed client networks; empty allows all.
    pub ip_whitelist: Vec<IpNet>,
    /// Refused after this instant.
    pub expires_at: Option<DateTime<Utc>>,
    /// Last use.
    pub last_used_at: Option<DateTime<Utc>>,
    /// Client IP of the last use.
    pub last_used_ip: Option<String>,
    /// Number of uses.
    pub use_count: i64,
    /// Creator.
    pub created_by: Option<UserId>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn secrets_hash_with_pepper_and_redact() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        let secret = ApiKeySecret::generate(&mut rng);
        assert!(secret.expose().starts_with(SECRET_PREFIX));
        assert_eq!(secret.expose().len(), SECRET_PREFIX.len() + RANDOM_LEN);
        assert_eq!(secret.display_prefix().len(), DISPLAY_PREFIX_LEN);
        let h1 = secret.hash(&Pepper::new("a"));
        let h2 = secret.hash(&Pepper::new("b"));
        assert_ne!(h1, h2);
        assert!(digests_equal(&h1, &secret.hash(&Pepper::new("a"))));
        assert!(!format!("{secret:?}").contains(secret.expose()));
        assert!(ApiKeySecret::from_presented("nope").is_none());
    }
}
