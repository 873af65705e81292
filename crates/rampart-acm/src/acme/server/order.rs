//! Orders (RFC 8555 sections 7.4, 7.4.2): newOrder makes one authorization per DNS
//! identifier (already valid when a VALID domain validation of the endpoint covers it, as
//! ACM's prevalidated domains do), the order is `ready` once every authorization is valid,
//! finalize takes a CSR naming exactly the order's identifiers with a key the endpoint
//! allows and issues from Rampart's public hierarchy at once (the certificate becomes an
//! ACM certificate, listed like any other, with the endpoint's CertificateTags), and the
//! certificate URL serves the PEM chain.

use super::request::Signed;
use super::{Call, Reply};
use crate::AcmService;
use crate::acme::problem::Problem;
use crate::acme::state::{AuthzRecord, ChallengeRecord, ORDER_TTL_MS, OrderRecord};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rampart_store::Expect;
use serde::Deserialize;
use serde_json::{Value, json};

/// The most identifiers an order may name (ACM's names per certificate).
const MAX_IDENTIFIERS: usize = 10;

/// An identifier of a newOrder payload.
#[derive(Debug, Deserialize)]
struct Identifier {
    #[serde(rename = "type")]
    kind: String,
    value: String,
}

/// The newOrder payload.
#[derive(Debug, Deserialize)]
struct NewOrder {
    identifiers: Vec<Identifier>,
}

/// An RFC 3339 time of epoch milliseconds.
pub fn rfc3339(ms: i64) -> String {
    let at = time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000));
    at.ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// Whether `name` is a DNS name ACM issues for (lower-case labels, optionally `*.` first).
fn dns_name(name: &str) -> bool {
    let base = name.strip_prefix("*.").unwrap_or(name);
    base.contains('.') && crate::acme::names::is_domain(base)
}

/// The order's DNS names, lower-case and unique; other identifiers are refused.
fn order_names(payload: NewOrder) -> Result<Vec<String>, Problem> {
    let mut names: Vec<String> = Vec::new();
    for identifier in payload.identifiers {
        let value = identifier.value.to_ascii_lowercase();
        if identifier.kind != "dns" || !dns_name(&value) {
            return Err(Problem::rejected_identifier(format!(
                "The identifier {} is not a DNS name this endpoint issues for.",
                identifier.value
            )));
        }
        if !names.contains(&value) {
            names.push(value);
        }
    }
    if names.is_empty() || names.len() > MAX_IDENTIFIERS {
        return Err(Problem::rejected_identifier(
            "An order names from 1 to 10 DNS identifiers.",
        ));
    }
    Ok(names)
}

/// A random challenge token (128 bits, base64url).
fn token() -> Result<String, Problem> {
    let mut bytes = [0u8; 16];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| Problem::server_internal())?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// The order object.
pub fn order_json(call: &Call<'_>, order: &OrderRecord) -> Value {
    let base = &call.base;
    let mut out = json!({
        "status": order.status,
        "expires": rfc3339(order.expires_ms),
        "identifiers": order.identifiers.iter()
            .map(|v| json!({"type": "dns", "value": v})).collect::<Vec<_>>(),
        "authorizations": order.authz_ids.iter()
            .map(|id| format!("{base}/authz/{id}")).collect::<Vec<_>>(),
        "finalize": format!("{base}/order/{}/finalize", order.id),
    });
    if order.certificate_arn.is_some() {
        out["certificate"] = json!(format!("{base}/cert/{}", order.id));
    }
    if let Some((kind, detail)) = &order.error {
        out["error"] =
            json!({"type": format!("urn:ietf:params:acme:error:{kind}"), "detail": detail});
    }
    out
}

impl AcmService {
    /// newOrder.
    pub(crate) async fn new_order(
        &self,
        call: &Call<'_>,
        signed: &Signed,
    ) -> Result<Reply, Problem> {
        let payload: NewOrder = signed.jws.json()?;
        let names = order_names(payload)?;
        let now = self.now_ms();
        let prefix = call.endpoint.child_prefix();
        let mut authzs = Vec::new();
        for name in &names {
            authzs.push(self.new_authz(call, &signed.account.id, name, now).await?);
        }
        let order = OrderRecord {
            id: uuid::Uuid::new_v4().simple().to_string(),
            account_id: signed.account.id.clone(),
            status: order_status(&authzs).to_owned(),
            identifiers: names,
            authz_ids: authzs.iter().map(|a| a.id.clone()).collect(),
            expires_ms: now + ORDER_TTL_MS,
            certificate_arn: None,
            error: None,
        };
        let orders = &self.acme_server.orders;
        let mut writes = vec![orders.put(&format!("{prefix}{}", order.id), &order, Expect::Absent)];
        for authz in &authzs {
            let row = format!("{prefix}{}", authz.id);
            writes.push(self.acme_server.authzs.put(&row, authz, Expect::Absent));
        }
        self.acme_commit(writes).await?;
        let location = format!("{}/order/{}", call.base, order.id);
        Ok(Reply::json(201, &order_json(call, &order)).at(location))
    }

