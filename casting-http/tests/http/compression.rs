//! Compressed answers: negotiated by `Accept-Encoding`, with `Vary`, only for bodies worth it;
//! compressed requests are not inflated.

use std::io::Read;

use casting_core::Role::{CastingAssistant, ExecutiveProducer};
use reqwest::Method;

use crate::support::TestApp;

async fn raw(app: &TestApp, path: &str, encoding: Option<&str>) -> reqwest::Response {
    let mut request = app
        .http
        .get(format!("{}{path}", app.url))
        .bearer_auth(TestApp::token(CastingAssistant));
    if let Some(encoding) = encoding {
        request = request.header("accept-encoding", encoding);
    }
    request.send().await.expect("request")
}

fn header(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

fn inflate(coding: &str, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    match coding {
        "gzip" => flate2::read::GzDecoder::new(body).read_to_end(&mut out),
        "br" => brotli::Decompressor::new(body, 4096).read_to_end(&mut out),
        other => panic!("unexpected coding {other}"),
    }
    .expect("inflate");
    out
}

async fn large_answers_are_compressed_as_the_client_prefers(app: &TestApp) {
    for i in 0..40 {
        app.movie(&format!("A movie with a long enough title {i}"), &[])
            .await;
    }
    let path = "/movies?per_page=40";
    let plain = raw(app, path, None).await;
    assert_eq!(header(&plain, "content-encoding"), "");
    assert!(header(&plain, "vary").contains("accept-encoding"));
    let plain = plain.bytes().await.unwrap();
    assert!(plain.len() > 1024, "{} bytes", plain.len());
    for (asked, coding) in [
        ("gzip", "gzip"),
        ("gzip, deflate, br", "br"),
        ("br;q=0.2, gzip", "gzip"),
    ] {
        let response = raw(app, path, Some(asked)).await;
        assert_eq!(response.status().as_u16(), 200);
        assert_eq!(header(&response, "content-encoding"), coding, "{asked}");
        assert!(header(&response, "vary").contains("accept-encoding"));
        let body = response.bytes().await.unwrap();
        assert!(
            body.len() < plain.len() / 3,
            "{asked}: {} of {}",
            body.len(),
            plain.len()
        );
        assert_eq!(inflate(coding, &body), plain, "{asked}");
    }
    let refused = raw(app, path, Some("br;q=0, gzip;q=0")).await;
    assert_eq!(header(&refused, "content-encoding"), "");
}

async fn small_answers_and_304s_go_out_as_they_are(app: &TestApp) {
    let id = app.movie("Small", &[]).await;
    let small = raw(app, &format!("/movies/{id}"), Some("gzip, br")).await;
    assert_eq!(small.status().as_u16(), 200);
    assert_eq!(header(&small, "content-encoding"), "", "under 1 KiB");
    assert!(header(&small, "vary").contains("accept-encoding"));
    let error = raw(app, "/movies/999999", Some("gzip")).await;
    assert_eq!(error.status().as_u16(), 404);
    assert_eq!(header(&error, "content-encoding"), "");
    let tag = header(&raw(app, &format!("/movies/{id}"), None).await, "etag");
    let cached = app
        .http
        .get(format!("{}/movies/{id}", app.url))
        .bearer_auth(TestApp::token(CastingAssistant))
        .header("accept-encoding", "gzip")
        .header("if-none-match", tag)
        .send()
        .await
        .unwrap();
    assert_eq!(cached.status().as_u16(), 304);
    assert_eq!(header(&cached, "content-encoding"), "");
}

async fn a_compressed_request_body_is_not_inflated(app: &TestApp) {
    let body = br#"{"title": "Zipped", "release_date": "08-02-2025"}"#;
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gzip, body).unwrap();
    let zipped = gzip.finish().unwrap();
    let response = app
        .http
        .request(Method::POST, format!("{}/movies", app.url))
        .bearer_auth(TestApp::token(ExecutiveProducer))
        .header("content-type", "application/json")
        .header("content-encoding", "gzip")
        .body(zipped)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 400);
    let list = app.get("/movies", CastingAssistant).await;
    assert_eq!(list.body["total"], 0, "nothing was created");
}

on_both_stores!(
    large_answers_are_compressed_as_the_client_prefers,
    small_answers_and_304s_go_out_as_they_are,
    a_compressed_request_body_is_not_inflated,
);

/// Swagger UI goes out compressed from the first request, and at the densest settings once those
/// are made on a thread of their own (no request waits for them).
#[tokio::test]
async fn swagger_ui_is_compressed_at_once_and_densest_once_made() {
    let app = TestApp::memory().await.unwrap();
    let plain = raw(&app, "/docs", None).await.bytes().await.unwrap();
    let fetch = |coding: &'static str| {
        let app = &app;
        let plain = &plain;
        async move {
            let response = raw(app, "/docs", Some(coding)).await;
            assert_eq!(response.status().as_u16(), 200);
            assert_eq!(header(&response, "content-encoding"), coding);
            assert!(header(&response, "vary").contains("accept-encoding"));
            let body = response.bytes().await.unwrap();
            assert_eq!(inflate(coding, &body), *plain, "{coding}");
            body.len()
        }
    };
    let brotli = fetch("br").await;
    let quick = fetch("gzip").await;
    // gzip's densest (level 9) is smaller than its quick level (1); brotli's takes half a
    // minute in a debug build, so only gzip's is awaited here.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    let densest = loop {
        let size = fetch("gzip").await;
        if size < quick {
            break size;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "gzip's densest form was never kept ({size} bytes each time)"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    };
    assert_eq!(fetch("gzip").await, densest, "kept");
    println!(
        "/docs: {} bytes; br {brotli} at first; gzip {quick} at first, {densest} once kept",
        plain.len()
    );
}
