//! A workspace's team: members and their roles, invitations sent, and the rules on who may change what.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{Duration, Utc};
use diesel::Connection as _;
use serde::Deserialize;

use crate::auth::token::LinkToken;
use crate::db::models::{Invitation, NewAuditEvent, NewInvitation, Workspace};
use crate::db::queries;
use crate::db::queries::memberships::Member;
use crate::domain::role::{MembershipRefusal, check_removal, check_role_change};
use crate::domain::{EmailAddress, Role};
use crate::error::AppError;
use crate::error::with_db;
use crate::i18n::Lang;
use crate::mail;
use crate::state::AppState;
use crate::web::extract::{Htmx, InWorkspace};
use crate::web::render::{self, Chrome, FlashKind, FormErrors};

/// How long an invitation waits for its answer.
const INVITATION_DAYS: i64 = 7;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct InviteForm {
    pub email: String,
    pub role: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RoleForm {
    pub role: String,
}

#[derive(Template)]
#[template(path = "pages/members/index.html")]
pub struct MembersPage {
    ctx: Chrome,
    me: i64,
    role: Role,
    members: Vec<Member>,
    invitations: Vec<Invitation>,
    form: InviteForm,
    errors: FormErrors,
}

impl MembersPage {
    fn can_change(&self, member: &Member) -> bool {
        self.role.manages_members() && member.role <= self.role
    }
}

async fn page(
    state: &AppState,
    member: InWorkspace,
    form: InviteForm,
    errors: FormErrors,
) -> Result<MembersPage, AppError> {
    let workspace_id = member.workspace.id;
    let (members, invitations) = with_db(&state.pool, move |conn| {
        Ok((
            queries::memberships::list(conn, workspace_id)?,
            queries::invitations::list_for_workspace(conn, workspace_id)?,
        ))
    })
    .await?;
    Ok(MembersPage {
        ctx: member.chrome,
        me: member.user.id,
        role: member.role,
        members,
        invitations,
        form,
        errors,
    })
}

/// `GET /w/{slug}/members`
pub async fn index(
    member: InWorkspace,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let form = InviteForm {
        email: String::new(),
        role: Role::Member.as_str().to_owned(),
    };
    render::html(
        StatusCode::OK,
        &page(&state, member, form, FormErrors::default()).await?,
    )
}

/// The invitation email, in the workspace's language (the invitee's own is not known yet).
/// The link carries the invitation's single-use token: it is what lets the invited person in.
fn invitation_email(
    state: &AppState,
    member: &InWorkspace,
    to: &str,
    role: Role,
    token: &str,
) -> mail::Email {
    let lang = Lang::from_code(&member.workspace.language).unwrap_or_default();
    let inviter = member.user.display_name.as_str();
    let workspace = member.workspace.name.as_str();
    let plain = mail::message::Plain {
        lang,
        greeting: lang.t("mail.invitation_greeting").into_owned(),
        paragraphs: vec![
            lang.t_with("mail.invitation_body", "inviter", inviter)
                .replace("%{workspace}", workspace)
                .replace("%{role}", &lang.t(&format!("roles.{}", role.as_str()))),
            lang.t_with("mail.invitation_how", "days", &INVITATION_DAYS.to_string()),
        ],
        action: lang.t("mail.invitation_action").into_owned(),
        link: format!(
            "{}/invitations/join/{token}",
            state.settings.public_url.trim_end_matches('/')
        ),
    };
    plain.email(
        Some(member.workspace.id),
        to,
        crate::domain::mail::MailKind::Invitation,
        lang.t_with("mail.invitation_subject", "workspace", workspace),
    )
}

/// `POST /w/{slug}/invitations` (owners and admins)
pub async fn invite(
    member: InWorkspace,
    state: web::Data<AppState>,
    htmx: Htmx,
    form: web::Form<InviteForm>,
) -> Result<HttpResponse, AppError> {
    member.require_manager()?;
    let form = form.into_inner();
    let mut errors = FormErrors::default();
    let email = errors.check("email", EmailAddress::parse(&form.email));
    let role = errors
        .check("role", Role::parse(&form.role))
        .filter(|role| *role != Role::Owner && member.role.assignable().contains(role));
    if role.is_none() && !errors.has("role") {
        errors.add("role", "errors.role_invalid");
    }
    let (Some(email), Some(role)) = (email, role) else {
        return render::invalid(&page(&state, member, form, errors).await?);
    };

    let (workspace_id, inviter, ip) = (member.workspace.id, member.user.id, member.ip.clone());
    let invited_email = email.clone();
    let link = LinkToken::generate();
    let invitation_mail = invitation_email(&state, &member, email.as_str(), role, &link.token);
    let refusal = with_db(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let already_member =
                queries::memberships::has_member_with_email(conn, workspace_id, email.as_str())?;
            if already_member {
                return Ok(Some("errors.already_member"));
            }
            let new = NewInvitation {
                workspace_id,
                email: email.as_str(),
                role: role.as_str(),
                invited_by: Some(inviter),
                expires_at: Utc::now() + Duration::days(INVITATION_DAYS),
                token_hash: Some(&link.hash),
            };
            if queries::invitations::create(conn, &new)?.is_none() {
                return Ok(Some("errors.already_invited"));
            }
            let event = NewAuditEvent::new(
                "invitation.created",
                Some(inviter),
                Some(workspace_id),
                Some(&ip),
            );
            queries::audit::record(
                conn,
                &event.with_details(
                    serde_json::json!({ "email": email.as_str(), "role": role.as_str() }),
                ),
            )?;
            mail::queue(conn, &invitation_mail)?;
            Ok(None)
        })
    })
    .await?;
    if let Some(key) = refusal {
        errors.add("email", key);
        return render::invalid(&page(&state, member, form, errors).await?);
    }
    mail::deliver_soon(&state.pool, &state.mailer);
    render::flash(
        &member.session,
        FlashKind::Success,
        member
            .chrome
            .t_with("members.invited", "email", invited_email.as_str()),
    );
    Ok(render::redirect(htmx.0, &member.chrome.ws_url("members")))
}

