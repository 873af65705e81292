//! What WAFv2 keeps: one row per IP set, regex pattern set, rule group and web ACL (the
//! resource as AWS's JSON, so the rule engine compiles exactly what GetWebACL answers), one
//! row per associated resource, and one row per web ACL's logging configuration.

use crate::arn::{Kind, Location, Scope};
use rampart_store::{Store, Table};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// IP sets, keyed by [`resource_row`].
pub const IP_SETS: &str = "wafv2_ip_sets";
/// Regex pattern sets, keyed by [`resource_row`].
pub const REGEX_PATTERN_SETS: &str = "wafv2_regex_pattern_sets";
/// Rule groups, keyed by [`resource_row`].
pub const RULE_GROUPS: &str = "wafv2_rule_groups";
/// Web ACLs, keyed by [`resource_row`].
pub const WEB_ACLS: &str = "wafv2_web_acls";
/// Associations, keyed by [`association_row`]: the web ACL protecting a resource.
pub const ASSOCIATIONS: &str = "wafv2_associations";
/// Logging configurations, keyed by [`logging_row`].
pub const LOGGING: &str = "wafv2_logging";

/// One IP set, regex pattern set, rule group or web ACL.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Resource {
    pub kind: Kind,
    pub scope: Scope,
    pub name: String,
    pub id: String,
    pub arn: String,
    /// Changes on every update; Update and Delete must present the current one.
    pub lock_token: String,
    pub created_ms: i64,
    /// Tags in the order they were added.
    #[serde(default)]
    pub tags: Vec<(String, String)>,
    /// The resource as AWS's JSON (`IPSet`, `RegexPatternSet`, `RuleGroup`, `WebACL`).
    pub body: Map<String, Value>,
    /// The ARNs of the IP sets, regex pattern sets and rule groups its rules reference.
    #[serde(default)]
    pub references: Vec<String>,
    /// A rule group's permission policy (JSON as PutPermissionPolicy received it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    /// A web ACL's associated resources (ARNs), in the order they were associated.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub associations: Vec<String>,
}

impl Resource {
    /// A new resource at `loc` with lock token `lock_token` and content `body`; no tags,
    /// references, policy or associations yet.
    pub fn new(
        loc: &Location,
        lock_token: String,
        created_ms: i64,
        body: Map<String, Value>,
    ) -> Self {
        Resource {
            kind: loc.kind,
            scope: loc.scope,
            name: loc.name.clone(),
            id: loc.id.clone(),
            arn: loc.arn(),
            lock_token,
            created_ms,
            tags: Vec::new(),
            body,
            references: Vec::new(),
            policy: None,
            associations: Vec::new(),
        }
    }
}

/// The association of one resource with a web ACL.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Association {
    pub resource_arn: String,
    pub web_acl_arn: String,
}

/// A web ACL's logging configuration, as AWS's JSON (`LoggingConfiguration`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Logging {
    pub scope: Scope,
    pub config: Map<String, Value>,
}

/// The typed tables.
#[derive(Debug, Clone)]
pub struct Tables {
    pub ip_sets: Table<Resource>,
    pub regex_sets: Table<Resource>,
    pub rule_groups: Table<Resource>,
    pub web_acls: Table<Resource>,
    pub associations: Table<Association>,
    pub logging: Table<Logging>,
}

impl Tables {
    pub fn new(store: &Store) -> Self {
        Tables {
            ip_sets: Table::new(store.clone(), IP_SETS),
            regex_sets: Table::new(store.clone(), REGEX_PATTERN_SETS),
            rule_groups: Table::new(store.clone(), RULE_GROUPS),
            web_acls: Table::new(store.clone(), WEB_ACLS),
            associations: Table::new(store.clone(), ASSOCIATIONS),
            logging: Table::new(store.clone(), LOGGING),
        }
    }

    /// The table holding resources of `kind`.
    pub fn of(&self, kind: Kind) -> &Table<Resource> {
        match kind {
            Kind::IpSet => &self.ip_sets,
            Kind::RegexPatternSet => &self.regex_sets,
            Kind::RuleGroup => &self.rule_groups,
            Kind::WebAcl => &self.web_acls,
        }
    }
}

/// The rows of `account`'s resources of one scope in `region` (a scan prefix).
pub fn scope_prefix(account: &str, region: &str, scope: Scope) -> String {
    format!("{account}/{region}/{}/", scope.segment())
}

/// The row of resource `name` (names are unique per kind, scope, Region and account).
pub fn resource_row(account: &str, region: &str, scope: Scope, name: &str) -> String {
    format!("{}{name}", scope_prefix(account, region, scope))
}

/// The row of the resource a location names.
pub fn location_row(loc: &Location) -> String {
    resource_row(&loc.account, &loc.region, loc.scope, &loc.name)
}

/// The row of the association of `resource_arn` in `account`/`region`.
pub fn association_row(account: &str, region: &str, resource_arn: &str) -> String {
    format!("{account}/{region}/{resource_arn}")
}

/// The row of the logging configuration of the web ACL `web_acl_arn`.
pub fn logging_row(account: &str, region: &str, scope: Scope, web_acl_arn: &str) -> String {
    format!("{}{web_acl_arn}", scope_prefix(account, region, scope))
}
