//! The ports: the traits through which the core reaches storage, the DNS backend, its DNSSEC
//! keys, resolvers and time. Adapters in [`crate::adapters`] implement them; tests run one
//! contract suite per port against every implementation.

pub mod backend;
pub mod clock;
pub mod directory;
pub mod dnssec_keys;
pub mod identity_directory;
pub mod identity_provider;
pub mod lifecycle;
pub mod rate_limit;
pub mod rbac;
pub mod resolver;
pub mod store;

pub use backend::{BackendError, BackendErrorKind, DnsBackend, ZoneSpec};
pub use clock::{Clock, ManualClock, SystemClock};
pub use dnssec_keys::DnssecKeyBackend;
pub use resolver::{LookupAnswer, ResolveError, Resolver};
pub use store::Store;
