//! Signing algorithms ScaiDNS offers: the ones RFC 8624 §3.1 marks MUST or RECOMMENDED for
//! signing, plus RSA/SHA-512 and ECDSA P-384 which are widely validated. Older ones (RSA/SHA-1,
//! DSA, GOST) are refused.

use crate::error::{Error, Result};

/// A DNSSEC signing algorithm (IANA number).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// 8: RSA/SHA-256.
    RsaSha256,
    /// 10: RSA/SHA-512.
    RsaSha512,
    /// 13: ECDSA P-256 with SHA-256 (the default).
    EcdsaP256Sha256,
    /// 14: ECDSA P-384 with SHA-384.
    EcdsaP384Sha384,
    /// 15: Ed25519 (RFC 8080).
    Ed25519,
}

impl Algorithm {
    /// Every offered algorithm.
    pub const ALL: &'static [Algorithm] = &[
        Algorithm::RsaSha256,
        Algorithm::RsaSha512,
        Algorithm::EcdsaP256Sha256,
        Algorithm::EcdsaP384Sha384,
        Algorithm::Ed25519,
    ];

    /// The IANA number.
    pub const fn number(self) -> u8 {
        match self {
            Algorithm::RsaSha256 => 8,
            Algorithm::RsaSha512 => 10,
            Algorithm::EcdsaP256Sha256 => 13,
            Algorithm::EcdsaP384Sha384 => 14,
            Algorithm::Ed25519 => 15,
        }
    }

    /// The algorithm of an IANA number; 422 `unsupported_algorithm` naming `field` otherwise.
    pub fn from_number(number: i64, field: &str) -> Result<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|a| i64::from(a.number()) == number)
            .ok_or_else(|| {
                Error::new(
                    crate::error::ErrorKind::InvalidInput,
                    "unsupported_algorithm",
                    format!("Unsupported DNSSEC algorithm {number}; use one of 8, 10, 13, 14, 15"),
                )
                .with_field(field)
            })
    }

    /// Key size to ask for: RSA needs one (2048 bits for a KSK and a ZSK alike, RFC 8624 §3.1
    /// leaves shorter keys behind); the curves have a fixed size.
    pub const fn bits(self) -> Option<u32> {
        match self {
            Algorithm::RsaSha256 | Algorithm::RsaSha512 => Some(2048),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip_and_old_ones_are_refused() {
        for a in Algorithm::ALL {
            assert_eq!(
                Algorithm::from_number(i64::from(a.number()), "algorithm").unwrap(),
                *a
            );
        }
        for n in [0, 5, 7, 12, 16, 256, -13] {
            let err = Algorithm::from_number(n, "algorithm").unwrap_err();
            assert_eq!(err.code(), "unsupported_algorithm");
            assert_eq!(err.field(), Some("algorithm"));
        }
    }
}
