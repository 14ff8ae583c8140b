//! [`Resolver`] on hickory: one query at a time to the servers the caller names, for ownership
//! validation and DS checks.
//!
//! hickory-resolver's `Resolver` is built around a fixed name-server pool with caching, server
//! ranking and negative-answer policies; here every call names its own servers and must see the
//! server's answer as it is, so this adapter uses hickory's transport layer (`hickory-net`, as
//! re-exported by hickory-resolver) directly:
//! - one UDP exchange per server (hickory checks the message id, the question and the source,
//!   RFC 5452 §4), falling back to TCP when the answer is truncated (RFC 7766 §5);
//! - no cache, so a freshly published TXT is seen at once;
//! - servers are tried in order, twice over, until one gives NOERROR or NXDOMAIN; SERVFAIL,
//!   REFUSED and timeouts move on to the next server.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::net::tcp::TcpClientStream;
use hickory_resolver::net::udp::UdpClientStream;
use hickory_resolver::net::xfer::{DnsExchange, DnsHandle, FirstAnswer};
use hickory_resolver::proto::op::{
    DnsRequest, DnsRequestOptions, DnsResponse, Query, ResponseCode,
};
use hickory_resolver::proto::rr::{Name, RData, Record, RecordType as HickoryType};
use hickory_resolver::proto::serialize::binary::BinEncodable;

use crate::ports::resolver::{DelegationAnswer, LookupAnswer, ResolveError, Resolver};
use crate::record::RecordType;

/// Rounds over the server list before giving up.
const ATTEMPTS: usize = 2;

/// A stub resolver that asks the given servers directly.
#[derive(Debug, Clone)]
pub struct HickoryResolver {
    timeout: Duration,
}

impl Default for HickoryResolver {
    fn default() -> Self {
        Self::new()
    }
}

impl HickoryResolver {
    /// A resolver with a 3 s timeout per query.
    pub fn new() -> Self {
        Self::with_timeout(Duration::from_secs(3))
    }

    /// A resolver waiting at most `timeout` for each server's answer.
    pub fn with_timeout(timeout: Duration) -> Self {
        Self { timeout }
    }

    async fn exchange(
        &self,
        server: SocketAddr,
        request: DnsRequest,
    ) -> Result<DnsResponse, String> {
        let provider = TokioRuntimeProvider::new();
        let udp = UdpClientStream::builder(server, provider.clone())
            .with_timeout(Some(self.timeout))
            .exchange();
        let response = udp
            .send(request.clone())
            .first_answer()
            .await
            .map_err(|e| format!("{server}: {e}"))?;
        if !response.metadata.truncation {
            return Ok(response);
        }
        tracing::debug!(%server, "truncated UDP answer; asking again over TCP");
        // The provider owns the tasks it spawns (a JoinSet that aborts them when the last clone
        // is dropped), so it must outlive the exchange.
        let tcp: DnsExchange<TokioRuntimeProvider> =
            TcpClientStream::exchange(server, None, self.timeout, None, provider.clone())
                .await
                .map_err(|e| format!("{server} (TCP): {e}"))?;
        let response = tcp
            .send(request)
            .first_answer()
            .await
            .map_err(|e| format!("{server} (TCP): {e}"));
        drop(provider);
        response
    }
}

/// How a server answered a question: NXDOMAIN, or NOERROR as read by the caller.
enum Reply<T> {
    NxDomain,
    NoError(T),
}

