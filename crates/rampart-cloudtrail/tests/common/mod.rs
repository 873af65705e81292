//! Test harness: a `CloudTrailService` over a fresh `TestStore` (SQLite, or PostgreSQL in its
//! own schema when `RAMPART_TEST_POSTGRES_URL` is set) whose audit log the tests fill with records
//! stored exactly as the audit writer does (or did, before the compact form), driven through the generated `dispatch` with JSON bodies.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use rampart_audit::{AuditEvent, RecordKind, StoredEvent, encode_entry};
use rampart_audit::{EventResource, UserIdentity};
use rampart_cloudtrail::CloudTrailService;
use rampart_codec::ServiceError;
use rampart_core::{AccountId, ManualClock, Principal, PrincipalKind, Region, RequestContext};
use rampart_store::Store;
use rampart_store::testkit::TestStore;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use time::OffsetDateTime;

pub const ACCOUNT: &str = "111122223333";
pub const OTHER_ACCOUNT: &str = "444455556666";
pub const REGION: &str = "us-east-1";
pub const LOG: &str = "audit";

pub struct Harness {
    pub service: CloudTrailService,
    pub store: Store,
    pub clock: Arc<ManualClock>,
    backing: TestStore,
}

/// Now, to the second (the precision of `eventTime`).
pub fn now() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    now.replace_nanosecond(0).unwrap()
}

impl Harness {
    pub async fn sqlite() -> Option<Harness> {
        Some(Harness::with(TestStore::sqlite().await.unwrap()))
    }

    /// `None` (the test is skipped) when no PostgreSQL server is configured.
    pub async fn postgres() -> Option<Harness> {
        let store = TestStore::postgres_if_configured("ct").await.unwrap()?;
        Some(Harness::with(store))
    }

    fn with(backing: TestStore) -> Harness {
        let store = backing.store.clone();
        let clock = Arc::new(ManualClock::new(now()));
        let service = CloudTrailService::new(store.clone(), LOG, clock.clone());
        Harness {
            service,
            store,
            clock,
            backing,
        }
    }

    /// Drops the PostgreSQL schema (SQLite's directory goes with the harness).
    pub async fn cleanup(self) {
        drop(self.service);
        drop(self.store);
        self.backing.cleanup().await.unwrap();
    }

    /// Appends one log entry holding `events`, as the audit writer batches them.
    pub async fn append(&self, events: &[AuditEvent]) {
        let stored: Vec<StoredEvent> = events
            .iter()
            .map(|e| StoredEvent::of(e, RecordKind::Final))
            .collect();
        self.store
            .append(LOG, vec![encode_entry(&stored)])
            .await
            .unwrap();
    }

    /// Appends one log entry holding `events` as newline-separated CloudTrail JSON, as the
    /// audit writer stored them before the compact form.
    pub async fn append_legacy(&self, events: &[AuditEvent]) {
        let mut batch = Vec::new();
        for event in events {
            serde_json::to_writer(&mut batch, event).unwrap();
            batch.push(b'\n');
        }
        self.store.append(LOG, vec![batch]).await.unwrap();
    }

    pub async fn lookup_as(
        &self,
        account: &str,
        region: &str,
        body: Value,
    ) -> Result<Value, ServiceError> {
        let ctx = context(account, region);
        let bytes = serde_json::to_vec(&body).unwrap();
        let invocation =
            rampart_cloudtrail::generated::dispatch(&self.service, &ctx, "LookupEvents", &bytes)
                .await;
        assert_eq!(invocation.operation, "LookupEvents");
        assert!(invocation.read_only);
        assert_eq!(
            invocation.response_elements, None,
            "responses stay out of the trail"
        );
        invocation
            .result
            .map(|out| serde_json::from_slice(&out).unwrap())
    }

    pub async fn lookup(&self, body: Value) -> Result<Value, ServiceError> {
        self.lookup_as(ACCOUNT, REGION, body).await
    }

