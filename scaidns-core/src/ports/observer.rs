//! What the server counts (spec api-zones §13) reported from where it happens, without the core
//! depending on a metrics library: the server implements [`Observer`] on its registry, the core
//! and the SQL store call it. Every label the core passes is a fixed name chosen in code (a
//! store operation, a job, an outcome), never a zone, a tenant or an id, so the label space
//! stays bounded.

use std::time::Duration;

/// Receives measurements. Every method defaults to doing nothing, so an implementation
/// overrides only the measurements it keeps. Where nothing is measured (tests, the CLI's
/// operator commands) no observer is set at all.
pub trait Observer: Send + Sync + std::fmt::Debug {
    /// One store operation (`zones::get_zone`), whether it succeeded and how long it took.
    fn db_query(&self, _operation: &'static str, _ok: bool, _elapsed: Duration) {}

    /// One ownership check that queried DNS: `valid` or `invalid`.
    fn validation_check(&self, _result: &'static str) {}

    /// One background job run: its name (from the fixed job list), whether it succeeded and
    /// how long it took.
    fn worker_job(&self, _job: &'static str, _ok: bool, _elapsed: Duration) {}
}
