//! Connections and API destinations through the generated dispatcher: shapes, states, errors,
//! and secrets that never reach the database file or a Describe answer in plaintext.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::{Value, json};
use support::Harness;

const SECRETS: [&str; 4] = [
    "apikey-SECRET-0f3a9",
    "password-SECRET-77b1",
    "client-SECRET-c0ffee",
    "header-SECRET-d00d",
];

async fn create_all_kinds(h: &Harness) -> Vec<Value> {
    let bodies = [
        json!({"Name": "k", "AuthorizationType": "API_KEY", "Description": "api key",
            "AuthParameters": {"ApiKeyAuthParameters": {"ApiKeyName": "x-key", "ApiKeyValue": SECRETS[0]},
            "InvocationHttpParameters": {"HeaderParameters": [
                {"Key": "x-secret", "Value": SECRETS[3], "IsValueSecret": true},
                {"Key": "x-plain", "Value": "shown", "IsValueSecret": false}]}}}),
        json!({"Name": "b", "AuthorizationType": "BASIC",
            "AuthParameters": {"BasicAuthParameters": {"Username": "user", "Password": SECRETS[1]}}}),
        json!({"Name": "o", "AuthorizationType": "OAUTH_CLIENT_CREDENTIALS",
            "AuthParameters": {"OAuthParameters": {"AuthorizationEndpoint": "https://auth.example.com/token",
            "HttpMethod": "POST", "ClientParameters": {"ClientID": "cid", "ClientSecret": SECRETS[2]}}}}),
    ];
    let mut out = Vec::new();
    for body in bodies {
        out.push(h.ok("CreateConnection", body).await);
    }
    out
}

#[tokio::test]
async fn connections_describe_without_secrets_and_store_them_sealed() {
    let h = Harness::sqlite().await;
    let created = create_all_kinds(&h).await;
    assert_eq!(created[0]["ConnectionState"], "AUTHORIZED");
    let arn = created[0]["ConnectionArn"].as_str().unwrap();
    assert!(arn.starts_with("arn:aws:events:us-east-1:111122223333:connection/k/"));
    let described = h.ok("DescribeConnection", json!({"Name": "k"})).await;
    assert_eq!(described["AuthorizationType"], "API_KEY");
    assert_eq!(described["Description"], "api key");
    assert_eq!(
        described["AuthParameters"]["ApiKeyAuthParameters"]["ApiKeyName"],
        "x-key"
    );
    let headers = &described["AuthParameters"]["InvocationHttpParameters"]["HeaderParameters"];
    assert_eq!(headers[0]["Key"], "x-secret");
    assert!(headers[0].get("Value").is_none());
    assert_eq!(headers[1]["Value"], "shown");
    let secret_arn = described["SecretArn"].as_str().unwrap();
    assert!(
        secret_arn.starts_with(
            "arn:aws:secretsmanager:us-east-1:111122223333:secret:events!connection/k/"
        )
    );
    let oauth = h.ok("DescribeConnection", json!({"Name": "o"})).await;
    assert_eq!(
        oauth["AuthParameters"]["OAuthParameters"]["ClientParameters"]["ClientID"],
        "cid"
    );
    let mut answers = described.to_string();
    answers.push_str(&oauth.to_string());
    answers.push_str(
        &h.ok("DescribeConnection", json!({"Name": "b"}))
            .await
            .to_string(),
    );
    answers.push_str(&h.ok("ListConnections", json!({})).await.to_string());
    let disk = h.bytes_on_disk();
    for secret in SECRETS {
        assert!(!answers.contains(secret), "{secret} answered");
        assert!(
            !disk.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "{secret} on disk"
        );
    }
}

#[tokio::test]
async fn connection_errors_are_aws_shaped() {
    let h = Harness::sqlite().await;
    create_all_kinds(&h).await;
    let dup = h
        .err(
            "CreateConnection",
            json!({"Name": "k", "AuthorizationType": "BASIC",
            "AuthParameters": {"BasicAuthParameters": {"Username": "u", "Password": "p"}}}),
        )
        .await;
    assert_eq!(
        (dup.code.as_ref(), dup.message.as_str()),
        (
            "ResourceAlreadyExistsException",
            "Connection k already exists."
        )
    );
    let missing = h.err("DescribeConnection", json!({"Name": "nope"})).await;
    assert_eq!(missing.code, "ResourceNotFoundException");
    assert_eq!(
        missing.message,
        "Failed to describe the connection(s). Connection 'nope' does not exist."
    );
    let wrong = h
        .err(
            "CreateConnection",
            json!({"Name": "w", "AuthorizationType": "BASIC",
            "AuthParameters": {"ApiKeyAuthParameters": {"ApiKeyName": "a", "ApiKeyValue": "b"}}}),
        )
        .await;
    assert_eq!(wrong.code, "ValidationException");
    let invalid = h
        .err(
            "CreateConnection",
            json!({"Name": "bad name!", "AuthorizationType": "BASIC",
        "AuthParameters": {}}),
        )
        .await;
    assert_eq!(invalid.code, "ValidationException");
    assert_eq!(
        h.err("DescribeConnection", json!({"Name": "w"})).await.code,
        "ResourceNotFoundException"
    );
}

