//! An interaction as the app keeps it: what kind, who, what they wrote, when (to a precision), and the
//! two keys that make re-reading the same rows harmless: its identity (what happened) and its
//! fingerprint (what happened, in which time bucket).

use chrono::{DateTime, Utc};
use sha2::{Digest as _, Sha256};

use super::platform_time::{PlatformTime, Precision};

/// What a person did: the one definition of the kinds. Ingestion, the lead counters and their recount,
/// the CSV columns, the filters and the pages all read their list from `Kind::ALL` and their names from
/// here; adding a kind is one variant, its arms below, and its weight in `scoring::weight`.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
    diesel::AsExpression,
    diesel::FromSqlRow,
)]
#[diesel(sql_type = diesel::sql_types::Text)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Like,
    Comment,
    Follow,
    Share,
    Mention,
    CommentLike,
    Message,
    /// A reaction (an emoji) to a message the creator sent.
    Reaction,
}

impl Kind {
    pub const ALL: [Kind; 8] = [
        Kind::Like,
        Kind::Comment,
        Kind::Follow,
        Kind::Share,
        Kind::Mention,
        Kind::CommentLike,
        Kind::Message,
        Kind::Reaction,
    ];

    /// The stored id: `interactions.kind`, the key in `leads.kind_counts`, the translation key's tail.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Kind::Like => "like",
            Kind::Comment => "comment",
            Kind::Follow => "follow",
            Kind::Share => "share",
            Kind::Mention => "mention",
            Kind::CommentLike => "comment_like",
            Kind::Message => "message",
            Kind::Reaction => "reaction",
        }
    }

    /// The name of its count column in the CSV export.
    #[must_use]
    pub const fn csv_column(self) -> &'static str {
        match self {
            Kind::Like => "likes",
            Kind::Comment => "comments",
            Kind::Follow => "follows",
            Kind::Share => "shares",
            Kind::Mention => "mentions",
            Kind::CommentLike => "comment_likes",
            Kind::Message => "messages",
            Kind::Reaction => "reactions",
        }
    }

    /// Whether the person wrote something the creator can answer (the Review page drafts replies to these).
    #[must_use]
    pub const fn carries_text(self) -> bool {
        match self {
            Kind::Comment | Kind::Mention | Kind::Message => true,
            Kind::Like | Kind::Follow | Kind::Share | Kind::CommentLike | Kind::Reaction => false,
        }
    }

    #[must_use]
    pub fn parse(text: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// The position of this kind in `Kind::ALL` (for per-kind counters).
    #[must_use]
    pub fn index(self) -> usize {
        Kind::ALL.iter().position(|k| *k == self).unwrap_or(0)
    }
}

/// Who a message or event came from, as seen by the creator.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Default,
    serde::Serialize,
    serde::Deserialize,
    diesel::AsExpression,
    diesel::FromSqlRow,
)]
#[diesel(sql_type = diesel::sql_types::Text)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// From the person to the creator: what makes them a lead.
    #[default]
    Incoming,
    /// The creator's own reply, kept for the conversation.
    Outgoing,
}

impl Direction {
    pub const ALL: [Direction; 2] = [Direction::Incoming, Direction::Outgoing];

    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Direction::Incoming => "incoming",
            Direction::Outgoing => "outgoing",
        }
    }

    #[must_use]
    pub fn parse(text: &str) -> Option<Direction> {
        Direction::ALL.into_iter().find(|d| d.as_str() == text)
    }

    /// The rule: only what the person did counts in their lead's counters and score; the creator's own
    /// replies never do. The database side (`db::queries::counts`) is built from this.
    #[must_use]
    pub const fn is_counted(self) -> bool {
        match self {
            Direction::Incoming => true,
            Direction::Outgoing => false,
        }
    }
}

/// How many interactions of each kind a lead did (stored as `leads.kind_counts`, keyed by `Kind::as_str`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, diesel::AsExpression, diesel::FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Jsonb)]
pub struct KindCounts([i32; Kind::ALL.len()]);

impl KindCounts {
    #[must_use]
    pub fn get(&self, kind: Kind) -> i32 {
        self.0[kind.index()]
    }

    pub fn add(&mut self, kind: Kind, n: i32) {
        self.0[kind.index()] += n;
    }

