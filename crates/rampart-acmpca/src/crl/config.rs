//! RevocationConfiguration as ACM PCA reads it: AWS's checks of CrlConfiguration and
//! OcspConfiguration (beyond the model's, which the generated layer applies), and what an
//! enabled configuration means: the S3 bucket and object key a CRL is published under, the URL
//! issued certificates name in their CRL Distribution Points, and their OCSP URL.

use crate::generated::errors::invalid_args_exception;
use crate::generated::{CrlType, RevocationConfiguration, ServiceError};

/// AWS's default CRL validity (`ExpirationInDays`).
const DEFAULT_EXPIRATION_DAYS: i64 = 7;
/// The key prefix of CRLs when CustomPath names none.
const DEFAULT_PATH: &str = "crl";

/// What an enabled CrlConfiguration says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrlSettings {
    pub bucket: String,
    pub cname: Option<String>,
    /// The key prefix (`crl`, or CustomPath without its slashes; empty for `/`).
    pub path: String,
    pub expiration_days: i64,
    /// CrlDistributionPointExtensionConfiguration.OmitExtension.
    pub omit_extension: bool,
    pub partitioned: bool,
}

/// What an enabled OcspConfiguration says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OcspSettings {
    pub cname: Option<String>,
}

/// A CA's revocation configuration: what is enabled.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Revocation {
    pub crl: Option<CrlSettings>,
    pub ocsp: Option<OcspSettings>,
}

impl Revocation {
    /// The configuration stored on a CA record (its AWS JSON form).
    pub fn of_record(stored: Option<&serde_json::Value>) -> Revocation {
        let config =
            stored.and_then(|v| serde_json::from_value::<RevocationConfiguration>(v.clone()).ok());
        Revocation::of(config.as_ref())
    }

    /// The configuration of a (checked) request.
    pub fn of(config: Option<&RevocationConfiguration>) -> Revocation {
        let crl = config
            .and_then(|c| c.crl_configuration.as_ref())
            .filter(|c| c.enabled == Some(true))
            .map(|c| CrlSettings {
                bucket: c.s3_bucket_name.clone().unwrap_or_default(),
                cname: c.custom_cname.clone().filter(|n| !n.is_empty()),
                path: c
                    .custom_path
                    .as_deref()
                    .map_or(DEFAULT_PATH.to_owned(), |p| p.trim_matches('/').to_owned()),
                expiration_days: c
                    .expiration_in_days
                    .map_or(DEFAULT_EXPIRATION_DAYS, i64::from),
                omit_extension: c
                    .crl_distribution_point_extension_configuration
                    .as_ref()
                    .and_then(|e| e.omit_extension)
                    == Some(true),
                partitioned: c.crl_type == Some(CrlType::Partitioned),
            });
        let ocsp = config
            .and_then(|c| c.ocsp_configuration.as_ref())
            .filter(|c| c.enabled == Some(true))
            .map(|c| OcspSettings {
                cname: c.ocsp_custom_cname.clone().filter(|n| !n.is_empty()),
            });
        Revocation { crl, ocsp }
    }
}

impl CrlSettings {
    /// The object key of the CRL file `name` (`<path>/<name>.crl`).
    pub fn object_key(&self, name: &str) -> String {
        if self.path.is_empty() {
            format!("{name}.crl")
        } else {
            format!("{}/{name}.crl", self.path)
        }
    }

    /// The URL of the CRL file `name` as issued certificates name it: through the custom
    /// CNAME, else the bucket's virtual-hosted S3 URL in `region`.
    pub fn url(&self, region: &str, name: &str) -> String {
        let key = self.object_key(name);
        match &self.cname {
            Some(cname) => format!("http://{cname}/{key}"),
            None => format!("http://{}.s3.{region}.amazonaws.com/{key}", self.bucket),
        }
    }
}

impl OcspSettings {
    /// The OCSP URL issued certificates name: the custom CNAME, else AWS's responder.
    pub fn url(&self, region: &str) -> String {
        match &self.cname {
            Some(cname) => format!("http://{cname}"),
            None => format!("http://ocsp.acm-pca.{region}.amazonaws.com"),
        }
    }
}

