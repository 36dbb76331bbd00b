//! The webhook's promise under a crash: the real binary, killed with SIGKILL right after its last
//! acknowledgement, has every acknowledged delivery in its inbox, and its next start turns them all into
//! interactions (each comment once, retried deliveries included).

use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use diesel::RunQueryDsl as _;
use vistaflow::platforms::instagram::webhook;

use crate::harness::TestDatabase;

const BINARY: &str = env!("CARGO_BIN_EXE_vistaflow");

/// The professional account id of the connected account.
const ACCOUNT: &str = "17841400000000009";
const SECRET: &str = "crash-test-secret";

/// Deliveries posted; every tenth repeats the comment before it, as Meta's retries do.
const DELIVERIES: usize = 500;
/// Requests in flight at once.
const IN_FLIGHT: usize = 16;

/// `vistaflow serve` on a port of its own, killed when dropped.
struct Served {
    child: Child,
    address: String,
}

impl Served {
    fn start(db: &TestDatabase) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let address = format!("http://127.0.0.1:{port}");
        let mail_dir = std::env::temp_dir().join(format!("vf-mail-{}", db.name));
        let child = Command::new(BINARY)
            .arg("serve")
            .env_clear()
            .env("APP_ENV", "development")
            .env("DATABASE_URL", &db.url)
            .env("HOST", "127.0.0.1")
            .env("PORT", port.to_string())
            .env("PUBLIC_URL", &address)
            .env("SCHEDULER", "off")
            .env("VISTAFLOW_DEMO", "0")
            .env("MAIL_DIR", mail_dir)
            .env("INSTAGRAM_APP_ID", "crash-test")
            .env("INSTAGRAM_APP_SECRET", SECRET)
            .env("INSTAGRAM_WEBHOOK_VERIFY_TOKEN", "crash-test")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting vistaflow serve");
        Self { child, address }
    }

    async fn ready(&mut self) {
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(answer) = client.get(format!("{}/readyz", self.address)).send().await
                && answer.status() == 200
            {
                return;
            }
            if let Some(status) = self.child.try_wait().expect("polling the server") {
                panic!("vistaflow serve exited before it was ready: {status}");
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("vistaflow serve was not ready within 30 s");
    }

    /// SIGKILL, then waits until the process is gone.
    fn kill(&mut self) {
        self.child.kill().expect("killing the server");
        self.child.wait().expect("reaping the server");
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn number(db: &TestDatabase, query: &str) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let rows: Vec<Row> = diesel::sql_query(format!("SELECT ({query})::bigint AS n"))
        .load(&mut db.connect())
        .expect("running test SQL");
    rows[0].n
}

/// How many inbox rows of each body there are, received or processed.
fn kept_bodies(db: &TestDatabase) -> HashMap<String, usize> {
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        body: String,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let rows: Vec<Row> = diesel::sql_query(
        "SELECT convert_from(body, 'UTF8') AS body, count(*) AS n FROM webhook_deliveries \
         WHERE status IN ('received', 'processed') GROUP BY body",
    )
    .load(&mut db.connect())
    .expect("reading the inbox");
    rows.into_iter()
        .map(|r| (r.body, usize::try_from(r.n).unwrap()))
        .collect()
}

/// Comment `n`'s delivery, signed; the comment of a retry is the one before it.
fn delivery(n: usize) -> String {
    let comment = if n % 10 == 9 { n - 1 } else { n };
    let person = comment % 50;
    format!(
        r#"{{"object":"instagram","entry":[{{"id":"{ACCOUNT}","time":1765000000,"changes":[{{"field":"comments","value":{{"id":"179{comment:014}","from":{{"id":"61{person:012}","username":"fan.{person}"}},"text":"comment {comment}: price?","media":{{"id":"18100000000000001","media_product_type":"FEED"}}}}}}]}}]}}"#
    )
}

/// Posts every delivery, `IN_FLIGHT` at a time; answers the bodies acknowledged with 200.
async fn post_all(address: &str) -> Vec<String> {
    let client = reqwest::Client::new();
    let endpoint = format!("{address}/webhooks/instagram");
    let lanes = (0..IN_FLIGHT).map(|lane| {
        let (client, endpoint) = (client.clone(), endpoint.clone());
        tokio::spawn(async move {
            let mut acknowledged = Vec::new();
            for n in (lane..DELIVERIES).step_by(IN_FLIGHT) {
                let body = delivery(n);
                let answer = client
                    .post(&endpoint)
                    .header("content-type", "application/json")
                    .header(
                        "x-hub-signature-256",
                        webhook::signature_header(SECRET.as_bytes(), body.as_bytes()),
                    )
                    .body(body.clone())
                    .send()
                    .await;
                if answer.is_ok_and(|a| a.status() == 200) {
                    acknowledged.push(body);
                }
            }
            acknowledged
        })
    });
    let mut acknowledged = Vec::new();
    for lane in futures_util::future::join_all(lanes).await {
        acknowledged.extend(lane.expect("a posting task"));
    }
    acknowledged
}

#[tokio::test]
async fn a_server_killed_right_after_acknowledging_loses_no_delivery_and_processes_them_at_its_next_start()
 {
    let db = TestDatabase::migrated();
    diesel::sql_query(format!(
        "WITH w AS (INSERT INTO workspaces (slug, name) VALUES ('studio', 'Studio') RETURNING id) \
         INSERT INTO social_accounts (workspace_id, platform, handle, status, connected_via, external_id) \
         SELECT id, 'instagram', 'studio.nova', 'active', 'oauth', '{ACCOUNT}' FROM w"
    ))
    .execute(&mut db.connect())
    .expect("connecting an account");
    let mut first = Served::start(&db);
    first.ready().await;

    let acknowledged = post_all(&first.address).await;
    first.kill();

    assert_eq!(
        acknowledged.len(),
        DELIVERIES,
        "every delivery is acknowledged"
    );
    let mut expected: HashMap<String, usize> = HashMap::new();
    for body in &acknowledged {
        *expected.entry(body.clone()).or_default() += 1;
    }
    assert_eq!(
        kept_bodies(&db),
        expected,
        "each acknowledged delivery has its row, received or processed"
    );
    let received_at_kill = number(
        &db,
        "SELECT count(*) FROM webhook_deliveries WHERE status = 'received'",
    );
    assert!(
        received_at_kill > 0,
        "the kill should come before the worker caught up (no delivery was left received): post more"
    );

    let mut second = Served::start(&db);
    second.ready().await;
    let deadline = Instant::now() + Duration::from_mins(1);
    while number(
        &db,
        "SELECT count(*) FROM webhook_deliveries WHERE status = 'received'",
    ) > 0
    {
        assert!(
            Instant::now() < deadline,
            "the restarted server left deliveries received for a minute"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    second.kill();

    let distinct_comments = i64::try_from(expected.len()).unwrap();
    assert_eq!(
        number(
            &db,
            "SELECT count(*) FROM interactions WHERE platform = 'instagram' AND kind = 'comment'"
        ),
        distinct_comments
    );
    assert_eq!(
        number(
            &db,
            "SELECT count(*) FROM webhook_deliveries WHERE status = 'processed'"
        ),
        i64::try_from(DELIVERIES).unwrap()
    );
    eprintln!(
        "{} deliveries acknowledged ({distinct_comments} distinct comments), {received_at_kill} still received at the kill",
        acknowledged.len()
    );
}
