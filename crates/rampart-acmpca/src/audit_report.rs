//! CA audit reports: every certificate a CA issued, with its revocation, in AWS's documented
//! JSON or CSV form (fields `awsAccountId`, `requestedByServicePrincipal`, `certificateArn`,
//! `serial`, `subject`, `notBefore`, `notAfter`, `issuedAt`, `revokedAt`, `revocationReason`,
//! `templateArn`). Rampart has no S3 yet: each report is kept as an object of this crate's
//! `acmpca_audit_objects` table under `<bucket>/<key>`, which [`read_object`] (and the
//! `rampart acm-pca audit-report` command) return, and a future S3 can serve as the object.

use crate::parse;
use crate::record::CertRecord;
use rampart_store::{Store, StoreError, Table};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::macros::format_description;
use x509_parser::x509::X509Name;

/// Report rows (status, bucket, key), keyed by [`report_row`].
pub const AUDIT_REPORTS: &str = "acmpca_audit_reports";
/// Report contents, keyed by [`object_row`].
pub const AUDIT_OBJECTS: &str = "acmpca_audit_objects";

/// The CSV header, as AWS documents it.
const CSV_HEADER: &str = "awsAccountId,requestedByServicePrincipal,certificateArn,serial,subject,notBefore,notAfter,issuedAt,revokedAt,revocationReason,templateArn";

/// One audit report of a CA.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReportRecord {
    /// `CREATING`, `SUCCESS` or `FAILED`.
    pub status: String,
    pub bucket: String,
    pub key: String,
    pub created_ms: i64,
}

/// A report's content, as the S3 object it would be.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReportObject {
    pub body: String,
    pub content_type: String,
    /// The CA reported on.
    pub ca_arn: String,
    pub created_ms: i64,
}

/// The row of report `report_id` of CA `ca_id`.
pub fn report_row(ca_id: &str, report_id: &str) -> String {
    format!("{ca_id}/{report_id}")
}

/// The row of the object `key` of `bucket`.
pub fn object_row(bucket: &str, key: &str) -> String {
    format!("{bucket}/{key}")
}

/// The report table over `store`.
pub fn reports(store: &Store) -> Table<ReportRecord> {
    Table::new(store.clone(), AUDIT_REPORTS)
}

/// The object table over `store`.
pub fn objects(store: &Store) -> Table<ReportObject> {
    Table::new(store.clone(), AUDIT_OBJECTS)
}

/// The stored report object `key` of `bucket`, if any.
pub async fn read_object(
    store: &Store,
    bucket: &str,
    key: &str,
) -> Result<Option<ReportObject>, StoreError> {
    let found = objects(store).get(&object_row(bucket, key)).await?;
    Ok(found.map(|v| v.value))
}

/// One certificate's line of a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    pub aws_account_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requested_by_service_principal: Option<String>,
    pub certificate_arn: String,
    pub serial: String,
    pub subject: String,
    pub not_before: String,
    pub not_after: String,
    pub issued_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revocation_reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template_arn: Option<String>,
}

/// The report line of certificate `cert_id` of CA `ca_arn` (owned by `account`); None when the
/// stored PEM does not parse (never expected: Rampart wrote it).
pub fn entry(account: &str, ca_arn: &str, cert_id: &str, cert: &CertRecord) -> Option<Entry> {
    let der = parse::der_of(cert.certificate_pem.as_bytes()).ok()?;
    let x509 = parse::certificate(&der).ok()?;
    let validity = x509.validity();
    Some(Entry {
        aws_account_id: account.to_owned(),
        requested_by_service_principal: None,
        certificate_arn: format!("{ca_arn}/certificate/{cert_id}"),
        serial: colon_hex(x509.raw_serial()),
        subject: rfc2253(x509.subject()),
        not_before: stamp(validity.not_before.to_datetime()),
        not_after: stamp(validity.not_after.to_datetime()),
        issued_at: stamp_ms(cert.issued_ms),
        revoked_at: cert.revoked.as_ref().map(|(_, at)| stamp_ms(*at)),
        revocation_reason: cert.revoked.as_ref().map(|(reason, _)| reason.clone()),
        template_arn: cert.template_arn.clone(),
    })
}

/// The report as JSON (an array, one object per certificate, absent fields left out).
pub fn render_json(entries: &[Entry]) -> String {
    serde_json::to_string(entries).unwrap_or_else(|_| "[]".into())
}

/// The report as CSV with AWS's header.
pub fn render_csv(entries: &[Entry]) -> String {
    let mut out = String::from(CSV_HEADER);
    out.push('\n');
    for e in entries {
        let fields = [
            e.aws_account_id.as_str(),
            e.requested_by_service_principal.as_deref().unwrap_or(""),
            &e.certificate_arn,
            &e.serial,
            &e.subject,
            &e.not_before,
            &e.not_after,
            &e.issued_at,
            e.revoked_at.as_deref().unwrap_or(""),
            e.revocation_reason.as_deref().unwrap_or(""),
            e.template_arn.as_deref().unwrap_or(""),
        ];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    out
}

/// A CSV field, quoted when it holds a comma, quote or line break.
fn csv_field(value: &str) -> String {
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_owned()
    }
}

