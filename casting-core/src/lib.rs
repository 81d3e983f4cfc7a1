//! The core of `casting`: the Casting Agency domain with no knowledge of HTTP, SQL or Auth0.
//!
//! - [`domain`]: validated values ([`Title`], [`Name`], [`Age`], [`Gender`], [`ReleaseDate`]).
//! - [`model`]: movies, actors, their ids, what a store is asked to write, [`Page`].
//! - [`credit`]: who plays whom: [`CastMember`], [`ActorCredit`], [`Character`], [`Billing`],
//!   and a whole cast to replace ([`CastInput`] in, [`NewCast`] checked).
//! - [`query`]: lists: paging by number or cursor, filters, sorting, counting
//!   ([`MovieListParams`] in, [`MovieQuery`] checked).
//! - [`input`]: what callers send before validation ([`MovieInput`], [`ActorChanges`]…).
//! - [`revision`]: safe concurrent editing: [`Version`]s, [`Revision`]s (who and when),
//!   idempotent creates ([`IdempotencyKey`]).
//! - [`audit`]: the trail of changes ([`AuditEntry`], [`AuditQuery`]), each with its values
//!   before and after ([`Changes`]); a delete's keeps the record, which a restore brings back
//!   ([`Restored`]).
//! - [`rbac`]: the eleven [`Permission`]s, the three [`Role`]s, the caller ([`Principal`]).
//! - [`Store`] and [`TokenVerifier`]: the object-safe traits backends implement;
//!   [`Decorator`] and [`Decorated`] wrap any store, changing only the calls you name.
//! - [`CastingService`]: permission, then validation, then the store; one method per operation
//!   (lists take typed queries, [`MovieQuery`] and [`ActorQuery`], or the query string's text).
//! - [`Operation`]: the API's operations, each naming the one permission it needs.
//! - [`Error`], [`StoreError`] and [`AuthError`]: what can go wrong, as variants callers branch
//!   on.
//!
//! With the feature `conformance`, `conformance` holds the suite every store must pass.
//!
//! # Implementing or wrapping a store
//!
//! Implement [`Store`] with [`#[async_trait]`](macro@async_trait), or wrap one with a
//! [`Decorator`], then run the conformance suite (feature `conformance`) from the backend's
//! `tests/`:
//!
//! ```no_run
//! # fn main() {}
//! # #[cfg(feature = "conformance")]
//! # mod suite {
//! use casting_store_memory::MemoryStore;
//!
//! async fn fresh() -> Option<MemoryStore> {
//!     Some(MemoryStore::new())
//! }
//! casting_core::conformance_tests!(fresh);
//! # }
//! ```
//!
//! The suite's module docs show a decorator over PostgreSQL, whose fixture is
//! `casting_store_postgres::testing` (that crate's feature `testing`).

#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod audit;
pub mod auth;
#[cfg(feature = "conformance")]
#[cfg_attr(docsrs, doc(cfg(feature = "conformance")))]
pub mod conformance;
pub mod credit;
pub mod domain;
pub mod error;
pub mod input;
pub mod model;
pub mod operation;
pub mod query;
pub mod rbac;
pub mod revision;
pub mod service;
pub mod store;

/// The attribute [`Store`], [`Decorator`] and [`TokenVerifier`] are written with: an
/// implementation outside this crate writes `#[casting_core::async_trait]` (or depends on
/// `async-trait` itself).
pub use async_trait::async_trait;
pub use audit::{
    AuditAction, AuditEntry, AuditField, AuditFilter, AuditListParams, AuditQuery, CastCredit,
    Change, Changes, DeletedActor, DeletedMovie, FieldValue, RoleCredit,
};
pub use auth::TokenVerifier;
pub use credit::{
    ActorCredit, Billing, Cast, CastInput, CastMember, CreditInput, MAX_BILLING, NewCast, NewCredit,
};
pub use domain::{Age, Character, FieldError, Gender, Name, ReleaseDate, Title};
pub use error::{AuthError, BoxError, Claim, Error, Result, StoreError, TokenProblem, UnknownIds};
pub use input::{ActorChanges, ActorInput, MovieChanges, MovieInput};
pub use model::{
    Actor, ActorId, ActorPatch, ActorSummary, Movie, MovieId, MoviePatch, MovieSummary, NewActor,
    NewMovie, Page, ResourceKind,
};
pub use operation::Operation;
pub use query::{
    ActorField, ActorFilter, ActorListParams, ActorQuery, Count, Direction, Filter, ListParams,
    ListQuery, MovieField, MovieFilter, MovieListParams, MovieQuery, Sort, SortField, SortKey,
    SortValue, ValueKind,
};
pub use rbac::{Forbidden, Permission, PermissionSet, Principal, Role};
pub use revision::{
    Canonical, Created, Edit, Idempotency, IdempotencyKey, MAX_IDEMPOTENCY_KEY_CHARS, Restored,
    Revision, Version,
};
pub use service::CastingService;
pub use store::{Decorated, Decorator, Store, StoreResult};

/// This crate's README, its example compiled as a doc test so it cannot go stale.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
mod readme {}
