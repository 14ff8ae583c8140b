//! A DNS server for tests that answers from a fixed table and records every question it gets,
//! per listening address. It listens on several loopback addresses at one port, so a test can
//! play many nameservers (127.0.0.2, 127.0.0.3, …) and see which of them were asked. Addresses
//! marked silent read questions and never answer, like a black-holed server.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};

use hickory_resolver::proto::op::{Message, MessageType, ResponseCode};
use hickory_resolver::proto::rr::rdata::{A, AAAA, CNAME, NS, TXT};
use hickory_resolver::proto::rr::{Name, RData, Record, RecordType};
use tokio::net::UdpSocket;
use tokio::task::JoinHandle;

/// One question the server received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asked {
    /// The address it was sent to.
    pub to: IpAddr,
    /// Query name, lowercase with trailing dot.
    pub name: String,
    /// Query type.
    pub rtype: String,
}

/// The answer table: (owner name with trailing dot, type) → records, and the names the server
/// delegates (answered with a referral: the NS set in the authority section).
#[derive(Debug, Clone, Default)]
pub struct Table {
    records: HashMap<(String, RecordType), Vec<RData>>,
    referrals: HashMap<String, Vec<RData>>,
}

impl Table {
    fn add(&mut self, name: &str, rtype: RecordType, rdata: RData) -> &mut Self {
        self.records
            .entry((absolute(name), rtype))
            .or_default()
            .push(rdata);
        self
    }

    /// An NS record.
    pub fn ns(&mut self, zone: &str, host: &str) -> &mut Self {
        self.add(
            zone,
            RecordType::NS,
            RData::NS(NS(Name::from_ascii(absolute(host)).expect("host name"))),
        )
    }

    /// A delegation of `name` to `host`: a question about `name` is answered with a referral,
    /// as a parent zone's server answers.
    pub fn referral(&mut self, name: &str, host: &str) -> &mut Self {
        self.referrals
            .entry(absolute(name))
            .or_default()
            .push(RData::NS(NS(
                Name::from_ascii(absolute(host)).expect("host name")
            )));
        self
    }

    /// A CNAME record; a question of another type at `name` is answered with the CNAME and the
    /// target's records of that type, as an authoritative server chasing its own data does.
    pub fn cname(&mut self, name: &str, target: &str) -> &mut Self {
        self.add(
            name,
            RecordType::CNAME,
            RData::CNAME(CNAME(Name::from_ascii(absolute(target)).expect("target"))),
        )
    }

    /// An A or AAAA record.
    pub fn addr(&mut self, host: &str, ip: IpAddr) -> &mut Self {
        match ip {
            IpAddr::V4(v4) => self.add(host, RecordType::A, RData::A(A(v4))),
            IpAddr::V6(v6) => self.add(host, RecordType::AAAA, RData::AAAA(AAAA(v6))),
        }
    }

    /// A TXT record with one string.
    pub fn txt(&mut self, name: &str, value: &str) -> &mut Self {
        self.add(
            name,
            RecordType::TXT,
            RData::TXT(TXT::new(vec![value.to_owned()])),
        )
    }
}

fn absolute(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with('.') {
        lower
    } else {
        format!("{lower}.")
    }
}

/// The running server; stops when dropped.
pub struct ScriptedDns {
    /// The port every address listens on.
    pub port: u16,
    asked: Arc<Mutex<Vec<Asked>>>,
    table: Arc<Mutex<Table>>,
    tasks: Vec<JoinHandle<()>>,
}

impl std::fmt::Debug for ScriptedDns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScriptedDns")
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

