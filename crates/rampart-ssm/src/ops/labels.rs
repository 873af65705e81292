//! LabelParameterVersion and UnlabelParameterVersion. A label names one version of a
//! parameter: labelling another version moves it. Labels are at most 100 characters of
//! letters, digits, `.`, `-` and `_`, not starting with a digit or `aws`/`ssm`; a version
//! carries at most 10. Labels breaking the rules come back as InvalidLabels, unapplied. Labels
//! live in the parameter row (label → version), so a label change writes that row only.

use super::CAS_ATTEMPTS;
use crate::SsmService;
use crate::events::{Change, change_event};
use crate::generated::errors::{
    parameter_version_label_limit_exceeded, parameter_version_not_found,
};
use crate::generated::{LabelParameterVersion, LabelParameterVersionRequest};
use crate::generated::{LabelParameterVersionResult, ServiceError, UnlabelParameterVersion};
use crate::generated::{UnlabelParameterVersionRequest, UnlabelParameterVersionResult};
use crate::names::{Selector, parameter_arn, parse_reference};
use crate::record::{ParameterRecord, parameter_row};
use crate::rows;
use crate::service::{authorize, internal, not_found};
use rampart_core::RequestContext;
use rampart_store::{StoreError, Write};

const MAX_LABELS: usize = 10;

/// Whether `label` follows AWS's label rules.
pub fn valid_label(label: &str) -> bool {
    let lower = label.to_ascii_lowercase();
    !label.is_empty()
        && label.len() <= 100
        && !lower.starts_with("aws")
        && !lower.starts_with("ssm")
        && !label.starts_with(|c: char| c.is_ascii_digit())
        && label
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

fn version_missing(version: i64, name: &str) -> ServiceError {
    parameter_version_not_found(format!(
        "Systems Manager could not find version {version} of {name}. Verify the version and try \
         again."
    ))
}

/// Moves the valid `labels` onto `version` of `record`; the invalid ones.
fn apply_labels(
    record: &mut ParameterRecord,
    version: i64,
    labels: &[String],
) -> Result<Vec<String>, ServiceError> {
    let (valid, invalid): (Vec<String>, Vec<String>) =
        labels.iter().cloned().partition(|l| valid_label(l));
    if !record.holds(version) {
        return Err(version_missing(version, &record.name));
    }
    record
        .labels
        .retain(|(label, on)| *on == version || !valid.contains(label));
    for label in valid {
        if record.labelled(&label) != Some(version) {
            record.labels.push((label, version));
        }
    }
    if record.labels_of(version).len() > MAX_LABELS {
        return Err(parameter_version_label_limit_exceeded(
            "A parameter version can have maximum 10 labels.Move one or more labels to another \
             version and try again.",
        ));
    }
    Ok(invalid)
}

/// Takes the `labels` that version `version` of `record` carries off it: the removed ones
/// and the others.
fn remove_labels(
    record: &mut ParameterRecord,
    version: i64,
    labels: &[String],
) -> Result<(Vec<String>, Vec<String>), ServiceError> {
    if !record.holds(version) {
        return Err(version_missing(version, &record.name));
    }
    let carried = record.labels_of(version);
    let (removed, invalid): (Vec<String>, Vec<String>) =
        labels.iter().cloned().partition(|l| carried.contains(l));
    record
        .labels
        .retain(|(label, on)| *on != version || !removed.contains(label));
    Ok((removed, invalid))
}

impl SsmService {
    /// Loads parameter `raw` for `action`, lets `edit` change it, and writes it with `extra`
    /// writes built from the result (retrying conflicts).
    async fn relabel<T>(
        &self,
        ctx: &RequestContext,
        raw: &str,
        action: &str,
        edit: impl Fn(&mut ParameterRecord) -> Result<(T, Option<Write>), ServiceError>,
    ) -> Result<T, ServiceError> {
        let Some((name, Selector::Latest)) = parse_reference(ctx, raw) else {
            return Err(not_found());
        };
        authorize(ctx, action, &parameter_arn(ctx, &name))?;
        let row = parameter_row(ctx.account().as_str(), ctx.region.as_str(), &name);
        for _ in 0..CAS_ATTEMPTS {
            let found = self.load(ctx, &name).await?.ok_or_else(not_found)?;
            let mut record = found.value.clone();
            let (out, event) = edit(&mut record)?;
            let mut writes =
                rows::save(&self.tables, &row, Some(&found), &record).map_err(internal)?;
            writes.extend(event);
            match self.store.transact(writes).await {
                Ok(()) => return Ok(out),
                Err(e) if e.is_conflict() => continue,
                Err(e) => return Err(internal(e)),
            }
        }
        Err(internal(StoreError::Backend(
            "labelling kept conflicting".into(),
        )))
    }
}

impl LabelParameterVersion for SsmService {
    async fn label_parameter_version(
        &self,
        ctx: &RequestContext,
        input: LabelParameterVersionRequest,
    ) -> Result<LabelParameterVersionResult, ServiceError> {
        let raw = input.name.unwrap_or_default();
        let labels = input.labels.unwrap_or_default();
        let now = self.now_ms();
        let edit = |record: &mut ParameterRecord| {
            let version = input.parameter_version.unwrap_or(record.current().version);
            let invalid = apply_labels(record, version, &labels)?;
            let applied: Vec<String> = labels
                .iter()
                .filter(|l| !invalid.contains(l))
                .cloned()
                .collect();
            let current = record.current();
            let change = Change {
                operation: "LabelParameterVersion",
                name: &record.name,
                kind: &current.kind,
                description: current.description.as_deref(),
                labels: Some(&applied),
            };
            let event = (!applied.is_empty()).then(|| change_event(ctx, &change, now));
            Ok(((invalid, version), event))
        };
        let (invalid, version) = self
            .relabel(ctx, &raw, "ssm:LabelParameterVersion", edit)
            .await?;
        Ok(LabelParameterVersionResult {
            invalid_labels: Some(invalid),
            parameter_version: Some(version),
        })
    }
}

impl UnlabelParameterVersion for SsmService {
    async fn unlabel_parameter_version(
        &self,
        ctx: &RequestContext,
        input: UnlabelParameterVersionRequest,
    ) -> Result<UnlabelParameterVersionResult, ServiceError> {
        let raw = input.name.unwrap_or_default();
        let labels = input.labels.unwrap_or_default();
        let version = input.parameter_version.unwrap_or_default();
        let edit =
            |record: &mut ParameterRecord| Ok((remove_labels(record, version, &labels)?, None));
        let (removed, invalid) = self
            .relabel(ctx, &raw, "ssm:UnlabelParameterVersion", edit)
            .await?;
        Ok(UnlabelParameterVersionResult {
            invalid_labels: Some(invalid),
            removed_labels: Some(removed),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::valid_label;

    #[test]
    fn label_rules() {
        assert!(valid_label("prod"));
        assert!(valid_label("release-1.2_x"));
        for bad in ["1st", "awsx", "SSMy", "a b", "a/b", "", &"x".repeat(101)] {
            assert!(!valid_label(bad), "{bad}");
        }
    }
}
