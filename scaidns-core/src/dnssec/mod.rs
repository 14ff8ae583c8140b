//! DNSSEC key lifecycle. PowerDNS signs and holds the private keys; ScaiDNS decides which keys
//! exist and what each one does, and keeps their public metadata.
//!
//! - [`algorithm`]: the signing algorithms offered, per RFC 8624's recommendations.
//! - [`key`]: key metadata, DS records (RFC 4509 SHA-256, RFC 6605 SHA-384) and the zone's
//!   DNSSEC status derived from its keys.
//! - [`rollover`]: the rollover state machine — ZSK pre-publication and KSK double-DS
//!   (RFC 6781 §4.1, timing after RFC 7583) — as pure functions of the keys and the time.

pub mod algorithm;
mod backend_key;
pub mod key;
pub mod rollover;

pub use algorithm::Algorithm;
pub use backend_key::{BackendKey, KeyRole, NewKey};
pub use key::{DnssecKey, DnssecStatus, DsRecord, KeyState, key_tag};
pub use rollover::{RolloverPolicy, Step};
