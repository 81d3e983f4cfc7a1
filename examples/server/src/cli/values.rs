//! The typed values of the settings, each with the parser clap runs on its flag or variable.
//! A parser's error is the reason alone ("\"eighty\" is not a port number (0 to 65535)"); the
//! command line puts the setting's name in front of it.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::str::FromStr;
use std::time::Duration;

use ipnet::IpNet;

/// A duration in whole or fractional seconds, more than zero and at most a day.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Seconds(pub Duration);

impl fmt::Display for Seconds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.as_secs_f64())
    }
}

/// `10`, `0.5`: more than zero, at most 86400.
pub fn seconds(text: &str) -> Result<Seconds, String> {
    match text.trim().parse::<f64>() {
        Ok(secs) if secs > 0.0 && secs <= 86_400.0 => Ok(Seconds(Duration::from_secs_f64(secs))),
        _ => Err(format!(
            "{text:?} is not a number of seconds between 0 and 86400"
        )),
    }
}

/// A whole number within `min..=max`; the error says what is wanted (`what`).
pub fn number<T>(
    min: T,
    max: T,
    what: &'static str,
) -> impl Fn(&str) -> Result<T, String> + Clone + Send + Sync + 'static
where
    T: FromStr + PartialOrd + Copy + Send + Sync + 'static,
{
    move |text: &str| match text.trim().parse::<T>() {
        Ok(n) if n >= min && n <= max => Ok(n),
        _ => Err(format!("{text:?} is not {what}")),
    }
}

/// An IP address, or `localhost` (127.0.0.1).
pub fn host(text: &str) -> Result<IpAddr, String> {
    match text.trim() {
        "localhost" => Ok(IpAddr::V4(Ipv4Addr::LOCALHOST)),
        trimmed => trimmed
            .parse()
            .map_err(|_| format!("{text:?} is not an IP address")),
    }
}

/// A port number.
pub fn port(text: &str) -> Result<u16, String> {
    number(0, u16::MAX, "a port number (0 to 65535)")(text)
}

/// A PostgreSQL URL.
pub fn database_url(text: &str) -> Result<String, String> {
    let url = text.trim();
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(url.to_owned())
    } else {
        Err("must be a PostgreSQL URL (postgres://user@host:port/database)".to_owned())
    }
}

/// An Auth0 tenant's host name.
pub fn domain(text: &str) -> Result<String, String> {
    let domain = text.trim();
    if domain.contains('/') && !domain.starts_with("https://") {
        Err("must be a host name such as tenant.eu.auth0.com".to_owned())
    } else {
        Ok(domain.to_owned())
    }
}

/// A text setting, trimmed.
pub fn text(text: &str) -> Result<String, String> {
    Ok(text.trim().to_owned())
}

/// A switch: `1`, `true`, `yes`, `on` or `0`, `false`, `no`, `off`.
pub fn switch(text: &str) -> Result<bool, String> {
    match text.trim() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(format!(
            "{text:?} is not a switch: 1 or 0 (true/false, yes/no, on/off)"
        )),
    }
}

/// `true` or `false`, exactly.
pub fn boolean(text: &str) -> Result<bool, String> {
    match text.trim() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(format!("{text:?} is not true or false")),
    }
}

/// Browser origins allowed to call the API; `Any` is `*`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origins {
    /// Every origin.
    Any,
    /// These origins.
    Only(Vec<String>),
}

impl fmt::Display for Origins {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origins::Any => f.write_str("*"),
            Origins::Only(origins) => f.write_str(&origins.join(",")),
        }
    }
}

/// `*`, or a comma list of origins such as `https://app.example.com`.
pub fn origins(text: &str) -> Result<Origins, String> {
    if text.trim() == "*" {
        return Ok(Origins::Any);
    }
    let origins: Vec<String> = text
        .split(',')
        .map(|o| o.trim().trim_end_matches('/').to_owned())
        .filter(|o| !o.is_empty())
        .collect();
    for origin in &origins {
        let rest = origin
            .strip_prefix("https://")
            .or_else(|| origin.strip_prefix("http://"));
        if rest.is_none_or(|host| host.is_empty() || host.contains('/')) {
            return Err(format!(
                "{origin:?} is not an origin like https://app.example.com"
            ));
        }
    }
    Ok(if origins.is_empty() {
        Origins::Any
    } else {
        Origins::Only(origins)
    })
}

/// Addresses and CIDR blocks, comma-separated.
pub fn networks(text: &str) -> Result<Networks, String> {
    text.split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .map(|entry| {
            entry
                .parse::<IpNet>()
                .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| format!("{entry:?} is not an address or a CIDR block like 10.0.0.0/8"))
        })
        .collect::<Result<_, _>>()
        .map(Networks)
}

/// Addresses and blocks ([`networks`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Networks(pub Vec<IpNet>);

/// Where `/metrics` listens: an address, or `off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listen {
    /// Not at all.
    Off,
    /// On this address.
    At(SocketAddr),
}

/// `off`, or `host:port`.
pub fn listen(text: &str) -> Result<Listen, String> {
    match text.trim() {
        "off" => Ok(Listen::Off),
        trimmed => trimmed
            .parse()
            .map(Listen::At)
            .map_err(|_| format!("{text:?} is not an address like 127.0.0.1:9464, or off")),
    }
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// For people: one line per event, colours when the output is a terminal.
    Text,
    /// For machines: one JSON object per line.
    Json,
}

impl fmt::Display for LogFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LogFormat::Text => "text",
            LogFormat::Json => "json",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_parse_and_say_what_is_wanted() {
        assert_eq!(seconds("0.5"), Ok(Seconds(Duration::from_millis(500))));
        assert_eq!(Seconds(Duration::from_secs(10)).to_string(), "10");
        assert_eq!(Seconds(Duration::from_millis(250)).to_string(), "0.25");
        for bad in ["0", "-1", "1e9", "soon"] {
            assert!(seconds(bad).is_err(), "{bad}");
        }
        assert_eq!(
            port("eighty"),
            Err("\"eighty\" is not a port number (0 to 65535)".to_owned())
        );
        assert_eq!(host("localhost"), Ok(IpAddr::V4(Ipv4Addr::LOCALHOST)));
        assert!(host("example.com").is_err());
        assert_eq!(switch("on"), Ok(true));
        assert!(switch("maybe").is_err());
        assert!(boolean("yes").is_err());
        assert_eq!(origins("*"), Ok(Origins::Any));
        assert_eq!(listen("off"), Ok(Listen::Off));
        assert!(listen("9464").is_err());
    }
}
