//! `scaidns api-keys list|show|create|regenerate|revoke|activate|delete`.

use scaidns_client::Client;
use scaidns_client::types::{ApiKeyCreateRequest, ApiKeyResponse, ApiKeySecretResponse};
use serde_json::json;

use crate::cli::{ApiKeysCommand, Output};
use crate::output::{Failure, confirm, print_json, print_json_of, print_table};

/// Runs one `api-keys` subcommand; `active_key` is the key this command authenticates with
/// (to warn when a command disables it).
pub async fn run(
    client: &Client,
    active_key: &str,
    cmd: &ApiKeysCommand,
    output: Output,
) -> Result<(), Failure> {
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
            let own = is_active_key(client, key_id, active_key).await?;
            let key = client.api_key_regenerate(key_id).await?.into_inner();
            warn_if_own(own, "its old secret no longer works");
            print_secret(&key, "regenerated", output);
            Ok(())
        }
        ApiKeysCommand::Revoke { key_id } => {
            let own = is_active_key(client, key_id, active_key).await?;
            let key = client.api_key_revoke(key_id).await?.into_inner();
            warn_if_own(own, "it is revoked");
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
        ApiKeysCommand::Delete { key_id, yes } => {
            let own = is_active_key(client, key_id, active_key).await?;
            let also = if own {
                " (the key this command is using)"
            } else {
                ""
            };
            confirm(&format!("API key {key_id}{also} is deleted for good"), *yes)?;
            client.api_key_delete(key_id).await?;
            warn_if_own(own, "it is deleted");
            match output {
                Output::Json => print_json(&json!({ "deleted": key_id })),
                Output::Text => println!("deleted API key {key_id}"),
            }
            Ok(())
        }
    }
}

/// Whether `key_id` is the key this command authenticates with: the key's stored prefix
/// starts the secret in use (the API shows no id for the calling key).
async fn is_active_key(client: &Client, key_id: &str, active_key: &str) -> Result<bool, Failure> {
    let key = client.api_key_get(key_id).await?.into_inner();
    Ok(!key.key_prefix.is_empty() && active_key.starts_with(&key.key_prefix))
}

/// After disabling the key in use: the profile (or SCAIDNS_API_KEY) holding it is now stale.
fn warn_if_own(own: bool, what: &str) {
    if own {
        eprintln!(
            "warning: this was the API key this command used; {what}: run `scaidns login` \
             again with a working key (or update --api-key/SCAIDNS_API_KEY)"
        );
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
    let when = |t: Option<chrono::DateTime<chrono::Utc>>, none: &str| {
        t.map_or_else(
            || none.to_owned(),
            |t| t.format("%Y-%m-%d %H:%M").to_string(),
        )
    };
    let rows: Vec<Vec<String>> = keys
        .iter()
        .map(|k| {
            vec![
                k.id.clone(),
                k.name.clone(),
                k.key_prefix.clone(),
                k.status.clone(),
                when(k.last_used_at, "never"),
                when(k.expires_at, "-"),
            ]
        })
        .collect();
    print_table(
        &["ID", "NAME", "PREFIX", "STATUS", "LAST USED", "EXPIRES"],
        &rows,
    );
}
