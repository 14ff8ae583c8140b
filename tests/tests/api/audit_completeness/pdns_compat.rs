//! The PowerDNS-compatible API's writes: the entries of the native operation each maps to,
//! with the key as actor and the request id.

use super::*;

pub(super) async fn pdns_compat_cases(h: &mut Harness, ta: &Caller) {
    let zones = "/api/v1/servers/localhost/zones";
    let zone = "/api/v1/servers/localhost/zones/pdns-audit.test.";
    let c = h
        .case(
            "POST /api/v1/servers/{server_id}/zones",
            ta,
            zones,
            Some(json!({"name": "pdns-audit.test.", "kind": "Native", "nameservers": []})),
        )
        .await;
    assert_eq!(c.status, 201, "{}", c.body);
    let e = c.entry("domain.create", ta);
    assert_eq!(e["request_id"], c.request_id.as_str());
    let c = h
        .case(
            "PATCH /api/v1/servers/{server_id}/zones/{zone_id}",
            ta,
            zone,
            Some(
                json!({"rrsets": [{"name": "www.pdns-audit.test.", "type": "A", "ttl": 300,
                "changetype": "REPLACE", "records": [{"content": "192.0.2.1", "disabled": false}],
                "comments": [{"content": "audited", "account": "ops"}]}]}),
            ),
        )
        .await;
    assert_eq!(c.status, 204, "{}", c.body);
    assert_eq!(
        c.entry("records.bulk", ta)["details"]["after"]["created"],
        1
    );
    assert_eq!(
        c.entry("record.comments_update", ta)["details"]["after"]["comments"],
        1
    );
    let c = h
        .case(
            "PUT /api/v1/servers/{server_id}/zones/{zone_id}",
            ta,
            zone,
            Some(json!({"rrsets": []})),
        )
        .await;
    assert_eq!(c.status, 204, "{}", c.body);
    c.entry("record.delete", ta);
    let c = h
        .case(
            "PUT /api/v1/servers/{server_id}/zones/{zone_id}/notify",
            ta,
            &format!("{zone}/notify"),
            None,
        )
        .await;
    assert_eq!(c.status, 200, "{}", c.body);
    let c = h
        .case(
            "DELETE /api/v1/servers/{server_id}/zones/{zone_id}",
            ta,
            zone,
            None,
        )
        .await;
    assert_eq!(c.status, 204, "{}", c.body);
    c.entry("domain.delete", ta);
}
