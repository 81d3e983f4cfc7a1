//! The verifier's one error enum.

use std::sync::Arc;

use casting_core::{AuthError, TokenProblem};

/// Why a token, a header or a configuration was refused.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request has no `Authorization` header.
    #[error("authorization header is missing")]
    MissingHeader,
    /// The header is not `Bearer <token>`.
    #[error("authorization header must be 'Bearer <token>'")]
    InvalidHeader,
    /// The token cannot be trusted; the reason says why.
    #[error("invalid token: {0}")]
    InvalidToken(TokenProblem),
    /// The token's `exp` has passed (beyond the leeway).
    #[error("token expired")]
    Expired,
    /// The issuer or the audience is not ours (or is missing); names the claim.
    #[error("invalid claim: {0}")]
    InvalidClaims(&'static str),
    /// No signing keys could be had: the key set could not be downloaded and none is cached.
    /// A server-side failure, not the caller's.
    #[error("signing keys unavailable")]
    KeysUnavailable(#[source] Arc<dyn std::error::Error + Send + Sync>),
    /// The verifier's configuration is unusable.
    #[error("invalid Auth0 configuration: {0}")]
    Config(String),
}

impl Error {
    pub(crate) fn malformed() -> Self {
        Error::InvalidToken(TokenProblem::Malformed)
    }
}

impl From<Error> for AuthError {
    fn from(error: Error) -> Self {
        match error {
            Error::MissingHeader => AuthError::MissingHeader,
            Error::InvalidHeader => AuthError::InvalidHeader,
            Error::InvalidToken(problem) => AuthError::InvalidToken(problem),
            Error::Expired => AuthError::Expired,
            Error::InvalidClaims(claim) => AuthError::InvalidClaims(claim),
            Error::KeysUnavailable(source) => AuthError::Unavailable(Box::new(source)),
            Error::Config(message) => AuthError::Unavailable(message.into()),
        }
    }
}
