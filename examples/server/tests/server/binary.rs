//! The real `casting-server` binary: development mode with zero set-up, graceful shutdown, and
//! configuration errors that name their variable.

use casting_store_postgres::testing;
use serde_json::Value;

use crate::support::{Running, SETTINGS, database_named, server};

async fn get(base: &str, path: &str, token: &str) -> (u16, Value) {
    let response = reqwest::Client::new()
        .get(format!("{base}{path}"))
        .bearer_auth(token)
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn development_mode_serves_the_sample_with_a_printed_token_and_stops_on_sigterm() {
    let mut server = Running::start(&[("PORT", "0")]);
    let assistant = server.token("Casting Assistant");
    let producer = server.token("Executive Producer");
    let curl = server.wait_for("Try: curl ");
    assert!(curl.contains("/movies"), "{curl}");
    let base = server.wait_for("listening on ");
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");
    assert!(
        server.seen.iter().any(|l| l.contains("NOT FOR PRODUCTION")),
        "the warning is loud: {:#?}",
        server.seen
    );

    let (status, body) = get(&base, "/movies", &assistant).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["total"], 4, "the sample catalogue: {body}");
    let (status, body) = get(&base, "/actors/1", &assistant).await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = get(&base, "/movies", &producer).await;
    assert_eq!(status, 200);

    let status = server.terminate();
    assert!(status.success(), "graceful shutdown exits 0: {status:?}");
}

#[tokio::test]
async fn with_database_url_it_migrates_uses_postgresql_and_measures_pool_waits() {
    let Some((name, admin, _options)) = testing::empty_database().await else {
        return;
    };
    let database_url = database_named(&name);
    // One connection, so that concurrent requests queue for it.
    let mut server = Running::start(&[
        ("PORT", "0"),
        ("DATABASE_URL", database_url.as_str()),
        ("DEV_AUTH", "1"),
        ("DATABASE_POOL_SIZE", "1"),
    ]);
    let token = server.token("Casting Assistant");
    let metrics = server.wait_for("metrics on ");
    let base = server.wait_for("listening on ");
    let (status, body) = get(&base, "/movies", &token).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["total"], 0,
        "no sample data in a real database: {body}"
    );
    let ready = reqwest::get(format!("{base}/ready")).await.expect("ready");
    assert_eq!(ready.status().as_u16(), 200);

    let requests = (0..16).map(|_| get(&base, "/movies", &token));
    for (status, body) in futures_util::future::join_all(requests).await {
        assert_eq!(status, 200, "{body}");
    }
    let text = reqwest::get(&metrics)
        .await
        .expect("scrape")
        .text()
        .await
        .expect("text");
    assert_eq!(
        series(&text, "casting_db_pool_max_connections "),
        1.0,
        "{text}"
    );
    let acquires = series(&text, "casting_db_pool_acquire_seconds_count ");
    assert!(
        acquires >= 18.0,
        "every query takes a measured connection: {text}"
    );
    let quick = series(
        &text,
        r#"casting_db_pool_acquire_seconds_bucket{le="0.001"} "#,
    );
    assert!(
        quick < acquires,
        "16 requests on one connection: some waited over 1 ms ({quick} of {acquires} did not): {text}"
    );
    assert!(
        text.contains("casting_db_pool_pending_acquires 0"),
        "nobody waits at rest: {text}"
    );
    assert!(server.terminate().success());
    testing::drop_named(&admin, &name).await;
}

