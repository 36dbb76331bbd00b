//! Pure types and rules: values parsed from input, roles and their rules, throttling policy. No I/O here.

pub mod account;
pub mod contact;
pub mod cookies;
pub mod cursor;
pub mod draft;
pub mod email;
pub mod interaction;
pub mod lead_status;
pub mod lead_type;
pub mod message_template;
pub mod message_text;
pub mod names;
pub mod password;
pub mod platform;
pub mod platform_time;
pub mod quota;
pub mod role;
pub mod scoring;
pub mod throttle;

pub use email::EmailAddress;
pub use names::{DisplayName, Slug, WorkspaceName};
pub use password::NewPassword;
pub use role::Role;

/// Why a value was refused: a translation key (for the form) and, when useful, the offending detail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    /// The i18n key of the message shown next to the field.
    pub key: &'static str,
}

impl Invalid {
    #[must_use]
    pub const fn new(key: &'static str) -> Self {
        Self { key }
    }
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key)
    }
}

impl std::error::Error for Invalid {}
