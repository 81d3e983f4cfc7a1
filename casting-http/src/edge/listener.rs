//! The edge: what a connection may cost before it has sent a request ([`LimitedAcceptor`]).

use std::collections::BTreeMap;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::task::AtomicWaker;
use poem::http::uri::Scheme;
use poem::listener::Acceptor;
use poem::web::{LocalAddr, RemoteAddr};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::{Instant, Sleep};

/// The bounds a [`LimitedAcceptor`] enforces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// The most connections open at once (default 1024).
    pub max_connections: usize,
    /// How long a request's head may take to arrive (default 10 s).
    pub header_timeout: Duration,
    /// How long a connection may sit idle between requests, or stall mid-request (default 60 s).
    pub keep_alive_timeout: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            max_connections: 1024,
            header_timeout: Duration::from_secs(10),
            keep_alive_timeout: Duration::from_secs(60),
        }
    }
}

const BACKOFF_MIN: Duration = Duration::from_millis(5);
const BACKOFF_MAX: Duration = Duration::from_secs(1);
/// How long a new connection waits for an evicted one to let go of its place.
const EVICTION_WAIT: Duration = Duration::from_millis(100);

///  [`LimitedAcceptor`] wraps any poem [`Acceptor`] and gives every connection three deadlines
///  and the server a cap, none of which poem or hyper enforce on their own:
///
///  - **Header deadline**: a request's head (request line and headers) must arrive whole within
///    [`ConnectionLimits::header_timeout`] of its first byte (or of the accept). A silent client,
///    or one that dribbles a byte every few seconds, is closed.
///  - **Keep-alive deadline**: between requests, a connection may sit idle for
///    [`ConnectionLimits::keep_alive_timeout`]; the same bound applies to a request body or a
///    response that stops making progress.
///  - **Cap**: at most [`ConnectionLimits::max_connections`] connections are open. At the cap, the
///    connection that has waited longest without a request in flight is closed to make room; if
///    every connection is serving a request, the new one is closed at once. So idle sockets can
///    neither exhaust descriptors nor lock out a well-behaved client. A connection counts as
///    waiting only while its server side asks for input that has not come: one whose head is
///    complete, or whose next request was already read (pipelined behind the last), is never
///    evicted. A head still arriving is evictable, as a silent connection is.
///
///  Accept errors (EMFILE when descriptors run out, ECONNABORTED…) back off exponentially from
///  5 ms to 1 s instead of spinning, and are logged at most once a second.
pub struct LimitedAcceptor<A> {
    inner: A,
    limits: ConnectionLimits,
    shared: Arc<Shared>,
    backoff: Duration,
    warned: Option<Instant>,
}

impl<A> std::fmt::Debug for LimitedAcceptor<A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LimitedAcceptor")
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

impl<A: Acceptor> LimitedAcceptor<A> {
    /// Wraps `inner`. A `max_connections` of 0 is taken as 1.
    pub fn new(inner: A, limits: ConnectionLimits) -> Self {
        Self {
            inner,
            limits,
            shared: Arc::new(Shared {
                permits: Arc::new(Semaphore::new(limits.max_connections.max(1))),
                idle: Mutex::new(BTreeMap::new()),
                next: AtomicU64::new(0),
            }),
            backoff: BACKOFF_MIN,
            warned: None,
        }
    }

    /// Connections open right now.
    pub fn open_connections(&self) -> usize {
        self.limits.max_connections.max(1) - self.shared.permits.available_permits()
    }

    /// Logs `message` unless something was logged less than a second ago.
    fn warn_now_and_then(&mut self, message: std::fmt::Arguments<'_>) {
        let now = Instant::now();
        if self
            .warned
            .is_none_or(|at| now.duration_since(at) >= Duration::from_secs(1))
        {
            self.warned = Some(now);
            tracing::warn!("{message}");
        }
    }

    /// A place for one more connection: a free one, or one freed by closing the connection
    /// idle the longest. `None` when every open connection has a request in flight.
    async fn place(&mut self) -> Option<OwnedSemaphorePermit> {
        if let Ok(permit) = Arc::clone(&self.shared.permits).try_acquire_owned() {
            return Some(permit);
        }
        if !self.shared.evict_oldest_idle() {
            return None;
        }
        let permits = Arc::clone(&self.shared.permits);
        tokio::time::timeout(EVICTION_WAIT, permits.acquire_owned())
            .await
            .ok()
            .and_then(Result::ok)
    }
}

