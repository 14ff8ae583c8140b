//! Test support: real services on loopback.

pub mod db;
pub mod dns;
pub mod pdns;
