//! AWS Private CA's certificate templates (`arn:aws:acm-pca:::template/<Name>/V1`): which
//! extensions each base template sets, and whether its variant passes the CSR's extensions
//! through. Template definitions as AWS documents them ("AWS Private CA template definitions").

use rcgen::{BasicConstraints, ExtendedKeyUsagePurpose as Eku, IsCa, KeyUsagePurpose as Ku};

/// The template used when IssueCertificate names none.
pub const DEFAULT_TEMPLATE: &str = "arn:aws:acm-pca:::template/EndEntityCertificate/V1";

/// The certificate a base template makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `EndEntityCertificate`: TLS server and client.
    EndEntity,
    /// `EndEntityClientAuthCertificate`.
    ClientAuth,
    /// `EndEntityServerAuthCertificate`.
    ServerAuth,
    /// `CodeSigningCertificate`.
    CodeSigning,
    /// `RootCACertificate`: a root CA's own certificate.
    Root,
    /// `SubordinateCACertificate_PathLen<n>`.
    Subordinate(u8),
    /// `BlankEndEntityCertificate_API(CSR)Passthrough`: CA:FALSE only; key usage and extended
    /// key usage come from the API (or, for the CSR variant, the CSR).
    BlankEndEntity,
}

/// A template: its base and whether the CSR's other extensions are copied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Template {
    pub kind: Kind,
    /// A `_CSRPassthrough` (or `_APICSRPassthrough`) variant.
    pub csr_passthrough: bool,
    /// An `_APIPassthrough` (or `_APICSRPassthrough`) variant.
    pub api_passthrough: bool,
}

impl Template {
    /// The template an ARN names, if Rampart issues with it.
    pub fn from_arn(arn: &str) -> Option<Template> {
        let rest = arn.strip_prefix("arn:")?;
        let (partition, rest) = rest.split_once(':')?;
        if !matches!(partition, "aws" | "aws-cn" | "aws-us-gov") {
            return None;
        }
        let name = rest
            .strip_prefix("acm-pca:::template/")?
            .strip_suffix("/V1")?;
        let (base, csr_passthrough, api_passthrough) = variant(name);
        let kind = match base {
            "EndEntityCertificate" => Kind::EndEntity,
            "EndEntityClientAuthCertificate" => Kind::ClientAuth,
            "EndEntityServerAuthCertificate" => Kind::ServerAuth,
            "CodeSigningCertificate" => Kind::CodeSigning,
            "RootCACertificate" if !csr_passthrough => Kind::Root,
            "BlankEndEntityCertificate" if api_passthrough => Kind::BlankEndEntity,
            _ => Kind::Subordinate(path_len(base)?),
        };
        Some(Template {
            kind,
            csr_passthrough,
            api_passthrough,
        })
    }

    /// Whether the certificate is a CA's.
    pub fn is_ca(&self) -> bool {
        matches!(self.kind, Kind::Root | Kind::Subordinate(_))
    }

    /// Basic constraints.
    pub fn basic_constraints(&self) -> IsCa {
        match self.kind {
            Kind::Root => IsCa::Ca(BasicConstraints::Unconstrained),
            Kind::Subordinate(n) => IsCa::Ca(BasicConstraints::Constrained(n)),
            _ => IsCa::ExplicitNoCa,
        }
    }

    /// Key usage (always critical).
    pub fn key_usages(&self) -> Vec<Ku> {
        match self.kind {
            Kind::Root | Kind::Subordinate(_) => {
                vec![Ku::DigitalSignature, Ku::KeyCertSign, Ku::CrlSign]
            }
            Kind::EndEntity | Kind::ServerAuth => {
                vec![Ku::DigitalSignature, Ku::KeyEncipherment]
            }
            Kind::ClientAuth | Kind::CodeSigning => vec![Ku::DigitalSignature],
            Kind::BlankEndEntity => Vec::new(),
        }
    }

    /// Extended key usage.
    pub fn extended_key_usages(&self) -> Vec<Eku> {
        match self.kind {
            Kind::EndEntity => vec![Eku::ServerAuth, Eku::ClientAuth],
            Kind::ServerAuth => vec![Eku::ServerAuth],
            Kind::ClientAuth => vec![Eku::ClientAuth],
            Kind::CodeSigning => vec![Eku::CodeSigning],
            Kind::Root | Kind::Subordinate(_) | Kind::BlankEndEntity => Vec::new(),
        }
    }

    /// Whether the CSR's subject alternative names are copied (end-entity templates).
    pub fn copies_sans(&self) -> bool {
        !self.is_ca() || self.csr_passthrough
    }
}

/// The base name and the variant flags of a template name.
fn variant(name: &str) -> (&str, bool, bool) {
    if let Some(base) = name.strip_suffix("_APICSRPassthrough") {
        (base, true, true)
    } else if let Some(base) = name.strip_suffix("_CSRPassthrough") {
        (base, true, false)
    } else if let Some(base) = name.strip_suffix("_APIPassthrough") {
        (base, false, true)
    } else {
        (name, false, false)
    }
}

/// The path length of `SubordinateCACertificate_PathLen<0..3>`.
fn path_len(base: &str) -> Option<u8> {
    match base.strip_prefix("SubordinateCACertificate_PathLen")? {
        "0" => Some(0),
        "1" => Some(1),
        "2" => Some(2),
        "3" => Some(3),
        _ => None,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn arn(name: &str) -> String {
        format!("arn:aws:acm-pca:::template/{name}/V1")
    }

    #[test]
    fn template_arns_parse() {
        let t = Template::from_arn(DEFAULT_TEMPLATE).unwrap();
        assert_eq!(t.kind, Kind::EndEntity);
        assert!(!t.csr_passthrough && !t.api_passthrough);
        let t = Template::from_arn(&arn("SubordinateCACertificate_PathLen2_CSRPassthrough"));
        let t = t.unwrap();
        assert_eq!(t.kind, Kind::Subordinate(2));
        assert!(t.csr_passthrough);
        let t = Template::from_arn(&arn("RootCACertificate_APIPassthrough")).unwrap();
        assert_eq!((t.kind, t.api_passthrough), (Kind::Root, true));
        assert!(Template::from_arn(&arn("SubordinateCACertificate_PathLen4")).is_none());
        assert!(Template::from_arn(&arn("RootCACertificate_CSRPassthrough")).is_none());
        let blank = Template::from_arn(&arn("BlankEndEntityCertificate_APICSRPassthrough"));
        assert_eq!(blank.unwrap().kind, Kind::BlankEndEntity);
        assert!(Template::from_arn(&arn("BlankEndEntityCertificate")).is_none());
        assert!(Template::from_arn("arn:aws:acm-pca:::template/EndEntityCertificate/V2").is_none());
    }

    #[test]
    fn extensions_follow_aws_definitions() {
        let ee = Template::from_arn(DEFAULT_TEMPLATE).unwrap();
        assert_eq!(ee.basic_constraints(), IsCa::ExplicitNoCa);
        assert_eq!(ee.extended_key_usages(), [Eku::ServerAuth, Eku::ClientAuth]);
        let sub = Template::from_arn(&arn("SubordinateCACertificate_PathLen0")).unwrap();
        assert_eq!(
            sub.basic_constraints(),
            IsCa::Ca(BasicConstraints::Constrained(0))
        );
        assert!(sub.key_usages().contains(&Ku::KeyCertSign));
        assert!(!sub.copies_sans());
    }
}
