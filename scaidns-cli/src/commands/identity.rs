//! Identity operator commands (spec api-identity §13; deployment guide steps 2–4):
//! `register-scaikey`, `sync` and `assign-admin`. They use the core directly, like `migrate`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use scaidns_core::service::ScaiDns;
use scaidns_core::service::identity_sync::{SyncOptions, SyncProgress, SyncReport, Tally};
use scaidns_server::Config;
use scaidns_server::wiring::{
    self, Needs, RegistrationRequest, RegistrationStatus, RegistrationTicket, ScaiKeyRegistration,
};
use serde_json::json;

use super::env_lines;
use crate::cli::Output;
use crate::output::{Failure, INVALID, UNAVAILABLE, print_json, print_table};

/// Name of the file under `DATA_DIR` that remembers a pending registration.
const REGISTRATION_FILE: &str = "scaikey-registration.json";

async fn service(config: &Config) -> Result<ScaiDns, Failure> {
    // Identity commands touch only the store.
    wiring::service(config, Needs::Store)
        .await
        .map_err(|e| Failure::new(UNAVAILABLE, e.to_string()))
}

fn config(dev: bool) -> Result<Config, Failure> {
    Config::from_env(dev).map_err(|e| Failure::new(INVALID, e.to_string()))
}

/// Progress as plain lines on stderr, so `--output json` on stdout stays parseable.
struct StderrProgress;

impl SyncProgress for StderrProgress {
    fn step(&self, what: &str) {
        eprintln!("sync: {what}…");
    }
}

/// `scaidns sync [--users-only]`.
pub async fn sync(dev: bool, users_only: bool, output: Output) -> Result<(), Failure> {
    let config = config(dev)?;
    let identity = &config.identity;
    let missing = || {
        Failure::new(
            INVALID,
            "sync needs SCAIKEY_URL, SCAIKEY_CLIENT_ID, SCAIKEY_CLIENT_SECRET and SCAIKEY_APPLICATION_ID",
        )
    };
    if identity.oidc.is_none()
        || identity.scaikey_url.is_none()
        || identity.application_id.is_none()
    {
        return Err(missing());
    }
    let service = service(&config).await?;
    let report = wiring::identity_sync(
        &config,
        &service,
        SyncOptions { users_only },
        &StderrProgress,
    )
    .await
    .ok_or_else(missing)??;
    print_report(&report, output);
    Ok(())
}

fn print_report(report: &SyncReport, output: Output) {
    let hint = report.saw_no_users().then_some(
        "ScaiKey returned no users: check SCAIKEY_APPLICATION_ID and that users or groups are assigned to the application",
    );
    match output {
        Output::Json => {
            let mut value = serde_json::to_value(report).unwrap_or_default();
            if let (Some(map), Some(hint)) = (value.as_object_mut(), hint) {
                map.insert("hint".to_owned(), json!(hint));
            }
            print_json(&value);
        }
        Output::Text => {
            let c = &report.counts;
            let row = |kind: &str, t: &Tally| {
                vec![
                    kind.to_owned(),
                    t.created.to_string(),
                    t.updated.to_string(),
                    t.removed.to_string(),
                    t.unchanged.to_string(),
                ]
            };
            print_table(
                &["KIND", "CREATED", "UPDATED", "REMOVED", "UNCHANGED"],
                &[
                    row("partners", &c.partners),
                    row("tenants", &c.tenants),
                    row("users", &c.users),
                    row("groups", &c.groups),
                    row("memberships", &c.memberships),
                ],
            );
            if c.conflicts > 0 {
                eprintln!(
                    "{} provider users were not bound to a local user (see the audit log: user.link_refused, user.tenant_change_refused)",
                    c.conflicts
                );
            }
            if let Some(hint) = hint {
                eprintln!("hint: {hint}");
            }
        }
    }
}

