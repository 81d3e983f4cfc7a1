//! The rate limits [`RateLimitConfig`] describes: the GCRA buckets per subject and per
//! address, the refusals without verification, and the `RateLimit` headers.

use std::collections::HashMap;
use std::hash::BuildHasher;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use casting_core::Principal;
use governor::clock::{Clock, DefaultClock};
use governor::middleware::{StateInformationMiddleware, StateSnapshot};
use governor::state::keyed::DashMapStateStore;
use governor::{NotUntil, Quota, RateLimiter};
use ipnet::IpNet;
use poem::http::{HeaderName, HeaderValue};
use poem::{Endpoint, IntoResponse, Middleware, Request, Response};

use crate::config::RateLimitConfig;

type Limiter<K> = RateLimiter<K, DashMapStateStore<K>, DefaultClock, StateInformationMiddleware>;
type Refusal = NotUntil<<DefaultClock as Clock>::Instant>;

/// How often idle keys are dropped.
const SWEEP_EVERY: Duration = Duration::from_secs(60);

/// Verifications a second still made for an address over its failure budget, for tokens not
/// known to be good.
pub(crate) const OVER_BUDGET_VERIFICATIONS: u32 = 2;

/// How long a token verified while some address is over its budget counts as known good.
const REMEMBER_GOOD: Duration = Duration::from_secs(60);

/// The most tokens remembered as good at once.
const REMEMBER_GOOD_MAX: usize = 4_096;

/// Which limit an answer was subject to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Policy {
    /// Requests per token subject.
    Subject,
    /// Failed authentications per client address.
    AuthFailures,
}

impl Policy {
    /// The policy's name in the headers, and the `reason` label of the metric.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Policy::Subject => "subject",
            Policy::AuthFailures => "auth_failures",
        }
    }
}

/// Where a caller stands under one policy, for the `RateLimit` headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Standing {
    policy: Policy,
    /// The quota per minute.
    quota: u32,
    /// Requests that may still be sent now.
    remaining: u32,
    /// Whole seconds until the whole burst is available again.
    reset: u64,
}

impl Standing {
    /// `RateLimit-Policy`: the policy's quota per window (draft-09: `"name";q=…;w=…`).
    fn policy_header(&self) -> String {
        format!("\"{}\";q={};w=60", self.policy.name(), self.quota)
    }

    /// `RateLimit`: what is left now, and when all of it is back (`"name";r=…;t=…`).
    fn state_header(&self) -> String {
        format!(
            "\"{}\";r={};t={}",
            self.policy.name(),
            self.remaining,
            self.reset
        )
    }
}

/// A request refused by a limit: 429 with `Retry-After`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Limited {
    /// Whole seconds to wait, at least 1.
    pub(crate) retry_after: u64,
    pub(crate) standing: Standing,
}

/// One limit: a keyed GCRA bucket, its quota and its configured rate.
struct Bucket<K: std::hash::Hash + Eq + Clone> {
    limiter: Limiter<K>,
    policy: Policy,
    per_minute: u32,
}

impl<K: std::hash::Hash + Eq + Clone> Bucket<K> {
    fn new(policy: Policy, per_minute: u32, burst: u32) -> Option<Self> {
        let per_minute = NonZeroU32::new(per_minute)?;
        let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::per_minute(per_minute).allow_burst(burst);
        Some(Self {
            limiter: RateLimiter::dashmap(quota).with_middleware::<StateInformationMiddleware>(),
            policy,
            per_minute: per_minute.get(),
        })
    }

    /// Counts one request of `key`.
    fn check(&self, key: &K) -> Result<Standing, Limited> {
        match self.limiter.check_key(key) {
            Ok(snapshot) => Ok(self.standing(&snapshot)),
            Err(refusal) => Err(self.limited(&refusal)),
        }
    }

    fn standing(&self, snapshot: &StateSnapshot) -> Standing {
        let quota = snapshot.quota();
        let remaining = snapshot.remaining_burst_capacity();
        let used = quota.burst_size().get().saturating_sub(remaining);
        Standing {
            policy: self.policy,
            quota: self.per_minute,
            remaining,
            reset: whole_seconds(quota.replenish_interval() * used),
        }
    }

