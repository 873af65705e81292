//! GenerateCredentialReport and GetCredentialReport. A report is generated when none exists
//! or the last is older than four hours (AWS's rule): Generate answers `STARTED` then, and
//! `COMPLETE` while the last report is fresh. Rampart builds the report within the Generate
//! call, so a report is never `INPROGRESS` and GetCredentialReport never answers
//! ReportInProgress; it answers ReportNotPresent before the first report and ReportExpired
//! once the last is four hours old. Content is the CSV of `crate::credential_report`.

use super::common::{store_failure, timestamp};
use super::entity::scan_all;
use crate::IamService;
use crate::account_tables::{AccountTables, login_profile_row};
use crate::credential_report::{
    CertLine, KeyLine, LIFETIME_MS, Line, Password, REPORTS, ReportRecord, render,
};
use crate::generated::enums::{ReportFormatType, ReportStateType};
use crate::generated::errors;
use crate::generated::shapes::*;
use crate::generated::{GenerateCredentialReport, GetCredentialReport};
use crate::records::{AccessKeyRecord, KeyStatus, UserRecord};
use crate::tables::account_prefix;
use rampart_codec::ServiceError;
use rampart_core::RequestContext;
use rampart_store::{Expect, Table};

const DAY_MS: i64 = 86_400_000;

impl GenerateCredentialReport for IamService {
    async fn generate_credential_report(
        &self,
        ctx: &RequestContext,
    ) -> Result<GenerateCredentialReportResponse, ServiceError> {
        self.authorize(ctx, "iam:GenerateCredentialReport", "*")?;
        let account = ctx.account().as_str();
        let now = self.now_ms();
        let last = self.report_table().get(account).await;
        let fresh = last.map_err(store_failure)?;
        if fresh.is_some_and(|last| now - last.value.generated_ms < LIFETIME_MS) {
            return Ok(GenerateCredentialReportResponse {
                state: Some(ReportStateType::Complete),
                description: None,
            });
        }
        let lines = self.report_lines(account).await?;
        let record = ReportRecord {
            generated_ms: now,
            content: render(&lines),
        };
        let put = self.report_table().put(account, &record, Expect::Any);
        self.dir
            .tables
            .store
            .transact(vec![put.map_err(store_failure)?])
            .await
            .map_err(store_failure)?;
        Ok(GenerateCredentialReportResponse {
            state: Some(ReportStateType::Started),
            description: Some(String::from(
                "No report exists. Starting a new report generation task",
            )),
        })
    }
}

impl GetCredentialReport for IamService {
    async fn get_credential_report(
        &self,
        ctx: &RequestContext,
    ) -> Result<GetCredentialReportResponse, ServiceError> {
        self.authorize(ctx, "iam:GetCredentialReport", "*")?;
        let account = ctx.account().as_str();
        let Some(found) = self
            .report_table()
            .get(account)
            .await
            .map_err(store_failure)?
        else {
            return Err(errors::credential_report_not_present_exception(
                "The request was rejected because the credential report does not exist. To \
                 generate a credential report, use GenerateCredentialReport.",
            ));
        };
        let report = found.value;
        if self.now_ms() - report.generated_ms >= LIFETIME_MS {
            return Err(errors::credential_report_expired_exception(
                "The request was rejected because the most recent credential report has \
                 expired. To generate a new credential report, use GenerateCredentialReport.",
            ));
        }
        Ok(GetCredentialReportResponse {
            content: Some(report.content.into_bytes().into()),
            generated_time: Some(timestamp(report.generated_ms)),
            report_format: Some(ReportFormatType::TextCsv),
        })
    }
}

impl IamService {
    fn report_table(&self) -> Table<ReportRecord> {
        Table::new(self.dir.tables.store.clone(), REPORTS)
    }

    /// The report's lines: the account root, then every user in name order.
    async fn report_lines(&self, account: &str) -> Result<Vec<Line>, ServiceError> {
        let tables = &self.dir.tables;
        let keys = scan_all(&tables.access_keys, "").await?;
        let keys: Vec<AccessKeyRecord> = keys
            .into_iter()
            .map(|(_, k)| k)
            .filter(|k| k.account == account)
            .collect();
        let created = tables.accounts.get(account).await.map_err(store_failure)?;
        let mut lines = vec![Line {
            user: String::from("<root_account>"),
            arn: format!("arn:aws:iam::{account}:root"),
            created_ms: created.map(|a| a.value.created_ms),
            password: Password::Root,
            mfa_active: false,
            keys: key_lines(keys.iter().filter(|k| k.user_name.is_none())),
            certs: Vec::new(),
        }];
        let users = scan_all(tables.users.table(), &account_prefix(account)).await?;
        let max_age = self
            .password_policy(account)
            .await?
            .and_then(|p| p.max_age_days);
        let devices = self.devices(account).await?;
        for (_, user) in users {
            let mfa = devices
                .iter()
                .any(|d| d.user.as_ref().is_some_and(|a| a.user_id == user.user_id));
            let own = keys
                .iter()
                .filter(|k| k.user_id.as_ref() == Some(&user.user_id));
            let password = self.password_line(&user, max_age).await?;
            let certs = self.certificates_of(&user).await?;
            let mut certs: Vec<CertLine> = certs
                .iter()
                .map(|c| CertLine {
                    active: c.status == KeyStatus::Active,
                    uploaded_ms: c.uploaded_ms,
                })
                .collect();
            certs.sort_by_key(|c| c.uploaded_ms);
            lines.push(Line {
                user: user.name.clone(),
                arn: user.arn(),
                created_ms: Some(user.created_ms),
                password,
                mfa_active: mfa,
                keys: key_lines(own),
                certs,
            });
        }
        Ok(lines)
    }

    /// The password columns of `user`: set when it has a login profile, to be rotated
    /// `max_age` days after it was set when the account's policy expires passwords.
    async fn password_line(
        &self,
        user: &UserRecord,
        max_age: Option<i32>,
    ) -> Result<Password, ServiceError> {
        let tables = AccountTables::new(&self.dir.tables.store);
        let row = login_profile_row(&user.account, &user.user_id);
        let profile = tables
            .login_profiles
            .get(&row)
            .await
            .map_err(store_failure)?;
        Ok(match profile {
            None => Password::None,
            Some(p) => Password::Set {
                set_ms: p.value.password_set_ms,
                next_ms: max_age.map(|days| p.value.password_set_ms + i64::from(days) * DAY_MS),
            },
        })
    }
}

/// Access keys as report columns, oldest first.
fn key_lines<'a>(keys: impl Iterator<Item = &'a AccessKeyRecord>) -> Vec<KeyLine> {
    let mut out: Vec<KeyLine> = keys
        .map(|k| KeyLine {
            active: k.status == KeyStatus::Active,
            created_ms: k.created_ms,
            last_used_ms: k.last_used_ms,
            last_used_region: k.last_used_region.clone(),
            last_used_service: k.last_used_service.clone(),
        })
        .collect();
    out.sort_by_key(|k| k.created_ms);
    out
}
