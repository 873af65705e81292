//! Compiling a web ACL's or rule group's JSON into a plan: rules sorted by priority, actions,
//! labels, rule group references resolved and compiled.

use crate::Resolver;
use crate::action::{self, Action, Bodies};
use crate::error::{CompileError, Result};
use crate::json;
use crate::label;
use crate::plan::{GroupRef, Immunity, Rule, RuleBody, RuleGroupPlan, WebAclPlan};
use crate::statement::{self, Compiler};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::Arc;

const DEFAULT_IMMUNITY: u64 = 300;

/// Compiles a web ACL (the `WebACL` shape as JSON).
pub fn compile(acl: &Value, resolver: &dyn Resolver) -> Result<WebAclPlan> {
    let obj = json::object(acl, "WebACL")?;
    let name = json::req_str(obj, "Name", "WebACL")?.to_owned();
    let id: Arc<str> = json::opt_str(obj, "Id").unwrap_or(&name).into();
    let namespace = label::namespace(obj, "webacl");
    let bodies = action::parse_bodies(obj, "WebACL")?;
    let default = action::parse(
        json::req(obj, "DefaultAction", "WebACL")?,
        &bodies,
        "WebACL.DefaultAction",
        true,
    )?;
    let unit = Unit {
        resolver,
        id: &id,
        namespace: &namespace,
        bodies: &bodies,
        in_group: false,
    };
    let rules = unit.rules(json::opt_array(obj, "Rules", "WebACL")?, "WebACL")?;
    Ok(WebAclPlan {
        name,
        namespace: namespace.clone(),
        rules,
        default,
        immunity: Immunity {
            captcha: immunity(obj.get("CaptchaConfig")).unwrap_or(DEFAULT_IMMUNITY),
            challenge: immunity(obj.get("ChallengeConfig")).unwrap_or(DEFAULT_IMMUNITY),
        },
        body_limits: body_limits(obj)?,
        token_domains: json::opt_array(obj, "TokenDomains", "WebACL")?
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
    })
}

/// Compiles a rule group alone (the `RuleGroup` shape as JSON), to validate it.
pub fn compile_rule_group(group: &Value, resolver: &dyn Resolver) -> Result<RuleGroupPlan> {
    let namespace = {
        let obj = json::object(group, "RuleGroup")?;
        label::namespace(obj, "rulegroup")
    };
    compile_group(group, resolver, "", namespace)
}

fn compile_group(
    group: &Value,
    resolver: &dyn Resolver,
    acl_id: &str,
    namespace: Arc<str>,
) -> Result<RuleGroupPlan> {
    let obj = json::object(group, "RuleGroup")?;
    let name = json::req_str(obj, "Name", "RuleGroup")?.to_owned();
    let bodies = action::parse_bodies(obj, "RuleGroup")?;
    let unit = Unit {
        resolver,
        id: acl_id,
        namespace: &namespace,
        bodies: &bodies,
        in_group: true,
    };
    let rules = unit.rules(json::opt_array(obj, "Rules", "RuleGroup")?, "RuleGroup")?;
    Ok(RuleGroupPlan {
        name,
        namespace,
        rules,
    })
}

/// `{"ImmunityTimeProperty": {"ImmunityTime": 300}}`.
fn immunity(config: Option<&Value>) -> Option<u64> {
    config?
        .get("ImmunityTimeProperty")?
        .get("ImmunityTime")?
        .as_u64()
}

/// `AssociationConfig.RequestBody`: resource type → `DefaultSizeInspectionLimit`.
fn body_limits(obj: &Map<String, Value>) -> Result<HashMap<String, usize>> {
    let mut limits = HashMap::new();
    let Some(map) = obj
        .get("AssociationConfig")
        .and_then(|a| a.get("RequestBody"))
        .and_then(Value::as_object)
    else {
        return Ok(limits);
    };
    for (resource, config) in map {
        let limit = config
            .get("DefaultSizeInspectionLimit")
            .and_then(Value::as_str)
            .unwrap_or("");
        let kb = match limit {
            "KB_8" => 8,
            "KB_16" => 16,
            "KB_32" => 32,
            "KB_48" => 48,
            "KB_64" => 64,
            other => {
                return Err(CompileError::invalid(format!(
                    "WebACL.AssociationConfig.RequestBody.{resource}.DefaultSizeInspectionLimit has an invalid value: {other}"
                )));
            }
        };
        limits.insert(resource.clone(), kb * 1024);
    }
    Ok(limits)
}

