//! Response compression: gzip or brotli, as the client's `Accept-Encoding` prefers, for bodies
//! worth it (at least [`MIN_BYTES`], of a compressible type); `Vary: Accept-Encoding` on every
//! answer whose encoding could depend on it. Request bodies are never inflated: a compressed
//! upload would slip past the body limit, so one is refused as a body that is not JSON.
//!
//! The static Swagger UI page (1.7 MB) is also compressed at the densest settings, once per
//! encoding, on a thread of its own, and kept: brotli's densest takes seconds (4 s in release, half
//! a minute in a debug build), which no request waits for. Until it is kept, the page goes out
//! compressed like any answer.

use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, PoisonError, RwLock};

use bytes::Bytes;

use poem::http::header::{self, HeaderValue};
use poem::http::{HeaderMap, StatusCode};
use poem::{Body, Endpoint, IntoResponse, Middleware, Request, Response};

/// Bodies smaller than this go out as they are: compressing them costs more than it saves.
pub(crate) const MIN_BYTES: usize = 1024;

/// gzip's level for answers: 1. On JSON it is within a few per cent of level 6's size
/// (797 against 774 bytes for a 10 KB page) at much less CPU (docs/performance.md).
const GZIP_LEVEL: u32 = 1;
/// gzip's level for bodies compressed once and kept: the densest.
const GZIP_LEVEL_KEPT: u32 = 9;
/// brotli's quality for answers: 3, chosen like gzip's level (519 against 517 bytes at 5).
const BROTLI_QUALITY: u32 = 3;
/// brotli's quality for bodies compressed once and kept: the densest.
const BROTLI_QUALITY_KEPT: u32 = 11;
/// brotli's window, 2^22 bytes (its default).
const BROTLI_WINDOW: u32 = 22;

/// A content coding this server writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Coding {
    /// `br`
    Brotli,
    /// `gzip`
    Gzip,
}

impl Coding {
    fn name(self) -> &'static str {
        match self {
            Coding::Brotli => "br",
            Coding::Gzip => "gzip",
        }
    }

    fn compress(self, body: &[u8], kept: bool) -> std::io::Result<Vec<u8>> {
        match self {
            Coding::Gzip => {
                let out = Vec::with_capacity(body.len() / 4);
                let level = if kept { GZIP_LEVEL_KEPT } else { GZIP_LEVEL };
                let mut encoder =
                    flate2::write::GzEncoder::new(out, flate2::Compression::new(level));
                encoder.write_all(body)?;
                encoder.finish()
            }
            Coding::Brotli => {
                let quality = if kept {
                    BROTLI_QUALITY_KEPT
                } else {
                    BROTLI_QUALITY
                };
                let mut out = Vec::with_capacity(body.len() / 4);
                {
                    let mut encoder =
                        brotli::CompressorWriter::new(&mut out, 4096, quality, BROTLI_WINDOW);
                    encoder.write_all(body)?;
                    encoder.flush()?;
                }
                Ok(out)
            }
        }
    }
}

/// The coding `Accept-Encoding` prefers among those this server writes (RFC 9110 §12.5.3):
/// the highest `q`, brotli on a tie; `*` stands for any coding not named; `q=0` refuses.
pub(crate) fn negotiate(headers: &HeaderMap) -> Option<Coding> {
    let mut brotli: Option<f32> = None;
    let mut gzip: Option<f32> = None;
    let mut any: Option<f32> = None;
    for value in headers.get_all(header::ACCEPT_ENCODING) {
        let Ok(value) = value.to_str() else { continue };
        for item in value.split(',') {
            let mut parts = item.split(';');
            let name = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
            let q = parts
                .find_map(|p| p.trim().strip_prefix("q=").map(str::to_owned))
                .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())
                .filter(|q| (0.0..=1.0).contains(q));
            let Some(q) = q else { continue };
            match name.as_str() {
                "br" => brotli = Some(q),
                "gzip" | "x-gzip" => gzip = Some(q),
                "*" => any = Some(q),
                _ => {}
            }
        }
    }
    let brotli = brotli.or(any).unwrap_or(0.0);
    let gzip = gzip.or(any).unwrap_or(0.0);
    match (brotli, gzip) {
        (b, g) if b > 0.0 && b >= g => Some(Coding::Brotli),
        (_, g) if g > 0.0 => Some(Coding::Gzip),
        _ => None,
    }
}

/// Whether a body of this type shrinks when compressed.
fn compressible(headers: &HeaderMap) -> bool {
    let Some(kind) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let kind = kind.split(';').next().unwrap_or_default().trim();
    // An event stream goes out as it is made: compressing it would wait for its end.
    kind != "text/event-stream" && kind.starts_with("text/")
        || kind == "application/json"
        || kind.ends_with("+json")
        || kind == "application/javascript"
        || kind == "application/yaml"
        || kind == "application/x-yaml"
        || kind == "image/svg+xml"
}

/// Compresses responses; see the module docs.
pub(crate) struct Compress;

impl<E: Endpoint> Middleware<E> for Compress {
    type Output = CompressEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        CompressEndpoint {
            inner,
            kept: Arc::new(RwLock::new(HashMap::new())),
        }
    }
}

/// A static body's densest form: being made, or made from a body of `len` bytes.
enum Kept {
    Making,
    Made { len: usize, body: Bytes },
}

/// The static bodies' densest forms, by path and coding.
type KeptBodies = HashMap<(String, Coding), Kept>;

/// [`Compress`] around an endpoint.
pub(crate) struct CompressEndpoint<E> {
    inner: E,
    kept: Arc<RwLock<KeptBodies>>,
}

