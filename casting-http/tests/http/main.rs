//! casting-http over real HTTP: the application on a loopback port, a reqwest client, and tokens
//! checked by the real Auth0 verifier. One test binary; `support` holds what the modules share.

// First, so its `on_both_stores!` is in scope for the modules after it.
#[macro_use]
mod support;

mod audit;
mod changes;
mod compression;
mod credits;
mod edge;
mod editing;
mod errors;
mod limits;
mod mounting;
mod resources;
mod restore;
mod roles;
mod search;
mod spec;
mod surface;
