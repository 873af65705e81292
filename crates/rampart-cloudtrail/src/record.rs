//! One stored audit record read back (a legacy JSON line or a compact record): the fields
//! LookupEvents filters on, the `Username` AWS derives from `userIdentity`, and the `Event` it
//! returns.

use crate::generated::{Event, Resource, Timestamp};
use rampart_audit::StoredEvent;
use serde::Deserialize;
use std::borrow::Cow;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// The parts of a CloudTrail record that LookupEvents reads (the rest stays in the raw JSON).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Record<'a> {
    #[serde(borrow)]
    pub user_identity: Identity<'a>,
    #[serde(borrow)]
    pub event_time: Cow<'a, str>,
    #[serde(borrow)]
    pub event_source: Cow<'a, str>,
    #[serde(borrow)]
    pub event_name: Cow<'a, str>,
    #[serde(borrow)]
    pub aws_region: Cow<'a, str>,
    #[serde(rename = "eventID", borrow)]
    pub event_id: Cow<'a, str>,
    #[serde(default)]
    pub read_only: bool,
    #[serde(default, borrow)]
    pub resources: Vec<RecordResource<'a>>,
    #[serde(borrow)]
    pub recipient_account_id: Cow<'a, str>,
    #[serde(default, borrow)]
    pub event_category: Option<Cow<'a, str>>,
}

/// CloudTrail `userIdentity`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Identity<'a> {
    #[serde(rename = "type", default, borrow)]
    pub kind: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    pub arn: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    pub access_key_id: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    pub user_name: Option<Cow<'a, str>>,
}

/// CloudTrail `resources[]` entry.
#[derive(Debug, Deserialize)]
pub(crate) struct RecordResource<'a> {
    #[serde(rename = "type", default, borrow)]
    pub kind: Option<Cow<'a, str>>,
    #[serde(rename = "ARN", default, borrow)]
    pub arn: Option<Cow<'a, str>>,
}

impl<'a> Record<'a> {
    /// Parses one newline-free JSON line; `None` when it is not a CloudTrail record.
    pub fn parse(line: &'a str) -> Option<Self> {
        serde_json::from_str(line).ok()
    }

    /// The record of a compact stored event, borrowing from it; `None` when its identity is
    /// not JSON (`time` is the event's time in CloudTrail's format).
    pub fn of_stored(event: &'a StoredEvent, time: &'a str) -> Option<Self> {
        Some(Self {
            user_identity: serde_json::from_str(&event.user_identity).ok()?,
            event_time: Cow::Borrowed(time),
            event_source: Cow::Borrowed(&event.event_source),
            event_name: Cow::Borrowed(&event.event_name),
            aws_region: Cow::Borrowed(&event.aws_region),
            event_id: Cow::Borrowed(&event.event_id),
            read_only: event.read_only,
            resources: event
                .resources
                .iter()
                .map(|(_, kind, arn)| RecordResource {
                    kind: Some(Cow::Borrowed(kind)),
                    arn: Some(Cow::Borrowed(arn)),
                })
                .collect(),
            recipient_account_id: Cow::Borrowed(&event.recipient_account_id),
            event_category: None,
        })
    }

    /// `eventTime`, if it is a valid RFC 3339 time.
    pub fn time(&self) -> Option<OffsetDateTime> {
        OffsetDateTime::parse(&self.event_time, &Rfc3339).ok()
    }

    /// True for management events (the only events LookupEvents returns without `insight`).
    pub fn is_management(&self) -> bool {
        self.event_category
            .as_deref()
            .is_none_or(|c| c == "Management")
    }

    /// The access key id that signed the request, if any.
    pub fn access_key_id(&self) -> Option<&str> {
        self.user_identity
            .access_key_id
            .as_deref()
            .filter(|k| !k.is_empty())
    }

    /// The `Username` LookupEvents shows for this record.
    pub fn username(&self) -> Option<String> {
        username(&self.user_identity)
    }

    /// The LookupEvents `Event` for this record; `raw` is its stored JSON.
    pub fn to_event(&self, time: OffsetDateTime, raw: &str) -> Event {
        let resources = self
            .resources
            .iter()
            .map(|r| Resource {
                resource_name: r.arn.as_deref().map(str::to_owned),
                resource_type: r.kind.as_deref().map(str::to_owned),
            })
            .collect();
        Event {
            access_key_id: self.access_key_id().map(str::to_owned),
            cloud_trail_event: Some(raw.to_owned()),
            event_id: Some(self.event_id.clone().into_owned()),
            event_name: Some(self.event_name.clone().into_owned()),
            event_source: Some(self.event_source.clone().into_owned()),
            event_time: Some(Timestamp(time)),
            read_only: Some(self.read_only.to_string()),
            resources: Some(resources),
            username: self.username(),
        }
    }
}

