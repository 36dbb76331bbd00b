//! Times as platforms write them ("4m ago", "il y a 4 min", "2w", "4-25", "2024-12-23", "22:38",
//! "January 4, 2026 00:02", "hier"), read relative to the moment of the read, never in the future,
//! and with the precision they carry ("2w ago" is only known to the week).

use chrono::{DateTime, Datelike as _, Duration, NaiveDate, NaiveTime, TimeZone as _, Utc};

/// How precisely a time is known.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, diesel::AsExpression, diesel::FromSqlRow,
)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum Precision {
    Second,
    Minute,
    Hour,
    Day,
    Week,
}

impl Precision {
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Precision::Second => "second",
            Precision::Minute => "minute",
            Precision::Hour => "hour",
            Precision::Day => "day",
            Precision::Week => "week",
        }
    }

    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        [
            Precision::Second,
            Precision::Minute,
            Precision::Hour,
            Precision::Day,
            Precision::Week,
        ]
        .into_iter()
        .find(|p| p.as_str() == text)
    }

    /// How long one step of this precision is.
    #[must_use]
    pub const fn step(self) -> Duration {
        Duration::seconds(match self {
            Precision::Second => 1,
            Precision::Minute => 60,
            Precision::Hour => 3_600,
            Precision::Day => 86_400,
            Precision::Week => 604_800,
        })
    }

    /// The time rounded down to this precision (for fingerprints that survive re-reads).
    #[must_use]
    pub fn truncate(self, at: DateTime<Utc>) -> DateTime<Utc> {
        let seconds = self.step().num_seconds();
        DateTime::from_timestamp(at.timestamp().div_euclid(seconds) * seconds, 0).unwrap_or(at)
    }
}

/// A time read from a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlatformTime {
    pub at: DateTime<Utc>,
    pub precision: Precision,
    /// Whether the text counted back from the read ("4m ago", floored: the event is up to one step
    /// older) rather than naming a moment ("4-25", "22:38": the event is up to one step later).
    pub counted_back: bool,
}

impl PlatformTime {
    /// The interval the event happened in, `(from, to]`, never after `now`.
    #[must_use]
    pub fn window(&self, now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
        let step = self.precision.step();
        if self.counted_back {
            (self.at - step, self.at)
        } else {
            let second = Duration::seconds(1);
            (
                self.at - second,
                (self.at + step - second).min(now).max(self.at),
            )
        }
    }
}

const MONTHS_EN: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];
const MONTHS_FR: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];

fn month_number(word: &str) -> Option<u32> {
    let word = word.trim_end_matches('.').to_lowercase();
    let position = MONTHS_EN
        .iter()
        .position(|m| *m == word || (word.len() >= 3 && m.starts_with(&word)))
        .or_else(|| {
            MONTHS_FR
                .iter()
                .position(|m| *m == word || (word.len() >= 3 && m.starts_with(&word)))
        })?;
    u32::try_from(position + 1).ok()
}

/// A relative amount with its unit: `24s`, `4 min`, `3 j`, `2 sem.`, `1h`.
fn relative(amount: &str, unit: &str) -> Option<(i64, Precision)> {
    let n: i64 = amount.parse().ok()?;
    let unit = unit.trim().trim_end_matches('.').to_lowercase();
    let (seconds, precision) = match unit.as_str() {
        "s" | "sec" | "secs" | "second" | "seconds" | "seconde" | "secondes" => {
            (1, Precision::Second)
        }
        "m" | "min" | "mins" | "minute" | "minutes" => (60, Precision::Minute),
        "h" | "hr" | "hrs" | "hour" | "hours" | "heure" | "heures" => (3_600, Precision::Hour),
        "d" | "day" | "days" | "j" | "jour" | "jours" => (86_400, Precision::Day),
        "w" | "wk" | "week" | "weeks" | "sem" | "semaine" | "semaines" => {
            (604_800, Precision::Week)
        }
        _ => return None,
    };
    Some((n.checked_mul(seconds)?, precision))
}

/// Splits `4m`, `4 min`, `24s` into the number and the unit.
fn split_amount(text: &str) -> Option<(&str, &str)> {
    let end = text.find(|c: char| !c.is_ascii_digit())?;
    (end > 0).then(|| (&text[..end], text[end..].trim()))
}

fn at_date(date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    Utc.from_utc_datetime(&date.and_time(time))
}

fn clock(text: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(text.trim(), "%H:%M").ok()
}

/// Reads a platform time relative to `now`. `None` when the text is not a time.
#[must_use]
pub fn parse(text: &str, now: DateTime<Utc>) -> Option<PlatformTime> {
    let lower = text.trim().to_lowercase();
    let lower = lower.trim_end_matches('.');
    let found = read(lower, now)?;
    // A time so far back that the step before it is outside the calendar ("-262143-01-01") has no
    // window: it is no time.
    found.at.checked_sub_signed(found.precision.step())?;
    // A time read from a page is never after the read itself.
    Some(PlatformTime {
        at: found.at.min(now),
        ..found
    })
}

