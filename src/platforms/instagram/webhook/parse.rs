//! A delivery's body read into items: every `entry[].changes[]` (comments, live comments, mentions) and
//! every `entry[].messaging[]` and `entry[].standby[]` item (messages, echoes, reactions) becomes one
//! [`Item`], in order. Fields VistaFlow does not read are ignored; what it cannot place is `Unknown`;
//! only a body that is no delivery, or a known event without the id that makes it idempotent or
//! without any time, is [`Malformed`].

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::{Event, Item, Malformed, Unknown};
use crate::domain::interaction::{Direction, Kind};

/// From this value on a time is in milliseconds: as seconds it would be past the year 5000, as
/// milliseconds it is March 1973.
const MILLISECONDS_FROM: i64 = 100_000_000_000;

/// The items of a delivery's raw body, in the order of its entries and, in each entry, its changes,
/// then its messaging items, then its standby items.
///
/// # Errors
/// [`Malformed`] saying what is wrong: not JSON, not an object, another `object` than "instagram", no
/// `entry` array, or the place of an entry or event that cannot be read.
pub fn parse(body: &[u8]) -> Result<Vec<Item>, Malformed> {
    let root: Value =
        serde_json::from_slice(body).map_err(|e| Malformed::NotJson(e.to_string()))?;
    let Value::Object(root) = root else {
        return Err(Malformed::NotAnObject);
    };
    match root.get("object") {
        Some(Value::String(object)) if object == "instagram" => {}
        Some(other) => return Err(Malformed::NotInstagram(shortened(&other.to_string()))),
        None => return Err(Malformed::NotInstagram("missing".to_owned())),
    }
    let Some(Value::Array(entries)) = root.get("entry") else {
        return Err(Malformed::NoEntries);
    };
    let mut items = Vec::new();
    for (n, entry) in entries.iter().enumerate() {
        Entry::read(entry, n, &mut items)?;
    }
    Ok(items)
}

/// What an entry's events share: its place in the body, the account and the entry's time.
struct Entry {
    at: String,
    account_id: String,
    time: Option<DateTime<Utc>>,
}

impl Entry {
    fn read(entry: &Value, n: usize, items: &mut Vec<Item>) -> Result<(), Malformed> {
        let at = format!("entry[{n}]");
        let Some(fields) = entry.as_object() else {
            return Err(problem(&at, "not an object"));
        };
        let Some(account_id) = id_of(fields.get("id")) else {
            return Err(problem(&at, "no account id"));
        };
        let entry = Entry {
            time: moment(fields.get("time")),
            at,
            account_id,
        };
        for (n, change) in entry.list(fields, "changes")?.iter().enumerate() {
            items.push(entry.change(change, n)?);
        }
        for key in ["messaging", "standby"] {
            for (n, item) in entry.list(fields, key)?.iter().enumerate() {
                items.push(entry.messaging(item, &format!("{}.{key}[{n}]", entry.at))?);
            }
        }
        Ok(())
    }