/// `scaidns assign-admin --user-email EMAIL [--revoke]`.
pub async fn assign_admin(
    dev: bool,
    email: &str,
    revoke: bool,
    output: Output,
) -> Result<(), Failure> {
    let config = config(dev)?;
    let service = service(&config).await?;
    let (user, changed) = service.assign_platform_admin(email, !revoke).await?;
    match output {
        Output::Json => print_json(&json!({
            "user_id": user.id.to_string(),
            "email": user.email,
            "is_platform_admin": user.is_platform_admin,
            "changed": changed,
        })),
        Output::Text => {
            let state = if user.is_platform_admin {
                "is a platform admin"
            } else {
                "is not a platform admin"
            };
            let note = if changed { "" } else { " (unchanged)" };
            println!("{} ({}) {state}{note}", user.email, user.id);
        }
    }
    Ok(())
}

/// Options of `scaidns register-scaikey`.
#[derive(Debug, Clone)]
pub struct RegisterArgs {
    /// ScaiKey base URL (`SCAIKEY_URL` when not given).
    pub scaikey_url: Option<String>,
    /// Public URL of ScaiDNS (`EXTERNAL_URL` when not given).
    pub public_url: Option<String>,
    /// Contact e-mail.
    pub email: Option<String>,
    /// `GLOBAL`, `PARTNER` or `TENANT`.
    pub scope: String,
    /// Application name.
    pub name: String,
    /// Where the pending request is remembered (`DATA_DIR` when not given).
    pub data_dir: Option<PathBuf>,
    /// Seconds between status checks.
    pub interval: u64,
    /// Give up waiting after this many seconds (0: check once).
    pub timeout: u64,
    /// `--yes`: write the lines into `env_file` without asking.
    pub write_env: bool,
    /// The `.env` to write into.
    pub env_file: PathBuf,
}

/// A flag's value, else the setting from the environment or the `.env` at `env_file`, as
/// `serve` reads them.
fn flag_or_setting(
    flag: Option<String>,
    env_file: &Path,
    name: &str,
) -> Result<Option<String>, Failure> {
    match flag {
        Some(value) => Ok(Some(value)),
        None => Config::lookup(env_file, name).map_err(|e| Failure::new(INVALID, e.to_string())),
    }
}

fn write_ticket(path: &Path, ticket: &RegistrationTicket) -> Result<(), Failure> {
    let fail = |e: std::io::Error| {
        Failure::new(UNAVAILABLE, format!("cannot write {}: {e}", path.display()))
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(fail)?;
    }
    // The status token is a credential.
    let text = serde_json::to_string(ticket).unwrap_or_default();
    scaidns_server::owner_only::write(path, text.as_bytes()).map_err(fail)
}

