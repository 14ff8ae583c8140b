//! Role-based access control (spec api-identity §6–7): the permission catalogue, the system
//! roles, record patterns, and the pure decision [`authorize`] over a caller's resolved
//! assignments and grants. Storage lives behind the `RbacStore` port; the service
//! resolves a caller once per request and authorizes every operation on its first line.
//! [`escalation`] holds the no-escalation rule, [`record_view`] what a record-limited grant
//! sees, [`scopes`] the one API-key scope rule, and [`key_bound`] the bound a key's creator
//! puts on a key that acts as someone else.

pub mod assignments;
pub mod decision;
pub mod escalation;
pub mod key_bound;
pub mod pattern;
pub mod permission;
pub mod principal;
pub mod record_view;
pub mod roles;
pub mod scopes;
pub mod target;
mod zone_grants;

pub use assignments::{AccessGrant, Role, RoleAssignment, RoleScope, Subject};
pub use decision::authorize;
pub use escalation::{Holding, Holdings};
pub use pattern::RecordPattern;
pub use permission::{CATALOGUE, PermSet, Permission};
pub use principal::{GrantInput, Principal, PrincipalInput};
pub use record_view::RecordView;
pub use roles::{SYSTEM_ROLES, SystemRole, system_role};
pub use target::{Decision, Denial, Target};
