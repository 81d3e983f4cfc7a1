//! Development tokens: a key made at run time, the verifier that trusts it, and tokens for any
//! role or permission list. For development servers and tests only.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{self, KeyPair as _, RsaEncoding};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use casting_core::{Permission, Role};
use serde_json::{Value, json};

use crate::config::Auth0Config;
use crate::error::ConfigError;
use crate::verifier::Auth0Verifier;

/// Mints RS256 tokens with a fresh RSA key. Nothing it signs is trusted by any verifier but the
/// one it gives out (or one given its [`jwks`](DevIssuer::jwks)).
pub struct DevIssuer {
    key: KeyPair,
    kid: String,
    issuer: String,
    audience: String,
    rng: SystemRandom,
}

impl std::fmt::Debug for DevIssuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DevIssuer")
            .field("kid", &self.kid)
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .finish_non_exhaustive()
    }
}

impl DevIssuer {
    /// The issuer of development tokens.
    pub const ISSUER: &'static str = "https://casting.dev.invalid/";
    /// The audience of development tokens.
    pub const AUDIENCE: &'static str = "casting-dev";

    /// A fresh 2048-bit RSA key with a random `kid`.
    pub fn new() -> Result<Self, ConfigError> {
        Self::with_names(Self::ISSUER, Self::AUDIENCE)
    }

    /// A fresh key, for tokens of another issuer and audience.
    pub fn with_names(
        issuer: impl Into<String>,
        audience: impl Into<String>,
    ) -> Result<Self, ConfigError> {
        let key = KeyPair::generate(KeySize::Rsa2048)
            .map_err(|_| ConfigError::new("could not generate an RSA key"))?;
        let rng = SystemRandom::new();
        let mut id = [0u8; 8];
        aws_lc_rs::rand::fill(&mut id)
            .map_err(|_| ConfigError::new("no randomness for a key id"))?;
        let kid = id.iter().map(|b| format!("{b:02x}")).collect();
        Ok(Self {
            key,
            kid,
            issuer: issuer.into(),
            audience: audience.into(),
            rng,
        })
    }

    /// The key's id.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The issuer this issuer's tokens carry.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The audience this issuer's tokens carry.
    pub fn audience(&self) -> &str {
        &self.audience
    }

    /// The public key as a JWKS document (`{"keys": [...]}`).
    pub fn jwks(&self) -> Value {
        json!({ "keys": [self.jwk()] })
    }

    /// The public key as one JWK.
    pub fn jwk(&self) -> Value {
        let public = self.key.public_key();
        let b64 = |bytes: &[u8]| URL_SAFE_NO_PAD.encode(bytes);
        json!({
            "kty": "RSA",
            "use": "sig",
            "alg": "RS256",
            "kid": self.kid,
            "n": b64(public.modulus().big_endian_without_leading_zero()),
            "e": b64(public.exponent().big_endian_without_leading_zero()),
        })
    }

    /// The public key's DER bytes (as an attacker would find them).
    pub fn public_key_der(&self) -> Vec<u8> {
        self.key.public_key().as_ref().to_vec()
    }

    /// The configuration that accepts this issuer's tokens.
    pub fn config(&self) -> Auth0Config {
        Auth0Config::new(self.issuer.clone(), vec![self.audience.clone()])
    }

    /// A verifier that trusts exactly this issuer's key (static key set, no network).
    pub fn verifier(&self) -> Result<Auth0Verifier, ConfigError> {
        Auth0Verifier::with_static_keys(self.config(), self.jwks().to_string().as_bytes())
    }

    /// Standard claims: `sub`, `iss`, `aud`, `iat` now, `exp` after `lifetime`, `permissions`.
    pub fn claims<I, S>(&self, subject: &str, permissions: I, lifetime: Duration) -> Value
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let now = now_secs();
        let permissions: Vec<String> = permissions
            .into_iter()
            .map(|p| p.as_ref().to_owned())
            .collect();
        json!({
            "sub": subject,
            "iss": self.issuer,
            "aud": [self.audience, format!("{}userinfo", self.issuer)],
            "iat": now,
            "exp": now + lifetime.as_secs(),
            "permissions": permissions,
        })
    }

    /// A token for `role`, valid for `lifetime`.
    pub fn token_for_role(&self, role: Role, lifetime: Duration) -> String {
        let subject = format!("dev|{}", role.name().to_lowercase().replace(' ', "-"));
        let permissions = role.permissions().iter().map(Permission::as_str);
        self.sign(&self.claims(&subject, permissions, lifetime))
    }

    /// A token holding exactly these permission strings.
    pub fn token_with_permissions<I, S>(
        &self,
        subject: &str,
        permissions: I,
        lifetime: Duration,
    ) -> String
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.sign(&self.claims(subject, permissions, lifetime))
    }

    /// Signs `claims` with RS256 under this key's `kid`.
    pub fn sign(&self, claims: &Value) -> String {
        let header = json!({ "alg": "RS256", "typ": "JWT", "kid": self.kid });
        self.sign_with(&header, claims, &signature::RSA_PKCS1_SHA256)
    }

    /// Signs any header and claims with this key, PKCS#1 v1.5 SHA-256 (RS256): for tests that
    /// need a token the verifier must refuse.
    pub fn sign_rs256(&self, header: &Value, claims: &Value) -> String {
        self.sign_with(header, claims, &signature::RSA_PKCS1_SHA256)
    }

    /// Signs any header and claims with this key, PSS SHA-256 (PS256).
    pub fn sign_ps256(&self, header: &Value, claims: &Value) -> String {
        self.sign_with(header, claims, &signature::RSA_PSS_SHA256)
    }

    fn sign_with(
        &self,
        header: &Value,
        claims: &Value,
        encoding: &'static dyn RsaEncoding,
    ) -> String {
        let message = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let mut signature = vec![0; self.key.public_modulus_len()];
        // Signing with a key we generated into a buffer of the modulus length cannot fail.
        if self
            .key
            .sign(encoding, &self.rng, message.as_bytes(), &mut signature)
            .is_err()
        {
            signature.clear();
        }
        format!("{message}.{}", URL_SAFE_NO_PAD.encode(signature))
    }
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
