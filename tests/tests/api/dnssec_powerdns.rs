//! DNSSEC through the HTTP API against a real PowerDNS 4.7: enable hands out DS records that
//! match the DNSKEYs PowerDNS serves and signs with, never any private key material;
//! confirm-ds without a DS at the parent and disable while the parent publishes one are
//! refused as documented and change nothing; disable without force works once the parent holds
//! no DS; signed again and confirmed, a ZSK rollover pre-publishes a third key while the old
//! ZSK keeps signing; each change is audited, refusals are not.
//!
//! The parent zone lives in the same PowerDNS, which the service uses as its resolver, so
//! "the DS at the parent" is whatever the test publishes there through the API.

use scaidns_client::Client;
use scaidns_client::types::{
    DnssecConfirmRequest, DnssecEnableRequest, DnssecResponse, DnssecStatusDto, ZoneStatusDto,
};
use scaidns_tests::dns::{self, DnsReply, ResponseCode};
use scaidns_tests::pdns::PdnsServer;
use scaidns_tests::{TestApp, TestBackend, TestOptions, spawn_app_configured};
use serde_json::Value;
use sha2::{Digest, Sha256, Sha384};

use crate::domains::{record, zone};
use crate::util::error_of;

const CHILD: &str = "sign.parent.test";

/// RFC 4034 Appendix B key tag of DNSKEY RDATA.
fn key_tag(rdata: &[u8]) -> u16 {
    let mut ac: u32 = 0;
    for (i, b) in rdata.iter().enumerate() {
        ac += if i & 1 == 1 {
            u32::from(*b)
        } else {
            u32::from(*b) << 8
        };
    }
    ac += (ac >> 16) & 0xffff;
    (ac & 0xffff) as u16
}

