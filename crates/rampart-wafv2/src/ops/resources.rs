//! Create, Get, Update, Delete and List of IP sets, regex pattern sets, rule groups and web
//! ACLs (the shared logic is in `crud`).

use crate::Wafv2Service;
use crate::arn::Kind;
use crate::ops::json_op;
use crate::record::Resource;
use rampart_codec::ServiceError;
use rampart_core::RequestContext;
use serde_json::{Map, Value, json};

impl Wafv2Service {
    /// The rule group or web ACL a Get request names by ARN, or by Name, Scope and Id.
    async fn named(
        &self,
        ctx: &RequestContext,
        kind: Kind,
        m: &Map<String, Value>,
    ) -> Result<Resource, ServiceError> {
        match m.get("ARN").and_then(Value::as_str) {
            Some(arn) => Ok(self
                .find_arn(ctx, arn, Some(kind), "RESOURCE_ARN")
                .await?
                .value),
            None => self.get_resource(ctx, kind, m).await,
        }
    }
}

/// A Get answer: the resource under `key` and its lock token.
fn got(record: Resource, key: &str) -> Value {
    json!({ key: Value::Object(record.body), "LockToken": record.lock_token })
}

json_op!(
    CreateIPSet,
    create_ip_set,
    CreateIPSetRequest,
    CreateIPSetResponse,
    |s, ctx, m| s.create_resource(ctx, Kind::IpSet, &m)
);
json_op!(
    UpdateIPSet,
    update_ip_set,
    UpdateIPSetRequest,
    UpdateIPSetResponse,
    |s, ctx, m| s.update_resource(ctx, Kind::IpSet, &m)
);
json_op!(
    DeleteIPSet,
    delete_ip_set,
    DeleteIPSetRequest,
    DeleteIPSetResponse,
    |s, ctx, m| s.delete_resource(ctx, Kind::IpSet, &m)
);
json_op!(
    ListIPSets,
    list_ip_sets,
    ListIPSetsRequest,
    ListIPSetsResponse,
    |s, ctx, m| s.list_resources(ctx, Kind::IpSet, &m, "IPSets")
);
json_op!(
    GetIPSet,
    get_ip_set,
    GetIPSetRequest,
    GetIPSetResponse,
    |s, ctx, m| async { Ok(got(s.get_resource(ctx, Kind::IpSet, &m).await?, "IPSet")) }
);

json_op!(
    CreateRegexPatternSet,
    create_regex_pattern_set,
    CreateRegexPatternSetRequest,
    CreateRegexPatternSetResponse,
    |s, ctx, m| s.create_resource(ctx, Kind::RegexPatternSet, &m)
);
json_op!(
    UpdateRegexPatternSet,
    update_regex_pattern_set,
    UpdateRegexPatternSetRequest,
    UpdateRegexPatternSetResponse,
    |s, ctx, m| s.update_resource(ctx, Kind::RegexPatternSet, &m)
);
json_op!(
    DeleteRegexPatternSet,
    delete_regex_pattern_set,
    DeleteRegexPatternSetRequest,
    DeleteRegexPatternSetResponse,
    |s, ctx, m| s.delete_resource(ctx, Kind::RegexPatternSet, &m)
);
json_op!(
    ListRegexPatternSets,
    list_regex_pattern_sets,
    ListRegexPatternSetsRequest,
    ListRegexPatternSetsResponse,
    |s, ctx, m| s.list_resources(ctx, Kind::RegexPatternSet, &m, "RegexPatternSets")
);
json_op!(
    GetRegexPatternSet,
    get_regex_pattern_set,
    GetRegexPatternSetRequest,
    GetRegexPatternSetResponse,
    |s, ctx, m| async {
        let record = s.get_resource(ctx, Kind::RegexPatternSet, &m).await?;
        Ok(got(record, "RegexPatternSet"))
    }
);

json_op!(
    CreateRuleGroup,
    create_rule_group,
    CreateRuleGroupRequest,
    CreateRuleGroupResponse,
    |s, ctx, m| s.create_resource(ctx, Kind::RuleGroup, &m)
);
json_op!(
    UpdateRuleGroup,
    update_rule_group,
    UpdateRuleGroupRequest,
    UpdateRuleGroupResponse,
    |s, ctx, m| s.update_resource(ctx, Kind::RuleGroup, &m)
);
json_op!(
    DeleteRuleGroup,
    delete_rule_group,
    DeleteRuleGroupRequest,
    DeleteRuleGroupResponse,
    |s, ctx, m| s.delete_resource(ctx, Kind::RuleGroup, &m)
);
json_op!(
    ListRuleGroups,
    list_rule_groups,
    ListRuleGroupsRequest,
    ListRuleGroupsResponse,
    |s, ctx, m| s.list_resources(ctx, Kind::RuleGroup, &m, "RuleGroups")
);
json_op!(
    GetRuleGroup,
    get_rule_group,
    GetRuleGroupRequest,
    GetRuleGroupResponse,
    |s, ctx, m| async { Ok(got(s.named(ctx, Kind::RuleGroup, &m).await?, "RuleGroup")) }
);

json_op!(
    CreateWebACL,
    create_web_acl,
    CreateWebACLRequest,
    CreateWebACLResponse,
    |s, ctx, m| s.create_resource(ctx, Kind::WebAcl, &m)
);
json_op!(
    UpdateWebACL,
    update_web_acl,
    UpdateWebACLRequest,
    UpdateWebACLResponse,
    |s, ctx, m| s.update_resource(ctx, Kind::WebAcl, &m)
);
json_op!(
    DeleteWebACL,
    delete_web_acl,
    DeleteWebACLRequest,
    DeleteWebACLResponse,
    |s, ctx, m| s.delete_resource(ctx, Kind::WebAcl, &m)
);
json_op!(
    ListWebACLs,
    list_web_ac_ls,
    ListWebACLsRequest,
    ListWebACLsResponse,
    |s, ctx, m| s.list_resources(ctx, Kind::WebAcl, &m, "WebACLs")
);
json_op!(
    GetWebACL,
    get_web_acl,
    GetWebACLRequest,
    GetWebACLResponse,
    |s, ctx, m| async { Ok(got(s.named(ctx, Kind::WebAcl, &m).await?, "WebACL")) }
);
