//! The topology under test, on loopback: one PowerDNS (the test support's), one fresh MariaDB
//! database, the shared Redis, and `scaidns serve` replicas and `scaidns worker` processes of
//! the binary under test, configured only through the environment as an operator would.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use scaidns_tests::db::TestDb;
use scaidns_tests::pdns::{PdnsServer, signal};
use tokio::process::{Child, Command};

use crate::production::production_command;

/// How long a replica may take to listen (debug build, migrations already applied).
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// How long a replica reuses an authenticated key. Long on purpose: a revoked key refused by
/// another replica well inside it was dropped by the Redis notice, not by the entry's expiry.
pub const AUTH_CACHE_MAX_STALENESS: Duration = Duration::from_secs(30);

/// One `scaidns` process.
pub struct Process {
    /// `serve-1`, `worker-2`, …
    pub label: String,
    /// `http://127.0.0.1:<port>` for a replica.
    pub url: Option<String>,
    child: Child,
    pid: u32,
    log: PathBuf,
    /// Set once killed; it stays dead.
    pub killed: bool,
}

impl Process {
    /// Whether a job lease owner (`serve@host:<pid>:<random>`, `worker@…`) is this process.
    pub fn owns(&self, lease_owner: &str) -> bool {
        lease_owner
            .split(':')
            .nth(1)
            .is_some_and(|pid| pid == self.pid.to_string())
    }

    /// Kills the process as a crash or an OOM kill would (SIGKILL: no clean shutdown).
    pub async fn kill(&mut self) {
        self.child.start_kill().expect("SIGKILL");
        let _ = self.child.wait().await;
        self.killed = true;
    }

    /// Freezes (SIGSTOP) or thaws (SIGCONT) the process, as a stalled host would.
    pub fn freeze(&self, frozen: bool) {
        signal(self.pid, if frozen { "STOP" } else { "CONT" });
    }

    /// The process's output so far (for failure messages).
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

/// PowerDNS, the database and the processes.
pub struct Cluster {
    /// The one PowerDNS every process publishes to.
    pub pdns: PdnsServer,
    /// The one ScaiDNS database.
    pub db: TestDb,
    /// `scaidns serve` processes.
    pub replicas: Vec<Process>,
    /// `scaidns worker` processes.
    pub workers: Vec<Process>,
    /// The bootstrapped platform admin's API key (rate limits lifted for it).
    pub admin_key: String,
    /// The platform admin's user id.
    pub admin_user_id: String,
    dir: tempfile::TempDir,
}

impl Cluster {
    /// Starts PowerDNS, migrates a fresh MariaDB database, bootstraps the platform admin and
    /// starts `replicas` replicas and `workers` workers, returning once every replica listens.
    pub async fn start(replicas: usize, workers: usize) -> Self {
        let (pdns, db) = tokio::join!(PdnsServer::start(), TestDb::mysql());
        let dir = tempfile::tempdir().expect("temporary directory");
        let mut cluster = Self {
            pdns,
            db,
            replicas: Vec::new(),
            workers: Vec::new(),
            admin_key: String::new(),
            admin_user_id: String::new(),
            dir,
        };
        let boot = cluster
            .command(&["--json", "bootstrap", "--email", "admin@scale-out.test"])
            .output()
            .await
            .expect("run scaidns bootstrap");
        assert!(
            boot.status.success(),
            "bootstrap: {}",
            String::from_utf8_lossy(&boot.stderr)
        );
        let boot: serde_json::Value = serde_json::from_slice(&boot.stdout).expect("bootstrap JSON");
        cluster.admin_key = boot["api_key"].as_str().expect("api_key").to_owned();
        cluster.admin_user_id = boot["user_id"].as_str().expect("user_id").to_owned();
        for n in 1..=replicas {
            let replica = cluster.spawn(&format!("serve-{n}"), &["serve"]);
            cluster.replicas.push(replica);
        }
        for _ in 0..workers {
            cluster.add_worker();
        }
        for i in 0..replicas {
            let url = listening_url(&mut cluster.replicas[i]).await;
            cluster.replicas[i].url = Some(url);
        }
        cluster
    }

