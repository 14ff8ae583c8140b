//! The PowerDNS Authoritative HTTP API's JSON objects, as far as ScaiDNS reads or writes them
//! (PowerDNS 4.7 to 5.x; see `spec/powerdns.md` §1.3 and §8).
//!
//! Inputs are deliberately narrow: unknown fields in responses are ignored, and fields we never
//! want to hold (a cryptokey's `privatekey`) are not declared, so they are dropped on decoding.

use serde::{Deserialize, Serialize};

/// One record inside an RRset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Record {
    pub content: String,
    #[serde(default)]
    pub disabled: bool,
}

/// An RRset as PowerDNS returns it in a zone.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct RrSetOut {
    pub name: String,
    #[serde(rename = "type")]
    pub rtype: String,
    #[serde(default)]
    pub ttl: u32,
    #[serde(default)]
    pub records: Vec<Record>,
}

/// An RRset in a create request.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct RrSetIn {
    pub name: String,
    #[serde(rename = "type")]
    pub rtype: String,
    pub ttl: u32,
    pub records: Vec<Record>,
}

/// `POST /zones` body. No `nameservers`: the apex NS comes in `rrsets`, and PowerDNS refuses
/// both at once.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct CreateZone {
    pub name: String,
    pub kind: &'static str,
    pub soa_edit_api: &'static str,
    pub api_rectify: bool,
    pub account: String,
    pub rrsets: Vec<RrSetIn>,
}

/// `PUT /zones/{id}` body: settings only (on 4.9+ a body with `rrsets` would replace content).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ZoneSettings {
    pub kind: &'static str,
    pub soa_edit_api: &'static str,
    pub api_rectify: bool,
    pub account: String,
}

/// Change types of a PATCH. EXTEND/PRUNE exist only from 4.9.12, so they are not used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub(crate) enum ChangeType {
    Replace,
    Delete,
}

/// One RRset change of a PATCH.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct RrSetPatch {
    pub name: String,
    #[serde(rename = "type")]
    pub rtype: String,
    pub changetype: ChangeType,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ttl: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub records: Option<Vec<Record>>,
}

/// `PATCH /zones/{id}` body.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Patch {
    pub rrsets: Vec<RrSetPatch>,
}

/// A zone as listed or fetched.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Zone {
    pub name: String,
    #[serde(default)]
    pub rrsets: Option<Vec<RrSetOut>>,
}

/// A DNSSEC key as PowerDNS reports it (public parts only).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Cryptokey {
    pub id: u32,
    pub keytype: String,
    /// DNSKEY flags (257 SEP, 256 zone key); not in the OpenAPI spec but always sent.
    #[serde(default)]
    pub flags: Option<u16>,
    #[serde(default)]
    pub active: bool,
    #[serde(default)]
    pub published: bool,
    #[serde(default)]
    pub dnskey: String,
    #[serde(default)]
    pub ds: Vec<String>,
    #[serde(default)]
    pub algorithm: String,
    #[serde(default)]
    pub bits: u32,
}

/// `POST /cryptokeys` body. `algorithm` may be a number on every supported version.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct NewCryptokey {
    pub keytype: &'static str,
    pub active: bool,
    pub published: bool,
    pub algorithm: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bits: Option<u32>,
}

/// `PUT /cryptokeys/{id}` body; `active` is required, `published` defaults to true if absent.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct CryptokeyState {
    pub active: bool,
    pub published: bool,
}

/// Error body (`{"error": "...", "errors": [...]}`).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct ApiError {
    #[serde(default)]
    pub error: String,
    #[serde(default)]
    pub errors: Vec<String>,
}

/// DNSSEC algorithm number for PowerDNS's mnemonic (RFC 8624 §3.1), or the number itself.
pub(crate) fn algorithm_number(mnemonic: &str) -> Option<u8> {
    let upper = mnemonic.trim().to_ascii_uppercase();
    let number = match upper.as_str() {
        "RSAMD5" => 1,
        "DSA" => 3,
        "RSASHA1" => 5,
        "DSA-NSEC3-SHA1" => 6,
        "RSASHA1-NSEC3-SHA1" => 7,
        "RSASHA256" => 8,
        "RSASHA512" => 10,
        "ECC-GOST" => 12,
        "ECDSAP256SHA256" => 13,
        "ECDSAP384SHA384" => 14,
        "ED25519" => 15,
        "ED448" => 16,
        other => return other.parse().ok(),
    };
    Some(number)
}

/// Whether a DS string (`<tag> <alg> <digest type> <hex>`) uses a digest worth handing to a
/// registrar: SHA-256 (2) or SHA-384 (4). SHA-1 and GOST are deprecated (RFC 8624 §3.3).
pub(crate) fn ds_digest_wanted(ds: &str) -> bool {
    matches!(ds.split_whitespace().nth(2), Some("2" | "4"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn algorithm_mnemonics() {
        assert_eq!(algorithm_number("ECDSAP256SHA256"), Some(13));
        assert_eq!(algorithm_number("ed25519"), Some(15));
        assert_eq!(algorithm_number("RSASHA256"), Some(8));
        assert_eq!(algorithm_number("14"), Some(14));
        assert_eq!(algorithm_number("nonsense"), None);
    }

    #[test]
    fn ds_filter() {
        assert!(!ds_digest_wanted("8354 13 1 a685"));
        assert!(ds_digest_wanted("8354 13 2 2cb1"));
        assert!(ds_digest_wanted("8354 13 4 e9b0"));
    }

    #[test]
    fn patch_shape() {
        let patch = Patch {
            rrsets: vec![
                RrSetPatch {
                    name: "a.example.org.".into(),
                    rtype: "A".into(),
                    changetype: ChangeType::Delete,
                    ttl: None,
                    records: None,
                },
                RrSetPatch {
                    name: "b.example.org.".into(),
                    rtype: "TXT".into(),
                    changetype: ChangeType::Replace,
                    ttl: Some(60),
                    records: Some(vec![Record {
                        content: "\"x\"".into(),
                        disabled: false,
                    }]),
                },
            ],
        };
        let json = serde_json::to_value(&patch).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"rrsets": [
                {"name": "a.example.org.", "type": "A", "changetype": "DELETE"},
                {"name": "b.example.org.", "type": "TXT", "changetype": "REPLACE", "ttl": 60,
                 "records": [{"content": "\"x\"", "disabled": false}]}
            ]})
        );
    }
}
