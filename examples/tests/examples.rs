//! The examples do what their documentation says: the embedded core answers DNS for the zone
//! it created, and provisioning through the client leaves the records the API then lists.

use std::net::SocketAddr;

use scaidns_tests::{dns, spawn_app};

#[tokio::test]
async fn embedded_core_answers_dns() {
    let running = scaidns_examples::embedded::serve_zone(
        SocketAddr::from(([127, 0, 0, 1], 0)),
        "example.test",
        "192.0.2.10",
    )
    .await
    .expect("embedded core starts");
    let reply = dns::query(running.dns.local_addr(), "www.example.test.", "A").await;
    assert_eq!(reply.answer_texts("A"), vec!["192.0.2.10"]);
    assert!(reply.authoritative);
    running.dns.shutdown().await.expect("stops");
}

#[tokio::test]
async fn provisioning_through_the_client() {
    let app = spawn_app().await;
    let done = scaidns_examples::provision::provision(&app.client, "shop.test")
        .await
        .expect("provision");
    assert_eq!(done.status, "active");
    let mut seen: Vec<String> = done
        .records
        .iter()
        .map(|r| format!("{} {} {}", r.display_name, r.type_, r.content))
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        vec![
            "@ MX 10 mail.shop.test.",
            "@ TXT \"v=spf1 mx -all\"",
            "www A 192.0.2.10"
        ]
    );
    let reply = dns::query(app.dns_addr.unwrap(), "shop.test.", "MX").await;
    assert_eq!(reply.answer_texts("MX"), vec!["10 mail.shop.test."]);
    // Provisioning twice is a conflict the caller sees.
    assert!(
        scaidns_examples::provision::provision(&app.client, "shop.test")
            .await
            .is_err()
    );
    app.stop().await;
}
