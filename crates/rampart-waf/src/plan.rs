//! The compiled web ACL and rule groups, and the evaluation loop: rules by priority,
//! terminating and non-terminating actions, rule group references with their overrides.

use crate::action::{Action, Kind};
use crate::eval::Ctx;
use crate::rate::RateState;
use crate::request::{Environment, InspectedRequest, TokenCheck};
use crate::statement::Statement;
use crate::verdict::{FinalAction, MatchedRule, Verdict};
use std::collections::HashMap;
use std::sync::Arc;

/// A compiled web ACL. Build with [`crate::compile`]; evaluate any number of requests,
/// from any number of threads.
#[derive(Debug)]
pub struct WebAclPlan {
    pub(crate) name: String,
    pub(crate) namespace: Arc<str>,
    pub(crate) rules: Vec<Rule>,
    pub(crate) default: Action,
    pub(crate) immunity: Immunity,
    pub(crate) body_limits: HashMap<String, usize>,
    pub(crate) token_domains: Vec<String>,
}

/// A compiled rule group (its rules and label namespace).
#[derive(Debug)]
pub struct RuleGroupPlan {
    pub(crate) name: String,
    pub(crate) namespace: Arc<str>,
    pub(crate) rules: Vec<Rule>,
}

/// CAPTCHA and challenge immunity times, seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Immunity {
    pub(crate) captcha: u64,
    pub(crate) challenge: u64,
}

#[derive(Debug)]
pub(crate) struct Rule {
    pub(crate) name: String,
    pub(crate) body: RuleBody,
    /// `RuleLabels`, fully qualified.
    pub(crate) labels: Vec<String>,
    /// The rule's own immunity times, when it sets them.
    pub(crate) captcha_immunity: Option<u64>,
    pub(crate) challenge_immunity: Option<u64>,
}

#[derive(Debug)]
pub(crate) enum RuleBody {
    Plain {
        statement: Statement,
        action: Action,
    },
    Group(Box<GroupRef>),
}

/// A ManagedRuleGroupStatement or RuleGroupReferenceStatement.
#[derive(Debug)]
pub(crate) struct GroupRef {
    pub(crate) group: Arc<RuleGroupPlan>,
    /// OverrideAction Count.
    pub(crate) count_override: bool,
    /// RuleActionOverrides, and ExcludedRules as Count.
    pub(crate) overrides: HashMap<String, Action>,
    pub(crate) scope_down: Option<Statement>,
}

impl RuleGroupPlan {
    /// The group's name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The label namespace of its rules (`awswaf:<account>:rulegroup:<name>:`).
    pub fn label_namespace(&self) -> &str {
        &self.namespace
    }
    /// Its rules' names, by priority.
    pub fn rule_names(&self) -> impl Iterator<Item = &str> {
        self.rules.iter().map(|r| r.name.as_str())
    }
}

/// What the rules decided before the default action.
struct Terminal {
    action: Action,
    rule: MatchedRule,
}

/// Headers and non-terminating matches gathered along the way.
#[derive(Default)]
struct Acc {
    insert_headers: Vec<(String, String)>,
    non_terminating: Vec<MatchedRule>,
}

impl WebAclPlan {
    /// The web ACL's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its label namespace (`awswaf:<account>:webacl:<name>:`).
    pub fn label_namespace(&self) -> &str {
        &self.namespace
    }

    /// Its `TokenDomains`.
    pub fn token_domains(&self) -> &[String] {
        &self.token_domains
    }

    /// How many body bytes to give the engine for a resource type (`CLOUDFRONT`,
    /// `APPLICATION_LOAD_BALANCER`…): `AssociationConfig`'s limit, else AWS's default (8 KB
    /// for load balancers and AppSync, 16 KB for the others).
    pub fn body_inspection_limit(&self, resource_type: &str) -> usize {
        self.body_limits
            .get(resource_type)
            .copied()
            .unwrap_or(match resource_type {
                "APPLICATION_LOAD_BALANCER" | "APPSYNC" => 8 * 1024,
                _ => 16 * 1024,
            })
    }