fn read(lower: &str, now: DateTime<Utc>) -> Option<PlatformTime> {
    // "13785379 sem. ago" is before the calendar's first day: no time (not a panic).
    let relative_at = |seconds: i64, precision| {
        Some(PlatformTime {
            at: now.checked_sub_signed(Duration::try_seconds(seconds)?)?,
            precision,
            counted_back: true,
        })
    };
    if matches!(
        lower,
        "just now" | "now" | "à l'instant" | "a l'instant" | "maintenant"
    ) {
        return relative_at(0, Precision::Second);
    }
    for (word, days) in [
        ("yesterday", 1),
        ("hier", 1),
        ("today", 0),
        ("aujourd'hui", 0),
    ] {
        if let Some(rest) = lower.strip_prefix(word) {
            let date = (now - Duration::days(days)).date_naive();
            return match clock(rest.trim_start_matches([' ', ',', 'à']).trim()) {
                Some(time) => Some(PlatformTime {
                    at: at_date(date, time),
                    precision: Precision::Minute,
                    counted_back: false,
                }),
                None if rest.trim().is_empty() => Some(PlatformTime {
                    at: at_date(date, NaiveTime::MIN),
                    precision: Precision::Day,
                    counted_back: false,
                }),
                None => None,
            };
        }
    }
    // "il y a 4 min" / "4m ago" / "4m"
    let amount = lower
        .strip_prefix("il y a ")
        .or_else(|| lower.strip_suffix(" ago"))
        .unwrap_or(lower);
    if let Some((n, unit)) = split_amount(amount)
        && let Some((seconds, precision)) = relative(n, unit)
    {
        return relative_at(seconds, precision);
    }
    // "22:38": today, or yesterday when that would be later than now.
    if let Some(time) = clock(lower) {
        let today = at_date(now.date_naive(), time);
        let at = if today > now {
            today - Duration::days(1)
        } else {
            today
        };
        return Some(PlatformTime {
            at,
            precision: Precision::Minute,
            counted_back: false,
        });
    }
    // "2024-12-23", "2023-1-5", "4-25" (this year, or last year when that date is still to come).
    let numbers: Vec<&str> = lower.split(['-', '/']).collect();
    if numbers
        .iter()
        .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    {
        let parsed: Vec<u32> = numbers.iter().filter_map(|n| n.parse().ok()).collect();
        let date = match parsed.as_slice() {
            [year, month, day] if *year > 31 => {
                NaiveDate::from_ymd_opt(i32::try_from(*year).ok()?, *month, *day)?
            }
            [month, day] => {
                let this_year = NaiveDate::from_ymd_opt(now.year(), *month, *day)?;
                if this_year > now.date_naive() {
                    NaiveDate::from_ymd_opt(now.year() - 1, *month, *day)?
                } else {
                    this_year
                }
            }
            _ => return None,
        };
        return Some(PlatformTime {
            at: at_date(date, NaiveTime::MIN),
            precision: Precision::Day,
            counted_back: false,
        });
    }
    month_date(lower)
}

