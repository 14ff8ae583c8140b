//! Contract suites: one behaviour suite per port, run against every implementation.
//! The store suite runs on MariaDB and SQLite; the backend suite on PowerDNS 4.7 (instances
//! started by the test support) and on the embedded backend, checked with real DNS queries.

mod backend;
mod bootstrap;
mod directory;
mod dnssec_lifecycle;
mod grant_expiry;
mod identity_batch;
mod rbac;
mod rdata_roundtrip;
mod resolver;
mod store;
mod store_lifecycle;
mod support;
mod zone_names;
