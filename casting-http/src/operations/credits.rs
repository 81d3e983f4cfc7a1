//! `/movies/{id}/cast` and `/actors/{id}/credits`: who plays whom, in which billing position.
//! (Fields that hold another schema have plain comments, as in `dto`: no `allOf` wrapping.)

use casting_core::{
    ActorCredit, ActorId, CastInput, CastMember, CastingService, CreditInput, Error, FieldError,
    MovieId, ResourceKind,
};
use poem_openapi::param::Path;
use poem_openapi::types::Example;
use poem_openapi::{Object, OpenApi};
use serde_json::Value;

use crate::etag::etag;
use crate::operations::responses::operation_response;
use crate::operations::tags::Tag;
use crate::security::{Caller, op};
use crate::wire::bodies::Field;
use crate::wire::conditional::{IfMatchRule, Sent, expected};
use crate::wire::dto::{ActorShort, MovieShort};
use crate::wire::json::{Json, json_fields};
use crate::wire::nullable::Nullable;
use crate::wire::payload::StrictJson;
use crate::wire::types::{BillingNumber, PathId, Text};

operation_response! {
    /// The answers of `GET /movies/{id}/cast`.
    GetCastResponse {
        /// The movie's cast, by billing.
        Ok(cast CastEnvelope) + ETag
    }
    errors: [BadRequest, Unauthorized, Forbidden, NotFound, PayloadTooLarge, Unavailable]
}

operation_response! {
    /// The answers of `PUT /movies/{id}/cast`.
    ReplaceCastResponse {
        /// The cast as stored, by billing.
        Ok(cast CastEnvelope) + ETag
    }
    errors: [
        BadRequest, Unauthorized, Forbidden, NotFound, PreconditionFailed, PayloadTooLarge,
        Unprocessable, PreconditionRequired, Unavailable,
    ]
}

operation_response! {
    /// The answers of `GET /actors/{id}/credits`.
    GetCreditsResponse {
        /// The actor's credits, newest release first.
        Ok(CreditsEnvelope)
    }
    errors: [BadRequest, Unauthorized, Forbidden, NotFound, PayloadTooLarge, Unavailable]
}

/// One credit of a movie's cast.
#[derive(Debug, Clone, Object)]
pub struct CastCredit {
    // The actor.
    pub actor: ActorShort,
    /// Who they play; `null` when nobody said.
    pub character: Nullable<String>,
    /// Their billing position in the movie: 1 is top billing; distinct within a movie.
    pub billing: i64,
}

/// A movie's cast.
#[derive(Debug, Clone, Object)]
pub struct CastEnvelope {
    /// Always `true`.
    pub success: bool,
    /// The movie's id.
    pub movie: i64,
    /// The credits, by billing, then actor id.
    pub cast: Vec<CastCredit>,
}

/// One credit of an actor's filmography.
#[derive(Debug, Clone, Object)]
pub struct FilmCredit {
    // The movie.
    pub movie: MovieShort,
    /// Who the actor plays in it; `null` when nobody said.
    pub character: Nullable<String>,
    /// The actor's billing position in it.
    pub billing: i64,
}

/// An actor's credits.
#[derive(Debug, Clone, Object)]
pub struct CreditsEnvelope {
    /// Always `true`.
    pub success: bool,
    /// The actor's id.
    pub actor: i64,
    /// The credits, newest release first, then the higher movie id.
    pub credits: Vec<FilmCredit>,
}

/// One credit to store, as its schema shows it (the body is read by [`CastBody`]).
#[derive(Debug, Clone, Object)]
#[oai(rename = "CreditInput")]
pub struct CreditSchema {
    /// The actor's id; an id that names nothing is a 422 naming it.
    pub actor: i64,
    /// Who they play: trimmed, 1 to 200 characters, no control characters. Absent or `null`:
    /// nobody said.
    pub character: Option<Nullable<Text>>,
    /// The billing position, 1 to 1000000, distinct within the cast. Absent or `null`: billed
    /// after the credits that have one, in the order given.
    pub billing: Option<Nullable<BillingNumber>>,
}

/// A whole cast, replacing the old one.
#[derive(Debug, Clone, Object)]
#[oai(example)]
pub struct CastBody {
    /// The credits; each actor at most once. `[]` empties the cast.
    pub cast: Field<Vec<CreditSchema>>,
}

