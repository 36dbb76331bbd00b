//! The webhook inbox's worker, in the `serve` process beside the scheduler: it drains the inbox when a
//! delivery is kept, and every few seconds for the deliveries whose retry is due and those a crash left
//! received (so they are processed at the next start). When deliveries brought something new, the leads
//! are analysed, at most every 30 seconds (a busy webhook does not start a pass per delivery).

use std::time::{Duration, Instant};

use actix_web::web;

use crate::domain::runs::AnalysisTrigger;
use crate::state::AppState;
use crate::usecases::analysis;
use crate::usecases::instagram::inbox;

/// How often the worker looks at the inbox when nothing wakes it.
const IDLE: Duration = Duration::from_secs(5);

/// The least time between two analysis passes started by the inbox.
const ANALYSIS_EVERY: Duration = Duration::from_secs(30);

/// How long the worker lets deliveries gather once woken: a steady stream is then drained a batch at a
/// time instead of one transaction per delivery (at 200 deliveries a second that was about 3.5 ms of
/// PostgreSQL's time per delivery, a third of a core), for at most this much more delay before a
/// delivery becomes an interaction.
const GATHER: Duration = Duration::from_millis(50);

/// Drains the inbox until the process stops.
pub async fn run(state: web::Data<AppState>) {
    let mut unanalysed = false;
    let mut analysed_at: Option<Instant> = None;
    loop {
        match inbox::drain(&state).await {
            Ok(drained) if drained != inbox::Drained::default() => {
                tracing::info!(?drained, "webhook deliveries processed");
                unanalysed |= drained.events > 0;
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "the webhook inbox could not be drained"),
        }
        if unanalysed && analysed_at.is_none_or(|at| at.elapsed() >= ANALYSIS_EVERY) {
            analysed_at = Some(Instant::now());
            unanalysed = false;
            if let Err(error) =
                analysis::analyse_pending(&state, None, AnalysisTrigger::Webhook).await
            {
                tracing::warn!(%error, "the leads of webhook deliveries could not be analysed");
            }
        }
        tokio::select! {
            () = state.inbox.notified() => tokio::time::sleep(GATHER).await,
            () = tokio::time::sleep(IDLE) => {}
        }
    }
}
