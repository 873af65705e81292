//! What Parameter Store keeps: one row per parameter (its versions, labels and tags) and one
//! row per changed service setting, in the caller's account and Region.

use rampart_store::{Store, Table};
use serde::{Deserialize, Serialize};

/// Parameter rows, keyed by [`parameter_row`].
pub const PARAMETERS: &str = "ssm_parameters";
/// Service setting rows, keyed by [`setting_row`].
pub const SETTINGS: &str = "ssm_settings";

/// The most versions a parameter keeps.
pub const MAX_VERSIONS: usize = 100;

/// One parameter: every kept version, oldest first, and its tags.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ParameterRecord {
    /// The name as it was first put (with or without a leading `/`).
    pub name: String,
    /// Kept versions in ascending order; never empty.
    pub versions: Vec<VersionRecord>,
    /// Tags in the order they were added.
    pub tags: Vec<(String, String)>,
}

/// One version of a parameter. For a `SecureString`, `value` is the base64 KMS ciphertext.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VersionRecord {
    pub version: i64,
    #[serde(rename = "type")]
    pub kind: String,
    pub value: String,
    pub tier: String,
    pub data_type: String,
    pub description: Option<String>,
    pub allowed_pattern: Option<String>,
    /// The key as the caller named it (`alias/aws/ssm` for the default key).
    pub key_id: Option<String>,
    pub labels: Vec<String>,
    /// Policy documents (JSON objects as text), each `{"Type", "Version", "Attributes"}`.
    pub policies: Vec<String>,
    pub modified_ms: i64,
    pub modified_user: String,
    /// A SecureString over 4 KB: `value` is an envelope (see `secure::envelope`) under a KMS
    /// data key rather than a KMS ciphertext.
    #[serde(default)]
    pub envelope: bool,
    /// The types of this version's policies that have acted (PolicyStatus `Finished`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub acted: Vec<String>,
}

impl ParameterRecord {
    /// The latest version.
    pub fn current(&self) -> Option<&VersionRecord> {
        self.versions.last()
    }

    /// The version numbered `version`.
    pub fn version(&self, version: i64) -> Option<&VersionRecord> {
        self.versions.iter().find(|v| v.version == version)
    }

    /// The version carrying `label`.
    pub fn labelled(&self, label: &str) -> Option<&VersionRecord> {
        self.versions
            .iter()
            .find(|v| v.labels.iter().any(|l| l == label))
    }
}

/// A changed service setting.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SettingRecord {
    pub value: String,
    pub modified_ms: i64,
    pub modified_user: String,
}

/// The row of parameter `name` in `account`/`region`: names with and without a leading `/`
/// share one ARN, so they share one row.
pub fn parameter_row(account: &str, region: &str, name: &str) -> String {
    format!("{account}/{region}/{}", name.trim_start_matches('/'))
}

/// The row prefix of every parameter of `account`/`region`.
pub fn scope_prefix(account: &str, region: &str) -> String {
    format!("{account}/{region}/")
}

/// The row of service setting `path` (`/ssm/...`) in `account`/`region`.
pub fn setting_row(account: &str, region: &str, path: &str) -> String {
    format!("{account}/{region}{path}")
}

/// The typed tables.
#[derive(Debug, Clone)]
pub struct Tables {
    pub parameters: Table<ParameterRecord>,
    pub settings: Table<SettingRecord>,
}

impl Tables {
    pub fn new(store: &Store) -> Tables {
        Tables {
            parameters: Table::new(store.clone(), PARAMETERS),
            settings: Table::new(store.clone(), SETTINGS),
        }
    }
}
