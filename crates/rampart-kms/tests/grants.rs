//! Grants through the generated dispatch: CreateGrant (operations per key type, constraints,
//! principals, Name idempotency, key states, AWS-managed keys, quota, DryRun), ListGrants and
//! ListRetirableGrants (filters, pages), RetireGrant (token or key + id, who may retire),
//! RevokeGrant, GrantTokens on other operations, purge with the key, and `grants_allowing`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{ACCOUNT, Harness, REGION, assert_error, b64, call_with, context};
use rampart_core::{PrincipalKind, RequestContext};
use rampart_kms::domain::KeyRecord;
use rampart_store::{Expect, Table};
use serde_json::{Value, json};
use std::collections::BTreeMap;

const APP: &str = "arn:aws:iam::111122223333:role/app";
const ADMIN: &str = "arn:aws:iam::111122223333:role/admin";
const ALICE: &str = "arn:aws:iam::111122223333:user/alice";

fn caller(arn: &str) -> RequestContext {
    let mut ctx = context(ACCOUNT, REGION);
    ctx.principal.arn = arn.to_owned();
    ctx.principal.kind = PrincipalKind::IamUser;
    ctx
}

/// CreateGrant on `key` with `extra` members; returns (grant id, grant token).
async fn grant(h: &Harness, key: &str, extra: Value) -> (String, String) {
    let mut body = json!({"KeyId": key, "GranteePrincipal": APP, "Operations": ["Decrypt"]});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    let out = h.ok("CreateGrant", body).await;
    let id = out["GrantId"].as_str().unwrap().to_owned();
    (id, out["GrantToken"].as_str().unwrap().to_owned())
}

async fn grants_of(h: &Harness, key: &str) -> Vec<Value> {
    let out = h.ok("ListGrants", json!({"KeyId": key})).await;
    out["Grants"].as_array().unwrap().clone()
}

async fn key_with(h: &Harness, body: Value) -> String {
    let out = h.ok("CreateKey", body).await;
    out["KeyMetadata"]["KeyId"].as_str().unwrap().to_owned()
}

async fn key_record(h: &Harness, key_id: &str) -> KeyRecord {
    let table: Table<KeyRecord> = Table::new(h.store.clone(), rampart_kms::store::KEYS);
    let row = format!("{ACCOUNT}/{REGION}/{key_id}");
    table.get(&row).await.unwrap().unwrap().value
}

#[tokio::test]
async fn create_list_and_revoke() {
    let h = Harness::new().await;
    let (key, arn) = h.create_key().await;
    let constraints = json!({"EncryptionContextSubset": {"Dept": "IT"}});
    let extra = json!({"RetiringPrincipal": ADMIN, "Operations": ["Encrypt", "Decrypt"],
                       "Constraints": constraints});
    let (id, token) = grant(&h, &key, extra).await;
    assert_eq!(id.len(), 64);
    assert!(
        id.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    );
    assert!(!token.is_empty());
    let listed = grants_of(&h, &arn).await;
    assert_eq!(listed.len(), 1);
    let g = &listed[0];
    assert_eq!(g["KeyId"], arn);
    assert_eq!(g["GrantId"], id);
    assert_eq!(g["Name"], "");
    assert_eq!(g["GranteePrincipal"], APP);
    assert_eq!(g["RetiringPrincipal"], ADMIN);
    assert_eq!(g["IssuingAccount"], format!("arn:aws:iam::{ACCOUNT}:root"));
    assert_eq!(g["Operations"], json!(["Encrypt", "Decrypt"]));
    assert_eq!(g["Constraints"], constraints);
    assert!(g["CreationDate"].is_number());
    h.ok("RevokeGrant", json!({"KeyId": key, "GrantId": id}))
        .await;
    assert!(grants_of(&h, &key).await.is_empty());
    let e = h
        .err("RevokeGrant", json!({"KeyId": key, "GrantId": id}))
        .await;
    assert_error(
        &e,
        "NotFoundException",
        &format!("Grant ID {id} not found for key {arn}"),
    );
}

