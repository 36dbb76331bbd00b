//! Outreach quotas: how many approved messages an account may have in any hour and in any day (rolling
//! windows), how many more are allowed now, and when the next slot opens when none is.

use chrono::{DateTime, Duration, Utc};

/// The limits of one account: approvals in the last 60 minutes and in the last 24 hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    pub per_hour: u32,
    pub per_day: u32,
}

impl Default for Quota {
    fn default() -> Self {
        Self {
            per_hour: 10,
            per_day: 50,
        }
    }
}

/// What an account may still approve at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Allowance {
    /// Approvals allowed now.
    pub left: u32,
    pub used_last_hour: u32,
    pub used_last_day: u32,
    /// When `left` is 0: the moment one more approval becomes possible (`None` with a limit of 0).
    pub next_slot: Option<DateTime<Utc>>,
}

/// The allowance at `now`, given the times of the account's approvals (any order; those older than a
/// day are ignored).
#[must_use]
pub fn allowance(quota: Quota, used: &[DateTime<Utc>], now: DateTime<Utc>) -> Allowance {
    let hour = window(used, now, Duration::hours(1), quota.per_hour);
    let day = window(used, now, Duration::days(1), quota.per_day);
    let left = hour.left.min(day.left);
    let next_slot = if left > 0 || quota.per_hour == 0 || quota.per_day == 0 {
        None
    } else {
        [hour, day]
            .into_iter()
            .filter(|w| w.left == 0)
            .filter_map(|w| w.frees_at)
            .max()
    };
    Allowance {
        left,
        used_last_hour: hour.used,
        used_last_day: day.used,
        next_slot,
    }
}

#[derive(Debug, Clone, Copy)]
struct Window {
    used: u32,
    left: u32,
    /// When the window has room again, if it is full.
    frees_at: Option<DateTime<Utc>>,
}

fn window(used: &[DateTime<Utc>], now: DateTime<Utc>, span: Duration, limit: u32) -> Window {
    let start = now - span;
    // An approval stamped a moment after `now` (another request's clock) counts all the same.
    let mut inside: Vec<DateTime<Utc>> = used.iter().copied().filter(|at| *at > start).collect();
    inside.sort_unstable();
    let count = u32::try_from(inside.len()).unwrap_or(u32::MAX);
    let frees_at = if count >= limit && limit > 0 {
        // One slot opens when enough of the oldest approvals have left the window.
        let expiring = usize::try_from(count - limit).unwrap_or(usize::MAX);
        inside.get(expiring).map(|at| *at + span)
    } else {
        None
    };
    Window {
        used: count,
        left: limit.saturating_sub(count),
        frees_at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;

    fn at(minute: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 10, 12, 0, 0).unwrap() + Duration::minutes(minute)
    }

    const SMALL: Quota = Quota {
        per_hour: 3,
        per_day: 5,
    };

    #[test]
    fn an_unused_account_has_its_whole_hourly_quota() {
        let allowance = allowance(SMALL, &[], at(0));

        assert_eq!(allowance.left, 3);
        assert_eq!(allowance.next_slot, None);
    }

    #[test]
    fn a_full_hour_opens_again_an_hour_after_its_oldest_approval() {
        let used = [at(-50), at(-10), at(-5)];

        let allowance = allowance(SMALL, &used, at(0));

        assert_eq!(allowance.left, 0);
        assert_eq!(allowance.used_last_hour, 3);
        assert_eq!(allowance.next_slot, Some(at(10)));
    }

    #[test]
    fn approvals_older_than_an_hour_count_for_the_day_only() {
        let used = [at(-120), at(-61), at(-5)];

        let allowance = allowance(SMALL, &used, at(0));

        assert_eq!(allowance.used_last_hour, 1);
        assert_eq!(allowance.used_last_day, 3);
        assert_eq!(allowance.left, 2);
    }

    #[test]
    fn a_full_day_waits_for_its_oldest_approval_to_be_a_day_old() {
        let used = [at(-600), at(-500), at(-400), at(-300), at(-200)];

        let allowance = allowance(SMALL, &used, at(0));

        assert_eq!(allowance.left, 0);
        assert_eq!(allowance.next_slot, Some(at(-600) + Duration::days(1)));
    }

    #[test]
    fn when_both_windows_are_full_the_later_opening_counts() {
        let used = [at(-900), at(-800), at(-30), at(-20), at(-10)];

        let allowance = allowance(SMALL, &used, at(0));

        assert_eq!(allowance.next_slot, Some(at(-900) + Duration::days(1)));
    }

    #[test]
    fn an_approval_stamped_just_after_now_still_counts() {
        let used = [at(-30), at(-20), at(0) + Duration::milliseconds(3)];

        let allowance = allowance(SMALL, &used, at(0));

        assert_eq!(allowance.left, 0);
    }

    #[test]
    fn a_limit_of_zero_allows_nothing_and_never_opens() {
        let quota = Quota {
            per_hour: 0,
            per_day: 50,
        };

        let allowance = allowance(quota, &[], at(0));

        assert_eq!(allowance.left, 0);
        assert_eq!(allowance.next_slot, None);
    }

    #[test]
    fn over_the_limit_after_a_lowered_quota_the_slot_waits_for_enough_expiries() {
        let used = [at(-40), at(-30), at(-20), at(-10)];
        let quota = Quota {
            per_hour: 2,
            per_day: 50,
        };

        let allowance = allowance(quota, &used, at(0));

        // Three must leave the window before a fourth fits under two.
        assert_eq!(allowance.next_slot, Some(at(-20) + Duration::hours(1)));
    }
}
