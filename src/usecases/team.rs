//! A workspace's team: inviting someone (by email, with a single-use link), accepting or declining an
//! invitation, changing a member's role, removing a member, leaving, and creating another workspace.
//! Changes to memberships run under the workspace's membership lock, so the last owner never goes.

use chrono::{Duration, Utc};
use diesel::Connection as _;

use crate::auth::token::{self, LinkToken};
use crate::db::models::{Invitation, NewAuditEvent, NewInvitation, User, Workspace};
use crate::db::queries;
use crate::db::queries::invitations::ReceivedInvitation;
use crate::db::queries::memberships::{self, Member};
use crate::domain::role::{MembershipRefusal, check_leave, check_removal, check_role_change};
use crate::domain::{EmailAddress, Role, WorkspaceName};
use crate::error::{AppError, with_db};
use crate::i18n::Lang;
use crate::mail;
use crate::state::AppState;
use crate::usecases::Actor;

/// How long an invitation waits for its answer.
pub const INVITATION_DAYS: i64 = 7;

/// Why an invitation was not sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InviteRefusal {
    AlreadyMember,
    AlreadyInvited,
}

impl InviteRefusal {
    /// The translation key of the message shown under the email field.
    #[must_use]
    pub const fn key(self) -> &'static str {
        match self {
            InviteRefusal::AlreadyMember => "errors.already_member",
            InviteRefusal::AlreadyInvited => "errors.already_invited",
        }
    }
}

/// Why an invitation could not be accepted (or declined).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinRefusal {
    /// Unverified people join no other workspace: they must confirm their address first.
    VerificationNeeded,
    /// The link is unknown, used, revoked or expired.
    Gone,
}

/// The members of a workspace and the invitations waiting for an answer.
///
/// # Errors
/// When the database fails.
pub async fn overview(
    state: &AppState,
    workspace_id: i64,
) -> Result<(Vec<Member>, Vec<Invitation>), AppError> {
    with_db(&state.pool, move |conn| {
        Ok((
            memberships::list(conn, workspace_id)?,
            queries::invitations::list_for_workspace(conn, workspace_id)?,
        ))
    })
    .await
}

/// The invitation email, in the workspace's language (the invitee's own is not known yet).
/// The link carries the invitation's single-use token: it is what lets the invited person in.
fn invitation_email(
    public_url: &str,
    workspace: &Workspace,
    inviter: &str,
    to: &str,
    role: Role,
    token: &str,
) -> mail::Email {
    let lang = workspace.language;
    let name = workspace.name.as_str();
    let plain = mail::message::Plain {
        lang,
        greeting: lang.t("mail.invitation_greeting").into_owned(),
        paragraphs: vec![
            lang.t_with("mail.invitation_body", "inviter", inviter)
                .replace("%{workspace}", name)
                .replace("%{role}", &lang.t(&format!("roles.{}", role.as_str()))),
            lang.t_with("mail.invitation_how", "days", &INVITATION_DAYS.to_string()),
        ],
        action: lang.t("mail.invitation_action").into_owned(),
        link: format!(
            "{}/invitations/join/{token}",
            public_url.trim_end_matches('/')
        ),
    };
    plain.email(
        Some(workspace.id),
        to,
        crate::domain::mail::MailKind::Invitation,
        lang.t_with("mail.invitation_subject", "workspace", name),
    )
}

/// Invites `email` into the actor's workspace with `role` (a role the actor may assign, checked by the
/// caller while parsing): records the invitation, audits it and mails the link.
///
/// # Errors
/// When the database fails.
pub async fn invite(
    state: &AppState,
    actor: &Actor,
    workspace: &Workspace,
    inviter_name: &str,
    email: EmailAddress,
    role: Role,
) -> Result<Result<(), InviteRefusal>, AppError> {
    let link = LinkToken::generate();
    let invitation_mail = invitation_email(
        &state.settings.public_url,
        workspace,
        inviter_name,
        email.as_str(),
        role,
        &link.token,
    );
    let (actor, workspace_id, inviter) = (actor.clone(), actor.workspace_id, actor.user_id);
    let outcome = with_db(&state.pool, move |conn| {
        conn.transaction(|conn| {
            if memberships::has_member_with_email(conn, workspace_id, email.as_str())? {
                return Ok(Err(InviteRefusal::AlreadyMember));
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
                return Ok(Err(InviteRefusal::AlreadyInvited));
            }
            let details = serde_json::json!({ "email": email.as_str(), "role": role.as_str() });
            let event = actor.event("invitation.created").with_details(details);
            queries::audit::record(conn, &event)?;
            mail::queue(conn, &invitation_mail)?;
            Ok(Ok(()))
        })
    })
    .await?;
    if outcome.is_ok() {
        mail::deliver_soon(&state.pool, &state.mailer);
    }
    Ok(outcome)
}