    /// Every kind with its count, zeros included, in `Kind::ALL` order.
    pub fn iter(&self) -> impl Iterator<Item = (Kind, i32)> + '_ {
        Kind::ALL.into_iter().map(|k| (k, self.get(k)))
    }

    /// The kinds done at least once, with their counts.
    #[must_use]
    pub fn done(&self) -> Vec<(Kind, i32)> {
        self.iter().filter(|(_, n)| *n > 0).collect()
    }

    #[must_use]
    pub fn total(&self) -> i32 {
        self.0.iter().sum()
    }

    /// The stored form: an object keyed by each kind's id, the kinds never done left out.
    #[must_use]
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::Value::Object(
            self.done()
                .into_iter()
                .map(|(k, n)| (k.as_str().to_owned(), n.into()))
                .collect(),
        )
    }

    /// Reads the stored form back.
    ///
    /// # Errors
    /// When it is not an object of known kinds to non-negative 32-bit counts: the error names the
    /// offending key or value.
    pub fn from_json(value: &serde_json::Value) -> Result<Self, String> {
        let object = value
            .as_object()
            .ok_or_else(|| format!("kind counts {value} are not an object"))?;
        let mut counts = Self::default();
        for (key, n) in object {
            let kind =
                Kind::parse(key).ok_or_else(|| format!("unknown interaction kind {key:?}"))?;
            let n = n
                .as_i64()
                .and_then(|n| i32::try_from(n).ok())
                .filter(|n| *n >= 0)
                .ok_or_else(|| format!("count {n} of {key:?} is not a count"))?;
            counts.add(kind, n);
        }
        Ok(counts)
    }
}

/// When an event happened: the time as the platform gave it, the interval that allows, `(from, to]`,
/// and how precisely the platform said it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct When {
    pub at: DateTime<Utc>,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub precision: Precision,
}

impl When {
    /// The window a time read at `read_at` allows.
    #[must_use]
    pub fn read(time: PlatformTime, read_at: DateTime<Utc>) -> Self {
        let (from, to) = time.window(read_at);
        Self {
            at: time.at,
            from,
            to,
            precision: time.precision,
        }
    }

    /// Whether two readings can be the same moment: relative times drift between reads ("4m ago", then
    /// "7m ago" three minutes later), so equality of rounded times is not enough, overlap is.
    #[must_use]
    pub fn overlaps(&self, other: &When) -> bool {
        self.from < other.to && other.from < self.to
    }
}

/// One interaction read from a platform, ready to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observed {
    pub kind: Kind,
    /// Lower case, without the @.
    pub handle: String,
    pub display_name: Option<String>,
    pub text: Option<String>,
    pub post_ref: Option<String>,
    pub when: When,
    /// From the person, or the creator's own reply.
    pub direction: Direction,
    /// The platform's own ids, where it gives them (Instagram's API does; pages read in a browser do not).
    pub ids: Option<PlatformIds>,
}

/// The platform's ids of an event and of the person behind it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformIds {
    /// The event's id (a comment id, a message `mid`): the same event delivered twice has the same id.
    pub event: String,
    /// The person's id on the platform (what a reply is addressed to).
    pub person: Option<String>,
}

impl Observed {
    /// What happened, whenever it happened: SHA-256 over the kind and the platform's event id where
    /// there is one, else over the kind, the handle, the text and the post.
    #[must_use]
    pub fn identity(&self) -> [u8; 32] {
        let mut hash = Sha256::new();
        if let Some(ids) = &self.ids {
            hash.update(b"id\x1f");
            hash.update(self.kind.as_str().as_bytes());
            hash.update([0x1f]);
            hash.update(ids.event.as_bytes());
            return hash.finalize().into();
        }
        for part in [
            self.kind.as_str(),
            &self.handle,
            self.text.as_deref().unwrap_or_default(),
            self.post_ref.as_deref().unwrap_or_default(),
        ] {
            hash.update(part.as_bytes());
            hash.update([0x1f]);
        }
        hash.finalize().into()
    }

    /// What happened and in which bucket of its precision: the same row read twice in a row gives the
    /// same fingerprint (the unique key); drifting reads are matched by `When::overlaps`. An event with
    /// the platform's id is that id whenever it is said to have happened (a webhook's time and the API's
    /// can differ).
    #[must_use]
    pub fn fingerprint(&self) -> [u8; 32] {
        if self.ids.is_some() {
            return self.identity();
        }
        let bucket = self.when.precision.truncate(self.when.to).timestamp();
        let mut hash = Sha256::new();
        hash.update(self.identity());
        hash.update(self.when.precision.as_str().as_bytes());
        hash.update(bucket.to_be_bytes());
        hash.finalize().into()
    }

