//! Request extractors: who is asking (`Visitor`, `SignedIn`, `InWorkspace`, `SiteAdmin`), with the page
//! chrome built in one database round trip; `Htmx` tells whether htmx sent the request.

use std::future::Future;
use std::pin::Pin;

use actix_session::{Session, SessionExt as _};
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use chrono::{DateTime, Duration, Utc};

use crate::auth::session_keys;
use crate::db::models::{User, Workspace};
use crate::db::queries;
use crate::domain::{Role, Slug};
use crate::error::AppError;
use crate::error::with_db;
use crate::i18n::Lang;
use crate::state::AppState;
use crate::usecases::Actor;
use crate::web::csrf;
use crate::web::render::{Chrome, Flash, NavUser, NavWorkspace};

/// Whether the request came from htmx and wants a fragment (not a boosted navigation nor a history
/// restore, which both want the whole page).
#[derive(Debug, Clone, Copy)]
pub struct Htmx(pub bool);

impl FromRequest for Htmx {
    type Error = AppError;
    type Future = std::future::Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(Ok(Htmx(is_htmx(req))))
    }
}

#[must_use]
pub fn is_htmx(req: &HttpRequest) -> bool {
    // htmx 2 sends `HX-Request` when it restores a page missing from its history cache (back button)
    // too, and then puts the answer in place of the whole body.
    let headers = req.headers();
    headers.contains_key("HX-Request")
        && !headers.contains_key("HX-Boosted")
        && !headers.contains_key("HX-History-Restore-Request")
}

/// The cookie that keeps the language chosen with the language switch, across logins and logouts.
pub const LANG_COOKIE: &str = "vistaflow_lang";

/// The language for this request: the session's, else the one chosen on this browser, else the browser's
/// `Accept-Language`, else English.
#[must_use]
pub fn request_lang(req: &HttpRequest, session: Option<&Session>) -> Lang {
    session
        .and_then(|s| s.get::<String>(session_keys::LANG).ok().flatten())
        .and_then(|code| Lang::from_code(&code))
        .or_else(|| {
            req.cookie(LANG_COOKIE)
                .and_then(|c| Lang::from_code(c.value()))
        })
        .or_else(|| {
            req.headers()
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Lang::negotiate)
        })
        .unwrap_or_default()
}

/// The client's address for throttling and the audit trail. `X-Forwarded-For` is believed only when the
/// operator says a proxy sets it (`TRUST_FORWARDED_FOR`), otherwise anyone could pick their own address.
#[must_use]
pub fn client_ip(req: &HttpRequest, trust_forwarded_for: bool) -> String {
    let info = req.connection_info();
    let address = if trust_forwarded_for {
        info.realip_remote_addr()
    } else {
        info.peer_addr()
    };
    address.unwrap_or("unknown").to_owned()
}

/// Anyone: maybe logged in, maybe not.
pub struct Visitor {
    pub session: Session,
    pub user: Option<User>,
    pub chrome: Chrome,
    pub ip: String,
}

/// A logged-in person.
pub struct SignedIn {
    pub session: Session,
    pub user: User,
    pub chrome: Chrome,
    pub ip: String,
}

/// A logged-in member of the workspace named in the URL (`/w/{slug}/...`). Anyone else gets 404.
pub struct InWorkspace {
    pub session: Session,
    pub user: User,
    pub workspace: Workspace,
    pub role: Role,
    pub chrome: Chrome,
    pub ip: String,
}

