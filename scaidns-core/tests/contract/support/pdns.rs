//! A private PowerDNS Authoritative server per test: a fresh sqlite database from the schema the
//! `pdns-backend-sqlite3` package ships, the HTTP API and DNS on free loopback ports, no
//! caches (so answers follow API writes at once), killed when the handle is dropped. ALIAS
//! records are expanded (`expand-alias=yes`) through the instance itself as `resolver`, so an
//! ALIAS may point at a name in another zone of the same instance.
//!
//! Environment: `PDNS_SERVER_BIN` overrides the `pdns_server` binary (default: `PATH`, then
//! `/usr/sbin/pdns_server`); `PDNS_SQLITE_SCHEMA` overrides the schema file.

#![allow(dead_code)]

use std::net::{Ipv4Addr, SocketAddr, TcpListener, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use scaidns_core::adapters::pdns::{PdnsConfig, PowerDnsBackend};
use sqlx::{ConnectOptions, Connection};
use tempfile::TempDir;
use tokio::process::{Child, Command};

const READY_TIMEOUT: Duration = Duration::from_secs(20);
const START_ATTEMPTS: usize = 5;
const SCHEMA_CANDIDATES: &[&str] = &[
    "/usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql",
    "/usr/share/doc/pdns-backend-sqlite3/schema.sqlite3.sql",
];

/// A running PowerDNS instance.
pub struct PdnsServer {
    /// Base URL of the HTTP API, without `/api/v1`.
    pub api_url: String,
    /// API key.
    pub api_key: String,
    /// UDP and TCP address answering DNS.
    pub dns_addr: SocketAddr,
    child: Child,
    dir: TempDir,
}

impl std::fmt::Debug for PdnsServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PdnsServer")
            .field("api_url", &self.api_url)
            .field("dns_addr", &self.dns_addr)
            .finish()
    }
}

/// Why one start attempt failed.
enum StartError {
    /// Lost a race for a port: try again with new ones.
    PortTaken(String),
    /// Anything else: give up.
    Fatal(String),
}

impl PdnsServer {
    /// Starts a fresh server and waits until its API and DNS answer. Panics with PowerDNS's log
    /// if it cannot start.
    pub async fn start() -> Self {
        let mut failures = Vec::new();
        for _ in 0..START_ATTEMPTS {
            match Self::try_start().await {
                Ok(server) => return server,
                Err(StartError::PortTaken(log)) => failures.push(log),
                Err(StartError::Fatal(why)) => panic!("PowerDNS did not start: {why}"),
            }
        }
        panic!(
            "PowerDNS did not start after {START_ATTEMPTS} attempts (ports taken):\n{}",
            failures.join("\n---\n")
        );
    }

    async fn try_start() -> Result<Self, StartError> {
        let dir = tempfile::tempdir().map_err(|e| StartError::Fatal(format!("tempdir: {e}")))?;
        let db = dir.path().join("pdns.sqlite3");
        create_database(&db).await.map_err(StartError::Fatal)?;

        let dns_port = free_port(true).map_err(StartError::Fatal)?;
        let api_port = free_port(false).map_err(StartError::Fatal)?;
        let api_key = format!("test-{:032x}", rand::random::<u128>());
        let config = format!(
            "launch=gsqlite3\n\
             gsqlite3-database={db}\n\
             gsqlite3-dnssec=yes\n\
             local-address=127.0.0.1\n\
             local-port={dns_port}\n\
             api=yes\n\
             api-key={api_key}\n\
             webserver=yes\n\
             webserver-address=127.0.0.1\n\
             webserver-port={api_port}\n\
             webserver-allow-from=127.0.0.1\n\
             webserver-loglevel=none\n\
             socket-dir={dir}\n\
             primary=yes\n\
             secondary=yes\n\
             cache-ttl=0\n\
             negquery-cache-ttl=0\n\
             query-cache-ttl=0\n\
             zone-cache-refresh-interval=0\n\
             consistent-backends=yes\n\
             security-poll-suffix=\n\
             distributor-threads=1\n\
             receiver-threads=1\n\
             loglevel=4\n\
             expand-alias=yes\n\
             resolver=127.0.0.1:{dns_port}\n",
            db = db.display(),
            dir = dir.path().display(),
        );
        std::fs::write(dir.path().join("pdns.conf"), config)
            .map_err(|e| StartError::Fatal(format!("writing pdns.conf: {e}")))?;

        let log_path = dir.path().join("pdns.log");
        let mut child = spawn(dir.path()).map_err(StartError::Fatal)?;

        let api_url = format!("http://127.0.0.1:{api_port}");
        let dns_addr = SocketAddr::from((Ipv4Addr::LOCALHOST, dns_port));
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                let log = std::fs::read_to_string(&log_path).unwrap_or_default();
                return Err(
                    if log.contains("Address already in use") || log.contains("Unable to bind") {
                        StartError::PortTaken(log)
                    } else {
                        StartError::Fatal(format!("pdns_server exited with {status}:\n{log}"))
                    },
                );
            }
            if api_ready(&api_url, &api_key).await && dns_ready(dns_addr).await {
                return Ok(Self {
                    api_url,
                    api_key,
                    dns_addr,
                    child,
                    dir,
                });
            }
            if Instant::now() > deadline {
                let _ = child.start_kill();
                let log = std::fs::read_to_string(&log_path).unwrap_or_default();
                return Err(StartError::Fatal(format!(
                    "not ready after {READY_TIMEOUT:?}:\n{log}"
                )));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Settings for a backend talking to this server.
    pub fn config(&self) -> PdnsConfig {
        let mut config = PdnsConfig::new(self.api_url.clone(), self.api_key.clone());
        config.timeout = Duration::from_secs(5);
        config
    }

    /// A backend talking to this server.
    pub fn backend(&self) -> PowerDnsBackend {
        PowerDnsBackend::new(self.config())
            .unwrap_or_else(|e| panic!("backend for {}: {e}", self.api_url))
    }

    /// Kills the server as a crash would, keeping its database, configuration and ports so
    /// that [`Self::restart`] brings the same server back.
    pub async fn stop(&mut self) {
        let _ = self.child.start_kill();
        let _ = self.child.wait().await;
    }

    /// Starts the stopped server again (same ports, same database) and waits until it answers.
    pub async fn restart(&mut self) {
        self.child = spawn(self.dir.path()).unwrap_or_else(|e| panic!("PowerDNS restart: {e}"));
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "restarted pdns_server exited with {status}:\n{}",
                    self.log()
                );
            }
            if api_ready(&self.api_url, &self.api_key).await && dns_ready(self.dns_addr).await {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "restarted PowerDNS not ready after {READY_TIMEOUT:?}:\n{}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Freezes the server (SIGSTOP), as a hung host would: connections are still accepted by
    /// the kernel, but nothing is answered until [`Self::resume`], so callers wait for their
    /// own timeouts.
    pub fn pause(&self) {
        signal(self.pid(), "STOP");
    }

    /// Lets a [`Self::pause`]d server run again; it then answers what queued up meanwhile.
    pub fn resume(&self) {
        signal(self.pid(), "CONT");
    }

    fn pid(&self) -> u32 {
        self.child.id().expect("PowerDNS is running")
    }

    /// The server's log so far (for failure messages).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("pdns.log")).unwrap_or_default()
    }
}

