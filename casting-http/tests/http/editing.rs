//! Safe editing over HTTP: ETags, `If-Match` (412, 428), `If-None-Match` (304),
//! `Idempotency-Key` (replays, 422), who and when on the long shapes, and the CORS headers
//! browsers need for them.

use std::sync::Arc;

use casting_core::Role::{CastingAssistant, CastingDirector, ExecutiveProducer};
use casting_http::HttpConfig;
use casting_store_memory::MemoryStore;
use reqwest::Method;
use serde_json::json;

use crate::support::TestApp;

const PRODUCER: &str = "dev|executive-producer";

async fn a_record_carries_its_etag_and_304s_a_matching_read(app: &TestApp) {
    let created = app
        .post(
            "/movies",
            ExecutiveProducer,
            json!({ "title": "Tagged", "release_date": "08-02-2025" }),
        )
        .await;
    created.expect(200, "");
    let id = created.body["movie"]["id"].as_i64().unwrap();
    let tag = format!("\"m-{id}-v1\"");
    assert_eq!(created.header("etag"), Some(tag.as_str()));
    let movie = &created.body["movie"];
    assert_eq!(movie["version"], 1);
    assert_eq!(movie["created_by"], PRODUCER);
    assert_eq!(movie["updated_by"], PRODUCER);
    assert_eq!(movie["created_at"], movie["updated_at"]);
    let at = movie["created_at"].as_str().unwrap();
    assert!(chrono::DateTime::parse_from_rfc3339(at).is_ok(), "{at}");
    assert!(at.ends_with('Z'), "{at}");

    for path in [format!("/movies/{id}"), format!("/movie-details/{id}")] {
        let read = app.get(&path, CastingAssistant).await;
        read.expect(200, "");
        assert_eq!(read.header("etag"), Some(tag.as_str()));
        assert_eq!(read.body["movie"], created.body["movie"]);
        for matching in [
            tag.clone(),
            format!("W/{tag}"),
            format!("\"x\", {tag}"),
            "*".into(),
        ] {
            let cached = app
                .send(
                    Method::GET,
                    &path,
                    CastingAssistant,
                    None,
                    &[("If-None-Match", &matching)],
                )
                .await;
            assert_eq!(cached.status.as_u16(), 304, "{matching}");
            assert_eq!(cached.text, "", "a 304 has no body");
            assert_eq!(cached.header("etag"), Some(tag.as_str()));
        }
        let stale = app
            .send(
                Method::GET,
                &path,
                CastingAssistant,
                None,
                &[("If-None-Match", "\"m-1-v9\"")],
            )
            .await;
        stale.expect(200, "");
    }

    let actor = app.actor("Tagged actor", &[]).await;
    let read = app.get(&format!("/actors/{actor}"), CastingAssistant).await;
    assert_eq!(
        read.header("etag"),
        Some(format!("\"a-{actor}-v1\"").as_str())
    );
    let cached = app
        .send(
            Method::GET,
            &format!("/actor-details/{actor}"),
            CastingAssistant,
            None,
            &[("If-None-Match", &format!("\"a-{actor}-v1\""))],
        )
        .await;
    assert_eq!(cached.status.as_u16(), 304);
    // The 404 of a missing record comes first, whatever the tag.
    app.send(
        Method::GET,
        "/movies/999999",
        CastingAssistant,
        None,
        &[("If-None-Match", "*")],
    )
    .await
    .expect(404, "not_found");
}

