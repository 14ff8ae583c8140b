//! The ScaiKey webhook (`POST /api/v1/webhooks/scaikey`) as the server runs it: signature
//! verification over the raw body, then the envelope and event parsing and the identity-cache
//! update, against a real SQLite store.
//!
//! Input: one flag byte, then `header\nbody`. With the flag's low bit set the body is signed
//! correctly (the fuzzer cannot forge an HMAC, so this is how it reaches the parser); otherwise
//! the fuzzed header is used as sent. Invariants: an unsigned or wrongly signed delivery is
//! refused with 401 `invalid_webhook_signature`; a signed one always gets an outcome, never an
//! error (the provider would retry it forever) and never a panic.
#![no_main]

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};

use async_trait::async_trait;
use chrono::{DateTime, TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use scaidns_core::ErrorKind;
use scaidns_core::adapters::embedded::EmbeddedBackend;
use scaidns_core::adapters::sql::SqlStore;
use scaidns_core::identity::webhook::{self, SignatureHeader};
use scaidns_core::ports::{
    DelegationAnswer, LookupAnswer, ManualClock, ResolveError, Resolver, Store,
};
use scaidns_core::record::RecordType;
use scaidns_core::service::identity_sync::{WebhookDelivery, WebhookStatus};
use scaidns_core::service::{ScaiDns, ServiceConfig};

const SECRET: &str = "whsec_fuzz";

/// Webhooks never resolve names; the port needs an implementation all the same.
#[derive(Debug)]
struct NoResolver;

#[async_trait]
impl Resolver for NoResolver {
    async fn lookup(
        &self,
        _servers: &[SocketAddr],
        _name: &str,
        _rtype: RecordType,
    ) -> Result<LookupAnswer, ResolveError> {
        Err(ResolveError("no resolver in the fuzz target".to_owned()))
    }

    async fn lookup_until(
        &self,
        servers: &[SocketAddr],
        name: &str,
        rtype: RecordType,
        _deadline: std::time::Instant,
    ) -> Result<LookupAnswer, ResolveError> {
        self.lookup(servers, name, rtype).await
    }

    async fn delegation_until(
        &self,
        servers: &[SocketAddr],
        zone: &str,
        _deadline: std::time::Instant,
    ) -> Result<DelegationAnswer, ResolveError> {
        let _ = (servers, zone);
        Err(ResolveError("no resolver in the fuzz target".to_owned()))
    }
}

struct Harness {
    runtime: tokio::runtime::Runtime,
    service: ScaiDns,
    now: DateTime<Utc>,
}

fn harness() -> &'static Harness {
    static HARNESS: OnceLock<Harness> = OnceLock::new();
    HARNESS.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("runtime: {e}"));
        let now = Utc
            .timestamp_opt(1_700_000_000, 0)
            .single()
            .unwrap_or_else(|| panic!("fixed time"));
        let service = runtime.block_on(async {
            let store = SqlStore::connect("sqlite::memory:")
                .await
                .unwrap_or_else(|e| panic!("store: {e}"));
            store
                .migrate()
                .await
                .unwrap_or_else(|e| panic!("migrate: {e}"));
            ScaiDns::new(
                Arc::new(store),
                Arc::new(EmbeddedBackend::new()),
                Arc::new(NoResolver),
                Arc::new(ManualClock::new(now)),
                ServiceConfig::default(),
            )
        });
        Harness {
            runtime,
            service,
            now,
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let (header, body) = match rest.iter().position(|&b| b == b'\n') {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, &[][..]),
    };
    let Ok(header) = std::str::from_utf8(header) else {
        return;
    };
    let h = harness();
    let signed = flags & 1 == 1;
    let header = if signed {
        let t = h.now.timestamp();
        format!("t={t},v1={}", webhook::sign(SECRET.as_bytes(), t, body))
    } else {
        // The header parser on its own, with whatever came in.
        if let Ok(parsed) = SignatureHeader::parse(header) {
            assert!(!parsed.signatures.is_empty());
        }
        header.to_owned()
    };
    let delivery = WebhookDelivery {
        signature: Some(&header),
        event_id_header: (flags & 2 == 2).then_some("evt_from_header"),
        body,
        request_id: None,
    };
    let result = h
        .runtime
        .block_on(h.service.webhook_scaikey(Some(SECRET), delivery));
    match (signed, result) {
        (true, Ok(outcome)) => {
            // Applied events are recorded by id, so a redelivery is recognised.
            if outcome.status == WebhookStatus::Processed {
                assert!(outcome.event_id.is_some(), "{outcome:?}");
            }
        }
        (true, Err(e)) => panic!("a signed delivery was answered with an error: {e:?}"),
        (false, Ok(outcome)) => panic!("an unsigned delivery was accepted: {outcome:?}"),
        (false, Err(e)) => {
            assert_eq!(e.kind(), ErrorKind::Unauthenticated, "{e:?}");
            assert_eq!(e.code(), "invalid_webhook_signature");
        }
    }
});
