//! The Instagram webhook's budgets: acknowledgements under a steady, open-loop load of signed comment
//! deliveries (the built binary serving, its inbox worker running as in production), then the worker's
//! drain of a large queue with no server running.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, anyhow};
use diesel::prelude::*;

use super::millis;
use crate::config::Settings;
use crate::db::models::NewSocialAccount;
use crate::db::schema::{interactions, webhook_deliveries, workspaces};
use crate::db::{self, DbPool, queries};
use crate::domain::account::{AccountStatus, ConnectedVia};
use crate::domain::platform::Platform;
use crate::error::with_db;
use crate::platforms::instagram::webhook::signature_header;
use crate::usecases::instagram::inbox;

/// What to measure.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Deliveries a second during the load.
    pub rate: u32,
    /// Seconds of load (after one second of warm-up that is not counted).
    pub seconds: u32,
    /// HTTP connections the client spreads its requests over.
    pub connections: usize,
    /// Deliveries queued for the drain.
    pub queued: usize,
}

/// The app secret the served binary checks signatures with (its own, for this run only).
const APP_SECRET: &str = "bench-webhook-secret";

/// Runs both measurements against the database of `settings` and prints their figures.
///
/// # Errors
/// When the database, the binary or the requests fail, or the deliveries do not all become interactions.
pub async fn run(settings: &Settings, options: Options) -> anyhow::Result<()> {
    anyhow::ensure!(
        options.rate > 0 && options.connections > 0,
        "--rate and --connections must be positive"
    );
    let pool = db::build_pool(settings.database_url(), 2)?;
    db::migrate(&pool).await?;
    let account = format!(
        "1784{:011}",
        uuid::Uuid::new_v4().as_u128() % 100_000_000_000
    );
    let scratch = Scratch::create(&pool, &account).await?;
    let outcome = measure(settings, &pool, &scratch, options).await;
    scratch.remove(&pool).await?;
    let (load, drain) = outcome?;
    load.print(options);
    drain.print();
    println!(
        "{}",
        serde_json::json!({
            "bench": "webhook", "rate": options.rate, "seconds": options.seconds,
            "connections": options.connections, "load": load.json(),
            "queued": drain.queued, "drain_ms": millis(drain.elapsed),
            "drain_per_second": drain.per_second(),
        })
    );
    Ok(())
}

async fn measure(
    settings: &Settings,
    pool: &DbPool,
    scratch: &Scratch,
    options: Options,
) -> anyhow::Result<(Load, Drain)> {
    let server = Server::start(settings)?;
    let load = async {
        server.ready().await?;
        load(&server.url, scratch, options).await
    }
    .await;
    let load = match load {
        Ok(load) => load,
        Err(error) => return Err(error.context(format!("server log: {}", server.log.display()))),
    };
    let caught_up = wait_until_processed(pool, scratch, load.sent_at_end).await?;
    // The drain is measured with no worker beside it.
    let log_path = server.log.clone();
    drop(server);
    let log = std::fs::read_to_string(&log_path)
        .with_context(|| format!("reading the server log {}", log_path.display()))?;
    let times = server_times(&log);
    let load = Load {
        caught_up,
        in_server: Latencies::new(times.into_iter().skip(load.warm_up).collect()),
        ..load
    };
    let acknowledged = load.acknowledged();
    let stored = scratch.interactions(pool).await?;
    anyhow::ensure!(
        stored == acknowledged,
        "{acknowledged} deliveries were acknowledged but {stored} interactions stored"
    );
    let drain = drain(settings, pool, scratch, options.queued).await?;
    let stored_after = scratch.interactions(pool).await?;
    anyhow::ensure!(
        stored_after == stored + options.queued,
        "{} queued deliveries became {} interactions",
        options.queued,
        stored_after - stored
    );
    Ok((load, drain))
}