impl HickoryResolver {
    /// One question to `servers` in turn, until one gives NOERROR or NXDOMAIN; with
    /// `recursion_desired` false the servers answer from their own data only (a parent's server
    /// asked for a delegation). A NOERROR answer is read by `read`; NXDOMAIN is answered here.
    async fn ask<T>(
        &self,
        servers: &[SocketAddr],
        name: &str,
        rtype: RecordType,
        recursion_desired: bool,
        read: impl Fn(&DnsResponse, &Name, HickoryType) -> T,
    ) -> Result<Reply<T>, ResolveError> {
        if servers.is_empty() {
            return Err(ResolveError("no DNS servers to ask".to_owned()));
        }
        let qname = query_name(name)?;
        let qtype: HickoryType = crate::record::content::hickory::record_type(rtype);
        let mut options = DnsRequestOptions::default();
        options.recursion_desired = recursion_desired;
        let request = DnsRequest::from_query(Query::query(qname.clone(), qtype), options);

        let mut failures = Vec::new();
        for _ in 0..ATTEMPTS {
            for server in servers {
                match tokio::time::timeout(
                    self.timeout * 2,
                    self.exchange(*server, request.clone()),
                )
                .await
                {
                    Err(_) => failures.push(format!("{server}: timed out")),
                    Ok(Err(e)) => failures.push(e),
                    Ok(Ok(response)) => match response.metadata.response_code {
                        ResponseCode::NXDomain => return Ok(Reply::NxDomain),
                        ResponseCode::NoError => {
                            return Ok(Reply::NoError(read(&response, &qname, qtype)));
                        }
                        other => failures.push(format!("{server}: {other}")),
                    },
                }
            }
        }
        failures.dedup();
        Err(ResolveError(format!(
            "{} {rtype}: {}",
            qname,
            failures.join("; ")
        )))
    }
}

#[async_trait]
impl Resolver for HickoryResolver {
    async fn lookup(
        &self,
        servers: &[SocketAddr],
        name: &str,
        rtype: RecordType,
    ) -> Result<LookupAnswer, ResolveError> {
        let reply = self
            .ask(servers, name, rtype, true, |response, qname, qtype| {
                answer_of(&response.answers, qname, qtype)
            })
            .await?;
        Ok(match reply {
            Reply::NxDomain => LookupAnswer::NxDomain,
            Reply::NoError(answer) => answer,
        })
    }

    async fn lookup_until(
        &self,
        servers: &[SocketAddr],
        name: &str,
        rtype: RecordType,
        deadline: Instant,
    ) -> Result<LookupAnswer, ResolveError> {
        tokio::time::timeout_at(deadline.into(), self.lookup(servers, name, rtype))
            .await
            .unwrap_or_else(|_| Err(ResolveError(format!("{name} {rtype}: out of time"))))
    }

    async fn delegation_until(
        &self,
        servers: &[SocketAddr],
        zone: &str,
        deadline: Instant,
    ) -> Result<DelegationAnswer, ResolveError> {
        let reply = tokio::time::timeout_at(
            deadline.into(),
            self.ask(
                servers,
                zone,
                RecordType::NS,
                false,
                |response, qname, _| referral_of(&response.answers, &response.authorities, qname),
            ),
        )
        .await
        .unwrap_or_else(|_| Err(ResolveError(format!("{zone} NS: out of time"))))?;
        Ok(match reply {
            Reply::NxDomain => DelegationAnswer::NxDomain,
            Reply::NoError(answer) => answer,
        })
    }
}

fn query_name(name: &str) -> Result<Name, ResolveError> {
    let trimmed = name.trim();
    let absolute = if trimmed.ends_with('.') {
        trimmed.to_owned()
    } else {
        format!("{trimmed}.")
    };
    Name::from_ascii(&absolute).map_err(|e| ResolveError(format!("invalid name '{name}': {e}")))
}

