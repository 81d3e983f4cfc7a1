//! The host application over HTTP on a loopback port, and the library used directly.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use casting_core::{
    CastingService, MovieInput, Principal, ReleaseDate, Role, Store, TokenVerifier,
};
use casting_embedding::{ApiKeys, host, metered, recent_movies};
use casting_store_memory::MemoryStore;
use poem::listener::{Acceptor, Listener, TcpListener};
use serde_json::{Value, json};

fn keys() -> ApiKeys {
    ApiKeys::new([
        ("producer-key", "key:producer", Role::ExecutiveProducer),
        ("assistant-key", "key:assistant", Role::CastingAssistant),
    ])
}

/// The host on `127.0.0.1:0`; its base URL.
async fn serve(store: Arc<dyn Store>) -> String {
    let acceptor = TcpListener::bind("127.0.0.1:0")
        .into_acceptor()
        .await
        .expect("bind");
    let addr = acceptor.local_addr()[0]
        .as_socket_addr()
        .copied()
        .expect("a TCP address");
    tokio::spawn(poem::Server::new_with_acceptor(acceptor).run(host(store, keys())));
    format!("http://{addr}")
}

async fn call(
    method: reqwest::Method,
    url: String,
    key: Option<&str>,
    body: Option<Value>,
) -> (u16, Value, String) {
    let client = reqwest::Client::new();
    let mut request = client.request(method, url);
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    let text = response.text().await.expect("body");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::Null),
        text,
    )
}

/// The contract's error shape, with this status and code.
#[track_caller]
fn assert_error(reply: &(u16, Value, String), status: u16, code: &str) {
    let (got, body, text) = reply;
    assert_eq!(*got, status, "{text}");
    assert_eq!(body["success"], json!(false), "{text}");
    assert_eq!(body["error"], json!(status), "{text}");
    assert_eq!(body["code"], json!(code), "{text}");
    assert!(
        body["message"].is_string() && body["details"].is_object(),
        "{text}"
    );
}

#[tokio::test]
async fn the_api_answers_under_its_prefix_with_api_keys() {
    let base = serve(Arc::new(MemoryStore::new())).await;
    let created = call(
        reqwest::Method::POST,
        format!("{base}/casting/movies"),
        Some("producer-key"),
        Some(json!({ "title": "Embedded", "release_date": "2025-02-08" })),
    )
    .await;
    assert_eq!(created.0, 200, "{}", created.2);
    let listed = call(
        reqwest::Method::GET,
        format!("{base}/casting/movies"),
        Some("assistant-key"),
        None,
    )
    .await;
    assert_eq!(
        listed.1["movies"][0]["title"],
        json!("Embedded"),
        "{}",
        listed.2
    );

    assert_error(
        &call(
            reqwest::Method::GET,
            format!("{base}/casting/movies"),
            None,
            None,
        )
        .await,
        401,
        "authorization_header_missing",
    );
    let unknown = call(
        reqwest::Method::GET,
        format!("{base}/casting/movies"),
        Some("guessed"),
        None,
    )
    .await;
    assert_error(&unknown, 401, "invalid_token");
    assert_eq!(
        unknown.1["details"]["reason"],
        json!("the credential is not recognised")
    );
    assert_error(
        &call(
            reqwest::Method::DELETE,
            format!("{base}/casting/movies/1"),
            Some("assistant-key"),
            None,
        )
        .await,
        403,
        "insufficient_permission",
    );
    assert_error(
        &call(
            reqwest::Method::GET,
            format!("{base}/casting/movies/99"),
            Some("assistant-key"),
            None,
        )
        .await,
        404,
        "not_found",
    );
    assert_error(
        &call(
            reqwest::Method::PUT,
            format!("{base}/casting/movies"),
            Some("assistant-key"),
            None,
        )
        .await,
        405,
        "method_not_allowed",
    );
    assert_error(
        &call(
            reqwest::Method::POST,
            format!("{base}/casting/movies"),
            Some("producer-key"),
            Some(json!({ "title": " ", "release_date": "2025-02-08" })),
        )
        .await,
        422,
        "validation_failed",
    );
}

