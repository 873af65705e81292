//! ListCertificates: the scope's certificates filtered by status and `Includes` (by default
//! only RSA_1024 and RSA_2048 keys, as ACM lists them), sorted by creation, in pages of
//! `MaxItems` with an opaque offset token.

use crate::convert;
use crate::generated::errors::{invalid_args_exception, validation_exception};
use crate::generated::*;
use crate::record::CertRecord;
use crate::service::{AcmService, authorize, internal};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rampart_core::{RequestContext, Scope};

/// The most rows one scan reads.
const SCAN_BATCH: usize = 1000;
/// The page size when MaxItems is absent.
const DEFAULT_PAGE: usize = 1000;
/// The key types listed unless `Includes.keyTypes` names others.
const DEFAULT_KEY_TYPES: &[&str] = &["RSA_1024", "RSA_2048"];

impl ListCertificates for AcmService {
    async fn list_certificates(
        &self,
        ctx: &RequestContext,
        input: ListCertificatesRequest,
    ) -> Result<ListCertificatesResponse, ServiceError> {
        authorize(ctx, "ListCertificates", "*", ctx.account().as_str())?;
        if input.sort_by.is_some() != input.sort_order.is_some() {
            // Doubt: AWS's wording; it documents that SortBy needs SortOrder.
            return Err(validation_exception(
                "SortBy and SortOrder must be specified together.",
            ));
        }
        let offset = match input.next_token.as_deref() {
            Some(token) => decode_token(token)?,
            None => 0,
        };
        let scope = Scope::new(ctx.account().as_str(), ctx.region.as_str());
        let now = self.now_ms();
        let mut records: Vec<CertRecord> = self.scope_records(&scope).await?;
        records.retain(|r| matches(r, &input, now));
        records.sort_by_key(|r| (r.created_ms, r.arn.clone()));
        if input.sort_order == Some(SortOrder::Descending) {
            records.reverse();
        }
        let size = input.max_items.map_or(DEFAULT_PAGE, |n| n.max(1) as usize);
        let used = self.used_certificates(&scope).await?;
        let page: Vec<CertificateSummary> = records
            .iter()
            .skip(offset)
            .take(size)
            .map(|r| convert::summary(r, now, used.contains(&r.arn)))
            .collect();
        let next = offset + page.len();
        Ok(ListCertificatesResponse {
            certificate_summary_list: Some(page),
            next_token: (next < records.len()).then(|| encode_token(next)),
        })
    }
}

impl AcmService {
    /// Which certificates of `scope` other services' resources use.
    pub(crate) async fn used_certificates(
        &self,
        scope: &Scope,
    ) -> Result<crate::usage::InUse, ServiceError> {
        crate::usage::in_use(&self.tables.usage, scope)
            .await
            .map_err(internal)
    }

    /// Every certificate of `scope`.
    pub(crate) async fn scope_records(
        &self,
        scope: &Scope,
    ) -> Result<Vec<CertRecord>, ServiceError> {
        let prefix = scope.prefix();
        let mut out = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let rows = self
                .tables
                .certificates
                .scan(&prefix, after.as_deref(), SCAN_BATCH)
                .await
                .map_err(internal)?;
            let full = rows.len() == SCAN_BATCH;
            after = rows.last().map(|(key, _)| key.clone());
            out.extend(rows.into_iter().map(|(_, v)| v.value));
            if !full {
                return Ok(out);
            }
        }
    }
}

/// Whether `record` passes the request's filters.
fn matches(record: &CertRecord, input: &ListCertificatesRequest, now_ms: i64) -> bool {
    let status = record.status_at(now_ms);
    let statuses = input.certificate_statuses.as_deref().unwrap_or_default();
    if !statuses.is_empty() && !statuses.iter().any(|s| s.as_str() == status) {
        return false;
    }
    let includes = input.includes.clone().unwrap_or_default();
    let key_types = includes.key_types.unwrap_or_default();
    let key_ok = if key_types.is_empty() {
        DEFAULT_KEY_TYPES.contains(&record.key_algorithm.as_str())
    } else {
        key_types.iter().any(|k| k.as_str() == record.key_algorithm)
    };
    key_ok
        && includes.managed_by.is_none()
        && includes
            .export_option
            .is_none_or(|e| e.as_str() == record.export_option)
        && usage_matches(
            record,
            includes.key_usage.as_deref(),
            includes.extended_key_usage.as_deref(),
        )
}

/// Whether the certificate has one of the wanted key usages and extended key usages.
fn usage_matches(
    record: &CertRecord,
    key_usage: Option<&[KeyUsageName]>,
    extended: Option<&[ExtendedKeyUsageName]>,
) -> bool {
    let facts = record.facts.as_ref();
    let usages = facts.map(|f| f.key_usages.as_slice()).unwrap_or_default();
    let ekus = facts
        .map(|f| f.extended_key_usages.as_slice())
        .unwrap_or_default();
    let ku_ok = match key_usage {
        None | Some([]) => true,
        Some(wanted) => wanted
            .iter()
            .any(|w| *w == KeyUsageName::Any || usages.iter().any(|u| u == w.as_str())),
    };
    let eku_ok = match extended {
        None | Some([]) => true,
        Some(wanted) => wanted.iter().any(|w| match w {
            ExtendedKeyUsageName::Any => true,
            ExtendedKeyUsageName::None => ekus.is_empty(),
            w => ekus.iter().any(|(name, _)| name == w.as_str()),
        }),
    };
    ku_ok && eku_ok
}

/// The page token of `offset`.
pub(crate) fn encode_token(offset: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("acm-list:{offset}"))
}

/// The offset a page token names.
pub(crate) fn decode_token(token: &str) -> Result<usize, ServiceError> {
    // Doubt: AWS's wording for a NextToken it did not issue is not documented (searched:
    // aws/aws-cli PR 8117 shows such a call failing, its message not in the stored excerpt).
    let bad = || invalid_args_exception("The nextToken is not valid.");
    let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let offset = text.strip_prefix("acm-list:").ok_or_else(bad)?;
    offset.parse().map_err(|_| bad())
}
