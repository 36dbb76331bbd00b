//! Sending an approved draft on Instagram, one click per message (VistaFlow never sends on its own):
//! within 24 hours of the person's latest message it goes to their conversation; otherwise their latest
//! comment of the last 7 days can get its one private reply; otherwise only "copy and open profile" is
//! left. The draft is claimed while it is sent (two clicks never send it twice), and recorded as sent
//! with the platform's message id; its quota was counted when it was approved.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use diesel::Connection as _;

use crate::db::models::NewAuditEvent;
use crate::db::queries;
use crate::db::queries::review::ReadyDraft;
use crate::db::queries::sending::{self, Latest};
use crate::domain::draft::SentVia;
use crate::domain::interaction::Kind;
use crate::domain::platform::Platform;
use crate::error::{AppError, with_db};
use crate::i18n::Lang;
use crate::platforms::instagram::{MESSAGE_WINDOW_HOURS, PRIVATE_REPLY_DAYS, api};
use crate::state::AppState;
use crate::usecases::Actor;

/// How an approved draft to an Instagram lead can go out now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// In the person's conversation, until the window closes.
    Message {
        account_id: i64,
        person_id: String,
        until: DateTime<Utc>,
    },
    /// As the one private reply to their comment, until it is too old.
    PrivateReply {
        account_id: i64,
        comment_id: String,
        until: DateTime<Utc>,
    },
    /// Only by hand; `closed_at` is when the last messaging window closed, if there was one.
    ByHand { closed_at: Option<DateTime<Utc>> },
}

/// Chooses how to answer, from the lead's latest message and comment.
#[must_use]
pub fn choose(
    message: Option<&Latest>,
    comment: Option<&Latest>,
    answered: &[String],
    now: DateTime<Utc>,
) -> Reply {
    let window = Duration::hours(MESSAGE_WINDOW_HOURS);
    if let Some(m) = message
        && let Some(person) = &m.person_id
        && m.at + window > now
    {
        return Reply::Message {
            account_id: m.account_id,
            person_id: person.clone(),
            until: m.at + window,
        };
    }
    if let Some(c) = comment
        && let Some(id) = &c.external_id
        && c.at + Duration::days(PRIVATE_REPLY_DAYS) > now
        && !answered.contains(id)
    {
        return Reply::PrivateReply {
            account_id: c.account_id,
            comment_id: id.clone(),
            until: c.at + Duration::days(PRIVATE_REPLY_DAYS),
        };
    }
    Reply::ByHand {
        closed_at: message.map(|m| m.at + window),
    }
}

/// How each ready draft to an Instagram lead can go out now, by draft id.
pub fn replies(
    conn: &mut diesel::PgConnection,
    workspace_id: i64,
    ready: &[ReadyDraft],
    now: DateTime<Utc>,
) -> diesel::QueryResult<HashMap<i64, Reply>> {
    let instagram = || ready.iter().filter(|d| d.platform == Platform::Instagram);
    let leads: Vec<i64> = instagram().map(|d| d.lead_id).collect();
    let by_lead = replies_to(conn, workspace_id, &leads, now)?;
    Ok(instagram()
        .filter_map(|d| Some((d.id, by_lead.get(&d.lead_id)?.clone())))
        .collect())
}

/// How each of the Instagram leads `leads` can be answered now, by lead id.
fn replies_to(
    conn: &mut diesel::PgConnection,
    workspace_id: i64,
    leads: &[i64],
    now: DateTime<Utc>,
) -> diesel::QueryResult<HashMap<i64, Reply>> {
    if leads.is_empty() {
        return Ok(HashMap::new());
    }
    let recent = now - Duration::days(30);
    let latest = |conn: &mut diesel::PgConnection, kind| {
        sending::latest(conn, workspace_id, Platform::Instagram, kind, leads, recent)
    };
    let messages = latest(conn, Kind::Message)?;
    let comments = latest(conn, Kind::Comment)?;
    let ids: Vec<String> = comments
        .iter()
        .filter_map(|c| c.external_id.clone())
        .collect();
    let answered = sending::answered_comments(conn, workspace_id, &ids)?;
    Ok(leads
        .iter()
        .map(|lead| {
            let message = messages.iter().find(|m| m.lead_id == *lead);
            let comment = comments.iter().find(|c| c.lead_id == *lead);
            (*lead, choose(message, comment, &answered, now))
        })
        .collect())
}

/// Why a click sent nothing; each says what to do next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Another click is sending it.
    Busy,
    /// Neither a conversation window nor a comment to answer: copy it and send it by hand.
    ByHandOnly { closed_at: Option<DateTime<Utc>> },
    /// The account has no token (disconnected): reconnect it, or send by hand.
    NotConnected,
    /// Instagram asks to slow down.
    Throttled,
    /// Instagram refused, in its words.
    Platform(String),
}

impl Refusal {
    /// The message shown to the person, in their language.
    #[must_use]
    pub fn message(&self, lang: Lang) -> String {
        match self {
            Refusal::Busy => lang.t("instagram.send_busy").into_owned(),
            Refusal::ByHandOnly { .. } => lang.t("instagram.send_window_closed").into_owned(),
            Refusal::NotConnected => lang.t("instagram.send_not_connected").into_owned(),
            Refusal::Throttled => lang.t("instagram.send_throttled").into_owned(),
            Refusal::Platform(said) => lang.t_with("instagram.send_refused", "said", said),
        }
    }
}

/// What went out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    pub message_id: String,
    pub private_reply: bool,
}

