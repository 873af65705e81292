//! Authentication with STS session credentials: requests signed with a session's secret and
//! carrying its token (header or presigned query) authenticate as the session; expired,
//! forged, missing or foreign tokens, a wrong secret and a deleted role are refused with
//! AWS's codes. `--dev` mode honours valid sessions only.

#![allow(clippy::unwrap_used)]

use super::*;
use aws_lc_rs::{digest, hmac};
use rampart_crypto::root::{Domain, RootKey};
use rampart_iam::records::RoleRecord;
use rampart_iam::tables::entity_row;
use rampart_store::{Expect, Store};
use rampart_sts::{Issuer, PackedPolicies};
use time::OffsetDateTime;
use time::macros::format_description;

const ACCOUNT: &str = "111122223333";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const BODY: &[u8] = b"Action=GetCallerIdentity&Version=2011-06-15";
const HOUR_MS: i64 = 3_600_000;

struct Setup {
    _folder: tempfile::TempDir,
    directory: Arc<Directory>,
    tokens: Arc<SessionTokens>,
    role: RoleRecord,
}

impl Setup {
    async fn new() -> Setup {
        let folder = tempfile::tempdir().unwrap();
        let store = Store::open_sqlite(&folder.path().join("db")).await.unwrap();
        let root = RootKey::generate();
        let clock = Arc::new(rampart_core::SystemClock);
        let directory = Arc::new(Directory::new(
            store,
            root.domain_key(Domain::Credentials),
            clock,
        ));
        let tokens = Arc::new(SessionTokens::new(root.domain_key(Domain::Credentials)));
        let role = RoleRecord {
            schema: 1,
            account: ACCOUNT.to_owned(),
            name: "deploy".to_owned(),
            path: "/".to_owned(),
            role_id: "AROAEXAMPLEEXAMPLE123".to_owned(),
            created_ms: 0,
            trust_policy: String::new(),
            description: None,
            max_session_duration: 3600,
            tags: Vec::new(),
            boundary_arn: None,
            inline_policies: Default::default(),
            attached_policies: Vec::new(),
            last_used_ms: None,
            last_used_region: None,
        };
        let setup = Setup {
            _folder: folder,
            directory,
            tokens,
            role,
        };
        setup.put_role(&setup.role).await;
        setup
    }

    async fn put_role(&self, role: &RoleRecord) {
        let tables = &self.directory.tables;
        let row = entity_row(ACCOUNT, &role.name);
        let current = tables.roles.get(&row).await.unwrap();
        let (expect, previous) = match &current {
            Some(c) => (Expect::Version(c.version), Some(&c.value)),
            None => (Expect::Absent, None),
        };
        let writes = tables.roles.put(&row, role, expect, previous).unwrap();
        tables.commit(ACCOUNT, writes).await.unwrap();
    }

    fn sigv4(&self) -> SigV4Authenticator {
        SigV4Authenticator {
            directory: self.directory.clone(),
            tokens: self.tokens.clone(),
        }
    }

    /// Claims of a `deploy` session issued now and expiring `expires_in_ms` from now.
    fn claims(&self, expires_in_ms: i64) -> SessionClaims {
        let now = self.directory.now_ms();
        SessionClaims {
            access_key_id: rampart_sts::keys::temporary_access_key_id(ACCOUNT),
            secret_access_key: SECRET.to_owned(),
            account: ACCOUNT.to_owned(),
            issuer: Issuer::Role {
                name: self.role.name.clone(),
                id: self.role.role_id.clone(),
                arn: self.role.arn(),
            },
            session_name: Some("run-1".to_owned()),
            issued_ms: now - HOUR_MS,
            expires_ms: now + expires_in_ms,
            policies: PackedPolicies::default(),
            transitive_tag_keys: Vec::new(),
            mfa: false,
            source_identity: None,
        }
    }
}

/// An owned request, as the gateway hands it to the authenticator.
struct Req {
    method: &'static str,
    query: String,
    headers: Vec<(String, Vec<u8>)>,
    body: &'static [u8],
}

