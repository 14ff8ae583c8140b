//! Raw DNS queries for tests: one question to one server, over UDP or TCP, with the whole reply
//! (rcode, AA bit, answer and authority sections) handed back for assertions.
//!
//! Queries go out without recursion desired, as a resolver asks an authoritative server.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::Duration;

use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::net::tcp::TcpClientStream;
use hickory_resolver::net::udp::UdpClientStream;
use hickory_resolver::net::xfer::{DnsHandle, FirstAnswer};
pub use hickory_resolver::proto::op::ResponseCode;
use hickory_resolver::proto::op::{DnsRequest, DnsRequestOptions, DnsResponse, Query};
use hickory_resolver::proto::rr::{Name, RData, Record, RecordType};
use hickory_resolver::proto::serialize::binary::BinEncodable;
use scaidns_core::record::RecordContent;
use scaidns_core::record::content::hickory;

const TIMEOUT: Duration = Duration::from_secs(3);

/// One resource record of a reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rr {
    /// Owner, lowercase with trailing dot.
    pub name: String,
    /// Type mnemonic (`A`, `SOA`, … or `TYPE65401`).
    pub rtype: String,
    /// TTL as served.
    pub ttl: u32,
    /// RDATA as decoded by hickory.
    pub rdata: RData,
}

impl Rr {
    fn from_record(record: &Record) -> Self {
        Self {
            name: record.name.to_lowercase().to_ascii(),
            rtype: type_name(record.record_type()),
            ttl: record.ttl,
            rdata: record.data.clone(),
        }
    }

    /// RDATA in hickory's presentation form (TXT strings are shown unquoted and joined).
    pub fn text(&self) -> String {
        self.rdata.to_string()
    }
}

/// The mnemonic of a served type: ScaiDNS's (`AFSDB`, `ALIAS`, `TYPE10`, …), else hickory's
/// (`RRSIG`, `OPT`), else `TYPEnnn`.
fn type_name(rtype: RecordType) -> String {
    let code = u16::from(rtype);
    match scaidns_core::record::RecordType::from_code(code) {
        Some(t) => t.as_str().to_owned(),
        None if matches!(rtype, RecordType::Unknown(_)) => format!("TYPE{code}"),
        None => rtype.to_string(),
    }
}

/// A server's reply.
#[derive(Debug, Clone)]
pub struct DnsReply {
    /// Response code.
    pub rcode: ResponseCode,
    /// AA bit.
    pub authoritative: bool,
    /// Answer section.
    pub answers: Vec<Rr>,
    /// Authority section.
    pub authority: Vec<Rr>,
}

impl DnsReply {
    fn from_response(response: &DnsResponse) -> Self {
        Self {
            rcode: response.metadata.response_code,
            authoritative: response.metadata.authoritative,
            answers: response.answers.iter().map(Rr::from_record).collect(),
            authority: response.authorities.iter().map(Rr::from_record).collect(),
        }
    }

    /// Answer records of type `rtype`.
    pub fn answers_of(&self, rtype: &str) -> Vec<&Rr> {
        self.answers
            .iter()
            .filter(|rr| rr.rtype.eq_ignore_ascii_case(rtype))
            .collect()
    }

    /// Wire forms of the answer RDATA of type `rtype`, sorted: compare with [`wire_of`].
    pub fn answer_wire(&self, rtype: &str) -> Vec<Vec<u8>> {
        let mut wire: Vec<Vec<u8>> = self
            .answers_of(rtype)
            .into_iter()
            .map(|rr| wire(&rr.rdata))
            .collect();
        wire.sort();
        wire
    }

    /// Presentation texts of the answer RDATA of type `rtype`, sorted.
    pub fn answer_texts(&self, rtype: &str) -> Vec<String> {
        let mut texts: Vec<String> = self.answers_of(rtype).into_iter().map(Rr::text).collect();
        texts.sort();
        texts
    }

    /// The SOA serial from the answer or authority section.
    pub fn soa_serial(&self) -> Option<u32> {
        self.answers
            .iter()
            .chain(&self.authority)
            .find_map(|rr| match &rr.rdata {
                RData::SOA(soa) => Some(soa.serial),
                _ => None,
            })
    }

    /// Whether the authority section holds the zone's SOA (negative answers, RFC 2308).
    pub fn has_soa_in_authority(&self) -> bool {
        self.authority.iter().any(|rr| rr.rtype == "SOA")
    }
}

