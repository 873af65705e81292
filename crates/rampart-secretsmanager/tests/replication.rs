//! Replication to other Regions over both store backends (SQLite, and PostgreSQL in its own
//! schema when `RAMPART_TEST_POSTGRES_URL` is set), driven through the generated `dispatch` with
//! botocore-shaped JSON in two Regions, the sync job run by hand on a manual clock: replicas
//! readable in their Region and following their primary, sealed under their Region's key,
//! read-only, Failed while their key is unusable and recovering after, removal, promotion,
//! ForceOverwriteReplicaSecret and CreateSecret's AddReplicaRegions; and cross-account
//! replication (a replica in another account, associated, synced, detached and stopped).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use rampart_codec::ServiceError;
use rampart_core::{AccountId, Clock, JobContext, ManualClock, Principal, Region, RequestContext};
use rampart_crypto::root::{Domain, RootKey};
use rampart_kms::KmsService;
use rampart_secretsmanager::SecretsManagerService;
use rampart_store::Store;
use rampart_store::testkit::TestStore;
use serde_json::{Value, json};
use std::sync::Arc;
use time::OffsetDateTime;

const ACCOUNT: &str = "111122223333";
const HOME: &str = "us-east-1";
const AWAY: &str = "eu-west-1";
const THIRD: &str = "ap-south-1";
const REPLICA_REFUSAL: &str =
    "Operation not permitted on a replica secret. Call must be made in primary secret's region.";

struct Harness {
    sm: SecretsManagerService,
    kms: Arc<KmsService>,
    store: Store,
    clock: Arc<ManualClock>,
    backing: TestStore,
}

/// A request context of the root user of `account` in `region`.
fn root_of(account: &str, region: &str) -> RequestContext {
    let principal = Principal::root(AccountId::parse(account).unwrap(), "AKIAIOSFODNN7EXAMPLE");
    RequestContext::new(principal, Region::new(region))
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
        let stores = TestStore::all("smr").await.unwrap();
        stores.into_iter().map(Harness::over).collect()
    }

    async fn cleanup(self) {
        self.backing.cleanup().await.unwrap();
    }

    /// `op` called by the account's root user in `region`.
    async fn call_in(&self, region: &str, op: &str, body: Value) -> Result<Value, ServiceError> {
        self.call_as(ACCOUNT, region, op, body).await
    }

    /// `op` called by the root user of `account` in `region`.
    async fn call_as(
        &self,
        account: &str,
        region: &str,
        op: &str,
        body: Value,
    ) -> Result<Value, ServiceError> {
        let ctx = root_of(account, region);
        let bytes = serde_json::to_vec(&body).unwrap();
        let invocation =
            rampart_secretsmanager::generated::dispatch(&self.sm, &ctx, op, &bytes).await;
        invocation
            .result
            .map(|out| serde_json::from_slice(&out).unwrap_or(Value::Null))
    }

    async fn home(&self, op: &str, body: Value) -> Result<Value, ServiceError> {
        self.call_in(HOME, op, body).await
    }

    async fn away(&self, op: &str, body: Value) -> Result<Value, ServiceError> {
        self.call_in(AWAY, op, body).await
    }

    /// KMS operation `op` called by the account's root user in `region`.
    async fn kms_in(&self, region: &str, op: &str, body: Value) -> Value {
        self.kms_as(ACCOUNT, region, op, body).await
    }

    /// KMS operation `op` called by the root user of `account` in `region`.
    async fn kms_as(&self, account: &str, region: &str, op: &str, body: Value) -> Value {
        let ctx = root_of(account, region);
        let bytes = serde_json::to_vec(&body).unwrap();
        let invocation = rampart_kms::generated::dispatch(&*self.kms, &ctx, op, &bytes).await;
        serde_json::from_slice(&invocation.result.unwrap()).unwrap()
    }

    /// Runs the sync job `seconds` after the clock's time; how many items it synced.
    async fn sync_after(&self, seconds: i64) -> usize {
        let at = self.clock.now() + time::Duration::seconds(seconds);
        let ms = i64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap();
        self.sm
            .run_due_replication(&JobContext::at(ms))
            .await
            .unwrap()
    }

    async fn sync(&self) -> usize {
        self.sync_after(0).await
    }

    /// The raw rows of `table`, up to 500.
    async fn rows(&self, table: &'static str) -> Vec<String> {
        let rows = self.store.scan(table, "", None, 500).await.unwrap();
        let text = |r: &rampart_store::Record| String::from_utf8_lossy(&r.value).to_string();
        rows.iter().map(text).collect()
    }

    /// The value rows of the secret whose ARN is `arn`.
    async fn value_rows(&self, arn: &str) -> usize {
        let prefix = format!("{arn}#");
        let rows = self.store.scan("secretsmanager_values", &prefix, None, 500);
        rows.await.unwrap().len()
    }

    /// The primary's ReplicationStatus entry for `region`.
    async fn status_of(&self, id: &str, region: &str) -> Value {
        let described = self.home("DescribeSecret", json!({"SecretId": id})).await;
        let described = described.unwrap();
        let list = described["ReplicationStatus"].as_array().cloned();
        let list = list.unwrap_or_default();
        let entry = list.into_iter().find(|s| s["Region"] == region);
        entry.unwrap_or(Value::Null)
    }
}

