//! The DNS side of an ownership check by delegation (`validation_type: "nameservers"`): the
//! zone is proven when its parent delegates it to the platform nameservers. The parent zone is
//! the nearest ancestor with an NS set at the configured resolvers; its servers are found and
//! bounded exactly as the TXT check finds the child's (`super::ownership_probe`), then each is
//! asked, without recursion, for the NS set of the zone name. Only a referral counts (a parent
//! answers a name it delegates with a referral; an answer is the zone's own apex speaking). The
//! check passes when every parent nameserver asked answers with a referral to all the platform
//! nameservers; a partial set is refused, since the missing servers would answer for the zone,
//! and so is a silent nameserver (none of its addresses answered), which may be the one
//! delegating elsewhere. A nameserver is judged by its addresses together: one unreachable
//! address (IPv6 on a host without an IPv6 route) does not make it silent, but every address
//! that answers must delegate. "Every nameserver" is bounded as for the TXT check: the first
//! [`MAX_NS_HOSTS`] by name and at most [`MAX_ADDRESSES`] public addresses; private addresses
//! are dropped unless allowed, and a nameserver left without an address is not asked.
//! The walk up to the parent passes over a CNAME (an alias is not a zone cut: it is treated as
//! a name without an NS set and the walk goes on to the next label up), and stops at the first
//! ancestor with an NS set, after [`MAX_PARENT_STEPS`] labels, or at the check's time budget.

use std::collections::BTreeSet;
use std::time::Instant;

use futures::future::join_all;

use crate::error::Result;
use crate::name::ZoneName;
use crate::ownership::targets::{MAX_ADDRESSES, MAX_NS_HOSTS};
use crate::ports::resolver::{DelegationAnswer, LookupAnswer};
use crate::record::RecordType;
use crate::service::ScaiDns;
use crate::service::ownership_probe::NsLookup;

impl ScaiDns {
    /// Asks the parent of `zone` whether it delegates `zone` to every platform nameserver;
    /// returns the verdict and a message naming what was found against what was expected.
    pub(crate) async fn probe_delegation(&self, zone: &ZoneName) -> Result<(bool, String)> {
        let expected: BTreeSet<String> = self
            .nameservers()
            .await?
            .iter()
            .map(|ns| host_name(ns))
            .collect();
        let config = &self.config().validation;
        if config.resolvers.is_empty() {
            return Ok((false, "No validation resolvers are configured (VALIDATION_RESOLVERS); the check cannot run".to_owned()));
        }
        if expected.is_empty() {
            return Ok((
                false,
                "No platform nameservers are configured (PLATFORM_NAMESERVERS); delegation cannot be checked".to_owned(),
            ));
        }
        let deadline = Instant::now() + config.check_budget;
        let Some(parent) = self.parent_zone(zone, deadline).await else {
            return Ok((false, format!("No parent zone of {zone} was found in DNS")));
        };
        let shown_parent = parent.trim_end_matches('.');
        let servers = match self.authoritative_servers(&parent, deadline).await {
            Ok(servers) => servers,
            Err(NsLookup::OnlyWithheld) => {
                return Ok((
                    false,
                    format!(
                        "The nameservers of the parent zone {shown_parent} resolve only to private or reserved addresses, which this platform does not query"
                    ),
                ));
            }
            Err(NsLookup::NxDomain | NsLookup::NotFound) => {
                return Ok((
                    false,
                    format!("The nameservers of the parent zone {shown_parent} could not be found"),
                ));
            }
        };
        let answers = join_all(servers.iter().map(|server| {
            self.resolver().delegation_until(
                std::slice::from_ref(&server.addr),
                zone.fqdn(),
                deadline,
            )
        }))
        .await;
        // Judged per nameserver, not per address: a host is silent only when none of its
        // addresses answered (a platform without an IPv6 route still reaches it over IPv4),
        // and every address that did answer must delegate.
        let mut asked: BTreeSet<&str> = BTreeSet::new();
        let mut heard: BTreeSet<&str> = BTreeSet::new();
        let mut answered_itself = false;
        let mut found: BTreeSet<String> = BTreeSet::new();
        let mut missing: BTreeSet<String> = BTreeSet::new();
        for (server, answer) in servers.iter().zip(answers) {
            asked.insert(&server.host);
            let hosts: BTreeSet<String> = match answer {
                Ok(DelegationAnswer::Referral(hosts)) => {
                    hosts.iter().map(|h| host_name(h)).collect()
                }
                Ok(DelegationAnswer::Answered) => {
                    answered_itself = true;
                    BTreeSet::new()
                }
                Ok(DelegationAnswer::NotDelegated | DelegationAnswer::NxDomain) => BTreeSet::new(),
                Err(e) => {
                    tracing::debug!(server = %server.addr, error = %e, "delegation query failed");
                    continue;
                }
            };
            heard.insert(&server.host);
            missing.extend(expected.difference(&hosts).cloned());
            found.extend(hosts);
        }
        let silent = asked.len() - heard.len();
        if answered_itself {
            return Ok((
                false,
                format!(
                    "A nameserver of the parent zone {shown_parent} answers for {zone} itself instead of delegating it (it serves the zone); only a referral from the parent proves the delegation"
                ),
            ));
        }
        if !missing.is_empty() {
            let found = if found.is_empty() {
                "no nameservers".to_owned()
            } else {
                join(&found)
            };
            return Ok((
                false,
                format!(
                    "The parent zone {shown_parent} delegates {zone} to {found}; expected all of {} (missing {}) {}",
                    join(&expected),
                    join(&missing),
                    asked_limit()
                ),
            ));
        }
        if silent > 0 {
            // Every nameserver asked must answer: a silent one may be the one that delegates
            // elsewhere, and resolvers would ask it too.
            return Ok((
                false,
                format!(
                    "{silent} of {} nameservers of the parent zone {shown_parent} did not answer for {zone} at any of their addresses; every one asked must answer and delegate it {}",
                    asked.len(),
                    asked_limit()
                ),
            ));
        }
        Ok((true, "Domain validated".to_owned()))
    }

