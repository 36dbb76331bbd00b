//! The person's workspaces: the list, the invitations they received (accepted from the list by the verified
//! owner of the address, or through the single-use link of the invitation email), and creating another one.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::Utc;
use diesel::Connection as _;
use serde::Deserialize;

use crate::auth::token;
use crate::db::models::{Invitation, NewAuditEvent, User, Workspace};
use crate::db::queries;
use crate::db::queries::invitations::ReceivedInvitation;
use crate::domain::{Role, WorkspaceName};
use crate::error::AppError;
use crate::error::with_db;
use crate::state::AppState;
use crate::web::extract::{Htmx, SignedIn, Visitor};
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

/// The invitations addressed to the person: none until their address is verified, so whoever registers an
/// invited address learns nothing about the workspace.
async fn received(state: &AppState, user: &User) -> Result<Vec<ReceivedInvitation>, AppError> {
    if !user.is_verified() {
        return Ok(Vec::new());
    }
    let email = user.email.clone();
    with_db(&state.pool, move |conn| {
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
    let invitations = received(&state, &signed_in.user).await?;
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
        let invitations = received(&state, &user).await?;
        return render::invalid(&WorkspacesPage {
            ctx: chrome,
            invitations,
            workspace_name: form.into_inner().name,
            errors,
        });
    };
    let lang = chrome.lang;
    let workspace = with_db(&state.pool, move |conn| {
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

/// `POST /invitations/{id}/accept`: only the verified owner of the invited address can accept from the list.
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
    if !user.is_verified() {
        return Ok(verification_needed(&session, &chrome, htmx));
    }
    let id = path.into_inner();
    let workspace = with_db(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let invitation =
                queries::invitations::find_for_email(conn, id, &user.email, Utc::now())?
                    .ok_or(AppError::NotFound)?;
            queries::invitations::delete(conn, invitation.id)?;
            join(conn, &invitation, user.id, &ip)
        })
    })
    .await?;
    Ok(joined(&session, &chrome, htmx, &workspace))
}

/// Makes the person a member with the invitation's role (the invitation is already used up).
fn join(
    conn: &mut diesel::PgConnection,
    invitation: &Invitation,
    user_id: i64,
    ip: &str,
) -> Result<Workspace, AppError> {
    queries::memberships::add(conn, invitation.workspace_id, user_id, invitation.role())?;
    let event = NewAuditEvent::new(
        "invitation.accepted",
        Some(user_id),
        Some(invitation.workspace_id),
        Some(ip),
    );
    queries::audit::record(
        conn,
        &event.with_details(serde_json::json!({ "role": invitation.role.as_str() })),
    )?;
    Ok(queries::workspaces::find(conn, invitation.workspace_id)?)
}

/// Unverified people join no other workspace: they are told how to confirm their address.
fn verification_needed(
    session: &actix_session::Session,
    chrome: &Chrome,
    htmx: Htmx,
) -> HttpResponse {
    render::flash(session, FlashKind::Error, chrome.t("verify.needed_to_join"));
    render::redirect(htmx.0, "/workspaces")
}

fn joined(
    session: &actix_session::Session,
    chrome: &Chrome,
    htmx: Htmx,
    workspace: &Workspace,
) -> HttpResponse {
    render::flash(
        session,
        FlashKind::Success,
        chrome.t_with("workspaces.joined", "name", &workspace.name),
    );
    render::redirect(htmx.0, &format!("/w/{}/", workspace.slug))
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
    if !user.is_verified() {
        return Ok(verification_needed(&session, &chrome, htmx));
    }
    let id = path.into_inner();
    with_db(&state.pool, move |conn| {
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

#[derive(Template)]
#[template(path = "pages/workspaces/join.html")]
pub struct JoinPage {
    ctx: Chrome,
    token: String,
    /// The workspace's name and the role offered, while the invitation is valid.
    offer: Option<(String, Role)>,
    signed_in: bool,
}

/// `GET /invitations/join/{token}`: the invitation the email's link carries, with a button to accept it
/// (or links to log in or register first). Nothing changes on a GET.
pub async fn join_show(
    visitor: Visitor,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let token = path.into_inner();
    let hash = token::hash(&token);
    let offer = with_db(&state.pool, move |conn| {
        Ok(queries::invitations::find_by_token(
            conn,
            &hash,
            Utc::now(),
        )?)
    })
    .await?
    .map(|(invitation, name)| (name, invitation.role()));
    render::html(
        if offer.is_some() {
            StatusCode::OK
        } else {
            StatusCode::GONE
        },
        &JoinPage {
            ctx: visitor.chrome,
            token,
            signed_in: visitor.user.is_some(),
            offer,
        },
    )
}

/// `POST /invitations/join/{token}`: the token of the invitation email lets the signed-in person in, once.
/// It proves they read mail at the invited address: an account with that address is verified by it; an
/// account with another address must be verified already.
pub async fn join_accept(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    htmx: Htmx,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let SignedIn {
        session,
        user,
        chrome,
        ip,
    } = signed_in;
    let hash = token::hash(&path.into_inner());
    let outcome = with_db(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let now = Utc::now();
            let Some((invitation, _)) = queries::invitations::find_by_token(conn, &hash, now)?
            else {
                return Ok(None);
            };
            let same_address = invitation.email == user.email;
            if !same_address && !user.is_verified() {
                return Ok(Some(Err(())));
            }
            let Some(invitation) = queries::invitations::take_by_token(conn, &hash, now)? else {
                return Ok(None);
            };
            if same_address {
                queries::email_verifications::mark_verified(conn, user.id, &user.email, now)?;
            }
            join(conn, &invitation, user.id, &ip).map(|workspace| Some(Ok(workspace)))
        })
    })
    .await?;
    match outcome {
        Some(Ok(workspace)) => Ok(joined(&session, &chrome, htmx, &workspace)),
        Some(Err(())) => Ok(verification_needed(&session, &chrome, htmx)),
        None => {
            render::flash(
                &session,
                FlashKind::Error,
                chrome.t("workspaces.invitation_gone"),
            );
            Ok(render::redirect(htmx.0, "/workspaces"))
        }
    }
}