/// Owner name in canonical wire form (lowercase labels).
fn name_wire(name: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for label in name.trim_end_matches('.').split('.') {
        out.push(u8::try_from(label.len()).unwrap());
        out.extend(label.to_ascii_lowercase().bytes());
    }
    out.push(0);
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// (key tag, flags, RDATA) of every DNSKEY in the reply, sorted by tag.
fn served_dnskeys(reply: &DnsReply) -> Vec<(u16, u16, Vec<u8>)> {
    let mut keys: Vec<_> = reply
        .answers_of("DNSKEY")
        .into_iter()
        .map(|rr| {
            let rdata = dns::wire(&rr.rdata);
            let flags = u16::from_be_bytes([rdata[0], rdata[1]]);
            assert_eq!(rdata[3], 13, "algorithm of {rr:?}");
            (key_tag(&rdata), flags, rdata)
        })
        .collect();
    keys.sort();
    keys
}

/// (type covered, algorithm, key tag) of every RRSIG in the reply.
fn signatures(reply: &DnsReply) -> Vec<(u16, u8, u16)> {
    let mut sigs: Vec<_> = reply
        .answers_of("RRSIG")
        .into_iter()
        .map(|rr| {
            let rdata = dns::wire(&rr.rdata);
            (
                u16::from_be_bytes([rdata[0], rdata[1]]),
                rdata[2],
                u16::from_be_bytes([rdata[16], rdata[17]]),
            )
        })
        .collect();
    sigs.sort_unstable();
    sigs
}

const TYPE_SOA: u16 = 6;
const TYPE_DNSKEY: u16 = 48;

async fn raw_get(app: &TestApp, key: &str, path: &str) -> (u16, String) {
    let resp = crate::util::send(app, key, "GET", path, None).await;
    (resp.status().as_u16(), resp.text().await.unwrap())
}

fn assert_no_private_material(what: &str, raw: &str) {
    let lower = raw.to_ascii_lowercase();
    for needle in ["private-key-format", "privatekey", "private_key"] {
        assert!(!lower.contains(needle), "{what} leaks {needle}: {raw}");
    }
}

fn ksk_tag(state: &DnssecResponse) -> u16 {
    assert_eq!(state.ksk.len(), 1, "{state:?}");
    state.ksk[0].key_tag
}

#[tokio::test]
async fn dnssec_lifecycle_through_the_api_on_powerdns() {
    let pdns = PdnsServer::start().await;
    let resolver = pdns.dns_addr;
    let app = spawn_app_configured(
        TestOptions {
            database_url: None,
            backend: TestBackend::PowerDns {
                api_url: pdns.api_url.clone(),
                api_key: pdns.api_key.clone(),
            },
        },
        |c| {
            c.validation_resolvers = vec![resolver];
            c.validation_nameserver_port = resolver.port();
        },
    )
    .await;
    let tenant = app.tenant_with_user("signer").await;
    app.assign_role(&tenant.user_id, "validation_bypass", &tenant.tenant_id)
        .await;
    let c: &Client = &tenant.client;

    // With validation_bypass the zones are active at once: a parent holding the child's
    // delegation, and the child.
    let parent = c
        .zone_create(&zone("parent.test"))
        .await
        .unwrap()
        .into_inner();
    let child = c.zone_create(&zone(CHILD)).await.unwrap().into_inner();
    assert_eq!(child.status, ZoneStatusDto::Active);
    c.record_create(&parent.id, &record("sign", "NS", "ns1.example.net."))
        .await
        .unwrap();
    c.record_create(&child.id, &record("www", "A", "192.0.2.10"))
        .await
        .unwrap();
    let unsigned = dns::query_dnssec(pdns.dns_addr, CHILD, "DNSKEY").await;
    assert_eq!(unsigned.rcode, ResponseCode::NoError, "{unsigned:?}");
    assert!(unsigned.answers_of("DNSKEY").is_empty(), "{unsigned:?}");

    // Enable: one KSK and one ZSK of algorithm 13, DS records for the KSK only.
    let enabled = c
        .dnssec_enable(&child.id, &DnssecEnableRequest { algorithm: None })
        .await
        .unwrap()
        .into_inner();
    assert!(enabled.enabled, "{enabled:?}");
    assert_eq!(enabled.status, DnssecStatusDto::PendingDs);
    assert_eq!(enabled.algorithm, Some(13));
    assert_eq!((enabled.ksk.len(), enabled.zsk.len()), (1, 1));
    let ksk = &enabled.ksk[0];
    let zsk = &enabled.zsk[0];
    assert_ne!(ksk.key_tag, zsk.key_tag);
    assert!(ksk.dnskey.starts_with("257 3 13 "), "{}", ksk.dnskey);
    assert!(zsk.dnskey.starts_with("256 3 13 "), "{}", zsk.dnskey);
    assert!(ksk.active && zsk.active);
    let mut digest_types: Vec<u8> = enabled.ds_records.iter().map(|d| d.digest_type).collect();
    digest_types.sort_unstable();
    assert!(digest_types.contains(&2), "{:?}", enabled.ds_records);
    assert!(
        digest_types.iter().all(|t| matches!(t, 2 | 4)),
        "only SHA-256 and SHA-384 (RFC 8624): {digest_types:?}"
    );
    for ds in &enabled.ds_records {
        assert_eq!((ds.key_tag, ds.algorithm), (ksk.key_tag, 13), "{ds:?}");
        assert_eq!(
            ds.record.to_ascii_lowercase(),
            format!(
                "{} {} {} {}",
                ds.key_tag, ds.algorithm, ds.digest_type, ds.digest
            )
            .to_ascii_lowercase()
        );
    }

    // PowerDNS serves both keys (the tags the API reports) and signs: the DNSKEY set with the
    // KSK, the zone data with the ZSK.
    let reply = dns::query_dnssec(pdns.dns_addr, CHILD, "DNSKEY").await;
    assert_eq!(reply.rcode, ResponseCode::NoError, "{reply:?}");
    assert!(reply.authoritative);
    let keys = served_dnskeys(&reply);
    let mut expected_tags = vec![(ksk.key_tag, 257), (zsk.key_tag, 256)];
    expected_tags.sort_unstable();
    assert_eq!(
        keys.iter().map(|(t, f, _)| (*t, *f)).collect::<Vec<_>>(),
        expected_tags
    );
    let dnskey_sigs = signatures(&reply);
    assert!(
        dnskey_sigs.contains(&(TYPE_DNSKEY, 13, ksk.key_tag)),
        "DNSKEY set signed by the KSK: {dnskey_sigs:?}"
    );
    let soa = dns::query_dnssec(pdns.dns_addr, CHILD, "SOA").await;
    assert_eq!(signatures(&soa), vec![(TYPE_SOA, 13, zsk.key_tag)]);
    let www = dns::query_dnssec(pdns.dns_addr, &format!("www.{CHILD}"), "A").await;
    assert_eq!(www.answers_of("A").len(), 1, "{www:?}");
    assert_eq!(signatures(&www), vec![(1, 13, zsk.key_tag)]);
    // Without the DO bit no signatures are sent.
    let plain = dns::query(pdns.dns_addr, &format!("www.{CHILD}"), "A").await;
    assert!(plain.answers_of("RRSIG").is_empty(), "{plain:?}");

    // The DS digests are those of the KSK PowerDNS serves (RFC 4034 §5.1.4).
    let ksk_rdata = &keys.iter().find(|(t, _, _)| *t == ksk.key_tag).unwrap().2;
    let mut signed_data = name_wire(CHILD);
    signed_data.extend_from_slice(ksk_rdata);
    for ds in &enabled.ds_records {
        let expected = match ds.digest_type {
            2 => hex(&Sha256::digest(&signed_data)),
            _ => hex(&Sha384::digest(&signed_data)),
        };
        assert_eq!(ds.digest.to_ascii_lowercase(), expected, "{ds:?}");
    }

    // No private key material anywhere the API shows keys.
    for path in [
        format!("/api/v1/domains/{}/dnssec", child.id),
        format!("/api/v1/domains/{}", child.id),
    ] {
        let (status, raw) = raw_get(&app, &tenant.key, &path).await;
        assert_eq!(status, 200, "{path}: {raw}");
        assert_no_private_material(&path, &raw);
    }
    let (_, raw_status) = raw_get(
        &app,
        &tenant.key,
        &format!("/api/v1/domains/{}/dnssec", child.id),
    )
    .await;
    let raw_status: Value = serde_json::from_str(&raw_status).unwrap();
    assert_eq!(raw_status["ksk"][0]["dnskey"], ksk.dnskey.as_str());

    // confirm-ds while the parent has no DS: 409 ds_not_found naming the key, nothing changes.
    let (code, body) = error_of(
        c.dnssec_confirm_ds(&child.id, &DnssecConfirmRequest { key_tag: None })
            .await,
    );
    assert_eq!(
        (code, body.code.as_str()),
        (409, "ds_not_found"),
        "{body:?}"
    );
    assert!(
        body.detail.to_string().contains(&ksk.key_tag.to_string()),
        "{body:?}"
    );
    let still = c.dnssec_get(&child.id).await.unwrap().into_inner();
    assert_eq!(still.status, DnssecStatusDto::PendingDs);
    assert!(still.ksk[0].ds_confirmed_at.is_none());

    // The registrar publishes the DS: disabling without force is refused while it is there,
    // although it was never confirmed, and the zone stays signed.
    let ds_row = publish_ds(c, pdns.dns_addr, &parent.id, &enabled).await;
    let (code, body) = error_of(c.dnssec_disable(&child.id, None).await);
    assert_eq!(
        (code, body.code.as_str()),
        (409, "ds_still_published"),
        "{body:?}"
    );
    let reply = dns::query_dnssec(pdns.dns_addr, CHILD, "DNSKEY").await;
    assert_eq!(served_dnskeys(&reply).len(), 2, "still signed: {reply:?}");
    assert!(c.dnssec_get(&child.id).await.unwrap().into_inner().enabled);

    // Once the DS is gone, disable without force works (no DS was ever confirmed).
    c.record_delete(&parent.id, &ds_row).await.unwrap();
    let disabled = c
        .dnssec_disable(&child.id, None)
        .await
        .unwrap()
        .into_inner();
    assert!(!disabled.enabled);
    assert_eq!(disabled.status, DnssecStatusDto::Disabled);
    assert!(disabled.ksk.is_empty() && disabled.zsk.is_empty() && disabled.ds_records.is_empty());
    assert_unsigned(pdns.dns_addr).await;
    assert!(
        !c.zone_get(&child.id, None)
            .await
            .unwrap()
            .into_inner()
            .dnssec_enabled
    );

    // Signed again: new keys, and this time the DS is published and confirmed.
    let again = c
        .dnssec_enable(
            &child.id,
            &DnssecEnableRequest {
                algorithm: Some(13),
            },
        )
        .await
        .unwrap()
        .into_inner();
    let ksk2 = ksk_tag(&again);
    assert_ne!(ksk2, ksk.key_tag, "new keys after a disable");
    assert_eq!(again.zsk.len(), 1);
    let zsk2 = again.zsk[0].key_tag;
    publish_ds(c, pdns.dns_addr, &parent.id, &again).await;
    let confirmed = c
        .dnssec_confirm_ds(
            &child.id,
            &DnssecConfirmRequest {
                key_tag: Some(i64::from(ksk2)),
            },
        )
        .await
        .unwrap()
        .into_inner();
    assert_eq!(confirmed.status, DnssecStatusDto::Active, "{confirmed:?}");
    assert!(confirmed.ksk[0].ds_confirmed_at.is_some());

    // ZSK rollover: a second ZSK is published (not signing yet), the old one keeps signing.
    let rotating = c.dnssec_rotate_zsk(&child.id).await.unwrap().into_inner();
    assert_eq!(rotating.status, DnssecStatusDto::RotatingZsk);
    assert_eq!(ksk_tag(&rotating), ksk2);
    assert_eq!(rotating.zsk.len(), 2, "{rotating:?}");
    let new_zsk = rotating
        .zsk
        .iter()
        .find(|k| k.key_tag != zsk2)
        .expect("a new ZSK");
    assert!(!new_zsk.active, "pre-published, not signing: {new_zsk:?}");
    assert_eq!(new_zsk.state, "published");
    assert!(new_zsk.activate_at.is_some());
    let (code, body) = error_of(c.dnssec_rotate_zsk(&child.id).await);
    assert_eq!((code, body.code.as_str()), (409, "rollover_in_progress"));
    let reply = dns::query_dnssec(pdns.dns_addr, CHILD, "DNSKEY").await;
    let mut tags: Vec<u16> = served_dnskeys(&reply).iter().map(|k| k.0).collect();
    let mut expected: Vec<u16> = vec![ksk2, zsk2, new_zsk.key_tag];
    tags.sort_unstable();
    expected.sort_unstable();
    assert_eq!(tags, expected, "the new ZSK is published");
    let soa = dns::query_dnssec(pdns.dns_addr, CHILD, "SOA").await;
    assert_eq!(signatures(&soa), vec![(TYPE_SOA, 13, zsk2)]);
    let (_, raw) = raw_get(
        &app,
        &tenant.key,
        &format!("/api/v1/domains/{}/dnssec", child.id),
    )
    .await;
    assert_no_private_material("status during a rollover", &raw);

    // A confirmed DS still at the parent: disable needs force.
    let (code, body) = error_of(c.dnssec_disable(&child.id, Some(false)).await);
    assert_eq!((code, body.code.as_str()), (409, "ds_still_published"));
    let forced = c
        .dnssec_disable(&child.id, Some(true))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(forced.status, DnssecStatusDto::Disabled);
    assert_unsigned(pdns.dns_addr).await;

    // The audit log: exactly the six changes, by the tenant's key, no key secrets; the
    // refused calls wrote nothing.
    let (status, raw) = raw_get(
        &app,
        &app.admin_key,
        &format!(
            "/api/v1/admin/audit-logs?resource_id={}&page_size=100",
            child.id
        ),
    )
    .await;
    assert_eq!(status, 200, "{raw}");
    assert_no_private_material("audit log", &raw);
    let log: Value = serde_json::from_str(&raw).unwrap();
    let mut dnssec_entries: Vec<&Value> = log["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"].as_str().unwrap().starts_with("dnssec."))
        .collect();
    dnssec_entries.reverse(); // oldest first
    let actions: Vec<&str> = dnssec_entries
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "dnssec.enable",
            "dnssec.disable",
            "dnssec.enable",
            "dnssec.confirm_ds",
            "dnssec.rotate_zsk",
            "dnssec.disable"
        ]
    );
    for e in &dnssec_entries {
        assert_eq!(e["actor_type"], "api_key", "{e}");
        assert_eq!(e["actor_id"], tenant.key_id.as_str(), "{e}");
        assert_eq!(e["tenant_id"], tenant.tenant_id.as_str(), "{e}");
        assert_eq!(e["resource_type"], "domain", "{e}");
    }
    assert_eq!(
        dnssec_entries[0]["details"]["after"]["ksk"],
        u64::from(ksk.key_tag)
    );
    assert_eq!(dnssec_entries[1]["details"]["after"]["force"], false);
    assert_eq!(dnssec_entries[5]["details"]["after"]["force"], true);
}

