//! The whole application: the API, the spec, Swagger UI, health, and the layers around them.

use std::sync::Arc;
use std::time::Duration;

use casting_core::{CastingService, TokenVerifier};
use poem::endpoint::BoxEndpoint;
use poem::http::Method;
use poem::middleware::{CatchPanic, Cors};
use poem::web::{Data, Json, Redirect};
use poem::{Endpoint, EndpointExt, IntoResponse, Response, Route, get, handler};
use serde_json::json;

use crate::api::api_service;
use crate::config::HttpConfig;
use crate::errors::ApiError;
use crate::middleware::{Contract, Observe, REQUEST_ID};
use crate::routes::RouteTable;

/// `GET /`: to Swagger UI.
#[handler]
fn index() -> Redirect {
    Redirect::see_other("/docs")
}

/// `GET /health`: 200 while the process runs.
#[handler]
fn health() -> Json<serde_json::Value> {
    Json(json!({ "success": true, "status": "ok" }))
}

/// How long `/ready` waits for the store.
#[derive(Clone, Copy)]
struct ReadyTimeout(Duration);

/// `GET /ready`: 200 when the store answers within the ready timeout, else 503.
#[handler]
async fn ready(service: Data<&CastingService>, timeout: Data<&ReadyTimeout>) -> Response {
    match tokio::time::timeout(timeout.0.0, service.ready()).await {
        Ok(Ok(())) => Json(json!({ "success": true, "status": "ready" })).into_response(),
        Ok(Err(error)) => ApiError::from(error).into_response(),
        Err(_) => ApiError::unavailable(&format_args!(
            "the store did not answer within {:?}",
            timeout.0.0
        ))
        .into_response(),
    }
}

/// How a path outside the OpenAPI document is mounted.
enum Mount {
    /// At exactly this path.
    At,
    /// This path and everything below it (Swagger UI's assets).
    Nest,
}

/// The whole application as one endpoint: mount it in a poem server, or nest it in your own
/// routes. `verifier` checks every bearer token; `service` runs every operation.
pub fn app(
    service: CastingService,
    verifier: Arc<dyn TokenVerifier>,
    config: &HttpConfig,
) -> impl Endpoint<Output = Response> + use<> {
    let api = api_service(service.clone(), verifier).require_if_match(config.require_if_match);
    // The paths outside the OpenAPI document, all `GET`: listed once, for the router and for
    // the route table that answers 405s.
    let public: [(&str, Mount, BoxEndpoint<'static, Response>); 6] = [
        ("/", Mount::At, get(index).map_to_response().boxed()),
        ("/health", Mount::At, get(health).map_to_response().boxed()),
        ("/ready", Mount::At, get(ready).map_to_response().boxed()),
        (
            "/openapi.json",
            Mount::At,
            get(api.spec_endpoint()).map_to_response().boxed(),
        ),
        (
            "/openapi.yaml",
            Mount::At,
            get(api.spec_endpoint_yaml()).map_to_response().boxed(),
        ),
        (
            "/docs",
            Mount::Nest,
            api.swagger_ui().map_to_response().boxed(),
        ),
    ];

    let mut table: RouteTable = api.routes();
    // The operations' own router serves every path of the spec, unstripped.
    let prefixes = table.prefixes();
    let operations = Arc::new(api.operations());
    let mut routes = Route::new();
    for prefix in prefixes {
        routes = routes.nest_no_strip(prefix, Arc::clone(&operations));
    }
    for (path, mount, endpoint) in public {
        table.add_get(path);
        routes = match mount {
            Mount::At => routes.at(path, endpoint),
            Mount::Nest => routes.nest(path, endpoint),
        };
    }

    routes
        .data(service)
        .data(ReadyTimeout(config.ready_timeout))
        .with(Contract {
            routes: Arc::new(table),
        })
        .with(
            CatchPanic::new()
                .with_handler(|_| ApiError::internal(&"a handler panicked").into_response()),
        )
        .with(cors(config))
        .with(Observe)
}

/// CORS as the contract states it: the methods and headers the API uses (the contract's, and
/// the conditional and idempotent requests' headers), origins from the configuration (any by
/// default), no credentials. Answers' `ETag`, `Idempotent-Replayed` and `Link` are readable.
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
        ])
        .allow_credentials(false);
    match &config.allowed_origins {
        Some(origins) => cors.allow_origins(origins.iter().map(String::as_str)),
        None => cors,
    }
}