/// The records of the asked type at the asked name (a CNAME chain's other links are dropped);
/// none is NODATA.
fn answer_of(answers: &[Record], qname: &Name, qtype: HickoryType) -> LookupAnswer {
    let wanted: Vec<&Record> = answers
        .iter()
        .filter(|r| r.record_type() == qtype)
        .collect();
    if wanted.is_empty() {
        return LookupAnswer::NoData;
    }
    // Without a CNAME in between, only records at the query name count; with one, the chain's
    // end is the answer, except for NS: a CNAME is not a zone cut, so the target's NS set is
    // not the asked name's.
    let at_name: Vec<&Record> = wanted
        .iter()
        .copied()
        .filter(|r| r.name == *qname)
        .collect();
    let chosen = if at_name.is_empty() && qtype != HickoryType::NS {
        wanted
    } else {
        at_name
    };
    if chosen.is_empty() {
        return LookupAnswer::NoData;
    }
    let mut contents: Vec<String> = chosen.into_iter().map(|r| content_of(&r.data)).collect();
    contents.sort();
    contents.dedup();
    LookupAnswer::Records(contents)
}

/// What a parent's server said about `qname` in a NOERROR answer: only a referral delegates
/// (the authority section's NS records owned by the asked name, with no NS in the answer
/// section). NS records in the answer are the zone's own apex set, served by whoever hosts the
/// zone (the platform itself, for a zone published there), so they prove nothing about the
/// parent; an SOA in the authority section, or NS records of another name, mean the server
/// does not delegate it.
fn referral_of(answers: &[Record], authorities: &[Record], qname: &Name) -> DelegationAnswer {
    if answers.iter().any(|r| r.record_type() == HickoryType::NS) {
        return DelegationAnswer::Answered;
    }
    let mut hosts: Vec<String> = authorities
        .iter()
        .filter(|r| r.record_type() == HickoryType::NS && r.name == *qname)
        .map(|r| content_of(&r.data))
        .collect();
    if hosts.is_empty() {
        return DelegationAnswer::NotDelegated;
    }
    hosts.sort();
    hosts.dedup();
    DelegationAnswer::Referral(hosts)
}

/// Content per the rules documented on [`LookupAnswer::Records`].
fn content_of(rdata: &RData) -> String {
    match rdata {
        RData::TXT(txt) => txt
            .txt_data
            .iter()
            .map(|s| String::from_utf8_lossy(s))
            .collect(),
        RData::A(a) => a.0.to_string(),
        RData::AAAA(aaaa) => aaaa.0.to_string(),
        RData::NS(ns) => host(&ns.0),
        RData::CNAME(cname) => host(&cname.0),
        RData::PTR(ptr) => host(&ptr.0),
        other if other.record_type() == HickoryType::DS => {
            ds_text(other).unwrap_or_else(|| other.to_string())
        }
        other => other.to_string(),
    }
}

fn host(name: &Name) -> String {
    let ascii = name.to_lowercase().to_ascii();
    if ascii.ends_with('.') {
        ascii
    } else {
        format!("{ascii}.")
    }
}

/// `<key tag> <algorithm> <digest type> <hex>` from the DS wire form (RFC 4034 §5.1), whichever
/// way hickory decoded it (opaque without its DNSSEC features, typed with them).
fn ds_text(rdata: &RData) -> Option<String> {
    let wire = match rdata {
        RData::Unknown { rdata, .. } => rdata.anything.clone(),
        other => other.to_bytes().ok()?,
    };
    if wire.len() < 5 {
        return None;
    }
    let tag = u16::from_be_bytes([wire[0], wire[1]]);
    Some(format!(
        "{tag} {} {} {}",
        wire[2],
        wire[3],
        hex::encode(&wire[4..])
    ))
}

#[cfg(test)]
mod tests {
    use hickory_resolver::proto::rr::rdata::{A, CNAME, NULL, TXT};

    use super::*;

    fn record(name: &str, rdata: RData) -> Record {
        Record::from_rdata(Name::from_ascii(name).unwrap(), 60, rdata)
    }

    #[test]
    fn txt_strings_are_concatenated() {
        let rdata = RData::TXT(TXT::new(vec!["part one ".into(), "part two".into()]));
        assert_eq!(content_of(&rdata), "part one part two");
    }