#[tokio::test]
async fn named_grants_are_idempotent() {
    let h = Harness::new().await;
    let (key, _) = h.create_key().await;
    let named = json!({"Name": "app-decrypt"});
    let (first, t1) = grant(&h, &key, named.clone()).await;
    let (again, t2) = grant(&h, &key, named).await;
    assert_eq!(first, again);
    assert_ne!(t1, t2, "each CreateGrant answers a new token");
    let other = json!({"Name": "app-decrypt", "Operations": ["Encrypt"]});
    let (different, _) = grant(&h, &key, other).await;
    assert_ne!(different, first);
    let (unnamed1, _) = grant(&h, &key, json!({})).await;
    let (unnamed2, _) = grant(&h, &key, json!({})).await;
    assert_ne!(unnamed1, unnamed2);
    let listed = grants_of(&h, &key).await;
    assert_eq!(listed.len(), 4);
    assert!(listed.iter().any(|g| g["Name"] == "app-decrypt"));
}

#[tokio::test]
async fn concurrent_named_requests_on_two_nodes_make_one_grant() {
    let h = Harness::new().await;
    let (key, _) = h.create_key().await;
    let other = h.second_node();
    let body = json!({"KeyId": key, "GranteePrincipal": APP, "Operations": ["Decrypt"],
                      "Name": "once"});
    let ctx = context(ACCOUNT, REGION);
    let call = |node| call_with(node, &ctx, "CreateGrant", body.clone());
    let (a, b, c, d, e, f) = tokio::join!(
        call(&h.kms),
        call(&other),
        call(&h.kms),
        call(&other),
        call(&h.kms),
        call(&other),
    );
    let ids: std::collections::BTreeSet<String> = [a, b, c, d, e, f]
        .iter()
        .map(|o| o.as_ref().unwrap()["GrantId"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), 1);
    assert_eq!(grants_of(&h, &key).await.len(), 1);
}

#[tokio::test]
async fn operations_must_suit_the_key() {
    let h = Harness::new().await;
    let (sym, sym_arn) = h.create_key().await;
    let body = json!({"KeyId": sym, "GranteePrincipal": APP, "Operations": ["Sign"]});
    let e = h.err("CreateGrant", body).await;
    assert_error(
        &e,
        "ValidationException",
        &format!(
            "Grant operation Sign is not valid for KMS key {sym_arn} with KeySpec \
             SYMMETRIC_DEFAULT and KeyUsage ENCRYPT_DECRYPT."
        ),
    );
    let only = json!({"KeyId": sym, "GranteePrincipal": APP, "Operations": ["CreateGrant"]});
    let e = h.err("CreateGrant", only).await;
    assert_error(
        &e,
        "ValidationException",
        "Grants must not contain only the CreateGrant operation.",
    );
    let signing = key_with(
        &h,
        json!({"KeySpec": "ECC_NIST_P256", "KeyUsage": "SIGN_VERIFY"}),
    )
    .await;
    let ops = json!({"Operations": ["Sign", "Verify", "GetPublicKey", "DescribeKey"]});
    grant(&h, &signing, ops).await;
    let bad = json!({"KeyId": signing, "GranteePrincipal": APP, "Operations": ["Encrypt"]});
    assert_eq!(h.err("CreateGrant", bad).await.code, "ValidationException");
    let constrained = json!({"KeyId": signing, "GranteePrincipal": APP, "Operations": ["Sign"],
                             "Constraints": {"EncryptionContextEquals": {"a": "b"}}});
    assert_eq!(
        h.err("CreateGrant", constrained).await.code,
        "ValidationException"
    );
    let mac = key_with(
        &h,
        json!({"KeySpec": "HMAC_256", "KeyUsage": "GENERATE_VERIFY_MAC"}),
    )
    .await;
    grant(
        &h,
        &mac,
        json!({"Operations": ["GenerateMac", "VerifyMac"]}),
    )
    .await;
    let unknown = json!({"KeyId": sym, "GranteePrincipal": APP, "Operations": ["Dance"]});
    assert_eq!(
        h.err("CreateGrant", unknown).await.code,
        "ValidationException"
    );
}

