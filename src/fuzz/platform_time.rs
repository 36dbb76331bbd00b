//! Platform times: whatever the text and whenever the read, `platform_time::parse` answers in time with
//! nothing or a time that is not after the read, whose window and truncation can be computed.

use chrono::{DateTime, Duration, TimeZone as _, Utc};
use proptest::prelude::*;

use super::{HUGE, budget, config, config_divided, hostile_text, mutated, nasty, repeated, timed};
use crate::domain::platform_time::{Precision, parse};

/// A moment of reading anywhere from 1970 to 2200.
fn any_now() -> impl Strategy<Value = DateTime<Utc>> {
    (0_i64..7_258_118_400).prop_map(|s| Utc.timestamp_opt(s, 0).unwrap())
}

/// The times the existing tests read, in English and French.
fn samples() -> Vec<String> {
    [
        "24s ago",
        "4m ago",
        "2w",
        "il y a 2 sem.",
        "just now",
        "à l'instant",
        "4-25",
        "2024-12-23",
        "22:38",
        "January 4, 2026 00:02",
        "4 janvier 2026 00:02",
        "Dec 31, 2025",
        "hier à 18:05",
        "Yesterday 22:38",
    ]
    .map(str::to_owned)
    .to_vec()
}

/// Absurd numbers in every shape the parser reads: relative amounts, numeric dates and dates with a
/// month name, with numbers far outside any calendar.
fn absurd_time() -> impl Strategy<Value = String> {
    let number = prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        any::<u64>().prop_map(|n| n.to_string()),
        any::<i32>().prop_map(|n| n.to_string()),
        Just("99999999999".to_owned()),
        Just("9223372036854775807".to_owned()),
        Just("9223372036854775808".to_owned()),
        Just("262143".to_owned()),
        Just("-262144".to_owned()),
        Just("0".to_owned()),
        Just("-1".to_owned()),
        Just("00000000000000000000000000001".to_owned()),
    ];
    let unit = proptest::sample::select(
        &[
            "s", "m", "h", "d", "w", " sec", " min", " hours", " j", " jours", " sem.", " weeks",
            " wk",
        ][..],
    );
    let month = proptest::sample::select(&["January", "dec", "févr.", "août", "Mai"][..]);
    prop_oneof![
        (number.clone(), unit.clone()).prop_map(|(n, u)| format!("{n}{u} ago")),
        (number.clone(), unit).prop_map(|(n, u)| format!("il y a {n}{u}")),
        (number.clone(), number.clone(), number.clone())
            .prop_map(|(y, m, d)| format!("{y}-{m}-{d}")),
        (number.clone(), number.clone()).prop_map(|(m, d)| format!("{m}/{d}")),
        (month.clone(), number.clone(), number.clone())
            .prop_map(|(m, d, y)| format!("{m} {d}, {y} 23:59")),
        (number.clone(), month, number).prop_map(|(d, m, y)| format!("{d} {m} {y}")),
    ]
}

/// What `parse` promises, checked on one text read at `now`.
fn check(text: &str, now: DateTime<Utc>) -> Result<(), TestCaseError> {
    let (read, took) = timed(|| parse(text, now));
    prop_assert!(
        took <= budget(text.len()),
        "{took:?} for {} bytes",
        text.len()
    );
    if let Some(time) = read {
        prop_assert!(time.at <= now, "{text:?} read at {now} gave {}", time.at);
        let (from, to) = time.window(now);
        prop_assert!(
            from < to && to <= now,
            "{text:?}: window {from}..{to} read at {now}"
        );
        prop_assert!(time.precision.truncate(time.at) <= time.at);
        prop_assert_eq!(
            Precision::parse(time.precision.as_str()),
            Some(time.precision)
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_text_read_as_a_time_is_read_in_time_and_never_after_the_read(text in hostile_text(), now in any_now()) {
        check(&text, now)?;
    }

    #[test]
    fn absurd_amounts_and_dates_are_no_time_or_a_time_before_the_read(text in absurd_time(), now in any_now()) {
        check(&text, now)?;
        check(&text.to_uppercase(), now)?;
    }

    #[test]
    fn a_real_time_cut_up_and_spliced_is_read_in_time_and_never_after_the_read(text in mutated(samples()), now in any_now()) {
        check(&text, now)?;
    }
}

proptest! {
    #![proptest_config(config_divided(32))]

    #[test]
    fn a_huge_text_is_read_in_time(piece in prop_oneof![nasty(), Just("9".to_owned()), Just("il y a ".to_owned()), Just("-1".to_owned())], size in HUGE, tail in "( weeks ago| j|-1-1|)") {
        let text = format!("{}{tail}", repeated(&piece, size));
        check(&text, Utc::now())?;
    }
}

#[test]
fn the_samples_are_times() {
    let now = Utc.with_ymd_and_hms(2026, 3, 10, 14, 30, 0).unwrap();
    for sample in samples() {
        assert!(parse(&sample, now).is_some(), "{sample}");
    }
    assert!(parse("99 weeks ago", now).is_some_and(|t| t.at == now - Duration::weeks(99)));
}
