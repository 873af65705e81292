//! Counters per web ACL and rule (allowed, blocked, counted, captcha, challenge), rendered
//! as Prometheus text ([`Metrics::render`]) on the edge listener's `/metrics`.

use rampart_waf::{FinalAction, Verdict};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;

/// Request counts by (web ACL, rule, action); the rule `Default_Action` for the default.
#[derive(Debug, Default)]
pub struct Metrics {
    counts: Mutex<BTreeMap<(String, String, &'static str), u64>>,
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
        let rule = verdict
            .terminating_rule
            .as_ref()
            .map_or("Default_Action", |r| r.rule.as_str());
        *counts
            .entry((acl.to_owned(), rule.to_owned(), final_name(&verdict.action)))
            .or_default() += 1;
        for r in verdict
            .non_terminating
            .iter()
            .filter(|r| r.action == "COUNT")
        {
            *counts
                .entry((acl.to_owned(), r.rule.clone(), "counted"))
                .or_default() += 1;
        }
    }

    /// The counters as Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::from(
            "# HELP rampart_waf_requests_total Requests the WAF inspected, by web ACL, rule and action.\n\
             # TYPE rampart_waf_requests_total counter\n",
        );
        if let Ok(counts) = self.counts.lock() {
            for ((acl, rule, action), n) in counts.iter() {
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
