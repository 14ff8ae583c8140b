//! RRset comments: written in the zone write's transaction with the records, replaced whole,
//! removed with the RRset's last record whatever write removes it, rolled back with a refused
//! write, purged with the zone, and never read for another zone.

use scaidns_core::zone::comments::{RrsetComment, RrsetComments};

use super::*;
use crate::support::contract::contract;

contract!(
    Store:
    rrset_comments_are_written_with_the_records_and_replaced_whole,
    rrset_comments_go_with_the_last_record_of_their_rrset,
    rrset_comments_go_when_their_last_record_is_replaced_or_deleted_beside_new_records,
    rrset_comments_roll_back_with_a_refused_write,
    rrset_comments_are_purged_with_the_zone_and_kept_per_zone,
);

fn comments(zone: &Zone, name: &str, rtype: RecordType, texts: &[&str]) -> RrsetComments {
    RrsetComments {
        name: RecordName::parse(name, &zone.name).unwrap(),
        rtype,
        comments: texts
            .iter()
            .enumerate()
            .map(|(i, text)| RrsetComment {
                content: (*text).to_owned(),
                account: format!("acct-{i}"),
                modified_at: 1_700_000_000 + i as i64,
            })
            .collect(),
    }
}

async fn stored(store: &dyn Store, zone: ZoneId) -> Vec<RrsetComments> {
    store.list_rrset_comments(zone).await.unwrap()
}

async fn rrset_comments_are_written_with_the_records_and_replaced_whole(store: &dyn Store) {
    let zone = new_zone(TenantId::new(), "comments.test");
    let www = record(&zone, "www", RecordType::A, "192.0.2.1");
    let mail = record(&zone, "mail", RecordType::A, "192.0.2.2");
    let mut first = create(&zone);
    first.upsert_records = vec![www.clone(), mail.clone()];
    let big = "é".repeat(30_000);
    first.comments = vec![
        comments(&zone, "www", RecordType::A, &["second", big.as_str()]),
        comments(&zone, "mail", RecordType::A, &["mail"]),
    ];
    let zone = put(store, first.clone()).await;
    assert_eq!(
        stored(store, zone.id).await,
        vec![first.comments[1].clone(), first.comments[0].clone()],
        "by name, each RRset's in the order written, text kept whole"
    );

    // Replaced whole (fewer comments), the other RRset untouched.
    let mut second = change(&zone);
    second.comments = vec![comments(&zone, "www", RecordType::A, &["only"])];
    let zone = put(store, second.clone()).await;
    assert_eq!(
        stored(store, zone.id).await,
        vec![first.comments[1].clone(), second.comments[0].clone()]
    );

    // Empty: none left on that RRset.
    let mut third = change(&zone);
    third.comments = vec![comments(&zone, "www", RecordType::A, &[])];
    let zone = put(store, third).await;
    assert_eq!(
        stored(store, zone.id).await,
        vec![first.comments[1].clone()]
    );
}

async fn rrset_comments_go_with_the_last_record_of_their_rrset(store: &dyn Store) {
    let zone = new_zone(TenantId::new(), "sweep.test");
    let a1 = record(&zone, "www", RecordType::A, "192.0.2.1");
    let a2 = record(&zone, "www", RecordType::A, "192.0.2.2");
    let txt = record(&zone, "www", RecordType::TXT, "\"hello\"");
    let mut first = create(&zone);
    first.upsert_records = vec![a1.clone(), a2.clone(), txt.clone()];
    first.comments = vec![
        comments(&zone, "www", RecordType::A, &["a"]),
        comments(&zone, "www", RecordType::TXT, &["t"]),
    ];
    let zone = put(store, first.clone()).await;

    // A plain delete of one of two records: the RRset keeps its comments.
    let mut second = change(&zone);
    second.delete_records = vec![a1.id];
    let zone = put(store, second).await;
    assert_eq!(stored(store, zone.id).await.len(), 2);

    // The last A goes: its comments go, the TXT's stay.
    let mut third = change(&zone);
    third.delete_records = vec![a2.id];
    let zone = put(store, third).await;
    assert_eq!(
        stored(store, zone.id).await,
        vec![first.comments[1].clone()]
    );

    // Re-created, the A RRset has no comment.
    let mut fourth = change(&zone);
    fourth.upsert_records = vec![record(&zone, "www", RecordType::A, "192.0.2.3")];
    let zone = put(store, fourth).await;
    assert_eq!(
        stored(store, zone.id).await,
        vec![first.comments[1].clone()]
    );

    // Comments given for an RRset without a record are not kept.
    let mut fifth = change(&zone);
    fifth.comments = vec![comments(&zone, "nothing", RecordType::A, &["x"])];
    let zone = put(store, fifth).await;
    assert_eq!(
        stored(store, zone.id).await,
        vec![first.comments[1].clone()]
    );
}

