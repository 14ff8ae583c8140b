//! `scaidns grants list|show|create|update|delete`: a zone's access grants. ZONE is a name or
//! an id.

use scaidns_client::Client;
use scaidns_client::types::{
    AccessGrantCreateRequest, AccessGrantResponse, AccessGrantUpdateRequest, GrantTypeDto,
};
use serde_json::json;

use super::zone_ref::{Deleted, Purpose, zone_id};
use crate::cli::{GrantsCommand, Output, Who};
use crate::output::{Failure, or_dash, print_json, print_json_of, print_table, when};

/// Runs one `grants` subcommand.
pub async fn run(client: &Client, cmd: &GrantsCommand, output: Output) -> Result<(), Failure> {
    let grant = match cmd {
        GrantsCommand::List {
            zone,
            include_expired,
        } => {
            let zone = zone_id(client, zone, Deleted::Exclude, Purpose::Read).await?;
            let list = client
                .access_grant_list(&zone, Some(*include_expired))
                .await?
                .into_inner();
            match output {
                Output::Json => print_json_of(&list),
                Output::Text => print_grants(&list.data),
            }
            return Ok(());
        }
        GrantsCommand::Show { zone, grant } => {
            let zone = zone_id(client, zone, Deleted::Exclude, Purpose::Read).await?;
            client.access_grant_get(&zone, grant).await?.into_inner()
        }
        GrantsCommand::Create {
            zone,
            grantee,
            role,
            record_pattern,
            record_types,
            expires_at,
            notes,
        } => {
            let zone = zone_id(client, zone, Deleted::Exclude, Purpose::Write).await?;
            let (grant_type, grantee_id) = match grantee.who() {
                Who::User(user) => (GrantTypeDto::User, user.to_owned()),
                Who::Group(group) => (GrantTypeDto::Group, group.to_owned()),
            };
            let body = AccessGrantCreateRequest {
                grant_type,
                grantee_id,
                role: role.clone(),
                record_pattern: record_pattern.clone(),
                record_types: record_types.clone(),
                expires_at: *expires_at,
                notes: notes.clone(),
            };
            client.access_grant_create(&zone, &body).await?.into_inner()
        }
        GrantsCommand::Update {
            zone,
            grant,
            role,
            record_pattern,
            record_types,
            expires_at,
            notes,
        } => {
            let zone = zone_id(client, zone, Deleted::Exclude, Purpose::Write).await?;
            let body = AccessGrantUpdateRequest {
                role: role.clone(),
                record_pattern: record_pattern.clone(),
                record_types: record_types.clone(),
                expires_at: *expires_at,
                notes: notes.clone(),
            };
            client
                .access_grant_update(&zone, grant, &body)
                .await?
                .into_inner()
        }
        GrantsCommand::Delete { zone, grant } => {
            let zone = zone_id(client, zone, Deleted::Exclude, Purpose::Write).await?;
            client.access_grant_delete(&zone, grant).await?;
            match output {
                Output::Json => print_json(&json!({ "deleted": grant })),
                Output::Text => println!("deleted grant {grant}"),
            }
            return Ok(());
        }
    };
    match output {
        Output::Json => print_json_of(&grant),
        Output::Text => print_grants(std::slice::from_ref(&grant)),
    }
    Ok(())
}

fn print_grants(grants: &[AccessGrantResponse]) {
    let rows: Vec<Vec<String>> = grants
        .iter()
        .map(|g| {
            let types = if g.record_types.is_empty() {
                "-".to_owned()
            } else {
                g.record_types.join(",")
            };
            let expires = g.expires_at.as_ref().map_or_else(|| "-".to_owned(), when);
            vec![
                g.id.clone(),
                format!("{} {}", g.grant_type, g.grantee_id),
                g.role.clone(),
                or_dash(g.record_pattern.as_deref()),
                types,
                if g.is_expired {
                    format!("{expires} (expired)")
                } else {
                    expires
                },
            ]
        })
        .collect();
    print_table(
        &["ID", "GRANTEE", "ROLE", "RECORDS", "TYPES", "EXPIRES"],
        &rows,
    );
}
