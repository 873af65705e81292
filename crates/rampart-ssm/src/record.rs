//! What Parameter Store keeps: per parameter one small row (its latest version, where its
//! history starts, its labels and tags) and one row per kept version; one row per changed
//! service setting; all in the caller's account and Region. Rows written by the first layout
//! (every version inline in the parameter row) still decode, see [`ParameterRecord`].

use rampart_store::{Store, Table};
use serde::{Deserialize, Serialize};

/// Parameter rows, keyed by [`parameter_row`].
pub const PARAMETERS: &str = "ssm_parameters";
/// Version rows, keyed by [`version_row`].
pub const VERSIONS: &str = "ssm_versions";
/// Service setting rows, keyed by [`setting_row`].
pub const SETTINGS: &str = "ssm_settings";

/// The most versions a parameter keeps.
pub const MAX_VERSIONS: usize = 100;

/// One parameter: its latest version in full (what reads of the latest, paths, describes and
/// filters need) and the span of versions kept in version rows, `oldest..=latest.version`
/// (versions are numbered without gaps and only the oldest is ever dropped).
///
/// A row of the first layout (`{"name", "versions": [...], "tags"}`, labels inside each
/// version) decodes into this form with its versions in [`ParameterRecord::legacy`]; the next
/// write of the parameter moves them into version rows (see `rows.rs`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(try_from = "StoredParameter")]
pub struct ParameterRecord {
    /// The name as it was first put (with or without a leading `/`).
    pub name: String,
    /// The latest version; its version row holds the same.
    pub latest: VersionRecord,
    /// The oldest kept version.
    pub oldest: i64,
    /// Every label and the version carrying it, in the order they were applied.
    pub labels: Vec<(String, i64)>,
    /// Tags in the order they were added.
    pub tags: Vec<(String, String)>,
    /// A first-layout row's versions, oldest first (empty once in the row layout).
    #[serde(skip)]
    pub legacy: Vec<VersionRecord>,
}

/// One version of a parameter. For a `SecureString`, `value` is the base64 KMS ciphertext.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    /// A new parameter whose first version is `first`.
    pub fn new(name: &str, first: VersionRecord, tags: Vec<(String, String)>) -> Self {
        ParameterRecord {
            name: name.to_owned(),
            oldest: first.version,
            latest: first,
            labels: Vec::new(),
            tags,
            legacy: Vec::new(),
        }
    }

    /// The latest version.
    pub fn current(&self) -> &VersionRecord {
        &self.latest
    }

    /// Whether version `version` is kept.
    pub fn holds(&self, version: i64) -> bool {
        (self.oldest..=self.latest.version).contains(&version)
    }

    /// How many versions are kept.
    pub fn kept(&self) -> usize {
        usize::try_from(self.latest.version - self.oldest + 1).unwrap_or(0)
    }

    /// The version carrying `label`.
    pub fn labelled(&self, label: &str) -> Option<i64> {
        self.labels
            .iter()
            .find(|(l, _)| l == label)
            .map(|(_, version)| *version)
    }

    /// The labels of version `version`, in the order they were applied.
    pub fn labels_of(&self, version: i64) -> Vec<String> {
        self.labels
            .iter()
            .filter(|(_, v)| *v == version)
            .map(|(l, _)| l.clone())
            .collect()
    }
}

/// A parameter row as stored: the row layout, or the first layout's `versions`.
#[derive(Deserialize)]
struct StoredParameter {
    name: String,
    #[serde(default)]
    latest: Option<VersionRecord>,
    #[serde(default)]
    oldest: i64,
    #[serde(default)]
    labels: Vec<(String, i64)>,
    #[serde(default)]
    tags: Vec<(String, String)>,
    /// First layout: every version, oldest first, each with its labels.
    #[serde(default)]
    versions: Vec<LegacyVersion>,
}

/// A version of the first layout: a version record and its labels.
#[derive(Deserialize)]
struct LegacyVersion {
    #[serde(flatten)]
    version: VersionRecord,
    #[serde(default)]
    labels: Vec<String>,
}

impl TryFrom<StoredParameter> for ParameterRecord {
    type Error = String;

    fn try_from(stored: StoredParameter) -> Result<Self, String> {
        if let Some(latest) = stored.latest {
            return Ok(ParameterRecord {
                name: stored.name,
                latest,
                oldest: stored.oldest,
                labels: stored.labels,
                tags: stored.tags,
                legacy: Vec::new(),
            });
        }
        let mut labels = Vec::new();
        let mut legacy = Vec::with_capacity(stored.versions.len());
        for v in stored.versions {
            labels.extend(v.labels.into_iter().map(|l| (l, v.version.version)));
            legacy.push(v.version);
        }
        let (Some(first), Some(latest)) = (legacy.first(), legacy.last()) else {
            return Err(format!("parameter {} has no version", stored.name));
        };
        Ok(ParameterRecord {
            name: stored.name,
            oldest: first.version,
            latest: latest.clone(),
            labels,
            tags: stored.tags,
            legacy,
        })
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

/// The prefix of the version rows of the parameter at `row`. Names never hold `#`, so no
/// other parameter's versions share it (a `/` would: `a/` also starts the rows of `a/b`).
pub fn versions_prefix(row: &str) -> String {
    format!("{row}#")
}

/// The row of version `version` of the parameter at `row`, zero-padded so that key order is
/// version order.
pub fn version_row(row: &str, version: i64) -> String {
    format!("{row}#{version:019}")
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
    pub versions: Table<VersionRecord>,
    pub settings: Table<SettingRecord>,
}

impl Tables {
    pub fn new(store: &Store) -> Tables {
        Tables {
            parameters: Table::new(store.clone(), PARAMETERS),
            versions: Table::new(store.clone(), VERSIONS),
            settings: Table::new(store.clone(), SETTINGS),
        }
    }
}
