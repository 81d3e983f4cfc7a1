//! Swagger UI at `/docs` in a real browser: Debian's Chromium driven through chromedriver
//! (WebDriver), against the development server, as a newcomer would use it.
//!
//! Without `chromium` and `chromedriver` on `PATH` (or at `CHROME_BIN` and `CHROMEDRIVER`) the
//! test says it was skipped and passes; under `CI=true` it fails instead.

use std::io::{BufRead, BufReader, Write};
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::wd::{Capabilities, WebDriverCompatibleCommand};
use fantoccini::{Client, ClientBuilder, Locator};
use futures_util::FutureExt;
use serde_json::{Value, json};

use crate::support::Running;

/// How long one step (a page load, a click's effect, an answer) may take.
const STEP: Duration = Duration::from_secs(30);

/// `variable`'s path when set, else the first of `names` on `PATH`.
fn program(variable: &str, names: &[&str]) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(variable) {
        return Some(PathBuf::from(path)).filter(|path| path.is_file());
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// The browser and its driver, or `None` after saying the test is skipped.
fn programs() -> Option<(PathBuf, PathBuf)> {
    let browser = program(
        "CHROME_BIN",
        &["chromium", "chromium-browser", "google-chrome"],
    );
    let driver = program("CHROMEDRIVER", &["chromedriver"]);
    if let (Some(browser), Some(driver)) = (browser, driver) {
        return Some((browser, driver));
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "CI=true but chromium or chromedriver is missing: .ci/run installs them with apt"
    );
    // Straight to stderr, past the test harness's capture, so it is seen.
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED: browser test (chromium and chromedriver are not both installed; \
         apt-get install chromium chromium-driver)"
    );
    None
}

/// chromedriver on a free loopback port, stopped when dropped.
struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    fn start(path: &PathBuf) -> Self {
        let mut child = Command::new(path)
            .arg("--port=0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let stdout = child.stdout.take().expect("stdout");
        let (send, lines) = mpsc::channel();
        // Read every line, so that the driver never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = send.send(line);
            }
        });
        let deadline = Instant::now() + STEP;
        let port = loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = lines
                .recv_timeout(left)
                .expect("chromedriver says which port it took");
            if let Some(rest) = line.split("started successfully on port ").nth(1) {
                break rest.trim_end_matches('.').to_owned();
            }
        };
        Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// chromedriver's log read-out (`POST /session/{id}/se/log`): the entries of one log type since
/// the last read.
#[derive(Debug)]
struct ReadLog(&'static str);

impl WebDriverCompatibleCommand for ReadLog {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/se/log",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({ "type": self.0 }).to_string();
        (http::Method::POST, Some(body))
    }
}

/// Every URL the page asked for since the last call (from the DevTools network events).
async fn requested_urls(client: &Client) -> Vec<String> {
    let entries = client
        .issue_cmd(ReadLog("performance"))
        .await
        .expect("the performance log");
    let mut urls = Vec::new();
    for entry in entries.as_array().expect("log entries") {
        let message: Value =
            serde_json::from_str(entry["message"].as_str().unwrap_or("{}")).unwrap_or_default();
        let event = &message["message"];
        if event["method"] == "Network.requestWillBeSent"
            && let Some(url) = event["params"]["request"]["url"].as_str()
        {
            urls.push(url.to_owned());
        }
    }
    urls
}

/// Whether a request to `url` stays on this machine (inline `data:` URLs make no request).
fn stays_on_loopback(url: &str) -> bool {
    if url.starts_with("data:") || url.starts_with("blob:") {
        return true;
    }
    url::Url::parse(url)
        .is_ok_and(|url| matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]")))
}

/// Headless Chromium with its console and network events logged.
fn capabilities(browser: &PathBuf) -> Capabilities {
    let capabilities = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": browser,
            "args": [
                "--headless=new",
                // As root (CI), Chromium's sandbox cannot start.
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--window-size=1400,1000",
            ],
        },
        "goog:loggingPrefs": { "browser": "ALL", "performance": "ALL" },
    });
    match capabilities {
        Value::Object(map) => map,
        _ => unreachable!("an object"),
    }
}

