//! Credits: who plays whom in a movie, and in which billing position.
//!
//! A movie's cast is one relation seen from both sides (a movie's `actors`, an actor's
//! `movies`); a credit adds what the link says: the [`Character`] (optional) and the
//! [`Billing`] position (always set, unique within the movie). Lists of ids keep their meaning:
//! setting a cast through `actors` keeps the credits of the actors who stay and bills the new
//! ones after the rest, without a character.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::domain::{Character, FieldError};
use crate::error::Error;
use crate::model::{ActorId, ActorSummary, MovieSummary};
use crate::revision::Version;

/// The highest billing position a caller may give.
pub const MAX_BILLING: i64 = 1_000_000;

/// A billing position: 1 is top billing. Positions in a movie are distinct, not necessarily
/// consecutive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct Billing(u32);

impl Billing {
    /// Top billing.
    pub const FIRST: Billing = Billing(1);

    /// Checks that `position` is between 1 and [`MAX_BILLING`].
    pub fn parse(position: i64) -> Result<Self, FieldError> {
        match u32::try_from(position) {
            Ok(value) if value >= 1 && i64::from(value) <= MAX_BILLING => Ok(Self(value)),
            _ => Err(FieldError::new(
                "billing",
                format!("must be between 1 and {MAX_BILLING} (got {position})"),
            )),
        }
    }

    /// A position a store assigned (appending after the highest): any positive number that
    /// fits a database integer, even past [`MAX_BILLING`].
    pub fn assigned(position: i64) -> Option<Self> {
        u32::try_from(position)
            .ok()
            .filter(|p| *p >= 1 && i32::try_from(*p).is_ok())
            .map(Self)
    }

    /// The position.
    pub fn get(self) -> i64 {
        i64::from(self.0)
    }

    /// The position after this one.
    pub fn next(self) -> Self {
        Self(self.0.saturating_add(1))
    }
}

impl TryFrom<i64> for Billing {
    type Error = FieldError;
    fn try_from(position: i64) -> Result<Self, FieldError> {
        Self::parse(position)
    }
}

impl From<Billing> for i64 {
    fn from(billing: Billing) -> i64 {
        billing.get()
    }
}

impl fmt::Display for Billing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// One credit of a movie's cast: the actor, the character, the billing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CastMember {
    /// The actor.
    pub actor: ActorSummary,
    /// Who they play, if anyone said.
    pub character: Option<Character>,
    /// Their billing position in the movie.
    pub billing: Billing,
}

/// One credit of an actor's filmography: the movie, the character, the billing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActorCredit {
    /// The movie.
    pub movie: MovieSummary,
    /// Who the actor plays in it, if anyone said.
    pub character: Option<Character>,
    /// The actor's billing position in it.
    pub billing: Billing,
}

/// A movie's cast, by billing then actor id, with the movie's version (the cast is part of the
/// movie: changing it makes a new version).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cast {
    /// The movie's version.
    pub version: Version,
    /// The credits, by billing then actor id.
    pub members: Vec<CastMember>,
}

/// A validated credit to store: every position is resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCredit {
    /// The actor; must exist.
    pub actor: ActorId,
    /// Who they play.
    pub character: Option<Character>,
    /// Their billing position.
    pub billing: Billing,
}

/// A whole cast to store, validated: each actor once, billing positions distinct, ordered by
/// billing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewCast(Vec<NewCredit>);

impl NewCast {
    /// The credits, by billing.
    pub fn credits(&self) -> &[NewCredit] {
        &self.0
    }

    /// The actors, ascending.
    pub fn actors(&self) -> Vec<ActorId> {
        let mut actors: Vec<ActorId> = self.0.iter().map(|c| c.actor).collect();
        actors.sort_unstable();
        actors
    }
}

/// One credit as a caller sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditInput {
    /// The actor.
    pub actor: ActorId,
    /// Who they play: trimmed, 1 to 200 characters, no control characters.
    pub character: Option<String>,
    /// The billing position, 1 to 1,000,000; without it the credit is billed after those that
    /// have one, in the order given.
    pub billing: Option<i64>,
}

/// A whole cast as a caller sends it (`PUT /movies/{id}/cast`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CastInput {
    /// The credits, in the order given.
    pub cast: Vec<CreditInput>,
}

