//! GetSampledRequests and GetRateBasedStatementManagedKeys: answered from what the edge
//! filter recorded on this node (`edge::samples`): the samples of a web ACL under a metric
//! name, and the client addresses over a rate-based rule's limit. The inputs are checked as
//! AWS checks them (the web ACL and the rate-based rule must exist, the time window must lie
//! within the last three hours).

use crate::arn::{Kind, Scope};
use crate::errors::{invalid_parameter, nonexistent};
use crate::ops::json::{list, object, text};
use crate::ops::json_op;
use serde_json::{Map, Value, json};

/// How far back samples reach: three hours, in seconds.
const SAMPLE_HORIZON: f64 = 3.0 * 3600.0;

/// Seconds since the epoch of a wire timestamp (epoch seconds as a number).
fn seconds(value: Option<&Value>) -> f64 {
    value.and_then(Value::as_f64).unwrap_or(0.0)
}

json_op!(
    GetSampledRequests,
    get_sampled_requests,
    GetSampledRequestsRequest,
    GetSampledRequestsResponse,
    |s, ctx, m| async {
        let scope = Scope::for_request(ctx, text(&m, "Scope"))?;
        let acl = s
            .find_arn(
                ctx,
                text(&m, "WebAclArn"),
                Some(Kind::WebAcl),
                "RESOURCE_ARN",
            )
            .await?;
        if acl.value.scope != scope {
            return Err(nonexistent());
        }
        let window = object(&m, "TimeWindow").cloned().unwrap_or_default();
        let (start, end) = (
            seconds(window.get("StartTime")),
            seconds(window.get("EndTime")),
        );
        let now = s.now_ms() as f64 / 1000.0;
        if start > end || start < now - SAMPLE_HORIZON {
            let reason = "The time window must be within the previous three hours.";
            return Err(invalid_parameter("TIME_WINDOW", "TimeWindow", reason));
        }
        let max = m.get("MaxItems").and_then(Value::as_u64).unwrap_or(100);
        let max = usize::try_from(max).unwrap_or(500).min(500);
        let (samples, population) = s.shared.samples.query(
            &acl.value.arn,
            text(&m, "RuleMetricName"),
            start.max(0.0) as u64,
            end.max(0.0) as u64,
            max,
        );
        Ok(json!({"SampledRequests": samples, "PopulationSize": population, "TimeWindow": window}))
    }
);

/// True when the rule named `name` in `rules` is rate-based.
fn rate_based(rules: &[Value], name: &str) -> Option<bool> {
    let rule = rules
        .iter()
        .find(|r| r.get("Name").and_then(Value::as_str) == Some(name))?;
    Some(
        rule.get("Statement")
            .and_then(|s| s.get("RateBasedStatement"))
            .is_some(),
    )
}

json_op!(
    GetRateBasedStatementManagedKeys,
    get_rate_based_statement_managed_keys,
    GetRateBasedStatementManagedKeysRequest,
    GetRateBasedStatementManagedKeysResponse,
    |s, ctx, m| async {
        let scope = Scope::for_request(ctx, text(&m, "Scope"))?;
        let acl = s
            .find(
                ctx,
                Kind::WebAcl,
                scope,
                text(&m, "WebACLName"),
                text(&m, "WebACLId"),
            )
            .await?;
        let rules = rules_of(s, ctx, &acl.value.body, &m).await?;
        match rate_based(&rules, text(&m, "RuleName")) {
            Some(true) => {}
            Some(false) => {
                let reason = "The rule isn't a rate-based rule.";
                return Err(invalid_parameter("RULE", text(&m, "RuleName"), reason));
            }
            None => return Err(nonexistent()),
        }
        let now = u64::try_from(s.now_ms() / 1000).unwrap_or(0);
        let (v4, v6) = s
            .shared
            .samples
            .flooding(&acl.value.arn, text(&m, "RuleName"), now);
        Ok(
            json!({"ManagedKeysIPV4": {"IPAddressVersion": "IPV4", "Addresses": v4},
            "ManagedKeysIPV6": {"IPAddressVersion": "IPV6", "Addresses": v6}}),
        )
    }
);

/// The rules the request looks in: the web ACL's, or those of the rule group its rule
/// `RuleGroupRuleName` references.
async fn rules_of(
    s: &crate::Wafv2Service,
    ctx: &rampart_core::RequestContext,
    acl: &Map<String, Value>,
    m: &Map<String, Value>,
) -> Result<Vec<Value>, rampart_codec::ServiceError> {
    let Some(group_rule) = m.get("RuleGroupRuleName").and_then(Value::as_str) else {
        return Ok(list(acl, "Rules").to_vec());
    };
    let rule = list(acl, "Rules")
        .iter()
        .find(|r| r.get("Name").and_then(Value::as_str) == Some(group_rule))
        .ok_or_else(nonexistent)?;
    let arn = rule
        .pointer("/Statement/RuleGroupReferenceStatement/ARN")
        .and_then(Value::as_str)
        .ok_or_else(nonexistent)?;
    let group = s
        .find_arn(ctx, arn, Some(Kind::RuleGroup), "RULE_GROUP")
        .await?;
    Ok(list(&group.value.body, "Rules").to_vec())
}
