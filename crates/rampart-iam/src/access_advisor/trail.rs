//! Reading the audit trail for access advisor: every call an entity of interest made within
//! the tracking period (AWS: 400 days), denied ones included (AWS reports all attempts).
//! The trail is read newest first (`rampart_audit::NewestFirst`) until an entry older than the period
//! (by more than the slack with which records are logged out of time order). The entity of
//! a call is the IAM user (`userIdentity.type` `IAMUser`) or the role of an assumed-role
//! session (`sessionContext.sessionIssuer.arn`); only the copy of a record kept for the
//! entity's own account counts, and a call recorded by intent and final record counts once
//! in effect (the latest time wins, the entity set is a set).

use rampart_audit::{NewestFirst, StoredRecord, decode_entry, first_record};
use rampart_store::{Store, StoreError};
use serde_json::Value;
use std::collections::HashSet;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// The tracking period, seconds (400 days).
pub(crate) const PERIOD_S: i64 = 400 * 86_400;
/// How far out of time order records may be logged, seconds.
const SKEW_S: i64 = 15 * 60;

/// One attempt of an entity on a service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Attempt {
    /// Unix seconds.
    pub time: i64,
    /// The service namespace (`kms` of `kms.amazonaws.com`).
    pub namespace: String,
    /// The operation (`eventName`).
    pub action: String,
    pub region: String,
    /// The user or role ARN.
    pub entity: String,
}

/// The attempts in `log` of the entities `arns` of `account` since `now_s - PERIOD_S`.
pub(crate) async fn attempts(
    store: &Store,
    log: &'static str,
    account: &str,
    arns: &HashSet<String>,
    now_s: i64,
) -> Result<Vec<Attempt>, StoreError> {
    let since = now_s - PERIOD_S;
    let mut out = Vec::new();
    let mut walk = NewestFirst::new(store, log, u64::MAX);
    loop {
        let entries = walk.next_batch().await?;
        if entries.is_empty() {
            return Ok(out);
        }
        for (_, entry) in &entries {
            let first = first_record(entry).and_then(|r| seen(&r));
            if first.is_some_and(|s| s.time < since - SKEW_S) {
                return Ok(out);
            }
            for record in decode_entry(entry) {
                let Some(seen) = seen(&record) else { continue };
                if seen.time >= since && seen.recipient == account {
                    out.extend(seen.attempt(arns));
                }
            }
        }
    }
}

/// What access advisor reads of one record.
struct Seen {
    time: i64,
    source: String,
    name: String,
    region: String,
    identity: Value,
    recipient: String,
}

impl Seen {
    /// The attempt, when the caller is one of `arns`.
    fn attempt(self, arns: &HashSet<String>) -> Option<Attempt> {
        let entity = entity_of(&self.identity)?;
        if !arns.contains(entity) {
            return None;
        }
        let namespace = self.source.strip_suffix(".amazonaws.com")?;
        Some(Attempt {
            time: self.time,
            namespace: namespace.to_owned(),
            action: self.name,
            region: self.region,
            entity: entity.to_owned(),
        })
    }
}

/// The record's facts; `None` for a record that is no API call or cannot be read.
fn seen(record: &StoredRecord) -> Option<Seen> {
    match record {
        StoredRecord::Compact(event) => {
            if event.event_type.is_some() {
                return None;
            }
            Some(Seen {
                time: event.time,
                source: event.event_source.clone(),
                name: event.event_name.clone(),
                region: event.aws_region.clone(),
                identity: serde_json::from_str(&event.user_identity).ok()?,
                recipient: event.recipient_account_id.clone(),
            })
        }
        StoredRecord::Json(line) => legacy(line),
    }
}

/// A record of a legacy JSON entry.
fn legacy(line: &str) -> Option<Seen> {
    let value: Value = serde_json::from_str(line).ok()?;
    let text = |key: &str| value.get(key).and_then(Value::as_str).map(str::to_owned);
    if text("eventType").is_some_and(|t| t != "AwsApiCall") {
        return None;
    }
    let time = OffsetDateTime::parse(&text("eventTime")?, &Rfc3339).ok()?;
    Some(Seen {
        time: time.unix_timestamp(),
        source: text("eventSource")?,
        name: text("eventName")?,
        region: text("awsRegion")?,
        identity: value.get("userIdentity")?.clone(),
        recipient: text("recipientAccountId")?,
    })
}

/// The IAM user or role behind a `userIdentity`.
pub(crate) fn entity_of(identity: &Value) -> Option<&str> {
    match identity.get("type").and_then(Value::as_str)? {
        "IAMUser" => identity.get("arn").and_then(Value::as_str),
        "AssumedRole" => identity
            .get("sessionContext")?
            .get("sessionIssuer")?
            .get("arn")
            .and_then(Value::as_str),
        _ => None,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn users_and_role_sessions_are_entities() {
        let user = json!({"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/a"});
        assert_eq!(entity_of(&user), Some("arn:aws:iam::111122223333:user/a"));
        let session = json!({"type": "AssumedRole",
            "arn": "arn:aws:sts::111122223333:assumed-role/r/s",
            "sessionContext": {"sessionIssuer": {"type": "Role",
                "arn": "arn:aws:iam::111122223333:role/r"}}});
        assert_eq!(
            entity_of(&session),
            Some("arn:aws:iam::111122223333:role/r")
        );
        assert_eq!(entity_of(&json!({"type": "Root"})), None);
    }

    #[test]
    fn legacy_lines_are_read() {
        let line = json!({"eventTime": "2026-01-02T03:04:05Z", "eventSource": "kms.amazonaws.com",
            "eventName": "Encrypt", "awsRegion": "us-east-1", "recipientAccountId": "111122223333",
            "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/a"}});
        let seen = legacy(&line.to_string()).unwrap();
        let arns = HashSet::from([String::from("arn:aws:iam::111122223333:user/a")]);
        let attempt = seen.attempt(&arns).unwrap();
        assert_eq!(attempt.namespace, "kms");
        assert_eq!(attempt.action, "Encrypt");
        assert_eq!(attempt.time, 1_767_323_045);
    }
}
