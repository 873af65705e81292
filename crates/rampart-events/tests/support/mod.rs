//! Delivery test harness: an `EventsService` on a temporary SQLite store (or a fresh PostgreSQL
//! schema) with a manual clock, driven through the generated dispatcher; a local HTTP receiver
//! that records requests and answers programmed statuses; outbox items enqueued directly.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use rampart_codec::ServiceError;
use rampart_core::{AccountId, ManualClock, Principal, PrincipalKind, Region, RequestContext};
use rampart_crypto::root::{Domain, RootKey};
use rampart_events::EventsService;
use rampart_events::outbox::{DELIVERY_QUEUE, Delivery};
use rampart_store::{Store, Write};
use serde_json::Value;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use time::OffsetDateTime;

pub const ACCOUNT: &str = "111122223333";
pub const REGION: &str = "us-east-1";

pub struct Harness {
    pub svc: Arc<EventsService>,
    pub store: Store,
    pub clock: Arc<ManualClock>,
    pub dir: tempfile::TempDir,
    pub root: Arc<RootKey>,
}

impl Harness {
    pub async fn sqlite() -> Harness {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_sqlite(&dir.path().join("rampart.db"))
            .await
            .unwrap();
        Harness::over(store, dir)
    }

    pub fn over(store: Store, dir: tempfile::TempDir) -> Harness {
        let clock = Arc::new(ManualClock::new(OffsetDateTime::now_utc()));
        let root = Arc::new(RootKey::generate());
        Harness {
            svc: Arc::new(service(&store, &clock, &root)),
            store,
            clock,
            dir,
            root,
        }
    }

    pub fn now_ms(&self) -> i64 {
        use rampart_core::Clock as _;
        i64::try_from(self.clock.now().unix_timestamp_nanos() / 1_000_000).unwrap()
    }

    pub fn advance_ms(&self, ms: i64) {
        use rampart_core::Clock as _;
        let now = self.clock.now();
        self.clock.set(now + time::Duration::milliseconds(ms));
    }

    pub async fn call(&self, op: &str, body: Value) -> Result<Value, ServiceError> {
        call(&self.svc, op, body).await
    }

    pub async fn ok(&self, op: &str, body: Value) -> Value {
        match self.call(op, body.clone()).await {
            Ok(v) => v,
            Err(e) => panic!("{op} {body} failed: {e:?}"),
        }
    }

    pub async fn err(&self, op: &str, body: Value) -> ServiceError {
        match self.call(op, body.clone()).await {
            Ok(v) => panic!("{op} {body} unexpectedly answered {v}"),
            Err(e) => e,
        }
    }

    /// An API_KEY connection and a destination to `endpoint`; the destination's ARN.
    pub async fn destination(&self, name: &str, endpoint: &str, method: &str) -> String {
        let conn = self
            .ok(
                "CreateConnection",
                serde_json::json!({"Name": format!("{name}-conn"), "AuthorizationType": "API_KEY",
                "AuthParameters": {"ApiKeyAuthParameters": {"ApiKeyName": "x-api-key", "ApiKeyValue": "key-123"}}}),
            )
            .await;
        let out = self
            .ok(
                "CreateApiDestination",
                serde_json::json!({"Name": name, "ConnectionArn": conn["ConnectionArn"],
                "InvocationEndpoint": endpoint, "HttpMethod": method, "InvocationRateLimitPerSecond": 10000}),
            )
            .await;
        out["ApiDestinationArn"].as_str().unwrap().to_owned()
    }

    pub async fn enqueue(&self, deliveries: &[Delivery]) {
        let now = self.now_ms();
        let writes = deliveries
            .iter()
            .map(|d| Write::Enqueue {
                queue: DELIVERY_QUEUE,
                payload: d.encode(),
                visible_at_ms: now,
                dedup_key: None,
            })
            .collect();
        self.store.transact(writes).await.unwrap();
    }

    pub async fn deliver(&self) -> usize {
        self.svc.deliver_due(self.now_ms()).await.unwrap()
    }

    /// Every byte of the SQLite files.
    pub fn bytes_on_disk(&self) -> Vec<u8> {
        let mut all = Vec::new();
        for entry in std::fs::read_dir(self.dir.path()).unwrap() {
            all.extend(std::fs::read(entry.unwrap().path()).unwrap_or_default());
        }
        all
    }
}

/// A service ("node") over `store` with the events domain key of `root`.
pub fn service(store: &Store, clock: &Arc<ManualClock>, root: &RootKey) -> EventsService {
    EventsService::with_key(
        store.clone(),
        clock.clone(),
        root.domain_key(Domain::Events),
    )
}

pub async fn call(svc: &EventsService, op: &str, body: Value) -> Result<Value, ServiceError> {
    let ctx = context();
    let bytes = serde_json::to_vec(&body).unwrap();
    let invocation = rampart_events::generated::dispatch(svc, &ctx, op, &bytes).await;
    invocation.result.map(|out| {
        if out.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&out).unwrap()
        }
    })
}

