//! CreateCertificateAuthority: a key generated for the CA and sealed, its CSR signed, the CA
//! stored in PENDING_CERTIFICATE (AWS passes through CREATING in moments; Rampart creates
//! synchronously). An idempotency token repeated within five minutes returns the same CA. A
//! SERVICE_AFFILIATED CA (IAM for agents and workloads) is the primary of a multi-Region CA.

use crate::generated::errors::{invalid_args_exception, limit_exceeded_exception};
use crate::generated::*;
use crate::keys;
use crate::multi_region::{MultiRegion, WORKLOAD_IDENTITY};
use crate::names;
use crate::ops::tags::tag_pairs;
use crate::record::{CaRecord, scope_prefix};
use crate::service::{AcmPcaService, authorize, internal, internal_error};
use crate::sign;
use rampart_core::RequestContext;
use rampart_store::Expect;

/// How long a CreateCertificateAuthority idempotency token holds.
const TOKEN_WINDOW_MS: i64 = 5 * 60 * 1000;
/// AWS's default quota of CAs per account and Region.
const CA_QUOTA: usize = 200;

impl CreateCertificateAuthority for AcmPcaService {
    async fn create_certificate_authority(
        &self,
        ctx: &RequestContext,
        input: CreateCertificateAuthorityRequest,
    ) -> Result<CreateCertificateAuthorityResponse, ServiceError> {
        authorize(
            ctx,
            "CreateCertificateAuthority",
            "*",
            ctx.account().as_str(),
        )?;
        let config = input
            .certificate_authority_configuration
            .clone()
            .unwrap_or_default();
        let key_algorithm = config
            .key_algorithm
            .clone()
            .unwrap_or(KeyAlgorithm::Rsa2048);
        check_algorithms(&config, &key_algorithm)?;
        check_affiliation(&input)?;
        check_revocation(input.revocation_configuration.as_ref())?;
        let subject = config.subject.clone().unwrap_or_default();
        // Doubt: AWS's wording for an unusable subject value is not documented.
        let dn = names::from_subject(&subject)
            .map_err(|_| invalid_args_exception("The subject contains an invalid value."))?;
        let (account, region) = (ctx.account().as_str(), ctx.region.as_str());
        if let Some(arn) = self
            .existing(account, region, input.idempotency_token.as_deref())
            .await?
        {
            return Ok(CreateCertificateAuthorityResponse {
                certificate_authority_arn: Some(arn),
            });
        }
        let id = uuid::Uuid::new_v4().to_string();
        let arn = format!("arn:aws:acm-pca:{region}:{account}:certificate-authority/{id}");
        let record = self.new_record(&arn, &key_algorithm, dn, &config, &input)?;
        let row = crate::record::ca_row(account, region, &id);
        let put = self.tables.authorities.put(&row, &record, Expect::Absent);
        let mut writes = vec![put.map_err(internal)?];
        writes.extend(self.revocation_writes(&arn, &record, self.now_ms())?);
        self.store.transact(writes).await.map_err(internal)?;
        ctx.note_resource(&arn, "AWS::ACMPCA::CertificateAuthority");
        Ok(CreateCertificateAuthorityResponse {
            certificate_authority_arn: Some(arn),
        })
    }
}

impl AcmPcaService {
    /// The CA created with `token` in the last five minutes; also enforces the CA quota.
    async fn existing(
        &self,
        account: &str,
        region: &str,
        token: Option<&str>,
    ) -> Result<Option<String>, ServiceError> {
        let prefix = scope_prefix(account, region);
        let rows = self.tables.authorities.scan(&prefix, None, 10_000).await;
        let rows = rows.map_err(internal)?;
        let now = self.now_ms();
        let reused = rows
            .iter()
            .find(|(_, r)| match (&r.value.idempotency, token) {
                (Some((used, at)), Some(token)) => used == token && now - at < TOKEN_WINDOW_MS,
                _ => false,
            });
        if let Some((_, found)) = reused {
            return Ok(Some(found.value.arn.clone()));
        }
        let live = rows
            .iter()
            .filter(|(_, r)| r.value.status != "DELETED")
            .count();
        if live >= CA_QUOTA {
            return Err(quota_reached());
        }
        Ok(None)
    }

