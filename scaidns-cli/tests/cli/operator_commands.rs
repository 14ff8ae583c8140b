//! `scaidns reconcile [--fix]` and `scaidns worker --once` as an operator runs them: the binary
//! configured only through the environment (`DATABASE_URL` on a SQLite file, `PDNS_API_URL`,
//! `PDNS_API_KEY`) against a live PowerDNS 4.7, with the state created through the core on the
//! same database and PowerDNS broken behind ScaiDNS's back. Every effect is checked with a DNS
//! query or in the store.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::Arc;

use crate::production::production_command;
use chrono::Utc;
use scaidns_core::adapters::resolver::HickoryResolver;
use scaidns_core::ids::{TenantId, ZoneId};
use scaidns_core::ports::{DnsBackend, SystemClock};
use scaidns_core::service::dnssec::system_context_for;
use scaidns_core::service::records::RecordCreate;
use scaidns_core::service::worker::JOB_NAMES;
use scaidns_core::service::zones::ZoneCreate;
use scaidns_core::service::{OpContext, ScaiDns, ServiceConfig};
use scaidns_core::zone::RrSetChange;
use scaidns_core::zone::SyncStatus;
use scaidns_tests::db::TestDb;
use scaidns_tests::dns::{self, ResponseCode};
use scaidns_tests::pdns::PdnsServer;
use serde_json::Value;

/// PowerDNS, a migrated SQLite database and the core service on both.
struct Setup {
    pdns: PdnsServer,
    db: TestDb,
    svc: ScaiDns,
    tenant: TenantId,
}

impl Setup {
    async fn new() -> Self {
        let pdns = PdnsServer::start().await;
        let db = TestDb::sqlite().await;
        let backend = Arc::new(pdns.backend());
        let svc = ScaiDns::new(
            Arc::new(db.store.clone()),
            Arc::clone(&backend) as Arc<dyn DnsBackend>,
            Arc::new(HickoryResolver::new()),
            Arc::new(SystemClock),
            ServiceConfig::default(),
        )
        .with_dnssec_keys(backend);
        Self {
            pdns,
            db,
            svc,
            tenant: TenantId::new(),
        }
    }

    fn ctx(&self) -> OpContext {
        system_context_for(self.tenant, Utc::now())
    }

    async fn zone(&self, name: &str) -> ZoneId {
        let created = self
            .svc
            .zone_create(
                &self.ctx(),
                ZoneCreate {
                    name: name.into(),
                    ..ZoneCreate::default()
                },
            )
            .await
            .unwrap();
        created.zone.id
    }

    async fn record(&self, zone: ZoneId, name: &str, rtype: &str, content: &str) {
        self.svc
            .record_create(
                &self.ctx(),
                zone,
                RecordCreate {
                    name: name.into(),
                    rtype: rtype.into(),
                    content: content.into(),
                    ttl: None,
                    disabled: None,
                },
                &scaidns_core::zone::precondition::IfMatch::Any,
            )
            .await
            .unwrap();
    }

    /// The directory holding the database: the binary's working directory (no `.env` there).
    fn dir(&self) -> PathBuf {
        let file = self.db.url.strip_prefix("sqlite:").unwrap();
        Path::new(file).parent().unwrap().to_path_buf()
    }

    /// Runs `scaidns args…` with a production configuration from the environment only.
    async fn scaidns(&self, args: &[&str]) -> Output {
        tokio::process::Command::new(env!("CARGO_BIN_EXE_scaidns"))
            .args(args)
            .current_dir(self.dir())
            .env_clear()
            .env("ENVIRONMENT", "production")
            .env("DATABASE_URL", &self.db.url)
            .env("PDNS_API_URL", &self.pdns.api_url)
            .env("PDNS_API_KEY", &self.pdns.api_key)
            .env("API_KEY_PEPPER", "operator-test-pepper-0123456789abcdef")
            .env("SESSION_SECRET", "operator-test-session-0123456789abcdef")
            .env("EXTERNAL_URL", "https://dns.example.test")
            .output()
            .await
            .expect("run scaidns")
    }
}

fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Asserts the exit code and answers stdout parsed as JSON.
fn json_with_code(out: &Output, expected: i32, what: &str) -> Value {
    assert_eq!(
        code(out),
        expected,
        "{what}: stdout {} stderr {}",
        text(&out.stdout),
        text(&out.stderr)
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{what}: no JSON on stdout ({e}): {}", text(&out.stdout)))
}

async fn www_answer(pdns: &PdnsServer) -> Vec<String> {
    let reply = dns::query(pdns.dns_addr, "www.ops.test.", "A").await;
    assert!(reply.authoritative, "{reply:?}");
    reply.answer_texts("A")
}

#[tokio::test]
async fn reconcile_reports_drift_and_fix_repairs_powerdns() {
    let s = Setup::new().await;
    let zone = s.zone("ops.test").await;
    s.record(zone, "www", "A", "192.0.2.1").await;
    s.record(zone, "@", "MX", "10 mail.ops.test.").await;
    assert_eq!(www_answer(&s.pdns).await, vec!["192.0.2.1"]);

    // In step: exit 0, nothing reported.
    let clean = json_with_code(
        &s.scaidns(&["reconcile", "--output", "json"]).await,
        0,
        "clean reconcile",
    );
    assert_eq!(clean["checked"], 1, "{clean}");
    assert_eq!(clean["drifted"], serde_json::json!([]), "{clean}");

    // Someone deletes an RRset in PowerDNS directly.
    s.pdns
        .backend()
        .apply(
            &"ops.test".parse().unwrap(),
            &[RrSetChange::Delete {
                name: "www.ops.test.".into(),
                rtype: "A".parse().unwrap(),
            }],
        )
        .await
        .unwrap();
    let gone = dns::query(s.pdns.dns_addr, "www.ops.test.", "A").await;
    assert_eq!(gone.rcode, ResponseCode::NXDomain, "{gone:?}");

    // Reported, exit 1, and not touched without --fix.
    let out = s.scaidns(&["reconcile", "--output", "json"]).await;
    let report = json_with_code(&out, 1, "reconcile with drift");
    assert!(text(&out.stderr).contains("--fix"), "{}", text(&out.stderr));
    let drifted = report["drifted"].as_array().unwrap();
    assert_eq!(drifted.len(), 1, "{report}");
    assert_eq!(drifted[0]["zone"], "ops.test");
    assert_eq!(drifted[0]["zone_id"], zone.to_string().as_str());
    assert_eq!(drifted[0]["fixed"], false);
    let differences = drifted[0]["differences"].as_array().unwrap();
    assert_eq!(differences.len(), 1, "{report}");
    assert_eq!(differences[0]["kind"], "rrset_missing");
    assert_eq!(
        differences[0]["name"]
            .as_str()
            .map(|n| n.trim_end_matches('.')),
        Some("www.ops.test")
    );
    assert_eq!(differences[0]["rtype"], "A");
    let table = s.scaidns(&["reconcile"]).await;
    assert_eq!(code(&table), 1);
    let table = text(&table.stdout);
    assert!(
        table.contains("1 zones compared, 1 with differences")
            && table.contains("rrset_missing")
            && table.contains("open"),
        "{table}"
    );
    assert!(
        dns::query(s.pdns.dns_addr, "www.ops.test.", "A")
            .await
            .answers
            .is_empty()
    );

    // --fix republishes the zone: exit 0, PowerDNS answers again.
    let fixed = json_with_code(
        &s.scaidns(&["reconcile", "--fix", "--output", "json"]).await,
        0,
        "reconcile --fix",
    );
    assert_eq!(fixed["drifted"][0]["fixed"], true, "{fixed}");
    assert_eq!(www_answer(&s.pdns).await, vec!["192.0.2.1"]);
    let mx = dns::query(s.pdns.dns_addr, "ops.test.", "MX").await;
    assert_eq!(mx.answers_of("MX").len(), 1, "{mx:?}");
    let after = json_with_code(
        &s.scaidns(&["reconcile", "--output", "json"]).await,
        0,
        "reconcile after the fix",
    );
    assert_eq!(after["drifted"], serde_json::json!([]), "{after}");

    // A zone PowerDNS holds and no store row describes: reported, never deleted, so drift
    // remains even with --fix (exit 1).
    s.pdns
        .backend()
        .create_zone(&scaidns_core::ports::ZoneSpec {
            name: "stray.test".parse().unwrap(),
            rrsets: vec![scaidns_core::zone::RrSet {
                name: "stray.test.".into(),
                rtype: "SOA".parse().unwrap(),
                ttl: 3600,
                records: vec![scaidns_core::zone::RrData {
                    content: "ns1.stray.test. hostmaster.stray.test. 1 3600 600 604800 600".into(),
                    disabled: false,
                }],
            }],
            account: String::new(),
        })
        .await
        .unwrap();
    let out = s.scaidns(&["reconcile", "--fix", "--output", "json"]).await;
    let stray = json_with_code(&out, 1, "reconcile --fix with an unmanaged zone");
    assert_eq!(stray["drifted"].as_array().unwrap().len(), 1, "{stray}");
    assert_eq!(stray["drifted"][0]["zone"], "stray.test");
    assert_eq!(
        stray["drifted"][0]["differences"][0]["kind"],
        "zone_unmanaged"
    );
    assert_eq!(stray["drifted"][0]["fixed"], false);
    let soa = dns::query(s.pdns.dns_addr, "stray.test.", "SOA").await;
    assert_eq!(soa.answers_of("SOA").len(), 1, "not deleted: {soa:?}");
}

#[tokio::test]
async fn worker_once_publishes_a_pending_zone_after_powerdns_restarts() {
    let mut s = Setup::new().await;
    let zone = s.zone("ops.test").await;

    // PowerDNS goes away: the write is accepted and queued (sync pending).
    s.pdns.stop().await;
    s.record(zone, "www", "A", "192.0.2.7").await;
    let stored = s.svc.store().get_zone(zone).await.unwrap().unwrap();
    assert_eq!(stored.sync.status, SyncStatus::Pending);
    assert!(stored.sync.error.is_some());

    s.pdns.restart().await;
    assert!(
        dns::query(s.pdns.dns_addr, "www.ops.test.", "A")
            .await
            .answers
            .is_empty(),
        "not published before the worker runs"
    );

    let out = s.scaidns(&["worker", "--once", "--output", "json"]).await;
    let pass = json_with_code(&out, 0, "worker --once");
    assert!(
        pass["owner"].as_str().unwrap().starts_with("worker@"),
        "{pass}"
    );
    let jobs = pass["jobs"].as_array().unwrap();
    let names: Vec<&str> = jobs.iter().map(|j| j["job"].as_str().unwrap()).collect();
    assert_eq!(names, JOB_NAMES.to_vec(), "every job ran once: {pass}");
    assert!(jobs.iter().all(|j| j["ok"] == true), "{pass}");
    let sync = jobs
        .iter()
        .find(|j| j["job"] == scaidns_core::service::worker::SYNC_JOB)
        .unwrap();
    assert_eq!(sync["summary"], "1 zones synced, 0 still pending", "{pass}");

    // Published and recorded as in sync.
    assert_eq!(www_answer(&s.pdns).await, vec!["192.0.2.7"]);
    let stored = s.svc.store().get_zone(zone).await.unwrap().unwrap();
    assert_eq!(stored.sync.status, SyncStatus::InSync, "{:?}", stored.sync);
    assert!(stored.sync.error.is_none());

    // The jobs were recorded with their next run: a second pass right away finds none due.
    let again = json_with_code(
        &s.scaidns(&["worker", "--once", "--output", "json"]).await,
        0,
        "second worker --once",
    );
    assert_eq!(again["jobs"], serde_json::json!([]), "{again}");
    let table = s.scaidns(&["worker", "--once"]).await;
    assert_eq!(code(&table), 0, "{}", text(&table.stderr));
    assert!(
        text(&table.stdout).contains("no job was due"),
        "{}",
        text(&table.stdout)
    );
    let clean = json_with_code(
        &s.scaidns(&["reconcile", "--output", "json"]).await,
        0,
        "reconcile after the worker",
    );
    assert_eq!(clean["drifted"], serde_json::json!([]), "{clean}");
}

#[tokio::test]
async fn worker_and_reconcile_refuse_the_embedded_backend() {
    let db = TestDb::sqlite().await;
    let dir = Path::new(db.url.strip_prefix("sqlite:").unwrap())
        .parent()
        .unwrap()
        .to_path_buf();
    for args in [["worker", "--once"], ["reconcile", "--fix"]] {
        let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_scaidns"))
            .args(args)
            .current_dir(&dir)
            .env_clear()
            .env("ENVIRONMENT", "production")
            .env("DATABASE_URL", &db.url)
            .env("API_KEY_PEPPER", "operator-test-pepper-0123456789abcdef")
            .env("SESSION_SECRET", "operator-test-session-0123456789abcdef")
            .env("EXTERNAL_URL", "https://dns.example.test")
            .output()
            .await
            .unwrap();
        assert_eq!(code(&out), 5, "{args:?}: {}", text(&out.stderr));
        assert!(
            text(&out.stderr).contains("PDNS_API_URL"),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(out.stdout.is_empty());
    }
}

#[tokio::test]
async fn help_lists_every_subcommand() {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_scaidns"))
        .arg("--help")
        .output()
        .await
        .unwrap();
    assert_eq!(code(&out), 0);
    let help = text(&out.stdout);
    // The "Commands:" section: one line per subcommand, its name first.
    let listed: Vec<&str> = help
        .split("Commands:")
        .nth(1)
        .expect("a Commands section")
        .split("\n\n")
        .next()
        .unwrap()
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    for command in [
        "serve",
        "migrate",
        "bootstrap",
        "api-keys",
        "domains",
        "validation",
        "records",
        "dnssec",
        "worker",
        "sync",
        "assign-admin",
        "register-scaikey",
        "reconcile",
    ] {
        assert!(listed.contains(&command), "{command} missing from: {help}");
    }
    for (command, flag) in [("worker", "--once"), ("reconcile", "--fix")] {
        let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_scaidns"))
            .args([command, "--help"])
            .output()
            .await
            .unwrap();
        assert_eq!(code(&out), 0);
        assert!(text(&out.stdout).contains(flag), "{}", text(&out.stdout));
    }
}

/// `scaidns args…` in production mode on the SQLite file `db` (which need not exist yet).
fn command_on(
    db: &Path,
    pdns: &PdnsServer,
    pdns_key: &str,
    args: &[&str],
) -> tokio::process::Command {
    production_command(
        db.parent().unwrap(),
        &format!("sqlite:{}", db.display()),
        &pdns.api_url,
        pdns_key,
        args,
    )
}

#[tokio::test]
async fn migrate_counts_and_a_second_bootstrap_names_the_ways_forward() {
    let pdns = PdnsServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("fresh.sqlite3");
    let run = |args: &'static [&'static str]| {
        let mut command = command_on(&db, &pdns, &pdns.api_key, args);
        async move { command.output().await.unwrap() }
    };
    let first = run(&["migrate"]).await;
    assert_eq!(code(&first), 0, "{}", text(&first.stderr));
    let said = text(&first.stdout);
    assert!(
        said.starts_with("applied ") && said.contains(" migrations; database is up to date"),
        "{said}"
    );
    let again = run(&["migrate"]).await;
    assert_eq!(
        text(&again.stdout).trim(),
        "database is up to date (no migration to apply)"
    );

    let boot = run(&["bootstrap", "--email", "first@ops.test"]).await;
    assert_eq!(code(&boot), 0, "{}", text(&boot.stderr));
    let twice = run(&["bootstrap", "--email", "second@ops.test"]).await;
    let stderr = text(&twice.stderr);
    assert_eq!(code(&twice), 5, "{stderr}");
    assert!(
        stderr.contains("already been bootstrapped")
            && stderr.contains(
                "to make an existing user a platform admin run \
                 `scaidns assign-admin --user-email <email>`;"
            )
            && stderr.contains("`scaidns api-keys create --name <label> --user <id>`"),
        "{stderr}"
    );
    // The command as printed works.
    let assigned = run(&["assign-admin", "--user-email", "first@ops.test"]).await;
    assert_eq!(code(&assigned), 0, "{}", text(&assigned.stderr));
}

#[tokio::test]
async fn a_wrong_pdns_api_key_is_named_at_start_in_json_logs() {
    use tokio::io::AsyncBufReadExt;

    let pdns = PdnsServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("worker.sqlite3");
    let migrated = command_on(&db, &pdns, &pdns.api_key, &["migrate"])
        .output()
        .await
        .unwrap();
    assert_eq!(code(&migrated), 0, "{}", text(&migrated.stderr));

    let mut worker = command_on(&db, &pdns, "not-the-key", &["worker"])
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = tokio::io::BufReader::new(worker.stdout.take().unwrap()).lines();
    let mut seen = Vec::new();
    // Bounded only to stop a broken build: the check runs beside the first pass.
    let found = tokio::time::timeout(std::time::Duration::from_secs(60), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            let found = line.contains("PDNS_API_KEY");
            seen.push(line);
            if found {
                return true;
            }
        }
        false
    })
    .await
    .unwrap_or(false);
    let _ = worker.kill().await;
    assert!(found, "no warning naming PDNS_API_KEY in {seen:#?}");
    // Every line is JSON under LOG_FORMAT=json, the first one ("worker started") included.
    for line in &seen {
        let value: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert!(value["level"].is_string(), "{line}");
    }
    assert!(seen[0].contains("worker started"), "{seen:#?}");
    let warning = seen.last().unwrap();
    assert!(
        warning.contains("WARN") && warning.contains("401"),
        "{warning}"
    );
    assert!(
        !warning.contains("not-the-key"),
        "the key is never logged: {warning}"
    );
}

