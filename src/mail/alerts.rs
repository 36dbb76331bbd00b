//! Session-expiry alerts: when an account turns expired, the workspace's owners and admins get one email
//! with a link that opens the reconnect flow for that account; one reminder follows after 24 hours if it
//! is still expired; reconnecting clears both, so a later expiry alerts again.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;

use super::message::Plain;
use super::queue;
use crate::db::schema::{memberships, social_accounts, users, workspaces};
use crate::domain::Role;
use crate::domain::account::AccountStatus;
use crate::domain::mail::MailKind;
use crate::i18n::Lang;

/// Queues the alert for `account_id` unless one was already sent for this expiry; answers how many
/// emails were queued. Call it in the transaction that marks the account expired.
pub fn account_expired(
    conn: &mut PgConnection,
    workspace_id: i64,
    account_id: i64,
    public_url: &str,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    let marked = diesel::update(
        social_accounts::table
            .filter(social_accounts::workspace_id.eq(workspace_id))
            .filter(social_accounts::id.eq(account_id))
            .filter(social_accounts::expiry_alerted_at.is_null()),
    )
    .set(social_accounts::expiry_alerted_at.eq(now))
    .execute(conn)?;
    if marked == 0 {
        return Ok(0);
    }
    send(conn, workspace_id, account_id, public_url, false)
}

/// Queues the one reminder for accounts still expired 24 hours after their alert; answers how many
/// emails were queued.
pub fn remind_expired(
    conn: &mut PgConnection,
    public_url: &str,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    let due: Vec<(i64, i64)> = diesel::update(
        social_accounts::table
            .filter(social_accounts::status.eq(AccountStatus::Expired))
            .filter(social_accounts::expiry_alerted_at.le(now - Duration::hours(24)))
            .filter(social_accounts::expiry_reminded_at.is_null()),
    )
    .set(social_accounts::expiry_reminded_at.eq(now))
    .returning((social_accounts::workspace_id, social_accounts::id))
    .get_results(conn)?;
    let mut queued = 0;
    for (workspace_id, account_id) in due {
        queued += send(conn, workspace_id, account_id, public_url, true)?;
    }
    Ok(queued)
}

/// Clears the alert marks of a reconnected account.
pub fn account_reconnected(
    conn: &mut PgConnection,
    workspace_id: i64,
    account_id: i64,
) -> QueryResult<()> {
    diesel::update(
        social_accounts::table
            .filter(social_accounts::workspace_id.eq(workspace_id))
            .filter(social_accounts::id.eq(account_id)),
    )
    .set((
        social_accounts::expiry_alerted_at.eq(None::<DateTime<Utc>>),
        social_accounts::expiry_reminded_at.eq(None::<DateTime<Utc>>),
    ))
    .execute(conn)?;
    Ok(())
}

fn send(
    conn: &mut PgConnection,
    workspace_id: i64,
    account_id: i64,
    public_url: &str,
    reminder: bool,
) -> QueryResult<usize> {
    let (handle, slug, workspace, workspace_language): (String, String, String, Lang) =
        social_accounts::table
            .inner_join(workspaces::table)
            .filter(social_accounts::workspace_id.eq(workspace_id))
            .filter(social_accounts::id.eq(account_id))
            .select((
                social_accounts::handle,
                workspaces::slug,
                workspaces::name,
                workspaces::language,
            ))
            .first(conn)?;
    let recipients: Vec<(String, String, Option<Lang>)> = memberships::table
        .inner_join(users::table)
        .filter(memberships::workspace_id.eq(workspace_id))
        .filter(memberships::role.eq_any([Role::Owner, Role::Admin]))
        .filter(users::disabled_at.is_null())
        .select((users::email, users::display_name, users::locale))
        .load(conn)?;
    let link = format!(
        "{}/w/{slug}/accounts?reconnect={account_id}#account-{account_id}",
        public_url.trim_end_matches('/')
    );
    let handle = format!("@{handle}");
    let (body_key, subject_key, kind) = if reminder {
        (
            "mail.expired_reminder_body",
            "mail.expired_reminder_subject",
            MailKind::AccountExpiredReminder,
        )
    } else {
        (
            "mail.expired_body",
            "mail.expired_subject",
            MailKind::AccountExpired,
        )
    };
    for (email, name, locale) in &recipients {
        let lang = locale.unwrap_or(workspace_language);
        let plain = Plain {
            lang,
            greeting: lang.t_with("mail.hello", "name", name),
            paragraphs: vec![
                lang.t_with(body_key, "handle", &handle),
                lang.t_with("mail.expired_workspace", "workspace", &workspace),
                lang.t("mail.expired_safe").into_owned(),
            ],
            action: lang.t("mail.expired_action").into_owned(),
            link: link.clone(),
        };
        queue(
            conn,
            &plain.email(
                Some(workspace_id),
                email,
                kind,
                lang.t_with(subject_key, "handle", &handle),
            ),
        )?;
    }
    Ok(recipients.len())
}
