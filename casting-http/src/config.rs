//! The HTTP layer's options and fixed limits.

use std::time::Duration;

/// The largest request body, in bytes (64 KiB); larger ones are answered 413.
pub const BODY_LIMIT: usize = 64 * 1024;

/// Options of the HTTP layer.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// Origins allowed to call the API from a browser; `None` allows any (without credentials).
    pub allowed_origins: Option<Vec<String>>,
    /// How long `GET /ready` waits for the store before it answers 503 (default 1 s), so a
    /// readiness probe with a short timeout sees a 503, not a timeout.
    pub ready_timeout: Duration,
    /// Whether writes (`PATCH`, `DELETE`, `PUT …/cast`) must carry `If-Match`: without it they
    /// are refused with 428 (default `false`: a write without it goes through, as in the
    /// original API).
    pub require_if_match: bool,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            allowed_origins: None,
            ready_timeout: Duration::from_secs(1),
            require_if_match: false,
        }
    }
}
