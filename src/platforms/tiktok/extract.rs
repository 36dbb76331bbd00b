//! Reading TikTok's Activity and Messages pages from their HTML, in one parse, with the selector profile.
//! Rows the profile does not recognise are kept as `unknown` (with their raw text), never dropped.

use std::sync::LazyLock;

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use scraper::{ElementRef, Html, Selector};
use serde::{Deserialize, Serialize};

use crate::domain::interaction::Kind;
use crate::domain::platform_time::{self, PlatformTime};

const DEFAULT_PROFILE: &str = include_str!("profile.toml");

#[derive(Debug, Clone, Deserialize)]
pub struct Profile {
    pub version: u32,
    pub activity: ActivityProfile,
    pub messages: MessagesProfile,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ActivityProfile {
    /// What opens the panel, and the list that scrolls.
    pub opener: String,
    pub list: String,
    pub row: String,
    pub item: String,
    pub title: String,
    pub content: String,
    /// A link to the post the row is about, when the row shows one.
    #[serde(default)]
    pub post: Option<String>,
    /// How a grouped row names the others after the first person ("and {n} others"): cut from the name.
    #[serde(default)]
    pub grouped: Vec<String>,
    pub patterns: Vec<Pattern>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Pattern {
    pub kind: Kind,
    pub starts: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct MessagesProfile {
    pub conversation: String,
    /// Inside a conversation row: the name shown, and the last message's preview.
    pub conversation_name: String,
    pub conversation_preview: String,
    pub nickname: String,
    pub handle: String,
    pub message: String,
    pub message_text: String,
    pub message_time: String,
    pub divider: String,
}

/// One row read from a page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    /// What the row says happened; `None` for a row the profile does not know ("unknown" in JSON).
    #[serde(serialize_with = "kind_or_unknown")]
    pub kind: Option<Kind>,
    pub handle: Option<String>,
    pub display_name: Option<String>,
    pub text: Option<String>,
    pub occurred_at: Option<DateTime<Utc>>,
    pub precision: Option<&'static str>,
    /// The post the row is about (its link's path), when the page shows one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub post: Option<String>,
    /// The row's whole text, kept for unknown rows so they can be looked at.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raw: Option<String>,
    /// The time as read, with what it allows (for storage).
    #[serde(skip)]
    pub time: Option<PlatformTime>,
}

#[expect(
    clippy::ref_option,
    clippy::trivially_copy_pass_by_ref,
    reason = "serde's serialize_with hands the field by reference"
)]
fn kind_or_unknown<S: serde::Serializer>(kind: &Option<Kind>, out: S) -> Result<S::Ok, S::Error> {
    out.serialize_str(kind.map_or("unknown", Kind::as_str))
}

static BUILT_IN: LazyLock<Profile> = LazyLock::new(|| {
    toml::from_str(DEFAULT_PROFILE).expect("the built-in selector profile parses")
});

impl Profile {
    /// The profile shipped with the app.
    #[must_use]
    pub fn built_in() -> Profile {
        BUILT_IN.clone()
    }

    /// The profile at `TIKTOK_SELECTOR_PROFILE` when set, else the built-in one.
    ///
    /// # Errors
    /// When the file cannot be read or parsed, or a selector is invalid.
    pub fn from_env() -> anyhow::Result<Profile> {
        let Ok(path) = std::env::var("TIKTOK_SELECTOR_PROFILE") else {
            return Ok(Self::built_in());
        };
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading the selector profile {path}"))?;
        let profile: Profile = toml::from_str(&text)
            .with_context(|| format!("parsing the selector profile {path}"))?;
        profile.check()?;
        Ok(profile)
    }

    fn check(&self) -> anyhow::Result<()> {
        let a = &self.activity;
        let m = &self.messages;
        for css in [
            &a.opener,
            &a.list,
            &a.row,
            &a.item,
            &a.title,
            &a.content,
            &m.conversation,
            &m.conversation_name,
            &m.conversation_preview,
            &m.nickname,
            &m.handle,
            &m.message,
            &m.message_text,
            &m.message_time,
            &m.divider,
        ] {
            Selector::parse(css).map_err(|e| anyhow::anyhow!("invalid selector {css:?}: {e}"))?;
        }
        Ok(())
    }
}

