//! The adapters' own configuration types, and the ScaiKey registration client, re-exported
//! for the configuration reader and the CLI. A leaf module: it uses nothing of the server, so
//! the configuration can name these types without depending on the wiring that reads it.

pub use scaidns_core::adapters::oidc::http::HttpClient;
pub use scaidns_core::adapters::oidc::registration;
pub use scaidns_core::adapters::oidc::{ClaimNames, OidcConfig};
