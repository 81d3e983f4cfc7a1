//! What an [`Auth0Verifier`](crate::Auth0Verifier) checks tokens against, and how it keeps keys.

use std::time::Duration;

use reqwest::Url;

use crate::error::ConfigError;

/// The key-set cache's timings and limits. The defaults follow Auth0's own SDKs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheSettings {
    /// After this long the keys are refreshed in the background while they keep serving
    /// (default 10 min).
    pub ttl: Duration,
    /// An unknown `kid` triggers a download at most once per this period (default 30 s).
    pub cooldown: Duration,
    /// While downloads fail, the last good keys keep working for this long after they were
    /// fetched (default 24 h); after that, verification answers "keys unavailable".
    pub max_staleness: Duration,
    /// A download that takes longer fails (default 5 s).
    pub timeout: Duration,
    /// A key set larger than this fails (default 1 MiB).
    pub max_bytes: usize,
}

impl Default for CacheSettings {
    fn default() -> Self {
        Self {
            ttl: Duration::from_secs(600),
            cooldown: Duration::from_secs(30),
            max_staleness: Duration::from_secs(24 * 3600),
            timeout: Duration::from_secs(5),
            max_bytes: 1 << 20,
        }
    }
}

/// The tokens an [`Auth0Verifier`](crate::Auth0Verifier) accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Auth0Config {
    /// The exact `iss` a token must carry, e.g. `https://tenant.eu.auth0.com/`.
    pub issuer: String,
    /// A token's `aud` (a string or an array) must hold at least one of these.
    pub audiences: Vec<String>,
    /// Where the signing keys are published.
    pub jwks_uri: String,
    /// Tolerance for `exp`, `nbf` and `iat` (default 5 s).
    pub leeway: Duration,
    /// Tokens longer than this are refused before parsing (default 16 KiB).
    pub max_token_bytes: usize,
    /// Allows a plain `http` key-set URI when its host is a loopback address (tests, local
    /// identity providers). Off by default: the key set must come over HTTPS.
    pub allow_insecure_loopback: bool,
    /// The key-set cache.
    pub cache: CacheSettings,
    /// The verified-token cache (on by default).
    pub token_cache: TokenCacheSettings,
}

/// The verified-token cache: a token that verified once is answered from memory until it
/// expires. Keyed by the SHA-256 of the whole token; bounded in memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenCacheSettings {
    /// The most memory the cache may hold, in bytes (default 4 MiB, about 20,000 tokens);
    /// 0 turns the cache off.
    pub max_bytes: usize,
}

impl Default for TokenCacheSettings {
    fn default() -> Self {
        Self {
            max_bytes: 4 * 1024 * 1024,
        }
    }
}

impl Auth0Config {
    /// The configuration for an Auth0 tenant: issuer `https://{domain}/` and key set
    /// `https://{domain}/.well-known/jwks.json`. `domain` may be given with `https://` and a
    /// trailing slash.
    pub fn for_domain(domain: &str, audience: impl Into<String>) -> Self {
        let host = domain
            .trim()
            .trim_start_matches("https://")
            .trim_end_matches('/');
        Self::new(format!("https://{host}/"), vec![audience.into()])
    }

    /// A configuration for any issuer; the key set defaults to `{issuer}.well-known/jwks.json`.
    pub fn new(issuer: impl Into<String>, audiences: Vec<String>) -> Self {
        let issuer = issuer.into();
        let jwks_uri = format!("{}/.well-known/jwks.json", issuer.trim_end_matches('/'));
        Self {
            issuer,
            audiences,
            jwks_uri,
            leeway: Duration::from_secs(5),
            max_token_bytes: 16 * 1024,
            allow_insecure_loopback: false,
            cache: CacheSettings::default(),
            token_cache: TokenCacheSettings::default(),
        }
    }

    /// Sets the key-set URI.
    pub fn with_jwks_uri(mut self, uri: impl Into<String>) -> Self {
        self.jwks_uri = uri.into();
        self
    }

    /// Allows plain `http` to a loopback key-set URI.
    pub fn allow_insecure_loopback(mut self, allow: bool) -> Self {
        self.allow_insecure_loopback = allow;
        self
    }