    /// The array under `key`, empty when absent or null.
    fn list<'a>(
        &self,
        fields: &'a Map<String, Value>,
        key: &str,
    ) -> Result<&'a [Value], Malformed> {
        match fields.get(key) {
            None | Some(Value::Null) => Ok(&[]),
            Some(Value::Array(values)) => Ok(values),
            Some(_) => Err(problem(&format!("{}.{key}", self.at), "not an array")),
        }
    }

    /// The entry's time, the time of its comments and mentions.
    fn time(&self, at: &str) -> Result<DateTime<Utc>, Malformed> {
        self.time
            .ok_or_else(|| problem(at, "no valid time, neither its own nor its entry's"))
    }

    fn change(&self, change: &Value, n: usize) -> Result<Item, Malformed> {
        let at = format!("{}.changes[{n}]", self.at);
        let Some(field) = change.get("field").and_then(Value::as_str) else {
            return Err(problem(&at, "no field"));
        };
        let value = change.get("value").unwrap_or(&Value::Null);
        match field {
            "comments" | "live_comments" => self.comment(value, &at),
            "mentions" => self.mention(value, &at),
            _ => Ok(self.unknown(field, change)),
        }
    }

    fn comment(&self, value: &Value, at: &str) -> Result<Item, Malformed> {
        let Some(external_id) = id_of(value.get("id")) else {
            return Err(problem(at, "a comment without an id"));
        };
        let from = value.get("from");
        let sender_id = id_of(from.and_then(|f| f.get("id")));
        let own = sender_id.as_deref() == Some(self.account_id.as_str());
        Ok(Item::Event(Event {
            kind: Kind::Comment,
            direction: if own {
                Direction::Outgoing
            } else {
                Direction::Incoming
            },
            account_id: self.account_id.clone(),
            external_id,
            handle: handle_of(from.and_then(|f| f.get("username"))),
            person_id: if own { None } else { sender_id.clone() },
            sender_id,
            text: text_of(value.get("text")),
            occurred_at: self.time(at)?,
            media_id: id_of(value.get("media").and_then(|m| m.get("id"))),
            parent_id: id_of(value.get("parent_id")),
        }))
    }

    /// A mention of the account: in a comment (`comment_id`) or in a caption (`media_id` only). The
    /// payload names neither the person nor the text.
    fn mention(&self, value: &Value, at: &str) -> Result<Item, Malformed> {
        let media_id = id_of(value.get("media_id"));
        let Some(external_id) = id_of(value.get("comment_id"))
            .or_else(|| media_id.as_ref().map(|media| format!("media:{media}")))
        else {
            return Err(problem(at, "a mention without a comment_id or a media_id"));
        };
        Ok(Item::Event(Event {
            kind: Kind::Mention,
            direction: Direction::Incoming,
            account_id: self.account_id.clone(),
            external_id,
            handle: None,
            sender_id: None,
            person_id: None,
            text: None,
            occurred_at: self.time(at)?,
            media_id,
            parent_id: None,
        }))
    }

    /// A `messaging` or `standby` item: a message (or its echo), a reaction, or something else.
    fn messaging(&self, item: &Value, at: &str) -> Result<Item, Malformed> {
        let Some(fields) = item.as_object() else {
            return Err(problem(at, "not an object"));
        };
        if let Some(message) = fields.get("message") {
            if message.get("is_deleted").and_then(Value::as_bool) == Some(true) {
                return Ok(self.unknown("message", item));
            }
            let Some(mid) = id_of(message.get("mid")) else {
                return Err(problem(at, "a message without a mid"));
            };
            let echo = message.get("is_echo").and_then(Value::as_bool) == Some(true);
            let parties = self.parties(fields, echo, at)?;
            return Ok(Item::Event(Event {
                kind: Kind::Message,
                direction: parties.direction,
                account_id: self.account_id.clone(),
                external_id: mid,
                handle: None,
                sender_id: parties.sender_id,
                person_id: parties.person_id,
                text: text_of(message.get("text")),
                occurred_at: parties.occurred_at,
                media_id: None,
                parent_id: id_of(message.get("reply_to").and_then(|r| r.get("mid"))),
            }));
        }
        if let Some(reaction) = fields.get("reaction") {
            if reaction.get("action").and_then(Value::as_str) != Some("react") {
                return Ok(self.unknown("reaction", item));
            }
            let (Some(mid), Some(sender)) = (
                id_of(reaction.get("mid")),
                id_of(fields.get("sender").and_then(|s| s.get("id"))),
            ) else {
                return Err(problem(at, "a reaction without a mid or a sender"));
            };
            let parties = self.parties(fields, false, at)?;
            return Ok(Item::Event(Event {
                kind: Kind::Reaction,
                direction: parties.direction,
                account_id: self.account_id.clone(),
                external_id: format!("reaction:{mid}:{sender}"),
                handle: None,
                sender_id: parties.sender_id,
                person_id: parties.person_id,
                text: text_of(reaction.get("emoji")).or_else(|| text_of(reaction.get("reaction"))),
                occurred_at: parties.occurred_at,
                media_id: None,
                parent_id: Some(mid),
            }));
        }
        // A read receipt, a postback, an edit, a referral...: named by its event key.
        let field = fields
            .keys()
            .find(|key| !matches!(key.as_str(), "sender" | "recipient" | "timestamp"))
            .map_or("messaging", String::as_str);
        Ok(self.unknown(field, item))
    }

    /// Who a messaging item is between, and when: outgoing when it is an echo or the account sent it,
    /// the person then being the recipient; its own `timestamp`, else the entry's time.
    fn parties(
        &self,
        fields: &Map<String, Value>,
        echo: bool,
        at: &str,
    ) -> Result<Parties, Malformed> {
        let sender_id = id_of(fields.get("sender").and_then(|s| s.get("id")));
        let recipient_id = id_of(fields.get("recipient").and_then(|r| r.get("id")));
        let outgoing = echo || sender_id.as_deref() == Some(self.account_id.as_str());
        let occurred_at = match moment(fields.get("timestamp")) {
            Some(time) => time,
            None => self.time(at)?,
        };
        Ok(Parties {
            direction: if outgoing {
                Direction::Outgoing
            } else {
                Direction::Incoming
            },
            person_id: if outgoing {
                recipient_id
            } else {
                sender_id.clone()
            },
            sender_id,
            occurred_at,
        })
    }

    fn unknown(&self, field: &str, raw: &Value) -> Item {
        Item::Unknown(Unknown {
            account_id: self.account_id.clone(),
            field: field.to_owned(),
            raw: raw.clone(),
        })
    }
}