/// Sends the workspace's approved draft `id` on Instagram, as the actor's click asks. 404 when it is no
/// approved draft of an Instagram lead of the workspace.
pub async fn send(
    state: &AppState,
    actor: &Actor,
    id: i64,
) -> Result<Result<Sent, Refusal>, AppError> {
    let workspace_id = actor.workspace_id;
    let now = Utc::now();
    let claimed = with_db(&state.pool, move |conn| {
        let Some(draft) = sending::to_send(conn, workspace_id, id)? else {
            return Err(AppError::NotFound);
        };
        if draft.platform != Platform::Instagram {
            return Err(AppError::NotFound);
        }
        if sending::claim(conn, workspace_id, id, now)?.is_none() {
            return Ok(None);
        }
        let reply = replies_to(conn, workspace_id, &[draft.lead_id], now)?
            .remove(&draft.lead_id)
            .unwrap_or(Reply::ByHand { closed_at: None });
        Ok(Some((draft.body, reply)))
    })
    .await?;
    let Some((body, reply)) = claimed else {
        return Ok(Err(Refusal::Busy));
    };
    let outcome = deliver(state, workspace_id, &body, &reply).await?;
    let (user_id, ip) = (actor.user_id, actor.ip.clone());
    with_db(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let Ok(sent) = &outcome else {
                sending::release(conn, workspace_id, id)?;
                return Ok(outcome);
            };
            queries::review::mark_sent(conn, workspace_id, id, user_id)?;
            let comment = match &reply {
                Reply::PrivateReply { comment_id, .. } => Some(comment_id.as_str()),
                _ => None,
            };
            sending::record_sent(
                conn,
                workspace_id,
                id,
                SentVia::Instagram,
                &sent.message_id,
                comment,
            )?;
            let event = NewAuditEvent::new(
                "message.sent_on_instagram",
                Some(user_id),
                Some(workspace_id),
                Some(&ip),
            )
            .with_details(
                serde_json::json!({ "draft_id": id, "private_reply": sent.private_reply }),
            );
            queries::audit::record(conn, &event)?;
            Ok(outcome)
        })
    })
    .await
}

/// Sends `body` the way `reply` says, with the account's token.
async fn deliver(
    state: &AppState,
    workspace_id: i64,
    body: &str,
    reply: &Reply,
) -> Result<Result<Sent, Refusal>, AppError> {
    let (account_id, to) = match reply {
        Reply::Message {
            account_id,
            person_id,
            ..
        } => (*account_id, Ok(person_id)),
        Reply::PrivateReply {
            account_id,
            comment_id,
            ..
        } => (*account_id, Err(comment_id)),
        Reply::ByHand { closed_at } => {
            return Ok(Err(Refusal::ByHandOnly {
                closed_at: *closed_at,
            }));
        }
    };
    let Some(token) = super::token(state, workspace_id, account_id).await? else {
        return Ok(Err(Refusal::NotConnected));
    };
    let graph = api::Graph::new(&state.settings.platforms.instagram)
        .map_err(|e| AppError::Internal(e.into()))?;
    let answer = match to {
        Ok(person_id) => graph.send_message(&token, person_id, body).await,
        Err(comment_id) => graph.private_reply(&token, comment_id, body).await,
    };
    Ok(match answer {
        Ok(sent) => Ok(Sent {
            message_id: sent.message_id,
            private_reply: matches!(reply, Reply::PrivateReply { .. }),
        }),
        Err(error) if error.is_throttle() => Err(Refusal::Throttled),
        Err(error) if error.is_token_dead() => {
            let found = with_db(&state.pool, move |conn| {
                Ok(queries::accounts::find(conn, workspace_id, account_id)?)
            })
            .await?;
            if let Some(account) = found {
                super::tokens::token_died(state, &account, &error.to_string()).await?;
            }
            Err(Refusal::NotConnected)
        }
        Err(error) => {
            tracing::info!(%error, "Instagram refused a message");
            Err(Refusal::Platform(error.to_string()))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn latest(hours_ago: i64, person: Option<&str>, id: Option<&str>) -> Latest {
        Latest {
            lead_id: 1,
            account_id: 7,
            person_id: person.map(str::to_owned),
            external_id: id.map(str::to_owned),
            at: Utc::now() - Duration::hours(hours_ago),
        }
    }

    #[test]
    fn a_message_of_the_last_24_hours_opens_the_conversation_until_a_day_after_it() {
        let message = latest(3, Some("610"), Some("mid"));
        let reply = choose(Some(&message), None, &[], Utc::now());
        assert_eq!(
            reply,
            Reply::Message {
                account_id: 7,
                person_id: "610".into(),
                until: message.at + Duration::hours(24),
            }
        );
    }

    #[test]
    fn without_a_recent_message_an_unanswered_comment_of_the_week_gets_a_private_reply() {
        let message = latest(30, Some("610"), Some("mid"));
        let comment = latest(50, Some("610"), Some("1790"));
        let reply = choose(Some(&message), Some(&comment), &[], Utc::now());
        assert!(
            matches!(reply, Reply::PrivateReply { ref comment_id, .. } if comment_id == "1790")
        );

        let answered = choose(Some(&message), Some(&comment), &["1790".into()], Utc::now());
        assert_eq!(
            answered,
            Reply::ByHand {
                closed_at: Some(message.at + Duration::hours(24))
            }
        );
    }

    #[test]
    fn an_old_comment_and_no_message_leave_only_sending_by_hand() {
        let comment = latest(24 * 8, Some("610"), Some("1790"));
        assert_eq!(
            choose(None, Some(&comment), &[], Utc::now()),
            Reply::ByHand { closed_at: None }
        );
    }
}
