//! The edge end to end over a real listener and store: a filter sees the routed request with
//! its body prefix and can answer it; allowed requests reach the (MOCK) integration.

#![allow(clippy::unwrap_used)]

use super::*;
use crate::ops::stages::new_stage;
use crate::record::{
    APIS, ApiRecord, DEPLOYMENTS, DeploymentRecord, IntegrationRecord, IntegrationResponseRecord,
    MethodRecord, ResourceRecord, STAGES, api_row, child_row,
};
use rampart_store::testkit::TestStore;
use rampart_store::{Expect, Table};
use std::collections::BTreeMap;
use std::sync::Mutex;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Blocks bodies containing `evil`; remembers what it saw.
struct Blocker(Mutex<Vec<(String, Vec<u8>, String)>>);

impl RequestFilter for Blocker {
    fn body_prefix_len(&self) -> usize {
        4
    }

    fn check(&self, request: &FilterRequest<'_>) -> Verdict {
        let seen = (
            request.path.to_owned(),
            request.body_prefix.to_vec(),
            request.stage_arn.to_owned(),
        );
        self.0.lock().unwrap().push(seen);
        if request.body_prefix.starts_with(b"evil") {
            let answer = http::Response::builder()
                .status(403)
                .body(bytes::Bytes::from("blocked"))
                .unwrap();
            return Verdict::Respond(answer);
        }
        Verdict::Allow(Vec::new())
    }
}

fn root_with_mock() -> ResourceRecord {
    let integration = IntegrationRecord {
        kind: "MOCK".into(),
        http_method: None,
        uri: None,
        connection_type: "INTERNET".into(),
        request_parameters: BTreeMap::new(),
        request_templates: BTreeMap::new(),
        passthrough_behavior: None,
        timeout_ms: 29_000,
        cache_namespace: "root".into(),
        cache_key_parameters: vec![],
        responses: [(
            "200".to_owned(),
            IntegrationResponseRecord {
                status_code: "200".into(),
                selection_pattern: None,
                response_parameters: BTreeMap::new(),
                response_templates: [("application/json".to_owned(), "ok".to_owned())]
                    .into_iter()
                    .collect(),
            },
        )]
        .into_iter()
        .collect(),
    };
    let method = MethodRecord {
        http_method: "ANY".into(),
        authorization_type: "NONE".into(),
        authorizer_id: None,
        api_key_required: false,
        operation_name: None,
        request_validator_id: None,
        request_parameters: BTreeMap::new(),
        request_models: BTreeMap::new(),
        responses: BTreeMap::new(),
        integration: Some(integration),
    };
    ResourceRecord {
        id: "root".into(),
        parent_id: None,
        path_part: None,
        path: "/".into(),
        methods: [("ANY".to_owned(), method)].into_iter().collect(),
    }
}

async fn deploy(store: &rampart_store::Store) {
    let row = api_row("000000000000", "us-east-1", "abcdefghij");
    let api = ApiRecord {
        id: "abcdefghij".into(),
        name: "t".into(),
        description: None,
        version: None,
        created_ms: 0,
        endpoint_types: vec!["REGIONAL".into()],
        vpc_endpoint_ids: vec![],
        policy: None,
        api_key_source: "HEADER".into(),
        binary_media_types: vec![],
        minimum_compression_size: None,
        disable_execute_api_endpoint: false,
        tags: BTreeMap::new(),
        root_id: "root".into(),
        resources: BTreeMap::new(),
    };
    let deployment = DeploymentRecord {
        id: "dep001".into(),
        description: None,
        created_ms: 0,
        resources: vec![root_with_mock()],
    };
    let writes = vec![
        Table::new(store.clone(), APIS)
            .put(&row, &api, Expect::Absent)
            .unwrap(),
        Table::new(store.clone(), DEPLOYMENTS)
            .put(&child_row(&row, "dep001"), &deployment, Expect::Absent)
            .unwrap(),
        Table::new(store.clone(), STAGES)
            .put(
                &child_row(&row, "prod"),
                &new_stage("prod", "dep001", 0),
                Expect::Absent,
            )
            .unwrap(),
    ];
    store.transact(writes).await.unwrap();
}

async fn post(addr: std::net::SocketAddr, body: &str) -> String {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!(
        "POST /restapis/abcdefghij/prod/_user_request_/ HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    answer
}

#[tokio::test]
async fn the_filter_sees_routed_requests_and_may_answer_them() {
    let test = TestStore::sqlite().await.unwrap();
    deploy(&test.store).await;
    let live = Arc::new(Live::new(test.store.clone()));
    live.refresh().await.unwrap();
    let blocker = Arc::new(Blocker(Mutex::new(Vec::new())));
    let filter: Arc<dyn RequestFilter> = blocker.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let key = rampart_crypto::root::RootKey::generate()
        .domain_key(rampart_crypto::root::Domain::ApiGateway);
    let clock: Arc<dyn rampart_core::Clock> = Arc::new(rampart_core::SystemClock);
    let metering = Arc::new(Metering::new(test.store.clone(), key, clock));
    let server = tokio::spawn(serve(listener, edge(live, Some(filter), metering), None));

    let blocked = post(addr, "evil payload").await;
    assert!(blocked.starts_with("HTTP/1.1 403"), "{blocked}");
    assert!(blocked.ends_with("blocked"), "{blocked}");
    let allowed = post(addr, "fine payload").await;
    assert!(allowed.starts_with("HTTP/1.1 200"), "{allowed}");
    assert!(allowed.ends_with("ok"), "{allowed}");
    let seen = blocker.0.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].0, "/restapis/abcdefghij/prod/_user_request_/");
    assert_eq!(seen[1].1, b"fine");
    assert_eq!(
        seen[1].2,
        "arn:aws:apigateway:us-east-1::/restapis/abcdefghij/stages/prod"
    );
    server.abort();
}
