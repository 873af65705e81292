//! WAF logs: for a web ACL with a logging configuration, one JSON line per inspected request
//! in AWS's WAF log format, appended to `<log_dir>/<web-acl-name>.log` through one handle kept
//! open per file (reopened when the file is removed or rotated). Whatever destination
//! the configuration names (a Firehose stream, an S3 bucket, a CloudWatch Logs group), the
//! line goes to that file. `RedactedFields` (single header, URI path, query string, method)
//! are written as `REDACTED`; `LoggingFilter` keeps or drops a line by its action and labels.

use super::snapshot::Enforced;
use rampart_module::edge_filter::FilterRequest;
use rampart_waf::Verdict;
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::fs::{File, Metadata, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How often an open log's path is checked for having been removed or rotated away.
const RECHECK: Duration = Duration::from_secs(1);

/// Where the lines go: one open handle per web ACL's file, appending; a file removed or
/// renamed (rotated) is noticed within [`RECHECK`] and reopened at its path.
#[derive(Debug)]
pub struct LogSink {
    dir: Option<PathBuf>,
    recheck: Duration,
    open: Mutex<HashMap<String, Handle>>,
}

/// One open log file.
#[derive(Debug)]
struct Handle {
    file: File,
    /// When its path was last seen to name this file.
    checked: Instant,
}

impl LogSink {
    /// Lines under `dir`; none when unset.
    pub fn new(dir: Option<PathBuf>) -> LogSink {
        LogSink {
            dir,
            recheck: RECHECK,
            open: Mutex::new(HashMap::new()),
        }
    }

    /// Appends `line` to the log of the web ACL `name`.
    pub fn write(&self, name: &str, line: &Value) {
        let Some(dir) = &self.dir else {
            return;
        };
        let mut bytes = line.to_string().into_bytes();
        bytes.push(b'\n');
        let mut open = match self.open.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        if let Err(e) = self.append(&mut open, dir, name, &bytes) {
            open.remove(name);
            tracing::warn!(error = %e, web_acl = name, "cannot write the WAF log");
        }
    }

    /// Writes `bytes` (one whole line, in one write) through `name`'s handle, opening it
    /// first when there is none or its path no longer names its file.
    fn append(
        &self,
        open: &mut HashMap<String, Handle>,
        dir: &Path,
        name: &str,
        bytes: &[u8],
    ) -> std::io::Result<()> {
        let path = dir.join(format!("{name}.log"));
        if let Some(handle) = open.get_mut(name)
            && self.current(handle, &path)
        {
            return handle.file.write_all(bytes);
        }
        std::fs::create_dir_all(dir)?;
        let file = OpenOptions::new().create(true).append(true).open(&path)?;
        let mut handle = Handle {
            file,
            checked: Instant::now(),
        };
        let written = handle.file.write_all(bytes);
        open.insert(name.to_owned(), handle);
        written
    }

    /// Whether `handle`'s file is still the one at `path` (checked every `recheck`).
    fn current(&self, handle: &mut Handle, path: &Path) -> bool {
        if handle.checked.elapsed() < self.recheck {
            return true;
        }
        let same = match (std::fs::metadata(path), handle.file.metadata()) {
            (Ok(at_path), Ok(open)) => same_file(&at_path, &open),
            _ => false,
        };
        if same {
            handle.checked = Instant::now();
        }
        same
    }
}

/// Whether two metadata describe one file.
#[cfg(unix)]
fn same_file(a: &Metadata, b: &Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    (a.dev(), a.ino()) == (b.dev(), b.ino())
}

/// Whether two metadata describe one file (no inode numbers here: its creation time).
#[cfg(not(unix))]
fn same_file(a: &Metadata, b: &Metadata) -> bool {
    a.created().ok() == b.created().ok()
}

/// Whether a `LoggingFilter` condition holds.
fn condition(c: &Value, action: &str, labels: &[String]) -> bool {
    if let Some(a) = c.pointer("/ActionCondition/Action").and_then(Value::as_str) {
        return a == action;
    }
    if let Some(l) = c
        .pointer("/LabelNameCondition/LabelName")
        .and_then(Value::as_str)
    {
        return labels.iter().any(|x| x == l);
    }
    false
}

/// Whether `LoggingFilter` keeps the line of a request with `action` and `labels`.
pub fn kept(filter: Option<&Value>, action: &str, labels: &[String]) -> bool {
    let Some(filter) = filter else {
        return true;
    };
    let rules = filter.get("Filters").and_then(Value::as_array);
    for f in rules.into_iter().flatten() {
        let conditions = f.get("Conditions").and_then(Value::as_array);
        let mut hits = conditions
            .into_iter()
            .flatten()
            .map(|c| condition(c, action, labels));
        let met = match f.get("Requirement").and_then(Value::as_str) {
            Some("MEETS_ALL") => hits.all(|h| h),
            _ => hits.any(|h| h),
        };
        if met {
            return f.get("Behavior").and_then(Value::as_str) == Some("KEEP");
        }
    }
    filter.get("DefaultBehavior").and_then(Value::as_str) != Some("DROP")
}

/// What `RedactedFields` hide: (header names lower-cased, uri, query, method).
fn redacted(config: &Map<String, Value>) -> (Vec<String>, bool, bool, bool) {
    let fields = config.get("RedactedFields").and_then(Value::as_array);
    let mut out = (Vec::new(), false, false, false);
    for f in fields.into_iter().flatten() {
        if let Some(name) = f.pointer("/SingleHeader/Name").and_then(Value::as_str) {
            out.0.push(name.to_ascii_lowercase());
        }
        out.1 |= f.get("UriPath").is_some();
        out.2 |= f.get("QueryString").is_some();
        out.3 |= f.get("Method").is_some();
    }
    out
}

/// The `httpRequest` member, redacted as configured.
fn http_request(config: &Map<String, Value>, request: &FilterRequest<'_>) -> Value {
    let (headers, uri, args, method) = redacted(config);
    let hide = |hidden: bool, value: &str| {
        if hidden {
            "REDACTED".to_owned()
        } else {
            value.to_owned()
        }
    };
    let headers: Vec<Value> = request
        .headers
        .iter()
        .map(|(n, v)| {
            let value = String::from_utf8_lossy(v.as_bytes());
            json!({"name": n.as_str(), "value": hide(headers.iter().any(|h| h == n.as_str()), &value)})
        })
        .collect();
    json!({
        "clientIp": request.client_ip.to_string(), "country": "-", "headers": headers,
        "uri": hide(uri, request.path), "args": hide(args, request.query),
        "httpVersion": request.http_version, "httpMethod": hide(method, request.method.as_str()),
        "requestId": request.request_id,
    })
}

/// `<account>:<api-id>:<stage>` of an API Gateway stage ARN.
fn source_id(acl_arn: &str, stage_arn: &str) -> String {
    let account = acl_arn.split(':').nth(4).unwrap_or("");
    let path = stage_arn.rsplit("::/restapis/").next().unwrap_or("");
    let mut parts = path.split("/stages/");
    let (api, stage) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    format!("{account}:{api}:{stage}")
}

/// The log line of one request, or `None` when the logging filter drops it.
pub fn line(
    acl: &Enforced,
    config: &Map<String, Value>,
    request: &FilterRequest<'_>,
    verdict: &Verdict,
    now_ms: u64,
    status: Option<u16>,
) -> Option<Value> {
    let action = super::respond::action_name(&verdict.action);
    if !kept(config.get("LoggingFilter"), action, &verdict.labels) {
        return None;
    }
    let (rule_id, rule_type) = match &verdict.terminating_rule {
        Some(rule) => (rule.rule.clone(), acl.kind_of(&rule.rule)),
        None => ("Default_Action".to_owned(), "REGULAR"),
    };
    let non_terminating: Vec<Value> = verdict
        .non_terminating
        .iter()
        .map(|r| json!({"ruleId": r.rule, "action": r.action, "ruleMatchDetails": []}))
        .collect();
    let groups: Vec<Value> = verdict
        .terminating_rule
        .iter()
        .filter_map(|r| {
            Some(json!({"ruleGroupId": r.rule_group.as_ref()?,
            "terminatingRule": {"ruleId": r.group_rule, "action": r.action},
            "nonTerminatingMatchingRules": [], "excludedRules": null}))
        })
        .collect();
    let rates: Vec<Value> = verdict
        .rate_based
        .iter()
        .map(|m| {
            json!({"rateBasedRuleName": m.rule, "limitKey": m.key, "maxRateAllowed": m.limit,
                        "evaluationWindowSec": m.window})
        })
        .collect();
    let inserted: Option<Vec<Value>> = (!verdict.insert_headers.is_empty()).then(|| {
        verdict
            .insert_headers
            .iter()
            .map(|(n, v)| json!({"name": n, "value": v}))
            .collect()
    });
    Some(json!({
        "timestamp": now_ms, "formatVersion": 1, "webaclId": acl.arn,
        "terminatingRuleId": rule_id, "terminatingRuleType": rule_type, "action": action,
        "terminatingRuleMatchDetails": [], "httpSourceName": "APIGW",
        "httpSourceId": source_id(&acl.arn, request.stage_arn),
        "ruleGroupList": groups, "rateBasedRuleList": rates,
        "nonTerminatingMatchingRules": non_terminating,
        "requestHeadersInserted": inserted, "responseCodeSent": status,
        "httpRequest": http_request(config, request),
        "labels": verdict.labels.iter().map(|l| json!({"name": l})).collect::<Vec<_>>(),
    }))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_logging_filter_keeps_and_drops_by_action_and_label() {
        let filter = json!({"DefaultBehavior": "DROP", "Filters": [
            {"Behavior": "KEEP", "Requirement": "MEETS_ANY",
             "Conditions": [{"ActionCondition": {"Action": "BLOCK"}},
                            {"LabelNameCondition": {"LabelName": "awswaf:x:y"}}]}]});
        assert!(kept(Some(&filter), "BLOCK", &[]));
        assert!(kept(Some(&filter), "ALLOW", &["awswaf:x:y".to_owned()]));
        assert!(!kept(Some(&filter), "ALLOW", &[]));
        assert!(kept(None, "ALLOW", &[]));
    }

    fn lines(path: &Path) -> Vec<Value> {
        std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    #[test]
    fn one_open_handle_per_log_takes_every_line() {
        let dir = tempfile::tempdir().unwrap();
        let logs = dir.path().join("waf-logs");
        let sink = LogSink::new(Some(logs.clone()));
        for i in 0..5 {
            sink.write("acl-a", &json!({"n": i}));
            sink.write("acl-b", &json!({"n": i * 10}));
        }
        let a = lines(&logs.join("acl-a.log"));
        assert_eq!(a, (0..5).map(|i| json!({"n": i})).collect::<Vec<_>>());
        assert_eq!(lines(&logs.join("acl-b.log")).len(), 5);
        let open = sink.open.lock().unwrap();
        assert_eq!(open.len(), 2, "one handle per destination");
        let handle = &open["acl-a"];
        let at_path = std::fs::metadata(logs.join("acl-a.log")).unwrap();
        assert!(same_file(&handle.file.metadata().unwrap(), &at_path));
    }

    #[test]
    fn a_rotated_or_removed_log_is_reopened() {
        let dir = tempfile::tempdir().unwrap();
        let mut sink = LogSink::new(Some(dir.path().to_owned()));
        sink.recheck = Duration::ZERO;
        let path = dir.path().join("acl.log");
        sink.write("acl", &json!({"n": 1}));
        std::fs::rename(&path, dir.path().join("acl.log.1")).unwrap();
        sink.write("acl", &json!({"n": 2}));
        assert_eq!(lines(&dir.path().join("acl.log.1")), [json!({"n": 1})]);
        assert_eq!(lines(&path), [json!({"n": 2})]);
        std::fs::remove_file(&path).unwrap();
        sink.write("acl", &json!({"n": 3}));
        sink.write("acl", &json!({"n": 4}));
        assert_eq!(lines(&path), [json!({"n": 3}), json!({"n": 4})]);
        LogSink::new(None).write("acl", &json!({"n": 5}));
    }

    #[test]
    fn the_source_id_names_account_api_and_stage() {
        let acl = "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/a/1";
        let stage = "arn:aws:apigateway:us-east-1::/restapis/abc123/stages/prod";
        assert_eq!(source_id(acl, stage), "123456789012:abc123:prod");
    }
}
