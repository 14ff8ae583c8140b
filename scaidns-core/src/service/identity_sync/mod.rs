//! Keeping the identity cache in step with the identity provider: ScaiKey webhooks
//! ([`webhook`]), the pull sync of `scaidns sync` ([`sync`]) and `scaidns assign-admin`.
//! Both refresh paths go through one `mirror` module, so an event and a sync that say the same
//! thing leave the same rows.

mod admin;
mod link_report;
mod mirror;
pub mod sync;
pub mod webhook;

pub(crate) use link_report::Reporter;
pub(crate) use mirror::group_json;
pub use mirror::{SyncCounts, Tally};
pub use sync::{NoProgress, SyncOptions, SyncProgress, SyncReport};
pub use webhook::{WebhookDelivery, WebhookOutcome, WebhookStatus};
