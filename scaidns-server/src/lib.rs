//! # scaidns-server
//!
//! The HTTP face of ScaiDNS: poem + poem-openapi endpoints under `/api/v1`, authentication,
//! the one error envelope, configuration, metrics and start-up. All DNS and access logic lives
//! in `scaidns-core`; this crate parses, authenticates, calls the service and maps errors.

pub mod api;
pub mod app;
#[cfg(test)]
mod architecture_tests;
pub mod auth;
pub mod body_check;
pub mod body_limit;
pub mod client_ip;
pub mod config;
pub mod cors;
pub mod error;
pub mod idempotency;
pub mod keyed_tasks;
pub mod metrics;
pub mod middleware;
pub mod owner_only;
pub mod pdns_compat;
pub mod rate_limit_edge;
pub mod spec;
pub mod spec_refinement;
pub mod startup_check;
pub mod state;
pub mod telemetry;
pub mod timestamp;
pub mod wiring;
pub mod worker;

pub use app::{RunningServer, build_app, serve, start};
pub use config::Config;
pub use spec::spec_json;
pub use state::AppState;
