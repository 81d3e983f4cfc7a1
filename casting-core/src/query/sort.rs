//! The order of a list: `sort=title,-release_date`, with the id as the last tie-breaker.

use std::fmt;

use crate::domain::{FieldError, ReleaseDate};
use crate::model::{ActorSummary, MovieSummary};

/// Which way a sort key runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Smallest first (`title`).
    Ascending,
    /// Largest first (`-title`).
    Descending,
}

/// The value of one sort key of one record, as a cursor carries it.
///
/// Text compares by Unicode code point (byte order of UTF-8, PostgreSQL's `COLLATE "C"`), so
/// every store and every database locale puts records in the same order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SortValue {
    /// An id or an age.
    Int(i64),
    /// A title or a name.
    Text(String),
    /// A release date.
    Date(ReleaseDate),
}

/// What kind of [`SortValue`] a field has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// [`SortValue::Int`]
    Int,
    /// [`SortValue::Text`]
    Text,
    /// [`SortValue::Date`]
    Date,
}

/// A field a list can be sorted on.
pub trait SortField: Copy + Eq + fmt::Debug + Send + Sync + 'static {
    /// The record the field belongs to.
    type Item;
    /// The id: unique, so the last key of every sort.
    const ID: Self;
    /// Every field, as the API names them.
    const ALL: &'static [Self];
    /// The name in `sort`.
    fn name(self) -> &'static str;
    /// The kind of value the field holds.
    fn kind(self) -> ValueKind;
    /// The field's value in `item`.
    fn value_of(self, item: &Self::Item) -> SortValue;
}

/// The fields a movie list sorts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MovieField {
    /// `id`
    Id,
    /// `title`
    Title,
    /// `release_date`
    ReleaseDate,
}

impl SortField for MovieField {
    type Item = MovieSummary;
    const ID: Self = Self::Id;
    const ALL: &'static [Self] = &[Self::Id, Self::Title, Self::ReleaseDate];

    fn name(self) -> &'static str {
        match self {
            Self::Id => "id",
            Self::Title => "title",
            Self::ReleaseDate => "release_date",
        }
    }

    fn kind(self) -> ValueKind {
        match self {
            Self::Id => ValueKind::Int,
            Self::Title => ValueKind::Text,
            Self::ReleaseDate => ValueKind::Date,
        }
    }

    fn value_of(self, movie: &MovieSummary) -> SortValue {
        match self {
            Self::Id => SortValue::Int(movie.id.get()),
            Self::Title => SortValue::Text(movie.title.as_str().to_owned()),
            Self::ReleaseDate => SortValue::Date(movie.release_date),
        }
    }
}

/// The fields an actor list sorts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActorField {
    /// `id`
    Id,
    /// `name`
    Name,
    /// `age`
    Age,
}

impl SortField for ActorField {
    type Item = ActorSummary;
    const ID: Self = Self::Id;
    const ALL: &'static [Self] = &[Self::Id, Self::Name, Self::Age];

    fn name(self) -> &'static str {
        match self {
            Self::Id => "id",
            Self::Name => "name",
            Self::Age => "age",
        }
    }

    fn kind(self) -> ValueKind {
        match self {
            Self::Id | Self::Age => ValueKind::Int,
            Self::Name => ValueKind::Text,
        }
    }

    fn value_of(self, actor: &ActorSummary) -> SortValue {
        match self {
            Self::Id => SortValue::Int(actor.id.get()),
            Self::Name => SortValue::Text(actor.name.as_str().to_owned()),
            Self::Age => SortValue::Int(actor.age.get()),
        }
    }
}

/// One key of a sort: a field and its direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SortKey<F> {
    /// The field.
    pub field: F,
    /// Which way it runs.
    pub direction: Direction,
}

/// A total order over a list: the keys asked for, then the id.
///
/// The id is always the last key, so no two records tie and a cursor names one place. When the
/// id is not asked for, it runs the same way as the last key asked for (`-title` is
/// `-title,-id`), so a single index on `(title, id)` serves both directions. Nothing may follow
/// `id`: it could never decide anything.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Sort<F> {
    keys: Vec<SortKey<F>>,
}

impl<F: SortField> Default for Sort<F> {
    /// By id, ascending.
    fn default() -> Self {
        Self {
            keys: vec![SortKey {
                field: F::ID,
                direction: Direction::Ascending,
            }],
        }
    }
}

