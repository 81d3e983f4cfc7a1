//! The shared store conformance suite, against a real PostgreSQL server: every check gets a
//! fresh, migrated database of its own.

mod common;

casting_core::conformance_tests!(common::fresh);