/// The parties and time of a messaging item.
struct Parties {
    direction: Direction,
    sender_id: Option<String>,
    person_id: Option<String>,
    occurred_at: DateTime<Utc>,
}

fn problem(at: &str, problem: &'static str) -> Malformed {
    Malformed::Item {
        at: at.to_owned(),
        problem,
    }
}

/// `text` cut to 40 characters, so that a message about a body stays short whatever the body holds.
fn shortened(text: &str) -> String {
    match text.char_indices().nth(40) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

/// A time in seconds or in milliseconds, told apart by magnitude; `None` when absent, not a whole
/// number, negative or out of range.
fn moment(value: Option<&Value>) -> Option<DateTime<Utc>> {
    let number = value?.as_i64().filter(|n| *n >= 0)?;
    if number >= MILLISECONDS_FROM {
        DateTime::from_timestamp_millis(number)
    } else {
        DateTime::from_timestamp(number, 0)
    }
}

/// An id, which Meta sends as a string (a number is read too); `None` when absent or blank.
fn id_of(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(text) => Some(text.trim())
            .filter(|t| !t.is_empty())
            .map(str::to_owned),
        Value::Number(number) if number.is_i64() || number.is_u64() => Some(number.to_string()),
        _ => None,
    }
}

/// A text as written; `None` when absent, empty or not a string.
fn text_of(value: Option<&Value>) -> Option<String> {
    value?.as_str().filter(|t| !t.is_empty()).map(str::to_owned)
}

