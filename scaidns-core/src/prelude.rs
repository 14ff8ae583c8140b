//! The names a program embedding the core needs, in one `use scaidns_core::prelude::*;`.
//!
//! The pure part (names, records, errors, permissions, the service and its inputs) is always
//! here; the adapters come with their cargo features (`sql`, `embedded`, `pdns`, `resolver`).
//! Everything here is also reachable at its own path; the prelude only gathers it.

pub use crate::error::{Error, ErrorKind, Result};
pub use crate::ids::{RecordId, TenantId, UserId, ZoneId};
pub use crate::name::ZoneName;
pub use crate::ports::{Clock, DnsBackend, ManualClock, Resolver, Store, SystemClock};
pub use crate::rbac::{Decision, Permission, Target};
pub use crate::record::{Record, RecordContent, RecordName, RecordType, Ttl, TtlPolicy};
pub use crate::service::authz::zone_target;
pub use crate::service::records::RecordCreate;
pub use crate::service::zones::ZoneCreate;
pub use crate::service::{OpContext, RequestMeta, ScaiDns, ServiceConfig};
pub use crate::zone::precondition::IfMatch;
pub use crate::zone::{Zone, ZoneStatus};

#[cfg(feature = "embedded")]
pub use crate::adapters::embedded::{EmbeddedBackend, EmbeddedServerHandle};
#[cfg(feature = "pdns")]
pub use crate::adapters::pdns::{PdnsConfig, PowerDnsBackend};
#[cfg(feature = "resolver")]
pub use crate::adapters::resolver::HickoryResolver;
#[cfg(feature = "sql")]
pub use crate::adapters::sql::SqlStore;
