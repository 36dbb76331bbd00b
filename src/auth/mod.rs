//! Authentication: password hashing, login with throttling, and the session keys it writes.

pub mod login;
pub mod password;
pub mod token;
pub mod verification;

/// Keys of the values kept in a web session.
pub mod session_keys {
    pub const USER_ID: &str = "user_id";
    pub const LOGGED_IN_AT: &str = "logged_in_at";
    pub const SEEN_AT: &str = "seen_at";
    pub const CSRF: &str = "csrf";
    pub const LANG: &str = "lang";
    pub const FLASH: &str = "flash";
    /// The nonce binding an Instagram consent screen to this session.
    pub const INSTAGRAM_OAUTH: &str = "instagram_oauth";
}