/// `POST /w/{slug}/invitations/{id}/revoke` (owners and admins)
pub async fn revoke_invitation(
    member: InWorkspace,
    state: web::Data<AppState>,
    htmx: Htmx,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, AppError> {
    member.require_manager()?;
    let (_, id) = path.into_inner();
    let (workspace_id, actor, ip) = (member.workspace.id, member.user.id, member.ip.clone());
    with_db(&state.pool, move |conn| {
        if queries::invitations::revoke(conn, workspace_id, id)? == 0 {
            return Err(AppError::NotFound);
        }
        Ok(queries::audit::record(
            conn,
            &NewAuditEvent::new(
                "invitation.revoked",
                Some(actor),
                Some(workspace_id),
                Some(&ip),
            ),
        )?)
    })
    .await?;
    render::flash(
        &member.session,
        FlashKind::Success,
        member.chrome.t("members.invitation_revoked"),
    );
    Ok(render::redirect(htmx.0, &member.chrome.ws_url("members")))
}

/// Runs a change to another member under the workspace's membership lock: `decide` sees the actor's
/// and the target's roles and the owner count, and either refuses or applies the change.
async fn change_member<F>(
    state: &AppState,
    workspace: &Workspace,
    actor: i64,
    target: i64,
    decide: F,
) -> Result<Option<MembershipRefusal>, AppError>
where
    F: FnOnce(
            &mut diesel::PgConnection,
            Role,
            Role,
            i64,
        ) -> Result<Option<MembershipRefusal>, AppError>
        + Send
        + 'static,
{
    let workspace_id = workspace.id;
    with_db(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let roles = queries::memberships::lock_roles(conn, workspace_id)?;
            let role_of = |user: i64| {
                roles
                    .iter()
                    .find(|(id, _)| *id == user)
                    .map(|(_, role)| *role)
            };
            let actor_role = role_of(actor).ok_or(AppError::NotFound)?;
            let target_role = role_of(target).ok_or(AppError::NotFound)?;
            decide(
                conn,
                actor_role,
                target_role,
                queries::memberships::owners(&roles),
            )
        })
    })
    .await
}

/// `POST /w/{slug}/members/{user_id}/role`
pub async fn change_role(
    member: InWorkspace,
    state: web::Data<AppState>,
    htmx: Htmx,
    path: web::Path<(String, i64)>,
    form: web::Form<RoleForm>,
) -> Result<HttpResponse, AppError> {
    let (_, target) = path.into_inner();
    let wanted = Role::parse(&form.role)?;
    let (workspace_id, actor, ip) = (member.workspace.id, member.user.id, member.ip.clone());
    let refusal = change_member(&state, &member.workspace, actor, target, move |conn, actor_role, target_role, owners| {
        if let Err(refusal) = check_role_change(actor_role, target_role, wanted, owners) {
            return Ok(Some(refusal));
        }
        queries::memberships::set_role(conn, workspace_id, target, wanted)?;
        let event = NewAuditEvent::new("member.role_changed", Some(actor), Some(workspace_id), Some(&ip));
        queries::audit::record(conn, &event.with_details(serde_json::json!({ "user_id": target, "from": target_role.as_str(), "to": wanted.as_str() })))?;
        Ok(None)
    })
    .await?;
    let (kind, text) = match refusal {
        Some(refusal) => (FlashKind::Error, member.chrome.t(refusal.key())),
        None => (FlashKind::Success, member.chrome.t("members.role_changed")),
    };
    render::flash(&member.session, kind, text);
    Ok(render::redirect(htmx.0, &member.chrome.ws_url("members")))
}

/// `POST /w/{slug}/members/{user_id}/remove` (someone else; leaving is on the settings page)
pub async fn remove(
    member: InWorkspace,
    state: web::Data<AppState>,
    htmx: Htmx,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, AppError> {
    let (_, target) = path.into_inner();
    let (workspace_id, actor, ip) = (member.workspace.id, member.user.id, member.ip.clone());
    let refusal = change_member(
        &state,
        &member.workspace,
        actor,
        target,
        move |conn, actor_role, target_role, _| {
            if let Err(refusal) = check_removal(actor_role, target_role, target == actor) {
                return Ok(Some(refusal));
            }
            queries::memberships::remove(conn, workspace_id, target)?;
            let event =
                NewAuditEvent::new("member.removed", Some(actor), Some(workspace_id), Some(&ip));
            queries::audit::record(
                conn,
                &event.with_details(serde_json::json!({ "user_id": target })),
            )?;
            Ok(None)
        },
    )
    .await?;
    let (kind, text) = match refusal {
        Some(refusal) => (FlashKind::Error, member.chrome.t(refusal.key())),
        None => (FlashKind::Success, member.chrome.t("members.removed")),
    };
    render::flash(&member.session, kind, text);
    Ok(render::redirect(htmx.0, &member.chrome.ws_url("members")))
}
