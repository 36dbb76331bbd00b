//! What the Graph API answers, as it comes on the wire (`Raw*`), and what the client hands back: ids as
//! strings whether Meta sends a string or a number, times in UTC, replies flattened beside their
//! comments, cursors instead of `next` URLs (which carry the token).

use chrono::{DateTime, Utc};
use secrecy::SecretString;
use serde::{Deserialize, Deserializer};

/// A short-lived token (one hour) from the code exchange.
#[derive(Debug)]
pub struct ShortLived {
    pub token: SecretString,
    /// The app-scoped id of the account (not the id webhooks carry: read [`Profile::user_id`]).
    pub user_id: String,
    pub permissions: Vec<String>,
}

/// A long-lived token (60 days), from the exchange or a refresh.
#[derive(Debug)]
pub struct LongLived {
    pub token: SecretString,
    /// Seconds from now.
    pub expires_in: i64,
}

/// The connected professional account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    /// The professional account id, the one webhooks carry as `entry[].id`: key the account on it.
    pub user_id: String,
    pub username: String,
    pub name: Option<String>,
    /// `BUSINESS` or `MEDIA_CREATOR`.
    pub account_type: Option<String>,
    pub profile_picture_url: Option<String>,
}

/// One page of a list, and the cursor of the next page when there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass it back as `after` for the next page; `None` on the last page.
    pub after: Option<String>,
}

/// A post, reel or story of the account.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Media {
    pub id: String,
    pub caption: Option<String>,
    pub media_type: Option<String>,
    /// `FEED`, `REELS`, `STORY`, `AD`.
    pub media_product_type: Option<String>,
    pub permalink: Option<String>,
    #[serde(deserialize_with = "time")]
    pub timestamp: DateTime<Utc>,
    pub comments_count: Option<i64>,
    pub like_count: Option<i64>,
}

/// Someone on Instagram as a comment or message names them.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct User {
    #[serde(deserialize_with = "id")]
    pub id: String,
    pub username: Option<String>,
}

/// A comment on a media, or a reply to one (then `parent_id` is the comment replied to).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    pub id: String,
    pub media_id: String,
    pub text: String,
    pub username: Option<String>,
    pub from: Option<User>,
    pub timestamp: DateTime<Utc>,
    pub like_count: Option<i64>,
    pub parent_id: Option<String>,
}

/// A conversation of the account and its latest messages (the API gives the 20 latest).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversation {
    pub id: String,
    pub updated_time: Option<DateTime<Utc>>,
    pub messages: Vec<Message>,
}

/// One message of a conversation, either way (compare `from.id` with the account's id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The message's `mid`, the id webhooks carry.
    pub id: String,
    pub created_time: DateTime<Utc>,
    pub from: User,
    pub to: Vec<User>,
    /// Empty for a message that is only an attachment or a sticker.
    pub text: String,
}

/// A person behind an Instagram-scoped id (a DM's sender).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Person {
    #[serde(deserialize_with = "id")]
    pub id: String,
    pub username: String,
    pub name: Option<String>,
}

/// A message sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    pub message_id: String,
}

// ---- The shapes on the wire ----

/// The code exchange's answer: `{"data":[{...}]}` or the same object flat.
#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum RawExchange {
    Wrapped { data: Vec<RawShortLived> },
    Flat(RawShortLived),
}

#[derive(Deserialize)]
pub(super) struct RawShortLived {
    pub access_token: String,
    #[serde(deserialize_with = "id")]
    pub user_id: String,
    #[serde(default, deserialize_with = "permissions")]
    pub permissions: Vec<String>,
}

#[derive(Deserialize)]
pub(super) struct RawLongLived {
    pub access_token: String,
    pub expires_in: i64,
}

#[derive(Deserialize)]
pub(super) struct RawProfile {
    #[serde(deserialize_with = "id")]
    pub user_id: String,
    pub username: String,
    pub name: Option<String>,
    pub account_type: Option<String>,
    pub profile_picture_url: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct RawSuccess {
    pub success: bool,
}

#[derive(Deserialize)]
pub(super) struct RawPage<T> {
    pub data: Vec<T>,
    pub paging: Option<RawPaging>,
}

#[derive(Deserialize)]
pub(super) struct RawPaging {
    pub cursors: Option<RawCursors>,
    /// A full URL with the access token in it: only its presence is read.
    pub next: Option<serde::de::IgnoredAny>,
}

#[derive(Deserialize)]
pub(super) struct RawCursors {
    pub after: Option<String>,
}

impl<T> RawPage<T> {
    /// The items mapped through `f`, and the cursor when a next page exists.
    pub fn into_page<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        let after = self
            .paging
            .filter(|p| p.next.is_some())
            .and_then(|p| p.cursors)
            .and_then(|c| c.after);
        Page {
            items: self.data.into_iter().map(f).collect(),
            after,
        }
    }
}

#[derive(Deserialize)]
pub(super) struct RawComment {
    pub id: String,
    #[serde(default)]
    pub text: String,
    pub username: Option<String>,
    pub from: Option<User>,
    #[serde(deserialize_with = "time")]
    pub timestamp: DateTime<Utc>,
    pub like_count: Option<i64>,
    pub parent_id: Option<String>,
    pub replies: Option<RawPage<RawComment>>,
}

