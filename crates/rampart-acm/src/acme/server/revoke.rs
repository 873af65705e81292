//! revokeCert (RFC 8555 section 7.6) by the account that ordered the certificate: the ACM
//! certificate becomes REVOKED with the reason given (RFC 5280 codes as ACM's names).
//! Revocation signed by the certificate's own key is refused (not supported here).

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
    /// revokeCert signed by an account.
    pub(crate) async fn revoke_by_account(
        &self,
        call: &Call<'_>,
        signed: &Signed,
    ) -> Result<Reply, Problem> {
        let payload: Revoke = signed.jws.json()?;
        let reason = reason_name(payload.reason.unwrap_or(0)).ok_or_else(|| Problem {
            kind: "badRevocationReason",
            detail: "The reason code is not one RFC 5280 defines.".to_owned(),
            status: 400,
        })?;
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
        if found.status == "REVOKED" {
            return Err(Problem::already_revoked());
        }
        let mut record = found;
        record.status = "REVOKED".to_owned();
        record.revoked = Some((reason.to_owned(), self.now_ms()));
        let put = self
            .tables
            .certificates
            .put(&row, &record, Expect::Version(version));
        self.acme_commit(vec![put]).await?;
        Ok(Reply::json(200, &Value::Null).without_body())
    }

    /// revokeCert signed by the certificate's key: not supported.
    pub(crate) async fn revoke_by_key(
        &self,
        _call: &Call<'_>,
        _jws: &Jws,
    ) -> Result<Reply, Problem> {
        Err(Problem::unauthorized(
            "Revoke with the account that ordered the certificate (kid).",
        ))
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
