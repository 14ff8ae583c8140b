//! # scaidns-client
//!
//! Typed SDK for the ScaiDNS API. The [`Client`] and the [`types`] are generated at build time
//! from `openapi/scaidns.json` by progenitor: one method per operation, named after its
//! operation id (`api_key_create`, `zone_list`, …). The extras here only make it easier to
//! build an authenticated client and to walk paginated lists.

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

pub use generated::*;

pub mod extras;

pub use extras::{BuildError, collect_pages};