/// Wire form of RDATA (for order-insensitive comparisons).
pub fn wire(rdata: &RData) -> Vec<u8> {
    rdata
        .to_bytes()
        .unwrap_or_else(|e| panic!("cannot encode {rdata:?}: {e}"))
}

/// Sorted wire forms of canonical `contents` of `rtype`, as the server should send them.
pub fn wire_of(rtype: scaidns_core::record::RecordType, contents: &[&str]) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = contents
        .iter()
        .map(|content| {
            let parsed = RecordContent::from_stored(rtype, content)
                .unwrap_or_else(|e| panic!("{rtype} '{content}' does not parse: {e}"));
            let rdata =
                hickory::to_rdata(&parsed).unwrap_or_else(|e| panic!("{rtype} '{content}': {e}"));
            wire(&rdata)
        })
        .collect();
    out.sort();
    out
}

fn request(name: &str, rtype: &str) -> DnsRequest {
    request_with(name, rtype, false)
}

fn request_with(name: &str, rtype: &str, dnssec_ok: bool) -> DnsRequest {
    let absolute = if name.ends_with('.') {
        name.to_owned()
    } else {
        format!("{name}.")
    };
    let qname =
        Name::from_ascii(&absolute).unwrap_or_else(|e| panic!("bad query name {name}: {e}"));
    // ScaiDNS's names first: hickory has no name for AFSDB, LOC, URI and other types.
    let qtype: RecordType = match rtype.parse::<scaidns_core::record::RecordType>() {
        Ok(t) => hickory::record_type(t),
        Err(_) => rtype
            .parse()
            .unwrap_or_else(|e| panic!("bad query type {rtype}: {e:?}")),
    };
    let mut options = DnsRequestOptions::default();
    options.recursion_desired = false;
    if dnssec_ok {
        options.use_edns = true;
        options.edns_set_dnssec_ok = true;
    }
    DnsRequest::from_query(Query::query(qname, qtype), options)
}

/// Asks `server` over UDP, or `Err` with the failure (timeouts included).
pub async fn try_query(server: SocketAddr, name: &str, rtype: &str) -> Result<DnsReply, String> {
    let exchange = UdpClientStream::builder(server, TokioRuntimeProvider::new())
        .with_timeout(Some(TIMEOUT))
        .exchange();
    let response = exchange
        .send(request(name, rtype))
        .first_answer()
        .await
        .map_err(|e| e.to_string())?;
    Ok(DnsReply::from_response(&response))
}

/// Asks `server` over UDP; panics if there is no answer.
pub async fn query(server: SocketAddr, name: &str, rtype: &str) -> DnsReply {
    try_query(server, name, rtype)
        .await
        .unwrap_or_else(|e| panic!("{name} {rtype} @{server} (UDP): {e}"))
}

/// Asks `server` over TCP, or `Err` with the failure.
pub async fn try_query_tcp(
    server: SocketAddr,
    name: &str,
    rtype: &str,
) -> Result<DnsReply, String> {
    // hickory's provider owns the connection's background task and aborts it when the last
    // clone goes, so keep one until the answer is in.
    let provider = TokioRuntimeProvider::new();
    let exchange = TcpClientStream::exchange(server, None, TIMEOUT, None, provider.clone())
        .await
        .map_err(|e| e.to_string())?;
    let response = exchange
        .send(request(name, rtype))
        .first_answer()
        .await
        .map_err(|e| e.to_string())?;
    drop(provider);
    Ok(DnsReply::from_response(&response))
}

/// Asks `server` over TCP; panics if there is no answer.
pub async fn query_tcp(server: SocketAddr, name: &str, rtype: &str) -> DnsReply {
    try_query_tcp(server, name, rtype)
        .await
        .unwrap_or_else(|e| panic!("{name} {rtype} @{server} (TCP): {e}"))
}

/// Asks `server` over TCP with EDNS and the DO bit set (RFC 3225), so a signed zone's answers
/// carry their RRSIGs; panics if there is no answer.
pub async fn query_dnssec(server: SocketAddr, name: &str, rtype: &str) -> DnsReply {
    let provider = TokioRuntimeProvider::new();
    let exchange = TcpClientStream::exchange(server, None, TIMEOUT, None, provider.clone())
        .await
        .unwrap_or_else(|e| panic!("{name} {rtype} @{server} (TCP, DO): {e}"));
    let response = exchange
        .send(request_with(name, rtype, true))
        .first_answer()
        .await
        .unwrap_or_else(|e| panic!("{name} {rtype} @{server} (TCP, DO): {e}"));
    drop(provider);
    DnsReply::from_response(&response)
}
