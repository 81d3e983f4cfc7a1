//! The verified-token cache: a token that verified once is not verified again until it expires.
//!
//! - Keyed by the SHA-256 of the whole token, so one changed byte is another token.
//! - An entry keeps the [`Principal`], the token's `kid` and the instant its `exp` (plus the
//!   leeway) passes. Time is checked on every hit: an expired entry answers `Expired` and is
//!   dropped. An entry whose key has left the key set (a rotation) is dropped and the token
//!   verified afresh, which refuses it. So the cache never extends a token's life or outlives
//!   its key.
//! - Refusals that can never turn into acceptance (a bad signature under a known key, an
//!   expired token, a wrong issuer or audience) are kept too, in a separate store an eighth of
//!   the size, so a flood of one bad token costs one RSA check, not one per request. Refusals
//!   that can change (unknown key, keys unavailable) are never kept.
//! - Bounded in memory by [`TokenCacheSettings::max_bytes`]: the least useful entries are
//!   evicted (quick_cache's S3-FIFO) when it is full.
//!
//! Times come from `tokio::time`, so tests drive them with `tokio::time::pause`.

use std::sync::Arc;
use std::time::Duration;

use aws_lc_rs::digest::{SHA256, digest};
use casting_core::{AuthError, Claim, Principal, TokenProblem};
use quick_cache::Weighter;
use quick_cache::sync::Cache;
use tokio::time::Instant;

use crate::config::TokenCacheSettings;

/// The SHA-256 of a token.
pub(crate) type TokenDigest = [u8; 32];

/// A token that verified.
#[derive(Debug, Clone)]
pub(crate) struct Accepted {
    pub(crate) principal: Principal,
    pub(crate) kid: Arc<str>,
    /// When `exp` plus the leeway passes.
    pub(crate) expires: Instant,
}

/// A refusal that stays true for this exact token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refused {
    Signature,
    Expired,
    Claim(Claim),
}

impl Refused {
    /// The refusals worth keeping; `None` for those that may change (keys, time, shape).
    fn of(error: &AuthError) -> Option<Self> {
        match error {
            AuthError::InvalidToken(TokenProblem::Signature) => Some(Self::Signature),
            AuthError::Expired => Some(Self::Expired),
            AuthError::InvalidClaim(claim) => Some(Self::Claim(*claim)),
            _ => None,
        }
    }

    fn error(self) -> AuthError {
        match self {
            Self::Signature => AuthError::InvalidToken(TokenProblem::Signature),
            Self::Expired => AuthError::Expired,
            Self::Claim(claim) => AuthError::InvalidClaim(claim),
        }
    }
}

/// An entry's weight: its bytes, roughly (key, value, the strings, the cache's own overhead).
#[derive(Debug, Clone, Copy)]
struct Bytes;

/// Per-entry overhead beyond the strings: the digest, the instant, the permission set, the
/// `Arc` headers and the cache's slot.
const ENTRY_OVERHEAD: u64 = 128;

impl Weighter<TokenDigest, Accepted> for Bytes {
    fn weight(&self, _: &TokenDigest, accepted: &Accepted) -> u64 {
        ENTRY_OVERHEAD + accepted.principal.subject().len() as u64 + accepted.kid.len() as u64
    }
}

/// What the cache knows of a token.
pub(crate) enum Lookup {
    /// Verified before, still valid: the caller.
    Accepted(Principal),
    /// Refused before, for a reason that cannot change.
    Refused(AuthError),
    /// Not known (or no longer usable): verify it.
    Miss,
}

/// The cache; see the module docs.
pub(crate) struct TokenCache {
    accepted: Cache<TokenDigest, Accepted, Bytes>,
    refused: Cache<TokenDigest, Refused>,
}

impl std::fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenCache")
            .field("accepted", &self.accepted.len())
            .field("refused", &self.refused.len())
            .field("bytes", &self.weight())
            .finish()
    }
}

impl TokenCache {
    /// A cache bounded by `settings`; `None` when it is turned off.
    pub(crate) fn new(settings: TokenCacheSettings) -> Option<Self> {
        if settings.max_bytes == 0 {
            return None;
        }
        let accepted_bytes = settings.max_bytes as u64 * 7 / 8;
        let refused_items = (settings.max_bytes / 8 / ENTRY_OVERHEAD as usize).max(1);
        Some(Self {
            accepted: Cache::with_weighter(
                (accepted_bytes / (ENTRY_OVERHEAD + 48)).max(1) as usize,
                accepted_bytes.max(1),
                Bytes,
            ),
            refused: Cache::new(refused_items),
        })
    }

    /// The key of `token`.
    pub(crate) fn digest(token: &str) -> TokenDigest {
        let mut key = [0u8; 32];
        key.copy_from_slice(digest(&SHA256, token.as_bytes()).as_ref());
        key
    }

