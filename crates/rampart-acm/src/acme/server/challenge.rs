//! Authorizations and their challenges (RFC 8555 sections 7.5, 8.3, 8.4). A POST to a
//! challenge validates it at once, for real: http-01 fetches
//! `http://<domain>:<port>/.well-known/acme-challenge/<token>` (port 80 unless the server is
//! configured otherwise, for tests) and wants the key authorization; dns-01 asks the
//! configured resolver for the TXT records of `_acme-challenge.<domain>` and wants the
//! base64url SHA-256 of it. A failed challenge makes the authorization invalid.
//! Prevalidated domains (VALID domain validations of the endpoint, within their DomainScope)
//! need no challenge.

use super::order::rfc3339;
use super::request::Signed;
use super::{Call, Reply, segment};
use crate::AcmService;
use crate::acme::jws::thumbprint;
use crate::acme::problem::Problem;
use crate::acme::rows::scan_all;
use crate::acme::state::AuthzRecord;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rampart_store::Expect;
use serde_json::{Value, json};

/// The authorization object.
fn authz_json(call: &Call<'_>, authz: &AuthzRecord) -> Value {
    let mut out = json!({
        "status": authz.status,
        "expires": rfc3339(authz.expires_ms),
        "identifier": {"type": "dns", "value": authz.domain},
        "challenges": authz.challenges.iter()
            .map(|c| challenge_json(call, authz, &c.kind)).collect::<Vec<_>>(),
    });
    if authz.wildcard {
        out["wildcard"] = json!(true);
    }
    out
}

/// The challenge object of `kind`.
fn challenge_json(call: &Call<'_>, authz: &AuthzRecord, kind: &str) -> Value {
    let Some(c) = authz.challenges.iter().find(|c| c.kind == kind) else {
        return Value::Null;
    };
    let mut out = json!({
        "type": c.kind,
        "url": format!("{}/chall/{}/{}", call.base, authz.id, c.kind),
        "status": c.status,
        "token": c.token,
    });
    if let Some(at) = c.validated_ms {
        out["validated"] = json!(rfc3339(at));
    }
    if let Some((kind, detail)) = &c.error {
        out["error"] =
            json!({"type": format!("urn:ietf:params:acme:error:{kind}"), "detail": detail});
    }
    out
}

impl AcmService {
    /// The account's authorization `id`, with its version.
    async fn load_authz(
        &self,
        call: &Call<'_>,
        signed: &Signed,
        id: &str,
    ) -> Result<(AuthzRecord, u64), Problem> {
        let row = format!("{}{id}", call.endpoint.child_prefix());
        let found = self.acme_server.authzs.get(&row).await;
        let found = found.map_err(|_| Problem::server_internal())?;
        let found = found.ok_or_else(Problem::not_found)?;
        if found.value.account_id != signed.account.id {
            return Err(Problem::unauthorized(
                "The authorization is another account's.",
            ));
        }
        if found.value.expires_ms <= self.now_ms() {
            return Err(Problem::malformed("The authorization has expired."));
        }
        Ok((found.value, found.version))
    }

    /// POST-as-GET of an authorization.
    pub(crate) async fn authz_get(
        &self,
        call: &Call<'_>,
        signed: &Signed,
        id: &str,
    ) -> Result<Reply, Problem> {
        let (authz, _) = self.load_authz(call, signed, id).await?;
        Ok(Reply::json(200, &authz_json(call, &authz)))
    }

