//! Secrets Manager over both store backends (SQLite, and PostgreSQL in its own schema when
//! `RAMPART_TEST_POSTGRES_URL` is set), driven through the generated `dispatch` with
//! botocore-shaped JSON: sealed rows, ClientRequestToken idempotency, staging-label moves and
//! the deletion job on a manual clock.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use rampart_codec::ServiceError;
use rampart_core::{AccountId, JobContext, ManualClock, Principal, PrincipalKind, Region};
use rampart_core::{Clock, RequestContext};
use rampart_crypto::root::{Domain, RootKey};
use rampart_kms::KmsService;
use rampart_secretsmanager::SecretsManagerService;
use rampart_store::Store;
use rampart_store::testkit::TestStore;
use serde_json::{Value, json};
use std::sync::Arc;
use time::OffsetDateTime;

const ACCOUNT: &str = "111122223333";

struct Harness {
    sm: SecretsManagerService,
    kms: Arc<KmsService>,
    store: Store,
    clock: Arc<ManualClock>,
    backing: TestStore,
}

impl Harness {
    fn over(backing: TestStore) -> Self {
        let store = backing.store.clone();
        let clock = Arc::new(ManualClock::new(OffsetDateTime::now_utc()));
        let kms = Arc::new(KmsService::new(
            store.clone(),
            RootKey::generate().domain_key(Domain::Kms),
            clock.clone(),
        ));
        Harness {
            sm: SecretsManagerService::new(store.clone(), kms.clone(), clock.clone()),
            kms,
            store,
            clock,
            backing,
        }
    }

    /// Every configured backend.
    async fn all() -> Vec<Harness> {
        let stores = TestStore::all("sm").await.unwrap();
        stores.into_iter().map(Harness::over).collect()
    }

    async fn cleanup(self) {
        self.backing.cleanup().await.unwrap();
    }

    /// The raw rows of `table`, up to 500.
    async fn rows(&self, table: &'static str) -> Vec<String> {
        let rows = self.store.scan(table, "", None, 500).await.unwrap();
        let text = |r: &rampart_store::Record| String::from_utf8_lossy(&r.value).to_string();
        rows.iter().map(text).collect()
    }

    /// No row of either table holds `plaintext`.
    async fn assert_sealed(&self, plaintext: &str) {
        for table in rampart_secretsmanager::TABLES {
            for row in self.rows(table).await {
                let backend = self.store.backend_name();
                assert!(!row.contains(plaintext), "{backend}: plaintext in {table}");
            }
        }
    }

    async fn call(&self, op: &str, body: Value) -> Result<Value, ServiceError> {
        self.call_as(ACCOUNT, op, body).await
    }

    /// `op` called by the root user of `account`.
    async fn call_as(&self, account: &str, op: &str, body: Value) -> Result<Value, ServiceError> {
        let ctx = root_of(account);
        let bytes = serde_json::to_vec(&body).unwrap();
        let invocation =
            rampart_secretsmanager::generated::dispatch(&self.sm, &ctx, op, &bytes).await;
        invocation
            .result
            .map(|out| serde_json::from_slice(&out).unwrap_or(Value::Null))
    }

    /// KMS operation `op` called by the root user of the test account.
    async fn kms_call(&self, op: &str, body: Value) -> Value {
        let ctx = root_of(ACCOUNT);
        let bytes = serde_json::to_vec(&body).unwrap();
        let invocation = rampart_kms::generated::dispatch(&*self.kms, &ctx, op, &bytes).await;
        serde_json::from_slice(&invocation.result.unwrap()).unwrap()
    }
}

/// A request context of the root user of `account` in us-east-1.
fn root_of(account: &str) -> RequestContext {
    let principal = Principal {
        account: AccountId::parse(account).unwrap(),
        arn: format!("arn:aws:iam::{account}:root"),
        principal_id: account.into(),
        access_key_id: "AKIAIOSFODNN7EXAMPLE".into(),
        kind: PrincipalKind::Root,
        session: None,
    };
    RequestContext::new(principal, Region::new("us-east-1"))
}

fn stages(listed: &Value, id: &str) -> Vec<String> {
    let versions = listed["Versions"].as_array().unwrap();
    let v = versions.iter().find(|v| v["VersionId"] == id).unwrap();
    serde_json::from_value(v["VersionStages"].clone()).unwrap()
}