pub fn context() -> RequestContext {
    let principal = Principal {
        account: AccountId::parse(ACCOUNT).unwrap(),
        arn: format!("arn:aws:iam::{ACCOUNT}:root"),
        principal_id: ACCOUNT.to_owned(),
        access_key_id: "AKIAIOSFODNN7EXAMPLE".to_owned(),
        kind: PrincipalKind::Root,
        session: None,
    };
    RequestContext {
        request_id: uuid::Uuid::new_v4().to_string(),
        region: Region::new(REGION),
        principal: principal.clone(),
        caller: Arc::new(rampart_core::CallerPolicies::for_principal(&principal)),
        secure_transport: true,
        source_ip: "127.0.0.1".to_owned(),
        user_agent: "test".to_owned(),
        received_at: OffsetDateTime::now_utc(),
        resources: Mutex::new(Vec::new()),
    }
}

/// A delivery of `input` to `target_arn`, with AWS's default RetryPolicy.
pub fn delivery(target_arn: &str, event_id: &str, now_ms: i64) -> Delivery {
    Delivery {
        account: ACCOUNT.into(),
        region: REGION.into(),
        rule_arn: format!("arn:aws:events:{REGION}:{ACCOUNT}:rule/r1"),
        target_id: "t1".into(),
        target_arn: target_arn.into(),
        role_arn: None,
        input: format!(r#"{{"id":"{event_id}"}}"#),
        event_id: event_id.into(),
        event_time_ms: now_ms,
        max_retry_attempts: 185,
        max_event_age_s: 86_400,
        dead_letter_arn: None,
        http_parameters: Value::Null,
        failed_sends: 0,
    }
}

/// One request the receiver got.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A local HTTP server: `/token` answers an OAuth token (`tok-<n>`; a 401 once
/// `refuse_tokens` is set), every other path the next programmed status (200 once the program
/// is used up).
#[derive(Clone, Default)]
pub struct Receiver {
    pub seen: Arc<Mutex<Vec<Seen>>>,
    pub statuses: Arc<Mutex<VecDeque<u16>>>,
    pub tokens: Arc<Mutex<u32>>,
    pub refuse_tokens: Arc<std::sync::atomic::AtomicBool>,
    pub url: String,
}

impl Receiver {
    pub async fn start() -> Receiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let receiver = Receiver {
            url: format!("http://{}", listener.local_addr().unwrap()),
            ..Receiver::default()
        };
        let shared = receiver.clone();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let shared = shared.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |req| {
                        let shared = shared.clone();
                        async move { Ok::<_, hyper::Error>(shared.answer(req).await) }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        receiver
    }

    pub fn program(&self, statuses: &[u16]) {
        self.statuses.lock().unwrap().extend(statuses);
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    async fn answer(
        &self,
        req: hyper::Request<hyper::body::Incoming>,
    ) -> hyper::Response<Full<Bytes>> {
        let (parts, body) = req.into_parts();
        let body = body.collect().await.unwrap().to_bytes();
        let seen = Seen {
            method: parts.method.to_string(),
            path: parts.uri.path_and_query().unwrap().to_string(),
            headers: parts
                .headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or_default().to_owned()))
                .collect(),
            body: String::from_utf8_lossy(&body).into_owned(),
        };
        let token = seen.path.starts_with("/token");
        self.seen.lock().unwrap().push(seen);
        if token && self.refuse_tokens.load(std::sync::atomic::Ordering::SeqCst) {
            let mut response = hyper::Response::new(Full::new(Bytes::from_static(b"{}")));
            *response.status_mut() = hyper::StatusCode::UNAUTHORIZED;
            return response;
        }
        if token {
            let n = {
                let mut tokens = self.tokens.lock().unwrap();
                *tokens += 1;
                *tokens
            };
            let body = format!(r#"{{"access_token":"tok-{n}","expires_in":3600}}"#);
            return hyper::Response::new(Full::new(Bytes::from(body)));
        }
        if seen_path_is_huge(&self.seen) {
            return hyper::Response::new(Full::new(Bytes::from(vec![b' '; 2 << 20])));
        }
        let status = self.statuses.lock().unwrap().pop_front().unwrap_or(200);
        let mut response = hyper::Response::new(Full::new(Bytes::from_static(b"{}")));
        *response.status_mut() = hyper::StatusCode::from_u16(status).unwrap();
        response
    }
}

/// Whether the last request asked for `/huge` (answered with a 2 MiB body).
fn seen_path_is_huge(seen: &Mutex<Vec<Seen>>) -> bool {
    seen.lock()
        .unwrap()
        .last()
        .is_some_and(|s| s.path.starts_with("/huge"))
}
