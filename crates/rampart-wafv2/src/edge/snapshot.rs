//! What the WAF filter enforces, read from the store: each associated resource's web ACL,
//! compiled with a [`StoreResolver`] (the IP sets, regex pattern sets and rule groups it
//! references) behind the managed groups' resolver. Plans are cached by the web ACL's id and
//! the lock tokens of it and everything it references, so a refresh recompiles only what
//! changed.

use crate::record::{Association, Logging, Resource, Tables};
use rampart_store::{StoreError, Table};
use rampart_waf::managed::ManagedResolver;
use rampart_waf::{Resolver, WebAclPlan};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::Arc;

/// Rows read per store scan.
const BATCH: usize = 500;

/// One web ACL as the filter enforces it.
#[derive(Debug)]
pub struct Enforced {
    pub arn: String,
    pub id: String,
    pub name: String,
    pub plan: Arc<WebAclPlan>,
    /// The cache key: the lock tokens of the web ACL and what it references.
    pub version: String,
    /// Rule name → metric name (`VisibilityConfig.MetricName`) of the rules that sample
    /// requests (`SampledRequestsEnabled`); the web ACL's own under "".
    pub metrics: HashMap<String, String>,
    /// Rule name → `terminatingRuleType` (`REGULAR`, `RATE_BASED`, `GROUP`, `MANAGED_RULE_GROUP`).
    pub kinds: HashMap<String, &'static str>,
    /// The logging configuration (`LoggingConfiguration`), when one is set.
    pub logging: Option<Map<String, Value>>,
}

impl Enforced {
    /// The log's `terminatingRuleType` of the rule `name`.
    pub fn kind_of(&self, name: &str) -> &'static str {
        self.kinds.get(name).copied().unwrap_or("REGULAR")
    }
}

/// Associated resource ARN → its web ACL.
#[derive(Debug, Default)]
pub struct Snapshot {
    pub by_resource: HashMap<String, Arc<Enforced>>,
}

/// Every row of `table`.
async fn all<T: serde::Serialize + DeserializeOwned>(
    table: &Table<T>,
) -> Result<Vec<T>, StoreError> {
    let mut out = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let rows = table.scan("", after.as_deref(), BATCH).await?;
        let full = rows.len() == BATCH;
        after = rows.last().map(|(key, _)| key.clone());
        out.extend(rows.into_iter().map(|(_, v)| v.value));
        if !full {
            return Ok(out);
        }
    }
}

/// The account's resources by ARN, as a [`Resolver`].
#[derive(Debug, Default)]
pub struct StoreResolver {
    ip_sets: HashMap<String, Resource>,
    regex_sets: HashMap<String, Resource>,
    rule_groups: HashMap<String, Resource>,
}

fn by_arn(rows: Vec<Resource>) -> HashMap<String, Resource> {
    rows.into_iter().map(|r| (r.arn.clone(), r)).collect()
}

impl StoreResolver {
    /// Reads every IP set, regex pattern set and rule group.
    pub async fn load(tables: &Tables) -> Result<StoreResolver, StoreError> {
        Ok(StoreResolver {
            ip_sets: by_arn(all(&tables.ip_sets).await?),
            regex_sets: by_arn(all(&tables.regex_sets).await?),
            rule_groups: by_arn(all(&tables.rule_groups).await?),
        })
    }

    /// Adds one IP set, regex pattern set or rule group.
    pub fn insert(&mut self, resource: Resource) {
        let map = match resource.kind {
            crate::arn::Kind::IpSet => &mut self.ip_sets,
            crate::arn::Kind::RegexPatternSet => &mut self.regex_sets,
            crate::arn::Kind::RuleGroup => &mut self.rule_groups,
            crate::arn::Kind::WebAcl => return,
        };
        map.insert(resource.arn.clone(), resource);
    }

    /// The lock token of the referenced resource `arn` ("-" when missing).
    fn token(&self, arn: &str) -> &str {
        [&self.ip_sets, &self.regex_sets, &self.rule_groups]
            .iter()
            .find_map(|m| m.get(arn))
            .map_or("-", |r| r.lock_token.as_str())
    }
}

impl Resolver for StoreResolver {
    fn ip_set(&self, arn: &str) -> Option<Value> {
        self.ip_sets.get(arn).map(|r| Value::Object(r.body.clone()))
    }
    fn regex_pattern_set(&self, arn: &str) -> Option<Value> {
        self.regex_sets
            .get(arn)
            .map(|r| Value::Object(r.body.clone()))
    }
    fn rule_group(&self, arn: &str) -> Option<Value> {
        self.rule_groups
            .get(arn)
            .map(|r| Value::Object(r.body.clone()))
    }
    fn managed_rule_group(&self, _: &str, _: &str, _: Option<&str>) -> Option<Value> {
        None
    }
}

