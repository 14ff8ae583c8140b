//! `--dry-run` on the write commands: the write's plan (`POST /api/v1/plans`) printed instead
//! of the write. Nothing changes. Exits 0 when the write would succeed, else with the code the
//! real call's error would give (so a script can test a change before making it).

use scaidns_client::Client;
use scaidns_client::types::{PlanRequest, PlanResponse, PlanRrSetData};
use serde_json::{Map, Value};

use crate::cli::Output;
use crate::output::{Failure, print_json_of};

/// Plans `operation` with `params` (path and query parameters by the operation's names) and
/// `body` (its request body), and prints the plan.
pub async fn show(
    client: &Client,
    operation: &str,
    params: &[(&str, Value)],
    body: Option<Value>,
    output: Output,
) -> Result<(), Failure> {
    let request = PlanRequest {
        operation: operation.to_owned(),
        params: Some(
            params
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect::<Map<_, _>>(),
        ),
        body,
    };
    let plan = client.plan_create(&request).await?.into_inner();
    match output {
        Output::Json => print_json_of(&plan),
        Output::Text => print_text(&plan),
    }
    match &plan.error {
        Some(error) => Err(Failure::of_envelope(plan.status, error)),
        None => Ok(()),
    }
}

fn print_text(plan: &PlanResponse) {
    let verdict = if plan.would_succeed {
        "would succeed"
    } else {
        "would fail"
    };
    println!(
        "dry run of {}: {verdict} (HTTP {}); nothing was changed",
        plan.operation, plan.status
    );
    for zone in &plan.changes {
        let generation = zone
            .generation
            .map_or_else(|| "new".to_owned(), |g| format!("generation {g}"));
        let status = |s: &Option<scaidns_client::types::ZoneStatusDto>| {
            s.as_ref().map_or_else(|| "-".to_owned(), |s| s.to_string())
        };
        println!(
            "{} ({generation}): {} -> {}",
            zone.domain_name,
            status(&zone.status_before),
            status(&zone.status_after)
        );
        if zone.dnssec_before != zone.dnssec_after {
            println!(
                "  DNSSEC: {} -> {}",
                signed(zone.dnssec_before),
                signed(zone.dnssec_after)
            );
        }
        for set in &zone.rrsets {
            let sign = match (&set.before, &set.after) {
                (None, _) => '+',
                (_, None) => '-',
                _ => '~',
            };
            println!(
                "  {sign} {} {}: {} -> {}",
                set.name,
                set.type_,
                contents(set.before.as_ref()),
                contents(set.after.as_ref())
            );
        }
    }
    if !plan.audit.is_empty() {
        let actions: Vec<&str> = plan.audit.iter().map(|a| a.action.as_str()).collect();
        println!("audit: {}", actions.join(", "));
    }
    for v in &plan.validations {
        println!(
            "validation: {} {} \"{}\"",
            v.dns_record.name, v.dns_record.type_, v.dns_record.value
        );
    }
}

fn signed(flag: Option<bool>) -> &'static str {
    match flag {
        Some(true) => "signed",
        Some(false) => "unsigned",
        None => "-",
    }
}

fn contents(set: Option<&PlanRrSetData>) -> String {
    match set {
        None => "(none)".to_owned(),
        Some(set) => {
            let records: Vec<String> = set
                .records
                .iter()
                .map(|r| {
                    if r.disabled {
                        format!("{} (disabled)", r.content)
                    } else {
                        r.content.clone()
                    }
                })
                .collect();
            format!("{} [ttl {}]", records.join(", "), set.ttl)
        }
    }
}
