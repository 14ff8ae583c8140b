//! The mixed write load: writers that each create, update and delete A records under names of
//! their own (so no two writers touch one RRset) in zones they share and in a zone each creates
//! mid-run, every writer starting on its own replica and moving to the next one when its
//! replica stops answering, as a load balancer would. Each writer keeps a ledger: what every
//! acknowledged write left, and which names an unanswered write made uncertain.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// A zone the writers write to: (id, name).
pub type ZoneRef = (String, String);

/// (zone name, record FQDN).
pub type RecordKey = (String, String);

/// What the writers saw.
#[derive(Debug, Default)]
pub struct Ledger {
    /// The content each acknowledged write left per name (`None`: deleted).
    pub expected: BTreeMap<RecordKey, Option<String>>,
    /// Names whose last write got no answer (connection lost when a replica died): either
    /// outcome is allowed, as long as the store and PowerDNS agree.
    pub uncertain: BTreeSet<RecordKey>,
    /// Zones the writers created (acknowledged).
    pub zones: Vec<ZoneRef>,
    /// Answers that were neither success nor a lost connection: must stay empty.
    pub refused: Vec<String>,
}

impl Ledger {
    fn merge(&mut self, other: Self) {
        self.expected.extend(other.expected);
        self.uncertain.extend(other.uncertain);
        self.zones.extend(other.zones);
        self.refused.extend(other.refused);
    }
}

/// What the writers share.
#[derive(Clone)]
pub struct Load {
    pub http: reqwest::Client,
    /// Every replica, killed ones included (a writer finds out by trying).
    pub replicas: Arc<Vec<String>>,
    pub key: String,
    pub zones: Arc<Vec<ZoneRef>>,
    /// Acknowledged writes so far, over all writers.
    pub acked: Arc<AtomicUsize>,
}

enum Sent {
    /// The replica answered.
    Answer(StatusCode, Value),
    /// The request may have been applied, but no answer came.
    Lost(String),
}

impl Load {
    pub fn new(replicas: Vec<String>, key: &str, zones: Vec<ZoneRef>) -> Self {
        Self {
            // Longer than PowerDNS's timeout (10 s): a write waits for a frozen PowerDNS.
            http: reqwest::Client::builder()
                .no_proxy()
                .timeout(Duration::from_secs(60))
                .build()
                .expect("HTTP client"),
            replicas: Arc::new(replicas),
            key: key.to_owned(),
            zones: Arc::new(zones),
            acked: Arc::new(AtomicUsize::new(0)),
        }
    }

    /// Runs `writers` writers of `ops` writes each to completion.
    pub async fn run(&self, writers: usize, ops: usize) -> Ledger {
        let mut set = tokio::task::JoinSet::new();
        for w in 0..writers {
            let load = self.clone();
            set.spawn(async move { load.writer(w, ops).await });
        }
        let mut ledger = Ledger::default();
        for one in set.join_all().await {
            ledger.merge(one);
        }
        ledger
    }