#[tokio::test]
async fn principals_are_checked() {
    let h = Harness::new().await;
    let (key, _) = h.create_key().await;
    let bad = json!({"KeyId": key, "GranteePrincipal": "alice", "Operations": ["Decrypt"]});
    let e = h.err("CreateGrant", bad).await;
    assert_error(
        &e,
        "InvalidArnException",
        "GranteePrincipal alice is not a valid principal ARN.",
    );
    let retiring = json!({"KeyId": key, "GranteePrincipal": APP, "Operations": ["Decrypt"],
                          "RetiringPrincipal": "arn:aws:iam::111122223333:group/g"});
    assert_eq!(
        h.err("CreateGrant", retiring).await.code,
        "InvalidArnException"
    );
    let none = json!({"KeyId": key, "Operations": ["Decrypt"]});
    let e = h.err("CreateGrant", none).await;
    assert_error(
        &e,
        "ValidationException",
        "1 validation error detected: Value null at 'granteePrincipal' failed to satisfy \
         constraint: Member must not be null",
    );
    let both = json!({"KeyId": key, "GranteePrincipal": APP, "Operations": ["Decrypt"],
                      "GranteeServicePrincipal": "rds.amazonaws.com"});
    assert_eq!(h.err("CreateGrant", both).await.code, "ValidationException");
    let service = json!({"GranteePrincipal": null, "GranteeServicePrincipal": "rds.amazonaws.com",
        "RetiringServicePrincipal": "rds.amazonaws.com",
        "Constraints": {"SourceArn": "arn:aws:rds:us-east-1:111122223333:db:orders"}});
    let mut body = json!({"KeyId": key, "Operations": ["Decrypt"]});
    for (k, v) in service.as_object().unwrap() {
        if !v.is_null() {
            body[k] = v.clone();
        }
    }
    h.ok("CreateGrant", body).await;
    let listed = grants_of(&h, &key).await;
    assert_eq!(listed[0]["GranteeServicePrincipal"], "rds.amazonaws.com");
    assert!(listed[0].get("GranteePrincipal").is_none());
    // The service's retirable grants: the owner's account sees them, no other account does.
    let ask = json!({"RetiringServicePrincipal": "rds.amazonaws.com"});
    let own = h.ok("ListRetirableGrants", ask.clone()).await;
    assert_eq!(own["Grants"].as_array().unwrap().len(), 1);
    let other = common::call_on(&h.kms, "444455556666", REGION, "ListRetirableGrants", ask)
        .await
        .unwrap();
    assert_eq!(other["Grants"], json!([]));
}

#[tokio::test]
async fn key_states_identifiers_and_aws_managed_keys() {
    let h = Harness::new().await;
    let (key, arn) = h.create_key().await;
    let (id, _) = grant(&h, &key, json!({})).await;
    h.ok("DisableKey", json!({"KeyId": key})).await;
    let body = json!({"KeyId": key, "GranteePrincipal": APP, "Operations": ["Decrypt"]});
    let e = h.err("CreateGrant", body.clone()).await;
    assert_error(&e, "DisabledException", &format!("{arn} is disabled."));
    assert_eq!(
        grants_of(&h, &key).await.len(),
        1,
        "ListGrants in any state"
    );
    h.ok("ScheduleKeyDeletion", json!({"KeyId": key})).await;
    let e = h.err("CreateGrant", body).await;
    assert_error(
        &e,
        "KMSInvalidStateException",
        &format!("{arn} is pending deletion."),
    );
    h.ok("RevokeGrant", json!({"KeyId": arn, "GrantId": id}))
        .await;
    let external = key_with(&h, json!({"Origin": "EXTERNAL"})).await;
    let body = json!({"KeyId": external, "GranteePrincipal": APP, "Operations": ["Decrypt"]});
    assert_eq!(
        h.err("CreateGrant", body).await.code,
        "KMSInvalidStateException"
    );
    let (other, _) = h.create_key().await;
    h.ok(
        "CreateAlias",
        json!({"AliasName": "alias/g", "TargetKeyId": other}),
    )
    .await;
    let aliased = json!({"KeyId": "alias/g", "GranteePrincipal": APP, "Operations": ["Decrypt"]});
    let e = h.err("CreateGrant", aliased).await;
    assert_error(
        &e,
        "InvalidArnException",
        "Key Aliases are not supported for this operation.",
    );
    let e = h.err("ListGrants", json!({"KeyId": "alias/g"})).await;
    assert_eq!(e.code, "InvalidArnException");
    let bad_id = json!({"KeyId": other, "GrantId": "abc"});
    let e = h.err("RevokeGrant", bad_id).await;
    assert_error(
        &e,
        "InvalidGrantIdException",
        "The request was rejected because the specified GrantId is not valid.",
    );
    let missing = json!({"KeyId": "1234abcd-12ab-34cd-56ef-1234567890ab"});
    assert_eq!(h.err("ListGrants", missing).await.code, "NotFoundException");
    let managed = h.kms.aws_managed_key(ACCOUNT, REGION, "s3").await.unwrap();
    let body = json!({"KeyId": managed.key_id, "GranteePrincipal": APP, "Operations": ["Decrypt"]});
    let e = h.err("CreateGrant", body).await;
    assert_error(
        &e,
        "AccessDeniedException",
        &format!(
            "User: arn:aws:iam::{ACCOUNT}:root is not authorized to perform: kms:CreateGrant on \
             resource: {} because no resource-based policy allows the kms:CreateGrant action",
            managed.arn()
        ),
    );
    assert!(grants_of(&h, &managed.key_id).await.is_empty());
}

