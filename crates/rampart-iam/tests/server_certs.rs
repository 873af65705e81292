//! Server certificates through the query-protocol dispatcher, on SQLite and (when
//! `RAMPART_TEST_POSTGRES_URL` is set) PostgreSQL: upload with a key and chain made by openssl
//! (`tests/data`), a key of another certificate refused, a chain that did not issue the
//! certificate refused, the key stored only sealed, reads, rename, tags and deletion.

#![allow(clippy::unwrap_used)]

mod common;

use common::{ACCOUNT, Bench, assert_error, enc, value, values};
use rampart_iam::account_tables::AccountTables;

const CERT: &str = include_str!("data/server.pem");
const KEY: &str = include_str!("data/server.key");
const CA: &str = include_str!("data/server-ca.pem");
const OTHER_CERT: &str = include_str!("data/other-cert.pem");
const OTHER_KEY: &str = include_str!("data/other.key");

#[tokio::test]
async fn server_certificate_life() {
    server_certificates(&Bench::new().await).await;
}

#[tokio::test]
async fn server_certificate_life_postgres() {
    let Some(b) = Bench::postgres().await else {
        return;
    };
    server_certificates(&b).await;
    b.cleanup().await;
}

fn upload(name: &str, cert: &str, key: &str, chain: Option<&str>) -> String {
    let mut params = format!(
        "ServerCertificateName={name}&Path=%2Fweb%2F&CertificateBody={}&PrivateKey={}",
        enc(cert),
        enc(key)
    );
    if let Some(chain) = chain {
        params.push_str(&format!("&CertificateChain={}", enc(chain)));
    }
    params
}

async fn server_certificates(b: &Bench) {
    let mismatch = b
        .err(
            "UploadServerCertificate",
            &upload("www", CERT, OTHER_KEY, None),
        )
        .await;
    assert_eq!(mismatch.code, "KeyPairMismatch");
    let bad_chain = b
        .err(
            "UploadServerCertificate",
            &upload("www", CERT, KEY, Some(OTHER_CERT)),
        )
        .await;
    assert_error(
        &bad_chain,
        "MalformedCertificate",
        "Unable to validate certificate chain. The certificate chain must start with the \
         immediate signing certificate, followed by any intermediaries in order. The index \
         within the chain of the invalid certificate is: 0",
    );
    let garbage = b
        .err("UploadServerCertificate", &upload("www", "nope", KEY, None))
        .await;
    assert_eq!(garbage.code, "MalformedCertificate");

    let made = b
        .ok(
            "UploadServerCertificate",
            &upload("www", CERT, KEY, Some(CA)),
        )
        .await;
    let arn = format!("arn:aws:iam::{ACCOUNT}:server-certificate/web/www");
    assert_eq!(value(&made, "Arn").as_deref(), Some(arn.as_str()));
    assert!(
        value(&made, "ServerCertificateId")
            .unwrap()
            .starts_with("ASCA")
    );
    assert!(value(&made, "Expiration").is_some());
    let stored = AccountTables::new(&b.dir.tables.store)
        .server_certificates
        .get(&format!("{ACCOUNT}/www"))
        .await
        .unwrap()
        .unwrap();
    let raw = serde_json::to_string(&stored.value).unwrap();
    let key_line = KEY.lines().nth(1).unwrap();
    assert!(
        !raw.contains(key_line),
        "the private key is stored only sealed"
    );

    let again = b
        .err("UploadServerCertificate", &upload("www", CERT, KEY, None))
        .await;
    assert_eq!(again.code, "EntityAlreadyExists");
    b.ok(
        "UploadServerCertificate",
        &upload("alt", OTHER_CERT, OTHER_KEY, None),
    )
    .await;

    let got = b
        .ok("GetServerCertificate", "ServerCertificateName=www")
        .await;
    assert_eq!(value(&got, "CertificateBody").unwrap().trim(), CERT.trim());
    assert_eq!(value(&got, "CertificateChain").unwrap().trim(), CA.trim());
    assert!(!got.contains("PRIVATE KEY"));
    let listed = b.ok("ListServerCertificates", "PathPrefix=%2Fweb%2F").await;
    assert_eq!(values(&listed, "ServerCertificateName"), ["alt", "www"]);

    b.ok(
        "UpdateServerCertificate",
        "ServerCertificateName=www&NewServerCertificateName=www2&NewPath=%2Fsite%2F",
    )
    .await;
    let missing = b
        .err("GetServerCertificate", "ServerCertificateName=www")
        .await;
    assert_error(
        &missing,
        "NoSuchEntity",
        "The Server Certificate with name www cannot be found.",
    );
    let moved = b
        .ok("GetServerCertificate", "ServerCertificateName=www2")
        .await;
    assert!(
        value(&moved, "Arn")
            .unwrap()
            .ends_with(":server-certificate/site/www2")
    );

    b.ok(
        "TagServerCertificate",
        "ServerCertificateName=www2&Tags.member.1.Key=env&Tags.member.1.Value=prod",
    )
    .await;
    let tags = b
        .ok("ListServerCertificateTags", "ServerCertificateName=www2")
        .await;
    assert_eq!(values(&tags, "Key"), ["env"]);
    b.ok(
        "UntagServerCertificate",
        "ServerCertificateName=www2&TagKeys.member.1=env",
    )
    .await;
    b.ok("DeleteServerCertificate", "ServerCertificateName=www2")
        .await;
    b.ok("DeleteServerCertificate", "ServerCertificateName=alt")
        .await;
    let summary = b.ok("GetAccountSummary", "").await;
    let at = summary.find("<key>ServerCertificates</key>").unwrap();
    assert_eq!(value(&summary[at..], "value").as_deref(), Some("0"));
}
