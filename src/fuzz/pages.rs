//! The platform page readers (TikTok's today): whatever HTML the browser hands over, the Activity, Messages and conversation readers
//! and the page classifier answer in time, with rows bounded by the page and times never after the read.

use chrono::{DateTime, TimeZone as _, Utc};
use proptest::prelude::*;

use super::{HUGE, budget, config, config_divided, hostile_text, mutated, nasty, repeated, timed};
use crate::platforms::tiktok::classify;
use crate::platforms::tiktok::extract::{Profile, Row, activity, conversations, messages};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 10, 14, 30, 0).unwrap()
}

fn panel(rows: &str) -> String {
    format!(
        r#"<html><body><div data-e2e="inbox-notifications"><div data-e2e="inbox-list"><ul>{rows}</ul></div></div></body></html>"#
    )
}

fn item(href: &str, name: &str, content: &str) -> String {
    format!(
        r#"<li><div data-e2e="inbox-list-item"><a data-e2e="inbox-title" href="{href}">{name}</a><p data-e2e="inbox-content">{content}</p><a href="https://www.tiktok.com/@studio/video/7312345678901234567"><img alt=""></a></div></li>"#
    )
}

const THREAD: &str = r#"<div data-e2e="chat-thread"><p data-e2e="chat-nickname">Nina</p><p data-e2e="chat-uniqueid">@nina.beats</p>
    <div class="divider">January 4, 2026 00:02</div><div data-e2e="chat-item"><p>Hi! price for a beat?</p><span>00:02</span></div>
    <div class="divider">hier</div><div data-e2e="chat-item"><p>06 12 34 56 78</p><span>23:59</span></div></div>"#;

const LIST: &str = r#"<a data-e2e="chat-list-item" href="/messages?u=nina"><strong>Nina</strong><br><small>price?</small></a>
    <div data-e2e="chat-list-item"><strong>🔥</strong><small>yo</small></div>"#;

const HOME: &str = r#"<html><body><header><a data-e2e="profile-icon"></a></header><script id="__UNIVERSAL_DATA_FOR_REHYDRATION__" type="application/json">{"__DEFAULT_SCOPE__":{"webapp.app-context":{"user":{"uniqueId":"studio.nova","nickname":"Studio Nova 🎧"}}}}</script></body></html>"#;

/// The real shapes of the pages the existing tests read.
fn samples() -> Vec<String> {
    vec![
        panel(
            &[
                item(
                    "/@nina.beats",
                    "Nina 🎧 and 12 others",
                    "commented: how much for this beat? 4m ago",
                ),
                item("/@malik.prod", "Malik", "started following you. 24s ago"),
                item(
                    "https://www.tiktok.com/@lea.music?lang=en",
                    "",
                    "liked your video. 2h ago",
                ),
                item(
                    "/@kenza",
                    "Kenza et 3 autres",
                    "a commenté : c'est combien ? il y a 4 min",
                ),
                item("/@ghost", "Ghost", "sent you a sticker 🦄 5m ago"),
            ]
            .concat(),
        ),
        THREAD.to_owned(),
        LIST.to_owned(),
        HOME.to_owned(),
    ]
}

/// The rows read from a page are bounded by it: no more rows than bytes, no field longer than the page
/// (with room for entities such as `&nGt;` that decode to more bytes than they take), no time after the
/// read.
fn check_rows(html: &str, rows: &[Row]) -> Result<(), TestCaseError> {
    let bound = 2 * html.len();
    prop_assert!(
        rows.len() <= html.len(),
        "{} rows from {} bytes",
        rows.len(),
        html.len()
    );
    for row in rows {
        for field in [
            &row.handle,
            &row.display_name,
            &row.text,
            &row.post,
            &row.raw,
        ]
        .into_iter()
        .flatten()
        {
            prop_assert!(
                field.len() <= bound,
                "a {}-byte field from {} bytes",
                field.len(),
                html.len()
            );
        }
        prop_assert!(
            row.occurred_at.is_none_or(|at| at <= now()),
            "{:?} is after the read",
            row.occurred_at
        );
        if let Some(time) = row.time {
            let (from, to) = time.window(now());
            prop_assert!(from < to && to <= now());
        }
    }
    Ok(())
}

/// What every reader of a page promises, checked on one page.
fn check(html: &str) -> Result<(), TestCaseError> {
    let profile = Profile::built_in();
    let (rows, took) = timed(|| activity(html, &profile, now()));
    prop_assert!(
        took <= budget(html.len()),
        "activity: {took:?} for {} bytes",
        html.len()
    );
    check_rows(html, &rows)?;

    let (rows, took) = timed(|| messages(html, &profile, now()));
    prop_assert!(
        took <= budget(html.len()),
        "messages: {took:?} for {} bytes",
        html.len()
    );
    check_rows(html, &rows)?;

    let (list, took) = timed(|| conversations(html, &profile));
    prop_assert!(
        took <= budget(html.len()),
        "conversations: {took:?} for {} bytes",
        html.len()
    );
    prop_assert!(list.len() <= html.len());
    for conversation in &list {
        prop_assert!(
            conversation.name.len() <= 2 * html.len()
                && conversation.preview.len() <= 2 * html.len()
        );
    }

    let (_, took) = timed(|| classify("https://www.tiktok.com/foryou", html));
    prop_assert!(
        took <= budget(html.len()),
        "classify: {took:?} for {} bytes",
        html.len()
    );
    Ok(())
}