#[tokio::test]
async fn list_grants_pages_and_filters() {
    let h = Harness::new().await;
    let (key, _) = h.create_key().await;
    let mut ids = Vec::new();
    for i in 0..5 {
        let grantee = if i == 2 { ALICE } else { APP };
        ids.push(
            grant(&h, &key, json!({"GranteePrincipal": grantee}))
                .await
                .0,
        );
    }
    ids.sort();
    let mut seen = Vec::new();
    let mut body = json!({"KeyId": key, "Limit": 2});
    loop {
        let page = h.ok("ListGrants", body.clone()).await;
        let grants = page["Grants"].as_array().unwrap();
        assert!(grants.len() <= 2);
        seen.extend(
            grants
                .iter()
                .map(|g| g["GrantId"].as_str().unwrap().to_owned()),
        );
        if page["Truncated"] == json!(false) {
            assert!(page.get("NextMarker").is_none());
            break;
        }
        body["Marker"] = page["NextMarker"].clone();
    }
    assert_eq!(seen, ids);
    let alice = json!({"KeyId": key, "GranteePrincipal": ALICE});
    let out = h.ok("ListGrants", alice).await;
    assert_eq!(out["Grants"].as_array().unwrap().len(), 1);
    let one = json!({"KeyId": key, "GrantId": ids[3]});
    let out = h.ok("ListGrants", one).await;
    assert_eq!(out["Grants"][0]["GrantId"], ids[3]);
    let bad = json!({"KeyId": key, "Marker": "bm9wZQ"});
    assert_eq!(
        h.err("ListGrants", bad).await.code,
        "InvalidMarkerException"
    );
}

#[tokio::test]
async fn list_retirable_grants_across_keys() {
    let h = Harness::new().await;
    let (k1, _) = h.create_key().await;
    let (k2, _) = h.create_key().await;
    let mut ids = Vec::new();
    for key in [&k1, &k2, &k1] {
        ids.push(grant(&h, key, json!({"RetiringPrincipal": ADMIN})).await.0);
    }
    grant(&h, &k2, json!({"RetiringPrincipal": ALICE})).await;
    grant(&h, &k2, json!({})).await;
    let mut seen = Vec::new();
    let mut body = json!({"RetiringPrincipal": ADMIN, "Limit": 1});
    loop {
        let page = h.ok("ListRetirableGrants", body.clone()).await;
        let grants = page["Grants"].as_array().unwrap();
        seen.extend(grants.iter().map(|g| {
            assert_eq!(g["RetiringPrincipal"], ADMIN);
            g["GrantId"].as_str().unwrap().to_owned()
        }));
        if page["Truncated"] == json!(false) {
            break;
        }
        body["Marker"] = page["NextMarker"].clone();
    }
    seen.sort();
    ids.sort();
    assert_eq!(seen, ids);
    let nobody = json!({"RetiringPrincipal": "arn:aws:iam::111122223333:role/nobody"});
    let out = h.ok("ListRetirableGrants", nobody).await;
    assert_eq!(out["Grants"], json!([]));
    let foreign = json!({"RetiringPrincipal": "arn:aws:iam::999999999999:role/admin"});
    let e = h.err("ListRetirableGrants", foreign).await;
    assert_eq!(e.code, "AccessDeniedException");
    let e = h.err("ListRetirableGrants", json!({})).await;
    assert_eq!(e.code, "ValidationException");
}

