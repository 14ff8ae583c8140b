//! The world the figures run in, made through the public API only (so the tool keeps working
//! whatever the server's insides look like): a tenant with its admin and API key, zones with
//! records in ScaiDNS, and a zone made directly in PowerDNS for the write yardstick.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};

use crate::http::{Api, Fail, text};

/// A tenant user allowed to create active zones, and its key.
pub struct Tenant {
    pub api: Api,
}

/// Creates tenant `slug` with one user holding `tenant_admin` and `validation_bypass` in it,
/// and an API key for that user.
pub async fn tenant(admin: &Api, slug: &str) -> Result<Tenant, Fail> {
    let tenant = admin
        .expect(
            Method::POST,
            "/api/v1/admin/tenants",
            Some(&json!({"name": format!("Bench {slug}"), "slug": slug})),
            201,
        )
        .await?;
    let tenant_id = text(&tenant.body, "id")?;
    let user = admin
        .expect(
            Method::POST,
            "/api/v1/admin/users",
            Some(&json!({"email": format!("bench@{slug}.test"), "tenant_id": tenant_id})),
            201,
        )
        .await?;
    let user_id = text(&user.body, "id")?;
    for role in ["tenant_admin", "validation_bypass"] {
        admin
            .expect(
                Method::POST,
                &format!("/api/v1/roles/users/{user_id}"),
                Some(&json!({"role_name": role, "scope": "tenant", "scope_id": tenant_id})),
                201,
            )
            .await?;
    }
    let key = admin
        .expect(
            Method::POST,
            "/api/v1/api-keys",
            Some(&json!({"name": "bench", "permission_source_id": user_id, "scopes": []})),
            201,
        )
        .await?;
    Ok(Tenant {
        api: admin.with_key(&text(&key.body, "key")?),
    })
}

/// Creates the active zone `name`; returns its id.
pub async fn zone(api: &Api, name: &str) -> Result<String, Fail> {
    let zone = api
        .expect(
            Method::POST,
            "/api/v1/domains",
            Some(&json!({"name": name, "skip_validation": true})),
            201,
        )
        .await?;
    text(&zone.body, "id")
}

/// The `i`th of the benchmark's records: a mix of the common types, as a record-create body.
pub fn record(i: usize) -> Value {
    match i % 5 {
        0 => {
            json!({"name": format!("a{i}"), "type": "A", "content": format!("192.0.2.{}", i % 250 + 1)})
        }
        1 => {
            json!({"name": format!("v6-{i}"), "type": "AAAA", "content": format!("2001:db8::{:x}", i + 1)})
        }
        2 => {
            json!({"name": format!("txt{i}"), "type": "TXT", "content": format!("\"bench record {i}\"")})
        }
        3 => {
            json!({"name": format!("mx{i}"), "type": "MX", "content": format!("10 mail{i}.example.net.")})
        }
        _ => {
            json!({"name": format!("alias{i}"), "type": "CNAME", "content": format!("target{i}.example.net.")})
        }
    }
}

/// Fills zone `zone_id` with `count` records, one at a time.
pub async fn fill(api: &Api, zone_id: &str, count: usize) -> Result<(), Fail> {
    for i in 0..count {
        api.expect(
            Method::POST,
            &format!("/api/v1/domains/{zone_id}/records"),
            Some(&record(i)),
            201,
        )
        .await?;
    }
    Ok(())
}

/// Creates zone `name` (absolute, with the trailing dot) directly in PowerDNS with the same
/// `count` records as [`record`] describes.
pub async fn pdns_zone(pdns: &Api, name: &str, count: usize) -> Result<(), Fail> {
    let rrsets: Vec<Value> = (0..count)
        .map(|i| {
            let r = record(i);
            let owner = format!("{}.{name}", r["name"].as_str().unwrap_or("x"));
            json!({
                "name": owner,
                "type": r["type"],
                "ttl": 3600,
                "changetype": "REPLACE",
                "records": [{"content": r["content"], "disabled": false}],
            })
        })
        .collect();
    pdns.expect(
        Method::POST,
        "/api/v1/servers/localhost/zones",
        Some(&json!({
            "name": name,
            "kind": "Native",
            "nameservers": ["ns1.scaidns.test.", "ns2.scaidns.test."],
            "rrsets": rrsets,
        })),
        201,
    )
    .await?;
    Ok(())
}

/// Creates `count` active zones `z{i}.{suffix}` with `concurrency` requests in flight, retrying
/// a refused create a few times (a create must not be lost to a transient conflict here: this
/// is setup, not a figure). Returns the time taken.
pub async fn many_zones(
    api: &Api,
    suffix: &str,
    count: usize,
    concurrency: usize,
) -> Result<Duration, Fail> {
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let api = api.clone();
        let next = next.clone();
        let suffix = suffix.to_owned();
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= count {
                    return Ok::<(), Fail>(());
                }
                let body = json!({"name": format!("z{i}.{suffix}"), "skip_validation": true});
                let mut attempt = 0;
                loop {
                    let answer = api
                        .call(Method::POST, "/api/v1/domains", Some(&body))
                        .await?;
                    if answer.status.as_u16() == 201 {
                        break;
                    }
                    attempt += 1;
                    if attempt >= 5 {
                        return Err(format!(
                            "creating zone z{i}.{suffix}: {} after {attempt} attempts: {}",
                            answer.status, answer.body
                        ));
                    }
                    tokio::time::sleep(Duration::from_millis(20 * attempt)).await;
                }
            }
        }));
    }
    for task in tasks {
        task.await.map_err(|e| format!("zone creator: {e}"))??;
    }
    Ok(start.elapsed())
}
