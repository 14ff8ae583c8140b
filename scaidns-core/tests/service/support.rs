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
