//! ParameterFilters (DescribeParameters, GetParametersByPath) and the legacy Filters of
//! DescribeParameters: checked as AWS checks them, then matched against a parameter's latest
//! version. As AWS documents: every key but Label is valid for DescribeParameters; only Type,
//! KeyId and Label are valid for GetParametersByPath.

use crate::generated::errors::{invalid_filter_key, invalid_filter_option, invalid_filter_value};
use crate::generated::{ParameterStringFilter, ParametersFilter, ServiceError};
use crate::record::ParameterRecord;

/// Which operation the filters belong to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Use {
    Describe,
    ByPath,
}

/// One checked filter.
#[derive(Debug, Clone)]
pub struct Filter {
    key: String,
    option: String,
    values: Vec<String>,
}

const DESCRIBE_KEYS: &[&str] = &["Name", "Type", "KeyId", "Path", "Tier", "DataType"];
const BY_PATH_KEYS: &[&str] = &["Type", "KeyId", "Label"];

/// Checks `filters` for `usage`.
pub fn parse(filters: &[ParameterStringFilter], usage: Use) -> Result<Vec<Filter>, ServiceError> {
    let mut checked: Vec<Filter> = Vec::new();
    for f in filters {
        let key = f.key.clone().unwrap_or_default();
        check_key(&key, usage)?;
        if checked.iter().any(|c| c.key == key) {
            return Err(invalid_filter_key(format!(
                "The following filter is duplicated in the request: {key}. A request can \
                 contain only one occurrence of a specific filter."
            )));
        }
        let values = f.values.clone().unwrap_or_default();
        if values.is_empty() && !key.starts_with("tag:") {
            return Err(invalid_filter_value(format!(
                "The following filter values are missing : null for filter key {key}."
            )));
        }
        let option = f
            .option
            .clone()
            .unwrap_or_else(|| default_option(&key).into());
        check_option(&key, &option)?;
        check_values(&key, &values)?;
        checked.push(Filter {
            key,
            option,
            values,
        });
    }
    Ok(checked)
}

fn check_key(key: &str, usage: Use) -> Result<(), ServiceError> {
    let (allowed, list) = match usage {
        Use::Describe => (
            DESCRIBE_KEYS.contains(&key) || key.starts_with("tag:"),
            "[Path, Name, Type, KeyId, Tier, DataType, tag]",
        ),
        Use::ByPath => (BY_PATH_KEYS.contains(&key), "[Type, KeyId, Label]"),
    };
    if allowed {
        return Ok(());
    }
    Err(invalid_filter_key(format!(
        "The following filter key is not valid: {key}. Valid filter keys include: {list}."
    )))
}

fn default_option(key: &str) -> &'static str {
    if key == "Path" { "OneLevel" } else { "Equals" }
}

fn check_option(key: &str, option: &str) -> Result<(), ServiceError> {
    let (valid, list): (&[&str], &str) = match key {
        "Path" => (&["Recursive", "OneLevel"], "[Recursive, OneLevel]"),
        "Label" => (&["Equals"], "[Equals]"),
        "Name" => (
            &["Equals", "BeginsWith", "Contains"],
            "[BeginsWith, Equals, Contains]",
        ),
        _ => (&["Equals", "BeginsWith"], "[BeginsWith, Equals]"),
    };
    if valid.contains(&option) {
        return Ok(());
    }
    Err(invalid_filter_option(format!(
        "The following filter option is not valid: {option}. Valid options include: {list}."
    )))
}

fn check_values(key: &str, values: &[String]) -> Result<(), ServiceError> {
    let valid: &[&str] = match key {
        "Type" => &["String", "StringList", "SecureString"],
        "Tier" => &["Standard", "Advanced", "Intelligent-Tiering"],
        "DataType" => &["text", "aws:ec2:image", "aws:ssm:integration"],
        "Path" => return values.iter().try_for_each(|v| check_path_value(v)),
        _ => return Ok(()),
    };
    match values.iter().find(|v| !valid.contains(&v.as_str())) {
        None => Ok(()),
        Some(bad) => Err(invalid_filter_value(format!(
            "The following filter value is not valid: {bad}. Valid values include: [{}].",
            valid.join(", ")
        ))),
    }
}