impl Req {
    async fn authenticate(&self, auth: &dyn Authenticator) -> Result<Authenticated, AuthFailure> {
        let headers: Vec<(&str, &[u8])> = self
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_slice()))
            .collect();
        let req = SignedRequest {
            method: self.method,
            path: "/",
            query: &self.query,
            headers: &headers,
            body: self.body,
            body_sha256: None,
        };
        auth.authenticate(&req, "sts").await
    }
}

fn hex_sha256(data: &[u8]) -> String {
    hex::encode(digest::digest(&digest::SHA256, data))
}

fn hmac_sha256(key: &[u8], data: &str) -> Vec<u8> {
    let key = hmac::Key::new(hmac::HMAC_SHA256, key);
    hmac::sign(&key, data.as_bytes()).as_ref().to_vec()
}

/// The SigV4 signature of a canonical request signed at `amz_date` for STS in us-east-1.
fn signature(secret: &str, amz_date: &str, canonical_request: &str) -> String {
    let day = &amz_date[..8];
    let scope = format!("{day}/us-east-1/sts/aws4_request");
    let to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
        hex_sha256(canonical_request.as_bytes())
    );
    let mut key = hmac_sha256(format!("AWS4{secret}").as_bytes(), day);
    for part in ["us-east-1", "sts", "aws4_request"] {
        key = hmac_sha256(&key, part);
    }
    hex::encode(hmac_sha256(&key, &to_sign))
}

fn amz_now() -> String {
    let format = format_description!("[year][month][day]T[hour][minute][second]Z");
    OffsetDateTime::now_utc().format(&format).unwrap()
}

/// A POST signed with `key_id`/`secret`, carrying `token` in `X-Amz-Security-Token`.
fn signed_post(key_id: &str, secret: &str, token: Option<&str>) -> Req {
    let amz_date = amz_now();
    let mut headers = vec![
        (
            "content-type",
            "application/x-www-form-urlencoded; charset=utf-8".to_owned(),
        ),
        ("host", "sts.amazonaws.com".to_owned()),
        ("x-amz-date", amz_date.clone()),
    ];
    if let Some(token) = token {
        headers.push(("x-amz-security-token", token.to_owned()));
    }
    let signed: Vec<&str> = headers.iter().map(|(n, _)| *n).collect();
    let signed = signed.join(";");
    let canonical_headers: String = headers.iter().map(|(n, v)| format!("{n}:{v}\n")).collect();
    let creq = format!(
        "POST\n/\n\n{canonical_headers}\n{signed}\n{}",
        hex_sha256(BODY)
    );
    let scope = format!("{}/us-east-1/sts/aws4_request", &amz_date[..8]);
    let authorization = format!(
        "AWS4-HMAC-SHA256 Credential={key_id}/{scope}, SignedHeaders={signed}, Signature={}",
        signature(secret, &amz_date, &creq)
    );
    let mut headers: Vec<(String, Vec<u8>)> = headers
        .into_iter()
        .map(|(n, v)| (n.to_owned(), v.into_bytes()))
        .collect();
    headers.push(("authorization".to_owned(), authorization.into_bytes()));
    Req {
        method: "POST",
        query: String::new(),
        headers,
        body: BODY,
    }
}

/// Percent-encodes everything but unreserved characters (SigV4's URI encoding).
fn uri_encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A presigned GET URL with the session token in the query.
fn presigned_get(key_id: &str, secret: &str, token: &str) -> Req {
    let amz_date = amz_now();
    let scope = format!("{}/us-east-1/sts/aws4_request", &amz_date[..8]);
    let params = [
        ("Action", "GetCallerIdentity".to_owned()),
        ("Version", "2011-06-15".to_owned()),
        ("X-Amz-Algorithm", "AWS4-HMAC-SHA256".to_owned()),
        ("X-Amz-Credential", format!("{key_id}/{scope}")),
        ("X-Amz-Date", amz_date.clone()),
        ("X-Amz-Expires", "300".to_owned()),
        ("X-Amz-Security-Token", token.to_owned()),
        ("X-Amz-SignedHeaders", "host".to_owned()),
    ];
    let query: Vec<String> = params
        .iter()
        .map(|(n, v)| format!("{n}={}", uri_encode(v)))
        .collect();
    let query = query.join("&");
    let creq = format!(
        "GET\n/\n{query}\nhost:sts.amazonaws.com\n\nhost\n{}",
        hex_sha256(b"")
    );
    let sig = signature(secret, &amz_date, &creq);
    Req {
        method: "GET",
        query: format!("{query}&X-Amz-Signature={sig}"),
        headers: vec![("host".to_owned(), b"sts.amazonaws.com".to_vec())],
        body: b"",
    }
}