    /// POST to a challenge (`<authz id>/<type>`): validates it.
    pub(crate) async fn challenge_post(
        &self,
        call: &Call<'_>,
        signed: &Signed,
        rest: &str,
    ) -> Result<Reply, Problem> {
        let (id, kind) = rest.split_once('/').ok_or_else(Problem::not_found)?;
        segment(&format!("/{id}"), "/").ok_or_else(Problem::not_found)?;
        let (mut authz, version) = self.load_authz(call, signed, id).await?;
        let index = authz.challenges.iter().position(|c| c.kind == kind);
        let index = index.ok_or_else(Problem::not_found)?;
        if authz.status == "pending" && authz.challenges[index].status == "pending" {
            let jwk: Value = serde_json::from_str(&signed.account.jwk)
                .map_err(|_| Problem::server_internal())?;
            let key_authz = format!("{}.{}", authz.challenges[index].token, thumbprint(&jwk)?);
            let outcome = self.validate(kind, &authz.domain, &key_authz).await;
            let now = self.now_ms();
            let challenge = &mut authz.challenges[index];
            match outcome {
                Ok(()) => {
                    challenge.status = "valid".to_owned();
                    challenge.validated_ms = Some(now);
                    authz.status = "valid".to_owned();
                }
                Err(problem) => {
                    challenge.status = "invalid".to_owned();
                    challenge.error = Some((problem.kind.to_owned(), problem.detail));
                    authz.status = "invalid".to_owned();
                }
            }
            let row = format!("{}{id}", call.endpoint.child_prefix());
            let put = self
                .acme_server
                .authzs
                .put(&row, &authz, Expect::Version(version));
            self.acme_commit(vec![put]).await?;
        }
        let up = format!("<{}/authz/{id}>;rel=\"up\"", call.base);
        let mut reply = Reply::json(200, &challenge_json(call, &authz, kind));
        reply.link = Some(up);
        Ok(reply)
    }

    /// Validates one challenge of `domain`.
    async fn validate(&self, kind: &str, domain: &str, key_authz: &str) -> Result<(), Problem> {
        match kind {
            "http-01" => {
                let token = key_authz.split('.').next().unwrap_or_default();
                let resolver = self.dns_resolver;
                let resolve = |host: String| async move {
                    let lookup = crate::validation::dns::Lookup::new(resolver);
                    lookup.addresses(&host).await
                };
                let port = self.http01_port;
                let body = crate::acme::fetch::http_get(resolve, domain, port, token).await?;
                if body.trim_end() == key_authz {
                    Ok(())
                } else {
                    Err(Problem::incorrect_response(
                        "The http-01 response is not the key authorization.",
                    ))
                }
            }
            "dns-01" => {
                let digest =
                    aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, key_authz.as_bytes());
                let wanted = URL_SAFE_NO_PAD.encode(digest.as_ref());
                let lookup = crate::validation::dns::Lookup::new(self.dns_resolver);
                let name = format!("_acme-challenge.{domain}.");
                if lookup.txt_values(&name).await.contains(&wanted) {
                    Ok(())
                } else {
                    Err(Problem::incorrect_response(format!(
                        "No TXT record of {name} holds the expected value."
                    )))
                }
            }
            _ => Err(Problem::not_found()),
        }
    }

    /// Whether a VALID domain validation of the endpoint covers `domain` (as a wildcard when
    /// `wildcard`): the domain itself with ExactDomain, a subdomain with Subdomains, a
    /// wildcard with Wildcards.
    pub(crate) async fn prevalidated(
        &self,
        call: &Call<'_>,
        domain: &str,
        wildcard: bool,
    ) -> Result<bool, Problem> {
        let rows = scan_all(&self.acme.domains, &call.endpoint.child_prefix()).await;
        let rows = rows.map_err(|_| Problem::server_internal())?;
        let enabled = |o: &Option<String>| o.as_deref() == Some("ENABLED");
        Ok(rows.iter().any(|(_, v)| {
            let base = &v.domain_name;
            v.status == "VALID"
                && if wildcard {
                    enabled(&v.scope.wildcards)
                        && (domain == base || domain.ends_with(&format!(".{base}")))
                } else if domain == base {
                    v.scope.exact_domain.is_none() || enabled(&v.scope.exact_domain)
                } else {
                    enabled(&v.scope.subdomains) && domain.ends_with(&format!(".{base}"))
                }
        }))
    }
}
