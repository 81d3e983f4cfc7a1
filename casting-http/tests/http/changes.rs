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

/// One event of a stream: its `id`, `event` and `data` lines.
#[derive(Debug, Clone, PartialEq)]
struct SseEvent {
    id: String,
    kind: String,
    data: Value,
}

/// A stream of `GET /changes` as `role`, with extra headers.
async fn open_stream(app: &TestApp, query: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut request = app
        .http
        .get(format!("{}/changes{query}", app.url))
        .bearer_auth(TestApp::token(ExecutiveProducer))
        .header("Accept", "text/event-stream");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.expect("stream request")
}

/// Reads events from `response` until `count` came (comment lines are skipped), within 20 s.
async fn read_events(
    response: &mut reqwest::Response,
    buffer: &mut String,
    count: usize,
) -> Vec<SseEvent> {
    let mut events = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    while events.len() < count {
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            let mut event = SseEvent {
                id: String::new(),
                kind: String::new(),
                data: Value::Null,
            };
            for line in block.lines() {
                if let Some(id) = line.strip_prefix("id: ") {
                    event.id = id.to_owned();
                } else if let Some(kind) = line.strip_prefix("event: ") {
                    event.kind = kind.to_owned();
                } else if let Some(data) = line.strip_prefix("data: ") {
                    event.data = serde_json::from_str(data).expect("data is JSON");
                }
            }
            if !event.id.is_empty() {
                events.push(event);
            }
        }
        if events.len() >= count {
            break;
        }
        let left = deadline.saturating_duration_since(Instant::now());
        let chunk = tokio::time::timeout(left, response.chunk())
            .await
            .expect("events within 20 s")
            .expect("stream readable")
            .expect("stream open");
        buffer.push_str(std::str::from_utf8(&chunk).expect("UTF-8"));
    }
    events
}

async fn a_stream_resumed_with_last_event_id_has_no_gap_and_no_duplicate(app: &TestApp) {
    let start = app.get("/changes?after=now", ExecutiveProducer).await;
    let start = start.body["next"].as_str().unwrap().to_owned();
    for title in ["First", "Second", "Third"] {
        app.movie(title, &[]).await;
    }
    let mut stream = open_stream(app, &format!("?after={start}"), &[]).await;
    assert_eq!(stream.status(), 200);
    assert_eq!(
        stream.headers()["content-type"].to_str().unwrap(),
        "text/event-stream"
    );
    let mut buffer = String::new();
    let mut seen = read_events(&mut stream, &mut buffer, 3).await;
    // A write while the stream is open arrives on it.
    app.movie("Fourth", &[]).await;
    seen.extend(read_events(&mut stream, &mut buffer, 1).await);
    drop(stream);

    app.movie("Fifth", &[]).await;
    // Resume after the second event; `Last-Event-ID` wins over `after=now`.
    let resume_at = seen[1].id.clone();
    let mut resumed =
        open_stream(app, "?after=now", &[("Last-Event-ID", resume_at.as_str())]).await;
    let mut buffer = String::new();
    let rest = read_events(&mut resumed, &mut buffer, 3).await;

    let all = app
        .get(&format!("/changes?after={start}"), ExecutiveProducer)
        .await;
    let expected = all.body["entries"].as_array().unwrap();
    assert_eq!(expected.len(), 5);
    let streamed: Vec<&SseEvent> = seen[..2].iter().chain(rest.iter()).collect();
    assert_eq!(streamed.len(), 5);
    for (event, entry) in streamed.iter().zip(expected) {
        assert_eq!(event.kind, "change");
        assert_eq!(event.id, entry["id"].as_i64().unwrap().to_string());
        assert_eq!(&event.data, entry, "the entry as /changes writes it");
    }
}

async fn a_stream_s_errors_are_json_before_it_starts(app: &TestApp) {
    let bad = open_stream(app, "?after=abc", &[]).await;
    assert_eq!(bad.status(), 400);
    let body: Value = bad.json().await.unwrap();
    assert_eq!(body["code"], "bad_request");
    let forbidden = app
        .http
        .get(format!("{}/changes", app.url))
        .bearer_auth(TestApp::token(CastingDirector))
        .header("Accept", "text/event-stream")
        .send()
        .await
        .unwrap();
    assert_eq!(forbidden.status(), 403);
}

