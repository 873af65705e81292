//! IAM policy language: a document parsed and validated as every policy kind, measured against
//! the size quotas and, when it compiles, evaluated for a few principals, actions and
//! condition keys (wildcard patterns, policy variables, condition operators).
#![no_main]

use libfuzzer_sys::fuzz_target;
use rampart_fuzz::SUITE_NOW;
use rampart_policy::{
    Context, Policy, PolicyKind, PolicySet, Principal, Request, SizeLimit, check_size, evaluate,
};
use std::sync::LazyLock;

const KINDS: [PolicyKind; 5] = [
    PolicyKind::Identity,
    PolicyKind::Resource,
    PolicyKind::Trust,
    PolicyKind::PermissionsBoundary,
    PolicyKind::Session,
];

static PRINCIPALS: LazyLock<[Principal; 3]> = LazyLock::new(|| {
    [
        Principal::user("111122223333", "alice", "AIDAEXAMPLE").with_tag("team", "blue"),
        Principal::assumed_role("111122223333", "admin", "s1", "AROAEXAMPLE"),
        Principal::root("444455556666"),
    ]
});

static CONTEXT: LazyLock<Context> = LazyLock::new(|| {
    Context::new()
        .with_current_time(SUITE_NOW)
        .with_source_ip([192, 0, 2, 10].into())
        .with_secure_transport(true)
        .with_request_tags([("team", "blue"), ("env", "prod")])
        .with_resource_tags([("owner", "alice")])
        .with("kms:EncryptionContext:app", "billing")
        .with("aws:username", "alice")
        .with("aws:MultiFactorAuthAge", "3600")
        .with_values("kms:GrantOperations", ["Encrypt", "Decrypt"])
        .with_binary("kms:RecipientAttestation:ImageSha384", b"\x01\x02\x03")
});

const REQUESTS: [(&str, &str); 3] = [
    (
        "kms:Encrypt",
        "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    ),
    ("sts:AssumeRole", "arn:aws:iam::111122223333:role/admin"),
    ("iam:CreateUser", "arn:aws:iam::111122223333:user/team/bob"),
];

fuzz_target!(|data: &[u8]| {
    let Ok(json) = std::str::from_utf8(data) else {
        return;
    };
    for limit in [
        SizeLimit::ManagedPolicy,
        SizeLimit::SessionPolicy,
        SizeLimit::KeyPolicy,
    ] {
        let _ = check_size(json, limit);
    }
    for kind in KINDS {
        let Ok(policy) = Policy::parse(json, kind) else {
            continue;
        };
        assert!(policy.statement_count() > 0);
        let one = [&policy];
        let set = match kind {
            PolicyKind::Identity => PolicySet {
                identity: &one,
                ..PolicySet::default()
            },
            PolicyKind::Resource | PolicyKind::Trust => PolicySet {
                resource: Some(&policy),
                require_resource_allow: kind == PolicyKind::Trust,
                ..PolicySet::default()
            },
            PolicyKind::PermissionsBoundary => PolicySet {
                identity: &one,
                boundary: Some(&policy),
                ..PolicySet::default()
            },
            PolicyKind::Session => PolicySet {
                identity: &one,
                session: &one,
                ..PolicySet::default()
            },
        };
        for principal in PRINCIPALS.iter() {
            for (action, resource) in REQUESTS {
                let req = Request {
                    principal,
                    action,
                    resource,
                    resource_account: "111122223333",
                    context: &CONTEXT,
                };
                let _ = evaluate(&req, &set);
            }
        }
    }
});
