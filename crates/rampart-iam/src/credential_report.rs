//! The credential report as IAM writes it, no I/O: one CSV line per IAM user after the
//! account root's (`<root_account>`), with AWS's 22 columns, `true`/`false`, `N/A` where a
//! credential is absent, `not_supported` for the root's password columns, `no_information`
//! for a password never used (Rampart has no console sign-in to record) and times in ISO 8601
//! as `2024-01-02T03:04:05+00:00`. Stored in `iam_credential_reports` (row: the account id).

use serde::{Deserialize, Serialize};

/// Credential reports. Row: the account id.
pub const REPORTS: &str = "iam_credential_reports";

/// How long a report may be read, and how soon a new one is generated (four hours).
pub const LIFETIME_MS: i64 = 4 * 3_600_000;

/// The columns, in AWS's order.
pub const HEADER: &str = "user,arn,user_creation_time,password_enabled,password_last_used,\
password_last_changed,password_next_rotation,mfa_active,access_key_1_active,\
access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,\
access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,\
access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,\
cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated";

/// A generated report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportRecord {
    pub generated_ms: i64,
    /// The CSV text.
    pub content: String,
}

/// An access key as the report shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyLine {
    pub active: bool,
    pub created_ms: i64,
    pub last_used_ms: Option<i64>,
    pub last_used_region: Option<String>,
    pub last_used_service: Option<String>,
}

/// A signing certificate as the report shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CertLine {
    pub active: bool,
    pub uploaded_ms: i64,
}

/// The password columns of one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Password {
    /// The account root: `not_supported`.
    Root,
    /// No login profile.
    None,
    /// A login profile whose password was set at `set_ms`, to be rotated by `next_ms`.
    Set { set_ms: i64, next_ms: Option<i64> },
}

/// One line of the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub user: String,
    pub arn: String,
    pub created_ms: Option<i64>,
    pub password: Password,
    pub mfa_active: bool,
    /// Oldest first; only the first two are shown.
    pub keys: Vec<KeyLine>,
    pub certs: Vec<CertLine>,
}

/// `ms` as the report's ISO 8601 time.
pub fn iso(ms: i64) -> String {
    let seconds = ms.div_euclid(1000);
    match time::OffsetDateTime::from_unix_timestamp(seconds) {
        Ok(t) => format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}+00:00",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        ),
        Err(_) => String::from("N/A"),
    }
}

fn flag(value: bool) -> &'static str {
    if value { "true" } else { "false" }
}

fn or_na(value: Option<String>) -> String {
    value.unwrap_or_else(|| String::from("N/A"))
}

impl Line {
    /// The line's 22 fields, joined.
    fn csv(&self) -> String {
        let mut fields = vec![
            self.user.clone(),
            self.arn.clone(),
            or_na(self.created_ms.map(iso)),
        ];
        fields.extend(match self.password {
            Password::Root => [
                "not_supported",
                "no_information",
                "not_supported",
                "not_supported",
            ]
            .map(String::from),
            Password::None => ["false", "N/A", "N/A", "N/A"].map(String::from),
            Password::Set { set_ms, next_ms } => [
                String::from("true"),
                String::from("no_information"),
                iso(set_ms),
                or_na(next_ms.map(iso)),
            ],
        });
        fields.push(flag(self.mfa_active).to_owned());
        for i in 0..2 {
            fields.extend(key_fields(self.keys.get(i)));
        }
        for i in 0..2 {
            let cert = self.certs.get(i);
            fields.push(flag(cert.is_some_and(|c| c.active)).to_owned());
            fields.push(or_na(cert.map(|c| iso(c.uploaded_ms))));
        }
        fields.join(",")
    }
}

fn key_fields(key: Option<&KeyLine>) -> [String; 5] {
    let Some(key) = key else {
        return ["false", "N/A", "N/A", "N/A", "N/A"].map(String::from);
    };
    [
        flag(key.active).to_owned(),
        iso(key.created_ms),
        or_na(key.last_used_ms.map(iso)),
        or_na(key.last_used_region.clone()),
        or_na(key.last_used_service.clone()),
    ]
}

/// The report: the header, then each line.
pub fn render(lines: &[Line]) -> String {
    let mut out = String::from(HEADER);
    for line in lines {
        out.push('\n');
        out.push_str(&line.csv());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_have_aws_columns_and_values() {
        let root = Line {
            user: String::from("<root_account>"),
            arn: String::from("arn:aws:iam::111122223333:root"),
            created_ms: Some(0),
            password: Password::Root,
            mfa_active: false,
            keys: vec![KeyLine {
                active: true,
                created_ms: 1_700_000_000_000,
                last_used_ms: None,
                last_used_region: None,
                last_used_service: None,
            }],
            certs: Vec::new(),
        };
        let user = Line {
            user: String::from("bob"),
            arn: String::from("arn:aws:iam::111122223333:user/bob"),
            created_ms: Some(1_700_000_000_000),
            password: Password::Set {
                set_ms: 1_700_000_000_000,
                next_ms: None,
            },
            mfa_active: true,
            keys: Vec::new(),
            certs: vec![CertLine {
                active: false,
                uploaded_ms: 1_700_000_000_000,
            }],
        };
        let report = render(&[root, user]);
        let lines: Vec<&str> = report.lines().collect();
        assert_eq!(lines[0].split(',').count(), 22);
        assert_eq!(
            lines[1],
            "<root_account>,arn:aws:iam::111122223333:root,1970-01-01T00:00:00+00:00,\
             not_supported,no_information,not_supported,not_supported,false,true,\
             2023-11-14T22:13:20+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A"
        );
        assert_eq!(
            lines[2],
            "bob,arn:aws:iam::111122223333:user/bob,2023-11-14T22:13:20+00:00,true,\
             no_information,2023-11-14T22:13:20+00:00,N/A,true,false,N/A,N/A,N/A,N/A,false,\
             N/A,N/A,N/A,N/A,false,2023-11-14T22:13:20+00:00,false,N/A"
        );
    }
}