impl InWorkspace {
    /// The member as the use cases see them: who, in which workspace, with which role, from where.
    #[must_use]
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: self.user.id,
            workspace_id: self.workspace.id,
            role: self.role,
            ip: self.ip.clone(),
        }
    }

    /// Owners and admins may change the workspace's team, settings and accounts; members get 403.
    pub fn require_manager(&self) -> Result<(), AppError> {
        if self.role.manages_members() {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// Exports of contact details: owners and admins, and members when the workspace allows it.
    pub fn require_contact_export(&self) -> Result<(), AppError> {
        if self.may_export_contacts() {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    #[must_use]
    pub fn may_export_contacts(&self) -> bool {
        self.role
            .exports_contacts(self.workspace.members_export_contacts)
    }
}

/// A logged-in site admin. Anyone else gets 404: the admin pages do not exist for them.
pub struct SiteAdmin {
    pub session: Session,
    pub user: User,
    pub chrome: Chrome,
    pub ip: String,
}

struct Loaded {
    session: Session,
    user: Option<User>,
    workspace: Option<(Workspace, Role)>,
    chrome: Chrome,
    ip: String,
}

fn session_time(session: &Session, key: &str) -> Option<DateTime<Utc>> {
    session
        .get::<i64>(key)
        .ok()
        .flatten()
        .and_then(|secs| DateTime::from_timestamp(secs, 0))
}

/// Reads the session, ends it when idle or too old, and loads the person, the workspace in the path and
/// the switcher's workspaces in one database call.
async fn load(req: HttpRequest, want_workspace: bool) -> Result<Loaded, AppError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("app state missing")))?;
    let session = req.get_session();
    let now = Utc::now();
    let mut user_id = session.get::<i64>(session_keys::USER_ID).ok().flatten();

    if user_id.is_some() {
        let idle = session_time(&session, session_keys::SEEN_AT)
            .is_none_or(|seen| now - seen > Duration::minutes(state.settings.session_idle_minutes));
        let too_old = session_time(&session, session_keys::LOGGED_IN_AT)
            .is_none_or(|at| now - at > Duration::hours(state.settings.session_absolute_hours));
        if idle || too_old {
            session.purge();
            user_id = None;
        } else if session_time(&session, session_keys::SEEN_AT)
            .is_some_and(|seen| now - seen > Duration::seconds(60))
        {
            let _ = session.insert(session_keys::SEEN_AT, now.timestamp());
        }
    }

    let slug = if want_workspace {
        Some(Slug::parse(
            req.match_info().get("slug").unwrap_or_default(),
        )?)
    } else {
        None
    };
    let (user, workspace, workspaces) = match user_id {
        None => (None, None, Vec::new()),
        Some(id) => {
            with_db(&state.pool, move |conn| {
                let Some((user, workspaces)) = queries::users::with_workspaces(conn, id)? else {
                    return Ok((None, None, Vec::new()));
                };
                // The switcher lists the person's workspaces: the one in the path is among them, or
                // is not theirs.
                let workspace = slug.as_ref().and_then(|slug| {
                    workspaces
                        .iter()
                        .find(|(w, _)| w.slug == slug.as_str())
                        .cloned()
                });
                Ok((Some(user), workspace, workspaces))
            })
            .await?
        }
    };
    let user = match user {
        Some(user) if user.is_disabled() => {
            session.purge();
            None
        }
        other => other,
    };

    let csrf_token = csrf::token(&session)?;
    // Removing a key marks the session changed, which writes it back: only a flash that is there is taken.
    let flash = match session.get::<Flash>(session_keys::FLASH) {
        Ok(None) => None,
        _ => session
            .remove_as::<Flash>(session_keys::FLASH)
            .and_then(Result::ok),
    };
    let path = req
        .uri()
        .path_and_query()
        .map_or_else(|| req.path().to_owned(), |pq| pq.as_str().to_owned());
    let chrome = Chrome {
        lang: request_lang(&req, Some(&session)),
        csrf_token,
        user: user.as_ref().map(|u| NavUser {
            display_name: u.display_name.clone(),
            email: u.email.clone(),
            is_admin: u.is_admin,
            email_verified: u.is_verified(),
        }),
        workspace: workspace.as_ref().map(|(w, role)| NavWorkspace {
            slug: w.slug.clone(),
            name: w.name.clone(),
            role: *role,
        }),
        workspaces: workspaces
            .into_iter()
            .map(|(w, role)| NavWorkspace {
                slug: w.slug,
                name: w.name,
                role,
            })
            .collect(),
        flash,
        path,
    };
    let ip = client_ip(&req, state.settings.trust_forwarded_for);
    Ok(Loaded {
        session,
        user,
        workspace,
        chrome,
        ip,
    })
}

type Boxed<T> = Pin<Box<dyn Future<Output = Result<T, AppError>>>>;

/// What each extractor demands of the loaded request.
trait FromLoaded: Sized {
    /// Whether the URL names a workspace (`/w/{slug}/...`) to load.
    const IN_WORKSPACE: bool;
    fn from_loaded(loaded: Loaded) -> Result<Self, AppError>;
}

/// Implements `FromRequest` for an extractor through `load` and its `FromLoaded`.
macro_rules! extractor {
    ($($name:ty),+) => {$(
        impl FromRequest for $name {
            type Error = AppError;
            type Future = Boxed<Self>;

            fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
                let req = req.clone();
                Box::pin(async move { <$name>::from_loaded(load(req, <$name>::IN_WORKSPACE).await?) })
            }
        }
    )+};
}

extractor!(Visitor, SignedIn, InWorkspace, SiteAdmin);

impl FromLoaded for Visitor {
    const IN_WORKSPACE: bool = false;

    fn from_loaded(loaded: Loaded) -> Result<Self, AppError> {
        Ok(Visitor {
            session: loaded.session,
            user: loaded.user,
            chrome: loaded.chrome,
            ip: loaded.ip,
        })
    }
}

impl FromLoaded for SignedIn {
    const IN_WORKSPACE: bool = false;

    fn from_loaded(loaded: Loaded) -> Result<Self, AppError> {
        let user = loaded.user.ok_or(AppError::Unauthorized)?;
        Ok(SignedIn {
            session: loaded.session,
            user,
            chrome: loaded.chrome,
            ip: loaded.ip,
        })
    }
}

impl FromLoaded for InWorkspace {
    const IN_WORKSPACE: bool = true;

    fn from_loaded(loaded: Loaded) -> Result<Self, AppError> {
        let user = loaded.user.ok_or(AppError::Unauthorized)?;
        let (workspace, role) = loaded.workspace.ok_or(AppError::NotFound)?;
        Ok(InWorkspace {
            session: loaded.session,
            user,
            workspace,
            role,
            chrome: loaded.chrome,
            ip: loaded.ip,
        })
    }
}

impl FromLoaded for SiteAdmin {
    const IN_WORKSPACE: bool = false;

    fn from_loaded(loaded: Loaded) -> Result<Self, AppError> {
        let SignedIn {
            session,
            user,
            chrome,
            ip,
        } = SignedIn::from_loaded(loaded)?;
        if !user.is_admin {
            return Err(AppError::NotFound);
        }
        Ok(SiteAdmin {
            session,
            user,
            chrome,
            ip,
        })
    }
}

/// The most ids one request may name (a page's selection).
pub const MAX_IDS: usize = 500;

/// The values of every `name=<id>` pair in a URL-encoded query string or form body, in order, without
/// repeats; what does not parse as a positive id is left out, and at most `MAX_IDS` are kept.
#[must_use]
pub fn repeated_ids(encoded: &[u8], name: &str) -> Vec<i64> {
    let mut ids: Vec<i64> = Vec::new();
    for (key, value) in url::form_urlencoded::parse(encoded) {
        if key == name
            && let Ok(id) = value.trim().parse::<i64>()
            && id > 0
            && !ids.contains(&id)
        {
            ids.push(id);
            if ids.len() == MAX_IDS {
                break;
            }
        }
    }
    ids
}