fn replicate(id: &str, regions: Value) -> Value {
    json!({"SecretId": id, "AddReplicaRegions": regions})
}

#[tokio::test]
async fn replicas_follow_their_primary_and_refuse_writes() {
    for h in Harness::all().await {
        let secret = format!("canary-{}", uuid::Uuid::new_v4());
        let create = json!({"Name": "app/db", "SecretString": secret, "Description": "d1"});
        let arn = h.home("CreateSecret", create).await.unwrap()["ARN"].clone();
        let arn = arn.as_str().unwrap().to_owned();
        let out = h
            .home(
                "ReplicateSecretToRegions",
                replicate("app/db", json!([{"Region": AWAY}])),
            )
            .await
            .unwrap();
        assert_eq!(out["ARN"], arn);
        let want = json!([{"Region": AWAY, "KmsKeyId": "alias/aws/secretsmanager",
            "Status": "InProgress"}]);
        assert_eq!(out["ReplicationStatus"], want);
        assert_eq!(h.sync().await, 1);
        let status = h.status_of("app/db", AWAY).await;
        assert_eq!(status["Status"], "InSync", "{status}");
        assert_eq!(status["StatusMessage"], "Replication succeeded");
        // The replica: same name and suffix in its Region, readable there.
        let replica_arn = arn.replace(HOME, AWAY);
        let got = h
            .away("GetSecretValue", json!({"SecretId": "app/db"}))
            .await
            .unwrap();
        assert_eq!(got["SecretString"], secret);
        assert_eq!(got["ARN"], replica_arn);
        let described = h
            .away("DescribeSecret", json!({"SecretId": replica_arn}))
            .await;
        let described = described.unwrap();
        assert_eq!(described["PrimaryRegion"], HOME);
        assert_eq!(described["Description"], "d1");
        assert!(described.get("ReplicationStatus").is_none());
        let primary = h
            .home("DescribeSecret", json!({"SecretId": arn}))
            .await
            .unwrap();
        assert_eq!(primary["PrimaryRegion"], HOME);
        assert!(primary["ReplicationStatus"][0]["LastAccessedDate"].is_number());
        // Changes of the primary reach the replica.
        let put = json!({"SecretId": "app/db", "SecretString": "second"});
        h.home("PutSecretValue", put).await.unwrap();
        let tag = json!({"SecretId": "app/db", "Tags": [{"Key": "team", "Value": "blue"}]});
        h.home("TagResource", tag).await.unwrap();
        h.sync().await;
        let got = h
            .away("GetSecretValue", json!({"SecretId": "app/db"}))
            .await
            .unwrap();
        assert_eq!(got["SecretString"], "second");
        let old = json!({"SecretId": "app/db", "VersionStage": "AWSPREVIOUS"});
        assert_eq!(
            h.away("GetSecretValue", old).await.unwrap()["SecretString"],
            secret
        );
        let described = h
            .away("DescribeSecret", json!({"SecretId": "app/db"}))
            .await
            .unwrap();
        assert_eq!(described["Tags"], json!([{"Key": "team", "Value": "blue"}]));
        assert_eq!(h.value_rows(&replica_arn).await, 2);
        // Listed in its Region, found by the primary-region filter.
        let filter = json!({"Filters": [{"Key": "primary-region", "Values": [HOME]}]});
        let listed = h.away("ListSecrets", filter.clone()).await.unwrap();
        assert_eq!(listed["SecretList"][0]["PrimaryRegion"], HOME);
        let listed = h.home("ListSecrets", filter).await.unwrap();
        assert_eq!(listed["SecretList"].as_array().unwrap().len(), 1);
        // Every write in the replica's Region is refused, and changes nothing.
        let writes = [
            (
                "PutSecretValue",
                json!({"SecretId": "app/db", "SecretString": "x"}),
            ),
            (
                "UpdateSecret",
                json!({"SecretId": "app/db", "Description": "x"}),
            ),
            (
                "TagResource",
                json!({"SecretId": "app/db", "Tags": [{"Key": "k", "Value": "v"}]}),
            ),
            (
                "UntagResource",
                json!({"SecretId": "app/db", "TagKeys": ["team"]}),
            ),
            ("DeleteSecret", json!({"SecretId": "app/db"})),
            (
                "PutResourcePolicy",
                json!({"SecretId": "app/db", "ResourcePolicy": "{}"}),
            ),
            ("GetResourcePolicy", json!({"SecretId": "app/db"})),
            ("DeleteResourcePolicy", json!({"SecretId": "app/db"})),
            ("RestoreSecret", json!({"SecretId": "app/db"})),
            (
                "RemoveRegionsFromReplication",
                json!({"SecretId": "app/db", "RemoveReplicaRegions": [HOME]}),
            ),
            (
                "ReplicateSecretToRegions",
                replicate("app/db", json!([{"Region": THIRD}])),
            ),
        ];
        for (op, body) in writes {
            let err = h.away(op, body).await.unwrap_err();
            assert_eq!(err.code, "InvalidParameterException", "{op}");
            assert_eq!(err.message, REPLICA_REFUSAL, "{op}");
        }
        let got = h
            .away("GetSecretValue", json!({"SecretId": "app/db"}))
            .await
            .unwrap();
        assert_eq!(got["SecretString"], "second");
        // No row of either table holds a value in plaintext.
        for table in rampart_secretsmanager::TABLES {
            for row in h.rows(table).await {
                assert!(!row.contains(&secret) && !row.contains("second"), "{table}");
            }
        }
        h.cleanup().await;
    }
}

