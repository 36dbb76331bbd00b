//! One mapping from Instagram's events to stored interactions, shared by the webhook inbox and the
//! backfill: a comment or message read from the Graph API becomes the same `webhook::Event` a delivery
//! carries (same ids, same direction rules), and every event becomes an `Observed` row the same way,
//! so an event the webhook and the backfill both see is stored once.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::db::models::SocialAccount;
use crate::db::queries::platform_people::Person;
use crate::domain::interaction::{Direction, Kind, Observed, PlatformIds, When};
use crate::domain::platform_time::Precision;
use crate::platforms::instagram::{api, webhook};

/// The names known of people, by (connected account id, person's platform id).
pub(super) type People = HashMap<(i64, String), Person>;

pub(super) enum Routed {
    Row(Box<Observed>),
    Ignored,
    NeedsName(String),
}

/// Whether the event names its person only by id: their handle must come from `platform_people`.
pub(super) fn needs_known_name(event: &webhook::Event) -> bool {
    event.handle.is_none() || event.direction == Direction::Outgoing
}

/// The interaction an event is for `account`, if it is one VistaFlow keeps.
pub(super) fn observed(event: &webhook::Event, account: &SocialAccount, people: &People) -> Routed {
    // The creator's own comment under a post is no one's interaction; their own messages are kept
    // (outgoing) in the conversation with the person they wrote to.
    if event.direction == Direction::Outgoing && event.kind != Kind::Message {
        return Routed::Ignored;
    }
    let known = event
        .person_id
        .as_ref()
        .and_then(|id| people.get(&(account.id, id.clone())));
    // A payload's username is its sender's: the person's only when they wrote.
    let said = event
        .handle
        .as_ref()
        .filter(|_| event.direction == Direction::Incoming);
    let (handle, display_name) = match (said, known) {
        (Some(handle), _) => (handle.clone(), known.and_then(|p| p.display_name.clone())),
        (None, Some(person)) => (person.handle.clone(), person.display_name.clone()),
        (None, None) => {
            return match &event.person_id {
                Some(id) if event.kind != Kind::Mention => Routed::NeedsName(id.clone()),
                _ => Routed::Ignored,
            };
        }
    };
    Routed::Row(Box::new(Observed {
        kind: event.kind,
        handle: handle.trim_start_matches('@').to_lowercase(),
        display_name,
        text: event.text.clone(),
        post_ref: event.media_id.clone(),
        when: exactly(event.occurred_at),
        direction: event.direction,
        ids: Some(PlatformIds {
            event: event.external_id.clone(),
            person: event.person_id.clone(),
        }),
    }))
}

/// A time the platform gives to the second.
pub(super) fn exactly(at: DateTime<Utc>) -> When {
    When {
        at,
        from: at - Precision::Second.step(),
        to: at,
        precision: Precision::Second,
    }
}

/// A username as a handle: trimmed, without `@`, lower case; `None` when blank.
fn handle_of(username: Option<&str>) -> Option<String> {
    let name = username?.trim();
    let name = name.strip_prefix('@').unwrap_or(name).trim();
    (!name.is_empty()).then(|| name.to_lowercase())
}

fn text_of(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_owned())
}

/// The connected account as the Graph API names it in comments and messages.
#[derive(Debug, Clone, Copy)]
pub(super) struct Own<'a> {
    /// The professional account id (`user_id`).
    pub id: &'a str,
    pub handle: &'a str,
}

impl Own<'_> {
    fn is(&self, user: Option<&api::User>, username: Option<&str>) -> bool {
        user.is_some_and(|u| u.id == self.id)
            || handle_of(username.or_else(|| user.and_then(|u| u.username.as_deref())))
                .is_some_and(|h| h.eq_ignore_ascii_case(self.handle))
    }
}

/// A comment (or reply) read from the API, as the webhook would deliver it: the account's own comments
/// are outgoing (and kept by no one).
pub(super) fn from_comment(own: Own<'_>, comment: &api::Comment) -> webhook::Event {
    let mine = own.is(comment.from.as_ref(), comment.username.as_deref());
    let sender_id = comment.from.as_ref().map(|f| f.id.clone());
    let username = comment
        .username
        .as_deref()
        .or_else(|| comment.from.as_ref().and_then(|f| f.username.as_deref()));
    webhook::Event {
        kind: Kind::Comment,
        direction: if mine {
            Direction::Outgoing
        } else {
            Direction::Incoming
        },
        account_id: own.id.to_owned(),
        external_id: comment.id.clone(),
        handle: handle_of(username),
        person_id: if mine { None } else { sender_id.clone() },
        sender_id,
        text: text_of(&comment.text),
        occurred_at: comment.timestamp,
        media_id: Some(comment.media_id.clone()),
        parent_id: comment.parent_id.clone(),
    }
}

