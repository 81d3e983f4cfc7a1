//! Verifies Auth0 access tokens for the casting API, the way Auth0's own SDKs do.
//!
//! [`Auth0Verifier`] implements [`casting_core::TokenVerifier`]: token in, [`Principal`] out
//! (the `sub`, and the permissions in the `permissions` claim; unknown strings are ignored, an
//! absent claim is no permissions).
//!
//! Checked before any key is looked up: the token's size (16 KiB), three segments, a JSON header
//! with `alg` exactly `RS256`, no `crit`, a `kid`. Keys come only from the key set, never from
//! `jwk`, `jku`, `x5u` or `x5c` headers. Then the signature, `iss` (exact), `aud` (a string or
//! an array holding one of ours), `exp` (required), `nbf`, a future `iat`, with 5 s leeway, and
//! `permissions` (an array of strings, if present).
//!
//! Keys are cached: refreshed in the background after a TTL, downloaded again for an unknown
//! `kid` at most once per cooldown by one shared download, and kept through outages up to a max
//! staleness ([`CacheSettings`]). Downloads are HTTPS only (plain HTTP to loopback when allowed),
//! time out, need a 200 and are capped at 1 MiB.
//!
//! Verified tokens are cached too ([`TokenCacheSettings`], on by default): a token that
//! verified once is answered from memory, by the SHA-256 of the whole token, until its `exp`
//! (time re-checked on every hit) or until its key leaves the key set; bounded in bytes.
//! [`Auth0Verifier::stats`] counts full verifications and cache hits.
//!
//! ```no_run
//! use casting_auth0::{Auth0Config, Auth0Verifier};
//!
//! # async fn demo(token: &str) -> Result<(), Box<dyn std::error::Error>> {
//! // Construction fails only on configuration (`ConfigError`)…
//! let verifier = Auth0Verifier::new(Auth0Config::for_domain(
//!     "tenant.eu.auth0.com",
//!     "https://casting.example/api",
//! ))?;
//! // …verification with the core's `AuthError`, the same enum every verifier reports.
//! let principal = verifier.verify_token(token).await?;
//! println!("{} may {:?}", principal.subject(), principal.permissions());
//! # Ok(()) }
//! ```
//!
//! With the feature `dev`, `DevIssuer` makes a key at run time and mints tokens for any role.
//!
//! [`Principal`]: casting_core::Principal
#![cfg_attr(
    feature = "dev",
    doc = "\nSee [`DevIssuer`] (this build has the feature)."
)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod cache;
mod claims;
mod config;
#[cfg(feature = "dev")]
mod dev;
mod error;
mod header;
mod jwks;
mod tokens;
mod verifier;

pub use config::{Auth0Config, CacheSettings, TokenCacheSettings};
#[cfg(feature = "dev")]
#[cfg_attr(docsrs, doc(cfg(feature = "dev")))]
pub use dev::DevIssuer;
pub use error::ConfigError;
pub use verifier::{Auth0Verifier, VerifierStats, install_crypto_provider};

/// This crate's README, its example compiled as a doc test so it cannot go stale.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
mod readme {}