/// A username as a handle: trimmed, without `@`, lower-cased; `None` when blank.
fn handle_of(value: Option<&Value>) -> Option<String> {
    let name = value?.as_str()?.trim();
    let name = name.strip_prefix('@').unwrap_or(name).trim();
    (!name.is_empty()).then(|| name.to_lowercase())
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;

    use super::*;

    macro_rules! fixture {
        ($name:literal) => {
            include_bytes!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/fixtures/instagram/",
                $name
            ))
        };
    }

    const ACCOUNT: &str = "17841400000000001";
    const NINA: &str = "6400000000000201";

    fn events(body: &[u8]) -> Vec<Event> {
        parse(body)
            .unwrap()
            .into_iter()
            .map(|item| match item {
                Item::Event(event) => event,
                Item::Unknown(unknown) => panic!("unexpected unknown item: {unknown:?}"),
            })
            .collect()
    }

    fn one(body: &[u8]) -> Event {
        let mut events = events(body);
        assert_eq!(events.len(), 1, "{events:?}");
        events.remove(0)
    }

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap()
    }

    fn malformed(body: &str) -> String {
        parse(body.as_bytes()).unwrap_err().to_string()
    }

    #[test]
    fn a_comment_is_an_incoming_comment_at_the_entry_time_with_its_lower_cased_handle() {
        let event = one(fixture!("comment.json"));

        assert_eq!(
            event,
            Event {
                kind: Kind::Comment,
                direction: Direction::Incoming,
                account_id: ACCOUNT.into(),
                external_id: "17900000000000101".into(),
                handle: Some("nina.beats".into()),
                sender_id: Some(NINA.into()),
                person_id: Some(NINA.into()),
                text: Some("price for a beat?".into()),
                occurred_at: utc(2025, 8, 21, 12, 28, 0),
                media_id: Some("18100000000000301".into()),
                parent_id: None,
            }
        );
    }

    #[test]
    fn the_creators_own_reply_to_a_comment_is_outgoing_with_its_parent() {
        let event = one(fixture!("reply.json"));

        assert_eq!(event.direction, Direction::Outgoing);
        assert_eq!(event.sender_id.as_deref(), Some(ACCOUNT));
        assert_eq!(event.person_id, None);
        assert_eq!(event.parent_id.as_deref(), Some("17900000000000101"));
    }

    #[test]
    fn a_mention_in_a_comment_is_keyed_on_the_comment_and_one_in_a_caption_on_the_media() {
        let events = events(fixture!("mention.json"));

        assert_eq!(events.len(), 2);
        assert!(events.iter().all(|e| e.kind == Kind::Mention
            && e.direction == Direction::Incoming
            && e.handle.is_none()
            && e.text.is_none()
            && e.occurred_at == utc(2025, 8, 21, 12, 40, 0)));
        assert_eq!(events[0].external_id, "17900000000000401");
        assert_eq!(events[0].media_id.as_deref(), Some("18100000000000402"));
        assert_eq!(events[1].external_id, "media:18100000000000403");
    }

    #[test]
    fn a_message_is_incoming_from_its_sender_at_its_millisecond_timestamp() {
        let event = one(fixture!("message.json"));

        assert_eq!(event.kind, Kind::Message);
        assert_eq!(event.direction, Direction::Incoming);
        assert_eq!(
            event.external_id,
            "aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxNDAwMDAwMDAwMDAx"
        );
        assert_eq!(event.sender_id.as_deref(), Some(NINA));
        assert_eq!(event.person_id.as_deref(), Some(NINA));
        assert_eq!(event.handle, None);
        assert_eq!(event.text.as_deref(), Some("hi! how much for a beat?"));
        assert_eq!(
            event.occurred_at,
            DateTime::from_timestamp_millis(1_761_287_294_014).unwrap()
        );
    }

    #[test]
    fn an_echo_is_the_creators_own_message_to_its_recipient() {
        let event = one(fixture!("echo.json"));

        assert_eq!(event.direction, Direction::Outgoing);
        assert_eq!(event.sender_id.as_deref(), Some(ACCOUNT));
        assert_eq!(event.person_id.as_deref(), Some(NINA));
    }

    #[test]
    fn a_reaction_is_keyed_on_the_message_and_its_sender_and_an_unreact_is_unknown() {
        let items = parse(fixture!("reaction.json")).unwrap();

        assert_eq!(items.len(), 2);
        let Item::Event(reaction) = &items[0] else {
            panic!("{:?}", items[0])
        };
        let mid = "aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxNDAwMDAwMDAwMDAy";
        assert_eq!(reaction.kind, Kind::Reaction);
        assert_eq!(reaction.external_id, format!("reaction:{mid}:{NINA}"));
        assert_eq!(reaction.text.as_deref(), Some("❤"));
        assert_eq!(reaction.parent_id.as_deref(), Some(mid));
        assert_eq!(reaction.person_id.as_deref(), Some(NINA));
        let Item::Unknown(unreact) = &items[1] else {
            panic!("{:?}", items[1])
        };
        assert_eq!(unreact.field, "reaction");
        assert_eq!(unreact.raw["reaction"]["action"], "unreact");
    }

    #[test]
    fn a_reaction_without_an_emoji_is_told_by_its_name() {
        let body = r#"{"object":"instagram","entry":[{"id":"1","messaging":[{"sender":{"id":"2"},
            "recipient":{"id":"1"},"timestamp":1761287499000,"reaction":{"mid":"m","action":"react","reaction":"love"}}]}]}"#;

        assert_eq!(one(body.as_bytes()).text.as_deref(), Some("love"));
    }

    #[test]
    fn a_standby_message_with_only_an_attachment_has_no_text() {
        let event = one(fixture!("standby.json"));

        assert_eq!(event.kind, Kind::Message);
        assert_eq!(event.person_id.as_deref(), Some("6400000000000202"));
        assert_eq!(event.text, None);
    }

    #[test]
    fn every_change_and_message_of_a_batch_is_one_item_in_order() {
        let items = parse(fixture!("batched.json")).unwrap();

        let summary: Vec<(String, String)> = items
            .iter()
            .map(|item| match item {
                Item::Event(e) => (e.account_id.clone(), e.kind.as_str().to_owned()),
                Item::Unknown(u) => (u.account_id.clone(), format!("unknown {}", u.field)),
            })
            .collect();
        let expected = [
            ("17841400000000001", "comment"),
            ("17841400000000001", "comment"),
            ("17841400000000002", "message"),
            ("17841400000000002", "unknown read"),
        ];
        assert_eq!(
            summary,
            expected.map(|(a, k)| (a.to_owned(), k.to_owned())).to_vec()
        );
    }

    #[test]
    fn an_unknown_field_is_kept_with_its_raw_change() {
        let items = parse(fixture!("unknown_field.json")).unwrap();

        let [Item::Unknown(unknown)] = items.as_slice() else {
            panic!("{items:?}")
        };
        assert_eq!(unknown.account_id, ACCOUNT);
        assert_eq!(unknown.field, "story_insights");
        assert_eq!(unknown.raw["value"]["reach"], 44);
    }

    #[test]
    fn the_dashboards_test_delivery_is_a_comment_on_account_zero() {
        let event = one(fixture!("dashboard_test.json"));

        assert_eq!(event.account_id, "0");
        assert_eq!(event.external_id, "17865799348089039");
        assert_eq!(event.handle.as_deref(), Some("test"));
        assert_eq!(event.parent_id.as_deref(), Some("1231231234"));
        assert_eq!(event.text.as_deref(), Some("This is an example."));
    }

    #[test]
    fn a_time_in_seconds_or_in_milliseconds_is_the_same_moment() {
        let body = |time: i64| {
            format!(
                r#"{{"object":"instagram","entry":[{{"id":"1","time":{time},"changes":[{{"field":"comments","value":{{"id":"c"}}}}]}}]}}"#
            )
        };

        let seconds = one(body(1_755_779_280).as_bytes()).occurred_at;
        let milliseconds = one(body(1_755_779_280_000).as_bytes()).occurred_at;

        assert_eq!(seconds, utc(2025, 8, 21, 12, 28, 0));
        assert_eq!(milliseconds, seconds);
    }

    #[test]
    fn a_message_without_a_valid_timestamp_takes_the_entry_time() {
        let body = r#"{"object":"instagram","entry":[{"id":"1","time":1761287298065,"messaging":[
            {"sender":{"id":"2"},"recipient":{"id":"1"},"timestamp":"soon","message":{"mid":"m1","text":"hi"}},
            {"sender":{"id":"2"},"recipient":{"id":"1"},"message":{"mid":"m2"}}]}]}"#;

        let events = events(body.as_bytes());

        let entry_time = DateTime::from_timestamp_millis(1_761_287_298_065).unwrap();
        assert!(
            events.iter().all(|e| e.occurred_at == entry_time),
            "{events:?}"
        );
    }

    #[test]
    fn an_event_without_any_time_is_malformed() {
        let body = r#"{"object":"instagram","entry":[{"id":"1","changes":[{"field":"comments","value":{"id":"c"}}]}]}"#;

        assert_eq!(
            malformed(body),
            "entry[0].changes[0]: no valid time, neither its own nor its entry's"
        );
    }

    #[test]
    fn unknown_fields_and_numeric_ids_are_read_without_complaint() {
        let body = r#"{"object":"instagram","extra":true,"entry":[{"id":17841400000000001,"time":1755779280,"uid":"x",
            "changes":[{"field":"comments","value":{"id":179,"from":{"id":"5","username":"@Kenza","self_ig_scoped_id":"9"},
            "text":"ok","media":{"id":"18","media_product_type":"REELS","original_media_id":"17"},"new":[1,2]}}]}]}"#;

        let event = one(body.as_bytes());

        assert_eq!(event.account_id, ACCOUNT);
        assert_eq!(event.external_id, "179");
        assert_eq!(event.handle.as_deref(), Some("kenza"));
    }

    #[test]
    fn a_deleted_message_a_read_and_a_postback_are_unknown_items() {
        let body = r#"{"object":"instagram","entry":[{"id":"1","time":1761287298065,"messaging":[
            {"sender":{"id":"2"},"recipient":{"id":"1"},"timestamp":1761287298065,"message":{"mid":"m","is_deleted":true}},
            {"sender":{"id":"2"},"recipient":{"id":"1"},"timestamp":1761287298065,"read":{"mid":"m"}},
            {"sender":{"id":"2"},"recipient":{"id":"1"},"timestamp":1761287298065,"postback":{"mid":"m","title":"Yes","payload":"YES"}},
            {"sender":{"id":"2"},"recipient":{"id":"1"}}]}]}"#;

        let fields: Vec<String> = parse(body.as_bytes())
            .unwrap()
            .into_iter()
            .map(|item| match item {
                Item::Unknown(unknown) => unknown.field,
                Item::Event(event) => panic!("unexpected event: {event:?}"),
            })
            .collect();

        assert_eq!(fields, ["message", "read", "postback", "messaging"]);
    }

    #[test]
    fn an_empty_entry_array_has_no_items() {
        assert_eq!(
            parse(br#"{"object":"instagram","entry":[]}"#),
            Ok(Vec::new())
        );
    }

    #[test]
    fn a_body_that_is_no_delivery_is_malformed_with_the_reason_in_words() {
        assert!(malformed("price?").starts_with("the body is not JSON"));
        assert_eq!(malformed("[1]"), "the body is not a JSON object");
        assert_eq!(
            malformed(r#"{"object":"page","entry":[]}"#),
            "the body's object is \"page\", not \"instagram\""
        );
        assert_eq!(
            malformed(&format!(r#"{{"object":"{}","entry":[]}}"#, "x".repeat(100))),
            format!(
                "the body's object is \"{}…, not \"instagram\"",
                "x".repeat(39)
            )
        );
        assert_eq!(
            malformed(r#"{"entry":[]}"#),
            "the body's object is missing, not \"instagram\""
        );
        assert_eq!(
            malformed(r#"{"object":"instagram","entry":{}}"#),
            "the body has no entry array"
        );
        assert_eq!(
            malformed(r#"{"object":"instagram","entry":[{"time":1}]}"#),
            "entry[0]: no account id"
        );
        assert_eq!(
            malformed(r#"{"object":"instagram","entry":[{"id":"1","changes":{}}]}"#),
            "entry[0].changes: not an array"
        );
    }

    #[test]
    fn a_known_event_without_its_id_is_malformed_at_its_place() {
        let cases = [
            (
                r#"{"field":"comments","value":{"text":"hi"}}"#,
                "entry[0].changes[1]: a comment without an id",
            ),
            (
                r#"{"field":"mentions","value":{}}"#,
                "entry[0].changes[1]: a mention without a comment_id or a media_id",
            ),
            (r#"{"value":{}}"#, "entry[0].changes[1]: no field"),
        ];
        for (change, expected) in cases {
            let body = format!(
                r#"{{"object":"instagram","entry":[{{"id":"1","time":1,"changes":[{{"field":"x"}},{change}]}}]}}"#
            );
            assert_eq!(malformed(&body), expected);
        }
        assert_eq!(
            malformed(
                r#"{"object":"instagram","entry":[{"id":"1","time":1,"standby":[{"message":{"text":"hi"}}]}]}"#
            ),
            "entry[0].standby[0]: a message without a mid"
        );
        assert_eq!(
            malformed(
                r#"{"object":"instagram","entry":[{"id":"1","time":1,"messaging":[{"reaction":{"mid":"m","action":"react"}}]}]}"#
            ),
            "entry[0].messaging[0]: a reaction without a mid or a sender"
        );
    }
}
