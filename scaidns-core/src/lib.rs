//! # scaidns-core
//!
//! The ScaiDNS library: every DNS rule (names, record content, zone rules), ownership
//! validation, DNSSEC key lifecycle and access control, behind ports ([`ports`]) so that other
//! services can embed it. Adapters for MariaDB/SQLite, PowerDNS, an embedded DNS server and a
//! stub resolver live in [`adapters`], each behind a cargo feature; with
//! `--no-default-features` the crate is pure logic with no I/O dependencies.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod adapters;
#[cfg(test)]
mod architecture_tests;
pub mod audit;
pub mod dnssec;
pub mod error;
pub mod identity;
pub mod ids;
pub mod ip_network;
pub mod name;
pub mod ownership;
pub mod paging;
pub mod ports;
pub mod rbac;
pub mod record;
pub mod service;
mod string_enum;
pub mod tenant;
pub mod zone;
pub mod zone_file;

pub use error::{Error, ErrorKind, Result};
