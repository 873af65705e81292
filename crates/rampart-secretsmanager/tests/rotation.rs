//! Rotation over both store backends (SQLite, and PostgreSQL in its own schema when
//! `RAMPART_TEST_POSTGRES_URL` is set): an in-test HTTP rotation function (registered like
//! `rampart rotation-function register`) doing createSecret and finishSecret against the
//! service as a rotation Lambda does, the rotation job driven on a manual clock.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use rampart_codec::ServiceError;
use rampart_core::{AccountId, JobContext, ManualClock, Principal, PrincipalKind, Region};
use rampart_core::{Clock, RequestContext};
use rampart_crypto::root::{Domain, RootKey};
use rampart_kms::KmsService;
use rampart_secretsmanager::SecretsManagerService;
use rampart_secretsmanager::rotation::functions::register;
use rampart_store::Store;
use rampart_store::testkit::TestStore;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use time::OffsetDateTime;

const ACCOUNT: &str = "111122223333";
const REGION: &str = "us-east-1";
const FUNCTION: &str = "arn:aws:lambda:us-east-1:111122223333:function:rotator";

fn root() -> RequestContext {
    let principal = Principal {
        account: AccountId::parse(ACCOUNT).unwrap(),
        arn: format!("arn:aws:iam::{ACCOUNT}:root"),
        principal_id: ACCOUNT.into(),
        access_key_id: "AKIAIOSFODNN7EXAMPLE".into(),
        kind: PrincipalKind::Root,
        session: None,
    };
    RequestContext::new(principal, Region::new(REGION))
}

async fn call(sm: &SecretsManagerService, op: &str, body: Value) -> Result<Value, ServiceError> {
    let bytes = serde_json::to_vec(&body).unwrap();
    let invocation = rampart_secretsmanager::generated::dispatch(sm, &root(), op, &bytes).await;
    invocation
        .result
        .map(|out| serde_json::from_slice(&out).unwrap_or(Value::Null))
}

/// The rotation function: records each step it gets, fails the step named in `fail_at`,
/// creates the AWSPENDING version at createSecret and moves AWSCURRENT at finishSecret.
#[derive(Clone)]
struct Rotator {
    sm: Arc<Mutex<Option<Arc<SecretsManagerService>>>>,
    steps: Arc<Mutex<Vec<String>>>,
    fail_at: Arc<Mutex<Option<String>>>,
    url: String,
}

impl Rotator {
    async fn start() -> Rotator {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let rotator = Rotator {
            sm: Arc::default(),
            steps: Arc::default(),
            fail_at: Arc::default(),
            url: format!("http://{}/rotate", listener.local_addr().unwrap()),
        };
        let shared = rotator.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let shared = shared.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                        let shared = shared.clone();
                        async move {
                            let body = req.into_body().collect().await.unwrap().to_bytes();
                            let status = shared.step(&body).await;
                            let mut answer = hyper::Response::new(Full::new(Bytes::new()));
                            *answer.status_mut() = hyper::StatusCode::from_u16(status).unwrap();
                            Ok::<_, hyper::Error>(answer)
                        }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        rotator
    }

    fn serve(&self, sm: Arc<SecretsManagerService>, fail_at: Option<&str>) {
        *self.sm.lock().unwrap() = Some(sm);
        *self.fail_at.lock().unwrap() = fail_at.map(str::to_owned);
        self.steps.lock().unwrap().clear();
    }

    fn steps(&self) -> Vec<String> {
        self.steps.lock().unwrap().clone()
    }

