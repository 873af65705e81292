//! PutPermission / RemovePermission: the bus resource policy DescribeEventBus shows, built
//! statement by statement (Action `events:PutEvents`, an account or `*` as Principal, an
//! optional Condition) or replaced whole (`Policy`).

use super::buses::caller_bus;
use crate::EventsService;
use crate::access::{authorize, validation};
use crate::generated::errors::{policy_length_exceeded_exception, resource_not_found_exception};
use crate::generated::*;
use crate::store::{BusRecord, is_conflict};
use rampart_core::RequestContext;
use rampart_core::rampart_policy::{Policy, PolicyKind};
use rampart_store::retry_conflicts;
use serde_json::{Value, json};

/// AWS's limit on a bus policy's length.
const MAX_POLICY_BYTES: usize = 10_240;

/// The statement PutPermission's parameters describe.
fn statement(input: &PutPermissionRequest, bus_arn: &str) -> Result<Value, ServiceError> {
    let sid = input.statement_id.clone().ok_or_else(|| {
        validation("Parameter StatementId is required when Policy is not specified.")
    })?;
    if input.action.as_deref() != Some("events:PutEvents") {
        return Err(validation(
            "Provided value in parameter 'action' is not supported.",
        ));
    }
    let principal = match input.principal.as_deref() {
        Some("*") => json!("*"),
        Some(p) if p.len() == 12 && p.bytes().all(|b| b.is_ascii_digit()) => {
            json!({"AWS": format!("arn:aws:iam::{p}:root")})
        }
        _ => return Err(validation("Parameter Principal is not valid.")),
    };
    let mut statement = json!({
        "Sid": sid,
        "Effect": "Allow",
        "Principal": principal,
        "Action": "events:PutEvents",
        "Resource": bus_arn,
    });
    if let Some(c) = &input.condition {
        let (Some(kind), Some(key), Some(value)) = (&c.type_, &c.key, &c.value) else {
            return Err(validation("Parameter Condition is not valid."));
        };
        statement["Condition"] = json!({ kind.as_str(): { key.as_str(): value } });
    }
    Ok(statement)
}

/// The policy's statements (empty for no policy).
fn statements(policy: Option<&str>) -> Vec<Value> {
    policy
        .and_then(|p| serde_json::from_str::<Value>(p).ok())
        .and_then(|v| v.get("Statement").cloned())
        .map(|s| match s {
            Value::Array(items) => items,
            one => vec![one],
        })
        .unwrap_or_default()
}

fn policy_text(statements: Vec<Value>) -> Option<String> {
    (!statements.is_empty())
        .then(|| json!({"Version": "2012-10-17", "Statement": statements}).to_string())
}

/// Checks a whole policy document as a resource policy.
fn check_policy(text: &str) -> Result<(), ServiceError> {
    if text.len() > MAX_POLICY_BYTES {
        return Err(policy_length_exceeded_exception(
            "The policy is larger than the maximum allowed size.",
        ));
    }
    Policy::parse(text, PolicyKind::Resource)
        .map(|_| ())
        .map_err(|e| validation(format!("Parameter Policy is not valid: {e}")))
}

impl EventsService {
    /// Read-modify-write of a bus's policy.
    async fn change_policy(
        &self,
        bus: &crate::store::BusRef,
        change: impl Fn(&BusRecord) -> Result<Option<String>, ServiceError>,
    ) -> Result<(), ServiceError> {
        retry_conflicts(is_conflict, || async {
            let (mut record, version) = self.load_bus(bus).await?;
            record.policy = change(&record)?;
            if let Some(p) = &record.policy {
                check_policy(p)?;
            }
            self.save_bus(bus, &record, version).await
        })
        .await
    }
}

impl PutPermission for EventsService {
    async fn put_permission(
        &self,
        ctx: &RequestContext,
        input: PutPermissionRequest,
    ) -> Result<(), ServiceError> {
        let bus = caller_bus(ctx, input.event_bus_name.as_deref());
        authorize(ctx, "PutPermission", &bus.arn(), &bus.account, None)?;
        if let Some(policy) = &input.policy {
            check_policy(policy)?;
            return self.change_policy(&bus, |_| Ok(Some(policy.clone()))).await;
        }
        let new = statement(&input, &bus.arn())?;
        // A statement id already in the policy has its statement replaced (the model lists no
        // "already exists" error for PutPermission).
        self.change_policy(&bus, |record| {
            let mut all = statements(record.policy.as_deref());
            all.retain(|s| s.get("Sid") != new.get("Sid"));
            all.push(new.clone());
            Ok(policy_text(all))
        })
        .await
    }
}

impl RemovePermission for EventsService {
    async fn remove_permission(
        &self,
        ctx: &RequestContext,
        input: RemovePermissionRequest,
    ) -> Result<(), ServiceError> {
        let bus = caller_bus(ctx, input.event_bus_name.as_deref());
        authorize(ctx, "RemovePermission", &bus.arn(), &bus.account, None)?;
        let all = input.remove_all_permissions.unwrap_or(false);
        let sid = input.statement_id.clone();
        if !all && sid.is_none() {
            return Err(validation(
                "Parameter StatementId is required when RemoveAllPermissions is not true.",
            ));
        }
        self.change_policy(&bus, |record| {
            if record.policy.is_none() {
                return Err(resource_not_found_exception(
                    "EventBus does not have a policy.",
                ));
            }
            if all {
                return Ok(None);
            }
            let mut statements = statements(record.policy.as_deref());
            let before = statements.len();
            statements.retain(|s| s.get("Sid").and_then(Value::as_str) != sid.as_deref());
            if statements.len() == before {
                return Err(resource_not_found_exception(
                    "Statement with the provided id does not exist.",
                ));
            }
            Ok(policy_text(statements))
        })
        .await
    }
}