#[tokio::test]
async fn the_primary_region_and_deletion_with_replicas_are_refused() {
    for h in Harness::all().await {
        let made = h
            .home("CreateSecret", json!({"Name": "p", "SecretString": "v"}))
            .await;
        let arn = made.unwrap()["ARN"].as_str().unwrap().to_owned();
        let own = replicate("p", json!([{"Region": HOME}]));
        let err = h.home("ReplicateSecretToRegions", own).await.unwrap_err();
        assert_eq!(err.code, "InvalidParameterException");
        assert_eq!(err.message, "Invalid replica region.");
        let twice = replicate("p", json!([{"Region": AWAY}, {"Region": AWAY}]));
        let err = h.home("ReplicateSecretToRegions", twice).await.unwrap_err();
        assert_eq!(err.code, "InvalidParameterException");
        let two = replicate("p", json!([{"Region": AWAY}, {"Region": THIRD}]));
        h.home("ReplicateSecretToRegions", two).await.unwrap();
        let err = h
            .home("DeleteSecret", json!({"SecretId": "p"}))
            .await
            .unwrap_err();
        assert_eq!(err.code, "InvalidParameterException");
        let want = format!(
            "You can't delete secret {arn} that still has replica regions [{THIRD}, {AWAY}]."
        );
        assert_eq!(err.message, want);
        h.sync().await;
        // Removing a Region without a replica is idempotent.
        let not_replica = json!({"SecretId": "p", "RemoveReplicaRegions": ["us-west-2"]});
        let out = h.home("RemoveRegionsFromReplication", not_replica).await;
        assert_eq!(
            out.unwrap()["ReplicationStatus"].as_array().unwrap().len(),
            2
        );
        let stop = h
            .home("StopReplicationToReplica", json!({"SecretId": "p"}))
            .await;
        assert_eq!(stop.unwrap_err().code, "InvalidRequestException");
        h.cleanup().await;
    }
}

