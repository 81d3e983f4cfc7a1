//! The token-verifier trait: how the front end turns a bearer token into a [`Principal`].

use std::sync::Arc;

use async_trait::async_trait;

use crate::error::AuthError;
use crate::rbac::Principal;

/// Reads the token out of an `Authorization` header value: the scheme `Bearer` in any case, one
/// or more spaces, then one token with no whitespace or control characters in it (RFC 6750).
/// Anything else is [`AuthError::InvalidHeader`].
///
/// ```
/// use casting_core::{AuthError, auth::bearer_token};
/// assert_eq!(bearer_token("Bearer abc.def.ghi").unwrap(), "abc.def.ghi");
/// assert_eq!(bearer_token("bearer abc").unwrap(), "abc");
/// assert!(matches!(bearer_token("Basic dXNlcjpwYXNz"), Err(AuthError::InvalidHeader)));
/// assert!(matches!(bearer_token("Bearer a b"), Err(AuthError::InvalidHeader)));
/// ```
pub fn bearer_token(header: &str) -> Result<&str, AuthError> {
    let (scheme, rest) = header.split_once(' ').ok_or(AuthError::InvalidHeader)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(AuthError::InvalidHeader);
    }
    let token = rest.trim_start_matches(' ');
    if token.is_empty()
        || token
            .bytes()
            .any(|b| b.is_ascii_whitespace() || b.is_ascii_control())
    {
        return Err(AuthError::InvalidHeader);
    }
    Ok(token)
}

/// Checks a bearer token and says who holds it and what they may do.
///
/// Object-safe: the HTTP layer holds an `Arc<dyn TokenVerifier>`. `casting-auth0` implements it
/// for Auth0 access tokens.
#[async_trait]
pub trait TokenVerifier: std::fmt::Debug + Send + Sync + 'static {
    /// Verifies `token` (without the `Bearer ` prefix).
    async fn verify(&self, token: &str) -> Result<Principal, AuthError>;
}

#[async_trait]
impl<T: TokenVerifier + ?Sized> TokenVerifier for Arc<T> {
    async fn verify(&self, token: &str) -> Result<Principal, AuthError> {
        (**self).verify(token).await
    }
}

#[async_trait]
impl<T: TokenVerifier + ?Sized> TokenVerifier for Box<T> {
    async fn verify(&self, token: &str) -> Result<Principal, AuthError> {
        (**self).verify(token).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_scheme_is_case_insensitive_and_needs_one_token() {
        assert_eq!(bearer_token("BEARER x").unwrap(), "x");
        assert_eq!(bearer_token("Bearer    x").unwrap(), "x");
        for bad in [
            "",
            "Bearer",
            "Bearer ",
            "Bearer  ",
            "Bearerx",
            "Token x",
            "Bearer x y",
            "Bearer x\t",
        ] {
            assert!(
                matches!(bearer_token(bad), Err(AuthError::InvalidHeader)),
                "{bad:?}"
            );
        }
    }
}
