//! KMS aliases, tags, key policies, pagination and identifier rules, driven through the generated
//! dispatch on a temporary SQLite store.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{ACCOUNT, Harness, REGION, assert_error, b64, call_on};
use serde_json::json;

#[tokio::test]
async fn aliases_follow_aws_rules() {
    let h = Harness::new().await;
    let (id, arn) = h.create_key().await;
    let (id2, arn2) = h.create_key().await;
    let alias_arn = format!("arn:aws:kms:{REGION}:{ACCOUNT}:alias/app");
    h.ok(
        "CreateAlias",
        json!({"AliasName": "alias/app", "TargetKeyId": arn}),
    )
    .await;
    let e = h
        .err(
            "CreateAlias",
            json!({"AliasName": "alias/app", "TargetKeyId": id2}),
        )
        .await;
    assert_error(
        &e,
        "AlreadyExistsException",
        &format!("An alias with the name {alias_arn} already exists"),
    );
    assert_eq!(
        h.err(
            "CreateAlias",
            json!({"AliasName": "alias/aws/x", "TargetKeyId": id})
        )
        .await
        .code,
        "NotAuthorizedException"
    );
    let e = h
        .err(
            "CreateAlias",
            json!({"AliasName": "app2", "TargetKeyId": id}),
        )
        .await;
    assert_eq!(e.code, "ValidationException");
    assert!(
        e.message
            .starts_with("Alias must start with the prefix \"alias/\"")
    );
    let e = h
        .err(
            "CreateAlias",
            json!({"AliasName": "alias/x", "TargetKeyId": "alias/app"}),
        )
        .await;
    assert_error(
        &e,
        "ValidationException",
        "Aliases must refer to keys. Not aliases",
    );
    let described = h.ok("DescribeKey", json!({"KeyId": alias_arn})).await;
    assert_eq!(described["KeyMetadata"]["KeyId"], id.as_str());
    let e = h.err("EnableKey", json!({"KeyId": "alias/app"})).await;
    assert_error(&e, "NotFoundException", "Invalid keyId 'alias/app'");
    h.ok(
        "CreateAlias",
        json!({"AliasName": "alias/other", "TargetKeyId": id2}),
    )
    .await;
    h.ok(
        "UpdateAlias",
        json!({"AliasName": "alias/app", "TargetKeyId": id2}),
    )
    .await;
    let enc = h
        .ok(
            "Encrypt",
            json!({"KeyId": "alias/app", "Plaintext": b64(b"x")}),
        )
        .await;
    assert_eq!(enc["KeyId"], arn2);
    let listed = h.ok("ListAliases", json!({"KeyId": id2})).await;
    let names: Vec<_> = listed["Aliases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["AliasName"].clone())
        .collect();
    assert_eq!(names, vec![json!("alias/app"), json!("alias/other")]);
    assert_eq!(listed["Aliases"][0]["AliasArn"], alias_arn);
    assert_eq!(listed["Aliases"][0]["TargetKeyId"], id2.as_str());
    assert_eq!(
        h.ok("ListAliases", json!({"KeyId": id})).await["Aliases"],
        json!([])
    );
    h.ok("DeleteAlias", json!({"AliasName": "alias/app"})).await;
    let e = h
        .err("DeleteAlias", json!({"AliasName": "alias/app"}))
        .await;
    assert_error(
        &e,
        "NotFoundException",
        &format!("Alias {alias_arn} is not found."),
    );
    let e = h
        .err(
            "Encrypt",
            json!({"KeyId": "alias/app", "Plaintext": b64(b"x")}),
        )
        .await;
    assert_error(
        &e,
        "NotFoundException",
        &format!("Alias {alias_arn} is not found."),
    );
}

#[tokio::test]
async fn tags_are_added_listed_paged_and_removed() {
    let h = Harness::new().await;
    let (id, _) = h.create_key().await;
    let tags: Vec<_> = ["c", "a", "b"]
        .iter()
        .map(|k| json!({"TagKey": k, "TagValue": format!("v{k}")}))
        .collect();
    h.ok("TagResource", json!({"KeyId": id, "Tags": tags}))
        .await;
    let e = h
        .err(
            "TagResource",
            json!({"KeyId": id, "Tags": [{"TagKey": "aws:x", "TagValue": "1"}]}),
        )
        .await;
    assert_error(&e, "TagException", "Tags beginning with aws: are reserved");
    let first = h
        .ok("ListResourceTags", json!({"KeyId": id, "Limit": 2}))
        .await;
    assert_eq!(
        first["Tags"],
        json!([{"TagKey": "a", "TagValue": "va"}, {"TagKey": "b", "TagValue": "vb"}])
    );
    assert_eq!(first["Truncated"], true);
    let second = h
        .ok(
            "ListResourceTags",
            json!({"KeyId": id, "Limit": 2, "Marker": first["NextMarker"]}),
        )
        .await;
    assert_eq!(second["Tags"], json!([{"TagKey": "c", "TagValue": "vc"}]));
    assert_eq!(second["Truncated"], false);
    assert!(second.get("NextMarker").is_none());
    h.ok(
        "UntagResource",
        json!({"KeyId": id, "TagKeys": ["a", "missing"]}),
    )
    .await;
    let all = h.ok("ListResourceTags", json!({"KeyId": id})).await;
    assert_eq!(all["Tags"].as_array().unwrap().len(), 2);
    let e = h
        .err("TagResource", json!({"KeyId": "alias/x", "Tags": []}))
        .await;
    assert_eq!(e.code, "NotFoundException");
}

#[tokio::test]
async fn list_keys_pages_with_markers() {
    let h = Harness::new().await;
    let mut created = Vec::new();
    for _ in 0..5 {
        created.push(h.create_key().await.0);
    }
    created.sort();
    let mut seen = Vec::new();
    let mut marker = None;
    let mut pages = 0;
    loop {
        let mut body = json!({"Limit": 2});
        if let Some(m) = &marker {
            body["Marker"] = json!(m);
        }
        let page = h.ok("ListKeys", body).await;
        pages += 1;
        seen.extend(
            page["Keys"]
                .as_array()
                .unwrap()
                .iter()
                .map(|k| k["KeyId"].as_str().unwrap().to_owned()),
        );
        if page["Truncated"] == json!(false) {
            break;
        }
        marker = Some(page["NextMarker"].as_str().unwrap().to_owned());
    }
    assert_eq!((pages, seen), (3, created));
    assert_eq!(
        h.err("ListKeys", json!({"Marker": "bogus"})).await.code,
        "InvalidMarkerException"
    );
    let other_region = call_on(&h.kms, ACCOUNT, "eu-west-1", "ListKeys", json!({}))
        .await
        .unwrap();
    assert_eq!(other_region["Keys"], json!([]));
}

#[tokio::test]
async fn key_policies() {
    let h = Harness::new().await;
    let (id, _) = h.create_key().await;
    let out = h
        .ok(
            "GetKeyPolicy",
            json!({"KeyId": id, "PolicyName": "default"}),
        )
        .await;
    let policy: serde_json::Value = serde_json::from_str(out["Policy"].as_str().unwrap()).unwrap();
    assert_eq!(
        policy["Statement"][0]["Principal"]["AWS"],
        format!("arn:aws:iam::{ACCOUNT}:root")
    );
    let custom = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:*","Resource":"*"}]}"#;
    h.ok(
        "PutKeyPolicy",
        json!({"KeyId": id, "PolicyName": "default", "Policy": custom}),
    )
    .await;
    assert_eq!(
        h.ok("GetKeyPolicy", json!({"KeyId": id})).await["Policy"],
        custom
    );
    let listed = h.ok("ListKeyPolicies", json!({"KeyId": id})).await;
    assert_eq!(
        (listed["PolicyNames"].clone(), listed["Truncated"].clone()),
        (json!(["default"]), json!(false))
    );
    let e = h
        .err("GetKeyPolicy", json!({"KeyId": id, "PolicyName": "other"}))
        .await;
    assert_error(&e, "NotFoundException", "No such policy exists");
    let e = h
        .err(
            "PutKeyPolicy",
            json!({"KeyId": id, "PolicyName": "default", "Policy": "not json"}),
        )
        .await;
    assert_eq!(e.code, "MalformedPolicyDocumentException");
}

#[tokio::test]
async fn unsupported_specs_and_foreign_arns() {
    let h = Harness::new().await;
    let e = h
        .err(
            "CreateKey",
            json!({"KeySpec": "SM2", "KeyUsage": "ENCRYPT_DECRYPT"}),
        )
        .await;
    assert_eq!(e.code, "UnsupportedOperationException");
    assert!(e.message.contains("SM2"));
    let (id, _) = h.create_key().await;
    let other_region = format!("arn:aws:kms:eu-west-1:{ACCOUNT}:key/{id}");
    assert_error(
        &h.err("DescribeKey", json!({"KeyId": other_region})).await,
        "NotFoundException",
        "Invalid arn eu-west-1",
    );
    let other_account = format!("arn:aws:kms:{REGION}:999999999999:key/{id}");
    let e = h.err("DescribeKey", json!({"KeyId": other_account})).await;
    assert_error(
        &e,
        "NotFoundException",
        &format!("Key '{other_account}' does not exist"),
    );
    let e = call_on(
        &h.kms,
        "999999999999",
        REGION,
        "DescribeKey",
        json!({"KeyId": id}),
    )
    .await
    .unwrap_err();
    assert_error(
        &e,
        "NotFoundException",
        &format!("Key 'arn:aws:kms:{REGION}:999999999999:key/{id}' does not exist"),
    );
    assert_error(
        &h.err("DescribeKey", json!({"KeyId": "nope"})).await,
        "NotFoundException",
        "Invalid keyId 'nope'",
    );
}

#[tokio::test]
async fn key_index_backfill_adds_rows_for_keys_stored_without_one() {
    use rampart_kms::store::{KmsTables, key_index_row};
    use rampart_store::Expect;
    let h = Harness::new().await;
    let (older, _) = h.create_key().await;
    let (newer, _) = h.create_key().await;
    let tables = KmsTables::new(h.store.clone());
    // A key stored before the index existed: no row.
    let row = key_index_row(REGION, &older);
    tables
        .store
        .transact(vec![tables.key_index.delete(&row, Expect::Any)])
        .await
        .unwrap();
    assert_eq!(tables.key_account(REGION, &older).await.unwrap(), None);
    assert_eq!(h.kms.backfill_key_index().await.unwrap(), 1);
    for id in [&older, &newer] {
        let account = tables.key_account(REGION, id).await.unwrap();
        assert_eq!(account.as_deref(), Some(ACCOUNT));
    }
    assert_eq!(
        h.kms.backfill_key_index().await.unwrap(),
        0,
        "a second run writes nothing"
    );
}
