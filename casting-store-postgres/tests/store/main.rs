//! The PostgreSQL store's tests against a real server, in one binary: the shared conformance
//! suite (a fresh, migrated database per check) and what only this store has.

mod conformance;
mod postgres;