async fn if_match_writes_only_over_the_version_read(app: &TestApp) {
    let a = app.actor("Cast member", &[]).await;
    let id = app.movie("Contested", &[a]).await;
    let path = format!("/movies/{id}");
    let v1 = format!("\"m-{id}-v1\"");

    let first = app
        .send(
            Method::PATCH,
            &path,
            CastingDirector,
            Some(json!({ "title": "First" })),
            &[("If-Match", &v1)],
        )
        .await;
    first.expect(200, "");
    let v2 = format!("\"m-{id}-v2\"");
    assert_eq!(first.header("etag"), Some(v2.as_str()));
    assert_eq!(first.body["movie"]["version"], 2);
    assert_eq!(first.body["movie"]["updated_by"], "dev|casting-director");
    assert_eq!(first.body["movie"]["created_by"], PRODUCER);

    // The second editor still holds v1: refused, told the current version, nothing changed.
    let second = app
        .send(
            Method::PATCH,
            &path,
            CastingDirector,
            Some(json!({ "title": "Second", "actors": [] })),
            &[("If-Match", &v1)],
        )
        .await;
    second.expect(412, "precondition_failed");
    assert_eq!(second.body["message"], "precondition failed");
    assert_eq!(second.body["details"]["current_version"], 2);
    assert_eq!(second.header("etag"), Some(v2.as_str()));
    // A stale tag is told before what is wrong with the body; a missing record before both.
    app.send(
        Method::PATCH,
        &path,
        CastingDirector,
        Some(json!({ "title": " " })),
        &[("If-Match", &v1)],
    )
    .await
    .expect(412, "precondition_failed");
    app.send(
        Method::PATCH,
        &path,
        CastingDirector,
        Some(json!({ "actors": [999_999] })),
        &[("If-Match", &v1)],
    )
    .await
    .expect(412, "precondition_failed");
    app.send(
        Method::PATCH,
        "/movies/999999",
        CastingDirector,
        Some(json!({ "title": " " })),
        &[("If-Match", &v1)],
    )
    .await
    .expect(404, "not_found");
    let now = app.get(&path, CastingAssistant).await;
    assert_eq!(now.body["movie"]["title"], "First");
    assert_eq!(now.body["movie"]["actors"], json!([a]));

    let weak = format!("W/{v2}");
    for other in ["\"m-999-v2\"", weak.as_str(), "v2", ""] {
        app.send(
            Method::PATCH,
            &path,
            CastingDirector,
            Some(json!({ "title": "X" })),
            &[("If-Match", other)],
        )
        .await
        .expect(412, "precondition_failed");
    }
    // An If-Match that is not ASCII never matches: it is not taken for no If-Match.
    let garbled = app
        .http
        .patch(format!("{}{path}", app.url))
        .bearer_auth(TestApp::token(CastingDirector))
        .header(
            "if-match",
            reqwest::header::HeaderValue::from_bytes(b"\xc3\x97").unwrap(),
        )
        .json(&json!({ "title": "Garbled" }))
        .send()
        .await
        .unwrap();
    assert_eq!(garbled.status().as_u16(), 412);
    let any = app
        .send(
            Method::PATCH,
            &path,
            CastingDirector,
            Some(json!({ "title": "Any" })),
            &[("If-Match", "*")],
        )
        .await;
    any.expect(200, "");
    assert_eq!(any.body["movie"]["version"], 3);
    let plain = app
        .patch(&path, CastingDirector, json!({ "title": "Plain" }))
        .await;
    plain.expect(200, "");
    assert_eq!(
        plain.body["movie"]["version"], 4,
        "without If-Match a write goes through"
    );

    // The cast is part of the movie: its answers carry the movie's tag, and a change of it
    // is a new version of the movie and of each actor who joins or leaves.
    let cast_path = format!("/movies/{id}/cast");
    let cast = app.get(&cast_path, CastingAssistant).await;
    let v4 = format!("\"m-{id}-v4\"");
    assert_eq!(cast.header("etag"), Some(v4.as_str()));
    let b = app.actor("Newcomer", &[]).await;
    let body = json!({ "cast": [{ "actor": b, "character": "Lead", "billing": 1 }] });
    app.send(
        Method::PUT,
        &cast_path,
        CastingDirector,
        Some(body.clone()),
        &[("If-Match", &v2)],
    )
    .await
    .expect(412, "precondition_failed");
    let replaced = app
        .send(
            Method::PUT,
            &cast_path,
            CastingDirector,
            Some(body),
            &[("If-Match", &v4)],
        )
        .await;
    replaced.expect(200, "");
    assert_eq!(
        replaced.header("etag"),
        Some(format!("\"m-{id}-v5\"").as_str())
    );
    let left = app.get(&format!("/actors/{a}"), CastingAssistant).await;
    assert_eq!(left.body["actor"]["version"], 3, "created, joined, left");
    assert_eq!(left.body["actor"]["updated_by"], "dev|casting-director");
    let joined = app.get(&format!("/actors/{b}"), CastingAssistant).await;
    assert_eq!(joined.body["actor"]["version"], 2);

    let v5 = format!("\"m-{id}-v5\"");
    app.send(
        Method::DELETE,
        &path,
        ExecutiveProducer,
        None,
        &[("If-Match", &v4)],
    )
    .await
    .expect(412, "precondition_failed");
    let deleted = app
        .send(
            Method::DELETE,
            &path,
            ExecutiveProducer,
            None,
            &[("If-Match", &v5)],
        )
        .await;
    deleted.expect(200, "");
    assert_eq!(deleted.header("etag"), Some(v5.as_str()));
    app.send(
        Method::DELETE,
        &path,
        ExecutiveProducer,
        None,
        &[("If-Match", &v5)],
    )
    .await
    .expect(404, "not_found");

    let actor_path = format!("/actors/{b}");
    app.send(
        Method::DELETE,
        &actor_path,
        CastingDirector,
        None,
        &[("If-Match", &format!("\"a-{b}-v1\""))],
    )
    .await
    .expect(412, "precondition_failed");
    let changed = app
        .send(
            Method::PATCH,
            &actor_path,
            CastingDirector,
            Some(json!({ "age": 41 })),
            &[("If-Match", &format!("\"a-{b}-v3\""))],
        )
        .await;
    changed.expect(200, "");
    assert_eq!(
        changed.header("etag"),
        Some(format!("\"a-{b}-v4\"").as_str())
    );
}

