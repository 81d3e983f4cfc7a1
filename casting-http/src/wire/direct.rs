//! [`Direct`]: a JSON response body written straight from the value, without the
//! `serde_json::Value` tree poem-openapi's `Json` builds first (an allocation per key and per
//! value). Used for the bodies that grow with the data (a cast, a filmography); its schema is
//! `T`'s. Every type written this way keeps `Json`'s (alphabetical) key order, which tests
//! check byte for byte.

use poem::{IntoResponse, Response};
use poem_openapi::ApiResponse;
use poem_openapi::payload::Payload;
use poem_openapi::registry::{MetaMediaType, MetaResponse, MetaResponses, MetaSchemaRef, Registry};
use poem_openapi::types::Type;
use serde::ser::{Serialize, SerializeStruct, Serializer};

use crate::wire::dto::{ActorShort, MovieShort};

/// A JSON body serialised directly from `T`; its schema is `T`'s.
#[derive(Debug, Clone)]
pub struct Direct<T>(pub T);

impl<T: Type + Send> Payload for Direct<T> {
    const CONTENT_TYPE: &'static str = crate::wire::json::JSON;

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

impl<T: Serialize + Send> IntoResponse for Direct<T> {
    fn into_response(self) -> Response {
        match serde_json::to_vec(&self.0) {
            Ok(body) => Response::builder()
                .content_type(crate::wire::json::JSON)
                .body(body),
            // Plain structs of strings and numbers cannot fail to serialise; if one did, the
            // error path answers 500 like any other.
            Err(error) => poem::Error::new(error, poem::http::StatusCode::INTERNAL_SERVER_ERROR)
                .into_response(),
        }
    }
}

impl<T: Type + Serialize + Send> ApiResponse for Direct<T> {
    fn meta() -> MetaResponses {
        MetaResponses {
            responses: vec![MetaResponse {
                description: "",
                status: Some(200),
                status_range: None,
                content: vec![MetaMediaType {
                    content_type: Self::CONTENT_TYPE,
                    schema: Self::schema_ref(),
                }],
                headers: vec![],
            }],
        }
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

// Keys in alphabetical order, as `Json` (a sorted map) writes them. The bodies built from these
// (in `credits`) do the same, and their tests compare the bytes with `Json`'s.

impl Serialize for ActorShort {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut out = serializer.serialize_struct("ActorShort", 4)?;
        out.serialize_field("age", &self.age)?;
        out.serialize_field("gender", self.gender.0.as_str())?;
        out.serialize_field("id", &self.id)?;
        out.serialize_field("name", &self.name)?;
        out.end()
    }
}

impl Serialize for MovieShort {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut out = serializer.serialize_struct("MovieShort", 3)?;
        out.serialize_field("id", &self.id)?;
        out.serialize_field("release_date", &self.release_date.http_date())?;
        out.serialize_field("title", &self.title)?;
        out.end()
    }
}
