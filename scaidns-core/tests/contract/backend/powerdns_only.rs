//! Backend behaviours only PowerDNS has (DNSSEC keys, its API's errors).

use std::time::Duration;

use scaidns_core::adapters::pdns::{PdnsConfig, PowerDnsBackend};
use scaidns_core::dnssec::{KeyRole, NewKey};
use scaidns_core::ports::backend::{BackendErrorKind, DnsBackend};
use scaidns_core::ports::dnssec_keys::DnssecKeyBackend;

use super::{spec, zone};
use crate::support::pdns::PdnsServer;

#[tokio::test]
async fn unreachable_api_is_unavailable() {
    // A port that was free a moment ago: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut config = PdnsConfig::new(format!("http://127.0.0.1:{port}"), "irrelevant");
    config.timeout = Duration::from_secs(2);
    let backend = PowerDnsBackend::new(config).unwrap();
    let z = zone("unreachable.example");
    assert_eq!(
        backend.health().await.unwrap_err().kind,
        BackendErrorKind::Unavailable
    );
    let err = backend.create_zone(&spec(&z)).await.unwrap_err();
    assert_eq!(err.kind, BackendErrorKind::Unavailable);
    assert!(err.is_transient());
    assert_eq!(
        backend.get_zone(&z).await.unwrap_err().kind,
        BackendErrorKind::Unavailable
    );
    assert_eq!(
        backend.list_zones().await.unwrap_err().kind,
        BackendErrorKind::Unavailable
    );
}

#[tokio::test]
async fn wrong_api_key_is_unavailable_and_not_leaked() {
    let server = PdnsServer::start().await;
    let mut config = server.config();
    config.api_key = "wrong-key-value".into();
    let backend = PowerDnsBackend::new(config).unwrap();
    let err = backend.health().await.unwrap_err();
    assert_eq!(err.kind, BackendErrorKind::Unavailable);
    assert!(!err.message.contains("wrong-key-value"));
    assert!(!format!("{backend:?}").contains("wrong-key-value"));
    assert!(!format!("{:?}", server.config()).contains(&server.api_key));
}

#[tokio::test]
async fn cryptokeys_add_list_toggle_remove() {
    let server = PdnsServer::start().await;
    let backend = server.backend();
    let z = zone("keys.example");
    backend.create_zone(&spec(&z)).await.unwrap();
    assert!(backend.list_keys(&z).await.unwrap().is_empty());

    let ksk = backend
        .add_key(
            &z,
            &NewKey {
                role: KeyRole::Ksk,
                algorithm: 13,
                bits: None,
                active: true,
                published: true,
            },
        )
        .await
        .unwrap();
    // PowerDNS reports a KSK as CSK while the zone has no ZSK of the same algorithm.
    assert!(matches!(ksk.role, KeyRole::Ksk | KeyRole::Csk), "{ksk:?}");
    assert_eq!(ksk.algorithm, 13);
    assert_eq!(ksk.bits, 256);
    assert!(ksk.active && ksk.published);
    assert!(ksk.dnskey.starts_with("257 3 13 "), "{}", ksk.dnskey);
    assert!(!ksk.ds.is_empty());
    for ds in &ksk.ds {
        let digest_type = ds.split_whitespace().nth(2).unwrap();
        assert!(digest_type == "2" || digest_type == "4", "{ds}");
    }

    let zsk = backend
        .add_key(
            &z,
            &NewKey {
                role: KeyRole::Zsk,
                algorithm: 13,
                bits: Some(256),
                active: false,
                published: true,
            },
        )
        .await
        .unwrap();
    assert_eq!(zsk.role, KeyRole::Zsk);
    assert!(!zsk.active);
    assert!(zsk.ds.is_empty());
    assert!(zsk.dnskey.starts_with("256 3 13 "), "{}", zsk.dnskey);

    let keys = backend.list_keys(&z).await.unwrap();
    assert_eq!(keys.len(), 2, "{keys:?}");
    assert_eq!(keys.iter().find(|k| k.id == zsk.id).unwrap(), &zsk);

    backend.set_key_state(&z, zsk.id, true, true).await.unwrap();
    let keys = backend.list_keys(&z).await.unwrap();
    let listed_ksk = keys.iter().find(|k| k.id == ksk.id).unwrap();
    assert_eq!(
        listed_ksk.role,
        KeyRole::Ksk,
        "beside an active ZSK the SEP key is a KSK"
    );
    assert_eq!(listed_ksk.dnskey, ksk.dnskey);
    assert_eq!(listed_ksk.ds, ksk.ds);

    backend
        .set_key_state(&z, ksk.id, false, false)
        .await
        .unwrap();
    let keys = backend.list_keys(&z).await.unwrap();
    let zsk_now = keys.iter().find(|k| k.id == zsk.id).unwrap();
    let ksk_now = keys.iter().find(|k| k.id == ksk.id).unwrap();
    assert!(zsk_now.active && zsk_now.published);
    assert!(!ksk_now.active && !ksk_now.published);

    backend.remove_key(&z, ksk.id).await.unwrap();
    let keys = backend.list_keys(&z).await.unwrap();
    assert_eq!(keys.iter().map(|k| k.id).collect::<Vec<_>>(), vec![zsk.id]);
    assert_eq!(
        backend.remove_key(&z, ksk.id).await.unwrap_err().kind,
        BackendErrorKind::NotFound
    );
    assert_eq!(
        backend
            .set_key_state(&z, 9999, true, true)
            .await
            .unwrap_err()
            .kind,
        BackendErrorKind::NotFound
    );

    // NOTIFY on a Native zone is accepted or quietly skipped.
    backend.notify(&z).await.unwrap();
}
