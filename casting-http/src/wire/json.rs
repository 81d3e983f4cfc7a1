//! [`Json`]: the JSON payload of every answer, written straight from the value with serde, with
//! no `serde_json::Value` tree in between (an allocation per key and per value). Its schema is
//! `T`'s, as poem-openapi's `Json` would give it; its media type is plain [`JSON`] (RFC 8259 §8.1
//! gives `application/json` no `charset` parameter; poem-openapi's own adds one).
//!
//! Answers keep the key order they always had: alphabetical, as a `Value`'s sorted map wrote
//! them. [`json_fields!`] writes each answer type's `Serialize` with its keys in that order (it
//! does not compile unless it names every field), and a test compares every answer type's bytes
//! with what poem-openapi's `ToJSON` makes of it.

use poem::{IntoResponse, Response};
use poem_openapi::payload::Payload;
use poem_openapi::registry::{MetaSchemaRef, Registry};
use poem_openapi::types::Type;
use serde::Serialize;

/// The media type of every JSON body, request or response.
pub(crate) const JSON: &str = "application/json";

/// A JSON response body of type `T`.
#[derive(Debug, Clone)]
pub struct Json<T>(pub T);

impl<T: Type> Payload for Json<T> {
    const CONTENT_TYPE: &'static str = JSON;

    fn check_content_type(content_type: &str) -> bool {
        <poem_openapi::payload::Json<T> as Payload>::check_content_type(content_type)
    }

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

impl<T: Serialize + Send> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        match serde_json::to_vec(&self.0) {
            Ok(body) => Response::builder().content_type(JSON).body(body),
            // Structs of strings and numbers cannot fail to serialise; if one did, the answer
            // is a bare 500.
            Err(error) => poem::Error::new(error, poem::http::StatusCode::INTERNAL_SERVER_ERROR)
                .into_response(),
        }
    }
}

/// Writes `Serialize` for an answer type, its fields in the order given: alphabetical, as the
/// answers have always been written (a test in `wire::dto` checks every type against
/// poem-openapi's `ToJSON`). The list must name every field of the struct, or the struct's
/// pattern does not compile (E0027): a field cannot be left out of the answers unnoticed.
macro_rules! json_fields {
    ($($ty:ident { $($field:ident),* $(,)? })*) => {$(
        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeStruct;
                let $ty { $($field),* } = self;
                let fields = [$(stringify!($field)),*];
                let mut out = serializer.serialize_struct(stringify!($ty), fields.len())?;
                $(out.serialize_field(stringify!($field), $field)?;)*
                out.end()
            }
        }
    )*};
}

pub(crate) use json_fields;

#[cfg(test)]
mod tests {
    use poem::http::header;

    use super::*;

    #[tokio::test]
    async fn bodies_are_application_json_and_the_same_bytes_as_poem_openapi_writes() {
        let value = serde_json::json!({ "b": [1, "two"], "a": null });
        let ours = Json(value.clone()).into_response();
        assert_eq!(ours.headers()[header::CONTENT_TYPE], "application/json");
        let theirs = poem_openapi::payload::Json(value).into_response();
        let ours = ours.into_body().into_bytes().await.unwrap();
        let theirs = theirs.into_body().into_bytes().await.unwrap();
        assert_eq!(ours, theirs);
    }
}
