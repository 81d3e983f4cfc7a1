//! The limits' own rules: which address is the client, what the headers say, when an address
//! is refused, and that idle keys go.

use std::net::SocketAddr;

use poem::http::Request as HttpRequest;

use super::*;

fn config(per_minute: u32, burst: u32, failures: u32, trusted: &[&str]) -> RateLimitConfig {
    RateLimitConfig {
        per_minute,
        burst,
        auth_failures_per_minute: failures,
        trusted_proxies: trusted
            .iter()
            .map(|t| {
                t.parse::<IpNet>()
                    .or_else(|_| t.parse::<IpAddr>().map(IpNet::from))
                    .expect("a net")
            })
            .collect(),
    }
}

/// A request from `peer` with these `X-Forwarded-For` headers.
fn from(peer: &str, forwarded: &[&str]) -> Request {
    let mut builder = HttpRequest::builder().uri("/movies");
    for value in forwarded {
        builder = builder.header("x-forwarded-for", *value);
    }
    let (parts, ()) = builder.body(()).expect("request").into_parts();
    let peer: SocketAddr = peer.parse().expect("a socket address");
    let parts = poem::RequestParts::from((
        parts,
        poem::web::LocalAddr::default(),
        poem::web::RemoteAddr(poem::Addr::SocketAddr(peer)),
        poem::http::uri::Scheme::HTTP,
    ));
    Request::from_parts(parts, poem::Body::empty())
}

#[test]
fn the_client_is_the_peer_unless_the_peer_is_a_trusted_proxy() {
    let none = RateLimits::new(&config(1, 1, 1, &[]));
    let client = |limits: &RateLimits, peer, forwarded: &[&str]| {
        limits.client(&from(peer, forwarded)).map(|a| a.to_string())
    };
    // Nobody trusted: X-Forwarded-For is never believed.
    assert_eq!(
        client(&none, "203.0.113.9:5000", &["198.51.100.1"]).as_deref(),
        Some("203.0.113.9")
    );

    let trusted = RateLimits::new(&config(1, 1, 1, &["10.0.0.0/8", "192.0.2.7"]));
    // A trusted proxy without the header: the proxy is the client.
    assert_eq!(
        client(&trusted, "10.1.2.3:80", &[]).as_deref(),
        Some("10.1.2.3")
    );
    // The rightmost untrusted address, past every trusted hop, across several headers.
    assert_eq!(
        client(
            &trusted,
            "10.1.2.3:80",
            &["198.51.100.1, 203.0.113.5", "192.0.2.7, 10.9.9.9"]
        )
        .as_deref(),
        Some("203.0.113.5")
    );
    // A client cannot hide behind a forged leftmost entry.
    assert_eq!(
        client(&trusted, "10.1.2.3:80", &["1.2.3.4, 203.0.113.5"]).as_deref(),
        Some("203.0.113.5")
    );
    // Ports and brackets are read; garbage stops the walk at the hop that added it.
    assert_eq!(
        client(&trusted, "10.1.2.3:80", &["[2001:db8::1]:443"]).as_deref(),
        Some("2001:db8::1")
    );
    assert_eq!(
        client(&trusted, "10.1.2.3:80", &["203.0.113.5, unknown"]).as_deref(),
        Some("10.1.2.3")
    );
    // Every hop trusted: the leftmost one.
    assert_eq!(
        client(&trusted, "10.1.2.3:80", &["10.0.0.1, 192.0.2.7"]).as_deref(),
        Some("10.0.0.1")
    );
    // An untrusted peer's header is ignored, even when it names a trusted address.
    assert_eq!(
        client(&trusted, "203.0.113.9:5000", &["10.0.0.1"]).as_deref(),
        Some("203.0.113.9")
    );
    // A dual-stack socket's IPv4-mapped peer is its IPv4 address.
    assert_eq!(
        client(&trusted, "[::ffff:10.1.2.3]:80", &["203.0.113.5"]).as_deref(),
        Some("203.0.113.5")
    );
}

#[test]
fn a_subject_gets_its_burst_then_a_retry_after_and_another_subject_is_apart() {
    let limits = RateLimits::new(&config(60, 3, 0, &[]));
    let mut remaining = Vec::new();
    for _ in 0..3 {
        let standing = limits
            .admit("auth0|a")
            .expect("within the burst")
            .expect("on");
        remaining.push(standing.remaining);
    }
    assert_eq!(remaining, [2, 1, 0]);
    let limited = limits.admit("auth0|a").expect_err("over the burst");
    assert_eq!(limited.retry_after, 1, "60 a minute: one more each second");
    assert_eq!(limited.standing.remaining, 0);
    assert_eq!(limited.standing.policy_header(), "\"subject\";q=60;w=60");
    assert_eq!(limited.standing.state_header(), "\"subject\";r=0;t=3");
    assert!(
        limits.admit("auth0|b").is_ok(),
        "another subject has its own bucket"
    );
}

#[test]
fn headers_say_what_is_left_and_when_it_is_whole() {
    let limits = RateLimits::new(&config(6000, 300, 0, &[]));
    let standing = limits.admit("auth0|a").expect("ok").expect("on");
    assert_eq!(standing.policy_header(), "\"subject\";q=6000;w=60");
    // 299 left; the one used comes back within 10 ms, so in one whole second.
    assert_eq!(standing.state_header(), "\"subject\";r=299;t=1");
}

#[test]
fn an_address_over_its_failure_budget_is_refused_until_it_slows_down() {
    let limits = RateLimits::new(&config(0, 0, 2, &[]));
    let a = Some("203.0.113.1".parse().expect("ip"));
    let b = Some("203.0.113.2".parse().expect("ip"));
    assert!(limits.refused_address(a).is_none());
    assert_eq!(limits.failed(a).map(|s| s.remaining), Some(1));
    assert_eq!(limits.failed(a).map(|s| s.remaining), Some(0));
    assert!(
        limits.refused_address(a).is_none(),
        "two failures are within the budget"
    );
    // The third failure is over: from now on the address is refused before verification.
    assert_eq!(limits.failed(a).map(|s| s.remaining), Some(0));
    let refused = limits.refused_address(a).expect("refused");
    assert_eq!(refused.retry_after, 30, "2 a minute: one more each 30 s");
    assert_eq!(refused.standing.policy, Policy::AuthFailures);
    assert!(
        limits.refused_address(b).is_none(),
        "another address is judged on its own"
    );
    assert!(limits.refused_address(None).is_none());
}

#[test]
fn zero_turns_each_limit_off() {
    let limits = RateLimits::new(&RateLimitConfig::off());
    for _ in 0..1000 {
        assert_eq!(limits.admit("auth0|a"), Ok(None));
        let a = Some("203.0.113.1".parse().expect("ip"));
        assert_eq!(limits.failed(a), None);
        assert!(limits.refused_address(a).is_none());
    }
    assert_eq!(limits.keys(), (0, 0));
}

#[test]
fn idle_keys_are_swept() {
    let limits = RateLimits::new(&config(60_000, 10, 60, &[]));
    for i in 0..1000 {
        limits.admit(&format!("auth0|{i}")).expect("ok");
    }
    assert_eq!(limits.keys().0, 1000);
    // Each bucket is whole again after 1 ms (60,000 a minute); force the minute's sweep.
    std::thread::sleep(Duration::from_millis(5));
    limits.next_sweep.store(0, Ordering::Relaxed);
    limits.admit("auth0|new").expect("ok");
    assert!(
        limits.keys().0 <= 1,
        "idle keys dropped: {:?}",
        limits.keys()
    );
}
