//! Policy documents rejected on write with AWS's errors (MalformedPolicyDocument messages,
//! LimitExceeded quotas), and documents that must be accepted.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use rampart_policy::{
    LIMIT_EXCEEDED, MALFORMED_POLICY_DOCUMENT, Policy, PolicyKind, SizeLimit, check_size,
};
use serde_json::{Value, json};

const SYNTAX: &str = "Syntax errors in policy.";
const VENDOR: &str = "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.";

fn doc(statement: Value) -> String {
    json!({"Version": "2012-10-17", "Statement": [statement]}).to_string()
}

fn allow(extra: Value) -> String {
    let mut s = json!({"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*"});
    for (k, v) in extra.as_object().unwrap() {
        if v.is_null() {
            s.as_object_mut().unwrap().remove(k);
        } else {
            s[k] = v.clone();
        }
    }
    doc(s)
}

fn cond(c: Value) -> String {
    allow(json!({"Condition": c}))
}

fn rejected(kind: PolicyKind, text: &str, message: &str) {
    let err = Policy::parse(text, kind).expect_err(text);
    assert_eq!(err.code, MALFORMED_POLICY_DOCUMENT, "{text}");
    assert_eq!(err.message, message, "{text}");
}

#[test]
fn malformed_documents() {
    use PolicyKind::*;
    let cases: Vec<(PolicyKind, String, &str)> = vec![
        (Identity, "not json".into(), SYNTAX),
        (Identity, "[]".into(), SYNTAX),
        (
            Identity,
            json!({"Version": "2012-10-18", "Statement": []}).to_string(),
            SYNTAX,
        ),
        (
            Identity,
            json!({"Version": 2012, "Statement": []}).to_string(),
            SYNTAX,
        ),
        (
            Identity,
            json!({"Version": "2012-10-17", "Statements": []}).to_string(),
            "Unknown field Statements",
        ),
        (
            Identity,
            json!({"Version": "2012-10-17"}).to_string(),
            "Missing required field Statement",
        ),
        (
            Identity,
            json!({"Version": "2012-10-17", "Statement": []}).to_string(),
            "Missing required field Statement",
        ),
        (
            Identity,
            json!({"Version": "2012-10-17", "Statement": "x"}).to_string(),
            SYNTAX,
        ),
        (
            Identity,
            json!({"Id": 5, "Statement": {}}).to_string(),
            SYNTAX,
        ),
        (Identity, doc(json!("x")), SYNTAX),
        (
            Identity,
            allow(json!({"Actions": "kms:*"})),
            "Unknown field Actions",
        ),
        (
            Identity,
            allow(json!({"Effect": null})),
            "Missing required field Effect",
        ),
        (
            Identity,
            allow(json!({"Effect": "allow"})),
            "The policy failed legacy parsing",
        ),
        (
            Identity,
            allow(json!({"Effect": true})),
            "The policy failed legacy parsing",
        ),
        (
            Identity,
            allow(json!({"Action": null})),
            "Policy statement must contain actions.",
        ),
        (
            Identity,
            allow(json!({"Action": []})),
            "Policy statement must contain actions.",
        ),
        (Identity, allow(json!({"NotAction": "kms:Decrypt"})), SYNTAX),
        (Identity, allow(json!({"Action": "Encrypt"})), VENDOR),
        (Identity, allow(json!({"Action": ":Encrypt"})), VENDOR),
        (
            Identity,
            allow(json!({"Action": "kms:Encrypt:x"})),
            "Actions/Condition can contain only one colon.",
        ),
        (Identity, allow(json!({"Action": 5})), SYNTAX),
        (
            Identity,
            allow(json!({"Action": ["kms:Encrypt", 5]})),
            SYNTAX,
        ),
        (
            Identity,
            allow(json!({"Resource": null})),
            "Policy statement must contain resources.",
        ),
        (
            Identity,
            allow(json!({"Resource": []})),
            "Policy statement must contain resources.",
        ),
        (Identity, allow(json!({"NotResource": "*"})), SYNTAX),
        (
            Identity,
            allow(json!({"Resource": "key/k1"})),
            "Resource key/k1 must be in ARN format or \"*\".",
        ),
        (
            Identity,
            allow(json!({"Resource": "arn:aws:kms"})),
            "Resource arn:aws:kms must be in ARN format or \"*\".",
        ),
        (Identity, allow(json!({"Resource": {"a": 1}})), SYNTAX),
        (
            Identity,
            allow(json!({"Principal": "*"})),
            "Policy document should not specify a principal.",
        ),
        (
            PermissionsBoundary,
            allow(json!({"NotPrincipal": {"AWS": "111122223333"}})),
            "Policy document should not specify a principal.",
        ),
        (
            Session,
            allow(json!({"Principal": {"AWS": "111122223333"}})),
            "Policy document should not specify a principal.",
        ),
        (
            Resource,
            allow(json!({})),
            "Missing required field Principal",
        ),
        (
            Resource,
            allow(json!({"Principal": "*", "NotPrincipal": "*"})),
            SYNTAX,
        ),
        (
            Resource,
            allow(json!({"Principal": "alice"})),
            "Invalid principal in policy: \"alice\"",
        ),
        (
            Resource,
            allow(json!({"Principal": {"AWS": "arn:aws:iam::111122223333:user/*"}})),
            "Invalid principal in policy: \"AWS\":\"arn:aws:iam::111122223333:user/*\"",
        ),
        (
            Resource,
            allow(json!({"Principal": {"AWS": "1234"}})),
            "Invalid principal in policy: \"AWS\":\"1234\"",
        ),
        (
            Resource,
            allow(json!({"Principal": {"AWS": "arn:aws:iam::111122223333:group/g"}})),
            "Invalid principal in policy: \"AWS\":\"arn:aws:iam::111122223333:group/g\"",
        ),
        (
            Resource,
            allow(json!({"Principal": {"Foo": "x"}})),
            "Invalid principal in policy: \"Foo\":\"x\"",
        ),
        (
            Resource,
            allow(json!({"Principal": {"AWS": 5}})),
            "Invalid principal in policy: \"AWS\":5",
        ),
        (
            Trust,
            allow(
                json!({"Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}),
            ),
            "Has prohibited field Resource",
        ),
        (
            Trust,
            allow(json!({"Principal": {"Service": "ec2.amazonaws.com"}, "Resource": null})),
            "AssumeRole policy may only specify STS AssumeRole actions.",
        ),
        (
            Trust,
            allow(json!({"Action": "sts:AssumeRole", "Resource": null})),
            "Missing required field Principal",
        ),
        (
            Identity,
            cond(json!({"StringEqualz": {"aws:username": "a"}})),
            SYNTAX,
        ),
        (
            Identity,
            cond(json!({"ForAllValues:Null": {"aws:username": "true"}})),
            SYNTAX,
        ),
        (
            Identity,
            cond(json!({"NullIfExists": {"aws:username": "true"}})),
            SYNTAX,
        ),
        (
            Identity,
            cond(json!({"ForSomeValues:StringEquals": {"aws:username": "a"}})),
            SYNTAX,
        ),
        (
            Identity,
            cond(json!({"StringEquals": {"SourceIp": "a"}})),
            VENDOR,
        ),
        (
            Identity,
            cond(json!({"NumericLessThan": {"a:n": "abc"}})),
            SYNTAX,
        ),
        (
            Identity,
            cond(json!({"DateLessThan": {"aws:CurrentTime": "tomorrow"}})),
            SYNTAX,
        ),
        (
            Identity,
            cond(json!({"IpAddress": {"aws:SourceIp": "300.1.1.1/8"}})),
            SYNTAX,
        ),
        (
            Identity,
            cond(json!({"IpAddress": {"aws:SourceIp": "10.0.0.0/33"}})),
            SYNTAX,
        ),
        (
            Identity,
            cond(json!({"Bool": {"aws:SecureTransport": "yes"}})),
            SYNTAX,
        ),
        (
            Identity,
            cond(json!({"BinaryEquals": {"a:b": "!!"}})),
            SYNTAX,
        ),
        (
            Identity,
            cond(json!({"Null": {"a:b": ["true", "false"]}})),
            SYNTAX,
        ),
        (
            Identity,
            cond(json!({"StringEquals": {"a:b": null}})),
            SYNTAX,
        ),
        (
            Identity,
            cond(json!({"StringEquals": {"a:b": {"x": 1}}})),
            SYNTAX,
        ),
        (Identity, cond(json!({"StringEquals": "a"})), SYNTAX),
        (Identity, cond(json!(["StringEquals"])), SYNTAX),
        (
            Identity,
            allow(json!({"Sid": "has space"})),
            "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*",
        ),
        (Identity, allow(json!({"Sid": 5})), SYNTAX),
        (
            Identity,
            json!({"Version": "2012-10-17", "Statement": [
            {"Sid": "A", "Effect": "Allow", "Action": "s3:*", "Resource": "*"},
            {"Sid": "A", "Effect": "Deny", "Action": "s3:*", "Resource": "*"}]})
            .to_string(),
            "Statement IDs (SID) in a single policy must be unique.",
        ),
        (
            Identity,
            allow(json!({"Resource": "arn:aws:s3:::b/€"})),
            SYNTAX,
        ),
    ];
    for (kind, text, message) in &cases {
        rejected(*kind, text, message);
    }
}

#[test]
fn accepted_documents() {
    use PolicyKind::*;
    let every_operator = cond(json!({
        "StringEquals": {"a:a": "x"}, "StringNotEquals": {"a:a": "x"},
        "StringEqualsIgnoreCase": {"a:a": "x"}, "StringNotEqualsIgnoreCase": {"a:a": "x"},
        "StringLike": {"a:a": "x*"}, "StringNotLike": {"a:a": "x?"},
        "NumericEquals": {"a:n": 1}, "NumericNotEquals": {"a:n": "1.5"}, "NumericLessThan": {"a:n": -3},
        "NumericLessThanEquals": {"a:n": 1}, "NumericGreaterThan": {"a:n": 1}, "NumericGreaterThanEquals": {"a:n": 1},
        "DateEquals": {"a:d": "2024-01-01"}, "DateNotEquals": {"a:d": 1_704_067_200},
        "DateLessThan": {"a:d": "2024-01-01T00:00:00Z"}, "DateLessThanEquals": {"a:d": "2024-01-01T00:00:00.123+02:00"},
        "DateGreaterThan": {"a:d": "2024-01-01T00:00:00"}, "DateGreaterThanEquals": {"a:d": "2024-01-01"},
        "Bool": {"a:b": true}, "BinaryEquals": {"a:b": "QmluYXJ5"},
        "IpAddress": {"a:ip": ["10.0.0.0/8", "::1"]}, "NotIpAddress": {"a:ip": "2001:db8::/32"},
        "ArnEquals": {"a:arn": "arn:aws:s3:::b"}, "ArnLike": {"a:arn": "arn:aws:*:*:*:*"},
        "ArnNotEquals": {"a:arn": "arn:aws:s3:::b"}, "ArnNotLike": {"a:arn": "*"},
        "Null": {"a:x": "true"}, "StringEqualsIfExists": {"a:a": "x"}, "ForAllValues:StringLike": {"a:t": "*"},
        "ForAnyValue:NumericLessThanIfExists": {"a:n": 3}, "ForAnyValue:DateGreaterThan": {"a:d": "2024-01-01"}
    }));
    let ok: Vec<(PolicyKind, String)> = vec![
        (Identity, allow(json!({}))),
        (Identity, every_operator),
        (Identity, json!({"Statement": {"Effect": "Deny", "NotAction": "s3:*", "NotResource": "arn:aws:s3:::b/*"}}).to_string()),
        (Identity, json!({"Version": "2008-10-17", "Id": "x", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": ["*"]}]}).to_string()),
        (Identity, allow(json!({"Resource": "arn:aws:s3:*", "Sid": ""}))),
        (Identity, allow(json!({"Resource": "arn:aws:s3:::home/${aws:username}/*"}))),
        (Resource, allow(json!({"Sid": "Enable IAM User Permissions", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}}))),
        (Resource, allow(json!({"Principal": {"AWS": ["111122223333", "arn:aws:iam::111122223333:role/a/b",
            "arn:aws:sts::111122223333:assumed-role/r/s", "arn:aws:sts::111122223333:federated-user/f",
            "arn:aws-cn:iam::111122223333:user/u"], "Service": ["ec2.amazonaws.com"],
            "Federated": "arn:aws:iam::111122223333:saml-provider/p", "CanonicalUser": "abc"}}))),
        (Resource, allow(json!({"NotPrincipal": {"AWS": "*"}, "Effect": "Deny"}))),
        (Trust, allow(json!({"Principal": {"Federated": "accounts.google.com"}, "Resource": null,
            "Action": ["sts:AssumeRoleWithWebIdentity", "sts:TagSession"]}))),
        (Trust, allow(json!({"Principal": {"AWS": "111122223333"}, "Resource": null, "Action": "sts:*"}))),
        (Session, allow(json!({"Sid": "S1"}))),
    ];
    for (kind, text) in &ok {
        let p = Policy::parse(text, *kind).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(p.kind(), *kind);
        assert!(p.statement_count() >= 1);
    }
}

#[test]
fn size_quotas() {
    let pad = |n: usize| "a".repeat(n);
    assert!(check_size(&pad(6_144), SizeLimit::ManagedPolicy).is_ok());
    let err = check_size(&pad(6_145), SizeLimit::ManagedPolicy).unwrap_err();
    assert_eq!(
        (err.code, err.message.as_str()),
        (LIMIT_EXCEEDED, "Cannot exceed quota for PolicySize: 6144")
    );
    let spaced = format!("{}{}", pad(6_144), " \n\t\r".repeat(500));
    assert!(
        check_size(&spaced, SizeLimit::ManagedPolicy).is_ok(),
        "IAM does not count white space"
    );
    let err = check_size(&pad(2_049), SizeLimit::TrustPolicy).unwrap_err();
    assert_eq!(err.message, "Cannot exceed quota for ACLSize: 2048");
    assert!(check_size(&pad(10_240), SizeLimit::RoleInline).is_ok());
    assert!(check_size(&pad(10_241), SizeLimit::RoleInline).is_err());
    assert!(check_size(&pad(5_121), SizeLimit::GroupInline).is_err());
    assert!(check_size(&pad(2_049), SizeLimit::UserInline).is_err());
    let session = format!("{}{}", pad(2_000), " ".repeat(49));
    assert!(
        check_size(&session, SizeLimit::SessionPolicy).is_err(),
        "session policies count white space"
    );
    assert!(check_size(&pad(32_768), SizeLimit::KeyPolicy).is_ok());
    assert!(
        check_size(&format!("{}é", pad(32_767)), SizeLimit::KeyPolicy).is_err(),
        "bytes, not characters"
    );
    let custom = SizeLimit::Custom {
        max: 3,
        ignore_whitespace: true,
    };
    assert!(check_size("a b c", custom).is_ok());
}

#[test]
fn policy_accessors() {
    let text = json!({"Version": "2012-10-17", "Id": "key-1", "Statement": [
        {"Sid": "One", "Effect": "Allow", "Action": "s3:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]})
    .to_string();
    let p = Policy::parse(&text, PolicyKind::Identity).unwrap();
    assert_eq!(p.id(), Some("key-1"));
    assert_eq!((p.sid(0), p.sid(1), p.sid(2)), (Some("One"), None, None));
}
