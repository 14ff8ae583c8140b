//! The rollover machine driven through whole rollovers by a hand-moved clock.

use chrono::TimeZone;

use super::*;
use crate::dnssec::KeyRole;
use crate::dnssec::key::{DnssecStatus, DsRecord, zone_status};
use crate::ids::ZoneId;

fn key(zone: ZoneId, role: KeyRole, tag: u16, now: DateTime<Utc>) -> DnssecKey {
    DnssecKey {
        id: DnssecKeyId::new(),
        zone_id: zone,
        role,
        backend_id: u32::from(tag),
        algorithm: 13,
        bits: 256,
        key_tag: tag,
        dnskey: format!("{} 3 13 AAAA", if role == KeyRole::Zsk { 256 } else { 257 }),
        ds: if role == KeyRole::Zsk {
            vec![]
        } else {
            vec![DsRecord {
                key_tag: tag,
                algorithm: 13,
                digest_type: 2,
                digest: "ab".into(),
            }]
        },
        state: KeyState::DsPending,
        ds_confirmed_at: None,
        published_at: None,
        activated_at: None,
        activate_at: None,
        retire_at: None,
        expires_at: None,
        created_at: now,
        updated_at: now,
    }
}

fn find(keys: &[DnssecKey], tag: u16) -> &DnssecKey {
    keys.iter().find(|k| k.key_tag == tag).unwrap()
}

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()
}

/// A signed zone whose first KSK's DS is confirmed.
fn signed(clock: &TestClock, policy: &RolloverPolicy) -> (ZoneId, Vec<DnssecKey>) {
    let zone = ZoneId::new();
    let mut ksk = key(zone, KeyRole::Ksk, 1, clock.now());
    let mut zsk = key(zone, KeyRole::Zsk, 2, clock.now());
    enable(&mut ksk, &mut zsk, clock.now(), policy);
    let mut keys = vec![ksk, zsk];
    assert_eq!(zone_status(&keys), DnssecStatus::PendingDs);
    assert_eq!(
        due_steps(&keys, clock.now()),
        vec![Step::CheckDs { key: keys[0].id }]
    );
    let id = keys[0].id;
    confirm_ds(&mut keys, id, clock.now(), policy).unwrap();
    assert_eq!(zone_status(&keys), DnssecStatus::Active);
    assert!(due_steps(&keys, clock.now()).is_empty());
    (zone, keys)
}

#[test]
fn zsk_pre_publish_rollover_by_the_clock() {
    let clock = TestClock::new(start());
    let policy = RolloverPolicy::default();
    let (zone, mut keys) = signed(&clock, &policy);
    let ttl = Duration::hours(1);

    clock.advance(Duration::days(30) - Duration::seconds(1));
    assert!(
        due_steps(&keys, clock.now()).is_empty(),
        "not before the lifetime ends"
    );
    clock.advance(Duration::seconds(1));
    let old = find(&keys, 2).id;
    assert_eq!(
        due_steps(&keys, clock.now()),
        vec![Step::StartZskRollover { old }]
    );

    start_zsk_rollover(
        &mut keys,
        key(zone, KeyRole::Zsk, 3, clock.now()),
        clock.now(),
        ttl,
        &policy,
    )
    .unwrap();
    assert_eq!(zone_status(&keys), DnssecStatus::RotatingZsk);
    assert_eq!(
        find(&keys, 3).backend_flags(),
        (false, true),
        "published, not signing"
    );
    assert!(
        due_steps(&keys, clock.now()).is_empty(),
        "one rollover at a time"
    );
    let again = start_zsk_rollover(
        &mut keys,
        key(zone, KeyRole::Zsk, 4, clock.now()),
        clock.now(),
        ttl,
        &policy,
    );
    assert_eq!(again.unwrap_err().code(), "rollover_in_progress");

    clock.advance(ttl + policy.overlap - Duration::seconds(1));
    assert!(due_steps(&keys, clock.now()).is_empty());
    clock.advance(Duration::seconds(1));
    let new = find(&keys, 3).id;
    assert_eq!(
        due_steps(&keys, clock.now()),
        vec![Step::ActivateZsk { key: new }]
    );
    activate_zsk(&mut keys, new, clock.now(), ttl, &policy).unwrap();
    assert_eq!(find(&keys, 3).backend_flags(), (true, true));
    assert_eq!(find(&keys, 2).state, KeyState::Retired);
    assert_eq!(
        find(&keys, 2).backend_flags(),
        (false, true),
        "old ZSK stays published"
    );
    assert_eq!(zone_status(&keys), DnssecStatus::RotatingZsk);

    clock.advance(ttl + policy.propagation);
    assert_eq!(
        due_steps(&keys, clock.now()),
        vec![Step::RemoveKey { key: old }]
    );
    remove(&mut keys, old);
    assert_eq!(zone_status(&keys), DnssecStatus::Active);
    assert_eq!(
        find(&keys, 3).expires_at,
        Some(clock.now() - ttl - policy.propagation + policy.zsk_lifetime)
    );
}