fn selector(css: &str) -> Option<Selector> {
    Selector::parse(css).ok()
}

fn text_of(element: ElementRef<'_>) -> String {
    element
        .text()
        .collect::<Vec<_>>()
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The text of a date divider, when it is short enough to be a date ("January 4, 2026 00:02"): reading
/// stops past `DIVIDER_CHARS`, so dividers nested in each other do not each gather all the text below them
/// (found by the hostile-input tests: 3000 nested dividers took 2.7 s, quadratic).
fn divider_text(element: ElementRef<'_>) -> Option<String> {
    const DIVIDER_CHARS: usize = 64;
    let mut text = String::new();
    for piece in element.text() {
        text.push_str(piece);
        text.push(' ');
        if text.chars().count() > DIVIDER_CHARS {
            return None;
        }
    }
    Some(text.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// The handle of a profile link (`/@handle`, `https://www.tiktok.com/@handle?lang=fr`).
fn handle_from_href(href: &str) -> Option<String> {
    let after = href.split("/@").nth(1)?;
    let handle: String = after
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == '_')
        .collect();
    (!handle.is_empty()).then_some(handle)
}

/// Splits a trailing time off a row's text: the longest ending of up to six words ("il y a 2 sem.") that reads as a time.
fn split_time(text: &str, now: DateTime<Utc>) -> (String, Option<PlatformTime>) {
    let words: Vec<&str> = text.split_whitespace().collect();
    for take in (1..=6.min(words.len())).rev() {
        let (head, tail) = words.split_at(words.len() - take);
        if let Some(time) = platform_time::parse(&tail.join(" "), now) {
            return (head.join(" "), Some(time));
        }
    }
    (text.to_owned(), None)
}

/// What a row's parts say, before the time fields are derived.
struct Parts {
    kind: Option<Kind>,
    handle: Option<String>,
    display_name: Option<String>,
    text: Option<String>,
    post: Option<String>,
    time: Option<PlatformTime>,
    raw: Option<String>,
}

impl From<Parts> for Row {
    fn from(parts: Parts) -> Self {
        Row {
            kind: parts.kind,
            handle: parts.handle,
            display_name: parts.display_name,
            text: parts.text,
            occurred_at: parts.time.map(|t| t.at),
            precision: parts.time.map(|t| t.precision.as_str()),
            post: parts.post,
            raw: parts.raw,
            time: parts.time,
        }
    }
}

/// The rows of a saved page (`tiktok-activity` or `tiktok-messages`), one JSON line each, read with the
/// selector profile of `TIKTOK_SELECTOR_PROFILE` or the built-in one.
///
/// # Errors
/// When the profile cannot be read, or `name` is neither page.
pub fn saved_page(name: &str, html: &str, now: DateTime<Utc>) -> anyhow::Result<Vec<String>> {
    let profile = Profile::from_env()?;
    let rows = match name {
        "tiktok-activity" => activity(html, &profile, now),
        "tiktok-messages" => messages(html, &profile, now),
        other => anyhow::bail!("no TikTok page named {other:?}"),
    };
    rows.iter()
        .map(|row| serde_json::to_string(row).map_err(Into::into))
        .collect()
}

/// The Activity panel's rows, top to bottom.
#[must_use]
pub fn activity(html: &str, profile: &Profile, now: DateTime<Utc>) -> Vec<Row> {
    let document = Html::parse_document(html);
    let p = &profile.activity;
    let (Some(rows), Some(item), Some(title), Some(content)) = (
        selector(&p.row),
        selector(&p.item),
        selector(&p.title),
        selector(&p.content),
    ) else {
        return Vec::new();
    };
    let post_link = p.post.as_deref().and_then(selector);
    document
        .select(&rows)
        .filter_map(|li| li.select(&item).next().or(Some(li)))
        .map(|item_element| {
            let link = item_element.select(&title).next();
            let handle = link
                .and_then(|a| a.value().attr("href"))
                .and_then(handle_from_href);
            let display_name = link
                .map(|a| without_group(&text_of(a), &p.grouped))
                .filter(|t| !t.is_empty());
            let post = post_link
                .as_ref()
                .and_then(|s| item_element.select(s).next())
                .and_then(|a| a.value().attr("href"))
                .map(post_path);
            let body = item_element
                .select(&content)
                .next()
                .map(text_of)
                .unwrap_or_default();
            let lower = body.to_lowercase();
            let matched = p.patterns.iter().find_map(|pattern| {
                pattern
                    .starts
                    .iter()
                    .find(|start| lower.starts_with(&start.to_lowercase()))
                    .map(|start| (pattern.kind, start.chars().count()))
            });
            let Some((kind, prefix_chars)) = matched else {
                let (_, time) = split_time(&body, now);
                return Parts {
                    kind: None,
                    handle,
                    display_name,
                    text: None,
                    post,
                    time,
                    raw: Some(text_of(item_element)),
                }
                .into();
            };
            let rest: String = body.chars().skip(prefix_chars).collect();
            let (message, time) = split_time(rest.trim_start_matches([':', '.', ' ']).trim(), now);
            let message = message.trim().trim_end_matches('.').trim().to_owned();
            let text = (!message.is_empty() && matches!(kind, Kind::Comment | Kind::Mention))
                .then_some(message);
            Parts {
                kind: Some(kind),
                handle,
                display_name,
                text,
                post,
                time,
                raw: None,
            }
            .into()
        })
        .collect()
}

/// A message's clock ("00:03") on the date of the divider above it; the divider's own time, or the clock
/// alone, when one of them is missing.
fn message_time_under(
    divider: Option<PlatformTime>,
    clock: &str,
    now: DateTime<Utc>,
) -> Option<PlatformTime> {
    let clock_time = chrono::NaiveTime::parse_from_str(clock.trim(), "%H:%M").ok();
    match (divider, clock_time) {
        (Some(day), Some(time)) => {
            let at = day.at.date_naive().and_time(time).and_utc();
            Some(PlatformTime {
                at: at.min(now),
                precision: platform_time::Precision::Minute,
                counted_back: false,
            })
        }
        (Some(day), None) => Some(day),
        (None, _) => platform_time::parse(clock, now),
    }
}

/// The first person's name of a grouped row ("Nina and 12 others" is Nina's row; the others cannot be
/// told from the page).
fn without_group(name: &str, patterns: &[String]) -> String {
    for pattern in patterns {
        let Some((before, after)) = pattern.split_once("{n}") else {
            continue;
        };
        let Some(rest) = name.strip_suffix(after) else {
            continue;
        };
        let digits = rest.trim_end_matches(|c: char| c.is_ascii_digit());
        if digits.len() < rest.len()
            && let Some(first) = digits.strip_suffix(before)
        {
            return first.trim().to_owned();
        }
    }
    name.to_owned()
}

/// A post link as a path (`/@creator/video/123`), whatever host it names.
fn post_path(href: &str) -> String {
    url::Url::parse(href).map_or_else(|_| href.to_owned(), |u| u.path().to_owned())
}

/// A conversation in the Messages list: who (as the list names them), their last message, and the link
/// that opens it when the list gives one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conversation {
    pub name: String,
    pub preview: String,
    pub href: Option<String>,
}

/// The conversations of the Messages page, in the list's order (most recent first).
#[must_use]
pub fn conversations(html: &str, profile: &Profile) -> Vec<Conversation> {
    let document = Html::parse_document(html);
    let m = &profile.messages;
    let (Some(row), Some(name), Some(preview)) = (
        selector(&m.conversation),
        selector(&m.conversation_name),
        selector(&m.conversation_preview),
    ) else {
        return Vec::new();
    };
    document
        .select(&row)
        .map(|element| Conversation {
            name: element
                .select(&name)
                .next()
                .map(text_of)
                .unwrap_or_default(),
            preview: element
                .select(&preview)
                .next()
                .map(text_of)
                .unwrap_or_default(),
            href: element.value().attr("href").map(str::to_owned),
        })
        .collect()
}

/// The messages of the open conversation, oldest first.
#[must_use]
pub fn messages(html: &str, profile: &Profile, now: DateTime<Utc>) -> Vec<Row> {
    let document = Html::parse_document(html);
    let m = &profile.messages;
    let first_text = |css: &str| {
        selector(css)
            .and_then(|s| document.select(&s).next().map(text_of))
            .filter(|t| !t.is_empty())
    };
    let handle = first_text(&m.handle).map(|h| h.trim_start_matches('@').to_owned());
    let nickname = first_text(&m.nickname);
    let (Some(message), Some(message_text), Some(message_time), Some(divider)) = (
        selector(&m.message),
        selector(&m.message_text),
        selector(&m.message_time),
        selector(&m.divider),
    ) else {
        return Vec::new();
    };
    // Walk the thread in order, so each message takes the date of the divider above it.
    let mut rows = Vec::new();
    let mut day: Option<PlatformTime> = None;
    let thread_root = document.root_element();
    for element in thread_root.descendants().filter_map(ElementRef::wrap) {
        if divider.matches(&element) {
            day = divider_text(element).and_then(|text| platform_time::parse(&text, now));
        } else if message.matches(&element) {
            let text = element
                .select(&message_text)
                .next()
                .map(text_of)
                .filter(|t| !t.is_empty());
            let clock_text = element
                .select(&message_time)
                .next()
                .map(text_of)
                .unwrap_or_default();
            rows.push(
                Parts {
                    kind: Some(Kind::Message),
                    handle: handle.clone(),
                    display_name: nickname.clone(),
                    text,
                    post: None,
                    time: message_time_under(day, &clock_text, now),
                    raw: None,
                }
                .into(),
            );
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone as _};

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 10, 14, 30, 0).unwrap()
    }

    fn panel(rows: &str) -> String {
        format!(
            r#"<div data-e2e="inbox-notifications"><div data-e2e="inbox-list"><ul>{rows}</ul></div></div>"#
        )
    }

    fn item(href: &str, name: &str, content: &str) -> String {
        format!(
            r#"<li><div data-e2e="inbox-list-item"><a data-e2e="inbox-title" href="{href}">{name}</a><p data-e2e="inbox-content">{content}</p></div></li>"#
        )
    }

    #[test]
    fn english_rows_are_read_with_kind_handle_text_and_time() {
        let html = panel(
            &[
                item(
                    "/@nina.beats",
                    "Nina 🎧",
                    "commented: how much for this beat? 4m ago",
                ),
                item("/@malik.prod", "Malik", "started following you. 24s ago"),
                item(
                    "https://www.tiktok.com/@lea.music?lang=en",
                    "",
                    "liked your video. 2h ago",
                ),
                item("/@omar", "Omar", "liked your comment 3d ago"),
                item(
                    "/@jade",
                    "Jade",
                    "mentioned you in a comment: @studio listen to this 2w ago",
                ),
                item("/@theo", "Theo", "shared your video. 2024-12-23"),
            ]
            .concat(),
        );

        let rows = activity(&html, &Profile::built_in(), now());

        let kinds: Vec<Kind> = rows.iter().filter_map(|r| r.kind).collect();
        assert_eq!(
            kinds,
            [
                Kind::Comment,
                Kind::Follow,
                Kind::Like,
                Kind::CommentLike,
                Kind::Mention,
                Kind::Share
            ]
        );
        assert_eq!(rows[0].handle.as_deref(), Some("nina.beats"));
        assert_eq!(rows[0].display_name.as_deref(), Some("Nina 🎧"));
        assert_eq!(rows[0].text.as_deref(), Some("how much for this beat?"));
        assert_eq!(rows[0].occurred_at, Some(now() - Duration::minutes(4)));
        assert_eq!(rows[0].precision, Some("minute"));
        assert_eq!(
            rows[2].handle.as_deref(),
            Some("lea.music"),
            "the handle comes from the link"
        );
        assert_eq!(rows[2].display_name, None, "an empty display name is none");
        assert_eq!(rows[4].text.as_deref(), Some("@studio listen to this"));
        assert_eq!(rows[4].precision, Some("week"));
        assert_eq!(rows[5].precision, Some("day"));
    }

    #[test]
    fn french_rows_are_read_too() {
        let html = panel(
            &[
                item(
                    "/@kenza",
                    "Kenza",
                    "a commenté : c'est combien ? il y a 4 min",
                ),
                item("/@yanis", "Yanis", "a commencé à vous suivre. il y a 3 j"),
                item("/@ines", "Inès", "a aimé votre vidéo. hier"),
            ]
            .concat(),
        );

        let rows = activity(&html, &Profile::built_in(), now());

        assert_eq!(
            rows.iter().filter_map(|r| r.kind).collect::<Vec<_>>(),
            [Kind::Comment, Kind::Follow, Kind::Like]
        );
        assert_eq!(rows[0].text.as_deref(), Some("c'est combien ?"));
        assert_eq!(rows[0].occurred_at, Some(now() - Duration::minutes(4)));
        assert_eq!(rows[2].precision, Some("day"));
    }

    #[test]
    fn an_unknown_row_is_kept_with_its_raw_text() {
        let html = panel(&item("/@ghost", "Ghost", "sent you a sticker 🦄 5m ago"));

        let rows = activity(&html, &Profile::built_in(), now());

        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].kind, None);
        assert_eq!(
            rows[0].raw.as_deref(),
            Some("Ghost sent you a sticker 🦄 5m ago")
        );
        assert_eq!(rows[0].occurred_at, Some(now() - Duration::minutes(5)));
    }

    #[test]
    fn a_thread_gives_messages_with_the_date_of_their_divider() {
        let html = r#"<div data-e2e="chat-thread"><p data-e2e="chat-nickname">Nina</p><p data-e2e="chat-uniqueid">@nina.beats</p>
            <div class="divider">January 4, 2026 00:02</div><div data-e2e="chat-item"><p>Hi! price for a beat?</p><span>00:02</span></div>
            <div data-e2e="chat-item"><p>06 12 34 56 78</p><span>00:03</span></div></div>"#;

        let rows = messages(html, &Profile::built_in(), now());

        assert_eq!(rows.len(), 2);
        assert!(
            rows.iter()
                .all(|r| r.kind == Some(Kind::Message) && r.handle.as_deref() == Some("nina.beats"))
        );
        assert_eq!(rows[0].text.as_deref(), Some("Hi! price for a beat?"));
        assert_eq!(
            rows[0].occurred_at,
            Utc.with_ymd_and_hms(2026, 1, 4, 0, 2, 0).single()
        );
    }

    #[test]
    fn a_grouped_like_is_one_row_for_the_person_it_names() {
        let html = panel(
            &[
                item(
                    "/@nina.beats",
                    "Nina 🎧 and 12 others",
                    "liked your video. 2h ago",
                ),
                item(
                    "/@kenza",
                    "Kenza et 3 autres",
                    "a aimé votre vidéo. il y a 1 h",
                ),
            ]
            .concat(),
        );

        let rows = activity(&html, &Profile::built_in(), now());

        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].kind, Some(Kind::Like));
        assert_eq!(rows[0].handle.as_deref(), Some("nina.beats"));
        assert_eq!(rows[0].display_name.as_deref(), Some("Nina 🎧"));
        assert_eq!(rows[1].display_name.as_deref(), Some("Kenza"));
    }

    #[test]
    fn emoji_names_missing_names_and_a_post_link_are_read_as_they_are() {
        let html = panel(
            &[
                r#"<li><div data-e2e="inbox-list-item"><a data-e2e="inbox-title" href="/@fire.fan">🔥🔥</a><p data-e2e="inbox-content">commented: 🔥🔥🔥 1m ago</p><a href="https://www.tiktok.com/@studio/video/7312345678901234567"><img alt=""></a></div></li>"#.to_owned(),
                item("/@quiet", "", "started following you. 3d ago"),
            ]
            .concat(),
        );

        let rows = activity(&html, &Profile::built_in(), now());

        assert_eq!(rows[0].display_name.as_deref(), Some("🔥🔥"));
        assert_eq!(rows[0].text.as_deref(), Some("🔥🔥🔥"));
        assert_eq!(
            rows[0].post.as_deref(),
            Some("/@studio/video/7312345678901234567")
        );
        assert_eq!(rows[1].display_name, None);
        assert_eq!(rows[1].handle.as_deref(), Some("quiet"));
    }

    #[test]
    fn a_sticker_row_and_a_row_without_a_link_are_unknown_not_dropped() {
        let html = panel(
            &[
                item("/@ghost", "Ghost", "sent a sticker to your video 2h ago"),
                r#"<li><div data-e2e="inbox-list-item"><p data-e2e="inbox-content">TikTok: your video is trending! 5h ago</p></div></li>"#.to_owned(),
            ]
            .concat(),
        );

        let rows = activity(&html, &Profile::built_in(), now());

        assert_eq!(rows.len(), 2);
        assert!(rows.iter().all(|r| r.kind.is_none() && r.raw.is_some()));
        assert_eq!(rows[1].handle, None);
    }

    #[test]
    fn a_message_takes_its_own_clock_on_the_date_of_its_divider() {
        let html = r#"<p data-e2e="chat-uniqueid">@nina</p><div class="divider">January 4, 2026 23:58</div>
            <div data-e2e="chat-item"><p>first</p><span>23:58</span></div><div data-e2e="chat-item"><p>second</p><span>23:59</span></div>"#;

        let rows = messages(html, &Profile::built_in(), now());

        assert_eq!(
            rows[1].occurred_at,
            Utc.with_ymd_and_hms(2026, 1, 4, 23, 59, 0).single()
        );
        assert_eq!(rows[1].precision, Some("minute"));
    }

    #[test]
    fn the_conversation_list_gives_names_previews_and_links() {
        let html = r#"<a data-e2e="chat-list-item" href="/messages?u=nina"><strong>Nina</strong><br><small>price?</small></a>
            <div data-e2e="chat-list-item"><strong>🔥</strong><small>yo</small></div>"#;

        let list = conversations(html, &Profile::built_in());

        assert_eq!(
            list,
            [
                Conversation {
                    name: "Nina".into(),
                    preview: "price?".into(),
                    href: Some("/messages?u=nina".into())
                },
                Conversation {
                    name: "🔥".into(),
                    preview: "yo".into(),
                    href: None
                }
            ]
        );
    }

    #[test]
    fn nested_dividers_are_read_in_linear_time_and_a_long_divider_is_no_date() {
        let nested = format!(
            r#"{}<div data-e2e="chat-item"><p>hi</p><span>10:00</span></div>"#,
            r#"<div class="divider">hier"#.repeat(3_000)
        );
        let (rows, took) =
            crate::test_support::cpu_timed(|| messages(&nested, &Profile::built_in(), now()));
        assert!(took < std::time::Duration::from_secs(2), "{took:?}");
        assert_eq!(rows.len(), 1);
        assert_eq!(
            rows[0].occurred_at,
            Utc.with_ymd_and_hms(2026, 3, 10, 10, 0, 0).single(),
            "no divider above reads as a date (each holds the others): the clock alone"
        );

        let long = format!(
            r#"<div class="divider">{} hier</div><div data-e2e="chat-item"><p>hi</p><span>10:00</span></div>"#,
            "x".repeat(100)
        );
        assert_eq!(
            messages(&long, &Profile::built_in(), now())[0].precision,
            Some("minute")
        );
    }

    #[test]
    fn the_built_in_profile_is_valid() {
        let profile = Profile::built_in();
        assert_eq!(profile.version, 1);
        assert!(profile.check().is_ok());
    }
}
