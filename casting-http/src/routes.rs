//! The route table: every path the application answers and the methods it answers there.
//!
//! Built once from the OpenAPI document (the operations) plus the paths outside it, and used
//! both to mount the operations (`prefixes`) and to answer a 405 with its `Allow` header
//! (`methods`), so the two cannot disagree.

/// Paths and their methods.
#[derive(Debug, Default)]
pub(crate) struct RouteTable {
    routes: Vec<Route>,
}

/// Which template a request's path matched (its position in the table), once looked up.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Matched(pub(crate) Option<usize>);

/// One path template: its segments, the template as the spec writes it, its methods.
#[derive(Debug)]
struct Route {
    segments: Vec<String>,
    template: String,
    methods: Vec<&'static str>,
}

impl Route {
    fn new(path: &str, methods: Vec<&'static str>) -> Self {
        Self {
            segments: segments(path),
            template: path.to_owned(),
            methods,
        }
    }

    fn matches(&self, wanted: &[&str]) -> bool {
        self.segments.len() == wanted.len()
            && self
                .segments
                .iter()
                .zip(wanted)
                .all(|(p, w)| p == w || (p.starts_with('{') && p.ends_with('}')))
    }
}

impl RouteTable {
    /// The paths and methods of an OpenAPI document (`{id}` segments match any value).
    pub(crate) fn from_spec(spec: &str) -> Self {
        let spec: serde_json::Value = serde_json::from_str(spec).unwrap_or_default();
        let mut routes = Vec::new();
        if let Some(paths) = spec["paths"].as_object() {
            for (path, operations) in paths {
                let methods: Vec<&'static str> = ["GET", "POST", "PUT", "PATCH", "DELETE"]
                    .into_iter()
                    .filter(|m| operations.get(m.to_lowercase()).is_some())
                    .collect();
                routes.push(Route::new(path, methods));
            }
        }
        Self { routes }
    }

    /// Adds a path that answers `GET` only.
    pub(crate) fn add_get(&mut self, path: &str) {
        self.routes.push(Route::new(path, vec!["GET"]));
    }

    /// The distinct first segments of the paths (`/movies`, `/movie-details`…), sorted.
    pub(crate) fn prefixes(&self) -> Vec<String> {
        let mut prefixes: Vec<String> = self
            .routes
            .iter()
            .filter_map(|route| route.segments.first().map(|s| format!("/{s}")))
            .collect();
        prefixes.sort();
        prefixes.dedup();
        prefixes
    }

    /// The methods `path` answers; empty if it names nothing.
    pub(crate) fn methods(&self, path: &str) -> Vec<&'static str> {
        self.find(path)
            .map(|route| route.methods.clone())
            .unwrap_or_default()
    }

    /// The position of the template `path` matches, for [`template_at`](Self::template_at);
    /// `None` if it names nothing.
    pub(crate) fn position(&self, path: &str) -> Option<usize> {
        let wanted: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        self.routes.iter().position(|route| route.matches(&wanted))
    }

    /// The position of the template a request's path matches: looked up once per request
    /// (by the outermost middleware, which leaves it in the request's extensions as
    /// [`Matched`]) and read by the others.
    pub(crate) fn matched(&self, request: &poem::Request) -> Option<usize> {
        match request.extensions().get::<Matched>() {
            Some(Matched(position)) => *position,
            None => self.position(request.uri().path()),
        }
    }

    /// The template at `position` (`/movies/{id}`), as the spec writes it. Bounded by the
    /// table, so fit for a metric's label.
    pub(crate) fn template_at(&self, position: usize) -> Option<&str> {
        self.routes
            .get(position)
            .map(|route| route.template.as_str())
    }

    fn find(&self, path: &str) -> Option<&Route> {
        self.position(path).and_then(|i| self.routes.get(i))
    }
}

fn segments(path: &str) -> Vec<String> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_match_templates_and_public_paths() {
        let mut table = RouteTable::from_spec(
            r#"{"paths": {"/movies": {"get": {}, "post": {}}, "/movies/{id}": {"patch": {}}}}"#,
        );
        table.add_get("/health");
        assert_eq!(table.methods("/movies"), ["GET", "POST"]);
        assert_eq!(table.methods("/movies/7"), ["PATCH"]);
        assert_eq!(table.methods("/health"), ["GET"]);
        assert!(table.methods("/movies/7/x").is_empty());
        let template = |path| table.position(path).and_then(|i| table.template_at(i));
        assert_eq!(template("/movies/7"), Some("/movies/{id}"));
        assert_eq!(template("/health"), Some("/health"));
        assert_eq!(template("/nothing/here"), None);
        assert_eq!(table.prefixes(), ["/health", "/movies"]);
    }
}