/// The metric names of a web ACL's rules, its own under "", where `SampledRequestsEnabled`
/// asks for samples (AWS keeps none otherwise).
fn metric_names(body: &Map<String, Value>) -> HashMap<String, String> {
    let metric = |v: &Value| {
        let sampled = v.pointer("/VisibilityConfig/SampledRequestsEnabled");
        if sampled.and_then(Value::as_bool) != Some(true) {
            return None;
        }
        v.pointer("/VisibilityConfig/MetricName")
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let mut out = HashMap::new();
    if let Some(own) = metric(&Value::Object(body.clone())) {
        out.insert(String::new(), own);
    }
    for rule in body
        .get("Rules")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let (Some(name), Some(m)) = (rule.get("Name").and_then(Value::as_str), metric(rule)) {
            out.insert(name.to_owned(), m);
        }
    }
    out
}

/// Each rule's `terminatingRuleType`.
fn rule_kinds(body: &Map<String, Value>) -> HashMap<String, &'static str> {
    let rules = body.get("Rules").and_then(Value::as_array);
    rules
        .into_iter()
        .flatten()
        .filter_map(|rule| {
            let name = rule.get("Name")?.as_str()?.to_owned();
            let statement = rule.get("Statement")?;
            let kind = if statement.get("RateBasedStatement").is_some() {
                "RATE_BASED"
            } else if statement.get("ManagedRuleGroupStatement").is_some() {
                "MANAGED_RULE_GROUP"
            } else if statement.get("RuleGroupReferenceStatement").is_some() {
                "GROUP"
            } else {
                "REGULAR"
            };
            Some((name, kind))
        })
        .collect()
}

/// Compiles `acl`, or reuses `previous`'s plan when nothing it depends on changed.
fn enforce(
    acl: &Resource,
    resolver: &StoreResolver,
    logging: Option<Map<String, Value>>,
    previous: Option<&Arc<Enforced>>,
) -> Option<Arc<Enforced>> {
    let mut version = acl.lock_token.clone();
    for arn in &acl.references {
        version.push(':');
        version.push_str(resolver.token(arn));
    }
    let plan = match previous.filter(|p| p.version == version) {
        Some(p) => p.plan.clone(),
        None => {
            let managed = ManagedResolver::new(resolver);
            match rampart_waf::compile(&Value::Object(acl.body.clone()), &managed) {
                Ok(plan) => Arc::new(plan),
                Err(e) => {
                    tracing::warn!(web_acl = %acl.arn, error = %e, "web ACL does not compile");
                    return None;
                }
            }
        }
    };
    Some(Arc::new(Enforced {
        arn: acl.arn.clone(),
        id: acl.id.clone(),
        name: acl.name.clone(),
        plan,
        version,
        metrics: metric_names(&acl.body),
        kinds: rule_kinds(&acl.body),
        logging,
    }))
}

/// Reads what to enforce, reusing `previous`'s plans where nothing changed.
pub async fn load(tables: &Tables, previous: &Snapshot) -> Result<Snapshot, StoreError> {
    let associations: Vec<Association> = all(&tables.associations).await?;
    if associations.is_empty() {
        return Ok(Snapshot::default());
    }
    let resolver = StoreResolver::load(tables).await?;
    let acls = by_arn(all(&tables.web_acls).await?);
    let logging: Vec<Logging> = all(&tables.logging).await?;
    let logging: HashMap<String, Map<String, Value>> = logging
        .into_iter()
        .filter_map(|l| {
            let arn = l.config.get("ResourceArn")?.as_str()?.to_owned();
            Some((arn, l.config))
        })
        .collect();
    let previous: HashMap<&str, &Arc<Enforced>> = previous
        .by_resource
        .values()
        .map(|e| (e.arn.as_str(), e))
        .collect();
    let mut compiled: HashMap<String, Arc<Enforced>> = HashMap::new();
    let mut out = Snapshot::default();
    for link in associations {
        let Some(acl) = acls.get(&link.web_acl_arn) else {
            continue;
        };
        if !compiled.contains_key(&acl.arn) {
            let prev = previous.get(acl.arn.as_str()).copied();
            let log = logging.get(&acl.arn).cloned();
            if let Some(e) = enforce(acl, &resolver, log, prev) {
                compiled.insert(acl.arn.clone(), e);
            }
        }
        if let Some(e) = compiled.get(&acl.arn) {
            out.by_resource.insert(link.resource_arn, e.clone());
        }
    }
    Ok(out)
}
