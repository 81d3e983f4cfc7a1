//! The route table: every path the application answers and the methods it answers there.
//!
//! Built once from the OpenAPI document (the operations) plus the paths outside it, and used
//! both to mount the operations (`prefixes`) and to answer a 405 with its `Allow` header
//! (`methods`), so the two cannot disagree.

/// Paths and their methods.
#[derive(Debug, Default)]
pub(crate) struct RouteTable {
    routes: Vec<(Vec<String>, Vec<&'static str>)>,
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
                routes.push((segments(path), methods));
            }
        }
        Self { routes }
    }

    /// Adds a path that answers `GET` only.
    pub(crate) fn add_get(&mut self, path: &str) {
        self.routes.push((segments(path), vec!["GET"]));
    }

    /// The distinct first segments of the paths (`/movies`, `/movie-details`…), sorted.
    pub(crate) fn prefixes(&self) -> Vec<String> {
        let mut prefixes: Vec<String> = self
            .routes
            .iter()
            .filter_map(|(segments, _)| segments.first().map(|s| format!("/{s}")))
            .collect();
        prefixes.sort();
        prefixes.dedup();
        prefixes
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
        assert_eq!(table.prefixes(), ["/health", "/movies"]);
    }
}