    /// The nearest ancestor of `zone` (not the root) that has an NS set at the configured
    /// resolvers, absolute; `None` when none has one or the resolvers stop answering.
    /// The walk is bounded by [`MAX_PARENT_STEPS`] ancestors and by the check's `deadline`.
    async fn parent_zone(&self, zone: &ZoneName, deadline: Instant) -> Option<String> {
        let config = &self.config().validation;
        let mut candidate = zone.fqdn();
        for _ in 0..MAX_PARENT_STEPS {
            let (_, rest) = candidate.split_once('.')?;
            if rest.is_empty() || Instant::now() >= deadline {
                return None;
            }
            candidate = rest;
            match self
                .resolver()
                .lookup_until(&config.resolvers, candidate, RecordType::NS, deadline)
                .await
            {
                Ok(LookupAnswer::Records(hosts)) if !hosts.is_empty() => {
                    return Some(candidate.to_owned());
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::debug!(zone = %zone, error = %e, "parent zone lookup failed");
                    return None;
                }
            }
        }
        None
    }
}

/// Ancestors asked for an NS set before giving up: a registry or an organisation's zone is a
/// few labels up, and each step is a query the claimant's name makes the platform send.
const MAX_PARENT_STEPS: usize = 8;

/// What "every nameserver of the parent" means, for the failure messages
/// (`crate::ownership::targets`).
fn asked_limit() -> String {
    format!(
        "(asked: the parent's first {MAX_NS_HOSTS} nameservers by name, at most {MAX_ADDRESSES} of their public addresses; private addresses are not queried)"
    )
}

/// A host name as compared: lowercase, absolute.
fn host_name(name: &str) -> String {
    let lower = name.trim().to_ascii_lowercase();
    if lower.ends_with('.') {
        lower
    } else {
        format!("{lower}.")
    }
}

fn join(hosts: &BTreeSet<String>) -> String {
    hosts
        .iter()
        .map(|h| h.trim_end_matches('.'))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_names_compare_without_case_or_trailing_dot() {
        assert_eq!(host_name("NS1.Example.NET"), "ns1.example.net.");
        assert_eq!(host_name("ns1.example.net."), "ns1.example.net.");
    }
}