#[test]
fn bad_configuration_stops_start_up_with_one_line_naming_the_variable() {
    for (vars, variable) in [
        (&[("PORT", "eighty")][..], "PORT"),
        (&[("HOST", "0.0.0.0")][..], "HOST"),
        (
            &[("AUTH0_DOMAIN", "tenant.auth0.com")][..],
            "AUTH0_AUDIENCE",
        ),
        (&[("AUTH0_AUDIENCE", "https://api")][..], "AUTH0_AUDIENCE"),
        (&[("DATABASE_URL", "mysql://x")][..], "DATABASE_URL"),
        // Development auth over a real database only when asked for by name.
        (
            &[("DATABASE_URL", "postgres://127.0.0.1:1/casting")][..],
            "AUTH0_DOMAIN",
        ),
        (&[("RUST_LOG", "info,=[")][..], "RUST_LOG"),
        (
            &[
                ("AUTH0_DOMAIN", "tenant.auth0.com"),
                ("AUTH0_AUDIENCE", "https://api"),
                ("AUTH0_JWKS_URI", "http://keys.example/jwks.json"),
            ][..],
            "AUTH0_JWKS_URI",
        ),
    ] {
        let output = server(vars).output().expect("run");
        assert!(!output.status.success(), "{vars:?} must stop the server");
        let stderr = String::from_utf8_lossy(&output.stderr);
        let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
        assert_eq!(lines.len(), 1, "one line for {vars:?}: {stderr}");
        assert!(lines[0].contains(variable), "{vars:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn the_openapi_command_prints_the_spec() {
    let output = server(&[]).arg("openapi").output().expect("run");
    assert!(output.status.success());
    let spec: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(spec["openapi"], "3.0.0");
}

#[test]
fn help_lists_every_setting_with_its_variable_and_default() {
    let output = server(&[]).arg("--help").output().expect("run");
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    for name in SETTINGS {
        assert!(
            help.contains(&format!("[env: {name}")),
            "{name} in:\n{help}"
        );
    }
    assert!(help.contains("[default: 8080]"), "{help}");
    assert!(help.contains("serve") && help.contains("openapi"), "{help}");
    let sub = server(&[])
        .args(["openapi", "--help"])
        .output()
        .expect("run");
    assert!(sub.status.success());
    assert!(String::from_utf8_lossy(&sub.stdout).contains("OpenAPI"));
}

#[test]
fn version_prints_the_version() {
    let output = server(&[]).arg("--version").output().expect("run");
    assert!(output.status.success());
    let text = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        text.trim(),
        format!("casting-server {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn a_bad_flag_value_is_one_line_naming_the_setting() {
    let output = server(&[])
        .args(["--port", "eighty"])
        .output()
        .expect("run");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(lines[0].contains("PORT"), "{stderr}");
}

#[tokio::test]
async fn flags_set_the_server_and_json_logs_have_no_colour_codes() {
    let mut server = Running::start_with(&[("LOG_FORMAT", "json")], &["--port", "0", "serve"]);
    let base = server.wait_for("listening on ");
    let at = server
        .seen
        .iter()
        .position(|l| l.starts_with("Casting Assistant may: "))
        .expect("the role line");
    let token = server.seen[at + 1].clone();
    let (status, _) = get(&base, "/movies/1", &token).await;
    assert_eq!(status, 200);
    // The request's line: one JSON object with its route, status, latency and id.
    let served = loop {
        let line = server.next_line();
        if line.contains("\"served\"") {
            break serde_json::from_str::<Value>(&line).expect("a JSON log line");
        }
    };
    assert_eq!(served["fields"]["status"], 200, "{served}");
    assert!(served["fields"]["latency_ms"].is_string(), "{served}");
    assert_eq!(served["span"]["route"], "/movies/{id}", "{served}");
    assert_eq!(served["span"]["path"], "/movies/1", "{served}");
    assert!(served["span"]["request_id"].is_string(), "{served}");
    let seen = server.seen.clone();
    let status = server.terminate();
    assert!(status.success());
    let logs: Vec<Value> = seen
        .iter()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).expect("a JSON log line"))
        .collect();
    assert!(
        logs.iter()
            .any(|l| l["level"] == "WARN" && l["fields"]["message"].is_string()),
        "JSON log lines: {seen:#?}"
    );
    assert!(
        seen.iter().all(|l| !l.contains('\u{1b}')),
        "no ANSI codes when stdout is not a terminal: {seen:#?}"
    );
}

/// Started on the Flask app's database, the server stops with one line naming
/// `casting-server adopt`; `casting-server adopt` reports, and `--apply` converts it so the
/// server starts on it.
#[tokio::test]
async fn a_flask_database_is_refused_until_adopted_by_the_adopt_command() {
    let Some((name, admin, options)) = testing::empty_database().await else {
        return;
    };
    {
        use sqlx::ConnectOptions;
        let mut conn = options.connect().await.expect("connect");
        sqlx::raw_sql(testing::FLASK_SCHEMA)
            .execute(&mut conn)
            .await
            .expect("the Flask schema");
        sqlx::raw_sql(
            "INSERT INTO movies (title, release_date) VALUES (' Alien ', '1979-05-25');
             INSERT INTO actors (name, age, gender) VALUES ('Sigourney Weaver', 40, 'FEMALE');
             INSERT INTO actors_movies (actor_id, movie_id) VALUES (1, 1);",
        )
        .execute(&mut conn)
        .await
        .expect("rows");
    }
    let database_url = database_named(&name);
    let vars = [
        ("PORT", "0"),
        ("DATABASE_URL", database_url.as_str()),
        ("DEV_AUTH", "1"),
    ];

    let output = server(&vars).output().expect("run");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("casting-server:"))
        .collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(lines[0].contains("casting-server adopt"), "{stderr}");

    let report = server(&vars).arg("adopt").output().expect("run");
    assert!(report.status.success(), "{report:?}");
    let stdout = String::from_utf8_lossy(&report.stdout);
    assert!(stdout.contains("trim: movie 1 title"), "{stdout}");
    assert!(stdout.contains("dry run: nothing was changed"), "{stdout}");

    let applied = server(&vars)
        .args(["adopt", "--apply"])
        .output()
        .expect("run");
    assert!(applied.status.success(), "{applied:?}");
    let again = server(&vars)
        .args(["adopt", "--apply"])
        .output()
        .expect("run");
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already has this server's schema"));

    let mut server = Running::start(&vars);
    let token = server.token("Casting Assistant");
    let base = server.wait_for("listening on ");
    let (status, body) = get(&base, "/movies/1", &token).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["movie"]["title"], "Alien");
    assert_eq!(body["movie"]["actors"], serde_json::json!([1]));
    assert!(server.terminate().success());
    testing::drop_named(&admin, &name).await;
}

