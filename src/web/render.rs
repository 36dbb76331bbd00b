//! What every page shares (the chrome: language, token, navigation, flash) and how responses are made:
//! full pages, 422 forms, redirects that also work for htmx.

use std::borrow::Cow;

use chrono::{Datelike as _, Timelike as _};

use actix_session::Session;
use actix_web::HttpResponse;
use actix_web::http::{StatusCode, header};
use askama::Template;
use serde::{Deserialize, Serialize};

use crate::auth::session_keys;
use crate::domain::Role;
use crate::error::AppError;
use crate::i18n::Lang;

/// The person shown in the header.
#[derive(Debug, Clone)]
pub struct NavUser {
    pub display_name: String,
    pub email: String,
    pub is_admin: bool,
    /// False until the person confirms their address: the layout then offers a new link.
    pub email_verified: bool,
}

/// A workspace in the switcher.
#[derive(Debug, Clone)]
pub struct NavWorkspace {
    pub slug: String,
    pub name: String,
    pub role: Role,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FlashKind {
    Success,
    Error,
}

/// A one-time message shown on the next page (after POST-redirect-GET).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Flash {
    pub kind: FlashKind,
    pub text: String,
}

impl Flash {
    #[must_use]
    pub fn is_error(&self) -> bool {
        self.kind == FlashKind::Error
    }
}

/// Stores a flash message for the next page.
pub fn flash(session: &Session, kind: FlashKind, text: impl Into<String>) {
    if let Err(error) = session.insert(
        session_keys::FLASH,
        Flash {
            kind,
            text: text.into(),
        },
    ) {
        tracing::warn!(%error, "could not store a flash message");
    }
}

/// What the layout needs on every page.
#[derive(Debug, Clone, Default)]
pub struct Chrome {
    pub lang: Lang,
    pub csrf_token: String,
    pub user: Option<NavUser>,
    pub workspace: Option<NavWorkspace>,
    pub workspaces: Vec<NavWorkspace>,
    pub flash: Option<Flash>,
    /// The path and query of this page, where the language switch comes back to.
    pub path: String,
}

impl Chrome {
    /// A chrome with nothing but a language, for error pages.
    #[must_use]
    pub fn bare(lang: Lang) -> Self {
        Self {
            lang,
            ..Self::default()
        }
    }

    #[must_use]
    pub fn t(&self, key: &str) -> Cow<'static, str> {
        self.lang.t(key)
    }

    #[must_use]
    pub fn t_with(&self, key: &str, name: &str, value: &str) -> String {
        self.lang.t_with(key, name, value)
    }

    /// Whether this page belongs to the navigation entry `section` (for `aria-current`).
    #[must_use]
    pub fn is_section(&self, section: &str) -> bool {
        let path = self.path.split('?').next().unwrap_or_default();
        match (&self.workspace, section) {
            (Some(ws), "dashboard") => {
                path == format!("/w/{}/", ws.slug) || path == format!("/w/{}", ws.slug)
            }
            (Some(ws), section) => path.starts_with(&format!("/w/{}/{section}", ws.slug)),
            (None, section) => path.starts_with(&format!("/{section}")),
        }
    }

    /// The text of `key` in the group `group` (`t_in("roles", "owner")` is `t("roles.owner")`).
    #[must_use]
    pub fn t_in(&self, group: &str, key: &str) -> Cow<'static, str> {
        self.t(&format!("{group}.{key}"))
    }

    /// The navigation label of a workspace section.
    #[must_use]
    pub fn nav_label(&self, section: &str) -> Cow<'static, str> {
        self.t_in("nav", section)
    }

    /// The link to `page` of the current workspace (`""` for its dashboard).
    #[must_use]
    pub fn ws_url(&self, page: &str) -> String {
        self.workspace.as_ref().map_or_else(
            || "/workspaces".to_owned(),
            |ws| format!("/w/{}/{page}", ws.slug),
        )
    }

    #[must_use]
    pub fn role_name(&self, role: impl std::borrow::Borrow<Role>) -> Cow<'static, str> {
        self.t_in("roles", role.borrow().as_str())
    }

    #[must_use]
    pub fn datetime(&self, at: &chrono::DateTime<chrono::Utc>) -> String {
        // Written field by field: a page formats hundreds of times, and a format string is parsed each time.
        let (y, m, d, h, min) = (at.year(), at.month(), at.day(), at.hour(), at.minute());
        match self.lang {
            Lang::En => format!("{y:04}-{m:02}-{d:02} {h:02}:{min:02} UTC"),
            Lang::Fr => format!("{d:02}/{m:02}/{y:04} {h:02}:{min:02} UTC"),
        }
    }

    /// The UTC day of `at`, for times only known to the day or coarser.
    #[must_use]
    pub fn date(&self, at: &chrono::DateTime<chrono::Utc>) -> String {
        let (y, m, d) = (at.year(), at.month(), at.day());
        match self.lang {
            Lang::En => format!("{y:04}-{m:02}-{d:02}"),
            Lang::Fr => format!("{d:02}/{m:02}/{y:04}"),
        }
    }
}