/// Writes that add records skip the sweep of orphaned comments, so the ones that also remove
/// (a delete) or replace (an upsert moving a record to another name) must still sweep.
async fn rrset_comments_go_when_their_last_record_is_replaced_or_deleted_beside_new_records(
    store: &dyn Store,
) {
    let zone = new_zone(TenantId::new(), "replace.test");
    let www = record(&zone, "www", RecordType::A, "192.0.2.1");
    let mail = record(&zone, "mail", RecordType::A, "192.0.2.2");
    let txt = record(&zone, "www", RecordType::TXT, "\"hello\"");
    let mut first = create(&zone);
    first.new_records = vec![www.clone(), mail.clone(), txt.clone()];
    first.comments = vec![
        comments(&zone, "www", RecordType::A, &["www"]),
        comments(&zone, "mail", RecordType::A, &["mail"]),
        comments(&zone, "www", RecordType::TXT, &["txt"]),
    ];
    let zone = put(store, first.clone()).await;
    assert_eq!(stored(store, zone.id).await.len(), 3);

    // Only new records: every comment stays.
    let mut second = change(&zone);
    second.new_records = vec![record(&zone, "www", RecordType::A, "192.0.2.3")];
    let zone = put(store, second.clone()).await;
    assert_eq!(stored(store, zone.id).await.len(), 3);

    // The last mail A replaced by one at another name: its RRset's comments go.
    let mut third = change(&zone);
    let mut moved = mail.clone();
    moved.name = RecordName::parse("smtp", &zone.name).unwrap();
    third.upsert_records = vec![moved];
    let zone = put(store, third).await;
    assert_eq!(
        stored(store, zone.id).await,
        vec![first.comments[0].clone(), first.comments[2].clone()]
    );

    // The TXT deleted in a write that adds a record: its comments go too, the A's stay.
    let mut fourth = change(&zone);
    fourth.delete_records = vec![txt.id];
    fourth.new_records = vec![record(&zone, "ftp", RecordType::A, "192.0.2.4")];
    let zone = put(store, fourth).await;
    assert_eq!(
        stored(store, zone.id).await,
        vec![first.comments[0].clone()]
    );

    // Both www A records go, one deleted and one replaced away: the last comment goes.
    let mut fifth = change(&zone);
    fifth.delete_records = vec![www.id];
    let mut renamed = second.new_records[0].clone();
    renamed.name = RecordName::parse("web", &zone.name).unwrap();
    fifth.upsert_records = vec![renamed];
    let zone = put(store, fifth).await;
    assert!(stored(store, zone.id).await.is_empty());
}

async fn rrset_comments_roll_back_with_a_refused_write(store: &dyn Store) {
    let zone = new_zone(TenantId::new(), "rollback.test");
    let www = record(&zone, "www", RecordType::A, "192.0.2.1");
    let mut first = create(&zone);
    first.upsert_records = vec![www.clone()];
    first.comments = vec![comments(&zone, "www", RecordType::A, &["kept"])];
    let zone = put(store, first.clone()).await;

    // A generation mismatch: nothing of the write stays.
    let mut stale = change(&zone);
    stale.expected_generation = Some(zone.generation - 1);
    stale.zone.generation = zone.generation;
    stale.comments = vec![comments(&zone, "www", RecordType::A, &["lost"])];
    assert_code(
        store.write_zone(stale, &NoPublish).await,
        "generation_mismatch",
    );
    // A publisher's refusal: the record delete and the sweep of its comments roll back.
    let mut refused = change(&zone);
    refused.delete_records = vec![www.id];
    refused.comments = vec![comments(&zone, "www", RecordType::A, &["lost"])];
    assert!(store.write_zone(refused, &Fixed::failing()).await.is_err());
    assert_eq!(stored(store, zone.id).await, first.comments);
    assert_eq!(all_records(store, zone.id).await.len(), 1);
}

async fn rrset_comments_are_purged_with_the_zone_and_kept_per_zone(store: &dyn Store) {
    let tenant = TenantId::new();
    let one = new_zone(tenant, "one.test");
    let other = new_zone(TenantId::new(), "other.test");
    for zone in [&one, &other] {
        let mut write = create(zone);
        write.upsert_records = vec![record(zone, "www", RecordType::A, "192.0.2.1")];
        write.comments = vec![comments(zone, "www", RecordType::A, &[zone.name.as_str()])];
        put(store, write).await;
    }
    let of_one = stored(store, one.id).await;
    assert_eq!(of_one.len(), 1);
    assert_eq!(of_one[0].comments[0].content, "one.test", "only its own");
    assert_eq!(of_one[0].name.fqdn(), "www.one.test.");

    store
        .purge_zone(one.id, one.generation, Vec::new(), &NoPublish)
        .await
        .unwrap();
    assert!(stored(store, one.id).await.is_empty());
    // The read joins the zone row, so it is empty once that row goes whatever stays behind:
    // the same zone made again, with the same id and the RRset back, proves no comment row
    // outlived the purge. The other zone keeps its own.
    let again = Zone {
        id: one.id,
        ..new_zone(tenant, "one.test")
    };
    let mut write = create(&again);
    write.upsert_records = vec![record(&again, "www", RecordType::A, "192.0.2.1")];
    put(store, write).await;
    assert!(stored(store, again.id).await.is_empty());
    assert_eq!(
        stored(store, other.id).await[0].comments[0].content,
        "other.test"
    );
}
