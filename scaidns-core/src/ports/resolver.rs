//! DNS lookups against chosen servers, for ownership validation and DS checks. Caching is off:
//! a freshly published TXT must be seen at once.

use std::net::SocketAddr;
use std::time::Instant;

use async_trait::async_trait;

use crate::record::RecordType;

/// What a server answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LookupAnswer {
    /// Records of the asked type. Content per type:
    /// - TXT: the record's character-strings concatenated, unquoted and unescaped;
    /// - A/AAAA: the address; NS/CNAME/PTR: the absolute host name, lowercase with trailing dot;
    /// - DS: `<key tag> <algorithm> <digest type> <lowercase hex digest>`;
    /// - anything else: presentation form.
    Records(Vec<String>),
    /// The name exists but has no records of that type.
    NoData,
    /// The name does not exist.
    NxDomain,
}

/// A lookup failure (timeout, refused, server failure, network error).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ResolveError(pub String);

/// Queries DNS servers directly.
#[async_trait]
pub trait Resolver: Send + Sync + std::fmt::Debug {
    /// Asks `servers` (tried in order until one answers) for `name` (absolute, with or without
    /// trailing dot) of type `rtype`, with recursion desired.
    async fn lookup(
        &self,
        servers: &[SocketAddr],
        name: &str,
        rtype: RecordType,
    ) -> Result<LookupAnswer, ResolveError>;

    /// [`Self::lookup`], given up at `deadline` (a timeout error then). Ownership checks share
    /// one deadline among all their lookups, so a check has a total time budget however many
    /// servers stay silent.
    async fn lookup_until(
        &self,
        servers: &[SocketAddr],
        name: &str,
        rtype: RecordType,
        deadline: Instant,
    ) -> Result<LookupAnswer, ResolveError>;

    /// The NS set `servers` hold for `zone`, given up at `deadline`: the answer's NS records at
    /// `zone`, or else a referral's (the authority section's NS records owned by `zone`), since
    /// a parent answers a name it delegates with a referral. Asked without recursion, so a
    /// server that also resolves still answers from its own data.
    async fn delegation_until(
        &self,
        servers: &[SocketAddr],
        zone: &str,
        deadline: Instant,
    ) -> Result<LookupAnswer, ResolveError>;
}
