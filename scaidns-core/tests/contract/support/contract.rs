//! The one contract macro: a suite is a list of `async fn(&Port)` behaviours written once
//! against a port trait, and `contract!(Port: behaviour, …)` runs each of them once per
//! implementation of that port, in a module named after the implementation
//! (`store::zones::sqlite::…`, `backend::answers::powerdns::…`). The implementations of each
//! port are listed here and nowhere else, so adding one (another store engine, another limiter)
//! runs every behaviour of the port against it.

/// What a fixture hands to a behaviour: the port under test.
///
/// A fixture owns whatever keeps an implementation running (a temporary database, a PowerDNS
/// process, a DNS listener); the behaviour sees only the port, so it cannot depend on the
/// implementation.
pub trait UnderTest {
    /// The port (a trait object) or the port with what checking it needs besides.
    type Subject: ?Sized;
    /// The implementation under test.
    fn subject(&self) -> &Self::Subject;
}

/// Runs each listed behaviour against every implementation of `Port`:
/// `contract!(Store: zone_round_trips, …)`.
macro_rules! contract {
    (Store: $($behaviour:ident),* $(,)?) => {
        $crate::support::contract::contract!(@each [
            sqlite => $crate::support::db::TestDb::sqlite,
            mysql => $crate::support::db::TestDb::mysql,
            postgres => $crate::support::db::TestDb::postgres,
        ] [$($behaviour),*]);
    };
    (DnsBackend: $($behaviour:ident),* $(,)?) => {
        $crate::support::contract::contract!(@each [
            powerdns => $crate::support::backends::powerdns,
            embedded => $crate::support::backends::embedded,
        ] [$($behaviour),*]);
    };
    (RateLimiter: $($behaviour:ident),* $(,)?) => {
        $crate::support::contract::contract!(@each [
            in_process => $crate::support::limiters::in_process,
            redis => $crate::support::limiters::redis,
        ] [$($behaviour),*]);
    };
    // The SQL adapter's own checks (rows edited behind its back): the same engines as `Store`,
    // but the behaviour receives the database itself.
    (SqlStore: $($behaviour:ident),* $(,)?) => {
        $crate::support::contract::contract!(@each [
            sqlite => $crate::support::stores::SqlDb::sqlite,
            mysql => $crate::support::stores::SqlDb::mysql,
            postgres => $crate::support::stores::SqlDb::postgres,
        ] [$($behaviour),*]);
    };
    // The behaviour list travels as one token tree: macro_rules cannot nest a repetition over
    // the implementations and one over the behaviours directly.
    (@each [$($implementation:ident => $fixture:path),+ $(,)?] $behaviours:tt) => {
        $( $crate::support::contract::contract!(@one $implementation $fixture $behaviours); )+
    };
    (@one $implementation:ident $fixture:path [$($behaviour:ident),*]) => {
        mod $implementation {
            $(
                #[tokio::test]
                async fn $behaviour() {
                    let fixture = $fixture().await;
                    super::$behaviour(
                        $crate::support::contract::UnderTest::subject(&fixture),
                    )
                    .await;
                }
            )*
        }
    };
}

pub(crate) use contract;
