//! `scaidns api-keys list|show|create|regenerate|revoke|activate|delete`.

use scaidns_client::Client;
use scaidns_client::types::{ApiKeyCreateRequest, ApiKeyResponse, ApiKeySecretResponse};
use serde_json::json;

use crate::cli::{ApiKeysCommand, Output};
use crate::output::{Failure, print_json, print_json_of, print_table};

/// Runs one `api-keys` subcommand.
pub async fn run(client: &Client, cmd: &ApiKeysCommand, output: Output) -> Result<(), Failure> {
    match cmd {
        ApiKeysCommand::List {
            include_revoked,
            all,
        } => list(client, *include_revoked, *all, output).await,
        ApiKeysCommand::Create {
            name,
            description,
            user,
            scopes,
            ip_whitelist,
            rate_limit,
            expires_at,
        } => {
            let body = ApiKeyCreateRequest {
                name: name.clone(),
                description: description.clone(),
                permission_source: None,
                permission_source_id: user.clone(),
                scopes: scopes.clone(),
                rate_limit: *rate_limit,
                ip_whitelist: ip_whitelist.clone(),
                expires_at: *expires_at,
            };
            let created = client.api_key_create(&body).await?.into_inner();
            print_secret(&created, "created", output);
            Ok(())
        }
        ApiKeysCommand::Regenerate { key_id } => {
            let key = client.api_key_regenerate(key_id).await?.into_inner();
            print_secret(&key, "regenerated", output);
            Ok(())
        }
        ApiKeysCommand::Revoke { key_id } => {
            let key = client.api_key_revoke(key_id).await?.into_inner();
            print_key(&key, "revoked", output);
            Ok(())
        }
        ApiKeysCommand::Activate { key_id } => {
            let key = client.api_key_activate(key_id).await?.into_inner();
            print_key(&key, "activated", output);
            Ok(())
        }
        ApiKeysCommand::Show { key_id } => {
            let key = client.api_key_get(key_id).await?.into_inner();
            match output {
                Output::Json => print_json_of(&key),
                Output::Text => print_keys(std::slice::from_ref(&key)),
            }
            Ok(())
        }
        ApiKeysCommand::Delete { key_id } => {
            client.api_key_delete(key_id).await?;
            match output {
                Output::Json => print_json(&json!({ "deleted": key_id })),
                Output::Text => println!("deleted API key {key_id}"),
            }
            Ok(())
        }
    }
}

/// A new secret is shown once, on standard output, and nowhere else.
fn print_secret(key: &ApiKeySecretResponse, what: &str, output: Output) {
    match output {
        Output::Json => print_json_of(key),
        Output::Text => {
            println!("{what} API key {} ({})", key.name, key.id);
            println!("secret (shown once, store it now):\n{}", key.key);
        }
    }
}

fn print_key(key: &ApiKeyResponse, what: &str, output: Output) {
    match output {
        Output::Json => print_json_of(key),
        Output::Text => println!("{what} API key {} ({})", key.name, key.id),
    }
}

async fn list(
    client: &Client,
    include_revoked: bool,
    all: bool,
    output: Output,
) -> Result<(), Failure> {
    let keys: Vec<ApiKeyResponse> = if all {
        scaidns_client::collect_pages(100, |page, size| async move {
            let r = client
                .api_key_list(Some(include_revoked), Some(page), Some(size), None)
                .await?
                .into_inner();
            Ok::<_, Failure>((r.data, r.total))
        })
        .await?
    } else {
        client
            .api_key_list(Some(include_revoked), None, None, None)
            .await?
            .into_inner()
            .data
    };
    match output {
        Output::Json => print_json(&json!({ "data": keys })),
        Output::Text => print_keys(&keys),
    }
    Ok(())
}

fn print_keys(keys: &[ApiKeyResponse]) {
    {
        {
            let rows: Vec<Vec<String>> = keys
                .iter()
                .map(|k| {
                    vec![
                        k.id.clone(),
                        k.name.clone(),
                        k.key_prefix.clone(),
                        k.status.clone(),
                        k.last_used_at.map_or_else(
                            || "never".to_owned(),
                            |t| t.format("%Y-%m-%d %H:%M").to_string(),
                        ),
                        k.expires_at.map_or_else(
                            || "-".to_owned(),
                            |t| t.format("%Y-%m-%d %H:%M").to_string(),
                        ),
                    ]
                })
                .collect();
            print_table(
                &["ID", "NAME", "PREFIX", "STATUS", "LAST USED", "EXPIRES"],
                &rows,
            );
        }
    }
}
