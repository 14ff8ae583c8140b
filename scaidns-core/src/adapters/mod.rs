//! Implementations of the ports, each behind a cargo feature.

#[cfg(feature = "embedded")]
pub mod embedded;
#[cfg(feature = "pdns")]
pub mod pdns;
#[cfg(feature = "resolver")]
pub mod resolver;
#[cfg(feature = "sql")]
pub mod sql;