/// "January 4, 2026 00:02" or "4 janvier 2026 00:02" (the time is optional).
fn month_date(lower: &str) -> Option<PlatformTime> {
    let words: Vec<&str> = lower.split([' ', ',']).filter(|w| !w.is_empty()).collect();
    let (month, day, year, rest) = match words.as_slice() {
        [m, d, y, rest @ ..] if month_number(m).is_some() => {
            (month_number(m)?, d.parse().ok()?, y.parse().ok()?, rest)
        }
        [d, m, y, rest @ ..] if month_number(m).is_some() => {
            (month_number(m)?, d.parse().ok()?, y.parse().ok()?, rest)
        }
        _ => return None,
    };
    let date = NaiveDate::from_ymd_opt(year, month, day)?;
    match rest {
        [] => Some(PlatformTime {
            at: at_date(date, NaiveTime::MIN),
            precision: Precision::Day,
            counted_back: false,
        }),
        [time] => Some(PlatformTime {
            at: at_date(date, clock(time)?),
            precision: Precision::Minute,
            counted_back: false,
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 10, 14, 30, 0).unwrap()
    }

    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
    }

    #[test]
    fn every_shape_in_english_and_french_reads_with_its_precision() {
        use Precision::{Day, Hour, Minute, Second, Week};
        let cases: &[(&str, DateTime<Utc>, Precision)] = &[
            ("24s ago", now() - Duration::seconds(24), Second),
            ("4m ago", now() - Duration::minutes(4), Minute),
            ("1h ago", now() - Duration::hours(1), Hour),
            ("3d ago", now() - Duration::days(3), Day),
            ("2w ago", now() - Duration::weeks(2), Week),
            ("3d", now() - Duration::days(3), Day),
            ("2w", now() - Duration::weeks(2), Week),
            ("il y a 24 s", now() - Duration::seconds(24), Second),
            ("il y a 4 min", now() - Duration::minutes(4), Minute),
            ("il y a 1 h", now() - Duration::hours(1), Hour),
            ("il y a 3 j", now() - Duration::days(3), Day),
            ("il y a 2 sem.", now() - Duration::weeks(2), Week),
            ("just now", now(), Second),
            ("à l'instant", now(), Second),
            ("2-25", at(2026, 2, 25, 0, 0), Day),
            ("4-25", at(2025, 4, 25, 0, 0), Day),
            ("2024-12-23", at(2024, 12, 23, 0, 0), Day),
            ("2023-1-5", at(2023, 1, 5, 0, 0), Day),
            ("09:15", at(2026, 3, 10, 9, 15), Minute),
            ("22:38", at(2026, 3, 9, 22, 38), Minute),
            ("January 4, 2026 00:02", at(2026, 1, 4, 0, 2), Minute),
            ("4 janvier 2026 00:02", at(2026, 1, 4, 0, 2), Minute),
            ("Dec 31, 2025", at(2025, 12, 31, 0, 0), Day),
            ("yesterday", at(2026, 3, 9, 0, 0), Day),
            ("Hier", at(2026, 3, 9, 0, 0), Day),
            ("hier à 18:05", at(2026, 3, 9, 18, 5), Minute),
            ("Yesterday 22:38", at(2026, 3, 9, 22, 38), Minute),
        ];
        for (text, expected, precision) in cases {
            let parsed = parse(text, now()).unwrap_or_else(|| panic!("{text:?} not read"));
            assert_eq!(
                (parsed.at, parsed.precision),
                (*expected, *precision),
                "{text:?}"
            );
        }
    }

    #[test]
    fn texts_that_are_not_times_are_not_read() {
        for text in [
            "",
            "liked your video",
            "4 bananas ago",
            "13-45",
            "2026-02-30",
            "il y a longtemps",
            "25:99",
        ] {
            assert_eq!(parse(text, now()), None, "{text:?}");
        }
    }

    #[test]
    fn amounts_and_dates_beyond_the_calendar_are_no_time_rather_than_a_panic() {
        let epoch = DateTime::UNIX_EPOCH;
        for (text, read_at) in [
            ("13785379 sem. ago", epoch),
            ("99999999999 weeks ago", now()),
            ("9223372036854775807s ago", now()),
            ("il y a 9999999999999 s", now()),
            ("January 1, -262143", now()),
            ("1 janvier -262143 00:00", now()),
        ] {
            assert_eq!(parse(text, read_at), None, "{text:?}");
        }
        assert!(parse("13785 sem. ago", epoch).is_some_and(|t| t.at < epoch));
    }

    #[test]
    fn truncation_keeps_only_what_the_precision_knows() {
        let t = at(2026, 3, 10, 14, 37) + Duration::seconds(42);
        assert_eq!(Precision::Minute.truncate(t), at(2026, 3, 10, 14, 37));
        assert_eq!(Precision::Day.truncate(t), at(2026, 3, 10, 0, 0));
    }

    #[test]
    fn a_window_covers_what_the_text_allows_and_neighbouring_texts_do_not_overlap() {
        let four = parse("4m ago", now()).unwrap();
        let five = parse("5m ago", now()).unwrap();
        assert_eq!(
            four.window(now()),
            (now() - Duration::minutes(5), now() - Duration::minutes(4))
        );
        let (a, b) = (four.window(now()), five.window(now()));
        assert!(
            !(a.0 < b.1 && b.0 < a.1),
            "4m and 5m ago are different minutes"
        );
        let day = parse("2-25", now()).unwrap();
        assert_eq!(
            day.window(now()),
            (
                at(2026, 2, 25, 0, 0) - Duration::seconds(1),
                at(2026, 2, 26, 0, 0) - Duration::seconds(1)
            )
        );
        let today = parse("09:15", now()).unwrap().window(now());
        assert!(today.1 <= now());
    }

    proptest! {
        #[test]
        fn no_time_is_ever_in_the_future(text in "\\PC{0,30}", amount in 0_u32..100_000, unit in "(s|m|h|d|w| min| j| sem\\.)", offset in -400_i64..400) {
            let now = now() + Duration::days(offset);
            for candidate in [text, format!("{amount}{unit} ago"), format!("il y a {amount}{unit}"), format!("{}-{}", amount % 13, amount % 32)] {
                if let Some(parsed) = parse(&candidate, now) {
                    prop_assert!(parsed.at <= now, "{candidate:?} gave {:?} after {now:?}", parsed.at);
                }
            }
        }
    }
}