async fn idempotency_keys_make_retries_safe(app: &TestApp) {
    let body = json!({ "title": "Once only", "release_date": "08-02-2025" });
    let key = [("Idempotency-Key", "4f9c1d1e-retry")];
    let first = app
        .send(
            Method::POST,
            "/movies",
            ExecutiveProducer,
            Some(body.clone()),
            &key,
        )
        .await;
    first.expect(200, "");
    assert_eq!(first.header("idempotent-replayed"), None);
    let again = app
        .send(
            Method::POST,
            "/movies",
            ExecutiveProducer,
            Some(body.clone()),
            &key,
        )
        .await;
    again.expect(200, "");
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(again.body, first.body);
    assert_eq!(again.header("etag"), first.header("etag"));
    let list = app.get("/movies", CastingAssistant).await;
    assert_eq!(list.body["total"], 1, "one movie for two requests");

    let other = json!({ "title": "Something else", "release_date": "08-02-2025" });
    let reused = app
        .send(
            Method::POST,
            "/movies",
            ExecutiveProducer,
            Some(other),
            &key,
        )
        .await;
    reused.expect(422, "idempotency_key_reused");
    assert_eq!(reused.body["details"]["header"], "Idempotency-Key");

    let actor = json!({ "name": "Once", "age": 30, "gender": "Other" });
    let theirs = app
        .send(
            Method::POST,
            "/actors",
            CastingDirector,
            Some(actor.clone()),
            &key,
        )
        .await;
    theirs.expect(200, "");
    assert_eq!(
        theirs.header("idempotent-replayed"),
        None,
        "another subject and kind"
    );
    let theirs_again = app
        .send(Method::POST, "/actors", CastingDirector, Some(actor), &key)
        .await;
    assert_eq!(theirs_again.header("idempotent-replayed"), Some("true"));
    assert_eq!(theirs_again.body["actor"]["id"], theirs.body["actor"]["id"]);

    let long = "k".repeat(256);
    for bad in ["has space", long.as_str()] {
        let refused = app
            .send(
                Method::POST,
                "/movies",
                ExecutiveProducer,
                Some(body.clone()),
                &[("Idempotency-Key", bad)],
            )
            .await;
        refused.expect(400, "bad_request");
        assert_eq!(
            refused.body["details"]["fields"][0]["field"],
            "Idempotency-Key"
        );
    }
    // A key that is not ASCII at all is refused too, not taken for no key (found by
    // Schemathesis: a typed header parameter reads such bytes as absent).
    let garbled = app
        .http
        .post(format!("{}/movies", app.url))
        .bearer_auth(TestApp::token(ExecutiveProducer))
        .header(
            "idempotency-key",
            reqwest::header::HeaderValue::from_bytes(b"\xc3\x97\xc3\xb8").unwrap(),
        )
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(garbled.status().as_u16(), 400);
    let list = app.get("/movies", CastingAssistant).await;
    assert_eq!(list.body["total"], 1, "refused requests create nothing");
}

