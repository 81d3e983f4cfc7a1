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

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

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