    /// LimitExceededException when `account` has its quota of CAs in `region`.
    pub(crate) async fn check_quota(
        &self,
        account: &str,
        region: &str,
    ) -> Result<(), ServiceError> {
        let prefix = scope_prefix(account, region);
        let rows = self.tables.authorities.scan(&prefix, None, 10_000).await;
        let live = rows
            .map_err(internal)?
            .iter()
            .filter(|(_, r)| r.value.status != "DELETED")
            .count();
        match live >= CA_QUOTA {
            true => Err(quota_reached()),
            false => Ok(()),
        }
    }

    /// The record of a new CA: a fresh sealed key and its CSR.
    fn new_record(
        &self,
        arn: &str,
        key_algorithm: &KeyAlgorithm,
        dn: rcgen::DistinguishedName,
        config: &CertificateAuthorityConfiguration,
        input: &CreateCertificateAuthorityRequest,
    ) -> Result<CaRecord, ServiceError> {
        let (sealed, spki_der, csr_pem) = self.new_key(arn, key_algorithm, dn)?;
        let now = self.now_ms();
        let mut config = config.clone();
        config.key_algorithm = Some(key_algorithm.clone());
        Ok(CaRecord {
            arn: arn.to_owned(),
            ca_type: input
                .certificate_authority_type
                .as_ref()
                .map_or("ROOT", |t| t.as_str())
                .to_owned(),
            config: serde_json::to_value(&config).map_err(|_| internal_error())?,
            revocation: input
                .revocation_configuration
                .as_ref()
                .and_then(|r| serde_json::to_value(r).ok()),
            usage_mode: input
                .usage_mode
                .as_ref()
                .map_or("GENERAL_PURPOSE", |m| m.as_str())
                .to_owned(),
            key_storage: input
                .key_storage_security_standard
                .as_ref()
                .map_or("FIPS_140_2_LEVEL_3_OR_HIGHER", |k| k.as_str())
                .to_owned(),
            status: "PENDING_CERTIFICATE".into(),
            created_ms: now,
            last_state_change_ms: now,
            sealed_key: sealed,
            spki_der,
            csr_pem,
            certificate_pem: None,
            chain_pem: None,
            serial: None,
            not_before_ms: None,
            not_after_ms: None,
            restorable_until_ms: None,
            status_before_delete: None,
            tags: tag_pairs(input.tags.as_deref().unwrap_or_default()),
            idempotency: input.idempotency_token.clone().map(|t| (t, now)),
            governance: Default::default(),
            affiliation: affiliation_of(input),
            multi_region: affiliation_of(input).map(|_| MultiRegion::primary()),
        })
    }
}

impl AcmPcaService {
    /// A fresh key for the CA `arn`: sealed (base64), its SubjectPublicKeyInfo, its CSR.
    fn new_key(
        &self,
        arn: &str,
        key_algorithm: &KeyAlgorithm,
        dn: rcgen::DistinguishedName,
    ) -> Result<(String, Vec<u8>, String), ServiceError> {
        let fault = |e: keys::KeyFault| {
            tracing::error!(fault = e.0, "ACM PCA key failure");
            internal_error()
        };
        let pkcs8 = keys::generate(key_algorithm).map_err(fault)?;
        let alg = keys::default_signature_algorithm(key_algorithm);
        let sealed = keys::seal(&self.domain, arn, &pkcs8).map_err(fault)?;
        let pair = keys::open(&self.domain, arn, &sealed, alg).map_err(fault)?;
        let csr_pem = sign::ca_csr(dn, &pair).map_err(|_| internal_error())?;
        let spki = rcgen::PublicKeyData::subject_public_key_info(&pair);
        Ok((sealed, spki, csr_pem))
    }
}

/// LimitExceededException for the quota of CAs per account and Region.
fn quota_reached() -> ServiceError {
    // Doubt: AWS's exact wording for this quota is not documented.
    limit_exceeded_exception(
        "You have reached the maximum number of certificate authorities you can create in this region.",
    )
}

