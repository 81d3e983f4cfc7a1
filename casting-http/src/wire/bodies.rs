//! Request bodies. Each field is read as whatever JSON was sent ([`Field`]) and checked when the
//! body becomes the core's input, so every wrong type, `null` or missing field is a 400 that
//! names the field in `details.fields`, all of them at once, in words a client author knows
//! (never an internal type name). The schema each field shows in the spec is its `S`.

use std::marker::PhantomData;

use casting_core::{
    ActorChanges, ActorId, ActorInput, Error, FieldError, MovieChanges, MovieId, MovieInput,
    ReleaseDate,
};
use poem_openapi::Object;
use poem_openapi::registry::{MetaSchemaRef, Registry};
use poem_openapi::types::{Example, ParseFromJSON, ParseResult, ToJSON, Type};
use serde_json::{Value, json};

use crate::wire::types::{DateText, GenderText, Text, Years};

/// A body field as sent: any JSON value, or nothing. Its schema (and whether it is required)
/// is `S`'s; the value is checked when the body is converted.
#[derive(Debug, Clone)]
pub struct Field<S>(Option<Value>, PhantomData<fn() -> S>);

impl<S: Type> Type for Field<S> {
    const IS_REQUIRED: bool = S::IS_REQUIRED;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> std::borrow::Cow<'static, str> {
        S::name()
    }

    fn schema_ref() -> MetaSchemaRef {
        S::schema_ref()
    }

    fn register(registry: &mut Registry) {
        S::register(registry);
    }

    fn as_raw_value(&self) -> Option<&Self> {
        Some(self)
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self> + 'a> {
        Box::new(self.as_raw_value().into_iter())
    }
}

impl<S> Field<S> {
    /// A field sent as `value` (for examples).
    pub(crate) fn sent(value: Value) -> Self {
        Self(Some(value), PhantomData)
    }

    /// A field not sent.
    pub(crate) fn absent() -> Self {
        Self(None, PhantomData)
    }

    /// The JSON sent, if any.
    pub(crate) fn into_value(self) -> Option<Value> {
        self.0
    }
}

impl<S: Type> ParseFromJSON for Field<S> {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        Ok(Self(value, PhantomData))
    }
}

impl<S: Type> ToJSON for Field<S> {
    fn to_json(&self) -> Option<Value> {
        self.0.clone()
    }
}

/// A `PATCH` body: the schema of `T` with `minProperties: 1`, since an update that names no
/// field is a 400 (the core decides that; the spec says it).
#[derive(Debug, Clone)]
pub struct Changes<T>(pub T);

impl<T: Type> Type for Changes<T> {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> std::borrow::Cow<'static, str> {
        T::name()
    }

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
        if let Some(schema) = registry.schemas.get_mut(&*T::name()) {
            schema.min_properties = Some(1);
        }
    }

    fn as_raw_value(&self) -> Option<&Self> {
        Some(self)
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self> + 'a> {
        Box::new(self.as_raw_value().into_iter())
    }
}

impl<T: ParseFromJSON> ParseFromJSON for Changes<T> {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        T::parse_from_json(value)
            .map(Self)
            .map_err(poem_openapi::types::ParseError::propagate)
    }
}

/// A body's fields, checked one by one; every problem is kept.
#[derive(Default)]
struct Check {
    errors: Vec<FieldError>,
}

impl Check {
    /// The value of a field that must be there, or `None` (with the error noted).
    fn required<S>(&mut self, name: &'static str, field: Field<S>) -> Option<Value> {
        if field.0.is_none() {
            self.errors.push(FieldError::new(name, "is required"));
        }
        field.0
    }

    /// Notes that `name` breaks `rule`; there is no value.
    fn refuse<T>(&mut self, name: &'static str, rule: &'static str) -> Option<T> {
        self.errors.push(FieldError::new(name, rule));
        None
    }

    /// A JSON string.
    fn text(&mut self, name: &'static str, value: Option<Value>) -> Option<String> {
        match value? {
            Value::String(text) => Some(text),
            _ => self.refuse(name, "must be a string"),
        }
    }

    /// A JSON integer.
    fn whole_number(&mut self, name: &'static str, value: Option<Value>) -> Option<i64> {
        match value? {
            Value::Number(number) if number.as_i64().is_some() => number.as_i64(),
            _ => self.refuse(name, "must be a whole number"),
        }
    }

    /// A date string in one of the input forms.
    fn date(&mut self, name: &'static str, value: Option<Value>) -> Option<ReleaseDate> {
        let text = match value? {
            Value::String(text) => text,
            _ => {
                return self.refuse(name, casting_core::domain::DATE_FORMATS);
            }
        };
        match ReleaseDate::parse(&text) {
            Ok(date) => Some(date),
            Err(error) => {
                self.errors.push(FieldError::new(name, error.message));
                None
            }
        }
    }