impl<F: SortField> Sort<F> {
    /// A sort of exactly these keys; the last must be the id.
    pub(crate) fn by(keys: Vec<SortKey<F>>) -> Self {
        Self { keys }
    }

    /// Reads a comma list of field names, each optionally prefixed by `-` for descending.
    pub fn parse(text: &str) -> Result<Self, FieldError> {
        let error = |message: String| FieldError::new("sort", message);
        let names = || {
            F::ALL
                .iter()
                .map(|f| f.name())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut keys: Vec<SortKey<F>> = Vec::new();
        for part in text.split(',') {
            if keys.last().is_some_and(|key| key.field == F::ID) {
                return Err(error(
                    "must not name a field after id: ids are unique, so nothing after one \
                     can change the order"
                        .into(),
                ));
            }
            let (direction, name) = match part.strip_prefix('-') {
                Some(name) => (Direction::Descending, name),
                None => (Direction::Ascending, part),
            };
            if name.is_empty() {
                return Err(error(format!(
                    "must be a comma list of fields ({}), each optionally prefixed by -",
                    names()
                )));
            }
            let Some(field) = F::ALL.iter().copied().find(|f| f.name() == name) else {
                return Err(error(format!(
                    "cannot sort on `{}`; use {}",
                    name.escape_debug(),
                    names()
                )));
            };
            if keys.iter().any(|key| key.field == field) {
                return Err(error(format!("names `{name}` more than once")));
            }
            keys.push(SortKey { field, direction });
        }
        if let Some(&SortKey { field, direction }) = keys.last()
            && field != F::ID
        {
            keys.push(SortKey {
                field: F::ID,
                direction,
            });
        }
        Ok(Self { keys })
    }

    /// The keys, most significant first; the last is always the id.
    pub fn keys(&self) -> &[SortKey<F>] {
        &self.keys
    }

    /// The direction shared by every key, if they share one.
    pub fn uniform_direction(&self) -> Option<Direction> {
        let first = self.keys[0].direction;
        self.keys
            .iter()
            .all(|key| key.direction == first)
            .then_some(first)
    }

    /// The values of `item` under each key: where a cursor after `item` points.
    pub fn values_of(&self, item: &F::Item) -> Vec<SortValue> {
        self.keys
            .iter()
            .map(|key| key.field.value_of(item))
            .collect()
    }

    /// The sort written back in the `sort` parameter's syntax, id included.
    pub fn to_param(&self) -> String {
        let mut out = String::new();
        for (i, key) in self.keys.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            if key.direction == Direction::Descending {
                out.push('-');
            }
            out.push_str(key.field.name());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(text: &str) -> Result<String, String> {
        Sort::<MovieField>::parse(text)
            .map(|sort| sort.to_param())
            .map_err(|e| e.message.into_owned())
    }

    #[test]
    fn the_id_ends_every_sort_in_the_last_keys_direction() {
        assert_eq!(Sort::<MovieField>::default().to_param(), "id");
        assert_eq!(written("id").unwrap(), "id");
        assert_eq!(written("-id").unwrap(), "-id");
        assert_eq!(written("title").unwrap(), "title,id");
        assert_eq!(written("-title").unwrap(), "-title,-id");
        assert_eq!(
            written("title,-release_date").unwrap(),
            "title,-release_date,-id"
        );
        assert_eq!(written("-release_date,id").unwrap(), "-release_date,id");
        assert_eq!(
            Sort::<ActorField>::parse("-age,name").unwrap().to_param(),
            "-age,name,id"
        );
    }

    #[test]
    fn uniform_direction() {
        let sort = |text| Sort::<MovieField>::parse(text).unwrap().uniform_direction();
        assert_eq!(sort("-title"), Some(Direction::Descending));
        assert_eq!(sort("title,release_date"), Some(Direction::Ascending));
        assert_eq!(sort("title,-id"), None);
    }

    #[test]
    fn bad_sorts_say_why() {
        for bad in ["", ",", "title,", "-", "--title", "name", "Title", " title"] {
            assert!(written(bad).is_err(), "{bad:?}");
        }
        assert!(
            written("name")
                .unwrap_err()
                .contains("id, title, release_date")
        );
        assert!(
            written("title,-title")
                .unwrap_err()
                .contains("more than once")
        );
        assert!(written("id,title").unwrap_err().contains("after id"));
        assert!(Sort::<ActorField>::parse("title").is_err());
    }
}