/// Revokes an invitation of the actor's workspace.
///
/// # Errors
/// `NotFound` when the workspace has no such invitation; when the database fails.
pub async fn revoke_invitation(state: &AppState, actor: &Actor, id: i64) -> Result<(), AppError> {
    let actor = actor.clone();
    with_db(&state.pool, move |conn| {
        if queries::invitations::revoke(conn, actor.workspace_id, id)? == 0 {
            return Err(AppError::NotFound);
        }
        queries::audit::record(conn, &actor.event("invitation.revoked"))?;
        Ok(())
    })
    .await
}

/// Runs a change to another member under the workspace's membership lock: `decide` sees the actor's
/// and the target's roles and the owner count, and either refuses or applies the change.
async fn change_member<F>(
    state: &AppState,
    actor: &Actor,
    target: i64,
    decide: F,
) -> Result<Result<(), MembershipRefusal>, AppError>
where
    F: FnOnce(
            &mut diesel::PgConnection,
            Role,
            Role,
            i64,
        ) -> Result<Result<(), MembershipRefusal>, AppError>
        + Send
        + 'static,
{
    let (workspace_id, actor_id) = (actor.workspace_id, actor.user_id);
    with_db(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let seats = memberships::lock_roles(conn, workspace_id)?;
            let actor_role = memberships::role_of(&seats, actor_id).ok_or(AppError::NotFound)?;
            let target_role = memberships::role_of(&seats, target).ok_or(AppError::NotFound)?;
            decide(conn, actor_role, target_role, memberships::owners(&seats))
        })
    })
    .await
}

/// Gives member `target` the role `wanted`, when the actor's role allows it and an owner remains.
///
/// # Errors
/// `NotFound` when the actor or the target is not a member; when the database fails.
pub async fn change_role(
    state: &AppState,
    actor: &Actor,
    target: i64,
    wanted: Role,
) -> Result<Result<(), MembershipRefusal>, AppError> {
    let (by, workspace_id) = (actor.clone(), actor.workspace_id);
    change_member(
        state,
        actor,
        target,
        move |conn, actor_role, target_role, owners| {
            if let Err(refusal) = check_role_change(actor_role, target_role, wanted, owners) {
                return Ok(Err(refusal));
            }
            memberships::set_role(conn, workspace_id, target, wanted)?;
            let details = serde_json::json!({
                "user_id": target, "from": target_role.as_str(), "to": wanted.as_str()
            });
            queries::audit::record(conn, &by.event("member.role_changed").with_details(details))?;
            Ok(Ok(()))
        },
    )
    .await
}

/// Removes member `target` (someone else: leaving is [`leave`]), when the actor's role allows it.
///
/// # Errors
/// `NotFound` when the actor or the target is not a member; when the database fails.
pub async fn remove(
    state: &AppState,
    actor: &Actor,
    target: i64,
) -> Result<Result<(), MembershipRefusal>, AppError> {
    let by = actor.clone();
    change_member(
        state,
        actor,
        target,
        move |conn, actor_role, target_role, _| {
            if let Err(refusal) = check_removal(actor_role, target_role, target == by.user_id) {
                return Ok(Err(refusal));
            }
            memberships::remove(conn, by.workspace_id, target)?;
            let details = serde_json::json!({ "user_id": target });
            queries::audit::record(conn, &by.event("member.removed").with_details(details))?;
            Ok(Ok(()))
        },
    )
    .await
}

/// The actor leaves their workspace; anyone but the last owner may.
///
/// # Errors
/// `NotFound` when the actor is not a member (any more); when the database fails.
pub async fn leave(
    state: &AppState,
    actor: &Actor,
) -> Result<Result<(), MembershipRefusal>, AppError> {
    let (actor, workspace_id, user_id) = (actor.clone(), actor.workspace_id, actor.user_id);
    with_db(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let seats = memberships::lock_roles(conn, workspace_id)?;
            let role = memberships::role_of(&seats, user_id).ok_or(AppError::NotFound)?;
            if let Err(refusal) = check_leave(role, memberships::owners(&seats)) {
                return Ok(Err(refusal));
            }
            memberships::remove(conn, workspace_id, user_id)?;
            queries::audit::record(conn, &actor.event("member.left"))?;
            Ok(Ok(()))
        })
    })
    .await
}

