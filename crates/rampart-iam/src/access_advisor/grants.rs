//! Which services and actions identity policies grant, as access advisor reads them: only the
//! `Allow` statements of permissions policies count (AWS: service last accessed data "only
//! applies permissions policy logic"; boundaries, resource policies and denials are not
//! considered). `Action` patterns name services by their namespace (wildcards allowed, as in
//! `*` or `s3*:Get*`); an `Allow` with `NotAction` grants every service whose actions it does
//! not exclude wholesale.

use super::catalog::SERVICES;
use serde_json::Value;
use std::collections::BTreeSet;

/// The action patterns of one policy document's `Allow` statements.
#[derive(Debug, Default, Clone)]
pub(crate) struct Grants {
    /// `Action` patterns (lower case).
    actions: Vec<String>,
    /// Each `Allow` + `NotAction` statement's patterns (lower case).
    not_actions: Vec<Vec<String>>,
}

impl Grants {
    /// The grants of the policy documents `docs` (unparsable documents grant nothing).
    pub(crate) fn of<'a>(docs: impl IntoIterator<Item = &'a str>) -> Self {
        let mut out = Grants::default();
        for doc in docs {
            let Ok(value) = serde_json::from_str::<Value>(doc) else {
                continue;
            };
            for statement in statements(&value) {
                out.add(statement);
            }
        }
        out
    }

    fn add(&mut self, statement: &Value) {
        if statement.get("Effect").and_then(Value::as_str) != Some("Allow") {
            return;
        }
        if let Some(actions) = statement.get("Action") {
            self.actions.extend(strings(actions));
        } else if let Some(not) = statement.get("NotAction") {
            self.not_actions.push(strings(not));
        }
    }

    /// Whether the documents grant any action of the service `namespace`.
    pub(crate) fn grants_service(&self, namespace: &str) -> bool {
        let namespace = namespace.to_ascii_lowercase();
        let named = self
            .actions
            .iter()
            .any(|p| service_part(p).is_some_and(|s| glob(s, &namespace)));
        named
            || self.not_actions.iter().any(|excluded| {
                !excluded.iter().any(|p| {
                    p == "*" || (service_part(p) == Some(namespace.as_str()) && p.ends_with(":*"))
                })
            })
    }

    /// Whether the documents allow `action` (`<namespace>:<Action>`) by an `Action` pattern,
    /// or by a `NotAction` statement that does not exclude it.
    pub(crate) fn grants_action(&self, action: &str) -> bool {
        let action = action.to_ascii_lowercase();
        self.actions.iter().any(|p| glob(p, &action))
            || self
                .not_actions
                .iter()
                .any(|excluded| !excluded.iter().any(|p| glob(p, &action)))
    }

    /// The namespaces of the catalog the documents grant, sorted (a namespace the catalog
    /// does not know is no service access advisor reports on).
    pub(crate) fn services(&self) -> BTreeSet<String> {
        SERVICES
            .iter()
            .filter(|(ns, _)| self.grants_service(ns))
            .map(|(ns, _)| (*ns).to_owned())
            .collect()
    }
}

/// The statements of a policy document (`Statement` as an object or a list).
pub(crate) fn statements(doc: &Value) -> Vec<&Value> {
    match doc.get("Statement") {
        Some(Value::Array(list)) => list.iter().collect(),
        Some(one @ Value::Object(_)) => vec![one],
        _ => Vec::new(),
    }
}

/// A string or list of strings, lower-cased.
fn strings(value: &Value) -> Vec<String> {
    match value {
        Value::String(s) => vec![s.to_ascii_lowercase()],
        Value::Array(list) => list
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_ascii_lowercase)
            .collect(),
        _ => Vec::new(),
    }
}

/// The service part of an action pattern: before the colon; `*` for the bare `*`.
fn service_part(pattern: &str) -> Option<&str> {
    if pattern == "*" {
        return Some("*");
    }
    pattern.split_once(':').map(|(service, _)| service)
}

/// `*` (any run) and `?` (one character) matching of `text` by `pattern`.
pub(crate) fn glob(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(&c) if c == '?' || c == t[ti] => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn action_patterns_name_services() {
        let doc = r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":["kms:Encrypt","S3:Get*"],"Resource":"*"},
            {"Effect":"Deny","Action":"sts:*","Resource":"*"}]}"#;
        let grants = Grants::of([doc]);
        let services: Vec<String> = grants.services().into_iter().collect();
        assert_eq!(services, ["kms", "s3"]);
        assert!(grants.grants_action("kms:Encrypt"));
        assert!(!grants.grants_action("kms:Decrypt"));
        assert!(grants.grants_action("s3:GetObject"));
    }

    #[test]
    fn wildcards_and_not_action_reach_the_catalog() {
        let all = Grants::of([r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#]);
        assert_eq!(all.services().len(), SERVICES.len());
        let prefixed = Grants::of([r#"{"Statement":{"Effect":"Allow","Action":"acm*:*"}}"#]);
        let acm: Vec<String> = prefixed.services().into_iter().collect();
        assert_eq!(acm, ["acm", "acm-pca"]);
        let not = Grants::of([r#"{"Statement":{"Effect":"Allow","NotAction":"iam:*"}}"#]);
        assert!(!not.grants_service("iam") && not.grants_service("kms"));
        assert!(!not.grants_action("iam:CreateUser") && not.grants_action("kms:Sign"));
    }

    #[test]
    fn globbing() {
        assert!(glob("iam:list*", "iam:listusers"));
        assert!(glob("*", "anything"));
        assert!(glob("i?m:*", "iam:x"));
        assert!(!glob("iam:get*", "iam:listusers"));
        assert!(glob("a*b*c", "axxbyyc") && !glob("a*b*c", "axxbyy"));
    }
}