fn failure_code(result: Result<Authenticated, AuthFailure>) -> (&'static str, u16, String) {
    match result {
        Ok(a) => panic!("authenticated as {}", a.principal.arn),
        Err(f) => (f.code, f.status, f.message),
    }
}

#[tokio::test]
async fn a_request_signed_with_session_credentials_authenticates_as_the_session() {
    let setup = Setup::new().await;
    let claims = setup.claims(HOUR_MS);
    let token = setup.tokens.seal(&claims).unwrap();
    let req = signed_post(&claims.access_key_id, SECRET, Some(&token));
    let done = req.authenticate(&setup.sigv4()).await.unwrap();
    assert_eq!(done.principal.kind, PrincipalKind::AssumedRole);
    assert_eq!(
        done.principal.arn,
        "arn:aws:sts::111122223333:assumed-role/deploy/run-1"
    );
    assert_eq!(done.principal.principal_id, "AROAEXAMPLEEXAMPLE123:run-1");
    assert_eq!(done.principal.access_key_id, claims.access_key_id);
    assert_eq!(done.caller.principal.user_id, "AROAEXAMPLEEXAMPLE123:run-1");
    assert_eq!(done.region.as_str(), "us-east-1");
    let session = done.principal.session.unwrap();
    assert_eq!(session.issuer_arn, "arn:aws:iam::111122223333:role/deploy");
    assert_eq!(
        session.expires_at.unix_timestamp_nanos() / 1_000_000,
        i128::from(claims.expires_ms)
    );
}

#[tokio::test]
async fn a_presigned_url_carries_the_token_in_its_query() {
    let setup = Setup::new().await;
    let claims = setup.claims(HOUR_MS);
    let token = setup.tokens.seal(&claims).unwrap();
    let req = presigned_get(&claims.access_key_id, SECRET, &token);
    let done = req.authenticate(&setup.sigv4()).await.unwrap();
    assert_eq!(done.principal.kind, PrincipalKind::AssumedRole);
}

#[tokio::test]
async fn an_expired_session_is_refused_with_expired_token() {
    let setup = Setup::new().await;
    let claims = setup.claims(-1);
    let token = setup.tokens.seal(&claims).unwrap();
    let req = signed_post(&claims.access_key_id, SECRET, Some(&token));
    let (code, status, message) = failure_code(req.authenticate(&setup.sigv4()).await);
    assert_eq!((code, status), ("ExpiredTokenException", 400));
    assert_eq!(
        message,
        "The security token included in the request is expired"
    );
}

#[tokio::test]
async fn forged_missing_or_foreign_tokens_are_invalid() {
    let setup = Setup::new().await;
    let claims = setup.claims(HOUR_MS);
    let foreign = SessionTokens::new(RootKey::generate().domain_key(Domain::Credentials));
    let forged = foreign.seal(&claims).unwrap();
    let mut other = setup.claims(HOUR_MS);
    other.access_key_id = rampart_sts::keys::temporary_access_key_id(ACCOUNT);
    let someone_elses = setup.tokens.seal(&other).unwrap();
    for token in [
        Some(forged.as_str()),
        Some(someone_elses.as_str()),
        Some("AQID"),
        None,
    ] {
        let req = signed_post(&claims.access_key_id, SECRET, token);
        let (code, status, message) = failure_code(req.authenticate(&setup.sigv4()).await);
        assert_eq!(
            (code, status),
            ("UnrecognizedClientException", 400),
            "{token:?}"
        );
        assert_eq!(
            message,
            "The security token included in the request is invalid."
        );
    }
}

