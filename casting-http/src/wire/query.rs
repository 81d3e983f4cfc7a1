//! [`Utf8Query`]: every query parameter must be UTF-8 once percent-decoded. poem decodes
//! leniently (a stray `%FF` becomes U+FFFD, which then matches titles that contain it); this
//! extractor refuses such a query with a 400 naming the parameter. It runs after the security
//! scheme, so a caller without the right still learns nothing.

use casting_core::FieldError;
use poem::{FromRequest, Request, RequestBody};

use crate::errors::ApiError;

/// Proof that the request's query string decodes to UTF-8 throughout.
pub(crate) struct Utf8Query;

impl<'a> FromRequest<'a> for Utf8Query {
    async fn from_request(request: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        match request.uri().query().and_then(first_bad_parameter) {
            None => Ok(Self),
            Some(name) => Err(ApiError::bad_fields(vec![FieldError::new(
                name,
                "is not valid UTF-8 once percent-decoded",
            )])
            .into()),
        }
    }
}

/// The name (as best it can be read) of the first parameter whose name or value is not UTF-8
/// once decoded.
fn first_bad_parameter(query: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let bad =
            String::from_utf8(decode(name)).is_err() || String::from_utf8(decode(value)).is_err();
        bad.then(|| String::from_utf8_lossy(&decode(name)).into_owned())
    })
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

    #[test]
    fn only_queries_that_decode_to_utf8_pass() {
        assert_eq!(first_bad_parameter("q=caf%C3%A9&page=2"), None);
        assert_eq!(first_bad_parameter("q=a+b%20c&x"), None);
        assert_eq!(first_bad_parameter("page=1&q=%FF"), Some("q".to_owned()));
        assert_eq!(first_bad_parameter("q=%C3"), Some("q".to_owned()));
        // A `%` not followed by two hex digits is itself.
        assert_eq!(first_bad_parameter("q=100%"), None);
        assert_eq!(decode("%41%4a+%zz%4"), b"AJ %zz%4");
    }
}
