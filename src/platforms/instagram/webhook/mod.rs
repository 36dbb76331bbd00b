//! Instagram's webhook deliveries, read without a database or a server: the signature check
//! (`signature`), the body's events (`parse`), and each event as the JSON line of
//! `vistaflow extract instagram-webhook`.

mod parse;
mod signature;

use chrono::{DateTime, SecondsFormat, Utc};

use crate::domain::interaction::{Direction, Kind};

pub use parse::parse;
pub use signature::{signature_header, signature_matches};

/// The name `vistaflow extract` reads a saved delivery by.
pub const SAVED_DELIVERY: &str = "instagram-webhook";

/// What is wrong with a delivery's body, in words (it is kept as a failed delivery for an admin).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Malformed {
    #[error("the body is not JSON ({0})")]
    NotJson(String),
    #[error("the body is not a JSON object")]
    NotAnObject,
    #[error("the body's object is {0}, not \"instagram\"")]
    NotInstagram(String),
    #[error("the body has no entry array")]
    NoEntries,
    /// One entry, change or messaging item, named by its place in the body (`entry[0].changes[1]`).
    #[error("{at}: {problem}")]
    Item { at: String, problem: &'static str },
}

/// One change or messaging item of a delivery.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Event(Event),
    /// Kept for the logs and ignored: a field or an event VistaFlow does not read.
    Unknown(Unknown),
}

/// A comment, mention, message or reaction on a connected account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub kind: Kind,
    /// Outgoing: an echo of the account's own message, or a comment or reaction by the account itself.
    pub direction: Direction,
    /// The professional account the delivery is for (`entry[].id`).
    pub account_id: String,
    /// What makes ingestion idempotent: the comment id, the message `mid`, `media:<media id>` for a
    /// mention in a caption, `reaction:<mid>:<sender id>` for a reaction.
    pub external_id: String,
    /// The sender's username, lower-cased and without `@`, when the payload has it (comments only).
    pub handle: Option<String>,
    pub sender_id: Option<String>,
    /// The other party, the person the lead is about: the sender of an incoming event, the recipient of
    /// an outgoing message or reaction; `None` for the account's own comment (the payload does not say
    /// whom it answers beyond `parent_id`) and for a mention (the payload does not say who).
    pub person_id: Option<String>,
    pub text: Option<String>,
    pub occurred_at: DateTime<Utc>,
    pub media_id: Option<String>,
    /// The comment a reply answers, the message a reply or a reaction is about.
    pub parent_id: Option<String>,
}

/// Something of a delivery that is not read: an unknown `changes[].field`, or a messaging item that is
/// a read receipt, a postback, an `unreact`, a deleted message...
#[derive(Debug, Clone, PartialEq)]
pub struct Unknown {
    pub account_id: String,
    /// The change's `field`, or the messaging item's event key (`read`, `postback`, `reaction`...).
    pub field: String,
    /// The whole change or messaging item, as it came.
    pub raw: serde_json::Value,
}

impl Item {
    /// The item as one line of JSON: `kind`, `direction` (`in`/`out`), `account_id`, `external_id`,
    /// `handle`, `sender_id`, `text`, `occurred_at` (RFC 3339 UTC), `media_id`, `parent_id`; an unknown
    /// item is `kind: "unknown"` with its raw `field`, the keys it has no value for null.
    #[must_use]
    pub fn to_json_line(&self) -> String {
        let line = match self {
            Item::Event(event) => serde_json::json!({
                "kind": event.kind.as_str(),
                "direction": direction_word(event.direction),
                "account_id": event.account_id,
                "external_id": event.external_id,
                "handle": event.handle,
                "sender_id": event.sender_id,
                "text": event.text,
                "occurred_at": event.occurred_at.to_rfc3339_opts(SecondsFormat::AutoSi, true),
                "media_id": event.media_id,
                "parent_id": event.parent_id,
            }),
            Item::Unknown(unknown) => serde_json::json!({
                "kind": "unknown",
                "field": unknown.field,
                "direction": null,
                "account_id": unknown.account_id,
                "external_id": null,
                "handle": null,
                "sender_id": null,
                "text": null,
                "occurred_at": null,
                "media_id": null,
                "parent_id": null,
            }),
        };
        line.to_string()
    }
}

const fn direction_word(direction: Direction) -> &'static str {
    match direction {
        Direction::Incoming => "in",
        Direction::Outgoing => "out",
    }
}

/// The JSON lines of a saved delivery's body, for `vistaflow extract instagram-webhook`.
///
/// # Errors
/// [`Malformed`] when the body is not a delivery.
pub fn saved_delivery(body: &[u8]) -> Result<Vec<String>, Malformed> {
    Ok(parse(body)?.iter().map(Item::to_json_line).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(body: &[u8]) -> Vec<serde_json::Value> {
        saved_delivery(body)
            .unwrap()
            .iter()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    #[test]
    fn an_event_line_has_exactly_the_keys_of_the_command() {
        let body = br#"{"object":"instagram","entry":[{"id":"1","time":1755779280,"changes":[{"field":"comments",
            "value":{"id":"c1","from":{"id":"2","username":"Nina"},"text":"price?","media":{"id":"m1"}}}]}]}"#;

        let lines = line(body);

        assert_eq!(
            lines,
            [serde_json::json!({
                "kind": "comment",
                "direction": "in",
                "account_id": "1",
                "external_id": "c1",
                "handle": "nina",
                "sender_id": "2",
                "text": "price?",
                "occurred_at": "2025-08-21T12:28:00Z",
                "media_id": "m1",
                "parent_id": null,
            })]
        );
    }

    #[test]
    fn an_echo_line_says_out_and_keeps_the_milliseconds() {
        let body = br#"{"object":"instagram","entry":[{"id":"1","time":1761287298065,"messaging":[{"sender":{"id":"1"},
            "recipient":{"id":"2"},"timestamp":1761287294014,"message":{"mid":"m","text":"hi","is_echo":true}}]}]}"#;

        let lines = line(body);

        assert_eq!(lines[0]["kind"], "message");
        assert_eq!(lines[0]["direction"], "out");
        assert_eq!(lines[0]["occurred_at"], "2025-10-24T06:28:14.014Z");
    }

    #[test]
    fn an_unknown_line_names_its_raw_field() {
        let body = br#"{"object":"instagram","entry":[{"id":"1","time":1,"changes":[{"field":"story_insights","value":{}}]}]}"#;

        let lines = line(body);

        assert_eq!(lines[0]["kind"], "unknown");
        assert_eq!(lines[0]["field"], "story_insights");
        assert_eq!(lines[0]["account_id"], "1");
        assert!(lines[0]["external_id"].is_null());
    }
}
