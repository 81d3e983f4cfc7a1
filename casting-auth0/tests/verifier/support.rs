//! A key-set server on loopback that counts its hits and can switch answers, and helpers to
//! build verifiers and tokens.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use casting_auth0::{Auth0Config, Auth0Verifier, CacheSettings, DevIssuer};
use casting_core::AuthError as Error;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// What the key-set server answers.
#[derive(Debug, Clone)]
pub enum Answer {
    /// 200 with this JSON body.
    Json(String),
    /// This status, with a small JSON body.
    Status(u16),
    /// 200 with an HTML page.
    Html,
    /// 200 with this JSON, after a delay.
    Slow(Duration, String),
    /// 200 with a body of this many bytes, announced in `Content-Length`.
    Huge(usize),
    /// 200 with a body of this many bytes and no `Content-Length` (read until close).
    HugeUnannounced(usize),
}

/// A key-set server on `127.0.0.1:0`.
#[derive(Clone)]
pub struct KeyServer {
    pub url: String,
    hits: Arc<AtomicUsize>,
    answer: Arc<Mutex<Answer>>,
}

impl KeyServer {
    pub async fn start(answer: Answer) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!(
            "http://{}/.well-known/jwks.json",
            listener.local_addr().unwrap()
        );
        let server = Self {
            url,
            hits: Arc::new(AtomicUsize::new(0)),
            answer: Arc::new(Mutex::new(answer)),
        };
        let handle = server.clone();
        tokio::spawn(async move {
            loop {
                let Ok((socket, _)) = listener.accept().await else {
                    return;
                };
                let handle = handle.clone();
                tokio::spawn(async move { handle.serve(socket).await });
            }
        });
        server
    }

    /// Serves the key set of `issuer`.
    pub async fn serving(issuer: &DevIssuer) -> Self {
        Self::start(Answer::Json(issuer.jwks().to_string())).await
    }

    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }

    pub fn answer(&self, answer: Answer) {
        *self.answer.lock().unwrap() = answer;
    }

    async fn serve(&self, mut socket: tokio::net::TcpStream) {
        let mut request = Vec::new();
        let mut buf = [0u8; 1024];
        while !request.windows(4).any(|w| w == b"\r\n\r\n") {
            match socket.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => request.extend_from_slice(&buf[..n]),
            }
        }
        self.hits.fetch_add(1, Ordering::SeqCst);
        let answer = self.answer.lock().unwrap().clone();
        let (status, kind, body, announce) = match answer {
            Answer::Json(body) => (200, "application/json", body, true),
            Answer::Status(code) => (code, "application/json", r#"{"error":"nope"}"#.into(), true),
            Answer::Html => (
                200,
                "text/html",
                "<html><body>Login</body></html>".into(),
                true,
            ),
            Answer::Slow(delay, body) => {
                tokio::time::sleep(delay).await;
                (200, "application/json", body, true)
            }
            Answer::Huge(len) => (200, "application/json", padded(len), true),
            Answer::HugeUnannounced(len) => (200, "application/json", padded(len), false),
        };
        let length = if announce {
            format!("content-length: {}\r\n", body.len())
        } else {
            String::new()
        };
        let head = format!(
            "HTTP/1.1 {status} X\r\ncontent-type: {kind}\r\n{length}connection: close\r\n\r\n"
        );
        let _ = socket.write_all(head.as_bytes()).await;
        let _ = socket.write_all(body.as_bytes()).await;
        let _ = socket.shutdown().await;
    }
}

/// A JSON key set padded with spaces to `len` bytes.
fn padded(len: usize) -> String {
    let mut body = String::from(r#"{"keys":[]}"#);
    body.push_str(&" ".repeat(len.saturating_sub(body.len())));
    body
}

/// A verifier for `issuer`'s tokens that downloads keys from `server`.
pub fn verifier(issuer: &DevIssuer, server: &KeyServer) -> Auth0Verifier {
    verifier_with(issuer, server, CacheSettings::default())
}

pub fn verifier_with(
    issuer: &DevIssuer,
    server: &KeyServer,
    cache: CacheSettings,
) -> Auth0Verifier {
    let config: Auth0Config = issuer
        .config()
        .with_jwks_uri(server.url.clone())
        .allow_insecure_loopback(true)
        .with_cache(cache);
    Auth0Verifier::new(config).unwrap()
}

pub const HOUR: Duration = Duration::from_secs(3600);

/// A JWKS document holding the keys of several issuers.
pub fn jwks_of(issuers: &[&DevIssuer]) -> String {
    let keys: Vec<_> = issuers.iter().map(|i| i.jwk()).collect();
    serde_json::json!({ "keys": keys }).to_string()
}

/// A key, a key-set server serving it, and a verifier using that server.
pub struct Setup {
    pub issuer: DevIssuer,
    pub server: KeyServer,
    pub verifier: Auth0Verifier,
}

pub async fn setup() -> Setup {
    let issuer = DevIssuer::new().unwrap();
    let server = KeyServer::serving(&issuer).await;
    let verifier = verifier(&issuer, &server);
    Setup {
        issuer,
        server,
        verifier,
    }
}

impl Setup {
    pub fn claims(&self) -> Value {
        self.issuer.claims("auth0|user", ["get:movies"], HOUR)
    }

    pub fn header(&self) -> Value {
        json!({ "alg": "RS256", "typ": "JWT", "kid": self.issuer.kid() })
    }

    /// A token with these claims changed (`null` removes a claim).
    pub fn with_claims(&self, changes: Value) -> String {
        let mut claims = self.claims();
        for (name, value) in changes.as_object().unwrap() {
            if value.is_null() {
                claims.as_object_mut().unwrap().remove(name);
            } else {
                claims[name] = value.clone();
            }
        }
        self.issuer.sign(&claims)
    }

    pub async fn verify(&self, token: &str) -> Result<casting_core::Principal, Error> {
        self.verifier.verify_token(token).await
    }
}

pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

pub fn b64(value: &impl ToString) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

/// An unsigned or arbitrarily signed token from raw parts.
pub fn raw_token(header: &Value, claims: &Value, signature: &[u8]) -> String {
    format!(
        "{}.{}.{}",
        b64(header),
        b64(claims),
        URL_SAFE_NO_PAD.encode(signature)
    )
}

pub fn hs256(header: &Value, claims: &Value, secret: &[u8]) -> String {
    let message = format!("{}.{}", b64(header), b64(claims));
    let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, secret);
    let tag = aws_lc_rs::hmac::sign(&key, message.as_bytes());
    format!("{message}.{}", URL_SAFE_NO_PAD.encode(tag.as_ref()))
}

/// Asserts that a result is an error matching the pattern.
#[macro_export]
macro_rules! assert_refused {
    ($result:expr, $pattern:pat) => {
        match $result {
            Err($pattern) => {}
            other => panic!("expected {}, got {other:?}", stringify!($pattern)),
        }
    };
}
