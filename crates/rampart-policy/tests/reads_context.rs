//! `Policy::reads_context`: true exactly when a statement has a Condition or a policy variable.
#![allow(clippy::unwrap_used)]

use rampart_policy::{Policy, PolicyKind};
use serde_json::json;

fn reads(statement: serde_json::Value, version: &str) -> bool {
    let doc = json!({"Version": version, "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}, statement]});
    Policy::parse(&doc.to_string(), PolicyKind::Identity)
        .unwrap()
        .reads_context()
}

#[test]
fn plain_statements_do_not_read_the_context() {
    let plain =
        json!({"Effect": "Deny", "NotAction": "kms:*", "NotResource": "arn:aws:kms:*:*:key/*"});
    assert!(!reads(plain, "2012-10-17"));
}

#[test]
fn a_condition_reads_the_context() {
    let conditional = json!({"Effect": "Deny", "Action": "*", "Resource": "*",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}});
    assert!(reads(conditional, "2012-10-17"));
}

#[test]
fn a_policy_variable_reads_the_context_only_where_variables_apply() {
    let variable = json!({"Effect": "Allow", "Action": "s3:*",
        "Resource": "arn:aws:s3:::home/${aws:username}/*"});
    assert!(reads(variable.clone(), "2012-10-17"));
    // Before 2012-10-17 `${...}` is literal text.
    assert!(!reads(variable, "2008-10-17"));
}
