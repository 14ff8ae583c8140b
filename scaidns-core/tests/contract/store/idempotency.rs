//! Idempotency keys (issue 15): one claim per principal and key whoever races for it, the
//! answer kept for the same request only, expired claims and answers given up.

use scaidns_core::ports::idempotency_store::{IdempotencyClaim, KeyedRequest, StoredAnswer};

use super::*;
use crate::support::contract::contract;

contract!(
    Store:
    a_key_is_claimed_once_and_answers_only_its_own_request,
    racing_claims_of_one_key_have_one_winner,
    expired_claims_and_answers_free_the_key,
    a_renewed_claim_outlives_its_first_expiry,
    a_long_backlog_expires_whole,
);

fn req<'a>(principal: &'a str, key: &'a str, hash: &'a str) -> KeyedRequest<'a> {
    KeyedRequest {
        principal,
        key,
        request_hash: hash,
    }
}

fn answer() -> StoredAnswer {
    StoredAnswer {
        status: 201,
        headers: vec![
            ("content-type".into(), "application/json".into()),
            ("location".into(), "/api/v1/x/1".into()),
        ],
        // Not UTF-8 on purpose: bodies are kept as bytes.
        body: vec![b'{', 0xff, 0x00, b'}'],
    }
}

async fn a_key_is_claimed_once_and_answers_only_its_own_request(store: &dyn Store) {
    let mine = req("key:a", "k1", "h1");
    assert_eq!(
        store
            .claim_idempotency_key(mine, at(0), at(300))
            .await
            .unwrap(),
        IdempotencyClaim::Claimed
    );
    // While it runs: the same request waits, a different one is refused.
    assert_eq!(
        store
            .claim_idempotency_key(mine, at(1), at(301))
            .await
            .unwrap(),
        IdempotencyClaim::InProgress
    );
    assert_eq!(
        store
            .claim_idempotency_key(req("key:a", "k1", "h2"), at(1), at(301))
            .await
            .unwrap(),
        IdempotencyClaim::Reused
    );
    // Another principal's identical key is its own.
    assert_eq!(
        store
            .claim_idempotency_key(req("key:b", "k1", "h1"), at(1), at(301))
            .await
            .unwrap(),
        IdempotencyClaim::Claimed
    );
    assert!(
        store
            .finish_idempotency_key(mine, &answer(), at(86_400))
            .await
            .unwrap()
    );
    assert_eq!(
        store
            .claim_idempotency_key(mine, at(2), at(302))
            .await
            .unwrap(),
        IdempotencyClaim::Answered(answer())
    );
    assert_eq!(
        store
            .claim_idempotency_key(req("key:a", "k1", "h2"), at(2), at(302))
            .await
            .unwrap(),
        IdempotencyClaim::Reused
    );
    // A released claim (a server error) lets the repeat run again.
    let failing = req("key:a", "k2", "h1");
    store
        .claim_idempotency_key(failing, at(0), at(300))
        .await
        .unwrap();
    store.release_idempotency_key(failing).await.unwrap();
    assert_eq!(
        store
            .claim_idempotency_key(failing, at(1), at(301))
            .await
            .unwrap(),
        IdempotencyClaim::Claimed
    );
}

async fn racing_claims_of_one_key_have_one_winner(store: &dyn Store) {
    let claims = futures::future::join_all(
        (0..8).map(|_| store.claim_idempotency_key(req("user:u", "race", "h"), at(0), at(300))),
    )
    .await;
    let won = claims
        .into_iter()
        .filter(|c| *c.as_ref().unwrap() == IdempotencyClaim::Claimed)
        .count();
    assert_eq!(won, 1);
}

async fn expired_claims_and_answers_free_the_key(store: &dyn Store) {
    // A claim left by a crashed process holds until its expiry, then another request takes it.
    let crashed = req("key:a", "stale", "h1");
    store
        .claim_idempotency_key(crashed, at(0), at(300))
        .await
        .unwrap();
    assert_eq!(
        store
            .claim_idempotency_key(crashed, at(299), at(599))
            .await
            .unwrap(),
        IdempotencyClaim::InProgress
    );
    let next = req("key:a", "stale", "h2");
    assert_eq!(
        store
            .claim_idempotency_key(next, at(300), at(600))
            .await
            .unwrap(),
        IdempotencyClaim::Claimed
    );
    // The crashed request's late answer does not overwrite the new holder's claim.
    assert!(
        !store
            .finish_idempotency_key(crashed, &answer(), at(9_000))
            .await
            .unwrap()
    );
    // Answers are swept at their expiry, not before.
    let done = req("key:a", "done", "h1");
    store
        .claim_idempotency_key(done, at(0), at(300))
        .await
        .unwrap();
    store
        .finish_idempotency_key(done, &answer(), at(1_000))
        .await
        .unwrap();
    assert_eq!(store.expire_idempotency_keys(at(599)).await.unwrap(), 0);
    // `next`'s claim (until 600) and `done`'s answer (until 1000).
    assert_eq!(store.expire_idempotency_keys(at(1_000)).await.unwrap(), 2);
    assert_eq!(
        store
            .claim_idempotency_key(done, at(1_001), at(1_301))
            .await
            .unwrap(),
        IdempotencyClaim::Claimed
    );
}

async fn a_renewed_claim_outlives_its_first_expiry(store: &dyn Store) {
    let long = req("key:a/t", "import", "h1");
    store
        .claim_idempotency_key(long, at(0), at(300))
        .await
        .unwrap();
    assert!(store.renew_idempotency_key(long, at(600)).await.unwrap());
    // Past the first expiry the key is still held, and the probe took nothing.
    assert!(
        store
            .idempotency_key_held("key:a/t", "import", at(400))
            .await
            .unwrap()
    );
    assert_eq!(
        store
            .claim_idempotency_key(req("key:a/t", "import", "h2"), at(400), at(700))
            .await
            .unwrap(),
        IdempotencyClaim::Reused
    );
    // Another request's digest renews nothing; an answered claim is no longer renewed.
    assert!(
        !store
            .renew_idempotency_key(req("key:a/t", "import", "h2"), at(900))
            .await
            .unwrap()
    );
    store
        .finish_idempotency_key(long, &answer(), at(2_000))
        .await
        .unwrap();
    assert!(!store.renew_idempotency_key(long, at(900)).await.unwrap());
    assert!(
        !store
            .idempotency_key_held("key:a/t", "never", at(400))
            .await
            .unwrap()
    );
    assert!(
        !store
            .idempotency_key_held("key:a/t", "import", at(2_000))
            .await
            .unwrap()
    );
}

async fn a_long_backlog_expires_whole(store: &dyn Store) {
    // More rows than one delete batch takes.
    let keys: Vec<String> = (0..1_203).map(|i| format!("old-{i}")).collect();
    for key in &keys {
        store
            .claim_idempotency_key(req("user:b/t", key, "h"), at(0), at(10))
            .await
            .unwrap();
    }
    let kept = req("user:b/t", "new", "h");
    store
        .claim_idempotency_key(kept, at(0), at(100))
        .await
        .unwrap();
    assert_eq!(store.expire_idempotency_keys(at(10)).await.unwrap(), 1_203);
    assert!(
        store
            .idempotency_key_held("user:b/t", "new", at(10))
            .await
            .unwrap()
    );
    assert!(
        !store
            .idempotency_key_held("user:b/t", "old-0", at(0))
            .await
            .unwrap()
    );
}
