//! CreateCertificateAuthorityAuditReport and DescribeCertificateAuthorityAuditReport. A report
//! is built at once from the CA's certificate rows (`audit_report.rs`) and stored, with its
//! SUCCESS status and the CA's last-report time, in one transaction: AWS allows one report per
//! CA every 30 minutes, and a report described right after creation is already complete.

use crate::audit_report::{
    self, Entry, ReportObject, ReportRecord, object_row, report_row, reports,
};
use crate::generated::errors::{
    invalid_args_exception, request_in_progress_exception, resource_not_found_exception,
};
use crate::generated::*;
use crate::ops::lifecycle::wrong_state;
use crate::service::{AcmPcaService, CaRef, authorize, ca_ref, internal};
use rampart_codec::Timestamp;
use rampart_core::RequestContext;
use rampart_store::Expect;

/// AWS's pace: one report per CA every 30 minutes.
const REPORT_INTERVAL_MS: i64 = 30 * 60 * 1000;
/// Certificate rows read per scan page.
const SCAN_PAGE: usize = 1000;

impl CreateCertificateAuthorityAuditReport for AcmPcaService {
    async fn create_certificate_authority_audit_report(
        &self,
        ctx: &RequestContext,
        input: CreateCertificateAuthorityAuditReportRequest,
    ) -> Result<CreateCertificateAuthorityAuditReportResponse, ServiceError> {
        let ca = ca_ref(&input.certificate_authority_arn.unwrap_or_default())?;
        authorize(
            ctx,
            "CreateCertificateAuthorityAuditReport",
            &ca.arn,
            &ca.account,
        )?;
        let bucket = input.s3_bucket_name.unwrap_or_default();
        check_bucket(&bucket)?;
        let csv = input.audit_report_response_format == Some(AuditReportResponseFormat::Csv);
        let record = self.load(&ca).await?.value;
        let now = self.now_ms();
        let last = record.governance.last_audit_report_ms;
        check_reportable(&ca, &record.status, last, now)?;
        let entries = self.entries(&ca).await?;
        let report_id = uuid::Uuid::new_v4().to_string();
        let (row, object) = build_report(&ca, &report_id, bucket, csv, &entries, now);
        let key = row.key.clone();
        self.store_report(&ca, &report_id, &row, &object).await?;
        Ok(CreateCertificateAuthorityAuditReportResponse {
            audit_report_id: Some(report_id),
            s3_key: Some(key),
        })
    }
}

/// Report `report_id` of `ca` (its SUCCESS row and its object) from `entries`.
fn build_report(
    ca: &CaRef,
    report_id: &str,
    bucket: String,
    csv: bool,
    entries: &[Entry],
    now: i64,
) -> (ReportRecord, ReportObject) {
    let (extension, content_type, body) = match csv {
        true => ("csv", "text/csv", audit_report::render_csv(entries)),
        false => (
            "json",
            "application/json",
            audit_report::render_json(entries),
        ),
    };
    let object = ReportObject {
        body,
        content_type: content_type.into(),
        ca_arn: ca.arn.clone(),
        created_ms: now,
    };
    let row = ReportRecord {
        status: "SUCCESS".into(),
        bucket,
        key: format!("audit-report/{}/{report_id}.{extension}", ca.id),
        created_ms: now,
    };
    (row, object)
}

/// A bucket name S3 would accept: 3-63 lower-case letters, digits, dots and hyphens, starting
/// and ending with a letter or digit.
fn check_bucket(bucket: &str) -> Result<(), ServiceError> {
    let edge_ok = |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    let ok = (3..=63).contains(&bucket.len())
        && bucket
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-')
        && edge_ok(bucket.chars().next())
        && edge_ok(bucket.chars().last())
        && !bucket.contains("..");
    match ok {
        true => Ok(()),
        // Doubt: AWS's wording for a bucket name it cannot use is not documented.
        false => Err(invalid_args_exception(format!(
            "The S3 bucket name {bucket} is not valid."
        ))),
    }
}

