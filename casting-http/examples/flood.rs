//! A flood of distinct forged tokens from one loopback address, for `scripts/bench-limits.sh`:
//! each request carries a good token's header and claims with a different wrong signature, so
//! a server without a failure limit checks every signature (RS256) and caches none.
//!
//! ```sh
//! cargo run --release -p casting-http --example flood -- \
//!     http://127.0.0.1:18520/movies GOOD_TOKEN 127.0.0.2 32 15
//! ```
//!
//! Prints one line: answers, answers per second, and the count of each status.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::Mutex;

/// `token` with its signature's characters rotated by `n`: the same length and alphabet, a
/// signature that does not verify, and a token the server has not seen.
fn forged(token: &str, n: u64) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let (head, signature) = token.rsplit_once('.').expect("a JWT");
    let mut signature = signature.as_bytes().to_vec();
    let mut n = n + 1;
    for byte in signature.iter_mut().take(8) {
        let at = ALPHABET.iter().position(|b| b == byte).unwrap_or(0) as u64;
        *byte = ALPHABET[((at + n) % 64) as usize];
        n /= 64;
        n += 1;
    }
    format!("{head}.{}", String::from_utf8(signature).expect("ASCII"))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [url, token, from, connections, seconds] = args.as_slice() else {
        return Err("usage: flood URL GOOD_TOKEN FROM_ADDRESS CONNECTIONS SECONDS".into());
    };
    let client = reqwest::Client::builder()
        .local_address(from.parse::<IpAddr>()?)
        .pool_max_idle_per_host(connections.parse()?)
        .build()?;
    let until = Instant::now() + Duration::from_secs(seconds.parse()?);
    let next = Arc::new(AtomicU64::new(0));
    let statuses = Arc::new(Mutex::new(BTreeMap::<u16, u64>::new()));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..connections.parse::<usize>()? {
        let (client, url, token) = (client.clone(), url.clone(), token.clone());
        let (next, statuses) = (Arc::clone(&next), Arc::clone(&statuses));
        tasks.push(tokio::spawn(async move {
            let mut mine = BTreeMap::<u16, u64>::new();
            while Instant::now() < until {
                let n = next.fetch_add(1, Ordering::Relaxed);
                let status = match client.get(&url).bearer_auth(forged(&token, n)).send().await {
                    Ok(response) => {
                        let status = response.status().as_u16();
                        let _ = response.bytes().await;
                        status
                    }
                    Err(_) => 0,
                };
                *mine.entry(status).or_default() += 1;
            }
            let mut all = statuses.lock().await;
            for (status, count) in mine {
                *all.entry(status).or_default() += count;
            }
        }));
    }
    for task in tasks {
        task.await?;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let all = statuses.lock().await;
    let total: u64 = all.values().sum();
    let counts: Vec<String> = all.iter().map(|(s, c)| format!("{s}={c}")).collect();
    println!(
        "flood {total} {:.0} {}",
        total as f64 / elapsed,
        counts.join(",")
    );
    Ok(())
}