    pub async fn ok(&self, body: Value) -> Value {
        match self.lookup(body.clone()).await {
            Ok(v) => v,
            Err(e) => panic!("LookupEvents {body} failed: {e}"),
        }
    }

    pub async fn err(&self, body: Value) -> ServiceError {
        match self.lookup(body.clone()).await {
            Ok(v) => panic!("LookupEvents {body} unexpectedly answered {v}"),
            Err(e) => e,
        }
    }

    /// Every page of a lookup, following NextToken; the event ids in order.
    pub async fn all_pages(&self, body: Value) -> (Vec<String>, usize) {
        let mut ids = Vec::new();
        let mut pages = 0;
        let mut body = body;
        loop {
            let out = self.ok(body.clone()).await;
            pages += 1;
            ids.extend(event_ids(&out));
            match out.get("NextToken").and_then(Value::as_str) {
                Some(token) => body["NextToken"] = json!(token),
                None => return (ids, pages),
            }
            assert!(pages < 100_000, "pagination does not end");
        }
    }
}

pub fn event_ids(out: &Value) -> Vec<String> {
    out["Events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["EventId"].as_str().unwrap().to_owned())
        .collect()
}

/// A request context of the account root in `account` / `region`.
pub fn context(account: &str, region: &str) -> RequestContext {
    let principal = root(account, "AKIAIOSFODNN7EXAMPLE");
    RequestContext {
        request_id: uuid::Uuid::new_v4().to_string(),
        region: Region::new(region),
        principal: principal.clone(),
        caller: std::sync::Arc::new(rampart_core::CallerPolicies::for_principal(&principal)),
        secure_transport: true,
        source_ip: "127.0.0.1".to_owned(),
        user_agent: "test".to_owned(),
        received_at: OffsetDateTime::now_utc(),
        resources: Mutex::new(Vec::new()),
    }
}

pub fn root(account: &str, access_key: &str) -> Principal {
    Principal {
        account: AccountId::parse(account).unwrap(),
        arn: format!("arn:aws:iam::{account}:root"),
        principal_id: account.to_owned(),
        access_key_id: access_key.to_owned(),
        kind: PrincipalKind::Root,
        session: None,
    }
}

/// A KMS-shaped audit record: `name` at `at`, by the root of ACCOUNT in REGION.
pub fn event(id: &str, name: &str, at: OffsetDateTime) -> AuditEvent {
    AuditEvent {
        event_version: "1.08",
        user_identity: UserIdentity::of(&root(ACCOUNT, "AKIAROOTKEY")),
        event_time: at,
        event_source: "kms.amazonaws.com",
        event_name: name.to_owned(),
        aws_region: REGION.to_owned(),
        source_ip_address: "127.0.0.1".to_owned(),
        user_agent: "test".to_owned(),
        error_code: None,
        error_message: None,
        request_parameters: Some(json!({"keyId": id})),
        response_elements: None,
        request_id: uuid::Uuid::new_v4().to_string(),
        event_id: id.to_owned(),
        read_only: name.starts_with("Describe") || name.starts_with("List"),
        resources: Vec::new(),
        event_type: "AwsApiCall",
        management_event: true,
        recipient_account_id: ACCOUNT.to_owned(),
        shared_event_id: None,
        event_category: "Management",
        after_intent: false,
    }
}

/// `event` touching the KMS key `arn`.
pub fn key_event(id: &str, name: &str, at: OffsetDateTime, arn: &str) -> AuditEvent {
    let mut e = event(id, name, at);
    e.resources = vec![EventResource {
        account_id: ACCOUNT.to_owned(),
        resource_type: "AWS::KMS::Key",
        arn: arn.to_owned(),
    }];
    e
}

/// Runs a test body on SQLite and (if configured) PostgreSQL.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident => $body:path;)*) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let h = $crate::common::Harness::sqlite().await.unwrap();
                    $body(&h).await;
                    h.cleanup().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(h) = $crate::common::Harness::postgres().await else { return };
                    $body(&h).await;
                    h.cleanup().await;
                }
            )*
        }
    };
}
