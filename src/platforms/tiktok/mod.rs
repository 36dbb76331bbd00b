//! TikTok, read through a real browser with the creator's own session: the same code path for
//! tiktok.com and for the built-in demo network. Connects by pasted session or QR code, collects by
//! reading the Activity panel and the Messages.

pub mod collect;
pub mod extract;
pub mod page;
pub mod qr;
pub mod session;

pub use page::classify;

use crate::domain::cookies::Site;
use crate::domain::interaction::Kind;

use super::{Collection, Connection};

/// The variable that says where TikTok is.
pub const BASE_URL_VARIABLE: &str = "TIKTOK_BASE_URL";
const DEFAULT_BASE_URL: &str = "https://www.tiktok.com";

/// The ways a TikTok account connects.
pub const CONNECTIONS: &[Connection] = &[Connection::PastedSession, Connection::Qr];

/// How TikTok collects.
pub const COLLECTION: Collection = Collection::BrowserReading;

/// The kinds TikTok's Activity panel and Messages produce.
pub const KINDS: &[Kind] = &[
    Kind::Like,
    Kind::Comment,
    Kind::Follow,
    Kind::Share,
    Kind::Mention,
    Kind::CommentLike,
    Kind::Message,
];

/// The pages `vistaflow extract` reads from a saved file.
pub const SAVED_PAGES: &[&str] = &["tiktok-activity", "tiktok-messages"];

/// The cookies that prove a logged-in TikTok session; at least one must be present.
pub const SESSION_COOKIES: &[&str] = &["sessionid", "sessionid_ss", "sid_tt"];

/// Where TikTok is: tiktok.com, or the demo network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// `TIKTOK_BASE_URL`, without a trailing slash.
    pub base_url: String,
}

impl Settings {
    /// `TIKTOK_BASE_URL` through `var`, by default the demo network when it is on, else tiktok.com.
    pub fn read(
        var: &mut impl FnMut(&'static str, String) -> String,
        demo_url: Option<String>,
    ) -> Self {
        Self {
            base_url: var(
                BASE_URL_VARIABLE,
                demo_url.unwrap_or_else(|| DEFAULT_BASE_URL.to_owned()),
            ),
        }
    }
}

#[must_use]
pub fn profile_url(settings: &Settings, handle: &str) -> String {
    format!("{}/@{handle}", settings.base_url.trim_end_matches('/'))
}

#[must_use]
pub fn login_url(settings: &Settings) -> String {
    format!("{}/login", settings.base_url)
}

/// TikTok's session cookies on `host`; `sid_guard` says when the session ends.
#[must_use]
pub fn site(host: &str) -> Site<'_> {
    Site {
        host,
        session_cookies: SESSION_COOKIES,
        expiry_cookie: Some("sid_guard"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_profile_url_is_the_handle_under_the_base_url() {
        let settings = Settings {
            base_url: "https://www.tiktok.com/".into(),
        };
        assert_eq!(
            profile_url(&settings, "nina.beats"),
            "https://www.tiktok.com/@nina.beats"
        );
    }
}
