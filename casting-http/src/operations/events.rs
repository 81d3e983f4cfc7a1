//! `GET /changes` as server-sent events (`Accept: text/event-stream`): each entry an event
//! (`id:` the cursor after it, `event: change`, `data:` the entry as `GET /audit` writes it), a
//! comment line every 15 s while nothing comes, read on from the store as the client takes
//! them.
//!
//! Memory stays bounded whatever the client does: the stream reads the next page only when the
//! connection has sent the last one, so a client that stops reading holds at most one page
//! here; the connection's keep-alive deadline (`edge::listener`) then closes it, and the client
//! resumes with `Last-Event-ID`. The stream ends, its last event whole, when the server's
//! [`Shutdown`] is given, or when the store fails (the client resumes, and then hears why).

use std::collections::VecDeque;
use std::pin::pin;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use casting_core::audit::log::{Cursor, LOG_HOLD_MAX, LogQuery, LogStart};
use casting_core::{AuditEntry, CastingService};
use futures_util::future::{Either, select};
use poem::web::sse::{Event, SSE};
use poem::{IntoResponse, Request, Response};

use crate::shutdown::Shutdown;
use crate::wire::trail::AuditEntryBody;

/// The media type of the stream.
pub(crate) const EVENT_STREAM: &str = "text/event-stream";

/// How often a stream with nothing to send writes a comment line, so that proxies and the
/// connection's deadlines see it alive.
pub(crate) const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// Whether the request asks for the stream: its `Accept` names `text/event-stream`.
pub(crate) fn wants_stream(request: &Request) -> bool {
    request
        .headers()
        .get_all(poem::http::header::ACCEPT)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|kind| {
            let kind = kind.split(';').next().unwrap_or_default().trim();
            kind.eq_ignore_ascii_case(EVENT_STREAM)
        })
}

/// The signal that ends streams, settable after the operations are made
/// ([`crate::CastingApi::shutdown`]).
#[derive(Debug, Clone, Default)]
pub(crate) struct StreamsEnd(Arc<RwLock<Shutdown>>);

impl StreamsEnd {
    /// Ends streams when `shutdown` is given.
    pub(crate) fn set(&self, shutdown: &Shutdown) {
        *self.0.write().unwrap_or_else(PoisonError::into_inner) = shutdown.clone();
    }

    /// The signal now.
    pub(crate) fn get(&self) -> Shutdown {
        self.0
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// Where a stream is: what to read next, and what was read and not sent yet.
struct Follow {
    service: CastingService,
    query: LogQuery,
    next: Cursor,
    unsent: VecDeque<AuditEntry>,
    shutdown: Shutdown,
}

/// The stream that sends `first` (already read and checked), then follows the log after it.
pub(crate) fn stream(
    service: CastingService,
    query: LogQuery,
    first: casting_core::audit::log::LogPage,
    shutdown: Shutdown,
) -> Response {
    let state = Follow {
        service,
        query,
        next: first.next,
        unsent: first.entries.into(),
        shutdown,
    };
    let events = futures_util::stream::unfold(state, |mut state| async move {
        let event = next_event(&mut state).await?;
        Some((event, state))
    });
    SSE::new(events).keep_alive(KEEP_ALIVE).into_response()
}

/// The next event: the next entry read, waiting for one to commit; `None` ends the stream.
async fn next_event(state: &mut Follow) -> Option<Event> {
    loop {
        if let Some(entry) = state.unsent.pop_front() {
            return Some(event(entry));
        }
        if state.shutdown.is_triggered() {
            return None;
        }
        let query = state.query.from(LogStart::After(state.next.position()));
        let read = {
            let stop = pin!(state.shutdown.triggered());
            let read = pin!(state.service.follow(&query, LOG_HOLD_MAX));
            match select(stop, read).await {
                Either::Left(_) => return None,
                Either::Right((read, _)) => read,
            }
        };
        match read {
            Ok(page) => {
                state.next = page.next;
                state.unsent.extend(page.entries);
            }
            Err(error) => {
                // The client resumes after its last event and hears the error then.
                tracing::warn!(%error, "a change stream stopped: reading the log failed");
                return None;
            }
        }
    }
}

/// An entry as an event.
fn event(entry: AuditEntry) -> Event {
    let id = Cursor::at(entry.id).to_string();
    let data = serde_json::to_string(&AuditEntryBody::from(entry)).unwrap_or_default();
    Event::message(data).event_type("change").id(id)
}
