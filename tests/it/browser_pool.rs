//! The browser pool against a real chromedriver and Chromium: sessions always end, the pool recovers.

use std::time::Duration;

use vistaflow::scrape::{BrowserPool, BrowserSettings};

fn pool(max_sessions: usize, session_timeout: Duration) -> BrowserPool {
    BrowserPool::new(BrowserSettings {
        webdriver_url: None,
        chromedriver: "chromedriver".to_owned(),
        chromium_binary: std::path::Path::new("/usr/bin/chromium")
            .exists()
            .then(|| "/usr/bin/chromium".to_owned()),
        max_sessions,
        step_timeout: Duration::from_secs(20),
        session_timeout,
    })
}

#[tokio::test]
async fn a_failing_or_slow_piece_of_work_still_frees_its_session() {
    let pool = pool(1, Duration::from_secs(2));

    let failed: anyhow::Result<()> = pool
        .run(|_driver| async { anyhow::bail!("the work failed") })
        .await;
    let timed_out = pool
        .run(|_driver| async {
            tokio::time::sleep(Duration::from_secs(30)).await;
            Ok(())
        })
        .await;
    let title = pool
        .run(|driver| async move {
            driver.goto("data:text/html,<title>after</title>").await?;
            Ok(driver.title().await?)
        })
        .await;

    assert_eq!(failed.unwrap_err().to_string(), "the work failed");
    assert!(
        timed_out
            .unwrap_err()
            .to_string()
            .contains("did not finish")
    );
    assert_eq!(
        title.unwrap(),
        "after",
        "the only session slot was given back both times"
    );
    pool.shutdown();
}

#[tokio::test]
async fn a_chromedriver_that_dies_is_started_again() {
    let pool = pool(1, Duration::from_secs(30));
    pool.run(|_driver| async { Ok(()) }).await.unwrap();
    let first = pool
        .local_driver_pid()
        .await
        .expect("the pool started chromedriver");

    std::process::Command::new("kill")
        .args(["-KILL", &first.to_string()])
        .status()
        .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let again = pool
        .run(|driver| async move { Ok(driver.title().await?) })
        .await;

    assert!(again.is_ok(), "{again:?}");
    assert_ne!(pool.local_driver_pid().await, Some(first));
    pool.shutdown();
}
