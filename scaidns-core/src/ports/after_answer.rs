//! Work that a request's answer need not wait for.

use futures::future::BoxFuture;

/// Runs work after the request that started it has answered: the server's task set
/// (`scaidns-server`'s `wiring::after_answer`), which a clean stop waits for. The service hands
/// it the record of a publication's outcome once the backend has taken the change
/// (`service::zone_change`); without one, the writer records it before answering.
pub trait AfterAnswer: Send + Sync + std::fmt::Debug {
    /// Runs `work` to its end, beside the requests.
    fn run(&self, work: BoxFuture<'static, ()>);
}
