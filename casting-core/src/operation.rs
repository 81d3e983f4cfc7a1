//! The API's operations, each with the one permission it needs.
//!
//! This table is the only place an operation's permission is named: [`CastingService`] checks
//! it before anything else, and `casting-http` checks the same entry before it reads a
//! parameter or a body, so a caller without the right learns nothing.
//!
//! [`CastingService`]: crate::CastingService

use std::fmt;

use crate::rbac::{Forbidden, Permission, Principal};

macro_rules! operations {
    ($($(#[$doc:meta])* $operation:ident => $permission:ident,)*) => {
        /// One operation of the casting API.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Operation {
            $($(#[$doc])* $operation,)*
        }

        impl Operation {
            /// Every operation, movies first.
            pub const ALL: &'static [Operation] = &[$(Operation::$operation,)*];

            /// The permission the operation needs.
            pub const fn permission(self) -> Permission {
                match self {
                    $(Operation::$operation => Permission::$permission,)*
                }
            }

            /// The operation's name, e.g. `ListMovies`.
            pub const fn name(self) -> &'static str {
                match self {
                    $(Operation::$operation => stringify!($operation),)*
                }
            }
        }
    };
}

operations! {
    /// One page of movies.
    ListMovies => GetMovies,
    /// One movie with its cast.
    GetMovie => GetMovieDetails,
    /// Create a movie.
    CreateMovie => PostMovies,
    /// Change a movie.
    UpdateMovie => PatchMovie,
    /// Delete a movie.
    DeleteMovie => DeleteMovies,
    /// Bring back a deleted movie (a create again).
    RestoreMovie => PostMovies,
    /// A movie's cast with characters and billing (a view of its details).
    GetCast => GetMovieDetails,
    /// Replace a movie's whole cast (a change of the movie).
    ReplaceCast => PatchMovie,
    /// One page of actors.
    ListActors => GetActors,
    /// One actor with their movies.
    GetActor => GetActorDetails,
    /// Create an actor.
    CreateActor => PostActors,
    /// Change an actor.
    UpdateActor => PatchActor,
    /// Delete an actor.
    DeleteActor => DeleteActors,
    /// Bring back a deleted actor (a create again).
    RestoreActor => PostActors,
    /// An actor's credits, newest release first (a view of their details).
    GetCredits => GetActorDetails,
    /// One page of the trail of changes, newest first.
    ListAudit => GetAudit,
    /// The trail as a log, oldest first after a cursor (`GET /changes`).
    ReadChanges => GetAudit,
}

impl Operation {
    /// `Ok` when `who` may run the operation, else [`Forbidden`] naming the permission.
    pub fn authorize(self, who: &Principal) -> Result<(), Forbidden> {
        who.require(self.permission())
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_permission_guards_an_operation_and_credits_reuse_the_detail_rights() {
        let mut permissions: Vec<Permission> =
            Operation::ALL.iter().map(|op| op.permission()).collect();
        permissions.sort();
        permissions.dedup();
        assert_eq!(permissions, Permission::ALL);
        assert_eq!(
            Operation::GetCast.permission(),
            Operation::GetMovie.permission()
        );
        assert_eq!(
            Operation::ReplaceCast.permission(),
            Operation::UpdateMovie.permission()
        );
        assert_eq!(
            Operation::GetCredits.permission(),
            Operation::GetActor.permission()
        );
    }
}
