//! Registration: a person, their first workspace (they own it) and a logged-in session, in one step.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::domain::WorkspaceName;
use crate::error::AppError;
use crate::state::AppState;
use crate::usecases::registration::{self, NewAccount};
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

impl RegisterForm {
    /// The new account and its first workspace's name, or each refusal under its field.
    fn parse(&self) -> Result<(NewAccount, WorkspaceName), FormErrors> {
        let mut errors = FormErrors::default();
        let account = NewAccount::parse(&self.display_name, &self.email, &self.password)
            .map_err(|refused| {
                for (field, invalid) in refused {
                    errors.add(field, invalid.key);
                }
            })
            .ok();
        let workspace_name =
            errors.check("workspace_name", WorkspaceName::parse(&self.workspace_name));
        match (account, workspace_name) {
            (Some(account), Some(workspace_name)) => Ok((account, workspace_name)),
            _ => Err(errors),
        }
    }
}

/// The form again, with what was refused (the password is never sent back).
fn refused(ctx: Chrome, form: RegisterForm, errors: FormErrors) -> Result<HttpResponse, AppError> {
    render::invalid(&RegisterPage { ctx, form, errors })
}

/// `POST /register`
pub async fn create(
    visitor: Visitor,
    state: web::Data<AppState>,
    htmx: Htmx,
    form: web::Form<RegisterForm>,
) -> Result<HttpResponse, AppError> {
    let mut form = form.into_inner();
    let parsed = form.parse();
    form.password.clear();
    let (account, workspace_name) = match parsed {
        Ok(parsed) => parsed,
        Err(errors) => return refused(visitor.chrome, form, errors),
    };
    let lang = visitor.chrome.lang;
    let created =
        registration::register(&state, account, workspace_name, lang, &visitor.ip).await?;
    let Ok((user, workspace)) = created else {
        let mut errors = FormErrors::default();
        errors.add("email", "errors.email_taken");
        return refused(visitor.chrome, form, errors);
    };
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
