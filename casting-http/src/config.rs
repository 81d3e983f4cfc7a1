//! The HTTP layer's options and fixed limits.

/// The largest request body, in bytes (64 KiB); larger ones are answered 413.
pub const BODY_LIMIT: usize = 64 * 1024;

/// Options of the HTTP layer.
#[derive(Debug, Clone, Default)]
pub struct HttpConfig {
    /// Origins allowed to call the API from a browser; `None` allows any (without credentials).
    pub allowed_origins: Option<Vec<String>>,
}
