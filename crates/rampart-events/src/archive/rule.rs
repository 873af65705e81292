//! The rule EventBridge manages for each archive: `Events-Archive-<archive name>` on the
//! archive's bus, visible in ListRules and DescribeRule, whose pattern decides what is archived.
//!
//! AWS shows this rule with `ManagedBy` set and the archive's pattern plus
//! `"replay-name": [{"exists": false}]` (CreateArchive: "all events are sent to the archive except
//! replayed events"); its one target (Id the rule's name, ARN `arn:aws:events:<region>:::`)
//! carries the archive ARN and an id in an InputTransformer template. Rampart stores the rule
//! as a real row of `events_rules`; routing recognises the target and writes the event into the
//! archive in the transaction that accepts it (no outbox round trip). Users cannot change it
//! (ManagedRuleException); CreateArchive, UpdateArchive and DeleteArchive write it in their
//! own transaction, so the rule and the archive never disagree.

use super::ArchiveRecord;
use crate::generated::{InputTransformer, Target};
use crate::store::{BusRef, RuleRecord};
use serde_json::{Value, json};

/// The `ManagedBy` of archive rules, as AWS shows it.
pub(crate) const MANAGED_BY: &str = "prod.vhs.events.aws.internal";

/// The managed rule's name for the archive `archive`.
pub(crate) fn rule_name(archive: &str) -> String {
    format!("Events-Archive-{archive}")
}

/// The managed rule's pattern: the archive's pattern (an already validated JSON object, or
/// none: every event) with replayed events excluded.
pub(crate) fn rule_pattern(archive_pattern: Option<&str>) -> String {
    let mut pattern = archive_pattern
        .and_then(|p| serde_json::from_str::<Value>(p).ok())
        .filter(Value::is_object)
        .unwrap_or_else(|| json!({}));
    pattern["replay-name"] = json!([{"exists": false}]);
    pattern.to_string()
}

/// The managed rule of `archive`, on its bus `bus`.
pub(crate) fn rule_record(archive: &ArchiveRecord, bus: &BusRef) -> RuleRecord {
    let name = rule_name(&archive.name);
    let template = json!({
        "archive-arn": format!("{}:{}", archive.arn, archive.id),
        "event": "<aws.events.event.json>",
        "ingestion-time": "<aws.events.event.ingestion-time>",
    });
    let target = Target {
        id: Some(name.clone()),
        arn: Some(format!("arn:aws:events:{}:::", bus.region)),
        input_transformer: Some(InputTransformer {
            input_paths_map: Some(Default::default()),
            input_template: Some(template.to_string()),
        }),
        ..Target::default()
    };
    RuleRecord {
        name,
        bus: bus.name.clone(),
        event_pattern: Some(rule_pattern(archive.event_pattern.as_deref())),
        state: "ENABLED".into(),
        managed_by: Some(MANAGED_BY.into()),
        created_by: bus.account.clone(),
        targets: vec![target],
        ..RuleRecord::default()
    }
}

/// The archive id an archive rule writes to; `None` for every other rule.
pub(crate) fn archive_id(rule: &RuleRecord) -> Option<String> {
    if rule.managed_by.as_deref() != Some(MANAGED_BY) {
        return None;
    }
    let template = rule.targets.first()?.input_transformer.as_ref()?;
    let template: Value = serde_json::from_str(template.input_template.as_deref()?).ok()?;
    let arn = template.get("archive-arn")?.as_str()?;
    arn.rsplit_once(':').map(|(_, id)| id.to_owned())
}

/// Whether `rule` is the managed rule of an archive.
pub(crate) fn is_archive_rule(rule: &RuleRecord) -> bool {
    archive_id(rule).is_some()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::pattern::Pattern;

    fn archive(pattern: Option<&str>) -> ArchiveRecord {
        ArchiveRecord {
            name: "a".into(),
            arn: "arn:aws:events:r:1:archive/a".into(),
            id: "abc".into(),
            description: None,
            event_source_arn: "arn:aws:events:r:1:event-bus/default".into(),
            event_pattern: pattern.map(str::to_owned),
            retention_days: 0,
            kms_key_identifier: None,
            created_ms: 0,
        }
    }

    #[test]
    fn the_rule_excludes_replays_and_names_its_archive() {
        let bus = BusRef::resolve("1", "r", None);
        let rule = rule_record(&archive(Some(r#"{"source":["s"]}"#)), &bus);
        assert_eq!(rule.name, "Events-Archive-a");
        assert_eq!(archive_id(&rule).as_deref(), Some("abc"));
        let pattern = Pattern::parse(rule.event_pattern.as_deref().unwrap()).unwrap();
        assert!(pattern.matches(&json!({"source": "s"})));
        assert!(!pattern.matches(&json!({"source": "s", "replay-name": "r"})));
        assert!(!pattern.matches(&json!({"source": "t"})));
        let all = rule_record(&archive(None), &bus);
        let pattern = Pattern::parse(all.event_pattern.as_deref().unwrap()).unwrap();
        assert!(pattern.matches(&json!({"source": "t"})));
        let mut user = rule.clone();
        user.managed_by = None;
        assert!(!is_archive_rule(&user));
    }
}
