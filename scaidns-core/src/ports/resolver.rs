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
    ///
    /// A CNAME chain is followed (its end is the answer) except for NS: a CNAME is not a zone
    /// cut, so NS records reached through one are not the asked name's and the answer is
    /// NODATA.
    Records(Vec<String>),
    /// The name exists but has no records of that type.
    NoData,
    /// The name does not exist.
    NxDomain,
}

/// What one server of a parent zone said about a name it may delegate
/// ([`Resolver::delegation_until`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DelegationAnswer {
    /// A referral: no answer, and NS records owned by the asked name in the authority section
    /// (lowercase absolute host names, sorted). The only form a delegation takes.
    Referral(Vec<String>),
    /// The server answered the NS question itself (NS records in the answer section): it
    /// serves the zone, or answers from a cache, so what it said is the zone's own apex NS
    /// set, which proves nothing about the parent's delegation.
    Answered,
    /// Neither: an SOA or NS records of another name in the authority section, or nothing.
    NotDelegated,
    /// The name does not exist in the parent.
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

    /// Whether `servers` delegate `zone`, given up at `deadline`: a parent answers a name it
    /// delegates with a referral (see [`DelegationAnswer`]). Asked without recursion, so a
    /// server that also resolves still answers from its own data.
    async fn delegation_until(
        &self,
        servers: &[SocketAddr],
        zone: &str,
        deadline: Instant,
    ) -> Result<DelegationAnswer, ResolveError>;
}
