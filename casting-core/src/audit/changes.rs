//! What a change did to each field it named: the value before and the value after
//! ([`Changes`]), typed ([`FieldValue`]); the HTTP layer writes them in the API's own form.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::credit::Billing;
use crate::domain::{Age, Character, Gender, Name, ReleaseDate, Title};
use crate::model::{ActorId, ActorPatch, MovieId, MoviePatch};

/// One credit of a movie's cast, as the trail keeps it (`GET /movies/{id}/cast` without the
/// actor's other fields).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CastCredit {
    /// The actor.
    pub actor: ActorId,
    /// Who they play, if anyone said.
    pub character: Option<Character>,
    /// Their billing position in the movie.
    pub billing: Billing,
}

/// One credit of an actor's filmography, as the trail keeps it: the movie, the character,
/// the billing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleCredit {
    /// The movie.
    pub movie: MovieId,
    /// Who the actor plays in it, if anyone said.
    pub character: Option<Character>,
    /// The actor's billing position in it.
    pub billing: Billing,
}

/// The value of one field, typed. Stores keep it in this form (serde: externally tagged,
/// `{"text": "…"}`), which says what each value is without knowing the field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldValue {
    /// A title, a name or a gender.
    Text(String),
    /// An age.
    Number(i64),
    /// A release date.
    Date(ReleaseDate),
    /// A list of ids, ascending: a movie's `actors`, an actor's `movies`.
    Ids(Vec<i64>),
    /// A movie's cast, by billing then actor id.
    Cast(Vec<CastCredit>),
    /// An actor's credits, by movie id.
    Credits(Vec<RoleCredit>),
    /// As stored only: the one id that joined or left a record's list when a write of the
    /// other side linked or unlinked it. Stores answer whole lists instead
    /// ([`expand_lists`](crate::audit::expand_lists)).
    Moved(i64),
}

impl FieldValue {
    /// Ids as the trail keeps them: ascending, without repeats.
    pub fn ids<T: Into<i64> + Copy>(ids: &[T]) -> Self {
        let mut ids: Vec<i64> = ids.iter().map(|id| (*id).into()).collect();
        ids.sort_unstable();
        ids.dedup();
        Self::Ids(ids)
    }

    /// A cast as the trail keeps it: by billing, then actor id.
    pub fn cast(mut credits: Vec<CastCredit>) -> Self {
        credits.sort_by_key(|c| (c.billing, c.actor));
        Self::Cast(credits)
    }

    /// Credits as the trail keeps them: by movie id.
    pub fn credits(mut credits: Vec<RoleCredit>) -> Self {
        credits.sort_by_key(|c| c.movie);
        Self::Credits(credits)
    }
}

/// What a change did to one field: its value before (`None`: the record did not exist) and
/// after (`None`: the record is gone).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// The value before the change.
    pub from: Option<FieldValue>,
    /// The value after it.
    pub to: Option<FieldValue>,
}

/// Every field an entry names, with its values before and after. Entries written before the
/// trail kept values have none.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Changes(BTreeMap<String, Change>);

impl Changes {
    /// No changes.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records that `field` went from `from` to `to`.
    pub fn insert(&mut self, field: &str, from: Option<FieldValue>, to: Option<FieldValue>) {
        self.0.insert(field.to_owned(), Change { from, to });
    }

    /// These changes and `field` going from `from` to `to`.
    #[must_use]
    pub fn with(mut self, field: &str, from: Option<FieldValue>, to: Option<FieldValue>) -> Self {
        self.insert(field, from, to);
        self
    }

    /// Every value made from nothing: a create's or a restore's changes.
    pub fn made(values: impl IntoIterator<Item = (&'static str, FieldValue)>) -> Self {
        Self(
            values
                .into_iter()
                .map(|(field, to)| {
                    (
                        field.to_owned(),
                        Change {
                            from: None,
                            to: Some(to),
                        },
                    )
                })
                .collect(),
        )
    }

    /// Every value gone: a delete's changes.
    pub fn gone(values: impl IntoIterator<Item = (&'static str, FieldValue)>) -> Self {
        Self(
            values
                .into_iter()
                .map(|(field, from)| {
                    (
                        field.to_owned(),
                        Change {
                            from: Some(from),
                            to: None,
                        },
                    )
                })
                .collect(),
        )
    }

    /// A change of one record's list (`movies` or `actors`) made from the other side: the id
    /// that joined or left it, as stores keep it until they answer.
    pub fn moved(field: &str, id: i64) -> Self {
        Self::new().with(field, None, Some(FieldValue::Moved(id)))
    }

    /// A change of one record's list of links (`movies` or `actors`), from `from` to `to`.
    pub fn links<T: Into<i64> + Copy>(field: &str, from: &[T], to: &[T]) -> Self {
        Self::new().with(
            field,
            Some(FieldValue::ids(from)),
            Some(FieldValue::ids(to)),
        )
    }

    /// What `patch` does to a movie whose fields are `title`, `release_date` and `actors`.
    pub fn of_movie_patch(
        patch: &MoviePatch,
        title: &Title,
        release_date: ReleaseDate,
        actors: &[ActorId],
    ) -> Self {
        let mut changes = Self::new();
        if let Some(new) = &patch.title {
            changes.insert("title", Some(text(title)), Some(text(new)));
        }
        if let Some(new) = patch.release_date {
            let (old, new) = (FieldValue::Date(release_date), FieldValue::Date(new));
            changes.insert("release_date", Some(old), Some(new));
        }
        if let Some(new) = &patch.actors {
            let (old, new) = (FieldValue::ids(actors), FieldValue::ids(new));
            changes.insert("actors", Some(old), Some(new));
        }
        changes
    }

    /// What `patch` does to an actor whose fields are `name`, `age`, `gender` and `movies`.
    pub fn of_actor_patch(
        patch: &ActorPatch,
        name: &Name,
        age: Age,
        gender: Gender,
        movies: &[MovieId],
    ) -> Self {
        let mut changes = Self::new();
        if let Some(new) = &patch.name {
            changes.insert("name", Some(text(name)), Some(text(new)));
        }
        if let Some(new) = patch.age {
            let (old, new) = (FieldValue::Number(age.get()), FieldValue::Number(new.get()));
            changes.insert("age", Some(old), Some(new));
        }
        if let Some(new) = patch.gender {
            let (old, new) = (gender_value(gender), gender_value(new));
            changes.insert("gender", Some(old), Some(new));
        }
        if let Some(new) = &patch.movies {
            let (old, new) = (FieldValue::ids(movies), FieldValue::ids(new));
            changes.insert("movies", Some(old), Some(new));
        }
        changes
    }

    /// The change of one field.
    pub fn get(&self, field: &str) -> Option<&Change> {
        self.0.get(field)
    }

    /// Every field's change, by field name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Change)> {
        self.0
            .iter()
            .map(|(field, change)| (field.as_str(), change))
    }

    /// How many fields changed.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether no field is named (an entry from before the trail kept values).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A title or a name, as a value.
pub(crate) fn text(value: &(impl AsRef<str> + ?Sized)) -> FieldValue {
    FieldValue::Text(value.as_ref().to_owned())
}

/// A gender, as a value (`Female`, `Male`, `Other`).
pub(crate) fn gender_value(gender: Gender) -> FieldValue {
    FieldValue::Text(gender.as_str().to_owned())
}
