//! The server's rate limits, set through its settings.

use crate::support::Running;

/// The rate-limit settings reach the server: a subject over its burst gets 429 with
/// `Retry-After` and the `RateLimit` headers, and the metric counts it.
#[tokio::test]
async fn rate_limit_settings_reach_the_server() {
    let mut server = Running::start(&[
        ("PORT", "0"),
        ("RATE_LIMIT_PER_MINUTE", "60"),
        ("RATE_LIMIT_BURST", "2"),
    ]);
    let token = server.token("Casting Assistant");
    let metrics = server.wait_for("metrics on ");
    let base = server.wait_for("listening on ");
    let client = reqwest::Client::new();
    let mut statuses = Vec::new();
    let mut last = None;
    for _ in 0..3 {
        let response = client
            .get(format!("{base}/movies"))
            .bearer_auth(&token)
            .send()
            .await
            .expect("request");
        statuses.push(response.status().as_u16());
        last = Some(response);
    }
    assert_eq!(statuses, [200, 200, 429]);
    let refused = last.expect("a response");
    let header = |name: &str| {
        refused
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    assert_eq!(header("retry-after").as_deref(), Some("1"));
    assert_eq!(
        header("ratelimit-policy").as_deref(),
        Some("\"subject\";q=60;w=60")
    );
    let text = reqwest::get(&metrics)
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    assert!(
        text.contains("casting_rate_limited_total{reason=\"subject\"} 1"),
        "{text}"
    );
    assert!(server.terminate().success());
}
