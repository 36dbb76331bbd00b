//! The command line: configuration errors name every variable; `create-admin` reads the password from
//! standard input; `extract instagram-webhook` reads a saved delivery without any configuration.

use std::io::Write as _;
use std::process::{Command, Stdio};

use crate::harness::{TestApp, TestDatabase};

const BINARY: &str = env!("CARGO_BIN_EXE_vistaflow");

#[test]
fn starting_without_configuration_names_every_missing_variable() {
    let output = Command::new(BINARY)
        .arg("migrate")
        .env_clear()
        .output()
        .unwrap();

    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2));
    for name in [
        "DATABASE_URL is missing",
        "PUBLIC_URL is missing",
        "VISTAFLOW_SESSION_KEY is missing",
    ] {
        assert!(stderr.contains(name), "{name} not in: {stderr}");
    }
}

#[test]
fn migrate_applies_every_migration_to_an_empty_database() {
    let db = TestDatabase::empty();

    let output = Command::new(BINARY)
        .arg("migrate")
        .env("APP_ENV", "development")
        .env("DATABASE_URL", &db.url)
        .output()
        .unwrap();

    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("migration(s) applied"));
}

/// Runs `vistaflow create-admin` with `args` against the database at `url`, the password typed on stdin.
fn create_admin(url: &str, args: &[&str], password: &str) -> std::process::Output {
    let mut child = Command::new(BINARY)
        .arg("create-admin")
        .args(args)
        .env("APP_ENV", "development")
        .env("DATABASE_URL", url)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{password}\n").as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[tokio::test]
async fn create_admin_reads_the_password_from_stdin_and_the_admin_can_log_in() {
    let app = TestApp::spawn();
    let output = create_admin(
        &app.db.url,
        &["--email", "root@example.com", "--name", "Root"],
        "saffron-kettle-1987",
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let admin = app.browser();
    admin
        .post(
            "/login",
            &[
                ("email", "root@example.com"),
                ("password", "saffron-kettle-1987"),
            ],
        )
        .await;
    let page = admin.get("/admin/users").await;

    assert_eq!(page.status, 200);
    assert_eq!(
        page.texts("#user-rows tbody td:nth-child(2)"),
        vec!["root@example.com"]
    );
}

#[test]
fn create_admin_refuses_a_common_password() {
    let db = TestDatabase::migrated();
    let output = create_admin(&db.url, &["--email", "root@example.com"], "password1");

    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("too common"));
}

#[test]
fn create_admin_refuses_a_password_made_of_the_address_as_registration_does() {
    let db = TestDatabase::migrated();
    let output = create_admin(&db.url, &["--email", "ninabeats@example.com"], "ninabeats");

    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("too common"), "{stderr}");
}

#[test]
fn rotate_secrets_reseals_everything_under_the_new_key_so_the_old_one_can_go() {
    use base64::Engine as _;
    use secrecy::ExposeSecret as _;
    use vistaflow::crypto::{Keyring, Purpose, SecretContext};

    let db = TestDatabase::migrated();
    let key = |byte: u8| base64::engine::general_purpose::STANDARD.encode([byte; 32]);
    let old = Keyring::parse(&format!("old:{}", key(1))).unwrap();
    let mut conn = db.connect();
    {
        use diesel::RunQueryDsl as _;
        diesel::sql_query("INSERT INTO workspaces (slug, name) VALUES ('studio', 'Studio')")
            .execute(&mut conn)
            .unwrap();
        diesel::sql_query(
            "INSERT INTO social_accounts (workspace_id, platform, handle, status, connected_via) \
             SELECT id, 'tiktok', 'nina', 'active', 'cookies' FROM workspaces",
        )
        .execute(&mut conn)
        .unwrap();
    }
    let ids = |conn: &mut diesel::PgConnection| -> (i64, i64) {
        use diesel::prelude::*;
        use vistaflow::db::schema::social_accounts::dsl::*;
        social_accounts
            .select((workspace_id, id))
            .first(conn)
            .unwrap()
    };
    let (workspace_id, account_id) = ids(&mut conn);
    let context = SecretContext {
        workspace_id,
        account_id,
        purpose: Purpose::Credentials(vistaflow::domain::platform::Platform::Tiktok),
    };
    vistaflow::db::queries::accounts::store_secret(
        &mut conn,
        workspace_id,
        account_id,
        Purpose::Credentials(vistaflow::domain::platform::Platform::Tiktok),
        &old.seal(b"sessionid=abc", &context),
    )
    .unwrap();

    let output = Command::new(BINARY)
        .arg("rotate-secrets")
        .env("APP_ENV", "development")
        .env("DATABASE_URL", &db.url)
        .env(
            "VISTAFLOW_SECRET_KEYS",
            format!("new:{},old:{}", key(2), key(1)),
        )
        .output()
        .unwrap();

    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        String::from_utf8_lossy(&output.stdout)
            .contains("1 secret(s) re-encrypted under key \"new\"")
    );
    let stored = vistaflow::db::queries::accounts::secret(
        &mut conn,
        workspace_id,
        account_id,
        Purpose::Credentials(vistaflow::domain::platform::Platform::Tiktok),
    )
    .unwrap()
    .unwrap();
    let new_only = Keyring::parse(&format!("new:{}", key(2))).unwrap();
    assert_eq!(stored.key_id, "new");
    assert_eq!(
        new_only
            .open(&stored.sealed(), &context)
            .unwrap()
            .expose_secret(),
        b"sessionid=abc"
    );
}