/// A workspace with an Instagram account connected (as the OAuth flow leaves it, without a token),
/// removed with everything in it, and the inbox rows the run left, by `remove`.
struct Scratch {
    workspace_id: i64,
    /// The professional account id the deliveries name.
    account: String,
    /// The inbox's last id before the run: the run's deliveries come after it.
    inbox_before: i64,
}

impl Scratch {
    async fn create(pool: &DbPool, account: &str) -> anyhow::Result<Self> {
        let external = account.to_owned();
        let (workspace_id, inbox_before) = with_db(pool, move |conn| {
            let slug = format!("bench-{}", uuid::Uuid::new_v4().simple());
            let workspace_id: i64 = diesel::insert_into(workspaces::table)
                .values((workspaces::name.eq("Benchmark"), workspaces::slug.eq(&slug)))
                .returning(workspaces::id)
                .get_result(conn)?;
            queries::accounts::insert(
                conn,
                &NewSocialAccount {
                    workspace_id,
                    platform: Platform::Instagram,
                    handle: "bench.webhook",
                    display_name: None,
                    status: AccountStatus::Active,
                    connected_via: ConnectedVia::OAuth,
                    session_expires_at: None,
                    last_checked_at: None,
                    external_id: Some(&external),
                },
            )?
            .ok_or(crate::error::AppError::Conflict("bench"))?;
            let before: Option<i64> = webhook_deliveries::table
                .select(diesel::dsl::max(webhook_deliveries::id))
                .first(conn)?;
            Ok((workspace_id, before.unwrap_or(0)))
        })
        .await
        .map_err(|e| anyhow!("creating a scratch workspace: {e:?}"))?;
        Ok(Self {
            workspace_id,
            account: account.to_owned(),
            inbox_before,
        })
    }

    async fn interactions(&self, pool: &DbPool) -> anyhow::Result<usize> {
        let workspace_id = self.workspace_id;
        let count: i64 = with_db(pool, move |conn| {
            Ok(interactions::table
                .filter(interactions::workspace_id.eq(workspace_id))
                .count()
                .get_result(conn)?)
        })
        .await
        .map_err(|e| anyhow!("counting interactions: {e:?}"))?;
        Ok(usize::try_from(count).unwrap_or(0))
    }

    /// The run's deliveries still waiting in the inbox.
    async fn received(&self, pool: &DbPool) -> anyhow::Result<i64> {
        let (before, account) = (self.inbox_before, self.account.clone());
        with_db(pool, move |conn| {
            Ok(diesel::sql_query(
                "SELECT count(*) AS n FROM webhook_deliveries WHERE id > $1 AND status = 'received' \
                 AND position(convert_to($2, 'UTF8') IN body) > 0",
            )
            .bind::<diesel::sql_types::BigInt, _>(before)
            .bind::<diesel::sql_types::Text, _>(account)
            .get_result::<Count>(conn)?
            .n)
        })
        .await
        .map_err(|e| anyhow!("counting waiting deliveries: {e:?}"))
    }

