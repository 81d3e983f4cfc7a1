//! The cast and credits on the wire: `/movies/{id}/cast` and `/actors/{id}/credits`, answers
//! and the cast's body. (Fields that hold another schema have plain comments, as in `dto`: no
//! `allOf` wrapping.)

use casting_core::{
    ActorCredit, ActorId, CastInput, CastMember, CreditInput, Error, FieldError, MovieId,
};
use poem_openapi::Object;
use poem_openapi::types::Example;
use serde_json::Value;

use crate::wire::bodies::Field;
use crate::wire::dto::{ActorShort, MovieShort};
use crate::wire::json::json_fields;
use crate::wire::nullable::Nullable;
use crate::wire::types::{BillingNumber, Text};

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

/// A movie's cast as `GET`/`PUT /movies/{id}/cast` answer it.
pub(crate) fn cast_envelope(movie: MovieId, cast: Vec<CastMember>) -> CastEnvelope {
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

/// An actor's credits as `GET /actors/{id}/credits` answers them.
pub(crate) fn credits_envelope(actor: ActorId, credits: Vec<ActorCredit>) -> CreditsEnvelope {
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
