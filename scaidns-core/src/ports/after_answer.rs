//! Work that a request's answer need not wait for.

use futures::future::BoxFuture;

/// Takes work the service hands over instead of awaiting it before a request answers, and runs
/// it to its end beside the requests: in `scaidns serve`, a task each, which a clean stop waits
/// for (`scaidns-server`'s `wiring::after_answer`). The service hands it the record of a
/// publication's outcome once the backend has taken the change (`service::zone_change`);
/// without a runner, the writer records it before answering.
///
/// Until such work has run (or been dropped) it holds the zone's publishing turn: a lock of
/// this process, a pooled connection and, on MariaDB and PostgreSQL, the store's lock row. So
/// an implementation must start it at once, never queue it behind other work.
pub trait AfterAnswer: Send + Sync + std::fmt::Debug {
    /// Runs `work` to its end, beside the requests.
    fn run(&self, work: BoxFuture<'static, ()>);
}