    /// An array of ids (whole numbers). `null` is refused like any other wrong type: leaving
    /// the field out is how to keep the relation as it is.
    fn ids(&mut self, name: &'static str, value: Option<Value>) -> Option<Vec<i64>> {
        let rule =
            "must be an array of ids (whole numbers); leave the field out to keep it as it is";
        let Value::Array(items) = value? else {
            return self.refuse(name, rule);
        };
        let ids: Option<Vec<i64>> = items.iter().map(Value::as_i64).collect();
        if ids.is_none() {
            self.errors.push(FieldError::new(name, rule));
        }
        ids
    }

    /// The input, or a 400 naming every field at fault.
    fn finish<T>(self, input: impl FnOnce() -> Option<T>) -> Result<T, Error> {
        match (self.errors.is_empty(), input()) {
            (true, Some(input)) => Ok(input),
            _ => Err(Error::BadRequest(self.errors)),
        }
    }
}

/// A movie to create.
#[derive(Debug, Clone, Object)]
#[oai(example)]
pub struct NewMovieBody {
    /// The title: trimmed, 1 to 200 characters.
    pub title: Field<Text>,
    /// The release date: `DD-MM-YYYY` (`08-02-2025` is 8 February 2025), `YYYY-MM-DD`, or as
    /// answers write it (`Sat, 08 Feb 2025 00:00:00 GMT`).
    pub release_date: Field<DateText>,
    /// The cast: ids of existing actors. Unknown ids are a 422 naming them.
    pub actors: Field<Option<Vec<i64>>>,
}

/// Changes to a movie: at least one field. Absent fields stay as they are.
#[derive(Debug, Clone, Object)]
#[oai(example)]
pub struct MoviePatchBody {
    /// A new title: trimmed, 1 to 200 characters.
    pub title: Field<Option<Text>>,
    /// A new release date: `DD-MM-YYYY`, `YYYY-MM-DD`, or as answers write it.
    pub release_date: Field<Option<DateText>>,
    /// A new cast, replacing the whole old one (`[]` empties it).
    pub actors: Field<Option<Vec<i64>>>,
}

/// An actor to create.
#[derive(Debug, Clone, Object)]
#[oai(example)]
pub struct NewActorBody {
    /// The name: trimmed, 1 to 200 characters.
    pub name: Field<Text>,
    /// The age in years, 0 to 150.
    pub age: Field<Years>,
    /// `Female`, `Male` or `Other`, in any case.
    pub gender: Field<GenderText>,
    /// The actor's movies: ids of existing movies. Unknown ids are a 422 naming them.
    pub movies: Field<Option<Vec<i64>>>,
}

/// Changes to an actor: at least one field. Absent fields stay as they are.
#[derive(Debug, Clone, Object)]
#[oai(example)]
pub struct ActorPatchBody {
    /// A new name: trimmed, 1 to 200 characters.
    pub name: Field<Option<Text>>,
    /// A new age in years, 0 to 150.
    pub age: Field<Option<Years>>,
    /// A new gender: `Female`, `Male` or `Other`, in any case.
    pub gender: Field<Option<GenderText>>,
    /// New movies, replacing the whole old list (`[]` empties it).
    pub movies: Field<Option<Vec<i64>>>,
}

// The examples Swagger UI fills in: each succeeds against the development server's sample
// catalogue (actors 1 to 5, movies 1 to 4), as a test of the server checks.

impl Example for NewMovieBody {
    fn example() -> Self {
        Self {
            title: Field::sent(json!("The Host")),
            release_date: Field::sent(json!("27-07-2006")),
            actors: Field::sent(json!([3])),
        }
    }
}

impl Example for MoviePatchBody {
    fn example() -> Self {
        Self {
            title: Field::sent(json!("Parasite (Black and White)")),
            release_date: Field::absent(),
            actors: Field::absent(),
        }
    }
}

impl Example for NewActorBody {
    fn example() -> Self {
        Self {
            name: Field::sent(json!("Park So-dam")),
            age: Field::sent(json!(33)),
            gender: Field::sent(json!("Female")),
            movies: Field::sent(json!([2])),
        }
    }
}

impl Example for ActorPatchBody {
    fn example() -> Self {
        Self {
            name: Field::absent(),
            age: Field::sent(json!(36)),
            gender: Field::absent(),
            movies: Field::absent(),
        }
    }
}

impl TryFrom<NewMovieBody> for MovieInput {
    type Error = Error;

