//! The command line: subcommands, and every setting as a flag or an environment variable.
//!
//! clap reads each setting from its flag or its variable (the flag wins) into its type, with the
//! parsers in `values`; the settings that depend on each other are checked together by
//! [`Config::from_settings`](crate::config::Config::from_settings).

use std::net::IpAddr;

use casting_auth0::TokenCacheSettings;
use casting_core::service::DEFAULT_IDEMPOTENCY_TTL;
use casting_http::{ConnectionLimits, HttpConfig, RateLimitConfig};
use casting_store_postgres::PoolSettings;
use clap::{ArgAction, Args, CommandFactory, FromArgMatches, Parser, Subcommand};

pub mod values;

use values::{Listen, LogFormat, Networks, Origins, Seconds};

/// The casting REST API: movies, actors and their casts behind Auth0 tokens.
///
/// Every setting can be given as a flag or as an environment variable (also read from `.env`).
/// With none set, the server runs in development mode: memory store, sample catalogue, a
/// signing key made at start with one printed token per role, loopback only.
#[derive(Debug, Parser)]
#[command(name = "casting-server", version, about, long_about)]
pub struct Cli {
    /// What to do (default: serve).
    #[command(subcommand)]
    pub command: Option<Command>,
    /// The server's settings.
    #[command(flatten)]
    pub settings: Settings,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API (the default).
    Serve,
    /// Print the OpenAPI document (JSON) and exit.
    Openapi,
    /// Ask the server on this host (HOST, PORT; a wildcard HOST on loopback) for /health:
    /// exit 0 when it answers 200, 1 otherwise. For a container's HEALTHCHECK.
    Health,
    /// Adopt the original Flask app's PostgreSQL database at DATABASE_URL: report what would
    /// change (the default), or convert it in place with --apply, keeping every id.
    Adopt {
        /// Convert the database, in one transaction (without it, nothing changes).
        #[arg(long)]
        apply: bool,
        /// Move rows that break a rule, and their links, to quarantine_* tables instead of
        /// stopping.
        #[arg(long)]
        quarantine: bool,
    },
}