#[tokio::test]
async fn text_logs_to_a_pipe_have_no_colours() {
    use tokio::io::AsyncBufReadExt;

    let pdns = PdnsServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("text.sqlite3");
    let migrated = command_on(&db, &pdns, &pdns.api_key, &["migrate"])
        .output()
        .await
        .unwrap();
    assert_eq!(code(&migrated), 0, "{}", text(&migrated.stderr));
    let mut worker = command_on(&db, &pdns, &pdns.api_key, &["worker"])
        .env("LOG_FORMAT", "text")
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = tokio::io::BufReader::new(worker.stdout.take().unwrap()).lines();
    // Bounded wait for the first line (it is written at start).
    let first = tokio::time::timeout(std::time::Duration::from_secs(60), lines.next_line())
        .await
        .expect("a first log line")
        .unwrap()
        .expect("a first log line");
    let _ = worker.kill().await;
    assert!(first.contains("worker started"), "{first}");
    assert!(
        !first.contains('\u{1b}'),
        "ANSI escapes in a pipe: {first:?}"
    );
}

/// `scaidns register-scaikey` in `dir` with a clean environment: only `.env` there speaks.
fn register_in(dir: &Path, args: &[&str]) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_scaidns"));
    command
        .current_dir(dir)
        .env_remove("SCAIKEY_URL")
        .env_remove("EXTERNAL_URL")
        .env_remove("DATA_DIR")
        .arg("register-scaikey")
        .args(args)
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true);
    command
}

