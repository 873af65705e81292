//! ImportApiKeys: API keys from a CSV file as API Gateway documents it (a header row naming
//! `Name` and `Key` and optionally `Description`, `Enabled` and `UsagePlanIds`, in any order
//! and any case; other columns ignored; quoted fields with `"` or `'`). A key whose value is
//! already imported is updated in place; `UsagePlanIds` adds the key to those plans. Rows that
//! cannot be imported are warnings (skipped), and with `failonwarnings` fail the call.

use crate::generated::errors::bad_request_exception;
use crate::generated::{
    ApiKeyIds, ApiKeysFormat, ImportApiKeys, ImportApiKeysRequest, ServiceError,
};
use crate::ids;
use crate::ops::apikeys::key_row;
use crate::ops::usageplans::plan_not_found;
use crate::plans::ApiKeyRecord;
use crate::service::{ApiGatewayService, authorize, internal};
use rampart_core::RequestContext;
use rampart_store::Expect;
use std::collections::BTreeMap;

/// One key of the file.
#[derive(Debug, Clone, PartialEq)]
struct Row {
    name: String,
    value: String,
    description: Option<String>,
    enabled: bool,
    plans: Vec<String>,
}

impl ImportApiKeys for ApiGatewayService {
    async fn import_api_keys(
        &self,
        ctx: &RequestContext,
        input: ImportApiKeysRequest,
    ) -> Result<ApiKeyIds, ServiceError> {
        authorize(ctx, "POST", "/apikeys")?;
        if !matches!(input.format, Some(ApiKeysFormat::Csv)) {
            return Err(bad_request_exception(
                "Invalid format specified. Valid values are: csv",
            ));
        }
        let body = input.body.map(|b| b.0).unwrap_or_default();
        let text = String::from_utf8(body)
            .map_err(|_| bad_request_exception("The API key file is not UTF-8 text."))?;
        let (rows, warnings) = read_rows(&text)?;
        if input.fail_on_warnings == Some(true) && !warnings.is_empty() {
            return Err(bad_request_exception(format!(
                "Warnings found during import:\n\t{}",
                warnings.join("\n\t")
            )));
        }
        for plan in rows.iter().flat_map(|r| &r.plans) {
            self.load_plan(ctx, plan).await?;
        }
        let ids = self.write_keys(ctx, &rows).await?;
        for (row, id) in rows.iter().zip(&ids) {
            for plan in &row.plans {
                self.add_to_plan(ctx, plan, id).await?;
            }
        }
        self.refresh_edge().await;
        Ok(ApiKeyIds {
            ids: Some(ids),
            warnings: (!warnings.is_empty()).then_some(warnings),
        })
    }
}

impl ApiGatewayService {
    /// Creates or updates (same value) each row's key in one transaction; their ids.
    async fn write_keys(
        &self,
        ctx: &RequestContext,
        rows: &[Row],
    ) -> Result<Vec<String>, ServiceError> {
        let existing: BTreeMap<String, ApiKeyRecord> = self
            .all_keys(ctx)
            .await?
            .into_iter()
            .map(|k| (k.fingerprint.clone(), k))
            .collect();
        let now = self.now_ms();
        let mut writes = Vec::new();
        let mut out = Vec::new();
        let mut fresh: BTreeMap<String, String> = BTreeMap::new();
        for row in rows {
            let fingerprint = self.metering.fingerprint(&row.value);
            let mut record = match existing.get(&fingerprint) {
                Some(k) => k.clone(),
                None => {
                    let id = fresh
                        .entry(fingerprint.clone())
                        .or_insert_with(ids::api_id)
                        .clone();
                    let sealed = self.metering.seal_value(&row.value, &key_row(ctx, &id));
                    new_key(id, sealed, fingerprint, now)
                }
            };
            record.name = Some(row.name.clone());
            record.description = row.description.clone();
            record.enabled = row.enabled;
            record.updated_ms = now;
            let put = self
                .keys
                .put(&key_row(ctx, &record.id), &record, Expect::Any);
            writes.push(put.map_err(internal)?);
            out.push(record.id);
        }
        self.commit(writes, || {
            bad_request_exception("The API keys changed during the import; retry.")
        })
        .await?;
        Ok(out)
    }

    /// Adds key `id` to usage plan `plan` (nothing when it is there already).
    async fn add_to_plan(
        &self,
        ctx: &RequestContext,
        plan: &str,
        id: &str,
    ) -> Result<(), ServiceError> {
        let record = self.load_plan(ctx, plan).await?.value;
        if record.keys.iter().any(|k| k == id) {
            return Ok(());
        }
        self.check_stage_overlap(ctx, &record, id).await?;
        let row = Self::plan_row(ctx, plan);
        self.mutate_child(&self.plans, &row, plan_not_found, |p| {
            if !p.keys.iter().any(|k| k == id) {
                p.keys.push(id.to_owned());
            }
            Ok(())
        })
        .await?;
        Ok(())
    }
}