/// Every setting: a flag, or the environment variable named after it (the flag wins). The
/// defaults are written here once, most of them taken from the library type they configure.
#[derive(Debug, Args)]
pub struct Settings {
    /// Address to listen on; development auth allows loopback only
    #[arg(long, env = "HOST", global = true, value_parser = values::host, default_value = "127.0.0.1")]
    pub host: IpAddr,
    /// Port to listen on; 0 picks a free one
    #[arg(long, env = "PORT", global = true, value_parser = values::port, default_value_t = 8080)]
    pub port: u16,
    /// PostgreSQL URL; migrations run at start [default: unset, the memory store]
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true, value_parser = values::database_url)]
    pub database_url: Option<String>,
    /// Database connections this instance opens
    #[arg(long, env = "DATABASE_POOL_SIZE", global = true,
          value_parser = values::number::<u32>(1, 1000, "a number from 1 to 1000"),
          default_value_t = PoolSettings::default().max_connections)]
    pub database_pool_size: u32,
    /// Seconds a query waits for a database connection before a 503
    #[arg(long, env = "DATABASE_POOL_TIMEOUT_SECS", global = true, value_parser = values::seconds,
          default_value_t = Seconds(PoolSettings::default().acquire_timeout))]
    pub database_pool_timeout_secs: Seconds,
    /// Auth0 tenant, e.g. example.eu.auth0.com [default: unset, development auth]
    #[arg(long, env = "AUTH0_DOMAIN", global = true, value_parser = values::domain)]
    pub auth0_domain: Option<String>,
    /// Development auth (a key made at start, printed tokens, loopback only) although
    /// DATABASE_URL is set: --dev, or DEV_AUTH=1 [default: only when neither DATABASE_URL nor
    /// AUTH0_DOMAIN is set]
    #[arg(
        long = "dev",
        env = "DEV_AUTH",
        global = true,
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "1",
        value_parser = values::switch
    )]
    pub dev_auth: Option<bool>,
    /// The API identifier tokens must be issued for; required with AUTH0_DOMAIN [default: unset]
    #[arg(long, env = "AUTH0_AUDIENCE", global = true, value_parser = values::text)]
    pub auth0_audience: Option<String>,
    /// Another name for AUTH0_AUDIENCE [default: unset]
    #[arg(long, env = "API_AUDIENCE", global = true, value_parser = values::text)]
    pub api_audience: Option<String>,
    /// Expected token issuer [default: https://{AUTH0_DOMAIN}/]
    #[arg(long, env = "AUTH0_ISSUER", global = true, value_parser = values::text)]
    pub auth0_issuer: Option<String>,
    /// Signing keys: https, or http to a loopback host [default: https://{AUTH0_DOMAIN}/.well-known/jwks.json]
    #[arg(long, env = "AUTH0_JWKS_URI", global = true, value_parser = values::text)]
    pub auth0_jwks_uri: Option<String>,
    /// Memory for verified tokens, in bytes; 0 turns the cache off
    #[arg(long, env = "TOKEN_CACHE_MAX_BYTES", global = true,
          value_parser = values::number::<usize>(0, 1 << 30, "a number of bytes from 0 (off) to 1073741824"),
          default_value_t = TokenCacheSettings::default().max_bytes)]
    pub token_cache_max_bytes: usize,
    /// Browser origins allowed to call the API, comma-separated, or *
    #[arg(long, env = "CORS_ALLOWED_ORIGINS", global = true, value_parser = values::origins,
          default_value_t = Origins::Any)]
    pub cors_allowed_origins: Origins,
    /// Connections open at once; at the cap the longest-idle one makes room
    #[arg(long, env = "MAX_CONNECTIONS", global = true,
          value_parser = values::number::<usize>(1, 1_000_000, "a number from 1 to 1000000"),
          default_value_t = ConnectionLimits::default().max_connections)]
    pub max_connections: usize,
    /// Seconds a request's head may take to arrive
    #[arg(long, env = "HEADER_TIMEOUT_SECS", global = true, value_parser = values::seconds,
          default_value_t = Seconds(ConnectionLimits::default().header_timeout))]
    pub header_timeout_secs: Seconds,
    /// Seconds a connection may sit idle between requests
    #[arg(long, env = "KEEP_ALIVE_TIMEOUT_SECS", global = true, value_parser = values::seconds,
          default_value_t = Seconds(ConnectionLimits::default().keep_alive_timeout))]
    pub keep_alive_timeout_secs: Seconds,
    /// Seconds /ready waits for the store before a 503
    #[arg(long, env = "READY_TIMEOUT_SECS", global = true, value_parser = values::seconds,
          default_value_t = Seconds(HttpConfig::default().ready_timeout))]
    pub ready_timeout_secs: Seconds,
    /// Refuse writes without If-Match with 428: true or false
    #[arg(long, env = "REQUIRE_IF_MATCH", global = true, value_parser = values::boolean,
          action = ArgAction::Set, default_value_t = HttpConfig::default().require_if_match)]
    pub require_if_match: bool,
    /// Seconds an Idempotency-Key is remembered, 1 to 31536000
    #[arg(long, env = "IDEMPOTENCY_TTL_SECS", global = true,
          value_parser = values::number::<u64>(1, 31_536_000, "a whole number of seconds from 1 to 31536000"),
          default_value_t = DEFAULT_IDEMPOTENCY_TTL.as_secs())]
    pub idempotency_ttl_secs: u64,
    /// Days the audit trail keeps entries on PostgreSQL, 1 to 36500; older ones are pruned in the background, and a record whose delete entry is pruned can no longer be restored [default: keep everything]
    #[arg(long, env = "AUDIT_RETENTION_DAYS", global = true,
          value_parser = values::number::<u32>(1, 36_500, "a whole number of days from 1 to 36500"))]
    pub audit_retention_days: Option<u32>,
    /// Authenticated requests per token subject per minute; 0 turns the limit off
    #[arg(long, env = "RATE_LIMIT_PER_MINUTE", global = true,
          value_parser = values::number::<u32>(0, 60_000_000, "a whole number from 0 (off) to 60000000"),
          default_value_t = RateLimitConfig::default().per_minute)]
    pub rate_limit_per_minute: u32,
    /// Requests a subject may send at once above the steady rate
    #[arg(long, env = "RATE_LIMIT_BURST", global = true,
          value_parser = values::number::<u32>(0, 1_000_000, "a whole number from 0 (taken as 1) to 1000000"),
          default_value_t = RateLimitConfig::default().burst)]
    pub rate_limit_burst: u32,
    /// Failed authentications per client address per minute, after which its unverified tokens get 429; 0 turns it off
    #[arg(long, env = "AUTH_FAILURES_PER_MINUTE", global = true,
          value_parser = values::number::<u32>(0, 1_000_000, "a whole number from 0 (off) to 1000000"),
          default_value_t = RateLimitConfig::default().auth_failures_per_minute)]
    pub auth_failures_per_minute: u32,
    /// Proxies whose X-Forwarded-For is believed: addresses and CIDR blocks, comma-separated [default: none]
    #[arg(long, env = "TRUSTED_PROXIES", global = true, value_parser = values::networks)]
    pub trusted_proxies: Option<Networks>,
    /// Where GET /metrics (Prometheus text) listens, host:port, or off [default: off; a free loopback port in development mode]
    #[arg(long, env = "METRICS_ADDR", global = true, value_parser = values::listen)]
    pub metrics_addr: Option<Listen>,
    /// Log filter, tracing's EnvFilter syntax
    #[arg(long, env = "RUST_LOG", global = true, value_parser = values::text, default_value = "info")]
    pub rust_log: String,
    /// Log format: text (for people) or json (one object per line)
    #[arg(long, env = "LOG_FORMAT", global = true, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

