//! Throttling policies: how many failures (or requests) are free, and how long each one after that
//! locks out; for logins and for password-reset requests.

use chrono::{DateTime, Duration, Utc};

/// A throttle's counters, as stored per account or per client address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleState {
    pub failures: i32,
    pub window_started_at: DateTime<Utc>,
    pub blocked_until: Option<DateTime<Utc>>,
}

/// How many failures a subject may make in a window before each further one blocks it.
#[derive(Debug, Clone, Copy)]
pub struct ThrottlePolicy {
    pub free_failures: i32,
    pub window: Duration,
    pub first_block: Duration,
    pub max_block: Duration,
}

/// Per account and client address together: five tries, then 30 s, 60 s, 120 s ... up to 15
/// minutes. This is the lock a guesser meets first, and it holds them only where they are, so a
/// stranger elsewhere cannot lock the owner out.
pub const PER_PAIR: ThrottlePolicy = ThrottlePolicy {
    free_failures: 5,
    window: Duration::minutes(15),
    first_block: Duration::seconds(30),
    max_block: Duration::minutes(15),
};

/// Per account, from every address together: a ceiling for a guesser with many addresses. A hundred
/// an hour is far above what one person mistyping makes (five per address per quarter hour) and
/// far below what guessing needs; reaching it does lock the owner out too, for 15 minutes at first.
pub const PER_ACCOUNT: ThrottlePolicy = ThrottlePolicy {
    free_failures: 100,
    window: Duration::hours(1),
    first_block: Duration::minutes(15),
    max_block: Duration::hours(1),
};

/// Failures on an account from addresses other than the one it was last used from: at the tenth in an
/// hour its owner is told that someone is guessing (twice what one address may try before its lock).
pub const GUESSING_ELSEWHERE: ThrottlePolicy = ThrottlePolicy {
    free_failures: 10,
    window: Duration::hours(1),
    first_block: Duration::hours(1),
    max_block: Duration::hours(1),
};

/// Per address: more room, because several people may share an address (an office, a studio).
pub const PER_ADDRESS: ThrottlePolicy = ThrottlePolicy {
    free_failures: 20,
    window: Duration::minutes(15),
    first_block: Duration::seconds(30),
    max_block: Duration::minutes(15),
};

/// Reset requests per email address: three an hour. Someone whose mail is slow may ask again once
/// or twice; more than that in an hour helps nobody and only floods the inbox (at most 72 a day
/// instead of one per request).
pub const RESETS_PER_EMAIL: ThrottlePolicy = ThrottlePolicy {
    free_failures: 3,
    window: Duration::hours(1),
    first_block: Duration::hours(1),
    max_block: Duration::hours(1),
};

/// Reset requests per client address: twenty an hour. An office behind one address may have a few
/// people who forgot their password on the same morning, not twenty; a script asking for many
/// addresses (to flood them, or to time the answers) stops there.
pub const RESETS_PER_ADDRESS: ThrottlePolicy = ThrottlePolicy {
    free_failures: 20,
    window: Duration::hours(1),
    first_block: Duration::hours(1),
    max_block: Duration::hours(1),
};

impl ThrottlePolicy {
    /// Whether a request counted into `state` is within the free allowance of its window.
    #[must_use]
    pub fn allows(&self, state: ThrottleState) -> bool {
        state.failures <= self.free_failures
    }

    /// The state after one more failure at `now`.
    #[must_use]
    pub fn after_failure(
        &self,
        previous: Option<ThrottleState>,
        now: DateTime<Utc>,
    ) -> ThrottleState {
        let (failures, window_started_at) = match previous {
            Some(state)
                if now - state.window_started_at < self.window
                    || state.blocked_until.is_some_and(|b| b > now) =>
            {
                (state.failures + 1, state.window_started_at)
            }
            _ => (1, now),
        };
        let over = failures - self.free_failures;
        let blocked_until = (over >= 0).then(|| {
            let doublings = u32::try_from(over.min(10)).unwrap_or(10);
            let block = self.first_block * 2_i32.pow(doublings);
            now + block.min(self.max_block)
        });
        ThrottleState {
            failures,
            window_started_at,
            blocked_until,
        }
    }
}

/// Seconds left before the subject may try again, if it is blocked now.
#[must_use]
pub fn seconds_left(state: Option<ThrottleState>, now: DateTime<Utc>) -> Option<i64> {
    let until = state?.blocked_until?;
    let left = (until - now).num_milliseconds();
    (left > 0).then(|| (left + 999) / 1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fail(times: i32, now: DateTime<Utc>) -> ThrottleState {
        let mut state = None;
        for _ in 0..times {
            state = Some(PER_PAIR.after_failure(state, now));
        }
        state.unwrap()
    }

    #[test]
    fn four_failures_do_not_block_and_the_fifth_blocks_for_30_seconds() {
        let now = Utc::now();
        assert_eq!(seconds_left(Some(fail(4, now)), now), None);
        assert_eq!(seconds_left(Some(fail(5, now)), now), Some(30));
    }

    #[test]
    fn each_further_failure_doubles_the_block_up_to_15_minutes() {
        let now = Utc::now();
        assert_eq!(seconds_left(Some(fail(6, now)), now), Some(60));
        assert_eq!(seconds_left(Some(fail(7, now)), now), Some(120));
        assert_eq!(seconds_left(Some(fail(30, now)), now), Some(900));
    }

    #[test]
    fn failures_older_than_the_window_are_forgotten() {
        let then = Utc::now() - Duration::hours(1);
        let old = fail(4, then);
        let now = Utc::now();
        let fresh = PER_PAIR.after_failure(Some(old), now);
        assert_eq!(fresh.failures, 1);
        assert_eq!(seconds_left(Some(fresh), now), None);
    }

    #[test]
    fn three_reset_requests_an_hour_are_allowed_and_the_fourth_is_not() {
        let now = Utc::now();
        let mut state = None;
        let allowed: Vec<bool> = (0..4)
            .map(|_| {
                let counted = RESETS_PER_EMAIL.after_failure(state, now);
                state = Some(counted);
                RESETS_PER_EMAIL.allows(counted)
            })
            .collect();
        assert_eq!(allowed, [true, true, true, false]);
        let later = RESETS_PER_EMAIL.after_failure(state, now + Duration::minutes(121));
        assert!(
            RESETS_PER_EMAIL.allows(later),
            "an hour after the block, again"
        );
    }

    #[test]
    fn a_block_ends_when_its_time_is_over() {
        let now = Utc::now();
        let state = fail(5, now);
        assert_eq!(seconds_left(Some(state), now + Duration::seconds(31)), None);
    }
}
