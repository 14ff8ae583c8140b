//! Provisions a zone and its records through the SDK, safe to run again:
//!
//! ```text
//! SCAIDNS_URL=http://127.0.0.1:8000 SCAIDNS_API_KEY=sdk_live_… \
//!     cargo run -p scaidns-client --example provision -- shop.test
//! ```
//!
//! Reads are retried on 429, 503 and broken connections by the client's [`RetryPolicy`]; the
//! creates are sent once (the client never retries a `POST`), so running the example again is
//! the way to finish after a failure: a zone or record that already exists (409) counts as
//! done, and nothing is created twice.

use futures::TryStreamExt;
use scaidns_client::types::{DomainCreateRequest, RecordCreateRequest, RecordResponse};
use scaidns_client::{Client, Error, RetryPolicy};

/// The records every provisioned zone gets: name, type, content (`{zone}` is the zone's name).
const RECORDS: &[(&str, &str, &str)] = &[
    ("www", "A", "192.0.2.10"),
    ("@", "MX", "10 mail.{zone}."),
    ("@", "TXT", "v=spf1 mx -all"),
];

/// The zone's id and its records after provisioning.
pub struct Provisioned {
    /// The zone's id.
    pub zone_id: String,
    /// Every record of the zone, the SOA and NS included.
    pub records: Vec<RecordResponse>,
}

/// A client for `base_url` with `api_key`, retrying up to four times.
pub fn client(base_url: &str, api_key: &str) -> Result<Client, scaidns_client::BuildError> {
    Client::builder()
        .base_url(base_url)
        .api_key(api_key)
        .user_agent(concat!(
            "scaidns-provision-example/",
            env!("CARGO_PKG_VERSION")
        ))
        .retry(RetryPolicy::new(4))
        .build()
}

/// Creates `zone` and [`RECORDS`] unless they exist.
pub async fn provision(client: &Client, zone: &str) -> Result<Provisioned, Error> {
    let created = client
        .zone_create(&DomainCreateRequest {
            cidr: None,
            name: zone.to_owned(),
            domain_type: None,
            default_ttl: Some(3600),
            description: Some("provisioned by scaidns-client/examples/provision.rs".into()),
            settings: None,
            skip_validation: None,
            template_id: None,
            template_variables: Default::default(),
            primaries: Vec::new(),
            tsig_algorithm: None,
            tsig_key_name: None,
            tsig_secret: None,
        })
        .await
        .map_err(Error::from);
    let zone_id = match created {
        Ok(created) => created.into_inner().id,
        Err(e) if e.is_conflict() => existing_zone_id(client, zone).await?.ok_or(e)?,
        Err(e) => return Err(e),
    };
    for (name, rtype, content) in RECORDS {
        let content = content.replace("{zone}", zone);
        let written = client
            .record_create(
                &zone_id,
                &RecordCreateRequest {
                    ptr: None,
                    name: (*name).to_owned(),
                    type_: (*rtype).to_owned(),
                    content,
                    ttl: None,
                    disabled: None,
                },
            )
            .await
            .map_err(Error::from);
        match written {
            Ok(_) => {}
            Err(e) if e.is_conflict() => {}
            Err(e) => return Err(e),
        }
    }
    let records = client
        .record_list(&zone_id, Some(true), None, None, Some(1000), None, None)
        .await?
        .into_inner()
        .data;
    Ok(Provisioned { zone_id, records })
}

/// The id of the zone named `zone`, read from the paginated zone list.
async fn existing_zone_id(client: &Client, zone: &str) -> Result<Option<String>, Error> {
    let wanted = zone.trim_end_matches('.');
    let found = client
        .zones_stream()
        .try_filter(|z| std::future::ready(z.name.trim_end_matches('.') == wanted))
        .try_next()
        .await?;
    Ok(found.map(|z| z.id))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let zone = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "shop.test".into());
    let url = std::env::var("SCAIDNS_URL").unwrap_or_else(|_| "http://127.0.0.1:8000".into());
    let key = std::env::var("SCAIDNS_API_KEY").map_err(|_| "set SCAIDNS_API_KEY")?;
    let client = client(&url, &key)?;
    let done = provision(&client, &zone).await?;
    println!("zone {zone} ({})", done.zone_id);
    for r in done.records {
        println!(
            "  {:<6} {:<5} {:>6}  {}",
            r.display_name, r.type_, r.ttl, r.content
        );
    }
    Ok(())
}