#[test]
fn analyze_prints_one_json_line_per_lead_with_every_field_and_needs_no_database() {
    let dir = std::env::temp_dir().join(format!("vf-analyze-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("leads.jsonl");
    std::fs::write(
        &input,
        concat!(
            r#"{"handle": "mehdi.off", "display_name": "Mehdi", "platform": "tiktok", "interactions": [{"kind": "comment", "text": "c'est combien l'instru ? appelle moi 06 44 55 66 77", "occurred_at": "2026-11-20T10:00:00Z"}, {"kind": "follow", "occurred_at": "2026-11-20T10:01:00Z"}]}"#,
            "\n",
            r#"{"handle": "quiet.one", "interactions": [{"kind": "like", "occurred_at": "2026-11-01T10:00:00Z"}]}"#,
            "\n"
        ),
    )
    .unwrap();

    let output = Command::new(BINARY)
        .args(["analyze", "--input"])
        .arg(&input)
        .args(["--now", "2026-11-20T12:00:00Z"])
        .env_clear()
        .output()
        .unwrap();

    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let lines: Vec<serde_json::Value> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    let mehdi = &lines[0];
    assert_eq!(mehdi["handle"], "mehdi.off");
    assert_eq!(mehdi["type"], "potential_client");
    assert_eq!(mehdi["phone"], "+33644556677");
    assert_eq!(mehdi["intent"], "asking_price");
    assert_eq!(mehdi["language"], "fr");
    assert_eq!(mehdi["email"], serde_json::Value::Null);
    assert_eq!(
        mehdi["score"], 25,
        "comment 5 + follow 10 + the comment-and-follow bonus 10"
    );
    assert!(mehdi["draft"].as_str().unwrap().contains("Mehdi"));
    assert!(mehdi["explanation"]["contributions"].is_array());
    assert!((0.0..=1.0).contains(&mehdi["confidence"].as_f64().unwrap()));
    assert_eq!(lines[1]["type"], "passive_observer");
    assert_eq!(
        lines[1]["language"], "en",
        "nothing written: the --language default"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn analyze_names_the_line_that_is_not_a_lead() {
    let dir = std::env::temp_dir().join(format!("vf-analyze-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("leads.jsonl");
    std::fs::write(
        &input,
        "{\"handle\": \"a\", \"interactions\": []}\n{\"oops\": 1}\n",
    )
    .unwrap();

    let output = Command::new(BINARY)
        .args(["analyze", "--input"])
        .arg(&input)
        .env_clear()
        .output()
        .unwrap();

    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("line 2 is not a lead"));
    std::fs::remove_dir_all(&dir).unwrap();
}

fn demo_data(db: &TestDatabase, args: &[&str]) -> std::process::Output {
    Command::new(BINARY)
        .arg("demo-data")
        .args(args)
        .env("APP_ENV", "development")
        .env("DATABASE_URL", &db.url)
        .output()
        .unwrap()
}

fn numbers(db: &TestDatabase, query: &str) -> Vec<(String, i64)> {
    use diesel::RunQueryDsl as _;
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        name: String,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let rows: Vec<Row> = diesel::sql_query(query).load(&mut db.connect()).unwrap();
    rows.into_iter().map(|r| (r.name, r.n)).collect()
}

#[test]
fn demo_data_fills_a_workspace_with_consistent_counters_and_the_same_seed_gives_the_same_scores() {
    let db = TestDatabase::migrated();
    {
        use diesel::RunQueryDsl as _;
        diesel::sql_query(
            "INSERT INTO users (email, display_name, password_hash) VALUES ('owner@example.com', 'Owner', 'x')",
        )
        .execute(&mut db.connect())
        .unwrap();
    }
    let args = |slug: &'static str| {
        [
            "--leads",
            "200",
            "--interactions",
            "2000",
            "--workspace",
            slug,
            "--owner",
            "owner@example.com",
            "--seed",
            "7",
        ]
    };

    let first = demo_data(&db, &args("demo-one"));
    let second = demo_data(&db, &args("demo-two"));

    for output in [&first, &second] {
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    assert!(String::from_utf8_lossy(&first.stdout).contains("/w/demo-one/leads"));
    let counts = numbers(
        &db,
        "SELECT w.slug AS name, (SELECT count(*) FROM leads l WHERE l.workspace_id = w.id) * 1000000 \
           + (SELECT count(*) FROM interactions i WHERE i.workspace_id = w.id) AS n \
         FROM workspaces w ORDER BY w.slug",
    );
    assert_eq!(
        counts,
        vec![
            ("demo-one".into(), 200_002_000),
            ("demo-two".into(), 200_002_000)
        ]
    );
    let inconsistent = numbers(
        &db,
        "SELECT 'inconsistent' AS name, count(*) AS n FROM leads l JOIN LATERAL ( \
           SELECT sum(n) AS total, jsonb_object_agg(kind, n) AS kinds, \
             min(first) AS first, max(last) AS last \
           FROM (SELECT kind, count(*) AS n, min(occurred_at) AS first, max(occurred_at) AS last \
                 FROM interactions i WHERE i.lead_id = l.id GROUP BY kind) k) c ON true \
         WHERE (l.interactions_count, l.kind_counts, l.analysed_interactions) \
               <> (c.total, c.kinds, c.total) \
            OR l.first_seen_at IS DISTINCT FROM c.first OR l.last_interaction_at IS DISTINCT FROM c.last",
    );
    assert_eq!(inconsistent, vec![("inconsistent".into(), 0)]);
    let scores = |slug: &str| {
        numbers(
            &db,
            &format!(
                "SELECT l.handle AS name, l.score::bigint AS n FROM leads l JOIN workspaces w ON w.id = l.workspace_id \
                 WHERE w.slug = '{slug}' ORDER BY l.handle"
            ),
        )
    };
    assert_eq!(scores("demo-one"), scores("demo-two"));
    let drafts = numbers(
        &db,
        "SELECT 'leads without their draft' AS name, count(*) AS n FROM leads l JOIN workspaces w ON w.id = l.workspace_id \
         WHERE (l.score >= w.draft_score AND l.status <> 'refused') \
            <> EXISTS (SELECT 1 FROM suggested_messages m WHERE m.lead_id = l.id AND m.status = 'pending')",
    );
    assert_eq!(drafts, vec![("leads without their draft".into(), 0)]);
}

#[test]
fn demo_data_refuses_with_code_2_when_there_is_no_workspace_and_no_owner() {
    let db = TestDatabase::migrated();

    let output = demo_data(
        &db,
        &[
            "--leads",
            "10",
            "--interactions",
            "20",
            "--workspace",
            "nowhere",
        ],
    );

    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--owner"));
}

/// `vistaflow extract instagram-webhook` on the fixture `name`, with no configuration at all.
fn extract_delivery(name: &str) -> std::process::Output {
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/instagram")
        .join(name);
    Command::new(BINARY)
        .args(["extract", "instagram-webhook"])
        .arg(file)
        .env_clear()
        .output()
        .unwrap()
}

#[test]
fn extract_prints_one_json_line_per_item_of_a_saved_instagram_delivery() {
    let output = extract_delivery("batched.json");

    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let kinds: Vec<&str> = lines.iter().map(|l| l["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["comment", "comment", "message", "unknown"]);
    assert_eq!(
        lines[0],
        serde_json::json!({
            "kind": "comment",
            "direction": "in",
            "account_id": "17841400000000001",
            "external_id": "17900000000000501",
            "handle": "malik.prod",
            "sender_id": "6400000000000203",
            "text": "🔥🔥",
            "occurred_at": "2025-08-21T12:28:00Z",
            "media_id": "18100000000000301",
            "parent_id": null,
        })
    );
    assert_eq!(lines[2]["account_id"], "17841400000000002");
    assert_eq!(lines[2]["occurred_at"], "2025-10-24T06:28:14.014Z");
    assert_eq!(lines[3]["field"], "read");
}

#[test]
fn extract_refuses_a_malformed_instagram_delivery_saying_why() {
    let output = extract_delivery("wrong_object.json");

    assert!(!output.status.success());
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("the body's object is \"page\", not \"instagram\""),
        "{stderr}"
    );
}