    async fn step(&self, body: &[u8]) -> u16 {
        let event: Value = serde_json::from_slice(body).unwrap();
        let step = event["Step"].as_str().unwrap().to_owned();
        assert!(event["RotationToken"].as_str().unwrap().len() >= 36);
        self.steps.lock().unwrap().push(step.clone());
        if self.fail_at.lock().unwrap().as_deref() == Some(step.as_str()) {
            return 500;
        }
        let sm = self.sm.lock().unwrap().clone().unwrap();
        let (id, token) = (&event["SecretId"], &event["ClientRequestToken"]);
        let done = match step.as_str() {
            "createSecret" => call(
                &sm,
                "PutSecretValue",
                json!({"SecretId": id,
                "ClientRequestToken": token, "SecretString": format!("rotated-{}", token.as_str().unwrap()),
                "VersionStages": ["AWSPENDING"]}),
            )
            .await
            .is_ok(),
            "finishSecret" => {
                let d = call(&sm, "DescribeSecret", json!({"SecretId": id}))
                    .await
                    .unwrap();
                let stages = d["VersionIdsToStages"].as_object().unwrap();
                let current = stages
                    .iter()
                    .find(|(_, s)| s.as_array().unwrap().contains(&json!("AWSCURRENT")))
                    .map(|(v, _)| v.clone())
                    .unwrap();
                call(
                    &sm,
                    "UpdateSecretVersionStage",
                    json!({"SecretId": id,
                    "VersionStage": "AWSCURRENT", "MoveToVersionId": token,
                    "RemoveFromVersionId": current}),
                )
                .await
                .is_ok()
            }
            _ => true,
        };
        if done { 200 } else { 500 }
    }
}

struct Harness {
    sm: Arc<SecretsManagerService>,
    kms: Arc<KmsService>,
    store: Store,
    clock: Arc<ManualClock>,
    /// The store's backing (its directory or schema); `None` on a restarted node.
    _backing: Option<TestStore>,
}

impl Harness {
    fn over(backing: TestStore) -> Harness {
        let store = backing.store.clone();
        let clock = Arc::new(ManualClock::new(OffsetDateTime::now_utc()));
        let kms = Arc::new(KmsService::new(
            store.clone(),
            RootKey::generate().domain_key(Domain::Kms),
            clock.clone(),
        ));
        let sm = SecretsManagerService::new(store.clone(), kms.clone(), clock.clone());
        Harness {
            sm: Arc::new(sm),
            kms,
            store,
            clock,
            _backing: Some(backing),
        }
    }

    async fn all() -> Vec<Harness> {
        let stores = TestStore::all("rot").await.unwrap();
        stores.into_iter().map(Harness::over).collect()
    }

    /// A fresh service over the same store and clock: a restarted node.
    fn restarted(&self) -> Harness {
        let sm =
            SecretsManagerService::new(self.store.clone(), self.kms.clone(), self.clock.clone());
        Harness {
            sm: Arc::new(sm),
            kms: self.kms.clone(),
            store: self.store.clone(),
            clock: self.clock.clone(),
            _backing: None,
        }
    }

    async fn call(&self, op: &str, body: Value) -> Result<Value, ServiceError> {
        call(&self.sm, op, body).await
    }

    fn now_ms(&self) -> i64 {
        i64::try_from(self.clock.now().unix_timestamp_nanos() / 1_000_000).unwrap()
    }

    async fn run_jobs(&self) -> usize {
        self.sm
            .run_due_rotations(&JobContext::at(self.now_ms()))
            .await
            .unwrap()
    }

    /// A secret `name` with a first value; its ARN and first version.
    async fn secret(&self, name: &str) -> (String, String) {
        let made = self
            .call("CreateSecret", json!({"Name": name, "SecretString": "v1"}))
            .await
            .unwrap();
        (
            made["ARN"].as_str().unwrap().into(),
            made["VersionId"].as_str().unwrap().into(),
        )
    }

    async fn stages(&self, id: &str) -> serde_json::Map<String, Value> {
        let d = self
            .call("DescribeSecret", json!({"SecretId": id}))
            .await
            .unwrap();
        d["VersionIdsToStages"].as_object().unwrap().clone()
    }