/// Renders a template with a status (200 for pages, 422 for a form with errors).
///
/// # Errors
/// When the template fails to render.
pub fn html(status: StatusCode, template: &impl Template) -> Result<HttpResponse, AppError> {
    let body = template
        .render()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("rendering a template: {e}")))?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(body))
}

/// A form came back with errors: the same page, status 422, messages next to the fields.
///
/// # Errors
/// When the template fails to render.
/// Tells htmx which address to show for a fragment (`HX-Push-Url`), so the list stays bookmarkable.
pub fn push_url(response: &mut HttpResponse, url: &str) {
    if let Ok(value) = header::HeaderValue::from_str(url) {
        response
            .headers_mut()
            .insert(header::HeaderName::from_static("hx-push-url"), value);
    }
}

/// Marks a response that is a fragment or a page depending on `HX-Request`, so caches keep them apart.
pub fn vary_on_htmx(response: &mut HttpResponse) {
    response
        .headers_mut()
        .insert(header::VARY, header::HeaderValue::from_static("HX-Request"));
}

pub fn invalid(template: &impl Template) -> Result<HttpResponse, AppError> {
    html(StatusCode::UNPROCESSABLE_ENTITY, template)
}

/// After a successful POST: a 303 to the next page, or `HX-Redirect` when htmx sent the form.
#[must_use]
pub fn redirect(htmx: bool, to: &str) -> HttpResponse {
    if htmx {
        HttpResponse::Ok()
            .insert_header(("HX-Redirect", to))
            .finish()
    } else {
        HttpResponse::SeeOther()
            .insert_header((header::LOCATION, to))
            .finish()
    }
}

/// Keeps a `next` or `back` parameter only when it is a path on this site (no open redirect): it starts
/// with one `/`, holds no backslash, whitespace or control character (browsers drop a tab or a line break
/// from `/\t/evil.example` and go to `//evil.example`), and resolved against this site it stays on it.
#[must_use]
pub fn local_path(next: Option<&str>) -> Option<String> {
    let next = next?;
    let plain = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains(|c: char| c == '\\' || c.is_whitespace() || c.is_control());
    if !plain {
        return None;
    }
    let base = url::Url::parse("http://this.site.invalid/").ok()?;
    let resolved = base.join(next).ok()?;
    (resolved.origin() == base.origin()).then(|| next.to_owned())
}

/// Field errors of a form: the field's name and the translation key of its message.
#[derive(Debug, Clone, Default)]
pub struct FormErrors(Vec<(&'static str, &'static str)>);

impl FormErrors {
    pub fn add(&mut self, field: &'static str, key: &'static str) {
        self.0.push((field, key));
    }

    /// Keeps the parsed value, or records its error under `field`.
    pub fn check<T>(
        &mut self,
        field: &'static str,
        parsed: Result<T, crate::domain::Invalid>,
    ) -> Option<T> {
        parsed.map_err(|invalid| self.add(field, invalid.key)).ok()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The message key for `field`, if it has an error.
    #[must_use]
    pub fn get(&self, field: &str) -> Option<&'static str> {
        self.0
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, key)| *key)
    }

    #[must_use]
    pub fn has(&self, field: &str) -> bool {
        self.get(field).is_some()
    }

    /// Every error as (field, message key), in the order found.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &'static str)> + '_ {
        self.0.iter().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_kept_as_next() {
        assert_eq!(
            local_path(Some("/w/studio/leads?q=a")),
            Some("/w/studio/leads?q=a".to_owned())
        );
        for outside in [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "evil",
            "",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r/evil.example",
            "/ /evil.example",
            " //evil.example",
            "/\u{0}/evil.example",
            "/\u{b}/evil.example",
            "/\u{a0}/evil.example",
            "/\u{2028}/evil.example",
        ] {
            assert_eq!(local_path(Some(outside)), None, "{outside}");
        }
    }
}
