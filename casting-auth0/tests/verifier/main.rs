//! `Auth0Verifier` against a real loopback key-set server: the attack matrix (token shape,
//! header, algorithm, keys, claims) and the key-set cache. One test binary; `support` holds the
//! key-set server and token helpers the modules share.

// First, so its `assert_refused!` is in scope for the modules after it.
#[macro_use]
mod support;

mod attacks;
mod claims;
mod key_set;
mod token_cache;
