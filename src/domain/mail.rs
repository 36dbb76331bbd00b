//! Mail as the queue records it: what a message is for, and where its delivery stands.

stored_enum! {
    /// What a queued message is for.
    pub enum MailKind {
        /// The link that confirms an address.
        EmailVerification = "email_verification",
        /// The link that sets a new password.
        PasswordReset = "password_reset",
        /// The link that joins a workspace.
        Invitation = "invitation",
        /// A connected account's session expired.
        AccountExpired = "account_expired",
        /// A day later, the account is still expired.
        AccountExpiredReminder = "account_expired_reminder",
        /// Someone elsewhere keeps failing to log in as the person.
        LoginWarning = "login_warning",
    }
}

impl MailKind {
    /// Whether its link lets the reader act as someone (reset a password, verify an address, join a
    /// workspace): such a message's text is not kept once delivered.
    #[must_use]
    pub const fn carries_a_credential(self) -> bool {
        matches!(
            self,
            MailKind::PasswordReset | MailKind::EmailVerification | MailKind::Invitation
        )
    }
}

stored_enum! {
    /// Where a message's delivery stands (`admin.email_status.<id>` is its label).
    pub enum MailStatus {
        /// Queued, or waiting for another attempt after a temporary failure.
        Pending = "pending",
        Sent = "sent",
        /// Given up: a permanent failure, or too many attempts.
        Failed = "failed",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_and_status_reads_back_what_it_writes_and_nothing_else_parses() {
        for kind in MailKind::ALL {
            assert_eq!(MailKind::parse(kind.as_str()), Some(*kind));
        }
        for status in MailStatus::ALL {
            assert_eq!(MailStatus::parse(status.as_str()), Some(*status));
        }
        assert_eq!(MailKind::parse("test"), None);
        assert_eq!(MailStatus::parse("Sent"), None);
    }

    #[test]
    fn only_the_single_use_links_carry_a_credential() {
        let carrying: Vec<&str> = MailKind::ALL
            .iter()
            .filter(|k| k.carries_a_credential())
            .map(|k| k.as_str())
            .collect();

        assert_eq!(
            carrying,
            ["email_verification", "password_reset", "invitation"]
        );
    }
}
