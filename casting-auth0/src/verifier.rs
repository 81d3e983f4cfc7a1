//! [`Auth0Verifier`]: token in, [`Principal`] out.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Once};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use casting_core::{AuthError, PermissionSet, Principal, TokenProblem, TokenVerifier};
use jsonwebtoken::{Algorithm, Validation};
use tracing::instrument;

use crate::cache::{KeyCache, Source};
use crate::claims::{Claims, from_jwt};
use crate::config::Auth0Config;
use crate::error::ConfigError;
use crate::header::check_token;
use crate::jwks::{Fetcher, KeySet};
use crate::tokens::{Lookup, TokenCache};

/// Makes `jsonwebtoken` use aws-lc-rs, once per process, so no first verification can find it
/// without a provider. Called by every constructor; harmless if already done.
pub fn install_crypto_provider() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        // Err means a provider is already installed, which is what we want.
        let _ = jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER.install_default();
    });
}

/// Verifies Auth0 access tokens (RS256) against the tenant's published keys.
#[derive(Debug, Clone)]
pub struct Auth0Verifier {
    config: Auth0Config,
    validation: Validation,
    keys: KeyCache,
    tokens: Option<Arc<TokenCache>>,
    counters: Arc<Counters>,
}

/// How many tokens a verifier has checked, and how.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VerifierStats {
    /// Full verifications: signature and claims checked (the RSA cost).
    pub verifications: u64,
    /// Tokens answered from the verified-token cache (accepted or refused) without a check.
    pub cache_hits: u64,
    /// Entries in the verified-token cache now.
    pub cached_tokens: u64,
    /// Bytes the verified-token cache holds now (its bound is
    /// [`TokenCacheSettings::max_bytes`](crate::TokenCacheSettings::max_bytes)).
    pub cached_bytes: u64,
}

#[derive(Debug, Default)]
struct Counters {
    verifications: AtomicU64,
    cache_hits: AtomicU64,
}

impl Auth0Verifier {
    /// A verifier that downloads keys from `config.jwks_uri` (HTTPS, or loopback HTTP when
    /// allowed). Nothing is downloaded until the first token arrives.
    pub fn new(config: Auth0Config) -> Result<Self, ConfigError> {
        config.check()?;
        let uri = config.checked_jwks_uri()?;
        let fetcher = Fetcher::new(uri, config.cache.timeout, config.cache.max_bytes)
            .map_err(|e| ConfigError::new(format!("cannot build the HTTP client: {e}")))?;
        // Both outcomes start at 0, so that an alert on failed downloads has a series before
        // the first failure.
        for outcome in ["ok", "error"] {
            metrics::counter!("casting_jwks_downloads_total", "outcome" => outcome).increment(0);
        }
        Ok(Self::with_source(config, Source::Remote(fetcher)))
    }

    /// A verifier with a fixed key set (a JWKS document), which never touches the network.
    pub fn with_static_keys(config: Auth0Config, jwks: &[u8]) -> Result<Self, ConfigError> {
        config.check()?;
        let keys = KeySet::parse(jwks)
            .map_err(|e| ConfigError::new(format!("the static key set is unusable: {e}")))?;
        Ok(Self::with_source(config, Source::Static(keys)))
    }

    fn with_source(config: Auth0Config, source: Source) -> Self {
        install_crypto_provider();
        let mut validation = Validation::new(Algorithm::RS256);
        validation.leeway = config.leeway.as_secs();
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.set_issuer(&[config.issuer.as_str()]);
        validation.set_audience(&config.audiences);
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        let keys = KeyCache::new(source, config.cache.clone());
        let tokens = TokenCache::new(config.token_cache).map(Arc::new);
        Self {
            config,
            validation,
            keys,
            tokens,
            counters: Arc::default(),
        }
    }

    /// What this verifier (and its clones) has done so far.
    pub fn stats(&self) -> VerifierStats {
        let (cached_tokens, cached_bytes) = self
            .tokens
            .as_ref()
            .map_or((0, 0), |cache| (cache.len() as u64, cache.weight()));
        VerifierStats {
            verifications: self.counters.verifications.load(Ordering::Relaxed),
            cache_hits: self.counters.cache_hits.load(Ordering::Relaxed),
            cached_tokens,
            cached_bytes,
        }
    }

    /// The configuration this verifier checks against.
    pub fn config(&self) -> &Auth0Config {
        &self.config
    }

