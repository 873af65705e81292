//! PutPermissionPolicy, GetPermissionPolicy and DeletePermissionPolicy on rule groups, the
//! policy checked as AWS documents: IAM policy version 2012-10-17; each statement with
//! Effect Allow, a Principal, no Resource, and the actions wafv2:CreateWebACL,
//! wafv2:UpdateWebACL and wafv2:PutFirewallManagerRuleGroups (wafv2:GetRuleGroup optional),
//! no other and no wildcard.

use crate::Wafv2Service;
use crate::arn::Kind;
use crate::errors::invalid_policy;
use crate::ops::json::text;
use crate::ops::json_op;
use crate::service::{CAS_ATTEMPTS, kept_conflicting};
use rampart_codec::ServiceError;
use rampart_core::RequestContext;
use rampart_store::Expect;
use serde_json::{Value, json};

const REQUIRED: &[&str] = &[
    "wafv2:CreateWebACL",
    "wafv2:UpdateWebACL",
    "wafv2:PutFirewallManagerRuleGroups",
];
const OPTIONAL: &str = "wafv2:GetRuleGroup";
const REASON: &str = "The policy specifications must conform to the following: version 2012-10-17; Effect Allow; Principal; Action wafv2:CreateWebACL, wafv2:UpdateWebACL and wafv2:PutFirewallManagerRuleGroups, optionally wafv2:GetRuleGroup; no Resource.";

/// Checks a permission policy document.
pub fn check_policy(text: &str) -> Result<(), ServiceError> {
    let doc: Value = serde_json::from_str(text).map_err(|_| invalid_policy(REASON))?;
    if doc.get("Version").and_then(Value::as_str) != Some("2012-10-17") {
        return Err(invalid_policy(REASON));
    }
    let statements = match doc.get("Statement") {
        Some(Value::Array(list)) if !list.is_empty() => list.clone(),
        Some(one @ Value::Object(_)) => vec![one.clone()],
        _ => return Err(invalid_policy(REASON)),
    };
    if statements.iter().all(valid_statement) {
        Ok(())
    } else {
        Err(invalid_policy(REASON))
    }
}

fn valid_statement(statement: &Value) -> bool {
    let actions: Vec<&str> = match statement.get("Action") {
        Some(Value::String(one)) => vec![one.as_str()],
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).collect(),
        _ => return false,
    };
    let known = actions
        .iter()
        .all(|a| REQUIRED.contains(a) || *a == OPTIONAL);
    let complete = REQUIRED.iter().all(|r| actions.contains(r));
    statement.get("Effect").and_then(Value::as_str) == Some("Allow")
        && statement.get("Principal").is_some()
        && statement.get("Resource").is_none()
        && statement.get("NotAction").is_none()
        && known
        && complete
}

impl Wafv2Service {
    /// Sets the policy of the caller's rule group `arn`.
    async fn set_policy(
        &self,
        ctx: &RequestContext,
        arn: &str,
        policy: Option<String>,
    ) -> Result<Value, ServiceError> {
        for _ in 0..CAS_ATTEMPTS {
            let found = self
                .find_arn(ctx, arn, Some(Kind::RuleGroup), "RESOURCE_ARN")
                .await?;
            let mut record = found.value;
            record.policy = policy.clone();
            if self
                .commit(&record, Expect::Version(found.version), Vec::new())
                .await?
            {
                return Ok(json!({}));
            }
        }
        Err(kept_conflicting())
    }
}

json_op!(
    PutPermissionPolicy,
    put_permission_policy,
    PutPermissionPolicyRequest,
    PutPermissionPolicyResponse,
    |s, ctx, m| async {
        let policy = text(&m, "Policy");
        check_policy(policy)?;
        s.set_policy(ctx, text(&m, "ResourceArn"), Some(policy.to_owned()))
            .await
    }
);

json_op!(
    DeletePermissionPolicy,
    delete_permission_policy,
    DeletePermissionPolicyRequest,
    DeletePermissionPolicyResponse,
    |s, ctx, m| s.set_policy(ctx, text(&m, "ResourceArn"), None)
);

json_op!(
    GetPermissionPolicy,
    get_permission_policy,
    GetPermissionPolicyRequest,
    GetPermissionPolicyResponse,
    |s, ctx, m| async {
        let found = s
            .find_arn(
                ctx,
                text(&m, "ResourceArn"),
                Some(Kind::RuleGroup),
                "RESOURCE_ARN",
            )
            .await?;
        Ok(match found.value.policy {
            Some(policy) => json!({"Policy": policy}),
            None => json!({}),
        })
    }
);

#[cfg(test)]
mod tests {
    use super::check_policy;
    use serde_json::json;

    #[test]
    fn policies() {
        let good = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
            "Action": ["wafv2:CreateWebACL", "wafv2:UpdateWebACL", "wafv2:PutFirewallManagerRuleGroups", "wafv2:GetRuleGroup"]}]});
        assert!(check_policy(&good.to_string()).is_ok());
        let mut wildcard = good.clone();
        wildcard["Statement"][0]["Action"] = json!("wafv2:*");
        assert!(check_policy(&wildcard.to_string()).is_err());
        let mut resource = good.clone();
        resource["Statement"][0]["Resource"] = json!("*");
        assert!(check_policy(&resource.to_string()).is_err());
        let mut deny = good.clone();
        deny["Statement"][0]["Effect"] = json!("Deny");
        assert!(check_policy(&deny.to_string()).is_err());
        let mut old = good;
        old["Version"] = json!("2008-10-17");
        assert!(check_policy(&old.to_string()).is_err());
        assert!(check_policy("not json").is_err());
    }
}