/// A Path filter value must be a path of the account's own parameters.
fn check_path_value(value: &str) -> Result<(), ServiceError> {
    let lower = value.to_ascii_lowercase();
    if lower.starts_with("/aws") || lower.starts_with("/ssm") {
        return Err(ServiceError::validation(
            "Filters for common parameters can't be prefixed with \"aws\" or \"ssm\" \
             (case-insensitive). When using global parameters, please specify within a global \
             namespace.",
        ));
    }
    let bad = value.contains("//")
        || !value.starts_with('/')
        || !value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | '/'));
    if bad {
        return Err(ServiceError::validation(
            "The parameter doesn't meet the parameter name requirements. The parameter name \
             must begin with a forward slash \"/\". It can't be prefixed with \"aws\" or \"ssm\" \
             (case-insensitive). It must use only letters, numbers, or the following symbols: . \
             (period), - (hyphen), _ (underscore). Special characters are not allowed. All \
             sub-paths, if specified, must use the forward slash symbol \"/\". Valid example: \
             /get/parameters2-/by1./path0_.",
        ));
    }
    Ok(())
}

/// The legacy Filters (Name begins with, Type and KeyId equal) as ParameterFilters.
pub fn legacy(filters: &[ParametersFilter]) -> Vec<Filter> {
    filters
        .iter()
        .map(|f| {
            let key = f
                .key
                .as_ref()
                .map(|k| k.as_str().to_owned())
                .unwrap_or_default();
            let option = if key == "Name" {
                "BeginsWith"
            } else {
                "Equals"
            };
            Filter {
                key,
                option: option.into(),
                values: f.values.clone().unwrap_or_default(),
            }
        })
        .collect()
}

/// Whether `record` passes every filter.
pub fn matches(filters: &[Filter], record: &ParameterRecord) -> bool {
    filters.iter().all(|f| f.matches(record))
}

/// `/`-prefixed form of a name, as filters compare names.
fn rooted(name: &str) -> String {
    format!("/{}", name.trim_start_matches('/'))
}

impl Filter {
    fn matches(&self, record: &ParameterRecord) -> bool {
        let current = record.current();
        if let Some(tag_key) = self.key.strip_prefix("tag:") {
            let Some((_, value)) = record.tags.iter().find(|(k, _)| k == tag_key) else {
                return false;
            };
            return self.values.is_empty() || self.compare(value);
        }
        match self.key.as_str() {
            "Name" => self.compare_name(&record.name),
            "Path" => self.under_path(&record.name),
            "Type" => self.compare(&current.kind),
            "KeyId" => current.key_id.as_deref().is_some_and(|k| self.compare(k)),
            "Tier" => self.compare(&current.tier),
            "DataType" => self.compare(&current.data_type),
            "Label" => record.labels.iter().any(|(l, _)| self.values.contains(l)),
            _ => false,
        }
    }

    fn compare(&self, actual: &str) -> bool {
        self.values.iter().any(|v| match self.option.as_str() {
            "BeginsWith" => actual.starts_with(v.as_str()),
            "Contains" => actual.contains(v.as_str()),
            _ => actual == v,
        })
    }

    fn compare_name(&self, name: &str) -> bool {
        let name = rooted(name);
        self.values.iter().any(|v| match self.option.as_str() {
            "Contains" => name.contains(v.as_str()),
            "BeginsWith" => name.starts_with(&rooted(v)),
            _ => name == rooted(v),
        })
    }

    fn under_path(&self, name: &str) -> bool {
        let name = rooted(name);
        self.values.iter().any(|v| {
            let path = format!("{}/", v.trim_end_matches('/'));
            let path = if path == "//" { "/".to_owned() } else { path };
            match name.strip_prefix(&path) {
                Some(rest) => self.option == "Recursive" || !rest.contains('/'),
                None => false,
            }
        })
    }
}