/// Paths whose bodies never change while the process runs (Swagger UI), so their densest
/// compressed forms are kept.
fn is_static(path: &str) -> bool {
    path == "/docs" || path.starts_with("/docs/")
}

impl<E: Endpoint> CompressEndpoint<E> {
    /// `body` compressed: the kept densest form of a static body when it is made (and starts
    /// making it when nobody is), else at the quick settings.
    fn compressed(&self, path: &str, coding: Coding, body: &[u8]) -> Option<Bytes> {
        if is_static(path) {
            let key = (path.to_owned(), coding);
            let making = match self
                .kept
                .read()
                .unwrap_or_else(PoisonError::into_inner)
                .get(&key)
            {
                Some(Kept::Made { len, body: kept }) if *len == body.len() => {
                    return Some(kept.clone());
                }
                Some(Kept::Making) => true,
                _ => false,
            };
            if !making {
                self.make_densest(key, body);
            }
        }
        coding.compress(body, false).ok().map(Bytes::from)
    }

    /// Compresses `body` at the densest settings on a thread of its own (a plain thread: the
    /// runtime's shutdown does not wait for it) and keeps the result, unless that is under way.
    fn make_densest(&self, key: (String, Coding), body: &[u8]) {
        {
            let mut kept = self.kept.write().unwrap_or_else(PoisonError::into_inner);
            match kept.get(&key) {
                Some(Kept::Making) => return,
                Some(Kept::Made { len, .. }) if *len == body.len() => return,
                _ => kept.insert(key.clone(), Kept::Making),
            };
        }
        let slot = key.clone();
        let kept = Arc::clone(&self.kept);
        let body = body.to_vec();
        let job = move || {
            let made = key.1.compress(&body, true);
            let mut kept = kept.write().unwrap_or_else(PoisonError::into_inner);
            match made {
                Ok(densest) => {
                    let made = Kept::Made {
                        len: body.len(),
                        body: Bytes::from(densest),
                    };
                    kept.insert(key, made);
                }
                Err(error) => {
                    tracing::warn!(%error, "could not compress a static page");
                    kept.remove(&key);
                }
            }
        };
        let thread = std::thread::Builder::new()
            .name("casting-compress".into())
            .spawn(job);
        if let Err(error) = thread {
            tracing::warn!(%error, "no thread to compress a static page");
            // The job never ran: let a later request try again.
            let mut kept = self.kept.write().unwrap_or_else(PoisonError::into_inner);
            kept.remove(&slot);
        }
    }
}

impl<E: Endpoint> Endpoint for CompressEndpoint<E> {
    type Output = Response;

    async fn call(&self, request: Request) -> poem::Result<Response> {
        let coding = negotiate(request.headers());
        let path = request.uri().path().to_owned();
        let response = self.inner.call(request).await?.into_response();
        if !compressible(response.headers())
            || response.headers().contains_key(header::CONTENT_ENCODING)
            || matches!(
                response.status(),
                StatusCode::NO_CONTENT | StatusCode::NOT_MODIFIED
            )
        {
            return Ok(response);
        }
        let (mut parts, body) = response.into_parts();
        parts
            .headers
            .append(header::VARY, HeaderValue::from_static("accept-encoding"));
        let Some(coding) = coding else {
            return Ok(Response::from_parts(parts, body));
        };
        let bytes = body.into_bytes().await?;
        if bytes.len() < MIN_BYTES {
            return Ok(Response::from_parts(parts, Body::from(bytes)));
        }
        let Some(compressed) = self.compressed(&path, coding, &bytes) else {
            return Ok(Response::from_parts(parts, Body::from(bytes)));
        };
        parts.headers.remove(header::CONTENT_LENGTH);
        parts.headers.insert(
            header::CONTENT_ENCODING,
            HeaderValue::from_static(coding.name()),
        );
        Ok(Response::from_parts(parts, Body::from_bytes(compressed)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: &str) -> Option<Coding> {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_str(value).unwrap(),
        );
        negotiate(&headers)
    }

    #[test]
    fn the_client_s_preference_decides_brotli_on_a_tie() {
        assert_eq!(accept("gzip, deflate, br"), Some(Coding::Brotli));
        assert_eq!(accept("gzip"), Some(Coding::Gzip));
        assert_eq!(accept("br;q=0.5, gzip;q=0.8"), Some(Coding::Gzip));
        assert_eq!(accept("br;q=0, gzip;q=0"), None);
        assert_eq!(accept("identity"), None);
        assert_eq!(accept("*"), Some(Coding::Brotli));
        assert_eq!(accept("*;q=0.1, br;q=0"), Some(Coding::Gzip));
        assert_eq!(accept("gzip;q=2"), None, "a q out of range is ignored");
        assert_eq!(negotiate(&HeaderMap::new()), None);
    }

    #[test]
    fn both_codings_round_trip() {
        let body = br#"{"movies":[{"id":1,"title":"The Long Take"}]}"#.repeat(100);
        let gzip = Coding::Gzip.compress(&body, false).unwrap();
        let mut inflated = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gzip[..]), &mut inflated)
            .unwrap();
        assert_eq!(inflated, body);
        for kept in [false, true] {
            let br = Coding::Brotli.compress(&body, kept).unwrap();
            let mut inflated = Vec::new();
            std::io::Read::read_to_end(
                &mut brotli::Decompressor::new(&br[..], 4096),
                &mut inflated,
            )
            .unwrap();
            assert_eq!(inflated, body);
            assert!(br.len() < body.len() / 10, "{} of {}", br.len(), body.len());
        }
    }
}