/// The user name AWS shows for an identity: `root` for the root user, the user name of an IAM
/// user, the session name of an assumed role, the name of a federated user; otherwise the
/// record's `userName`, if any (AWS services and other accounts have none).
pub(crate) fn username(identity: &Identity<'_>) -> Option<String> {
    let arn = identity.arn.as_deref().unwrap_or_default();
    let resource = arn.splitn(6, ':').nth(5).unwrap_or_default();
    let named = match identity.kind.as_deref() {
        Some("Root") => Some("root"),
        Some("IAMUser") => identity
            .user_name
            .as_deref()
            .or_else(|| resource.strip_prefix("user/").and_then(last_segment)),
        Some("AssumedRole") => resource
            .strip_prefix("assumed-role/")
            .and_then(|rest| rest.split_once('/'))
            .map(|(_, session)| session),
        Some("FederatedUser") => resource.strip_prefix("federated-user/"),
        _ => identity.user_name.as_deref(),
    };
    named.filter(|n| !n.is_empty()).map(str::to_owned)
}

/// The last `/`-separated part of an IAM path-and-name.
fn last_segment(path: &str) -> Option<&str> {
    path.rsplit('/').next()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn identity(json: &str) -> Option<String> {
        let identity: Identity<'_> = serde_json::from_str(json).unwrap();
        username(&identity)
    }

    #[test]
    fn usernames_follow_aws_rules() {
        let root = r#"{"type":"Root","arn":"arn:aws:iam::111122223333:root"}"#;
        assert_eq!(identity(root).as_deref(), Some("root"));
        let user = r#"{"type":"IAMUser","arn":"arn:aws:iam::1:user/ops/Alice","userName":"Alice"}"#;
        assert_eq!(identity(user).as_deref(), Some("Alice"));
        let user_no_name = r#"{"type":"IAMUser","arn":"arn:aws:iam::1:user/ops/Bob"}"#;
        assert_eq!(identity(user_no_name).as_deref(), Some("Bob"));
        let role = r#"{"type":"AssumedRole",
            "arn":"arn:aws:sts::1:assumed-role/Deployer/ci-run-7",
            "sessionContext":{"sessionIssuer":{"userName":"Deployer"}}}"#;
        assert_eq!(identity(role).as_deref(), Some("ci-run-7"));
        let fed = r#"{"type":"FederatedUser","arn":"arn:aws:sts::1:federated-user/Carol"}"#;
        assert_eq!(identity(fed).as_deref(), Some("Carol"));
        let other = r#"{"type":"AWSAccount","principalId":"AIDAX","accountId":"444455556666"}"#;
        assert_eq!(identity(other), None);
        let service = r#"{"type":"AWSService","invokedBy":"kms.amazonaws.com"}"#;
        assert_eq!(identity(service), None);
    }

    #[test]
    fn records_parse_and_render() {
        let line = r#"{"eventVersion":"1.08","userIdentity":{"type":"Root","principalId":"1","arn":"arn:aws:iam::111122223333:root","accountId":"111122223333","accessKeyId":"AKIAX"},"eventTime":"2026-01-02T03:04:05Z","eventSource":"kms.amazonaws.com","eventName":"CreateKey","awsRegion":"us-east-1","sourceIPAddress":"127.0.0.1","userAgent":"ua","requestParameters":{"eventTime":"x"},"responseElements":null,"requestID":"r","eventID":"e-1","readOnly":false,"resources":[{"accountId":"111122223333","type":"AWS::KMS::Key","ARN":"arn:aws:kms:us-east-1:111122223333:key/k"}],"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"111122223333","eventCategory":"Management"}"#;
        let record = Record::parse(line).unwrap();
        let time = record.time().unwrap();
        assert_eq!(time.unix_timestamp(), 1_767_323_045);
        let event = record.to_event(time, line);
        assert_eq!(event.event_id.as_deref(), Some("e-1"));
        assert_eq!(event.read_only.as_deref(), Some("false"));
        assert_eq!(event.username.as_deref(), Some("root"));
        assert_eq!(event.access_key_id.as_deref(), Some("AKIAX"));
        let resources = event.resources.unwrap();
        assert_eq!(resources[0].resource_type.as_deref(), Some("AWS::KMS::Key"));
        assert_eq!(event.cloud_trail_event.as_deref(), Some(line));
        assert!(record.is_management());
        assert!(Record::parse("not json").is_none());
    }
}
