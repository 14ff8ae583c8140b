//! The contract suites' services on loopback (fresh databases, PowerDNS instances), shared
//! rather than copied: the scenarios need the same ones.

// The scenarios run on SQLite only; the MariaDB half of the database support goes unused here.
#[allow(dead_code)]
#[path = "../contract/support/db.rs"]
pub mod db;
// PowerDNS start-up waits on a DNS query.
#[path = "../contract/support/dns.rs"]
pub mod dns;
#[path = "../contract/support/pdns.rs"]
pub mod pdns;

/// A Redis change feed on a channel of its own (`purpose` names it), so concurrent runs do not
/// hear each other.
pub fn redis_feed(purpose: &str) -> scaidns_core::adapters::redis_change_feed::RedisChangeFeed {
    redis_feeds(purpose).0
}

/// Two replicas' Redis change feeds on one channel of its own: a feed does not hand its
/// listener the zone notices it announced itself, so each replica needs its own.
pub fn redis_feeds(
    purpose: &str,
) -> (
    scaidns_core::adapters::redis_change_feed::RedisChangeFeed,
    scaidns_core::adapters::redis_change_feed::RedisChangeFeed,
) {
    use scaidns_core::adapters::redis_change_feed::RedisChangeFeed;
    let url = std::env::var("SCAIDNS_TEST_REDIS_URL")
        .unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned());
    let channel = format!("scaidns-test:{purpose}:{}", uuid::Uuid::new_v4());
    let feed = || RedisChangeFeed::new(&url, &channel).expect("Redis URL");
    (feed(), feed())
}