/// As the deployment guide writes it: `--public-url` given, `SCAIKEY_URL` read from the
/// `--env-file`, and with `--yes` the approved lines written into that file, its other lines
/// kept and its `export` prefixes too, and the secrets not repeated on stdout.
#[tokio::test]
async fn register_scaikey_reads_env_and_writes_the_approved_lines_into_it() {
    use scaidns_tests::scaikey::{APPLICATION_ID, CLIENT_ID, CLIENT_SECRET, ScaiKey};
    let scaikey = ScaiKey::start().await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("conf")).unwrap();
    let env = dir.path().join("conf/scaidns.env");
    std::fs::write(
        &env,
        format!(
            "# ours\nDATABASE_URL=sqlite:keep.db\nexport SCAIKEY_URL={}\n",
            scaikey.issuer()
        ),
    )
    .unwrap();
    let command = register_in(
        dir.path(),
        &[
            "--public-url",
            "https://dns.example.test",
            "--env-file",
            "conf/scaidns.env",
            "--yes",
            "--json",
            "--interval",
            "1",
            "--timeout",
            "60",
        ],
    )
    .output();
    let approve = async {
        for _ in 0..1500 {
            let approved = scaikey.approve_registrations();
            if !approved.is_empty() {
                return approved;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        panic!("no registration request arrived");
    };
    let (out, approved) = tokio::join!(command, approve);
    let out = out.unwrap();
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    assert_eq!(
        approved[0]["webhook_url"],
        "https://dns.example.test/api/v1/webhooks/scaikey"
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["status"], "APPROVED");
    assert_eq!(report["env_file"], "conf/scaidns.env");
    assert!(
        report["written"]
            .as_array()
            .is_some_and(|names| names.contains(&Value::from("SCAIKEY_CLIENT_SECRET"))),
        "{report}"
    );
    assert!(!text(&out.stdout).contains(CLIENT_SECRET), "{report}");
    assert!(!text(&out.stderr).contains(CLIENT_SECRET));
    let written = std::fs::read_to_string(&env).unwrap();
    let lines: Vec<&str> = written.lines().collect();
    assert_eq!(&lines[..2], &["# ours", "DATABASE_URL=sqlite:keep.db"]);
    for expected in [
        format!("export SCAIKEY_URL={}", scaikey.issuer()),
        format!("SCAIKEY_CLIENT_ID={CLIENT_ID}"),
        format!("SCAIKEY_APPLICATION_ID={APPLICATION_ID}"),
        "EXTERNAL_URL=https://dns.example.test".to_owned(),
    ] {
        assert_eq!(
            lines.iter().filter(|l| **l == expected).count(),
            1,
            "{expected} in {written}"
        );
    }
    assert!(
        written.contains(&format!("SCAIKEY_CLIENT_SECRET={CLIENT_SECRET}")),
        "{written}"
    );
    assert!(written.contains("SCAIKEY_WEBHOOK_SECRET="), "{written}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&env).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // The pending request is forgotten once the credentials are out.
    assert!(!dir.path().join("data/scaikey-registration.json").exists());
}

/// Without `--yes` and without a terminal nothing is written; without a ScaiKey URL anywhere
/// the command says which setting is missing.
#[tokio::test]
async fn register_scaikey_without_yes_only_prints_and_names_a_missing_url() {
    let dir = tempfile::tempdir().unwrap();
    let out = register_in(dir.path(), &["--public-url", "https://dns.example.test"])
        .output()
        .await
        .unwrap();
    assert_eq!(code(&out), 5);
    assert!(
        text(&out.stderr).contains("SCAIKEY_URL"),
        "{}",
        text(&out.stderr)
    );

    use scaidns_tests::scaikey::{CLIENT_ID, ScaiKey};
    let scaikey = ScaiKey::start().await;
    let env = dir.path().join(".env");
    std::fs::write(&env, format!("SCAIKEY_URL={}\n", scaikey.issuer())).unwrap();
    let command = register_in(
        dir.path(),
        &[
            "--public-url",
            "https://dns.example.test",
            "--interval",
            "1",
            "--timeout",
            "60",
        ],
    )
    .output();
    let approve = async {
        for _ in 0..1500 {
            if !scaikey.approve_registrations().is_empty() {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        panic!("no registration request arrived");
    };
    let (out, ()) = tokio::join!(command, approve);
    let out = out.unwrap();
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains(&format!("SCAIKEY_CLIENT_ID={CLIENT_ID}")),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(
        std::fs::read_to_string(&env).unwrap(),
        format!("SCAIKEY_URL={}\n", scaikey.issuer())
    );
}
