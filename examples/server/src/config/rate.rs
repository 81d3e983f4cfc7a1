//! The rate-limit settings: `RATE_LIMIT_PER_MINUTE`, `RATE_LIMIT_BURST`,
//! `AUTH_FAILURES_PER_MINUTE`, `TRUSTED_PROXIES`.

use casting_http::RateLimitConfig;
use ipnet::IpNet;

use super::{ConfigError, fail};

/// A whole number from 0 to `max`, or `default` when unset.
fn count(
    variable: &'static str,
    value: Option<String>,
    default: u32,
    max: u32,
    zero: &str,
) -> Result<u32, ConfigError> {
    let Some(text) = value else {
        return Ok(default);
    };
    match text.parse::<u32>() {
        Ok(n) if n <= max => Ok(n),
        _ => fail(
            variable,
            format!("{text:?} is not a whole number from 0 ({zero}) to {max}"),
        ),
    }
}

/// The four settings, checked; unset ones take [`RateLimitConfig::default`]'s values.
pub(super) fn parse(
    per_minute: Option<String>,
    burst: Option<String>,
    auth_failures: Option<String>,
    trusted_proxies: Option<String>,
) -> Result<RateLimitConfig, ConfigError> {
    let defaults = RateLimitConfig::default();
    let per_minute = count(
        "RATE_LIMIT_PER_MINUTE",
        per_minute,
        defaults.per_minute,
        60_000_000,
        "off",
    )?;
    let burst = count(
        "RATE_LIMIT_BURST",
        burst,
        defaults.burst,
        1_000_000,
        "taken as 1",
    )?;
    let auth_failures_per_minute = count(
        "AUTH_FAILURES_PER_MINUTE",
        auth_failures,
        defaults.auth_failures_per_minute,
        1_000_000,
        "off",
    )?;
    let trusted_proxies = match trusted_proxies {
        None => Vec::new(),
        Some(list) => list
            .split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .map(|entry| {
                entry
                    .parse::<IpNet>()
                    .or_else(|_| entry.parse::<std::net::IpAddr>().map(IpNet::from))
                    .or_else(|_| {
                        fail(
                            "TRUSTED_PROXIES",
                            format!("{entry:?} is not an address or a CIDR block like 10.0.0.0/8"),
                        )
                    })
            })
            .collect::<Result<_, _>>()?,
    };
    Ok(RateLimitConfig {
        per_minute,
        burst,
        auth_failures_per_minute,
        trusted_proxies,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn some(text: &str) -> Option<String> {
        Some(text.to_owned())
    }

    #[test]
    fn defaults_zero_and_bad_values() {
        assert_eq!(
            parse(None, None, None, None),
            Ok(RateLimitConfig::default())
        );
        let off = parse(some("0"), None, some("0"), None).unwrap();
        assert_eq!((off.per_minute, off.auth_failures_per_minute), (0, 0));
        for (values, variable) in [
            ((some("-1"), None, None), "RATE_LIMIT_PER_MINUTE"),
            ((None, some("lots"), None), "RATE_LIMIT_BURST"),
            ((None, None, some("1e3")), "AUTH_FAILURES_PER_MINUTE"),
        ] {
            let error = parse(values.0, values.1, values.2, None).unwrap_err();
            assert_eq!(error.variable, variable);
        }
    }

    #[test]
    fn trusted_proxies_are_addresses_and_blocks() {
        let parsed = parse(
            None,
            None,
            None,
            some("10.0.0.0/8, 192.0.2.7,2001:db8::/32,"),
        )
        .unwrap();
        let written: Vec<String> = parsed
            .trusted_proxies
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(written, ["10.0.0.0/8", "192.0.2.7/32", "2001:db8::/32"]);
        let error = parse(None, None, None, some("10.0.0.0/8,proxy.internal")).unwrap_err();
        assert_eq!(error.variable, "TRUSTED_PROXIES");
        assert!(error.message.contains("proxy.internal"), "{error}");
    }
}
