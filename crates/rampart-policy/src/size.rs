//! Policy size quotas (IAM and AWS STS quotas, KMS key policy quota) and the character set.

use crate::error::PolicyError;

/// Which quota a document is checked against.
///
/// IAM does not count white space toward its identity-policy and trust-policy quotas; STS
/// session policies and KMS key policies count every character.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SizeLimit {
    /// A customer managed policy (also used as a permissions boundary): 6,144 characters.
    ManagedPolicy,
    /// The aggregate inline policies of an IAM user: 2,048 characters.
    UserInline,
    /// The aggregate inline policies of an IAM group: 5,120 characters.
    GroupInline,
    /// The aggregate inline policies of an IAM role: 10,240 characters.
    RoleInline,
    /// A role trust policy: 2,048 characters (the default quota).
    TrustPolicy,
    /// An inline session policy passed to STS: 2,048 characters, white space included.
    SessionPolicy,
    /// A KMS key policy: 32,768 bytes, white space included.
    KeyPolicy,
    /// Any other quota: `max` units, white space counted or not.
    Custom {
        /// Largest allowed size.
        max: usize,
        /// Whether white space outside and inside strings is left out of the count.
        ignore_whitespace: bool,
    },
}

impl SizeLimit {
    /// The largest allowed size.
    pub fn max(self) -> usize {
        match self {
            SizeLimit::ManagedPolicy => 6_144,
            SizeLimit::UserInline | SizeLimit::TrustPolicy | SizeLimit::SessionPolicy => 2_048,
            SizeLimit::GroupInline => 5_120,
            SizeLimit::RoleInline => 10_240,
            SizeLimit::KeyPolicy => 32_768,
            SizeLimit::Custom { max, .. } => max,
        }
    }

    /// Whether white space is left out of the count (IAM's rule for identity and trust policies).
    pub fn ignores_whitespace(self) -> bool {
        match self {
            SizeLimit::SessionPolicy | SizeLimit::KeyPolicy => false,
            SizeLimit::Custom {
                ignore_whitespace, ..
            } => ignore_whitespace,
            _ => true,
        }
    }

    /// The size of `json` as this quota counts it.
    pub fn measure(self, json: &str) -> usize {
        match self {
            SizeLimit::KeyPolicy => json.len(),
            _ if self.ignores_whitespace() => json
                .chars()
                .filter(|c| !matches!(c, ' ' | '\t' | '\n' | '\r'))
                .count(),
            _ => json.chars().count(),
        }
    }

    fn message(self, size: usize) -> String {
        let max = self.max();
        match self {
            SizeLimit::ManagedPolicy => format!("Cannot exceed quota for PolicySize: {max}"),
            SizeLimit::TrustPolicy => format!("Cannot exceed quota for ACLSize: {max}"),
            SizeLimit::UserInline | SizeLimit::GroupInline | SizeLimit::RoleInline => {
                format!("Maximum policy size of {max} bytes exceeded.")
            }
            SizeLimit::SessionPolicy => {
                format!("Session policy of {size} characters exceeds the quota of {max}.")
            }
            SizeLimit::KeyPolicy => {
                format!("Key policy of {size} bytes exceeds the quota of {max} bytes.")
            }
            SizeLimit::Custom { .. } => format!("Policy size {size} exceeds the quota of {max}."),
        }
    }
}

/// Checks `json` against `limit`; a larger document is AWS's `LimitExceeded`.
pub fn check_size(json: &str, limit: SizeLimit) -> Result<(), PolicyError> {
    let size = limit.measure(json);
    if size > limit.max() {
        return Err(PolicyError::limit(limit.message(size)));
    }
    Ok(())
}

/// Policy documents may hold only tab, line feed, carriage return and U+0020..=U+00FF.
pub(crate) fn check_charset(json: &str) -> Result<(), PolicyError> {
    let ok = json
        .chars()
        .all(|c| matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{ff}'));
    if ok {
        Ok(())
    } else {
        Err(PolicyError::syntax())
    }
}
