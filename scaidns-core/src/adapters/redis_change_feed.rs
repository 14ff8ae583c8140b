//! The change feed over Redis pub/sub: a replica publishes a [`ChangeNotice`] on one channel
//! after a change, every replica listens on it and drops what its caches hold of it (its cached
//! keys, or the zone named). Delivery is best effort; after a lost connection the listener drops
//! everything once more when it is back, since notices sent meanwhile are gone. The staleness
//! bounds hold without Redis anyway.
//!
//! A zone notice carries its feed's origin (`zone:<id>@<origin>`, a random id per
//! [`RedisChangeFeed`], so one feed per replica), and a feed does not hand its own zone notices
//! to its listener: the replica that wrote the zone has already dropped or replaced its entry
//! (`service::zone_cache`), and its own echo must not drop the row a record write kept. Notices
//! without an origin (`zone:<id>`, an older release's) are always handed on, and an older
//! release takes the new form for "everything" (it drops all it caches), so a rolling upgrade
//! loses no notice.

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
    /// Put in this feed's zone notices, so its listener skips them (see the module docs).
    origin: String,
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
            origin: uuid::Uuid::new_v4().simple().to_string(),
            conn: tokio::sync::Mutex::new(None),
        })))
    }

    /// Calls `on_change` for every notice heard but this feed's own zone notices, and with
    /// [`ChangeNotice::Everything`] each time listening (re)starts, until it answers false or the returned task is aborted.
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
                                let (notice, origin) = decode(&text);
                                if origin == Some(inner.origin.as_str()) {
                                    continue;
                                }
                                if !on_change(notice) {
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
            let text = encode(notice, &inner.origin);
            match tokio::time::timeout(TIMEOUT, inner.publish(&text)).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => tracing::warn!(error = ?e.kind(), "change not announced"),
                Err(_) => tracing::warn!("change not announced: Redis timed out"),
            }
        });
    }
}

/// A notice's text on the wire: a zone notice names its origin (see the module docs).
fn encode(notice: ChangeNotice, origin: &str) -> String {
    match notice {
        ChangeNotice::Zone(_) => format!("{}@{origin}", notice.encode()),
        _ => notice.encode(),
    }
}

/// A notice and, for a zone notice of this release, its origin.
fn decode(text: &str) -> (ChangeNotice, Option<&str>) {
    match text.rsplit_once('@') {
        Some((notice, origin)) if notice.starts_with("zone:") => {
            (ChangeNotice::decode(notice), Some(origin))
        }
        _ => (ChangeNotice::decode(text), None),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zone_notices_name_their_origin_and_the_older_form_still_reads() {
        let zone = ZoneId::new();
        let text = encode(ChangeNotice::Zone(zone), "abc");
        assert_eq!(decode(&text), (ChangeNotice::Zone(zone), Some("abc")));
        assert_eq!(
            decode(&format!("zone:{zone}")),
            (ChangeNotice::Zone(zone), None)
        );
        assert_eq!(
            ChangeNotice::decode(&text),
            ChangeNotice::Everything,
            "an older release drops everything"
        );
        for notice in [
            ChangeNotice::Auth,
            ChangeNotice::Config,
            ChangeNotice::Everything,
        ] {
            assert_eq!(decode(&encode(notice, "abc")), (notice, None));
        }
        assert_eq!(decode("auth@abc").0, ChangeNotice::Everything);
    }
}