    fn try_from(body: NewMovieBody) -> Result<Self, Error> {
        let mut check = Check::default();
        let title = check.required("title", body.title);
        let title = check.text("title", title);
        let release_date = check.required("release_date", body.release_date);
        let release_date = check.date("release_date", release_date);
        let actors = check.ids("actors", body.actors.0);
        check.finish(|| {
            Some(MovieInput {
                title: title?,
                release_date: release_date?,
                actors: actors
                    .unwrap_or_default()
                    .into_iter()
                    .map(ActorId)
                    .collect(),
            })
        })
    }
}

impl TryFrom<MoviePatchBody> for MovieChanges {
    type Error = Error;

    fn try_from(body: MoviePatchBody) -> Result<Self, Error> {
        let mut check = Check::default();
        let title = check.text("title", body.title.0);
        let release_date = check.date("release_date", body.release_date.0);
        let actors = check.ids("actors", body.actors.0);
        check.finish(|| {
            Some(MovieChanges {
                title,
                release_date,
                actors: actors.map(|ids| ids.into_iter().map(ActorId).collect()),
            })
        })
    }
}

impl TryFrom<NewActorBody> for ActorInput {
    type Error = Error;

    fn try_from(body: NewActorBody) -> Result<Self, Error> {
        let mut check = Check::default();
        let name = check.required("name", body.name);
        let name = check.text("name", name);
        let age = check.required("age", body.age);
        let age = check.whole_number("age", age);
        let gender = check.required("gender", body.gender);
        let gender = check.text("gender", gender);
        let movies = check.ids("movies", body.movies.0);
        check.finish(|| {
            Some(ActorInput {
                name: name?,
                age: age?,
                gender: gender?,
                movies: movies
                    .unwrap_or_default()
                    .into_iter()
                    .map(MovieId)
                    .collect(),
            })
        })
    }
}

impl TryFrom<ActorPatchBody> for ActorChanges {
    type Error = Error;

    fn try_from(body: ActorPatchBody) -> Result<Self, Error> {
        let mut check = Check::default();
        let name = check.text("name", body.name.0);
        let age = check.whole_number("age", body.age.0);
        let gender = check.text("gender", body.gender.0);
        let movies = check.ids("movies", body.movies.0);
        check.finish(|| {
            Some(ActorChanges {
                name,
                age,
                gender,
                movies: movies.map(|ids| ids.into_iter().map(MovieId).collect()),
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body<T: ParseFromJSON + std::fmt::Debug>(value: Value) -> T {
        T::parse_from_json(Some(value)).expect("any object parses")
    }

    fn fields(error: Error) -> Vec<(String, String)> {
        match error {
            Error::BadRequest(errors) => errors
                .into_iter()
                .map(|e| (e.field.into_owned(), e.message.into_owned()))
                .collect(),
            other => panic!("expected BadRequest, got {other:?}"),
        }
    }

    #[test]
    fn every_wrong_field_is_named_at_once() {
        let error = MovieInput::try_from(body::<NewMovieBody>(json!({
            "title": 7, "release_date": "2025/02/08", "actors": null
        })))
        .unwrap_err();
        let named: Vec<String> = fields(error).into_iter().map(|(f, _)| f).collect();
        assert_eq!(named, ["title", "release_date", "actors"]);

        let error = ActorInput::try_from(body::<NewActorBody>(json!({ "age": 40.5 }))).unwrap_err();
        assert_eq!(
            fields(error),
            [
                ("name".to_owned(), "is required".to_owned()),
                ("age".to_owned(), "must be a whole number".to_owned()),
                ("gender".to_owned(), "is required".to_owned()),
            ]
        );
    }

    #[test]
    fn null_is_a_wrong_type_and_absent_keeps_the_field() {
        let error =
            MovieChanges::try_from(body::<MoviePatchBody>(json!({ "actors": null }))).unwrap_err();
        assert_eq!(fields(error)[0].0, "actors");
        let error = ActorChanges::try_from(body::<ActorPatchBody>(
            json!({ "movies": null, "age": null }),
        ))
        .unwrap_err();
        assert_eq!(fields(error).len(), 2);
        let changes =
            MovieChanges::try_from(body::<MoviePatchBody>(json!({ "title": "T" }))).unwrap();
        assert_eq!(changes.title.as_deref(), Some("T"));
        assert!(changes.actors.is_none() && changes.release_date.is_none());
    }

    #[test]
    fn good_bodies_convert() {
        let input = MovieInput::try_from(body::<NewMovieBody>(json!({
            "title": " T ", "release_date": "08-02-2025", "actors": [2, 1]
        })))
        .unwrap();
        assert_eq!(input.title, " T ");
        assert_eq!(input.actors, [ActorId(2), ActorId(1)]);
        let input = ActorInput::try_from(body::<NewActorBody>(json!({
            "name": "N", "age": 200, "gender": "x"
        })))
        .unwrap();
        // Out-of-range values are the core's to refuse (422), not the parser's.
        assert_eq!((input.age, input.gender.as_str()), (200, "x"));
    }
}