/// The example Swagger UI fills in: it succeeds against the development sample (Parasite is
/// movie 2; Song Kang-ho and Choi Woo-shik are actors 3 and 4).
impl Example for CastBody {
    fn example() -> Self {
        Self {
            cast: Field::sent(serde_json::json!([
                { "actor": 3, "character": "Kim Ki-taek", "billing": 1 },
                { "actor": 4, "character": "Kim Ki-woo" },
            ])),
        }
    }
}

impl TryFrom<CastBody> for CastInput {
    type Error = Error;

    /// Every wrong type is a 400 naming its place (`cast[2].billing`); the rules (characters,
    /// positions, repeats) are the core's, a 422.
    fn try_from(body: CastBody) -> Result<Self, Error> {
        let mut errors = Vec::new();
        let items = match body.cast.into_value() {
            None => {
                errors.push(FieldError::new("cast", "is required"));
                Vec::new()
            }
            Some(Value::Array(items)) => items,
            Some(_) => {
                errors.push(FieldError::new("cast", "must be an array of credits"));
                Vec::new()
            }
        };
        let mut cast = Vec::with_capacity(items.len());
        for (i, item) in items.into_iter().enumerate() {
            let Value::Object(mut item) = item else {
                errors.push(FieldError::new(
                    format!("cast[{i}]"),
                    "must be an object with actor, and optionally character and billing",
                ));
                continue;
            };
            let mut wrong = |field: &str, rule: &'static str| {
                errors.push(FieldError::new(format!("cast[{i}].{field}"), rule));
            };
            let actor = match item.remove("actor") {
                Some(Value::Number(n)) if n.as_i64().is_some() => n.as_i64(),
                None => {
                    wrong("actor", "is required");
                    None
                }
                Some(_) => {
                    wrong("actor", "must be an id (a whole number)");
                    None
                }
            };
            let character = match item.remove("character") {
                None | Some(Value::Null) => Some(None),
                Some(Value::String(text)) => Some(Some(text)),
                Some(_) => {
                    wrong("character", "must be a string or null");
                    None
                }
            };
            let billing = match item.remove("billing") {
                None | Some(Value::Null) => Some(None),
                Some(Value::Number(n)) if n.as_i64().is_some() => Some(n.as_i64()),
                Some(_) => {
                    wrong("billing", "must be a whole number or null");
                    None
                }
            };
            if let (Some(actor), Some(character), Some(billing)) = (actor, character, billing) {
                cast.push(CreditInput {
                    actor: ActorId(actor),
                    character,
                    billing,
                });
            }
        }
        if errors.is_empty() {
            Ok(CastInput { cast })
        } else {
            Err(Error::BadRequest(errors))
        }
    }
}

fn cast_envelope(movie: MovieId, cast: Vec<CastMember>) -> CastEnvelope {
    CastEnvelope {
        success: true,
        movie: movie.get(),
        cast: cast
            .into_iter()
            .map(|member| CastCredit {
                actor: member.actor.into(),
                character: Nullable(member.character.map(Into::into)),
                billing: member.billing.get(),
            })
            .collect(),
    }
}

fn credits_envelope(actor: ActorId, credits: Vec<ActorCredit>) -> CreditsEnvelope {
    CreditsEnvelope {
        success: true,
        actor: actor.get(),
        credits: credits
            .into_iter()
            .map(|credit| FilmCredit {
                movie: credit.movie.into(),
                character: Nullable(credit.character.map(Into::into)),
                billing: credit.billing.get(),
            })
            .collect(),
    }
}

// Keys in alphabetical order, as every answer writes them (`wire::json`).
json_fields! {
    CastCredit { actor, billing, character }
    CastEnvelope { cast, movie, success }
    FilmCredit { billing, character, movie }
    CreditsEnvelope { actor, credits, success }
}

/// The credit operations.
#[derive(Debug, Clone)]
pub(crate) struct CreditsApi {
    service: CastingService,
    if_match: IfMatchRule,
}

impl CreditsApi {
    /// The operations over `service`, asking a cast's change for `If-Match` as `if_match` says.
    pub(crate) fn new(service: CastingService, if_match: IfMatchRule) -> Self {
        Self { service, if_match }
    }
}

/// The credit operations.
#[OpenApi(tag = "Tag::Credits")]
impl CreditsApi {
    /// Get a movie's cast with characters and billing
    ///
    /// Requires `get:movie-details`. Ordered by billing, then actor id. The movie's `actors`
    /// list (ids ascending) is the same cast without the credits. The `ETag` is the movie's:
    /// the cast is part of it.
    #[oai(path = "/movies/:id/cast", method = "get", operation_id = "getCast")]
    async fn cast(
        &self,
        caller: Caller<op::GetCast>,
        /// The movie's id: a positive whole number, in digits.
        id: Path<PathId>,
    ) -> GetCastResponse {
        let movie = MovieId(id.0.0);
        self.service
            .cast(caller.principal(), movie)
            .await
            .map(|cast| {
                let tag = etag(ResourceKind::Movie, movie.get(), cast.version);
                GetCastResponse::Ok(Json(cast_envelope(movie, cast.members)), tag)
            })
            .into()
    }