/// A message of a conversation, as the webhook would deliver it: the account's own message is outgoing
/// and about the person it went to.
pub(super) fn from_message(own: Own<'_>, message: &api::Message) -> webhook::Event {
    let mine = own.is(Some(&message.from), None);
    let person = if mine {
        message.to.iter().find(|u| u.id != own.id)
    } else {
        Some(&message.from)
    };
    webhook::Event {
        kind: Kind::Message,
        direction: if mine {
            Direction::Outgoing
        } else {
            Direction::Incoming
        },
        account_id: own.id.to_owned(),
        external_id: message.id.clone(),
        handle: if mine {
            None
        } else {
            handle_of(message.from.username.as_deref())
        },
        sender_id: Some(message.from.id.clone()),
        person_id: person.map(|p| p.id.clone()),
        text: text_of(&message.text),
        occurred_at: message.created_time,
        media_id: None,
        parent_id: None,
    }
}

/// The people a message names with their usernames (both sides but the account): what the backfill
/// remembers so later deliveries need no lookup.
pub(super) fn named_in(own: Own<'_>, message: &api::Message) -> Vec<(String, String)> {
    std::iter::once(&message.from)
        .chain(&message.to)
        .filter(|u| u.id != own.id)
        .filter_map(|u| Some((u.id.clone(), handle_of(u.username.as_deref())?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;

    use super::*;

    const OWN: Own<'static> = Own {
        id: "17841400000000001",
        handle: "studio.nova.demo",
    };

    fn user(id: &str, username: &str) -> api::User {
        api::User {
            id: id.to_owned(),
            username: Some(username.to_owned()),
        }
    }

    fn at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 20, 10, 0, 0).unwrap()
    }

    fn comment(from: api::User) -> api::Comment {
        api::Comment {
            id: "178001".to_owned(),
            media_id: "181001".to_owned(),
            text: "price?".to_owned(),
            username: from.username.clone(),
            from: Some(from),
            timestamp: at(),
            like_count: None,
            parent_id: Some("178000".to_owned()),
        }
    }

    fn message(from: api::User, to: api::User) -> api::Message {
        api::Message {
            id: "aWdfmid".to_owned(),
            created_time: at(),
            from,
            to: vec![to],
            text: "hello".to_owned(),
        }
    }

    #[test]
    fn a_comment_read_from_the_api_is_the_event_a_delivery_carries() {
        let event = from_comment(OWN, &comment(user("900", "Jane.Doe")));

        assert_eq!(event.kind, Kind::Comment);
        assert_eq!(event.direction, Direction::Incoming);
        assert_eq!(event.external_id, "178001");
        assert_eq!(event.handle.as_deref(), Some("jane.doe"));
        assert_eq!(event.person_id.as_deref(), Some("900"));
        assert_eq!(event.media_id.as_deref(), Some("181001"));
        assert_eq!(event.parent_id.as_deref(), Some("178000"));
        assert_eq!(event.occurred_at, at());
    }

    #[test]
    fn the_accounts_own_comment_is_outgoing_by_id_or_by_username() {
        let by_id = from_comment(OWN, &comment(user(OWN.id, "renamed")));
        let by_name = from_comment(OWN, &comment(user("5", "Studio.Nova.Demo")));

        assert_eq!(by_id.direction, Direction::Outgoing);
        assert_eq!(by_name.direction, Direction::Outgoing);
        assert_eq!(by_id.person_id, None);
    }

    #[test]
    fn a_message_from_the_account_is_outgoing_and_about_its_recipient() {
        let sent = from_message(OWN, &message(user(OWN.id, OWN.handle), user("900", "jane")));
        let received = from_message(OWN, &message(user("900", "Jane"), user(OWN.id, OWN.handle)));

        assert_eq!(sent.direction, Direction::Outgoing);
        assert_eq!(sent.person_id.as_deref(), Some("900"));
        assert_eq!(sent.handle, None);
        assert_eq!(received.direction, Direction::Incoming);
        assert_eq!(received.person_id.as_deref(), Some("900"));
        assert_eq!(received.handle.as_deref(), Some("jane"));
        assert_eq!(
            named_in(OWN, &message(user(OWN.id, OWN.handle), user("900", "Jane"))),
            [("900".to_owned(), "jane".to_owned())]
        );
    }
}
