//! [`Auth0Verifier`]: token in, [`Principal`] out.

use std::sync::Once;
use std::time::{SystemTime, UNIX_EPOCH};

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
}

impl Auth0Verifier {
    /// A verifier that downloads keys from `config.jwks_uri` (HTTPS, or loopback HTTP when
    /// allowed). Nothing is downloaded until the first token arrives.
    pub fn new(config: Auth0Config) -> Result<Self, ConfigError> {
        config.check()?;
        let uri = config.checked_jwks_uri()?;
        let fetcher = Fetcher::new(uri, config.cache.timeout, config.cache.max_bytes)
            .map_err(|e| ConfigError::new(format!("cannot build the HTTP client: {e}")))?;
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
        Self {
            config,
            validation,
            keys,
        }
    }

    /// The configuration this verifier checks against.
    pub fn config(&self) -> &Auth0Config {
        &self.config
    }

    /// Verifies a token (without `Bearer `) and returns who holds it and what they may do.
    #[instrument(level = "debug", skip_all, err(level = "debug"))]
    pub async fn verify_token(&self, token: &str) -> Result<Principal, AuthError> {
        // Everything that needs no key comes first: size, shape, algorithm, kid.
        let kid = check_token(token, self.config.max_token_bytes)?;
        let key = self.keys.key(&kid).await?;
        let data = jsonwebtoken::decode::<Claims>(token, &key, &self.validation)
            .map_err(|e| from_jwt(&e))?;
        let claims = data.claims;
        if let Some(iat) = claims.iat {
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0.0, |d| d.as_secs_f64());
            if iat > now + self.config.leeway.as_secs_f64() {
                return Err(AuthError::InvalidToken(TokenProblem::NotYetValid));
            }
        }
        let permissions = PermissionSet::from_strings(claims.permissions.iter().flatten());
        Ok(Principal::new(claims.sub, permissions))
    }
}

#[async_trait]
impl TokenVerifier for Auth0Verifier {
    async fn verify(&self, token: &str) -> Result<Principal, AuthError> {
        self.verify_token(token).await
    }
}
