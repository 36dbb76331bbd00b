//! Reading the cookies a creator pastes from their browser, in any common export format, into one jar
//! that holds only the cookies of the platform's site. Refusals say what is wrong in plain words and
//! never repeat a cookie's value.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The formats people paste cookies in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CookieFormat {
    /// `a=1; b=2`, as in a request's `Cookie` header.
    HeaderString,
    /// Netscape `cookies.txt`: seven TAB-separated fields a line.
    Netscape,
    /// The JSON of EditThisCookie and of `chrome.cookies` (`expirationDate`, `hostOnly`...).
    ExtensionJson,
    /// Playwright or Puppeteer JSON (`expires`, `sameSite: "Lax"`), a list or a `storageState` object.
    PlaywrightJson,
    /// Rows copied from the browser's DevTools cookie table (Name, Value, Domain, Path, Expires...).
    DevToolsTable,
}

impl CookieFormat {
    /// The translation key of the format's name, for messages.
    #[must_use]
    pub const fn key(self) -> &'static str {
        match self {
            CookieFormat::HeaderString => "cookies.format_header",
            CookieFormat::Netscape => "cookies.format_netscape",
            CookieFormat::ExtensionJson => "cookies.format_extension",
            CookieFormat::PlaywrightJson => "cookies.format_playwright",
            CookieFormat::DevToolsTable => "cookies.format_devtools",
        }
    }
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cookie {
    pub name: String,
    pub value: String,
    /// Without a leading dot.
    pub domain: String,
    pub path: String,
    pub secure: bool,
    pub http_only: bool,
    /// `None` for a cookie that ends with the browser session.
    pub expires: Option<DateTime<Utc>>,
}

impl std::fmt::Debug for Cookie {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cookie")
            .field("name", &self.name)
            .field("domain", &self.domain)
            .field("expires", &self.expires)
            .finish_non_exhaustive()
    }
}

/// The cookies of one site, normalised, with what could be read of the session's expiry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CookieJar {
    pub format: CookieFormat,
    pub cookies: Vec<Cookie>,
    pub session_expires: Option<DateTime<Utc>>,
}

/// The site whose cookies are kept, and which of them prove a session: each platform gives its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Site<'a> {
    /// The host the cookies must be sent to (`www.example.com` keeps `.example.com` cookies too).
    pub host: &'a str,
    /// The cookies that prove a logged-in session; at least one must be present.
    pub session_cookies: &'a [&'a str],
    /// A cookie `sid|issued_unix|max_age_seconds|...` that says when the session ends, if the site sets one.
    pub expiry_cookie: Option<&'a str>,
}

impl CookieJar {
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&Cookie> {
        self.cookies.iter().find(|c| c.name == name)
    }

    /// A jar of cookies read from a browser, with the session's expiry from the site's expiry cookie or
    /// the session cookie itself.
    #[must_use]
    pub fn from_browser(cookies: Vec<Cookie>, site: Site<'_>) -> Self {
        let session_expires = session_expiry(&cookies, site);
        Self {
            format: CookieFormat::HeaderString,
            cookies,
            session_expires,
        }
    }

    /// The jar as a `Cookie` header value (`a=1; b=2`).
    #[must_use]
    pub fn to_header_string(&self) -> String {
        self.cookies
            .iter()
            .map(|c| format!("{}={}", c.name, c.value))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// Why pasted cookies were refused. Each carries what the message needs, never a cookie's value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CookieImportError {
    #[error("nothing was pasted")]
    Empty,
    #[error("this does not look like cookies in any format we know")]
    Unrecognised,
    #[error(
        "this looks like a Cookie header, but piece {position} has no '=' between a name and a value"
    )]
    HeaderPiece { position: usize },
    #[error("this looks like a cookies.txt file, but line {line} has {found} fields instead of 7")]
    NetscapeFields { line: usize, found: usize },
    #[error(
        "this looks like a cookies.txt file, but line {line} has an expiry that is not a number"
    )]
    NetscapeExpiry { line: usize },
    #[error("this looks like JSON, but it does not parse (line {line}, column {column})")]
    InvalidJson { line: usize, column: usize },
    #[error(
        "this JSON is not a list of cookies (expected [{{\"name\": ..., \"value\": ...}}] or {{\"cookies\": [...]}})"
    )]
    JsonNotCookies,
    #[error("cookie number {index} in this JSON has no {field:?}")]
    JsonEntry { index: usize, field: &'static str },
    #[error(
        "this looks like a copy of the DevTools cookie table, but row {line} has fewer than 4 columns"
    )]
    DevToolsRow { line: usize },
    #[error("none of the {found} cookies belongs to {site}")]
    NoCookiesForSite { found: usize, site: String },
    #[error("no sessionid cookie found for {site}: copy the cookies while logged in to {site}")]
    NoSessionCookie { site: String },
    #[error("the session cookie holds a placeholder, not a real value")]
    Placeholder,
    #[error("this session expired on {expired}: log in to {site} again and copy fresh cookies")]
    Expired {
        expired: DateTime<Utc>,
        site: String,
    },
}

