//! Bad input and the error table over real HTTP, on both stores: dates, bodies, validation,
//! unknown ids, missing ids, the order of checks, and token errors.

use crate::support::{ISSUER, TestApp};
use casting_core::Role::{CastingAssistant, CastingDirector, ExecutiveProducer};
use reqwest::Method;
use serde_json::json;

on_both_stores!(
    dates_in_their_three_forms_and_no_other,
    bad_bodies_are_400_and_change_nothing,
    validation_failures_are_422_naming_the_field,
    unknown_relation_ids_are_422_naming_them,
    missing_ids_are_404,
    errors_come_in_order_401_403_400_404_422,
    token_errors_follow_the_table,
    lenient_inputs_of_the_past_are_400_naming_the_field,
);

async fn dates_in_their_three_forms_and_no_other(app: &TestApp) {
    for (input, output) in [
        ("08-02-2025", "Sat, 08 Feb 2025 00:00:00 GMT"),
        ("2025-02-08", "Sat, 08 Feb 2025 00:00:00 GMT"),
        ("29-02-2024", "Thu, 29 Feb 2024 00:00:00 GMT"),
        ("01-01-1900", "Mon, 01 Jan 1900 00:00:00 GMT"),
        // As the API writes it, so a record read can be sent back as it is.
        (
            "Sat, 08 Feb 2025 00:00:00 GMT",
            "Sat, 08 Feb 2025 00:00:00 GMT",
        ),
    ] {
        let reply = app
            .post(
                "/movies",
                ExecutiveProducer,
                json!({ "title": "T", "release_date": input }),
            )
            .await;
        reply.expect(200, "");
        assert_eq!(
            reply.body["movie"]["release_date"],
            json!(output),
            "{input}"
        );
    }
    for bad in [
        json!(2000),
        json!("2025/02/08"),
        json!("31-02-2025"),
        json!("2025-13-01"),
        json!("8-2-2025"),
        // The written form with another weekday, time or zone, or another spelling.
        json!("Fri, 08 Feb 2025 00:00:00 GMT"),
        json!("Sat, 08 Feb 2025 12:00:00 GMT"),
        json!("Sat, 08 Feb 2025 00:00:00 +0000"),
        json!("Sat, 8 Feb 2025 00:00:00 GMT"),
        json!("2025-02-08T00:00:00Z"),
        json!(null),
        json!(""),
    ] {
        let reply = app
            .post(
                "/movies",
                ExecutiveProducer,
                json!({ "title": "T", "release_date": bad }),
            )
            .await;
        reply.expect(400, "bad_request");
    }
    let total = app.get("/movies", CastingAssistant).await.body["total"].clone();
    assert_eq!(total, json!(5), "refused dates wrote nothing");

    // GET, then PATCH the same object back: the date as read is taken as it was.
    let read = app.get("/movie-details/1", CastingAssistant).await;
    let movie = &read.body["movie"];
    let back = app
        .patch(
            "/movies/1",
            ExecutiveProducer,
            json!({
                "title": movie["title"],
                "release_date": movie["release_date"],
                "actors": movie["actors"],
            }),
        )
        .await;
    back.expect(200, "");
    assert_eq!(back.body["movie"]["release_date"], movie["release_date"]);
}

/// A 400 names its fields in `details.fields`, in words without internal type names.
#[track_caller]
fn assert_names_fields(reply: &crate::support::Reply) {
    let fields = reply.body["details"]["fields"].as_array();
    assert!(
        fields.is_some_and(|f| !f.is_empty() && f.iter().all(|f| f["field"].is_string())),
        "{}",
        reply.text
    );
    for internal in ["string_", "integer_", "Body", "int64"] {
        assert!(!reply.text.contains(internal), "{internal}: {}", reply.text);
    }
}

