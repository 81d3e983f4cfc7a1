//! Start-up against a database that cannot be had.

use casting_store_postgres::testing;

use crate::support::{database_named, server};

/// A database that cannot be reached stops the server at once, naming why: a closed port's
/// refusal, a missing database's name (not a pool time-out after the whole wait).
#[tokio::test]
async fn an_unreachable_database_is_named_at_once() {
    let Some((name, admin, _)) = testing::empty_database().await else {
        return;
    };
    testing::drop_named(&admin, &name).await;
    let missing = database_named(&name);
    for (url, expected) in [
        ("postgres://postgres@127.0.0.1:1/casting", "refused"),
        (missing.as_str(), name.as_str()),
    ] {
        let started = std::time::Instant::now();
        let output = server(&[("PORT", "0"), ("DATABASE_URL", url), ("DEV_AUTH", "1")])
            .output()
            .expect("run");
        let took = started.elapsed();
        assert!(!output.status.success(), "{url} must stop the server");
        let stderr = String::from_utf8_lossy(&output.stderr);
        let line = stderr
            .lines()
            .find(|l| l.starts_with("casting-server:"))
            .unwrap_or_else(|| panic!("one line naming the cause: {stderr}"));
        assert!(
            line.to_lowercase().contains(expected),
            "{url}: {line} should name {expected}"
        );
        assert!(!line.contains("timed out"), "{line}");
        assert!(
            took < std::time::Duration::from_secs(3),
            "{url}: stopped after {took:?}"
        );
    }
}
