//! Signing keys of the stand-in, generated at start with the `openssl` command (so the test
//! crate needs no key-generation crates): RSA 2048 for RS256, P-256 for ES256, Ed25519 for
//! EdDSA. Each key carries a fresh `kid`.

use std::process::Command;

use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, EncodingKey};

/// One signing key.
#[derive(Clone)]
pub struct SigningKey {
    /// Key id.
    pub kid: String,
    /// Algorithm.
    pub alg: Algorithm,
    /// Private key.
    pub key: EncodingKey,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .finish_non_exhaustive()
    }
}

fn openssl_pem(args: &[&str]) -> Vec<u8> {
    let out = Command::new("openssl")
        .arg("genpkey")
        .args(args)
        .output()
        .expect("the openssl command generates test keys");
    assert!(out.status.success(), "openssl genpkey {args:?} failed");
    out.stdout
}

impl SigningKey {
    /// A new key for `alg` (RS256, ES256 or EdDSA).
    pub fn generate(alg: Algorithm) -> Self {
        let key = match alg {
            Algorithm::RS256 => EncodingKey::from_rsa_pem(&openssl_pem(&[
                "-algorithm",
                "RSA",
                "-pkeyopt",
                "rsa_keygen_bits:2048",
            ])),
            Algorithm::ES256 => EncodingKey::from_ec_pem(&openssl_pem(&[
                "-algorithm",
                "EC",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
            ])),
            Algorithm::EdDSA => EncodingKey::from_ed_pem(&openssl_pem(&["-algorithm", "ed25519"])),
            other => panic!("the stand-in does not sign with {other:?}"),
        }
        .expect("generated key parses");
        Self {
            kid: format!("kid-{}", uuid_like()),
            alg,
            key,
        }
    }

    /// The public half as a JWK.
    pub fn jwk(&self) -> Jwk {
        let mut jwk = Jwk::from_encoding_key(&self.key, self.alg).expect("public JWK");
        jwk.common.key_id = Some(self.kid.clone());
        jwk
    }
}

/// A random hex string.
pub fn uuid_like() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!(
        "{nanos:x}{:x}{:x}",
        COUNTER.fetch_add(1, Ordering::Relaxed),
        std::process::id()
    )
}
