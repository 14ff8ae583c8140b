//! Operator commands that need the DNS backend as well as the store: `worker` and `reconcile`.
//! They run the core directly against the configuration, like `migrate` and `bootstrap`.

use scaidns_core::service::ScaiDns;
use scaidns_server::Config;
use scaidns_server::wiring::{self, Needs, StartError};
use serde_json::json;

use crate::cli::Output;
use crate::output::{Failure, INVALID, UNAVAILABLE, print_json, print_json_of, print_table};

/// Exit code of `reconcile` when it found differences it did not repair.
const DRIFT: i32 = 1;

async fn service(dev: bool) -> Result<(Config, ScaiDns), Failure> {
    let config = Config::from_env(dev).map_err(|e| Failure::new(INVALID, e.to_string()))?;
    let service = wiring::service(&config, Needs::Publishing)
        .await
        .map_err(|e| match e {
            // A setting to change, not an outage.
            StartError::EmbeddedCannotPublish => Failure::new(INVALID, e.to_string()),
            e => Failure::new(UNAVAILABLE, e.to_string()),
        })?;
    Ok((config, service))
}

/// `scaidns worker [--once]`.
pub async fn worker(dev: bool, once: bool, output: Output) -> Result<(), Failure> {
    let (config, service) = service(dev).await?;
    if !once {
        scaidns_server::telemetry::init_for(&config);
    }
    let worker = scaidns_server::worker::worker_config(
        &config,
        scaidns_server::worker::owner_name("worker"),
    );
    if !once {
        // Through the log, so that LOG_FORMAT=json gets JSON from the first line on.
        tracing::info!(owner = %worker.owner, "worker started; ctrl-c stops it");
        scaidns_server::startup_check::spawn_powerdns(&service, &config);
        tokio::select! {
            () = scaidns_server::worker::run(service, worker) => {}
            _ = tokio::signal::ctrl_c() => tracing::info!("worker stopping"),
        }
        return Ok(());
    }
    let runs = service.worker_run_once(&worker).await?;
    let failed = runs.iter().any(|r| r.outcome.is_err());
    match output {
        Output::Json => print_json(&json!({
            "owner": worker.owner,
            "jobs": runs.iter().map(|r| match &r.outcome {
                Ok(summary) => json!({"job": r.job, "ok": true, "summary": summary}),
                Err(error) => json!({"job": r.job, "ok": false, "error": error}),
            }).collect::<Vec<_>>(),
        })),
        Output::Text => {
            if runs.is_empty() {
                println!("no job was due (or another worker holds them)");
            }
            let rows: Vec<Vec<String>> = runs
                .iter()
                .map(|r| match &r.outcome {
                    Ok(summary) => vec![r.job.clone(), "ok".into(), summary.clone()],
                    Err(error) => vec![r.job.clone(), "failed".into(), error.clone()],
                })
                .collect();
            if !rows.is_empty() {
                print_table(&["JOB", "RESULT", "DETAIL"], &rows);
            }
        }
    }
    if failed {
        return Err(Failure::new(UNAVAILABLE, "a job failed"));
    }
    Ok(())
}

/// `scaidns reconcile [--fix]`: exit 0 when clean (or everything was repaired), 1 when drift
/// remains.
pub async fn reconcile(dev: bool, fix: bool, output: Output) -> Result<(), Failure> {
    let (_, service) = service(dev).await?;
    let report = service.reconcile(fix).await?;
    let remaining = report.drifted.iter().filter(|d| !d.fixed).count();
    match output {
        Output::Json => print_json_of(&report),
        Output::Text => {
            println!(
                "{} zones compared, {} with differences",
                report.checked,
                report.drifted.len()
            );
            let mut rows = Vec::new();
            for zone in &report.drifted {
                for d in &zone.differences {
                    let value = serde_json::to_value(d).unwrap_or_default();
                    let kind = value["kind"].as_str().unwrap_or("?").to_owned();
                    let what = match (value["name"].as_str(), value["rtype"].as_str()) {
                        (Some(name), Some(rtype)) => format!("{name} {rtype}"),
                        _ => value
                            .get("key_tag")
                            .or_else(|| value.get("backend_id"))
                            .or_else(|| value.get("message"))
                            .or_else(|| value.get("status"))
                            .map(ToString::to_string)
                            .unwrap_or_default(),
                    };
                    let state = if zone.fixed { "repaired" } else { "open" };
                    rows.push(vec![zone.zone.clone(), kind, what, state.to_owned()]);
                }
            }
            if !rows.is_empty() {
                print_table(&["ZONE", "DIFFERENCE", "WHAT", "STATE"], &rows);
            }
        }
    }
    if remaining > 0 {
        return Err(Failure::new(
            DRIFT,
            format!(
                "{remaining} zones differ from the store{}",
                if fix {
                    " after repair"
                } else {
                    "; run with --fix to repair"
                }
            ),
        ));
    }
    Ok(())
}