#[tokio::test]
async fn an_unusable_replica_key_fails_then_recovers() {
    for h in Harness::all().await {
        let key = h.kms_in(AWAY, "CreateKey", json!({})).await;
        let key_arn = key["KeyMetadata"]["Arn"].as_str().unwrap().to_owned();
        h.kms_in(AWAY, "DisableKey", json!({"KeyId": key_arn}))
            .await;
        h.home("CreateSecret", json!({"Name": "k", "SecretString": "v"}))
            .await
            .unwrap();
        let regions = json!([{"Region": AWAY, "KmsKeyId": key_arn}]);
        h.home("ReplicateSecretToRegions", replicate("k", regions))
            .await
            .unwrap();
        assert_eq!(h.sync().await, 0);
        let status = h.status_of("k", AWAY).await;
        assert_eq!(status["Status"], "Failed", "{status}");
        assert_eq!(status["KmsKeyId"], key_arn.as_str());
        let message = status["StatusMessage"].as_str().unwrap();
        assert!(message.starts_with("Replication failed: "), "{message}");
        let err = h.away("GetSecretValue", json!({"SecretId": "k"})).await;
        assert_eq!(err.unwrap_err().code, "ResourceNotFoundException");
        h.kms_in(AWAY, "EnableKey", json!({"KeyId": key_arn})).await;
        // The item comes back after the queue's backoff.
        assert_eq!(h.sync_after(60).await, 1);
        assert_eq!(h.status_of("k", AWAY).await["Status"], "InSync");
        let got = h
            .away("GetSecretValue", json!({"SecretId": "k"}))
            .await
            .unwrap();
        assert_eq!(got["SecretString"], "v");
        let versions = h
            .away("ListSecretVersionIds", json!({"SecretId": "k"}))
            .await;
        assert_eq!(
            versions.unwrap()["Versions"][0]["KmsKeyIds"],
            json!([key_arn])
        );
        h.cleanup().await;
    }
}

#[tokio::test]
async fn a_secret_in_the_way_fails_unless_overwritten() {
    for h in Harness::all().await {
        let theirs = h.away(
            "CreateSecret",
            json!({"Name": "n", "SecretString": "theirs"}),
        );
        let theirs = theirs.await.unwrap()["ARN"].as_str().unwrap().to_owned();
        h.home("CreateSecret", json!({"Name": "n", "SecretString": "ours"}))
            .await
            .unwrap();
        let regions = json!([{"Region": AWAY}]);
        let out = h
            .home("ReplicateSecretToRegions", replicate("n", regions.clone()))
            .await
            .unwrap();
        // The answer already says Failed; the sync keeps it so.
        assert_eq!(out["ReplicationStatus"][0]["Status"], "Failed");
        h.sync().await;
        let status = h.status_of("n", AWAY).await;
        assert_eq!(status["Status"], "Failed");
        assert_eq!(
            status["StatusMessage"],
            format!("Replication failed: Secret name n already exists in region {AWAY}.")
        );
        let got = h
            .away("GetSecretValue", json!({"SecretId": "n"}))
            .await
            .unwrap();
        assert_eq!(got["SecretString"], "theirs");
        // Removing the failed Region leaves the other secret alone.
        let remove = json!({"SecretId": "n", "RemoveReplicaRegions": [AWAY]});
        let out = h
            .home("RemoveRegionsFromReplication", remove)
            .await
            .unwrap();
        assert_eq!(out["ReplicationStatus"], json!([]));
        assert!(
            h.away("DescribeSecret", json!({"SecretId": theirs.clone()}))
                .await
                .is_ok()
        );
        let mut force = replicate("n", regions);
        force["ForceOverwriteReplicaSecret"] = json!(true);
        h.home("ReplicateSecretToRegions", force).await.unwrap();
        h.sync().await;
        assert_eq!(h.status_of("n", AWAY).await["Status"], "InSync");
        let got = h
            .away("GetSecretValue", json!({"SecretId": "n"}))
            .await
            .unwrap();
        assert_eq!(got["SecretString"], "ours");
        assert_eq!(h.value_rows(&theirs).await, 0);
        h.cleanup().await;
    }
}

