//! AWS Certificate Manager for Rampart. ImportCertificate checks what ACM checks (one PEM
//! certificate in effect now, an unencrypted RSA 2048/3072/4096 or EC P-256/P-384/P-521 key
//! that matches it, a chain in order whose signatures verify; re-import keeps the ARN under
//! ACM's re-import rules). RequestCertificate with a `CertificateAuthorityArn` makes a key
//! (RSA_2048, EC_prime256v1, EC_secp384r1) and a CSR and has the ACM PCA CA issue a PRIVATE
//! certificate at once (a refusal leaves it FAILED with ACM's `PCA_*` reason); without one the
//! request is AMAZON_ISSUED and PENDING_VALIDATION with AWS-shaped DNS CNAMEs or validation
//! e-mail addresses. The `acm.lifecycle` cluster job (`lifecycle`, service clock) looks the
//! CNAMEs up over real DNS (hickory-resolver; `acm.dns_resolver` or the system's resolver),
//! checks CAA as ACM does (CAA_ERROR), issues validated requests from Rampart's own public
//! hierarchy (`issuer`: a root and an intermediate per key family, made on first use, keys
//! sealed), times requests out after 72
//! hours (VALIDATION_TIMED_OUT; e-mail validation publishes approval links as events,
//! accepted at the `approval` public route, and ResendValidationEmail replaces them), renews
//! managed certificates 60 days before expiry (`renewal`), publishes expiry events daily
//! from DaysBeforeExpiry and marks certificates EXPIRED (`expiry`), every change with its
//! EventBridge event (`events`) in one transaction.
//! Describe/Get/List/Delete, tags, ExportCertificate (private certificates, and
//! those requested with `Export: ENABLED`, as an encrypted PKCS #8 key), RenewCertificate of
//! private certificates, SearchCertificates (filter statements over X.509 attributes and ACM
//! metadata), ListCertificateDomainValidations, UpdateCertificateOptions and the account's
//! expiry-event setting.
//! RevokeCertificate of exported certificates (private ones at their ACM PCA CA), the
//! TagResource family over the same tags, the organization operations answering as for an
//! account outside an organization, and `compliance` (`rampart acm check-expiry`).
//! Private keys are sealed under the root key's ACM domain key and never stored in the clear.
//! The ACME endpoint operations keep endpoints, external account bindings (MAC keys sealed),
//! prevalidated domains and accounts (`acme`), and each endpoint runs an RFC 8555 server over
//! the public-route hook (`acme::server`) whose certificates are ACM certificates.

mod acme;
mod approval;
pub mod compliance;
mod convert;
mod domains;
mod events;
mod expiry;
mod facts;
pub mod generated;
mod import_check;
pub mod issuer;
mod keys;
mod lifecycle;
mod module;
mod ops;
mod pbes2;
mod public;
mod record;
mod renewal;
mod search_filter;
mod service;
mod usage;
mod validation;

pub use module::{TABLES, module};
pub use service::AcmService;
pub use usage::{
    CertificateAccess, CertificateInfo, KeyMaterial, is_certificate_conflict, name_covers,
};
