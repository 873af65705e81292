//! The ACM PCA test harness: the service over each store backend (SQLite, and PostgreSQL in
//! its own schema when `RAMPART_TEST_POSTGRES_URL` is set) on a manual clock, driven through
//! the generated JSON `dispatch` with botocore-shaped requests.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rampart_acmpca::AcmPcaService;
use rampart_codec::ServiceError;
use rampart_core::{AccountId, ManualClock, Principal, PrincipalKind, Region, RequestContext};
use rampart_crypto::root::{Domain, DomainKey, RootKey};
use rampart_store::Store;
use rampart_store::testkit::TestStore;
use serde_json::{Value, json};
use std::sync::Arc;
use time::OffsetDateTime;

pub const ACCOUNT: &str = "111122223333";

pub struct Harness {
    pub pca: AcmPcaService,
    pub store: Store,
    pub clock: Arc<ManualClock>,
    pub domain: DomainKey,
    backing: TestStore,
}

impl Harness {
    fn over(backing: TestStore) -> Self {
        let store = backing.store.clone();
        let clock = Arc::new(ManualClock::new(OffsetDateTime::now_utc()));
        let root = RootKey::generate();
        Harness {
            pca: AcmPcaService::new(store.clone(), root.domain_key(Domain::Acm), clock.clone()),
            domain: root.domain_key(Domain::Acm),
            store,
            clock,
            backing,
        }
    }

    /// Every configured backend.
    pub async fn all() -> Vec<Harness> {
        let stores = TestStore::all("pca").await.unwrap();
        stores.into_iter().map(Harness::over).collect()
    }

    pub async fn cleanup(self) {
        self.backing.cleanup().await.unwrap();
    }

    /// The raw rows of `table`, up to 500.
    pub async fn raw_rows(&self, table: &'static str) -> Vec<Vec<u8>> {
        let rows = self.store.scan(table, "", None, 500).await.unwrap();
        rows.into_iter().map(|r| r.value).collect()
    }

    pub async fn call(&self, op: &str, body: Value) -> Result<Value, ServiceError> {
        let ctx = root_of(ACCOUNT);
        let bytes = serde_json::to_vec(&body).unwrap();
        let invocation = rampart_acmpca::generated::dispatch(&self.pca, &ctx, op, &bytes).await;
        invocation
            .result
            .map(|out| serde_json::from_slice(&out).unwrap_or(Value::Null))
    }

    pub async fn ok(&self, op: &str, body: Value) -> Value {
        match self.call(op, body).await {
            Ok(v) => v,
            Err(e) => panic!("{op}: {} {}", e.code, e.message),
        }
    }

    /// `op` fails with `code`.
    pub async fn fails(&self, op: &str, body: Value, code: &str) -> ServiceError {
        let err = self.call(op, body).await.expect_err(op);
        assert_eq!(err.code, code, "{op}: {}", err.message);
        err
    }

    /// A new CA of `ca_type` with `key` / `signing` algorithms; its ARN.
    pub async fn create_ca(&self, ca_type: &str, key: &str, signing: &str, cn: &str) -> String {
        let made = self
            .ok(
                "CreateCertificateAuthority",
                json!({
                    "CertificateAuthorityType": ca_type,
                    "CertificateAuthorityConfiguration": {
                        "KeyAlgorithm": key,
                        "SigningAlgorithm": signing,
                        "Subject": {"CommonName": cn, "Organization": "Rampart", "Country": "US"}
                    }
                }),
            )
            .await;
        made["CertificateAuthorityArn"].as_str().unwrap().to_owned()
    }

    /// Issues from `ca` with `template` for `csr_pem`; the certificate PEM and chain.
    pub async fn issue(
        &self,
        ca: &str,
        csr_pem: &str,
        signing: &str,
        template: &str,
        days: i64,
    ) -> Result<(String, Option<String>), ServiceError> {
        let issued = self
            .call(
                "IssueCertificate",
                json!({
                    "CertificateAuthorityArn": ca,
                    "Csr": STANDARD.encode(csr_pem),
                    "SigningAlgorithm": signing,
                    "TemplateArn": format!("arn:aws:acm-pca:::template/{template}/V1"),
                    "Validity": {"Type": "DAYS", "Value": days},
                }),
            )
            .await?;
        let arn = issued["CertificateArn"].as_str().unwrap().to_owned();
        assert!(arn.starts_with(&format!("{ca}/certificate/")));
        let got = self
            .ok(
                "GetCertificate",
                json!({"CertificateAuthorityArn": ca, "CertificateArn": arn}),
            )
            .await;
        let chain = got["CertificateChain"].as_str().map(str::to_owned);
        Ok((got["Certificate"].as_str().unwrap().to_owned(), chain))
    }