    fn limited(&self, refusal: &Refusal) -> Limited {
        let wait = refusal.wait_time_from(self.limiter.clock().now());
        let quota = refusal.quota();
        Limited {
            retry_after: whole_seconds(wait).max(1),
            standing: Standing {
                policy: self.policy,
                quota: self.per_minute,
                remaining: 0,
                reset: whole_seconds(quota.burst_size_replenished_in()),
            },
        }
    }
}

/// A duration in whole milliseconds.
fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// A duration in whole seconds, rounded up.
fn whole_seconds(duration: Duration) -> u64 {
    duration.as_secs() + u64::from(duration.subsec_nanos() > 0)
}

/// The limits of one server, shared by its requests (see the module docs).
pub(crate) struct RateLimits {
    subjects: Option<Bucket<u64>>,
    failures: Option<Bucket<IpAddr>>,
    trusted: Vec<IpNet>,
    /// Subjects are counted by a keyed hash, so a request allocates nothing.
    hasher: std::hash::RandomState,
    /// Addresses over their failure budget, and until when.
    over: Mutex<HashMap<IpAddr, (Instant, Limited)>>,
    /// The verifications an address over its budget may still have.
    allowance: RateLimiter<IpAddr, DashMapStateStore<IpAddr>, DefaultClock>,
    /// Tokens verified while an address was over its budget, until when they count as good.
    good: Mutex<HashMap<String, (Instant, Principal)>>,
    /// How many entries `over` holds, read without its lock: almost always 0, so a request
    /// takes no shared lock to learn that its address is not refused.
    over_len: AtomicUsize,
    /// When the limits were made, and the next sweep's time in milliseconds since then: read
    /// with one atomic load per request, the sweep itself taken by one request at a time.
    started: Instant,
    next_sweep: AtomicU64,
}

impl std::fmt::Debug for RateLimits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimits")
            .field("per_subject", &self.subjects.as_ref().map(|b| b.per_minute))
            .field(
                "auth_failures",
                &self.failures.as_ref().map(|b| b.per_minute),
            )
            .field("trusted_proxies", &self.trusted)
            .finish_non_exhaustive()
    }
}

impl RateLimits {
    pub(crate) fn new(config: &RateLimitConfig) -> Self {
        Self {
            subjects: Bucket::new(Policy::Subject, config.per_minute, config.burst),
            failures: Bucket::new(
                Policy::AuthFailures,
                config.auth_failures_per_minute,
                config.auth_failures_per_minute,
            ),
            trusted: config.trusted_proxies.clone(),
            hasher: std::hash::RandomState::new(),
            over: Mutex::new(HashMap::new()),
            allowance: RateLimiter::dashmap(Quota::per_second(
                NonZeroU32::new(OVER_BUDGET_VERIFICATIONS).unwrap_or(NonZeroU32::MIN),
            )),
            good: Mutex::new(HashMap::new()),
            over_len: AtomicUsize::new(0),
            started: Instant::now(),
            next_sweep: AtomicU64::new(millis(SWEEP_EVERY)),
        }
    }

    fn is_trusted(&self, address: IpAddr) -> bool {
        self.trusted.iter().any(|net| net.contains(&address))
    }

    /// The client's address: the peer, or, when the peer is a trusted proxy, the rightmost
    /// `X-Forwarded-For` address that is not trusted. An entry that is not an address ends the
    /// walk at the trusted hop that added it.
    pub(crate) fn client(&self, request: &Request) -> Option<IpAddr> {
        let peer = request.remote_addr().as_socket_addr()?.ip();
        let peer = canonical(peer);
        if !self.is_trusted(peer) {
            return Some(peer);
        }
        let mut client = peer;
        let hops = request
            .headers()
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .collect::<Vec<_>>();
        for hop in hops.iter().rev() {
            match parse_hop(hop) {
                Some(address) => {
                    client = address;
                    if !self.is_trusted(address) {
                        break;
                    }
                }
                None => break,
            }
        }
        Some(client)
    }

    /// Whether the client of `request` is over its failure budget: the refusal to give,
    /// without verifying. Costs one atomic load while no address is refused.
    pub(crate) fn refused(&self, request: &Request) -> Option<Limited> {
        if self.over_len.load(Ordering::Relaxed) == 0 {
            return None;
        }
        self.refused_address(self.client(request))
    }

