//! API destinations as stored: an HTTP endpoint (with `*` path parameters), its method, its
//! connection and its invocation rate limit.

use serde::{Deserialize, Serialize};

/// The table of API destinations: `<account>/<region>/<name>` → [`DestinationRecord`].
pub(crate) const API_DESTINATIONS: &str = "events_api_destinations";

/// AWS's default InvocationRateLimitPerSecond.
pub(crate) const DEFAULT_RATE: i32 = 300;

/// An API destination as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct DestinationRecord {
    pub name: String,
    pub arn: String,
    pub description: Option<String>,
    pub connection_arn: String,
    pub endpoint: String,
    pub http_method: String,
    pub rate_per_second: i32,
    pub created_ms: i64,
    pub modified_ms: i64,
}

/// The `(account, region, name)` of an API destination ARN
/// (`arn:aws:events:<region>:<account>:api-destination/<name>/<uuid>`).
pub(crate) fn parse_arn(arn: &str) -> Option<(&str, &str, &str)> {
    let mut parts = arn.splitn(6, ':');
    let (_, _, service, region, account) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    let rest = parts.next()?.strip_prefix("api-destination/")?;
    let name = rest.split_once('/').map_or(rest, |(name, _)| name);
    (service == "events").then_some((account, region, name))
}

/// `endpoint` with each `*` replaced by the next of `values`, in order; `None` when there
/// are fewer values than `*`s (AWS fails such an invocation).
pub(crate) fn substitute_path(endpoint: &str, values: &[String]) -> Option<String> {
    let mut out = String::with_capacity(endpoint.len());
    let mut next = values.iter();
    for c in endpoint.chars() {
        if c == '*' {
            out.push_str(next.next()?);
        } else {
            out.push(c);
        }
    }
    Some(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn path_parameters_fill_the_stars_in_order() {
        let values = vec!["a".to_owned(), "b".to_owned()];
        assert_eq!(
            substitute_path("https://h/x/*/y/*", &values).unwrap(),
            "https://h/x/a/y/b"
        );
        assert_eq!(substitute_path("https://h/*/*/*", &values), None);
        assert_eq!(substitute_path("https://h/", &[]).unwrap(), "https://h/");
    }

    #[test]
    fn parses_destination_arns() {
        let arn = "arn:aws:events:eu-west-1:123456789012:api-destination/d/1-2";
        assert_eq!(parse_arn(arn), Some(("123456789012", "eu-west-1", "d")));
        assert_eq!(parse_arn("arn:aws:events:r:a:connection/x/y"), None);
    }
}
