//! The ports: the traits through which the core reaches storage, the DNS backend, its DNSSEC
//! keys, resolvers, time and randomness. Adapters in [`crate::adapters`] implement them; tests
//! run one contract suite per port against every implementation.

pub mod after_answer;
pub mod backend;
pub mod change_feed;
pub mod classless_store;
pub mod clock;
pub mod dnssec_key_store;
pub mod dnssec_keys;
pub mod history_store;
pub mod idempotency_store;
pub mod identity_provider;
pub mod identity_store;
pub mod idp_directory;
pub mod idp_users;
pub mod job_store;
pub mod observer;
pub mod random;
pub mod rate_limiter;
pub mod rbac;
pub mod resolver;
pub mod store;
pub mod template_store;
pub mod webhook_sender;
pub mod webhook_store;

pub use after_answer::AfterAnswer;
pub use backend::{BackendError, BackendErrorKind, DnsBackend, NotifyQueue, ZoneSpec};
pub use change_feed::{ChangeFeed, ChangeNotice};
pub use clock::{Clock, ManualClock, SystemClock};
pub use dnssec_keys::DnssecKeyBackend;
pub use observer::Observer;
#[cfg(test)]
pub use random::SeededRandom;
pub use random::{Random, SystemRandom};
pub use resolver::{DelegationAnswer, LookupAnswer, ResolveError, Resolver};
pub use store::Store;
