//! Key sets: parsing a JWKS into usable RS256 keys, and downloading one within limits.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use jsonwebtoken::DecodingKey;
use reqwest::{Client, StatusCode, Url, redirect};
use serde::Deserialize;

/// The usable keys of a key set, by `kid`.
#[derive(Clone, Default)]
pub(crate) struct KeySet {
    keys: HashMap<String, Arc<DecodingKey>>,
}

impl std::fmt::Debug for KeySet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.keys.keys()).finish()
    }
}

#[derive(Deserialize)]
struct RawSet {
    keys: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
struct RawKey {
    kty: String,
    kid: Option<String>,
    #[serde(rename = "use")]
    use_: Option<String>,
    alg: Option<String>,
    n: Option<String>,
    e: Option<String>,
}

impl KeySet {
    /// Keeps only RSA keys with a `kid`, `use` absent or `sig`, `alg` absent or `RS256`, and a
    /// modulus and exponent that decode. A set with no such key is an error.
    pub(crate) fn parse(json: &[u8]) -> Result<Self, FetchError> {
        let raw: RawSet = serde_json::from_slice(json).map_err(FetchError::NotJson)?;
        let mut keys = HashMap::new();
        for value in raw.keys {
            let Ok(key) = serde_json::from_value::<RawKey>(value) else {
                continue;
            };
            let usable = key.kty == "RSA"
                && key.use_.as_deref().is_none_or(|u| u == "sig")
                && key.alg.as_deref().is_none_or(|a| a == "RS256");
            let (true, Some(kid), Some(n), Some(e)) = (usable, key.kid, key.n, key.e) else {
                continue;
            };
            if let Ok(decoding) = DecodingKey::from_rsa_components(&n, &e) {
                keys.insert(kid, Arc::new(decoding));
            }
        }
        if keys.is_empty() {
            return Err(FetchError::NoUsableKeys);
        }
        Ok(Self { keys })
    }

    pub(crate) fn get(&self, kid: &str) -> Option<Arc<DecodingKey>> {
        self.keys.get(kid).cloned()
    }

    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }
}

/// Why a key-set download failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum FetchError {
    #[error("key-set request failed: {0}")]
    Request(#[source] reqwest::Error),
    #[error("key-set server answered {0}, not 200")]
    Status(StatusCode),
    #[error("key set is larger than {0} bytes")]
    TooLarge(usize),
    #[error("key set is not a JSON key set")]
    NotJson(#[source] serde_json::Error),
    #[error("key set holds no usable RS256 signing key")]
    NoUsableKeys,
}

/// Downloads a key set: one URL, a timeout, no redirects, 200 only, a size cap.
#[derive(Debug)]
pub(crate) struct Fetcher {
    client: Client,
    uri: Url,
    max_bytes: usize,
}

impl Fetcher {
    pub(crate) fn new(
        uri: Url,
        timeout: Duration,
        max_bytes: usize,
    ) -> Result<Self, reqwest::Error> {
        let client = Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            // A redirect could lead off HTTPS or to another host: refuse them.
            .redirect(redirect::Policy::none())
            .user_agent(concat!("casting-auth0/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            client,
            uri,
            max_bytes,
        })
    }

    pub(crate) fn uri(&self) -> &Url {
        &self.uri
    }

    pub(crate) async fn fetch(&self) -> Result<KeySet, FetchError> {
        let mut response = self
            .client
            .get(self.uri.clone())
            .header("accept", "application/json")
            .send()
            .await
            .map_err(FetchError::Request)?;
        if response.status() != StatusCode::OK {
            return Err(FetchError::Status(response.status()));
        }
        if response
            .content_length()
            .is_some_and(|len| len > self.max_bytes as u64)
        {
            return Err(FetchError::TooLarge(self.max_bytes));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(FetchError::Request)? {
            if body.len() + chunk.len() > self.max_bytes {
                return Err(FetchError::TooLarge(self.max_bytes));
            }
            body.extend_from_slice(&chunk);
        }
        KeySet::parse(&body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // A real 2048-bit modulus is not needed to test filtering: any base64url decodes.
    const N: &str = "sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5pcM9H95GQRV3JDXboIRROSBigeC5yjU1hGzHHyXss8UDprecbAYxknTcQkhslANGRUZmdTOQ5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_7svlJJQ4H9_NxsiIoLwAEk7-Q3UXERGYw_75IDrGA84-lA_-Ct4eTlXHBIY2EaV7t7LjJaynVJCpkv4LKjTTAumiGUIuQhrNhZLuF_RJLqHpM2kgWFLU7-VTdL1VbC2tejvcI2BlMkEpk1BzBZI0KQB0GaDWFLN-aEAw3vRw";

    #[test]
    fn only_rs256_signing_keys_with_a_kid_are_kept() {
        let json = format!(
            r#"{{"keys":[
                {{"kty":"RSA","kid":"good","use":"sig","alg":"RS256","n":"{N}","e":"AQAB"}},
                {{"kty":"RSA","kid":"bare","n":"{N}","e":"AQAB"}},
                {{"kty":"RSA","kid":"enc","use":"enc","n":"{N}","e":"AQAB"}},
                {{"kty":"RSA","kid":"ps","alg":"PS256","n":"{N}","e":"AQAB"}},
                {{"kty":"RSA","use":"sig","n":"{N}","e":"AQAB"}},
                {{"kty":"EC","kid":"ec","crv":"P-256","x":"AA","y":"AA"}},
                {{"kty":"oct","kid":"oct","k":"c2VjcmV0"}},
                {{"kty":"RSA","kid":"broken","n":"!!","e":"AQAB"}},
                "not an object"
            ]}}"#
        );
        let set = KeySet::parse(json.as_bytes()).unwrap();
        let mut kids: Vec<_> = set.keys.keys().cloned().collect();
        kids.sort();
        assert_eq!(kids, ["bare", "good"]);
    }

    #[test]
    fn sets_without_usable_keys_fail() {
        for json in [
            r#"{"keys":[]}"#,
            r#"{"keys":[{"kty":"oct","kid":"a","k":"c2VjcmV0"}]}"#,
            r#"{"keys":[{"kty":"EC","kid":"a","crv":"P-256","x":"AA","y":"AA"}]}"#,
        ] {
            assert!(
                matches!(
                    KeySet::parse(json.as_bytes()),
                    Err(FetchError::NoUsableKeys)
                ),
                "{json}"
            );
        }
        for json in ["<html></html>", "{}", r#"{"keys":{}}"#, ""] {
            assert!(
                matches!(KeySet::parse(json.as_bytes()), Err(FetchError::NotJson(_))),
                "{json}"
            );
        }
    }
}
