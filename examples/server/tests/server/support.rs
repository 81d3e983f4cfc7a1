//! What the tests of the real `casting-server` binary share: a clean environment, a started
//! server whose printed lines can be read, and a graceful stop.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Every setting's variable (the server reads these, and nothing else of ours).
pub const SETTINGS: [&str; 26] = [
    "HOST",
    "PORT",
    "DATABASE_URL",
    "DATABASE_POOL_SIZE",
    "DATABASE_POOL_TIMEOUT_SECS",
    "AUTH0_DOMAIN",
    "DEV_AUTH",
    "AUTH0_AUDIENCE",
    "API_AUDIENCE",
    "AUTH0_ISSUER",
    "AUTH0_JWKS_URI",
    "TOKEN_CACHE_MAX_BYTES",
    "CORS_ALLOWED_ORIGINS",
    "MAX_CONNECTIONS",
    "HEADER_TIMEOUT_SECS",
    "KEEP_ALIVE_TIMEOUT_SECS",
    "READY_TIMEOUT_SECS",
    "REQUIRE_IF_MATCH",
    "IDEMPOTENCY_TTL_SECS",
    "RATE_LIMIT_PER_MINUTE",
    "RATE_LIMIT_BURST",
    "AUTH_FAILURES_PER_MINUTE",
    "TRUSTED_PROXIES",
    "METRICS_ADDR",
    "RUST_LOG",
    "LOG_FORMAT",
];

/// The binary with a clean environment (no variable of ours, no `.env`), plus `vars`.
pub fn server(vars: &[(&str, &str)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_casting-server"));
    for name in SETTINGS {
        command.env_remove(name);
    }
    command.env_remove("CASTING_REQUIRE_DB");
    command
        .envs(vars.iter().copied())
        .current_dir(std::env::temp_dir())
        .stdin(Stdio::null());
    command
}

/// A started server and the lines it has printed.
pub struct Running {
    child: Child,
    lines: mpsc::Receiver<String>,
    /// Every line read so far.
    pub seen: Vec<String>,
}

impl Running {
    /// Starts the server with `vars` set.
    pub fn start(vars: &[(&str, &str)]) -> Self {
        Self::start_with(vars, &[])
    }

    /// Starts the server with `vars` set and `args` on its command line.
    pub fn start_with(vars: &[(&str, &str)], args: &[&str]) -> Self {
        let mut child = server(vars)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start casting-server");
        let stdout = child.stdout.take().expect("stdout");
        let (send, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if send.send(line).is_err() {
                    return;
                }
            }
        });
        Self {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// Reads printed lines until one starts with `prefix`; returns the rest of it.
    pub fn wait_for(&mut self, prefix: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if let Some(rest) = line.strip_prefix(prefix) {
                        return rest.to_owned();
                    }
                }
                Err(_) => panic!(
                    "no line starting {prefix:?}; printed so far: {:#?}",
                    self.seen
                ),
            }
        }
    }

    /// The next printed line.
    pub fn next_line(&mut self) -> String {
        let line = self
            .lines
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("no next line; printed so far: {:#?}", self.seen));
        self.seen.push(line.clone());
        line
    }

    /// The development token printed for `role` (`Casting Assistant`…): the line after the one
    /// that names the role and what it may do.
    pub fn token(&mut self, role: &str) -> String {
        self.wait_for(&format!("{role} may: "));
        let line = self.next_line();
        assert!(
            line.starts_with("ey") && !line.contains(' '),
            "a bare token: {line}"
        );
        line
    }

    /// Sends SIGTERM and waits for the exit status.
    pub fn terminate(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill");
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("casting-server did not stop within 30 s of SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// The URL of the database `name` on the test server (`DATABASE_URL` with its path replaced,
/// its query left out).
pub fn database_named(name: &str) -> String {
    let url = casting_store_postgres::testing::database_url().expect("DATABASE_URL is set");
    let base = url.split('?').next().unwrap_or(&url);
    format!("{}/{name}", &base[..base.rfind('/').expect("a path")])
}
