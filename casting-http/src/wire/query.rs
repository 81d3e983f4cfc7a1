//! [`Utf8Query`]: every query parameter must be UTF-8 once percent-decoded. poem decodes
//! leniently (a stray `%FF` becomes U+FFFD, which then matches titles that contain it); this
//! extractor refuses such a query with a 400 naming the parameter. It runs after the security
//! scheme, so a caller without the right still learns nothing. The same pass keeps what the
//! next page's `Link` repeats, so the query string is read once here (and once by poem-openapi
//! for the parameters).

use casting_core::FieldError;
use poem::{FromRequest, Request, RequestBody};

use crate::errors::ApiError;

/// A list request's query string, read once: proof that it decodes to UTF-8 throughout, and the
/// start of the `Link` to the next page (this request's path and query without `page` and
/// `after`).
#[derive(Debug)]
pub(crate) struct Utf8Query {
    link: String,
}

impl Utf8Query {
    /// The `Link` header of a page whose next page starts after `next`: this request with
    /// `after=next` in place of `page` and `after`.
    pub(crate) fn next_link(&self, next: &str) -> String {
        // Cursors are URL-safe base64: they need no escaping.
        format!("{}after={next}>; rel=\"next\"", self.link)
    }
}

impl<'a> FromRequest<'a> for Utf8Query {
    async fn from_request(request: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        // The path the client sent (poem's original URI keeps the prefix the API is nested
        // under), or the routed one when the request was built in-process without an original.
        let original = request.original_uri();
        let uri = if original.path().ends_with(request.uri().path()) {
            original
        } else {
            request.uri()
        };
        let mut link = format!("<{}?", uri.path());
        for pair in uri.query().unwrap_or("").split('&') {
            if pair.is_empty() {
                continue;
            }
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let (name_bytes, value_bytes) = (decode(name), decode(value));
            if std::str::from_utf8(&name_bytes).is_err()
                || std::str::from_utf8(&value_bytes).is_err()
            {
                let name = String::from_utf8_lossy(&name_bytes).into_owned();
                return Err(ApiError::bad_fields(vec![FieldError::new(
                    name,
                    "is not valid UTF-8 once percent-decoded",
                )])
                .into());
            }
            if !matches!(name, "page" | "after") {
                link.push_str(pair);
                link.push('&');
            }
        }
        Ok(Self { link })
    }
}

/// Form decoding: `+` is a space, `%XX` a byte, anything else itself.
fn decode(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(high), Some(low)) => {
                    out.push(high * 16 + low);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            other => out.push(other),
        }
        i += 1;
    }
    out
}

fn hex(digit: u8) -> Option<u8> {
    char::from(digit)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn read(uri: &str) -> Result<Utf8Query, String> {
        let request = Request::builder().uri(uri.parse().unwrap()).finish();
        let (request, mut body) = request.split();
        Utf8Query::from_request(&request, &mut body)
            .await
            .map_err(|error| {
                ApiError::from_poem(&error)
                    .into_parts()
                    .body
                    .details
                    .0
                    .to_string()
            })
    }

    #[tokio::test]
    async fn only_queries_that_decode_to_utf8_pass() {
        assert!(read("/m?q=caf%C3%A9&page=2").await.is_ok());
        assert!(read("/m?q=a+b%20c&x").await.is_ok());
        assert!(
            read("/m?page=1&q=%FF")
                .await
                .unwrap_err()
                .contains(r#""field":"q""#)
        );
        assert!(
            read("/m?q=%C3")
                .await
                .unwrap_err()
                .contains(r#""field":"q""#)
        );
        // A `%` not followed by two hex digits is itself.
        assert!(read("/m?q=100%").await.is_ok());
        assert_eq!(decode("%41%4a+%zz%4"), b"AJ %zz%4");
    }

    #[tokio::test]
    async fn the_link_repeats_the_query_with_the_cursor() {
        let query = read("/movies?q=star&page=2&actor=3&after=old&actor=4&sort=-title")
            .await
            .unwrap();
        assert_eq!(
            query.next_link("abc_-1"),
            "</movies?q=star&actor=3&actor=4&sort=-title&after=abc_-1>; rel=\"next\""
        );
        let bare = read("/actors").await.unwrap();
        assert_eq!(bare.next_link("x"), "</actors?after=x>; rel=\"next\"");
    }
}
