//! An interaction as the app keeps it: what kind, who, what they wrote, when (to a precision), and the
//! two keys that make re-reading the same rows harmless: its identity (what happened) and its
//! fingerprint (what happened, in which time bucket).

use chrono::{DateTime, Utc};
use sha2::{Digest as _, Sha256};

use super::platform_time::{PlatformTime, Precision};

/// What a person did.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Like,
    Comment,
    Follow,
    Share,
    Mention,
    CommentLike,
    Message,
}

impl Kind {
    pub const ALL: [Kind; 7] = [
        Kind::Like,
        Kind::Comment,
        Kind::Follow,
        Kind::Share,
        Kind::Mention,
        Kind::CommentLike,
        Kind::Message,
    ];

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
}

impl Observed {
    /// What happened, whenever it happened: SHA-256 over the kind, the handle, the text and the post.
    #[must_use]
    pub fn identity(&self) -> [u8; 32] {
        let mut hash = Sha256::new();
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
    /// same fingerprint (the unique key); drifting reads are matched by `When::overlaps`.
    #[must_use]
    pub fn fingerprint(&self) -> [u8; 32] {
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
        self.identity() == other.identity() && self.when.overlaps(&other.when)
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
        if twins.iter().any(|&i| kept[i].when.overlaps(&row.when)) {
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
    fn kinds_read_back_from_their_names() {
        for kind in Kind::ALL {
            assert_eq!(Kind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(Kind::parse("unknown"), None);
    }
}
