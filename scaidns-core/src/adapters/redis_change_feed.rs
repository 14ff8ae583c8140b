//! The change feed over Redis pub/sub: a replica publishes a [`ChangeNotice`] on one channel
//! after a change, every replica (itself too, harmlessly) listens on it and drops what its
//! caches hold of it (its cached keys, or the zone named). Delivery is best effort; after a lost
//! connection the listener drops everything once more when it is back, since notices sent
//! meanwhile are gone. The staleness bounds hold without Redis anyway.

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use redis::aio::ConnectionManager;

use crate::ids::ZoneId;
use crate::ports::{ChangeFeed, ChangeNotice};

/// How long to wait before listening again after the subscription was lost.
const RESUBSCRIBE_AFTER: Duration = Duration::from_millis(500);

/// How long one publication may take.
const TIMEOUT: Duration = Duration::from_secs(1);

struct Inner {
    client: redis::Client,
    channel: String,
    conn: tokio::sync::Mutex<Option<ConnectionManager>>,
}

/// Announces and hears changes on a Redis channel.
#[derive(Clone)]
pub struct RedisChangeFeed(Arc<Inner>);

impl std::fmt::Debug for RedisChangeFeed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisChangeFeed")
            .field("channel", &self.0.channel)
            .finish_non_exhaustive()
    }
}

impl RedisChangeFeed {
    /// A feed on `channel` of `url` (`redis://…`); fails only when the URL is malformed.
    pub fn new(url: &str, channel: &str) -> Result<Self, String> {
        let client = redis::Client::open(url).map_err(|e| format!("{:?}", e.kind()))?;
        Ok(Self(Arc::new(Inner {
            client,
            channel: channel.to_owned(),
            conn: tokio::sync::Mutex::new(None),
        })))
    }

    /// Calls `on_change` for every notice heard, and with [`ChangeNotice::Everything`] each
    /// time listening (re)starts, until it answers false or the returned task is aborted.
    pub fn listen(
        &self,
        on_change: impl Fn(ChangeNotice) -> bool + Send + Sync + 'static,
    ) -> tokio::task::JoinHandle<()> {
        let inner = Arc::clone(&self.0);
        tokio::spawn(async move {
            loop {
                match inner.client.get_async_pubsub().await {
                    Ok(mut pubsub) => {
                        if pubsub.subscribe(&inner.channel).await.is_ok() {
                            // Notices sent while nobody listened are lost: assume one was.
                            if !on_change(ChangeNotice::Everything) {
                                return;
                            }
                            let mut messages = pubsub.on_message();
                            while let Some(message) = messages.next().await {
                                let text = message.get_payload::<String>().unwrap_or_default();
                                if !on_change(ChangeNotice::decode(&text)) {
                                    return;
                                }
                            }
                        }
                        tracing::warn!("change feed: Redis subscription lost");
                    }
                    Err(e) => {
                        tracing::warn!(error = ?e.kind(), "change feed: Redis unreachable");
                    }
                }
                tokio::time::sleep(RESUBSCRIBE_AFTER).await;
            }
        })
    }
}

impl Inner {
    async fn publish(&self, notice: &str) -> redis::RedisResult<()> {
        let mut guard = self.conn.lock().await;
        let conn = match guard.as_mut() {
            Some(conn) => conn,
            None => guard.insert(ConnectionManager::new(self.client.clone()).await?),
        };
        redis::cmd("PUBLISH")
            .arg(&self.channel)
            .arg(notice)
            .query_async::<i64>(conn)
            .await
            .map(drop)
    }
}

impl RedisChangeFeed {
    fn announce(&self, notice: ChangeNotice) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let inner = Arc::clone(&self.0);
        runtime.spawn(async move {
            match tokio::time::timeout(TIMEOUT, inner.publish(&notice.encode())).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => tracing::warn!(error = ?e.kind(), "change not announced"),
                Err(_) => tracing::warn!("change not announced: Redis timed out"),
            }
        });
    }
}

impl ChangeFeed for RedisChangeFeed {
    fn announce_auth_change(&self) {
        self.announce(ChangeNotice::Auth);
    }

    fn announce_zone_change(&self, zone: ZoneId) {
        self.announce(ChangeNotice::Zone(zone));
    }

    fn announce_config_change(&self) {
        self.announce(ChangeNotice::Config);
    }
}
