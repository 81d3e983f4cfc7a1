//! The HTTP front end of the casting API: poem + poem-openapi.
//!
//! - [`app`] is the whole application as one poem endpoint, over any store (through a
//!   [`CastingService`](casting_core::CastingService)) and any
//!   [`TokenVerifier`](casting_core::TokenVerifier).
//! - [`api_service`] is the OpenAPI service alone, to export the spec
//!   (`api_service(service).spec()`) or mount the operations elsewhere.
//!
//! Every non-success response, whatever raised it, is the contract's JSON
//! (`{"success": false, "error", "message", "code", "details"}`); its status is decided in one
//! place, [`ApiError`]. Authentication and the operation's permission are checked before any
//! parameter or body is read, so the order is 401, 403, 400, 404, 422.
//!
//! ```no_run
//! use std::sync::Arc;
//! use casting_core::CastingService;
//! use casting_http::{HttpConfig, app};
//! use casting_store_memory::MemoryStore;
//!
//! # async fn serve(verifier: Arc<dyn casting_core::TokenVerifier>) -> std::io::Result<()> {
//! let service = CastingService::new(Arc::new(MemoryStore::new()));
//! let endpoint = app(service, verifier, &HttpConfig::default());
//! poem::Server::new(poem::listener::TcpListener::bind("127.0.0.1:8080"))
//!     .run(endpoint)
//!     .await
//! # }
//! ```

mod actors;
mod dto;
mod errors;
mod middleware;
mod movies;
mod responses;
mod routes;
mod security;
mod types;

pub use actors::ActorsApi;
pub use dto::*;
pub use errors::{ApiError, ErrorBody};
pub use middleware::REQUEST_ID;
pub use movies::MoviesApi;
pub use routes::{CastingOpenApi, api_service, app};
pub use security::{Caller, Required, SCHEME};
pub use types::{ApiDate, GenderText, Text, Years};

/// The README's Rust examples, compiled as doc tests so they cannot go stale.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
mod readme {}

/// The largest request body, in bytes (64 KiB); larger ones are answered 413.
pub const BODY_LIMIT: usize = 64 * 1024;

/// The OpenAPI tags.
#[derive(Debug, poem_openapi::Tags)]
pub enum Tag {
    /// Movies and their casts.
    Movies,
    /// Actors and their movies.
    Actors,
}

/// Options of the HTTP layer.
#[derive(Debug, Clone, Default)]
pub struct HttpConfig {
    /// Origins allowed to call the API from a browser; `None` allows any (without credentials).
    pub allowed_origins: Option<Vec<String>>,
}