impl<A: Acceptor> Acceptor for LimitedAcceptor<A> {
    type Io = Guarded<A::Io>;

    fn local_addr(&self) -> Vec<LocalAddr> {
        self.inner.local_addr()
    }

    async fn accept(&mut self) -> io::Result<(Self::Io, LocalAddr, RemoteAddr, Scheme)> {
        loop {
            let (io, local, remote, scheme) = match self.inner.accept().await {
                Ok(accepted) => {
                    self.backoff = BACKOFF_MIN;
                    accepted
                }
                Err(error) => {
                    // poem retries a failed accept at once; back off here instead of spinning.
                    let backoff = self.backoff;
                    self.warn_now_and_then(format_args!(
                        "accept failed ({error}); retrying in {backoff:?}"
                    ));
                    tokio::time::sleep(backoff).await;
                    self.backoff = (backoff * 2).min(BACKOFF_MAX);
                    continue;
                }
            };
            match self.place().await {
                Some(permit) => {
                    let io = Guarded::new(io, permit, Arc::clone(&self.shared), self.limits);
                    return Ok((io, local, remote, scheme));
                }
                None => {
                    drop(io);
                    let max = self.limits.max_connections;
                    self.warn_now_and_then(format_args!(
                        "{max} connections open, all busy: closing new connections"
                    ));
                }
            }
        }
    }
}

/// What the acceptor and its connections share.
struct Shared {
    permits: Arc<Semaphore>,
    /// Connections without a request in flight, oldest first.
    idle: Mutex<BTreeMap<u64, Arc<Eviction>>>,
    next: AtomicU64,
}

impl Shared {
    fn idle(&self) -> std::sync::MutexGuard<'_, BTreeMap<u64, Arc<Eviction>>> {
        // Entries are inserted and removed whole, so a poisoned map is still consistent.
        self.idle.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Asks the connection idle the longest to close; `false` if none is idle.
    fn evict_oldest_idle(&self) -> bool {
        let Some((_, eviction)) = self.idle().pop_first() else {
            return false;
        };
        eviction.evicted.store(true, Ordering::Release);
        eviction.waker.wake();
        true
    }
}

/// How the acceptor tells an idle connection to close.
#[derive(Default)]
struct Eviction {
    evicted: AtomicBool,
    waker: AtomicWaker,
}

/// Where a connection is between requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Waiting for (the rest of) a request head.
    Head,
    /// A head has arrived; the request is being read or served.
    Busy,
    /// A response was written; waiting for the next request.
    Idle,
}

/// A connection accepted by a [`LimitedAcceptor`], under its [`ConnectionLimits`].
pub struct Guarded<T> {
    io: T,
    phase: Phase,
    deadline: Pin<Box<Sleep>>,
    /// Whether the deadline applies to the current wait.
    armed: bool,
    /// The last bytes read, to find a head's end across reads.
    tail: [u8; 3],
    limits: ConnectionLimits,
    eviction: Arc<Eviction>,
    /// This connection's key in `Shared::idle`, while it is there.
    idle_key: Option<u64>,
    shared: Arc<Shared>,
    _permit: OwnedSemaphorePermit,
}

impl<T> Guarded<T> {
    fn new(
        io: T,
        permit: OwnedSemaphorePermit,
        shared: Arc<Shared>,
        limits: ConnectionLimits,
    ) -> Self {
        let mut guarded = Self {
            io,
            phase: Phase::Head,
            deadline: Box::pin(tokio::time::sleep(limits.header_timeout)),
            armed: true,
            tail: [0; 3],
            limits,
            eviction: Arc::new(Eviction::default()),
            idle_key: None,
            shared,
            _permit: permit,
        };
        guarded.mark_idle();
        guarded
    }

    fn arm(&mut self, after: Duration) {
        self.deadline.as_mut().reset(Instant::now() + after);
        self.armed = true;
    }

    fn mark_idle(&mut self) {
        if self.idle_key.is_none() {
            let key = self.shared.next.fetch_add(1, Ordering::Relaxed);
            self.shared.idle().insert(key, Arc::clone(&self.eviction));
            self.idle_key = Some(key);
        }
    }