    /// An authorization for `name`: valid at once when prevalidated, else pending with
    /// http-01 (not for wildcards) and dns-01 challenges.
    async fn new_authz(
        &self,
        call: &Call<'_>,
        account_id: &str,
        name: &str,
        now: i64,
    ) -> Result<AuthzRecord, Problem> {
        let wildcard = name.starts_with("*.");
        let domain = name.trim_start_matches("*.").to_owned();
        let prevalidated = self.prevalidated(call, &domain, wildcard).await?;
        let kinds: &[&str] = if wildcard {
            &["dns-01"]
        } else {
            &["http-01", "dns-01"]
        };
        let mut challenges = Vec::new();
        for kind in kinds {
            challenges.push(ChallengeRecord {
                kind: (*kind).to_owned(),
                token: token()?,
                status: "pending".to_owned(),
                validated_ms: None,
                error: None,
            });
        }
        Ok(AuthzRecord {
            id: uuid::Uuid::new_v4().simple().to_string(),
            account_id: account_id.to_owned(),
            domain,
            wildcard,
            status: if prevalidated { "valid" } else { "pending" }.to_owned(),
            expires_ms: now + ORDER_TTL_MS,
            challenges,
        })
    }

    /// Commits ACME server writes.
    pub(crate) async fn acme_commit(
        &self,
        writes: Vec<Result<rampart_store::Write, rampart_store::StoreError>>,
    ) -> Result<(), Problem> {
        let writes: Result<Vec<_>, _> = writes.into_iter().collect();
        let writes = writes.map_err(|_| Problem::server_internal())?;
        self.store.transact(writes).await.map_err(|e| {
            tracing::error!(error = %e, "ACME storage failure");
            Problem::server_internal()
        })
    }

    /// The account's order `id`.
    pub(crate) async fn load_order(
        &self,
        call: &Call<'_>,
        signed: &Signed,
        id: &str,
    ) -> Result<(OrderRecord, u64), Problem> {
        let row = format!("{}{id}", call.endpoint.child_prefix());
        let found = self.acme_server.orders.get(&row).await;
        let found = found.map_err(|_| Problem::server_internal())?;
        let found = found.ok_or_else(Problem::not_found)?;
        if found.value.account_id != signed.account.id {
            return Err(Problem::unauthorized("The order is another account's."));
        }
        let done = found.value.status == "valid";
        if !done && found.value.expires_ms <= self.now_ms() {
            return Err(Problem::malformed("The order has expired."));
        }
        Ok((found.value, found.version))
    }

    /// POST-as-GET of an order, its status brought up to date with its authorizations.
    pub(crate) async fn order_get(
        &self,
        call: &Call<'_>,
        signed: &Signed,
        id: &str,
    ) -> Result<Reply, Problem> {
        let (mut order, _) = self.load_order(call, signed, id).await?;
        if order.status == "pending" {
            let authzs = self.order_authzs(call, &order).await?;
            order.status = order_status(&authzs).to_owned();
        }
        Ok(Reply::json(200, &order_json(call, &order)))
    }

    /// The authorizations of an order.
    pub(crate) async fn order_authzs(
        &self,
        call: &Call<'_>,
        order: &OrderRecord,
    ) -> Result<Vec<AuthzRecord>, Problem> {
        let prefix = call.endpoint.child_prefix();
        let rows: Vec<String> = order
            .authz_ids
            .iter()
            .map(|id| format!("{prefix}{id}"))
            .collect();
        let found = self.acme_server.authzs.get_many(&rows).await;
        let found = found.map_err(|_| Problem::server_internal())?;
        Ok(found.into_iter().flatten().map(|f| f.value).collect())
    }
}

/// An order's status from its authorizations.
pub fn order_status(authzs: &[AuthzRecord]) -> &'static str {
    if authzs.iter().any(|a| a.status == "invalid") {
        "invalid"
    } else if authzs.iter().all(|a| a.status == "valid") {
        "ready"
    } else {
        "pending"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn authz(status: &str) -> AuthzRecord {
        AuthzRecord {
            id: "a".into(),
            account_id: "x".into(),
            domain: "example.com".into(),
            wildcard: false,
            status: status.into(),
            expires_ms: 0,
            challenges: Vec::new(),
        }
    }

    #[test]
    fn orders_are_ready_when_every_authorization_is_valid() {
        assert_eq!(order_status(&[authz("valid"), authz("valid")]), "ready");
        assert_eq!(order_status(&[authz("valid"), authz("pending")]), "pending");
        assert_eq!(
            order_status(&[authz("pending"), authz("invalid")]),
            "invalid"
        );
    }

    #[test]
    fn identifiers_are_lower_case_dns_names_with_a_dot() {
        assert!(dns_name("app.example.com"));
        assert!(dns_name("*.example.com"));
        assert!(!dns_name("localhost"));
        assert!(!dns_name("App.example.com"));
        assert!(!dns_name("a..b"));
        assert!(!dns_name("-a.example.com"));
        assert!(!dns_name("*.*.example.com"));
    }

    #[test]
    fn times_are_rfc_3339() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
    }
}
