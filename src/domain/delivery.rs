//! A webhook delivery as the inbox keeps it: received (acknowledged, waiting for the worker), processed
//! (its events stored or ignored), or failed (signed but unreadable: kept for an admin to see and replay).

stored_enum! {
    /// Where a delivery in the inbox stands.
    pub enum DeliveryStatus {
        /// Acknowledged to the platform, not turned into interactions yet.
        Received = "received",
        /// Its events were stored (or ignored, for unknown accounts and fields).
        Processed = "processed",
        /// It could not be read, or its processing kept failing: an admin can replay it.
        Failed = "failed",
    }
}

/// How many times a delivery whose processing fails for a passing reason (the platform throttling, the
/// database away) is tried before it is failed.
pub const MAX_ATTEMPTS: i32 = 8;

/// How long to wait before the `attempt`-th retry: 30 s doubled each time, at most an hour.
#[must_use]
pub fn retry_delay(attempt: i32) -> chrono::Duration {
    let doublings = u32::try_from(attempt.clamp(1, 8) - 1).unwrap_or(0);
    chrono::Duration::seconds((30_i64 << doublings).min(3_600))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_longer_each_time_and_never_more_than_an_hour() {
        assert_eq!(retry_delay(1), chrono::Duration::seconds(30));
        assert_eq!(retry_delay(2), chrono::Duration::seconds(60));
        assert_eq!(retry_delay(7), chrono::Duration::seconds(1_920));
        assert_eq!(retry_delay(8), chrono::Duration::seconds(3_600));
        assert_eq!(retry_delay(50), chrono::Duration::seconds(3_600));
    }

    #[test]
    fn statuses_read_back_from_their_stored_ids() {
        for status in DeliveryStatus::ALL {
            assert_eq!(DeliveryStatus::parse(status.as_str()), Some(*status));
        }
    }
}
