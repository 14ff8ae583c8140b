//! Signatures of ScaiKey webhooks (spec api-identity §12.3): the header
//! `X-ScaiKey-Signature: t=<unix seconds>,v1=<hex>` carries an HMAC-SHA256 (RFC 2104, FIPS
//! 180-4) of `t + "." + body`, keyed with the shared secret.
//!
//! The message is the raw body exactly as received: re-serialising the JSON would change the
//! bytes (key order, spacing, escapes) and break every signature. The timestamp is checked
//! against the service clock in both directions, so a captured request cannot be replayed
//! after five minutes and a forged future timestamp buys nothing. The comparison is constant
//! time so the expected value cannot be learnt byte by byte.

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// Largest accepted distance between the signature's timestamp and now, either way.
pub const TOLERANCE_SECONDS: i64 = 300;

/// Why a signature was refused. Each is a 401; the kinds only differ in the log line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// No `X-ScaiKey-Signature` header.
    #[error("signature header missing")]
    Missing,
    /// The header lacks `t` or `v1`, or `t` is not a number.
    #[error("signature header malformed")]
    Malformed,
    /// `t` is more than [`TOLERANCE_SECONDS`] away from now.
    #[error("signature timestamp outside the accepted window")]
    Stale,
    /// No `v1` value matches.
    #[error("signature does not match")]
    Mismatch,
}

/// The parsed header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureHeader {
    /// `t`: unix seconds.
    pub timestamp: i64,
    /// Every `v1` value, lowercase hex (ScaiKey sends one; a secret rotation may send two).
    pub signatures: Vec<String>,
}

impl SignatureHeader {
    /// Parses comma-separated `k=v` pairs, splitting each at its first `=`; unknown keys are
    /// ignored so that a future `v2` does not break verification.
    pub fn parse(header: &str) -> Result<Self, SignatureError> {
        let mut timestamp = None;
        let mut signatures = Vec::new();
        for pair in header.split(',') {
            let Some((key, value)) = pair.split_once('=') else {
                continue;
            };
            match key.trim() {
                "t" => {
                    timestamp = Some(
                        value
                            .trim()
                            .parse::<i64>()
                            .map_err(|_| SignatureError::Malformed)?,
                    );
                }
                "v1" => signatures.push(value.trim().to_ascii_lowercase()),
                _ => {}
            }
        }
        match timestamp {
            Some(timestamp) if !signatures.is_empty() => Ok(Self {
                timestamp,
                signatures,
            }),
            _ => Err(SignatureError::Malformed),
        }
    }
}

/// Lowercase hex of HMAC-SHA256(`secret`, `timestamp` + "." + `body`).
pub fn sign(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    hex::encode(mac(secret, timestamp, body))
}

/// The whole header value `t=<timestamp>,v1=<hex>` that [`verify`] accepts: ScaiKey's format,
/// used by ScaiDNS to sign its own outbound webhooks, so both directions share one signer.
pub fn header(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    format!("t={timestamp},v1={}", sign(secret, timestamp, body))
}

fn mac(secret: &[u8], timestamp: i64, body: &[u8]) -> Vec<u8> {
    // HMAC accepts keys of any length (RFC 2104 §2), so `new_from_slice` cannot fail.
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret) {
        Ok(mac) => mac,
        Err(_) => return Vec::new(),
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.finalize().into_bytes().to_vec()
}

