//! Bringing a deleted record back: its row, and its links to every record of the other side
//! that still exists, with their credits.

use std::collections::{BTreeMap, BTreeSet};

use casting_core::query::fold;
use casting_core::{
    ActorId, CastCredit, DeletedActor, DeletedMovie, MovieId, Revision, RoleCredit,
};

use crate::cast::next_billing;
use crate::state::{ActorRow, Credit, MovieRow, State};

/// A record put back: as restored (only the links that could come back), the ids left out,
/// and the other side's records it joined.
pub(crate) struct Revived<D, O> {
    pub(crate) restored: D,
    pub(crate) left_out: Vec<i64>,
    pub(crate) joined: BTreeSet<O>,
}

impl State {
    /// Puts movie `id` back with the credits of every actor who still exists, each at the
    /// billing it had.
    pub(crate) fn revive_movie(
        &mut self,
        id: MovieId,
        deleted: DeletedMovie,
        revision: Revision,
    ) -> Revived<DeletedMovie, ActorId> {
        let (kept, gone): (Vec<CastCredit>, Vec<CastCredit>) = deleted
            .cast
            .into_iter()
            .partition(|credit| self.actors.contains_key(&credit.actor));
        let cast: BTreeMap<ActorId, Credit> = kept
            .iter()
            .map(|c| {
                let credit = Credit {
                    character: c.character.clone(),
                    billing: c.billing,
                };
                (c.actor, credit)
            })
            .collect();
        for actor in cast.keys() {
            if let Some(row) = self.actors.get_mut(actor) {
                row.movies.insert(id);
            }
        }
        let joined = cast.keys().copied().collect();
        let row = MovieRow {
            folded: fold(deleted.title.as_str()),
            title: deleted.title.clone(),
            release_date: deleted.release_date,
            cast,
            revision,
        };
        self.movies.insert(id, row);
        Revived {
            restored: DeletedMovie {
                cast: kept,
                ..deleted
            },
            left_out: ids(gone.iter().map(|c| c.actor.get())),
            joined,
        }
    }

    /// Puts actor `id` back with their credit in every movie that still exists: at the
    /// billing they had, or after the movie's current cast when that position is taken.
    pub(crate) fn revive_actor(
        &mut self,
        id: ActorId,
        deleted: DeletedActor,
        revision: Revision,
    ) -> Revived<DeletedActor, MovieId> {
        let mut kept = Vec::new();
        let mut left_out = Vec::new();
        for credit in deleted.credits {
            let Some(movie) = self.movies.get_mut(&credit.movie) else {
                left_out.push(credit.movie.get());
                continue;
            };
            let taken = movie.cast.values().any(|c| c.billing == credit.billing);
            let billing = if taken {
                next_billing(&movie.cast)
            } else {
                credit.billing
            };
            let slot = Credit {
                character: credit.character.clone(),
                billing,
            };
            movie.cast.insert(id, slot);
            kept.push(RoleCredit { billing, ..credit });
        }
        let joined: BTreeSet<MovieId> = kept.iter().map(|c| c.movie).collect();
        let row = ActorRow {
            folded: fold(deleted.name.as_str()),
            name: deleted.name.clone(),
            age: deleted.age,
            gender: deleted.gender,
            movies: joined.clone(),
            revision,
        };
        self.actors.insert(id, row);
        Revived {
            restored: DeletedActor {
                credits: kept,
                ..deleted
            },
            left_out: ids(left_out),
            joined,
        }
    }

    /// A movie with its whole cast, as its delete entry keeps it.
    pub(crate) fn movie_snapshot(&self, id: MovieId) -> Option<DeletedMovie> {
        let row = self.movies.get(&id)?;
        let cast = row
            .cast
            .iter()
            .map(|(actor, credit)| CastCredit {
                actor: *actor,
                character: credit.character.clone(),
                billing: credit.billing,
            })
            .collect();
        Some(DeletedMovie {
            title: row.title.clone(),
            release_date: row.release_date,
            cast,
        })
    }

    /// An actor with all their credits, as their delete entry keeps them.
    pub(crate) fn actor_snapshot(&self, id: ActorId) -> Option<DeletedActor> {
        let row = self.actors.get(&id)?;
        let credits = row
            .movies
            .iter()
            .filter_map(|movie| {
                let credit = self.movies.get(movie)?.cast.get(&id)?;
                Some(RoleCredit {
                    movie: *movie,
                    character: credit.character.clone(),
                    billing: credit.billing,
                })
            })
            .collect();
        Some(DeletedActor {
            name: row.name.clone(),
            age: row.age,
            gender: row.gender,
            credits,
        })
    }
}

/// Ids, ascending.
fn ids(ids: impl IntoIterator<Item = i64>) -> Vec<i64> {
    let mut ids: Vec<i64> = ids.into_iter().collect();
    ids.sort_unstable();
    ids
}
