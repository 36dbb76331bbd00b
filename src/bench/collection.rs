//! Collection budgets: parsing a large Activity page, storing many interactions with their leads, and
//! whole syncs (first and routine) in a real browser against the demo network.

use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context as _, anyhow};
use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::{demo_jar, millis};
use crate::config::Settings;
use crate::crypto::Purpose;
use crate::db::models::NewSocialAccount;
use crate::db::schema::workspaces;
use crate::db::{self, DbPool, queries};
use crate::demo::{self, DEMO_CREATORS, DemoNetwork};
use crate::domain::interaction::{Direction, Kind, Observed, When};
use crate::domain::platform_time::Precision;
use crate::error::with_db;

/// Parses an Activity page of `rows` rows `runs` times and reports the times (the demo network's page,
/// read by the reader of the platform it imitates).
///
/// # Errors
/// When the page does not give the rows it holds.
pub fn parse_activity(rows: usize, runs: usize) -> anyhow::Result<()> {
    demo::bench::parse_activity(rows, runs)
}

/// A scratch workspace with one account on the platform the demo imitates, removed (with everything in it) by `drop_workspace`.
async fn scratch_account(pool: &DbPool, handle: &'static str) -> anyhow::Result<(i64, i64)> {
    with_db(pool, move |conn| {
        let slug = format!("bench-{}", uuid::Uuid::new_v4().simple());
        let workspace_id: i64 = diesel::insert_into(workspaces::table)
            .values((workspaces::name.eq("Benchmark"), workspaces::slug.eq(&slug)))
            .returning(workspaces::id)
            .get_result(conn)?;
        let account = queries::accounts::insert(
            conn,
            &NewSocialAccount {
                workspace_id,
                platform: demo::IMITATES,
                handle,
                display_name: None,
                status: crate::domain::account::AccountStatus::Active,
                connected_via: crate::domain::account::ConnectedVia::Cookies,
                session_expires_at: None,
                last_checked_at: None,
                external_id: None,
            },
        )?
        .ok_or(crate::error::AppError::Conflict("bench"))?;
        Ok((workspace_id, account.id))
    })
    .await
    .map_err(|e| anyhow!("creating a scratch workspace: {e:?}"))
}

async fn drop_workspace(pool: &DbPool, workspace_id: i64) -> anyhow::Result<()> {
    with_db(pool, move |conn| {
        diesel::delete(workspaces::table.filter(workspaces::id.eq(workspace_id))).execute(conn)?;
        Ok(())
    })
    .await
    .map_err(|e| anyhow!("removing the scratch workspace: {e:?}"))
}

/// `rows` interactions by `rows / 5` people, each a different moment.
fn generated(rows: usize, now: DateTime<Utc>) -> Vec<Observed> {
    let people = (rows / 5).max(1);
    (0..rows)
        .map(|i| {
            let kind = Kind::ALL[i % Kind::ALL.len()];
            let at = now - chrono::Duration::minutes(i64::try_from(i).unwrap_or(0) + 1);
            Observed {
                kind,
                handle: format!("fan.{}", i % people),
                display_name: Some(format!("Fan {} 🎧", i % people)),
                text: matches!(kind, Kind::Comment | Kind::Mention | Kind::Message)
                    .then(|| format!("message number {i}, how much for a beat?")),
                post_ref: None,
                when: When {
                    at,
                    from: at - Precision::Minute.step(),
                    to: at,
                    precision: Precision::Minute,
                },
                direction: Direction::Incoming,
                ids: None,
            }
        })
        .collect()
}

