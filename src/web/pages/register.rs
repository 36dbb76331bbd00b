//! Registration: a person, their first workspace (they own it) and a logged-in session, in one step.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::Utc;
use diesel::Connection as _;
use serde::Deserialize;

use crate::auth::password;
use crate::auth::verification::{self, Occasion};
use crate::db::models::{NewAuditEvent, NewUser};
use crate::db::queries;
use crate::domain::{DisplayName, EmailAddress, NewPassword, WorkspaceName};
use crate::error::AppError;
use crate::error::with_db;
use crate::mail;
use crate::state::AppState;
use crate::web::extract::{Htmx, Visitor};
use crate::web::pages::login::start_session;
use crate::web::render::{self, Chrome, FlashKind, FormErrors};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RegisterForm {
    pub display_name: String,
    pub email: String,
    pub password: String,
    pub workspace_name: String,
    /// Where to go once registered (an invitation's page), when it is a path on this site.
    pub next: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RegisterQuery {
    pub next: String,
}

#[derive(Template)]
#[template(path = "pages/register/index.html")]
pub struct RegisterPage {
    ctx: Chrome,
    form: RegisterForm,
    errors: FormErrors,
}

/// `GET /register`
pub async fn new(
    visitor: Visitor,
    query: web::Query<RegisterQuery>,
) -> Result<HttpResponse, AppError> {
    let next = render::local_path(Some(&query.next)).unwrap_or_default();
    if visitor.user.is_some() {
        return Ok(render::redirect(
            false,
            if next.is_empty() { "/" } else { &next },
        ));
    }
    render::html(
        StatusCode::OK,
        &RegisterPage {
            ctx: visitor.chrome,
            form: RegisterForm {
                next,
                ..RegisterForm::default()
            },
            errors: FormErrors::default(),
        },
    )
}

/// `POST /register`
pub async fn create(
    visitor: Visitor,
    state: web::Data<AppState>,
    htmx: Htmx,
    form: web::Form<RegisterForm>,
) -> Result<HttpResponse, AppError> {
    let mut form = form.into_inner();
    let mut errors = FormErrors::default();
    let name = errors.check("display_name", DisplayName::parse(&form.display_name));
    let email = errors.check("email", EmailAddress::parse(&form.email));
    let password = errors.check(
        "password",
        NewPassword::parse(&form.password, &[&form.email, &form.display_name]),
    );
    let workspace_name = errors.check("workspace_name", WorkspaceName::parse(&form.workspace_name));
    form.password.clear();
    let (Some(name), Some(email), Some(password), Some(workspace_name)) =
        (name, email, password, workspace_name)
    else {
        return render::invalid(&RegisterPage {
            ctx: visitor.chrome,
            form,
            errors,
        });
    };

    let hash = password::hash_blocking(password.expose().to_owned()).await?;
    let lang = visitor.chrome.lang;
    let ip = visitor.ip.clone();
    let public_url = state.settings.public_url.clone();
    let created = with_db(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let new_user = NewUser {
                email: email.as_str(),
                display_name: name.as_str(),
                password_hash: &hash,
                locale: Some(lang.code()),
                is_admin: false,
                email_verified_at: None,
            };
            let Some(user) = queries::users::insert(conn, &new_user)? else {
                return Ok(None);
            };
            let workspace =
                queries::workspaces::create_with_owner(conn, &workspace_name, lang, user.id)?;
            verification::send_link(conn, &public_url, &user, lang, Occasion::Asked, Utc::now())?;
            queries::audit::record(
                conn,
                &NewAuditEvent::new(
                    "user.registered",
                    Some(user.id),
                    Some(workspace.id),
                    Some(&ip),
                ),
            )?;
            Ok(Some((user, workspace)))
        })
    })
    .await?;
    let Some((user, workspace)) = created else {
        errors.add("email", "errors.email_taken");
        return render::invalid(&RegisterPage {
            ctx: visitor.chrome,
            form,
            errors,
        });
    };
    mail::deliver_soon(&state.pool, &state.mailer);
    start_session(&visitor.session, &user, lang)?;
    render::flash(
        &visitor.session,
        FlashKind::Success,
        visitor.chrome.t_with("verify.sent", "email", &user.email),
    );
    let next =
        render::local_path(Some(&form.next)).unwrap_or_else(|| format!("/w/{}/", workspace.slug));
    Ok(render::redirect(htmx.0, &next))
}