/// A service-affiliated CA: usage mode SERVICE_AFFILIATED exactly when a ServiceAffiliation
/// is given, the affiliation AWS offers (IAM for agents and workloads), and no CRL or OCSP
/// (the affiliation turns revocation off).
fn check_affiliation(input: &CreateCertificateAuthorityRequest) -> Result<(), ServiceError> {
    let affiliated = input.usage_mode == Some(CertificateAuthorityUsageMode::ServiceAffiliated);
    let code = input
        .service_affiliation
        .as_ref()
        .map(|a| a.service_affiliation_code.as_deref().unwrap_or_default());
    // Doubt: AWS's wording for these refusals is not documented.
    match (affiliated, code) {
        (false, None) => return Ok(()),
        (true, None) => {
            return Err(invalid_args_exception(
                "The usage mode SERVICE_AFFILIATED requires a ServiceAffiliation.",
            ));
        }
        (false, Some(_)) => {
            return Err(invalid_args_exception(
                "A ServiceAffiliation requires the usage mode SERVICE_AFFILIATED.",
            ));
        }
        (true, Some(code)) if code != WORKLOAD_IDENTITY => {
            return Err(invalid_args_exception(format!(
                "The service affiliation {code} is not supported."
            )));
        }
        (true, Some(_)) => {}
    }
    if revocation_enabled(input.revocation_configuration.as_ref()) {
        return Err(invalid_args_exception(
            "A certificate authority with the IAM_WORKLOAD_IDENTITY service affiliation does not support CRLs or OCSP.",
        ));
    }
    Ok(())
}

/// Whether `config` turns CRLs or OCSP on.
pub(crate) fn revocation_enabled(config: Option<&RevocationConfiguration>) -> bool {
    let Some(config) = config else {
        return false;
    };
    let crl = config.crl_configuration.as_ref().and_then(|c| c.enabled);
    let ocsp = config.ocsp_configuration.as_ref().and_then(|c| c.enabled);
    crl == Some(true) || ocsp == Some(true)
}

/// The ServiceAffiliationCode of a (checked) service-affiliated request.
fn affiliation_of(input: &CreateCertificateAuthorityRequest) -> Option<String> {
    input
        .service_affiliation
        .as_ref()
        .and_then(|a| a.service_affiliation_code.clone())
}

/// The key algorithm must be one Rampart generates, and the signing algorithm must fit it.
fn check_algorithms(
    config: &CertificateAuthorityConfiguration,
    key: &KeyAlgorithm,
) -> Result<(), ServiceError> {
    if !keys::supported(key) {
        // Doubt: AWS serves SM2 keys (in China Regions only); Rampart does not.
        return Err(invalid_args_exception(format!(
            "The key algorithm {key} is not supported."
        )));
    }
    let signing = config
        .signing_algorithm
        .clone()
        .unwrap_or(SigningAlgorithm::Sha256withrsa);
    if keys::signature_algorithm(key, &signing).is_none() {
        // Doubt: wording inferred; AWS refuses a signing algorithm of another key family.
        return Err(invalid_args_exception(format!(
            "The signing algorithm {signing} is not compatible with the key algorithm {key}."
        )));
    }
    Ok(())
}

/// AWS's checks of a RevocationConfiguration (`crl::config`).
pub(crate) fn check_revocation(
    config: Option<&RevocationConfiguration>,
) -> Result<(), ServiceError> {
    crate::crl::config::check(config)
}

impl AcmPcaService {
    /// The writes a stored revocation configuration of CA `arn` brings, at `now_ms`: the OCSP
    /// issuer index of its key, and with CRLs enabled a CRL due at once.
    pub(crate) fn revocation_writes(
        &self,
        arn: &str,
        record: &CaRecord,
        now_ms: i64,
    ) -> Result<Vec<rampart_store::Write>, ServiceError> {
        let ca = crate::service::ca_ref(arn)?;
        let mut writes =
            crate::ocsp::index_writes(&self.store, &ca, &record.spki_der).map_err(internal)?;
        let revocation = crate::crl::Revocation::of_record(record.revocation.as_ref());
        if revocation.crl.is_some() {
            writes.push(crate::crl::schedule(
                &ca,
                now_ms,
                crate::crl::Reason::Changed,
            ));
        }
        Ok(writes)
    }
}
