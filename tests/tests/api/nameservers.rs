//! `GET/PUT /api/v1/admin/nameservers`: the platform set, rewritten into every zone's apex NS
//! and SOA MNAME (served at once), and only for platform admins.

use scaidns_client::types::NameserverSetRequest;
use scaidns_tests::{dns, spawn_app};

use crate::domains::zone;
use crate::util::{error_of, located_field};

#[tokio::test]
async fn replacing_the_set_rewrites_every_zone() {
    let app = spawn_app().await;
    let dns_addr = app.dns_addr.unwrap();
    let before = app.client.nameservers_get().await.unwrap().into_inner();
    assert!(!before.nameservers.is_empty());
    let z = app
        .client
        .zone_create(&zone("ns.test"))
        .await
        .unwrap()
        .into_inner();

    let set = NameserverSetRequest {
        nameservers: vec!["NS1.Example.net".into(), "ns2.example.net.".into()],
    };
    let done = app.client.nameservers_set(&set).await.unwrap().into_inner();
    assert_eq!(
        done.nameservers,
        vec!["ns1.example.net.", "ns2.example.net."]
    );
    assert_eq!(done.zones_updated, 1);
    let after = app.client.nameservers_get().await.unwrap().into_inner();
    assert_eq!(after.nameservers, done.nameservers);

    let ns = app
        .client
        .record_list(&z.id, Some(true), None, None, None, None, Some("NS"))
        .await
        .unwrap()
        .into_inner();
    let mut reported: Vec<&str> = ns.data.iter().map(|r| r.content.as_str()).collect();
    reported.sort_unstable();
    assert_eq!(reported, vec!["ns1.example.net.", "ns2.example.net."]);
    let reply = dns::query(dns_addr, "ns.test.", "NS").await;
    assert_eq!(
        reply.answer_texts("NS"),
        vec!["ns1.example.net.", "ns2.example.net."]
    );
    let soa = dns::query(dns_addr, "ns.test.", "SOA").await;
    assert!(
        soa.answer_texts("SOA")[0].starts_with("ns1.example.net."),
        "{soa:?}"
    );

    // The same request again changes nothing.
    let again = app.client.nameservers_set(&set).await.unwrap().into_inner();
    assert_eq!(again.zones_updated, 0);

    // Invalid sets are refused, naming the entry.
    let bad = NameserverSetRequest {
        nameservers: vec!["ns1.example.net".into(), "ns1.example.net.".into()],
    };
    let (status, body) = error_of(app.client.nameservers_set(&bad).await);
    assert_eq!(status, 422);
    assert_eq!(located_field(&body).as_deref(), Some("nameservers.1"));

    // Tenants may neither read nor change the set.
    let user = app.tenant_with_user("nsuser").await;
    assert_eq!(error_of(user.client.nameservers_get().await).0, 403);
    assert_eq!(error_of(user.client.nameservers_set(&set).await).0, 403);
    app.stop().await;
}
