//! A zone provisioned through the typed client: create it (or find it), add a few records,
//! and read them back. The same calls work against any ScaiDNS server, embedded or PowerDNS.

use scaidns_client::Client;
use scaidns_client::types::{DomainCreateRequest, ErrorBody, RecordCreateRequest, RecordResponse};

/// Errors of the client.
pub type ClientError = scaidns_client::GeneratedError<ErrorBody>;

/// What [`provision`] did.
#[derive(Debug)]
pub struct Provisioned {
    /// The zone's id.
    pub zone_id: String,
    /// Its status (`active`, or `pending_validation` for callers who must validate first).
    pub status: String,
    /// The zone's records after provisioning.
    pub records: Vec<RecordResponse>,
}

/// Creates `zone` with a web server, a mail exchanger and an SPF policy.
///
/// # Errors
/// The server's error envelope, e.g. 409 `domain_exists` when the zone is already there.
pub async fn provision(client: &Client, zone: &str) -> Result<Provisioned, ClientError> {
    let created = client
        .zone_create(&DomainCreateRequest {
            cidr: None,
            name: zone.to_owned(),
            domain_type: None,
            default_ttl: Some(3600),
            description: Some("provisioned by the scaidns-examples crate".into()),
            settings: None,
            skip_validation: None,
            template_id: None,
            template_variables: Default::default(),
            primaries: Vec::new(),
            tsig_algorithm: None,
            tsig_key_name: None,
            tsig_secret: None,
        })
        .await?
        .into_inner();
    for (name, rtype, content) in [
        ("www", "A", "192.0.2.10"),
        ("@", "MX", "10 mail"),
        ("@", "TXT", "v=spf1 mx -all"),
    ] {
        // Host names in content are absolute: spell out the zone.
        let content = if rtype == "MX" {
            format!("{content}.{zone}")
        } else {
            content.to_owned()
        };
        client
            .record_create(
                &created.id,
                &RecordCreateRequest {
                    ptr: None,
                    name: name.into(),
                    type_: rtype.into(),
                    content,
                    ttl: None,
                    disabled: None,
                },
            )
            .await?;
    }
    let records = client
        .record_list(&created.id, None, None, None, None, None, None)
        .await?
        .into_inner()
        .data;
    Ok(Provisioned {
        zone_id: created.id,
        status: created.status.to_string(),
        records,
    })
}
