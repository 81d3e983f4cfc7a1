//! The whole application: the API, the spec, Swagger UI, health, and the layers around them.

use std::sync::Arc;

use casting_core::{CastingService, TokenVerifier};
use poem::http::Method;
use poem::middleware::{CatchPanic, Cors};
use poem::web::{Data, Json, Redirect};
use poem::{Endpoint, EndpointExt, IntoEndpoint, IntoResponse, Response, Route, get, handler};
use poem_openapi::OpenApiService;
use serde_json::json;

use crate::errors::ApiError;
use crate::middleware::{Contract, Observe, REQUEST_ID};
use crate::security::Verifier;
use crate::{ActorsApi, HttpConfig, MoviesApi};

/// The OpenAPI service of both resources.
pub type CastingOpenApi = OpenApiService<(MoviesApi, ActorsApi), ()>;

/// Paths outside the OpenAPI document, all `GET`.
const PUBLIC_PATHS: [&str; 6] = [
    "/",
    "/health",
    "/ready",
    "/docs",
    "/openapi.json",
    "/openapi.yaml",
];

const DESCRIPTION: &str = "Movies, actors and the cast between them, behind Auth0 tokens with \
role-based permissions. Every operation needs a bearer token whose `permissions` claim holds the \
permission the operation names. Errors are JSON: `{\"success\": false, \"error\": <status>, \
\"message\", \"code\", \"details\"}`.";

/// The OpenAPI service: the operations, their spec, and Swagger UI.
pub fn api_service(service: CastingService) -> CastingOpenApi {
    OpenApiService::new(
        (MoviesApi::new(service.clone()), ActorsApi::new(service)),
        "Casting Agency API",
        env!("CARGO_PKG_VERSION"),
    )
    .description(DESCRIPTION)
}

/// The methods each path answers, read from the spec, for the `Allow` header of 405s.
pub(crate) struct AllowTable {
    routes: Vec<(Vec<String>, Vec<&'static str>)>,
    prefixes: Vec<String>,
}

impl AllowTable {
    fn from_spec(spec: &str) -> Self {
        let spec: serde_json::Value = serde_json::from_str(spec).unwrap_or_default();
        let mut routes = Vec::new();
        if let Some(paths) = spec["paths"].as_object() {
            for (path, operations) in paths {
                let methods: Vec<&'static str> = ["GET", "POST", "PUT", "PATCH", "DELETE"]
                    .into_iter()
                    .filter(|m| operations.get(m.to_lowercase()).is_some())
                    .collect();
                routes.push((segments(path), methods));
            }
        }
        let mut prefixes: Vec<String> = routes
            .iter()
            .filter_map(|(segments, _)| segments.first().map(|s| format!("/{s}")))
            .collect();
        prefixes.sort();
        prefixes.dedup();
        for path in PUBLIC_PATHS {
            routes.push((segments(path), vec!["GET"]));
        }
        Self { routes, prefixes }
    }

    /// The first segments of the spec's paths (`/movies`, `/movie-details`…).
    fn prefixes(&self) -> &[String] {
        &self.prefixes
    }

    /// The methods `path` answers; empty if it names nothing.
    pub(crate) fn methods(&self, path: &str) -> Vec<&'static str> {
        let wanted = segments(path);
        self.routes
            .iter()
            .find(|(pattern, _)| {
                pattern.len() == wanted.len()
                    && pattern
                        .iter()
                        .zip(&wanted)
                        .all(|(p, w)| p == w || (p.starts_with('{') && p.ends_with('}')))
            })
            .map(|(_, methods)| methods.clone())
            .unwrap_or_default()
    }
}

fn segments(path: &str) -> Vec<String> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

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

/// `GET /ready`: 200 when the store answers, else 503.
#[handler]
async fn ready(service: Data<&CastingService>) -> Response {
    match service.ready().await {
        Ok(()) => Json(json!({ "success": true, "status": "ready" })).into_response(),
        Err(error) => ApiError::from(error).to_response(),
    }
}

/// The whole application as one endpoint: mount it in a poem server, or nest it in your own
/// routes. `verifier` checks every bearer token; `service` runs every operation.
pub fn app(
    service: CastingService,
    verifier: Arc<dyn TokenVerifier>,
    config: &HttpConfig,
) -> impl Endpoint<Output = Response> + 'static {
    let api = api_service(service.clone());
    let allow = Arc::new(AllowTable::from_spec(&api.spec()));
    let docs = api.swagger_ui();
    let spec_json = api.spec_endpoint();
    let spec_yaml = api.spec_endpoint_yaml();

    let mut cors = Cors::new()
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PATCH,
            Method::DELETE,
            Method::OPTIONS,
        ])
        .allow_headers(["Content-Type", "Authorization"])
        .expose_headers([REQUEST_ID, "www-authenticate"])
        .allow_credentials(false);
    if let Some(origins) = &config.allowed_origins {
        cors = cors.allow_origins(origins.iter().map(String::as_str));
    }

    // The operations' own router serves every path of the spec, unstripped.
    let operations = Arc::new(api.into_endpoint());
    let mut routes = Route::new();
    for prefix in allow.prefixes() {
        routes = routes.nest_no_strip(prefix, Arc::clone(&operations));
    }
    routes
        .at("/", get(index))
        .at("/health", get(health))
        .at("/ready", get(ready))
        .at("/openapi.json", get(spec_json))
        .at("/openapi.yaml", get(spec_yaml))
        .nest("/docs", docs)
        .data(service)
        .data(Verifier(verifier))
        .with(Contract { allow })
        .with(
            CatchPanic::new()
                .with_handler(|_| ApiError::internal(&"a handler panicked").to_response()),
        )
        .with(cors)
        .with(Observe)
}