impl CastInput {
    /// Checks every credit, naming each fault as `cast[i].field`: characters by
    /// [`Character::parse`], positions by [`Billing::parse`], an actor or a position given
    /// twice. Credits without a position are billed after the highest given one, in order.
    pub fn validate(self) -> Result<NewCast, Error> {
        let mut errors = Vec::new();
        let mut actors = BTreeSet::new();
        let mut positions = BTreeSet::new();
        let mut checked = Vec::with_capacity(self.cast.len());
        for (i, credit) in self.cast.into_iter().enumerate() {
            let at = |field: &str, e: FieldError| {
                FieldError::new(format!("cast[{i}].{field}"), e.message)
            };
            if !actors.insert(credit.actor) {
                errors.push(FieldError::new(
                    format!("cast[{i}].actor"),
                    format!("names actor {} a second time", credit.actor),
                ));
            }
            let character = match credit.character.as_deref().map(Character::parse) {
                None => None,
                Some(Ok(character)) => Some(character),
                Some(Err(e)) => {
                    errors.push(at("character", e));
                    None
                }
            };
            let billing = match credit.billing.map(Billing::parse) {
                None => None,
                Some(Ok(billing)) => {
                    if !positions.insert(billing) {
                        errors.push(FieldError::new(
                            format!("cast[{i}].billing"),
                            format!("gives position {billing} a second time"),
                        ));
                    }
                    Some(billing)
                }
                Some(Err(e)) => {
                    errors.push(at("billing", e));
                    None
                }
            };
            checked.push((credit.actor, character, billing));
        }
        if !errors.is_empty() {
            return Err(Error::Invalid(errors));
        }
        let mut next = positions.last().map_or(Billing(1), |last| last.next());
        let mut credits: Vec<NewCredit> = checked
            .into_iter()
            .map(|(actor, character, billing)| {
                let billing = billing.unwrap_or_else(|| {
                    let assigned = next;
                    next = next.next();
                    assigned
                });
                NewCredit {
                    actor,
                    character,
                    billing,
                }
            })
            .collect();
        credits.sort_by_key(|c| c.billing);
        Ok(NewCast(credits))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn credit(actor: i64, character: Option<&str>, billing: Option<i64>) -> CreditInput {
        CreditInput {
            actor: ActorId(actor),
            character: character.map(Into::into),
            billing,
        }
    }

    fn invalid(input: CastInput) -> Vec<String> {
        match input.validate() {
            Err(Error::Invalid(errors)) => errors.into_iter().map(|e| e.field.into()).collect(),
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    #[test]
    fn unbilled_credits_come_after_the_highest_given_position_in_order() {
        let cast = CastInput {
            cast: vec![
                credit(9, None, None),
                credit(3, Some("  Ellen Ripley "), Some(2)),
                credit(5, None, Some(7)),
                credit(1, None, None),
            ],
        }
        .validate()
        .unwrap();
        let got: Vec<(i64, i64)> = cast
            .credits()
            .iter()
            .map(|c| (c.actor.get(), c.billing.get()))
            .collect();
        assert_eq!(got, [(3, 2), (5, 7), (9, 8), (1, 9)]);
        assert_eq!(
            cast.credits()[0].character.as_ref().map(Character::as_str),
            Some("Ellen Ripley")
        );
        assert_eq!(
            cast.actors(),
            [ActorId(1), ActorId(3), ActorId(5), ActorId(9)]
        );
        let unbilled = CastInput {
            cast: vec![credit(2, None, None), credit(1, None, None)],
        }
        .validate()
        .unwrap();
        let got: Vec<i64> = unbilled.credits().iter().map(|c| c.actor.get()).collect();
        assert_eq!(got, [2, 1], "in the order given");
        assert!(
            CastInput::default()
                .validate()
                .unwrap()
                .credits()
                .is_empty()
        );
    }

    #[test]
    fn every_fault_is_named_by_its_place() {
        let fields = invalid(CastInput {
            cast: vec![
                credit(1, Some(" "), Some(0)),
                credit(2, Some(&"x".repeat(201)), Some(3)),
                credit(1, Some("a\u{7}b"), Some(3)),
                credit(4, None, Some(MAX_BILLING + 1)),
            ],
        });
        assert_eq!(
            fields,
            [
                "cast[0].character",
                "cast[0].billing",
                "cast[1].character",
                "cast[2].actor",
                "cast[2].character",
                "cast[2].billing",
                "cast[3].billing",
            ]
        );
        assert!(Billing::parse(1).is_ok() && Billing::parse(MAX_BILLING).is_ok());
        assert!(Billing::parse(-1).is_err());
        assert_eq!(Billing::assigned(0), None);
        assert_eq!(
            Billing::assigned(i64::from(i32::MAX)).map(Billing::get),
            Some(2147483647)
        );
        assert_eq!(Billing::assigned(i64::from(i32::MAX) + 1), None);
    }
}
