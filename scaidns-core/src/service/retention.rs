//! The cut-offs of the worker's clean-up jobs. Retentions come from operators' settings and
//! may be as large as a `u32` of days allows, far past the last date `chrono` can hold: every
//! cut-off saturates, so such a retention keeps everything instead of overflowing the date
//! arithmetic (a panic in the worker, not a refusal at start-up). It saturates at
//! [`EARLIEST_CUT_OFF`], not at `chrono`'s first date: cut-offs are bound into SQL, and
//! MariaDB refuses to encode a date before year 1000 and PostgreSQL one before 4713 BC, so a
//! retention of a few thousand years would otherwise fail every run of its job.

use chrono::{DateTime, Duration, Utc};

/// The earliest cut-off: before anything ScaiDNS stores, and a date every engine holds.
pub const EARLIEST_CUT_OFF: DateTime<Utc> = DateTime::<Utc>::UNIX_EPOCH;

/// The oldest time still kept under `max_age` at `now`: what is older goes. Never before
/// [`EARLIEST_CUT_OFF`].
pub fn oldest_kept(now: DateTime<Utc>, max_age: Duration) -> DateTime<Utc> {
    now.checked_sub_signed(max_age)
        .map_or(EARLIEST_CUT_OFF, |cut_off| cut_off.max(EARLIEST_CUT_OFF))
}

/// `days` as a duration; beyond what a duration holds (~100 million days), the longest one.
pub fn days(days: u32) -> Duration {
    Duration::try_days(i64::from(days)).unwrap_or(Duration::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huge_retentions_keep_everything_instead_of_overflowing() {
        let now = Utc::now();
        assert_eq!(oldest_kept(now, Duration::MAX), EARLIEST_CUT_OFF);
        assert_eq!(oldest_kept(now, days(u32::MAX)), EARLIEST_CUT_OFF);
        // Within chrono's range but before what the databases can encode.
        assert_eq!(oldest_kept(now, days(1_000_000)), EARLIEST_CUT_OFF);
        assert_eq!(oldest_kept(now, days(30)), now - Duration::days(30));
        assert_eq!(oldest_kept(now, Duration::zero()), now);
    }
}
