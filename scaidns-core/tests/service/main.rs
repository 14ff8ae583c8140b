//! Service scenarios: tests that drive the `ScaiDns` service (bootstrap, zone names, grant
//! expiry, DNSSEC and the worker) with real adapters underneath, rather than one port.

mod auth_cache;
mod bootstrap;
mod dnssec_lifecycle;
mod grant_expiry;
mod lifecycle_turn;
mod outcome_after_answer;
mod retention_overflow;
mod support;
mod turns_beside_writes;
mod worker_cadence;
mod zone_cache;
mod zone_cache_writes;
mod zone_names;