#[tokio::test]
async fn removal_deletes_a_replica_and_stopping_promotes_one() {
    for h in Harness::all().await {
        let create = json!({"Name": "s", "SecretString": "v",
            "AddReplicaRegions": [{"Region": AWAY}, {"Region": THIRD}]});
        let made = h.home("CreateSecret", create).await.unwrap();
        let statuses = made["ReplicationStatus"].as_array().unwrap();
        assert_eq!(statuses.len(), 2);
        assert!(statuses.iter().all(|s| s["Status"] == "InProgress"));
        let arn = made["ARN"].as_str().unwrap().to_owned();
        h.sync().await;
        let third = h
            .call_in(THIRD, "GetSecretValue", json!({"SecretId": "s"}))
            .await;
        assert_eq!(third.unwrap()["SecretString"], "v");
        // RemoveRegionsFromReplication deletes the replica and its values.
        let remove = json!({"SecretId": arn, "RemoveReplicaRegions": [THIRD]});
        let out = h
            .home("RemoveRegionsFromReplication", remove)
            .await
            .unwrap();
        assert_eq!(out["ReplicationStatus"][0]["Region"], AWAY);
        let gone = h
            .call_in(THIRD, "DescribeSecret", json!({"SecretId": "s"}))
            .await;
        assert_eq!(gone.unwrap_err().code, "ResourceNotFoundException");
        assert_eq!(h.value_rows(&arn.replace(HOME, THIRD)).await, 0);
        // StopReplicationToReplica in the replica's Region makes it standalone.
        let stopped = h
            .away("StopReplicationToReplica", json!({"SecretId": "s"}))
            .await;
        assert_eq!(stopped.unwrap()["ARN"], arn.replace(HOME, AWAY));
        let primary = h
            .home("DescribeSecret", json!({"SecretId": "s"}))
            .await
            .unwrap();
        assert!(primary.get("ReplicationStatus").is_none());
        assert!(primary.get("PrimaryRegion").is_none());
        let own = h
            .away("DescribeSecret", json!({"SecretId": "s"}))
            .await
            .unwrap();
        assert!(own.get("PrimaryRegion").is_none());
        let put = json!({"SecretId": "s", "SecretString": "own"});
        h.away("PutSecretValue", put).await.unwrap();
        let put = json!({"SecretId": "s", "SecretString": "home"});
        h.home("PutSecretValue", put).await.unwrap();
        h.sync().await;
        let got = h
            .away("GetSecretValue", json!({"SecretId": "s"}))
            .await
            .unwrap();
        assert_eq!(got["SecretString"], "own");
        // With no replicas left the primary can be deleted.
        let force = json!({"SecretId": "s", "ForceDeleteWithoutRecovery": true});
        h.home("DeleteSecret", force).await.unwrap();
        h.cleanup().await;
    }
}

const OTHER: &str = "444455556666";

impl Harness {
    /// A key of the other account whose policy lets `ACCOUNT` use it when `shared`.
    async fn other_key(&self, shared: bool) -> String {
        let mut statements = vec![json!({"Effect": "Allow",
            "Principal": {"AWS": format!("arn:aws:iam::{OTHER}:root")},
            "Action": "kms:*", "Resource": "*"})];
        if shared {
            statements.push(json!({"Effect": "Allow",
                "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")},
                "Action": ["kms:Encrypt", "kms:GenerateDataKey"], "Resource": "*"}));
        }
        let policy = json!({"Version": "2012-10-17", "Statement": statements}).to_string();
        let key = self
            .kms_as(OTHER, HOME, "CreateKey", json!({"Policy": policy}))
            .await;
        key["KeyMetadata"]["Arn"].as_str().unwrap().to_owned()
    }

    async fn other(&self, op: &str, body: Value) -> Result<Value, ServiceError> {
        self.call_as(OTHER, HOME, op, body).await
    }

    /// A replica in the other account of the secret `primary_arn`, under `key`.
    async fn cross_replica(&self, name: &str, primary_arn: &str, key: &str) -> String {
        let create = json!({"Name": name, "KmsKeyId": key, "CrossAccountPrimaryARN": primary_arn});
        let made = self.other("CreateSecret", create).await.unwrap();
        made["ARN"].as_str().unwrap().to_owned()
    }
}

