//! Runnable examples of using ScaiDNS from Rust, as small library functions so tests can run
//! them too:
//!
//! - [`embedded`]: the core embedded in a program, with SQLite and the built-in DNS server,
//!   no HTTP at all (`cargo run -p scaidns-examples --example embed_core`).
//! - [`provision`]: a zone and its records provisioned through the typed client against a
//!   running server (`cargo run -p scaidns-examples --example provision_zone -- example.test`).

pub mod embedded;
pub mod provision;
