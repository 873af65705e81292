//! Finalizing an order (RFC 8555 section 7.4): the CSR (its signature checked by rcgen over
//! x509-parser) must name exactly the order's identifiers, with a key the endpoint allows
//! (RSA 2048, EC P-256 or P-384, as ACM's public certificates); the certificate is issued at
//! once from Rampart's public hierarchy and stored as an ACM certificate. The certificate
//! URL serves leaf, intermediate and root as `application/pem-certificate-chain`.

use super::order::{order_json, order_status};
use super::request::Signed;
use super::{Call, Reply};
use crate::AcmService;
use crate::acme::jws::b64;
use crate::acme::problem::Problem;
use crate::facts;
use crate::issuer::{self, Family};
use crate::record::CertRecord;
use rampart_core::Scope;
use rampart_store::Expect;
use rcgen::{CertificateSigningRequestParams, DnType, DnValue, SanType};
use serde::Deserialize;

/// ACM's public key algorithms.
const PUBLIC_KEYS: &[&str] = &["RSA_2048", "EC_prime256v1", "EC_secp384r1"];

/// The finalize payload.
#[derive(Debug, Deserialize)]
struct Finalize {
    csr: String,
}

/// The DNS names a CSR requests (subject CN and SANs), lower-case, sorted, unique.
fn csr_names(csr: &CertificateSigningRequestParams) -> Result<Vec<String>, Problem> {
    let mut names = Vec::new();
    for san in &csr.params.subject_alt_names {
        match san {
            SanType::DnsName(name) => names.push(name.as_str().to_ascii_lowercase()),
            _ => return Err(Problem::bad_csr("The CSR may name DNS names only.")),
        }
    }
    let cn = match csr.params.distinguished_name.get(&DnType::CommonName) {
        Some(DnValue::Utf8String(s)) => Some(s.clone()),
        Some(DnValue::PrintableString(s)) => Some(s.as_str().to_owned()),
        Some(DnValue::Ia5String(s)) => Some(s.as_str().to_owned()),
        _ => None,
    };
    names.extend(cn.map(|cn| cn.to_ascii_lowercase()));
    names.sort();
    names.dedup();
    Ok(names)
}

impl AcmService {
    /// finalize.
    pub(crate) async fn finalize(
        &self,
        call: &Call<'_>,
        signed: &Signed,
        id: &str,
    ) -> Result<Reply, Problem> {
        let (mut order, version) = self.load_order(call, signed, id).await?;
        let authzs = self.order_authzs(call, &order).await?;
        if order.status != "pending" && order.status != "ready" || order_status(&authzs) != "ready"
        {
            return Err(Problem::order_not_ready());
        }
        let payload: Finalize = signed.jws.json()?;
        let der = b64(&payload.csr)?;
        let csr = CertificateSigningRequestParams::from_der(&der.into())
            .map_err(|_| Problem::bad_csr("The CSR cannot be read or its signature fails."))?;
        let mut wanted = order.identifiers.clone();
        wanted.sort();
        if csr_names(&csr)? != wanted {
            return Err(Problem::bad_csr(
                "The CSR must name exactly the order's identifiers.",
            ));
        }
        let arn = crate::service::new_cert_in(&call.endpoint.scope).arn;
        self.check_binding_role(call, &signed.account, "acm:RequestCertificate", &arn)
            .await?;
        let account = &signed.account.id;
        let record = self
            .issue_acme(call, &csr, (&order.identifiers, arn), account)
            .await?;
        order.status = "valid".to_owned();
        order.certificate_arn = Some(record.arn.clone());
        let cert_row = Scope::new(&call.endpoint.scope.account, &call.endpoint.scope.region)
            .row(record.arn.rsplit('/').next().unwrap_or_default());
        let row = format!("{}{}", call.endpoint.child_prefix(), order.id);
        self.acme_commit(vec![
            self.tables
                .certificates
                .put(&cert_row, &record, Expect::Absent),
            self.acme_server
                .orders
                .put(&row, &order, Expect::Version(version)),
        ])
        .await?;
        let location = format!("{}/order/{}", call.base, order.id);
        Ok(Reply::json(200, &order_json(call, &order)).at(location))
    }

