//! Request context: condition keys (case-insensitive, multi-valued) and builders for the
//! global keys (aws:CurrentTime, aws:SourceIp, aws:SecureTransport, request/resource tags).

use std::collections::BTreeMap;
use std::net::IpAddr;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Condition keys of one request. Keys are stored lower-cased (AWS treats them
/// case-insensitively); values keep their case.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Context {
    values: BTreeMap<String, Vec<String>>,
    current_time: Option<OffsetDateTime>,
}

impl Context {
    /// An empty context.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `key` to one value (replacing any earlier values).
    pub fn with(mut self, key: &str, value: impl Into<String>) -> Self {
        self.set(key, value);
        self
    }

    /// Sets `key` to several values (a multi-valued key such as aws:TagKeys).
    pub fn with_values<I, S>(mut self, key: &str, values: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.set_values(key, values);
        self
    }

    /// Sets `key` to one value.
    pub fn set(&mut self, key: &str, value: impl Into<String>) {
        self.values
            .insert(key.to_ascii_lowercase(), vec![value.into()]);
    }

    /// Sets `key` to several values.
    pub fn set_values<I, S>(&mut self, key: &str, values: I)
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let values = values.into_iter().map(Into::into).collect();
        self.values.insert(key.to_ascii_lowercase(), values);
    }

    /// aws:CurrentTime (ISO 8601, UTC) and aws:EpochTime (seconds).
    pub fn with_current_time(mut self, now: OffsetDateTime) -> Self {
        let utc = now.to_offset(time::UtcOffset::UTC);
        let iso = utc.format(&Rfc3339).unwrap_or_default();
        self.set("aws:CurrentTime", iso);
        self.set("aws:EpochTime", utc.unix_timestamp().to_string());
        self.current_time = Some(utc);
        self
    }

    /// aws:SourceIp.
    pub fn with_source_ip(self, ip: IpAddr) -> Self {
        self.with("aws:SourceIp", ip.to_string())
    }

    /// aws:SecureTransport.
    pub fn with_secure_transport(self, secure: bool) -> Self {
        self.with("aws:SecureTransport", secure.to_string())
    }

    /// aws:RequestTag/<key> for each tag, and aws:TagKeys listing the keys.
    pub fn with_request_tags<'t, I>(mut self, tags: I) -> Self
    where
        I: IntoIterator<Item = (&'t str, &'t str)>,
    {
        let mut keys = Vec::new();
        for (k, v) in tags {
            self.set(&format!("aws:RequestTag/{k}"), v);
            keys.push(k.to_string());
        }
        self.set_values("aws:TagKeys", keys);
        self
    }

    /// aws:ResourceTag/<key> for each tag of the resource.
    pub fn with_resource_tags<'t, I>(mut self, tags: I) -> Self
    where
        I: IntoIterator<Item = (&'t str, &'t str)>,
    {
        for (k, v) in tags {
            self.set(&format!("aws:ResourceTag/{k}"), v);
        }
        self
    }

    /// A binary key (compared by BinaryEquals): stored base64-encoded, as AWS passes it.
    pub fn with_binary(self, key: &str, bytes: &[u8]) -> Self {
        use base64::Engine as _;
        let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
        self.with(key, encoded)
    }

    /// All values of `key` (any case), if present.
    pub fn get(&self, key: &str) -> Option<&[String]> {
        if key.bytes().any(|b| b.is_ascii_uppercase()) {
            return self.get_lower(&key.to_ascii_lowercase());
        }
        self.get_lower(key)
    }

    /// The single value of `key`, if it has exactly one.
    pub fn get_one(&self, key: &str) -> Option<&str> {
        match self.get(key)? {
            [one] => Some(one),
            _ => None,
        }
    }

    /// The time set by [`Context::with_current_time`].
    pub fn current_time(&self) -> Option<OffsetDateTime> {
        self.current_time
    }

    /// Lookup by an already lower-cased key (the compiled policies store keys that way).
    pub(crate) fn get_lower(&self, key_lower: &str) -> Option<&[String]> {
        self.values.get(key_lower).map(Vec::as_slice)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_case_insensitive() {
        let c = Context::new().with("kms:EncryptionContext:Dept", "Eng");
        assert_eq!(c.get_one("KMS:encryptioncontext:dept"), Some("Eng"));
    }

    #[test]
    fn globals() {
        let t = OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap();
        let c = Context::new()
            .with_current_time(t)
            .with_source_ip("10.0.0.1".parse().unwrap())
            .with_secure_transport(true)
            .with_request_tags([("Team", "a"), ("Env", "b")]);
        assert_eq!(c.get_one("aws:currenttime"), Some("2023-11-14T22:13:20Z"));
        assert_eq!(c.get_one("aws:EpochTime"), Some("1700000000"));
        assert_eq!(c.get_one("aws:SourceIp"), Some("10.0.0.1"));
        assert_eq!(c.get_one("aws:SecureTransport"), Some("true"));
        assert_eq!(c.get_one("aws:RequestTag/team"), Some("a"));
        assert_eq!(c.get("aws:TagKeys").unwrap().len(), 2);
    }
}