    async fn remove(&self, pool: &DbPool) -> anyhow::Result<()> {
        let (workspace_id, before, account) =
            (self.workspace_id, self.inbox_before, self.account.clone());
        with_db(pool, move |conn| {
            diesel::sql_query(
                "DELETE FROM webhook_deliveries WHERE id > $1 \
                 AND position(convert_to($2, 'UTF8') IN body) > 0",
            )
            .bind::<diesel::sql_types::BigInt, _>(before)
            .bind::<diesel::sql_types::Text, _>(account)
            .execute(conn)?;
            diesel::delete(workspaces::table.filter(workspaces::id.eq(workspace_id)))
                .execute(conn)?;
            Ok(())
        })
        .await
        .map_err(|e| anyhow!("removing the scratch workspace: {e:?}"))
    }
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// A signed comment delivery for `account`: comment number `n`, by one of `people` people.
fn comment(account: &str, n: usize, people: usize) -> String {
    let person = n % people.max(1);
    format!(
        r#"{{"object":"instagram","entry":[{{"id":"{account}","time":1765000000,"changes":[{{"field":"comments","value":{{"id":"179{n:014}","from":{{"id":"61{person:012}","username":"fan.{person}"}},"text":"comment {n}: how much for a beat?","media":{{"id":"18100000000000001","media_product_type":"FEED"}}}}}}]}}]}}"#
    )
}

/// The served binary (`vistaflow serve` on a free port of 127.0.0.1, its inbox worker running, the
/// scheduler off), stopped when dropped.
struct Server {
    child: Child,
    url: String,
    log: std::path::PathBuf,
}

impl Server {
    fn start(settings: &Settings) -> anyhow::Result<Self> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let url = format!("http://127.0.0.1:{port}");
        let log = std::env::temp_dir().join(format!("vistaflow-bench-webhook-{port}.log"));
        let file = std::fs::File::create(&log)
            .with_context(|| format!("creating the server log {}", log.display()))?;
        let binary = std::env::current_exe().context("finding this binary")?;
        let child = Command::new(binary)
            .arg("serve")
            .env("DATABASE_URL", settings.database_url())
            .env("HOST", "127.0.0.1")
            .env("PORT", port.to_string())
            .env("PUBLIC_URL", &url)
            .env("SCHEDULER", "off")
            .env("VISTAFLOW_DEMO", "0")
            .env("INSTAGRAM_APP_ID", "bench-webhook")
            .env("INSTAGRAM_APP_SECRET", APP_SECRET)
            .env("INSTAGRAM_WEBHOOK_VERIFY_TOKEN", "bench-webhook")
            .stdin(Stdio::null())
            .stdout(file.try_clone()?)
            .stderr(file)
            .spawn()
            .context("starting `vistaflow serve`")?;
        Ok(Self { child, url, log })
    }

    /// Waits for the first `200` of `/readyz` (migrations applied, database reachable).
    async fn ready(&self) -> anyhow::Result<()> {
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(answer) = client.get(format!("{}/readyz", self.url)).send().await
                && answer.status().is_success()
            {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        anyhow::bail!("the server did not answer /readyz within 30 s")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Sorted durations, read as percentiles.
#[derive(Debug, Default)]
struct Latencies(Vec<Duration>);

impl Latencies {
    fn new(mut durations: Vec<Duration>) -> Self {
        durations.sort();
        Self(durations)
    }

    fn percentile(&self, q: f64) -> Duration {
        let n = self.0.len();
        if n == 0 {
            return Duration::ZERO;
        }
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::cast_precision_loss,
            reason = "a rank among at most millions of samples"
        )]
        let rank = ((q * n as f64).ceil() as usize).clamp(1, n);
        self.0[rank - 1]
    }

    fn line(&self) -> String {
        format!(
            "p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            millis(self.percentile(0.50)),
            millis(self.percentile(0.95)),
            millis(self.percentile(0.99)),
            millis(self.percentile(1.0)),
        )
    }

    fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "p50_ms": millis(self.percentile(0.50)), "p95_ms": millis(self.percentile(0.95)),
            "p99_ms": millis(self.percentile(0.99)), "max_ms": millis(self.percentile(1.0)),
        })
    }
}

/// The figures of the load.
struct Load {
    /// Deliveries sent (and acknowledged) before the measured ones.
    warm_up: usize,
    /// Acknowledgement latencies of the answers `200`, from each request's scheduled send time (the
    /// client's own delays included: what a sender on schedule would see).
    from_schedule: Latencies,
    /// The same answers, from the moment the client actually sent each request.
    from_send: Latencies,
    /// The server's own time for each measured delivery, as its request log says (`%D`).
    in_server: Latencies,
    /// The other answers: a status, or 0 for a transport error.
    failures: Vec<u16>,
    /// How late the client sent its latest request (its own scheduling, on the same cores).
    send_lag_max: Duration,
    /// When the last answer came.
    sent_at_end: Instant,
    /// From the last answer until the worker had processed every delivery.
    caught_up: Duration,
}