    async fn writer(&self, w: usize, ops: usize) -> Ledger {
        let mut ledger = Ledger::default();
        let mut replica = w % self.replicas.len();
        let mut zones: Vec<ZoneRef> = self.zones.to_vec();
        // Records this writer created and may still change: (zone, record id, key).
        let mut live: Vec<(ZoneRef, String, RecordKey)> = Vec::new();
        for i in 0..ops {
            let (method, path, body, key) = if i == ops / 3 {
                let name = format!("w{w}.scale-out.test");
                (
                    Method::POST,
                    "/api/v1/domains".to_owned(),
                    Some(json!({"name": name})),
                    None,
                )
            } else if i % 4 == 2 && !live.is_empty() {
                let (zone, id, key) = live.last().expect("a live record").clone();
                let path = format!("/api/v1/domains/{}/records/{id}", zone.0);
                let body = json!({"content": format!("10.{w}.{i}.2")});
                (Method::PATCH, path, Some(body), Some(key))
            } else if i % 4 == 3 && !live.is_empty() {
                let (zone, id, key) = live.remove(0);
                let path = format!("/api/v1/domains/{}/records/{id}", zone.0);
                (Method::DELETE, path, None, Some(key))
            } else {
                let zone = &zones[i % zones.len()];
                let name = format!("w{w}-{i}");
                let path = format!("/api/v1/domains/{}/records", zone.0);
                let body = json!({"name": name, "type": "A", "content": format!("10.{w}.{i}.1")});
                (
                    Method::POST,
                    path,
                    Some(body),
                    Some((zone.1.clone(), format!("{name}.{}", zone.1))),
                )
            };
            let what = format!("writer {w} op {i}: {method} {path}");
            match self.send(&mut replica, &method, &path, body.as_ref()).await {
                Sent::Lost(why) => {
                    // Whatever it did, leave the name alone from now on.
                    if let Some(key) = key {
                        live.retain(|(_, _, k)| *k != key);
                        ledger.uncertain.insert(key);
                    }
                    note_lost(&what, &why);
                }
                Sent::Answer(status, answer) if status.is_success() => {
                    self.acked.fetch_add(1, Ordering::SeqCst);
                    match (&method, key) {
                        (&Method::POST, None) => {
                            let zone = (
                                answer["id"].as_str().expect("zone id").to_owned(),
                                answer["name"].as_str().expect("zone name").to_owned(),
                            );
                            ledger.zones.push(zone.clone());
                            zones.push(zone);
                        }
                        (&Method::POST, Some(key)) => {
                            let id = answer["id"].as_str().expect("record id").to_owned();
                            let zone = zones
                                .iter()
                                .find(|z| z.1 == key.0)
                                .expect("the zone written")
                                .clone();
                            ledger
                                .expected
                                .insert(key.clone(), answer["content"].as_str().map(str::to_owned));
                            live.push((zone, id, key));
                        }
                        (&Method::PATCH, Some(key)) => {
                            ledger
                                .expected
                                .insert(key, answer["content"].as_str().map(str::to_owned));
                        }
                        (_, Some(key)) => {
                            ledger.expected.insert(key, None);
                        }
                        (_, None) => {}
                    }
                }
                Sent::Answer(status, answer) => {
                    if let Some(key) = key {
                        live.retain(|(_, _, k)| *k != key);
                        ledger.uncertain.insert(key);
                    }
                    ledger.refused.push(format!("{what}: {status} {answer}"));
                }
            }
        }
        ledger
    }

    /// Sends through `replica`, moving on to the next replica while one refuses connections
    /// (nothing was sent then, so trying again elsewhere is safe).
    async fn send(
        &self,
        replica: &mut usize,
        method: &Method,
        path: &str,
        body: Option<&Value>,
    ) -> Sent {
        let mut last = String::new();
        for _ in 0..self.replicas.len() {
            let mut request = self
                .http
                .request(method.clone(), format!("{}{path}", self.replicas[*replica]))
                .header("X-API-Key", &self.key);
            if let Some(body) = body {
                request = request.json(body);
            }
            match request.send().await {
                Ok(response) => {
                    let status = response.status();
                    let body = response.json().await.unwrap_or(Value::Null);
                    return Sent::Answer(status, body);
                }
                Err(e) if e.is_connect() => {
                    last = e.to_string();
                    *replica = (*replica + 1) % self.replicas.len();
                }
                Err(e) => {
                    // Sent, maybe applied, never answered: the replica died under it.
                    *replica = (*replica + 1) % self.replicas.len();
                    return Sent::Lost(e.to_string());
                }
            }
        }
        Sent::Lost(format!("no replica accepts connections: {last}"))
    }
}

/// A lost answer is expected when a replica is killed; printed for the test's output only.
fn note_lost(what: &str, why: &str) {
    eprintln!("no answer (replica killed?): {what}: {why}");
}
