//! The host application on `127.0.0.1:8090` over the memory store, with two demonstration keys
//! (`producer-key`, `assistant-key`). Try `/casting/docs`.

use std::sync::Arc;

use casting_core::Role;
use casting_embedding::{ApiKeys, host};
use casting_store_memory::MemoryStore;
use poem::Server;
use poem::listener::TcpListener;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let keys = ApiKeys::new([
        ("producer-key", "key:producer", Role::ExecutiveProducer),
        ("assistant-key", "key:assistant", Role::CastingAssistant),
    ]);
    let app = host(Arc::new(MemoryStore::new()), keys);
    println!("casting under http://127.0.0.1:8090/casting/docs");
    Server::new(TcpListener::bind("127.0.0.1:8090"))
        .run(app)
        .await
}
