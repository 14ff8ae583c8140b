//! Key use recorded in memory and written in batches (interface decision 21: `last_used_at`,
//! `last_used_ip`, `use_count`), so no request waits on a write to say it was made. The server
//! calls [`ScaiDns::flush_key_use`] every few seconds and once more at a clean shutdown; reads
//! of keys flush first, so this replica's own uses are always visible to them.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use crate::error::Result;
use crate::ids::ApiKeyId;
use crate::ports::store::ApiKeyUse;

use super::{Actor, OpContext, ScaiDns};

/// Uses not yet written, per key.
#[derive(Debug, Default)]
pub(crate) struct PendingKeyUses(Mutex<HashMap<ApiKeyId, ApiKeyUse>>);

impl PendingKeyUses {
    fn add(&self, id: ApiKeyId, at: chrono::DateTime<chrono::Utc>, ip: Option<&str>) {
        let mut pending = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let entry = pending.entry(id).or_insert_with(|| ApiKeyUse {
            id,
            last_used_at: at,
            last_used_ip: None,
            uses: 0,
        });
        entry.uses += 1;
        if at >= entry.last_used_at {
            entry.last_used_at = at;
            entry.last_used_ip = ip.map(str::to_owned);
        }
    }

    fn take(&self) -> Vec<ApiKeyUse> {
        let mut pending = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        pending.drain().map(|(_, u)| u).collect()
    }

    fn put_back(&self, uses: Vec<ApiKeyUse>) {
        let mut pending = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        for u in uses {
            match pending.get_mut(&u.id) {
                Some(newer) => newer.uses += u.uses,
                None => {
                    pending.insert(u.id, u);
                }
            }
        }
    }
}

impl ScaiDns {
    /// Records that the request's API key was used. Called once the request is admitted, so a
    /// refused or throttled request counts as no use. Kept in memory until the next
    /// [`Self::flush_key_use`].
    pub fn api_key_used(&self, ctx: &OpContext) {
        if let Actor::ApiKey { id, .. } = &ctx.actor {
            self.key_uses.add(*id, ctx.now, ctx.ip.as_deref());
        }
    }

    /// Writes the uses recorded since the last flush; on a store error they are kept for the
    /// next one.
    pub async fn flush_key_use(&self) -> Result<()> {
        let uses = self.key_uses.take();
        if uses.is_empty() {
            return Ok(());
        }
        if let Err(e) = self.store.record_api_key_uses(&uses).await {
            self.key_uses.put_back(uses);
            return Err(e);
        }
        Ok(())
    }
}
