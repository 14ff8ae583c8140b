//! `domains import ZONE --from-axfr SERVER[:PORT]`: a zone transfer (RFC 5936) over TCP, turned
//! into a master file for the same preview and apply as a file import.
//!
//! hickory-proto builds the query and decodes the answers; the I/O is a plain TCP stream with
//! RFC 1035 §4.2.2 length prefixes (hickory-proto does no I/O, and hickory-client would add a
//! second DNS stack for one query). The transfer ends at the closing SOA (RFC 5936 §2.2) and
//! stops early past the server's default import limits or its time bound.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use hickory_proto::op::{Message, Query, ResponseCode};
use hickory_proto::rr::{DNSClass, Name, RecordType};
use indicatif::ProgressBar;
use scaidns_core::record::content::hickory_text::presentation;
use scaidns_server::config::{DEFAULT_BULK_MAX_ITEMS, DEFAULT_IMPORT_MAX_BYTES};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::output::{Failure, INVALID, UNAVAILABLE, USAGE};

/// The whole transfer, connection included.
const TRANSFER_TIMEOUT: Duration = Duration::from_secs(120);

/// A record the transfer received but cannot hand to the import.
#[derive(Debug)]
pub struct Skipped {
    /// Owner name.
    pub name: String,
    /// Type mnemonic.
    pub rtype: String,
    /// Why it was left out.
    pub reason: String,
}

impl Skipped {
    /// As the import preview lists its own skipped lines, less the line number.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({"name": self.name, "type": self.rtype, "reason": self.reason})
    }
}

/// A received zone: master-file text and what could not go into it.
#[derive(Debug)]
pub struct Transfer {
    /// One `owner ttl IN type content` line per record, SOA first.
    pub text: String,
    /// Records left out, in the order received.
    pub skipped: Vec<Skipped>,
}

/// Transfers `zone` (absolute name) from `server`, counting records on `progress`.
pub async fn transfer(
    server: &str,
    zone: &str,
    progress: &ProgressBar,
) -> Result<Transfer, Failure> {
    let addr = address(server).await?;
    tokio::time::timeout(TRANSFER_TIMEOUT, receive(addr, zone, progress))
        .await
        .map_err(|_| {
            Failure::new(
                UNAVAILABLE,
                format!(
                    "the transfer from {addr} took over {TRANSFER_TIMEOUT:?}: nothing imported"
                ),
            )
        })?
}

/// `SERVER[:PORT]`, `[v6]:PORT` or a bare address or host name (port 53).
async fn address(server: &str) -> Result<SocketAddr, Failure> {
    if let Ok(addr) = server.parse::<SocketAddr>() {
        return Ok(addr);
    }
    if let Ok(ip) = server.trim_matches(['[', ']']).parse::<IpAddr>() {
        return Ok(SocketAddr::new(ip, 53));
    }
    let with_port = if server.contains(':') {
        server.to_owned()
    } else {
        format!("{server}:53")
    };
    tokio::net::lookup_host(&with_port)
        .await
        .ok()
        .and_then(|mut a| a.next())
        .ok_or_else(|| Failure::new(USAGE, format!("--from-axfr: cannot resolve '{server}'")))
}