impl Drop for PdnsServer {
    fn drop(&mut self) {
        // kill_on_drop would do it too; killing first means the port is free sooner.
        let _ = self.child.start_kill();
    }
}

/// Sends `SIG<name>` (`STOP`, `CONT`, `KILL`, …) to process `pid`; panics when `kill` fails.
pub fn signal(pid: u32, name: &str) {
    let status = std::process::Command::new("kill")
        .arg(format!("-{name}"))
        .arg(pid.to_string())
        .status()
        .unwrap_or_else(|e| panic!("running kill -{name} {pid}: {e}"));
    assert!(status.success(), "kill -{name} {pid}: {status}");
}

/// Runs `pdns_server` with the configuration in `dir`, logging to `dir/pdns.log` (appended, so
/// a restarted server's log follows the first one's).
fn spawn(dir: &Path) -> Result<Child, String> {
    let log_path = dir.join("pdns.log");
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log_path)
        .map_err(|e| format!("log file: {e}"))?;
    let log_err = log.try_clone().map_err(|e| format!("log file: {e}"))?;
    let binary = pdns_binary();
    Command::new(&binary)
        .arg(format!("--config-dir={}", dir.display()))
        .args([
            "--daemon=no",
            "--guardian=no",
            "--disable-syslog",
            "--write-pid=no",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::from(log))
        .stderr(Stdio::from(log_err))
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", binary.display()))
}

fn pdns_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("PDNS_SERVER_BIN") {
        return PathBuf::from(path);
    }
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join("pdns_server"))
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| PathBuf::from("/usr/sbin/pdns_server"))
}

fn schema_path() -> Result<PathBuf, String> {
    if let Some(path) = std::env::var_os("PDNS_SQLITE_SCHEMA") {
        return Ok(PathBuf::from(path));
    }
    SCHEMA_CANDIDATES
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
        .ok_or_else(|| {
            format!(
                "no PowerDNS sqlite schema in {SCHEMA_CANDIDATES:?} (install pdns-backend-sqlite3)"
            )
        })
}

async fn create_database(db: &Path) -> Result<(), String> {
    let schema_file = schema_path()?;
    let schema = std::fs::read_to_string(&schema_file)
        .map_err(|e| format!("{}: {e}", schema_file.display()))?;
    let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(db)
        .create_if_missing(true)
        .connect()
        .await
        .map_err(|e| format!("creating {}: {e}", db.display()))?;
    sqlx::raw_sql(sqlx::AssertSqlSafe(schema))
        .execute(&mut conn)
        .await
        .map_err(|e| format!("loading {}: {e}", schema_file.display()))?;
    conn.close()
        .await
        .map_err(|e| format!("closing {}: {e}", db.display()))
}

/// A loopback port that was free a moment ago (for DNS: free for both UDP and TCP).
fn free_port(udp_too: bool) -> Result<u16, String> {
    for _ in 0..20 {
        let tcp = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).map_err(|e| format!("bind: {e}"))?;
        let port = tcp
            .local_addr()
            .map_err(|e| format!("local_addr: {e}"))?
            .port();
        if !udp_too || UdpSocket::bind((Ipv4Addr::LOCALHOST, port)).is_ok() {
            return Ok(port);
        }
    }
    Err("no free loopback port".to_owned())
}

async fn api_ready(api_url: &str, api_key: &str) -> bool {
    let Ok(client) = reqwest::Client::builder()
        .timeout(Duration::from_secs(1))
        .build()
    else {
        return false;
    };
    client
        .get(format!("{api_url}/api/v1/servers/localhost"))
        .header("X-API-Key", api_key)
        .header("Accept", "application/json")
        .send()
        .await
        .is_ok_and(|r| r.status() == reqwest::StatusCode::OK)
}

async fn dns_ready(addr: SocketAddr) -> bool {
    // Any reply will do (REFUSED for a zone it does not have).
    super::dns::try_query(addr, "ready.invalid.", "SOA")
        .await
        .is_ok()
}
