//! Test support: real services on loopback.

pub mod db;
pub mod pdns;
