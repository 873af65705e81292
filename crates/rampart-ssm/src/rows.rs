//! How a parameter's rows are read and written: the parameter row (latest version, span,
//! labels, tags) with a compare-and-swap, and the version rows beside it in the same
//! transaction. A put writes the new version's row and deletes the row of a version it drops;
//! a label or tag change writes the parameter row only. A row of the first layout (versions
//! inline) is read from its `legacy` versions, and its first write moves them into rows.

use crate::SsmService;
use crate::record::{ParameterRecord, Tables, VersionRecord, version_row, versions_prefix};
use rampart_store::{Expect, StoreError, Versioned, Write};

/// The writes that store `next` as the parameter at `row`, which held `before` (`None`: the
/// parameter is new). The parameter row is written only if still at `before`'s version.
pub fn save(
    tables: &Tables,
    row: &str,
    before: Option<&Versioned<ParameterRecord>>,
    next: &ParameterRecord,
) -> Result<Vec<Write>, StoreError> {
    let expect = before.map_or(Expect::Absent, |b| Expect::Version(b.version));
    let mut writes = vec![tables.parameters.put(row, next, expect)?];
    let prior = before.map(|b| &b.value);
    let latest_changed = prior.is_none_or(|p| !p.legacy.is_empty() || p.latest != next.latest);
    if latest_changed {
        let key = version_row(row, next.latest.version);
        writes.push(tables.versions.put(&key, &next.latest, Expect::Any)?);
    }
    let Some(prior) = prior else {
        return Ok(writes);
    };
    if prior.legacy.is_empty() {
        // Versions dropped from the start of the history lose their rows.
        for version in prior.oldest..next.oldest.min(prior.latest.version + 1) {
            writes.push(
                tables
                    .versions
                    .delete(&version_row(row, version), Expect::Any),
            );
        }
        return Ok(writes);
    }
    // A first-layout row: its kept versions move into rows of their own.
    let moved = prior
        .legacy
        .iter()
        .filter(|v| next.holds(v.version) && v.version != next.latest.version);
    for version in moved {
        let key = version_row(row, version.version);
        writes.push(tables.versions.put(&key, version, Expect::Any)?);
    }
    Ok(writes)
}

/// The writes that delete the parameter `found` at `row` with every version row, if the
/// parameter row is still at `found`'s version.
pub fn remove(tables: &Tables, row: &str, found: &Versioned<ParameterRecord>) -> Vec<Write> {
    let record = &found.value;
    let mut writes = vec![
        tables
            .parameters
            .delete(row, Expect::Version(found.version)),
    ];
    if record.legacy.is_empty() {
        for version in record.oldest..=record.latest.version {
            writes.push(
                tables
                    .versions
                    .delete(&version_row(row, version), Expect::Any),
            );
        }
    }
    writes
}

impl SsmService {
    /// Version `version` of `record` (the parameter at `row`), if it is kept.
    pub(crate) async fn version_of(
        &self,
        row: &str,
        record: &ParameterRecord,
        version: i64,
    ) -> Result<Option<VersionRecord>, StoreError> {
        if version == record.latest.version {
            return Ok(Some(record.latest.clone()));
        }
        if !record.holds(version) {
            return Ok(None);
        }
        if !record.legacy.is_empty() {
            let found = record.legacy.iter().find(|v| v.version == version);
            return Ok(found.cloned());
        }
        let stored = self.tables.versions.get(&version_row(row, version)).await?;
        Ok(stored.map(|s| s.value))
    }

    /// At most `max` kept versions of `record` (the parameter at `row`) after version
    /// `after`, oldest first: one range read of its version rows.
    pub(crate) async fn versions_after(
        &self,
        row: &str,
        record: &ParameterRecord,
        after: i64,
        max: usize,
    ) -> Result<Vec<VersionRecord>, StoreError> {
        if !record.legacy.is_empty() {
            let later = record.legacy.iter().filter(|v| v.version > after);
            return Ok(later.take(max).cloned().collect());
        }
        let start = version_row(row, after.max(0));
        let rows = self
            .tables
            .versions
            .scan(&versions_prefix(row), Some(&start), max)
            .await?;
        Ok(rows.into_iter().map(|(_, v)| v.value).collect())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::record::{PARAMETERS, VERSIONS};
    use rampart_store::testkit::TestStore;

    fn version(n: i64) -> VersionRecord {
        VersionRecord {
            version: n,
            kind: "String".into(),
            value: format!("v{n}"),
            tier: "Standard".into(),
            data_type: "text".into(),
            description: None,
            allowed_pattern: None,
            key_id: None,
            policies: Vec::new(),
            modified_ms: n,
            modified_user: "u".into(),
            envelope: false,
            acted: Vec::new(),
        }
    }

    /// The row writes as `(table, key, is a put)`.
    fn targets(writes: &[Write]) -> Vec<(&'static str, String, bool)> {
        writes
            .iter()
            .filter_map(|w| match w {
                Write::Put { table, key, .. } => Some((*table, key.clone(), true)),
                Write::Delete { table, key, .. } => Some((*table, key.clone(), false)),
                _ => None,
            })
            .collect()
    }

    #[tokio::test]
    async fn a_put_at_100_versions_writes_two_rows_and_deletes_one() {
        let backing = TestStore::sqlite().await.unwrap();
        let tables = Tables::new(&backing.store);
        let mut full = ParameterRecord::new("p", version(100), Vec::new());
        full.oldest = 1;
        let before = Versioned {
            value: full.clone(),
            version: 7,
        };
        let mut next = full.clone();
        next.latest = version(101);
        next.oldest = 2;
        let writes = save(&tables, "r", Some(&before), &next).unwrap();
        let expected = vec![
            (PARAMETERS, "r".to_owned(), true),
            (VERSIONS, version_row("r", 101), true),
            (VERSIONS, version_row("r", 1), false),
        ];
        assert_eq!(targets(&writes), expected);
        let mut labelled = full.clone();
        labelled.labels.push(("l".into(), 40));
        let writes = save(&tables, "r", Some(&before), &labelled).unwrap();
        assert_eq!(targets(&writes), [(PARAMETERS, "r".to_owned(), true)]);
        assert_eq!(remove(&tables, "r", &before).len(), 101);
        backing.cleanup().await.unwrap();
    }
}
