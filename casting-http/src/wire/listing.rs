//! The query parameters the two lists share or add (their schemas state the rules; casting-core
//! checks them), and the `Link` header of a page that has a next one.
//!
//! Swagger UI's Try it out fills in every parameter's `example`. Only the `sort` parameters carry
//! one (it reorders and hides nothing); filters and the `Idempotency-Key` header give theirs in
//! the description, so a first Try it out lists the whole sample and a second create is not a
//! replay of the first.

use std::borrow::Cow;

use casting_core::ListParams;
use poem_openapi::param::Query;
use poem_openapi::registry::{MetaSchema, MetaSchemaRef};
use poem_openapi::types::{ParseFromParameter, ParseResult, ToJSON, Type};
use serde_json::Value;

use crate::wire::types::{GenderSchema, NamedSchema, PageNumber, PageSize, int_param, passthrough};

/// Writes a string query parameter whose schema is `$schema`: parsing accepts any text, which
/// the core then checks, naming the parameter.
macro_rules! text_param {
    ($(#[$doc:meta])* $ty:ident, $name:literal, named $named:ty) => {
        passthrough!($(#[$doc])* $ty(String), String, $name, named $named);
        text_param!(@parse $ty);
    };
    ($(#[$doc:meta])* $ty:ident, $name:literal, $schema:expr) => {
        passthrough!($(#[$doc])* $ty(String), String, $name, $schema);
        text_param!(@parse $ty);
    };
    (@parse $ty:ident) => {
        impl ParseFromParameter for $ty {
            fn parse_from_parameter(value: &str) -> ParseResult<Self> {
                Ok(Self(value.to_owned()))
            }
        }
    };
}

text_param!(
    /// `released_from` / `released_to`: a date as bodies write it.
    DateParam,
    "string_date_param",
    MetaSchema {
        description: Some(
            "`DD-MM-YYYY` or `YYYY-MM-DD` (e.g. `2025-01-01`), or as answers write dates, as in \
             bodies; inclusive."
        ),
        ..MetaSchema::new("string")
    }
);

text_param!(
    /// `sort` of `GET /movies`.
    MovieSortParam,
    "string_movie_sort",
    MetaSchema {
        description: Some(
            "Comma list of `id`, `title`, `release_date`, each once, `-` for descending; \
             nothing after `id`. The id breaks ties, running like the last key. Default `id`."
        ),
        pattern: Some("^-?(id|title|release_date)(,-?(id|title|release_date)){0,2}$".into()),
        example: Some(Value::String("-release_date,title".into())),
        ..MetaSchema::new("string")
    }
);

text_param!(
    /// `sort` of `GET /actors`.
    ActorSortParam,
    "string_actor_sort",
    MetaSchema {
        description: Some(
            "Comma list of `id`, `name`, `age`, each once, `-` for descending; nothing after \
             `id`. The id breaks ties, running like the last key. Default `id`."
        ),
        pattern: Some("^-?(id|name|age)(,-?(id|name|age)){0,2}$".into()),
        example: Some(Value::String("age,name".into())),
        ..MetaSchema::new("string")
    }
);

text_param!(
    /// `after`: a cursor from a page's `next`.
    CursorParam,
    "string_cursor",
    MetaSchema {
        description: Some(
            "Opaque: the `next` of the previous page, sent with the same filters, `q` and \
             `sort`. Not with `page`."
        ),
        min_length: Some(1),
        max_length: Some(2048),
        ..MetaSchema::new("string")
    }
);

text_param!(
    /// `after` of `GET /changes`: a log cursor, or `now`.
    LogCursorParam,
    "string_log_cursor",
    MetaSchema {
        description: Some(
            "Opaque: a `next` of `GET /changes` (or an event's id), or `now` for the newest \
             position."
        ),
        min_length: Some(1),
        max_length: Some(2048),
        ..MetaSchema::new("string")
    }
);

/// Whether a list counts its matches: `Count` in the document.
pub(crate) enum CountSchema {}

impl NamedSchema for CountSchema {
    const NAME: &'static str = "Count";

    fn schema() -> MetaSchema {
        MetaSchema {
            description: Some(
                "`exact` (default): `total` counts every match; `none`: `total` is null.",
            ),
            enum_items: vec![Value::String("exact".into()), Value::String("none".into())],
            ..MetaSchema::new("string")
        }
    }
}

text_param!(
    /// `count`: `exact` or `none`.
    CountParam,
    "string_count",
    named CountSchema
);

text_param!(
    /// `gender`: repeatable, any case (the schema names the written forms).
    GenderParam,
    "string_gender_param",
    named GenderSchema
);

text_param!(
    /// The `Idempotency-Key` header of a create (the core checks it).
    IdempotencyKeyParam,
    "string_idempotency_key",
    MetaSchema {
        description: Some("1 to 255 visible ASCII characters, e.g. a UUID."),
        min_length: Some(1),
        max_length: Some(255),
        pattern: Some("^[!-~]+$".into()),
        ..MetaSchema::new("string")
    }
);

/// A kind of record: `Resource` in the document.
pub(crate) enum ResourceSchema {}

impl NamedSchema for ResourceSchema {
    const NAME: &'static str = "Resource";

    fn schema() -> MetaSchema {
        MetaSchema {
            description: Some("`movie` or `actor`."),
            enum_items: vec![Value::String("movie".into()), Value::String("actor".into())],
            ..MetaSchema::new("string")
        }
    }
}

text_param!(
    /// `resource` of `GET /audit` and `GET /changes`.
    ResourceParam,
    "string_resource_param",
    named ResourceSchema
);

text_param!(
    /// `subject` of `GET /audit`: a token subject.
    SubjectParam,
    "string_subject_param",
    MetaSchema {
        description: Some(
            "A token's subject (`sub`, e.g. `auth0|64f1c0ffee`), exactly; at most 255 characters."
        ),
        max_length: Some(255),
        ..MetaSchema::new("string")
    }
);

int_param!(
    /// `age_min` / `age_max`: 0 to 150, inclusive.
    AgeParam,
    "integer_age_param",
    0.0,
    150.0,
    "Age in years, 0 to 150; inclusive."
);

int_param!(
    /// `actor` / `movie`: a positive id.
    IdParam,
    "integer_id_param",
    1.0,
    9_223_372_036_854_775_807.0,
    "An id: a positive whole number."
);

int_param!(
    /// `limit` of `GET /changes`: 1 to 1000 (the core checks it).
    LogLimit,
    "integer_log_limit",
    1.0,
    1000.0,
    "The most entries to give, 1 to 1000 (default 100)."
);

int_param!(
    /// `wait` of `GET /changes`: 0 to 60 seconds.
    WaitSeconds,
    "integer_wait_seconds",
    0.0,
    60.0,
    "Seconds to hold the request when nothing follows the cursor, 0 to 60 (default 0)."
);

/// The parameters every list has, as received.
pub(crate) struct Common {
    pub(crate) page: Option<PageNumber>,
    pub(crate) per_page: Option<PageSize>,
    pub(crate) q: Option<String>,
    pub(crate) after: Option<CursorParam>,
    pub(crate) count: Option<CountParam>,
}

impl Common {
    /// The parameters as the operation received them.
    pub(crate) fn new(
        page: Query<Option<PageNumber>>,
        per_page: Query<Option<PageSize>>,
        q: Query<Option<String>>,
        after: Query<Option<CursorParam>>,
        count: Query<Option<CountParam>>,
    ) -> Self {
        Self {
            page: page.0,
            per_page: per_page.0,
            q: q.0,
            after: after.0,
            count: count.0,
        }
    }

    /// The core's list parameters, with the list's own `sort`.
    pub(crate) fn into_params(self, sort: Option<String>) -> ListParams {
        ListParams {
            page: self.page.map(|p| p.0),
            per_page: self.per_page.map(|p| p.0),
            q: self.q,
            sort,
            after: self.after.map(|a| a.0),
            count: self.count.map(|c| c.0),
        }
    }
}
