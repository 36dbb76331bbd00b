//! The keyset cursor of a newest-first list: the time and id of the last row shown, so the next page
//! starts strictly after it (no row skipped or repeated, however many rows share a time). In a query
//! string it reads `<RFC 3339 time in UTC, to the microsecond>_<id>`, e.g.
//! `2026-03-10T14:30:20.123456Z_812`: no `+` to be mangled by URL decoding, and exact to PostgreSQL's
//! microsecond.

use chrono::{DateTime, SecondsFormat, Utc};

use super::Invalid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub at: DateTime<Utc>,
    pub id: i64,
}

impl Cursor {
    /// # Errors
    /// `errors.cursor_invalid` for anything `Display` does not write.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let invalid = || Invalid::new("errors.cursor_invalid");
        let (at, id) = input.trim().rsplit_once('_').ok_or_else(invalid)?;
        let at = DateTime::parse_from_rfc3339(at).map_err(|_| invalid())?;
        let id = id.parse::<i64>().map_err(|_| invalid())?;
        if id < 1 {
            return Err(invalid());
        }
        Ok(Self {
            at: at.with_timezone(&Utc),
            id,
        })
    }
}

impl std::fmt::Display for Cursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}_{}",
            self.at.to_rfc3339_opts(SecondsFormat::Micros, true),
            self.id
        )
    }
}

/// The keyset cursor of a highest-score-first list: the score and id of the last row shown, written
/// `<score>_<id>` (e.g. `57_812`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScoreCursor {
    pub score: i16,
    pub id: i64,
}

impl ScoreCursor {
    /// # Errors
    /// `errors.cursor_invalid` for anything `Display` does not write, or a score outside 0-100.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let invalid = || Invalid::new("errors.cursor_invalid");
        let (score, id) = input.trim().split_once('_').ok_or_else(invalid)?;
        let score = score.parse::<i16>().map_err(|_| invalid())?;
        let id = id.parse::<i64>().map_err(|_| invalid())?;
        if !(0..=100).contains(&score) || id < 1 {
            return Err(invalid());
        }
        Ok(Self { score, id })
    }
}

impl std::fmt::Display for ScoreCursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}_{}", self.score, self.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;

    #[test]
    fn a_cursor_reads_back_what_it_writes_to_the_microsecond() {
        let at = Utc.with_ymd_and_hms(2026, 3, 10, 14, 30, 20).unwrap()
            + chrono::Duration::microseconds(123_456);
        let cursor = Cursor { at, id: 812 };

        let written = cursor.to_string();

        assert_eq!(written, "2026-03-10T14:30:20.123456Z_812");
        assert_eq!(Cursor::parse(&written), Ok(cursor));
    }

    #[test]
    fn a_score_cursor_reads_back_what_it_writes_and_refuses_the_rest() {
        let cursor = ScoreCursor { score: 57, id: 812 };

        assert_eq!(ScoreCursor::parse(&cursor.to_string()), Ok(cursor));
        for bad in ["", "57", "57_", "x_5", "101_5", "-1_5", "57_0", "57_5_6"] {
            assert!(ScoreCursor::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn malformed_cursors_are_refused() {
        for bad in [
            "",
            "garbage",
            "2026-03-10T14:30:20Z",
            "2026-03-10T14:30:20Z_",
            "2026-03-10T14:30:20Z_x",
            "2026-03-10T14:30:20Z_0",
            "2026-13-10T14:30:20Z_5",
            "2026-03-10 14:30:20 00:00_5",
        ] {
            assert_eq!(
                Cursor::parse(bad),
                Err(Invalid::new("errors.cursor_invalid")),
                "{bad}"
            );
        }
    }
}
