//! [`ErrorBody`]: the JSON of every error response, and its `details` object, as the spec shows
//! them. `errors.rs` decides what goes in them.

use poem_openapi::Object;
use serde_json::{Value, json};

/// The body of every error response.
#[derive(Debug, Clone, PartialEq, Object)]
#[oai(example)]
pub struct ErrorBody {
    /// Always `false`.
    pub success: bool,
    /// The HTTP status, repeated.
    pub error: u16,
    /// The original API's message for the status, e.g. `resource not found`.
    pub message: String,
    /// A stable machine-readable word, e.g. `not_found`, `validation_failed`.
    pub code: String,
    /// More about the error: field errors, unknown ids, the missing permission. May be empty.
    pub details: Details,
}

impl poem_openapi::types::Example for ErrorBody {
    /// A 404, as `GET /movies/7` answers when there is no movie 7 (every error has this shape;
    /// the status, message, code and details vary).
    fn example() -> Self {
        Self {
            success: false,
            error: 404,
            message: "resource not found".into(),
            code: "not_found".into(),
            details: Details(json!({ "resource": "movie", "id": 7 })),
        }
    }
}

/// `details`: a JSON object whose members depend on the error (`fields`, `reason`,
/// `unknown_ids`, `permission`, `resource` and `id`, `allowed`, `limit_bytes`); `{}` when there
/// is nothing more to say.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(transparent)]
pub struct Details(pub Value);

impl poem_openapi::types::Type for Details {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> std::borrow::Cow<'static, str> {
        "object_details".into()
    }

    fn schema_ref() -> poem_openapi::registry::MetaSchemaRef {
        use poem_openapi::registry::{MetaSchema, MetaSchemaRef};
        MetaSchemaRef::Inline(Box::new(MetaSchema {
            description: Some(
                "More about the error; its members depend on the error: `fields` \
                 ([{field, message}]) and `reason` on 400s and field 422s, `unknown_ids` \
                 ({resource, ids}) on relation 422s, `permission` on 403s, `resource` and `id` \
                 on 404s, `allowed` on 405s, `current_version` (with `resource` and `id`) on \
                 412s, `header` and `reason` on 409s, 428s and `idempotency_key_reused` 422s, \
                 `limit_bytes` on 413s. `{}` on 5xx.",
            ),
            additional_properties: Some(Box::new(MetaSchemaRef::Inline(Box::new(MetaSchema::ANY)))),
            ..MetaSchema::new("object")
        }))
    }

    fn as_raw_value(&self) -> Option<&Self> {
        Some(self)
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self> + 'a> {
        Box::new(self.as_raw_value().into_iter())
    }
}

impl poem_openapi::types::ToJSON for Details {
    fn to_json(&self) -> Option<Value> {
        Some(self.0.clone())
    }
}

impl poem_openapi::types::ParseFromJSON for Details {
    fn parse_from_json(value: Option<Value>) -> poem_openapi::types::ParseResult<Self> {
        match value {
            Some(Value::Object(map)) => Ok(Self(Value::Object(map))),
            Some(other) => Err(poem_openapi::types::ParseError::expected_type(other)),
            None => Ok(Self(Value::Object(serde_json::Map::new()))),
        }
    }
}

/// Keys in alphabetical order, as every answer writes them (`wire::json`).
impl serde::Serialize for ErrorBody {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut out = serializer.serialize_struct("ErrorBody", 5)?;
        out.serialize_field("code", &self.code)?;
        out.serialize_field("details", &self.details)?;
        out.serialize_field("error", &self.error)?;
        out.serialize_field("message", &self.message)?;
        out.serialize_field("success", &self.success)?;
        out.end()
    }
}
