//! # scaidns-client
//!
//! Typed Rust SDK for the ScaiDNS API: build a [`Client`], call the API's operations as
//! methods, get typed answers, typed [`Error`]s, retries and paginated lists as streams.
//!
//! ```no_run
//! use futures::TryStreamExt;
//! use scaidns_client::types::{DomainCreateRequest, RecordCreateRequest};
//! use scaidns_client::{Client, Error, RetryPolicy};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = Client::builder()
//!     .base_url("http://127.0.0.1:8000")
//!     .api_key(std::env::var("SCAIDNS_API_KEY")?)
//!     .user_agent("shop-provisioner/1.0")
//!     .retry(RetryPolicy::new(4))
//!     .build()?;
//!
//! // A create is sent once (never retried); a rerun meets 409 `domain_exists`.
//! let zone = client
//!     .zone_create(&DomainCreateRequest {
//!         cidr: None,
//!         name: "shop.test".into(),
//!         domain_type: None,
//!         default_ttl: Some(3600),
//!         description: None,
//!         settings: None,
//!         skip_validation: None,
//!         template_id: None,
//!         template_variables: Default::default(),
//!         primaries: Vec::new(),
//!         tsig_algorithm: None,
//!         tsig_key_name: None,
//!         tsig_secret: None,
//!     })
//!     .await
//!     .map_err(Error::from)?
//!     .into_inner();
//!
//! let record = RecordCreateRequest {
//!     ptr: None,
//!     name: "www".into(),
//!     type_: "A".into(),
//!     content: "192.0.2.10".into(),
//!     ttl: None,
//!     disabled: None,
//! };
//! match client.record_create(&zone.id, &record).await.map_err(Error::from) {
//!     Ok(_) => {}
//!     Err(e) if e.is_conflict() => println!("already there: {}", e.message()),
//!     Err(e) => return Err(e.into()),
//! }
//!
//! // Every zone, page by page as the stream is read.
//! let names: Vec<String> = client.zones_stream().map_ok(|z| z.name).try_collect().await?;
//! println!("{names:?}");
//! # Ok(()) }
//! ```
//!
//! ## What is generated and what is not
//!
//! The [`Client`]'s operation methods and the [`types`] are generated at build time from
//! `openapi/scaidns.json` by progenitor: one method per operation, named after its operation id
//! (`zone_create`, `record_list`, …), with positional arguments. They return
//! [`GeneratedError`]; `?` or [`Error::from`] turns it into the typed [`Error`] with the
//! server's envelope.
//!
//! The hand-written layer underneath every generated call (its `exec` hook):
//! - [`ClientBuilder`]: base URL, API key or bearer token (with a refresh callback), user
//!   agent, timeout, [`RetryPolicy`].
//! - Retries with exponential backoff and full jitter on 429 (after `Retry-After`), 503 and
//!   broken connections, for `GET`/`HEAD`/`PUT`/`DELETE`, and for `POST`/`PATCH` sent with an
//!   `Idempotency-Key` ([`Client::with_idempotency_key`], or a fresh key per call with
//!   [`ClientBuilder::idempotency_keys`]): the server replays the first answer to a repeat, so
//!   a retried create is applied once. A `POST`/`PATCH` without a key is sent once.
//! - Redirects are not followed (the credential stays with the configured host).
//! - [`paginate`] and [`Client::zones_stream`] and friends: paginated lists as streams.

#![warn(missing_docs)]

#[allow(missing_docs)]
mod generated {
    #![allow(
        clippy::all,
        clippy::pedantic,
        unused,
        missing_docs,
        elided_lifetimes_in_paths
    )]
    include!(concat!(env!("OUT_DIR"), "/codegen.rs"));
}

// `Error` below is the typed error; the generated one is `GeneratedError`.
pub use generated::*;

mod builder;
mod error;
pub mod extras;
mod pagination;
mod retry;
mod runtime;

pub use builder::{BuildError, ClientBuilder, USER_AGENT};
pub use error::{Error, GeneratedError, codes};
pub use extras::collect_pages;
pub use pagination::{Page, paginate};
pub use retry::{IDEMPOTENCY_KEY, KEYLESS_OPERATIONS, RetryPolicy};
pub use runtime::{BoxError, Runtime, TokenFuture};

// The README's example compiles with the doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
