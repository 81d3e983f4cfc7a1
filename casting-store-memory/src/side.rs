//! [`Side`]: what the writes of one side of the relation (movies, or actors) need to know of
//! it. The writes themselves are in `writes`, once for both sides.

use std::collections::{BTreeMap, BTreeSet};

use casting_core::audit::{ACTOR_FIELDS, DELETED_ACTOR_FIELDS, DELETED_MOVIE_FIELDS, MOVIE_FIELDS};
use casting_core::query::fold;
use casting_core::{
    Actor, ActorId, ActorPatch, Changes, DeletedActor, DeletedMovie, Edit, FieldValue, Movie,
    MovieId, MoviePatch, NewActor, NewMovie, ResourceKind, Revision, StoreError,
    StoreResult as Result, UnknownIds, Version,
};

use crate::history::Kept;
use crate::restore::Revived;
use crate::state::{ActorRow, MovieRow, State};

/// One side of the relation, as the writes see it.
pub(crate) trait Side {
    /// Movie or actor.
    const KIND: ResourceKind;
    /// The other side.
    const OTHER: ResourceKind;
    /// Every field a create names, in the trail.
    const FIELDS: &'static [&'static str];
    /// Every field a delete (and a restore) names, in the trail.
    const DELETED_FIELDS: &'static [&'static str];
    /// A record's id.
    type Id: Copy + Ord + Into<i64>;
    /// The other side's id.
    type Other: Copy + Ord + Into<i64>;
    /// What is stored of a record.
    type Row;
    /// A record as the store answers it.
    type Record: Clone;
    /// A create.
    type New;
    /// A change.
    type Patch;
    /// A record with its links' credits, as its delete entry keeps it.
    type Deleted;

    /// The id numbered `n`.
    fn id(n: i64) -> Self::Id;
    /// This side's rows.
    fn rows(state: &mut State) -> &mut BTreeMap<Self::Id, Self::Row>;
    /// The last id given out on this side.
    fn last_id(state: &mut State) -> &mut i64;
    /// Whether the other side has a record with this id.
    fn other_exists(state: &State, id: Self::Other) -> bool;
    /// A new row, and the other side's records to link it to.
    fn new_row(new: Self::New, edit: &Edit) -> (Self::Row, Vec<Self::Other>);
    /// The fields a change names (for the trail), and its new list of links, if it sets one.
    fn change(patch: &Self::Patch) -> (Vec<&'static str>, Option<Vec<Self::Other>>);
    /// Applies a change's fields (not its links) to a row.
    fn apply(row: &mut Self::Row, patch: Self::Patch);
    /// The row's revision.
    fn revision(row: &mut Self::Row) -> &mut Revision;
    /// Makes `links` the record's whole list of links, on both sides; returns the other
    /// side's records it joined or left.
    fn link(state: &mut State, id: Self::Id, links: &[Self::Other]) -> BTreeSet<Self::Other>;
    /// A new version (and trail entry) of each of the other side's records a write of `id`
    /// linked or unlinked.
    fn touch(state: &mut State, id: Self::Id, others: &BTreeSet<Self::Other>, edit: &Edit);
    /// A create's changes: every field it names, from nothing.
    fn created(record: &Self::Record) -> Changes;
    /// What `patch` does to the record, read before it is applied.
    fn changes(state: &State, id: Self::Id, patch: &Self::Patch) -> Changes;
    /// The record as its delete entry keeps it.
    fn snapshot(state: &State, id: Self::Id) -> Option<Self::Deleted>;
    /// Each of a kept record's fields ([`Self::DELETED_FIELDS`]) with its value.
    fn values(deleted: &Self::Deleted) -> Vec<(&'static str, FieldValue)>;
    /// The record a delete entry's changes keep.
    fn from_deleted(changes: &Changes) -> Option<Self::Deleted>;
    /// Puts a deleted record back, linked to every record of the other side that exists.
    fn revive(
        state: &mut State,
        id: Self::Id,
        deleted: Self::Deleted,
        revision: Revision,
    ) -> Revived<Self::Deleted, Self::Other>;
    /// The record, as the store answers it.
    fn record(state: &State, id: Self::Id) -> Result<Self::Record>;
    /// A missing record.
    fn not_found(id: Self::Id) -> StoreError;
    /// A record to keep under an idempotency key, and back.
    fn keep(record: Self::Record) -> Kept;
    /// The record a key of this side kept.
    fn kept(kept: Kept) -> Option<Self::Record>;

    /// The record's current version, when `edit` expects it (the record must exist); else
    /// `PreconditionFailed` naming the current one.
    fn expect(state: &mut State, id: Self::Id, edit: &Edit) -> Result<Version> {
        let current = Self::rows(state)
            .get_mut(&id)
            .map(|row| Self::revision(row).version)
            .ok_or_else(|| Self::not_found(id))?;
        edit.check(current)
            .map(|()| current)
            .map_err(|current| StoreError::PreconditionFailed {
                kind: Self::KIND,
                id: id.into(),
                current,
            })
    }
}

/// `Ok` when every id in `links` names a record of the other side; else the unknown ones.
pub(crate) fn check_links<S: Side>(state: &State, links: &[S::Other]) -> Result<()> {
    let unknown = links
        .iter()
        .filter(|id| !S::other_exists(state, **id))
        .map(|id| (*id).into());
    match UnknownIds::new(unknown) {
        None => Ok(()),
        Some(ids) => Err(StoreError::UnknownRelations {
            kind: S::OTHER,
            ids,
        }),
    }
}

/// Movies: linked to actors through their cast.
pub(crate) enum Movies {}

impl Side for Movies {
    const KIND: ResourceKind = ResourceKind::Movie;
    const OTHER: ResourceKind = ResourceKind::Actor;
    const FIELDS: &'static [&'static str] = &MOVIE_FIELDS;
    const DELETED_FIELDS: &'static [&'static str] = &DELETED_MOVIE_FIELDS;
    type Id = MovieId;
    type Other = ActorId;
    type Row = MovieRow;
    type Record = Movie;
    type New = NewMovie;
    type Patch = MoviePatch;
    type Deleted = DeletedMovie;

    fn id(n: i64) -> MovieId {
        MovieId(n)
    }
    fn rows(state: &mut State) -> &mut BTreeMap<MovieId, MovieRow> {
        &mut state.movies
    }
    fn last_id(state: &mut State) -> &mut i64 {
        &mut state.last_movie_id
    }
    fn other_exists(state: &State, id: ActorId) -> bool {
        state.actors.contains_key(&id)
    }
    fn new_row(new: NewMovie, edit: &Edit) -> (MovieRow, Vec<ActorId>) {
        let row = MovieRow {
            folded: fold(new.title.as_str()),
            title: new.title,
            release_date: new.release_date,
            cast: BTreeMap::new(),
            revision: Revision::created(edit),
        };
        (row, new.actors)
    }
    fn change(patch: &MoviePatch) -> (Vec<&'static str>, Option<Vec<ActorId>>) {
        (patch.fields(), patch.actors.clone())
    }
    fn apply(row: &mut MovieRow, patch: MoviePatch) {
        if let Some(title) = patch.title {
            row.folded = fold(title.as_str());
            row.title = title;
        }
        if let Some(date) = patch.release_date {
            row.release_date = date;
        }
    }
    fn revision(row: &mut MovieRow) -> &mut Revision {
        &mut row.revision
    }
    fn link(state: &mut State, id: MovieId, links: &[ActorId]) -> BTreeSet<ActorId> {
        state.set_cast(id, links)
    }
    fn touch(state: &mut State, id: MovieId, others: &BTreeSet<ActorId>, edit: &Edit) {
        state.touch_actors(id, others, edit);
    }
    fn created(movie: &Movie) -> Changes {
        Changes::made([
            ("title", FieldValue::Text(movie.title.as_str().to_owned())),
            ("release_date", FieldValue::Date(movie.release_date)),
            ("actors", FieldValue::ids(&movie.actors)),
        ])
    }
    fn changes(state: &State, id: MovieId, patch: &MoviePatch) -> Changes {
        let Some(row) = state.movies.get(&id) else {
            return Changes::new();
        };
        let actors: Vec<ActorId> = row.cast.keys().copied().collect();
        Changes::of_movie_patch(patch, &row.title, row.release_date, &actors)
    }
    fn snapshot(state: &State, id: MovieId) -> Option<DeletedMovie> {
        state.movie_snapshot(id)
    }
    fn values(deleted: &DeletedMovie) -> Vec<(&'static str, FieldValue)> {
        deleted.values().into()
    }
    fn from_deleted(changes: &Changes) -> Option<DeletedMovie> {
        DeletedMovie::from_deleted(changes)
    }
    fn revive(
        state: &mut State,
        id: MovieId,
        deleted: DeletedMovie,
        revision: Revision,
    ) -> Revived<DeletedMovie, ActorId> {
        state.revive_movie(id, deleted, revision)
    }
    fn record(state: &State, id: MovieId) -> Result<Movie> {
        state.movie(id)
    }
    fn not_found(id: MovieId) -> StoreError {
        StoreError::movie_not_found(id)
    }
    fn keep(record: Movie) -> Kept {
        Kept::Movie(record)
    }
    fn kept(kept: Kept) -> Option<Movie> {
        match kept {
            Kept::Movie(movie) => Some(movie),
            Kept::Actor(_) => None,
        }
    }
}