on_both_stores!(
    a_record_carries_its_etag_and_304s_a_matching_read,
    if_match_writes_only_over_the_version_read,
    idempotency_keys_make_retries_safe,
);

#[tokio::test]
async fn a_server_that_requires_if_match_refuses_blind_writes_with_428() {
    let config = HttpConfig {
        require_if_match: true,
        ..HttpConfig::default()
    };
    let app = TestApp::over(Arc::new(MemoryStore::new()), config).await;
    let id = app.movie("Strict", &[]).await;
    let path = format!("/movies/{id}");
    let blind = app
        .patch(&path, CastingDirector, json!({ "title": "Blind" }))
        .await;
    blind.expect(428, "precondition_required");
    assert_eq!(blind.body["message"], "precondition required");
    assert_eq!(blind.body["details"]["header"], "If-Match");
    app.delete(&path, ExecutiveProducer)
        .await
        .expect(428, "precondition_required");
    app.send(
        Method::PUT,
        &format!("{path}/cast"),
        CastingDirector,
        Some(json!({ "cast": [] })),
        &[],
    )
    .await
    .expect(428, "precondition_required");
    assert_eq!(
        app.get(&path, CastingAssistant).await.body["movie"]["title"],
        "Strict",
        "nothing changed"
    );
    app.send(
        Method::PATCH,
        &path,
        CastingDirector,
        Some(json!({ "title": "Seen" })),
        &[("If-Match", &format!("\"m-{id}-v1\""))],
    )
    .await
    .expect(200, "");
    app.send(
        Method::DELETE,
        &path,
        ExecutiveProducer,
        None,
        &[("If-Match", "*")],
    )
    .await
    .expect(200, "");
}

#[tokio::test]
async fn browsers_may_send_the_conditional_headers_and_read_the_answers() {
    let app = TestApp::memory().await.unwrap();
    let preflight = app
        .http
        .request(Method::OPTIONS, format!("{}/movies/1", app.url))
        .header("Origin", "https://casting.example")
        .header("Access-Control-Request-Method", "PATCH")
        .header(
            "Access-Control-Request-Headers",
            "authorization, if-match, content-type",
        )
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success(), "{}", preflight.status());
    let allowed = preflight.headers()["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_lowercase();
    assert!(allowed.contains("if-match"), "{allowed}");
    let read = app
        .http
        .get(format!("{}/health", app.url))
        .header("Origin", "https://casting.example")
        .send()
        .await
        .unwrap();
    let exposed = read.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_lowercase();
    assert!(
        exposed.contains("etag") && exposed.contains("idempotent-replayed"),
        "{exposed}"
    );
}
