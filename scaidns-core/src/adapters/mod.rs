//! Implementations of the ports, each behind a cargo feature.

#[cfg(feature = "embedded")]
pub mod embedded;
#[cfg(feature = "oidc")]
pub mod oidc;
#[cfg(feature = "pdns")]
pub mod pdns;
pub mod rate_counters;
#[cfg(feature = "redis")]
pub mod redis_change_feed;
#[cfg(feature = "resolver")]
pub mod resolver;
#[cfg(feature = "sql")]
pub mod sql;
#[cfg(feature = "webhooks")]
pub mod webhook_http;
