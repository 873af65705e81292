//! The acceptance figures for the managed groups: benign traffic of many shapes
//! (≥ 5,000 requests, generated deterministically) through a web ACL with the core rule set
//! and the SQL database group (default Allow) is blocked at most 0.1% of the time; and the
//! SQL database group's block rate on libinjection's SQLi samples, sent as a query argument
//! and as a form body. `cargo test -p rampart-waf --test managed_corpus -- --nocapture`
//! prints the counts; `WAF_MANAGED_SHOW=1` prints each blocked benign request.

#![allow(clippy::unwrap_used)]

mod common;

use common::{Res, eval, ip, visibility};
use rampart_waf::managed::ManagedResolver;
use rampart_waf::{InspectedRequest, WebAclPlan, compile};
use serde_json::{Value, json};
use std::path::PathBuf;

#[path = "managed_corpus/traffic.rs"]
mod traffic;

fn group_rule(name: &str, priority: i64) -> Value {
    json!({"Name": name, "Priority": priority, "OverrideAction": {"None": {}},
        "Statement": {"ManagedRuleGroupStatement": {"VendorName": "AWS", "Name": name}},
        "VisibilityConfig": visibility(name)})
}

fn plan(groups: &[&str]) -> WebAclPlan {
    let rules: Vec<Value> = groups
        .iter()
        .enumerate()
        .map(|(i, g)| group_rule(g, i64::try_from(i).unwrap()))
        .collect();
    let res = Res::default();
    compile(&common::acl(json!(rules)), &ManagedResolver::new(&res)).unwrap()
}

const MAX_BENIGN_BLOCKED_PER_MILLE: usize = 1;

#[test]
fn benign_traffic_is_blocked_at_most_one_in_a_thousand() {
    let plan = plan(&["AWSManagedRulesCommonRuleSet", "AWSManagedRulesSQLiRuleSet"]);
    let requests = traffic::benign(6_000);
    let show = std::env::var_os("WAF_MANAGED_SHOW").is_some();
    let mut blocked = 0;
    for request in &requests {
        let verdict = eval(&plan, request);
        if let Some(rule) = verdict.terminating_rule {
            blocked += 1;
            if show {
                println!("blocked by {:?}: {request:?}", rule.group_rule);
            }
        }
    }
    println!(
        "benign: {blocked} of {} requests blocked by core rule set + SQL database",
        requests.len()
    );
    assert!(requests.len() >= 5_000);
    assert!(blocked * 1000 <= requests.len() * MAX_BENIGN_BLOCKED_PER_MILLE);
}

/// The other groups on the same traffic (the IP lists hold no documentation address): each
/// blocks at most 0.1% of it too.
#[test]
fn benign_traffic_and_every_other_group() {
    let requests = traffic::benign(6_000);
    for group in rampart_waf::managed::catalog() {
        let plan = plan(&[group.name]);
        let blocked = requests
            .iter()
            .filter(|r| eval(&plan, r).terminating_rule.is_some())
            .count();
        println!(
            "benign: {blocked} of {} blocked by {}",
            requests.len(),
            group.name
        );
        assert!(
            blocked * 1000 <= requests.len() * MAX_BENIGN_BLOCKED_PER_MILLE,
            "{}",
            group.name
        );
    }
}

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../rampart-waf-detect/tests/data/libinjection/data")
}

/// Every SQLi sample line, decoded (`%XX`, `+`) as the corpus was written.
fn sqli_samples() -> Vec<Vec<u8>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(data_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("sqli-")
        })
        .collect();
    files.sort();
    files
        .iter()
        .flat_map(|f| {
            std::fs::read_to_string(f)
                .unwrap()
                .lines()
                .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
                .map(|l| traffic::url_decode(l.as_bytes()))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The SQL database group blocks most of libinjection's SQLi samples as a query argument
/// and as a form field (its figures are printed; the floors guard against regressions).
#[test]
fn sql_database_group_blocks_the_sqli_corpus() {
    let plan = plan(&["AWSManagedRulesSQLiRuleSet"]);
    let samples = sqli_samples();
    let from = ip("198.51.100.23");
    let mut query_blocked = 0;
    let mut body_blocked = 0;
    for sample in &samples {
        let value = traffic::url_encode(sample);
        let get = InspectedRequest::new("GET", &format!("/item?id={value}"), from)
            .header("user-agent", "Mozilla/5.0");
        if eval(&plan, &get).terminating_rule.is_some() {
            query_blocked += 1;
        }
        let post = InspectedRequest::new("POST", "/item", from)
            .header("user-agent", "Mozilla/5.0")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("id={value}&submit=Save").as_bytes(), 16 * 1024);
        if eval(&plan, &post).terminating_rule.is_some() {
            body_blocked += 1;
        }
    }
    let n = samples.len();
    println!(
        "SQLi corpus: {n} samples; blocked as a query argument {query_blocked} ({:.1}%), as a form body {body_blocked} ({:.1}%)",
        percent(query_blocked, n),
        percent(body_blocked, n)
    );
    assert!(n > 1000);
    assert!(percent(query_blocked, n) >= 95.0);
    assert!(percent(body_blocked, n) >= 95.0);
}

fn percent(part: usize, whole: usize) -> f64 {
    part as f64 * 100.0 / whole.max(1) as f64
}