#[tokio::test]
async fn a_replica_in_another_account_follows_once_associated() {
    for h in Harness::all().await {
        let made = h.home("CreateSecret", json!({"Name": "p", "SecretString": "v1"}));
        let primary = made.await.unwrap()["ARN"].as_str().unwrap().to_owned();
        let key = h.other_key(true).await;
        let bad = json!({"Name": "r", "KmsKeyId": key, "CrossAccountPrimaryARN": primary,
            "SecretString": "x"});
        let err = h.other("CreateSecret", bad).await.unwrap_err();
        assert_eq!(err.code, "InvalidParameterException");
        let bad = json!({"Name": "r", "CrossAccountPrimaryARN": primary});
        let err = h.other("CreateSecret", bad).await.unwrap_err();
        assert_eq!(err.code, "InvalidParameterException");
        let replica = h.cross_replica("r", &primary, &key).await;
        let described = h
            .other("DescribeSecret", json!({"SecretId": "r"}))
            .await
            .unwrap();
        let want = json!({"PrimarySecretARN": primary, "ReplicationStatus": "Pending"});
        assert_eq!(described["CrossAccountPrimary"], want);
        assert_eq!(described["KmsKeyId"], key.as_str());
        // Only the primary account associates, naming a replica in another account.
        let own = json!({"SecretId": "p", "CrossAccountReplicaARN": primary});
        let err = h
            .home("AssociateCrossAccountReplica", own)
            .await
            .unwrap_err();
        assert_eq!(err.code, "InvalidParameterException");
        let link = json!({"SecretId": "p", "CrossAccountReplicaARN": replica});
        let out = h
            .home("AssociateCrossAccountReplica", link.clone())
            .await
            .unwrap();
        assert_eq!(out["ReplicationStatus"], "InProgress");
        assert_eq!(out["ARN"], primary);
        h.sync().await;
        let got = h
            .other("GetSecretValue", json!({"SecretId": "r"}))
            .await
            .unwrap();
        assert_eq!(
            (&got["SecretString"], &got["ARN"]),
            (&json!("v1"), &json!(replica))
        );
        let described = h
            .home("DescribeSecret", json!({"SecretId": "p"}))
            .await
            .unwrap();
        assert_eq!(
            described["CrossAccountReplicas"][0]["ReplicaSecretARN"],
            replica
        );
        assert_eq!(
            described["CrossAccountReplicas"][0]["ReplicationStatus"],
            "InSync"
        );
        let put = json!({"SecretId": "p", "SecretString": "v2"});
        h.home("PutSecretValue", put).await.unwrap();
        h.sync().await;
        let got = h
            .other("GetSecretValue", json!({"SecretId": "r"}))
            .await
            .unwrap();
        assert_eq!(got["SecretString"], "v2");
        let versions = h
            .other("ListSecretVersionIds", json!({"SecretId": "r"}))
            .await;
        assert_eq!(versions.unwrap()["Versions"][0]["KmsKeyIds"], json!([key]));
        // Neither side can be deleted while linked.
        let force = json!({"SecretId": "p", "ForceDeleteWithoutRecovery": true});
        let err = h.home("DeleteSecret", force.clone()).await.unwrap_err();
        assert_eq!(err.code, "InvalidParameterException");
        let err = h
            .other("DeleteSecret", json!({"SecretId": "r"}))
            .await
            .unwrap_err();
        assert_eq!(err.code, "InvalidParameterException");
        // Disassociating leaves the replica Detached and no longer following.
        h.home("DisassociateCrossAccountReplica", link)
            .await
            .unwrap();
        let described = h
            .other("DescribeSecret", json!({"SecretId": "r"}))
            .await
            .unwrap();
        assert_eq!(
            described["CrossAccountPrimary"]["ReplicationStatus"],
            "Detached"
        );
        let put = json!({"SecretId": "p", "SecretString": "v3"});
        h.home("PutSecretValue", put).await.unwrap();
        h.sync().await;
        let got = h
            .other("GetSecretValue", json!({"SecretId": "r"}))
            .await
            .unwrap();
        assert_eq!(got["SecretString"], "v2");
        h.home("DeleteSecret", force).await.unwrap();
        let out = h
            .other("StopReplicationToReplica", json!({"SecretId": "r"}))
            .await;
        assert_eq!(out.unwrap()["ARN"], replica);
        let described = h
            .other("DescribeSecret", json!({"SecretId": "r"}))
            .await
            .unwrap();
        assert!(described.get("CrossAccountPrimary").is_none());
        h.other("DeleteSecret", json!({"SecretId": "r"}))
            .await
            .unwrap();
        h.cleanup().await;
    }
}

