//! [`StrictJson`]: the request-body payload. Like poem-openapi's `Json`, but strict where
//! `serde_json::Value` is lenient: an object that names a key twice is refused (a parser that
//! keeps the last one and a proxy that keeps the first would read two different requests), and
//! every refusal names the field in `details.fields`. The body is read once: the check is made
//! while the value is built.

use std::fmt;

use casting_core::FieldError;
use poem::{FromRequest, Request, RequestBody};
use poem_openapi::payload::{Json, ParsePayload, Payload};
use poem_openapi::registry::{MetaMediaType, MetaRequest, MetaSchemaRef, Registry};
use poem_openapi::types::{ParseFromJSON, Type};
use poem_openapi::{ApiExtractor, ApiExtractorType, ExtractParamOptions};
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use crate::errors::ApiError;

/// A JSON request body of type `T`, read strictly (see the module docs).
pub(crate) struct StrictJson<T>(pub(crate) T);

impl<T: Type> Payload for StrictJson<T> {
    const CONTENT_TYPE: &'static str = crate::wire::json::JSON;

    fn check_content_type(content_type: &str) -> bool {
        <Json<T> as Payload>::check_content_type(content_type)
    }

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

impl<T: ParseFromJSON> ParsePayload for StrictJson<T> {
    const IS_REQUIRED: bool = true;

    async fn from_request(request: &Request, body: &mut RequestBody) -> poem::Result<Self> {
        let bytes = <Vec<u8> as FromRequest>::from_request(request, body).await?;
        let value = parse(&bytes).map_err(bad_body)?;
        if !value.is_object() {
            return Err(bad_body(FieldError::new("body", "must be a JSON object")).into());
        }
        T::parse_from_json(Some(value))
            .map(Self)
            .map_err(|error| bad_body(FieldError::new("body", error.into_message())).into())
    }
}

impl<'a, T: Type + ParseFromJSON> ApiExtractor<'a> for StrictJson<T> {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::RequestObject];

    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        <Self as Payload>::register(registry);
    }

    fn request_meta() -> Option<MetaRequest> {
        Some(MetaRequest {
            description: None,
            content: vec![MetaMediaType {
                content_type: <Self as Payload>::CONTENT_TYPE,
                schema: <Self as Payload>::schema_ref(),
            }],
            required: true,
        })
    }

    async fn from_request(
        request: &'a Request,
        body: &mut RequestBody,
        _options: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        match request.content_type() {
            Some(content_type) if Self::check_content_type(content_type) => {
                <Self as ParsePayload>::from_request(request, body).await
            }
            Some(content_type) => Err(poem_openapi::error::ContentTypeError::NotSupported {
                content_type: content_type.to_owned(),
            }
            .into()),
            None => Err(poem_openapi::error::ContentTypeError::ExpectContentType.into()),
        }
    }
}

fn bad_body(error: FieldError) -> ApiError {
    ApiError::bad_fields(vec![error])
}

/// Parses `bytes` as JSON in one pass, refusing a key repeated within one object (named by its
/// path). An empty body is `null`.
fn parse(bytes: &[u8]) -> Result<Value, FieldError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Null);
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    Strict {
        path: String::new(),
    }
    .deserialize(&mut deserializer)
    .and_then(|value| deserializer.end().map(|()| value))
    .map_err(|error| {
        let message = error.to_string();
        match message.strip_prefix(REPEATED) {
            Some(rest) => {
                let (path, _) = rest.split_once(REPEATED_END).unwrap_or((rest, ""));
                FieldError::new(path.to_owned(), "appears more than once in the object")
            }
            None => FieldError::new("body", format!("is not valid JSON: {message}")),
        }
    })
}

const REPEATED: &str = "repeated key ";
const REPEATED_END: &str = " |";

/// Reads a JSON document into a [`Value`], failing on the first key repeated in an object.
/// `path` names where it is (`actors`, `cast[2].actor`), for the error.
struct Strict {
    path: String,
}

impl Strict {
    fn child(&self, key: impl fmt::Display) -> Self {
        let path = if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        };
        Self { path }
    }
}

impl<'de> DeserializeSeed<'de> for Strict {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Strict {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }
    fn visit_i64<E>(self, value: i64) -> Result<Value, E> {
        Ok(Value::from(value))
    }
    fn visit_u64<E>(self, value: u64) -> Result<Value, E> {
        Ok(Value::from(value))
    }
    fn visit_f64<E>(self, value: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(value).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, value: &str) -> Result<Value, E> {
        Ok(Value::String(value.to_owned()))
    }
    fn visit_string<E>(self, value: String) -> Result<Value, E> {
        Ok(Value::String(value))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element_seed(Strict {
            path: format!("{}[{}]", self.path, items.len()),
        })? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let child = self.child(&key);
            if object.contains_key(&key) {
                return Err(de::Error::custom(format_args!(
                    "{REPEATED}{}{REPEATED_END}",
                    child.path
                )));
            }
            let value = map.next_value_seed(child)?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(bytes: &[u8]) -> String {
        parse(bytes).unwrap_err().field.into_owned()
    }

    #[test]
    fn repeated_keys_are_refused_at_any_depth_and_named() {
        assert_eq!(field(br#"{"title": "a", "title": "b"}"#), "title");
        assert_eq!(
            field(br#"{"cast": [{"actor": 1}, {"actor": 2, "actor": 3}]}"#),
            "cast[1].actor"
        );
        assert!(parse(br#"{"a": {"x": 1}, "b": {"x": 1}}"#).is_ok());
        let text = br#"{"b": [1, -2, 3.5, "x", null, true, {"c": {}}], "a": 18446744073709551615}"#;
        assert_eq!(
            parse(text).unwrap(),
            serde_json::from_slice::<Value>(text).unwrap(),
            "one pass reads what serde_json reads"
        );
        assert!(parse(br#"[{"a": 1}, {"a": 1}]"#).is_ok());
    }

    #[test]
    fn malformed_json_names_the_body() {
        assert_eq!(field(b"not json"), "body");
        assert_eq!(field(br#"{"title": "T""#), "body");
        assert_eq!(field(br#"{} {}"#), "body");
        assert_eq!(parse(b"  ").unwrap(), Value::Null);
    }
}
