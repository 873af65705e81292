//! CheckCapacity: the WCUs of a set of rules, after the same checks a web ACL's rules pass
//! (referenced IP sets, regex pattern sets and rule groups must exist in the scope).

use crate::arn::Scope;
use crate::check::{Container, check_rules};
use crate::ops::json::{list, object, text};
use crate::ops::json_op;
use crate::wcu::rules_wcu;
use serde_json::json;

json_op!(
    CheckCapacity,
    check_capacity,
    CheckCapacityRequest,
    CheckCapacityResponse,
    |s, ctx, m| async {
        let scope = Scope::for_request(ctx, text(&m, "Scope"))?;
        let rules = list(&m, "Rules");
        // A response body key is the web ACL's concern; here only the rules are sized.
        let checked = check_rules(rules, Container::WebAcl, object(&m, "CustomResponseBodies"))
            .or_else(|e| {
                if e.members.iter().any(|(_, v)| v == "CUSTOM_RESPONSE_BODY") {
                    Ok(crate::check::Checked::default())
                } else {
                    Err(e)
                }
            })?;
        let resolved = s.resolve(ctx, scope, &checked.references).await?;
        let capacities = |arn: &str| resolved.capacities.get(arn).copied();
        Ok(json!({"Capacity": rules_wcu(rules, &capacities)}))
    }
);