/// Stores `rows` new interactions (with their leads) in a scratch workspace, then the same rows again.
///
/// # Errors
/// When the database fails.
pub async fn ingest(settings: &Settings, rows: usize) -> anyhow::Result<()> {
    let pool = db::build_pool(settings.database_url(), 2)?;
    db::migrate(&pool).await?;
    let (workspace_id, account_id) = scratch_account(&pool, "bench.ingest").await?;
    let source = queries::interactions::Source {
        workspace_id,
        account_id,
        platform: demo::IMITATES,
    };
    let batch = generated(rows, Utc::now());
    let timed = |batch: Vec<Observed>| {
        let pool = pool.clone();
        async move {
            let start = Instant::now();
            let ingested = with_db(&pool, move |conn| {
                Ok(queries::interactions::ingest(conn, source, batch)?)
            })
            .await
            .map_err(|e| anyhow!("ingesting: {e:?}"))?;
            anyhow::Ok((ingested, start.elapsed()))
        }
    };
    let (first, first_time) = timed(batch.clone()).await?;
    let (again, again_time) = timed(batch).await?;
    drop_workspace(&pool, workspace_id).await?;
    anyhow::ensure!(
        first.new == rows && again.new == 0,
        "unexpected counts: {first:?} then {again:?}"
    );
    println!(
        "store {rows} new interactions by {} people (leads created, counts updated): {:.0} ms (budget 1,000 ms)",
        rows / 5,
        millis(first_time)
    );
    println!(
        "the same {rows} rows again (all recognised as stored): {:.0} ms",
        millis(again_time)
    );
    println!(
        "{}",
        serde_json::json!({"bench": "ingest", "rows": rows, "new_ms": millis(first_time), "again_ms": millis(again_time)})
    );
    Ok(())
}

/// A first sync of an account whose Activity holds about `rows` rows, then a routine sync, in a real
/// browser against an in-process demo network.
///
/// # Errors
/// When the demo network, the browser or the database cannot be used.
pub async fn sync(settings: &Settings, rows: usize) -> anyhow::Result<()> {
    let now = Utc::now();
    let network = Arc::new(DemoNetwork::with_history(
        crate::demo::DEFAULT_SEED,
        now,
        i64::try_from(rows + rows / 5).unwrap_or(i64::MAX),
    ));
    network.pause_audience(Some(now));
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let base_url = format!("http://127.0.0.1:{}", listener.local_addr()?.port());
    let server = demo::serve(listener, network.clone())?;
    let server_handle = server.handle();
    actix_web::rt::spawn(server);

    let pool = db::build_pool(settings.database_url(), 2)?;
    db::migrate(&pool).await?;
    let handle = DEMO_CREATORS[0].handle;
    let (workspace_id, account_id) = scratch_account(&pool, handle).await?;
    let mut bench_settings = settings.clone();
    bench_settings.platforms =
        crate::platforms::Settings::read(|_, default| default, |_| None, Some(base_url.clone()));
    let state = super::state(&bench_settings, pool.clone())?;
    let jar = demo_jar(&network, handle);
    let sealed = state.settings.secret_keys.seal(
        &serde_json::to_vec(&jar)?,
        &crate::usecases::accounts::context(demo::IMITATES, workspace_id, account_id),
    );
    with_db(&pool, move |conn| {
        Ok(queries::accounts::store_secret(
            conn,
            workspace_id,
            account_id,
            Purpose::Credentials(demo::IMITATES),
            &sealed,
        )?)
    })
    .await
    .map_err(|e| anyhow!("storing the demo session: {e:?}"))?;

    let mut report = Vec::new();
    for label in ["first", "routine"] {
        let run = with_db(&pool, move |conn| {
            Ok(queries::syncs::start(
                conn,
                workspace_id,
                account_id,
                crate::domain::runs::SyncTrigger::Manual,
            )?)
        })
        .await
        .map_err(|e| anyhow!("{e:?}"))?;
        let start = Instant::now();
        let summary = crate::usecases::sync::perform(&state, run)
            .await
            .map_err(|failed| anyhow!("the {label} sync failed: {}", failed.key))
            .context("see the log for the detail")?;
        report.push((label, summary, start.elapsed()));
    }
    state.browsers.shutdown();
    server_handle.stop(false).await;
    drop_workspace(&pool, workspace_id).await?;

    for (label, summary, elapsed) in &report {
        println!(
            "{label} sync: {} rows read, {} new, {} page reads, {} WebDriver round trips, {:.2} s (browser start included)",
            summary.rows_read,
            summary.ingested.new,
            summary.cost.page_reads,
            summary.cost.round_trips,
            elapsed.as_secs_f64()
        );
    }
    println!(
        "{}",
        serde_json::json!(report.iter().map(|(label, s, elapsed)| serde_json::json!({
            "bench": "sync", "sync": label, "rows_read": s.rows_read, "new": s.ingested.new,
            "page_reads": s.cost.page_reads, "round_trips": s.cost.round_trips, "seconds": elapsed.as_secs_f64()
        })).collect::<Vec<_>>())
    );
    Ok(())
}