async fn raw(
    app: &TestApp,
    method: Method,
    path: &str,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> crate::support::Reply {
    let mut request = app
        .http
        .request(method, format!("{}{path}", app.url))
        .bearer_auth(TestApp::token(ExecutiveProducer))
        .body(body);
    if let Some(content_type) = content_type {
        request = request.header("content-type", content_type);
    }
    crate::support::read(request.send().await.unwrap()).await
}

async fn bad_bodies_are_400_and_change_nothing(app: &TestApp) {
    let json_type = Some("application/json");
    for body in [
        &b"not json"[..],
        b"[]",
        b"[{\"title\": \"T\", \"release_date\": \"08-02-2025\"}]",
        b"{\"title\": \"T\", \"release_date\": \"08-02-2025\"",
        b"{\"title\": 7, \"release_date\": \"08-02-2025\"}",
        b"{\"title\": \"T\", \"release_date\": \"08-02-2025\", \"actors\": \"1\"}",
        b"{\"title\": \"T\", \"release_date\": \"08-02-2025\", \"actors\": [\"a\"]}",
        b"{\"title\": \"T\"}",
        b"{\"release_date\": \"08-02-2025\"}",
        b"",
        b"null",
    ] {
        let reply = raw(app, Method::POST, "/movies", json_type, body.to_vec()).await;
        reply.expect(400, "bad_request");
        assert!(
            reply.body["details"]["reason"].is_string(),
            "{}",
            reply.text
        );
        assert_names_fields(&reply);
    }
    // No Content-Type, or another one.
    let good = br#"{"title": "T", "release_date": "08-02-2025"}"#.to_vec();
    raw(app, Method::POST, "/movies", None, good.clone())
        .await
        .expect(400, "bad_request");
    raw(app, Method::POST, "/movies", Some("text/plain"), good)
        .await
        .expect(400, "bad_request");
    for body in [
        br#"{"name": "N", "age": "forty", "gender": "Male"}"#.to_vec(),
        br#"{"name": "N", "age": 40.5, "gender": "Male"}"#.to_vec(),
        br#"{"name": "N", "gender": "Male"}"#.to_vec(),
        br#"{"name": "N", "age": 40, "gender": 1}"#.to_vec(),
    ] {
        raw(app, Method::POST, "/actors", json_type, body)
            .await
            .expect(400, "bad_request");
    }
    // Over 64 KiB: with a Content-Length, and streamed without one.
    let huge = format!(
        r#"{{"title": "{}", "release_date": "08-02-2025"}}"#,
        "x".repeat(70 * 1024)
    );
    let reply = raw(
        app,
        Method::POST,
        "/movies",
        json_type,
        huge.clone().into_bytes(),
    )
    .await;
    reply.expect(413, "payload_too_large");
    assert_eq!(
        reply.header("connection"),
        Some("close"),
        "the rest of the body is not read: the connection goes"
    );
    let (status, body) = crate::support::chunked_post(app, "/movies", huge.as_bytes()).await;
    assert_eq!(status, 413, "{body}");
    assert!(body.contains("payload_too_large"), "{body}");

    let listed = app.get("/movies", CastingAssistant).await;
    assert_eq!(listed.body["total"], json!(0), "no bad body wrote anything");
}

async fn validation_failures_are_422_naming_the_field(app: &TestApp) {
    let cases = [
        (
            "/movies",
            json!({ "title": "   ", "release_date": "08-02-2025" }),
            "title",
        ),
        (
            "/movies",
            json!({ "title": "x".repeat(201), "release_date": "08-02-2025" }),
            "title",
        ),
        (
            "/actors",
            json!({ "name": "", "age": 30, "gender": "Male" }),
            "name",
        ),
        (
            "/actors",
            json!({ "name": "N", "age": 200, "gender": "Male" }),
            "age",
        ),
        (
            "/actors",
            json!({ "name": "N", "age": -1, "gender": "Male" }),
            "age",
        ),
        (
            "/actors",
            json!({ "name": "N", "age": 30, "gender": "robot" }),
            "gender",
        ),
    ];
    for (path, body, field) in cases {
        let reply = app.post(path, ExecutiveProducer, body).await;
        reply.expect(422, "validation_failed");
        let fields = reply.body["details"]["fields"].as_array().unwrap();
        assert!(
            fields.iter().any(|f| f["field"] == json!(field)),
            "{}",
            reply.text
        );
    }
    // Every bad field at once.
    let reply = app
        .post(
            "/actors",
            ExecutiveProducer,
            json!({ "name": " ", "age": 151, "gender": "x" }),
        )
        .await;
    assert_eq!(reply.body["details"]["fields"].as_array().unwrap().len(), 3);
    // The edges are fine.
    app.post(
        "/actors",
        ExecutiveProducer,
        json!({ "name": "N", "age": 150, "gender": "other" }),
    )
    .await
    .expect(200, "");
    app.post(
        "/movies",
        ExecutiveProducer,
        json!({ "title": "é".repeat(200), "release_date": "08-02-2025" }),
    )
    .await
    .expect(200, "");
}

async fn unknown_relation_ids_are_422_naming_them(app: &TestApp) {
    let actor = app.actor("Real", &[]).await;
    let reply = app
        .post(
            "/movies",
            ExecutiveProducer,
            json!({ "title": "Ghosts", "release_date": "08-02-2025", "actors": [actor + 900, actor, actor + 800] }),
        )
        .await;
    reply.expect(422, "validation_failed");
    assert_eq!(
        reply.body["details"]["unknown_ids"],
        json!({ "resource": "actor", "ids": [actor + 800, actor + 900] })
    );
    let movie = app.movie("Kept", &[actor]).await;
    let reply = app
        .patch(
            &format!("/movies/{movie}"),
            CastingDirector,
            json!({ "title": "Changed", "actors": [actor + 5] }),
        )
        .await;
    reply.expect(422, "validation_failed");
    let fetched = app.get(&format!("/movies/{movie}"), CastingAssistant).await;
    assert_eq!(
        fetched.body["movie"]["title"],
        json!("Kept"),
        "nothing changed"
    );
    assert_eq!(fetched.body["movie"]["actors"], json!([actor]));
    let reply = app
        .post(
            "/actors",
            ExecutiveProducer,
            json!({ "name": "N", "age": 1, "gender": "Male", "movies": [movie + 3] }),
        )
        .await;
    assert_eq!(
        reply.body["details"]["unknown_ids"],
        json!({ "resource": "movie", "ids": [movie + 3] })
    );
    assert_eq!(
        app.get("/movies", CastingAssistant).await.body["total"],
        json!(1)
    );
    assert_eq!(
        app.get("/actors", CastingAssistant).await.body["total"],
        json!(1)
    );
}

async fn missing_ids_are_404(app: &TestApp) {
    for path in [
        "/movies/999",
        "/movie-details/999",
        "/actors/999",
        "/actor-details/999",
    ] {
        let reply = app.get(path, ExecutiveProducer).await;
        reply.expect(404, "not_found");
        assert_eq!(reply.body["details"]["id"], json!(999));
    }
    app.patch("/movies/999", ExecutiveProducer, json!({ "title": "X" }))
        .await
        .expect(404, "not_found");
    app.patch("/actors/999", ExecutiveProducer, json!({ "age": 3 }))
        .await
        .expect(404, "not_found");
    app.delete("/movies/999", ExecutiveProducer)
        .await
        .expect(404, "not_found");
    app.delete("/actors/0", ExecutiveProducer)
        .await
        .expect(404, "not_found");
    app.get("/movies/abc", ExecutiveProducer)
        .await
        .expect(400, "bad_request");
}

async fn errors_come_in_order_401_403_400_404_422(app: &TestApp) {
    let bad_body = Some(json!({ "title": 7 }));
    let invalid_body = Some(json!({ "title": " " }));
    let assistant = TestApp::token(CastingAssistant);
    let director = TestApp::token(CastingDirector);
    // No token, bad body, missing id: 401.
    app.call(Method::PATCH, "/movies/999", None, bad_body.clone())
        .await
        .expect(401, "authorization_header_missing");
    // Token without the permission: 403, whatever the body or the id.
    app.call(
        Method::PATCH,
        "/movies/999",
        Some(&assistant),
        bad_body.clone(),
    )
    .await
    .expect(403, "insufficient_permission");
    app.call(Method::PATCH, "/movies/abc", Some(&assistant), None)
        .await
        .expect(403, "insufficient_permission");
    // Permission, bad body, missing id: 400.
    app.call(Method::PATCH, "/movies/999", Some(&director), bad_body)
        .await
        .expect(400, "bad_request");
    // Permission, invalid body, missing id: 404.
    app.call(
        Method::PATCH,
        "/movies/999",
        Some(&director),
        invalid_body.clone(),
    )
    .await
    .expect(404, "not_found");
    // Permission, invalid body, existing id: 422.
    let movie = app.movie("Exists", &[]).await;
    app.call(
        Method::PATCH,
        &format!("/movies/{movie}"),
        Some(&director),
        invalid_body,
    )
    .await
    .expect(422, "validation_failed");
}

async fn token_errors_follow_the_table(app: &TestApp) {
    let cases: Vec<(Option<String>, &str)> = vec![
        (Some("Basic dXNlcjpwYXNz".into()), "invalid_header"),
        (Some("Bearer".into()), "invalid_header"),
        (Some("Bearer a b".into()), "invalid_header"),
        (Some("Bearer not.a.token".into()), "invalid_token"),
        (Some("Bearer abc".into()), "invalid_token"),
    ];
    for (header, code) in cases {
        let mut request = app.http.get(format!("{}/movies", app.url));
        if let Some(header) = &header {
            request = request.header("authorization", header);
        }
        let reply = crate::support::read(request.send().await.unwrap()).await;
        reply.expect(401, code);
        let challenge = reply.header("www-authenticate").unwrap_or_default();
        assert!(challenge.starts_with("Bearer"), "{challenge}");
        assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
    }
    let missing = app.call(Method::GET, "/movies", None, None).await;
    missing.expect(401, "authorization_header_missing");
    assert_eq!(
        missing.header("www-authenticate"),
        Some("Bearer realm=\"casting\"")
    );

    // Signed by another key: invalid_token.
    let stranger = casting_auth0::DevIssuer::new().unwrap();
    let token = stranger.token_for_role(ExecutiveProducer, crate::support::HOUR);
    app.call(Method::GET, "/movies", Some(&token), None)
        .await
        .expect(401, "invalid_token");
    // Expired.
    let mut claims = ISSUER.claims("auth0|x", ["get:movies"], crate::support::HOUR);
    claims["exp"] = json!(1_000_000_000);
    app.call(Method::GET, "/movies", Some(&ISSUER.sign(&claims)), None)
        .await
        .expect(401, "token_expired");
    // Wrong audience, wrong issuer.
    let mut claims = ISSUER.claims("auth0|x", ["get:movies"], crate::support::HOUR);
    claims["aud"] = json!("another-api");
    app.call(Method::GET, "/movies", Some(&ISSUER.sign(&claims)), None)
        .await
        .expect(401, "invalid_claims");
    let mut claims = ISSUER.claims("auth0|x", ["get:movies"], crate::support::HOUR);
    claims["iss"] = json!("https://evil.example/");
    app.call(Method::GET, "/movies", Some(&ISSUER.sign(&claims)), None)
        .await
        .expect(401, "invalid_claims");
    // Valid, with no permissions claim at all: 403.
    let mut claims = ISSUER.claims("auth0|x", ["get:movies"], crate::support::HOUR);
    claims.as_object_mut().unwrap().remove("permissions");
    let reply = app
        .call(Method::GET, "/movies", Some(&ISSUER.sign(&claims)), None)
        .await;
    reply.expect(403, "insufficient_permission");
    assert_eq!(reply.body["details"]["permission"], json!("get:movies"));
    let challenge = reply.header("www-authenticate").unwrap_or_default();
    assert!(
        challenge.contains("error=\"insufficient_scope\""),
        "{challenge}"
    );
}

/// The field a 400 names first.
#[track_caller]
fn first_field(reply: &crate::support::Reply) -> String {
    reply.expect(400, "bad_request");
    assert_names_fields(reply);
    reply.body["details"]["fields"][0]["field"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

async fn lenient_inputs_of_the_past_are_400_naming_the_field(app: &TestApp) {
    let movie = app.movie("Kept", &[]).await;
    let actor = app.actor("Kept", &[movie]).await;

    // A path id with a sign or anything but digits (`DELETE /movies/+1` deleted movie 1).
    for path in [
        format!("/movies/+{movie}"),
        format!("/movies/-{movie}"),
        format!("/movies/{movie}.0"),
        format!("/movies/%20{movie}"),
        format!("/actors/+{actor}"),
    ] {
        let reply = app.delete(&path, ExecutiveProducer).await;
        assert_eq!(first_field(&reply), "id", "{path}");
    }
    let reply = app
        .get(&format!("/movie-details/+{movie}"), CastingAssistant)
        .await;
    assert_eq!(first_field(&reply), "id");

    // A `q` that is not UTF-8 once decoded (it used to become U+FFFD and match).
    for query in ["q=%FF", "q=%C3", "page=1&q=caf%E9"] {
        let reply = app.get(&format!("/movies?{query}"), CastingAssistant).await;
        assert_eq!(first_field(&reply), "q", "{query}");
    }
    let reply = app.get("/actors?q=%FE%FF", CastingAssistant).await;
    assert_eq!(first_field(&reply), "q");
    // …while any caller without a token still learns nothing.
    app.call(Method::GET, "/movies?q=%FF", None, None)
        .await
        .expect(401, "authorization_header_missing");

    // A repeated key (the last one used to win).
    let reply = raw(
        app,
        Method::POST,
        "/movies",
        Some("application/json"),
        br#"{"title": "A", "title": "B", "release_date": "08-02-2025"}"#.to_vec(),
    )
    .await;
    assert_eq!(first_field(&reply), "title");
    let reply = raw(
        app,
        Method::PATCH,
        &format!("/actors/{actor}"),
        Some("application/json"),
        br#"{"age": 30, "age": 31}"#.to_vec(),
    )
    .await;
    assert_eq!(first_field(&reply), "age");

    // `null` relation lists (they used to mean "absent").
    let reply = app
        .patch(
            &format!("/movies/{movie}"),
            ExecutiveProducer,
            json!({ "actors": null }),
        )
        .await;
    assert_eq!(first_field(&reply), "actors");
    let reply = app
        .patch(
            &format!("/actors/{actor}"),
            ExecutiveProducer,
            json!({ "movies": null }),
        )
        .await;
    assert_eq!(first_field(&reply), "movies");
    let reply = app
        .post(
            "/movies",
            ExecutiveProducer,
            json!({ "title": "T", "release_date": "08-02-2025", "actors": null }),
        )
        .await;
    assert_eq!(first_field(&reply), "actors");

    // Wrong types and bad dates name their field, without internal type names.
    let reply = app
        .post(
            "/movies",
            ExecutiveProducer,
            json!({ "title": "T", "release_date": "2025/02/08" }),
        )
        .await;
    assert_eq!(first_field(&reply), "release_date");
    let reply = app
        .post(
            "/actors",
            ExecutiveProducer,
            json!({ "name": "N", "age": "forty", "gender": "Male" }),
        )
        .await;
    assert_eq!(first_field(&reply), "age");
    let reply = app.get("/movies?page=two", CastingAssistant).await;
    assert_eq!(first_field(&reply), "page");

    // Nothing above changed anything.
    let kept = app.get(&format!("/movies/{movie}"), CastingAssistant).await;
    kept.expect(200, "");
    assert_eq!(kept.body["movie"]["actors"], json!([actor]));
    let kept = app.get(&format!("/actors/{actor}"), CastingAssistant).await;
    assert_eq!(kept.body["actor"]["age"], json!(40));
}

#[tokio::test]
async fn two_authorization_headers_are_an_invalid_header() {
    let app = TestApp::memory().await.expect("app");
    let token = TestApp::token(CastingAssistant);
    let request = app
        .http
        .get(format!("{}/movies", app.url))
        .header("authorization", format!("Bearer {token}"))
        .header("authorization", format!("Bearer {token}"));
    let reply = crate::support::read(request.send().await.unwrap()).await;
    reply.expect(401, "invalid_header");
    assert!(
        reply
            .header("www-authenticate")
            .is_some_and(|c| c.contains("invalid_token")),
        "{:?}",
        reply.headers
    );
}
