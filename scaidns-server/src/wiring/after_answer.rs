//! The core's [`AfterAnswer`] port for `scaidns serve`: the record of a publication's outcome,
//! which a write need not wait for once PowerDNS has taken its change, runs in a task of its
//! own, and a clean stop waits for every such task before the store closes.

use std::fmt;

use futures::future::BoxFuture;
use scaidns_core::ports::AfterAnswer;

use crate::keyed_tasks::KeyedTasks;

/// The tasks running work handed over after an answer.
#[derive(Clone, Default)]
pub struct AfterAnswerTasks(KeyedTasks);

impl fmt::Debug for AfterAnswerTasks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AfterAnswerTasks")
            .field("running", &self.running())
            .finish()
    }
}

impl AfterAnswer for AfterAnswerTasks {
    fn run(&self, work: BoxFuture<'static, ()>) {
        let running = self.0.start();
        tokio::spawn(async move {
            work.await;
            drop(running);
        });
    }
}

impl AfterAnswerTasks {
    /// How many run now.
    pub fn running(&self) -> usize {
        self.0.running()
    }

    /// Returns once none runs.
    pub async fn idle(&self) {
        self.0.idle().await;
    }
}
