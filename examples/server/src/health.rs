//! `casting-server health`: asks the server on this host for `/health`, for a container's
//! `HEALTHCHECK` (the image has no shell and no curl). Exit 0 when it answers 200, 1 otherwise.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::cli::Settings;

/// How long the whole check may take: well under a `HEALTHCHECK --timeout`.
const TIMEOUT: Duration = Duration::from_secs(2);

/// Where the server listens, as `HOST` and `PORT` say (their defaults otherwise); a wildcard
/// `HOST` (`0.0.0.0`, `::`) is asked on loopback.
fn target(settings: &Settings) -> Result<SocketAddr, String> {
    let host = match settings.host {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    match settings.port {
        0 => Err("PORT: 0 is not a port the server listens on".to_owned()),
        port => Ok(SocketAddr::new(host, port)),
    }
}

/// Asks `/health` once; `Ok` when the answer is 200.
pub async fn check(settings: &Settings) -> Result<(), String> {
    let addr = target(settings)?;
    tokio::time::timeout(TIMEOUT, ask(addr))
        .await
        .map_err(|_| format!("health: no answer from {addr} within {TIMEOUT:?}"))?
}

async fn ask(addr: SocketAddr) -> Result<(), String> {
    let mut socket = TcpStream::connect(addr)
        .await
        .map_err(|e| format!("health: cannot connect to {addr}: {e}"))?;
    let request = format!("GET /health HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    socket
        .write_all(request.as_bytes())
        .await
        .map_err(|e| format!("health: {e}"))?;
    // The status line is all that counts; it fits in the first read or two.
    let mut head = Vec::with_capacity(64);
    let mut buf = [0u8; 64];
    while !head.contains(&b'\n') && head.len() < 1024 {
        let read = socket
            .read(&mut buf)
            .await
            .map_err(|e| format!("health: {e}"))?;
        if read == 0 {
            break;
        }
        head.extend_from_slice(&buf[..read]);
    }
    let line = String::from_utf8_lossy(&head);
    let line = line.lines().next().unwrap_or_default();
    if line.starts_with("HTTP/1.1 200 ") || line == "HTTP/1.1 200" {
        Ok(())
    } else {
        Err(format!("health: {addr} answered {line:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::Cli;

    fn target_of(args: &[&str]) -> Result<SocketAddr, String> {
        let mut all = vec!["casting-server"];
        all.extend_from_slice(args);
        target(&Cli::from_args(all, |_| None)?.settings)
    }

    #[test]
    fn the_check_asks_loopback_on_the_configured_port() {
        assert_eq!(target_of(&[]), Ok("127.0.0.1:8080".parse().unwrap()));
        assert_eq!(
            target_of(&["--host=0.0.0.0", "--port=9000"]),
            Ok("127.0.0.1:9000".parse().unwrap())
        );
        assert_eq!(target_of(&["--host=::"]), Ok("[::1]:8080".parse().unwrap()));
        assert_eq!(
            target_of(&["--host=127.0.0.2"]),
            Ok("127.0.0.2:8080".parse().unwrap())
        );
        assert!(target_of(&["--port=0"]).is_err());
        assert!(target_of(&["--host=example"]).is_err());
    }
}