/// Actors: linked to movies through the movies' casts.
pub(crate) enum Actors {}

impl Side for Actors {
    const KIND: ResourceKind = ResourceKind::Actor;
    const OTHER: ResourceKind = ResourceKind::Movie;
    const FIELDS: &'static [&'static str] = &ACTOR_FIELDS;
    const DELETED_FIELDS: &'static [&'static str] = &DELETED_ACTOR_FIELDS;
    type Id = ActorId;
    type Other = MovieId;
    type Row = ActorRow;
    type Record = Actor;
    type New = NewActor;
    type Patch = ActorPatch;
    type Deleted = DeletedActor;

    fn id(n: i64) -> ActorId {
        ActorId(n)
    }
    fn rows(state: &mut State) -> &mut BTreeMap<ActorId, ActorRow> {
        &mut state.actors
    }
    fn last_id(state: &mut State) -> &mut i64 {
        &mut state.last_actor_id
    }
    fn other_exists(state: &State, id: MovieId) -> bool {
        state.movies.contains_key(&id)
    }
    fn new_row(new: NewActor, edit: &Edit) -> (ActorRow, Vec<MovieId>) {
        let row = ActorRow {
            folded: fold(new.name.as_str()),
            name: new.name,
            age: new.age,
            gender: new.gender,
            movies: BTreeSet::new(),
            revision: Revision::created(edit),
        };
        (row, new.movies)
    }
    fn change(patch: &ActorPatch) -> (Vec<&'static str>, Option<Vec<MovieId>>) {
        (patch.fields(), patch.movies.clone())
    }
    fn apply(row: &mut ActorRow, patch: ActorPatch) {
        if let Some(name) = patch.name {
            row.folded = fold(name.as_str());
            row.name = name;
        }
        if let Some(age) = patch.age {
            row.age = age;
        }
        if let Some(gender) = patch.gender {
            row.gender = gender;
        }
    }
    fn revision(row: &mut ActorRow) -> &mut Revision {
        &mut row.revision
    }
    fn link(state: &mut State, id: ActorId, links: &[MovieId]) -> BTreeSet<MovieId> {
        state.set_roles(id, links)
    }
    fn touch(state: &mut State, id: ActorId, others: &BTreeSet<MovieId>, edit: &Edit) {
        state.touch_movies(id, others, edit);
    }
    fn created(actor: &Actor) -> Changes {
        Changes::made([
            ("name", FieldValue::Text(actor.name.as_str().to_owned())),
            ("age", FieldValue::Number(actor.age.get())),
            ("gender", FieldValue::Text(actor.gender.as_str().to_owned())),
            ("movies", FieldValue::ids(&actor.movies)),
        ])
    }
    fn changes(state: &State, id: ActorId, patch: &ActorPatch) -> Changes {
        let Some(row) = state.actors.get(&id) else {
            return Changes::new();
        };
        let movies: Vec<MovieId> = row.movies.iter().copied().collect();
        Changes::of_actor_patch(patch, &row.name, row.age, row.gender, &movies)
    }
    fn snapshot(state: &State, id: ActorId) -> Option<DeletedActor> {
        state.actor_snapshot(id)
    }
    fn values(deleted: &DeletedActor) -> Vec<(&'static str, FieldValue)> {
        deleted.values().into()
    }
    fn from_deleted(changes: &Changes) -> Option<DeletedActor> {
        DeletedActor::from_deleted(changes)
    }
    fn revive(
        state: &mut State,
        id: ActorId,
        deleted: DeletedActor,
        revision: Revision,
    ) -> Revived<DeletedActor, MovieId> {
        state.revive_actor(id, deleted, revision)
    }
    fn record(state: &State, id: ActorId) -> Result<Actor> {
        state.actor(id)
    }
    fn not_found(id: ActorId) -> StoreError {
        StoreError::actor_not_found(id)
    }
    fn keep(record: Actor) -> Kept {
        Kept::Actor(record)
    }
    fn kept(kept: Kept) -> Option<Actor> {
        match kept {
            Kept::Actor(actor) => Some(actor),
            Kept::Movie(_) => None,
        }
    }
}
