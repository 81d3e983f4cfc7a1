//! The token-verifier trait: how the front end turns a bearer token into a [`Principal`].
//!
//! Reading the token out of a request (the `Authorization` header) is the front end's job;
//! a verifier sees the token alone.

use std::sync::Arc;

use async_trait::async_trait;

use crate::error::AuthError;
use crate::rbac::Principal;

/// Checks a bearer token and says who holds it and what they may do.
///
/// Object-safe: the HTTP layer holds an `Arc<dyn TokenVerifier>`. `casting-auth0` implements it
/// for Auth0 access tokens.
#[async_trait]
pub trait TokenVerifier: std::fmt::Debug + Send + Sync + 'static {
    /// Verifies `token` (without the `Bearer ` prefix).
    async fn verify(&self, token: &str) -> Result<Principal, AuthError>;

    /// Who holds `token`, when the verifier already knows it to be good without checking it
    /// again (a cache of verified tokens); `None` otherwise. Cheap: a rate limiter asks it for
    /// callers whose address is refused further verification, so a known caller behind the
    /// same address keeps working. The default knows no token.
    fn known_good(&self, token: &str) -> Option<Principal> {
        let _ = token;
        None
    }
}

#[async_trait]
impl<T: TokenVerifier + ?Sized> TokenVerifier for Arc<T> {
    async fn verify(&self, token: &str) -> Result<Principal, AuthError> {
        (**self).verify(token).await
    }

    fn known_good(&self, token: &str) -> Option<Principal> {
        (**self).known_good(token)
    }
}

#[async_trait]
impl<T: TokenVerifier + ?Sized> TokenVerifier for Box<T> {
    async fn verify(&self, token: &str) -> Result<Principal, AuthError> {
        (**self).verify(token).await
    }

    fn known_good(&self, token: &str) -> Option<Principal> {
        (**self).known_good(token)
    }
}