#[tokio::test]
async fn the_hosts_own_endpoint_answers_in_the_apis_shape() {
    let base = serve(Arc::new(MemoryStore::new())).await;
    assert_error(
        &call(reqwest::Method::GET, format!("{base}/stats"), None, None).await,
        401,
        "authorization_header_missing",
    );
    assert_error(
        &call(
            reqwest::Method::GET,
            format!("{base}/stats"),
            Some("guessed"),
            None,
        )
        .await,
        401,
        "invalid_token",
    );
    let refused = call(
        reqwest::Method::GET,
        format!("{base}/stats"),
        Some("assistant-key"),
        None,
    )
    .await;
    assert_error(&refused, 403, "insufficient_permission");
    assert_eq!(refused.1["details"]["permission"], json!("get:audit"));

    for _ in 0..3 {
        call(
            reqwest::Method::GET,
            format!("{base}/casting/movies"),
            Some("assistant-key"),
            None,
        )
        .await;
    }
    let stats = call(
        reqwest::Method::GET,
        format!("{base}/stats"),
        Some("producer-key"),
        None,
    )
    .await;
    assert_eq!(stats.0, 200, "{}", stats.2);
    assert_eq!(stats.1, json!({ "movie_reads": 3, "movie_creates": 0 }));
}

#[tokio::test]
async fn the_nested_spec_and_swagger_ui_name_the_prefix() {
    let base = serve(Arc::new(MemoryStore::new())).await;
    let (status, spec, text) = call(
        reqwest::Method::GET,
        format!("{base}/casting/openapi.json"),
        None,
        None,
    )
    .await;
    assert_eq!(status, 200, "{text}");
    assert_eq!(spec["servers"][0]["url"], json!("/casting"));
    let scheme = &spec["components"]["securitySchemes"]["bearerAuth"];
    assert!(
        scheme["description"]
            .as_str()
            .unwrap_or_default()
            .contains("API key"),
        "{scheme}"
    );
    assert!(scheme.get("bearerFormat").is_none());
    let (status, _, page) = call(
        reqwest::Method::GET,
        format!("{base}/casting/docs"),
        None,
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        page.contains(r#""url": "/casting""#),
        "Swagger UI's document names the prefix"
    );
    assert!(page.contains("API key"));
}

#[tokio::test]
async fn typed_queries_and_the_decorator_work_through_the_service() {
    let (store, counts) = metered(Arc::new(MemoryStore::new()));
    let service = CastingService::new(store);
    let producer = Principal::with_role("key:producer", Role::ExecutiveProducer);
    for (title, date) in [
        ("Old", "1999-01-01"),
        ("Newer", "2024-05-01"),
        ("Newest", "2025-06-01"),
    ] {
        service
            .create_movie(
                &producer,
                MovieInput {
                    title: title.into(),
                    release_date: ReleaseDate::parse(date).expect("date"),
                    actors: vec![],
                },
            )
            .await
            .expect("created");
    }
    let since = ReleaseDate::parse("2020-01-01").expect("date");
    let page = recent_movies(&service, &producer, since)
        .await
        .expect("listed");
    let titles: Vec<&str> = page.items.iter().map(|m| m.title.as_str()).collect();
    assert_eq!(titles, ["Newest", "Newer"]);
    assert_eq!(page.total, Some(2));
    assert_eq!(counts.movie_creates.load(Ordering::Relaxed), 3);
    assert_eq!(counts.movie_reads.load(Ordering::Relaxed), 1);

    let nobody = Principal::new("key:none", Default::default());
    assert!(matches!(
        recent_movies(&service, &nobody, since).await,
        Err(casting_core::Error::Forbidden { .. })
    ));
    // Permission before anything else: the decorator never saw the refused list.
    assert_eq!(counts.movie_reads.load(Ordering::Relaxed), 1);
}

#[tokio::test]
async fn api_keys_verify_and_refuse_neutrally() {
    let keys = keys();
    let who = keys.verify("producer-key").await.expect("known");
    assert_eq!(who.subject(), "key:producer");
    assert!(matches!(
        keys.verify("nope").await,
        Err(casting_core::AuthError::Unrecognized)
    ));
    assert!(
        !format!("{keys:?}").contains("producer-key"),
        "keys never show in Debug"
    );
}
