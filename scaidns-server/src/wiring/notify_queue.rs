//! The NOTIFYs of `scaidns serve` with `PDNS_ZONE_KIND=master`, sent beside the requests rather
//! than inside them (the core's [`NotifyQueue`] port).
//!
//! PowerDNS's notify call took 2.5–3 ms on the benchmark's machine (far more under load), more
//! than the change's own PATCH, and a write's answer waited for it. A NOTIFY only prompts the secondaries to ask for what is already published, so nothing a
//! client reads depends on it: a write now queues its zone and answers, and one task sends the
//! queued zones' NOTIFYs. A zone queued several times while its NOTIFY waits is
//! sent once; one queued again while its NOTIFY is on its way is sent once more afterwards, so
//! the secondaries always hear of the newest change. A clean stop sends what is queued, within a
//! grace; a crash or a failed call loses a NOTIFY as the network can, and PowerDNS's own check of
//! changed serials (`xfr-cycle-interval`) then notifies the secondaries.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use futures::StreamExt;
use prometheus::IntGauge;
use scaidns_core::name::ZoneName;
use scaidns_core::ports::{DnsBackend, NotifyQueue};
use tokio::sync::{Notify, oneshot};

/// NOTIFYs sent at once by the sending task: enough that one slow secondary lookup does not
/// hold up the other zones, few enough not to crowd PowerDNS's API threads.
const SENT_AT_ONCE: usize = 4;

/// Zones whose NOTIFY is still to be sent.
#[derive(Debug)]
pub struct QueuedNotifies {
    pending: Mutex<BTreeSet<ZoneName>>,
    /// How many there are, for the metrics (`scaidns_notifies_queued`): set under the lock.
    depth: IntGauge,
    /// Wakes the task (tokio's `Notify`, nothing to do with DNS NOTIFY).
    wake: Notify,
}

impl NotifyQueue for QueuedNotifies {
    /// Queues `zone`'s NOTIFY (once, however often it is queued before it is sent).
    fn queue(&self, zone: &ZoneName) {
        let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        let newly = pending.insert(zone.clone());
        self.depth.set(depth(&pending));
        drop(pending);
        if newly {
            self.wake.notify_one();
        }
    }
}

impl QueuedNotifies {
    fn take(&self) -> BTreeSet<ZoneName> {
        let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        self.depth.set(0);
        std::mem::take(&mut *pending)
    }

    /// Sends the queued NOTIFYs through `backend` as they come, until told to `stop`; then sends
    /// what is still queued and returns.
    async fn run(self: Arc<Self>, backend: Arc<dyn DnsBackend>, mut stop: oneshot::Receiver<()>) {
        loop {
            let stopping = tokio::select! {
                // A stop takes precedence, so that it always sends what is queued at once.
                biased;
                _ = &mut stop => true,
                () = self.wake.notified() => false,
            };
            self.send_queued(backend.as_ref()).await;
            if stopping {
                return;
            }
        }
    }

    /// Sends every queued NOTIFY, and those queued meanwhile, until none is left.
    async fn send_queued(&self, backend: &dyn DnsBackend) {
        loop {
            let zones = self.take();
            if zones.is_empty() {
                return;
            }
            futures::stream::iter(zones)
                .for_each_concurrent(SENT_AT_ONCE, |zone| async move {
                    if let Err(e) = backend.notify(&zone).await {
                        tracing::warn!(zone = %zone, error = %e, "NOTIFY failed");
                    }
                })
                .await;
        }
    }
}

fn depth(pending: &BTreeSet<ZoneName>) -> i64 {
    i64::try_from(pending.len()).unwrap_or(i64::MAX)
}

/// The queue with the backend that sends its NOTIFYs, until [`NotifyTask::start`] runs it.
#[derive(Debug)]
pub struct NotifyTask {
    queue: Arc<QueuedNotifies>,
    backend: Arc<dyn DnsBackend>,
}

/// The running sending task of a [`NotifyTask`].
#[derive(Debug)]
pub struct RunningNotifyTask {
    queue: Arc<QueuedNotifies>,
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

impl NotifyTask {
    /// A queue whose NOTIFYs go to `backend` and whose length `depth` shows, and the task to
    /// start.
    pub fn new(backend: Arc<dyn DnsBackend>, depth: IntGauge) -> (Arc<QueuedNotifies>, Self) {
        let queue = Arc::new(QueuedNotifies {
            pending: Mutex::default(),
            depth,
            wake: Notify::new(),
        });
        let task = Self {
            queue: Arc::clone(&queue),
            backend,
        };
        (queue, task)
    }