#[tokio::test]
async fn association_needs_the_other_accounts_key_and_stopping_detaches() {
    for h in Harness::all().await {
        let made = h.home("CreateSecret", json!({"Name": "q", "SecretString": "v"}));
        let primary = made.await.unwrap()["ARN"].as_str().unwrap().to_owned();
        // The replica's key does not let the primary account in: KMS refuses the dry run.
        let closed = h.other_key(false).await;
        let replica = h.cross_replica("closed", &primary, &closed).await;
        let link = json!({"SecretId": "q", "CrossAccountReplicaARN": replica});
        let err = h
            .home("AssociateCrossAccountReplica", link)
            .await
            .unwrap_err();
        assert_eq!(err.code, "AccessDeniedException");
        let described = h
            .other("DescribeSecret", json!({"SecretId": "closed"}))
            .await;
        let status = &described.unwrap()["CrossAccountPrimary"]["ReplicationStatus"];
        assert_eq!(status, "Pending");
        // A replica created for another primary is refused.
        let open = h.other_key(true).await;
        let stranger = format!("{}x", &primary[..primary.len() - 1]);
        let elsewhere = h.cross_replica("elsewhere", &stranger, &open).await;
        let link = json!({"SecretId": "q", "CrossAccountReplicaARN": elsewhere});
        let err = h
            .home("AssociateCrossAccountReplica", link)
            .await
            .unwrap_err();
        assert_eq!(err.code, "InvalidRequestException");
        // At most one replica per primary.
        let first = h.cross_replica("first", &primary, &open).await;
        let second = h.cross_replica("second", &primary, &open).await;
        let link = json!({"SecretId": "q", "CrossAccountReplicaARN": first});
        h.home("AssociateCrossAccountReplica", link).await.unwrap();
        let link = json!({"SecretId": "q", "CrossAccountReplicaARN": second});
        let err = h
            .home("AssociateCrossAccountReplica", link)
            .await
            .unwrap_err();
        assert_eq!(err.code, "LimitExceededException");
        h.sync().await;
        // Stopping on the replica's side makes it standalone and the primary's entry Detached.
        h.other("StopReplicationToReplica", json!({"SecretId": "first"}))
            .await
            .unwrap();
        let described = h
            .home("DescribeSecret", json!({"SecretId": "q"}))
            .await
            .unwrap();
        let entry = &described["CrossAccountReplicas"][0];
        assert_eq!(entry["ReplicationStatus"], "Detached");
        let put = json!({"SecretId": "first", "SecretString": "mine"});
        h.other("PutSecretValue", put).await.unwrap();
        h.cleanup().await;
    }
}

#[tokio::test]
async fn a_replicas_key_changes_in_its_region() {
    for h in Harness::all().await {
        let create = json!({"Name": "rk", "SecretString": "v",
            "AddReplicaRegions": [{"Region": AWAY}]});
        h.home("CreateSecret", create).await.unwrap();
        h.sync().await;
        let key = h.kms_in(AWAY, "CreateKey", json!({})).await;
        let key_arn = key["KeyMetadata"]["Arn"].as_str().unwrap().to_owned();
        let both = json!({"SecretId": "rk", "KmsKeyId": key_arn, "Description": "x"});
        let err = h.away("UpdateSecret", both).await.unwrap_err();
        assert_eq!(err.message, REPLICA_REFUSAL);
        let rekey = json!({"SecretId": "rk", "KmsKeyId": key_arn});
        let out = h.away("UpdateSecret", rekey).await.unwrap();
        assert_eq!(out["ARN"].as_str().unwrap().split(':').nth(3), Some(AWAY));
        assert_eq!(h.status_of("rk", AWAY).await["Status"], "InProgress");
        h.sync().await;
        let status = h.status_of("rk", AWAY).await;
        assert_eq!(
            (&status["Status"], &status["KmsKeyId"]),
            (&json!("InSync"), &json!(key_arn))
        );
        let versions = h
            .away("ListSecretVersionIds", json!({"SecretId": "rk"}))
            .await;
        assert_eq!(
            versions.unwrap()["Versions"][0]["KmsKeyIds"],
            json!([key_arn])
        );
        let got = h
            .away("GetSecretValue", json!({"SecretId": "rk"}))
            .await
            .unwrap();
        assert_eq!(got["SecretString"], "v");
        h.cleanup().await;
    }
}
