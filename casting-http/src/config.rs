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

/// The rate limits (on by default, with the contract's defaults): a fair share of the server for every caller, and a budget of failed
/// authentications for every client address, so that neither a runaway script with a good token
/// nor a flood of forged tokens can take the server from everyone else.
///
/// - **Per caller**: every authenticated request counts against its token's subject (`sub`),
///   a GCRA bucket of [`RateLimitConfig::per_minute`] with a burst of
///   [`RateLimitConfig::burst`]. Over it: 429 `rate_limited` with `Retry-After`.
/// - **Per address, for failed authentication**: every 401 counts against the client's
///   address ([`RateLimitConfig::auth_failures_per_minute`], the burst the same). An address
///   over its budget has every request whose token the verifier does not already know to be
///   good ([`TokenVerifier::known_good`]) answered 429 *without verifying the token*, so
///   forged tokens cost a hash look-up, not an RSA check; a known token from the same address
///   (a good client behind the same NAT) still passes. Known means known to the verifier, or
///   verified by this server during the last minute while some address was over its budget
///   (so a verifier without a cache of its own, such as an embedder's API keys, does not lock
///   out the keys its callers hold). Beyond those, an address over its budget still gets
///   2 verifications a second (none in its first half second over
///   it): a valid credential new to the server gets through within about a second, while
///   forged ones cost at most that many checks a second per address.
/// - **Which address**: the peer, unless the peer is in [`RateLimitConfig::trusted_proxies`];
///   then the rightmost address of `X-Forwarded-For` that is not itself trusted.
///
/// The buckets are governor's (GCRA, one atomic word per key, in a sharded map); keys whose
/// bucket is full again are dropped once a minute, so memory follows the callers of the last
/// minute, not of all time. Limits are per instance.
///
/// Every answer a limit applied to carries `RateLimit-Policy` and `RateLimit` as the IETF
/// httpapi draft "RateLimit header fields for HTTP" (draft-ietf-httpapi-ratelimit-headers-09)
/// defines them: `"subject";q=6000;w=60` and `"subject";r=299;t=1`.
///
/// [`TokenVerifier::known_good`]: casting_core::TokenVerifier::known_good
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
