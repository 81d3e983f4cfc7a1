//! The store conformance suite against the [`Metered`](casting_embedding::Metered) decorator,
//! over the memory store and over PostgreSQL (a fresh database per check; skipped without
//! `DATABASE_URL`, failed with `CASTING_REQUIRE_DB=1`).

mod memory {
    use std::sync::Arc;

    use casting_core::Decorated;
    use casting_embedding::{Metered, metered};
    use casting_store_memory::MemoryStore;

    async fn fresh() -> Option<Arc<Decorated<Metered>>> {
        Some(metered(Arc::new(MemoryStore::new())).0)
    }

    casting_core::conformance_tests!(fresh);
}

mod postgres {
    use std::sync::Arc;

    use casting_core::conformance::Fixture;
    use casting_core::{Decorated, Store};
    use casting_embedding::{Metered, metered};
    use casting_store_postgres::testing::{self, TestDatabase};

    /// The decorated store, and the database to drop when a check passes.
    struct Wrapped {
        store: Arc<Decorated<Metered>>,
        database: TestDatabase,
    }

    impl Fixture for Wrapped {
        fn store(&self) -> &dyn Store {
            &*self.store
        }

        async fn finish(self) {
            self.database.drop_database().await;
        }
    }

    async fn fresh() -> Option<Wrapped> {
        let database = testing::fresh().await?;
        let (store, _) = metered(Arc::new(database.store.clone()));
        Some(Wrapped { store, database })
    }

    casting_core::conformance_tests!(fresh);
}