/// Every request body's example in the spec (what Swagger UI's Try it out fills in) succeeds
/// as shown against the development server's sample catalogue, with id 2 in the path.
#[tokio::test]
async fn every_body_example_in_the_spec_succeeds_against_the_sample() {
    let mut server = Running::start(&[("PORT", "0")]);
    let producer = server.token("Executive Producer");
    let base = server.wait_for("listening on ");
    let client = reqwest::Client::new();
    let spec: Value = client
        .get(format!("{base}/openapi.json"))
        .send()
        .await
        .expect("spec")
        .json()
        .await
        .expect("json");
    let mut tried = 0;
    for (path, methods) in spec["paths"].as_object().expect("paths") {
        for (method, operation) in methods.as_object().expect("methods") {
            let Some(content) = operation["requestBody"]["content"].as_object() else {
                continue;
            };
            let schema = &content.values().next().expect("a media type")["schema"];
            let name = schema["$ref"]
                .as_str()
                .and_then(|r| r.rsplit('/').next())
                .expect("a named body schema");
            let example = &spec["components"]["schemas"][name]["example"];
            assert!(
                example.is_object(),
                "{method} {path}: {name} has an example"
            );
            let url = format!("{base}{}", path.replace("{id}", "2"));
            let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let response = client
                .request(method.clone(), &url)
                .bearer_auth(&producer)
                .json(example)
                .send()
                .await
                .expect("request");
            let status = response.status().as_u16();
            let body: Value = response.json().await.unwrap_or(Value::Null);
            assert_eq!(status, 200, "{method} {path} with {example}: {body}");
            tried += 1;
        }
    }
    assert_eq!(
        tried, 5,
        "POST and PATCH of both resources, and PUT of a cast"
    );
    assert!(server.terminate().success());
}

