//! Whether a write reached the DNS backend (issue 16, item 4): every write answer carries the
//! zone's publication state in the zone's own terms, so a change saved during a PowerDNS
//! outage never looks published. A body gets [`PublicationState`]; a delete's 204 gets the
//! `X-Sync-Status` header ([`Deleted`]). Tenants see why in categories ([`sync_error`]).

use poem_openapi::types::ToJSON;
use poem_openapi::{ApiResponse, Object};
use scaidns_core::zone::{SyncStatus, Zone};

use crate::api::zones::SyncStatusDto;
use crate::state::AppState;
use crate::timestamp::Timestamp;

/// The zone's publication state after a write.
#[derive(Debug, Clone, Object)]
pub struct PublicationState {
    /// `in_sync` (published), `pending` (saved; the retry loop publishes it), `error` (the
    /// backend refused; see `sync_error`) or `unpublished` (the zone is not served).
    pub sync_status: SyncStatusDto,
    /// Why it is not published yet: `PowerDNS unreachable`, or `PowerDNS refused: <reason>`.
    pub sync_error: Option<String>,
    /// When the retry loop next tries, while not published (absent when no worker has run).
    pub next_retry_at: Option<Timestamp>,
}

/// The publication state of `zone` as a write left it. The write is committed: failing to
/// read when the retry loop runs next only leaves `next_retry_at` out, never fails the answer.
pub async fn of(state: &AppState, zone: &Zone) -> PublicationState {
    let sync_status = SyncStatusDto::of(zone);
    let next_retry_at = match sync_status {
        SyncStatusDto::Pending | SyncStatusDto::Error => {
            match state.service.next_publication_retry().await {
                Ok(at) => at.map(Into::into),
                Err(e) => {
                    tracing::warn!(zone = %zone.name, error = %e, "cannot read when the retry loop runs next");
                    None
                }
            }
        }
        SyncStatusDto::InSync | SyncStatusDto::Unpublished => None,
    };
    PublicationState {
        sync_status,
        sync_error: sync_error(zone),
        next_retry_at,
    }
}

/// The zone's last publication error as a tenant may see it: a category, and PowerDNS's own
/// reason for a refusal, but never the backend's address, status line or raw body (decision
/// in docs/decisions.md). The full text is in the server's log, written when publishing failed.
pub fn sync_error(zone: &Zone) -> Option<String> {
    let raw = zone.sync.error.as_deref()?;
    Some(public_error(zone.sync.status, raw))
}

fn public_error(status: SyncStatus, raw: &str) -> String {
    match status {
        SyncStatus::Error => {
            let reason = raw
                .strip_prefix("the DNS backend refused the change: ")
                .unwrap_or(raw)
                .trim();
            if reason.is_empty() || names_the_backend(reason) {
                "PowerDNS refused the change".to_owned()
            } else {
                format!("PowerDNS refused: {reason}")
            }
        }
        SyncStatus::Pending | SyncStatus::InSync => "PowerDNS unreachable".to_owned(),
    }
}

/// Whether a backend message carries the request line or an address rather than a reason.
fn names_the_backend(text: &str) -> bool {
    text.starts_with("PowerDNS ") || text.contains("://") || text.contains("/api/")
}

/// A delete's answer: no body; the header tells whether the delete is published (absent when
/// the zone itself is gone for good).
#[derive(ApiResponse)]
pub enum Deleted {
    /// Deleted.
    #[oai(status = 204)]
    Deleted(
        /// `in_sync`, `pending`, `error` or `unpublished` (see the zone's `sync_status`).
        #[oai(header = "X-Sync-Status")]
        Option<String>,
    ),
}

impl Deleted {
    /// The answer to a delete that left `zone` behind.
    pub fn leaving(zone: &Zone) -> Self {
        let status = SyncStatusDto::of(zone).to_json();
        Self::Deleted(status.and_then(|v| v.as_str().map(str::to_owned)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tenant_sees_a_category_not_the_backend_address() {
        let seen = public_error(
            SyncStatus::Pending,
            "PowerDNS PATCH /api/v1/servers/localhost/zones/example.com.: connection failed: \
             error sending request for url (http://10.0.0.5:8081/api/v1/servers/localhost/zones)",
        );
        assert_eq!(seen, "PowerDNS unreachable");

        let seen = public_error(
            SyncStatus::Error,
            "the DNS backend refused the change: RRset www.example.com. IN CNAME: Conflicts with \
             pre-existing RRset",
        );
        assert_eq!(
            seen,
            "PowerDNS refused: RRset www.example.com. IN CNAME: Conflicts with pre-existing RRset"
        );

        let seen = public_error(
            SyncStatus::Error,
            "the DNS backend refused the change: PowerDNS PUT /api/v1/servers/localhost/zones/x: 404",
        );
        assert_eq!(seen, "PowerDNS refused the change");
    }
}