#[tokio::test]
async fn a_signature_made_with_another_secret_does_not_match() {
    let setup = Setup::new().await;
    let claims = setup.claims(HOUR_MS);
    let token = setup.tokens.seal(&claims).unwrap();
    let wrong = "AAAArXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    let req = signed_post(&claims.access_key_id, wrong, Some(&token));
    let (code, _, _) = failure_code(req.authenticate(&setup.sigv4()).await);
    assert_eq!(code, "InvalidSignatureException");
}

#[tokio::test]
async fn sessions_of_a_deleted_or_replaced_role_are_refused() {
    let setup = Setup::new().await;
    let claims = setup.claims(HOUR_MS);
    let token = setup.tokens.seal(&claims).unwrap();
    let req = signed_post(&claims.access_key_id, SECRET, Some(&token));
    let mut replaced = setup.role.clone();
    replaced.role_id = "AROAOTHEROTHEROTHER12".to_owned();
    setup.put_role(&replaced).await;
    let (code, _, _) = failure_code(req.authenticate(&setup.sigv4()).await);
    assert_eq!(code, "UnrecognizedClientException");
    let tables = &setup.directory.tables;
    let row = entity_row(ACCOUNT, "deploy");
    let current = tables.roles.get(&row).await.unwrap().unwrap();
    let writes = tables
        .roles
        .delete(&row, &current.value, Expect::Version(current.version));
    tables.commit(ACCOUNT, writes).await.unwrap();
    let claims = setup.claims(HOUR_MS);
    let token = setup.tokens.seal(&claims).unwrap();
    let req = signed_post(&claims.access_key_id, SECRET, Some(&token));
    let (code, _, _) = failure_code(req.authenticate(&setup.sigv4()).await);
    assert_eq!(code, "UnrecognizedClientException");
}

#[tokio::test]
async fn long_term_keys_still_authenticate() {
    let setup = Setup::new().await;
    let account = AccountId::parse(ACCOUNT).unwrap();
    let made = setup
        .directory
        .credentials
        .new_root_key(&account, 0)
        .unwrap();
    setup
        .directory
        .tables
        .store
        .transact(vec![made.write])
        .await
        .unwrap();
    let req = signed_post(&made.access_key_id, &made.secret, None);
    let done = req.authenticate(&setup.sigv4()).await.unwrap();
    assert_eq!(done.principal.kind, PrincipalKind::Root);
    assert!(done.principal.session.is_none());
    // A long-term key with a session token (signed, but meaningless for it) is refused.
    let req = signed_post(&made.access_key_id, &made.secret, Some("bogus-token"));
    let (code, _, _) = failure_code(req.authenticate(&setup.sigv4()).await);
    assert_eq!(code, "UnrecognizedClientException");
}

#[tokio::test]
async fn dev_mode_honours_valid_sessions_only() {
    let setup = Setup::new().await;
    let dev = DevAuthenticator {
        default_account: AccountId::parse("000000000000").unwrap(),
        directory: setup.directory.clone(),
        tokens: setup.tokens.clone(),
    };
    let claims = setup.claims(HOUR_MS);
    let token = setup.tokens.seal(&claims).unwrap();
    let req = signed_post(&claims.access_key_id, "any secret", Some(&token));
    let done = req.authenticate(&dev).await.unwrap();
    assert_eq!(done.principal.kind, PrincipalKind::AssumedRole);
    assert_eq!(done.principal.account.as_str(), ACCOUNT);
    let req = signed_post(&claims.access_key_id, "any secret", Some("AQID"));
    let done = req.authenticate(&dev).await.unwrap();
    assert_eq!(done.principal.kind, PrincipalKind::DevAnonymous);
    assert_eq!(done.principal.account.as_str(), "000000000000");
}
