//! Session-expiry alerts: when an account turns expired, the workspace's owners and admins get one email
//! with a link that opens the reconnect flow for that account (the pasted-cookies form, or for an OAuth
//! account the button that starts the platform's consent screen), worded for how it was connected; one
//! reminder follows after 24 hours if it is still expired; reconnecting clears both, so a later expiry
//! alerts again.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;

use super::message::Plain;
use super::queue;
use crate::db::schema::{memberships, social_accounts, users, workspaces};
use crate::domain::Role;
use crate::domain::account::{AccountStatus, ConnectedVia};
use crate::domain::mail::MailKind;
use crate::domain::platform::Platform;
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

/// The translation keys of an expiry mail: a pasted session expires (fresh cookies reconnect it), an
/// OAuth access is withdrawn (the platform's consent screen reconnects it). `%{handle}` and
/// `%{platform}` are filled in.
struct Words {
    subject: &'static str,
    body: &'static str,
    /// How to reconnect, when the link alone does not say it.
    how: Option<&'static str>,
    safe: &'static str,
}

impl Words {
    fn of(via: ConnectedVia, reminder: bool) -> Self {
        let oauth = via == ConnectedVia::OAuth;
        let subject = match (reminder, oauth) {
            (true, _) => "mail.expired_reminder_subject",
            (false, true) => "mail.expired_oauth_subject",
            (false, false) => "mail.expired_subject",
        };
        let body = match (reminder, oauth) {
            (true, true) => "mail.expired_oauth_reminder_body",
            (true, false) => "mail.expired_reminder_body",
            (false, true) => "mail.expired_oauth_body",
            (false, false) => "mail.expired_body",
        };
        if oauth {
            Self {
                subject,
                body,
                how: Some("mail.expired_oauth_how"),
                safe: "mail.expired_oauth_safe",
            }
        } else {
            Self {
                subject,
                body,
                how: None,
                safe: "mail.expired_safe",
            }
        }
    }
}

fn send(
    conn: &mut PgConnection,
    workspace_id: i64,
    account_id: i64,
    public_url: &str,
    reminder: bool,
) -> QueryResult<usize> {
    let (handle, platform, via, slug, workspace, workspace_language): (
        String,
        Platform,
        ConnectedVia,
        String,
        String,
        Lang,
    ) = social_accounts::table
        .inner_join(workspaces::table)
        .filter(social_accounts::workspace_id.eq(workspace_id))
        .filter(social_accounts::id.eq(account_id))
        .select((
            social_accounts::handle,
            social_accounts::platform,
            social_accounts::connected_via,
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
    let words = Words::of(via, reminder);
    let kind = if reminder {
        MailKind::AccountExpiredReminder
    } else {
        MailKind::AccountExpired
    };
    for (email, name, locale) in &recipients {
        let lang = locale.unwrap_or(workspace_language);
        let say = |key: &str| {
            lang.t_with(key, "handle", &handle)
                .replace("%{platform}", platform.name())
        };
        let mut paragraphs = vec![
            say(words.body),
            lang.t_with("mail.expired_workspace", "workspace", &workspace),
        ];
        paragraphs.extend(words.how.map(say));
        paragraphs.push(say(words.safe));
        let plain = Plain {
            lang,
            greeting: lang.t_with("mail.hello", "name", name),
            paragraphs,
            action: lang.t("mail.expired_action").into_owned(),
            link: link.clone(),
        };
        queue(
            conn,
            &plain.email(Some(workspace_id), email, kind, say(words.subject)),
        )?;
    }
    Ok(recipients.len())
}
