//! An in-memory [`Store`](casting_core::Store) for the casting API, [`MemoryStore`]: for
//! development, tests and embedding where nothing needs to outlive the process.
//!
//! Every operation takes one short lock and never holds it across an `.await`, so it is correct
//! under concurrent use from many tasks, and each write is checked whole before anything changes.

mod audit;
mod cast;
mod edits;
mod history;
mod list;
mod restore;
mod side;
mod state;
mod store;
mod writes;

pub use history::{DEFAULT_AUDIT_CAPACITY, KEY_CAPACITY};
pub use store::MemoryStore;

/// This crate's README, its example compiled as a doc test so it cannot go stale.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
mod readme {}