#[tokio::test]
async fn rows_are_sealed_and_tokens_are_idempotent() {
    for h in Harness::all().await {
        let secret = format!("canary-{}", uuid::Uuid::new_v4());
        let t1 = uuid::Uuid::new_v4().to_string();
        let create = json!({"Name": "app/db", "SecretString": secret, "ClientRequestToken": t1});
        let made = h.call("CreateSecret", create.clone()).await.unwrap();
        assert_eq!(made["VersionId"], t1);
        let arn = made["ARN"].as_str().unwrap().to_owned();
        assert!(arn.starts_with(&format!(
            "arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:app/db-"
        )));
        assert_eq!(
            arn.len(),
            "arn:aws:secretsmanager:us-east-1::secret:app/db-".len() + 12 + 6
        );
        // The same request again is an idempotent retry; another token is a conflict.
        assert_eq!(h.call("CreateSecret", create).await.unwrap()["ARN"], arn);
        let other = json!({"Name": "app/db", "SecretString": "x"});
        let err = h.call("CreateSecret", other).await.unwrap_err();
        assert_eq!(err.code, "ResourceExistsException");
        assert_eq!(h.rows("secretsmanager_secrets").await.len(), 1);
        assert_eq!(h.rows("secretsmanager_values").await.len(), 1);
        h.assert_sealed(&secret).await;
        let got = h
            .call("GetSecretValue", json!({"SecretId": arn}))
            .await
            .unwrap();
        assert_eq!(got["SecretString"], secret);
        assert_eq!(got["VersionStages"], json!(["AWSCURRENT"]));
        // PutSecretValue: the same token and value answer the same version.
        let t2 = uuid::Uuid::new_v4().to_string();
        // Long enough that a sealed row cannot hold it by chance (two bytes could).
        let second = format!("second-{}", uuid::Uuid::new_v4());
        let put = json!({"SecretId": "app/db", "SecretString": second, "ClientRequestToken": t2});
        let first = h.call("PutSecretValue", put.clone()).await.unwrap();
        let again = h.call("PutSecretValue", put).await.unwrap();
        assert_eq!(first, again);
        let changed = json!({"SecretId": "app/db", "SecretString": "v3", "ClientRequestToken": t2});
        let err = h.call("PutSecretValue", changed).await.unwrap_err();
        assert_eq!(err.code, "ResourceExistsException");
        let listed = h
            .call("ListSecretVersionIds", json!({"SecretId": "app/db"}))
            .await
            .unwrap();
        assert_eq!(stages(&listed, &t1), ["AWSPREVIOUS"]);
        assert_eq!(stages(&listed, &t2), ["AWSCURRENT"]);
        let by_stage = json!({"SecretId": "app/db", "VersionStage": "AWSPREVIOUS"});
        let prev = h.call("GetSecretValue", by_stage).await.unwrap();
        assert_eq!(prev["SecretString"], secret);
        assert_eq!(h.rows("secretsmanager_values").await.len(), 2);
        h.assert_sealed(&secret).await;
        h.assert_sealed(&second).await;
        h.cleanup().await;
    }
}

#[tokio::test]
async fn labels_move_as_aws_moves_them() {
    for h in Harness::all().await {
        let ids: Vec<String> = (0..3).map(|_| uuid::Uuid::new_v4().to_string()).collect();
        let create = json!({"Name": "s", "SecretString": "a", "ClientRequestToken": ids[0]});
        h.call("CreateSecret", create).await.unwrap();
        let pending = json!({"SecretId": "s", "SecretString": "b", "ClientRequestToken": ids[1],
            "VersionStages": ["AWSPENDING"]});
        h.call("PutSecretValue", pending).await.unwrap();
        let mv = json!({"SecretId": "s", "VersionStage": "AWSCURRENT", "MoveToVersionId": ids[1]});
        let err = h
            .call("UpdateSecretVersionStage", mv.clone())
            .await
            .unwrap_err();
        assert_eq!(err.code, "InvalidParameterException");
        let mut mv = mv;
        mv["RemoveFromVersionId"] = json!(ids[0]);
        h.call("UpdateSecretVersionStage", mv).await.unwrap();
        let listed = h
            .call("ListSecretVersionIds", json!({"SecretId": "s"}))
            .await
            .unwrap();
        assert_eq!(stages(&listed, &ids[0]), ["AWSPREVIOUS"]);
        assert_eq!(stages(&listed, &ids[1]), ["AWSPENDING", "AWSCURRENT"]);
        let put = json!({"SecretId": "s", "SecretString": "c", "ClientRequestToken": ids[2]});
        h.call("PutSecretValue", put).await.unwrap();
        let listed = h
            .call("ListSecretVersionIds", json!({"SecretId": "s"}))
            .await
            .unwrap();
        assert_eq!(listed["Versions"].as_array().unwrap().len(), 2, "{listed}");
        assert_eq!(stages(&listed, &ids[1]), ["AWSPENDING", "AWSPREVIOUS"]);
        let all = json!({"SecretId": "s", "IncludeDeprecated": true});
        let listed = h.call("ListSecretVersionIds", all).await.unwrap();
        assert!(stages(&listed, &ids[0]).is_empty());
        let described = h
            .call("DescribeSecret", json!({"SecretId": "s"}))
            .await
            .unwrap();
        assert_eq!(
            described["VersionIdsToStages"].as_object().unwrap().len(),
            2
        );
        assert!(described.get("KmsKeyId").is_none());
        h.cleanup().await;
    }
}