/// A member is present (and not null).
fn has(obj: &Map<String, Value>, key: &str) -> bool {
    obj.get(key).is_some_and(|v| !v.is_null())
}

/// The context rules compile in: a web ACL or a rule group.
struct Unit<'a> {
    resolver: &'a dyn Resolver,
    id: &'a str,
    namespace: &'a Arc<str>,
    bodies: &'a Bodies,
    in_group: bool,
}

impl Unit<'_> {
    fn rules(&self, items: &[Value], what: &str) -> Result<Vec<Rule>> {
        let mut rules: Vec<(i64, Rule)> = Vec::with_capacity(items.len());
        for item in items {
            let obj = json::object(item, &format!("{what}.Rules"))?;
            let name = json::req_str(obj, "Name", "Rule")?;
            let priority = json::req_i64(obj, "Priority", &format!("Rule {name}"))?;
            if rules.iter().any(|(p, _)| *p == priority) {
                return Err(CompileError::invalid(format!(
                    "Rule {name}: another rule has priority {priority}"
                )));
            }
            if rules.iter().any(|(_, r)| r.name == name) {
                return Err(CompileError::invalid(format!(
                    "Rule {name}: rule names must be unique"
                )));
            }
            rules.push((priority, self.rule(obj, name)?));
        }
        rules.sort_by_key(|(p, _)| *p);
        Ok(rules.into_iter().map(|(_, r)| r).collect())
    }

    fn rule(&self, obj: &Map<String, Value>, name: &str) -> Result<Rule> {
        let what = format!("Rule {name}");
        let statement = json::req(obj, "Statement", &what)?;
        let (kind, spec) = json::union(statement, &format!("{what}.Statement"))?;
        let labels = label::rule_labels(
            json::opt_array(obj, "RuleLabels", &what)?,
            self.namespace,
            &what,
        )?;
        let body = match kind {
            "ManagedRuleGroupStatement" | "RuleGroupReferenceStatement" => {
                if !labels.is_empty() {
                    return Err(CompileError::invalid(format!(
                        "{what}: a rule that references a rule group cannot have RuleLabels"
                    )));
                }
                self.group_body(obj, kind, spec, name, &what)?
            }
            _ => self.plain_body(obj, statement, name, &what)?,
        };
        Ok(Rule {
            name: name.to_owned(),
            body,
            labels,
            captcha_immunity: immunity(obj.get("CaptchaConfig")),
            challenge_immunity: immunity(obj.get("ChallengeConfig")),
        })
    }

    fn plain_body(
        &self,
        obj: &Map<String, Value>,
        statement: &Value,
        name: &str,
        what: &str,
    ) -> Result<RuleBody> {
        if has(obj, "OverrideAction") || !has(obj, "Action") {
            return Err(CompileError::invalid(format!(
                "{what}: a rule needs Action and no OverrideAction unless it references a rule group"
            )));
        }
        let action = action::parse(
            json::req(obj, "Action", what)?,
            self.bodies,
            &format!("{what}.Action"),
            false,
        )?;
        let cx = self.compiler(self.namespace.clone(), name);
        let statement = statement::parse(statement, &cx, &format!("{what}.Statement"), true)?;
        Ok(RuleBody::Plain { statement, action })
    }

    fn group_body(
        &self,
        obj: &Map<String, Value>,
        kind: &str,
        spec: &Value,
        name: &str,
        what: &str,
    ) -> Result<RuleBody> {
        if self.in_group {
            return Err(CompileError::invalid(format!(
                "{what}: a rule group cannot reference another rule group"
            )));
        }
        if has(obj, "Action") || !has(obj, "OverrideAction") {
            return Err(CompileError::invalid(format!(
                "{what}: a rule that references a rule group needs OverrideAction and no Action"
            )));
        }
        let count_override = action::parse_override(
            json::req(obj, "OverrideAction", what)?,
            &format!("{what}.OverrideAction"),
        )?;
        let group = self.group_ref(kind, spec, name, count_override, what)?;
        Ok(RuleBody::Group(Box::new(group)))
    }

    fn compiler(&self, namespace: Arc<str>, rule: &str) -> Compiler<'_> {
        Compiler {
            resolver: self.resolver,
            rule_id: format!("{}|{namespace}|{rule}", self.id).into(),
            namespace,
            rule_name: rule.to_owned(),
        }
    }

    fn group_ref(
        &self,
        kind: &str,
        spec: &Value,
        rule: &str,
        count_override: bool,
        what: &str,
    ) -> Result<GroupRef> {
        let what = format!("{what}.Statement.{kind}");
        let obj = json::object(spec, &what)?;
        let json_group = self.resolve_group(kind, obj, &what)?;
        let group_obj = json::object(&json_group, &what)?;
        let namespace = match kind {
            "ManagedRuleGroupStatement" if json::opt_str(group_obj, "LabelNamespace").is_none() => {
                let vendor = json::req_str(obj, "VendorName", &what)?.to_ascii_lowercase();
                format!(
                    "awswaf:managed:{vendor}:{}:",
                    json::req_str(obj, "Name", &what)?
                )
                .into()
            }
            _ => label::namespace(group_obj, "rulegroup"),
        };
        let group = Arc::new(compile_group(
            &json_group,
            self.resolver,
            self.id,
            namespace,
        )?);
        let scope_down = match obj.get("ScopeDownStatement").filter(|v| !v.is_null()) {
            Some(s) => Some(statement::parse(
                s,
                &self.compiler(self.namespace.clone(), rule),
                &what,
                false,
            )?),
            None => None,
        };
        Ok(GroupRef {
            overrides: self.overrides(obj, &group, &what)?,
            group,
            count_override,
            scope_down,
        })
    }

    fn resolve_group(&self, kind: &str, obj: &Map<String, Value>, what: &str) -> Result<Value> {
        if kind == "RuleGroupReferenceStatement" {
            let arn = json::req_str(obj, "ARN", what)?;
            return self.resolver.rule_group(arn).ok_or_else(|| {
                CompileError::NotFound(format!("The rule group {arn} does not exist"))
            });
        }
        let vendor = json::req_str(obj, "VendorName", what)?;
        let name = json::req_str(obj, "Name", what)?;
        let version = json::opt_str(obj, "Version");
        self.resolver
            .managed_rule_group(vendor, name, version)
            .ok_or_else(|| {
                CompileError::NotFound(format!(
                    "The managed rule group {vendor}/{name}{} does not exist",
                    version.map(|v| format!(" version {v}")).unwrap_or_default()
                ))
            })
    }

    /// `RuleActionOverrides`, and `ExcludedRules` (legacy: Count); names must exist in the group.
    fn overrides(
        &self,
        obj: &Map<String, Value>,
        group: &RuleGroupPlan,
        what: &str,
    ) -> Result<HashMap<String, Action>> {
        let mut out = HashMap::new();
        let known = |name: &str| group.rules.iter().any(|r| r.name == name);
        for item in json::opt_array(obj, "ExcludedRules", what)? {
            let name = json::req_str(
                json::object(item, what)?,
                "Name",
                &format!("{what}.ExcludedRules"),
            )?;
            if !known(name) {
                return Err(CompileError::invalid(format!(
                    "{what}.ExcludedRules: the rule group has no rule {name}"
                )));
            }
            out.insert(name.to_owned(), Action::count());
        }
        for item in json::opt_array(obj, "RuleActionOverrides", what)? {
            let o = json::object(item, what)?;
            let name = json::req_str(o, "Name", &format!("{what}.RuleActionOverrides"))?;
            if !known(name) {
                return Err(CompileError::invalid(format!(
                    "{what}.RuleActionOverrides: the rule group has no rule {name}"
                )));
            }
            let action = action::parse(
                json::req(o, "ActionToUse", what)?,
                self.bodies,
                &format!("{what}.RuleActionOverrides.{name}"),
                false,
            )?;
            out.insert(name.to_owned(), action);
        }
        Ok(out)
    }
}
