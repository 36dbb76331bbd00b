//! A workspace's team: members and their roles, invitations sent, and the rules on who may change what.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::db::models::Invitation;
use crate::db::queries::memberships::Member;
use crate::domain::role::MembershipRefusal;
use crate::domain::{EmailAddress, Role};
use crate::error::AppError;
use crate::state::AppState;
use crate::usecases::team;
use crate::web::extract::{Htmx, InWorkspace};
use crate::web::render::{self, Chrome, FlashKind, FormErrors};

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
    let (members, invitations) = team::overview(state, member.workspace.id).await?;
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

impl InviteForm {
    /// The address and the role, when the role is one `inviter` may give (never owner).
    fn parse(&self, inviter: Role) -> Result<(EmailAddress, Role), FormErrors> {
        let mut errors = FormErrors::default();
        let email = errors.check("email", EmailAddress::parse(&self.email));
        let role = errors
            .check("role", Role::parse(&self.role))
            .filter(|role| *role != Role::Owner && inviter.assignable().contains(role));
        if role.is_none() && !errors.has("role") {
            errors.add("role", "errors.role_invalid");
        }
        match (email, role) {
            (Some(email), Some(role)) => Ok((email, role)),
            _ => Err(errors),
        }
    }
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
    let (email, role) = match form.parse(member.role) {
        Ok(parsed) => parsed,
        Err(errors) => return render::invalid(&page(&state, member, form, errors).await?),
    };
    let invited = email.clone();
    let (actor, name) = (member.actor(), &member.user.display_name);
    if let Err(refusal) = team::invite(&state, &actor, &member.workspace, name, email, role).await?
    {
        let mut errors = FormErrors::default();
        errors.add("email", refusal.key());
        return render::invalid(&page(&state, member, form, errors).await?);
    }
    render::flash(
        &member.session,
        FlashKind::Success,
        member
            .chrome
            .t_with("members.invited", "email", invited.as_str()),
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
    team::revoke_invitation(&state, &member.actor(), path.into_inner().1).await?;
    render::flash(
        &member.session,
        FlashKind::Success,
        member.chrome.t("members.invitation_revoked"),
    );
    Ok(render::redirect(htmx.0, &member.chrome.ws_url("members")))
}

/// Tells the outcome of a change to a member and goes back to the team page.
fn changed(
    member: &InWorkspace,
    htmx: Htmx,
    outcome: Result<(), MembershipRefusal>,
    done: &str,
) -> HttpResponse {
    let (kind, text) = match outcome {
        Err(refusal) => (FlashKind::Error, member.chrome.t(refusal.key())),
        Ok(()) => (FlashKind::Success, member.chrome.t(done)),
    };
    render::flash(&member.session, kind, text);
    render::redirect(htmx.0, &member.chrome.ws_url("members"))
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
    let outcome = team::change_role(&state, &member.actor(), target, wanted).await?;
    Ok(changed(&member, htmx, outcome, "members.role_changed"))
}

/// `POST /w/{slug}/members/{user_id}/remove` (someone else; leaving is on the settings page)
pub async fn remove(
    member: InWorkspace,
    state: web::Data<AppState>,
    htmx: Htmx,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, AppError> {
    let (_, target) = path.into_inner();
    let outcome = team::remove(&state, &member.actor(), target).await?;
    Ok(changed(&member, htmx, outcome, "members.removed"))
}