impl Load {
    fn acknowledged(&self) -> usize {
        self.warm_up + self.from_send.0.len()
    }

    fn print(&self, options: Options) {
        println!(
            "webhook acknowledgements: {} signed comment deliveries at {}/s for {} s over {} connections (open loop, after 1 s of warm-up), the inbox worker running:",
            self.from_send.0.len() + self.failures.len(),
            options.rate,
            options.seconds,
            options.connections
        );
        println!(
            "  from the send:     {} (budget: p99 under 20 ms); non-200 answers: {}",
            self.from_send.line(),
            self.failures.len()
        );
        println!("  from the schedule: {}", self.from_schedule.line());
        println!("  in the server:     {}", self.in_server.line());
        println!(
            "  the client's latest send was {:.2} ms behind schedule; the worker had processed every delivery {:.0} ms after the last answer",
            millis(self.send_lag_max),
            millis(self.caught_up)
        );
    }

    fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "sent": self.from_send.0.len() + self.failures.len(),
            "non_200": self.failures.len(),
            "from_send": self.from_send.json(),
            "from_schedule": self.from_schedule.json(),
            "in_server": self.in_server.json(),
            "send_lag_max_ms": millis(self.send_lag_max),
            "worker_caught_up_ms": millis(self.caught_up),
        })
    }
}

/// One request's outcome: its status (0 for a transport error), how late it was sent, and its latency
/// from the send.
type Sent = (u16, Duration, Duration);

async fn load(url: &str, scratch: &Scratch, options: Options) -> anyhow::Result<Load> {
    let endpoint = format!("{url}/webhooks/instagram");
    let clients: Vec<reqwest::Client> = (0..options.connections)
        .map(|_| {
            reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
        })
        .collect::<Result<_, _>>()?;
    let rate = usize::try_from(options.rate)?;
    let warm_up = rate;
    let total = warm_up + rate * usize::try_from(options.seconds)?;
    // Signed before the clock starts, so the client's own work is only sending.
    let deliveries: Vec<(String, String)> = (0..total)
        .map(|n| {
            let body = comment(&scratch.account, n, (total / 5).max(1));
            let signature = signature_header(APP_SECRET.as_bytes(), body.as_bytes());
            (body, signature)
        })
        .collect();
    let period = Duration::from_secs(1) / options.rate;
    let start = tokio::time::Instant::now() + Duration::from_millis(100);
    let mut pending = Vec::with_capacity(total);
    for (n, (body, signature)) in deliveries.into_iter().enumerate() {
        let at = start + period * u32::try_from(n)?;
        tokio::time::sleep_until(at).await;
        let request = clients[n % clients.len()]
            .post(&endpoint)
            .header("content-type", "application/json")
            .header("x-hub-signature-256", signature)
            .body(body);
        pending.push(actix_web::rt::spawn(async move {
            let lag = at.elapsed();
            let sent = Instant::now();
            let status = request
                .send()
                .await
                .map_or(0, |answer| answer.status().as_u16());
            (status, lag, sent.elapsed())
        }));
    }
    let mut sent: Vec<Sent> = Vec::with_capacity(total);
    for task in pending {
        sent.push(task.await.context("a request task")?);
    }
    let sent_at_end = Instant::now();
    let measured = sent.split_off(warm_up);
    let warm_up_failures = sent.iter().filter(|(status, _, _)| *status != 200).count();
    anyhow::ensure!(
        warm_up_failures == 0,
        "{warm_up_failures} warm-up deliveries were not acknowledged"
    );
    let mut from_send = Vec::with_capacity(measured.len());
    let mut from_schedule = Vec::with_capacity(measured.len());
    let mut failures = Vec::new();
    let mut send_lag_max = Duration::ZERO;
    for (status, lag, latency) in measured {
        send_lag_max = send_lag_max.max(lag);
        if status == 200 {
            from_send.push(latency);
            from_schedule.push(lag + latency);
        } else {
            failures.push(status);
        }
    }
    Ok(Load {
        warm_up,
        from_schedule: Latencies::new(from_schedule),
        from_send: Latencies::new(from_send),
        in_server: Latencies::default(),
        failures,
        send_lag_max,
        sent_at_end,
        caught_up: Duration::ZERO,
    })
}