#[tokio::test]
async fn deletion_waits_for_its_window_and_restore_cancels_it() {
    for h in Harness::all().await {
        let start = h.clock.now();
        let ms = |t: OffsetDateTime| i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap();
        h.call("CreateSecret", json!({"Name": "gone", "SecretString": "v"}))
            .await
            .unwrap();
        let bad = json!({"SecretId": "gone", "RecoveryWindowInDays": 6});
        assert_eq!(
            h.call("DeleteSecret", bad).await.unwrap_err().code,
            "InvalidParameterException"
        );
        let del = json!({"SecretId": "gone", "RecoveryWindowInDays": 7});
        h.call("DeleteSecret", del.clone()).await.unwrap();
        let err = h
            .call("GetSecretValue", json!({"SecretId": "gone"}))
            .await
            .unwrap_err();
        assert_eq!(err.code, "InvalidRequestException");
        h.call("RestoreSecret", json!({"SecretId": "gone"}))
            .await
            .unwrap();
        h.clock.set(start + time::Duration::days(1));
        h.call("DeleteSecret", del).await.unwrap();
        let day = |d| JobContext::at(ms(start + time::Duration::days(d)));
        // The first (restored) deletion's item is stale; the second is not due yet.
        assert_eq!(h.sm.run_due_deletions(&day(7)).await.unwrap(), 0);
        assert!(
            h.call("DescribeSecret", json!({"SecretId": "gone"}))
                .await
                .is_ok()
        );
        assert_eq!(h.rows("secretsmanager_values").await.len(), 1);
        assert_eq!(h.sm.run_due_deletions(&day(9)).await.unwrap(), 1);
        let err = h
            .call("DescribeSecret", json!({"SecretId": "gone"}))
            .await
            .unwrap_err();
        assert_eq!(err.code, "ResourceNotFoundException");
        // The values (and their data keys) went with the secret.
        assert!(h.rows("secretsmanager_values").await.is_empty());
        h.cleanup().await;
    }
}

#[tokio::test]
async fn pruned_and_destroyed_versions_take_their_value_rows() {
    for h in Harness::all().await {
        h.call(
            "CreateSecret",
            json!({"Name": "many", "SecretString": "v0"}),
        )
        .await
        .unwrap();
        let put = |i: usize| json!({"SecretId": "many", "SecretString": format!("v{i}")});
        for i in 1..=100 {
            h.call("PutSecretValue", put(i)).await.unwrap();
        }
        // 101 versions, none old enough to prune.
        assert_eq!(h.rows("secretsmanager_values").await.len(), 101);
        h.clock.set(h.clock.now() + time::Duration::days(2));
        h.call("PutSecretValue", put(101)).await.unwrap();
        // The two oldest deprecated versions went, with their values.
        assert_eq!(h.rows("secretsmanager_values").await.len(), 100);
        let old = json!({"SecretId": "many", "VersionStage": "AWSPREVIOUS"});
        assert_eq!(
            h.call("GetSecretValue", old).await.unwrap()["SecretString"],
            "v100"
        );
        let force = json!({"SecretId": "many", "ForceDeleteWithoutRecovery": true});
        h.call("DeleteSecret", force).await.unwrap();
        assert!(h.rows("secretsmanager_values").await.is_empty());
        assert!(h.rows("secretsmanager_secrets").await.is_empty());
        h.cleanup().await;
    }
}

#[tokio::test]
async fn the_trail_never_holds_values() {
    for h in Harness::all().await {
        h.check_trail().await;
        h.cleanup().await;
    }
}

