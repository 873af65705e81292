//! The ACM test harness: ACM and ACM PCA over each store backend (SQLite, and PostgreSQL in
//! its own schema when `RAMPART_TEST_POSTGRES_URL` is set) on one manual clock, driven through
//! the generated JSON `dispatch` with botocore-shaped requests; certificates to import made
//! with rcgen.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

pub mod dns;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rampart_acm::AcmService;
use rampart_acmpca::AcmPcaService;
use rampart_codec::ServiceError;
use rampart_core::{AccountId, ManualClock, Principal, Region, RequestContext};
use rampart_crypto::root::{Domain, RootKey};
use rampart_store::Store;
use rampart_store::testkit::TestStore;
use rcgen::{CertificateParams, DnType, Issuer, KeyPair};
use serde_json::{Value, json};
use std::sync::Arc;
use time::{Duration, OffsetDateTime};

pub const ACCOUNT: &str = "111122223333";

pub struct Harness {
    pub acm: AcmService,
    pub pca: Arc<AcmPcaService>,
    pub store: Store,
    pub clock: Arc<ManualClock>,
    backing: TestStore,
}

impl Harness {
    fn over(backing: TestStore) -> Self {
        let store = backing.store.clone();
        let clock = Arc::new(ManualClock::new(OffsetDateTime::now_utc()));
        let root = RootKey::generate();
        let pca = Arc::new(AcmPcaService::new(
            store.clone(),
            root.domain_key(Domain::Acm),
            clock.clone(),
        ));
        Harness {
            acm: AcmService::new(
                store.clone(),
                root.domain_key(Domain::Acm),
                clock.clone(),
                pca.clone(),
            ),
            pca,
            store,
            clock,
            backing,
        }
    }

    /// The same harness with ACM asking `server` for DNS validation records.
    pub fn with_dns(self, server: std::net::SocketAddr) -> Self {
        Harness {
            acm: self.acm.with_dns_resolver(Some(server)),
            ..self
        }
    }

    /// One lifecycle pass at the clock's time; how many certificates changed.
    pub async fn lifecycle(&self) -> usize {
        let ctx = rampart_core::JobContext::at(rampart_core::epoch_ms(self.clock.as_ref()));
        self.acm.run_lifecycle(&ctx).await.unwrap()
    }

    /// The events waiting on the events module's ingest queue (claimed, so read once).
    pub async fn events(&self) -> Vec<Value> {
        let items = self
            .store
            .claim(
                "events_ingest",
                "test",
                std::time::Duration::from_secs(60),
                100,
                5,
                i64::MAX / 2,
            )
            .await
            .unwrap();
        items
            .iter()
            .map(|i| serde_json::from_slice(&i.payload).unwrap())
            .collect()
    }

    /// Every configured backend.
    pub async fn all() -> Vec<Harness> {
        let stores = TestStore::all("acm").await.unwrap();
        stores.into_iter().map(Harness::over).collect()
    }

    /// Moves the service clock on by `by`.
    pub fn advance(&self, by: Duration) {
        use rampart_core::Clock;
        self.clock.set(self.clock.now() + by);
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
        let invocation = rampart_acm::generated::dispatch(&self.acm, &ctx, op, &bytes).await;
        invocation
            .result
            .map(|out| serde_json::from_slice(&out).unwrap_or(Value::Null))
    }

