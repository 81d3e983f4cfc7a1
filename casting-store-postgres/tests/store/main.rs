//! The PostgreSQL store's tests against a real server, in one binary: the shared conformance
//! suite (a fresh database per check: migrated, or adopted from the Flask schema with
//! `CASTING_TEST_SCHEMA=adopted`), adoption, and what only this store has.

mod adopt;
mod conformance;
mod editing;
mod postgres;
mod retention;
