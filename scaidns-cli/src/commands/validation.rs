//! `scaidns validation start|show|check`: the challenge of a pending zone (a TXT record, or a
//! delegation to the platform nameservers), and checking it, once or repeatedly (`--wait`)
//! while the change propagates.

use std::time::{Duration, Instant};

use scaidns_client::Client;
use scaidns_client::types::{
    ValidationCheckResponse, ValidationCreateRequest, ValidationResponse, ValidationTypeDto,
};

use crate::cli::{Output, ValidationCommand};
use crate::commands::zone_ref::{Deleted, Purpose, zone};
use crate::output::{Failure, INVALID, USAGE, print_json, print_json_of, when};

/// Runs one `validation` subcommand.
pub async fn run(client: &Client, cmd: &ValidationCommand, output: Output) -> Result<(), Failure> {
    match cmd {
        ValidationCommand::Start {
            zone: arg,
            validation_type,
        } => {
            let validation_type = validation_type.as_deref().map(parse_type).transpose()?;
            let z = zone(client, arg, Deleted::Exclude, Purpose::Write).await?;
            let v = client
                .validation_create(&z.id, &ValidationCreateRequest { validation_type })
                .await?
                .into_inner();
            match output {
                Output::Json => print_json_of(&v),
                Output::Text => print_instructions(&z.name, &v),
            }
            Ok(())
        }
        ValidationCommand::Cancel { zone: arg } => {
            let z = zone(client, arg, Deleted::Exclude, Purpose::Write).await?;
            client.validation_cancel(&z.id).await?;
            match output {
                Output::Json => print_json(&serde_json::json!({ "cancelled": z.id })),
                Output::Text => println!("cancelled the open challenge of {}", z.name),
            }
            Ok(())
        }
        ValidationCommand::Show { zone: arg } => {
            let z = zone(client, arg, Deleted::Exclude, Purpose::Read).await?;
            let v = client.validation_get(&z.id).await?.into_inner();
            match output {
                Output::Json => print_json_of(&v),
                Output::Text => {
                    println!("zone {} is {}", z.name, z.status);
                    println!("challenge {} is {}", v.id, v.status);
                    if let Some(msg) = &v.last_message {
                        println!("last check: {msg}");
                    }
                    println!();
                    print_instructions(&z.name, &v);
                }
            }
            Ok(())
        }
        ValidationCommand::Check {
            zone: arg,
            wait,
            interval,
        } => {
            let z = zone(client, arg, Deleted::Exclude, Purpose::Write).await?;
            let deadline = wait.map(|s| Instant::now() + Duration::from_secs(s));
            let pause = Duration::from_secs((*interval).max(1));
            let mut attempt = 1;
            let result = loop {
                let r = client.validation_check(&z.id).await?.into_inner();
                let out_of_time = deadline.is_none_or(|d| Instant::now() + pause > d);
                if r.is_valid || out_of_time {
                    break r;
                }
                if output == Output::Text {
                    eprintln!(
                        "attempt {attempt}: {} — checking again in {}s",
                        r.message,
                        pause.as_secs()
                    );
                }
                attempt += 1;
                tokio::time::sleep(pause).await;
            };
            report(&z.name, &result, output);
            if result.is_valid {
                Ok(())
            } else {
                // Scripts need to tell "not yet" from success: conflict/invalid is the closest.
                Err(Failure::new(
                    INVALID,
                    format!("{} is not validated yet", z.name),
                ))
            }
        }
    }
}

fn report(name: &str, r: &ValidationCheckResponse, output: Output) {
    match output {
        Output::Json => print_json_of(&r),
        Output::Text if r.is_valid => {
            println!(
                "{name} is validated: {} (zone {})",
                r.message, r.domain_status
            );
        }
        Output::Text => println!("{name}: {}", r.message),
    }
}

fn parse_type(raw: &str) -> Result<ValidationTypeDto, Failure> {
    raw.parse().map_err(|_| {
        Failure::new(
            USAGE,
            format!("--type: '{raw}' is not one of txt_record, nameservers"),
        )
    })
}

/// Tells the user what to publish (or delegate), and what to run next.
pub fn print_instructions(zone: &str, v: &ValidationResponse) {
    if v.validation_type == ValidationTypeDto::Nameservers {
        println!(
            "Prove ownership: at the parent zone, delegate {zone} to every one of these nameservers"
        );
        for ns in &v.delegate_to {
            println!("  {zone}.  IN  NS  {ns}");
        }
    } else {
        let r = &v.dns_record;
        println!("Prove ownership: publish this record at the zone's current DNS provider");
        println!("  {}.  {}  IN  {}  \"{}\"", r.name, r.ttl, r.type_, r.value);
    }
    println!("then run: scaidns validation check {zone} --wait 600");
    println!("(the challenge expires {})", when(&v.expires_at));
}
