//! "Parameter Store Change" events, published in the transaction of the change (the events
//! module puts them on the account's default bus). The detail is AWS's:
//! `{"operation", "name", "type", "description"}` (plus `labels` for LabelParameterVersion).

use crate::names::arn_in;
use rampart_core::RequestContext;
use rampart_module::{ServiceEvent, publish};
use rampart_store::Write;
use serde_json::{Value, json};

/// What changed.
pub struct Change<'a> {
    /// `Create`, `Update`, `Delete` or `LabelParameterVersion`.
    pub operation: &'a str,
    pub name: &'a str,
    pub kind: &'a str,
    pub description: Option<&'a str>,
    pub labels: Option<&'a [String]>,
}

/// The write publishing `change` of the caller's parameter at `time_ms`.
pub fn change_event(ctx: &RequestContext, change: &Change<'_>, time_ms: i64) -> Write {
    let (account, region) = (ctx.account().as_str(), ctx.region.as_str());
    change_event_in(account, region, change, time_ms)
}

/// The write publishing `change` of a parameter of `account`/`region` at `time_ms`.
pub fn change_event_in(account: &str, region: &str, change: &Change<'_>, time_ms: i64) -> Write {
    let mut detail = json!({
        "operation": change.operation,
        "name": change.name,
        "type": change.kind,
        "description": change.description.unwrap_or_default(),
    });
    if let (Some(labels), Value::Object(map)) = (change.labels, &mut detail) {
        map.insert("labels".into(), json!(labels));
    }
    publish(&ServiceEvent {
        account: account.to_owned(),
        region: region.to_owned(),
        source: "aws.ssm".into(),
        detail_type: "Parameter Store Change".into(),
        resources: vec![arn_in(account, region, change.name)],
        detail,
        time_ms,
    })
}