    /// The rotation events in the audit log, as `(eventName, errorMessage)`.
    async fn rotation_events(&self) -> Vec<(String, Option<String>)> {
        let entries = self.store.read_log("audit", 0, 1000).await.unwrap();
        let mut out = Vec::new();
        for (_, entry) in entries {
            for record in rampart_audit::decode_entry(&entry) {
                let rampart_audit::StoredRecord::Compact(e) = record else {
                    continue;
                };
                let v: Value = serde_json::from_str(&e.to_cloudtrail_json()).unwrap();
                assert_eq!(v["eventType"], "AwsServiceEvent");
                assert!(
                    v["additionalEventData"]["SecretId"]
                        .as_str()
                        .unwrap()
                        .contains(":secret:")
                );
                out.push((e.event_name.clone(), e.error_message.clone()));
            }
        }
        out
    }
}

async fn with_function(h: &Harness, rotator: &Rotator, fail_at: Option<&str>) {
    register(&h.store, ACCOUNT, REGION, "rotator", &rotator.url)
        .await
        .unwrap();
    rotator.serve(h.sm.clone(), fail_at);
}

fn names(events: &[(String, Option<String>)]) -> Vec<&str> {
    events.iter().map(|(n, _)| n.as_str()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotation_moves_the_labels_and_schedules_the_next() {
    let rotator = Rotator::start().await;
    for h in Harness::all().await {
        with_function(&h, &rotator, None).await;
        let (arn, v1) = h.secret("app/db").await;
        let rotate = json!({"SecretId": "app/db", "RotationLambdaARN": FUNCTION,
            "RotationRules": {"AutomaticallyAfterDays": 7}});
        let answer = h.call("RotateSecret", rotate).await.unwrap();
        assert_eq!(answer["ARN"], arn);
        let v2 = answer["VersionId"].as_str().unwrap().to_owned();
        assert_eq!(h.run_jobs().await, 1);
        assert_eq!(
            rotator.steps(),
            ["createSecret", "setSecret", "testSecret", "finishSecret"]
        );
        let stages = h.stages(&arn).await;
        assert_eq!(stages[&v2], json!(["AWSCURRENT"]));
        assert_eq!(stages[&v1], json!(["AWSPREVIOUS"]));
        let got = h
            .call("GetSecretValue", json!({"SecretId": arn}))
            .await
            .unwrap();
        assert_eq!(got["SecretString"], format!("rotated-{v2}"));
        let d = h
            .call("DescribeSecret", json!({"SecretId": arn}))
            .await
            .unwrap();
        assert_eq!(d["RotationEnabled"], true);
        assert_eq!(d["RotationLambdaARN"], FUNCTION);
        assert_eq!(d["RotationRules"]["AutomaticallyAfterDays"], 7);
        assert!(d["LastRotatedDate"].is_number());
        // The window is the whole UTC day seven days on; NextRotationDate its last second.
        let day = h.now_ms() / 1000 - (h.now_ms() / 1000).rem_euclid(86_400);
        assert_eq!(d["NextRotationDate"], json!(day + 8 * 86_400 - 1));
        let listed = h.call("ListSecrets", json!({})).await.unwrap();
        assert_eq!(
            listed["SecretList"][0]["NextRotationDate"],
            d["NextRotationDate"]
        );
        assert_eq!(
            names(&h.rotation_events().await),
            ["RotationStarted", "RotationSucceeded"]
        );
        // Nothing is due until the window; then the scheduled rotation runs.
        assert_eq!(h.run_jobs().await, 0);
        h.clock.set(h.clock.now() + time::Duration::days(7));
        assert_eq!(h.run_jobs().await, 1);
        assert_eq!(rotator.steps().len(), 8);
        let stages = h.stages(&arn).await;
        assert_eq!(stages[&v2], json!(["AWSPREVIOUS"]));
        assert!(!stages.contains_key(&v1));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_test_step_leaves_awspending_and_records_the_failure() {
    let rotator = Rotator::start().await;
    for h in Harness::all().await {
        with_function(&h, &rotator, Some("testSecret")).await;
        let (arn, v1) = h.secret("app/fail").await;
        let rotate = json!({"SecretId": arn, "RotationLambdaARN": FUNCTION});
        let v2 = h.call("RotateSecret", rotate).await.unwrap()["VersionId"]
            .as_str()
            .unwrap()
            .to_owned();
        h.run_jobs().await;
        assert_eq!(rotator.steps(), ["createSecret", "setSecret", "testSecret"]);
        let stages = h.stages(&arn).await;
        assert_eq!(stages[&v2], json!(["AWSPENDING"]));
        assert_eq!(stages[&v1], json!(["AWSCURRENT"]));
        let events = h.rotation_events().await;
        assert_eq!(names(&events), ["RotationStarted", "RotationFailed"]);
        let reason = events[1].1.clone().unwrap();
        assert!(reason.contains("during testSecret step"), "{reason}");
        // Another RotateSecret is refused while that rotation is unfinished.
        let again = json!({"SecretId": arn});
        let err = h.call("RotateSecret", again).await.unwrap_err();
        assert_eq!(err.code, "InvalidRequestException");
        assert_eq!(
            err.message,
            "A previous rotation isn't complete. That rotation will be reattempted."
        );
        // It is retried later, from testSecret, and succeeds once the function does.
        rotator.serve(h.sm.clone(), None);
        assert_eq!(h.run_jobs().await, 0);
        h.clock.set(h.clock.now() + time::Duration::minutes(2));
        assert_eq!(h.run_jobs().await, 1);
        assert_eq!(rotator.steps(), ["testSecret", "finishSecret"]);
        assert_eq!(h.stages(&arn).await[&v2], json!(["AWSCURRENT"]));
        let events = h.rotation_events().await;
        assert_eq!(
            names(&events),
            ["RotationStarted", "RotationFailed", "RotationSucceeded"]
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_mid_rotation_resumes_at_the_next_step() {
    let rotator = Rotator::start().await;
    for h in Harness::all().await {
        // The node stops while setSecret runs: createSecret is committed, setSecret is not.
        with_function(&h, &rotator, Some("setSecret")).await;
        let (arn, _) = h.secret("app/resume").await;
        let rotate = json!({"SecretId": arn, "RotationLambdaARN": FUNCTION});
        let v2 = h.call("RotateSecret", rotate).await.unwrap()["VersionId"]
            .as_str()
            .unwrap()
            .to_owned();
        // Claim the item as a node that dies: run createSecret only, by hand, through a
        // service whose function answers createSecret and then the node is gone.
        let claimed = h
            .store
            .claim(
                "secretsmanager_rotations",
                "dead-node",
                std::time::Duration::from_secs(60),
                10,
                10,
                h.now_ms(),
            )
            .await
            .unwrap();
        assert_eq!(claimed.len(), 1);
        assert_eq!(h.run_jobs().await, 0, "the item is leased to the dead node");
        // A fresh service over the same store: once the claim lapses the rotation resumes,
        // and because it never committed a step it starts at createSecret (idempotent).
        let fresh = h.restarted();
        rotator.serve(fresh.sm.clone(), None);
        h.clock.set(h.clock.now() + time::Duration::seconds(61));
        assert_eq!(fresh.run_jobs().await, 1);
        assert_eq!(
            rotator.steps(),
            ["createSecret", "setSecret", "testSecret", "finishSecret"]
        );
        assert_eq!(fresh.stages(&arn).await[&v2], json!(["AWSCURRENT"]));
        // A failure at setSecret after a committed createSecret resumes at setSecret.
        rotator.serve(fresh.sm.clone(), Some("setSecret"));
        let v3 = fresh
            .call("RotateSecret", json!({"SecretId": arn}))
            .await
            .unwrap()["VersionId"]
            .as_str()
            .unwrap()
            .to_owned();
        fresh.run_jobs().await;
        assert_eq!(rotator.steps(), ["createSecret", "setSecret"]);
        let again = fresh.restarted();
        rotator.serve(again.sm.clone(), None);
        h.clock.set(h.clock.now() + time::Duration::minutes(2));
        assert_eq!(again.run_jobs().await, 1);
        assert_eq!(rotator.steps(), ["setSecret", "testSecret", "finishSecret"]);
        assert_eq!(again.stages(&arn).await[&v3], json!(["AWSCURRENT"]));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_only_rotation_cancel_and_validation() {
    let rotator = Rotator::start().await;
    for h in Harness::all().await {
        with_function(&h, &rotator, None).await;
        let (arn, _) = h.secret("app/cfg").await;
        // No function known.
        let err = h
            .call("RotateSecret", json!({"SecretId": arn}))
            .await
            .unwrap_err();
        assert_eq!(err.code, "InvalidRequestException");
        // Rules refused as AWS refuses them.
        let both = json!({"SecretId": arn, "RotationLambdaARN": FUNCTION,
            "RotationRules": {"AutomaticallyAfterDays": 3, "ScheduleExpression": "rate(3 days)"}});
        let err = h.call("RotateSecret", both).await.unwrap_err();
        assert_eq!(err.code, "InvalidParameterException");
        assert_eq!(
            err.message,
            "You cannot specify both rotation frequency and schedule expression together."
        );
        let often = json!({"SecretId": arn, "RotationLambdaARN": FUNCTION,
            "RotationRules": {"ScheduleExpression": "rate(1 hours)"}});
        assert_eq!(
            h.call("RotateSecret", often).await.unwrap_err().code,
            "InvalidParameterException"
        );
        let long = json!({"SecretId": arn, "RotationLambdaARN": FUNCTION,
            "RotationRules": {"ScheduleExpression": "cron(0 16 1,15 * ? *)", "Duration": "30h"}});
        assert_eq!(
            h.call("RotateSecret", long).await.unwrap_err().code,
            "InvalidParameterException"
        );
        // RotateImmediately=false runs testSecret only and schedules the first rotation.
        let later = json!({"SecretId": arn, "RotationLambdaARN": FUNCTION, "RotateImmediately": false,
            "RotationRules": {"ScheduleExpression": "cron(0 16 1,15 * ? *)", "Duration": "2h"}});
        let test_version = h.call("RotateSecret", later).await.unwrap()["VersionId"].clone();
        h.run_jobs().await;
        assert_eq!(rotator.steps(), ["testSecret"]);
        // The test's AWSPENDING copy of the value is made and its label removed again.
        let all = json!({"SecretId": arn, "IncludeDeprecated": true});
        let listed = h.call("ListSecretVersionIds", all).await.unwrap();
        let versions = listed["Versions"].as_array().unwrap();
        let tested = versions
            .iter()
            .find(|v| v["VersionId"] == test_version)
            .unwrap();
        assert_eq!(tested["VersionStages"], json!([]));
        let by_id = json!({"SecretId": arn, "VersionId": test_version});
        assert_eq!(
            h.call("GetSecretValue", by_id).await.unwrap()["SecretString"],
            "v1"
        );
        let d = h
            .call("DescribeSecret", json!({"SecretId": arn}))
            .await
            .unwrap();
        assert_eq!(d["RotationEnabled"], true);
        assert_eq!(
            d["RotationRules"]["ScheduleExpression"],
            "cron(0 16 1,15 * ? *)"
        );
        assert_eq!(d["RotationRules"]["Duration"], "2h");
        let next = d["NextRotationDate"].as_i64().unwrap();
        assert_eq!(next.rem_euclid(86_400), 18 * 3600 - 1);
        assert!(d.get("LastRotatedDate").is_none());
        assert_eq!(
            names(&h.rotation_events().await),
            ["TestRotationStarted", "TestRotationSucceeded"]
        );
        // CancelRotateSecret turns rotation off; the schedule's item then does nothing.
        let cancelled = h
            .call("CancelRotateSecret", json!({"SecretId": arn}))
            .await
            .unwrap();
        assert_eq!(cancelled["ARN"], arn);
        assert!(cancelled.get("VersionId").is_none());
        let d = h
            .call("DescribeSecret", json!({"SecretId": arn}))
            .await
            .unwrap();
        assert_eq!(d["RotationEnabled"], false);
        assert!(d.get("NextRotationDate").is_none());
        assert_eq!(d["RotationLambdaARN"], FUNCTION);
        h.clock.set(h.clock.now() + time::Duration::days(20));
        assert_eq!(h.run_jobs().await, 0);
        assert_eq!(rotator.steps(), ["testSecret"]);
        // Cancelling a rotation in progress answers its version.
        let v = h
            .call("RotateSecret", json!({"SecretId": arn}))
            .await
            .unwrap()["VersionId"]
            .clone();
        let cancelled = h
            .call("CancelRotateSecret", json!({"SecretId": arn}))
            .await
            .unwrap();
        assert_eq!(cancelled["VersionId"], v);
        assert_eq!(h.run_jobs().await, 0);
        // An unregistered function fails the rotation with a clear reason.
        let other = "arn:aws:lambda:us-east-1:111122223333:function:nobody";
        h.call(
            "RotateSecret",
            json!({"SecretId": arn, "RotationLambdaARN": other}),
        )
        .await
        .unwrap();
        h.run_jobs().await;
        let events = h.rotation_events().await;
        let (name, reason) = events.last().unwrap();
        assert_eq!(name, "RotationFailed");
        assert!(reason.as_deref().unwrap().contains("nobody"), "{reason:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manual_new_version_abandons_an_unfinished_rotation() {
    let rotator = Rotator::start().await;
    for h in Harness::all().await {
        with_function(&h, &rotator, Some("setSecret")).await;
        let (arn, _) = h.secret("app/abandon").await;
        let rotate = json!({"SecretId": arn, "RotationLambdaARN": FUNCTION});
        let pending = h.call("RotateSecret", rotate).await.unwrap()["VersionId"].clone();
        h.run_jobs().await;
        assert_eq!(
            h.stages(&arn).await[pending.as_str().unwrap()],
            json!(["AWSPENDING"])
        );
        let put = json!({"SecretId": arn, "SecretString": "by hand"});
        let manual = h.call("PutSecretValue", put).await.unwrap()["VersionId"].clone();
        let stages = h.stages(&arn).await;
        assert_eq!(stages[manual.as_str().unwrap()], json!(["AWSCURRENT"]));
        assert!(!stages.contains_key(pending.as_str().unwrap()));
        let events = h.rotation_events().await;
        assert_eq!(
            names(&events),
            ["RotationStarted", "RotationFailed", "RotationAbandoned"]
        );
        // The retry finds nothing to do, and a new rotation may start.
        h.clock.set(h.clock.now() + time::Duration::minutes(2));
        assert_eq!(h.run_jobs().await, 0);
        h.call("RotateSecret", json!({"SecretId": arn}))
            .await
            .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repeated_rotate_secret_is_idempotent() {
    let rotator = Rotator::start().await;
    for h in Harness::all().await {
        with_function(&h, &rotator, None).await;
        let (arn, _) = h.secret("app/idem").await;
        let token = uuid::Uuid::new_v4().to_string();
        let rotate =
            json!({"SecretId": arn, "RotationLambdaARN": FUNCTION, "ClientRequestToken": token});
        h.call("RotateSecret", rotate.clone()).await.unwrap();
        assert_eq!(
            h.call("RotateSecret", rotate.clone()).await.unwrap()["VersionId"],
            token
        );
        assert_eq!(h.run_jobs().await, 1);
        assert_eq!(
            h.call("RotateSecret", rotate).await.unwrap()["VersionId"],
            token
        );
        assert_eq!(h.run_jobs().await, 0);
        assert_eq!(rotator.steps().len(), 4);
        assert_eq!(
            names(&h.rotation_events().await),
            ["RotationStarted", "RotationSucceeded"]
        );
    }
}
