//! Connections de-authorized by their endpoint, as AWS documents: an API_KEY or BASIC
//! connection answered 401 or 407 becomes DEAUTHORIZED at once (durably, with a StateReason
//! that carries no secret; its deliveries then dead-letter); an OAuth connection answered 401
//! or 407 refreshes its token first and is de-authorized only when that refresh is refused.
//! The API_KEY/BASIC scenario also runs on PostgreSQL when `RAMPART_TEST_POSTGRES_URL` is set.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use rampart_events::delivery::dead_letter;
use rampart_store::testkit::TestStore;
use serde_json::{Value, json};
use std::sync::atomic::Ordering;
use support::{Harness, Receiver, delivery};

/// A destination at `rx`'s `/hook` through a new connection of `auth` parameters.
async fn destination(h: &Harness, rx: &Receiver, name: &str, connection: Value) -> String {
    let conn = h.ok("CreateConnection", connection).await;
    let dest = h
        .ok(
            "CreateApiDestination",
            json!({"Name": name, "ConnectionArn": conn["ConnectionArn"],
                "InvocationEndpoint": format!("{}/hook", rx.url), "HttpMethod": "POST"}),
        )
        .await;
    dest["ApiDestinationArn"].as_str().unwrap().to_owned()
}

/// The connection `name` as Describe shows it, asserting it is DEAUTHORIZED with a reason that
/// names `status` and does not contain `secret`.
async fn assert_deauthorized(h: &Harness, name: &str, status: &str, secret: &str) {
    let described = h.ok("DescribeConnection", json!({"Name": name})).await;
    assert_eq!(described["ConnectionState"], "DEAUTHORIZED", "{described}");
    let reason = described["StateReason"].as_str().unwrap();
    assert!(
        reason.contains(status) && !reason.contains(secret),
        "{reason}"
    );
}

async fn api_key_and_basic_are_deauthorized_by_401_and_407(h: &Harness) {
    let rx = Receiver::start().await;
    let key = destination(h, &rx, "dk", json!({"Name": "k", "AuthorizationType": "API_KEY",
        "AuthParameters": {"ApiKeyAuthParameters": {"ApiKeyName": "x-api-key", "ApiKeyValue": "key-s3cret"}}}))
    .await;
    let basic = destination(
        h,
        &rx,
        "db",
        json!({"Name": "b", "AuthorizationType": "BASIC",
        "AuthParameters": {"BasicAuthParameters": {"Username": "u", "Password": "pw-s3cret"}}}),
    )
    .await;
    rx.program(&[401]);
    h.enqueue(&[delivery(&key, "e1", h.now_ms())]).await;
    assert_eq!(h.deliver().await, 1, "dead-lettered at once, not retried");
    assert_deauthorized(h, "k", "HTTP 401", "key-s3cret").await;
    let basic_state = h.ok("DescribeConnection", json!({"Name": "b"})).await;
    assert_eq!(basic_state["ConnectionState"], "AUTHORIZED", "only k's");
    rx.program(&[407]);
    h.enqueue(&[delivery(&basic, "e2", h.now_ms())]).await;
    assert_eq!(h.deliver().await, 1);
    assert_deauthorized(h, "b", "HTTP 407", "pw-s3cret").await;
    let listed = h
        .ok(
            "ListConnections",
            json!({"ConnectionState": "DEAUTHORIZED"}),
        )
        .await;
    assert_eq!(listed["Connections"].as_array().unwrap().len(), 2);
    let dead = dead_letter::list(&h.store, None, None).await.unwrap();
    assert_eq!(dead.len(), 2);
    assert!(dead.iter().all(|d| d.attempts == 1), "{dead:?}");
    assert!(dead[0].reason.contains("is now DEAUTHORIZED"), "{dead:?}");
    // Later deliveries dead-letter without calling the endpoint.
    let calls = rx.seen().len();
    h.advance_ms(1_500);
    h.enqueue(&[delivery(&key, "e3", h.now_ms())]).await;
    assert_eq!(h.deliver().await, 1);
    assert_eq!(rx.seen().len(), calls);
}

#[tokio::test]
async fn api_key_and_basic_connections_are_deauthorized_on_sqlite() {
    let h = Harness::sqlite().await;
    api_key_and_basic_are_deauthorized_by_401_and_407(&h).await;
}

#[tokio::test]
async fn api_key_and_basic_connections_are_deauthorized_on_postgres() {
    let Some(backing) = TestStore::postgres_if_configured("events").await.unwrap() else {
        return;
    };
    let h = Harness::over(backing.store.clone(), tempfile::tempdir().unwrap());
    api_key_and_basic_are_deauthorized_by_401_and_407(&h).await;
    drop(h);
    backing.cleanup().await.unwrap();
}

#[tokio::test]
async fn other_answers_leave_the_connection_authorized() {
    let h = Harness::sqlite().await;
    let rx = Receiver::start().await;
    let dest = h
        .destination("d", &format!("{}/hook", rx.url), "POST")
        .await;
    rx.program(&[403, 500]);
    h.enqueue(&[delivery(&dest, "e1", h.now_ms())]).await;
    assert_eq!(h.deliver().await, 1, "403 dead-letters at once");
    h.enqueue(&[delivery(&dest, "e2", h.now_ms())]).await;
    assert_eq!(h.deliver().await, 0, "500 is retried");
    let described = h.ok("DescribeConnection", json!({"Name": "d-conn"})).await;
    assert_eq!(described["ConnectionState"], "AUTHORIZED");
    assert!(described.get("StateReason").is_none());
}

#[tokio::test]
async fn an_oauth_401_refreshes_the_token_and_deauthorizes_only_when_refused() {
    let h = Harness::sqlite().await;
    let rx = Receiver::start().await;
    let dest = destination(
        &h,
        &rx,
        "d",
        json!({"Name": "o", "AuthorizationType": "OAUTH_CLIENT_CREDENTIALS",
        "AuthParameters": {"OAuthParameters": {
            "AuthorizationEndpoint": format!("{}/token", rx.url), "HttpMethod": "POST",
            "ClientParameters": {"ClientID": "cid", "ClientSecret": "csecret"}}}}),
    )
    .await;
    let tokens = |rx: &Receiver| {
        rx.seen()
            .iter()
            .filter(|s| s.path.starts_with("/token"))
            .count()
    };
    rx.program(&[401]);
    h.enqueue(&[delivery(&dest, "e1", h.now_ms())]).await;
    assert_eq!(h.deliver().await, 0, "retried");
    assert_eq!(tokens(&rx), 2, "the token was refreshed at the 401");
    let described = h.ok("DescribeConnection", json!({"Name": "o"})).await;
    assert_eq!(described["ConnectionState"], "AUTHORIZED");
    h.advance_ms(1_000);
    assert_eq!(h.deliver().await, 1);
    let last = rx.seen().last().cloned().unwrap();
    assert_eq!(last.header("authorization"), Some("Bearer tok-2"));
    assert_eq!(tokens(&rx), 2, "the refreshed token served the retry");
    // The endpoint answers 407 and the token endpoint now refuses: de-authorized.
    rx.refuse_tokens.store(true, Ordering::SeqCst);
    rx.program(&[407]);
    h.enqueue(&[delivery(&dest, "e2", h.now_ms())]).await;
    assert_eq!(h.deliver().await, 1, "dead-lettered at once");
    assert_deauthorized(&h, "o", "token endpoint answered 401", "csecret").await;
    let dead = dead_letter::list(&h.store, None, None).await.unwrap();
    assert_eq!(dead.len(), 1);
    assert!(dead[0].reason.contains("HTTP 407"), "{}", dead[0].reason);
}
