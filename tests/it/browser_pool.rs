//! The browser pool against a real chromedriver and Chromium: sessions always end, the pool recovers.

use std::time::Duration;

use vistaflow::scrape::{BrowserPool, BrowserSettings, PoolBusy};

fn pool(max_sessions: usize, session_timeout: Duration) -> BrowserPool {
    BrowserPool::new(BrowserSettings {
        webdriver_url: None,
        chromedriver: "chromedriver".to_owned(),
        chromium_binary: std::path::Path::new("/usr/bin/chromium")
            .exists()
            .then(|| "/usr/bin/chromium".to_owned()),
        max_sessions,
        login_sessions: 1,
        slot_wait: Duration::from_secs(1),
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

#[tokio::test]
async fn work_that_finds_every_session_busy_gets_pool_busy_after_the_wait_and_does_not_run() {
    let pool = std::sync::Arc::new(pool(1, Duration::from_secs(30)));
    let (started, holding) = tokio::sync::oneshot::channel();
    let holder = tokio::spawn({
        let pool = pool.clone();
        async move {
            pool.run(|_driver| async move {
                let _ = started.send(());
                tokio::time::sleep(Duration::from_secs(4)).await;
                Ok(())
            })
            .await
        }
    });
    holding.await.unwrap();

    let waited = std::time::Instant::now();
    let ran = std::sync::atomic::AtomicBool::new(false);
    let busy = pool
        .run(|_driver| async {
            ran.store(true, std::sync::atomic::Ordering::Relaxed);
            Ok(())
        })
        .await;

    let error = busy.unwrap_err();
    assert!(error.is::<PoolBusy>(), "{error:#}");
    assert!(
        waited.elapsed() < Duration::from_secs(3),
        "it waited {:?}",
        waited.elapsed()
    );
    assert!(!ran.load(std::sync::atomic::Ordering::Relaxed));
    holder.await.unwrap().unwrap();
    pool.shutdown();
}

#[tokio::test]
async fn login_sessions_are_had_while_every_other_session_is_busy_and_are_capped_apart() {
    let pool = std::sync::Arc::new(pool(1, Duration::from_secs(30)));
    let (started, holding) = tokio::sync::oneshot::channel();
    let holder = tokio::spawn({
        let pool = pool.clone();
        async move {
            pool.run(|_driver| async move {
                let _ = started.send(());
                tokio::time::sleep(Duration::from_secs(3)).await;
                Ok(())
            })
            .await
        }
    });
    holding.await.unwrap();

    let slot = pool
        .try_login_slot()
        .expect("a login session beside the busy one");
    let second = pool.try_login_slot();
    let title = pool
        .run_in(slot, |driver| async move {
            driver.goto("data:text/html,<title>login</title>").await?;
            Ok(driver.title().await?)
        })
        .await;

    assert!(second.is_none(), "the one login session was taken");
    assert_eq!(title.unwrap(), "login");
    assert!(
        pool.try_login_slot().is_some(),
        "the login session is free again once its work ended"
    );
    holder.await.unwrap().unwrap();
    pool.shutdown();
}
