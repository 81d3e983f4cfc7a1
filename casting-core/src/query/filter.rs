//! What a list keeps, beyond `q`: release dates and cast for movies; gender, age and movies for
//! actors.

use std::fmt::{self, Write};

use crate::domain::{Age, FieldError, Gender, ReleaseDate};
use crate::model::{ActorId, MovieId};
use crate::query::sort::{ActorField, MovieField, Sort, SortField};

/// The filters of one kind of list. Implemented by [`MovieFilter`] and [`ActorFilter`].
pub trait Filter: Clone + fmt::Debug + Default + PartialEq + Eq + Send + Sync + 'static {
    /// The fields this list sorts on.
    type Field: SortField;
    /// What is listed, as a cursor's fingerprint names it (`movie`, `actor`, `audit`).
    const NAME: &'static str;
    /// What is listed, as a cursor's tag byte says it: a cursor of one list is refused by
    /// another.
    const TAG: u8;
    /// The order when none is asked for: by id, ascending, unless the list says otherwise.
    fn default_sort() -> Sort<Self::Field> {
        Sort::default()
    }
    /// Whether the filter keeps every record.
    fn is_empty(&self) -> bool;
    /// Writes the filter in one canonical form: equal filters write equal text. Part of a
    /// cursor's fingerprint.
    fn write_canonical(&self, out: &mut String);
}

/// Movies to keep: released within the dates (inclusive), with all the actors in their cast.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct MovieFilter {
    released_from: Option<ReleaseDate>,
    released_to: Option<ReleaseDate>,
    actors: Vec<ActorId>,
}

impl MovieFilter {
    /// Checks the bounds (`released_from` not after `released_to`); repeated actors count once.
    pub fn new(
        released_from: Option<ReleaseDate>,
        released_to: Option<ReleaseDate>,
        actors: impl IntoIterator<Item = ActorId>,
    ) -> Result<Self, FieldError> {
        if let (Some(from), Some(to)) = (released_from, released_to)
            && from > to
        {
            return Err(FieldError::new(
                "released_from",
                "must not be after released_to",
            ));
        }
        Ok(Self {
            released_from,
            released_to,
            actors: sorted(actors),
        })
    }

    /// The earliest release date kept.
    pub fn released_from(&self) -> Option<ReleaseDate> {
        self.released_from
    }

    /// The latest release date kept.
    pub fn released_to(&self) -> Option<ReleaseDate> {
        self.released_to
    }

    /// Actors every kept movie's cast holds: ascending, without repeats.
    pub fn actors(&self) -> &[ActorId] {
        &self.actors
    }
}

impl Filter for MovieFilter {
    type Field = MovieField;
    const NAME: &'static str = "movie";
    const TAG: u8 = 1;

    fn is_empty(&self) -> bool {
        self.released_from.is_none() && self.released_to.is_none() && self.actors.is_empty()
    }

    fn write_canonical(&self, out: &mut String) {
        let date = |date: Option<ReleaseDate>| date.map(|d| d.date().to_string());
        let _ = write!(
            out,
            "from={:?};to={:?};actors={:?}",
            date(self.released_from),
            date(self.released_to),
            self.actors.iter().map(|a| a.get()).collect::<Vec<_>>()
        );
    }
}

/// Actors to keep: of any of the genders (all when none is given), aged within the bounds
/// (inclusive), cast in all the movies.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ActorFilter {
    genders: Vec<Gender>,
    age_min: Option<Age>,
    age_max: Option<Age>,
    movies: Vec<MovieId>,
}

impl ActorFilter {
    /// Checks the bounds (`age_min` not above `age_max`); repeats count once.
    pub fn new(
        genders: impl IntoIterator<Item = Gender>,
        age_min: Option<Age>,
        age_max: Option<Age>,
        movies: impl IntoIterator<Item = MovieId>,
    ) -> Result<Self, FieldError> {
        if let (Some(min), Some(max)) = (age_min, age_max)
            && min > max
        {
            return Err(FieldError::new("age_min", "must not be above age_max"));
        }
        Ok(Self {
            genders: sorted(genders),
            age_min,
            age_max,
            movies: sorted(movies),
        })
    }

