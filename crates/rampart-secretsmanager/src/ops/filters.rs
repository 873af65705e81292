//! ListSecrets / BatchGetSecretValue filters as AWS documents them: `description` and `all`
//! match prefixes case-insensitively, the other keys case-sensitively; `all` splits its value
//! into words, each of which must start some attribute; a value starting with `!` matches
//! when the attribute does not. A filter matches when one of its values does; every filter
//! must match.

use crate::generated::{Filter, FilterNameStringType};
use crate::record::SecretRecord;
use crate::replication::primary_region_of;

fn starts(hay: &str, prefix: &str, fold: bool) -> bool {
    match fold {
        true => hay.to_lowercase().starts_with(&prefix.to_lowercase()),
        false => hay.starts_with(prefix),
    }
}

/// The attribute values `key` looks at in `record`, and whether they fold case.
fn attributes<'a>(record: &'a SecretRecord, key: &FilterNameStringType) -> (Vec<&'a str>, bool) {
    let tag_keys = || record.tags.iter().map(|(k, _)| k.as_str());
    let tag_values = || record.tags.iter().map(|(_, v)| v.as_str());
    match key {
        FilterNameStringType::Name => (vec![record.name.as_str()], false),
        FilterNameStringType::Description => {
            (record.description.as_deref().into_iter().collect(), true)
        }
        FilterNameStringType::TagKey => (tag_keys().collect(), false),
        FilterNameStringType::TagValue => (tag_values().collect(), false),
        FilterNameStringType::All => {
            let mut all = vec![record.name.as_str()];
            all.extend(record.description.as_deref());
            all.extend(tag_keys().chain(tag_values()));
            (all, true)
        }
        FilterNameStringType::PrimaryRegion => {
            (primary_region_of(record).into_iter().collect(), false)
        }
        // Managed secrets are not held yet: no owning service.
        _ => (vec![], false),
    }
}

/// Whether `value` (maybe `!`-negated) of filter `key` matches `record`.
fn value_matches(record: &SecretRecord, key: &FilterNameStringType, value: &str) -> bool {
    let (negated, value) = match value.strip_prefix('!') {
        Some(rest) => (true, rest),
        None => (false, value),
    };
    let (attrs, fold) = attributes(record, key);
    let hit = match key {
        FilterNameStringType::All => value.split_whitespace().all(|word| {
            attrs.iter().any(|a| {
                a.split_whitespace().any(|w| starts(w, word, fold)) || starts(a, word, fold)
            })
        }),
        _ => attrs.iter().any(|a| starts(a, value, fold)),
    };
    hit != negated
}

/// Whether `record` passes every filter.
pub fn matches(record: &SecretRecord, filters: &[Filter]) -> bool {
    filters.iter().all(|f| {
        let Some(key) = &f.key else { return true };
        let values = f.values.as_deref().unwrap_or_default();
        values.is_empty() || values.iter().any(|v| value_matches(record, key, v))
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn record(name: &str, description: &str, tags: &[(&str, &str)]) -> SecretRecord {
        SecretRecord {
            name: name.into(),
            arn: String::new(),
            description: Some(description.into()),
            kms_key_id: None,
            created_ms: 0,
            last_changed_ms: 0,
            last_accessed_ms: None,
            deleted_ms: None,
            deletion_due_ms: None,
            tags: tags
                .iter()
                .map(|(k, v)| ((*k).into(), (*v).into()))
                .collect(),
            versions: vec![],
            resource_policy: None,
            replicas: vec![],
            primary_region: None,
            cross_account_replicas: vec![],
            cross_account_primary: None,
            rotation: Default::default(),
        }
    }

    fn filter(key: &str, values: &[&str]) -> Filter {
        Filter {
            key: Some(FilterNameStringType::from(key)),
            values: Some(values.iter().map(|v| (*v).to_owned()).collect()),
        }
    }

    #[test]
    fn keys_prefixes_case_and_negation() {
        let r = record("prod/db", "Main Database", &[("team", "Blue")]);
        assert!(matches(&r, &[filter("name", &["prod/"])]));
        assert!(!matches(&r, &[filter("name", &["Prod/"])]));
        assert!(matches(&r, &[filter("description", &["main data"])]));
        assert!(matches(
            &r,
            &[filter("tag-key", &["te"]), filter("tag-value", &["Bl"])]
        ));
        assert!(!matches(&r, &[filter("tag-value", &["bl"])]));
        assert!(matches(&r, &[filter("name", &["!dev"])]));
        assert!(!matches(&r, &[filter("name", &["!prod"])]));
        assert!(matches(&r, &[filter("name", &["dev", "prod"])]));
        assert!(matches(&r, &[filter("all", &["database blue"])]));
        assert!(!matches(&r, &[filter("all", &["database red"])]));
        assert!(!matches(&r, &[filter("primary-region", &["us"])]));
    }
}