    /// Starts one more `scaidns worker`; its first pass runs at once.
    pub fn add_worker(&mut self) {
        let worker = self.spawn(&format!("worker-{}", self.workers.len() + 1), &["worker"]);
        self.workers.push(worker);
    }

    /// The URLs of the replicas still running.
    pub fn live_urls(&self) -> Vec<String> {
        self.replicas
            .iter()
            .filter(|r| !r.killed)
            .filter_map(|r| r.url.clone())
            .collect()
    }

    /// The process (replica or worker) holding `lease_owner`.
    pub fn owner_of(&mut self, lease_owner: &str) -> Option<&mut Process> {
        self.replicas
            .iter_mut()
            .chain(self.workers.iter_mut())
            .find(|p| p.owns(lease_owner))
    }

    /// Every process's warnings and errors, for a failure message.
    pub fn logs(&self) -> String {
        self.replicas
            .iter()
            .chain(&self.workers)
            .map(|p| format!("--- {} ---\n{}", p.label, warnings(&p.log())))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// `scaidns args…` with a production configuration from the environment only.
    fn command(&self, args: &[&str]) -> Command {
        // No `.env` is read from here.
        let mut command = production_command(
            self.dir.path(),
            &self.db.url,
            &self.pdns.api_url,
            &self.pdns.api_key,
            args,
        );
        command
            // Five processes on one MariaDB that other tests use too.
            // Room for the publishing turns that hold a connection while PowerDNS is frozen
            // (docs/decisions.md, "Pool use"): 4 ran out and answered 503.
            .env("DATABASE_POOL_SIZE", "12")
            .env("AUTO_MIGRATE", "false")
            .env("REDIS_URL", redis_url())
            .env("BIND_ADDRESS", "127.0.0.1:0")
            .env(
                "AUTH_CACHE_MAX_STALENESS",
                format!("{}s", AUTH_CACHE_MAX_STALENESS.as_secs()),
            )
            // The admin drives the load; a key's own limit (below this) still applies to it.
            .env("RATE_LIMIT_API_KEY_PER_MINUTE", "1000000000")
            .env("RATE_LIMIT_API_KEY_MAX", "1000000000")
            // No ownership check leaves the machine.
            .env("VALIDATION_RESOLVERS", "127.0.0.1:9")
            .env("LOG_LEVEL", "INFO")
            .stdin(Stdio::null())
            .kill_on_drop(true);
        command
    }

    fn spawn(&self, label: &str, args: &[&str]) -> Process {
        let log = self.dir.path().join(format!("{label}.log"));
        let out = std::fs::File::create(&log).expect("log file");
        let err = out.try_clone().expect("log file");
        let child = self
            .command(args)
            .stdout(Stdio::from(out))
            .stderr(Stdio::from(err))
            .spawn()
            .unwrap_or_else(|e| panic!("start {label}: {e}"));
        let pid = child.id().expect("pid");
        Process {
            label: label.to_owned(),
            url: None,
            child,
            pid,
            log,
            killed: false,
        }
    }
}

/// Waits for the replica's "listening" log line and reads its address from it (it binds port
/// 0, so no port is chosen in advance and lost to another test).
async fn listening_url(replica: &mut Process) -> String {
    let deadline = Instant::now() + START_TIMEOUT;
    loop {
        let log = replica.log();
        let address = log
            .lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .find(|line| line["message"] == "ScaiDNS API listening")
            .and_then(|line| line["address"].as_str().map(str::to_owned));
        if let Some(address) = address {
            return format!("http://{address}");
        }
        if let Ok(Some(status)) = replica.child.try_wait() {
            panic!("{} exited with {status}:\n{log}", replica.label);
        }
        assert!(
            Instant::now() < deadline,
            "{} not listening after {START_TIMEOUT:?}:\n{log}",
            replica.label
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn redis_url() -> String {
    std::env::var("SCAIDNS_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned())
}

/// The lines of a log that are not plain information (warnings, errors, panics).
fn warnings(log: &str) -> String {
    log.lines()
        .filter(|line| !line.contains(r#""level":"INFO""#))
        .collect::<Vec<_>>()
        .join("\n")
}