impl Harness {
    async fn check_trail(&self) {
        let h = self;
        let ctx = RequestContext::new(
            Principal {
                account: AccountId::parse(ACCOUNT).unwrap(),
                arn: format!("arn:aws:iam::{ACCOUNT}:root"),
                principal_id: ACCOUNT.into(),
                access_key_id: "AKIAIOSFODNN7EXAMPLE".into(),
                kind: PrincipalKind::Root,
                session: None,
            },
            Region::new("us-east-1"),
        );
        let run = |op: &'static str, body: Value| {
            let bytes = serde_json::to_vec(&body).unwrap();
            let sm = &h.sm;
            let ctx = &ctx;
            async move { rampart_secretsmanager::generated::dispatch(sm, ctx, op, &bytes).await }
        };
        let made = run(
            "CreateSecret",
            json!({"Name": "t", "SecretString": "canary-value"}),
        )
        .await;
        let request = made.request_parameters.unwrap().to_string();
        assert!(!request.contains("canary-value"), "{request}");
        assert!(made.response_elements.unwrap()["versionId"].is_string());
        let read = run("GetSecretValue", json!({"SecretId": "t"})).await;
        assert!(read.result.is_ok() && read.read_only);
        assert!(read.response_elements.is_none());
        let pw = run("GetRandomPassword", json!({})).await;
        assert!(pw.read_only && pw.response_elements.is_none());
    }
}

/// A resource policy letting the root of `account` read a secret.
fn sharing(account: &str) -> String {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"AWS": format!("arn:aws:iam::{account}:root")},
        "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
        "Resource": "*"}]})
    .to_string()
}

#[tokio::test]
async fn public_policies_are_blocked_and_validated() {
    for h in Harness::all().await {
        h.call("CreateSecret", json!({"Name": "p", "SecretString": "v"}))
            .await
            .unwrap();
        let public = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Principal": {"AWS": "*"}, "Action": "secretsmanager:GetSecretValue",
            "Resource": "*"}]})
        .to_string();
        let put = json!({"SecretId": "p", "ResourcePolicy": public, "BlockPublicPolicy": true});
        let err = h.call("PutResourcePolicy", put).await.unwrap_err();
        assert_eq!(err.code, "PublicPolicyException");
        let got = h.call("GetResourcePolicy", json!({"SecretId": "p"})).await;
        assert_eq!(got.unwrap().get("ResourcePolicy"), None);
        let checked = json!({"SecretId": "p", "ResourcePolicy": public});
        let out = h.call("ValidateResourcePolicy", checked).await.unwrap();
        assert_eq!(out["PolicyValidationPassed"], false);
        assert_eq!(
            out["ValidationErrors"][0]["CheckName"],
            "BLOCK_PUBLIC_POLICY"
        );
        let shared = json!({"ResourcePolicy": sharing("444455556666")});
        let out = h.call("ValidateResourcePolicy", shared).await.unwrap();
        assert_eq!(out["PolicyValidationPassed"], true);
        assert_eq!(out["ValidationErrors"], json!([]));
        let bad = json!({"SecretId": "p", "ResourcePolicy": "{"});
        let err = h.call("PutResourcePolicy", bad).await.unwrap_err();
        assert_eq!(err.code, "MalformedPolicyDocumentException");
        h.cleanup().await;
    }
}

#[tokio::test]
async fn another_account_reads_only_what_the_policy_shares() {
    const OTHER: &str = "444455556666";
    for h in Harness::all().await {
        let made = h
            .call("CreateSecret", json!({"Name": "x", "SecretString": "v"}))
            .await
            .unwrap();
        let arn = made["ARN"].as_str().unwrap().to_owned();
        let describe = json!({"SecretId": arn});
        let err = h.call_as(OTHER, "DescribeSecret", describe.clone()).await;
        assert_eq!(err.unwrap_err().code, "AccessDeniedException");
        let put = json!({"SecretId": "x", "ResourcePolicy": sharing(OTHER),
            "BlockPublicPolicy": true});
        let out = h.call("PutResourcePolicy", put).await.unwrap();
        assert_eq!(out["ARN"], arn);
        let got = h.call("GetResourcePolicy", json!({"SecretId": "x"})).await;
        assert_eq!(got.unwrap()["ResourcePolicy"], sharing(OTHER));
        let listed = h
            .call("ListResourcePolicies", json!({"SecretId": "x"}))
            .await;
        assert_eq!(
            listed.unwrap()["ResourcePolicies"],
            json!([{"PolicyName": "default"}])
        );
        let other = json!({"SecretId": "x", "PolicyName": "other"});
        let err = h
            .call("GetResourcePolicy", other.clone())
            .await
            .unwrap_err();
        assert_eq!(err.code, "ResourceNotFoundException");
        let err = h.call("DeleteResourcePolicy", other).await.unwrap_err();
        assert_eq!(err.code, "InvalidParameterException");
        let seen = h.call_as(OTHER, "DescribeSecret", describe.clone()).await;
        assert_eq!(seen.unwrap()["Name"], "x");
        // Only an ARN names another account's secret.
        let by_name = h
            .call_as(OTHER, "DescribeSecret", json!({"SecretId": "x"}))
            .await;
        assert_eq!(by_name.unwrap_err().code, "ResourceNotFoundException");
        // The policy shares reads only; and the default aws/secretsmanager key cannot be used
        // from another account, so the value stays out of reach.
        let write = json!({"SecretId": arn, "SecretString": "w"});
        assert!(h.call_as(OTHER, "PutSecretValue", write).await.is_err());
        let value = h.call_as(OTHER, "GetSecretValue", describe.clone()).await;
        assert_eq!(value.unwrap_err().code, "AccessDeniedException");
        h.call("DeleteResourcePolicy", json!({"SecretId": "x"}))
            .await
            .unwrap();
        let err = h.call_as(OTHER, "DescribeSecret", describe).await;
        assert_eq!(err.unwrap_err().code, "AccessDeniedException");
        h.cleanup().await;
    }
}

