//! The keyed writes running in their own tasks ([`crate::idempotency`]): they outlive their
//! connection on purpose, so a graceful shutdown waits for them as it waits for requests, or a
//! stop would cut a write between its commit and its stored answer.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::Notify;

/// Counts the running keyed tasks.
#[derive(Clone, Default)]
pub struct KeyedTasks(Arc<Inner>);

#[derive(Default)]
struct Inner {
    running: AtomicUsize,
    idle: Notify,
}

/// Held by a running task; dropping it (however the task ends) counts it out.
pub struct Running(KeyedTasks);

impl KeyedTasks {
    /// Counts a task in until the returned guard drops.
    pub fn start(&self) -> Running {
        self.0.running.fetch_add(1, Ordering::SeqCst);
        Running(self.clone())
    }

    /// How many run now.
    pub fn running(&self) -> usize {
        self.0.running.load(Ordering::SeqCst)
    }

    /// Returns once none runs.
    pub async fn idle(&self) {
        loop {
            let notified = self.0.idle.notified();
            tokio::pin!(notified);
            // Registered before the check, so a task ending in between still wakes us.
            notified.as_mut().enable();
            if self.running() == 0 {
                return;
            }
            notified.await;
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if self.0.0.running.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.0.idle.notify_waiters();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn idle_waits_for_every_running_task() {
        let tasks = KeyedTasks::default();
        tasks.idle().await;
        let (one, two) = (tasks.start(), tasks.start());
        let waiter = tokio::spawn({
            let tasks = tasks.clone();
            async move { tasks.idle().await }
        });
        drop(one);
        tokio::task::yield_now().await;
        assert!(!waiter.is_finished(), "one task still runs");
        assert_eq!(tasks.running(), 1);
        drop(two);
        tokio::time::timeout(std::time::Duration::from_secs(5), waiter)
            .await
            .expect("idle once the last task ended")
            .unwrap();
    }
}
