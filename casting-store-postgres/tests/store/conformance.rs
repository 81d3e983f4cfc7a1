//! The shared store conformance suite, against a real PostgreSQL server: every check gets a
//! fresh, migrated database of its own.

use casting_store_postgres::testing;

casting_core::conformance_tests!(testing::fresh);