#[tokio::test]
async fn retire_by_token_or_id_and_who_may_retire() {
    let h = Harness::new().await;
    let (key, arn) = h.create_key().await;
    let extra = json!({"RetiringPrincipal": ADMIN});
    let (id, token) = grant(&h, &key, extra.clone()).await;
    let e = call_with(
        &h.kms,
        &caller(ALICE),
        "RetireGrant",
        json!({"GrantToken": token}),
    )
    .await
    .unwrap_err();
    assert_error(
        &e,
        "AccessDeniedException",
        &format!(
            "User: {ALICE} is not authorized to perform: kms:RetireGrant on resource: {arn} \
             because no resource-based policy allows the kms:RetireGrant action"
        ),
    );
    let grantee = caller(APP);
    let e = call_with(
        &h.kms,
        &grantee,
        "RetireGrant",
        json!({"GrantToken": token}),
    )
    .await
    .unwrap_err();
    assert_eq!(
        e.code, "AccessDeniedException",
        "grantee without RetireGrant"
    );
    let dry = json!({"GrantToken": token, "DryRun": true});
    let e = call_with(&h.kms, &caller(ADMIN), "RetireGrant", dry)
        .await
        .unwrap_err();
    assert_eq!(e.code, "DryRunOperationException");
    assert_eq!(grants_of(&h, &key).await.len(), 1);
    let session = caller("arn:aws:sts::111122223333:assumed-role/admin/s1");
    call_with(
        &h.kms,
        &session,
        "RetireGrant",
        json!({"GrantToken": token}),
    )
    .await
    .unwrap();
    let e = h.err("RetireGrant", json!({"GrantToken": token})).await;
    assert_eq!(e.code, "NotFoundException");
    let ops = json!({"Operations": ["Decrypt", "RetireGrant"]});
    let (id2, _) = grant(&h, &key, ops).await;
    let by_id = json!({"KeyId": arn, "GrantId": id2});
    call_with(&h.kms, &grantee, "RetireGrant", by_id)
        .await
        .unwrap();
    let (id3, _) = grant(&h, &key, json!({})).await;
    h.ok("RetireGrant", json!({"KeyId": key, "GrantId": id3}))
        .await;
    assert!(grants_of(&h, &key).await.is_empty());
    assert_ne!(id, id2);
    let e = h.err("RetireGrant", json!({"GrantToken": "garbage"})).await;
    assert_error(
        &e,
        "InvalidGrantTokenException",
        "The request was rejected because the specified grant token is not valid.",
    );
    let e = h.err("RetireGrant", json!({"GrantId": id3})).await;
    assert_eq!(e.code, "ValidationException");
}

#[tokio::test]
async fn dry_runs_store_nothing() {
    let h = Harness::new().await;
    let (key, _) = h.create_key().await;
    let body = json!({"KeyId": key, "GranteePrincipal": APP, "Operations": ["Decrypt"],
                      "DryRun": true});
    let e = h.err("CreateGrant", body).await;
    assert_error(
        &e,
        "DryRunOperationException",
        "The request would have succeeded, but the DryRun option is set.",
    );
    assert!(grants_of(&h, &key).await.is_empty());
    let (id, _) = grant(&h, &key, json!({})).await;
    let dry = json!({"KeyId": key, "GrantId": id, "DryRun": true});
    assert_eq!(
        h.err("RevokeGrant", dry).await.code,
        "DryRunOperationException"
    );
    assert_eq!(grants_of(&h, &key).await.len(), 1);
}

#[tokio::test]
async fn grant_tokens_on_other_operations_must_parse() {
    let h = Harness::new().await;
    let (key, _) = h.create_key().await;
    let (_, token) = grant(&h, &key, json!({})).await;
    let good = json!({"KeyId": key, "Plaintext": b64(b"x"), "GrantTokens": [token]});
    let blob = h.ok("Encrypt", good).await["CiphertextBlob"].clone();
    let bad = json!({"CiphertextBlob": blob, "GrantTokens": ["not-a-token"]});
    assert_eq!(
        h.err("Decrypt", bad).await.code,
        "InvalidGrantTokenException"
    );
    let bad = json!({"KeyId": key, "KeySpec": "AES_256", "GrantTokens": ["x"]});
    let e = h.err("GenerateDataKey", bad).await;
    assert_eq!(e.code, "InvalidGrantTokenException");
    let create = json!({"KeyId": key, "GranteePrincipal": APP, "Operations": ["Decrypt"],
                        "GrantTokens": ["x"]});
    let e = h.err("CreateGrant", create).await;
    assert_eq!(e.code, "InvalidGrantTokenException");
}

