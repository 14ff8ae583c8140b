//! The cut-offs of the worker's clean-up jobs. Retentions come from operators' settings and
//! may be as large as a `u32` of days allows, far past the last date `chrono` can hold: every
//! cut-off saturates, so such a retention keeps everything instead of overflowing the date
//! arithmetic (a panic in the worker, not a refusal at start-up).

use chrono::{DateTime, Duration, Utc};

/// The oldest time still kept under `max_age` at `now`: what is older goes.
pub fn oldest_kept(now: DateTime<Utc>, max_age: Duration) -> DateTime<Utc> {
    now.checked_sub_signed(max_age)
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
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
        assert_eq!(oldest_kept(now, Duration::MAX), DateTime::<Utc>::MIN_UTC);
        assert_eq!(oldest_kept(now, days(u32::MAX)), DateTime::<Utc>::MIN_UTC);
        assert_eq!(oldest_kept(now, days(30)), now - Duration::days(30));
        assert_eq!(oldest_kept(now, Duration::zero()), now);
    }
}