async fn receive(
    addr: SocketAddr,
    zone: &str,
    progress: &ProgressBar,
) -> Result<Transfer, Failure> {
    let down = |e: std::io::Error| Failure::new(UNAVAILABLE, format!("transfer from {addr}: {e}"));
    let name = Name::from_ascii(zone)
        .map_err(|e| Failure::new(USAGE, format!("zone name '{zone}': {e}")))?;
    let mut query = Message::query();
    query.add_query(Query::query(name.clone(), RecordType::AXFR));
    let id = query.metadata.id;
    let bytes = query
        .to_vec()
        .map_err(|e| Failure::new(USAGE, format!("AXFR query: {e}")))?;
    let mut stream = TcpStream::connect(addr).await.map_err(down)?;
    let len = u16::try_from(bytes.len()).map_err(|_| Failure::new(USAGE, "query too long"))?;
    stream.write_all(&len.to_be_bytes()).await.map_err(down)?;
    stream.write_all(&bytes).await.map_err(down)?;

    let mut out = Transfer {
        text: String::new(),
        skipped: Vec::new(),
    };
    let (mut received, mut soas, mut total_bytes) = (0usize, 0usize, 0usize);
    // The transfer is framed by the zone's SOA, and closes with that same SOA (RFC 5936 §2.2):
    // any other SOA in the stream is an error, never an early end, since a cut transfer
    // imported with `--mode replace` would delete what it left out.
    let mut opening = None;
    while soas < 2 {
        let len = stream.read_u16().await.map_err(down)?;
        total_bytes += usize::from(len);
        if total_bytes > DEFAULT_IMPORT_MAX_BYTES {
            return Err(too_big(format!("over {DEFAULT_IMPORT_MAX_BYTES} bytes")));
        }
        let mut buf = vec![0; usize::from(len)];
        stream.read_exact(&mut buf).await.map_err(down)?;
        let message = Message::from_vec(&buf)
            .map_err(|e| Failure::new(UNAVAILABLE, format!("{addr} sent a bad message: {e}")))?;
        if message.metadata.id != id {
            return Err(Failure::new(
                UNAVAILABLE,
                format!("{addr} answered another query"),
            ));
        }
        let rcode = message.metadata.response_code;
        if rcode != ResponseCode::NoError {
            return Err(Failure::new(
                INVALID,
                format!(
                    "{addr} refused the transfer of {zone} ({rcode}): is the zone there and AXFR \
                     allowed to this host?"
                ),
            ));
        }
        for record in &message.answers {
            let rtype = record.record_type();
            if received == 0 && rtype != RecordType::SOA {
                return Err(Failure::new(
                    UNAVAILABLE,
                    format!("{addr} did not start the transfer with the zone's SOA"),
                ));
            }
            if rtype == RecordType::SOA {
                let apex = |n: &Name| n.to_ascii().trim_end_matches('.').to_ascii_lowercase();
                if apex(&record.name) != apex(&name) {
                    return Err(Failure::new(
                        UNAVAILABLE,
                        format!(
                            "{addr} sent an SOA for {} inside the transfer of {zone}",
                            record.name
                        ),
                    ));
                }
                match &opening {
                    None => opening = Some(record.data.clone()),
                    Some(first) if *first == record.data => {
                        soas += 1;
                        break;
                    }
                    Some(_) => {
                        return Err(Failure::new(
                            UNAVAILABLE,
                            format!(
                                "{addr} closed the transfer with another SOA than it opened with: the zone changed during the transfer, try again"
                            ),
                        ));
                    }
                }
                soas += 1;
            }
            received += 1;
            if received > DEFAULT_BULK_MAX_ITEMS + 1 {
                return Err(too_big(format!("over {DEFAULT_BULK_MAX_ITEMS} records")));
            }
            let owner = record.name.to_string();
            if record.dns_class != DNSClass::IN {
                out.skipped.push(Skipped {
                    name: owner,
                    rtype: mnemonic(rtype),
                    reason: format!("class {} (only IN is imported)", record.dns_class),
                });
                continue;
            }
            match presentation(u16::from(rtype), &record.data) {
                Ok((t, content)) => {
                    out.text
                        .push_str(&format!("{owner} {} IN {t} {content}\n", record.ttl));
                }
                Err(reason) => out.skipped.push(Skipped {
                    name: owner,
                    rtype: mnemonic(rtype),
                    reason,
                }),
            }
        }
        progress.set_position(received as u64);
        if message.answers.is_empty() {
            return Err(Failure::new(
                UNAVAILABLE,
                format!("{addr} sent an empty message before the transfer's closing SOA"),
            ));
        }
    }
    Ok(out)
}

/// hickory names only the types it models; ScaiDNS's table names the rest.
fn mnemonic(rtype: RecordType) -> String {
    let code = u16::from(rtype);
    match rtype {
        RecordType::Unknown(_) => scaidns_core::record::RecordType::from_code(code)
            .map_or_else(|| format!("TYPE{code}"), |t| t.as_str().to_owned()),
        known => known.to_string(),
    }
}

fn too_big(what: String) -> Failure {
    Failure::new(
        INVALID,
        format!("the zone is {what}, past the import limit: nothing imported"),
    )
}
