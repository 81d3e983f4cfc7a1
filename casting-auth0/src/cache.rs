//! The key-set cache: keys by `kid`, refreshed in the background, downloaded at most once at a
//! time, and kept through outages.
//!
//! - A known `kid` is answered from memory and never waits on a download. Once the keys are
//!   older than the TTL, the first caller after that starts one background refresh.
//! - An unknown `kid` downloads the set again, at most once per cooldown; concurrent callers
//!   share that one download (single flight).
//! - A failed download keeps the last good keys, until they are older than the max staleness.
//! - With no usable keys, callers wait for a download; if it fails they get "keys unavailable".
//! - An unknown `kid` is refused as unknown only when the key set was downloaded successfully
//!   (within the cooldown, or just now) and does not hold it. When the last download failed, the
//!   key may well exist: the caller gets "keys unavailable" (503), never "invalid token" (401),
//!   so a client does not throw away a good token during a rotation that meets an outage.
//!
//! Times come from `tokio::time`, so tests drive them with `tokio::time::pause`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, PoisonError, RwLock};

use jsonwebtoken::DecodingKey;
use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::config::CacheSettings;
use crate::jwks::{FetchError, Fetcher, KeySet};
use casting_core::{AuthError as Error, TokenProblem};

/// Where keys come from.
#[derive(Debug)]
pub(crate) enum Source {
    /// A fixed set, given at construction: never downloaded, never stale.
    Static(KeySet),
    /// A key-set URL.
    Remote(Fetcher),
}

/// A handle to the cache; cheap to clone.
#[derive(Debug, Clone)]
pub(crate) struct KeyCache {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    source: Source,
    settings: CacheSettings,
    state: RwLock<State>,
    /// Held while a download runs: the single flight.
    download: Mutex<()>,
    /// Set while a background refresh task is alive.
    refreshing: AtomicBool,
}

#[derive(Debug, Default)]
struct State {
    keys: KeySet,
    /// When the keys were downloaded (None: never).
    fetched_at: Option<Instant>,
    /// When the last download, good or bad, finished.
    attempted_at: Option<Instant>,
    /// Counts finished downloads, so a caller that waited for one can tell it happened.
    generation: u64,
    /// Why the last download failed, if it did.
    last_error: Option<Arc<FetchError>>,
}

enum Lookup {
    Found(Arc<DecodingKey>),
    Unknown,
}

impl KeyCache {
    pub(crate) fn new(source: Source, settings: CacheSettings) -> Self {
        Self {
            inner: Arc::new(Inner {
                source,
                settings,
                state: RwLock::new(State::default()),
                download: Mutex::new(()),
                refreshing: AtomicBool::new(false),
            }),
        }
    }

    /// The key for `kid`, or why there is none.
    pub(crate) async fn key(&self, kid: &str) -> Result<Arc<DecodingKey>, Error> {
        let fetcher = match &self.inner.source {
            Source::Static(keys) => {
                return keys
                    .get(kid)
                    .ok_or(Error::InvalidToken(TokenProblem::UnknownKey));
            }
            Source::Remote(fetcher) => fetcher,
        };
        let now = Instant::now();
        let (lookup, usable, generation, cooled_down, needs_refresh, last_failed) = {
            let state = self.inner.read();
            let usable = state
                .fetched_at
                .is_some_and(|at| now.duration_since(at) <= self.inner.settings.max_staleness);
            let cooled_down = state
                .attempted_at
                .is_none_or(|at| now.duration_since(at) >= self.inner.settings.cooldown);
            let needs_refresh = state
                .fetched_at
                .is_some_and(|at| now.duration_since(at) >= self.inner.settings.ttl);
            let lookup = match state.keys.get(kid) {
                Some(key) if usable => Lookup::Found(key),
                _ => Lookup::Unknown,
            };
            (
                lookup,
                usable,
                state.generation,
                cooled_down,
                needs_refresh,
                state.last_error.clone(),
            )
        };

        if usable {
            if needs_refresh && cooled_down {
                self.refresh_in_background();
            }
            if let Lookup::Found(key) = lookup {
                return Ok(key);
            }
            if !cooled_down {
                // The last download decides: a good one that lacks the kid means the kid is
                // unknown; a failed one means we cannot tell.
                return match last_failed {
                    None => Err(Error::InvalidToken(TokenProblem::UnknownKey)),
                    Some(error) => Err(Error::Unavailable(Box::new(error))),
                };
            }
            // An unknown kid may mean the keys rotated: one shared download, then look again.
            // A failure keeps the cached keys, but says nothing about this kid: unavailable.
            return match self.download(fetcher, generation).await {
                Ok(()) => self.cached(kid),
                Err(error) => Err(Error::Unavailable(Box::new(error))),
            };
        }

        // No usable keys: wait for a download.
        match self.download(fetcher, generation).await {
            Ok(()) => self.cached(kid),
            Err(error) => Err(Error::Unavailable(Box::new(error))),
        }
    }