    /// Replace a movie's cast
    ///
    /// Requires `patch:movie`. Replaces the whole cast, characters and billing included, in
    /// one transaction; `{"cast": []}` empties it. Credits without `billing` come after those
    /// with one, in the order given. An actor given twice, a billing position given twice, or
    /// a bad character is a 422 naming `cast[i].field`; actor ids that name nothing are a 422
    /// listing them. Nothing changes on any error. With `If-Match` (the movie's `ETag`), the
    /// cast is replaced only if the movie still has that version (else 412).
    #[oai(
        path = "/movies/:id/cast",
        method = "put",
        operation_id = "replaceCast"
    )]
    async fn replace(
        &self,
        caller: Caller<op::ReplaceCast>,
        /// The movie's id: a positive whole number, in digits.
        id: Path<PathId>,
        body: StrictJson<CastBody>,
        /// The movie's `ETag` as you last read it (or `*`: any version).
        #[oai(name = "If-Match")]
        if_match: Sent,
    ) -> ReplaceCastResponse {
        let movie = MovieId(id.0.0);
        let kind = ResourceKind::Movie;
        let expected = match expected(&self.if_match, &if_match, kind, movie.get()) {
            Ok(expected) => expected,
            Err(refused) => return refused.into(),
        };
        let replaced = match body.0.try_into() {
            Ok(input) => {
                self.service
                    .replace_cast(caller.principal(), movie, input, expected)
                    .await
            }
            Err(invalid) => Err(invalid),
        };
        replaced
            .map(|cast| {
                let tag = etag(kind, movie.get(), cast.version);
                ReplaceCastResponse::Ok(Json(cast_envelope(movie, cast.members)), tag)
            })
            .into()
    }

    /// Get an actor's credits
    ///
    /// Requires `get:actor-details`. Every movie the actor is cast in, with the character and
    /// billing, newest release first (then the higher movie id).
    #[oai(
        path = "/actors/:id/credits",
        method = "get",
        operation_id = "getCredits"
    )]
    async fn credits(
        &self,
        caller: Caller<op::GetCredits>,
        /// The actor's id: a positive whole number, in digits.
        id: Path<PathId>,
    ) -> GetCreditsResponse {
        let actor = ActorId(id.0.0);
        self.service
            .credits(caller.principal(), actor)
            .await
            .map(|credits| GetCreditsResponse::Ok(Json(credits_envelope(actor, credits))))
            .into()
    }
}

#[cfg(test)]
mod tests {
    use casting_core::{Gender, ReleaseDate};
    use poem_openapi::types::ToJSON;

    use super::*;
    use crate::wire::types::{ApiDate, GenderName};

    fn actor(id: i64) -> ActorShort {
        ActorShort {
            id,
            name: format!("Name \"{id}\" é"),
            age: 40,
            gender: GenderName(Gender::Other),
        }
    }

    fn movie(id: i64) -> MovieShort {
        MovieShort {
            id,
            title: "Title\n\u{1F3AC}".into(),
            release_date: ApiDate(ReleaseDate::parse("2025-02-08").unwrap()),
        }
    }

    #[test]
    fn cast_and_credit_bodies_are_byte_for_byte_what_to_json_writes() {
        let cast = CastEnvelope {
            success: true,
            movie: 7,
            cast: vec![
                CastCredit {
                    actor: actor(1),
                    character: Nullable(Some("Ellen Ripley".into())),
                    billing: 1,
                },
                CastCredit {
                    actor: actor(2),
                    character: Nullable(None),
                    billing: 2,
                },
            ],
        };
        assert_eq!(
            serde_json::to_string(&cast).unwrap(),
            serde_json::to_string(&cast.to_json().unwrap()).unwrap()
        );
        let credits = CreditsEnvelope {
            success: true,
            actor: 3,
            credits: vec![FilmCredit {
                movie: movie(5),
                character: Nullable(None),
                billing: 4,
            }],
        };
        assert_eq!(
            serde_json::to_string(&credits).unwrap(),
            serde_json::to_string(&credits.to_json().unwrap()).unwrap()
        );
    }
}
