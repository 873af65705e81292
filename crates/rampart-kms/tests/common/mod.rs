//! Test harness: a `KmsService` on a temporary SQLite store with a random root key and a manual
//! clock, driven through the generated `dispatch` with botocore-shaped JSON bodies.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod callers;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rampart_codec::ServiceError;
use rampart_core::{AccountId, ManualClock, Principal, PrincipalKind, Region, RequestContext};
use rampart_crypto::root::{Domain, RootKey};
use rampart_kms::KmsService;
use rampart_store::Store;
use serde_json::Value;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use time::OffsetDateTime;

pub const ACCOUNT: &str = "111122223333";
pub const REGION: &str = "us-east-1";

pub struct Harness {
    pub kms: KmsService,
    pub store: Store,
    pub clock: Arc<ManualClock>,
    pub dir: PathBuf,
    pub db: PathBuf,
    root: RootKey,
}

impl Harness {
    pub async fn new() -> Self {
        let dir = std::env::temp_dir().join(format!("rampart-kms-test-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let db = dir.join("rampart.db");
        let store = Store::open_sqlite(&db).await.unwrap();
        let root = RootKey::generate();
        let clock = Arc::new(ManualClock::new(OffsetDateTime::now_utc()));
        let kms = KmsService::new(store.clone(), root.domain_key(Domain::Kms), clock.clone());
        Self {
            kms,
            store,
            clock,
            dir,
            db,
            root,
        }
    }

    /// A second service ("node") sharing the same store and root key.
    pub fn second_node(&self) -> KmsService {
        KmsService::new(
            self.store.clone(),
            self.root.domain_key(Domain::Kms),
            self.clock.clone(),
        )
    }

    pub async fn call(&self, op: &str, body: Value) -> Result<Value, ServiceError> {
        call_on(&self.kms, ACCOUNT, REGION, op, body).await
    }

    pub async fn ok(&self, op: &str, body: Value) -> Value {
        match self.call(op, body.clone()).await {
            Ok(v) => v,
            Err(e) => panic!("{op} {body} failed: {e}"),
        }
    }

    pub async fn err(&self, op: &str, body: Value) -> ServiceError {
        match self.call(op, body.clone()).await {
            Ok(v) => panic!("{op} {body} unexpectedly answered {v}"),
            Err(e) => e,
        }
    }

    /// CreateKey with an optional description; returns (key id, key ARN).
    pub async fn create_key(&self) -> (String, String) {
        let out = self
            .ok("CreateKey", serde_json::json!({"Description": "test key"}))
            .await;
        let meta = &out["KeyMetadata"];
        (
            meta["KeyId"].as_str().unwrap().to_owned(),
            meta["Arn"].as_str().unwrap().to_owned(),
        )
    }

    pub fn advance(&self, seconds: i64) {
        self.clock
            .set(self.clock_now() + time::Duration::seconds(seconds));
    }

    pub fn clock_now(&self) -> OffsetDateTime {
        use rampart_core::Clock;
        self.clock.now()
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub fn context(account: &str, region: &str) -> RequestContext {
    let principal = Principal {
        account: AccountId::parse(account).unwrap(),
        arn: format!("arn:aws:iam::{account}:root"),
        principal_id: account.to_owned(),
        access_key_id: "AKIAIOSFODNN7EXAMPLE".to_owned(),
        kind: PrincipalKind::Root,
        session: None,
    };
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

pub async fn call_on(
    kms: &KmsService,
    account: &str,
    region: &str,
    op: &str,
    body: Value,
) -> Result<Value, ServiceError> {
    let ctx = context(account, region);
    call_with(kms, &ctx, op, body).await
}

/// Runs the KMS request `body` (the JSON of request type `R`) as another service
/// (`service`) calling on behalf of `ctx`'s caller, through [`KmsService::via_service`]; the
/// response as JSON, or the error as KMS answers it.
pub async fn via_with<R>(
    kms: &KmsService,
    ctx: &RequestContext,
    service: &str,
    body: Value,
) -> Result<Value, ServiceError>
where
    R: rampart_kms::ViaServiceCall + serde::de::DeserializeOwned,
    R::Output: serde::Serialize,
{
    let request: R = serde_json::from_value(body).unwrap();
    match kms.via_service(service, ctx, request).await {
        Ok(output) => Ok(serde_json::to_value(output).unwrap()),
        Err(err) => Err(err.into()),
    }
}

pub async fn call_with(
    kms: &KmsService,
    ctx: &RequestContext,
    op: &str,
    body: Value,
) -> Result<Value, ServiceError> {
    let bytes = serde_json::to_vec(&body).unwrap();
    let invocation = rampart_kms::generated::dispatch(kms, ctx, op, &bytes).await;
    invocation.result.map(|out| {
        if out.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&out).unwrap()
        }
    })
}

pub fn b64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

pub fn unb64(value: &Value) -> Vec<u8> {
    STANDARD.decode(value.as_str().unwrap()).unwrap()
}

pub fn assert_error(e: &ServiceError, code: &str, message: &str) {
    assert_eq!((e.code.as_ref(), e.message.as_str()), (code, message));
}
