//! The HTTP front end of the casting API: poem + poem-openapi.
//!
//! - [`app`] is the whole application as one poem endpoint, over any store (through a
//!   [`CastingService`](casting_core::CastingService)) and any
//!   [`TokenVerifier`](casting_core::TokenVerifier).
//! - [`api_service`] gives the operations alone as a [`CastingApi`]: its spec
//!   (`api_service(service, verifier).spec()`), or an endpoint that stands on its own when
//!   nested under any prefix of another poem application.
//!
//! Every non-success response, whatever raised it, is the contract's JSON
//! (`{"success": false, "error", "message", "code", "details"}`); its status is decided in one
//! place ([`ApiError`]). The `Authorization` header is parsed in one place (the operations' bearer
//! scheme, which [`Authenticated`] shares), and each operation's permission comes from core's
//! [`Operation`](casting_core::Operation) table. Connections are bounded by [`LimitedAcceptor`]
//! (its docs say how), and callers by the rate limits of [`RateLimitConfig`].
//! Authentication and the permission are checked before any parameter or body is read, so the
//! order is 401, 403, 400, 404, 422.
//!
//! ```no_run
//! use std::sync::Arc;
//! use casting_core::{CastingService, TokenVerifier};
//! use casting_http::{HttpConfig, app};
//! use casting_store_memory::MemoryStore;
//!
//! /// Serves the API on port 8080, over the memory store, checking tokens with `verifier`
//! /// (`casting_auth0::Auth0Verifier`, or your own).
//! async fn serve(verifier: Arc<dyn TokenVerifier>) -> std::io::Result<()> {
//!     let service = CastingService::new(Arc::new(MemoryStore::new()));
//!     let endpoint = app(service, verifier, &HttpConfig::default());
//!     poem::Server::new(poem::listener::TcpListener::bind("127.0.0.1:8080"))
//!         .run(endpoint)
//!         .await
//! }
//! ```

mod api;
mod app;
mod config;
mod document;
mod edge;
mod errors;
mod etag;
mod operations;
mod routes;
mod security;
mod shutdown;
mod wire;

pub use api::{CastingApi, api_service};
pub use app::app;
pub use config::{BODY_LIMIT, HttpConfig, RateLimitConfig};
pub use edge::listener::{ConnectionLimits, Guarded, LimitedAcceptor};
pub use edge::middleware::REQUEST_ID;
pub use errors::{ApiError, Details, ErrorBody};
pub use security::{Authenticated, Authentication, BearerScheme};
pub use shutdown::Shutdown;

/// The README's Rust examples, compiled as doc tests so they cannot go stale.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
mod readme {}

/// This crate's README, its example compiled as a doc test so it cannot go stale.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
mod crate_readme {}