/// A new key record (its name and settings set by the caller).
fn new_key(id: String, sealed_value: String, fingerprint: String, now: i64) -> ApiKeyRecord {
    ApiKeyRecord {
        id,
        name: None,
        description: None,
        customer_id: None,
        enabled: true,
        created_ms: now,
        updated_ms: now,
        stage_keys: Vec::new(),
        tags: BTreeMap::new(),
        sealed_value,
        fingerprint,
    }
}

/// The file's keys and the warnings for rows left out.
fn read_rows(text: &str) -> Result<(Vec<Row>, Vec<String>), ServiceError> {
    let records = parse_csv(text);
    let Some((header, body)) = records.split_first() else {
        return Err(bad_request_exception("The API key file is empty."));
    };
    let column = |name: &str| {
        header
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let (Some(name_at), Some(key_at)) = (column("name"), column("key")) else {
        return Err(bad_request_exception(
            "Invalid API key file: the Name and Key columns are required.",
        ));
    };
    let (desc_at, enabled_at, plans_at) = (
        column("description"),
        column("enabled"),
        column("usageplanids"),
    );
    let mut rows = Vec::new();
    let mut warnings = Vec::new();
    for (i, rec) in body.iter().enumerate() {
        if rec.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let line = i + 2;
        let field = |at: Option<usize>| at.and_then(|a| rec.get(a)).map(|f| f.trim().to_owned());
        let value = field(Some(key_at)).unwrap_or_default();
        let name = field(Some(name_at)).unwrap_or_default();
        let enabled = field(enabled_at).filter(|e| !e.is_empty());
        let problem = row_problem(&name, &value, enabled.as_deref());
        if let Some(problem) = problem {
            warnings.push(format!("Invalid API key on line {line}: {problem}"));
            continue;
        }
        rows.push(Row {
            name,
            value,
            description: field(desc_at).filter(|d| !d.is_empty()),
            enabled: enabled.is_none_or(|e| e.eq_ignore_ascii_case("true")),
            plans: field(plans_at)
                .map(|p| {
                    p.split(',')
                        .map(|s| s.trim().to_owned())
                        .filter(|s| !s.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
        });
    }
    Ok((rows, warnings))
}

/// Why a row cannot be imported, if it cannot.
fn row_problem(name: &str, value: &str, enabled: Option<&str>) -> Option<&'static str> {
    let len = value.chars().count();
    if !(20..=128).contains(&len) {
        return Some("the key must be between 20 and 128 characters.");
    }
    if name.is_empty() || name.chars().count() > 1024 {
        return Some("the name must be between 1 and 1024 characters.");
    }
    match enabled {
        Some(e) if !e.eq_ignore_ascii_case("true") && !e.eq_ignore_ascii_case("false") => {
            Some("Enabled must be true or false.")
        }
        _ => None,
    }
}

/// CSV records: fields separated by commas, quoted with `"` or `'` (a doubled quote within
/// is one), records ended by a line break outside quotes.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut quote: Option<char> = None;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => {
                if chars.peek() == Some(&q) {
                    field.push(q);
                    chars.next();
                } else {
                    quote = None;
                }
            }
            (Some(_), c) => field.push(c),
            (None, '"' | '\'') if field.trim().is_empty() => {
                field.clear();
                quote = Some(c);
            }
            (None, ',') => record.push(std::mem::take(&mut field)),
            (None, '\r') => {}
            (None, '\n') => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (None, c) => field.push(c),
        }
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push(record);
    }
    records
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_may_be_quoted_either_way() {
        let rows = parse_csv("a,b\r\n\"x,y\",'p''q'\n1,2");
        assert_eq!(
            rows,
            vec![vec!["a", "b"], vec!["x,y", "p'q"], vec!["1", "2"]]
        );
    }

    #[test]
    fn columns_are_found_by_name_in_any_case_and_order() {
        let text = "Enabled,Name,key,UsageplanIds,extra\ntrue,First,apikey1234abcdefghij0123456789,\"c7y23b,glvrsr\",x\nfalse,Second,short,,\n";
        let (rows, warnings) = read_rows(text).expect("reads");
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].name, "First");
        assert_eq!(rows[0].plans, vec!["c7y23b", "glvrsr"]);
        assert!(rows[0].enabled);
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].contains("line 3"), "{warnings:?}");
    }

    #[test]
    fn name_and_key_columns_are_required() {
        assert!(read_rows("name,description\nx,y\n").is_err());
        assert!(read_rows("").is_err());
        let (rows, _) = read_rows("Key,name\napikey1234abcdefghij0123456789,K\n").expect("reads");
        assert_eq!(rows[0].description, None);
        assert!(rows[0].enabled);
    }
}