/// What Swagger UI's Try it out fills in on the lists (every parameter's `example`) hides none of
/// the sample catalogue, and no header is prefilled (a prefilled `Idempotency-Key` would make a
/// second create a replay of the first).
#[tokio::test]
async fn parameter_examples_in_the_spec_hide_nothing_of_the_sample() {
    let mut server = Running::start(&[("PORT", "0")]);
    let producer = server.token("Executive Producer");
    let base = server.wait_for("listening on ");
    let spec: Value = reqwest::get(format!("{base}/openapi.json"))
        .await
        .expect("spec")
        .json()
        .await
        .expect("json");
    let mut lists = 0;
    for (path, methods) in spec["paths"].as_object().expect("paths") {
        for (method, operation) in methods.as_object().expect("methods") {
            let parameters = operation["parameters"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            for parameter in &parameters {
                let example = parameter
                    .get("example")
                    .or_else(|| parameter["schema"].get("example"));
                if parameter["in"] == "header" {
                    assert!(example.is_none(), "{method} {path}: {parameter}");
                }
            }
            let paged = parameters.iter().any(|p| p["name"] == "per_page");
            if method != "get" || !paged {
                continue;
            }
            let filled: Vec<String> = parameters
                .iter()
                .filter(|p| p["in"] == "query")
                .filter_map(|p| {
                    let example = p.get("example").or_else(|| p["schema"].get("example"))?;
                    let value = example.as_str().map_or(example.to_string(), str::to_owned);
                    Some(format!("{}={value}", p["name"].as_str()?))
                })
                .collect();
            let (status, bare) = get(&base, path, &producer).await;
            assert_eq!(status, 200, "{path}: {bare}");
            let url = format!("{path}?{}", filled.join("&"));
            let (status, tried) = get(&base, &url, &producer).await;
            assert_eq!(status, 200, "{url}: {tried}");
            assert!(
                bare["total"].as_u64().is_some_and(|n| n > 0),
                "{path}: {bare}"
            );
            assert_eq!(
                tried["total"], bare["total"],
                "{url} hides part of the sample"
            );
            lists += 1;
        }
    }
    assert_eq!(lists, 3, "the movies, the actors and the audit trail");
    assert!(server.terminate().success());
}

/// The value of the first series in a Prometheus text exposition whose line starts with
/// `prefix` (a name with its labels), or 0 when there is none yet.
fn series(text: &str, prefix: &str) -> f64 {
    text.lines()
        .find(|line| line.starts_with(prefix))
        .and_then(|line| line.rsplit(' ').next())
        .and_then(|value| value.parse().ok())
        .unwrap_or(0.0)
}

#[tokio::test]
async fn metrics_are_served_on_their_own_listener_and_move_with_requests() {
    let mut server = Running::start(&[("PORT", "0")]);
    let token = server.token("Casting Assistant");
    let metrics = server.wait_for("metrics on ");
    let base = server.wait_for("listening on ");
    assert!(metrics.starts_with("http://127.0.0.1:"), "{metrics}");
    assert!(
        !metrics.starts_with(&base),
        "a listener of its own: {metrics}"
    );
    let scrape = || async {
        let response = reqwest::get(&metrics).await.expect("scrape");
        assert_eq!(response.status().as_u16(), 200);
        let kind = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(kind.starts_with("text/plain"), "{kind}");
        response.text().await.expect("text")
    };

    let ok = r#"casting_http_requests_total{route="/movies/{id}",method="GET",status="200"}"#;
    let missing = r#"casting_http_requests_total{route="/movies/{id}",method="GET",status="404"}"#;
    let unauthorized = r#"casting_http_requests_total{route="/movies",method="GET",status="401"}"#;
    let verified = r#"casting_token_verifications_total{outcome="ok"}"#;
    let before = scrape().await;
    for _ in 0..3 {
        assert_eq!(get(&base, "/movies/1", &token).await.0, 200);
    }
    assert_eq!(get(&base, "/movies/999", &token).await.0, 404);
    let refused = reqwest::get(format!("{base}/movies")).await.expect("get");
    assert_eq!(refused.status().as_u16(), 401);
    let after = scrape().await;

    assert_eq!(series(&after, ok) - series(&before, ok), 3.0, "{after}");
    assert_eq!(series(&after, missing) - series(&before, missing), 1.0);
    assert_eq!(
        series(&after, unauthorized) - series(&before, unauthorized),
        1.0
    );
    assert!(
        series(&after, verified) >= series(&before, verified) + 4.0,
        "{after}"
    );
    assert!(
        series(&after, "casting_token_cache_hits_total") >= 3.0,
        "{after}"
    );
    let bucket = r#"casting_http_request_duration_seconds_bucket{route="/movies/{id}",method="GET",le="+Inf"}"#;
    assert!(
        series(&after, bucket) >= 4.0,
        "a latency histogram: {after}"
    );
    assert!(
        after.contains("casting_http_requests_in_flight"),
        "an in-flight gauge: {after}"
    );
    assert!(server.terminate().success());
}