/// HTML-ish text: tags, attributes the profile selects on, and hostile text between them.
fn html_soup() -> impl Strategy<Value = String> {
    let tag = proptest::sample::select(
        &[
            "<li>",
            "</li>",
            "<ul>",
            "</ul>",
            "<div data-e2e=\"inbox-list\">",
            "<div data-e2e=\"inbox-list-item\">",
            "<a data-e2e=\"inbox-title\" href=\"/@",
            "<p data-e2e=\"inbox-content\">",
            "</p>",
            "</a>",
            "</div>",
            "<div class=\"divider\">",
            "<div data-e2e=\"chat-item\">",
            "<span>",
            "<p data-e2e=\"chat-uniqueid\">@",
            "<a data-e2e=\"chat-list-item\" href=\"",
            "<strong>",
            "<small>",
            "<table>",
            "<td>",
            "<template>",
            "<svg>",
            "<math>",
            "<select>",
            "<script id=\"__UNIVERSAL_DATA_FOR_REHYDRATION__\">",
            "</script>",
            "<!--",
            "-->",
            "<a href=\"https://www.tiktok.com/@x/video/1\">",
            "<b><i><u>",
            "</b>",
        ][..],
    );
    proptest::collection::vec(
        prop_oneof![tag.prop_map(str::to_owned), nasty(), hostile_text()],
        0..64,
    )
    .prop_map(|parts| parts.concat())
}

/// Huge pages: thousands of nested elements (closed or not) around real rows, and a panel of many rows.
///
/// html5ever's tree builder walks its stack of open elements at each tag, so its time grows with the
/// square of the nesting depth (16 KB of `<ul><li>`, 2000 deep, takes 0.7 s in debug; 2000 nested rows
/// make `activity` 5.6 s). Chromium, whose page source is what these readers get, nests no deeper than
/// 512 elements, so the depths tried here go to twice that for lists, tables and rows, and to 4000 for
/// elements that cost less.
fn huge_page() -> impl Strategy<Value = String> {
    let cheap = proptest::sample::select(
        &[
            "<div>",
            "<li>",
            "<b>",
            "<span>",
            "<div data-e2e=\"inbox-list-item\">",
            "<div class=\"divider\">hier",
            "<a data-e2e=\"inbox-title\" href=\"/@x\">",
        ][..],
    );
    let costly = proptest::sample::select(
        &[
            "<ul><li>",
            "<table><tr><td>",
            "<div data-e2e=\"chat-item\"><p>",
            "<div data-e2e=\"inbox-list\"><ul><li>",
        ][..],
    );
    let nest = |tag: &str, depth: usize, closed: bool| {
        let close = if closed {
            "</div>".repeat(depth)
        } else {
            String::new()
        };
        format!("{}{}{THREAD}{close}", tag.repeat(depth), samples()[0])
    };
    let rows = HUGE.prop_map(|size| {
        let row = item(
            "/@nina.beats",
            "Nina",
            "commented: how much for this beat? 4m ago",
        );
        format!(
            "{}{}",
            panel(&repeated(&row, size / 2)),
            repeated(THREAD, size / 2)
        )
    });
    prop_oneof![
        (cheap, 1_000_usize..4_000, any::<bool>()).prop_map(move |(t, d, c)| nest(t, d, c)),
        (costly, 512_usize..1_024, any::<bool>()).prop_map(move |(t, d, c)| nest(t, d, c)),
        rows,
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_text_read_as_a_page_gives_bounded_rows_in_time(html in hostile_text()) {
        check(&html)?;
    }

    #[test]
    fn tag_soup_with_the_profiles_markers_gives_bounded_rows_in_time(html in html_soup()) {
        check(&html)?;
    }

    #[test]
    fn a_real_page_cut_up_and_spliced_gives_bounded_rows_in_time(html in mutated(samples())) {
        check(&html)?;
    }
}

proptest! {
    #![proptest_config(config_divided(32))]

    #[test]
    fn a_huge_or_deeply_nested_page_gives_bounded_rows_in_time(html in huge_page()) {
        check(&html)?;
    }
}

#[test]
fn the_samples_give_rows() {
    let profile = Profile::built_in();
    assert_eq!(activity(&samples()[0], &profile, now()).len(), 5);
    assert_eq!(messages(THREAD, &profile, now()).len(), 2);
    assert_eq!(conversations(LIST, &profile).len(), 2);
}