    /// Verifies a token (without `Bearer `) and returns who holds it and what they may do.
    ///
    /// A token verified before is answered from the verified-token cache until its `exp`
    /// (see [`TokenCacheSettings`](crate::TokenCacheSettings)).
    ///
    /// Each call counts in `casting_token_verifications_total{outcome}` (`ok`,
    /// `invalid_token`, `token_expired`, `invalid_claims`, `unavailable`), and each answer from
    /// the cache in `casting_token_cache_hits_total`, through the `metrics` facade.
    #[instrument(level = "debug", skip_all, err(level = "debug"))]
    pub async fn verify_token(&self, token: &str) -> Result<Principal, AuthError> {
        let result = self.verify_any(token).await;
        let outcome = match &result {
            Ok(_) => "ok",
            Err(AuthError::InvalidToken(_)) => "invalid_token",
            Err(AuthError::Expired) => "token_expired",
            Err(AuthError::InvalidClaim(_)) => "invalid_claims",
            Err(AuthError::Unavailable(_)) => "unavailable",
            Err(_) => "error",
        };
        metrics::counter!("casting_token_verifications_total", "outcome" => outcome).increment(1);
        result
    }

    /// [`verify_token`](Self::verify_token) without the counting: from the cache, or in full.
    async fn verify_any(&self, token: &str) -> Result<Principal, AuthError> {
        let Some(cache) = &self.tokens else {
            return self
                .verify_uncached(token)
                .await
                .map(|verified| verified.principal);
        };
        // Tokens refused before any key lookup are cheap to refuse again: do not hash them.
        if token.len() > self.config.max_token_bytes {
            return Err(AuthError::InvalidToken(TokenProblem::Malformed));
        }
        let key = TokenCache::digest(token);
        match cache.lookup(&key, |kid| self.keys.holds(kid)) {
            Lookup::Accepted(principal) => {
                self.counters.cache_hits.fetch_add(1, Ordering::Relaxed);
                metrics::counter!("casting_token_cache_hits_total").increment(1);
                return Ok(principal);
            }
            Lookup::Refused(error) => {
                self.counters.cache_hits.fetch_add(1, Ordering::Relaxed);
                metrics::counter!("casting_token_cache_hits_total").increment(1);
                return Err(error);
            }
            Lookup::Miss => {}
        }
        let verified = self.verify_uncached(token).await;
        match &verified {
            Ok(verified) => cache.record(
                key,
                Ok((&verified.principal, &verified.kid, verified.expires_in)),
            ),
            Err(error) => cache.record(key, Err(error)),
        }
        verified.map(|verified| verified.principal)
    }

    /// The full check: shape, key, signature, claims.
    async fn verify_uncached(&self, token: &str) -> Result<Verified, AuthError> {
        // Everything that needs no key comes first: size, shape, algorithm, kid.
        let kid = check_token(token, self.config.max_token_bytes)?;
        let key = self.keys.key(&kid).await?;
        self.counters.verifications.fetch_add(1, Ordering::Relaxed);
        let data = jsonwebtoken::decode::<Claims>(token, &key, &self.validation)
            .map_err(|e| from_jwt(&e))?;
        let claims = data.claims;
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        let leeway = self.config.leeway.as_secs_f64();
        if let Some(iat) = claims.iat
            && iat > now + leeway
        {
            return Err(AuthError::InvalidToken(TokenProblem::NotYetValid));
        }
        let permissions = PermissionSet::from_strings(claims.permissions.iter().flatten());
        Ok(Verified {
            principal: Principal::new(claims.sub, permissions),
            kid,
            // `exp` passed validation, so it is at most the leeway behind now.
            expires_in: Duration::from_secs_f64((claims.exp + leeway - now).max(0.0)),
        })
    }
}

/// A token that passed the full check.
struct Verified {
    principal: Principal,
    kid: String,
    /// How long until `exp` (plus the leeway) passes.
    expires_in: Duration,
}

#[async_trait]
impl TokenVerifier for Auth0Verifier {
    async fn verify(&self, token: &str) -> Result<Principal, AuthError> {
        self.verify_token(token).await
    }

    /// A token the verified-token cache accepted, until its `exp` and while its key is in the
    /// key set: one SHA-256 of the token and a cache look-up, no signature check.
    fn known_good(&self, token: &str) -> Option<Principal> {
        let cache = self.tokens.as_ref()?;
        if token.len() > self.config.max_token_bytes {
            return None;
        }
        match cache.lookup(&TokenCache::digest(token), |kid| self.keys.holds(kid)) {
            Lookup::Accepted(principal) => Some(principal),
            Lookup::Refused(_) | Lookup::Miss => None,
        }
    }
}
