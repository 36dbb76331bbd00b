//! The person's workspaces: the list, the invitations they received, and creating another one.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::Utc;
use diesel::Connection as _;
use serde::Deserialize;

use crate::app::AppState;
use crate::db::models::NewAuditEvent;
use crate::db::queries::invitations::ReceivedInvitation;
use crate::db::{self, queries};
use crate::domain::WorkspaceName;
use crate::error::AppError;
use crate::web::extract::{Htmx, SignedIn};
use crate::web::render::{self, Chrome, FlashKind, FormErrors};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct WorkspaceForm {
    pub name: String,
}

#[derive(Template)]
#[template(path = "pages/workspaces/index.html")]
pub struct WorkspacesPage {
    ctx: Chrome,
    invitations: Vec<ReceivedInvitation>,
    workspace_name: String,
    errors: FormErrors,
}

async fn received(state: &AppState, email: String) -> Result<Vec<ReceivedInvitation>, AppError> {
    db::run(&state.pool, move |conn| {
        Ok(queries::invitations::list_for_email(
            conn,
            &email,
            Utc::now(),
        )?)
    })
    .await
}

/// `GET /workspaces`
pub async fn index(
    signed_in: SignedIn,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let invitations = received(&state, signed_in.user.email.clone()).await?;
    render::html(
        StatusCode::OK,
        &WorkspacesPage {
            ctx: signed_in.chrome,
            invitations,
            workspace_name: String::new(),
            errors: FormErrors::default(),
        },
    )
}

/// `POST /workspaces`
pub async fn create(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    htmx: Htmx,
    form: web::Form<WorkspaceForm>,
) -> Result<HttpResponse, AppError> {
    let SignedIn {
        session,
        user,
        chrome,
        ip,
    } = signed_in;
    let mut errors = FormErrors::default();
    let Some(name) = errors.check("name", WorkspaceName::parse(&form.name)) else {
        let invitations = received(&state, user.email.clone()).await?;
        return render::invalid(&WorkspacesPage {
            ctx: chrome,
            invitations,
            workspace_name: form.into_inner().name,
            errors,
        });
    };
    let lang = chrome.lang;
    let workspace = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let workspace = queries::workspaces::create_with_owner(conn, &name, lang, user.id)?;
            queries::audit::record(
                conn,
                &NewAuditEvent::new(
                    "workspace.created",
                    Some(user.id),
                    Some(workspace.id),
                    Some(&ip),
                ),
            )?;
            Ok(workspace)
        })
    })
    .await?;
    render::flash(
        &session,
        FlashKind::Success,
        chrome.t_with("workspaces.created", "name", &workspace.name),
    );
    Ok(render::redirect(htmx.0, &format!("/w/{}/", workspace.slug)))
}

/// `POST /invitations/{id}/accept`: only the invited address can accept.
pub async fn accept_invitation(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    htmx: Htmx,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let SignedIn {
        session,
        user,
        chrome,
        ip,
    } = signed_in;
    let id = path.into_inner();
    let workspace = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let invitation =
                queries::invitations::find_for_email(conn, id, &user.email, Utc::now())?
                    .ok_or(AppError::NotFound)?;
            queries::memberships::add(conn, invitation.workspace_id, user.id, invitation.role())?;
            queries::invitations::delete(conn, invitation.id)?;
            let event = NewAuditEvent::new(
                "invitation.accepted",
                Some(user.id),
                Some(invitation.workspace_id),
                Some(&ip),
            );
            queries::audit::record(
                conn,
                &event.with_details(serde_json::json!({ "role": invitation.role })),
            )?;
            Ok(queries::workspaces::find(conn, invitation.workspace_id)?)
        })
    })
    .await?;
    render::flash(
        &session,
        FlashKind::Success,
        chrome.t_with("workspaces.joined", "name", &workspace.name),
    );
    Ok(render::redirect(htmx.0, &format!("/w/{}/", workspace.slug)))
}

/// `POST /invitations/{id}/decline`
pub async fn decline_invitation(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    htmx: Htmx,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let SignedIn {
        session,
        user,
        chrome,
        ip,
    } = signed_in;
    let id = path.into_inner();
    db::run(&state.pool, move |conn| {
        let invitation = queries::invitations::find_for_email(conn, id, &user.email, Utc::now())?
            .ok_or(AppError::NotFound)?;
        queries::invitations::delete(conn, invitation.id)?;
        Ok(queries::audit::record(
            conn,
            &NewAuditEvent::new(
                "invitation.declined",
                Some(user.id),
                Some(invitation.workspace_id),
                Some(&ip),
            ),
        )?)
    })
    .await?;
    render::flash(
        &session,
        FlashKind::Success,
        chrome.t("workspaces.declined"),
    );
    Ok(render::redirect(htmx.0, "/workspaces"))
}
