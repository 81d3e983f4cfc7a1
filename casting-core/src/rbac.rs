//! Role-based access: the eleven permission strings, the three roles, and the authenticated caller.
//!
//! This module is the one definition of both; the server, the development tokens, the docs and the
//! tests all read it.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

macro_rules! permissions {
    ($($(#[$doc:meta])* $variant:ident = $text:literal,)*) => {
        /// One permission, as it appears in a token's `permissions` claim.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[repr(u8)]
        pub enum Permission {
            $($(#[$doc])* #[serde(rename = $text)] $variant,)*
        }

        impl Permission {
            /// All eleven permissions: the contract's ten in its order, then `get:audit`.
            pub const ALL: [Permission; 11] = [$(Permission::$variant,)*];

            /// The permission string, e.g. `get:movies`.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Permission::$variant => $text,)*
                }
            }
        }

        impl FromStr for Permission {
            type Err = UnknownPermission;
            fn from_str(text: &str) -> Result<Self, UnknownPermission> {
                match text {
                    $($text => Ok(Permission::$variant),)*
                    _ => Err(UnknownPermission(text.to_owned())),
                }
            }
        }
    };
}

permissions! {
    /// `get:movies`: list movies.
    GetMovies = "get:movies",
    /// `get:movie-details`: read one movie with its cast.
    GetMovieDetails = "get:movie-details",
    /// `post:movies`: create movies.
    PostMovies = "post:movies",
    /// `patch:movie`: change movies.
    PatchMovie = "patch:movie",
    /// `del:movies`: delete movies.
    DeleteMovies = "del:movies",
    /// `get:actors`: list actors.
    GetActors = "get:actors",
    /// `get:actor-details`: read one actor with their movies.
    GetActorDetails = "get:actor-details",
    /// `post:actors`: create actors.
    PostActors = "post:actors",
    /// `patch:actor`: change actors.
    PatchActor = "patch:actor",
    /// `del:actors`: delete actors.
    DeleteActors = "del:actors",
    /// `get:audit`: read the trail of changes (who changed what, when).
    GetAudit = "get:audit",
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that names no [`Permission`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown permission {0:?}")]
pub struct UnknownPermission(pub String);

/// A set of permissions (a bit set: cheap to copy and to test).
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct PermissionSet(u16);

impl PermissionSet {
    /// No permissions.
    pub const EMPTY: PermissionSet = PermissionSet(0);

    /// The set holding exactly `permissions`.
    pub const fn of(permissions: &[Permission]) -> Self {
        let mut bits = 0u16;
        let mut i = 0;
        while i < permissions.len() {
            bits |= 1 << permissions[i] as u8;
            i += 1;
        }
        PermissionSet(bits)
    }

    /// Reads permission strings (a token's `permissions` claim). Strings that name no permission
    /// are ignored: a token may carry permissions of other APIs.
    pub fn from_strings<I, S>(strings: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        strings
            .into_iter()
            .filter_map(|s| s.as_ref().parse().ok())
            .collect()
    }

    /// Whether `permission` is in the set.
    pub const fn contains(self, permission: Permission) -> bool {
        self.0 & (1 << permission as u8) != 0
    }

    /// The union of two sets.
    pub const fn union(self, other: PermissionSet) -> Self {
        PermissionSet(self.0 | other.0)
    }

    /// Adds `permission`.
    pub fn insert(&mut self, permission: Permission) {
        self.0 |= 1 << permission as u8;
    }

    /// Whether the set is empty.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The permissions in the set, in the contract's order.
    pub fn iter(self) -> impl Iterator<Item = Permission> {
        Permission::ALL
            .into_iter()
            .filter(move |p| self.contains(*p))
    }
}

impl FromIterator<Permission> for PermissionSet {
    fn from_iter<I: IntoIterator<Item = Permission>>(iter: I) -> Self {
        let mut set = PermissionSet::EMPTY;
        for permission in iter {
            set.insert(permission);
        }
        set
    }
}

impl fmt::Debug for PermissionSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set()
            .entries(self.iter().map(Permission::as_str))
            .finish()
    }
}

const ASSISTANT: PermissionSet = PermissionSet::of(&[
    Permission::GetMovies,
    Permission::GetMovieDetails,
    Permission::GetActors,
    Permission::GetActorDetails,
]);
const DIRECTOR: PermissionSet = ASSISTANT.union(PermissionSet::of(&[
    Permission::PostActors,
    Permission::DeleteActors,
    Permission::PatchActor,
    Permission::PatchMovie,
]));
const PRODUCER: PermissionSet = DIRECTOR.union(PermissionSet::of(&[
    Permission::PostMovies,
    Permission::DeleteMovies,
    Permission::GetAudit,
]));

/// The three roles of the casting agency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Role {
    /// Reads movies and actors.
    #[serde(rename = "Casting Assistant")]
    CastingAssistant,
    /// The assistant's permissions, and manages actors and changes movies.
    #[serde(rename = "Casting Director")]
    CastingDirector,
    /// The director's permissions, and creates and deletes movies.
    #[serde(rename = "Executive Producer")]
    ExecutiveProducer,
}

impl Role {
    /// Every role, least powerful first.
    pub const ALL: [Role; 3] = [
        Role::CastingAssistant,
        Role::CastingDirector,
        Role::ExecutiveProducer,
    ];

    /// The role's name as Auth0 and the docs show it, e.g. `Casting Assistant`.
    pub const fn name(self) -> &'static str {
        match self {
            Role::CastingAssistant => "Casting Assistant",
            Role::CastingDirector => "Casting Director",
            Role::ExecutiveProducer => "Executive Producer",
        }
    }

    /// The permissions the role grants.
    pub const fn permissions(self) -> PermissionSet {
        match self {
            Role::CastingAssistant => ASSISTANT,
            Role::CastingDirector => DIRECTOR,
            Role::ExecutiveProducer => PRODUCER,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A string that names no [`Role`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role {0:?}")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;
    /// Reads a role's name, ignoring case, spaces, `-` and `_` (`casting-assistant` works).
    fn from_str(text: &str) -> Result<Self, UnknownRole> {
        let squash = |s: &str| -> String {
            s.chars()
                .filter(|c| !matches!(c, ' ' | '-' | '_'))
                .flat_map(char::to_lowercase)
                .collect()
        };
        let wanted = squash(text);
        Role::ALL
            .into_iter()
            .find(|role| squash(role.name()) == wanted)
            .ok_or_else(|| UnknownRole(text.to_owned()))
    }
}

/// An authenticated caller: who they are and what they may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// Shared, so cloning a principal (a verified-token cache hit) allocates nothing.
    subject: Arc<str>,
    permissions: PermissionSet,
}

impl Principal {
    /// A caller with these permissions.
    pub fn new(subject: impl Into<String>, permissions: PermissionSet) -> Self {
        Self {
            subject: Arc::from(subject.into()),
            permissions,
        }
    }

    /// A caller holding exactly the permissions of `role`.
    pub fn with_role(subject: impl Into<String>, role: Role) -> Self {
        Self::new(subject, role.permissions())
    }

    /// The token's subject (`sub`).
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// Everything the caller may do.
    pub fn permissions(&self) -> PermissionSet {
        self.permissions
    }

    /// Whether the caller holds `permission`.
    pub fn has(&self, permission: Permission) -> bool {
        self.permissions.contains(permission)
    }

    /// `Ok` when the caller holds `permission`, else [`Forbidden`] naming it (which becomes
    /// [`Error::Forbidden`](crate::Error::Forbidden) with `?`).
    pub fn require(&self, permission: Permission) -> Result<(), Forbidden> {
        if self.has(permission) {
            Ok(())
        } else {
            Err(Forbidden { permission })
        }
    }
}

/// The caller lacks a permission an operation needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("missing permission {permission}")]
pub struct Forbidden {
    /// The permission the operation needs.
    pub permission: Permission,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The contract's role table, written out as it stands there, with `get:audit` (issue 11)
    /// for the Executive Producer.
    fn contract_table(role: Role) -> &'static [&'static str] {
        const ASSISTANT: &[&str] = &[
            "get:movies",
            "get:movie-details",
            "get:actors",
            "get:actor-details",
        ];
        const DIRECTOR: &[&str] = &[
            "get:movies",
            "get:movie-details",
            "get:actors",
            "get:actor-details",
            "post:actors",
            "del:actors",
            "patch:actor",
            "patch:movie",
        ];
        const PRODUCER: &[&str] = &[
            "get:movies",
            "get:movie-details",
            "get:actors",
            "get:actor-details",
            "post:actors",
            "del:actors",
            "patch:actor",
            "patch:movie",
            "post:movies",
            "del:movies",
            "get:audit",
        ];
        match role {
            Role::CastingAssistant => ASSISTANT,
            Role::CastingDirector => DIRECTOR,
            Role::ExecutiveProducer => PRODUCER,
        }
    }

    #[test]
    fn every_role_times_every_permission_matches_the_contract() {
        for role in Role::ALL {
            for permission in Permission::ALL {
                let expected = contract_table(role).contains(&permission.as_str());
                assert_eq!(
                    role.permissions().contains(permission),
                    expected,
                    "{role} / {permission}"
                );
                let principal = Principal::with_role("u", role);
                assert_eq!(principal.require(permission).is_ok(), expected);
            }
        }
    }

    #[test]
    fn there_are_exactly_the_eleven_strings_and_they_round_trip() {
        let strings: Vec<&str> = Permission::ALL.iter().map(|p| p.as_str()).collect();
        assert_eq!(
            strings,
            [
                "get:movies",
                "get:movie-details",
                "post:movies",
                "patch:movie",
                "del:movies",
                "get:actors",
                "get:actor-details",
                "post:actors",
                "patch:actor",
                "del:actors",
                "get:audit",
            ]
        );
        for permission in Permission::ALL {
            assert_eq!(permission.as_str().parse::<Permission>(), Ok(permission));
            assert_eq!(permission.to_string(), permission.as_str());
            let json = serde_json::to_string(&permission).unwrap();
            assert_eq!(json, format!("\"{permission}\""));
            assert_eq!(
                serde_json::from_str::<Permission>(&json).unwrap(),
                permission
            );
        }
        assert!("GET:MOVIES".parse::<Permission>().is_err());
        assert!("get:movie".parse::<Permission>().is_err());
    }

    #[test]
    fn unknown_permission_strings_are_ignored() {
        let set = PermissionSet::from_strings(["get:movies", "read:billing", "", "del:actors"]);
        assert_eq!(
            set.iter().collect::<Vec<_>>(),
            [Permission::GetMovies, Permission::DeleteActors]
        );
        assert!(PermissionSet::from_strings(Vec::<String>::new()).is_empty());
    }

    #[test]
    fn forbidden_names_the_permission() {
        let principal = Principal::new("auth0|1", PermissionSet::EMPTY);
        match principal.require(Permission::DeleteMovies) {
            Err(Forbidden { permission }) => {
                assert_eq!(permission, Permission::DeleteMovies)
            }
            other => panic!("expected Forbidden, got {other:?}"),
        }
    }

    #[test]
    fn roles_parse_from_their_names() {
        for role in Role::ALL {
            assert_eq!(role.name().parse::<Role>(), Ok(role));
        }
        assert_eq!(
            "executive-producer".parse::<Role>(),
            Ok(Role::ExecutiveProducer)
        );
        assert!("producer".parse::<Role>().is_err());
    }
}