#[tokio::test]
async fn update_deauthorize_list_and_delete_connections() {
    let h = Harness::sqlite().await;
    create_all_kinds(&h).await;
    let out = h.ok("DeauthorizeConnection", json!({"Name": "b"})).await;
    assert_eq!(out["ConnectionState"], "DEAUTHORIZING");
    let b = h.ok("DescribeConnection", json!({"Name": "b"})).await;
    assert_eq!(b["ConnectionState"], "DEAUTHORIZED");
    let listed = h
        .ok(
            "ListConnections",
            json!({"ConnectionState": "DEAUTHORIZED"}),
        )
        .await;
    assert_eq!(listed["Connections"].as_array().unwrap().len(), 1);
    let out = h
        .ok(
            "UpdateConnection",
            json!({"Name": "b", "AuthParameters": {"BasicAuthParameters": {"Password": "new"}}}),
        )
        .await;
    assert_eq!(out["ConnectionState"], "AUTHORIZED");
    let switched = h
        .ok(
            "UpdateConnection",
            json!({"Name": "b", "AuthorizationType": "API_KEY",
            "AuthParameters": {"ApiKeyAuthParameters": {"ApiKeyName": "n", "ApiKeyValue": "v"}}}),
        )
        .await;
    assert_eq!(switched["ConnectionState"], "AUTHORIZED");
    let b = h.ok("DescribeConnection", json!({"Name": "b"})).await;
    assert_eq!(b["AuthorizationType"], "API_KEY");
    assert!(b["AuthParameters"].get("BasicAuthParameters").is_none());
    let page = h.ok("ListConnections", json!({"Limit": 2})).await;
    let names: Vec<_> = page["Connections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["Name"].clone())
        .collect();
    assert_eq!(names, vec![json!("b"), json!("k")]);
    let rest = h
        .ok(
            "ListConnections",
            json!({"Limit": 2, "NextToken": page["NextToken"]}),
        )
        .await;
    assert_eq!(rest["Connections"][0]["Name"], "o");
    assert!(rest.get("NextToken").is_none());
    let prefixed = h.ok("ListConnections", json!({"NamePrefix": "o"})).await;
    assert_eq!(prefixed["Connections"].as_array().unwrap().len(), 1);
    assert_eq!(
        h.ok("DeleteConnection", json!({"Name": "o"})).await["ConnectionState"],
        "DELETING"
    );
    assert_eq!(
        h.err("DeleteConnection", json!({"Name": "o"})).await.code,
        "ResourceNotFoundException"
    );
}

#[tokio::test]
async fn api_destinations_crud_and_errors() {
    let h = Harness::sqlite().await;
    let created = create_all_kinds(&h).await;
    let conn = created[0]["ConnectionArn"].clone();
    let out = h
        .ok(
            "CreateApiDestination",
            json!({"Name": "d", "ConnectionArn": conn,
            "InvocationEndpoint": "https://api.example.com/x/*", "HttpMethod": "POST"}),
        )
        .await;
    assert_eq!(out["ApiDestinationState"], "ACTIVE");
    let d = h.ok("DescribeApiDestination", json!({"Name": "d"})).await;
    assert_eq!(d["InvocationRateLimitPerSecond"], 300);
    assert_eq!(d["ConnectionArn"], conn);
    let dup = h
        .err(
            "CreateApiDestination",
            json!({"Name": "d", "ConnectionArn": conn,
            "InvocationEndpoint": "https://api.example.com/", "HttpMethod": "POST"}),
        )
        .await;
    assert_eq!(dup.code, "ResourceAlreadyExistsException");
    let ghost = "arn:aws:events:us-east-1:111122223333:connection/ghost/1234";
    let no_conn = h
        .err(
            "CreateApiDestination",
            json!({"Name": "e", "ConnectionArn": ghost,
            "InvocationEndpoint": "https://api.example.com/", "HttpMethod": "POST"}),
        )
        .await;
    assert_eq!(no_conn.code, "ResourceNotFoundException");
    let bad = h
        .err(
            "CreateApiDestination",
            json!({"Name": "e", "ConnectionArn": conn,
            "InvocationEndpoint": "ftp://api.example.com/", "HttpMethod": "POST"}),
        )
        .await;
    assert_eq!(bad.code, "ValidationException");
    let updated = h
        .ok(
            "UpdateApiDestination",
            json!({"Name": "d", "InvocationRateLimitPerSecond": 5, "HttpMethod": "PUT"}),
        )
        .await;
    assert_eq!(updated["ApiDestinationState"], "ACTIVE");
    let d = h.ok("DescribeApiDestination", json!({"Name": "d"})).await;
    assert_eq!(
        (
            d["InvocationRateLimitPerSecond"].clone(),
            d["HttpMethod"].clone()
        ),
        (json!(5), json!("PUT"))
    );
    let listed = h
        .ok("ListApiDestinations", json!({"ConnectionArn": conn}))
        .await;
    assert_eq!(listed["ApiDestinations"].as_array().unwrap().len(), 1);
    h.ok("DeleteApiDestination", json!({"Name": "d"})).await;
    let gone = h.err("DescribeApiDestination", json!({"Name": "d"})).await;
    assert_eq!(
        gone.message,
        "Failed to describe the api-destination(s). An api-destination 'd' does not exist."
    );
}
