//! SSH public keys and signing certificates of IAM users through the query-protocol
//! dispatcher, on SQLite and (when `RAMPART_TEST_POSTGRES_URL` is set) PostgreSQL: upload
//! (keys made by ssh-keygen, certificates by openssl, in `tests/data`), fingerprints as
//! `ssh-keygen -l -E md5` prints them, both encodings, quotas, duplicates, status changes,
//! deletion and DeleteUser's rules.

#![allow(clippy::unwrap_used)]

mod common;

use common::{Bench, assert_error, enc, value, values};

const RSA: &str = include_str!("data/rsa.pub");
const RSA_PEM: &str = include_str!("data/rsa-spki.pem");
const RSA_MD5: &str = "1b:21:b6:91:4a:ea:3b:ea:fa:ee:29:a2:0e:a1:31:85";
const ED25519: &str = include_str!("data/ed25519.pub");
const CERTS: [&str; 3] = [
    include_str!("data/signing-1.pem"),
    include_str!("data/signing-2.pem"),
    include_str!("data/signing-3.pem"),
];

#[tokio::test]
async fn ssh_keys_and_signing_certificates() {
    let b = Bench::new().await;
    ssh_keys(&b).await;
    signing_certificates(&b).await;
}

#[tokio::test]
async fn ssh_keys_and_signing_certificates_postgres() {
    let Some(b) = Bench::postgres().await else {
        return;
    };
    ssh_keys(&b).await;
    signing_certificates(&b).await;
    b.cleanup().await;
}

async fn ssh_keys(b: &Bench) {
    b.ok("CreateUser", "UserName=dev").await;
    let upload = |body: &str| format!("UserName=dev&SSHPublicKeyBody={}", enc(body));
    let made = b.ok("UploadSSHPublicKey", &upload(RSA)).await;
    let id = value(&made, "SSHPublicKeyId").unwrap();
    assert!(id.starts_with("APKA") && id.len() == 21);
    assert_eq!(value(&made, "Fingerprint").as_deref(), Some(RSA_MD5));
    assert_eq!(value(&made, "Status").as_deref(), Some("Active"));
    // The same key in PEM form is the same key.
    let dup = b.err("UploadSSHPublicKey", &upload(RSA_PEM)).await;
    assert_eq!(dup.code, "DuplicateSSHPublicKey");
    b.ok("UploadSSHPublicKey", &upload(ED25519)).await;
    let bad = b.err("UploadSSHPublicKey", &upload("ssh-dss AAAAB3")).await;
    assert_eq!(bad.code, "UnrecognizedPublicKeyEncoding");

    let get = |encoding: &str| format!("UserName=dev&SSHPublicKeyId={id}&Encoding={encoding}");
    let pem = b.ok("GetSSHPublicKey", &get("PEM")).await;
    let body = value(&pem, "SSHPublicKeyBody").unwrap();
    assert_eq!(body.trim(), RSA_PEM.trim());
    let ssh = b.ok("GetSSHPublicKey", &get("SSH")).await;
    assert!(RSA.starts_with(&value(&ssh, "SSHPublicKeyBody").unwrap()));

    let listed = b.ok("ListSSHPublicKeys", "UserName=dev").await;
    assert_eq!(values(&listed, "SSHPublicKeyId").len(), 2);
    b.ok(
        "UpdateSSHPublicKey",
        &format!("UserName=dev&SSHPublicKeyId={id}&Status=Inactive"),
    )
    .await;
    let got = b.ok("GetSSHPublicKey", &get("SSH")).await;
    assert_eq!(value(&got, "Status").as_deref(), Some("Inactive"));
    let conflict = b.err("DeleteUser", "UserName=dev").await;
    assert_eq!(conflict.code, "DeleteConflict");
    for key in values(&listed, "SSHPublicKeyId") {
        b.ok(
            "DeleteSSHPublicKey",
            &format!("UserName=dev&SSHPublicKeyId={key}"),
        )
        .await;
    }
    let gone = b.err("GetSSHPublicKey", &get("SSH")).await;
    assert_error(
        &gone,
        "NoSuchEntity",
        &format!("The Public Key with id {id} cannot be found."),
    );
    b.ok("DeleteUser", "UserName=dev").await;
}

async fn signing_certificates(b: &Bench) {
    b.ok("CreateUser", "UserName=signer").await;
    let upload = |pem: &str| format!("UserName=signer&CertificateBody={}", enc(pem));
    let first = b.ok("UploadSigningCertificate", &upload(CERTS[0])).await;
    let id = value(&first, "CertificateId").unwrap();
    assert_eq!(id.len(), 28);
    assert_eq!(value(&first, "Status").as_deref(), Some("Active"));
    let dup = b.err("UploadSigningCertificate", &upload(CERTS[0])).await;
    assert_eq!(dup.code, "DuplicateCertificate");
    b.ok("UploadSigningCertificate", &upload(CERTS[1])).await;
    let over = b.err("UploadSigningCertificate", &upload(CERTS[2])).await;
    assert_error(
        &over,
        "LimitExceeded",
        "Cannot exceed quota for SigningCertificatesPerUser: 2",
    );
    let garbage = b
        .err("UploadSigningCertificate", &upload("not a cert"))
        .await;
    assert_eq!(garbage.code, "MalformedCertificate");

    b.ok(
        "UpdateSigningCertificate",
        &format!("UserName=signer&CertificateId={id}&Status=Inactive"),
    )
    .await;
    let listed = b.ok("ListSigningCertificates", "UserName=signer").await;
    assert_eq!(values(&listed, "Status"), ["Inactive", "Active"]);
    let conflict = b.err("DeleteUser", "UserName=signer").await;
    assert_eq!(conflict.code, "DeleteConflict");
    for cert in values(&listed, "CertificateId") {
        b.ok(
            "DeleteSigningCertificate",
            &format!("UserName=signer&CertificateId={cert}"),
        )
        .await;
    }
    let missing = b
        .err(
            "DeleteSigningCertificate",
            &format!("UserName=signer&CertificateId={id}"),
        )
        .await;
    assert_error(
        &missing,
        "NoSuchEntity",
        &format!("The Certificate with id {id} cannot be found."),
    );
    b.ok("DeleteUser", "UserName=signer").await;
}
