//! The DNS side of an ownership check: find the zone's NS set through the configured
//! resolvers, resolve the NS hosts, and ask the authoritative servers directly for TXT at
//! `_scaidns-verify.<zone>`. The check passes when at least one server answered and every
//! server that answered holds the expected value (a lagging secondary fails the check rather
//! than letting a stale provider decide). When no NS set can be found it asks the resolvers.
//!
//! The NS set is the claimant's to choose, so the check is bounded (`crate::ownership::targets`):
//! at most 8 NS hosts and 16 addresses, only public ones unless the operator allows private
//! targets, every lookup of a check concurrent and under one deadline. Messages never name the
//! servers asked: a tenant learns whether its challenge is visible, not what answers where.

use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

use futures::future::join_all;

use crate::name::ZoneName;
use crate::ownership::CHALLENGE_LABEL;
use crate::ownership::targets::{self, MAX_NS_HOSTS};
use crate::ports::resolver::LookupAnswer;
use crate::record::RecordType;
use crate::service::ScaiDns;

/// Why no authoritative server list came out of the NS lookup.
pub(crate) enum NsLookup {
    NxDomain,
    NotFound,
    /// The NS hosts resolve only to addresses the platform does not query.
    OnlyWithheld,
}

/// One address to ask, with the NS host it belongs to.
pub(crate) struct NsAddress {
    /// The NS host name as the NS set gave it.
    pub(crate) host: String,
    pub(crate) addr: SocketAddr,
}

impl ScaiDns {
    /// Asks DNS whether `expected` is published at the challenge name; returns the verdict
    /// and the documented message.
    pub(crate) async fn probe(&self, zone: &ZoneName, expected: &str) -> (bool, String) {
        let config = &self.config().validation;
        let challenge = format!("{CHALLENGE_LABEL}.{}", zone.fqdn());
        let shown = challenge.trim_end_matches('.').to_owned();
        if config.resolvers.is_empty() {
            return (false, "No validation resolvers are configured (VALIDATION_RESOLVERS); the check cannot run".to_owned());
        }
        // A monotonic deadline, not the service clock: this bounds real waiting on sockets.
        let deadline = Instant::now() + config.check_budget;
        let servers = match self.authoritative_servers(zone.fqdn(), deadline).await {
            Ok(servers) => servers.into_iter().map(|server| server.addr).collect(),
            Err(NsLookup::NxDomain) => {
                return (false, format!("Domain {zone} does not exist in DNS"));
            }
            Err(NsLookup::OnlyWithheld) => {
                return (
                    false,
                    format!(
                        "The nameservers of {zone} resolve only to private or reserved addresses, which this platform does not query"
                    ),
                );
            }
            Err(NsLookup::NotFound) => config.resolvers.clone(),
        };
        let answers = join_all(servers.iter().map(|server| {
            self.resolver().lookup_until(
                std::slice::from_ref(server),
                &challenge,
                RecordType::TXT,
                deadline,
            )
        }))
        .await;
        let mut answered = 0;
        let mut values: Vec<String> = Vec::new();
        let mut all_match = true;
        for (server, answer) in servers.iter().zip(answers) {
            match answer {
                Ok(LookupAnswer::Records(txts)) => {
                    answered += 1;
                    all_match &= txts.iter().any(|t| t == expected);
                    values.extend(txts);
                }
                Ok(LookupAnswer::NoData | LookupAnswer::NxDomain) => {
                    answered += 1;
                    all_match = false;
                }
                Err(e) => tracing::debug!(server = %server, error = %e, "validation query failed"),
            }
        }
        if answered == 0 {
            return (
                false,
                format!("No DNS record found for {shown} (no nameserver answered)"),
            );
        }
        if all_match {
            return (true, "Domain validated".to_owned());
        }
        if values.is_empty() {
            (false, format!("No DNS record found for {shown}"))
        } else {
            (
                false,
                format!("TXT record found but value doesn't match. Expected: {expected}"),
            )
        }
    }

    /// The addresses to ask for the challenge (or, for a delegation check, for the parent's
    /// NS set): the NS hosts of `zone` (absolute; the first [`MAX_NS_HOSTS`] in name order),
    /// resolved through the configured resolvers, then [`targets::select`]ed; each address
    /// with the NS host it was found for (the first, when hosts share one).
    pub(crate) async fn authoritative_servers(
        &self,
        zone: &str,
        deadline: Instant,
    ) -> Result<Vec<NsAddress>, NsLookup> {
        let config = &self.config().validation;
        let resolver = self.resolver();
        let mut hosts = match resolver
            .lookup_until(&config.resolvers, zone, RecordType::NS, deadline)
            .await
        {
            Ok(LookupAnswer::Records(hosts)) if !hosts.is_empty() => hosts,
            Ok(LookupAnswer::NxDomain) => return Err(NsLookup::NxDomain),
            _ => return Err(NsLookup::NotFound),
        };
        hosts.sort();
        hosts.dedup();
        if hosts.len() > MAX_NS_HOSTS {
            tracing::debug!(zone = %zone, hosts = hosts.len(), "NS set cut to {MAX_NS_HOSTS} hosts");
            hosts.truncate(MAX_NS_HOSTS);
        }
        let per_host: Vec<Vec<IpAddr>> = join_all(hosts.iter().map(|host| async move {
            let (a, aaaa) = futures::join!(
                resolver.lookup_until(&config.resolvers, host, RecordType::A, deadline),
                resolver.lookup_until(&config.resolvers, host, RecordType::AAAA, deadline),
            );
            [a, aaaa]
                .into_iter()
                .filter_map(|answer| match answer {
                    Ok(LookupAnswer::Records(addrs)) => Some(addrs),
                    _ => None,
                })
                .flatten()
                .filter_map(|a| a.parse::<IpAddr>().ok())
                .collect()
        }))
        .await;
        let selected = targets::select(&per_host, config.allow_private_targets);
        if selected.withheld > 0 {
            tracing::info!(zone = %zone, withheld = selected.withheld, "validation skipped non-public nameserver addresses");
        }
        match (selected.addresses.is_empty(), selected.withheld) {
            (false, _) => Ok(selected
                .addresses
                .into_iter()
                .map(|ip| NsAddress {
                    host: per_host
                        .iter()
                        .position(|addrs| addrs.contains(&ip))
                        .map_or_else(String::new, |i| hosts[i].clone()),
                    addr: SocketAddr::new(ip, config.nameserver_port),
                })
                .collect()),
            (true, 0) => Err(NsLookup::NotFound),
            (true, _) => Err(NsLookup::OnlyWithheld),
        }
    }
}
