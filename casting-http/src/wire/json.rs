//! [`Json`]: the JSON response payload of every operation. poem-openapi's own writes its media
//! type `application/json; charset=utf-8`, in the spec and on the wire; JSON is UTF-8 by
//! definition (RFC 8259 §8.1, which also gives the media type no `charset` parameter), so
//! this one writes plain [`JSON`] and is otherwise the same: the schema is `T`'s, the body
//! `T`'s `ToJSON`.

use poem::{IntoResponse, Response};
use poem_openapi::payload::Payload;
use poem_openapi::registry::{MetaSchemaRef, Registry};
use poem_openapi::types::{ToJSON, Type};

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

impl<T: ToJSON + Send> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        let value = self.0.to_json().unwrap_or_default();
        match serde_json::to_vec(&value) {
            Ok(body) => Response::builder().content_type(JSON).body(body),
            // A `Value` always serialises; if one did not, the answer is a bare 500.
            Err(error) => poem::Error::new(error, poem::http::StatusCode::INTERNAL_SERVER_ERROR)
                .into_response(),
        }
    }
}

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