impl CookieImportError {
    /// The translation key of the message shown on the form.
    #[must_use]
    pub const fn key(&self) -> &'static str {
        match self {
            CookieImportError::Empty => "cookies.empty",
            CookieImportError::Unrecognised => "cookies.unrecognised",
            CookieImportError::HeaderPiece { .. } => "cookies.header_piece",
            CookieImportError::NetscapeFields { .. } => "cookies.netscape_fields",
            CookieImportError::NetscapeExpiry { .. } => "cookies.netscape_expiry",
            CookieImportError::InvalidJson { .. } => "cookies.invalid_json",
            CookieImportError::JsonNotCookies => "cookies.json_not_cookies",
            CookieImportError::JsonEntry { .. } => "cookies.json_entry",
            CookieImportError::DevToolsRow { .. } => "cookies.devtools_row",
            CookieImportError::NoCookiesForSite { .. } => "cookies.no_cookies_for_site",
            CookieImportError::NoSessionCookie { .. } => "cookies.no_session_cookie",
            CookieImportError::Placeholder => "cookies.placeholder",
            CookieImportError::Expired { .. } => "cookies.expired",
        }
    }
}

/// Reads pasted cookies, keeps those the site's host would receive, and checks that they hold a real,
/// unexpired session (one of the site's session cookies).
///
/// # Errors
/// A [`CookieImportError`] naming the format it recognised and exactly what is wrong.
pub fn parse(
    input: &str,
    site: Site<'_>,
    now: DateTime<Utc>,
) -> Result<CookieJar, CookieImportError> {
    let site_host = site.host;
    let text = input.trim().trim_start_matches('\u{feff}');
    if text.is_empty() {
        return Err(CookieImportError::Empty);
    }
    let (format, all) = read_any(text, site_host)?;
    let found = all.len();
    let mut cookies: Vec<Cookie> = Vec::new();
    for cookie in all
        .into_iter()
        .filter(|c| domain_matches(site_host, &c.domain))
    {
        cookies.retain(|c| {
            !(c.name == cookie.name && c.domain == cookie.domain && c.path == cookie.path)
        });
        cookies.push(cookie);
    }
    let rules = site;
    let site = site_name(site_host);
    if cookies.is_empty() {
        return Err(CookieImportError::NoCookiesForSite { found, site });
    }
    let session = rules
        .session_cookies
        .iter()
        .find_map(|name| cookies.iter().find(|c| c.name == *name))
        .ok_or_else(|| CookieImportError::NoSessionCookie { site: site.clone() })?;
    if is_placeholder(&session.value) {
        return Err(CookieImportError::Placeholder);
    }
    let session_expires = session_expiry(&cookies, rules);
    if let Some(expired) = session_expires.filter(|at| *at <= now) {
        return Err(CookieImportError::Expired { expired, site });
    }
    Ok(CookieJar {
        format,
        cookies,
        session_expires,
    })
}

/// The site's name as people know it: `www.example.com` -> `example.com`.
fn site_name(host: &str) -> String {
    host.strip_prefix("www.").unwrap_or(host).to_owned()
}

/// Whether a cookie set for `domain` is sent to `host`.
fn domain_matches(host: &str, domain: &str) -> bool {
    let domain = domain.trim_start_matches('.').to_ascii_lowercase();
    let host = host.to_ascii_lowercase();
    !domain.is_empty() && (host == domain || host.ends_with(&format!(".{domain}")))
}

fn is_placeholder(value: &str) -> bool {
    let lower = value.trim().to_ascii_lowercase();
    let first = lower.chars().next();
    lower.len() < 8
        || lower.contains(['<', '>', '{', '}', ' '])
        || lower.contains("...")
        || lower.contains("xxxx")
        || [
            "your",
            "paste",
            "here",
            "redacted",
            "changeme",
            "example",
            "placeholder",
            "sessionid",
        ]
        .iter()
        .any(|w| lower.contains(w))
        || first.is_some_and(|f| lower.chars().all(|c| c == f))
}

