//! Logging: structured `tracing` output, text for people or JSON for log collectors.

use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

/// The default levels. Browser and HTTP client internals stay at warn: at debug they would print the
/// WebDriver commands, and those carry cookie values.
pub const DEFAULT_FILTER: &str = "info,thirtyfour=warn,reqwest=warn,hyper=warn,hyper_util=warn";

/// Installs the global subscriber once; `RUST_LOG` overrides the default levels.
pub fn init(format: LogFormat) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    let _ = match format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

/// Paths whose next segment is a secret (a single-use link's token): logged as `[redacted]`.
const SECRET_SEGMENT_AFTER: [&str; 3] =
    ["/password/reset/", "/email/verify/", "/invitations/join/"];

/// Query parameters whose value is a secret (tokens, OAuth codes and states): logged as `[redacted]`.
const SECRET_PARAMETERS: [&str; 4] = ["token", "code", "state", "csrf_token"];

/// Whether a (possibly percent-encoded) query value is a path to a single-use link.
fn holds_secret_path(value: &str) -> bool {
    let decoded: String = url::form_urlencoded::parse(format!("v={value}").as_bytes())
        .map(|(_, v)| v.into_owned())
        .collect();
    SECRET_SEGMENT_AFTER
        .iter()
        .any(|prefix| decoded.contains(prefix))
}

/// A request's path and query as the request log may show them: no token of a single-use link, no OAuth
/// code, nothing that would let a reader of the logs act as someone.
#[must_use]
pub fn redacted_target(path_and_query: &str) -> String {
    let (path, query) = path_and_query
        .split_once('?')
        .map_or((path_and_query, None), |(p, q)| (p, Some(q)));
    let mut shown = path.to_owned();
    for prefix in SECRET_SEGMENT_AFTER {
        if let Some(at) = shown.find(prefix) {
            let start = at + prefix.len();
            let end = shown[start..].find('/').map_or(shown.len(), |i| start + i);
            shown.replace_range(start..end, "[redacted]");
        }
    }
    if let Some(query) = query {
        let pairs: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((key, _)) if SECRET_PARAMETERS.contains(&key) => format!("{key}=[redacted]"),
                // A `next` path may itself be a single-use link (log in, then join).
                Some((key, value)) if holds_secret_path(value) => format!("{key}=[redacted]"),
                _ => pair.to_owned(),
            })
            .collect();
        shown.push('?');
        shown.push_str(&pairs.join("&"));
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_of_single_use_links_and_oauth_codes_never_reach_the_request_log() {
        assert_eq!(
            redacted_target("/password/reset/abcDEF123"),
            "/password/reset/[redacted]"
        );
        assert_eq!(
            redacted_target("/email/verify/xyz?next=/w/a"),
            "/email/verify/[redacted]?next=/w/a"
        );
        assert_eq!(
            redacted_target("/oauth/instagram/callback?code=AQD&state=s3cr3t&x=1"),
            "/oauth/instagram/callback?code=[redacted]&state=[redacted]&x=1"
        );
        assert_eq!(
            redacted_target("/login?next=%2Finvitations%2Fjoin%2Fabc"),
            "/login?next=[redacted]"
        );
        assert_eq!(
            redacted_target("/register?next=/invitations/join/abc&x=1"),
            "/register?next=[redacted]&x=1"
        );
        assert_eq!(
            redacted_target("/w/studio/leads?q=nina"),
            "/w/studio/leads?q=nina"
        );
    }
}
