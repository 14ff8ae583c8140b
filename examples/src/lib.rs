//! Runnable examples of using ScaiDNS from Rust, as small library functions so tests can run
//! them too:
//!
//! - [`embedded`]: the core embedded in a program, with SQLite and the built-in DNS server,
//!   no HTTP at all (`cargo run -p scaidns-examples --example embed_core`).
//! - [`provision`]: a zone and its records provisioned through the typed client against a
//!   running server (`cargo run -p scaidns-examples --example provision_zone -- example.test`).
//! - [`bulk_csv`]: a CSV file of record changes applied as one all-or-nothing bulk request
//!   through the client (`cargo run -p scaidns-examples --example bulk_csv -- <zone-id> f.csv`).
//! - [`verify_webhook`]: a receiver of outbound change webhooks that checks each delivery's
//!   signature before trusting it (`SCAIDNS_WEBHOOK_SECRET=whsec_… cargo run -p
//!   scaidns-examples --example verify_webhook -- 127.0.0.1:8088`).
//!
//! Record validation embedded in another program, with the pure core and nothing else, is
//! `scaidns-core`'s own example: `cargo run -p scaidns-core --no-default-features --example
//! validate_records`.

pub mod bulk_csv;
pub mod embedded;
pub mod provision;
pub mod verify_webhook;