#[tokio::test]
async fn quota_of_grants_per_key() {
    let h = Harness::new().await;
    let (key, arn) = h.create_key().await;
    let (id, _) = grant(&h, &key, json!({})).await;
    let counts: Table<Value> = Table::new(h.store.clone(), "kms_grant_counts");
    let row = format!("{ACCOUNT}/{REGION}/{key}");
    assert_eq!(
        counts.get(&row).await.unwrap().unwrap().value,
        json!({"count": 1})
    );
    let full = counts
        .put(&row, &json!({"count": 50_000}), Expect::Any)
        .unwrap();
    h.store.transact(vec![full]).await.unwrap();
    let body = json!({"KeyId": key, "GranteePrincipal": APP, "Operations": ["Decrypt"]});
    let e = h.err("CreateGrant", body.clone()).await;
    assert_error(
        &e,
        "LimitExceededException",
        &format!(
            "The request was rejected because KMS key {arn} already has the maximum number of \
             grants (50000)."
        ),
    );
    h.ok("RevokeGrant", json!({"KeyId": key, "GrantId": id}))
        .await;
    h.ok("CreateGrant", body).await;
}

#[tokio::test]
async fn deleting_the_key_deletes_its_grants() {
    let h = Harness::new().await;
    let (key, _) = h.create_key().await;
    let (keep, _) = h.create_key().await;
    grant(&h, &key, json!({"RetiringPrincipal": ADMIN})).await;
    grant(&h, &key, json!({})).await;
    grant(&h, &keep, json!({"RetiringPrincipal": ADMIN})).await;
    let body = json!({"KeyId": key, "PendingWindowInDays": 7});
    h.ok("ScheduleKeyDeletion", body).await;
    h.advance(7 * 86_400 + 60);
    h.kms.run_due_jobs().await.unwrap();
    let grants: Table<Value> = Table::new(h.store.clone(), "kms_grants");
    let prefix = format!("{ACCOUNT}/{REGION}/{key}/");
    assert!(grants.scan(&prefix, None, 10).await.unwrap().is_empty());
    let counts: Table<Value> = Table::new(h.store.clone(), "kms_grant_counts");
    let row = format!("{ACCOUNT}/{REGION}/{key}");
    assert!(counts.get(&row).await.unwrap().is_none());
    let out = h
        .ok("ListRetirableGrants", json!({"RetiringPrincipal": ADMIN}))
        .await;
    let left = out["Grants"].as_array().unwrap();
    assert_eq!(left.len(), 1);
    assert!(left[0]["KeyId"].as_str().unwrap().ends_with(&keep));
}

#[tokio::test]
async fn grants_allowing_matches_principal_operation_and_context() {
    let h = Harness::new().await;
    let (key, _) = h.create_key().await;
    let subset = json!({"Operations": ["Decrypt", "DescribeKey"],
                        "Constraints": {"EncryptionContextSubset": {"Dept": "IT"}}});
    let (constrained, _) = grant(&h, &key, subset).await;
    let (plain, _) = grant(&h, &key, json!({"Operations": ["Encrypt"]})).await;
    grant(&h, &key, json!({"GranteePrincipal": ALICE})).await;
    let record = key_record(&h, &key).await;
    let ctx: BTreeMap<String, String> = [("dept".to_owned(), "IT".to_owned())].into();
    let none = BTreeMap::new();
    let ids = |gs: Vec<rampart_kms::domain::GrantRecord>| -> Vec<String> {
        gs.into_iter().map(|g| g.grant_id).collect()
    };
    let found = h.kms.grants_allowing(&record, APP, "Decrypt", &ctx).await;
    assert_eq!(ids(found.unwrap()), vec![constrained.clone()]);
    let found = h.kms.grants_allowing(&record, APP, "Decrypt", &none).await;
    assert!(found.unwrap().is_empty());
    let found = h
        .kms
        .grants_allowing(&record, APP, "DescribeKey", &none)
        .await;
    assert_eq!(ids(found.unwrap()), vec![constrained]);
    let session = "arn:aws:sts::111122223333:assumed-role/app/s";
    let found = h
        .kms
        .grants_allowing(&record, session, "Encrypt", &none)
        .await;
    assert_eq!(ids(found.unwrap()), vec![plain]);
    let found = h.kms.grants_allowing(&record, ADMIN, "Decrypt", &ctx).await;
    assert!(found.unwrap().is_empty());
}
