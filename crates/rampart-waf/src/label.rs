//! Labels: namespaces of web ACLs and rule groups, and LabelMatchStatement.
//!
//! A label is `<namespace><name>`, the namespace `awswaf:<account>:webacl:<name>:`,
//! `awswaf:<account>:rulegroup:<name>:` or a managed group's `awswaf:managed:<vendor>:<name>:`.
//! A key that does not start with `awswaf:` is relative to the namespace of the context the
//! statement runs in (its web ACL or rule group), as AWS documents.

use crate::error::{CompileError, Result};
use crate::json;
use serde_json::Value;
use std::sync::Arc;

const PREFIX: &str = "awswaf:";

/// `LabelMatchStatement`.
#[derive(Debug, Clone)]
pub(crate) struct LabelMatch {
    namespace_scope: bool,
    key: String,
    context: Arc<str>,
}

impl LabelMatch {
    pub(crate) fn parse(value: &Value, context: &Arc<str>, what: &str) -> Result<LabelMatch> {
        let obj = json::object(value, what)?;
        let namespace_scope = json::enum_str(obj, "Scope", what, |s| match s {
            "LABEL" => Some(false),
            "NAMESPACE" => Some(true),
            _ => None,
        })?;
        let key = json::req_str(obj, "Key", what)?;
        if key.is_empty() || key.len() > 1024 {
            return Err(CompileError::invalid(format!(
                "{what}.Key must be 1 to 1024 characters"
            )));
        }
        let key = if namespace_scope && !key.ends_with(':') {
            format!("{key}:")
        } else {
            key.to_owned()
        };
        Ok(LabelMatch {
            namespace_scope,
            key,
            context: context.clone(),
        })
    }

    /// Whether one of `labels` matches.
    pub(crate) fn matches(&self, labels: &[String]) -> bool {
        labels.iter().any(|label| self.matches_one(label))
    }

    fn matches_one(&self, label: &str) -> bool {
        let qualified = self.key.starts_with(PREFIX);
        if self.namespace_scope {
            let namespace = label.rfind(':').map_or("", |i| &label[..=i]);
            if qualified {
                return namespace.starts_with(&self.key);
            }
            return namespace
                .strip_prefix(&*self.context)
                .is_some_and(|rest| component_suffix_or_prefix(rest, &self.key, true));
        }
        if qualified {
            return label == self.key;
        }
        label
            .strip_prefix(&*self.context)
            .is_some_and(|rest| component_suffix_or_prefix(rest, &self.key, false))
    }
}

/// `key` names whole components of `rest`: for a label, its last components; for a
/// namespace, a contiguous run of them.
fn component_suffix_or_prefix(rest: &str, key: &str, namespace: bool) -> bool {
    if rest == key {
        return true;
    }
    if namespace {
        return rest.starts_with(key) || rest.contains(&format!(":{key}"));
    }
    rest.len() > key.len()
        && rest.ends_with(key)
        && rest.as_bytes()[rest.len() - key.len() - 1] == b':'
}

/// The namespace of a web ACL: its `LabelNamespace`, else built from the account of its ARN.
pub(crate) fn namespace(obj: &serde_json::Map<String, Value>, kind: &str) -> Arc<str> {
    if let Some(ns) = json::opt_str(obj, "LabelNamespace").filter(|n| !n.is_empty()) {
        return if ns.ends_with(':') {
            ns.into()
        } else {
            format!("{ns}:").into()
        };
    }
    let account = json::opt_str(obj, "ARN")
        .and_then(|arn| arn.split(':').nth(4))
        .unwrap_or("");
    let name = json::opt_str(obj, "Name").unwrap_or("");
    format!("{PREFIX}{account}:{kind}:{name}:").into()
}

/// A rule's `RuleLabels`, fully qualified in `context`.
pub(crate) fn rule_labels(items: &[Value], context: &str, what: &str) -> Result<Vec<String>> {
    items
        .iter()
        .map(|item| {
            let obj = json::object(item, what)?;
            let name = json::req_str(obj, "Name", what)?;
            if name.is_empty() || name.starts_with(':') || name.ends_with(':') {
                return Err(CompileError::invalid(format!(
                    "{what}: invalid label name {name}"
                )));
            }
            Ok(format!("{context}{name}"))
        })
        .collect()
}
