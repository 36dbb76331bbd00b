//! Connected social accounts: handles and the states a connection can be in (the platforms are in
//! `domain::platform`).

use super::Invalid;

/// A platform handle as its owner's page shows it, without the `@`: 2 to 30 of letters, digits, `.` and `_`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Handle(String);

impl Handle {
    /// # Errors
    /// `errors.handle_invalid` for anything else.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let handle = input.trim().trim_start_matches('@');
        let valid = (2..=30).contains(&handle.len())
            && handle
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_');
        if valid {
            Ok(Self(handle.to_owned()))
        } else {
            Err(Invalid::new("errors.handle_invalid"))
        }
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Handle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "@{}", self.0)
    }
}

/// Where a connection stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, diesel::AsExpression, diesel::FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum AccountStatus {
    /// The session works and the account's own page answers.
    Active,
    /// The platform sends the session to its login page: the creator must reconnect.
    Expired,
    /// The platform shows a captcha or a block: reported, never solved or bypassed.
    Blocked,
    /// Checks fail for another reason (the platform or the browser did not answer).
    Failing,
    /// The creator disconnected it; its credentials are deleted.
    Disconnected,
}

impl AccountStatus {
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            AccountStatus::Active => "active",
            AccountStatus::Expired => "expired",
            AccountStatus::Blocked => "blocked",
            AccountStatus::Failing => "failing",
            AccountStatus::Disconnected => "disconnected",
        }
    }

    #[must_use]
    pub fn parse(input: &str) -> Option<Self> {
        match input {
            "active" => Some(AccountStatus::Active),
            "expired" => Some(AccountStatus::Expired),
            "blocked" => Some(AccountStatus::Blocked),
            "failing" => Some(AccountStatus::Failing),
            "disconnected" => Some(AccountStatus::Disconnected),
            _ => None,
        }
    }
}

stored_enum! {
    /// How an account's session reached VistaFlow.
    pub enum ConnectedVia {
        /// Browser cookies pasted on the Accounts page.
        Cookies = "cookies",
        /// A QR code scanned with the platform's app.
        Qr = "qr",
        /// A platform's own OAuth consent screen (Instagram).
        OAuth = "oauth",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_handle_loses_its_at_sign_and_keeps_its_case() {
        assert_eq!(
            Handle::parse(" @Studio.Nova_92 ").unwrap().as_str(),
            "Studio.Nova_92"
        );
        assert_eq!(Handle::parse("nina").unwrap().to_string(), "@nina");
    }

    #[test]
    fn malformed_handles_are_refused() {
        for bad in ["", "@", "a", "nina beats", "nina/../x", &"x".repeat(31)] {
            assert!(Handle::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn statuses_read_back_from_their_names() {
        for status in [
            AccountStatus::Active,
            AccountStatus::Expired,
            AccountStatus::Blocked,
            AccountStatus::Failing,
            AccountStatus::Disconnected,
        ] {
            assert_eq!(AccountStatus::parse(status.as_str()), Some(status));
        }
    }

    #[test]
    fn connection_ways_read_back_from_their_names() {
        for via in ConnectedVia::ALL {
            assert_eq!(ConnectedVia::parse(via.as_str()), Some(*via));
        }
        assert_eq!(ConnectedVia::parse("password"), None);
    }
}