    /// Whether `other` can be this same event read again.
    #[must_use]
    pub fn same_event(&self, other: &Observed) -> bool {
        self.identity() == other.identity()
            && (self.ids.is_some() || self.when.overlaps(&other.when))
    }
}

/// Keeps the first of the rows that can be the same event (a list that shifted while it was read shows
/// some rows twice).
#[must_use]
pub fn distinct(rows: Vec<Observed>) -> Vec<Observed> {
    let mut kept: Vec<Observed> = Vec::with_capacity(rows.len());
    let mut by_identity: std::collections::HashMap<[u8; 32], Vec<usize>> =
        std::collections::HashMap::new();
    for row in rows {
        let twins = by_identity.entry(row.identity()).or_default();
        if twins.iter().any(|&i| kept[i].same_event(&row)) {
            continue;
        }
        twins.push(kept.len());
        kept.push(row);
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::platform_time::parse;
    use chrono::{Duration, TimeZone as _};

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 10, 14, 30, 20).unwrap()
    }

    fn like(time: &str, read_at: DateTime<Utc>) -> Observed {
        Observed {
            kind: Kind::Like,
            handle: "nina".into(),
            display_name: None,
            text: None,
            post_ref: None,
            when: When::read(parse(time, read_at).unwrap(), read_at),
            direction: Direction::Incoming,
            ids: None,
        }
    }

    #[test]
    fn a_relative_time_read_again_later_is_the_same_event() {
        let first = like("4m ago", now());
        // Three and a half minutes later the same event shows "7m ago" or "8m ago", depending on its second.
        let later = now() + Duration::seconds(210);
        for text in ["7m ago", "8m ago"] {
            assert!(
                first.same_event(&like(text, later)),
                "{text} 3.5 minutes later"
            );
        }
        assert!(!first.same_event(&like("10m ago", later)));
    }

    #[test]
    fn a_time_that_loses_precision_still_meets_its_first_reading() {
        let first = like("59m ago", now());
        let later = now() + Duration::minutes(2);
        assert!(first.same_event(&like("1h ago", later)));
    }

    #[test]
    fn different_texts_or_people_are_different_events() {
        let mut other = like("4m ago", now());
        other.handle = "malik".into();
        assert!(!like("4m ago", now()).same_event(&other));
        let mut comment = like("4m ago", now());
        comment.text = Some("fire".into());
        assert_ne!(comment.identity(), like("4m ago", now()).identity());
    }

    #[test]
    fn the_same_read_gives_the_same_fingerprint() {
        assert_eq!(
            like("2d ago", now()).fingerprint(),
            like("2d ago", now() + Duration::seconds(5)).fingerprint()
        );
    }

    #[test]
    fn distinct_drops_rows_that_can_be_one_event_and_keeps_the_others() {
        let rows = vec![
            like("4m ago", now()),
            like("4m ago", now()),
            like("6m ago", now()),
        ];
        assert_eq!(distinct(rows).len(), 2);
    }

    #[test]
    fn kind_counts_read_back_from_their_stored_form_and_refuse_unknown_kinds() {
        let mut counts = KindCounts::default();
        counts.add(Kind::Like, 3);
        counts.add(Kind::CommentLike, 1);

        let stored = counts.to_json();

        assert_eq!(stored, serde_json::json!({"like": 3, "comment_like": 1}));
        assert_eq!(KindCounts::from_json(&stored), Ok(counts));
        assert_eq!(counts.total(), 4);
        let unknown = KindCounts::from_json(&serde_json::json!({"save": 2})).unwrap_err();
        assert!(unknown.contains("\"save\""), "{unknown}");
        assert!(KindCounts::from_json(&serde_json::json!({"like": -1})).is_err());
        assert!(KindCounts::from_json(&serde_json::json!([1])).is_err());
    }

    #[test]
    fn only_incoming_interactions_are_counted() {
        assert!(Direction::Incoming.is_counted());
        assert!(!Direction::Outgoing.is_counted());
        assert_eq!(Direction::default(), Direction::Incoming);
        for direction in Direction::ALL {
            assert_eq!(Direction::parse(direction.as_str()), Some(direction));
        }
    }

    #[test]
    fn kinds_read_back_from_their_names() {
        for kind in Kind::ALL {
            assert_eq!(Kind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(Kind::parse("unknown"), None);
    }
}
