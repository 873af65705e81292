//! The OCSP responder of Rampart's CAs: the request's issuer found by its key hash, the
//! certificate by its serial number; `unauthorized` for an issuer Rampart does not answer for
//! (unknown, of another Region than the endpoint's, OCSP not enabled, no certificate yet),
//! `malformedRequest` for what is not an OCSP request. Revocations show at once.

use super::index::{self, KeyHash};
use super::request::{self, Query};
use super::response::{self, Status};
use crate::AcmPcaService;
use crate::crl::Revocation;
use crate::issuer::{self, Issuer};
use crate::record::{ca_row, cert_row};
use rampart_store::StoreError;

impl AcmPcaService {
    /// The DER OCSP response to the DER request `der` sent to the responder of `region` (any
    /// Region's CAs through a custom CNAME: `None`).
    pub async fn answer_ocsp(&self, der: &[u8], region: Option<&str>) -> Vec<u8> {
        let Ok(query) = request::decode(der) else {
            return response::malformed();
        };
        match self.respond(&query, region).await {
            Ok(answer) => answer,
            Err(err) => {
                tracing::error!(error = %err, "ACM PCA OCSP storage failure");
                response::internal_error()
            }
        }
    }

    async fn respond(&self, query: &Query, region: Option<&str>) -> Result<Vec<u8>, StoreError> {
        let Some(alg) = query.hash else {
            return Ok(response::unauthorized());
        };
        let key_hash = query.cert_id.issuer_key_hash.as_bytes();
        let Some(entry) = index::find(&self.store, alg, key_hash).await? else {
            return Ok(response::unauthorized());
        };
        let row = ca_row(&entry.account, &entry.region, &entry.id);
        let Some(found) = self.tables.authorities.get(&row).await? else {
            return Ok(response::unauthorized());
        };
        let now_ms = self.now_ms();
        let mut record = found.value;
        record.expire_at(now_ms);
        let serving = matches!(record.status.as_str(), "ACTIVE" | "DISABLED" | "EXPIRED")
            && Revocation::of_record(record.revocation.as_ref())
                .ocsp
                .is_some()
            && region.is_none_or(|r| r == entry.region);
        let Some(issuer) = issuer::of(&record).ok().filter(|_| serving) else {
            return Ok(response::unauthorized());
        };
        let status = self.status_of(&entry.id, query, &issuer, alg).await?;
        let signed = issuer::open_key(&self.domain, &record)
            .ok()
            .and_then(|(key, signing)| {
                response::signed(query, &status, now_ms, &issuer.key_bits, &key, &signing).ok()
            });
        Ok(signed.unwrap_or_else(|| {
            tracing::error!(ca = %record.arn, "ACM PCA could not sign an OCSP response");
            response::internal_error()
        }))
    }

    /// The status of the certificate `query` asks about, of CA `ca_id`.
    async fn status_of(
        &self,
        ca_id: &str,
        query: &Query,
        issuer: &Issuer,
        alg: KeyHash,
    ) -> Result<Status, StoreError> {
        let name_hash = match alg {
            KeyHash::Sha1 => issuer::sha1(&issuer.name_der),
            KeyHash::Sha256 => issuer::sha256(&issuer.name_der),
        };
        let Some(cert_id) = request::certificate_id(query) else {
            return Ok(Status::Unknown);
        };
        if query.cert_id.issuer_name_hash.as_bytes() != name_hash.as_slice() {
            return Ok(Status::Unknown);
        }
        let found = self
            .tables
            .certificates
            .get(&cert_row(ca_id, &cert_id))
            .await?;
        Ok(match found.map(|f| f.value.revoked) {
            None => Status::Unknown,
            Some(None) => Status::Good,
            Some(Some((reason, at_ms))) => Status::Revoked { at_ms, reason },
        })
    }
}
