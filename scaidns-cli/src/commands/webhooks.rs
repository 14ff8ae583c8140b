//! `scaidns webhooks list|create|show|update|delete|test|deliveries|redeliver`: outbound change
//! webhooks (docs/webhooks.md). `create` prints the signing secret, which no other command can
//! show again.

use scaidns_client::Client;
use serde_json::{Value, json};

use crate::cli::{Output, WebhooksCommand};
use crate::output::{Failure, INVALID, confirm, print_json, print_table};

/// Runs one `webhooks` subcommand.
pub async fn run(client: &Client, cmd: &WebhooksCommand, output: Output) -> Result<(), Failure> {
    let value = match cmd {
        WebhooksCommand::List => {
            let all = pages(|page| async move {
                value(
                    client
                        .webhook_subscription_list(Some(page), Some(100))
                        .await?
                        .into_inner(),
                )
            })
            .await?;
            if output == Output::Text {
                print_subscriptions(&all);
                return Ok(());
            }
            Value::Array(all)
        }
        WebhooksCommand::Create {
            url,
            events,
            description,
            inactive,
        } => {
            let body = body(json!({"url": url, "events": events,
                "description": description, "active": !inactive}))?;
            let created = value(
                client
                    .webhook_subscription_create(&body)
                    .await?
                    .into_inner(),
            )?;
            if output == Output::Text {
                println!("created webhook subscription {}", text(&created["id"]));
                println!("secret (shown once, keep it): {}", text(&created["secret"]));
                return Ok(());
            }
            created
        }
        WebhooksCommand::Show { id } => {
            let s = value(client.webhook_subscription_get(id).await?.into_inner())?;
            if output == Output::Text {
                print_subscriptions(std::slice::from_ref(&s));
                return Ok(());
            }
            s
        }
        WebhooksCommand::Update {
            id,
            url,
            events,
            description,
            active,
        } => {
            let mut patch = serde_json::Map::new();
            if let Some(url) = url {
                patch.insert("url".into(), json!(url));
            }
            if !events.is_empty() {
                patch.insert("events".into(), json!(events));
            }
            if let Some(description) = description {
                patch.insert("description".into(), json!(description));
            }
            if let Some(active) = active {
                patch.insert("active".into(), json!(active));
            }
            let body = body(Value::Object(patch))?;
            let s = value(
                client
                    .webhook_subscription_update(id, &body)
                    .await?
                    .into_inner(),
            )?;
            if output == Output::Text {
                print_subscriptions(std::slice::from_ref(&s));
                return Ok(());
            }
            s
        }
        WebhooksCommand::Delete { id, yes } => {
            confirm(
                &format!("webhook subscription {id} and its delivery log are deleted"),
                *yes,
            )?;
            client.webhook_subscription_delete(id).await?;
            if output == Output::Text {
                println!("deleted webhook subscription {id}");
                return Ok(());
            }
            json!({"deleted": id})
        }
        WebhooksCommand::Test { id } => {
            let d = value(client.webhook_subscription_test(id).await?.into_inner())?;
            if output == Output::Text {
                println!("queued test delivery {}", text(&d["id"]));
                return Ok(());
            }
            d
        }
        WebhooksCommand::Deliveries { id } => {
            let all = pages(|page| async move {
                value(
                    client
                        .webhook_delivery_list(id, Some(page), Some(100))
                        .await?
                        .into_inner(),
                )
            })
            .await?;
            if output == Output::Text {
                print_deliveries(&all);
                return Ok(());
            }
            Value::Array(all)
        }
        WebhooksCommand::Redeliver { id, delivery } => {
            let d = value(
                client
                    .webhook_delivery_redeliver(id, delivery)
                    .await?
                    .into_inner(),
            )?;
            if output == Output::Text {
                println!("queued delivery {} again", text(&d["id"]));
                return Ok(());
            }
            d
        }
    };
    print_json(&value);
    Ok(())
}

/// Every item of a paged list, 100 at a time.
async fn pages<F, Fut>(mut fetch: F) -> Result<Vec<Value>, Failure>
where
    F: FnMut(u32) -> Fut,
    Fut: std::future::Future<Output = Result<Value, Failure>>,
{
    let mut all = Vec::new();
    for page in 1.. {
        let body = fetch(page).await?;
        let data = body["data"].as_array().cloned().unwrap_or_default();
        let done = data.len() < 100;
        all.extend(data);
        if done {
            break;
        }
    }
    Ok(all)
}

fn print_subscriptions(all: &[Value]) {
    let rows: Vec<Vec<String>> = all
        .iter()
        .map(|s| {
            let events: Vec<String> = s["events"]
                .as_array()
                .into_iter()
                .flatten()
                .map(text)
                .collect();
            vec![
                text(&s["id"]),
                text(&s["url"]),
                events.join(","),
                text(&s["active"]),
                text(&s["status"]),
            ]
        })
        .collect();
    print_table(&["ID", "URL", "EVENTS", "ACTIVE", "STATUS"], &rows);
}

fn print_deliveries(all: &[Value]) {
    let rows: Vec<Vec<String>> = all
        .iter()
        .map(|d| {
            vec![
                text(&d["id"]),
                text(&d["event"]),
                text(&d["status"]),
                text(&d["attempts"]),
                text(&d["response_code"]),
                text(&d["next_attempt_at"]),
                text(&d["last_error"]),
            ]
        })
        .collect();
    print_table(
        &[
            "ID",
            "EVENT",
            "STATUS",
            "ATTEMPTS",
            "CODE",
            "NEXT ATTEMPT",
            "LAST ERROR",
        ],
        &rows,
    );
}

fn value(v: impl serde::Serialize) -> Result<Value, Failure> {
    serde_json::to_value(v).map_err(|e| Failure::new(INVALID, e.to_string()))
}

fn body<T: serde::de::DeserializeOwned>(v: Value) -> Result<T, Failure> {
    serde_json::from_value(v).map_err(|e| Failure::new(INVALID, e.to_string()))
}

fn text(v: &Value) -> String {
    match v {
        Value::Null => "-".to_owned(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
