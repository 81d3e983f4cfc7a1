//! What callers send to [`CastingService`](crate::CastingService), before validation, and how it
//! becomes the validated [`NewMovie`], [`MoviePatch`], [`NewActor`] and [`ActorPatch`].

use crate::domain::FieldError;
use crate::domain::{Age, Gender, Name, ReleaseDate, Title};
use crate::error::Error;
use crate::model::{ActorId, ActorPatch, MovieId, MoviePatch, NewActor, NewMovie};

/// A movie to create, as a caller sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MovieInput {
    /// The title, checked by [`Title::parse`].
    pub title: String,
    /// The release date (already a date: see [`ReleaseDate::parse`]).
    pub release_date: ReleaseDate,
    /// The cast.
    pub actors: Vec<ActorId>,
}

/// Changes to a movie, as a caller sends them: absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MovieChanges {
    /// A new title.
    pub title: Option<String>,
    /// A new release date.
    pub release_date: Option<ReleaseDate>,
    /// A new cast, replacing the old one.
    pub actors: Option<Vec<ActorId>>,
}

/// An actor to create, as a caller sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActorInput {
    /// The name, checked by [`Name::parse`].
    pub name: String,
    /// The age, checked by [`Age::parse`].
    pub age: i64,
    /// The gender, checked by [`Gender::parse`].
    pub gender: String,
    /// The actor's movies.
    pub movies: Vec<MovieId>,
}

/// Changes to an actor, as a caller sends them: absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActorChanges {
    /// A new name.
    pub name: Option<String>,
    /// A new age.
    pub age: Option<i64>,
    /// A new gender.
    pub gender: Option<String>,
    /// New movies, replacing the old list.
    pub movies: Option<Vec<MovieId>>,
}

/// Collects every field error, so one answer names all the problems.
#[derive(Default)]
struct Checker(Vec<FieldError>);

impl Checker {
    fn check<T>(&mut self, result: Result<T, FieldError>) -> Option<T> {
        result.map_err(|e| self.0.push(e)).ok()
    }

    fn check_opt<T, R>(
        &mut self,
        raw: Option<R>,
        parse: impl FnOnce(R) -> Result<T, FieldError>,
    ) -> Option<T> {
        raw.and_then(|raw| self.check(parse(raw)))
    }

    fn finish<T>(self, value: Option<T>) -> Result<T, Error> {
        match value {
            Some(value) if self.0.is_empty() => Ok(value),
            _ => Err(Error::Invalid(self.0)),
        }
    }
}

/// Sorts relation ids and drops repeats.
fn normalise<T: Ord>(mut ids: Vec<T>) -> Vec<T> {
    ids.sort_unstable();
    ids.dedup();
    ids
}

fn empty_changes() -> Error {
    Error::BadRequest(vec![FieldError::new(
        "body",
        "must change at least one field",
    )])
}

impl MovieInput {
    /// Checks every field; [`Error::Invalid`] lists all that are wrong.
    pub fn validate(self) -> Result<NewMovie, Error> {
        let mut checker = Checker::default();
        let title = checker.check(Title::parse(&self.title));
        let movie = title.map(|title| {
            NewMovie::new(title, self.release_date).with_actors(normalise(self.actors))
        });
        checker.finish(movie)
    }
}

impl MovieChanges {
    /// Checks every present field. Changes with no field are [`Error::BadRequest`].
    pub fn validate(self) -> Result<MoviePatch, Error> {
        let mut checker = Checker::default();
        let patch = MoviePatch {
            title: checker.check_opt(self.title, |t| Title::parse(&t)),
            release_date: self.release_date,
            actors: self.actors.map(normalise),
        };
        let patch = checker.finish(Some(patch))?;
        if patch.is_empty() {
            return Err(empty_changes());
        }
        Ok(patch)
    }
}

impl ActorInput {
    /// Checks every field; [`Error::Invalid`] lists all that are wrong.
    pub fn validate(self) -> Result<NewActor, Error> {
        let mut checker = Checker::default();
        let name = checker.check(Name::parse(&self.name));
        let age = checker.check(Age::parse(self.age));
        let gender = checker.check(Gender::parse(&self.gender));
        let actor = match (name, age, gender) {
            (Some(name), Some(age), Some(gender)) => {
                Some(NewActor::new(name, age, gender).with_movies(normalise(self.movies)))
            }
            _ => None,
        };
        checker.finish(actor)
    }
}

impl ActorChanges {
    /// Checks every present field. Changes with no field are [`Error::BadRequest`].
    pub fn validate(self) -> Result<ActorPatch, Error> {
        let mut checker = Checker::default();
        let patch = ActorPatch {
            name: checker.check_opt(self.name, |n| Name::parse(&n)),
            age: checker.check_opt(self.age, Age::parse),
            gender: checker.check_opt(self.gender, |g| Gender::parse(&g)),
            movies: self.movies.map(normalise),
        };
        let patch = checker.finish(Some(patch))?;
        if patch.is_empty() {
            return Err(empty_changes());
        }
        Ok(patch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date() -> ReleaseDate {
        ReleaseDate::parse("2025-02-08").unwrap()
    }

    fn invalid_fields(error: Error) -> Vec<String> {
        match error {
            Error::Invalid(errors) => errors.into_iter().map(|e| e.field.into()).collect(),
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    #[test]
    fn movie_input_trims_and_normalises_the_cast() {
        let movie = MovieInput {
            title: "  Up ".into(),
            release_date: date(),
            actors: vec![ActorId(3), ActorId(1), ActorId(3)],
        }
        .validate()
        .unwrap();
        assert_eq!(movie.title.as_str(), "Up");
        assert_eq!(movie.actors, [ActorId(1), ActorId(3)]);
    }

    #[test]
    fn actor_input_reports_every_bad_field() {
        let error = ActorInput {
            name: " ".into(),
            age: 200,
            gender: "robot".into(),
            movies: vec![],
        }
        .validate()
        .unwrap_err();
        assert_eq!(invalid_fields(error), ["name", "age", "gender"]);
    }

    #[test]
    fn empty_changes_are_a_bad_request() {
        assert!(matches!(
            MovieChanges::default().validate(),
            Err(Error::BadRequest(_))
        ));
        assert!(matches!(
            ActorChanges::default().validate(),
            Err(Error::BadRequest(_))
        ));
    }

    #[test]
    fn changes_check_present_fields_only() {
        let patch = ActorChanges {
            age: Some(150),
            ..Default::default()
        }
        .validate()
        .unwrap();
        assert_eq!(patch.age.map(Age::get), Some(150));
        assert_eq!(patch.name, None);
        let error = ActorChanges {
            age: Some(-1),
            gender: Some("MALE".into()),
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        assert_eq!(invalid_fields(error), ["age"]);
        let error = MovieChanges {
            title: Some(String::new()),
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        assert_eq!(invalid_fields(error), ["title"]);
    }

    #[test]
    fn an_empty_relation_list_is_a_change() {
        let patch = MovieChanges {
            actors: Some(vec![]),
            ..Default::default()
        }
        .validate()
        .unwrap();
        assert_eq!(patch.actors, Some(vec![]));
    }
}
