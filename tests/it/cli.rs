//! The command line: configuration errors name every variable; `create-admin` reads the password from
//! standard input.

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

#[tokio::test]
async fn create_admin_reads_the_password_from_stdin_and_the_admin_can_log_in() {
    let app = TestApp::spawn();
    let mut child = Command::new(BINARY)
        .args([
            "create-admin",
            "--email",
            "root@example.com",
            "--name",
            "Root",
        ])
        .env("APP_ENV", "development")
        .env("DATABASE_URL", &app.db.url)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"saffron-kettle-1987\n")
        .unwrap();
    let output = child.wait_with_output().unwrap();
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
    let mut child = Command::new(BINARY)
        .args(["create-admin", "--email", "root@example.com"])
        .env("APP_ENV", "development")
        .env("DATABASE_URL", &db.url)
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"password1\n")
        .unwrap();
    let output = child.wait_with_output().unwrap();

    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("too common"));
}
