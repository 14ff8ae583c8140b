//! # scaidns-core
//!
//! The ScaiDNS library: every DNS rule (names, record content, zone rules), ownership
//! validation, DNSSEC key lifecycle and access control, behind ports ([`ports`]) so that other
//! services can embed it. The HTTP server (`scaidns-server`) is one user of this crate; a Rust
//! program can be another, with the same rules and the same authorization.
//!
//! ## Embedding the service
//!
//! An in-process ScaiDNS on SQLite in a directory of its own, answering DNS itself (no
//! PowerDNS): a zone created, a record validated and added, an authorization question asked.
//! Every call goes through the same authorization as the HTTP API, so the program acts as a
//! principal — here the first platform admin, through the API key [`service::ScaiDns::bootstrap`]
//! issues.
//!
//! ```
//! # #[cfg(all(feature = "sql", feature = "embedded", feature = "resolver"))]
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//!
//! use scaidns_core::prelude::*;
//!
//! let dir = tempfile::tempdir()?;
//! let store = SqlStore::connect(&format!("sqlite:{}", dir.path().join("dns.db").display())).await?;
//! store.migrate().await?;
//! let backend = EmbeddedBackend::new();
//! // Port 0 takes a free port; the handle stops answering when shut down or dropped.
//! let dns = backend.serve("127.0.0.1:0".parse()?).await?;
//! let service = ScaiDns::new(
//!     Arc::new(store),
//!     Arc::new(backend),
//!     Arc::new(HickoryResolver::new()),
//!     Arc::new(SystemClock),
//!     ServiceConfig::default(),
//! );
//!
//! let admin = service.bootstrap("admin@example.com").await?;
//! let ctx = service
//!     .authenticate_api_key(admin.secret.expose(), RequestMeta::default())
//!     .await?;
//! let zone = service
//!     .zone_create(&ctx, ZoneCreate { name: "Example.TEST".into(), ..ZoneCreate::default() })
//!     .await?
//!     .zone;
//! assert_eq!(zone.name.fqdn(), "example.test.");
//!
//! // Content is validated and stored in canonical form (RFC 5952 for IPv6).
//! let www = RecordCreate {
//!     name: "www".into(),
//!     rtype: "AAAA".into(),
//!     content: "2001:DB8:0:0::10".into(),
//!     ttl: Some(300),
//!     disabled: None,
//! };
//! let (_, record) = service.record_create(&ctx, zone.id, www, &IfMatch::Any).await?;
//! assert_eq!(record.content.as_str(), "2001:db8::10");
//!
//! // A CNAME beside other data at the same name is refused (RFC 1034 §3.6.2, RFC 2181 §10.1).
//! let clash = RecordCreate {
//!     name: "www".into(),
//!     rtype: "CNAME".into(),
//!     content: "elsewhere.example.".into(),
//!     ttl: None,
//!     disabled: None,
//! };
//! let refused = service.record_create(&ctx, zone.id, clash, &IfMatch::Any).await.unwrap_err();
//! assert_eq!(refused.code(), "cname_conflict");
//!
//! // Authorization questions, as the HTTP API answers `/api/v1/me/permissions/check`.
//! assert!(service.is_allowed(&ctx, Permission::RECORDS_DELETE, zone_target(&zone)).await?);
//! let check = service
//!     .permission_check(&ctx, "records:update", Some(zone.id), Some("www"), Some("AAAA"))
//!     .await?;
//! assert!(check.allowed);
//!
//! dns.shutdown().await?;
//! # Ok(())
//! # }
//! # #[cfg(not(all(feature = "sql", feature = "embedded", feature = "resolver")))]
//! # fn main() {}
//! ```
//!
//! ## Validation alone
//!
//! With `default-features = false` the crate is pure logic with no I/O dependency: names,
//! record content and TTLs are checked and canonicalised the way PowerDNS stores them.
//!
//! ```
//! use scaidns_core::prelude::*;
//!
//! let zone = ZoneName::parse("Bücher.example")?;
//! assert_eq!(zone.fqdn(), "xn--bcher-kva.example.");
//!
//! // Owner names are relative to the zone unless they end in a dot (RFC 1035 §5.1).
//! let name = RecordName::parse("_sip._tcp", &zone)?;
//! assert_eq!(name.fqdn(), "_sip._tcp.xn--bcher-kva.example.");
//!
//! // Host names inside content are absolute, final dot or not, and stored as lowercase
//! // A-labels; MX and SRV targets must be RFC 1123 host names (no underscore).
//! let srv: RecordType = "SRV".parse()?;
//! let content = RecordContent::parse(srv, "10 5 5060 SIP.Bücher.example", &zone)?;
//! assert_eq!(content.as_str(), "10 5 5060 sip.xn--bcher-kva.example.");
//! assert!(RecordContent::parse("MX".parse()?, "10 mail_1.example.", &zone).is_err());
//!
//! // CAA (RFC 8659): the tag is lowercased, the value quoted.
//! let caa = RecordContent::parse("CAA".parse()?, "0 ISSUE letsencrypt.org", &zone)?;
//! assert_eq!(caa.as_str(), "0 issue \"letsencrypt.org\"");
//!
//! let bad = RecordContent::parse("A".parse()?, "192.0.2.300", &zone).unwrap_err();
//! assert_eq!(bad.kind(), ErrorKind::InvalidInput);
//! # Ok::<(), scaidns_core::Error>(())
//! ```
//!
//! ## Layout
//!
//! - Pure model and rules: [`name`], [`record`], [`zone`], [`zone_file`], [`dnssec`],
//!   [`ownership`], [`rbac`], [`identity`], [`tenant`], [`audit`].
//! - [`ports`]: the traits through which the core reaches storage, the DNS backend, resolvers,
//!   time and randomness; [`adapters`] implement them.
//! - [`service`]: [`service::ScaiDns`], every operation the HTTP API offers, authorized.
//! - [`prelude`]: the names an embedder needs, in one `use`.
//!
//! ## Cargo features
//!
//! All are on by default; `default-features = false` leaves the pure core (no tokio, no
//! sqlx, no network client).
//!
//! | Feature    | Adds                                                                  | Pulls in |
//! |------------|-----------------------------------------------------------------------|----------|
//! | `sql`      | [`adapters::sql::SqlStore`]: MariaDB/MySQL, PostgreSQL and SQLite store | `sqlx`, `percent-encoding` |
//! | `pdns`     | `adapters::pdns`: the PowerDNS Authoritative HTTP API backend          | `reqwest`, `tokio` |
//! | `embedded` | [`adapters::embedded::EmbeddedBackend`]: an authoritative server on UDP/TCP | `hickory-server`, `tokio` |
//! | `resolver` | `adapters::resolver`: a stub resolver asking chosen servers directly   | `hickory-resolver`, `tokio` |
//! | `redis`    | `adapters::rate_counters` and `adapters::redis_change_feed`: Redis rate limiter and change feed | `redis`, `tokio` |
//! | `oidc`     | `adapters::oidc`: OpenID Connect (ScaiKey or any provider): JWT checks against a cached JWKS, the code exchange, the directory API | `jsonwebtoken`, `hyper`, `hyper-rustls` (rustls on ring), `http`, `tokio` |
#![warn(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod adapters;
#[cfg(test)]
mod architecture_tests;
pub mod audit;
pub mod dnssec;
pub mod error;
pub mod identity;
pub mod ids;
pub mod ip_network;
pub mod name;
pub mod outbound_webhook;
pub mod ownership;
pub mod paging;
pub mod ports;
pub mod prelude;
pub mod rbac;
pub mod record;
pub mod reverse;
pub mod service;
mod string_enum;
pub mod template;
pub mod tenant;
pub mod zone;
pub mod zone_file;

pub use error::{Error, ErrorKind, Result};

// The README's example compiles and runs with the doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