/// A serial's bytes (without DER's sign padding) as lower-case hex pairs joined by colons
/// (`e8:cb:d2:...`).
fn colon_hex(bytes: &[u8]) -> String {
    let first = bytes
        .iter()
        .position(|b| *b != 0)
        .unwrap_or(bytes.len().saturating_sub(1));
    let pairs: Vec<String> = bytes[first..].iter().map(|b| format!("{b:02x}")).collect();
    pairs.join(":")
}

/// A time as AWS's reports print it: `2018-02-26T18:39:57+0000` (UTC).
fn stamp(at: OffsetDateTime) -> String {
    let format = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]+0000");
    at.to_offset(time::UtcOffset::UTC)
        .format(&format)
        .unwrap_or_default()
}

/// Epoch milliseconds as [`stamp`] prints them.
fn stamp_ms(ms: i64) -> String {
    let at = OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000);
    stamp(at.unwrap_or(OffsetDateTime::UNIX_EPOCH))
}

/// A name as RFC 2253 writes it (last RDN first, `,` between): the usual short names, other
/// attributes as `<oid>=#<DER hex>`, as AWS's reports show them.
fn rfc2253(name: &X509Name<'_>) -> String {
    let rdns: Vec<String> = name
        .iter()
        .map(|rdn| {
            let parts: Vec<String> = rdn.iter().map(attribute).collect();
            parts.join("+")
        })
        .collect();
    let reversed: Vec<String> = rdns.into_iter().rev().collect();
    reversed.join(",")
}

/// One `type=value` of a name.
fn attribute(attr: &x509_parser::x509::AttributeTypeAndValue<'_>) -> String {
    let oid = attr.attr_type().to_id_string();
    match (short_name(&oid), attr.as_str()) {
        (Some(short), Ok(text)) => format!("{short}={}", escape(text)),
        _ => {
            let value = attr.attr_value();
            let der = der_tlv(value.header.tag().0, value.data);
            format!("{oid}=#{}", hex::encode(der))
        }
    }
}

/// RFC 2253's short names.
fn short_name(oid: &str) -> Option<&'static str> {
    Some(match oid {
        "2.5.4.3" => "CN",
        "2.5.4.7" => "L",
        "2.5.4.8" => "ST",
        "2.5.4.10" => "O",
        "2.5.4.11" => "OU",
        "2.5.4.6" => "C",
        "2.5.4.9" => "STREET",
        "0.9.2342.19200300.100.1.25" => "DC",
        "0.9.2342.19200300.100.1.1" => "UID",
        _ => return None,
    })
}

/// A value with RFC 2253's special characters escaped.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let last = text.chars().count().saturating_sub(1);
    for (i, c) in text.chars().enumerate() {
        let edge = (i == 0 && (c == ' ' || c == '#')) || (i == last && c == ' ');
        if edge || matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A universal-class primitive DER element: tag, length, content.
fn der_tlv(tag: u32, content: &[u8]) -> Vec<u8> {
    let mut out = vec![u8::try_from(tag).unwrap_or(0)];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .into_iter()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn sample(revoked: bool) -> Entry {
        Entry {
            aws_account_id: "111122223333".into(),
            requested_by_service_principal: None,
            certificate_arn:
                "arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/x/certificate/ab"
                    .into(),
            serial: "ab:cd".into(),
            subject: "CN=a.example.com,O=Example, Inc.".into(),
            not_before: "2026-01-01T00:00:00+0000".into(),
            not_after: "2027-01-01T00:00:00+0000".into(),
            issued_at: "2026-01-01T01:00:00+0000".into(),
            revoked_at: revoked.then(|| "2026-02-01T00:00:00+0000".into()),
            revocation_reason: revoked.then(|| "KEY_COMPROMISE".into()),
            template_arn: Some("arn:aws:acm-pca:::template/EndEntityCertificate/V1".into()),
        }
    }

    #[test]
    fn csv_has_awss_header_and_quotes_commas() {
        let csv = render_csv(&[sample(false), sample(true)]);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], CSV_HEADER);
        assert!(lines[1].contains(",\"CN=a.example.com,O=Example, Inc.\","));
        assert!(lines[1].contains(",2026-01-01T01:00:00+0000,,,arn:aws:acm-pca:::template/"));
        assert!(lines[2].contains(",2026-02-01T00:00:00+0000,KEY_COMPROMISE,"));
        assert_eq!(lines.len(), 3);
    }

    #[test]
    fn json_leaves_absent_fields_out() {
        let json: serde_json::Value =
            serde_json::from_str(&render_json(&[sample(false), sample(true)])).unwrap();
        assert!(json[0].get("revokedAt").is_none());
        assert!(json[0].get("requestedByServicePrincipal").is_none());
        assert_eq!(json[1]["revocationReason"], "KEY_COMPROMISE");
        assert_eq!(json[1]["awsAccountId"], "111122223333");
    }

    #[test]
    fn helpers_format_as_aws() {
        assert_eq!(colon_hex(&[0x00, 0xe8, 0x0b, 0x12]), "e8:0b:12");
        assert_eq!(colon_hex(&[0x00]), "00");
        assert_eq!(stamp_ms(0), "1970-01-01T00:00:00+0000");
        assert_eq!(escape("a,b+c"), "a\\,b\\+c");
        assert_eq!(der_tlv(0x13, b"ab"), vec![0x13, 2, b'a', b'b']);
        assert_eq!(der_tlv(0x0c, &[0; 200])[..3], [0x0c, 0x81, 200]);
    }
}