/// `scaidns register-scaikey --public-url URL`: submits (or resumes) a self-registration
/// request and waits for its approval.
pub async fn register(args: RegisterArgs, output: Output) -> Result<(), Failure> {
    let scaikey_url = flag_or_setting(args.scaikey_url.clone(), &args.env_file, "SCAIKEY_URL")?.ok_or_else(|| {
        Failure::new(
            INVALID,
            "register-scaikey needs the ScaiKey URL: --scaikey-url, or SCAIKEY_URL in the environment or .env",
        )
    })?;
    let public_url = flag_or_setting(args.public_url.clone(), &args.env_file, "EXTERNAL_URL")?.ok_or_else(|| {
        Failure::new(
            INVALID,
            "register-scaikey needs the public URL of ScaiDNS: --public-url, or EXTERNAL_URL in the environment or .env",
        )
    })?;
    let data_dir = match args.data_dir.clone() {
        Some(dir) => dir,
        None => PathBuf::from(
            flag_or_setting(None, &args.env_file, "DATA_DIR")?
                .unwrap_or_else(|| scaidns_server::config::DEFAULT_DATA_DIR.to_owned()),
        ),
    };
    let registrar = ScaiKeyRegistration::new(&scaikey_url)
        .map_err(|e| Failure::new(UNAVAILABLE, e.to_string()))?;
    let path = data_dir.join(REGISTRATION_FILE);
    let ticket = match std::fs::read_to_string(&path)
        .ok()
        .and_then(|t| serde_json::from_str::<RegistrationTicket>(&t).ok())
    {
        Some(ticket) => {
            eprintln!(
                "resuming registration request {} (from {})",
                ticket.request_id(),
                path.display()
            );
            ticket
        }
        None => {
            let request = RegistrationRequest {
                name: args.name.clone(),
                public_url: public_url.clone(),
                scope: args.scope.to_ascii_uppercase(),
                contact_email: args.email.clone(),
            };
            let ticket = registrar.submit(&request).await?;
            write_ticket(&path, &ticket)?;
            eprintln!(
                "submitted registration request {}; an administrator of ScaiKey must approve it",
                ticket.request_id()
            );
            ticket
        }
    };
    let started = std::time::Instant::now();
    loop {
        match registrar.status(&ticket).await? {
            RegistrationStatus::Approved(creds) => {
                // The credentials are handed out once: forget the request only after they are
                // printed (and written, when asked).
                let mut settings = vec![
                    (
                        "SCAIKEY_URL".to_owned(),
                        scaikey_url.trim_end_matches('/').to_owned(),
                    ),
                    ("SCAIKEY_CLIENT_ID".to_owned(), creds.client_id.clone()),
                ];
                if let Some(secret) = &creds.client_secret {
                    settings.push(("SCAIKEY_CLIENT_SECRET".to_owned(), secret.clone()));
                }
                settings.push((
                    "SCAIKEY_APPLICATION_ID".to_owned(),
                    creds
                        .application_id
                        .clone()
                        .unwrap_or_else(|| creds.client_id.clone()),
                ));
                if let Some(secret) = &creds.webhook_secret {
                    settings.push(("SCAIKEY_WEBHOOK_SECRET".to_owned(), secret.clone()));
                }
                settings.push((
                    "EXTERNAL_URL".to_owned(),
                    public_url.trim_end_matches('/').to_owned(),
                ));
                return deliver(&args, output, &ticket, &path, &settings);
            }
            RegistrationStatus::Closed(status) => {
                let _ = std::fs::remove_file(&path);
                return Err(Failure::new(
                    INVALID,
                    format!("registration request {} is {status}", ticket.request_id()),
                ));
            }
            RegistrationStatus::Pending => {
                if started.elapsed() >= Duration::from_secs(args.timeout) {
                    if let Output::Json = output {
                        print_json(&json!({
                            "status": "PENDING",
                            "request_id": ticket.request_id(),
                        }));
                    }
                    eprintln!(
                        "still pending; run `scaidns register-scaikey` again to keep waiting"
                    );
                    return Ok(());
                }
                eprintln!("pending approval…");
                tokio::time::sleep(Duration::from_secs(args.interval.max(1))).await;
            }
        }
    }
}

/// Hands out the approved `settings`: written into `.env` when asked (then only their names
/// are shown, the file being the copy), printed in full otherwise or when writing failed,
/// since ScaiKey hands the credentials out once. The pending request is forgotten after.
fn deliver(
    args: &RegisterArgs,
    output: Output,
    ticket: &RegistrationTicket,
    ticket_path: &Path,
    settings: &[(String, String)],
) -> Result<(), Failure> {
    let lines = env_lines::lines(settings)?;
    let names: Vec<&str> = settings.iter().map(|(name, _)| name.as_str()).collect();
    // JSON output is for scripts: nothing is asked, only --yes writes.
    let write = args.write_env
        || (matches!(output, Output::Text) && {
            eprintln!("approved; ScaiKey returned {}", names.join(", "));
            env_lines::confirm(&args.env_file)
        });
    let written = if write {
        env_lines::write(&args.env_file, settings).map(|()| true)
    } else {
        Ok(false)
    };
    let env_file = args.env_file.display().to_string();
    match output {
        Output::Json => {
            let mut report = json!({
                "status": "APPROVED",
                "request_id": ticket.request_id(),
            });
            match &written {
                Ok(true) => {
                    report["env_file"] = json!(env_file);
                    report["written"] = json!(names);
                }
                Ok(false) => report["env"] = json!(lines),
                Err(failure) => {
                    report["env"] = json!(lines);
                    report["env_file_error"] = json!(failure.message);
                }
            }
            print_json(&report);
        }
        Output::Text => match &written {
            Ok(true) => eprintln!("written {} into {env_file}", names.join(", ")),
            _ => {
                eprintln!("the lines for .env:");
                for line in &lines {
                    println!("{line}");
                }
            }
        },
    }
    let _ = std::fs::remove_file(ticket_path);
    written.map(|_| ())
}
