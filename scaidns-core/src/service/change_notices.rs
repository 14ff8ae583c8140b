//! The service's side of the change feed between replicas: where its own changes are announced
//! (auth changes by [`ScaiDns::auth_changed`], zone writes by their write guard) and what a
//! notice heard from another replica drops from its caches.

use std::sync::Arc;

use crate::ports::{ChangeFeed, ChangeNotice};

use super::ScaiDns;

impl ScaiDns {
    /// Where auth and zone changes are announced to the other replicas.
    #[must_use]
    pub fn with_change_feed(mut self, feed: Arc<dyn ChangeFeed>) -> Self {
        self.change_feed = Some(feed);
        self
    }

    /// What a change feed's listener calls on each notice: drops what this replica caches of
    /// it, and answers false once the service is gone (the listener may stop), so it does not
    /// keep the service alive.
    pub fn change_listener(&self) -> impl Fn(ChangeNotice) -> bool + Send + Sync + 'static {
        let auth = Arc::downgrade(&self.auth_cache);
        let zones = Arc::downgrade(&self.zone_cache);
        let settings = Arc::downgrade(&self.live_settings);
        move |notice| {
            let (Some(auth), Some(zones), Some(settings)) =
                (auth.upgrade(), zones.upgrade(), settings.upgrade())
            else {
                return false;
            };
            match notice {
                ChangeNotice::Auth => auth.invalidate_local(),
                ChangeNotice::Zone(id) => zones.drop_zone(id),
                ChangeNotice::Config => settings.invalidate(),
                ChangeNotice::Everything => {
                    auth.invalidate_local();
                    zones.drop_all();
                    settings.invalidate();
                }
            }
            true
        }
    }
}