/// AWS's checks of a RevocationConfiguration.
// Doubt: AWS's exact messages for these refusals are not documented; each names the member.
pub fn check(config: Option<&RevocationConfiguration>) -> Result<(), ServiceError> {
    let Some(config) = config else { return Ok(()) };
    if let Some(crl) = &config.crl_configuration {
        let enabled = crl.enabled == Some(true);
        let others = crl.custom_cname.is_some()
            || crl.s3_bucket_name.is_some()
            || crl.expiration_in_days.is_some()
            || crl.s3_object_acl.is_some()
            || crl.crl_distribution_point_extension_configuration.is_some()
            || crl.crl_type.is_some()
            || crl.custom_path.is_some();
        if !enabled && others {
            return Err(invalid_args_exception(
                "CrlConfiguration parameters cannot be specified when Enabled is false.",
            ));
        }
        if enabled {
            check_crl(crl)?;
        }
    }
    if let Some(ocsp) = &config.ocsp_configuration {
        let cname = ocsp.ocsp_custom_cname.as_deref();
        if ocsp.enabled != Some(true) && cname.is_some() {
            return Err(invalid_args_exception(
                "OcspCustomCname cannot be specified when OCSP is disabled.",
            ));
        }
        check_cname(cname, "OcspCustomCname")?;
    }
    Ok(())
}

/// An enabled CrlConfiguration: a valid bucket, CNAME without a scheme, no omitted extension
/// with a CNAME.
fn check_crl(crl: &crate::generated::CrlConfiguration) -> Result<(), ServiceError> {
    let Some(bucket) = crl.s3_bucket_name.as_deref() else {
        return Err(invalid_args_exception(
            "S3BucketName is required when CrlConfiguration is enabled.",
        ));
    };
    if !valid_bucket_name(bucket) {
        return Err(invalid_args_exception(format!(
            "The S3 bucket name {bucket} is not valid: it must follow the S3 bucket naming rules."
        )));
    }
    check_cname(crl.custom_cname.as_deref(), "CustomCname")?;
    let omit = crl
        .crl_distribution_point_extension_configuration
        .as_ref()
        .and_then(|e| e.omit_extension)
        == Some(true);
    if omit && crl.custom_cname.as_deref().is_some_and(|c| !c.is_empty()) {
        return Err(invalid_args_exception(
            "CrlDistributionPointExtensionConfiguration.OmitExtension cannot be true when a CustomCname is set.",
        ));
    }
    Ok(())
}

/// A CNAME names a host: no protocol prefix (AWS: "must not include a protocol prefix such as
/// http:// or https://").
fn check_cname(cname: Option<&str>, member: &str) -> Result<(), ServiceError> {
    let Some(cname) = cname else { return Ok(()) };
    let lower = cname.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") || lower.contains("://") {
        return Err(invalid_args_exception(format!(
            "{member} must not include a protocol prefix such as http:// or https://."
        )));
    }
    Ok(())
}

/// S3's bucket naming rules: 3-63 characters of lower-case letters, digits, dots and hyphens,
/// starting and ending with a letter or digit, no two adjacent dots, not an IP address, none
/// of the reserved prefixes and suffixes.
pub fn valid_bucket_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    let allowed = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'.' || *b == b'-';
    let edge = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    (3..=63).contains(&bytes.len())
        && bytes.iter().all(allowed)
        && edge(bytes.first())
        && edge(bytes.last())
        && !name.contains("..")
        && name.parse::<std::net::Ipv4Addr>().is_err()
        && !["xn--", "sthree-", "amzn-s3-demo-"]
            .iter()
            .any(|p| name.starts_with(p))
        && !["-s3alias", "--ol-s3", "--x-s3", ".mrap"]
            .iter()
            .any(|s| name.ends_with(s))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn bucket_names_follow_s3_rules() {
        for good in ["crls", "my-pca.crls-1", "a1b"] {
            assert!(valid_bucket_name(good), "{good}");
        }
        for bad in [
            "ab",
            "My-Bucket",
            "-abc",
            "abc-",
            "a..b",
            "192.168.1.1",
            "a_b",
            "xn--abc",
        ] {
            assert!(!valid_bucket_name(bad), "{bad}");
        }
        assert!(!valid_bucket_name(&"a".repeat(64)));
    }

    #[test]
    fn urls_and_keys_follow_aws() {
        let mut crl = CrlSettings {
            bucket: "crls".into(),
            cname: None,
            path: DEFAULT_PATH.into(),
            expiration_days: 7,
            omit_extension: false,
            partitioned: false,
        };
        assert_eq!(
            crl.url("eu-west-1", "abc"),
            "http://crls.s3.eu-west-1.amazonaws.com/crl/abc.crl"
        );
        crl.cname = Some("pki.example.com".into());
        crl.path = "a/b".into();
        assert_eq!(
            crl.url("eu-west-1", "abc"),
            "http://pki.example.com/a/b/abc.crl"
        );
        crl.path = String::new();
        assert_eq!(crl.object_key("abc"), "abc.crl");
        let ocsp = OcspSettings { cname: None };
        assert_eq!(
            ocsp.url("us-east-2"),
            "http://ocsp.acm-pca.us-east-2.amazonaws.com"
        );
    }
}
