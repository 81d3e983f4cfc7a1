//! The shared store conformance suite, against the memory store.

use casting_store_memory::MemoryStore;

async fn fresh() -> Option<MemoryStore> {
    Some(MemoryStore::new())
}

casting_core::conformance_tests!(fresh);

/// The suite once more through `Box<dyn Store>`, to prove the forwarding impls and the dyn path.
mod through_a_box {
    use casting_core::Store;
    use casting_store_memory::MemoryStore;

    async fn fresh() -> Option<Box<dyn Store>> {
        Some(Box::new(MemoryStore::new()))
    }

    casting_core::conformance_tests!(fresh);
}

/// The suite once more through a [`Decorated`](casting_core::Decorated) store whose decorator
/// overrides nothing: every default of `Decorator` must reach the inner store unchanged.
mod through_a_decorator {
    use std::sync::Arc;

    use casting_core::{Decorated, Decorator};
    use casting_store_memory::MemoryStore;

    #[derive(Debug)]
    struct Nothing;

    impl Decorator for Nothing {}

    async fn fresh() -> Option<Decorated<Nothing>> {
        Some(Decorated::new(Arc::new(MemoryStore::new()), Nothing))
    }

    casting_core::conformance_tests!(fresh);
}
