//! The delivery worker against a local HTTP receiver: what an API destination call carries,
//! retries with backoff, dead letters (attempts, age, non-retryable answers, unreachable
//! targets), and redelivery after a restart.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use rampart_events::delivery::dead_letter;
use serde_json::json;
use support::{ACCOUNT, Harness, REGION, Receiver, delivery};

#[tokio::test]
async fn an_api_destination_call_carries_method_path_parameters_auth_and_body() {
    let h = Harness::sqlite().await;
    let rx = Receiver::start().await;
    let conn = h
        .ok(
            "CreateConnection",
            json!({"Name": "c", "AuthorizationType": "API_KEY",
                "AuthParameters": {"ApiKeyAuthParameters": {"ApiKeyName": "x-api-key", "ApiKeyValue": "k-1"},
                "InvocationHttpParameters": {
                    "HeaderParameters": [{"Key": "x-conn", "Value": "conn", "IsValueSecret": true},
                                         {"Key": "x-both", "Value": "from-connection"}],
                    "QueryStringParameters": [{"Key": "cq", "Value": "1 2"}]}}}),
        )
        .await;
    let dest = h
        .ok(
            "CreateApiDestination",
            json!({"Name": "d", "ConnectionArn": conn["ConnectionArn"],
                "InvocationEndpoint": format!("{}/orders/*/items/*", rx.url), "HttpMethod": "PUT"}),
        )
        .await;
    let mut d = delivery(
        dest["ApiDestinationArn"].as_str().unwrap(),
        "e1",
        h.now_ms(),
    );
    d.http_parameters = json!({"PathParameterValues": ["o1", "i2"],
        "HeaderParameters": {"x-target": "t", "x-both": "from-target"},
        "QueryStringParameters": {"tq": "v"}});
    h.enqueue(&[d]).await;
    assert_eq!(h.deliver().await, 1);
    let seen = rx.seen();
    assert_eq!(seen.len(), 1);
    let call = &seen[0];
    assert_eq!(call.method, "PUT");
    assert_eq!(call.path, "/orders/o1/items/i2?tq=v&cq=1%202");
    assert_eq!(call.header("x-api-key"), Some("k-1"));
    assert_eq!(call.header("x-conn"), Some("conn"));
    assert_eq!(call.header("x-target"), Some("t"));
    assert_eq!(call.header("x-both"), Some("from-connection"));
    assert!(
        call.header("content-type")
            .unwrap()
            .starts_with("application/json")
    );
    assert_eq!(call.body, r#"{"id":"e1"}"#);
    assert_eq!(h.deliver().await, 0, "acked items are not delivered again");
}

#[tokio::test]
async fn retryable_answers_are_retried_after_a_backoff() {
    let h = Harness::sqlite().await;
    let rx = Receiver::start().await;
    let dest = h
        .destination("d", &format!("{}/hook", rx.url), "POST")
        .await;
    rx.program(&[503, 429]);
    h.enqueue(&[delivery(&dest, "e1", h.now_ms())]).await;
    assert_eq!(h.deliver().await, 0);
    assert_eq!(h.deliver().await, 0, "not due again before its backoff");
    assert_eq!(rx.seen().len(), 1);
    h.advance_ms(1_000);
    assert_eq!(h.deliver().await, 0, "second attempt: 429");
    h.advance_ms(2_000);
    assert_eq!(h.deliver().await, 1, "third attempt: 200");
    assert_eq!(rx.seen().len(), 3);
    assert!(
        dead_letter::list(&h.store, None, None)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn exhausted_retry_attempts_dead_letter_with_rule_target_event_and_reason() {
    let h = Harness::sqlite().await;
    let rx = Receiver::start().await;
    let dest = h
        .destination("d", &format!("{}/hook", rx.url), "POST")
        .await;
    rx.program(&[500, 502, 504]);
    let mut d = delivery(&dest, "e-dead", h.now_ms());
    d.max_retry_attempts = 1;
    h.enqueue(&[d]).await;
    assert_eq!(h.deliver().await, 0);
    h.advance_ms(1_000);
    assert_eq!(h.deliver().await, 1);
    h.advance_ms(600_000);
    assert_eq!(h.deliver().await, 0);
    assert_eq!(rx.seen().len(), 2);
    let dead = dead_letter::list(&h.store, Some(ACCOUNT), Some(REGION))
        .await
        .unwrap();
    assert_eq!(dead.len(), 1);
    let record = &dead[0];
    assert_eq!(record.event_id, "e-dead");
    assert_eq!(record.target_id, "t1");
    assert_eq!(record.target_arn, dest);
    assert!(record.rule_arn.ends_with(":rule/r1"));
    assert_eq!(record.attempts, 2);
    assert!(record.reason.contains("HTTP 502"), "{}", record.reason);
    assert!(
        record.reason.contains("MaximumRetryAttempts 1"),
        "{}",
        record.reason
    );
    assert!(
        dead_letter::list(&h.store, Some("999999999999"), None)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn other_client_errors_dead_letter_at_once_and_409_is_retried() {
    let h = Harness::sqlite().await;
    let rx = Receiver::start().await;
    let dest = h
        .destination("d", &format!("{}/hook", rx.url), "POST")
        .await;
    rx.program(&[400, 409]);
    h.enqueue(&[delivery(&dest, "e400", h.now_ms())]).await;
    assert_eq!(h.deliver().await, 1);
    h.enqueue(&[delivery(&dest, "e409", h.now_ms())]).await;
    assert_eq!(h.deliver().await, 0, "409 is retried");
    let dead = dead_letter::list(&h.store, None, None).await.unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!((dead[0].event_id.as_str(), dead[0].attempts), ("e400", 1));
    assert!(dead[0].reason.contains("HTTP 400"));
}

#[tokio::test]
async fn events_past_their_maximum_age_dead_letter() {
    let h = Harness::sqlite().await;
    let rx = Receiver::start().await;
    let dest = h
        .destination("d", &format!("{}/hook", rx.url), "POST")
        .await;
    rx.program(&[500]);
    let mut d = delivery(&dest, "old", h.now_ms() - 59_900);
    d.max_event_age_s = 60;
    h.enqueue(&[d]).await;
    assert_eq!(h.deliver().await, 1);
    let dead = dead_letter::list(&h.store, None, None).await.unwrap();
    assert!(
        dead[0].reason.contains("MaximumEventAgeInSeconds 60"),
        "{}",
        dead[0].reason
    );
}

#[tokio::test]
async fn unreachable_targets_and_missing_destinations_dead_letter() {
    let h = Harness::sqlite().await;
    let sqs = format!("arn:aws:sqs:{REGION}:{ACCOUNT}:queue");
    let gone = format!("arn:aws:events:{REGION}:{ACCOUNT}:api-destination/gone/0000");
    h.enqueue(&[
        delivery(&sqs, "e-sqs", h.now_ms()),
        delivery(&gone, "e-gone", h.now_ms()),
    ])
    .await;
    assert_eq!(h.deliver().await, 2);
    let dead = dead_letter::list(&h.store, None, None).await.unwrap();
    let reason = |id: &str| {
        dead.iter()
            .find(|d| d.event_id == id)
            .unwrap()
            .reason
            .clone()
    };
    assert!(reason("e-sqs").contains("is not reachable from Rampart"));
    assert!(reason("e-gone").contains("does not exist"));
}

#[tokio::test]
async fn a_deauthorized_connection_dead_letters_its_deliveries() {
    let h = Harness::sqlite().await;
    let rx = Receiver::start().await;
    let dest = h
        .destination("d", &format!("{}/hook", rx.url), "POST")
        .await;
    h.ok("DeauthorizeConnection", json!({"Name": "d-conn"}))
        .await;
    h.advance_ms(1_500);
    h.enqueue(&[delivery(&dest, "e1", h.now_ms())]).await;
    assert_eq!(h.deliver().await, 1);
    assert!(rx.seen().is_empty());
    let dead = dead_letter::list(&h.store, None, None).await.unwrap();
    assert!(
        dead[0].reason.contains("DEAUTHORIZED"),
        "{}",
        dead[0].reason
    );
}

#[tokio::test]
async fn oauth_tokens_are_fetched_once_cached_and_refreshed_on_401() {
    let h = Harness::sqlite().await;
    let rx = Receiver::start().await;
    let conn = h
        .ok(
            "CreateConnection",
            json!({"Name": "o", "AuthorizationType": "OAUTH_CLIENT_CREDENTIALS",
                "AuthParameters": {"OAuthParameters": {
                    "AuthorizationEndpoint": format!("{}/token", rx.url), "HttpMethod": "POST",
                    "ClientParameters": {"ClientID": "cid", "ClientSecret": "csecret"},
                    "OAuthHttpParameters": {"BodyParameters": [{"Key": "scope", "Value": "events"}]}}}}),
        )
        .await;
    assert_eq!(conn["ConnectionState"], "AUTHORIZING");
    let dest = h
        .ok(
            "CreateApiDestination",
            json!({"Name": "d", "ConnectionArn": conn["ConnectionArn"],
                "InvocationEndpoint": format!("{}/hook", rx.url), "HttpMethod": "POST"}),
        )
        .await;
    let arn = dest["ApiDestinationArn"].as_str().unwrap();
    let described = h.ok("DescribeConnection", json!({"Name": "o"})).await;
    assert_eq!(
        described["ConnectionState"], "AUTHORIZING",
        "no token asked yet"
    );
    assert!(described.get("LastAuthorizedTime").is_none());
    h.enqueue(&[delivery(arn, "e1", h.now_ms())]).await;
    assert_eq!(h.deliver().await, 1);
    let described = h.ok("DescribeConnection", json!({"Name": "o"})).await;
    assert_eq!(
        described["ConnectionState"], "AUTHORIZED",
        "a token was granted"
    );
    assert!(described.get("LastAuthorizedTime").is_some());
    h.enqueue(&[delivery(arn, "e2", h.now_ms())]).await;
    assert_eq!(h.deliver().await, 1);
    let seen = rx.seen();
    let token_calls: Vec<_> = seen
        .iter()
        .filter(|s| s.path.starts_with("/token"))
        .collect();
    assert_eq!(token_calls.len(), 1, "the token is cached");
    assert_eq!(
        token_calls[0].header("authorization"),
        Some("Basic Y2lkOmNzZWNyZXQ=")
    );
    assert!(
        token_calls[0]
            .body
            .contains("grant_type=client_credentials")
    );
    assert!(token_calls[0].body.contains("scope=events"));
    let hooks: Vec<_> = seen.iter().filter(|s| s.path == "/hook").collect();
    assert!(
        hooks
            .iter()
            .all(|s| s.header("authorization") == Some("Bearer tok-1"))
    );
    rx.program(&[401]);
    h.enqueue(&[delivery(arn, "e3", h.now_ms())]).await;
    assert_eq!(h.deliver().await, 0);
    h.advance_ms(1_000);
    assert_eq!(h.deliver().await, 1);
    let last = rx.seen().last().cloned().unwrap();
    assert_eq!(last.header("authorization"), Some("Bearer tok-2"));
}

#[tokio::test]
async fn unacked_claims_are_redelivered_after_a_restart() {
    let h = Harness::sqlite().await;
    let rx = Receiver::start().await;
    let dest = h
        .destination("d", &format!("{}/hook", rx.url), "POST")
        .await;
    let ids: Vec<String> = (0..5).map(|i| format!("e{i}")).collect();
    let items: Vec<_> = ids
        .iter()
        .map(|id| delivery(&dest, id, h.now_ms()))
        .collect();
    h.enqueue(&items).await;
    // A worker claims three items and dies before sending or acking them.
    let claimed = h
        .store
        .claim(
            rampart_events::outbox::DELIVERY_QUEUE,
            "crashed",
            std::time::Duration::from_secs(60),
            3,
            200,
            h.now_ms(),
        )
        .await
        .unwrap();
    assert_eq!(claimed.len(), 3);
    let path = h.dir.path().join("rampart.db");
    let clock = h.clock.clone();
    drop(h.svc);
    drop(h.store);
    let store = rampart_store::Store::open_sqlite(&path).await.unwrap();
    let restarted = Harness {
        svc: std::sync::Arc::new(support::service(&store, &clock, &h.root)),
        store,
        clock,
        dir: h.dir,
        root: h.root,
    };
    assert_eq!(restarted.deliver().await, 2, "the unclaimed items at once");
    restarted.advance_ms(61_000);
    assert_eq!(
        restarted.deliver().await,
        3,
        "the crashed worker's items after its lease"
    );
    let mut got: Vec<String> = rx
        .seen()
        .iter()
        .map(|s| {
            serde_json::from_str::<serde_json::Value>(&s.body).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    got.sort();
    assert_eq!(got, ids);
}

#[tokio::test]
async fn an_oversized_answer_fails_the_attempt_and_is_retried() {
    let h = Harness::sqlite().await;
    let rx = Receiver::start().await;
    let dest = h
        .destination("d", &format!("{}/huge", rx.url), "POST")
        .await;
    h.enqueue(&[delivery(&dest, "e1", h.now_ms())]).await;
    assert_eq!(h.deliver().await, 0);
    assert_eq!(rx.seen().len(), 1);
    assert!(
        dead_letter::list(&h.store, None, None)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn invocation_rate_limits_hold_back_calls_without_dead_letters() {
    let h = Harness::sqlite().await;
    let rx = Receiver::start().await;
    let dest = h
        .destination("d", &format!("{}/hook", rx.url), "POST")
        .await;
    h.ok(
        "UpdateApiDestination",
        json!({"Name": "d", "InvocationRateLimitPerSecond": 1}),
    )
    .await;
    let items: Vec<_> = (0..5)
        .map(|i| delivery(&dest, &format!("e{i}"), h.now_ms()))
        .collect();
    h.enqueue(&items).await;
    let started = std::time::Instant::now();
    assert_eq!(
        h.deliver().await,
        3,
        "a second's burst, then one call a second up to 1 s away"
    );
    assert!(started.elapsed() >= std::time::Duration::from_millis(900));
    assert_eq!(rx.seen().len(), 3);
    assert!(
        dead_letter::list(&h.store, None, None)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(h.deliver().await, 0, "the others wait for their slots");
}

#[tokio::test]
async fn dead_letters_can_be_redriven() {
    let h = Harness::sqlite().await;
    let rx = Receiver::start().await;
    let dest = h
        .destination("d", &format!("{}/hook", rx.url), "POST")
        .await;
    rx.program(&[400]);
    h.enqueue(&[delivery(&dest, "e1", h.now_ms())]).await;
    assert_eq!(h.deliver().await, 1);
    assert_eq!(
        dead_letter::list(&h.store, None, None).await.unwrap().len(),
        1
    );
    let other = dead_letter::redrive(&h.store, Some("999999999999"), None, h.now_ms());
    assert_eq!(other.await.unwrap(), 0);
    let redriven = dead_letter::redrive(&h.store, Some(ACCOUNT), Some(REGION), h.now_ms());
    assert_eq!(redriven.await.unwrap(), 1);
    assert!(
        dead_letter::list(&h.store, None, None)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(h.deliver().await, 1);
    assert_eq!(rx.seen().len(), 2, "delivered on the redrive");
    assert!(
        dead_letter::list(&h.store, None, None)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn a_refused_token_request_deauthorizes_the_connection() {
    let h = Harness::sqlite().await;
    let rx = Receiver::start().await;
    // Not `/token`: the receiver answers the programmed status there.
    let conn = h
        .ok(
            "CreateConnection",
            json!({"Name": "o", "AuthorizationType": "OAUTH_CLIENT_CREDENTIALS",
                "AuthParameters": {"OAuthParameters": {
                    "AuthorizationEndpoint": format!("{}/deny", rx.url), "HttpMethod": "POST",
                    "ClientParameters": {"ClientID": "cid", "ClientSecret": "csecret"}}}}),
        )
        .await;
    let dest = h
        .ok(
            "CreateApiDestination",
            json!({"Name": "d", "ConnectionArn": conn["ConnectionArn"],
                "InvocationEndpoint": format!("{}/hook", rx.url), "HttpMethod": "POST"}),
        )
        .await;
    rx.program(&[401]);
    let arn = dest["ApiDestinationArn"].as_str().unwrap();
    h.enqueue(&[delivery(arn, "e1", h.now_ms())]).await;
    // Another node, which did not store the connection, asks for the token at invocation.
    let other = support::service(&h.store, &h.clock, &h.root);
    assert_eq!(
        other.deliver_due(h.now_ms()).await.unwrap(),
        1,
        "dead-lettered"
    );
    let described = h.ok("DescribeConnection", json!({"Name": "o"})).await;
    assert_eq!(described["ConnectionState"], "DEAUTHORIZED");
    let reason = described["StateReason"].as_str().unwrap();
    assert!(
        reason.contains("401") && !reason.contains("csecret"),
        "{reason}"
    );
    assert!(rx.seen().iter().all(|s| s.path != "/hook"));
}

#[tokio::test]
async fn waiting_for_the_rate_limit_spends_no_retry_attempts() {
    let h = Harness::sqlite().await;
    let rx = Receiver::start().await;
    let dest = h
        .destination("d", &format!("{}/hook", rx.url), "POST")
        .await;
    h.ok(
        "UpdateApiDestination",
        json!({"Name": "d", "InvocationRateLimitPerSecond": 1}),
    )
    .await;
    let items: Vec<_> = (0..5)
        .map(|i| {
            let mut d = delivery(&dest, &format!("e{i}"), h.now_ms());
            d.max_retry_attempts = 1;
            d
        })
        .collect();
    h.enqueue(&items).await;
    assert_eq!(h.deliver().await, 3, "two are held back by the limit");
    // The two held back now fail once each: with MaximumRetryAttempts 1 they are retried, as
    // their wait was not an attempt.
    rx.program(&[500, 500]);
    tokio::time::sleep(std::time::Duration::from_millis(2_100)).await;
    h.advance_ms(3_000);
    assert_eq!(h.deliver().await, 0);
    assert_eq!(rx.seen().len(), 5);
    assert!(
        dead_letter::list(&h.store, None, None)
            .await
            .unwrap()
            .is_empty(),
        "one failed send each is within MaximumRetryAttempts 1"
    );
    // Their second failed send is the last one allowed.
    rx.program(&[500, 500]);
    tokio::time::sleep(std::time::Duration::from_millis(2_100)).await;
    h.advance_ms(10_000);
    assert_eq!(h.deliver().await, 2);
    let dead = dead_letter::list(&h.store, None, None).await.unwrap();
    assert_eq!(dead.len(), 2);
    assert!(dead.iter().all(|d| d.attempts == 2), "{dead:?}");
}

#[tokio::test]
async fn a_new_oauth_connection_is_authorized_by_the_next_delivery_pass() {
    let h = Harness::sqlite().await;
    let rx = Receiver::start().await;
    let oauth = |name: &str, path: &str| {
        json!({"Name": name, "AuthorizationType": "OAUTH_CLIENT_CREDENTIALS",
            "AuthParameters": {"OAuthParameters": {
                "AuthorizationEndpoint": format!("{}{path}", rx.url), "HttpMethod": "POST",
                "ClientParameters": {"ClientID": "cid", "ClientSecret": "csecret"}}}})
    };
    h.ok("CreateConnection", oauth("good", "/token")).await;
    assert_eq!(h.deliver().await, 0, "nothing to deliver");
    let good = h.ok("DescribeConnection", json!({"Name": "good"})).await;
    assert_eq!(good["ConnectionState"], "AUTHORIZED");
    rx.program(&[403]);
    h.ok("CreateConnection", oauth("bad", "/deny")).await;
    h.deliver().await;
    let bad = h.ok("DescribeConnection", json!({"Name": "bad"})).await;
    assert_eq!(bad["ConnectionState"], "DEAUTHORIZED");
    assert!(bad["StateReason"].as_str().unwrap().contains("403"));
    // New credentials authorize it again.
    let updated = h
        .ok(
            "UpdateConnection",
            json!({"Name": "bad", "AuthParameters": {"OAuthParameters": {
                "AuthorizationEndpoint": format!("{}/token", rx.url)}}}),
        )
        .await;
    assert_eq!(updated["ConnectionState"], "AUTHORIZING");
    h.deliver().await;
    let bad = h.ok("DescribeConnection", json!({"Name": "bad"})).await;
    assert_eq!(bad["ConnectionState"], "AUTHORIZED");
    assert!(bad.get("StateReason").is_none());
}
