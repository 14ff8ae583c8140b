//! Test support: real services on loopback, the fixtures that start each implementation of a
//! port, and the macro that runs a suite against all of them.

pub mod backends;
pub mod contract;
pub mod db;
pub mod dns;
pub mod limiters;
pub mod pdns;
pub mod stores;