    /// Issues the CSR's key a certificate for `names` under `arn` and returns its ACM record.
    async fn issue_acme(
        &self,
        call: &Call<'_>,
        csr: &CertificateSigningRequestParams,
        (names, arn): (&[String], String),
        account_id: &str,
    ) -> Result<CertRecord, Problem> {
        let now_ms = self.now_ms();
        let now = time::OffsetDateTime::from_unix_timestamp(now_ms.div_euclid(1000))
            .map_err(|_| Problem::server_internal())?;
        let family = if is_ec(csr) { Family::Ec } else { Family::Rsa };
        let hierarchy = issuer::hierarchy(&self.store, &self.domain, family, now)
            .await
            .map_err(|_| Problem::server_internal())?;
        let (leaf, chain) = issuer::issue_for_key(
            &self.domain,
            &hierarchy,
            names,
            family,
            &csr.public_key,
            now,
        )
        .map_err(|_| Problem::server_internal())?;
        let ders =
            facts::pem_certificates(leaf.as_bytes()).map_err(|_| Problem::server_internal())?;
        let der = ders.first().ok_or_else(Problem::server_internal)?;
        let cert = facts::parse(der).map_err(|_| Problem::server_internal())?;
        let found = facts::facts_of(&cert).ok_or_else(Problem::server_internal)?;
        let allowed = &call.record.allowed_key_algorithms;
        let key_ok = PUBLIC_KEYS.contains(&found.key_algorithm.as_str())
            && (allowed.is_empty() || allowed.contains(&found.key_algorithm));
        if !key_ok {
            return Err(Problem::bad_csr(format!(
                "This endpoint does not issue for {} keys.",
                found.key_algorithm
            )));
        }
        let owner = (call.endpoint.arn.clone(), account_id.to_owned());
        let tags = call.record.certificate_tags.clone();
        Ok(acme_record(
            arn,
            names,
            found,
            (leaf, chain),
            now_ms,
            owner,
            tags,
        ))
    }

    /// POST-as-GET of an order's certificate: the PEM chain.
    pub(crate) async fn certificate_get(
        &self,
        call: &Call<'_>,
        signed: &Signed,
        id: &str,
    ) -> Result<Reply, Problem> {
        let (order, _) = self.load_order(call, signed, id).await?;
        let arn = order.certificate_arn.ok_or_else(Problem::not_found)?;
        let cert = crate::service::cert_ref(&arn).map_err(|_| Problem::server_internal())?;
        let found = self.tables.certificates.get(&cert.row()).await;
        let record = found
            .map_err(|_| Problem::server_internal())?
            .ok_or_else(Problem::not_found)?
            .value;
        let leaf = record.certificate_pem.unwrap_or_default();
        let chain = record.chain_pem.unwrap_or_default();
        Ok(Reply {
            status: 200,
            location: None,
            content_type: "application/pem-certificate-chain",
            body: format!("{leaf}{chain}").into_bytes(),
            link: None,
        })
    }
}

/// Whether the CSR's key is an EC key.
fn is_ec(csr: &CertificateSigningRequestParams) -> bool {
    use rcgen::PublicKeyData;
    use x509_parser::prelude::FromDer;
    let spki = csr.public_key.subject_public_key_info();
    x509_parser::x509::SubjectPublicKeyInfo::from_der(&spki).is_ok_and(|(_, info)| {
        info.algorithm.algorithm == x509_parser::oid_registry::OID_KEY_TYPE_EC_PUBLIC_KEY
    })
}

/// The ACM certificate row of a certificate an ACME endpoint issued (no private key: the
/// client holds it).
fn acme_record(
    arn: String,
    names: &[String],
    found: crate::record::CertFacts,
    (leaf, chain): (String, String),
    now_ms: i64,
    owner: (String, String),
    tags: Vec<(String, String)>,
) -> CertRecord {
    CertRecord {
        arn,
        cert_type: "AMAZON_ISSUED".to_owned(),
        status: "ISSUED".to_owned(),
        failure_reason: None,
        domain_name: names.first().cloned().unwrap_or_default(),
        sans: names.to_vec(),
        key_algorithm: found.key_algorithm.clone(),
        certificate_pem: Some(leaf),
        chain_pem: Some(chain),
        facts: Some(found),
        sealed_key: None,
        created_ms: now_ms,
        imported_ms: None,
        issued_ms: Some(now_ms),
        ca_arn: None,
        export_option: "DISABLED".to_owned(),
        transparency: "ENABLED".to_owned(),
        exported: false,
        validations: Vec::new(),
        validation_started_ms: None,
        revoked: None,
        renewal: None,
        tags,
        expiry_event_day: None,
        expired_event_sent: false,
        acme: Some(owner),
    }
}