/// The first element under `parent` matching `css`, once it exists.
async fn find_in(parent: &Element, css: &str) -> Element {
    let deadline = Instant::now() + STEP;
    loop {
        if let Ok(found) = parent.find(Locator::Css(css)).await {
            return found;
        }
        assert!(Instant::now() < deadline, "no {css:?} within {STEP:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The first element of the page matching `css`, once it exists.
async fn find(client: &Client, css: &str) -> Element {
    client
        .wait()
        .at_most(STEP)
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|error| panic!("no {css:?} within {STEP:?}: {error}"))
}

/// Opens an operation (`operations-{tag}-{operationId}`) and turns on Try it out.
async fn try_it_out(client: &Client, id: &str) -> Element {
    let operation = find(client, &format!("#{id}")).await;
    find_in(&operation, ".opblock-summary-control")
        .await
        .click()
        .await
        .expect("open the operation");
    find_in(&operation, ".try-out__btn")
        .await
        .click()
        .await
        .expect("Try it out");
    operation
}

/// Executes an opened operation; the status and the body Swagger UI shows.
async fn execute(operation: &Element) -> (u16, Value) {
    find_in(operation, ".execute")
        .await
        .click()
        .await
        .expect("Execute");
    let status = find_in(
        operation,
        ".live-responses-table tbody .response-col_status",
    )
    .await
    .prop("textContent")
    .await
    .expect("the status")
    .unwrap_or_default();
    let body = find_in(
        operation,
        ".live-responses-table tbody .response-col_description pre",
    )
    .await
    .prop("textContent")
    .await
    .expect("the body")
    .unwrap_or_default();
    let status = status
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("a status: {status:?}"));
    (
        status,
        serde_json::from_str(&body).unwrap_or(Value::String(body)),
    )
}

/// The steps a newcomer takes; panics on the first that fails.
async fn newcomer(client: &Client, base: &str, token: &str) {
    let api = reqwest::Client::new();
    let list = || async {
        let response = api
            .get(format!("{base}/movies?per_page=100"))
            .bearer_auth(token)
            .send()
            .await
            .expect("GET /movies");
        response.json::<Value>().await.expect("json")
    };
    let sample = list().await;
    let mut titles: Vec<&str> = sample["movies"]
        .as_array()
        .expect("movies")
        .iter()
        .filter_map(|movie| movie["title"].as_str())
        .collect();
    titles.sort_unstable();
    assert!(!titles.is_empty(), "a sample catalogue: {sample}");

    client
        .goto(&format!("{base}/docs"))
        .await
        .expect("open /docs");
    find(client, "button.authorize")
        .await
        .click()
        .await
        .expect("Authorize");
    find(client, "#auth-bearer-value")
        .await
        .send_keys(token)
        .await
        .expect("paste the token");
    find(client, ".auth-btn-wrapper button.authorize")
        .await
        .click()
        .await
        .expect("apply the token");
    find(client, ".auth-btn-wrapper button.btn-done")
        .await
        .click()
        .await
        .expect("close the dialog");

    let operation = try_it_out(client, "operations-Movies-listMovies").await;
    let (status, body) = execute(&operation).await;
    assert_eq!(status, 200, "GET /movies from Swagger UI: {body}");
    assert_eq!(body["total"], sample["total"], "the whole sample: {body}");
    let mut shown: Vec<&str> = body["movies"]
        .as_array()
        .unwrap_or_else(|| panic!("movies: {body}"))
        .iter()
        .filter_map(|movie| movie["title"].as_str())
        .collect();
    shown.sort_unstable();
    assert_eq!(shown, titles);

    let operation = try_it_out(client, "operations-Movies-createMovie").await;
    let prefilled = find_in(&operation, "textarea.body-param__text")
        .await
        .prop("value")
        .await
        .expect("the body")
        .unwrap_or_default();
    let example: Value = serde_json::from_str(&prefilled).expect("a JSON example");
    let (status, body) = execute(&operation).await;
    assert_eq!(status, 200, "POST /movies with {example}: {body}");
    assert_eq!(body["success"], true, "{body}");
    assert_eq!(body["movie"]["title"], example["title"], "{body}");
    let after = list().await;
    assert_eq!(
        after["total"].as_u64(),
        sample["total"].as_u64().map(|n| n + 1),
        "the create was made: {after}"
    );

    let urls = requested_urls(client).await;
    assert!(
        urls.iter()
            .any(|url| url.starts_with(&format!("{base}/movies"))),
        "the log holds the page's API calls: {urls:#?}"
    );
    let outside: Vec<&String> = urls.iter().filter(|url| !stays_on_loopback(url)).collect();
    assert!(
        outside.is_empty(),
        "requests that left loopback: {outside:#?}"
    );

    // No script error on the console; the one error allowed is the browser's own favicon request
    // (the API has no `/favicon.ico`, so it is a 404).
    let console = client
        .issue_cmd(ReadLog("browser"))
        .await
        .expect("the console log");
    let errors: Vec<&Value> = console
        .as_array()
        .expect("console entries")
        .iter()
        .filter(|entry| entry["level"] == "SEVERE")
        .filter(|entry| {
            !entry["message"]
                .as_str()
                .is_some_and(|m| m.contains("/favicon.ico"))
        })
        .collect();
    assert!(errors.is_empty(), "console errors: {errors:#?}");
}

#[tokio::test]
async fn swagger_ui_authorizes_lists_and_creates_with_a_printed_token_offline() {
    let Some((browser, driver_path)) = programs() else {
        return;
    };
    let mut server = Running::start(&[("PORT", "0"), ("METRICS_ADDR", "off")]);
    let token = server.token("Executive Producer");
    let base = server.wait_for("listening on ");
    let driver = Driver::start(&driver_path);
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    let client = ClientBuilder::new(connector)
        .capabilities(capabilities(&browser))
        .connect(&driver.url)
        .await
        .expect("a browser session");

    let outcome = AssertUnwindSafe(newcomer(&client, &base, &token))
        .catch_unwind()
        .await;
    if outcome.is_err() {
        let shot = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("swagger-ui-failure.png");
        if let Ok(png) = client.screenshot().await {
            let _ = std::fs::write(&shot, png);
            let _ = writeln!(std::io::stderr(), "screenshot: {}", shot.display());
        }
    }
    let _ = client.close().await;
    drop(driver);
    assert!(server.terminate().success());
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}
