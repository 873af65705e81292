//! Rampart's EMAIL validation approval page (a `rampart_codec::PublicRoute`, no SigV4):
//! `GET /_rampart/acm/approve/<token>` shows the domain awaiting approval and a form, and
//! `POST` to the same path approves it, as the "I Approve" button of AWS's mail does. The
//! token is found by its SHA-256; the domain's validation becomes SUCCESS in a
//! compare-and-swap write, and when every domain is validated the certificate is issued at
//! once (CAA checked, "ACM Certificate Available") through the lifecycle's validation step;
//! the spent token's row is removed in that write. An unknown, spent, replaced or timed-out
//! token answers 404.

use crate::record::CertRecord;
use crate::service::AcmService;
use crate::validation::dns::Lookup;
use crate::validation::email::{APPROVE_PATH, token_hash};
use crate::validation::progress::is_pending;
use rampart_codec::{BoxFuture, HttpRequest, HttpResponse, PublicHead, PublicRoute};
use rampart_store::Expect;
use std::sync::Arc;

/// Attempts at the compare-and-swap write.
const ATTEMPTS: usize = 8;

/// The route, over the service.
pub struct AcmApprovals(pub Arc<AcmService>);

impl PublicRoute for AcmApprovals {
    fn claims(&self, head: &PublicHead<'_>) -> bool {
        token_of(head.path).is_some() && matches!(head.method, "GET" | "POST")
    }

    fn max_body(&self) -> usize {
        1024
    }

    fn serve<'a>(&'a self, request: &'a HttpRequest<'a>) -> BoxFuture<'a, HttpResponse> {
        Box::pin(async move {
            let token = token_of(request.path).unwrap_or_default();
            let approve = request.method == "POST";
            match self.0.approval(token, approve).await {
                Ok(Some((domain, status))) => page(200, &approved_text(approve, &domain, &status)),
                Ok(None) => page(404, "This approval link is not valid or has expired."),
                Err(e) => {
                    tracing::error!(error = %e, "an ACM approval could not be stored");
                    page(500, "An internal error has occurred.")
                }
            }
        })
    }
}

/// The token of an approval path.
fn token_of(path: &str) -> Option<&str> {
    let token = path.strip_prefix(APPROVE_PATH)?;
    (token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit())).then_some(token)
}

/// The page's text after a GET (`approve` false) or POST.
fn approved_text(approve: bool, domain: &str, status: &str) -> String {
    if approve {
        format!("Approved: {domain}. The certificate is now {status}.")
    } else {
        format!(
            "Approve the certificate request for {domain}?</p><form method=\"post\">\
             <button type=\"submit\">I Approve</button></form><p>"
        )
    }
}

/// An HTML page with `text`.
fn page(status: u16, text: &str) -> HttpResponse {
    let body = format!(
        "<!DOCTYPE html><html><head><title>Certificate approval</title></head><body><p>{text}</p></body></html>"
    );
    HttpResponse {
        status,
        headers: vec![("content-type".into(), "text/html; charset=utf-8".into())],
        body: body.into_bytes(),
    }
}

impl AcmService {
    /// The domain and certificate status `token` names while pending; with `approve`, the
    /// domain approved first (and the certificate issued if it was the last).
    pub async fn approval(
        &self,
        token: &str,
        approve: bool,
    ) -> Result<Option<(String, String)>, String> {
        let hash = token_hash(token);
        let found = self.tables.approvals.get(&hash).await;
        let Some(approval) = found.map_err(|e| e.to_string())? else {
            return Ok(None);
        };
        let row = approval.value.certificate_row;
        for _ in 0..ATTEMPTS {
            let found = self.tables.certificates.get(&row).await;
            let Some(found) = found.map_err(|e| e.to_string())? else {
                return Ok(None);
            };
            let Some(domain) = pending_domain(&found.value, &hash) else {
                return Ok(None);
            };
            if !approve {
                return Ok(Some((domain, found.value.status)));
            }
            let Some(mut change) = self.approved(&found.value, &hash).await? else {
                return Ok(None);
            };
            // The token is spent: its row goes with the approval.
            change
                .1
                .push(self.tables.approvals.delete(&hash, Expect::Any));
            let status = change.0.status.clone();
            if self.write(&row, &found, change).await {
                return Ok(Some((domain, status)));
            }
        }
        Err("certificate writes kept conflicting".into())
    }

    /// `record` with the validation of `hash` SUCCESS, then one validation step (which
    /// issues it once all are); `None` if it timed out meanwhile.
    async fn approved(
        &self,
        record: &CertRecord,
        hash: &str,
    ) -> Result<Option<crate::validation::progress::Change>, String> {
        let mut next = record.clone();
        for check in &mut next.validations {
            if check.approval.as_deref() == Some(hash) {
                check.status = "SUCCESS".into();
            }
        }
        let lookup = Lookup::new(self.dns_resolver);
        let now = self.now_ms();
        match self.validation_step(&lookup, &next, now).await? {
            Some((after, _)) if after.status == "VALIDATION_TIMED_OUT" => Ok(None),
            Some(change) => Ok(Some(change)),
            None => Ok(Some((next, Vec::new()))),
        }
    }
}

/// The domain whose pending validation has approval `hash`, while the certificate waits.
fn pending_domain(record: &CertRecord, hash: &str) -> Option<String> {
    if !is_pending(record) {
        return None;
    }
    record
        .validations
        .iter()
        .find(|c| c.approval.as_deref() == Some(hash) && c.status == "PENDING_VALIDATION")
        .map(|c| c.domain_name.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_hex_tokens_of_the_approval_path_are_claimed() {
        let token = "ab".repeat(32);
        assert_eq!(
            token_of(&format!("{APPROVE_PATH}{token}")),
            Some(token.as_str())
        );
        assert_eq!(token_of(&format!("{APPROVE_PATH}{token}/x")), None);
        assert_eq!(
            token_of(&format!("{APPROVE_PATH}{}", "zz".repeat(32))),
            None
        );
        assert_eq!(token_of("/other"), None);
    }
}