/// Publishes the SHA-256 DS of `state`'s KSK in the parent zone, checks the parent serves it,
/// and answers the record id.
async fn publish_ds(
    c: &Client,
    server: std::net::SocketAddr,
    parent_id: &str,
    state: &DnssecResponse,
) -> String {
    let ds = state
        .ds_records
        .iter()
        .find(|d| d.digest_type == 2)
        .expect("SHA-256 DS");
    let row = c
        .record_create(parent_id, &record("sign", "DS", &ds.record))
        .await
        .unwrap()
        .into_inner();
    let served = dns::query(server, CHILD, "DS").await;
    assert_eq!(served.answer_texts("DS").len(), 1, "{served:?}");
    assert!(served.authoritative, "{served:?}");
    row.id
}

/// The child is served unsigned: no DNSKEY, no signatures on its data.
async fn assert_unsigned(server: std::net::SocketAddr) {
    let reply = dns::query_dnssec(server, CHILD, "DNSKEY").await;
    assert_eq!(reply.rcode, ResponseCode::NoError, "{reply:?}");
    assert!(reply.answers_of("DNSKEY").is_empty(), "{reply:?}");
    let www = dns::query_dnssec(server, &format!("www.{CHILD}"), "A").await;
    assert_eq!(www.answers_of("A").len(), 1, "{www:?}");
    assert!(signatures(&www).is_empty(), "unsigned again: {www:?}");
}
