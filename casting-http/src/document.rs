//! The OpenAPI document as served: poem-openapi's, finished where poem-openapi cannot say what
//! the server does, so that generated clients need no hand conversion.
//!
//! - Operations that need no token (the probes) say `security: []`: explicitly public, as
//!   linters ask, instead of silent.
//! - Response headers are spelled as HTTP spells them (`ETag`, `Link`, `Retry-After`,
//!   `WWW-Authenticate`, `Idempotent-Replayed`); poem-openapi writes them in capitals, and
//!   generators name their fields after them.
//!
//! Everything else is left exactly as poem-openapi wrote it, in its order: the document is read
//! into an order-keeping tree ([`Node`]), changed, and written back.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

use crate::security::{BearerScheme, SCHEME};

/// A JSON value whose objects keep their keys' order.
#[derive(Debug, Clone, PartialEq)]
enum Node {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(String),
    Array(Vec<Node>),
    Object(Vec<(String, Node)>),
}

impl Node {
    fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        match self {
            Node::Object(members) => members.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    fn members_mut(&mut self) -> &mut [(String, Node)] {
        match self {
            Node::Object(members) => members,
            _ => &mut [],
        }
    }

    fn has(&self, key: &str) -> bool {
        matches!(self, Node::Object(members) if members.iter().any(|(k, _)| k == key))
    }

    /// Sets `key` (in its place if it is there, else at the end), or removes it for `None`.
    fn set(&mut self, key: &str, value: Option<Node>) {
        let Node::Object(members) = self else { return };
        let at = members.iter().position(|(k, _)| k == key);
        match (at, value) {
            (Some(at), Some(value)) => members[at].1 = value,
            (None, Some(value)) => members.push((key.to_owned(), value)),
            (Some(at), None) => {
                members.remove(at);
            }
            (None, None) => {}
        }
    }
}

impl Serialize for Node {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Node::Null => serializer.serialize_unit(),
            Node::Bool(b) => serializer.serialize_bool(*b),
            Node::Number(n) => n.serialize(serializer),
            Node::String(s) => serializer.serialize_str(s),
            Node::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Node::Object(members) => {
                let mut map = serializer.serialize_map(Some(members.len()))?;
                for (key, value) in members {
                    map.serialize_entry(key, value)?;
                }
                map.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JSON")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Node, E> {
        Ok(Node::Bool(value))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Node, E> {
        Ok(Node::Number(value.into()))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Node, E> {
        Ok(Node::Number(value.into()))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Node, E> {
        serde_json::Number::from_f64(value)
            .map(Node::Number)
            .ok_or_else(|| E::custom("a number JSON cannot hold"))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Node, E> {
        Ok(Node::String(value.to_owned()))
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<Node, E> {
        Ok(Node::String(value))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Node::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut members = Vec::new();
        while let Some((key, value)) = map.next_entry::<String, Node>()? {
            members.push((key, value));
        }
        Ok(Node::Object(members))
    }
}

/// A response header's name as HTTP spells it.
fn header_name(name: &str) -> String {
    match name.to_ascii_lowercase().as_str() {
        "etag" => "ETag".to_owned(),
        "www-authenticate" => "WWW-Authenticate".to_owned(),
        lower => lower
            .split('-')
            .map(|part| {
                let mut chars = part.chars();
                chars.next().map_or_else(String::new, |first| {
                    first.to_ascii_uppercase().to_string() + chars.as_str()
                })
            })
            .collect::<Vec<_>>()
            .join("-"),
    }
}

/// The HTTP methods an OpenAPI path item may hold.
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// poem-openapi's document (JSON) finished as the module docs say; the same text when it is not
/// a document poem-openapi would write (it always is).
pub(crate) fn finish(spec: &str) -> String {
    let Ok(mut document) = serde_json::from_str::<Node>(spec) else {
        return spec.to_owned();
    };
    if let Some(paths) = document.get_mut("paths") {
        for (_, item) in paths.members_mut() {
            for (method, operation) in item.members_mut() {
                if !METHODS.contains(&method.as_str()) {
                    continue;
                }
                finish_operation(operation);
            }
        }
    }
    serde_json::to_string_pretty(&document).unwrap_or_else(|_| spec.to_owned())
}

/// The finished document (JSON) with what an embedder says of its API: the `servers` URL it is
/// mounted at, and its bearer scheme. `None`s leave those parts as they are.
pub(crate) fn adapt(document: &str, server: Option<&str>, scheme: Option<&BearerScheme>) -> String {
    let Ok(mut node) = serde_json::from_str::<Node>(document) else {
        return document.to_owned();
    };
    if let Some(url) = server
        && let Some(Node::Array(servers)) = node.get_mut("servers")
        && let Some(first) = servers.first_mut()
    {
        first.set("url", Some(Node::String(url.to_owned())));
    }
    if let Some(scheme) = scheme
        && let Some(bearer) = node
            .get_mut("components")
            .and_then(|c| c.get_mut("securitySchemes"))
            .and_then(|s| s.get_mut(SCHEME))
    {
        bearer.set(
            "description",
            Some(Node::String(scheme.description.clone())),
        );
        bearer.set("bearerFormat", scheme.format.clone().map(Node::String));
    }
    serde_json::to_string_pretty(&node).unwrap_or_else(|_| document.to_owned())
}

/// The document and its Swagger UI page as served under each prefix an API is mounted at.
pub(crate) struct Published {
    /// The document at the host's root (`servers` is `/`).
    document: Arc<str>,
    /// poem-openapi's Swagger UI page, and the document it wrote into it (to be replaced).
    page: String,
    written: String,
    /// Documents already made for other prefixes (a handful at most: prefixes come from the
    /// embedder's routes).
    prefixed: Mutex<Vec<(String, Arc<str>)>>,
}

/// How many prefixed documents are kept; past that they are made on each request.
const KEPT_PREFIXES: usize = 8;

impl Published {
    pub(crate) fn new(document: Arc<str>, page: String, written: String) -> Self {
        Self {
            document,
            page,
            written,
            prefixed: Mutex::new(Vec::new()),
        }
    }

    /// The document at the root.
    pub(crate) fn root(&self) -> &Arc<str> {
        &self.document
    }

    /// The document for an API mounted at `prefix` (empty: the root), its `servers` naming it.
    pub(crate) fn document(&self, prefix: &str) -> Arc<str> {
        if prefix.is_empty() {
            return Arc::clone(&self.document);
        }
        let mut kept = self.prefixed.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((_, document)) = kept.iter().find(|(p, _)| p == prefix) {
            return Arc::clone(document);
        }
        let document: Arc<str> = adapt(&self.document, Some(prefix), None).into();
        if kept.len() < KEPT_PREFIXES {
            kept.push((prefix.to_owned(), Arc::clone(&document)));
        }
        document
    }

    /// Swagger UI's page over [`document`](Self::document)`(prefix)`.
    pub(crate) fn page(&self, prefix: &str) -> String {
        self.page.replacen(&self.written, &self.document(prefix), 1)
    }
}

/// The prefix an API is mounted under (see [`mount_prefix`]), noted in request data where the
/// request enters the API, for the endpoints that serve the document.
#[derive(Debug, Clone)]
pub(crate) struct MountPrefix(String);

impl MountPrefix {
    /// The prefix noted for `request`; empty (the root) when none was.
    pub(crate) fn of(request: &poem::Request) -> &str {
        request
            .data::<MountPrefix>()
            .map_or("", |prefix| prefix.0.as_str())
    }

    /// Notes each request's prefix before the API's own router strips anything.
    pub(crate) fn layer() -> NotePrefix {
        NotePrefix
    }
}

/// The middleware of [`MountPrefix::layer`].
pub(crate) struct NotePrefix;

impl<E: poem::Endpoint> poem::Middleware<E> for NotePrefix {
    type Output = NotePrefixEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        NotePrefixEndpoint(inner)
    }
}

/// The endpoint of [`NotePrefix`].
pub(crate) struct NotePrefixEndpoint<E>(E);

impl<E: poem::Endpoint> poem::Endpoint for NotePrefixEndpoint<E> {
    type Output = E::Output;

    async fn call(&self, mut request: poem::Request) -> poem::Result<Self::Output> {
        // At the root (the usual case) nothing is noted: an absent prefix reads as the root,
        // so a request pays no allocation for it.
        let prefix = mount_prefix(&request);
        if !prefix.is_empty() {
            request.set_data(MountPrefix(prefix));
        }
        self.0.call(request).await
    }
}

/// The path an API is mounted under, from what the routers before it stripped of `request`'s
/// path: empty at the root, else `/casting`-like. Anything but plain path characters is
/// treated as the root, so that nothing a client wrote reaches the page unescaped.
pub(crate) fn mount_prefix(request: &poem::Request) -> String {
    let original = request.original_uri().path();
    let current = request.uri().path();
    let prefix = original
        .strip_suffix(current)
        .or_else(|| (current == "/").then(|| original.trim_end_matches('/')))
        .unwrap_or("");
    let plain = prefix
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"/-._~%!$&'()*+,;=:@".contains(&b));
    if plain && prefix.starts_with('/') {
        prefix.trim_end_matches('/').to_owned()
    } else {
        String::new()
    }
}

/// The finished document (JSON) as YAML, in the same order.
pub(crate) fn to_yaml(spec: &str) -> String {
    serde_json::from_str::<Node>(spec)
        .ok()
        .and_then(|document| serde_yaml::to_string(&document).ok())
        .unwrap_or_default()
}

fn finish_operation(operation: &mut Node) {
    if !operation.has("security")
        && let Node::Object(members) = operation
    {
        // Before `deprecated`, poem-openapi's last key, or at the end.
        let at = members
            .iter()
            .position(|(key, _)| key == "deprecated")
            .unwrap_or(members.len());
        members.insert(at, ("security".to_owned(), Node::Array(Vec::new())));
    }
    if let Some(responses) = operation.get_mut("responses") {
        for (_, response) in responses.members_mut() {
            if let Some(headers) = response.get_mut("headers") {
                for (name, _) in headers.members_mut() {
                    *name = header_name(name);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_embedder_names_its_prefix_and_its_scheme() {
        let spec = r#"{"openapi":"3.0.0","servers":[{"url":"/","description":"d"}],
            "components":{"securitySchemes":{"bearerAuth":{"type":"http",
            "description":"Auth0","scheme":"bearer","bearerFormat":"JWT"}}}}"#;
        let scheme = BearerScheme::new("An API key from the admin page.");
        let adapted: serde_json::Value =
            serde_json::from_str(&adapt(spec, Some("/casting"), Some(&scheme))).unwrap();
        assert_eq!(adapted["servers"][0]["url"], "/casting");
        assert_eq!(adapted["servers"][0]["description"], "d");
        let bearer = &adapted["components"]["securitySchemes"]["bearerAuth"];
        assert_eq!(bearer["description"], "An API key from the admin page.");
        assert!(bearer.get("bearerFormat").is_none(), "{bearer}");
        assert_eq!(bearer["scheme"], "bearer");
        let unchanged: serde_json::Value = serde_json::from_str(&adapt(spec, None, None)).unwrap();
        assert_eq!(
            unchanged,
            serde_json::from_str::<serde_json::Value>(spec).unwrap()
        );
    }

    #[test]
    fn the_prefix_is_what_the_routers_before_stripped() {
        // As a server makes it (the original URI is kept), then routed.
        let prefix = |original: &str, current: &str| {
            let (parts, ()) = poem::http::Request::builder()
                .uri(original)
                .body(())
                .unwrap()
                .into_parts();
            let addr = || poem::Addr::Custom("test", "".into());
            let parts = poem::RequestParts::from((
                parts,
                poem::web::LocalAddr(addr()),
                poem::web::RemoteAddr(addr()),
                poem::http::uri::Scheme::HTTP,
            ));
            let mut request = poem::Request::from_parts(parts, poem::Body::empty());
            *request.uri_mut() = current.parse().unwrap();
            mount_prefix(&request)
        };
        assert_eq!(prefix("/openapi.json", "/openapi.json"), "");
        assert_eq!(prefix("/casting/openapi.json", "/openapi.json"), "/casting");
        assert_eq!(prefix("/casting", "/"), "/casting");
        assert_eq!(prefix("/casting/", "/"), "/casting");
        assert_eq!(prefix("/a/b/movies", "/movies"), "/a/b");
        assert_eq!(prefix("/x%3Cscript/movies", "/movies"), "/x%3Cscript");
        assert_eq!(prefix("/x\"y/movies", "/movies"), "");
    }

    #[test]
    fn header_names_are_spelled_as_http_spells_them() {
        for (written, spelled) in [
            ("ETAG", "ETag"),
            ("LINK", "Link"),
            ("RETRY-AFTER", "Retry-After"),
            ("WWW-AUTHENTICATE", "WWW-Authenticate"),
            ("IDEMPOTENT-REPLAYED", "Idempotent-Replayed"),
            ("X-REQUEST-ID", "X-Request-Id"),
        ] {
            assert_eq!(header_name(written), spelled);
        }
    }

    #[test]
    fn public_operations_say_so_and_the_order_is_kept() {
        let spec = r#"{"openapi":"3.0.0","info":{"title":"t","version":"1"},"paths":{
            "/health":{"get":{"summary":"s","responses":{"200":{"description":"ok",
                "headers":{"RETRY-AFTER":{"schema":{"type":"string"}}}}},"deprecated":false}},
            "/movies":{"get":{"responses":{},"security":[{"bearerAuth":[]}],"deprecated":false}}}}"#;
        let finished: serde_json::Value = serde_json::from_str(&finish(spec)).unwrap();
        let health = &finished["paths"]["/health"]["get"];
        assert_eq!(health["security"], serde_json::json!([]));
        assert!(health["responses"]["200"]["headers"]["Retry-After"].is_object());
        assert_eq!(
            finished["paths"]["/movies"]["get"]["security"],
            serde_json::json!([{"bearerAuth": []}])
        );
        let text = finish(spec);
        let order: Vec<usize> = ["\"openapi\"", "\"info\"", "\"paths\""]
            .iter()
            .map(|key| text.find(key).unwrap())
            .collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]), "{text}");
        assert!(text.find("\"security\": []").unwrap() < text.find("\"deprecated\"").unwrap());
    }
}
