//! The crate's one error type: a configuration the verifier cannot work with.
//!
//! Verification itself reports [`casting_core::AuthError`], the one definition of why a token
//! was refused, so the HTTP layer (or any caller) branches on a single enum whichever verifier
//! stands behind the trait.

/// The verifier's configuration is unusable: returned by the constructors, never by
/// verification.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid Auth0 configuration: {message}")]
pub struct ConfigError {
    message: String,
}

impl ConfigError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }

    /// What is wrong, in a sentence.
    pub fn message(&self) -> &str {
        &self.message
    }
}