    /// The CA's CSR.
    pub async fn csr_of(&self, ca: &str) -> String {
        let got = self
            .ok(
                "GetCertificateAuthorityCsr",
                json!({"CertificateAuthorityArn": ca}),
            )
            .await;
        got["Csr"].as_str().unwrap().to_owned()
    }

    /// Imports `cert` (and `chain`) into `ca`.
    pub async fn import(
        &self,
        ca: &str,
        cert: &str,
        chain: Option<&str>,
    ) -> Result<Value, ServiceError> {
        let mut body = json!({"CertificateAuthorityArn": ca, "Certificate": STANDARD.encode(cert)});
        if let Some(chain) = chain {
            body["CertificateChain"] = json!(STANDARD.encode(chain));
        }
        self.call("ImportCertificateAuthorityCertificate", body)
            .await
    }

    /// An ACTIVE root CA (self-issued and imported); its ARN and certificate.
    pub async fn active_root(&self, key: &str, signing: &str) -> (String, String) {
        let root = self.create_ca("ROOT", key, signing, "Root CA").await;
        let csr = self.csr_of(&root).await;
        let (cert, chain) = self
            .issue(&root, &csr, signing, "RootCACertificate", 3650)
            .await
            .unwrap();
        assert!(chain.is_none());
        self.import(&root, &cert, None).await.unwrap();
        (root, cert)
    }

    pub async fn status(&self, ca: &str) -> String {
        let d = self
            .ok(
                "DescribeCertificateAuthority",
                json!({"CertificateAuthorityArn": ca}),
            )
            .await;
        d["CertificateAuthority"]["Status"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}

/// A request context of the root user of `account` in us-east-1.
pub fn root_of(account: &str) -> RequestContext {
    let principal = Principal {
        account: AccountId::parse(account).unwrap(),
        arn: format!("arn:aws:iam::{account}:root"),
        principal_id: account.into(),
        access_key_id: "AKIAIOSFODNN7EXAMPLE".into(),
        kind: PrincipalKind::Root,
        session: None,
    };
    RequestContext::new(principal, Region::new("us-east-1"))
}

/// A leaf CSR for `names` (first is the CN) with a fresh P-256 key.
pub fn leaf_csr(names: &[&str]) -> String {
    let key = rcgen::KeyPair::generate().unwrap();
    let sans: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
    let mut params = rcgen::CertificateParams::new(sans).unwrap();
    params.distinguished_name = rcgen::DistinguishedName::new();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, names[0]);
    params.serialize_request(&key).unwrap().pem().unwrap()
}

/// The DER of a PEM certificate.
pub fn der(pem: &str) -> Vec<u8> {
    x509_parser::pem::parse_x509_pem(pem.as_bytes())
        .unwrap()
        .1
        .contents
}

/// The first certificate's DER of a PEM bundle.
pub fn first_der(bundle: &str) -> Vec<u8> {
    der(bundle)
}

/// A certificate parsed from DER.
pub fn parse(der: &[u8]) -> x509_parser::certificate::X509Certificate<'_> {
    use x509_parser::prelude::FromDer;
    x509_parser::certificate::X509Certificate::from_der(der)
        .unwrap()
        .1
}

/// `child` is signed by `parent` (x509-parser; aws-lc-rs for P-521, which it lacks).
pub fn verify(
    child: &x509_parser::certificate::X509Certificate<'_>,
    parent: &x509_parser::certificate::X509Certificate<'_>,
) {
    use aws_lc_rs::signature::{ECDSA_P521_SHA512_ASN1, UnparsedPublicKey};
    match child.verify_signature(Some(parent.public_key())) {
        Err(x509_parser::error::X509Error::SignatureUnsupportedAlgorithm) => {
            let key = &parent.public_key().subject_public_key.data;
            UnparsedPublicKey::new(&ECDSA_P521_SHA512_ASN1, key)
                .verify(child.tbs_certificate.as_ref(), &child.signature_value.data)
                .unwrap();
        }
        other => other.unwrap(),
    }
}

/// A subordinate CA under `root`, ACTIVE with its chain; its ARN and certificate.
pub async fn active_sub(
    h: &Harness,
    root: &str,
    root_pem: &str,
    key: &str,
    signing: &str,
) -> (String, String) {
    let sub = h.create_ca("SUBORDINATE", key, signing, "Issuing CA").await;
    let csr = h.csr_of(&sub).await;
    let (sub_pem, chain) = h
        .issue(
            root,
            &csr,
            signing,
            "SubordinateCACertificate_PathLen0",
            1000,
        )
        .await
        .unwrap();
    assert_eq!(chain.as_deref(), Some(root_pem));
    h.import(&sub, &sub_pem, Some(root_pem)).await.unwrap();
    assert_eq!(h.status(&sub).await, "ACTIVE");
    (sub, sub_pem)
}
