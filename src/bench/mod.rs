//! `vistaflow bench ...`: measurements run against local peers only (the built-in demo network, a local
//! chromedriver), printed for people and as one JSON line for scripts.

pub mod analysis;
pub mod collection;
pub mod demo_data;
pub mod webhook;

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;

use crate::config::Settings;
use crate::demo::{self, DEMO_CREATORS, DemoNetwork};
use crate::domain::cookies::{Cookie, CookieJar};
use crate::platforms::{self, SessionState};
use crate::scrape::BrowserPool;
use crate::state::AppState;

/// Memory of every process in a process group (chromedriver and the browser it started), in KiB, as the
/// proportional set size: pages shared between Chromium's processes are counted once, not per process.
fn group_pss_kib(group: u32) -> u64 {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return 0;
    };
    entries
        .flatten()
        .filter_map(|entry| {
            let stat = std::fs::read_to_string(entry.path().join("stat")).ok()?;
            // Field 5 (after the parenthesised name) is the process group.
            let after_name = stat.rsplit_once(')')?.1;
            let pgrp: u32 = after_name.split_whitespace().nth(2)?.parse().ok()?;
            if pgrp != group {
                return None;
            }
            let rollup = std::fs::read_to_string(entry.path().join("smaps_rollup")).ok()?;
            rollup
                .lines()
                .find_map(|l| l.strip_prefix("Pss:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .sum()
}

/// KiB to MiB; memory figures are far below 2^52 KiB, so the conversion is exact enough.
#[expect(
    clippy::cast_precision_loss,
    reason = "memory sizes in KiB fit easily in f64's mantissa"
)]
fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// The state a benchmark runs use cases with: the built-in analyzer, mail to files, no QR login.
fn state(settings: &Settings, pool: crate::db::DbPool) -> anyhow::Result<AppState> {
    Ok(AppState {
        pool,
        browsers: Arc::new(BrowserPool::new(settings.browser.clone())),
        settings: Arc::new(settings.clone()),
        qr_logins: crate::state::qr_logins::QrLogins::default(),
        collecting: tokio::sync::Mutex::new(()),
        analyzer: crate::ai::Configured::BuiltIn(crate::ai::builtin::BuiltIn),
        instance: "bench".to_owned(),
        mailer: crate::mail::Mailer::new(None, &settings.mail.from, &settings.mail.dir)?,
        inbox: tokio::sync::Notify::new(),
    })
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// A fresh demo session of `handle`, as the cookie jar a creator would paste.
fn demo_jar(network: &DemoNetwork, handle: &str) -> CookieJar {
    let cookies = network
        .issue_session(handle)
        .cookies()
        .into_iter()
        .map(|(name, value)| Cookie {
            name: name.to_owned(),
            value,
            domain: "127.0.0.1".to_owned(),
            path: "/".to_owned(),
            secure: false,
            http_only: true,
            expires: None,
        })
        .collect();
    CookieJar::from_browser(cookies, platforms::site(demo::IMITATES, "127.0.0.1"))
}

/// Runs `runs` session checks of a demo creator's session and reports their times and the memory of one
/// browser session.
///
/// # Errors
/// When the demo network or the browser cannot be started.
pub async fn session_check(settings: &Settings, runs: usize) -> anyhow::Result<()> {
    let network = Arc::new(DemoNetwork::default());
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let base_url = format!("http://127.0.0.1:{}", listener.local_addr()?.port());
    let server = demo::serve(listener, network.clone())?;
    let server_handle = server.handle();
    actix_web::rt::spawn(server);

    let jar = demo_jar(&network, DEMO_CREATORS[0].handle);
    let pool = BrowserPool::new(settings.browser.clone());
    let platform = demo::IMITATES;
    let on_demo = platforms::Settings::read(|_, default| default, |_| None, Some(base_url.clone()));

    let cold_start = Instant::now();
    let first = platforms::check_session(&on_demo, &pool, platform, &jar)
        .await
        .context("the first session check")?;
    let cold = cold_start.elapsed();
    anyhow::ensure!(
        matches!(first, SessionState::Active { .. }),
        "the demo session did not check as active: {first:?}"
    );

    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        platforms::check_session(&on_demo, &pool, platform, &jar).await?;
        times.push(start.elapsed());
    }
    times.sort();

    let group = pool.local_driver_pid().await;
    let memory_kib = pool
        .run(|driver| {
            let (on_demo, jar) = (on_demo.clone(), jar.clone());
            async move {
                platforms::open_session(&on_demo, platform, &driver, &jar).await?;
                Ok(group.map_or(0, group_pss_kib))
            }
        })
        .await?;
    let idle_driver_kib = group.map_or(0, group_pss_kib);
    pool.shutdown();
    server_handle.stop(false).await;

    let median = times.get(times.len() / 2).copied().unwrap_or_default();
    let max = times.last().copied().unwrap_or_default();
    let min = times.first().copied().unwrap_or_default();
    println!("session check against the demo network ({runs} runs after a cold one):");
    println!(
        "  cold (chromedriver start included): {:.0} ms",
        millis(cold)
    );
    println!(
        "  warm: min {:.0} ms, median {:.0} ms, max {:.0} ms",
        millis(min),
        millis(median),
        millis(max)
    );
    println!(
        "memory of one open browser session (chromedriver + Chromium processes, PSS): {:.1} MiB",
        mib(memory_kib)
    );
    println!(
        "memory of chromedriver alone between sessions (PSS): {:.1} MiB",
        mib(idle_driver_kib)
    );
    println!(
        "{}",
        serde_json::json!({
            "bench": "session-check", "runs": runs, "cold_ms": millis(cold), "min_ms": millis(min), "median_ms": millis(median),
            "max_ms": millis(max), "session_pss_mib": mib(memory_kib), "driver_idle_pss_mib": mib(idle_driver_kib)
        })
    );
    Ok(())
}
