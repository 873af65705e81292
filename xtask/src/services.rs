//! The services the generator knows: adding one is one entry here plus its model.

/// How one service's model becomes a crate's `src/generated/`.
#[derive(Debug, Clone, Copy)]
pub struct ServiceSpec {
    /// Model path under `xtask/models/`.
    pub model: &'static str,
    /// Crate directory relative to the workspace root.
    pub crate_dir: &'static str,
    /// Name of the generated handler trait.
    pub trait_name: &'static str,
    /// SigV4 signing name.
    pub signing_name: &'static str,
    /// `X-Amz-Target` prefix (awsJson protocols).
    pub target_prefix: &'static str,
    /// CloudTrail `eventSource`.
    pub event_source: &'static str,
    /// Operations CloudTrail marks `readOnly`; a trailing `*` matches a prefix.
    pub read_only: &'static [&'static str],
    /// Operations whose CloudTrail `responseElements` is always `null`; `*` as above.
    pub hidden_responses: &'static [&'static str],
    /// Global services (IAM): the Region every request is served and audited in, whatever
    /// Region the client signed for. `None` for regional services.
    pub global_region: Option<&'static str>,
}

/// KMS's cryptographic operations: read-only, and no response elements in CloudTrail.
const KMS_CRYPTO: &[&str] = &[
    "Encrypt",
    "Decrypt",
    "ReEncrypt",
    "GenerateDataKey*",
    "GenerateRandom",
    "Sign",
    "Verify",
    "GenerateMac",
    "VerifyMac",
    "DeriveSharedSecret",
];

const KMS_READ_ONLY: &[&str] = &[
    "Describe*",
    "Get*",
    "List*",
    "Encrypt",
    "Decrypt",
    "ReEncrypt",
    "GenerateDataKey*",
    "GenerateRandom",
    "Sign",
    "Verify",
    "GenerateMac",
    "VerifyMac",
    "DeriveSharedSecret",
];

/// CloudTrail's read-only operations; their CloudTrail `responseElements` is `null` (a
/// LookupEvents response would otherwise copy the events it returns into the trail).
const CLOUDTRAIL_READ_ONLY: &[&str] = &["Describe*", "Get*", "List*", "LookupEvents"];

/// IAM operations CloudTrail marks `readOnly`.
const IAM_READ_ONLY: &[&str] = &["Get*", "List*", "Simulate*"];

/// Every STS operation is read-only in CloudTrail.
const STS_READ_ONLY: &[&str] = &["*"];

/// Every generated service.
pub const SERVICES: &[ServiceSpec] = &[
    ServiceSpec {
        model: "kms/2014-11-01/service-2.json",
        crate_dir: "crates/rampart-kms",
        trait_name: "KmsApi",
        signing_name: "kms",
        target_prefix: "TrentService",
        event_source: "kms.amazonaws.com",
        read_only: KMS_READ_ONLY,
        hidden_responses: KMS_CRYPTO,
        global_region: None,
    },
    ServiceSpec {
        model: "cloudtrail/2013-11-01/service-2.json",
        crate_dir: "crates/rampart-cloudtrail",
        trait_name: "CloudTrailApi",
        signing_name: "cloudtrail",
        target_prefix: "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101",
        event_source: "cloudtrail.amazonaws.com",
        read_only: CLOUDTRAIL_READ_ONLY,
        hidden_responses: CLOUDTRAIL_READ_ONLY,
        global_region: None,
    },
    ServiceSpec {
        model: "iam/2010-05-08/service-2.json",
        crate_dir: "crates/rampart-iam",
        trait_name: "IamApi",
        signing_name: "iam",
        target_prefix: "",
        event_source: "iam.amazonaws.com",
        read_only: IAM_READ_ONLY,
        hidden_responses: &[],
        global_region: Some("us-east-1"),
    },
    ServiceSpec {
        model: "sts/2011-06-15/service-2.json",
        crate_dir: "crates/rampart-sts",
        trait_name: "StsApi",
        signing_name: "sts",
        target_prefix: "",
        event_source: "sts.amazonaws.com",
        read_only: STS_READ_ONLY,
        hidden_responses: &[],
        global_region: None,
    },
];

/// True when `operation` matches one of `patterns` (exact, or prefix with a trailing `*`).
pub fn matches(patterns: &[&str], operation: &str) -> bool {
    patterns.iter().any(|p| match p.strip_suffix('*') {
        Some(prefix) => operation.starts_with(prefix),
        None => *p == operation,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_exactly_or_by_prefix() {
        assert!(matches(KMS_READ_ONLY, "ListKeys"));
        assert!(matches(
            KMS_READ_ONLY,
            "GenerateDataKeyPairWithoutPlaintext"
        ));
        assert!(matches(KMS_CRYPTO, "Encrypt"));
        assert!(!matches(KMS_CRYPTO, "EncryptX"));
        assert!(!matches(KMS_READ_ONLY, "CreateKey"));
    }
}
