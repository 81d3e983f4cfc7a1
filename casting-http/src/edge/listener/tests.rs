//! The edge's unit tests: deadlines, the cap, accept back-off.

use super::*;

#[test]
fn a_head_ends_at_a_blank_line_even_across_reads() {
    assert!(head_ends(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
    assert!(head_ends(b"GET / HTTP/1.1\nHost: x\n\n"));
    assert!(!head_ends(b"GET / HTTP/1.1\r\nHost: x\r\n"));
}

/// An acceptor whose first `failures` accepts fail.
struct Failing {
    failures: usize,
    calls: Arc<AtomicU64>,
}

impl Acceptor for Failing {
    type Io = tokio::io::DuplexStream;

    fn local_addr(&self) -> Vec<LocalAddr> {
        Vec::new()
    }

    async fn accept(&mut self) -> io::Result<(Self::Io, LocalAddr, RemoteAddr, Scheme)> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        if self.failures > 0 {
            self.failures -= 1;
            return Err(io::Error::from_raw_os_error(24)); // EMFILE
        }
        let (io, _peer) = tokio::io::duplex(64);
        Ok((
            io,
            LocalAddr(poem::Addr::Custom("test", "".into())),
            RemoteAddr(poem::Addr::Custom("test", "".into())),
            Scheme::HTTP,
        ))
    }
}

#[tokio::test(start_paused = true)]
async fn accept_errors_back_off_instead_of_spinning() {
    let calls = Arc::new(AtomicU64::new(0));
    let inner = Failing {
        failures: 10,
        calls: Arc::clone(&calls),
    };
    let mut acceptor = LimitedAcceptor::new(inner, ConnectionLimits::default());
    let started = Instant::now();
    let accepted = acceptor.accept().await;
    assert!(accepted.is_ok());
    assert_eq!(calls.load(Ordering::Relaxed), 11);
    // 5, 10, 20 … 640 ms, then 1 s twice: 10 failures wait 3.275 s in all.
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(3_275) && waited < Duration::from_millis(3_300),
        "{waited:?}"
    );
}

/// One read or write, polled once.
fn once<T>(poll: impl FnMut(&mut Context<'_>) -> Poll<T>) -> impl Future<Output = Poll<T>> {
    let mut poll = poll;
    std::future::poll_fn(move |cx| Poll::Ready(poll(cx)))
}

#[tokio::test]
async fn a_pipelined_request_is_never_evicted() {
    use tokio::io::AsyncWriteExt;

    let shared = Arc::new(Shared {
        permits: Arc::new(Semaphore::new(1)),
        idle: Mutex::new(BTreeMap::new()),
        next: AtomicU64::new(0),
    });
    let permit = Arc::clone(&shared.permits)
        .try_acquire_owned()
        .expect("a place");
    let (server, mut client) = tokio::io::duplex(4096);
    let mut conn = Guarded::new(
        server,
        permit,
        Arc::clone(&shared),
        ConnectionLimits::default(),
    );
    assert_eq!(
        shared.idle().len(),
        1,
        "a new connection that sent nothing is evictable"
    );

    // Two requests in one chunk, as a pipelining client sends them.
    let requests = b"GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n";
    client.write_all(requests).await.expect("send");
    let mut buf = [0u8; 4096];
    let mut read = ReadBuf::new(&mut buf);
    let got = once(|cx| Pin::new(&mut conn).poll_read(cx, &mut read)).await;
    assert!(matches!(got, Poll::Ready(Ok(()))));
    assert_eq!(
        read.filled().len(),
        requests.len(),
        "both heads in one read"
    );
    assert!(shared.idle().is_empty(), "a request is in flight");

    // The first answer goes out; hyper serves /b from what it read, without reading again.
    let answer = b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n";
    conn.write_all(answer).await.expect("answer /a");
    assert!(
        !shared.evict_oldest_idle(),
        "the connection serving a pipelined request is not evictable"
    );
    conn.write_all(answer).await.expect("answer /b");
    assert!(
        shared.idle().is_empty(),
        "an answer alone does not make it idle"
    );

    // hyper asks for the next request and none has come: now it waits, and may make room.
    let mut read = ReadBuf::new(&mut buf);
    let got = once(|cx| Pin::new(&mut conn).poll_read(cx, &mut read)).await;
    assert!(got.is_pending());
    assert_eq!(shared.idle().len(), 1);
    assert!(shared.evict_oldest_idle());
    let mut read = ReadBuf::new(&mut buf);
    let got = once(|cx| Pin::new(&mut conn).poll_read(cx, &mut read)).await;
    assert!(
        matches!(got, Poll::Ready(Ok(()))) && read.filled().is_empty(),
        "evicted: end of stream"
    );
}

#[tokio::test(start_paused = true)]
async fn at_the_cap_the_oldest_idle_connection_makes_room() {
    let calls = Arc::new(AtomicU64::new(0));
    let inner = Failing { failures: 0, calls };
    let limits = ConnectionLimits {
        max_connections: 2,
        ..ConnectionLimits::default()
    };
    let mut acceptor = LimitedAcceptor::new(inner, limits);
    let (mut first, ..) = acceptor.accept().await.expect("first");
    let (_second, ..) = acceptor.accept().await.expect("second");
    assert_eq!(acceptor.open_connections(), 2);
    // A third arrives: the first (idle the longest) is told to close…
    let third = tokio::spawn(async move {
        let accepted = acceptor.accept().await.map(|(io, ..)| io);
        (accepted, acceptor)
    });
    tokio::task::yield_now().await;
    let mut buf = [0u8; 8];
    let mut read = ReadBuf::new(&mut buf);
    let ended = std::future::poll_fn(|cx| Pin::new(&mut first).poll_read(cx, &mut read)).await;
    assert!(
        ended.is_ok() && read.filled().is_empty(),
        "evicted: end of stream"
    );
    drop(first);
    // …and the third takes its place.
    let (accepted, acceptor) = third.await.expect("task");
    assert!(accepted.is_ok());
    assert_eq!(acceptor.open_connections(), 2);
}
