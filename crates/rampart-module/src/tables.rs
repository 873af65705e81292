//! The rule that keeps modules out of each other's rows: every table a module declares starts
//! with its name and an underscore, and no table is declared twice.

use std::collections::HashMap;
use std::fmt;

/// A table declared against the rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TableClash {
    /// `table` of `module` does not start with `<module>_`.
    OutsideNamespace { module: String, table: String },
    /// `table` is declared by `first` and again by `second`.
    Duplicate {
        table: String,
        first: String,
        second: String,
    },
}

impl fmt::Display for TableClash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TableClash::OutsideNamespace { module, table } => {
                write!(
                    f,
                    "table {table} of module {module} is not named {module}_..."
                )
            }
            TableClash::Duplicate {
                table,
                first,
                second,
            } => write!(f, "table {table} is declared by {first} and by {second}"),
        }
    }
}

/// Checks `(module name, its tables)` pairs; returns every clash found.
pub fn check_tables<'a>(
    declared: impl IntoIterator<Item = (&'a str, &'a [&'a str])>,
) -> Vec<TableClash> {
    let mut owners: HashMap<&str, &str> = HashMap::new();
    let mut clashes = Vec::new();
    for (module, tables) in declared {
        for &table in tables {
            let prefix = format!("{module}_");
            if !table.starts_with(&prefix) {
                clashes.push(TableClash::OutsideNamespace {
                    module: module.to_owned(),
                    table: table.to_owned(),
                });
            }
            if let Some(first) = owners.insert(table, module) {
                clashes.push(TableClash::Duplicate {
                    table: table.to_owned(),
                    first: first.to_owned(),
                    second: module.to_owned(),
                });
            }
        }
    }
    clashes
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn namespaced_distinct_tables_pass() {
        let kms: &[&str] = &["kms_keys", "kms_aliases#target"];
        let iam: &[&str] = &["iam_users"];
        assert!(check_tables([("kms", kms), ("iam", iam)]).is_empty());
    }

    #[test]
    fn a_table_outside_the_namespace_or_declared_twice_is_reported() {
        let iam: &[&str] = &["credentials", "iam_users"];
        let other: &[&str] = &["iam_users"];
        let clashes = check_tables([("iam", iam), ("iamx", other)]);
        assert_eq!(clashes.len(), 3, "{clashes:?}");
        assert!(
            clashes
                .iter()
                .any(|c| c.to_string() == "table iam_users is declared by iam and by iamx")
        );
    }
}
