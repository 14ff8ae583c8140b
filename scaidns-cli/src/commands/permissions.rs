//! `scaidns permissions check PERMISSION [--zone Z [--name N --type T]]`: whether the key holds
//! a permission (`POST /me/permissions/check`). The answer is the exit code too (0 allowed, 4
//! not), so a script can ask before it writes.

use scaidns_client::Client;
use scaidns_client::types::PermissionCheckRequest;

use crate::cli::{Output, PermissionsCommand};
use crate::commands::zone_ref::{Deleted, Purpose, zone_id};
use crate::output::{Failure, NOT_ALLOWED, USAGE, print_json_of};

/// Runs one `permissions` subcommand.
pub async fn run(client: &Client, cmd: &PermissionsCommand, output: Output) -> Result<(), Failure> {
    let PermissionsCommand::Check {
        permission,
        zone,
        name,
        rtype,
    } = cmd;
    // An ambiguous zone name is refused (as for a write): the answer must be about the zone
    // the caller meant, not another tenant's of the same name.
    let domain_id = match zone {
        Some(zone) => Some(zone_id(client, zone, Deleted::Exclude, Purpose::Write).await?),
        None => None,
    };
    let request = PermissionCheckRequest {
        permission: permission.clone(),
        domain_id: domain_id
            .map(|id| id.parse())
            .transpose()
            .map_err(|_| Failure::new(USAGE, "the zone id is not a UUID"))?,
        record_name: name.clone(),
        record_type: rtype.clone(),
    };
    let answer = client.permission_check(&request).await?.into_inner();
    let place = match (zone, name, rtype) {
        (Some(zone), Some(name), Some(rtype)) => format!("on {name} {rtype} in {zone}"),
        (Some(zone), _, _) => format!("on {zone}"),
        _ => "in your tenant".to_owned(),
    };
    match output {
        Output::Json => print_json_of(&answer),
        Output::Text if answer.allowed => println!("allowed: {permission} {place}"),
        Output::Text => println!(
            "denied: {permission} {place}{}",
            answer
                .reason
                .as_deref()
                .map_or_else(String::new, |r| format!(" ({r})"))
        ),
    }
    if answer.allowed {
        Ok(())
    } else {
        Err(Failure::new(
            NOT_ALLOWED,
            format!("{permission} is not held {place}"),
        ))
    }
}