    fn mark_busy(&mut self) {
        if let Some(key) = self.idle_key.take() {
            self.shared.idle().remove(&key);
        }
    }

    /// Notes bytes read: the first byte of a request starts its header deadline; the end of
    /// its head makes the connection busy.
    fn read_progress(&mut self, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        match self.phase {
            Phase::Idle => {
                self.phase = Phase::Head;
                self.arm(self.limits.header_timeout);
                self.scan_head(bytes);
            }
            Phase::Head => self.scan_head(bytes),
            Phase::Busy => self.arm(self.limits.keep_alive_timeout),
        }
    }

    /// Looks for the blank line that ends a head (`\r\n\r\n`, or `\n\n`), across reads: a
    /// blank line split between two reads has at most three bytes on each side.
    fn scan_head(&mut self, bytes: &[u8]) {
        let keep = bytes.len().min(3);
        let mut edge = [0u8; 6];
        edge[..3].copy_from_slice(&self.tail);
        edge[3..3 + keep].copy_from_slice(&bytes[..keep]);
        let ended = head_ends(&edge[..3 + keep]) || head_ends(bytes);
        self.tail.rotate_left(keep);
        self.tail[3 - keep..].copy_from_slice(&bytes[bytes.len() - keep..]);
        if ended {
            self.phase = Phase::Busy;
            self.tail = [0; 3];
            self.mark_busy();
            self.arm(self.limits.keep_alive_timeout);
        }
    }

    /// Notes bytes written: a response is under way, so the next wait is between requests.
    /// The connection is not evictable yet: hyper may hold a pipelined request, read in the
    /// same chunk as this one, that it serves next without reading again. It becomes
    /// evictable when hyper asks for more input and none has come (see [`Self::waiting`]).
    fn write_progress(&mut self) {
        self.phase = Phase::Idle;
        self.arm(self.limits.keep_alive_timeout);
    }

    /// Notes a read that found nothing: unless a request is being read or served, hyper has
    /// nothing left to serve and waits for a client that has sent nothing more, so the
    /// connection may make room at the cap.
    fn waiting(&mut self) {
        if self.phase != Phase::Busy {
            self.mark_idle();
        }
    }

    /// `Ready` when the connection must close: evicted, or past its deadline.
    fn expired(&mut self, cx: &mut Context<'_>) -> bool {
        self.eviction.waker.register(cx.waker());
        if self.eviction.evicted.load(Ordering::Acquire) {
            return true;
        }
        self.armed && self.deadline.as_mut().poll(cx).is_ready()
    }
}

impl<T> Guarded<T> {
    /// Notes a write's progress; a write blocked past the deadline fails (the client stopped
    /// reading).
    fn after_write(
        &mut self,
        cx: &mut Context<'_>,
        written: Poll<io::Result<usize>>,
    ) -> Poll<io::Result<usize>> {
        match written {
            Poll::Ready(Ok(written)) => {
                self.write_progress();
                Poll::Ready(Ok(written))
            }
            Poll::Pending if self.armed && self.deadline.as_mut().poll(cx).is_ready() => {
                Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "the client stopped reading",
                )))
            }
            other => other,
        }
    }
}

fn head_ends(bytes: &[u8]) -> bool {
    bytes.windows(4).any(|w| w == b"\r\n\r\n") || bytes.windows(2).any(|w| w == b"\n\n")
}

impl<T> Drop for Guarded<T> {
    fn drop(&mut self) {
        self.mark_busy();
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Guarded<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        let before = buf.filled().len();
        match Pin::new(&mut this.io).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                this.read_progress(&buf.filled()[before..]);
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(error)) => Poll::Ready(Err(error)),
            Poll::Pending => {
                this.waiting();
                if this.expired(cx) {
                    // A clean end of stream: hyper closes the connection.
                    Poll::Ready(Ok(()))
                } else {
                    Poll::Pending
                }
            }
        }
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Guarded<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bytes: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        let written = Pin::new(&mut this.io).poll_write(cx, bytes);
        this.after_write(cx, written)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        let written = Pin::new(&mut this.io).poll_write_vectored(cx, bufs);
        this.after_write(cx, written)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests;