    /// Sets the verified-token cache settings (`max_bytes: 0` turns it off).
    pub fn with_token_cache(mut self, token_cache: TokenCacheSettings) -> Self {
        self.token_cache = token_cache;
        self
    }

    /// Sets the cache settings.
    pub fn with_cache(mut self, cache: CacheSettings) -> Self {
        self.cache = cache;
        self
    }

    /// Checks the configuration: an issuer, at least one non-empty audience, sane limits.
    pub(crate) fn check(&self) -> Result<(), ConfigError> {
        if self.issuer.trim().is_empty() {
            return Err(ConfigError::new("the issuer is empty"));
        }
        if self.audiences.is_empty() || self.audiences.iter().any(|a| a.trim().is_empty()) {
            return Err(ConfigError::new(
                "at least one non-empty audience is needed",
            ));
        }
        if self.max_token_bytes == 0 || self.cache.max_bytes == 0 {
            return Err(ConfigError::new("size limits must be above zero"));
        }
        Ok(())
    }

    /// The key-set URI, checked: HTTPS, or HTTP to a loopback host when allowed.
    pub(crate) fn checked_jwks_uri(&self) -> Result<Url, ConfigError> {
        let url = Url::parse(&self.jwks_uri)
            .map_err(|e| ConfigError::new(format!("the key-set URI is not a URL: {e}")))?;
        match url.scheme() {
            "https" => Ok(url),
            "http" if self.allow_insecure_loopback && is_loopback(&url) => Ok(url),
            "http" if self.allow_insecure_loopback => Err(ConfigError::new(
                "a plain http key-set URI must name a loopback host",
            )),
            _ => Err(ConfigError::new(format!(
                "the key-set URI must use https, not {}",
                url.scheme()
            ))),
        }
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_gives_issuer_and_key_set() {
        for domain in [
            "tenant.eu.auth0.com",
            "https://tenant.eu.auth0.com/",
            " tenant.eu.auth0.com/ ",
        ] {
            let config = Auth0Config::for_domain(domain, "https://api");
            assert_eq!(config.issuer, "https://tenant.eu.auth0.com/");
            assert_eq!(
                config.jwks_uri,
                "https://tenant.eu.auth0.com/.well-known/jwks.json"
            );
            assert_eq!(config.audiences, ["https://api"]);
        }
        let config = Auth0Config::new("https://idp.example", vec!["a".into()]);
        assert_eq!(config.jwks_uri, "https://idp.example/.well-known/jwks.json");
    }

    #[test]
    fn key_set_uri_must_be_https_or_allowed_loopback() {
        let base = Auth0Config::for_domain("t.auth0.com", "a");
        assert!(base.checked_jwks_uri().is_ok());
        let http = base.clone().with_jwks_uri("http://127.0.0.1:9/jwks.json");
        assert!(http.checked_jwks_uri().is_err());
        let allowed = http.allow_insecure_loopback(true);
        assert!(allowed.checked_jwks_uri().is_ok());
        for uri in [
            "http://[::1]:9/jwks.json",
            "http://localhost:9/jwks.json",
            "http://127.8.9.10/jwks.json",
        ] {
            let config = allowed.clone().with_jwks_uri(uri);
            assert!(config.checked_jwks_uri().is_ok(), "{uri}");
        }
        for uri in [
            "http://10.0.0.1/jwks.json",
            "http://example.com/jwks.json",
            "ftp://127.0.0.1/jwks.json",
            "file:///etc/passwd",
            "not a url",
        ] {
            let config = allowed.clone().with_jwks_uri(uri);
            assert!(config.checked_jwks_uri().is_err(), "{uri}");
        }
    }

    #[test]
    fn audiences_and_issuer_are_required() {
        assert!(Auth0Config::new("", vec!["a".into()]).check().is_err());
        assert!(Auth0Config::new("https://i/", vec![]).check().is_err());
        assert!(
            Auth0Config::new("https://i/", vec![" ".into()])
                .check()
                .is_err()
        );
        assert!(
            Auth0Config::new("https://i/", vec!["a".into()])
                .check()
                .is_ok()
        );
    }
}