#[tokio::test]
async fn a_customer_key_shared_with_the_account_opens_a_shared_secret() {
    const OTHER: &str = "444455556666";
    for h in Harness::all().await {
        let key_policy = json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")},
             "Action": "kms:*", "Resource": "*"},
            {"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{OTHER}:root")},
             "Action": "kms:Decrypt", "Resource": "*"}]});
        let key = h
            .kms_call("CreateKey", json!({"Policy": key_policy.to_string()}))
            .await;
        let key_arn = key["KeyMetadata"]["Arn"].as_str().unwrap().to_owned();
        let create = json!({"Name": "k", "SecretString": "shared", "KmsKeyId": key_arn});
        let arn = h.call("CreateSecret", create).await.unwrap()["ARN"].clone();
        let put = json!({"SecretId": "k", "ResourcePolicy": sharing(OTHER)});
        h.call("PutResourcePolicy", put).await.unwrap();
        let got = h
            .call_as(OTHER, "GetSecretValue", json!({"SecretId": arn}))
            .await
            .unwrap();
        assert_eq!(got["SecretString"], "shared");
        // The read is recorded on the owner's secret.
        let described = h.call("DescribeSecret", json!({"SecretId": "k"})).await;
        assert!(described.unwrap().get("LastAccessedDate").is_some());
        h.cleanup().await;
    }
}

#[tokio::test]
async fn batch_reads_answer_as_single_reads_for_every_form_of_id() {
    for h in Harness::all().await {
        let mut arns = Vec::new();
        for (name, value) in [("b/one", "first"), ("b/two", "second"), ("b/gone", "third")] {
            let made = json!({"Name": name, "SecretString": value});
            let made = h.call("CreateSecret", made).await.unwrap();
            arns.push(made["ARN"].as_str().unwrap().to_owned());
        }
        let put = json!({"SecretId": "b/two", "SecretString": "second-v2"});
        h.call("PutSecretValue", put).await.unwrap();
        let delete = json!({"SecretId": "b/gone", "RecoveryWindowInDays": 7});
        h.call("DeleteSecret", delete).await.unwrap();
        let partial = arns[1][..arns[1].len() - 7].to_owned();
        let other_suffix = format!("{}-AAAAAA", &arns[0][..arns[0].len() - 7]);
        let ids = json!([
            "b/one",
            arns[1],
            partial,
            "b/missing",
            arns[2],
            other_suffix
        ]);
        let got = h
            .call("BatchGetSecretValue", json!({"SecretIdList": ids}))
            .await
            .unwrap();
        let values: Vec<(&str, &str)> = got["SecretValues"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| {
                (
                    v["Name"].as_str().unwrap(),
                    v["SecretString"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            values,
            [
                ("b/one", "first"),
                ("b/two", "second-v2"),
                ("b/two", "second-v2")
            ]
        );
        let errors: Vec<(&str, &str)> = got["Errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["SecretId"].as_str().unwrap(),
                    e["ErrorCode"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            errors,
            [
                ("b/missing", "ResourceNotFoundException"),
                (arns[2].as_str(), "InvalidRequestException"),
                (other_suffix.as_str(), "ResourceNotFoundException"),
            ]
        );
        h.cleanup().await;
    }
}
