//! Entity tags (RFC 9110 §8.8.3): a record's tag is strong and names the record and its
//! version. `"m-12-v3"` is movie 12 at version 3, `"a-5-v1"` actor 5 at version 1.

use casting_core::{ResourceKind, Version};

fn letter(kind: ResourceKind) -> char {
    match kind {
        ResourceKind::Movie => 'm',
        ResourceKind::Actor => 'a',
    }
}

/// The strong entity tag of a record at a version, quotes included.
pub(crate) fn etag(kind: ResourceKind, id: i64, version: Version) -> String {
    format!("\"{}-{id}-v{version}\"", letter(kind))
}

/// The version a tag names for this record, if it is one of its strong tags.
pub(crate) fn version_in(tag: &str, kind: ResourceKind, id: i64) -> Option<Version> {
    let inner = tag.strip_prefix('"')?.strip_suffix('"')?;
    let rest = inner.strip_prefix(letter(kind))?.strip_prefix('-')?;
    let (tagged_id, version) = rest.split_once("-v")?;
    if tagged_id != id.to_string() || !version.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    version.parse().ok().and_then(Version::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(n: i64) -> Option<Version> {
        Version::new(n)
    }

    #[test]
    fn tags_name_the_record_and_its_version() {
        assert_eq!(etag(ResourceKind::Movie, 12, Version::FIRST), "\"m-12-v1\"");
        assert_eq!(version_in("\"m-12-v3\"", ResourceKind::Movie, 12), v(3));
        for other in [
            "\"m-13-v3\"",
            "\"a-12-v3\"",
            "W/\"m-12-v3\"",
            "m-12-v3",
            "\"m-12-v\"",
            "\"m-12-v+3\"",
            "\"m-12-v0\"",
            "\"m-012-v3\"",
        ] {
            assert_eq!(version_in(other, ResourceKind::Movie, 12), None, "{other}");
        }
    }
}