impl RawComment {
    /// The comment, then its replies (each naming the comment as its parent).
    pub fn flatten(self, media_id: &str, into: &mut Vec<Comment>) {
        let replies = self.replies.map(|r| r.data).unwrap_or_default();
        let id = self.id;
        into.push(Comment {
            id: id.clone(),
            media_id: media_id.to_owned(),
            text: self.text,
            username: self.username,
            from: self.from,
            timestamp: self.timestamp,
            like_count: self.like_count,
            parent_id: self.parent_id,
        });
        for mut reply in replies {
            reply.parent_id.get_or_insert_with(|| id.clone());
            reply.replies = None;
            reply.flatten(media_id, into);
        }
    }
}

#[derive(Deserialize)]
pub(super) struct RawConversation {
    pub id: String,
    #[serde(default, deserialize_with = "optional_time")]
    pub updated_time: Option<DateTime<Utc>>,
    pub messages: Option<RawPage<RawMessage>>,
}

impl From<RawConversation> for Conversation {
    fn from(raw: RawConversation) -> Self {
        Self {
            id: raw.id,
            updated_time: raw.updated_time,
            messages: raw
                .messages
                .map(|m| m.data.into_iter().map(Message::from).collect())
                .unwrap_or_default(),
        }
    }
}

#[derive(Deserialize)]
pub(super) struct RawMessage {
    pub id: String,
    #[serde(deserialize_with = "time")]
    pub created_time: DateTime<Utc>,
    pub from: User,
    pub to: Option<RawPage<User>>,
    #[serde(default)]
    pub message: String,
}

impl From<RawMessage> for Message {
    fn from(raw: RawMessage) -> Self {
        Self {
            id: raw.id,
            created_time: raw.created_time,
            from: raw.from,
            to: raw.to.map(|t| t.data).unwrap_or_default(),
            text: raw.message,
        }
    }
}

#[derive(Deserialize)]
pub(super) struct RawSent {
    pub message_id: String,
}

// ---- Field readers ----

/// An id Meta sends as a string or as a number.
fn id<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Id {
        Text(String),
        Number(u64),
    }
    Ok(match Id::deserialize(deserializer)? {
        Id::Text(text) => text,
        Id::Number(number) => number.to_string(),
    })
}

/// Permissions as one comma-separated string or as a list.
fn permissions<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Permissions {
        Joined(String),
        List(Vec<String>),
    }
    Ok(match Permissions::deserialize(deserializer)? {
        Permissions::Joined(text) => text
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect(),
        Permissions::List(list) => list,
    })
}

fn time<'de, D: Deserializer<'de>>(deserializer: D) -> Result<DateTime<Utc>, D::Error> {
    let text = String::deserialize(deserializer)?;
    parse_time(&text).ok_or_else(|| serde::de::Error::custom(format!("not a time: {text:?}")))
}

fn optional_time<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<DateTime<Utc>>, D::Error> {
    match Option::<String>::deserialize(deserializer)? {
        None => Ok(None),
        Some(text) => parse_time(&text)
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom(format!("not a time: {text:?}"))),
    }
}

/// A Graph time: `2017-08-31T18:10:30+0000` (no colon in the offset), or RFC 3339.
#[must_use]
pub fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%z")
        .or_else(|_| DateTime::parse_from_rfc3339(text))
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;

    use super::*;

    #[test]
    fn graph_times_are_read_with_or_without_a_colon_in_the_offset() {
        let expected = Utc.with_ymd_and_hms(2017, 8, 31, 18, 10, 30).single();

        assert_eq!(parse_time("2017-08-31T18:10:30+0000"), expected);
        assert_eq!(parse_time("2017-08-31T20:10:30+0200"), expected);
        assert_eq!(parse_time("2017-08-31T18:10:30Z"), expected);
        assert_eq!(parse_time("2017-08-31T18:10:30+00:00"), expected);
        assert_eq!(parse_time("yesterday"), None);
    }

    #[test]
    fn the_flat_exchange_shape_with_a_numeric_id_and_a_permission_list_is_read() {
        let body = r#"{"access_token":"IGQ","user_id":17841400000000001,"permissions":["a","b"]}"#;

        let raw: RawExchange = serde_json::from_str(body).unwrap();

        let RawExchange::Flat(short) = raw else {
            panic!("the flat shape");
        };
        assert_eq!(short.user_id, "17841400000000001");
        assert_eq!(short.permissions, ["a", "b"]);
    }

    #[test]
    fn a_page_without_next_has_no_cursor_even_with_cursors() {
        let body = r#"{"data":[1,2],"paging":{"cursors":{"before":"b","after":"a"}}}"#;

        let page = serde_json::from_str::<RawPage<i32>>(body)
            .unwrap()
            .into_page(|n| n);

        assert_eq!(
            page,
            Page {
                items: vec![1, 2],
                after: None
            }
        );
    }
}
