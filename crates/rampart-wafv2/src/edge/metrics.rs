//! Counters per web ACL and rule (allowed, blocked, counted, captcha, challenge), rendered
//! as Prometheus text ([`Metrics::render`]) on the edge listener's `/metrics`.

use rampart_waf::{FinalAction, Verdict};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;

/// Counts by rule and action.
type RuleCounts = BTreeMap<String, BTreeMap<&'static str, u64>>;

/// Request counts by web ACL, rule and action; the rule `Default_Action` for the default.
/// Nested maps, so counting a known key looks it up by `&str` and allocates nothing.
#[derive(Debug, Default)]
pub struct Metrics {
    counts: Mutex<BTreeMap<String, RuleCounts>>,
}

/// Adds one to the count of (`rule`, `action`).
fn bump(rules: &mut RuleCounts, rule: &str, action: &'static str) {
    let actions = match rules.get_mut(rule) {
        Some(actions) => actions,
        None => rules.entry(rule.to_owned()).or_default(),
    };
    *actions.entry(action).or_default() += 1;
}

fn final_name(action: &FinalAction) -> &'static str {
    match action {
        FinalAction::Allow => "allowed",
        FinalAction::Block(_) => "blocked",
        FinalAction::Captcha => "captcha",
        FinalAction::Challenge => "challenge",
        FinalAction::Monetize => "monetize",
    }
}

impl Metrics {
    /// Counts one evaluated request of the web ACL `acl`.
    pub fn count(&self, acl: &str, verdict: &Verdict) {
        let Ok(mut counts) = self.counts.lock() else {
            return;
        };
        let rules = match counts.get_mut(acl) {
            Some(rules) => rules,
            None => counts.entry(acl.to_owned()).or_default(),
        };
        let rule = verdict
            .terminating_rule
            .as_ref()
            .map_or("Default_Action", |r| r.rule.as_str());
        bump(rules, rule, final_name(&verdict.action));
        for r in verdict
            .non_terminating
            .iter()
            .filter(|r| r.action == "COUNT")
        {
            bump(rules, &r.rule, "counted");
        }
    }

    /// The counters as Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::from(
            "# HELP rampart_waf_requests_total Requests the WAF inspected, by web ACL, rule and action.\n\
             # TYPE rampart_waf_requests_total counter\n",
        );
        if let Ok(counts) = self.counts.lock() {
            let all = counts.iter().flat_map(|(acl, rules)| {
                rules.iter().flat_map(move |(rule, actions)| {
                    actions
                        .iter()
                        .map(move |(action, n)| (acl, rule, action, n))
                })
            });
            for (acl, rule, action, n) in all {
                let _ = writeln!(
                    out,
                    "rampart_waf_requests_total{{web_acl=\"{}\",rule=\"{}\",action=\"{action}\"}} {n}",
                    escape(acl),
                    escape(rule)
                );
            }
        }
        out
    }
}

/// A Prometheus label value, escaped.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}