/// When the session ends: from the site's expiry cookie when present, else the session cookie's own expiry.
fn session_expiry(cookies: &[Cookie], site: Site<'_>) -> Option<DateTime<Utc>> {
    let guard = site.expiry_cookie.and_then(|name| {
        cookies
            .iter()
            .find(|c| c.name == name)
            .and_then(|c| sid_guard_expiry(&c.value))
    });
    guard.or_else(|| {
        site.session_cookies
            .iter()
            .find_map(|name| cookies.iter().find(|c| c.name == *name))
            .and_then(|c| c.expires)
    })
}

/// An expiry cookie is `sid|issued_unix|max_age_seconds|expiry text`, usually percent-encoded.
fn sid_guard_expiry(value: &str) -> Option<DateTime<Utc>> {
    let decoded = value.replace("%7C", "|").replace("%7c", "|");
    let mut parts = decoded.split('|');
    let _sid = parts.next()?;
    let issued: i64 = parts.next()?.trim().parse().ok()?;
    let max_age: i64 = parts.next()?.trim().parse().ok()?;
    DateTime::from_timestamp(issued.checked_add(max_age)?, 0)
}

fn read_any(text: &str, site_host: &str) -> Result<(CookieFormat, Vec<Cookie>), CookieImportError> {
    if text.starts_with('[') || text.starts_with('{') {
        return read_json(text);
    }
    let lines: Vec<&str> = text.lines().collect();
    let looks_netscape = text.starts_with("# Netscape")
        || text.starts_with("# HTTP Cookie File")
        || lines.iter().any(|l| l.starts_with("#HttpOnly_"))
        || lines.iter().any(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            f.len() >= 5 && is_bool(f[1]) && is_bool(f[3])
        });
    if looks_netscape {
        return read_netscape(&lines).map(|c| (CookieFormat::Netscape, c));
    }
    let looks_table = lines.iter().any(|l| {
        let f = table_fields(l);
        (f.len() >= 4 && f[0].eq_ignore_ascii_case("name") && f[1].eq_ignore_ascii_case("value"))
            || (f.len() >= 4 && f[2].contains('.') && f[3].starts_with('/'))
    });
    if looks_table {
        return read_devtools(&lines).map(|c| (CookieFormat::DevToolsTable, c));
    }
    if text.contains('=') {
        return read_header(text, site_host).map(|c| (CookieFormat::HeaderString, c));
    }
    Err(CookieImportError::Unrecognised)
}

fn is_bool(field: &str) -> bool {
    field.eq_ignore_ascii_case("true") || field.eq_ignore_ascii_case("false")
}

fn read_header(text: &str, site_host: &str) -> Result<Vec<Cookie>, CookieImportError> {
    let text = text
        .strip_prefix("Cookie:")
        .or_else(|| text.strip_prefix("cookie:"))
        .unwrap_or(text);
    let mut cookies = Vec::new();
    for (index, piece) in text
        .split(';')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .enumerate()
    {
        let (name, value) = piece
            .split_once('=')
            .ok_or(CookieImportError::HeaderPiece {
                position: index + 1,
            })?;
        let name = name.trim();
        if name.is_empty() || name.contains(char::is_whitespace) {
            return Err(CookieImportError::HeaderPiece {
                position: index + 1,
            });
        }
        cookies.push(Cookie {
            name: name.to_owned(),
            value: value.trim().trim_matches('"').to_owned(),
            domain: site_host.to_owned(),
            path: "/".to_owned(),
            secure: true,
            http_only: false,
            expires: None,
        });
    }
    if cookies.is_empty() {
        Err(CookieImportError::Unrecognised)
    } else {
        Ok(cookies)
    }
}

fn read_netscape(lines: &[&str]) -> Result<Vec<Cookie>, CookieImportError> {
    let mut cookies = Vec::new();
    for (index, raw) in lines.iter().enumerate() {
        let line_number = index + 1;
        let (http_only, line) = match raw.strip_prefix("#HttpOnly_") {
            Some(rest) => (true, rest),
            None => (false, *raw),
        };
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.trim_end_matches('\r').split('\t').collect();
        if fields.len() != 7 {
            return Err(CookieImportError::NetscapeFields {
                line: line_number,
                found: fields.len(),
            });
        }
        let seconds: f64 = fields[4]
            .trim()
            .parse()
            .map_err(|_| CookieImportError::NetscapeExpiry { line: line_number })?;
        #[expect(
            clippy::cast_possible_truncation,
            reason = "cookie expiries are whole seconds well inside i64"
        )]
        let expiry = seconds as i64;
        cookies.push(Cookie {
            name: fields[5].to_owned(),
            value: fields[6].to_owned(),
            domain: fields[0].trim_start_matches('.').to_owned(),
            path: fields[2].to_owned(),
            secure: fields[3].eq_ignore_ascii_case("true"),
            http_only,
            expires: (expiry > 0)
                .then(|| DateTime::from_timestamp(expiry, 0))
                .flatten(),
        });
    }
    Ok(cookies)
}