#[test]
fn ksk_double_ds_rollover_waits_for_the_parent() {
    let clock = TestClock::new(start());
    let policy = RolloverPolicy::default();
    let (zone, mut keys) = signed(&clock, &policy);
    // ZSKs roll meanwhile; only the KSK matters here.
    for k in keys.iter_mut().filter(|k| !k.is_ksk()) {
        k.expires_at = None;
    }
    clock.advance(Duration::days(365));
    let old = find(&keys, 1).id;
    assert_eq!(
        due_steps(&keys, clock.now()),
        vec![Step::StartKskRollover { old }]
    );
    start_ksk_rollover(
        &mut keys,
        key(zone, KeyRole::Ksk, 5, clock.now()),
        clock.now(),
    )
    .unwrap();
    let new = find(&keys, 5).id;
    assert_eq!(zone_status(&keys), DnssecStatus::RotatingKsk);
    assert_eq!(
        find(&keys, 5).backend_flags(),
        (false, false),
        "neither published nor signing"
    );

    // However long the parent takes, nothing happens but looking.
    clock.advance(Duration::days(60));
    assert_eq!(
        due_steps(&keys, clock.now()),
        vec![Step::CheckDs { key: new }]
    );
    assert_eq!(find(&keys, 1).state, KeyState::Active);

    confirm_ds(&mut keys, new, clock.now(), &policy).unwrap();
    assert_eq!(zone_status(&keys), DnssecStatus::Active);
    assert_eq!(find(&keys, 5).backend_flags(), (true, true));
    assert_eq!(find(&keys, 1).state, KeyState::Retired);
    assert_eq!(
        find(&keys, 1).backend_flags(),
        (true, true),
        "old KSK signs through the overlap"
    );
    clock.advance(policy.overlap - Duration::seconds(1));
    assert!(due_steps(&keys, clock.now()).is_empty());
    clock.advance(Duration::seconds(1));
    assert_eq!(
        due_steps(&keys, clock.now()),
        vec![Step::RemoveKey { key: old }]
    );
    remove(&mut keys, old);
    assert_eq!(keys.iter().filter(|k| k.is_ksk()).count(), 1);
    assert_eq!(
        find(&keys, 5).expires_at,
        Some(clock.now() - policy.overlap + policy.ksk_lifetime)
    );
    assert_eq!(
        start_ksk_rollover(
            &mut keys,
            key(zone, KeyRole::Ksk, 6, clock.now()),
            clock.now()
        )
        .map(|()| zone_status(&keys))
        .unwrap(),
        DnssecStatus::RotatingKsk
    );
    let err = start_ksk_rollover(
        &mut keys,
        key(zone, KeyRole::Ksk, 7, clock.now()),
        clock.now(),
    );
    assert_eq!(err.unwrap_err().code(), "rollover_in_progress");
}

#[test]
fn an_unconfirmed_ksk_is_not_rolled_automatically() {
    let clock = TestClock::new(start());
    let policy = RolloverPolicy::default();
    let zone = ZoneId::new();
    let mut ksk = key(zone, KeyRole::Ksk, 1, clock.now());
    let mut zsk = key(zone, KeyRole::Zsk, 2, clock.now());
    enable(&mut ksk, &mut zsk, clock.now(), &policy);
    zsk.expires_at = None;
    let keys = vec![ksk, zsk];
    clock.advance(Duration::days(400));
    assert_eq!(
        due_steps(&keys, clock.now()),
        vec![Step::CheckDs { key: keys[0].id }]
    );
}

/// A clock the test moves by hand (the model's tests keep off the ports' clocks).
struct TestClock(std::cell::Cell<DateTime<Utc>>);

impl TestClock {
    fn new(at: DateTime<Utc>) -> Self {
        Self(std::cell::Cell::new(at))
    }

    fn now(&self) -> DateTime<Utc> {
        self.0.get()
    }

    fn advance(&self, by: Duration) {
        self.0.set(self.0.get() + by);
    }
}
