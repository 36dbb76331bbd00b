//! The person's workspaces: the list, the invitations they received (accepted from the list by the verified
//! owner of the address, or through the single-use link of the invitation email), and creating another one.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::db::models::Workspace;
use crate::db::queries::invitations::ReceivedInvitation;
use crate::domain::{Role, WorkspaceName};
use crate::error::AppError;
use crate::state::AppState;
use crate::usecases::team::{self, JoinRefusal};
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

/// `GET /workspaces`
pub async fn index(
    signed_in: SignedIn,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let invitations = team::received(&state, &signed_in.user).await?;
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
        let invitations = team::received(&state, &user).await?;
        return render::invalid(&WorkspacesPage {
            ctx: chrome,
            invitations,
            workspace_name: form.into_inner().name,
            errors,
        });
    };
    let workspace = team::create_workspace(&state, user.id, &ip, name, chrome.lang).await?;
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
    let outcome = team::accept(&state, &user, &ip, path.into_inner()).await?;
    Ok(join_answer(&session, &chrome, htmx, outcome))
}

/// The page after accepting an invitation: the workspace joined, or why not.
fn join_answer(
    session: &actix_session::Session,
    chrome: &Chrome,
    htmx: Htmx,
    outcome: Result<Workspace, JoinRefusal>,
) -> HttpResponse {
    match outcome {
        Ok(workspace) => {
            render::flash(
                session,
                FlashKind::Success,
                chrome.t_with("workspaces.joined", "name", &workspace.name),
            );
            render::redirect(htmx.0, &format!("/w/{}/", workspace.slug))
        }
        Err(refusal) => {
            // Unverified people are told how to confirm their address; a spent link says so.
            let key = match refusal {
                JoinRefusal::VerificationNeeded => "verify.needed_to_join",
                JoinRefusal::Gone => "workspaces.invitation_gone",
            };
            render::flash(session, FlashKind::Error, chrome.t(key));
            render::redirect(htmx.0, "/workspaces")
        }
    }
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
    if let Err(refusal) = team::decline(&state, &user, &ip, path.into_inner()).await? {
        return Ok(join_answer(&session, &chrome, htmx, Err(refusal)));
    }
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
    let offer = team::offer(&state, &token).await?;
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
    let outcome = team::accept_by_token(&state, &user, &ip, &path.into_inner()).await?;
    Ok(join_answer(&session, &chrome, htmx, outcome))
}
