//! Request metrics, through the `metrics` facade: a library records, the program that embeds it
//! chooses an exporter (the server's is Prometheus text on `METRICS_ADDR`); without one, each
//! call is a no-op.
//!
//! - `casting_http_requests_total{route, method, status}`: answers, by the route's template
//!   (`/movies/{id}`; `unmatched` for paths that name nothing, so a scanner cannot grow the
//!   series without bound), the method and the status.
//! - `casting_http_request_duration_seconds{route, method}`: how long each took, to the last
//!   byte of the head.
//! - `casting_http_requests_in_flight`: requests being answered.
//!
//! Each series' handles are registered with the recorder at its first request and kept, so
//! install the recorder before serving.

use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Instant;

use metrics::{Counter, Gauge, Histogram};
use poem::http::Method;
use poem::{Endpoint, IntoResponse, Middleware, Request, Response};

use crate::routes::{Matched, RouteTable};

/// Records every request's metrics; outermost, so it sees every answer as it leaves.
pub(crate) struct Metered {
    pub(crate) routes: Arc<RouteTable>,
}

impl<E: Endpoint> Middleware<E> for Metered {
    type Output = MeteredEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        MeteredEndpoint {
            inner,
            routes: Arc::clone(&self.routes),
            handles: RwLock::new(HashMap::new()),
        }
    }
}

/// What names one series: the route's position in the table (`None`: unmatched), the
/// method's label, the status.
type SeriesKey = (Option<usize>, &'static str, u16);

/// [`Metered`] around an endpoint.
pub(crate) struct MeteredEndpoint<E> {
    inner: E,
    routes: Arc<RouteTable>,
    /// The counter and histogram of each series seen, registered once: a request then costs a
    /// map lookup and two atomic updates, not a label list and a registry lookup per metric.
    handles: RwLock<HashMap<SeriesKey, (Counter, Histogram)>>,
}

impl<E> MeteredEndpoint<E> {
    fn handles(&self, key: SeriesKey) -> (Counter, Histogram) {
        let known = self
            .handles
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key)
            .cloned();
        if let Some(handles) = known {
            return handles;
        }
        let (position, method, status) = key;
        let route = position
            .and_then(|i| self.routes.template_at(i))
            .unwrap_or("unmatched")
            .to_owned();
        let counter = metrics::counter!(
            "casting_http_requests_total",
            "route" => route.clone(),
            "method" => method,
            "status" => status.to_string()
        );
        let histogram = metrics::histogram!(
            "casting_http_request_duration_seconds",
            "route" => route,
            "method" => method
        );
        let handles = (counter, histogram);
        self.handles
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key, handles.clone());
        handles
    }
}

/// A method as a label: the ones HTTP defines, else `other` (the label set stays bounded).
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// Decrements the in-flight gauge however the request ends (a dropped connection included).
struct InFlight(Gauge);

impl InFlight {
    fn start() -> Self {
        let gauge = metrics::gauge!("casting_http_requests_in_flight");
        gauge.increment(1.0);
        Self(gauge)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.decrement(1.0);
    }
}

impl<E: Endpoint> Endpoint for MeteredEndpoint<E> {
    type Output = Response;

    async fn call(&self, mut request: Request) -> poem::Result<Response> {
        let _in_flight = InFlight::start();
        let started = Instant::now();
        let position = self.routes.position(request.uri().path());
        request.extensions_mut().insert(Matched(position));
        let method = method_label(request.method());
        let response = match self.inner.call(request).await {
            Ok(response) => response.into_response(),
            Err(error) => error.into_response(),
        };
        let (counter, histogram) = self.handles((position, method, response.status().as_u16()));
        histogram.record(started.elapsed().as_secs_f64());
        counter.increment(1);
        Ok(response)
    }
}
