//! The HTTP layer's options and fixed limits.

use std::time::Duration;

use ipnet::IpNet;

use crate::shutdown::Shutdown;

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
    /// How fast one caller may call, and how many failed authentications one address may
    /// make (see [`RateLimitConfig`]).
    pub rate_limits: RateLimitConfig,
    /// The server's word that it is stopping: event streams (`GET /changes`) end when it is
    /// given (default: a signal nobody gives).
    pub shutdown: Shutdown,
}

/// The rate limits (on by default, with the contract's defaults); see the `limits` module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimitConfig {
    /// Authenticated requests per token subject per minute, the steady rate (default 6000);
    /// 0 turns the limit off.
    pub per_minute: u32,
    /// Requests a subject may send at once above the steady rate (default 300).
    pub burst: u32,
    /// Failed authentications (401) per client address per minute, and their burst (default
    /// 60); 0 turns the limit off. An address over it has its unverified tokens refused with
    /// 429 without a signature check.
    pub auth_failures_per_minute: u32,
    /// Proxies whose `X-Forwarded-For` is believed (addresses and CIDR blocks; default none):
    /// behind one, the client is the rightmost forwarded address that is not itself trusted.
    pub trusted_proxies: Vec<IpNet>,
}

impl RateLimitConfig {
    /// Both limits off.
    pub fn off() -> Self {
        Self {
            per_minute: 0,
            auth_failures_per_minute: 0,
            ..Self::default()
        }
    }
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        Self {
            per_minute: 6000,
            burst: 300,
            auth_failures_per_minute: 60,
            trusted_proxies: Vec::new(),
        }
    }
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            allowed_origins: None,
            ready_timeout: Duration::from_secs(1),
            require_if_match: false,
            rate_limits: RateLimitConfig::default(),
            shutdown: Shutdown::new(),
        }
    }
}