    /// The genders kept (any of them), in the contract's order; empty keeps all.
    pub fn genders(&self) -> &[Gender] {
        &self.genders
    }

    /// The youngest age kept.
    pub fn age_min(&self) -> Option<Age> {
        self.age_min
    }

    /// The oldest age kept.
    pub fn age_max(&self) -> Option<Age> {
        self.age_max
    }

    /// Movies every kept actor is cast in: ascending, without repeats.
    pub fn movies(&self) -> &[MovieId] {
        &self.movies
    }

    /// Whether an actor of this gender and age passes the gender and age filters.
    pub fn keeps(&self, gender: Gender, age: Age) -> bool {
        (self.genders.is_empty() || self.genders.contains(&gender))
            && self.age_min.is_none_or(|min| age >= min)
            && self.age_max.is_none_or(|max| age <= max)
    }
}

impl MovieFilter {
    /// Whether a movie released on `date` passes the date filters.
    pub fn keeps(&self, date: ReleaseDate) -> bool {
        self.released_from.is_none_or(|from| date >= from)
            && self.released_to.is_none_or(|to| date <= to)
    }
}

impl Filter for ActorFilter {
    type Field = ActorField;
    const NAME: &'static str = "actor";
    const TAG: u8 = 2;

    fn is_empty(&self) -> bool {
        self.genders.is_empty()
            && self.age_min.is_none()
            && self.age_max.is_none()
            && self.movies.is_empty()
    }

    fn write_canonical(&self, out: &mut String) {
        let _ = write!(
            out,
            "genders={:?};age_min={:?};age_max={:?};movies={:?}",
            self.genders,
            self.age_min.map(Age::get),
            self.age_max.map(Age::get),
            self.movies.iter().map(|m| m.get()).collect::<Vec<_>>()
        );
    }
}

fn sorted<T: Ord>(values: impl IntoIterator<Item = T>) -> Vec<T> {
    let mut values: Vec<T> = values.into_iter().collect();
    values.sort_unstable();
    values.dedup();
    values
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> ReleaseDate {
        ReleaseDate::parse(text).unwrap()
    }

    #[test]
    fn bounds_are_inclusive_and_ordered() {
        let filter =
            MovieFilter::new(Some(date("2000-01-01")), Some(date("2000-12-31")), []).unwrap();
        assert!(filter.keeps(date("2000-01-01")));
        assert!(filter.keeps(date("2000-12-31")));
        assert!(!filter.keeps(date("1999-12-31")));
        assert!(!filter.keeps(date("2001-01-01")));
        assert!(MovieFilter::new(Some(date("2000-01-01")), Some(date("2000-01-01")), []).is_ok());
        let error =
            MovieFilter::new(Some(date("2000-01-02")), Some(date("2000-01-01")), []).unwrap_err();
        assert_eq!(error.field, "released_from");

        let age = |years| Age::parse(years).unwrap();
        let filter = ActorFilter::new([], Some(age(25)), Some(age(35)), []).unwrap();
        assert!(filter.keeps(Gender::Male, age(25)) && filter.keeps(Gender::Other, age(35)));
        assert!(!filter.keeps(Gender::Male, age(24)) && !filter.keeps(Gender::Male, age(36)));
        let error = ActorFilter::new([], Some(age(36)), Some(age(35)), []).unwrap_err();
        assert_eq!(error.field, "age_min");
    }

    #[test]
    fn repeats_count_once_and_order_does_not_matter() {
        let a = MovieFilter::new(None, None, [ActorId(3), ActorId(1), ActorId(3)]).unwrap();
        let b = MovieFilter::new(None, None, [ActorId(1), ActorId(3)]).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.actors(), [ActorId(1), ActorId(3)]);
        let genders = ActorFilter::new(
            [Gender::Other, Gender::Female, Gender::Other],
            None,
            None,
            [],
        )
        .unwrap();
        assert_eq!(genders.genders(), [Gender::Female, Gender::Other]);
        assert!(genders.keeps(Gender::Female, Age::parse(1).unwrap()));
        assert!(!genders.keeps(Gender::Male, Age::parse(1).unwrap()));
        let (mut one, mut two) = (String::new(), String::new());
        a.write_canonical(&mut one);
        b.write_canonical(&mut two);
        assert_eq!(one, two);
    }
}
