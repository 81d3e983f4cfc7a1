//! The whole application: the API (with its probes), the spec, Swagger UI, and the layers
//! around them.

use std::sync::Arc;

use casting_core::{CastingService, TokenVerifier};
use poem::http::Method;
use poem::middleware::{CatchPanic, Cors};
use poem::{Endpoint, EndpointExt, IntoResponse, Response};

use crate::api::api_service;
use crate::config::HttpConfig;
use crate::document::MountPrefix;
use crate::edge::compress::Compress;
use crate::edge::limits::RateLimitHeaders;
use crate::edge::metering::Metered;
use crate::edge::middleware::{Contract, Observe, REQUEST_ID};
use crate::errors::ApiError;

/// The whole application as one endpoint: mount it in a poem server, or nest it in your own
/// routes. `verifier` checks every bearer token; `service` runs every operation.
pub fn app(
    service: CastingService,
    verifier: Arc<dyn TokenVerifier>,
    config: &HttpConfig,
) -> impl Endpoint<Output = Response> + use<> {
    let api = api_service(service, verifier)
        .require_if_match(config.require_if_match)
        .ready_timeout(config.ready_timeout)
        .rate_limits(&config.rate_limits)
        .shutdown(&config.shutdown);
    let (routes, table) = api.router(true);
    let table = Arc::new(table);
    let routes_for_metrics = Arc::clone(&table);
    routes
        .with(MountPrefix::layer())
        .with(Contract { routes: table })
        .with(RateLimitHeaders)
        .with(
            CatchPanic::new()
                .with_handler(|_| ApiError::internal(&"a handler panicked").into_response()),
        )
        .with(cors(config))
        .with(Compress)
        .with(Observe {
            routes: Arc::clone(&routes_for_metrics),
        })
        .with(Metered {
            routes: routes_for_metrics,
        })
}

/// CORS as the contract states it: the methods and headers the API uses (the contract's, and
/// the conditional and idempotent requests' headers), origins from the configuration (any by
/// default), no credentials. Answers' `ETag`, `Idempotent-Replayed`, `Link`, `Retry-After` and
/// the `RateLimit` headers are readable.
fn cors(config: &HttpConfig) -> Cors {
    let cors = Cors::new()
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
            Method::OPTIONS,
        ])
        .allow_headers([
            "Content-Type",
            "Authorization",
            "If-Match",
            "If-None-Match",
            "Idempotency-Key",
        ])
        .expose_headers([
            REQUEST_ID,
            "www-authenticate",
            "etag",
            "idempotent-replayed",
            "link",
            "retry-after",
            "ratelimit-policy",
            "ratelimit",
        ])
        .allow_credentials(false);
    match &config.allowed_origins {
        Some(origins) => cors.allow_origins(origins.iter().map(String::as_str)),
        None => cors,
    }
}