on_both_stores!(
    the_log_is_read_after_a_cursor_and_waits_for_the_next_entry,
    bad_reads_are_400_and_need_get_audit,
    a_stream_resumed_with_last_event_id_has_no_gap_and_no_duplicate,
    a_stream_s_errors_are_json_before_it_starts,
);

/// A client that stops reading is cut off by the connection's deadline while the log grows
/// far past what one read holds; the stream reads on only as it sends, so the server holds at
/// most one page for it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_whose_client_stops_reading_is_cut_off() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let store = Arc::new(MemoryStore::new());
    let service = casting_core::CastingService::new(store.clone());
    let app = casting_http::app(
        service,
        crate::support::auth0_verifier().await,
        &unlimited(),
    );
    let limits = casting_http::ConnectionLimits {
        keep_alive_timeout: Duration::from_secs(1),
        ..casting_http::ConnectionLimits::default()
    };
    let addr = crate::support::serve_limited(app, limits).await;
    let mut socket = tokio::net::TcpStream::connect(addr).await.unwrap();
    let token = TestApp::token(ExecutiveProducer);
    let head = format!(
        "GET /changes?after=now HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Accept: text/event-stream\r\n\r\n"
    );
    socket.write_all(head.as_bytes()).await.unwrap();
    let edit = casting_core::Edit::now("test|writer");
    let film = |i: usize| {
        casting_core::NewMovie::new(
            casting_core::Title::parse(&format!("Unread film number {i:05} of many")).unwrap(),
            casting_core::ReleaseDate::parse("2025-02-08").unwrap(),
        )
    };
    // The stream runs (its head came, so it follows from after `now`): the first event arrives.
    let mut received = Vec::new();
    let mut wrote_first = false;
    while !String::from_utf8_lossy(&received).contains("event: change") {
        if !wrote_first && String::from_utf8_lossy(&received).contains("\r\n\r\n") {
            casting_core::Store::create_movie(&*store, film(0), &edit, None)
                .await
                .unwrap();
            wrote_first = true;
        }
        let mut chunk = [0u8; 4096];
        let n = tokio::time::timeout(Duration::from_secs(10), socket.read(&mut chunk))
            .await
            .expect("the first event")
            .unwrap();
        assert!(n > 0, "the stream ended early");
        received.extend_from_slice(&chunk[..n]);
    }

    // Far more than the socket buffers hold: 60,000 events of some 380 bytes (23 MB).
    for i in 1..60_000 {
        casting_core::Store::create_movie(&*store, film(i), &edit, None)
            .await
            .unwrap();
    }
    // Not reading: the server's writes stall, and its deadline (1 s) closes the connection.
    tokio::time::sleep(Duration::from_secs(3)).await;
    // What is left in the buffers, then the end (a close or a reset): never all 60,000.
    let ended =
        tokio::time::timeout(Duration::from_secs(20), socket.read_to_end(&mut received)).await;
    assert!(ended.is_ok(), "the server ended the connection");
    let events = String::from_utf8_lossy(&received)
        .matches("event: change")
        .count();
    assert!(
        events < 60_000,
        "cut off before the end: {events} events arrived"
    );
}

/// A stream ends cleanly (the body closes after its last whole event) when the server's
/// shutdown signal is given.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_ends_cleanly_on_shutdown() {
    let shutdown = casting_http::Shutdown::new();
    let config = casting_http::HttpConfig {
        shutdown: shutdown.clone(),
        ..unlimited()
    };
    let app = TestApp::over(Arc::new(MemoryStore::new()), config).await;
    app.movie("Before the end", &[]).await;
    let mut stream = open_stream(&app, "", &[]).await;
    let mut buffer = String::new();
    let first = read_events(&mut stream, &mut buffer, 1).await;
    assert_eq!(first.len(), 1);
    shutdown.trigger();
    let end = tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(chunk) = stream.chunk().await.expect("a clean end, not an error") {
            buffer.push_str(std::str::from_utf8(&chunk).unwrap());
        }
    })
    .await;
    assert!(end.is_ok(), "the stream ended within 5 s of the signal");
    assert!(
        buffer.is_empty() || buffer.ends_with("\n\n"),
        "no half event: {buffer:?}"
    );
}
