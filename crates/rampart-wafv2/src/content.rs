//! Each kind's content: which members of a Create/Update request become the stored
//! resource (AWS's `IPSet`, `RegexPatternSet`, `RuleGroup`, `WebACL`), the checks they pass
//! first, and what is derived once the rules' references are resolved (capacity, labels).

use crate::arn::{Kind, Location};
use crate::check::{Container, check_action, check_regex, check_rules};
use crate::cidr::check_addresses;
use crate::errors::limits_exceeded;
use crate::ops::json::{list, object, replace, text};
use crate::service::Resolved;
use crate::wcu::rules_wcu;
use rampart_codec::ServiceError;
use serde_json::{Map, Value, json};

/// The most WCUs a web ACL or a rule group may use.
pub const MAX_CAPACITY: i64 = 5_000;
/// The most regular expressions in a regex pattern set.
const MAX_REGEXES: usize = 10;

/// The members an update replaces, by kind.
fn mutable(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::IpSet => &["Description", "Addresses"],
        Kind::RegexPatternSet => &["Description", "RegularExpressionList"],
        Kind::RuleGroup => &[
            "Description",
            "Rules",
            "VisibilityConfig",
            "CustomResponseBodies",
            "MonetizationConfig",
        ],
        Kind::WebAcl => WEB_ACL_MUTABLE,
    }
}

const WEB_ACL_MUTABLE: &[&str] = &[
    "Description",
    "DefaultAction",
    "Rules",
    "VisibilityConfig",
    "CustomResponseBodies",
    "CaptchaConfig",
    "ChallengeConfig",
    "TokenDomains",
    "AssociationConfig",
    "DataProtectionConfig",
    "OnSourceDDoSProtectionConfig",
    "ApplicationConfig",
    "MonetizationConfig",
    "AnalyticsConfig",
];

/// The body of a new resource at `loc` from its Create request `input`.
pub fn create_body(loc: &Location, input: &Map<String, Value>) -> Map<String, Value> {
    let mut body = Map::new();
    body.insert("Name".into(), json!(loc.name));
    body.insert("Id".into(), json!(loc.id));
    body.insert("ARN".into(), json!(loc.arn()));
    let fixed: &[&str] = match loc.kind {
        Kind::IpSet => &["IPAddressVersion"],
        Kind::RuleGroup => &["Capacity"],
        _ => &[],
    };
    replace(&mut body, input, fixed);
    replace(&mut body, input, mutable(loc.kind));
    let namespace = match loc.kind {
        Kind::RuleGroup => Some("rulegroup"),
        Kind::WebAcl => Some("webacl"),
        _ => None,
    };
    if let Some(segment) = namespace {
        let ns = format!("awswaf:{}:{segment}:{}:", loc.account, loc.name);
        body.insert("LabelNamespace".into(), json!(ns));
    }
    if loc.kind == Kind::WebAcl {
        body.insert("ManagedByFirewallManager".into(), json!(false));
    }
    with_rules(loc.kind, body)
}

/// A rule group or web ACL lists its rules even when it has none (`Rules: []`).
fn with_rules(kind: Kind, mut body: Map<String, Value>) -> Map<String, Value> {
    if matches!(kind, Kind::RuleGroup | Kind::WebAcl) && !body.contains_key("Rules") {
        body.insert("Rules".into(), json!([]));
    }
    body
}

/// `body` with the mutable members of Update request `input`.
pub fn update_body(
    kind: Kind,
    body: &Map<String, Value>,
    input: &Map<String, Value>,
) -> Map<String, Value> {
    let mut out = body.clone();
    replace(&mut out, input, mutable(kind));
    with_rules(kind, out)
}

/// Checks `body` of `kind`; the ARNs its rules reference.
pub fn check(kind: Kind, body: &Map<String, Value>) -> Result<Vec<String>, ServiceError> {
    match kind {
        Kind::IpSet => {
            let addresses: Vec<String> = list(body, "Addresses")
                .iter()
                .map(|a| a.as_str().unwrap_or("").to_owned())
                .collect();
            check_addresses(text(body, "IPAddressVersion"), &addresses)?;
            Ok(Vec::new())
        }
        Kind::RegexPatternSet => {
            let regexes = list(body, "RegularExpressionList");
            if regexes.len() > MAX_REGEXES {
                return Err(limits_exceeded());
            }
            for regex in regexes {
                let pattern = regex
                    .get("RegexString")
                    .and_then(Value::as_str)
                    .unwrap_or("");
                check_regex(pattern, "REGEX_PATTERN_SET")?;
            }
            Ok(Vec::new())
        }
        Kind::RuleGroup | Kind::WebAcl => check_rule_body(kind, body),
    }
}

fn check_rule_body(kind: Kind, body: &Map<String, Value>) -> Result<Vec<String>, ServiceError> {
    let bodies = object(body, "CustomResponseBodies");
    let container = if kind == Kind::WebAcl {
        let default = body.get("DefaultAction").unwrap_or(&Value::Null);
        check_action(default, "DEFAULT_ACTION", bodies)?;
        Container::WebAcl
    } else {
        Container::RuleGroup
    };
    let checked = check_rules(list(body, "Rules"), container, bodies)?;
    Ok(checked.references)
}

/// Completes `body` once its references are resolved: a rule group's rules fit its
/// capacity and its labels are listed; a web ACL's capacity is computed and within limits.
pub fn complete(
    kind: Kind,
    body: &mut Map<String, Value>,
    resolved: &Resolved,
) -> Result<(), ServiceError> {
    let capacities = |arn: &str| resolved.capacities.get(arn).copied();
    let used = rules_wcu(list(body, "Rules"), &capacities);
    match kind {
        Kind::RuleGroup => {
            let capacity = body.get("Capacity").and_then(Value::as_i64).unwrap_or(0);
            if used > capacity || capacity > MAX_CAPACITY {
                return Err(limits_exceeded());
            }
            add_labels(body);
        }
        Kind::WebAcl => {
            if used > MAX_CAPACITY {
                return Err(limits_exceeded());
            }
            body.insert("Capacity".into(), json!(used));
        }
        _ => {}
    }
    Ok(())
}

/// A rule group's AvailableLabels (what its rules add, in its namespace) and ConsumedLabels
/// (what its rules match).
fn add_labels(body: &mut Map<String, Value>) {
    let Ok(checked) = check_rules(
        list(body, "Rules"),
        Container::RuleGroup,
        object(body, "CustomResponseBodies"),
    ) else {
        return;
    };
    let namespace = text(body, "LabelNamespace").to_owned();
    let summaries = |names: Vec<String>| -> Value {
        Value::Array(names.into_iter().map(|n| json!({"Name": n})).collect())
    };
    let added = checked
        .labels_added
        .into_iter()
        .map(|l| {
            if l.starts_with("awswaf:") {
                l
            } else {
                format!("{namespace}{l}")
            }
        })
        .collect();
    body.insert("AvailableLabels".into(), summaries(added));
    body.insert("ConsumedLabels".into(), summaries(checked.labels_matched));
}
