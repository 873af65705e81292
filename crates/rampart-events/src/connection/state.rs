//! What an authorization answer does to its connection's state. An OAUTH_CLIENT_CREDENTIALS
//! connection is AUTHORIZING until its first token request; the answer moves it to AUTHORIZED
//! (a token) or DEAUTHORIZED (a refusal, with a StateReason). AWS de-authorizes a connection
//! (User Guide, De-authorizing connections) when "for connections using OAuth authentication,
//! EventBridge cannot refresh the necessary OAuth token", and when "for connections using Basic
//! or API Key authentication, EventBridge receives a 401 (UnAuthorize) or 407
//! (Proxy_Authentication_required) error code": both are a [`TokenOutcome::Refused`].
//!
//! The request is made by the next delivery pass of the node that stored the connection
//! AUTHORIZING ([`authorize_stored`]), else by its first invocation. The change is written over
//! the row that was read, only while the connection is still
//! the one that was used (same ARN and modification time), so an UpdateConnection racing with
//! a token request always wins.

use super::{CONNECTIONS, ConnectionRecord, key, parse_arn};
use rampart_store::{Expect, Store, StoreError, Write, decode_record, encode_record};

/// The outcome of a token request for a connection, or of an invocation an API_KEY or BASIC
/// connection's credentials were refused at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TokenOutcome {
    /// The authorization endpoint gave a token.
    Granted,
    /// It refused (or answered something that is not a token), or the invocation endpoint
    /// answered 401/407 to API key or Basic credentials: the reason (never a secret).
    Refused(String),
}

/// The record `connection` becomes after `outcome` at `now_ms`; `None` when nothing changes.
pub(crate) fn after_token(
    connection: &ConnectionRecord,
    outcome: &TokenOutcome,
    now_ms: i64,
) -> Option<ConnectionRecord> {
    let mut next = connection.clone();
    match outcome {
        TokenOutcome::Granted if connection.state == "AUTHORIZING" => {
            next.state = "AUTHORIZED".into();
            next.state_reason = None;
            next.authorized_ms = Some(now_ms);
        }
        TokenOutcome::Refused(reason)
            if matches!(connection.state.as_str(), "AUTHORIZING" | "AUTHORIZED") =>
        {
            next.state = "DEAUTHORIZED".into();
            next.state_reason = Some(format!("Authorization failed: {reason}."));
        }
        _ => return None,
    }
    Some(next)
}

/// Stores what `outcome` does to `connection` (as a delivery read it); whether the stored
/// state changed.
pub(crate) async fn record_token_outcome(
    store: &Store,
    connection: &ConnectionRecord,
    outcome: &TokenOutcome,
    now_ms: i64,
) -> Result<bool, StoreError> {
    let Some((account, region, name)) = parse_arn(&connection.arn) else {
        return Ok(false);
    };
    let row_key = key(account, region, name);
    let Some(row) = store.get(CONNECTIONS, &row_key).await? else {
        return Ok(false);
    };
    let stored: ConnectionRecord = decode_record(&row.value)?;
    if stored.arn != connection.arn || stored.modified_ms != connection.modified_ms {
        return Ok(false);
    }
    let Some(next) = after_token(&stored, outcome, now_ms) else {
        return Ok(false);
    };
    let write = Write::Put {
        table: CONNECTIONS,
        key: row_key,
        value: encode_record(&next)?,
        expect: Expect::Version(row.version),
    };
    match store.transact(vec![write]).await {
        Ok(()) => Ok(true),
        Err(e) if e.is_conflict() => Ok(false),
        Err(e) => Err(e),
    }
}

/// Asks the authorization endpoint of the connection stored at `row_key` for a token if it is
/// still AUTHORIZING (the token stays in the node's cache for its first invocation), and
/// records the answer. A failure a retry may fix (transport, 429, 5xx) leaves it AUTHORIZING:
/// its first invocation asks again.
pub(crate) async fn authorize_stored(
    out: &crate::delivery::Outbound,
    row_key: &str,
    now_ms: i64,
) -> Result<(), String> {
    let row = out.store.get(CONNECTIONS, row_key).await;
    let Some(row) = row.map_err(|e| e.to_string())? else {
        return Ok(());
    };
    let connection: ConnectionRecord = decode_record(&row.value).map_err(|e| e.to_string())?;
    if connection.state != "AUTHORIZING" {
        return Ok(());
    }
    let secrets = super::unseal(&out.key, &connection.arn, &connection.sealed)
        .ok_or("the connection's secrets do not open")?;
    let outcome = match out.tokens.token(&out.http, &connection, &secrets).await {
        Ok(_) => TokenOutcome::Granted,
        Err(e) if e.retryable => return Ok(()),
        Err(e) => TokenOutcome::Refused(e.reason),
    };
    record_token_outcome(&out.store, &connection, &outcome, now_ms)
        .await
        .map(drop)
        .map_err(|e| e.to_string())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn oauth(state: &str) -> ConnectionRecord {
        ConnectionRecord {
            name: "c".into(),
            arn: "arn:aws:events:r:1:connection/c/u".into(),
            secret_arn: String::new(),
            description: None,
            authorization_type: "OAUTH_CLIENT_CREDENTIALS".into(),
            state: state.into(),
            state_reason: None,
            created_ms: 1,
            modified_ms: 1,
            authorized_ms: None,
            api_key_name: None,
            username: None,
            oauth: None,
            kms_key_identifier: None,
            sealed: String::new(),
        }
    }

    #[test]
    fn token_answers_move_the_state() {
        let granted = after_token(&oauth("AUTHORIZING"), &TokenOutcome::Granted, 5).unwrap();
        assert_eq!(
            (granted.state.as_str(), granted.authorized_ms),
            ("AUTHORIZED", Some(5))
        );
        assert!(after_token(&oauth("AUTHORIZED"), &TokenOutcome::Granted, 5).is_none());
        let refused = TokenOutcome::Refused("the OAuth token endpoint answered 401".into());
        for state in ["AUTHORIZING", "AUTHORIZED"] {
            let next = after_token(&oauth(state), &refused, 5).unwrap();
            assert_eq!(next.state, "DEAUTHORIZED");
            assert!(next.state_reason.unwrap().contains("401"));
        }
        assert!(after_token(&oauth("DEAUTHORIZED"), &refused, 5).is_none());
    }
}
