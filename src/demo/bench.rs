//! The parse-activity benchmark: an Activity panel shaped like TikTok's (the demo's own), from the demo's
//! audience, read by TikTok's reader.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use super::activity::row_text;
use super::{DEMO_CREATORS, DemoNetwork};
use crate::domain::interaction::Kind;
use crate::platforms::tiktok::extract::{self, Profile};

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// An Activity panel of `rows` rows, shaped like TikTok's (and the demo's), from the demo's audience.
#[must_use]
pub fn activity_page(rows: usize, now: DateTime<Utc>) -> String {
    use std::fmt::Write as _;
    let network = DemoNetwork::with_history(
        crate::demo::DEFAULT_SEED,
        now,
        i64::try_from(rows * 2).unwrap_or(i64::MAX),
    );
    let mut items = String::new();
    if let Some(simulation) = network.simulation(DEMO_CREATORS[0].handle) {
        for event in simulation
            .events_until(now)
            .iter()
            .filter(|e| e.kind != Kind::Message)
            .take(rows)
        {
            let person = &simulation.people[event.person];
            let _ = write!(
                items,
                r#"<li><div data-e2e="inbox-list-item"><a data-e2e="inbox-title" href="/@{}">{}</a><p data-e2e="inbox-content">{}</p></div></li>"#,
                person.handle,
                person.nickname,
                row_text(event, now, false)
            );
        }
    }
    format!(
        r#"<html><body><div data-e2e="inbox-notifications"><div data-e2e="inbox-list"><ul>{items}</ul></div></div></body></html>"#
    )
}

/// Parses an Activity page of `rows` rows `runs` times and reports the times.
///
/// # Errors
/// When the page does not give the rows it holds.
pub fn parse_activity(rows: usize, runs: usize) -> anyhow::Result<()> {
    let now = Utc::now();
    let page = activity_page(rows, now);
    let profile = Profile::built_in();
    let found = extract::activity(&page, &profile, now);
    anyhow::ensure!(
        found.len() == rows && found.iter().all(|r| r.kind.is_some()),
        "the page gave {} rows, expected {rows} known ones",
        found.len()
    );
    let mut times: Vec<Duration> = (0..runs.max(1))
        .map(|_| {
            let start = Instant::now();
            let parsed = extract::activity(&page, &profile, now);
            let elapsed = start.elapsed();
            std::hint::black_box(parsed);
            elapsed
        })
        .collect();
    times.sort();
    let (median, max) = (times[times.len() / 2], times[times.len() - 1]);
    println!(
        "parse an Activity page of {rows} rows ({} KiB), {runs} runs: median {:.1} ms, max {:.1} ms (budget 50 ms)",
        page.len() / 1024,
        millis(median),
        millis(max)
    );
    println!(
        "{}",
        serde_json::json!({"bench": "parse-activity", "rows": rows, "runs": runs, "median_ms": millis(median), "max_ms": millis(max)})
    );
    Ok(())
}
