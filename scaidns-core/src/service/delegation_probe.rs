//! The DNS side of an ownership check by delegation (`validation_type: "nameservers"`): the
//! zone is proven when its parent delegates it to the platform nameservers. The parent zone is
//! the nearest ancestor with an NS set at the configured resolvers; its servers are found and
//! bounded exactly as the TXT check finds the child's (`super::ownership_probe`), then each is
//! asked, without recursion, for the NS set of the zone name. A referral counts as much as an
//! answer (a parent answers a name it delegates with a referral). The check passes when at least
//! one parent server answered and every server that answered delegates to all the platform
//! nameservers; a partial set is refused, since the missing servers would answer for the zone.

use std::collections::BTreeSet;
use std::time::Instant;

use futures::future::join_all;

use crate::error::Result;
use crate::name::ZoneName;
use crate::ports::resolver::LookupAnswer;
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
            self.resolver()
                .delegation_until(std::slice::from_ref(server), zone.fqdn(), deadline)
        }))
        .await;
        let mut answered = 0;
        let mut found: BTreeSet<String> = BTreeSet::new();
        let mut missing: BTreeSet<String> = BTreeSet::new();
        for (server, answer) in servers.iter().zip(answers) {
            let hosts: BTreeSet<String> = match answer {
                Ok(LookupAnswer::Records(hosts)) => hosts.iter().map(|h| host_name(h)).collect(),
                Ok(LookupAnswer::NoData | LookupAnswer::NxDomain) => BTreeSet::new(),
                Err(e) => {
                    tracing::debug!(server = %server, error = %e, "delegation query failed");
                    continue;
                }
            };
            answered += 1;
            missing.extend(expected.difference(&hosts).cloned());
            found.extend(hosts);
        }
        if answered == 0 {
            return Ok((
                false,
                format!(
                    "The parent zone {shown_parent} did not answer for {zone} (no nameserver answered)"
                ),
            ));
        }
        if missing.is_empty() {
            return Ok((true, "Domain validated".to_owned()));
        }
        let found = if found.is_empty() {
            "no nameservers".to_owned()
        } else {
            join(&found)
        };
        Ok((
            false,
            format!(
                "The parent zone {shown_parent} delegates {zone} to {found}; expected all of {} (missing {})",
                join(&expected),
                join(&missing)
            ),
        ))
    }

    /// The nearest ancestor of `zone` (not the root) that has an NS set at the configured
    /// resolvers, absolute; `None` when none has one or the resolvers stop answering.
    async fn parent_zone(&self, zone: &ZoneName, deadline: Instant) -> Option<String> {
        let config = &self.config().validation;
        let mut candidate = zone.fqdn();
        while let Some((_, rest)) = candidate.split_once('.') {
            if rest.is_empty() {
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
