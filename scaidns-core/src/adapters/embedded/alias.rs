//! ALIAS expansion for the embedded backend (PowerDNS's `expand-alias`): the addresses of each
//! ALIAS target are looked up through the [`Resolver`] port and served as A and AAAA records at
//! the ALIAS name, beside whatever else is there (the apex SOA, NS and MX).
//!
//! PowerDNS resolves at query time; here the lookup happens when a zone is published and when
//! [`super::EmbeddedBackend::refresh_aliases`] runs (the server calls it periodically), so a
//! changed target address shows after at most one refresh interval. A target that does not
//! resolve is served as no addresses (NODATA), as PowerDNS answers when its resolver fails.

use std::net::SocketAddr;
use std::sync::Arc;

use crate::ports::resolver::{LookupAnswer, Resolver};
use crate::record::RecordType;

/// Where ALIAS targets are looked up.
#[derive(Debug, Clone)]
pub struct AliasResolver {
    /// The lookup port.
    pub resolver: Arc<dyn Resolver>,
    /// Recursive resolvers to ask (PowerDNS's `resolver=`).
    pub servers: Vec<SocketAddr>,
}

/// The addresses served at one ALIAS name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Expansion {
    /// Owner of the ALIAS, absolute.
    pub owner: String,
    /// TTL of the ALIAS RRset.
    pub ttl: u32,
    /// A contents.
    pub a: Vec<String>,
    /// AAAA contents.
    pub aaaa: Vec<String>,
}

impl AliasResolver {
    /// Looks up every `(owner, ttl, target)`.
    pub(super) async fn expand(&self, aliases: &[(String, u32, String)]) -> Vec<Expansion> {
        let mut out = Vec::with_capacity(aliases.len());
        for (owner, ttl, target) in aliases {
            out.push(Expansion {
                owner: owner.clone(),
                ttl: *ttl,
                a: self.addresses(target, RecordType::A).await,
                aaaa: self.addresses(target, RecordType::AAAA).await,
            });
        }
        out
    }

    async fn addresses(&self, target: &str, rtype: RecordType) -> Vec<String> {
        match self.resolver.lookup(&self.servers, target, rtype).await {
            Ok(LookupAnswer::Records(mut records)) => {
                records.sort();
                records.dedup();
                records
            }
            Ok(LookupAnswer::NoData | LookupAnswer::NxDomain) => Vec::new(),
            Err(e) => {
                tracing::warn!(target, %rtype, error = %e, "ALIAS target did not resolve");
                Vec::new()
            }
        }
    }
}
