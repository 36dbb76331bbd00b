//! The webhook inbox's worker, in the `serve` process beside the scheduler: it drains the inbox when a
//! delivery is kept, and every few seconds for the deliveries whose retry is due and those a crash left
//! received (so they are processed at the next start).

use std::time::Duration;

use actix_web::web;

use crate::state::AppState;
use crate::usecases::instagram::inbox;

/// How often the worker looks at the inbox when nothing wakes it.
const IDLE: Duration = Duration::from_secs(5);

/// How long the worker lets deliveries gather once woken: a steady stream is then drained a batch at a
/// time instead of one transaction per delivery (at 200 deliveries a second that was about 3.5 ms of
/// PostgreSQL's time per delivery, a third of a core), for at most this much more delay before a
/// delivery becomes an interaction.
const GATHER: Duration = Duration::from_millis(50);

/// Drains the inbox until the process stops.
pub async fn run(state: web::Data<AppState>) {
    loop {
        match inbox::drain(&state).await {
            Ok(drained) if drained != inbox::Drained::default() => {
                tracing::info!(?drained, "webhook deliveries processed");
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "the webhook inbox could not be drained"),
        }
        tokio::select! {
            () = state.inbox.notified() => tokio::time::sleep(GATHER).await,
            () = tokio::time::sleep(IDLE) => {}
        }
    }
}
