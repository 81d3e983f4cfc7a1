//! [`Shutdown`]: the server's word that it is stopping, for the answers that would otherwise run
//! until the client leaves (`GET /changes` as server-sent events).

use std::sync::Arc;

use tokio::sync::watch;

/// A signal that the server is stopping. Put a clone in
/// [`HttpConfig::shutdown`](crate::HttpConfig::shutdown) and call [`Shutdown::trigger`] when
/// the server's graceful shutdown begins: every event stream then ends cleanly (its last event
/// whole), so the graceful shutdown does not wait for clients that would never leave.
#[derive(Debug, Clone)]
pub struct Shutdown(Arc<watch::Sender<bool>>);

impl Default for Shutdown {
    fn default() -> Self {
        Self::new()
    }
}

impl Shutdown {
    /// A signal not given yet.
    pub fn new() -> Self {
        Self(Arc::new(watch::Sender::new(false)))
    }

    /// Gives the signal (once is enough; again does nothing).
    pub fn trigger(&self) {
        self.0.send_replace(true);
    }

    /// Whether the signal was given.
    pub fn is_triggered(&self) -> bool {
        *self.0.borrow()
    }

    /// Returns once the signal is given.
    pub async fn triggered(&self) {
        let mut receiver = self.0.subscribe();
        // The sender lives as long as `self`: the wait ends only with the signal.
        let _ = receiver.wait_for(|given| *given).await;
    }
}
