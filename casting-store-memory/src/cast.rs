//! The relation between movies and actors, kept on both sides, and the credits it carries.

use std::collections::{BTreeMap, BTreeSet};

use casting_core::{
    ActorCredit, ActorId, Billing, Cast, CastMember, MovieId, NewCast, StoreError,
    StoreResult as Result,
};

use crate::state::{Credit, State};

/// The position after the highest of `cast` (1 for an empty cast).
pub(crate) fn next_billing(cast: &BTreeMap<ActorId, Credit>) -> Billing {
    cast.values()
        .map(|credit| credit.billing)
        .max()
        .map_or(Billing::FIRST, Billing::next)
}

impl State {
    /// Makes `actors` the whole cast of `movie`, on both sides: actors who stay keep their
    /// credit; new ones are billed after the rest, in ascending id order. The ids must exist.
    /// Returns the actors who joined or left.
    pub(crate) fn set_cast(&mut self, movie: MovieId, actors: &[ActorId]) -> BTreeSet<ActorId> {
        let new: BTreeSet<ActorId> = actors.iter().copied().collect();
        let Some(row) = self.movies.get_mut(&movie) else {
            return BTreeSet::new();
        };
        let old: BTreeSet<ActorId> = row.cast.keys().copied().collect();
        row.cast.retain(|actor, _| new.contains(actor));
        let mut next = next_billing(&row.cast);
        for added in new.difference(&old) {
            row.cast.insert(
                *added,
                Credit {
                    character: None,
                    billing: next,
                },
            );
            next = next.next();
        }
        self.link_actors(movie, &old, &new)
    }

    /// Makes `cast` the whole cast of `movie`, credits included, on both sides. The movie and
    /// the actors must exist. Returns the actors who joined or left.
    pub(crate) fn replace_cast(&mut self, movie: MovieId, cast: &NewCast) -> BTreeSet<ActorId> {
        let Some(row) = self.movies.get_mut(&movie) else {
            return BTreeSet::new();
        };
        let old: BTreeSet<ActorId> = row.cast.keys().copied().collect();
        row.cast = cast
            .credits()
            .iter()
            .map(|credit| {
                let slot = Credit {
                    character: credit.character.clone(),
                    billing: credit.billing,
                };
                (credit.actor, slot)
            })
            .collect();
        let new: BTreeSet<ActorId> = row.cast.keys().copied().collect();
        self.link_actors(movie, &old, &new)
    }

    /// Brings the actors' side in line after `movie`'s cast went from `old` to `new`; returns
    /// the actors who joined or left.
    fn link_actors(
        &mut self,
        movie: MovieId,
        old: &BTreeSet<ActorId>,
        new: &BTreeSet<ActorId>,
    ) -> BTreeSet<ActorId> {
        for gone in old.difference(new) {
            if let Some(actor) = self.actors.get_mut(gone) {
                actor.movies.remove(&movie);
            }
        }
        for added in new.difference(old) {
            if let Some(actor) = self.actors.get_mut(added) {
                actor.movies.insert(movie);
            }
        }
        old.symmetric_difference(new).copied().collect()
    }

    /// Makes `movies` the whole list of `actor`'s movies, on both sides: movies that stay keep
    /// the actor's credit; in each new one the actor is billed after the rest. The ids must
    /// exist. Returns the movies the actor joined or left.
    pub(crate) fn set_roles(&mut self, actor: ActorId, movies: &[MovieId]) -> BTreeSet<MovieId> {
        let new: BTreeSet<MovieId> = movies.iter().copied().collect();
        let Some(row) = self.actors.get_mut(&actor) else {
            return BTreeSet::new();
        };
        let old = std::mem::replace(&mut row.movies, new.clone());
        for gone in old.difference(&new) {
            if let Some(movie) = self.movies.get_mut(gone) {
                movie.cast.remove(&actor);
            }
        }
        for added in new.difference(&old) {
            if let Some(movie) = self.movies.get_mut(added) {
                let billing = next_billing(&movie.cast);
                movie.cast.insert(
                    actor,
                    Credit {
                        character: None,
                        billing,
                    },
                );
            }
        }
        old.symmetric_difference(&new).copied().collect()
    }

    /// `movie`'s cast, by billing then actor id, with its version.
    pub(crate) fn cast_of(&self, movie: MovieId) -> Result<Cast> {
        let row = self
            .movies
            .get(&movie)
            .ok_or_else(|| StoreError::movie_not_found(movie))?;
        let mut cast = Vec::with_capacity(row.cast.len());
        for (id, credit) in &row.cast {
            cast.push(CastMember {
                actor: self.actor(*id)?.summary(),
                character: credit.character.clone(),
                billing: credit.billing,
            });
        }
        cast.sort_by_key(|member| (member.billing, member.actor.id));
        Ok(Cast {
            version: row.revision.version,
            members: cast,
        })
    }

    /// `actor`'s credits, newest release first, then the higher movie id first.
    pub(crate) fn credits_of(&self, actor: ActorId) -> Result<Vec<ActorCredit>> {
        let row = self
            .actors
            .get(&actor)
            .ok_or_else(|| StoreError::actor_not_found(actor))?;
        let mut credits = Vec::with_capacity(row.movies.len());
        for id in &row.movies {
            let movie = self.movie(*id)?;
            let credit = self
                .movies
                .get(id)
                .and_then(|m| m.cast.get(&actor))
                .ok_or_else(|| StoreError::internal("a link is missing on the movie's side"))?;
            credits.push(ActorCredit {
                movie: movie.summary(),
                character: credit.character.clone(),
                billing: credit.billing,
            });
        }
        credits.sort_by(|a, b| {
            (b.movie.release_date, b.movie.id).cmp(&(a.movie.release_date, a.movie.id))
        });
        Ok(credits)
    }
}