    #[test]
    fn ds_is_rendered_from_wire() {
        let wire = vec![0x30, 0x39, 13, 2, 0xAB, 0xCD];
        let rdata = RData::Unknown {
            code: HickoryType::DS,
            rdata: NULL::with(wire),
        };
        assert_eq!(content_of(&rdata), "12345 13 2 abcd");
    }

    #[test]
    fn cname_chains_yield_the_target_records() {
        let qname = Name::from_ascii("www.example.org.").unwrap();
        let answers = vec![
            record(
                "www.example.org.",
                RData::CNAME(CNAME(Name::from_ascii("Target.Example.net.").unwrap())),
            ),
            record("target.example.net.", RData::A(A::new(192, 0, 2, 1))),
        ];
        assert_eq!(
            answer_of(&answers, &qname, HickoryType::A),
            LookupAnswer::Records(vec!["192.0.2.1".into()])
        );
        assert_eq!(
            answer_of(&answers, &qname, HickoryType::CNAME),
            LookupAnswer::Records(vec!["target.example.net.".into()])
        );
        assert_eq!(
            answer_of(&[], &qname, HickoryType::TXT),
            LookupAnswer::NoData
        );
    }

    fn ns(owner: &str, host: &str) -> Record {
        record(
            owner,
            RData::NS(hickory_resolver::proto::rr::rdata::NS(
                Name::from_ascii(host).unwrap(),
            )),
        )
    }

    #[test]
    fn a_referral_counts_only_for_the_asked_name() {
        let qname = Name::from_ascii("child.parent.test.").unwrap();
        let referral = vec![
            ns("child.parent.test.", "NS2.Example.net."),
            ns("child.parent.test.", "ns1.example.net"),
        ];
        assert_eq!(
            referral_of(&[], &referral, &qname),
            DelegationAnswer::Referral(vec!["ns1.example.net.".into(), "ns2.example.net.".into()])
        );
        // NS records of the parent itself (an answer's authority section) delegate nothing.
        let parent = vec![ns("parent.test.", "ns1.example.net.")];
        assert_eq!(
            referral_of(&[], &parent, &qname),
            DelegationAnswer::NotDelegated
        );
    }

    /// A server that hosts the child answers its NS question from the child's own apex, with
    /// the same NS records in the answer section (and often the authority section): that is
    /// the zone speaking for itself, not the parent delegating it.
    #[test]
    fn an_answer_is_not_a_referral() {
        let qname = Name::from_ascii("child.parent.test.").unwrap();
        let apex = vec![ns("child.parent.test.", "ns1.example.net.")];
        assert_eq!(
            referral_of(&apex, &apex, &qname),
            DelegationAnswer::Answered
        );
        assert_eq!(referral_of(&apex, &[], &qname), DelegationAnswer::Answered);
    }

    /// `alias.parent.test` is a CNAME to a zone with an NS set; asked for NS, the chain's end
    /// is not the alias's NS set (a CNAME is not a zone cut), while other types still follow.
    #[test]
    fn ns_does_not_follow_a_cname() {
        let qname = Name::from_ascii("alias.parent.test.").unwrap();
        let answers = vec![
            record(
                "alias.parent.test.",
                RData::CNAME(CNAME(Name::from_ascii("attacker.test.").unwrap())),
            ),
            ns("attacker.test.", "ns1.attacker.test."),
        ];
        assert_eq!(
            answer_of(&answers, &qname, HickoryType::NS),
            LookupAnswer::NoData
        );
        let at_name = vec![ns("alias.parent.test.", "ns1.example.net.")];
        assert_eq!(
            answer_of(&at_name, &qname, HickoryType::NS),
            LookupAnswer::Records(vec!["ns1.example.net.".into()])
        );
    }

    #[test]
    fn names_become_absolute() {
        assert_eq!(
            query_name("example.org").unwrap().to_ascii(),
            "example.org."
        );
        assert_eq!(
            query_name("example.org.").unwrap().to_ascii(),
            "example.org."
        );
    }
}
