//! The test harness of Parameter Store's crate tests: the service over each store backend
//! (SQLite, and PostgreSQL in its own schema when `RAMPART_TEST_POSTGRES_URL` is set) on a
//! manual clock, driven through the generated `dispatch` with botocore-shaped JSON.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use rampart_codec::ServiceError;
use rampart_core::RequestContext;
use rampart_core::{AccountId, ManualClock, Principal, PrincipalKind, Region};
use rampart_crypto::root::{Domain, RootKey};
use rampart_kms::KmsService;
use rampart_secretsmanager::SecretsManagerService;
use rampart_ssm::SsmService;
use rampart_store::Store;
use rampart_store::testkit::TestStore;
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;
use time::OffsetDateTime;

pub const ACCOUNT: &str = "111122223333";

pub struct Harness {
    pub ssm: SsmService,
    pub secrets: Arc<SecretsManagerService>,
    pub store: Store,
    pub clock: Arc<ManualClock>,
    pub backing: TestStore,
}

impl Harness {
    pub fn over(backing: TestStore) -> Self {
        let store = backing.store.clone();
        let clock = Arc::new(ManualClock::new(OffsetDateTime::now_utc()));
        let kms = Arc::new(KmsService::new(
            store.clone(),
            RootKey::generate().domain_key(Domain::Kms),
            clock.clone(),
        ));
        let secrets = Arc::new(SecretsManagerService::new(
            store.clone(),
            kms.clone(),
            clock.clone(),
        ));
        Harness {
            ssm: SsmService::new(store.clone(), kms, clock.clone()).with_secrets(secrets.clone()),
            secrets,
            store,
            clock,
            backing,
        }
    }

    /// Every configured backend.
    pub async fn all() -> Vec<Harness> {
        let stores = TestStore::all("ssm").await.unwrap();
        stores.into_iter().map(Harness::over).collect()
    }

    pub async fn cleanup(self) {
        self.backing.cleanup().await.unwrap();
    }

    pub async fn call(&self, op: &str, body: Value) -> Result<Value, ServiceError> {
        let bytes = serde_json::to_vec(&body).unwrap();
        let invocation = rampart_ssm::generated::dispatch(&self.ssm, &root(), op, &bytes).await;
        invocation
            .result
            .map(|out| serde_json::from_slice(&out).unwrap_or(Value::Null))
    }

    /// Secrets Manager operation `op`, by the same caller.
    pub async fn secrets_call(&self, op: &str, body: Value) -> Value {
        let bytes = serde_json::to_vec(&body).unwrap();
        let sm = &*self.secrets;
        let invocation = rampart_secretsmanager::generated::dispatch(sm, &root(), op, &bytes).await;
        serde_json::from_slice(&invocation.result.unwrap()).unwrap()
    }

    /// The events waiting on the events module's ingest queue (claimed, so read once).
    pub async fn events(&self) -> Vec<Value> {
        let items = self
            .store
            .claim(
                "events_ingest",
                "test",
                Duration::from_secs(60),
                100,
                5,
                i64::MAX / 2,
            )
            .await
            .unwrap();
        items
            .iter()
            .map(|i| serde_json::from_slice(&i.payload).unwrap())
            .collect()
    }
}

/// The root user of the test account, in us-east-1.
pub fn root() -> RequestContext {
    let principal = Principal {
        account: AccountId::parse(ACCOUNT).unwrap(),
        arn: format!("arn:aws:iam::{ACCOUNT}:root"),
        principal_id: ACCOUNT.into(),
        access_key_id: "AKIAIOSFODNN7EXAMPLE".into(),
        kind: PrincipalKind::Root,
        session: None,
    };
    RequestContext::new(principal, Region::new("us-east-1"))
}