impl Cli {
    /// The command line of this process, with the environment: a variable set to blank counts
    /// as unset. A bad value is one line naming its setting (`PORT: "eighty" is not a port
    /// number (0 to 65535)`); `--help` and `--version` print and exit.
    pub fn from_env() -> Result<Self, String> {
        Self::from_args(std::env::args_os(), |name| std::env::var_os(name))
    }

    /// [`from_env`](Self::from_env) over these arguments and this environment.
    ///
    /// clap would read the process environment itself; here each variable comes from `env`
    /// instead: a setting not given as a flag, whose variable is set and not blank, is parsed
    /// as if its flag had been given (`PORT=9090` as `--port=9090`), so a flag still wins and
    /// a bad value names the setting either way.
    pub fn from_args<I, T>(
        args: I,
        env: impl Fn(&str) -> Option<std::ffi::OsString>,
    ) -> Result<Self, String>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        let mut args: Vec<std::ffi::OsString> = args.into_iter().map(Into::into).collect();
        // `--help` shows each setting's variable; parsing reads none of them.
        let parser = Self::command().mut_args(|arg| arg.env(None));
        let given = match parser.clone().try_get_matches_from(&args) {
            Ok(matches) => matches,
            Err(error) if !error.use_stderr() => {
                // Help or version: from the command that names the variables.
                let shown = Self::command().try_get_matches_from(&args);
                return Err(one_line(shown.err().unwrap_or(error)));
            }
            Err(error) => return Err(one_line(error)),
        };
        for arg in Self::command().get_arguments() {
            let (Some(name), Some(long)) = (arg.get_env(), arg.get_long()) else {
                continue;
            };
            let on_the_command_line = given.value_source(arg.get_id().as_str())
                == Some(clap::parser::ValueSource::CommandLine);
            let Some(value) = env(&name.to_string_lossy()) else {
                continue;
            };
            if on_the_command_line || value.to_string_lossy().trim().is_empty() {
                continue;
            }
            let mut flag = std::ffi::OsString::from(format!("--{long}="));
            flag.push(value);
            args.push(flag);
        }
        let matches = parser.try_get_matches_from(&args).map_err(one_line)?;
        Self::from_arg_matches(&matches).map_err(one_line)
    }
}

/// A parse error as one line naming the setting, or clap's own text for help, version and
/// usage errors.
fn one_line(error: clap::Error) -> String {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    if !matches!(
        error.kind(),
        ErrorKind::ValueValidation | ErrorKind::InvalidValue
    ) {
        if error.use_stderr() {
            return error
                .to_string()
                .lines()
                .next()
                .unwrap_or_default()
                .to_owned();
        }
        let _ = error.print();
        std::process::exit(0);
    }
    let setting = match error.get(ContextKind::InvalidArg) {
        Some(ContextValue::String(arg)) => arg
            .split_once('<')
            .and_then(|(_, name)| name.split_once('>'))
            .map_or_else(|| arg.clone(), |(name, _)| name.to_owned()),
        _ => "a setting".to_owned(),
    };
    let reason = std::error::Error::source(&error).map_or_else(
        || match error.get(ContextKind::InvalidValue) {
            Some(ContextValue::String(value)) => format!("{value:?} is not allowed"),
            _ => "is not allowed".to_owned(),
        },
        ToString::to_string,
    );
    format!("{setting}: {reason}")
}

#[cfg(test)]
mod tests;