/// A DevTools row: columns separated by TABs, or by two spaces or more when the TABs were lost.
fn table_fields(line: &str) -> Vec<&str> {
    if line.contains('\t') {
        line.split('\t').map(str::trim).collect()
    } else {
        line.split("  ")
            .map(str::trim)
            .filter(|f| !f.is_empty())
            .collect()
    }
}

fn read_devtools(lines: &[&str]) -> Result<Vec<Cookie>, CookieImportError> {
    let mut cookies = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        let fields = table_fields(line);
        if line.trim().is_empty()
            || (fields
                .first()
                .is_some_and(|f| f.eq_ignore_ascii_case("name"))
                && fields
                    .get(1)
                    .is_some_and(|f| f.eq_ignore_ascii_case("value")))
        {
            continue;
        }
        if fields.len() < 4 {
            return Err(CookieImportError::DevToolsRow { line: index + 1 });
        }
        let flags = &fields[4.min(fields.len())..];
        let expires = fields
            .get(4)
            .and_then(|e| DateTime::parse_from_rfc3339(e).ok())
            .map(|d| d.with_timezone(&Utc));
        // Columns after Size: HttpOnly and Secure show a check mark when set.
        let checks: Vec<bool> = flags
            .iter()
            .skip(2)
            .take(2)
            .map(|f| f.contains('✓'))
            .collect();
        cookies.push(Cookie {
            name: fields[0].to_owned(),
            value: fields[1].to_owned(),
            domain: fields[2].trim_start_matches('.').to_owned(),
            path: fields[3].to_owned(),
            http_only: checks.first().copied().unwrap_or(false),
            secure: checks.get(1).copied().unwrap_or(false),
            expires,
        });
    }
    Ok(cookies)
}

fn read_json(text: &str) -> Result<(CookieFormat, Vec<Cookie>), CookieImportError> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| CookieImportError::InvalidJson {
            line: e.line(),
            column: e.column(),
        })?;
    let (entries, storage_state) = match &value {
        serde_json::Value::Array(entries) => (entries, false),
        serde_json::Value::Object(object) => match object.get("cookies") {
            Some(serde_json::Value::Array(entries)) => (entries, true),
            _ => return Err(CookieImportError::JsonNotCookies),
        },
        _ => return Err(CookieImportError::JsonNotCookies),
    };
    let extension = entries.iter().any(|e| {
        e.get("expirationDate").is_some()
            || e.get("hostOnly").is_some()
            || e.get("storeId").is_some()
    });
    let format = if extension && !storage_state {
        CookieFormat::ExtensionJson
    } else {
        CookieFormat::PlaywrightJson
    };
    let mut cookies = Vec::new();
    for (index, entry) in entries.iter().enumerate() {
        let text_field = |field: &'static str| -> Result<String, CookieImportError> {
            entry
                .get(field)
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned)
                .ok_or(CookieImportError::JsonEntry {
                    index: index + 1,
                    field,
                })
        };
        if !entry.is_object() {
            return Err(CookieImportError::JsonNotCookies);
        }
        let seconds = entry
            .get("expirationDate")
            .or_else(|| entry.get("expires"))
            .and_then(serde_json::Value::as_f64);
        let session = entry
            .get("session")
            .and_then(serde_json::Value::as_bool)
            .unwrap_or(false);
        #[expect(
            clippy::cast_possible_truncation,
            reason = "cookie expiries are whole seconds well inside i64"
        )]
        let expires = seconds
            .filter(|s| *s > 0.0 && !session)
            .and_then(|s| DateTime::from_timestamp(s as i64, 0));
        let flag = |field: &str| {
            entry
                .get(field)
                .and_then(serde_json::Value::as_bool)
                .unwrap_or(false)
        };
        cookies.push(Cookie {
            name: text_field("name")?,
            value: text_field("value")?,
            domain: text_field("domain")?.trim_start_matches('.').to_owned(),
            path: entry
                .get("path")
                .and_then(serde_json::Value::as_str)
                .unwrap_or("/")
                .to_owned(),
            secure: flag("secure"),
            http_only: flag("httpOnly"),
            expires,
        });
    }
    Ok((format, cookies))
}

#[cfg(test)]
mod tests;
