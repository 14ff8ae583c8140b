//! Contract suites: one behaviour suite per port, written against the port's trait and run
//! against every implementation by the one `contract!` macro (`support::contract`). The store
//! suites run on MariaDB and SQLite; the backend suite on PowerDNS 4.7 (instances started by the
//! test support) and on the embedded backend, checked with real DNS queries; the rate limiter
//! suite on the in-process and the Redis limiter. Scenarios that drive the `ScaiDns` service
//! live in the `service` test binary.

mod alias;
mod backend;
mod group_store;
mod identity_batch;
mod rate_limiter;
mod rbac;
mod rdata_roundtrip;
mod resolver;
mod store;
mod store_lifecycle;
mod support;
