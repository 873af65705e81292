//! Decision table: every `tests/decisions/*.json` suite (policy set + requests + expected
//! Allow / ImplicitDeny / ExplicitDeny) run through `evaluate`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use rampart_policy::{
    Context, Decision, Policy, PolicyKind, PolicySet, Principal, PrincipalKind, Request, evaluate,
};
use serde_json::{Map, Value};
use std::path::Path;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

fn policy(v: &Value, kind: PolicyKind) -> Policy {
    let text = match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    Policy::parse(&text, kind).unwrap_or_else(|e| panic!("policy {text}: {e}"))
}

fn policies(v: Option<&Value>, kind: PolicyKind) -> Vec<Policy> {
    match v {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items.iter().map(|p| policy(p, kind)).collect(),
        Some(one) => vec![policy(one, kind)],
    }
}

fn principal(v: &Value) -> Principal {
    let (id, tags) = match v {
        Value::String(s) => (s.as_str(), None),
        Value::Object(o) => (o["id"].as_str().unwrap(), o.get("tags")),
        other => panic!("principal {other}"),
    };
    let f: Vec<&str> = id.split(':').collect();
    let mut p = match f.as_slice() {
        ["root", a] => Principal::root(a),
        ["user", a, n] => Principal::user(a, n, &format!("AIDA{}", n.to_uppercase())),
        ["session", a, r, s] => {
            Principal::assumed_role(a, r, s, &format!("AROA{}", r.to_uppercase()))
        }
        ["role", a, r] => {
            let mut p = Principal::user(a, r, "AROAX");
            p.arn = format!("arn:aws:iam::{a}:role/{r}");
            p.kind = PrincipalKind::Role;
            p.username = None;
            p
        }
        ["federated", a, n, parent] => Principal::federated_user(a, n, parent),
        ["service", n] => Principal::service(n),
        ["webidentity", n] => {
            let mut p = Principal::anonymous();
            p.kind = PrincipalKind::WebIdentity(n.to_string());
            p
        }
        ["anonymous"] => Principal::anonymous(),
        other => panic!("principal {other:?}"),
    };
    for (k, v) in tags.and_then(Value::as_object).into_iter().flatten() {
        p = p.with_tag(k, v.as_str().unwrap());
    }
    p
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn context(v: Option<&Value>) -> Context {
    let mut c = Context::new();
    for (k, v) in v.and_then(Value::as_object).into_iter().flatten() {
        if k == "$now" {
            let t = OffsetDateTime::parse(v.as_str().unwrap(), &Rfc3339).unwrap();
            c = c.with_current_time(t);
        } else if let Value::Array(items) = v {
            c.set_values(k, items.iter().map(scalar));
        } else {
            c.set(k, scalar(v));
        }
    }
    c
}

fn decision(s: &str) -> Decision {
    match s {
        "Allow" => Decision::Allow,
        "ImplicitDeny" => Decision::ImplicitDeny,
        "ExplicitDeny" => Decision::ExplicitDeny,
        other => panic!("expect {other}"),
    }
}

/// A case field, falling back to the suite's `defaults`.
fn field<'v>(case: &'v Map<String, Value>, defaults: &'v Value, name: &str) -> Option<&'v Value> {
    case.get(name).or_else(|| defaults.get(name))
}

fn run_suite(file: &str, suite: &Value, failures: &mut Vec<String>) -> usize {
    let name = suite["suite"].as_str().unwrap();
    let identity = policies(suite.get("identity"), PolicyKind::Identity);
    let kind = match suite.get("resource_kind").and_then(Value::as_str) {
        Some("Trust") => PolicyKind::Trust,
        _ => PolicyKind::Resource,
    };
    let resource = policies(suite.get("resource"), kind);
    let boundary = policies(suite.get("boundary"), PolicyKind::PermissionsBoundary);
    let session = policies(suite.get("session"), PolicyKind::Session);
    let identity_refs: Vec<&Policy> = identity.iter().collect();
    let session_refs: Vec<&Policy> = session.iter().collect();
    let set = PolicySet {
        identity: &identity_refs,
        resource: resource.first(),
        boundary: boundary.first(),
        session: &session_refs,
        require_resource_allow: suite.get("require_resource_allow") == Some(&Value::Bool(true)),
    };
    let reads_context = identity
        .iter()
        .chain(&resource)
        .chain(&boundary)
        .chain(&session)
        .any(Policy::reads_context);
    let defaults = suite.get("defaults").cloned().unwrap_or(Value::Null);
    let cases = suite["cases"].as_array().unwrap();
    for case in cases {
        let case = case.as_object().unwrap();
        let p = principal(field(case, &defaults, "principal").expect("principal"));
        let action = field(case, &defaults, "action")
            .and_then(Value::as_str)
            .unwrap();
        let res = field(case, &defaults, "resource")
            .and_then(Value::as_str)
            .unwrap();
        let account = match field(case, &defaults, "resource_account") {
            Some(v) => v.as_str().unwrap().to_string(),
            None => res
                .split(':')
                .nth(4)
                .filter(|a| !a.is_empty())
                .unwrap_or(&p.account)
                .to_string(),
        };
        let ctx = context(field(case, &defaults, "context"));
        let req = Request {
            principal: &p,
            action,
            resource: res,
            resource_account: &account,
            context: &ctx,
        };
        let got = evaluate(&req, &set);
        let want = decision(case["expect"].as_str().unwrap());
        // Callers skip building the context when no policy reads it: the decision must be
        // the same with an empty one.
        let empty = Context::new();
        let without_context = Request {
            context: &empty,
            ..req
        };
        if !reads_context && evaluate(&without_context, &set) != got {
            let label = case.get("name").and_then(Value::as_str).unwrap_or("?");
            failures.push(format!(
                "{file} / {name} / {label}: no policy reads the context, yet it changed the decision"
            ));
        }
        if got != want {
            let label = case.get("name").and_then(Value::as_str).unwrap_or("?");
            failures.push(format!(
                "{file} / {name} / {label}: got {got:?}, want {want:?}"
            ));
        }
    }
    cases.len()
}

#[test]
fn decision_table() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/decisions");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let (mut total, mut failures) = (0, Vec::new());
    for path in files
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
    {
        let text = std::fs::read_to_string(path).unwrap();
        let suites: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"));
        let file = path.file_name().unwrap().to_string_lossy().to_string();
        for suite in suites.as_array().unwrap() {
            total += run_suite(&file, suite, &mut failures);
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {total} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(total >= 300, "only {total} decision cases");
    println!("{total} decision cases passed");
}
