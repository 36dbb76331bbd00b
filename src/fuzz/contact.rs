//! A lead's own words: whatever they write, phones, emails, intent and language are read in time, and
//! what comes out is shaped as promised (E.164 phones, lower-case addresses) and bounded by the text.

use proptest::prelude::*;

use super::{HUGE, budget, config, config_divided, hostile_text, mutated, nasty, repeated, timed};
use crate::demo::people::{
    ARTIST, BEATMAKER, CLIENT, CURIOUS, FAN, MESSAGES_ARTIST, MESSAGES_CLIENT, SPAM,
};
use crate::domain::contact::{emails, intent, language, phones};

/// The demo network's lines (what the existing tests read), with their handle filled.
fn samples() -> Vec<String> {
    [
        &CLIENT[..],
        &BEATMAKER,
        &ARTIST,
        &CURIOUS,
        &FAN,
        &SPAM,
        &MESSAGES_CLIENT,
        &MESSAGES_ARTIST,
    ]
    .concat()
    .into_iter()
    .map(|line| line.replace("{handle}", "nina.beats3"))
    .collect()
}

/// What the readers promise, checked on one text.
fn check(text: &str) -> Result<(), TestCaseError> {
    let (found, took) = timed(|| phones(text));
    prop_assert!(
        took <= budget(text.len()),
        "phones: {took:?} for {} bytes",
        text.len()
    );
    prop_assert!(found.len() <= text.len());
    for phone in &found {
        prop_assert!(
            phone.starts_with('+')
                && phone.len() <= 16
                && phone[1..].bytes().all(|b| b.is_ascii_digit()),
            "{phone:?} is not E.164"
        );
    }

    let (found, took) = timed(|| emails(text));
    prop_assert!(
        took <= budget(text.len()),
        "emails: {took:?} for {} bytes",
        text.len()
    );
    prop_assert!(found.len() <= text.len());
    for email in &found {
        prop_assert!(
            email.len() <= text.len(),
            "a {}-byte address from {} bytes",
            email.len(),
            text.len()
        );
        prop_assert!(
            email.matches('@').count() == 1 && *email == email.to_lowercase(),
            "{email:?}"
        );
    }

    let (_, took) = timed(|| intent(text));
    prop_assert!(
        took <= budget(text.len()),
        "intent: {took:?} for {} bytes",
        text.len()
    );
    let (_, took) = timed(|| language(&[text, text]));
    prop_assert!(
        took <= budget(text.len()),
        "language: {took:?} for {} bytes",
        text.len()
    );
    Ok(())
}

/// Digits, separators and address pieces in any order: what the phone and address scanners work on.
fn contact_soup() -> impl Strategy<Value = String> {
    let piece = proptest::sample::select(
        &[
            "0", "06", "00", "+", "+33", "(0)", "(", ")", " ", ".", "-", "12", "34", "56", "78",
            "1", "9", "€", "#", "/", ":", "nina", "@", " at ", " [at] ", "(dot)", " dot ", "gmail",
            ".com", ".", "-", "_", "arobase", " point ", "fr", "x",
        ][..],
    );
    proptest::collection::vec(prop_oneof![piece.prop_map(str::to_owned), nasty()], 0..128)
        .prop_map(|parts| parts.concat())
}

/// Huge texts: one endless run of digit groups, many distinct numbers or addresses, endless dotted
/// local parts and domains.
fn huge_text() -> impl Strategy<Value = String> {
    let counted = |f: fn(usize) -> String| {
        HUGE.prop_map(move |size| (0..size / 20).map(f).collect::<String>())
    };
    prop_oneof![
        (
            proptest::sample::select(&["01 ", "0 ", "06 ", "+33 ", "00 ", "0-", "(0)"][..]),
            HUGE
        )
            .prop_map(|(piece, size)| repeated(piece, size)),
        counted(|i| format!(
            "06 {:02} {:02} {:02} {:02} ",
            i / 1_000_000 % 100,
            i / 10_000 % 100,
            i / 100 % 100,
            i % 100
        )),
        counted(|i| format!("n{i}@mail{i}.com ")),
        (
            proptest::sample::select(
                &["a.", "a@", "a at ", "a dot ", "[at]", "@a.", "é", "c'est "][..]
            ),
            HUGE
        )
            .prop_map(|(piece, size)| repeated(piece, size) + "com"),
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_text_a_lead_writes_is_read_in_time_with_well_formed_contacts(text in hostile_text()) {
        check(&text)?;
    }

    #[test]
    fn digits_separators_and_address_pieces_in_any_order_are_read_in_time(text in contact_soup()) {
        check(&text)?;
    }

    #[test]
    fn a_real_lead_line_cut_up_and_spliced_is_read_in_time(text in mutated(samples())) {
        check(&text)?;
    }
}

proptest! {
    #![proptest_config(config_divided(32))]

    #[test]
    fn a_huge_text_is_read_in_time(text in huge_text()) {
        check(&text)?;
    }
}