    pub async fn pca_call(&self, op: &str, body: Value) -> Value {
        let ctx = root_of(ACCOUNT);
        let bytes = serde_json::to_vec(&body).unwrap();
        let invocation =
            rampart_acmpca::generated::dispatch(self.pca.as_ref(), &ctx, op, &bytes).await;
        match invocation.result {
            Ok(out) => serde_json::from_slice(&out).unwrap_or(Value::Null),
            Err(e) => panic!("{op}: {} {}", e.code, e.message),
        }
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

    /// An ACTIVE root CA with `key` / `signing` algorithms; its ARN.
    pub async fn active_ca(&self, key: &str, signing: &str) -> String {
        let made = self
            .pca_call(
                "CreateCertificateAuthority",
                json!({
                    "CertificateAuthorityType": "ROOT",
                    "CertificateAuthorityConfiguration": {
                        "KeyAlgorithm": key, "SigningAlgorithm": signing,
                        "Subject": {"CommonName": "ACM Test Root", "Organization": "Rampart"}
                    }
                }),
            )
            .await;
        let ca = made["CertificateAuthorityArn"].as_str().unwrap().to_owned();
        let csr = self
            .pca_call(
                "GetCertificateAuthorityCsr",
                json!({"CertificateAuthorityArn": ca}),
            )
            .await["Csr"]
            .as_str()
            .unwrap()
            .to_owned();
        let issued = self
            .pca_call(
                "IssueCertificate",
                json!({
                    "CertificateAuthorityArn": ca, "Csr": STANDARD.encode(&csr),
                    "SigningAlgorithm": signing,
                    "TemplateArn": "arn:aws:acm-pca:::template/RootCACertificate/V1",
                    "Validity": {"Type": "YEARS", "Value": 5},
                }),
            )
            .await;
        let got = self
            .pca_call(
                "GetCertificate",
                json!({"CertificateAuthorityArn": ca, "CertificateArn": issued["CertificateArn"]}),
            )
            .await;
        let pem = got["Certificate"].as_str().unwrap();
        self.pca_call(
            "ImportCertificateAuthorityCertificate",
            json!({"CertificateAuthorityArn": ca, "Certificate": STANDARD.encode(pem)}),
        )
        .await;
        ca
    }
}

/// A request context of the root user of `account`.
pub fn root_of(account: &str) -> RequestContext {
    RequestContext::new(
        Principal::root(AccountId::parse(account).unwrap(), "AKIAROOT"),
        Region::new("us-east-1"),
    )
}

/// A certificate and its key, PEM.
pub struct Made {
    pub cert_pem: String,
    pub key_pem: String,
    pub key: KeyPair,
    pub params: CertificateParams,
}

/// Certificate parameters for `cn` valid from `from_days` to `to_days` around now.
pub fn params(cn: &str, from_days: i64, to_days: i64) -> CertificateParams {
    let mut params = CertificateParams::new(vec![cn.to_owned(), format!("www.{cn}")]).unwrap();
    params.distinguished_name.push(DnType::CommonName, cn);
    params
        .distinguished_name
        .push(DnType::OrganizationName, "Rampart Tests");
    let now = OffsetDateTime::now_utc();
    params.not_before = now + Duration::days(from_days);
    params.not_after = now + Duration::days(to_days);
    params
}

/// A self-signed certificate with a new key of `alg`.
pub fn self_signed(cn: &str, alg: &'static rcgen::SignatureAlgorithm) -> Made {
    made(params(cn, -1, 90), alg, None)
}

/// A certificate from `params` with a new `alg` key, signed by `issuer` (or itself).
pub fn made(
    params: CertificateParams,
    alg: &'static rcgen::SignatureAlgorithm,
    issuer: Option<&Made>,
) -> Made {
    let key = KeyPair::generate_for(alg).unwrap();
    let cert = match issuer {
        Some(ca) => {
            let issuer = Issuer::from_params(&ca.params, &ca.key);
            params.signed_by(&key, &issuer).unwrap()
        }
        None => params.self_signed(&key).unwrap(),
    };
    Made {
        cert_pem: cert.pem(),
        key_pem: key.serialize_pem(),
        key,
        params,
    }
}

/// A CA certificate (basic constraints CA) for `cn`.
pub fn ca(cn: &str) -> Made {
    let mut p = params(cn, -1, 365);
    p.subject_alt_names.clear();
    p.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    made(p, &rcgen::PKCS_ECDSA_P256_SHA256, None)
}

/// The ImportCertificate body of `cert` with `key` (and `chain`).
pub fn import_body(cert: &str, key: &str, chain: Option<&str>) -> Value {
    let mut body =
        json!({"Certificate": STANDARD.encode(cert), "PrivateKey": STANDARD.encode(key)});
    if let Some(chain) = chain {
        body["CertificateChain"] = json!(STANDARD.encode(chain));
    }
    body
}