/// Verifies `header` (the raw `X-ScaiKey-Signature` value) over the raw `body` at `now`.
pub fn verify(
    header: Option<&str>,
    body: &[u8],
    secret: &[u8],
    now: DateTime<Utc>,
) -> Result<(), SignatureError> {
    let header = header
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .ok_or(SignatureError::Missing)?;
    let parsed = SignatureHeader::parse(header)?;
    if now
        .timestamp()
        .checked_sub(parsed.timestamp)
        .is_none_or(|age| age.abs() > TOLERANCE_SECONDS)
    {
        return Err(SignatureError::Stale);
    }
    let expected = mac(secret, parsed.timestamp, body);
    let matched = parsed.signatures.iter().fold(0u8, |acc, candidate| {
        // Decoding failures compare as a mismatch without short-circuiting the others.
        let given = hex::decode(candidate).unwrap_or_default();
        acc | given.ct_eq(&expected).unwrap_u8()
    });
    if matched == 1 && !expected.is_empty() {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const SECRET: &[u8] = b"whsec_test";
    const BODY: &[u8] = br#"{"event_id":"evt_1","event_type":"user.created"}"#;
    const T: i64 = 1_700_000_000;

    fn at(t: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(t, 0).single().unwrap()
    }

    #[test]
    fn known_vectors() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        let mut mac = Hmac::<Sha256>::new_from_slice(b"Jefe").unwrap();
        mac.update(b"what do ya want for nothing?");
        assert_eq!(
            hex::encode(mac.finalize().into_bytes()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // The same construction over "t.body": HMAC-SHA256("Jefe", "1.{}"), computed with
        // `printf '1.{}' | openssl dgst -sha256 -hmac Jefe`.
        assert_eq!(
            sign(b"Jefe", 1, b"{}"),
            "dc7943cccf20f64327d263db5e2aca27c2b8175e8e6e7ea04f482091bf456b0f"
        );
        // A ScaiKey-shaped delivery, from `printf '1700000000.<body>' | openssl dgst -sha256
        // -hmac whsec_test`.
        assert_eq!(
            sign(SECRET, T, BODY),
            "a749243500a75883e3d9faf01e0ff69c0e2494e1bd794d284349907f95f5e677"
        );
    }

    #[test]
    fn the_header_is_what_verify_accepts() {
        let header = header(SECRET, T, BODY);
        assert!(header.starts_with(&format!("t={T},v1=")));
        assert_eq!(verify(Some(&header), BODY, SECRET, at(T)), Ok(()));
    }

    #[test]
    fn accepts_a_fresh_signature_in_either_direction() {
        let header = format!("t={T},v1={}", sign(SECRET, T, BODY));
        assert_eq!(verify(Some(&header), BODY, SECRET, at(T)), Ok(()));
        assert_eq!(verify(Some(&header), BODY, SECRET, at(T + 300)), Ok(()));
        assert_eq!(verify(Some(&header), BODY, SECRET, at(T - 300)), Ok(()));
        let upper = format!("t={T},v1={}", sign(SECRET, T, BODY).to_uppercase());
        assert_eq!(verify(Some(&upper), BODY, SECRET, at(T)), Ok(()));
    }

    #[test]
    fn refuses_stale_and_future_timestamps() {
        let header = format!("t={T},v1={}", sign(SECRET, T, BODY));
        assert_eq!(
            verify(Some(&header), BODY, SECRET, at(T + 301)),
            Err(SignatureError::Stale)
        );
        assert_eq!(
            verify(Some(&header), BODY, SECRET, at(T - 301)),
            Err(SignatureError::Stale)
        );
        let extreme = format!("t={},v1=00", i64::MIN);
        assert_eq!(
            verify(Some(&extreme), BODY, SECRET, at(T)),
            Err(SignatureError::Stale)
        );
    }

    #[test]
    fn refuses_wrong_signatures_bodies_and_secrets() {
        let good = sign(SECRET, T, BODY);
        let header = format!("t={T},v1={good}");
        assert_eq!(
            verify(Some(&header), b"{}", SECRET, at(T)),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(Some(&header), BODY, b"other", at(T)),
            Err(SignatureError::Mismatch)
        );
        // The timestamp is part of the message.
        let moved = format!("t={},v1={good}", T + 1);
        assert_eq!(
            verify(Some(&moved), BODY, SECRET, at(T)),
            Err(SignatureError::Mismatch)
        );
        for bad in ["zz", "", &good[..10]] {
            let header = format!("t={T},v1={bad}");
            assert_eq!(
                verify(Some(&header), BODY, SECRET, at(T)),
                Err(SignatureError::Mismatch),
                "{bad}"
            );
        }
    }

    #[test]
    fn parses_pairs_at_the_first_equals_sign() {
        let h = SignatureHeader::parse(" t=12 , v1=ab=cd,v0=x,junk").unwrap();
        assert_eq!(h.timestamp, 12);
        assert_eq!(h.signatures, vec!["ab=cd".to_owned()]);
        // Any v1 may match (secret rotation).
        let good = sign(SECRET, T, BODY);
        let two = format!("t={T},v1=00,v1={good}");
        assert_eq!(verify(Some(&two), BODY, SECRET, at(T)), Ok(()));
    }

    #[test]
    fn refuses_missing_and_malformed_headers() {
        assert_eq!(
            verify(None, BODY, SECRET, at(T)),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            verify(Some("  "), BODY, SECRET, at(T)),
            Err(SignatureError::Missing)
        );
        for bad in ["v1=ab", "t=12", "t=soon,v1=ab", "garbage"] {
            assert_eq!(
                verify(Some(bad), BODY, SECRET, at(T)),
                Err(SignatureError::Malformed),
                "{bad}"
            );
        }
    }
}