    /// Evaluates one request.
    pub fn evaluate(&self, req: &InspectedRequest, env: &Environment, rate: &RateState) -> Verdict {
        let ctx = Ctx::new(req, env, rate);
        let mut acc = Acc::default();
        let terminal = self.run(&ctx, &mut acc);
        let (action, terminating_rule) = match terminal {
            Some(t) => (final_action(&t.action), Some(t.rule)),
            None => (final_action(&self.default), None),
        };
        let mut insert_headers = acc.insert_headers;
        if terminating_rule.is_none() {
            insert_headers.extend(self.default.insert_headers.iter().cloned());
        }
        Verdict {
            action,
            terminating_rule,
            labels: ctx.labels.into_inner(),
            insert_headers,
            non_terminating: acc.non_terminating,
            rate_based: ctx.rate_matches.into_inner(),
        }
    }

    fn run(&self, ctx: &Ctx, acc: &mut Acc) -> Option<Terminal> {
        for rule in &self.rules {
            let terminal = match &rule.body {
                RuleBody::Plain { statement, action } => {
                    if !statement.eval(ctx) {
                        continue;
                    }
                    self.apply(ctx, acc, rule, action, rule, None)
                }
                RuleBody::Group(group) => self.run_group(ctx, acc, rule, group),
            };
            if terminal.is_some() {
                return terminal;
            }
        }
        None
    }

    fn run_group(
        &self,
        ctx: &Ctx,
        acc: &mut Acc,
        outer: &Rule,
        group: &GroupRef,
    ) -> Option<Terminal> {
        if group.scope_down.as_ref().is_some_and(|s| !s.eval(ctx)) {
            return None;
        }
        for inner in &group.group.rules {
            let RuleBody::Plain { statement, action } = &inner.body else {
                continue;
            };
            if !statement.eval(ctx) {
                continue;
            }
            let action = group.overrides.get(&inner.name).unwrap_or(action);
            let Some(terminal) = self.apply(ctx, acc, inner, action, outer, Some(&group.group))
            else {
                continue;
            };
            if !group.count_override {
                return Some(terminal);
            }
            acc.non_terminating.push(MatchedRule {
                action: Kind::Count.name(),
                ..terminal.rule
            });
            return None;
        }
        None
    }

    /// A matching rule: its labels, then its action (terminating or not).
    fn apply(
        &self,
        ctx: &Ctx,
        acc: &mut Acc,
        rule: &Rule,
        action: &Action,
        outer: &Rule,
        group: Option<&RuleGroupPlan>,
    ) -> Option<Terminal> {
        for label in &rule.labels {
            ctx.add_label(label.clone());
        }
        let matched = MatchedRule {
            rule: outer.name.clone(),
            rule_group: group.map(|g| g.name.clone()),
            group_rule: group.map(|_| rule.name.clone()),
            action: action.kind.name(),
        };
        let passes = match action.kind {
            Kind::Count => true,
            Kind::Captcha => token_ok(
                ctx,
                false,
                rule.captcha_immunity.unwrap_or(self.immunity.captcha),
            ),
            Kind::Challenge => token_ok(
                ctx,
                true,
                rule.challenge_immunity.unwrap_or(self.immunity.challenge),
            ),
            Kind::Allow | Kind::Block | Kind::Monetize => false,
        };
        if passes || action.kind == Kind::Allow {
            acc.insert_headers
                .extend(action.insert_headers.iter().cloned());
        }
        if passes {
            acc.non_terminating.push(matched);
            return None;
        }
        Some(Terminal {
            action: action.clone(),
            rule: matched,
        })
    }
}

/// Whether the request's token satisfies a CAPTCHA (or, with `challenge`, a challenge)
/// solved within `immunity` seconds; a solved CAPTCHA also answers a challenge.
fn token_ok(ctx: &Ctx, challenge: bool, immunity: u64) -> bool {
    let TokenCheck::Valid {
        captcha_at,
        challenge_at,
    } = ctx.req.token
    else {
        return false;
    };
    let fresh = |t: Option<u64>| t.is_some_and(|t| ctx.env.now.saturating_sub(t) <= immunity);
    fresh(captcha_at) || (challenge && fresh(challenge_at))
}

fn final_action(action: &Action) -> FinalAction {
    match action.kind {
        Kind::Allow | Kind::Count => FinalAction::Allow,
        Kind::Block => FinalAction::Block(action.response.clone()),
        Kind::Captcha => FinalAction::Captcha,
        Kind::Challenge => FinalAction::Challenge,
        Kind::Monetize => FinalAction::Monetize,
    }
}
