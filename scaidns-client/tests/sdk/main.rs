//! The SDK's hand-written layer against a scripted local HTTP server: retries, the typed
//! error, pagination streams and the builder's headers. Every test counts the requests the
//! server saw; none depends on timing.

mod builder;
mod errors;
mod pagination;
mod retries;
mod safety;
mod server;

use std::time::Duration;

use scaidns_client::types::{
    DomainCreateRequest, DomainResponse, DomainTypeDto, RecordCreateRequest, RecordResponse,
    SyncStatusDto, ZoneStatusDto,
};
use scaidns_client::{Client, RetryPolicy};

/// A client with fast retries: `attempts` at most, backoff of at most a few milliseconds.
pub fn client(url: &str, attempts: u32) -> Client {
    Client::builder()
        .base_url(url)
        .api_key("sdk_test_key")
        .retry(
            RetryPolicy::new(attempts)
                .base_delay(Duration::from_millis(1))
                .max_delay(Duration::from_secs(2)),
        )
        .build()
        .expect("client")
}

pub fn zone(name: &str) -> DomainResponse {
    let now = chrono::Utc::now();
    DomainResponse {
        created_at: now,
        default_ttl: 3600,
        deleted_at: None,
        description: None,
        dnssec_enabled: false,
        domain_type: DomainTypeDto::Secondary,
        id: format!("id-{name}"),
        last_synced_at: None,
        name: name.to_owned(),
        next_retry_at: None,
        settings: serde_json::json!({}),
        status: ZoneStatusDto::Active,
        sync_error: None,
        sync_status: SyncStatusDto::Pending,
        tenant_id: "t1".into(),
        updated_at: now,
        validation: None,
        primaries: Vec::new(),
        transfer: None,
        tsig_algorithm: None,
        tsig_key_name: None,
        tsig_key_wire_name: None,
    }
}

/// A page of zones as the server sends it.
pub fn zone_page(names: &[String], page: u32, page_size: u32, total: u64) -> serde_json::Value {
    serde_json::json!({
        "data": names.iter().map(|n| zone(n)).collect::<Vec<_>>(),
        "page": page,
        "page_size": page_size,
        "total": total,
        "total_pages": total.div_ceil(u64::from(page_size)),
    })
}

pub fn empty_zone_page() -> serde_json::Value {
    zone_page(&[], 1, 100, 0)
}

/// A record as a write returns it: the record and its zone's sync state.
pub fn record_written(content: &str) -> serde_json::Value {
    let now = chrono::Utc::now();
    let mut written = serde_json::to_value(RecordResponse {
        content: content.to_owned(),
        created_at: now,
        disabled: false,
        display_name: "www".into(),
        domain_id: "z1".into(),
        id: "r1".into(),
        name: "www.shop.test.".into(),
        system: false,
        ttl: 3600,
        type_: "A".into(),
        updated_at: now,
    })
    .expect("a record serialises");
    written["sync_status"] = serde_json::json!("in_sync");
    written
}

pub fn new_record() -> RecordCreateRequest {
    RecordCreateRequest {
        ptr: None,
        name: "www".into(),
        type_: "A".into(),
        content: "192.0.2.10".into(),
        ttl: None,
        disabled: None,
    }
}

pub fn new_zone(name: &str) -> DomainCreateRequest {
    DomainCreateRequest {
        cidr: None,
        name: name.into(),
        domain_type: None,
        default_ttl: None,
        description: None,
        settings: None,
        skip_validation: None,
        template_id: None,
        template_variables: Default::default(),
        primaries: Vec::new(),
        tsig_algorithm: None,
        tsig_key_name: None,
        tsig_secret: None,
    }
}

pub fn zone_update() -> scaidns_client::types::DomainUpdateRequest {
    scaidns_client::types::DomainUpdateRequest {
        default_ttl: Some(600),
        description: None,
        settings: None,
    }
}

pub fn api_key_request() -> scaidns_client::types::ApiKeyCreateRequest {
    scaidns_client::types::ApiKeyCreateRequest {
        name: "deploy".into(),
        description: None,
        expires_at: None,
        ip_whitelist: Vec::new(),
        permission_source: None,
        permission_source_id: None,
        rate_limit: None,
        scopes: Vec::new(),
    }
}
