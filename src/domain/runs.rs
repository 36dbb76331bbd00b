//! Runs of background work as they are recorded: a sync's trigger, step and outcome, what started an
//! analysis pass, a job's outcome.

stored_enum! {
    /// What started a sync.
    pub enum SyncTrigger {
        /// The scheduler found the account due.
        Schedule = "schedule",
        /// Someone pressed "Sync now".
        Manual = "manual",
    }
}

stored_enum! {
    /// Where a sync stands, or how it ended.
    pub enum SyncStatus {
        Running = "running",
        Succeeded = "succeeded",
        /// It stopped on an error (the run's error key says which).
        Failed = "failed",
        /// The platform sent the session to its login page.
        Expired = "expired",
        /// The platform showed a captcha or a block.
        Blocked = "blocked",
        /// Every browser was busy: nothing was read, and it is due again at the next round.
        Waiting = "waiting",
    }
}

stored_enum! {
    /// The step a sync is in, shown while it runs (`sync.phase.<id>` is its label).
    pub enum SyncPhase {
        Starting = "starting",
        /// Reading the platform.
        Activity = "activity",
        /// Storing what is new.
        Storing = "storing",
        Done = "done",
    }
}

stored_enum! {
    /// What started an analysis pass.
    pub enum AnalysisTrigger {
        /// A sync stored something new.
        Sync = "sync",
        /// The scheduled catch-up.
        Schedule = "schedule",
        /// The daily rescoring (interactions fade with time).
        DailyRescore = "daily_rescore",
        /// Someone asked for it (the command line, the tests).
        Manual = "manual",
        /// Webhook deliveries stored something new.
        Webhook = "webhook",
    }
}

stored_enum! {
    /// Where a scheduled job's run stands (`admin.job_status.<id>` is its label).
    pub enum JobStatus {
        Running = "running",
        Succeeded = "succeeded",
        Failed = "failed",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_run_value_reads_back_what_it_writes_and_nothing_else_parses() {
        for trigger in SyncTrigger::ALL {
            assert_eq!(SyncTrigger::parse(trigger.as_str()), Some(*trigger));
        }
        for status in SyncStatus::ALL {
            assert_eq!(SyncStatus::parse(status.as_str()), Some(*status));
        }
        for phase in SyncPhase::ALL {
            assert_eq!(SyncPhase::parse(phase.as_str()), Some(*phase));
        }
        for trigger in AnalysisTrigger::ALL {
            assert_eq!(AnalysisTrigger::parse(trigger.as_str()), Some(*trigger));
        }
        for status in JobStatus::ALL {
            assert_eq!(JobStatus::parse(status.as_str()), Some(*status));
        }
        assert_eq!(SyncStatus::parse("Succeeded"), None);
        assert_eq!(SyncPhase::parse(""), None);
        assert_eq!(JobStatus::parse("waiting"), None);
    }
}