    /// Whether the client of `request`, over its failure budget, may still have its token
    /// verified (its allowance of [`OVER_BUDGET_VERIFICATIONS`] a second).
    pub(crate) fn may_verify(&self, request: &Request) -> bool {
        self.client(request)
            .is_some_and(|client| self.allowance.check_key(&client).is_ok())
    }

    /// Who holds `token`, when this server verified it during the last [`REMEMBER_GOOD`]
    /// while an address was over its budget.
    pub(crate) fn remembered(&self, token: &str) -> Option<Principal> {
        let good = self.good.lock().unwrap_or_else(PoisonError::into_inner);
        let (until, principal) = good.get(token)?;
        (*until > Instant::now()).then(|| principal.clone())
    }

    /// Remembers that `token` is good, while some address is over its budget (else this costs
    /// one atomic load): the token's holder keeps working from an address refused further
    /// verification.
    pub(crate) fn remember(&self, token: &str, principal: &Principal) {
        if self.over_len.load(Ordering::Relaxed) == 0 {
            return;
        }
        let now = Instant::now();
        let mut good = self.good.lock().unwrap_or_else(PoisonError::into_inner);
        if good.len() >= REMEMBER_GOOD_MAX {
            good.retain(|_, (until, _)| *until > now);
        }
        if good.len() < REMEMBER_GOOD_MAX || good.contains_key(token) {
            good.insert(token.to_owned(), (now + REMEMBER_GOOD, principal.clone()));
        }
    }

    /// Counts a failed authentication of the client of `request`.
    pub(crate) fn failed_request(&self, request: &Request) -> Option<Standing> {
        self.failures.as_ref()?;
        self.failed(self.client(request))
    }

    /// Whether `client` is over its failure budget.
    pub(crate) fn refused_address(&self, client: Option<IpAddr>) -> Option<Limited> {
        let client = client?;
        self.failures.as_ref()?;
        if self.over_len.load(Ordering::Relaxed) == 0 {
            return None;
        }
        let over = self.over.lock().unwrap_or_else(PoisonError::into_inner);
        let (until, limited) = over.get(&client)?;
        let now = Instant::now();
        (*until > now).then(|| Limited {
            retry_after: whole_seconds(*until - now).max(1),
            ..*limited
        })
    }

    /// Counts a failed authentication from `client`; the standing to report on its 401.
    pub(crate) fn failed(&self, client: Option<IpAddr>) -> Option<Standing> {
        let (client, failures) = (client?, self.failures.as_ref()?);
        self.sweep();
        match failures.check(&client) {
            Ok(standing) => Some(standing),
            Err(limited) => {
                let until = Instant::now() + Duration::from_secs(limited.retry_after);
                let mut over = self.over.lock().unwrap_or_else(PoisonError::into_inner);
                let first = over
                    .insert(client, (until, limited))
                    .is_none_or(|(before, _)| before <= Instant::now());
                self.over_len.store(over.len(), Ordering::Relaxed);
                drop(over);
                if first {
                    // The allowance starts empty: the first verification comes after
                    // 1 / OVER_BUDGET_VERIFICATIONS s, not at once.
                    for _ in 0..OVER_BUDGET_VERIFICATIONS {
                        let _ = self.allowance.check_key(&client);
                    }
                    // Once per address and episode: the address, never a token.
                    tracing::warn!(
                        %client,
                        per_minute = failures.per_minute,
                        "an address went over its budget of failed authentications: its \
                         unverified tokens are refused with 429 until it slows down"
                    );
                }
                Some(limited.standing)
            }
        }
    }

    /// Counts an authenticated request of `subject`.
    pub(crate) fn admit(&self, subject: &str) -> Result<Option<Standing>, Limited> {
        let Some(subjects) = &self.subjects else {
            return Ok(None);
        };
        self.sweep();
        subjects.check(&self.hasher.hash_one(subject)).map(Some)
    }