/// Creates a workspace owned by `user_id`, its messages in `lang`.
///
/// # Errors
/// When the database fails.
pub async fn create_workspace(
    state: &AppState,
    user_id: i64,
    ip: &str,
    name: WorkspaceName,
    lang: Lang,
) -> Result<Workspace, AppError> {
    let ip = ip.to_owned();
    with_db(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let workspace = queries::workspaces::create_with_owner(conn, &name, lang, user_id)?;
            queries::audit::record(
                conn,
                &NewAuditEvent::new(
                    "workspace.created",
                    Some(user_id),
                    Some(workspace.id),
                    Some(&ip),
                ),
            )?;
            Ok(workspace)
        })
    })
    .await
}

/// The invitations addressed to the person: none until their address is verified, so whoever registers an
/// invited address learns nothing about the workspace.
///
/// # Errors
/// When the database fails.
pub async fn received(state: &AppState, user: &User) -> Result<Vec<ReceivedInvitation>, AppError> {
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

/// Makes the person a member with the invitation's role (the invitation is already used up).
fn join(
    conn: &mut diesel::PgConnection,
    invitation: &Invitation,
    user_id: i64,
    ip: &str,
) -> Result<Workspace, AppError> {
    memberships::add(conn, invitation.workspace_id, user_id, invitation.role())?;
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

/// Accepts invitation `id` from the person's list: only the verified owner of the invited address can.
///
/// # Errors
/// `NotFound` when no such invitation waits for the person's address; when the database fails.
pub async fn accept(
    state: &AppState,
    user: &User,
    ip: &str,
    id: i64,
) -> Result<Result<Workspace, JoinRefusal>, AppError> {
    if !user.is_verified() {
        return Ok(Err(JoinRefusal::VerificationNeeded));
    }
    let (user_id, email, ip) = (user.id, user.email.clone(), ip.to_owned());
    with_db(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let invitation = queries::invitations::find_for_email(conn, id, &email, Utc::now())?
                .ok_or(AppError::NotFound)?;
            queries::invitations::delete(conn, invitation.id)?;
            join(conn, &invitation, user_id, &ip).map(Ok)
        })
    })
    .await
}

/// Declines invitation `id` from the person's list (verified owners of the address only, as accepting).
///
/// # Errors
/// `NotFound` when no such invitation waits for the person's address; when the database fails.
pub async fn decline(
    state: &AppState,
    user: &User,
    ip: &str,
    id: i64,
) -> Result<Result<(), JoinRefusal>, AppError> {
    if !user.is_verified() {
        return Ok(Err(JoinRefusal::VerificationNeeded));
    }
    let (user_id, email, ip) = (user.id, user.email.clone(), ip.to_owned());
    with_db(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let invitation = queries::invitations::find_for_email(conn, id, &email, Utc::now())?
                .ok_or(AppError::NotFound)?;
            queries::invitations::delete(conn, invitation.id)?;
            queries::audit::record(
                conn,
                &NewAuditEvent::new(
                    "invitation.declined",
                    Some(user_id),
                    Some(invitation.workspace_id),
                    Some(&ip),
                ),
            )?;
            Ok(Ok(()))
        })
    })
    .await
}

/// The invitation a link's token stands for, as (workspace name, role offered), while it is valid.
///
/// # Errors
/// When the database fails.
pub async fn offer(state: &AppState, token: &str) -> Result<Option<(String, Role)>, AppError> {
    let hash = token::hash(token);
    let found = with_db(&state.pool, move |conn| {
        Ok(queries::invitations::find_by_token(
            conn,
            &hash,
            Utc::now(),
        )?)
    })
    .await?;
    Ok(found.map(|(invitation, name)| (name, invitation.role())))
}

/// Accepts the invitation whose single-use link the person followed. The token proves they read mail at
/// the invited address: an account with that address is verified by it; an account with another address
/// must be verified already.
///
/// # Errors
/// When the database fails.
pub async fn accept_by_token(
    state: &AppState,
    user: &User,
    ip: &str,
    token: &str,
) -> Result<Result<Workspace, JoinRefusal>, AppError> {
    let hash = token::hash(token);
    let (user, ip) = (user.clone(), ip.to_owned());
    with_db(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let now = Utc::now();
            let Some((invitation, _)) = queries::invitations::find_by_token(conn, &hash, now)?
            else {
                return Ok(Err(JoinRefusal::Gone));
            };
            let same_address = invitation.email == user.email;
            if !same_address && !user.is_verified() {
                return Ok(Err(JoinRefusal::VerificationNeeded));
            }
            let Some(invitation) = queries::invitations::take_by_token(conn, &hash, now)? else {
                return Ok(Err(JoinRefusal::Gone));
            };
            if same_address {
                queries::email_verifications::mark_verified(conn, user.id, &user.email, now)?;
            }
            join(conn, &invitation, user.id, &ip).map(Ok)
        })
    })
    .await
}