impl ScriptedDns {
    /// Listens on `answering` and `silent` (loopback addresses) at one free port.
    ///
    /// # Panics
    /// When no common free port is found.
    pub async fn start(answering: &[Ipv4Addr], silent: &[Ipv4Addr], table: Table) -> Self {
        let all: Vec<(Ipv4Addr, bool)> = answering
            .iter()
            .map(|a| (*a, true))
            .chain(silent.iter().map(|a| (*a, false)))
            .collect();
        for _ in 0..50 {
            let first = UdpSocket::bind((all[0].0, 0)).await.expect("bind");
            let port = first.local_addr().expect("local address").port();
            let mut sockets = vec![first];
            for (addr, _) in &all[1..] {
                match UdpSocket::bind((*addr, port)).await {
                    Ok(s) => sockets.push(s),
                    Err(_) => break,
                }
            }
            if sockets.len() < all.len() {
                continue;
            }
            let asked = Arc::new(Mutex::new(Vec::new()));
            let table = Arc::new(Mutex::new(table));
            let tasks = sockets
                .into_iter()
                .zip(&all)
                .map(|(socket, (addr, answers))| {
                    tokio::spawn(serve(
                        socket,
                        IpAddr::V4(*addr),
                        *answers,
                        Arc::clone(&asked),
                        Arc::clone(&table),
                    ))
                })
                .collect();
            return Self {
                port,
                asked,
                table,
                tasks,
            };
        }
        panic!("no port free on every test address");
    }

    /// Where `addr` listens.
    pub fn at(&self, addr: Ipv4Addr) -> SocketAddr {
        SocketAddr::new(IpAddr::V4(addr), self.port)
    }

    /// Every question so far.
    pub fn asked(&self) -> Vec<Asked> {
        self.asked.lock().expect("log").clone()
    }

    /// Changes the table (e.g. publishes the challenge).
    pub fn edit(&self, change: impl FnOnce(&mut Table)) {
        change(&mut self.table.lock().expect("table"));
    }
}

impl Drop for ScriptedDns {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

async fn serve(
    socket: UdpSocket,
    me: IpAddr,
    answers: bool,
    asked: Arc<Mutex<Vec<Asked>>>,
    table: Arc<Mutex<Table>>,
) {
    let mut buf = vec![0u8; 4096];
    loop {
        let Ok((len, peer)) = socket.recv_from(&mut buf).await else {
            return;
        };
        let Ok(query) = Message::from_vec(&buf[..len]) else {
            continue;
        };
        let Some(question) = query.queries.first().cloned() else {
            continue;
        };
        let name = question.name().to_lowercase().to_ascii();
        let rtype = question.query_type();
        asked.lock().expect("log").push(Asked {
            to: me,
            name: name.clone(),
            rtype: rtype.to_string(),
        });
        if !answers {
            continue;
        }
        let mut reply = Message::new(
            query.metadata.id,
            MessageType::Response,
            query.metadata.op_code,
        );
        reply.metadata.authoritative = true;
        reply.metadata.recursion_desired = query.metadata.recursion_desired;
        reply.metadata.recursion_available = true;
        reply.add_query(question.clone());
        {
            let table = table.lock().expect("table");
            let exists = table.records.keys().any(|(n, _)| *n == name)
                || table.referrals.contains_key(&name);
            let cname = table.records.get(&(name.clone(), RecordType::CNAME));
            if let Some(hosts) = table.referrals.get(&name) {
                reply.metadata.authoritative = false;
                for host in hosts {
                    reply.add_authority(Record::from_rdata(
                        question.name().clone(),
                        60,
                        host.clone(),
                    ));
                }
            } else if let Some(rdatas) = table.records.get(&(name.clone(), rtype)) {
                for rdata in rdatas {
                    reply.add_answer(Record::from_rdata(
                        question.name().clone(),
                        60,
                        rdata.clone(),
                    ));
                }
            } else if let Some(RData::CNAME(target)) = cname.and_then(|c| c.first()) {
                reply.add_answer(Record::from_rdata(
                    question.name().clone(),
                    60,
                    RData::CNAME(target.clone()),
                ));
                let target_name = target.0.to_lowercase().to_ascii();
                for rdata in table
                    .records
                    .get(&(target_name, rtype))
                    .into_iter()
                    .flatten()
                {
                    reply.add_answer(Record::from_rdata(target.0.clone(), 60, rdata.clone()));
                }
            } else if !exists {
                reply.metadata.response_code = ResponseCode::NXDomain;
            }
        }
        if let Ok(bytes) = reply.to_vec() {
            let _ = socket.send_to(&bytes, peer).await;
        }
    }
}