    /// What is known of the token with this digest; `holds_key` says whether a `kid` is still
    /// in the key set.
    pub(crate) fn lookup(&self, key: &TokenDigest, holds_key: impl Fn(&str) -> bool) -> Lookup {
        if let Some(accepted) = self.accepted.get(key) {
            if Instant::now() >= accepted.expires {
                self.accepted.remove(key);
                return Lookup::Refused(AuthError::Expired);
            }
            if !holds_key(&accepted.kid) {
                self.accepted.remove(key);
                return Lookup::Miss;
            }
            return Lookup::Accepted(accepted.principal);
        }
        match self.refused.get(key) {
            Some(refused) => Lookup::Refused(refused.error()),
            None => Lookup::Miss,
        }
    }

    /// Keeps a verification's outcome: an acceptance until `exp` (`expires_in` from now), a
    /// refusal if it can never change.
    pub(crate) fn record(
        &self,
        key: TokenDigest,
        outcome: Result<(&Principal, &str, Duration), &AuthError>,
    ) {
        match outcome {
            Ok((principal, kid, expires_in)) => self.accepted.insert(
                key,
                Accepted {
                    principal: principal.clone(),
                    kid: Arc::from(kid),
                    expires: Instant::now() + expires_in,
                },
            ),
            Err(error) => {
                if let Some(refused) = Refused::of(error) {
                    self.refused.insert(key, refused);
                }
            }
        }
    }

    /// The bytes the accepted entries weigh, plus the refusals at their overhead.
    pub(crate) fn weight(&self) -> u64 {
        self.accepted.weight() + self.refused.len() as u64 * ENTRY_OVERHEAD
    }

    /// Entries held (accepted and refused).
    pub(crate) fn len(&self) -> usize {
        self.accepted.len() + self.refused.len()
    }
}

#[cfg(test)]
mod tests {
    use casting_core::{PermissionSet, Role};

    use super::*;

    fn principal(n: usize) -> Principal {
        Principal::new(
            format!("auth0|user-{n:08}"),
            Role::CastingAssistant.permissions(),
        )
    }

    #[test]
    fn the_bound_holds_under_a_hundred_thousand_distinct_tokens() {
        let settings = TokenCacheSettings {
            max_bytes: 256 * 1024,
        };
        let cache = TokenCache::new(settings).expect("on");
        for n in 0..100_000 {
            let key = TokenCache::digest(&format!("token-{n}"));
            cache.record(key, Ok((&principal(n), "kid-1", Duration::from_secs(600))));
            if n % 3 == 0 {
                let bad = TokenCache::digest(&format!("bad-{n}"));
                cache.record(bad, Err(&AuthError::InvalidToken(TokenProblem::Signature)));
            }
        }
        assert!(
            cache.weight() <= settings.max_bytes as u64,
            "{} bytes held, bound {}",
            cache.weight(),
            settings.max_bytes
        );
        // Full, not empty: recent tokens are there.
        assert!(cache.len() > 500, "{} entries", cache.len());
        let recent = TokenCache::digest("token-99999");
        assert!(matches!(
            cache.lookup(&recent, |_| true),
            Lookup::Accepted(_)
        ));
    }

    #[tokio::test(start_paused = true)]
    async fn an_entry_dies_at_exp_and_with_its_key() {
        let cache = TokenCache::new(TokenCacheSettings::default()).expect("on");
        let key = TokenCache::digest("t");
        let who = Principal::new("auth0|1", PermissionSet::EMPTY);
        cache.record(key, Ok((&who, "k1", Duration::from_secs(60))));
        assert!(matches!(cache.lookup(&key, |_| true), Lookup::Accepted(p) if p == who));
        // The key left the key set: gone.
        assert!(matches!(
            cache.lookup(&key, |kid| kid != "k1"),
            Lookup::Miss
        ));
        assert!(matches!(cache.lookup(&key, |_| true), Lookup::Miss));
        // Expiry.
        cache.record(key, Ok((&who, "k1", Duration::from_secs(60))));
        tokio::time::advance(Duration::from_secs(61)).await;
        assert!(matches!(
            cache.lookup(&key, |_| true),
            Lookup::Refused(AuthError::Expired)
        ));
    }

    #[test]
    fn only_refusals_that_cannot_change_are_kept() {
        let cache = TokenCache::new(TokenCacheSettings::default()).expect("on");
        let kept = [
            AuthError::InvalidToken(TokenProblem::Signature),
            AuthError::Expired,
            AuthError::InvalidClaim(Claim::Audience),
        ];
        for (n, error) in kept.iter().enumerate() {
            let key = TokenCache::digest(&format!("kept-{n}"));
            cache.record(key, Err(error));
            assert!(
                matches!(cache.lookup(&key, |_| true), Lookup::Refused(_)),
                "{error:?}"
            );
        }
        let passing = [
            AuthError::InvalidToken(TokenProblem::UnknownKey),
            AuthError::InvalidToken(TokenProblem::Malformed),
            AuthError::InvalidToken(TokenProblem::NotYetValid),
            AuthError::Unavailable("down".into()),
        ];
        for (n, error) in passing.iter().enumerate() {
            let key = TokenCache::digest(&format!("passing-{n}"));
            cache.record(key, Err(error));
            assert!(
                matches!(cache.lookup(&key, |_| true), Lookup::Miss),
                "{error:?}"
            );
        }
    }

    #[test]
    fn zero_bytes_turns_it_off() {
        assert!(TokenCache::new(TokenCacheSettings { max_bytes: 0 }).is_none());
    }
}