    /// Whether `kid` is in the key set now (and the set is still usable): a cached token's key
    /// must still be there for the token to be answered from memory.
    ///
    /// Like a lookup, it starts the background refresh once the keys are older than the TTL,
    /// so a server answering every token from the token cache still notices a rotation.
    pub(crate) fn holds(&self, kid: &str) -> bool {
        match &self.inner.source {
            Source::Static(keys) => keys.get(kid).is_some(),
            Source::Remote(_) => {
                let now = Instant::now();
                let (holds, refresh) = {
                    let state = self.inner.read();
                    let settings = &self.inner.settings;
                    let age = state.fetched_at.map(|at| now.duration_since(at));
                    let usable = age.is_some_and(|age| age <= settings.max_staleness);
                    let cooled_down = state
                        .attempted_at
                        .is_none_or(|at| now.duration_since(at) >= settings.cooldown);
                    let refresh = cooled_down && age.is_some_and(|age| age >= settings.ttl);
                    (usable && state.keys.get(kid).is_some(), refresh)
                };
                if refresh {
                    self.refresh_in_background();
                }
                holds
            }
        }
    }

    fn cached(&self, kid: &str) -> Result<Arc<DecodingKey>, Error> {
        self.inner
            .read()
            .keys
            .get(kid)
            .ok_or(Error::InvalidToken(TokenProblem::UnknownKey))
    }

    /// Downloads the key set unless another caller finished a download after `seen` (then that
    /// download's outcome is shared).
    async fn download(&self, fetcher: &Fetcher, seen: u64) -> Result<(), Arc<FetchError>> {
        let _flight = self.inner.download.lock().await;
        {
            let state = self.inner.read();
            if state.generation != seen {
                return match &state.last_error {
                    None => Ok(()),
                    Some(error) => Err(Arc::clone(error)),
                };
            }
        }
        let result = fetcher.fetch().await;
        let outcome = if result.is_ok() { "ok" } else { "error" };
        metrics::counter!("casting_jwks_downloads_total", "outcome" => outcome).increment(1);
        let mut state = self
            .inner
            .state
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        state.generation += 1;
        state.attempted_at = Some(now);
        match result {
            Ok(keys) => {
                tracing::info!(uri = %fetcher.uri(), keys = keys.len(), "downloaded signing keys");
                state.keys = keys;
                state.fetched_at = Some(now);
                state.last_error = None;
                Ok(())
            }
            Err(error) => {
                tracing::warn!(uri = %fetcher.uri(), %error, "could not download signing keys");
                let error = Arc::new(error);
                state.last_error = Some(Arc::clone(&error));
                Err(error)
            }
        }
    }

    /// Starts one background refresh unless one is running.
    fn refresh_in_background(&self) {
        if self.inner.refreshing.swap(true, Ordering::AcqRel) {
            return;
        }
        let cache = self.clone();
        let generation = self.inner.read().generation;
        tokio::spawn(async move {
            if let Source::Remote(fetcher) = &cache.inner.source {
                let _ = cache.download(fetcher, generation).await;
            }
            cache.inner.refreshing.store(false, Ordering::Release);
        });
    }
}

impl Inner {
    fn read(&self) -> std::sync::RwLockReadGuard<'_, State> {
        // The state is replaced whole under the lock, so a poisoned lock still holds a
        // consistent state.
        self.state.read().unwrap_or_else(PoisonError::into_inner)
    }
}
