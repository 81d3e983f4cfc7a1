//! `GET /changes`: the trail as a log that clients follow, over HTTP.

use std::sync::Arc;
use std::time::{Duration, Instant};

use casting_core::Role::{CastingDirector, ExecutiveProducer};
use casting_store_memory::MemoryStore;
use serde_json::Value;

use crate::support::{TestApp, unlimited};

fn ids(reply: &Value) -> Vec<i64> {
    reply["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["id"].as_i64().expect("id"))
        .collect()
}

async fn the_log_is_read_after_a_cursor_and_waits_for_the_next_entry(app: &TestApp) {
    let empty = app.get("/changes?after=now", ExecutiveProducer).await;
    empty.expect(200, "");
    assert_eq!(empty.body["success"], true);
    assert_eq!(empty.body["entries"], Value::Array(vec![]));
    let start = empty.body["next"].as_str().expect("next").to_owned();

    let a = app.actor("Followed", &[]).await;
    let m = app.movie("Followed film", &[a]).await;
    let all = app
        .get(&format!("/changes?after={start}"), ExecutiveProducer)
        .await;
    all.expect(200, "");
    let entries = all.body["entries"].as_array().unwrap();
    let shape: Vec<(&str, i64, &str)> = entries
        .iter()
        .map(|e| {
            (
                e["resource"].as_str().unwrap(),
                e["resource_id"].as_i64().unwrap(),
                e["action"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        shape,
        [
            ("actor", a, "create"),
            ("movie", m, "create"),
            ("actor", a, "update")
        ],
        "oldest first; the actor's side of the cast last"
    );
    // Whole lists, as /audit writes them, and the version the actor got.
    assert_eq!(
        entries[2]["changes"]["movies"]["from"],
        serde_json::json!([])
    );
    assert_eq!(
        entries[2]["changes"]["movies"]["to"],
        serde_json::json!([m])
    );
    assert_eq!(entries[2]["version"], 2);
    let last = ids(&all.body)[2];
    assert_eq!(all.body["next"], last.to_string());

    // One at a time, the same entries.
    let one = app
        .get(
            &format!("/changes?after={start}&limit=1"),
            ExecutiveProducer,
        )
        .await;
    assert_eq!(ids(&one.body), ids(&all.body)[..1]);
    let movies = app
        .get(
            &format!("/changes?after={start}&resource=movie"),
            ExecutiveProducer,
        )
        .await;
    assert_eq!(ids(&movies.body), [ids(&all.body)[1]]);

    // Nothing after the newest: the cursor given comes back.
    let nothing = app
        .get(&format!("/changes?after={last}"), ExecutiveProducer)
        .await;
    assert_eq!(nothing.body["entries"], Value::Array(vec![]));
    assert_eq!(nothing.body["next"], last.to_string());

    // A long-poll is answered by the next write, not by its 30 s.
    let started = Instant::now();
    let poll = format!("/changes?after={last}&wait=30");
    let (held, _) = tokio::join!(app.get(&poll, ExecutiveProducer), async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        app.movie("Wakes the poll", &[]).await
    });
    held.expect(200, "");
    assert_eq!(held.body["entries"].as_array().unwrap().len(), 1);
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "woken by the write"
    );
}

async fn bad_reads_are_400_and_need_get_audit(app: &TestApp) {
    for query in [
        "after=abc",
        "after=-1",
        "after=",
        "after=99999999999999999999",
        "limit=0",
        "limit=1001",
        "wait=61",
        "wait=-1",
        "resource=cast",
    ] {
        let reply = app
            .get(&format!("/changes?{query}"), ExecutiveProducer)
            .await;
        reply.expect(400, "bad_request");
        assert!(
            reply.body["details"]["fields"].is_array(),
            "{query}: {}",
            reply.body
        );
    }
    app.get("/changes", CastingDirector)
        .await
        .expect(403, "insufficient_permission");
}

on_both_stores!(
    the_log_is_read_after_a_cursor_and_waits_for_the_next_entry,
    bad_reads_are_400_and_need_get_audit,
);

/// A cursor from before entries the store dropped (here the memory store's bound) is 410
/// `cursor_expired`, with the cursor to read on from; reading on from it works.
#[tokio::test]
async fn an_expired_cursor_is_410_with_where_to_read_on() {
    let app = TestApp::over(Arc::new(MemoryStore::with_audit_capacity(3)), unlimited()).await;
    for title in ["One", "Two", "Three", "Four", "Five"] {
        app.movie(title, &[]).await;
    }
    let gone = app.get("/changes?after=1", ExecutiveProducer).await;
    gone.expect(410, "cursor_expired");
    assert_eq!(gone.body["message"], "gone");
    let resync = gone.body["details"]["cursor"].as_str().expect("cursor");
    assert_eq!(resync, "2");
    let kept = app
        .get(&format!("/changes?after={resync}"), ExecutiveProducer)
        .await;
    kept.expect(200, "");
    assert_eq!(ids(&kept.body), [3, 4, 5]);
    let oldest = app.get("/changes", ExecutiveProducer).await;
    assert_eq!(
        ids(&oldest.body),
        [3, 4, 5],
        "without a cursor: the oldest kept"
    );
}

/// Two instances on one database: a long-poll held by one is answered within a second of a
/// write acknowledged by the other (their notification, not a poll: a reader that is not
/// woken looks again only after 5 s).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_poll_wakes_within_a_second_of_a_write_on_another_instance() {
    let Some(a) = TestApp::postgres().await else {
        return;
    };
    let database = a.database.as_ref().expect("database");
    let options = (*database.store.pool().connect_options()).clone();
    let pool = casting_store_postgres::PoolSettings::default()
        .pool_options()
        .connect_with(options)
        .await
        .expect("second pool");
    let other = casting_store_postgres::PostgresStore::new(pool);
    let b = TestApp::over(Arc::new(other.clone()), unlimited()).await;
    for round in 0..3 {
        let now = b.get("/changes?after=now", ExecutiveProducer).await;
        let after = now.body["next"].as_str().unwrap().to_owned();
        let poll = format!("/changes?after={after}&wait=20");
        let (held, acknowledged) = tokio::join!(b.get(&poll, ExecutiveProducer), async {
            tokio::time::sleep(Duration::from_millis(500)).await;
            a.movie(&format!("Written on A {round}"), &[]).await;
            Instant::now()
        });
        held.expect(200, "");
        assert_eq!(held.body["entries"].as_array().unwrap().len(), 1);
        let late = acknowledged.elapsed();
        assert!(
            late < Duration::from_secs(1),
            "round {round}: woken {late:?} after the write"
        );
    }
    other.close().await;
    a.finish().await;
}
