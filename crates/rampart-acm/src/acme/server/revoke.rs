//! revokeCert (RFC 8555 section 7.6), signed by the account that ordered the certificate or
//! by the certificate's own key (the JWK compared with the certificate's public key): the ACM
//! certificate becomes REVOKED with the reason given (RFC 5280 codes as ACM's names).

use super::request::Signed;
use super::{Call, Reply};
use crate::AcmService;
use crate::acme::jws::{Jws, b64};
use crate::acme::problem::Problem;
use crate::record::CertRecord;
use rampart_store::Expect;
use serde::Deserialize;
use serde_json::Value;

/// The revokeCert payload.
#[derive(Debug, Deserialize)]
struct Revoke {
    certificate: String,
    #[serde(default)]
    reason: Option<u8>,
}

/// ACM's name of an RFC 5280 reason code.
fn reason_name(code: u8) -> Option<&'static str> {
    Some(match code {
        0 => "UNSPECIFIED",
        1 => "KEY_COMPROMISE",
        2 => "CA_COMPROMISE",
        3 => "AFFILIATION_CHANGED",
        4 => "SUPERSEDED",
        5 => "CESSATION_OF_OPERATION",
        6 => "CERTIFICATE_HOLD",
        8 => "REMOVE_FROM_CRL",
        9 => "PRIVILEGE_WITHDRAWN",
        10 => "A_A_COMPROMISE",
        _ => return None,
    })
}

impl AcmService {
    /// revokeCert signed by an account: the one that ordered the certificate.
    pub(crate) async fn revoke_by_account(
        &self,
        call: &Call<'_>,
        signed: &Signed,
    ) -> Result<Reply, Problem> {
        let payload: Revoke = signed.jws.json()?;
        let der = b64(&payload.certificate)?;
        let (row, found, version) = self.acme_certificate(call, &der).await?;
        let ours = found.acme.as_ref().is_some_and(|(endpoint, account)| {
            *endpoint == call.endpoint.arn && *account == signed.account.id
        });
        if !ours {
            return Err(Problem::unauthorized(
                "The certificate was not issued to this account.",
            ));
        }
        self.check_binding_role(call, &signed.account, "acm:RevokeCertificate", &found.arn)
            .await?;
        self.mark_revoked(&row, found, version, payload.reason)
            .await
    }

    /// revokeCert signed by the certificate's own key (`jwk`).
    pub(crate) async fn revoke_by_key(&self, call: &Call<'_>, jws: &Jws) -> Result<Reply, Problem> {
        let jwk = jws.protected.jwk.clone();
        let jwk = jwk.ok_or_else(|| Problem::malformed("The JWS must carry a jwk."))?;
        jws.verify(&jwk)?;
        let payload: Revoke = jws.json()?;
        let der = b64(&payload.certificate)?;
        let (row, found, version) = self.acme_certificate(call, &der).await?;
        let from_here = found
            .acme
            .as_ref()
            .is_some_and(|(endpoint, _)| *endpoint == call.endpoint.arn);
        if !from_here || !key_matches(&der, &jwk) {
            return Err(Problem::unauthorized(
                "The JWS key is not the certificate's key.",
            ));
        }
        self.mark_revoked(&row, found, version, payload.reason)
            .await
    }

    /// Marks the certificate row REVOKED with the reason of RFC 5280 code `code` (0 if none).
    async fn mark_revoked(
        &self,
        row: &str,
        mut record: CertRecord,
        version: u64,
        code: Option<u8>,
    ) -> Result<Reply, Problem> {
        let reason = reason_name(code.unwrap_or(0)).ok_or_else(|| Problem {
            kind: "badRevocationReason",
            detail: "The reason code is not one RFC 5280 defines.".to_owned(),
            status: 400,
        })?;
        if record.status == "REVOKED" {
            return Err(Problem::already_revoked());
        }
        record.status = "REVOKED".to_owned();
        record.revoked = Some((reason.to_owned(), self.now_ms()));
        let put = self
            .tables
            .certificates
            .put(row, &record, Expect::Version(version));
        self.acme_commit(vec![put]).await?;
        Ok(Reply::json(200, &Value::Null).without_body())
    }

    /// The ACM certificate of the endpoint's scope whose DER is `der`: row, record, version.
    async fn acme_certificate(
        &self,
        call: &Call<'_>,
        der: &[u8],
    ) -> Result<(String, CertRecord, u64), Problem> {
        let prefix = call.endpoint.scope.prefix();
        let rows = crate::acme::rows::scan_all(&self.tables.certificates, &prefix).await;
        let rows = rows.map_err(|_| Problem::server_internal())?;
        for (row, record) in rows {
            let Some(pem) = record.certificate_pem.as_deref() else {
                continue;
            };
            let ders = crate::facts::pem_certificates(pem.as_bytes()).unwrap_or_default();
            if ders.first().is_some_and(|d| d.as_slice() == der) {
                let found = self.tables.certificates.get(&row).await;
                let found = found.map_err(|_| Problem::server_internal())?;
                let found = found.ok_or_else(Problem::not_found)?;
                return Ok((row, found.value, found.version));
            }
        }
        Err(Problem::unauthorized(
            "No certificate of this endpoint matches.",
        ))
    }
}

/// Whether the JWK is the public key of the certificate `der` (RSA modulus and exponent, or
/// the EC point).
fn key_matches(der: &[u8], jwk: &Value) -> bool {
    use x509_parser::public_key::PublicKey;
    let Ok((_, cert)) = x509_parser::parse_x509_certificate(der) else {
        return false;
    };
    let member = |name: &str| {
        jwk.get(name)
            .and_then(Value::as_str)
            .and_then(|v| b64(v).ok())
            .unwrap_or_default()
    };
    let trim =
        |bytes: &[u8]| -> Vec<u8> { bytes.iter().copied().skip_while(|b| *b == 0).collect() };
    match cert.public_key().parsed() {
        Ok(PublicKey::RSA(rsa)) => {
            trim(rsa.modulus) == trim(&member("n")) && trim(rsa.exponent) == trim(&member("e"))
        }
        Ok(PublicKey::EC(point)) => {
            let mut wanted = vec![4u8];
            wanted.extend(member("x"));
            wanted.extend(member("y"));
            point.data() == wanted.as_slice()
        }
        _ => false,
    }
}