    /// Starts sending in a task of its own.
    pub fn start(self) -> RunningNotifyTask {
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(Arc::clone(&self.queue).run(self.backend, stopped));
        RunningNotifyTask {
            queue: self.queue,
            stop,
            task,
        }
    }
}

impl RunningNotifyTask {
    /// Sends what is still queued, for at most `grace` (PowerDNS may be slow or gone, and a
    /// service manager kills a process that takes too long to stop), then stops.
    pub async fn stop(mut self, grace: Duration) {
        let _ = self.stop.send(());
        match tokio::time::timeout(grace, &mut self.task).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::error!(error = %e, "NOTIFY task failed"),
            Err(_) => {
                self.task.abort();
                // Those on their way when the grace ran out are not counted; PowerDNS's own
                // check of changed serials notifies the secondaries of all of them.
                let unsent = self.queue.take().len();
                tracing::warn!(unsent, "NOTIFYs still queued at shutdown were not sent");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_trait::async_trait;
    use scaidns_core::ports::{BackendError, ZoneSpec};
    use scaidns_core::zone::{RrSet, RrSetChange};
    use tokio::sync::Semaphore;

    /// Records each NOTIFY, and holds it until the test lets one through.
    #[derive(Debug)]
    struct Secondaries {
        sent: Mutex<Vec<String>>,
        let_through: Semaphore,
    }

    #[async_trait]
    impl DnsBackend for Secondaries {
        fn name(&self) -> &'static str {
            "test"
        }
        async fn health(&self) -> Result<(), BackendError> {
            Ok(())
        }
        async fn create_zone(&self, _: &ZoneSpec) -> Result<(), BackendError> {
            unreachable!()
        }
        async fn delete_zone(&self, _: &ZoneName) -> Result<(), BackendError> {
            unreachable!()
        }
        async fn get_zone(&self, _: &ZoneName) -> Result<Option<Vec<RrSet>>, BackendError> {
            unreachable!()
        }
        async fn list_zones(&self) -> Result<Vec<ZoneName>, BackendError> {
            unreachable!()
        }
        async fn apply(&self, _: &ZoneName, _: &[RrSetChange]) -> Result<(), BackendError> {
            unreachable!()
        }
        async fn notify(&self, zone: &ZoneName) -> Result<(), BackendError> {
            self.sent.lock().unwrap().push(zone.to_string());
            self.let_through.acquire().await.unwrap().forget();
            Ok(())
        }
    }

    fn gauge() -> IntGauge {
        IntGauge::new("queued", "test").unwrap()
    }

    fn zone(name: &str) -> ZoneName {
        ZoneName::parse(name).unwrap()
    }

    /// Waits (bounded) until `backend` has been asked for `count` NOTIFYs, and returns them.
    async fn asked(backend: &Secondaries, count: usize) -> Vec<String> {
        for _ in 0..2_000 {
            {
                let sent = backend.sent.lock().unwrap();
                if sent.len() >= count {
                    return sent.clone();
                }
            }
            tokio::task::yield_now().await;
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        panic!(
            "fewer than {count} NOTIFYs: {:?}",
            backend.sent.lock().unwrap()
        );
    }

    #[tokio::test]
    async fn a_zone_queued_while_waiting_is_sent_once_and_again_after_a_notify_in_flight() {
        let backend = Arc::new(Secondaries {
            sent: Mutex::default(),
            let_through: Semaphore::new(0),
        });
        let depth = gauge();
        let (queue, task) = NotifyTask::new(backend.clone(), depth.clone());
        let sending = task.start();

        queue.queue(&zone("a.example"));
        // a.example's NOTIFY is on its way (held): queued again, it goes once more afterwards.
        assert_eq!(asked(&backend, 1).await, ["a.example"]);
        queue.queue(&zone("a.example"));
        queue.queue(&zone("b.example"));
        queue.queue(&zone("a.example"));
        queue.queue(&zone("b.example"));
        assert_eq!(depth.get(), 2, "each zone waits once");
        backend.let_through.add_permits(1);
        assert_eq!(
            asked(&backend, 3).await,
            ["a.example", "a.example", "b.example"]
        );
        assert_eq!(depth.get(), 0, "both are on their way");
        backend.let_through.add_permits(2);
        sending.stop(Duration::from_secs(60)).await;
        assert_eq!(
            *backend.sent.lock().unwrap(),
            ["a.example", "a.example", "b.example"]
        );
    }

    #[tokio::test]
    async fn a_stop_sends_what_is_queued_and_gives_up_after_its_grace() {
        let backend = Arc::new(Secondaries {
            sent: Mutex::default(),
            let_through: Semaphore::new(2),
        });
        let (queue, task) = NotifyTask::new(backend.clone(), gauge());
        queue.queue(&zone("c.example"));
        queue.queue(&zone("d.example"));
        // Told to stop before it first runs: it sends both, then ends.
        task.start().stop(Duration::from_secs(60)).await;
        assert_eq!(*backend.sent.lock().unwrap(), ["c.example", "d.example"]);

        // A NOTIFY that never gets an answer: the stop gives up once its grace is over.
        let backend = Arc::new(Secondaries {
            sent: Mutex::default(),
            let_through: Semaphore::new(0),
        });
        let (queue, task) = NotifyTask::new(backend.clone(), gauge());
        let running = task.start();
        queue.queue(&zone("e.example"));
        assert_eq!(asked(&backend, 1).await, ["e.example"]);
        queue.queue(&zone("f.example"));
        running.stop(Duration::from_millis(50)).await;
        assert_eq!(*backend.sent.lock().unwrap(), ["e.example"]);
        assert!(
            queue.take().is_empty(),
            "the unsent ones were counted and dropped"
        );
    }
}
