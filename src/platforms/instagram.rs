//! Instagram: known to the registry (its leads and filters exist) but not connectable yet. Its OAuth
//! connection, API pulls and webhooks come with the Instagram issue, following the checklist in
//! docs/ARCHITECTURE.md.

use crate::domain::cookies::Site;
use crate::domain::interaction::Kind;

use super::{Collection, Connection};

/// Where Instagram is.
pub const BASE_URL: &str = "https://www.instagram.com";

/// No way to connect yet.
pub const CONNECTIONS: &[Connection] = &[];

/// Nothing collected yet.
pub const COLLECTION: Option<Collection> = None;

/// No kinds produced yet.
pub const KINDS: &[Kind] = &[];

#[must_use]
pub fn profile_url(handle: &str) -> String {
    format!("{BASE_URL}/{handle}/")
}

/// Instagram's session cookie, for when a session is checked.
#[must_use]
pub fn site(host: &str) -> Site<'_> {
    Site {
        host,
        session_cookies: &["sessionid"],
        expiry_cookie: None,
    }
}

/// What an Instagram account cannot do yet.
pub(super) fn unsupported<T>(what: &str) -> anyhow::Result<T> {
    anyhow::bail!("Instagram does not support {what} yet")
}