/// The server's own times of its webhook requests, in the order its log has them, from its request
/// log lines (`POST /webhooks/instagram HTTP/1.1 200 14 0.446454ms`).
fn server_times(log: &str) -> Vec<Duration> {
    log.lines()
        .filter(|line| line.contains("POST /webhooks/instagram "))
        .filter_map(|line| {
            let last = line.split_whitespace().last()?;
            let ms: f64 = last.strip_suffix("ms")?.parse().ok()?;
            Some(Duration::from_secs_f64(ms / 1000.0))
        })
        .collect()
}

/// Waits until the worker has processed every delivery of the run; answers how long after `since`.
async fn wait_until_processed(
    pool: &DbPool,
    scratch: &Scratch,
    since: Instant,
) -> anyhow::Result<Duration> {
    let deadline = Instant::now() + Duration::from_mins(1);
    loop {
        if scratch.received(pool).await? == 0 {
            return Ok(since.elapsed());
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "the worker left deliveries unprocessed for a minute"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// The figures of the drain.
struct Drain {
    queued: usize,
    processed: usize,
    elapsed: Duration,
}

impl Drain {
    #[expect(
        clippy::cast_precision_loss,
        reason = "counts of deliveries fit easily in f64's mantissa"
    )]
    fn per_second(&self) -> f64 {
        self.processed as f64 / self.elapsed.as_secs_f64().max(f64::EPSILON)
    }

    fn print(&self) {
        println!(
            "inbox drain: {} queued deliveries (distinct comments by {} people) became interactions in {:.0} ms, {:.0} deliveries/s (budget: under 2,000 ms); {} deliveries processed in all",
            self.queued,
            (self.queued / 5).max(1),
            millis(self.elapsed),
            self.per_second(),
            self.processed
        );
    }
}

/// Queues `queued` distinct comment deliveries straight into the inbox, then times `inbox::drain`.
async fn drain(
    settings: &Settings,
    pool: &DbPool,
    scratch: &Scratch,
    queued: usize,
) -> anyhow::Result<Drain> {
    // Numbered after the load's comments, so each is a new interaction.
    let first = 10_000_000;
    let bodies: Vec<Vec<u8>> = (first..first + queued)
        .map(|n| comment(&scratch.account, n, (queued / 5).max(1)).into_bytes())
        .collect();
    with_db(pool, move |conn| {
        for chunk in bodies.chunks(1_000) {
            let rows: Vec<_> = chunk
                .iter()
                .map(|body| {
                    (
                        webhook_deliveries::platform.eq(Platform::Instagram),
                        webhook_deliveries::body.eq(body),
                    )
                })
                .collect();
            diesel::insert_into(webhook_deliveries::table)
                .values(rows)
                .execute(conn)?;
        }
        Ok(())
    })
    .await
    .map_err(|e| anyhow!("queueing deliveries: {e:?}"))?;
    let state = super::state(settings, pool.clone())?;
    let start = Instant::now();
    let drained = inbox::drain(&state)
        .await
        .map_err(|e| anyhow!("draining the inbox: {e:?}"))?;
    let elapsed = start.elapsed();
    anyhow::ensure!(
        scratch.received(pool).await? == 0,
        "deliveries were left in the inbox after the drain"
    );
    Ok(Drain {
        queued,
        processed: drained.processed,
        elapsed,
    })
}