/// A CA may be reported on unless it is gone, and at most every 30 minutes.
fn check_reportable(
    ca: &CaRef,
    status: &str,
    last: Option<i64>,
    now: i64,
) -> Result<(), ServiceError> {
    if matches!(status, "DELETED" | "FAILED" | "CREATING") {
        return Err(wrong_state(&ca.arn, status));
    }
    match last {
        Some(at) if at + REPORT_INTERVAL_MS > now => Err(too_soon()),
        _ => Ok(()),
    }
}

/// RequestInProgressException for a report asked within 30 minutes of the last one.
// Doubt: AWS documents "You can generate a maximum of one report every 30 minutes." but not
// the exception's wording; RequestInProgressException is the one the operation lists.
fn too_soon() -> ServiceError {
    request_in_progress_exception(
        "An audit report was created for this certificate authority less than 30 minutes ago. You can generate a maximum of one report every 30 minutes.",
    )
}

impl AcmPcaService {
    /// Every certificate of `ca` as a report line, in row order.
    async fn entries(&self, ca: &CaRef) -> Result<Vec<Entry>, ServiceError> {
        let prefix = format!("{}/", ca.id);
        let mut after: Option<String> = None;
        let mut entries = Vec::new();
        loop {
            let page = self
                .tables
                .certificates
                .scan(&prefix, after.as_deref(), SCAN_PAGE)
                .await
                .map_err(internal)?;
            let full = page.len() == SCAN_PAGE;
            for (row, cert) in &page {
                let cert_id = row.strip_prefix(&prefix).unwrap_or(row);
                entries.extend(audit_report::entry(
                    &ca.account,
                    &ca.arn,
                    cert_id,
                    &cert.value,
                ));
            }
            after = page.last().map(|(row, _)| row.clone());
            if !full {
                return Ok(entries);
            }
        }
    }

    /// Stores report `report_id` and its object, noting the time on the CA (refused when a
    /// report of the last 30 minutes got there first).
    async fn store_report(
        &self,
        ca: &CaRef,
        report_id: &str,
        row: &ReportRecord,
        object: &ReportObject,
    ) -> Result<(), ServiceError> {
        let store = &self.store;
        self.mutate(ca, |record| {
            let last = record.governance.last_audit_report_ms;
            if last.is_some_and(|at| at + REPORT_INTERVAL_MS > row.created_ms) {
                return Err(too_soon());
            }
            record.governance.last_audit_report_ms = Some(row.created_ms);
            let put_row = reports(store).put(&report_row(&ca.id, report_id), row, Expect::Absent);
            let put_object = audit_report::objects(store).put(
                &object_row(&row.bucket, &row.key),
                object,
                Expect::Any,
            );
            Ok(vec![
                put_row.map_err(internal)?,
                put_object.map_err(internal)?,
            ])
        })
        .await?;
        Ok(())
    }
}

impl DescribeCertificateAuthorityAuditReport for AcmPcaService {
    async fn describe_certificate_authority_audit_report(
        &self,
        ctx: &RequestContext,
        input: DescribeCertificateAuthorityAuditReportRequest,
    ) -> Result<DescribeCertificateAuthorityAuditReportResponse, ServiceError> {
        let ca = ca_ref(&input.certificate_authority_arn.unwrap_or_default())?;
        authorize(
            ctx,
            "DescribeCertificateAuthorityAuditReport",
            &ca.arn,
            &ca.account,
        )?;
        self.load(&ca).await?;
        let report_id = input.audit_report_id.unwrap_or_default();
        let found = reports(&self.store)
            .get(&report_row(&ca.id, &report_id))
            .await
            .map_err(internal)?;
        // Doubt: AWS's wording for an unknown report is not documented.
        let report = found.map(|v| v.value).ok_or_else(|| {
            resource_not_found_exception(format!(
                "Could not find audit report {report_id} of certificate authority {}.",
                ca.arn
            ))
        })?;
        Ok(DescribeCertificateAuthorityAuditReportResponse {
            audit_report_status: Some(report.status.as_str().into()),
            created_at: Some(Timestamp::from_epoch_millis(report.created_ms)),
            s3_bucket_name: Some(report.bucket),
            s3_key: Some(report.key),
        })
    }
}