    /// Drops, at most once a minute, the keys whose buckets are full again and the addresses
    /// whose refusal has ended: what a caller costs ends with its last minute of traffic.
    fn sweep(&self) {
        let now = millis(self.started.elapsed());
        let due = self.next_sweep.load(Ordering::Relaxed);
        if now < due
            || self
                .next_sweep
                .compare_exchange(
                    due,
                    now + millis(SWEEP_EVERY),
                    Ordering::Relaxed,
                    Ordering::Relaxed,
                )
                .is_err()
        {
            // Not yet, or another request is sweeping.
            return;
        }
        if let Some(subjects) = &self.subjects {
            subjects.limiter.retain_recent();
            subjects.limiter.shrink_to_fit();
        }
        if let Some(failures) = &self.failures {
            failures.limiter.retain_recent();
            failures.limiter.shrink_to_fit();
        }
        self.allowance.retain_recent();
        self.allowance.shrink_to_fit();
        let now = Instant::now();
        let mut over = self.over.lock().unwrap_or_else(PoisonError::into_inner);
        over.retain(|_, (until, _)| *until > now);
        self.over_len.store(over.len(), Ordering::Relaxed);
        drop(over);
        let mut good = self.good.lock().unwrap_or_else(PoisonError::into_inner);
        good.retain(|_, (until, _)| *until > now);
    }

    /// Keys held now (subjects, addresses), for tests and the memory figure in the docs.
    #[cfg(test)]
    pub(crate) fn keys(&self) -> (usize, usize) {
        (
            self.subjects.as_ref().map_or(0, |b| b.limiter.len()),
            self.failures.as_ref().map_or(0, |b| b.limiter.len()),
        )
    }
}

/// An IPv4 address mapped into IPv6 (`::ffff:a.b.c.d`, a dual-stack socket's peer) as IPv4, so
/// one client has one key and `TRUSTED_PROXIES` is written one way.
fn canonical(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
        v4 => v4,
    }
}

/// One `X-Forwarded-For` entry: an address, possibly `[v6]` or with a port.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    if let Ok(address) = hop.parse::<IpAddr>() {
        return Some(canonical(address));
    }
    if let Ok(socket) = hop.parse::<std::net::SocketAddr>() {
        return Some(canonical(socket.ip()));
    }
    hop.strip_prefix('[')
        .and_then(|rest| rest.strip_suffix(']'))
        .and_then(|inner| inner.parse::<IpAddr>().ok())
        .map(canonical)
}

/// Where the security scheme leaves the standing of a request, for [`RateLimitHeaders`].
#[derive(Debug, Clone, Default)]
pub(crate) struct Slot(Arc<OnceLock<Standing>>);

impl Slot {
    /// Notes the standing (the first one noted wins).
    pub(crate) fn set(request: &Request, standing: Option<Standing>) {
        if let (Some(slot), Some(standing)) = (request.extensions().get::<Slot>(), standing) {
            let _ = slot.0.set(standing);
        }
    }
}

const RATELIMIT_POLICY: HeaderName = HeaderName::from_static("ratelimit-policy");
const RATELIMIT: HeaderName = HeaderName::from_static("ratelimit");

/// Adds `RateLimit-Policy` and `RateLimit` to every answer a limit applied to.
pub(crate) struct RateLimitHeaders;

impl<E: Endpoint> Middleware<E> for RateLimitHeaders {
    type Output = RateLimitHeadersEndpoint<E>;

    fn transform(&self, ep: E) -> Self::Output {
        RateLimitHeadersEndpoint(ep)
    }
}

/// The endpoint of [`RateLimitHeaders`].
pub(crate) struct RateLimitHeadersEndpoint<E>(E);

impl<E: Endpoint> Endpoint for RateLimitHeadersEndpoint<E> {
    type Output = Response;

    async fn call(&self, mut request: Request) -> poem::Result<Response> {
        let slot = Slot::default();
        request.extensions_mut().insert(slot.clone());
        let mut response = self.0.call(request).await?.into_response();
        if let Some(standing) = slot.0.get() {
            for (name, value) in [
                (RATELIMIT_POLICY, standing.policy_header()),
                (RATELIMIT, standing.state_header()),
            ] {
                // From the String itself: no copy.
                if let Ok(value) = HeaderValue::try_from(value) {
                    response.headers_mut().insert(name, value);
                }
            }
        }
        Ok(response)
    }
}

#[cfg(test)]
mod tests;
