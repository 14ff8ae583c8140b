//! `scaidns health [--strict|--live]`: the readiness (or liveness) probe, for operators and
//! scripts: exit 0 when the server answers 200, 6 when it answers 503.

use scaidns_client::Client;
use scaidns_client::types::HealthReport;

use crate::cli::Output;
use crate::output::{Failure, UNAVAILABLE, print_json_of, print_table};

/// Runs the probe with a client that sends no key.
pub async fn run(client: &Client, strict: bool, live: bool, output: Output) -> Result<(), Failure> {
    if live {
        let answer = client
            .health_live()
            .await
            .map_err(Failure::without_envelope)?
            .into_inner();
        match output {
            Output::Json => print_json_of(&answer),
            Output::Text => println!("live: {}", answer.status),
        }
        return Ok(());
    }
    let (report, ready) = match client.health_ready(Some(strict)).await {
        Ok(answer) => (answer.into_inner(), true),
        Err(scaidns_client::GeneratedError::ErrorResponse(resp)) => (resp.into_inner(), false),
        Err(e) => return Err(Failure::without_envelope(e)),
    };
    print_report(&report, output);
    if ready {
        Ok(())
    } else {
        Err(Failure::new(
            UNAVAILABLE,
            format!("the server is not ready ({})", report.status),
        ))
    }
}

fn print_report(report: &HealthReport, output: Output) {
    match output {
        Output::Json => print_json_of(report),
        Output::Text => {
            println!("status: {}", report.status);
            let rows: Vec<Vec<String>> = report
                .checks
                .iter()
                .map(|(name, state)| vec![name.clone(), state.clone()])
                .collect();
            print_table(&["CHECK", "STATE"], &rows);
        }
    }
}
