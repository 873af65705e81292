//! LookupEvents `NextToken`: where the next page starts in the audit log, bound to the request
//! parameters that produced it (a token reused with other parameters is refused, as in AWS).

use crate::generated::LookupEventsRequest;
use crate::query::Scope;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use std::fmt::Write as _;

/// Token format version.
const VERSION: &str = "1";
/// Longest token accepted.
const MAX_TOKEN: usize = 256;

/// A position in the audit log, exclusive: the next page holds events logged before line
/// `line` of entry `seq`, then events of older entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cursor {
    pub seq: u64,
    pub line: usize,
}

impl Cursor {
    /// After the newest event: a first page.
    pub const END: Cursor = Cursor {
        seq: u64::MAX,
        line: usize::MAX,
    };
}

/// A short digest of the parameters a token must be reused with (not MaxResults or NextToken).
pub(crate) fn fingerprint(input: &LookupEventsRequest, scope: Scope<'_>) -> String {
    let mut canonical = format!("{}\n{}\n", scope.account, scope.region);
    for attribute in input.lookup_attributes.iter().flatten() {
        let key = attribute.attribute_key.as_ref().map(|k| k.as_str());
        let value = attribute.attribute_value.as_deref();
        let _ = writeln!(canonical, "a={key:?}={value:?}");
    }
    let millis = |t: Option<crate::generated::Timestamp>| t.map(|t| t.epoch_millis());
    let _ = writeln!(canonical, "s={:?}", millis(input.start_time));
    let _ = writeln!(canonical, "e={:?}", millis(input.end_time));
    let category = input.event_category.as_ref().map(|c| c.as_str());
    let _ = writeln!(canonical, "c={category:?}");
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, canonical.as_bytes());
    digest.as_ref()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The token for `cursor`.
pub(crate) fn encode(cursor: Cursor, fingerprint: &str) -> String {
    let plain = format!("{VERSION}.{}.{}.{fingerprint}", cursor.seq, cursor.line);
    URL_SAFE_NO_PAD.encode(plain)
}

/// The cursor in `token`, if it is well formed and was issued for `fingerprint`.
pub(crate) fn decode(token: &str, fingerprint: &str) -> Option<Cursor> {
    if token.len() > MAX_TOKEN {
        return None;
    }
    let plain = String::from_utf8(URL_SAFE_NO_PAD.decode(token).ok()?).ok()?;
    let mut parts = plain.split('.');
    let (version, seq, line, bound) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || version != VERSION || bound != fingerprint {
        return None;
    }
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(seq) || !digits(line) {
        return None;
    }
    Some(Cursor {
        seq: seq.parse().ok()?,
        line: line.parse().ok()?,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::generated::{LookupAttribute, LookupAttributeKey};

    const SCOPE: Scope<'static> = Scope {
        account: "111122223333",
        region: "us-east-1",
    };

    fn request(name: &str) -> LookupEventsRequest {
        LookupEventsRequest {
            lookup_attributes: Some(vec![LookupAttribute {
                attribute_key: Some(LookupAttributeKey::EventName),
                attribute_value: Some(name.to_owned()),
            }]),
            max_results: Some(1),
            ..Default::default()
        }
    }

    #[test]
    fn tokens_round_trip_and_bind_parameters() {
        let fp = fingerprint(&request("CreateKey"), SCOPE);
        let cursor = Cursor { seq: 42, line: 7 };
        let token = encode(cursor, &fp);
        assert_eq!(decode(&token, &fp), Some(cursor));
        let mut more = request("CreateKey");
        more.max_results = Some(50);
        assert_eq!(
            fingerprint(&more, SCOPE),
            fp,
            "MaxResults may change between pages"
        );
        assert_ne!(fingerprint(&request("Encrypt"), SCOPE), fp);
        let other = Scope {
            account: "444455556666",
            ..SCOPE
        };
        assert_ne!(fingerprint(&request("CreateKey"), other), fp);
        assert_eq!(
            decode(&token, &fingerprint(&request("Encrypt"), SCOPE)),
            None
        );
    }

    #[test]
    fn malformed_tokens_are_refused() {
        let fp = fingerprint(&request("CreateKey"), SCOPE);
        for bad in [
            String::new(),
            "!!!".to_owned(),
            URL_SAFE_NO_PAD.encode(format!("2.1.1.{fp}")),
            URL_SAFE_NO_PAD.encode(format!("1.x.1.{fp}")),
            URL_SAFE_NO_PAD.encode(format!("1.-1.1.{fp}")),
            URL_SAFE_NO_PAD.encode(format!("1.1.1.{fp}.9")),
            URL_SAFE_NO_PAD.encode(format!("1.99999999999999999999999.1.{fp}")),
            "A".repeat(MAX_TOKEN + 1),
        ] {
            assert_eq!(decode(&bad, &fp), None, "{bad}");
        }
    }
}
