//! What a TikTok page says about the session that loaded it, read from its HTML in one pass.

use scraper::{Html, Selector};

use crate::domain::account::Handle;
use crate::platforms::SessionState;

fn has(document: &Html, css: &str) -> bool {
    Selector::parse(css).is_ok_and(|selector| document.select(&selector).next().is_some())
}

/// The logged-in user of the page's rehydration data: `__DEFAULT_SCOPE__["webapp.app-context"].user`.
fn app_context_user(document: &Html) -> Option<(String, Option<String>)> {
    let selector = Selector::parse("script#__UNIVERSAL_DATA_FOR_REHYDRATION__").ok()?;
    let json: String = document.select(&selector).next()?.text().collect();
    let data: serde_json::Value = serde_json::from_str(&json).ok()?;
    let user = data
        .get("__DEFAULT_SCOPE__")?
        .get("webapp.app-context")?
        .get("user")?;
    let handle = user.get("uniqueId")?.as_str()?.to_owned();
    let nickname = user
        .get("nickname")
        .and_then(serde_json::Value::as_str)
        .map(str::to_owned)
        .filter(|n| !n.trim().is_empty());
    Some((handle, nickname))
}

/// Classifies a page from its URL and HTML source.
#[must_use]
pub fn classify(url: &str, html: &str) -> SessionState {
    let document = Html::parse_document(html);
    if has(&document, "#captcha_container, [id*='secsdk-captcha']") {
        return SessionState::Blocked;
    }
    let path = url.split('?').next().unwrap_or(url);
    if path.contains("/login") || has(&document, "[data-e2e='top-login-button']") {
        return SessionState::Expired;
    }
    let logged_in_markers = has(
        &document,
        "[data-e2e='profile-icon'], [data-e2e='upload-icon']",
    );
    match app_context_user(&document) {
        Some((handle, display_name)) if logged_in_markers => match Handle::parse(&handle) {
            Ok(handle) => SessionState::Active {
                handle,
                display_name,
            },
            Err(_) => SessionState::Unrecognised,
        },
        None if !logged_in_markers
            && has(&document, "script#__UNIVERSAL_DATA_FOR_REHYDRATION__") =>
        {
            SessionState::Expired
        }
        _ => SessionState::Unrecognised,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn home(user: &str, markers: &str) -> String {
        format!(
            r#"<html><body><header>{markers}<div data-e2e="nav-activity"></div></header>
            <script id="__UNIVERSAL_DATA_FOR_REHYDRATION__" type="application/json">{{"__DEFAULT_SCOPE__":{{"webapp.app-context":{{"language":"en",{user}}}}}}}</script></body></html>"#
        )
    }

    #[test]
    fn a_logged_in_home_page_names_its_owner() {
        let html = home(
            r#""user":{"uniqueId":"studio.nova","nickname":"Studio Nova 🎧"}"#,
            r#"<a data-e2e="profile-icon"></a>"#,
        );
        let state = classify("https://www.tiktok.com/foryou", &html);
        assert_eq!(
            state,
            SessionState::Active {
                handle: Handle::parse("studio.nova").unwrap(),
                display_name: Some("Studio Nova 🎧".into())
            }
        );
    }

    #[test]
    fn an_empty_nickname_is_no_display_name() {
        let html = home(
            r#""user":{"uniqueId":"nina","nickname":" "}"#,
            r#"<div data-e2e="upload-icon"></div>"#,
        );
        assert!(matches!(
            classify("https://www.tiktok.com/", &html),
            SessionState::Active {
                display_name: None,
                ..
            }
        ));
    }

    #[test]
    fn the_login_page_or_the_login_button_means_expired() {
        assert_eq!(
            classify(
                "https://www.tiktok.com/login?redirect_url=https%3A%2F%2Fwww.tiktok.com%2F",
                "<html></html>"
            ),
            SessionState::Expired
        );
        let logged_out = home(
            r#""region":"FR""#,
            r#"<button data-e2e="top-login-button">Log in</button>"#,
        );
        assert_eq!(
            classify("https://www.tiktok.com/", &logged_out),
            SessionState::Expired
        );
        let no_user = home(r#""region":"FR""#, "");
        assert_eq!(
            classify("https://www.tiktok.com/", &no_user),
            SessionState::Expired
        );
    }

    #[test]
    fn a_captcha_means_blocked_whatever_else_the_page_holds() {
        let html = home(
            r#""user":{"uniqueId":"nina"}"#,
            r#"<a data-e2e="profile-icon"></a><div id="captcha_container"></div>"#,
        );
        assert_eq!(
            classify("https://www.tiktok.com/", &html),
            SessionState::Blocked
        );
        assert_eq!(
            classify(
                "https://www.tiktok.com/",
                r#"<div id="tiktok-verify-ele"><div id="secsdk-captcha-drag-wrapper"></div></div>"#
            ),
            SessionState::Blocked
        );
    }

    #[test]
    fn an_unknown_page_is_unrecognised_not_guessed() {
        assert_eq!(
            classify(
                "https://www.tiktok.com/",
                "<html><body>Maintenance</body></html>"
            ),
            SessionState::Unrecognised
        );
        let markers_without_data = r#"<a data-e2e="profile-icon"></a>"#;
        assert_eq!(
            classify("https://www.tiktok.com/", markers_without_data),
            SessionState::Unrecognised
        );
    }
}
