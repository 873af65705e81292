//! Unit tests of the pure grant rules.

use super::*;

const ROOT: &str = "arn:aws:iam::111122223333:root";
const ALICE: &str = "arn:aws:iam::111122223333:user/alice";
const ROLE: &str = "arn:aws:iam::111122223333:role/team/app";

fn key(spec: &str, usage: &str) -> KeyRecord {
    let scope = Scope::new("111122223333", "us-east-1");
    let mut k = KeyRecord::new_symmetric(
        &scope,
        "1234abcd-12ab-34cd-56ef-1234567890ab".into(),
        String::new(),
        1,
    );
    k.key_spec = spec.into();
    k.key_usage = usage.into();
    k
}

fn ops(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

fn ctx(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn grant(operations: &[&str], constraints: Option<GrantConstraintSet>) -> GrantRecord {
    let request = GrantRequest {
        grantee_principal: Some(ALICE.into()),
        retiring_principal: Some(ROLE.into()),
        operations: ops(operations),
        constraints,
        ..Default::default()
    };
    request.into_record(
        &key("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT"),
        new_grant_id(),
        5,
    )
}

#[test]
fn grant_ids_are_64_lowercase_hex() {
    let id = new_grant_id();
    assert!(is_grant_id(&id), "{id}");
    assert_ne!(id, new_grant_id());
    assert!(!is_grant_id(&id.to_uppercase()));
    assert!(!is_grant_id("abc"));
    assert_eq!(check_grant_id(&id), Ok(()));
    let err = check_grant_id("nope").err();
    assert_eq!(err.map(|e| e.code()), Some("InvalidGrantIdException"));
}

#[test]
fn tokens_round_trip_and_differ() {
    let g = grant(&["Decrypt"], None);
    let a = encode_grant_token(&g);
    let b = encode_grant_token(&g);
    assert_ne!(a, b, "every CreateGrant answers a new token");
    let parsed = parse_grant_token(&a).ok();
    assert_eq!(
        parsed.as_ref().map(|t| t.g.as_str()),
        Some(g.grant_id.as_str())
    );
    assert_eq!(parsed.map(|t| t.scope()), Some(g.scope()));
    assert_eq!(check_grant_tokens(Some(&[a, b])), Ok(()));
    assert_eq!(check_grant_tokens(None), Ok(()));
    for bad in ["x", "e30", "!!!", &URL_SAFE_NO_PAD.encode(br#"{"v":2}"#)] {
        let err = parse_grant_token(bad).err();
        assert_eq!(err, Some(invalid_grant_token()), "{bad}");
    }
}

#[test]
fn operations_follow_the_key_type() {
    let sym = key("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT");
    let got = check_operations(
        &sym,
        &ops(&["Decrypt", "Encrypt", "Decrypt", "RetireGrant"]),
    );
    assert_eq!(got, Ok(ops(&["Decrypt", "Encrypt", "RetireGrant"])));
    let sign = check_operations(&sym, &ops(&["Sign"])).err();
    assert_eq!(sign.map(|e| e.code()), Some("ValidationException"));
    let sv = key("ECC_NIST_P256", "SIGN_VERIFY");
    assert!(check_operations(&sv, &ops(&["Sign", "Verify", "GetPublicKey"])).is_ok());
    assert!(check_operations(&sv, &ops(&["Encrypt"])).is_err());
    let rsa = key("RSA_2048", "ENCRYPT_DECRYPT");
    assert!(check_operations(&rsa, &ops(&["Encrypt", "GetPublicKey"])).is_ok());
    assert!(check_operations(&rsa, &ops(&["GenerateDataKey"])).is_err());
    let mac = key("HMAC_256", "GENERATE_VERIFY_MAC");
    assert!(check_operations(&mac, &ops(&["GenerateMac", "VerifyMac"])).is_ok());
    assert!(check_operations(&mac, &ops(&["GetPublicKey"])).is_err());
    let agree = key("ECC_NIST_P256", "KEY_AGREEMENT");
    assert!(check_operations(&agree, &ops(&["DeriveSharedSecret"])).is_ok());
    let kem = key("ML_KEM_768", "ENCAPSULATE_DECAPSULATE");
    assert!(check_operations(&kem, &ops(&["Decapsulate", "Encapsulate"])).is_ok());
    let only_create = check_operations(&sym, &ops(&["CreateGrant"]));
    assert_eq!(
        only_create,
        Err(KmsError::Validation(
            "Grants must not contain only the CreateGrant operation.".into()
        ))
    );
    assert!(check_operations(&sym, &[]).is_err());
}

#[test]
fn constraints_need_a_symmetric_key_and_fit_the_limits() {
    let sym = key("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT");
    let subset = GrantConstraintSet {
        encryption_context_subset: Some(ctx(&[("Dept", "IT")])),
        ..Default::default()
    };
    assert_eq!(
        check_constraints(&sym, Some(subset.clone())),
        Ok(Some(subset.clone()))
    );
    let sv = key("ECC_NIST_P256", "SIGN_VERIFY");
    let err = check_constraints(&sv, Some(subset)).err();
    assert_eq!(err.map(|e| e.code()), Some("ValidationException"));
    let empty = GrantConstraintSet {
        encryption_context_equals: Some(BTreeMap::new()),
        ..Default::default()
    };
    assert_eq!(check_constraints(&sv, Some(empty)), Ok(None));
    let nine: Vec<(String, String)> = (0..9).map(|i| (format!("k{i}"), "v".into())).collect();
    let big = GrantConstraintSet {
        encryption_context_equals: Some(nine.into_iter().collect()),
        ..Default::default()
    };
    assert!(check_constraints(&sym, Some(big)).is_err());
    let long = GrantConstraintSet {
        encryption_context_subset: Some(ctx(&[("k", &"v".repeat(384))])),
        ..Default::default()
    };
    assert!(check_constraints(&sym, Some(long)).is_err());
    let source = GrantConstraintSet {
        source_arn: Some("arn:aws:s3:::bucket-arn-example/x".into()),
        ..Default::default()
    };
    assert!(check_constraints(&sv, Some(source)).is_ok());
}

#[test]
fn principals() {
    for ok in [
        ROOT,
        ALICE,
        ROLE,
        "arn:aws:sts::111122223333:assumed-role/app/session",
        "arn:aws:sts::111122223333:federated-user/bob",
        "arn:aws-cn:iam::111122223333:role/x",
        "rds.us-east-1.amazonaws.com",
        "acm.amazonaws.com",
    ] {
        assert_eq!(check_principal("GranteePrincipal", ok), Ok(()), "{ok}");
    }
    for bad in [
        "alice",
        "111122223333",
        "arn:aws:iam::111122223333:group/devs",
        "arn:aws:iam::1111:root",
        "arn:aws:iam::111122223333:user/",
        "arn:aws:s3:::bucket",
        "example.com",
    ] {
        let err = check_principal("GranteePrincipal", bad).err();
        assert_eq!(err.map(|e| e.code()), Some("InvalidArnException"), "{bad}");
    }
}

#[test]
fn principal_members() {
    let mut r = GrantRequest::default();
    assert_eq!(check_principals(&r), Err(null_member("granteePrincipal")));
    r.grantee_principal = Some(ALICE.into());
    r.grantee_service_principal = Some("rds.amazonaws.com".into());
    assert_eq!(
        check_principals(&r),
        Err(either_not_both("GranteePrincipal"))
    );
    r.grantee_principal = None;
    assert!(
        check_principals(&r).is_err(),
        "SourceArn constraint required"
    );
    r.constraints = Some(GrantConstraintSet {
        source_arn: Some("arn:aws:rds:us-east-1:111122223333:db:orders".into()),
        ..Default::default()
    });
    assert!(check_principals(&r).is_err(), "retiring principal required");
    r.retiring_service_principal = Some("rds.amazonaws.com".into());
    assert_eq!(check_principals(&r), Ok(()));
    r.retiring_principal = Some(ROLE.into());
    assert_eq!(
        check_principals(&r),
        Err(either_not_both("RetiringPrincipal"))
    );
}

#[test]
fn key_states() {
    let mut k = key("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT");
    assert_eq!(require_grantable(&k), Ok(()));
    k.state = KeyState::Disabled;
    assert_eq!(
        require_grantable(&k).err().map(|e| e.code()),
        Some("DisabledException")
    );
    for s in [
        KeyState::PendingImport,
        KeyState::PendingDeletion,
        KeyState::Creating,
    ] {
        k.state = s;
        assert_eq!(require_grantable(&k), Err(k.state_error()));
    }
    k.state = KeyState::Unavailable;
    assert_eq!(require_grantable(&k), Ok(()));
}

#[test]
fn who_may_retire() {
    let g = grant(&["Decrypt"], None);
    assert!(may_retire(&g, ROLE));
    assert!(may_retire(
        &g,
        "arn:aws:sts::111122223333:assumed-role/app/s1"
    ));
    assert!(may_retire(&g, ROOT), "the issuing account");
    assert!(!may_retire(&g, ALICE), "grantee without RetireGrant");
    assert!(!may_retire(&g, "arn:aws:iam::999999999999:root"));
    let g = grant(&["Decrypt", "RetireGrant"], None);
    assert!(may_retire(&g, ALICE));
}

#[test]
fn matching_grants() {
    let none = BTreeMap::new();
    let g = grant(&["Decrypt", "DescribeKey"], None);
    assert!(grant_allows(&g, ALICE, "Decrypt", &none));
    assert!(!grant_allows(&g, ALICE, "Encrypt", &none));
    assert!(!grant_allows(&g, ROOT, "Decrypt", &none));
    let subset = GrantConstraintSet {
        encryption_context_subset: Some(ctx(&[("Dept", "IT")])),
        ..Default::default()
    };
    let g = grant(&["Decrypt", "DescribeKey"], Some(subset));
    assert!(grant_allows(
        &g,
        ALICE,
        "Decrypt",
        &ctx(&[("dept", "IT"), ("x", "y")])
    ));
    assert!(!grant_allows(&g, ALICE, "Decrypt", &ctx(&[("Dept", "it")])));
    assert!(!grant_allows(&g, ALICE, "Decrypt", &none));
    assert!(
        grant_allows(&g, ALICE, "DescribeKey", &none),
        "no context operation"
    );
    let equals = GrantConstraintSet {
        encryption_context_equals: Some(ctx(&[("Dept", "IT")])),
        ..Default::default()
    };
    let g = grant(&["Encrypt"], Some(equals));
    assert!(grant_allows(&g, ALICE, "Encrypt", &ctx(&[("DEPT", "IT")])));
    assert!(!grant_allows(
        &g,
        ALICE,
        "Encrypt",
        &ctx(&[("Dept", "IT"), ("x", "y")])
    ));
    let source = GrantConstraintSet {
        source_arn: Some("arn:aws:rds:us-east-1:111122223333:db:orders".into()),
        ..Default::default()
    };
    let g = grant(&["Decrypt", "RetireGrant"], Some(source));
    assert!(!grant_allows(&g, ALICE, "Decrypt", &none));
    assert!(grant_allows(&g, ALICE, "RetireGrant", &none));
}

#[test]
fn role_sessions_match_role_grants() {
    let session = "arn:aws:sts::111122223333:assumed-role/app/s1";
    assert!(principal_matches(ROLE, session));
    assert!(!principal_matches(
        "arn:aws:iam::999999999999:role/app",
        session
    ));
    assert!(!principal_matches(
        "arn:aws:iam::111122223333:role/other",
        session
    ));
    assert!(!principal_matches(ALICE, session));
}

#[test]
fn named_requests_are_recognised() {
    let mut g = grant(&["Decrypt"], None);
    let mut request = GrantRequest {
        name: Some("n".into()),
        grantee_principal: g.grantee_principal.clone(),
        retiring_principal: g.retiring_principal.clone(),
        operations: g.operations.clone(),
        ..Default::default()
    };
    assert!(!g.same_request(&request), "unnamed grants are never reused");
    g.name = Some("n".into());
    assert!(g.same_request(&request));
    request.operations.push("Encrypt".into());
    assert!(!g.same_request(&request));
    assert_eq!(g.issuing_account(), ROOT);
    assert_eq!(g.retiree(), Some(ROLE));
}
